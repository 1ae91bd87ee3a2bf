"""Local repair of a maximum flow after capacity cuts, and the sweeps built on it.

Same residual layout as :mod:`supplynet.engine.maxflow`. :func:`lower_capacities` turns a
maximum flow into a maximum flow of the network with some capacities lowered,
touching only the neighbourhood of the change: flow above a new capacity is first
rerouted around the arc (a bidirectional search that proves "no more" at once where
the region behind the arc is small), the rest cancelled along flow paths. Its
docstring proves the result maximal. Its cost is local to the change, where a
warm-started Dinic's last level search is global (docs/benchmarks-kernels.md).
"""

from __future__ import annotations

import numba
import numpy as np

from supplynet.engine.jit import njit
from supplynet.engine.maxflow import (INF, make_work, next_stamp, outflow, push, reachable, restart_stamps,
                                      restore, write)

__all__ = [
    "lower_capacities",
    "solve_lowered",
    "sweep_finite",
    "sweep_finite_serial",
    "sweep_unlimited",
]


@njit()
def _flow_at(res, mate, is_fwd, p, forward):
    """Return the flow a walk may cancel through position ``p`` (0 if none)."""
    if forward:
        return res[mate[p]] if is_fwd[p] else 0
    return 0 if is_fwd[p] else res[p]


@njit()
def _cancel(res, mate, p, amount, forward, work):
    """Cancel ``amount`` units of flow through walk position ``p``."""
    if forward:
        push(res, mate, mate[p], amount, work)
    else:
        push(res, mate, p, amount, work)


@njit()
def _next_arc(ptr, mate, is_fwd, res, v, forward, work):
    """Return the next flow-carrying walk position out of ``v`` (-1 if none)."""
    wit = work.walk_forward if forward else work.walk_back
    stamp, now = work.walk_stamp, work.walk_now[0]
    if stamp[v] != now:
        stamp[v] = now
        work.walk_back[v] = ptr[v]
        work.walk_forward[v] = ptr[v]
    p = wit[v]
    while p < ptr[v + 1] and _flow_at(res, mate, is_fwd, p, forward) == 0:
        p += 1
    wit[v] = p
    return p if p < ptr[v + 1] else -1


@njit()
def _cancel_cycle(res, mate, is_fwd, back, n_back, fwd_path, n_fwd, extra, work):
    """Cancel the bottleneck of a cycle of walk positions; ``extra`` is a forward
    position (flow cancelled through its mate) or -1."""
    amount = INF if extra < 0 else res[mate[extra]]
    for k in range(n_back):
        amount = min(amount, _flow_at(res, mate, is_fwd, back[k], False))
    for k in range(n_fwd):
        amount = min(amount, _flow_at(res, mate, is_fwd, fwd_path[k], True))
    if extra >= 0:
        push(res, mate, mate[extra], amount, work)
    for k in range(n_back):
        _cancel(res, mate, back[k], amount, False, work)
    for k in range(n_fwd):
        _cancel(res, mate, fwd_path[k], amount, True, work)


@njit()
def _walk_back(ptr, head, mate, is_fwd, res, start, source, work):
    """Mark a flow path ``source -> start`` on work.on_back/work.back_path; return its length
    (-1 if ``start`` has no flow left to walk back).

    Flow cycles met on the way are cancelled (value-neutral). Conservation guarantees
    a vertex with outgoing flow has incoming flow, so the walk never gets stuck.
    """
    on, path = work.on_back, work.back_path
    depth = 0
    v = start
    on[v] = 0
    while v != source:
        p = _next_arc(ptr, mate, is_fwd, res, v, False, work)
        if p < 0:
            # Only the start can run dry: a cycle just cancelled took the flow of the
            # arc being lowered, and the start had no other flow. Nothing to walk.
            if v != start:
                raise RuntimeError("flow walk stuck: flow conservation broken")
            on[start] = -1
            return -1
        w = head[p]
        if on[w] >= 0:  # a cycle: cancel it and resume from w
            j = on[w]
            path[depth] = p
            cycle = path[j : depth + 1]
            _cancel_cycle(res, mate, is_fwd, cycle, depth + 1 - j, cycle[:0], 0, -1, work)
            for k in range(j, depth):
                on[head[path[k]]] = -1
            depth = j
            v = w
            continue
        path[depth] = p
        depth += 1
        on[w] = depth
        v = w
    return depth


@njit()
def _clear(head, start, path, depth, on):
    """Unmark the vertices of a walk."""
    on[start] = -1
    for k in range(depth):
        on[head[path[k]]] = -1


@njit()
def _walk_forward(ptr, head, mate, is_fwd, res, start, sink, work):
    """Mark a flow path ``start -> sink`` on work.on_forward/work.path; stop early where it meets
    the backward path (work.on_back). Return ``(length, meeting index or -1)``."""
    on_b, on, path = work.on_back, work.on_forward, work.path
    depth = 0
    v = start
    on[v] = 0
    while True:
        if on_b[v] >= 0:
            return depth, on_b[v]
        if v == sink:
            return depth, -1
        p = _next_arc(ptr, mate, is_fwd, res, v, True, work)
        if p < 0:  # impossible while the lowered arc feeds the start
            raise RuntimeError("flow walk stuck: flow conservation broken")
        w = head[p]
        if on[w] >= 0:  # a cycle: cancel it and resume from w
            j = on[w]
            path[depth] = p
            cycle = path[j : depth + 1]
            _cancel_cycle(res, mate, is_fwd, cycle[:0], 0, cycle, depth + 1 - j, -1, work)
            for k in range(j, depth):
                on[head[path[k]]] = -1
            depth = j
            v = w
            continue
        path[depth] = p
        depth += 1
        on[w] = depth
        v = w


@njit()
def _reduce_arc(ptr, head, mate, is_fwd, res, p_arc, source, sink, work):
    """Lower the flow of forward position ``p_arc`` until ``res[p_arc] >= 0``.

    Each round walks a flow path back from the arc's tail to the source and forward
    from its head to the sink and cancels the bottleneck along both plus the arc.
    Where the walks close a cycle, the cycle is cancelled instead (it carries no
    value). Conservation thus holds after every step, so walks never get stuck, and
    every step empties at least one arc or ends the excess: the loop terminates.
    """
    on_b, on_f, path_f, path_b = work.on_back, work.on_forward, work.path, work.back_path
    arc_rev = mate[p_arc]
    tail, tip = head[arc_rev], head[p_arc]
    while res[p_arc] < 0 and res[arc_rev] > 0:
        depth_b = _walk_back(ptr, head, mate, is_fwd, res, tail, source, work)
        if depth_b < 0:  # the arc's flow vanished in a cycle: the loop test ends it
            continue
        depth_f, meet = 0, -1
        if res[p_arc] < 0 and res[arc_rev] > 0:
            depth_f, meet = _walk_forward(ptr, head, mate, is_fwd, res, tip, sink, work)
            if meet >= 0:  # cycle: meeting vertex ~> tail -> tip ~> meeting vertex
                _cancel_cycle(res, mate, is_fwd, path_b, meet, path_f, depth_f, p_arc, work)
            else:
                amount = min(-res[p_arc], res[arc_rev])
                for k in range(depth_b):
                    amount = min(amount, _flow_at(res, mate, is_fwd, path_b[k], False))
                for k in range(depth_f):
                    amount = min(amount, _flow_at(res, mate, is_fwd, path_f[k], True))
                push(res, mate, arc_rev, amount, work)
                for k in range(depth_b):
                    _cancel(res, mate, path_b[k], amount, False, work)
                for k in range(depth_f):
                    _cancel(res, mate, path_f[k], amount, True, work)
        _clear(head, tail, path_b, depth_b, on_b)
        _clear(head, tip, path_f, depth_f, on_f)


@njit()
def _reroute_path(ptr, head, mate, res, x, y, skip, skip2, dead_f, dead_b, work):
    """Search a residual path ``x -> y`` avoiding two positions; return where the two
    searches met (-1 if there is no path).

    Bidirectional: a forward search from ``x`` (parents in work.fwd_parent) and a backward
    search from ``y`` (next positions in work.back_next) grow alternately, always the one
    with the smaller frontier. Why: when no path is left, the region behind the
    lowered arc is typically a handful of vertices while ``x`` reaches the whole
    source side, so the backward search proves it at once. Stamps instead of
    clearing keep the cost proportional to the vertices searched; no stamp is read
    after the call, so the stamps may start again at any call: after
    :func:`restart_stamps` the stamp is at most ``search_limits[0] + 1``, far below the
    int32 limit, and :func:`next_stamp` never refuses here.
    ``dead_f`` / ``dead_b`` are vertices each search may skip.
    """
    fpar, fstamp, fq = work.fwd_parent, work.fwd_stamp, work.queue
    bnext, bstamp, bq = work.back_next, work.back_stamp, work.back_queue
    restart_stamps(work)
    now = next_stamp(work)
    fstamp[x] = now
    bstamp[y] = now
    fq[0], bq[0] = x, y
    fh, ft, bh, bt = 0, 1, 0, 1
    while fh < ft and bh < bt:
        if ft - fh <= bt - bh:
            v = fq[fh]
            fh += 1
            for p in range(ptr[v], ptr[v + 1]):
                w = head[p]
                if res[p] > 0 and fstamp[w] != now and p != skip and p != skip2 \
                        and not dead_f[w]:
                    fstamp[w] = now
                    fpar[w] = p
                    if bstamp[w] == now:
                        return w
                    fq[ft] = w
                    ft += 1
        else:
            w = bq[bh]
            bh += 1
            for r in range(ptr[w], ptr[w + 1]):  # mate[r] is an arc u -> w
                u, p = head[r], mate[r]
                if res[p] > 0 and bstamp[u] != now and p != skip and p != skip2 \
                        and not dead_b[u]:
                    bstamp[u] = now
                    bnext[u] = p
                    if fstamp[u] == now:
                        return u
                    bq[bt] = u
                    bt += 1
    return -1


@njit()
def _reroute(ptr, head, mate, res, p_arc, limit, dead_f, dead_b, work):
    """Move up to ``limit`` units of the flow on forward position ``p_arc`` onto other
    paths between its ends, without changing the flow value; return the amount moved."""
    arc_rev = mate[p_arc]
    x, y = head[arc_rev], head[p_arc]
    fpar, bnext = work.fwd_parent, work.back_next
    moved = 0
    while moved < limit:
        meet = _reroute_path(ptr, head, mate, res, x, y, p_arc, arc_rev, dead_f, dead_b,
                             work)
        if meet < 0:
            break
        amount = limit - moved
        v = meet
        while v != x:
            amount = min(amount, res[fpar[v]])
            v = head[mate[fpar[v]]]
        v = meet
        while v != y:
            amount = min(amount, res[bnext[v]])
            v = head[bnext[v]]
        v = meet
        while v != x:
            p = fpar[v]
            push(res, mate, p, amount, work)
            v = head[mate[p]]
        v = meet
        while v != y:
            p = bnext[v]
            push(res, mate, p, amount, work)
            v = head[p]
        push(res, mate, arc_rev, amount, work)  # the arc itself now carries less
        moved += amount
    return moved


@njit()
def lower_capacities(ptr, head, mate, is_fwd, res, positions, caps, source, sink,
                     sides, work):
    """Give forward ``positions`` capacities ``caps``, keeping ``res`` a maximum flow.

    ``res`` must hold a maximum flow and each new capacity must be at most the old
    one. Arcs are lowered one at a time. For arc ``a = x -> y`` with excess ``e``
    (flow above the new capacity ``c``): first up to ``e`` units are rerouted
    ``x -> y`` around ``a`` (value-neutral), then the rest is cancelled along flow
    paths through ``a``. Why that is maximal: if rerouting stops short, let ``X`` be
    the vertices ``x`` still reaches in the residual without ``a``; ``y`` and the
    sink are outside ``X`` and the source inside, every arc leaving ``X`` other than
    ``a`` is full and none entering it carries flow, so ``X`` is a cut of capacity
    ``F - f_a + c``, exactly the value left after cancelling. No global search is
    needed, so small what-ifs cost time local to the change.

    ``sides`` is ``(src_side, snk_side, off_src_side, nowhere)``: the vertices the
    source reaches / that reach the sink in the residual of ``res`` as passed in, the
    complement of the first, and an all-False mask (the first three may have length 0
    when unknown). They settle the first arc without searching when it crosses either
    side (nothing can be rerouted: the source side is closed and nothing outside
    enters the sink side) and fence its searches in.
    """
    src_side, snk_side, off_src_side, nowhere = sides
    for k in range(len(positions)):
        p = positions[k]
        x, y = head[mate[p]], head[p]
        excess = res[mate[p]] - caps[k]
        if excess > 0:
            dead_f, dead_b = nowhere, nowhere
            search = True
            if k == 0 and len(src_side) > 0:
                search = not (src_side[x] and not src_side[y]) and not (
                    snk_side[y] and not snk_side[x])
                if src_side[x]:  # paths from x never leave the closed source side
                    dead_b = off_src_side
                else:  # and never lead back out of it to y
                    dead_f, dead_b = src_side, src_side
            if search:
                excess -= _reroute(ptr, head, mate, res, p, excess, dead_f, dead_b, work)
        write(res, p, caps[k] - res[mate[p]], work)
        if res[p] < 0:
            work.walk_now[0] += 1  # fresh walk pointers: rerouting may have added flow
            _reduce_arc(ptr, head, mate, is_fwd, res, p, source, sink, work)


@njit()
def solve_lowered(ptr, head, mate, is_fwd, res, positions, caps, source, sink,
                  sides, work):
    """Lower capacities of ``positions`` in the maximum flow ``res``; return the new
    maximum flow value (``res`` holds the new maximum flow)."""
    lower_capacities(ptr, head, mate, is_fwd, res, positions, caps, source, sink,
                     sides, work)
    return outflow(ptr, mate, is_fwd, res, source)


@njit()
def _finite_chunk(c, n_chunks, ptr, head, mate, is_fwd, base, source, sink, sides,
                  el_ptr, el_pos, out):
    """Solve elements ``c, c + n_chunks, ...`` on one copy of ``base``."""
    widest = 0
    for e in range(len(el_ptr) - 1):
        widest = max(widest, el_ptr[e + 1] - el_ptr[e])
    work = make_work(len(ptr) - 1, len(head))
    res = base.copy()
    zeros = np.zeros(widest, np.int64)
    for e in range(c, len(el_ptr) - 1, n_chunks):  # strided: balances uneven elements
        positions = el_pos[el_ptr[e]:el_ptr[e + 1]]
        out[e] = solve_lowered(ptr, head, mate, is_fwd, res, positions,
                               zeros[:len(positions)], source, sink, sides, work)
        restore(res, base, work)


@njit(parallel=True)
def sweep_finite(ptr, head, mate, is_fwd, base, source, sink, sides, el_ptr, el_pos,
                 n_chunks):
    """Return, per element, the maximum flow with the element's arcs at capacity 0.

    ``base`` is a maximum flow; element ``e`` owns forward positions
    ``el_pos[el_ptr[e]:el_ptr[e + 1]]``. Elements are dealt round-robin to ``n_chunks``
    parallel blocks, each on its own copy of ``base`` restored after every element.
    The answers are exact integers, so they do not depend on the chunking; with
    ``n_chunks == 1`` see :func:`sweep_finite_serial`.
    """
    out = np.empty(len(el_ptr) - 1, np.int64)
    for c in numba.prange(n_chunks):
        _finite_chunk(c, n_chunks, ptr, head, mate, is_fwd, base, source, sink, sides,
                      el_ptr, el_pos, out)
    return out


@njit()
def sweep_finite_serial(ptr, head, mate, is_fwd, base, source, sink, sides, el_ptr,
                        el_pos):
    """:func:`sweep_finite` on the calling thread (no parallel-region cost)."""
    out = np.empty(len(el_ptr) - 1, np.int64)
    _finite_chunk(0, 1, ptr, head, mate, is_fwd, base, source, sink, sides, el_ptr,
                  el_pos, out)
    return out


@njit()
def sweep_unlimited(ptr, head, caps, big, source, sink, el_ptr, el_pos):
    """Return, per element, whether an unlimited path survives removing the element."""
    n_el = len(el_ptr) - 1
    out = np.empty(n_el, np.bool_)
    res = caps.copy()
    for e in range(n_el):
        for k in range(el_ptr[e], el_ptr[e + 1]):
            res[el_pos[k]] = 0
        out[e] = reachable(ptr, head, res, big, source)[sink]
        for k in range(el_ptr[e], el_ptr[e + 1]):
            res[el_pos[k]] = caps[el_pos[k]]
    return out
