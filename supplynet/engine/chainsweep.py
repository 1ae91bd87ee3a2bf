"""The flow-loss sweep: every element's loss from one incremental flow per flow chain.

Same residual layout as :mod:`supplynet.engine.maxflow`. Given a maximum flow ``f`` of
value ``F`` with residual ``R`` (super source ``S``, super sink ``T``), the loss of
removing one arc ``a = x -> y`` is ``F - maxflow(G - a)``. The old sweep
(:func:`supplynet.engine.repair.sweep_finite`) repaired the base flow element by element;
its cost grew with route length (long detours searched again for every element of a
route) and with the number of endpoints (every search scanned the super source's and
super sink's thousands of arcs). This one rests on three facts, proved in full in
docs/design.md ("How the flow-loss sweep works"):

1. ``loss(a) = max(0, f_a - mu_a)``, where ``mu_a`` is the maximum flow in ``R - a``
   (both of a's positions removed) from ``{S, x}`` to ``{y, T}``. Any S-T cut ``X``
   has ``cap(X) = F + r(X)`` (``r``: residual capacity leaving ``X``); removing ``a``
   lowers by ``c_a`` exactly the cuts with ``x`` in and ``y`` out, where ``r`` counted
   ``c_a - f_a``, so ``maxflow(G - a) = min(F, F - f_a + min r_{R-a}(X)) = min(F, F - f_a
   + mu_a)``. No flow is cancelled and ``S``, ``T`` are terminals: never expanded.
2. Regions. ``A`` = what ``S`` reaches in ``R``, ``B`` = what reaches ``T``. An arc
   leaving ``A`` or entering ``B`` crosses a minimum cut: its loss is its flow. For an
   arc inside ``A`` every path that counts stays in ``A`` (``A`` is closed) and every
   source entry is reached from ``S``, so ``S`` is virtual; the mirror image holds in
   ``B``; elsewhere paths avoid ``A`` and ``B``.
3. Chains. A flow chain ``a_1 .. a_L`` is a maximal path of flow-carrying arcs whose
   inner vertices ``v_1 .. v_{L-1}`` have exactly one carrying arc in and one out (all
   carry the same ``f``). With ``U_i = {S, v_0 .. v_{i-1}}``, ``D_i = {v_i .. v_L, T}``
   and ``R_0 = R`` without the chain's positions, ``min(f, mu_{a_i}) = min(f,
   maxflow_{R_0}(U_i -> D_i))``: a cut leaving out an upstream ``v_j`` (or taking in a
   downstream one) has a reverse chain arc of residual ``f`` leaving it. Going from
   ``a_i`` to ``a_{i+1}`` moves ``v_i`` from ``D`` to ``U``, so one flow ``phi`` serves
   the whole chain: the units it delivered into ``v_i`` stop counting and the value is
   topped up again. Where a detour rejoins the chain downstream, the next elements cost
   no search at all.

A failed search leaves a certificate that settles the next elements without one: the
side it exhausted (``P``: all that ``U`` reaches, or ``Q``: all that reaches ``D``) stays
valid while nothing is augmented, so only the one vertex that moved needs a look.
A chain that returns to its first vertex, and a flow cycle of inner vertices only,
lose nothing: cancelling the cycle leaves another maximum flow without flow on them.

Search order. In A a path may end at any source entry (in B start at any sink exit);
the nearest one other than the chain's own can lie thousands of arcs away, and a
breadth-first ball that large is most of the work on big sparse networks. So a search
that has scanned :data:`GUIDE_AFTER` vertices breadth-first goes on taking, on the side
that looks for the virtual terminal, the vertices fewest base-residual arcs from the
nearest entry (exit) first, skipping the chain's own (:func:`_two_nearest`, two labels
per vertex), the sides taking turns. Order changes which path is found and how soon,
never whether one is, nor what an exhausted side certifies.

Every loss is an integer from a maximum flow certified by a failed search or by
reaching the cap ``f``: exact, never a bound. Segments (region-pure pieces of chains)
are dealt round-robin to numba's threads, each with its own residual copy.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from supplynet._errors import AnalysisError
from supplynet.engine import maxflow as mf
from supplynet.engine.jit import njit
from supplynet.engine.maxflow import make_work, next_stamp, push, restart_stamps, restore

__all__ = ["COUNTS", "Segments", "chain_segments", "sweep_chains", "sweep_chains_serial"]

#: Region of a segment: inside the source side A, inside the sink side B, in neither
#: (the middle), or one arc crossing a minimum cut (leaving A or entering B).
REGION_SOURCE, REGION_SINK, REGION_MIDDLE, CROSSING = 0, 1, 2, 3
#: What the sweep counts per thread (``counts`` columns), for the benchmarks.
COUNTS = ("searches", "vertices scanned", "no search: an earlier detour serves",
          "no search: a certificate settles")
_SEARCHES, _SCANNED, _SHARED, _CERTIFIED = range(4)
#: How a search ended (``_search``): trees met, S -> meet, meet -> T, exhausted, or not
#: begun: the segment has used every stamp up to ``STAMP_LIMIT`` (:func:`sweep_chains`).
_MET, _FROM_S, _TO_T, _NO_PATH, _NO_STAMP = 0, 1, 2, -1, -2
#: Which side a failed search exhausted: its certificate.
_CERT_NONE, _CERT_P, _CERT_Q = 0, 1, 2
#: Vertices a search scans breadth-first before the side looking for a virtual terminal
#: takes the vertices nearest it first (:func:`_search`); passed to the kernels at each
#: call, so the tests can guide every search from its first scan.
GUIDE_AFTER = 10_000


class Segments(NamedTuple):
    """Region-pure pieces of the flow chains of a maximum flow.

    ``arcs[ptr[s]:ptr[s + 1]]`` are the forward positions of segment ``s`` in flow order,
    ``region[s]`` its region (``CROSSING`` segments are one arc). Flow-carrying arcs in
    no segment lie on flow cycles of inner vertices and lose nothing.
    """

    ptr: np.ndarray
    arcs: np.ndarray
    region: np.ndarray


def chain_segments(ptr: np.ndarray, head: np.ndarray, mate: np.ndarray, fwd_pos: np.ndarray,
                   res: np.ndarray, src_side: np.ndarray, snk_side: np.ndarray,
                   source: int, sink: int) -> Segments:
    """Return the :class:`Segments` of the maximum flow held in ``res``.

    ``src_side`` / ``snk_side``: the vertices the source reaches / that reach the sink
    in the residual of ``res`` (A and B).

    Examples
    --------
    >>> from supplynet.engine.flownet import build_flownet
    >>> from supplynet.engine.maxflow import max_flow, reachable, coreachable
    >>> net = build_flownet(3, np.array([0, 1]), np.array([1, 2]), np.array([0]), np.array([2]))
    >>> res = np.zeros(len(net.head), np.int64)
    >>> res[net.fwd_pos] = [5, 3, 9, 9, 9, 50, 50]  # edges, nodes, source and sink arcs
    >>> int(max_flow(net.ptr, net.head, net.mate, res, net.source, net.sink, net.work()))
    3
    >>> a = reachable(net.ptr, net.head, res, 1, net.source)
    >>> b = coreachable(net.ptr, net.head, net.mate, res, 1, net.sink)
    >>> seg = chain_segments(net.ptr, net.head, net.mate, net.fwd_pos, res, a, b, net.source, net.sink)
    >>> seg.ptr.tolist(), seg.region.tolist()  # S..v1_in in A, v1_out -> v2_in saturated, rest in B
    ([0, 4, 5, 7], [0, 3, 1])
    """
    n_vertices = len(ptr) - 1
    flow = res[mate[fwd_pos]]
    pos = fwd_pos[flow > 0].astype(np.int64)
    tail, tip = head[mate[pos]].astype(np.int64), head[pos].astype(np.int64)
    inner = (np.bincount(tip, minlength=n_vertices) == 1) & (np.bincount(tail, minlength=n_vertices) == 1)
    inner[[source, sink]] = False
    out_of = np.full(n_vertices, -1, np.int64)
    out_of[tail] = np.arange(len(pos))  # the carrying arc out of each inner vertex
    region = np.full(len(pos), CROSSING, np.int64)
    region[src_side[tail] & src_side[tip]] = REGION_SOURCE
    region[snk_side[tail] & snk_side[tip]] = REGION_SINK
    region[~(src_side[tail] | src_side[tip] | snk_side[tail] | snk_side[tip])] = REGION_MIDDLE
    return Segments(*_segments(pos, tail, tip, inner, out_of, region))


@njit()
def _segments(pos, tail, tip, inner, out_of, region):
    """Walk every chain from its first arc (tail not inner), cutting it where the region
    changes; crossing arcs become segments of their own."""
    n = len(pos)
    seg_arcs = np.empty(n, np.int64)
    seg_ptr = np.zeros(n + 1, np.int64)
    seg_region = np.empty(n, np.int64)
    count, k = 0, 0
    for start in range(n):
        if inner[tail[start]]:
            continue  # inside a chain, walked from its first arc
        a, current = start, -1
        while True:
            r = region[a]
            if r == CROSSING or r != current:
                if current != -1:
                    count += 1
                    seg_ptr[count] = k
                seg_region[count] = r
                current = -1 if r == CROSSING else r
            seg_arcs[k] = pos[a]
            k += 1
            if r == CROSSING:
                count += 1
                seg_ptr[count] = k
            if not inner[tip[a]]:
                break
            a = out_of[tip[a]]
        if current != -1:
            count += 1
            seg_ptr[count] = k
    return seg_ptr[:count + 1].copy(), seg_arcs[:k].copy(), seg_region[:count].copy()


@njit()
def _terminal_pos(ptr, head, u, terminal):
    """Return the position out of ``u`` that leads to ``terminal`` (S or T)."""
    for q in range(ptr[u], ptr[u + 1]):
        if head[q] == terminal:
            return q
    return -1


@njit()
def _bucket_push(top, below, used, q, key, v):
    """Put ``v`` in bucket ``key`` of the bucket queue ``top`` (first vertex of each
    bucket, -1 empty) / ``below`` (the next vertex down a bucket's stack); ``q`` is
    ``(lowest possibly filled bucket, vertices queued, buckets in used)``, ``used`` the
    buckets filled since the queue was emptied."""
    if top[key] == -1:
        used[q[2]] = key
        q[2] += 1
    below[v] = top[key]
    top[key] = v
    if key < q[0]:
        q[0] = key
    q[1] += 1


@njit()
def _bucket_pop(top, below, q):
    """Take the last vertex put in the lowest filled bucket (the queue is not empty)."""
    key = q[0]
    while top[key] == -1:
        key += 1
    q[0] = key
    v = top[key]
    top[key] = below[v]
    q[1] -= 1
    return v


@njit()
def _bucket_clear(top, used, q):
    """Empty the bucket queue in time proportional to the buckets it used."""
    for k in range(q[2]):
        top[used[k]] = -1
    q[0], q[1], q[2] = len(top), 0, 0


@njit()
def _search(ptr, head, mate, res, excluded, verts, i, dead, src_entry, snk_exit, no_src,
            no_snk, source, sink, virtual_s, virtual_t, guide, ready, base, top, below, used, q,
            guide_after, work, counts):
    """Search a residual path from ``U = verts[:i]`` (and S) to ``D = verts[i:]`` (and T)
    avoiding excluded positions; return ``(meet, how)``.

    Bidirectional search. S and T are never expanded: with ``virtual_s`` every source
    entry counts as reached from S (backward search meeting one: ``_FROM_S``), with
    ``virtual_t`` every sink exit as reaching T (``_TO_T``), except ``no_src`` /
    ``no_snk``, entered by an excluded chain arc. A side whose terminal is virtual is
    never exhausted. The side that looks for the virtual terminal (backward with
    ``virtual_s``, forward with ``virtual_t``) takes the vertices nearest it first
    (``guide``: hops in the base residual, a heap) and the two sides take turns; in the
    middle both are breadth-first, the smaller frontier first. The order decides only
    which path is found and how soon, never whether one is. On ``_NO_PATH`` ``meet``
    says which side was exhausted, the certificate: ``_CERT_P`` (forward stamps) or
    ``_CERT_Q``. The trees end at the seeds (``fwd_parent`` / ``back_next`` -1).
    ``_NO_STAMP``: no search was made, the stamps are used up (:func:`next_stamp`).
    """
    fpar, fstamp, fq = work.fwd_parent, work.fwd_stamp, work.queue
    bnext, bstamp, bq = work.back_next, work.back_stamp, work.back_queue
    guided_back, guided_fwd = False, False
    now = next_stamp(work)
    if now < 0:
        return -1, _NO_STAMP
    counts[_SEARCHES] += 1
    ft = 0
    for j in range(i):
        u = verts[j]
        if u != source:
            fstamp[u] = now
            fpar[u] = -1
            fq[ft] = u
            ft += 1
    bt = 0
    for j in range(i, len(verts)):
        w = verts[j]
        if w != sink:
            bstamp[w] = now
            bnext[w] = -1
            bq[bt] = w
            bt += 1
    for j in range(ft):
        if snk_exit[fq[j]] and fq[j] != no_snk:
            return fq[j], _TO_T
    for j in range(bt):
        if src_entry[bq[j]] and bq[j] != no_src:
            return bq[j], _FROM_S
    fh, bh, f_done, b_done = 0, 0, 0, 0
    meet, how = -1, _NO_PATH
    while True:
        if f_done + b_done == guide_after and (virtual_s or virtual_t) \
                and not (guided_back or guided_fwd):  # a long search: guide it from here
            if not ready[0]:  # this thread's first long search in its region
                _two_nearest(ptr, head, mate, base, src_entry if virtual_s else snk_exit, dead,
                             source, sink, not virtual_s, guide[0], guide[1], guide[2])
                ready[0] = True
            if virtual_s:
                for j in range(bh, bt):
                    _bucket_push(top, below, used, q, _guide(guide, bq[j], no_src), bq[j])
                bh, guided_back = bt, True
            else:
                for j in range(fh, ft):
                    _bucket_push(top, below, used, q, _guide(guide, fq[j], no_snk), fq[j])
                fh, guided_fwd = ft, True
            f_done, b_done = 0, 0
        f_left = q[1] if guided_fwd else ft - fh
        b_left = q[1] if guided_back else bt - bh
        if f_left == 0 and (b_left == 0 or not virtual_s):
            meet = _CERT_P
            break
        if b_left == 0 and (f_left == 0 or not virtual_t):
            meet = _CERT_Q
            break
        counts[_SCANNED] += 1
        if guided_back or guided_fwd:  # a bucket queue's size is no measure: take turns
            forward = f_left > 0 and (b_left == 0 or f_done <= b_done)
        else:
            forward = f_left > 0 and (b_left == 0 or f_left <= b_left)
        if forward:
            f_done += 1
            if guided_fwd:
                v = _bucket_pop(top, below, q)
            else:
                v = fq[fh]
                fh += 1
            for p in range(ptr[v], ptr[v + 1]):
                w = head[p]
                if res[p] > 0 and fstamp[w] != now and not excluded[p] and w != source \
                        and w != sink and not dead[w]:
                    fstamp[w] = now
                    fpar[w] = p
                    if guided_fwd:
                        _bucket_push(top, below, used, q, _guide(guide, w, no_snk), w)
                    else:
                        fq[ft] = w
                        ft += 1
                    if bstamp[w] == now:
                        meet, how = w, _MET
                        break
                    if snk_exit[w] and w != no_snk:
                        meet, how = w, _TO_T
                        break
        else:
            b_done += 1
            if guided_back:
                w = _bucket_pop(top, below, q)
            else:
                w = bq[bh]
                bh += 1
            for r in range(ptr[w], ptr[w + 1]):  # mate[r] is an arc u -> w
                u, p = head[r], mate[r]
                if res[p] > 0 and bstamp[u] != now and not excluded[p] and u != source \
                        and u != sink and not dead[u]:
                    bstamp[u] = now
                    bnext[u] = p
                    if guided_back:
                        _bucket_push(top, below, used, q, _guide(guide, u, no_src), u)
                    else:
                        bq[bt] = u
                        bt += 1
                    if fstamp[u] == now:
                        meet, how = u, _MET
                        break
                    if src_entry[u] and u != no_src:
                        meet, how = u, _FROM_S
                        break
        if how != _NO_PATH:
            break
    if guided_back or guided_fwd:
        _bucket_clear(top, used, q)
    return meet, how


@njit()
def _two_nearest(ptr, head, mate, base, ends, fence, source, sink, backward, near, which, second):
    """Fill ``(near, which, second)``: per vertex, the fewest residual arcs of ``base``
    from the nearest of the vertices ``ends`` (``which``) and from the nearest other one,
    forward (or, ``backward``, to them), never through a ``fence`` vertex, S or T (one
    more than the farthest where none). Breadth-first over (vertex, first or second) labels."""
    n = len(ptr) - 1
    none = n  # above every hop count (at most n - 1), and an int32 for every network
    near[:] = none
    second[:] = none
    which[:] = -1
    second_of = np.full(n, -1, np.int64)
    queue = np.empty(2 * n, np.int64)  # 2 v + (0 first label, 1 second)
    qt = 0
    for v in range(n):
        if ends[v] and not fence[v] and v != source and v != sink:
            near[v] = 0
            which[v] = v
            queue[qt] = 2 * v
            qt += 1
    qh = 0
    while qh < qt:
        item = queue[qh]
        qh += 1
        v, label = item >> 1, item & 1
        d = (second[v] if label else near[v]) + 1
        end = second_of[v] if label else which[v]
        for r in range(ptr[v], ptr[v + 1]):
            w = head[r]
            if w == source or w == sink or fence[w]:
                continue
            if (base[mate[r]] if backward else base[r]) <= 0:
                continue
            if which[w] == -1:
                near[w] = d
                which[w] = end
                queue[qt] = 2 * w
                qt += 1
            elif second_of[w] == -1 and which[w] != end:
                second[w] = d
                second_of[w] = end
                queue[qt] = 2 * w + 1
                qt += 1
    far = 0  # the last hop count reached
    if qt > 0:
        last = queue[qt - 1]
        far = second[last >> 1] if last & 1 else near[last >> 1]
    for v in range(n):  # none: one beyond the farthest, so that the buckets stay dense
        near[v] = min(near[v], far + 1)
        second[v] = min(second[v], far + 1)


@njit()
def _guide(hops, v, skip):
    """Hops from ``v`` to its virtual terminal through the nearest end other than ``skip``
    (the end an excluded chain arc enters)."""
    near, which, second = hops
    return second[v] if which[v] == skip else near[v]


@njit()
def _augment(ptr, head, mate, res, meet, how, limit, source, sink, work):
    """Push up to ``limit`` along the path :func:`_search` found; return the amount.

    Terminal arcs are unlimited and written too, so that every vertex's net inflow
    (:func:`_net_inflow`) stays exact."""
    fpar, bnext = work.fwd_parent, work.back_next
    amount = limit
    if how != _FROM_S:
        v = meet
        while fpar[v] >= 0:
            amount = min(amount, res[fpar[v]])
            v = head[mate[fpar[v]]]
    if how != _TO_T:
        v = meet
        while bnext[v] >= 0:
            amount = min(amount, res[bnext[v]])
            v = head[bnext[v]]
    if how == _FROM_S:  # S -> meet, through the mate of meet's position back to S
        push(res, mate, mate[_terminal_pos(ptr, head, meet, source)], amount, work)
    if how == _TO_T:
        push(res, mate, _terminal_pos(ptr, head, meet, sink), amount, work)
    if how != _FROM_S:
        v = meet
        while fpar[v] >= 0:
            p = fpar[v]
            push(res, mate, p, amount, work)
            v = head[mate[p]]
    if how != _TO_T:
        v = meet
        while bnext[v] >= 0:
            p = bnext[v]
            push(res, mate, p, amount, work)
            v = head[p]
    return amount


@njit()
def _q_reaches(ptr, head, res, excluded, v, q_stamp, chain_pos, chain_stamp, seg_id, first_d,
               work, counts):
    """Return whether ``v`` reaches ``D`` (chain positions ``>= first_d``) inside the
    certificate ``Q`` (backward stamp ``q_stamp``: every vertex that reaches D).

    Without a stamp left it proves nothing and says True: the certificate is dropped,
    and the search that would take its place reports the stamps used up."""
    bstamp, fstamp, fq = work.back_stamp, work.fwd_stamp, work.queue
    now = next_stamp(work)
    if now < 0:
        return True
    fstamp[v] = now
    fq[0] = v
    fh, ft = 0, 1
    while fh < ft:
        u = fq[fh]
        fh += 1
        counts[_SCANNED] += 1
        for p in range(ptr[u], ptr[u + 1]):
            w = head[p]
            if res[p] > 0 and not excluded[p] and bstamp[w] == q_stamp and fstamp[w] != now:
                if chain_stamp[w] == seg_id and chain_pos[w] >= first_d:
                    return True
                fstamp[w] = now
                fq[ft] = w
                ft += 1
    return False


@njit()
def _p_grows_to_d(ptr, head, res, excluded, v, p_stamp, dead, snk_exit, no_snk, source, sink,
                  chain_pos, chain_stamp, seg_id, first_d, work, counts):
    """Grow the certificate ``P`` (forward stamp ``p_stamp``: closed, meets neither D nor a
    sink exit) by what the new source vertex ``v`` reaches; return whether that reaches D
    (chain positions ``>= first_d``) or a sink exit."""
    fstamp, fq = work.fwd_stamp, work.queue
    if fstamp[v] == p_stamp:
        return False
    fstamp[v] = p_stamp
    if snk_exit[v] and v != no_snk:
        return True
    fq[0] = v
    fh, ft = 0, 1
    while fh < ft:
        u = fq[fh]
        fh += 1
        counts[_SCANNED] += 1
        for p in range(ptr[u], ptr[u + 1]):
            w = head[p]
            if res[p] > 0 and not excluded[p] and fstamp[w] != p_stamp and w != source \
                    and w != sink and not dead[w]:
                if chain_stamp[w] == seg_id and chain_pos[w] >= first_d:
                    return True
                if snk_exit[w] and w != no_snk:
                    return True
                fstamp[w] = p_stamp
                fq[ft] = w
                ft += 1
    return False


@njit()
def _net_inflow(ptr, res, base, v):
    """Return the net inflow at ``v`` of the flow written since the last restore."""
    total = 0
    for p in range(ptr[v], ptr[v + 1]):
        total += res[p] - base[p]
    return total


@njit()
def _sweep_segment(s, ptr, head, mate, base, res, seg_ptr, seg_arcs, seg_region, need, fences,
                   src_entry, snk_exit, source, sink, excluded, verts, chain_pos, chain_stamp,
                   out, hops, hops_ready, top, below, used, q, guide_after, many, work, counts):
    """Write the loss (in units) of every needed arc of segment ``s`` into ``out``;
    return False where the stamps ran out first (``out`` is then incomplete).

    ``many``: whether there is more than one source entry, sink exit; a region with only
    one is never guided (there is no other entry to steer toward).

    Stamps: a certificate is the stamp of an earlier search of the same segment, and
    none outlives the segment, so before the first search of a segment no stamp in
    ``work`` is read again. There, and only there, the stamps may start again from 0
    (:func:`restart_stamps`, past ``search_limits[0]``); a segment that would still
    need a stamp past ``search_limits[1]`` stops instead of wrapping one."""
    lo, hi = seg_ptr[s], seg_ptr[s + 1]
    length = hi - lo
    f = base[mate[seg_arcs[lo]]]
    region = seg_region[s]
    if region == CROSSING:  # leaves A or enters B: in a minimum cut
        out[lo] = f
        return True
    wanted = False
    for k in range(lo, hi):
        wanted = wanted or need[k]
    if not wanted:
        return True
    verts[0] = head[mate[seg_arcs[lo]]]
    for k in range(length):
        verts[k + 1] = head[seg_arcs[lo + k]]
    if verts[0] == verts[length]:  # a flow cycle: cancelling it frees every arc
        for k in range(lo, hi):
            out[k] = 0
        return True
    restart_stamps(work)
    off_src, off_snk, either = fences
    dead = off_src if region == REGION_SOURCE else (off_snk if region == REGION_SINK else either)
    guide = hops[0] if region == REGION_SOURCE else hops[1]
    if not ((region == REGION_SOURCE and many[0]) or (region == REGION_SINK and many[1])):
        guide_after = -1  # never reached: breadth-first throughout
    ready = hops_ready[0:1] if region == REGION_SOURCE else hops_ready[1:2]
    for k in range(length):
        p = seg_arcs[lo + k]
        excluded[p] = True
        excluded[mate[p]] = True
    no_src = verts[1] if verts[0] == source else -1
    no_snk = verts[length - 1] if verts[length] == sink else -1
    chain = verts[:length + 1]
    seg_id = s + 1
    for k in range(length + 1):
        chain_stamp[chain[k]] = seg_id
        chain_pos[chain[k]] = k
    value = 0
    cert, cert_stamp = _CERT_NONE, 0
    stamped = True
    for i in range(1, length + 1):
        if i > 1:  # v_{i-1} moves from D to U
            v = chain[i - 1]
            value -= _net_inflow(ptr, res, base, v)
            if cert == _CERT_P:
                if _p_grows_to_d(ptr, head, res, excluded, v, cert_stamp, dead, snk_exit, no_snk,
                                 source, sink, chain_pos, chain_stamp, seg_id, i, work, counts):
                    cert = _CERT_NONE
            elif cert == _CERT_Q:
                if _q_reaches(ptr, head, res, excluded, v, cert_stamp, chain_pos, chain_stamp,
                              seg_id, i, work, counts):
                    cert = _CERT_NONE
        if not need[lo + i - 1]:
            continue
        if cert != _CERT_NONE:
            counts[_CERTIFIED] += 1
        elif value >= f:
            counts[_SHARED] += 1
        while cert == _CERT_NONE and value < f:
            meet, how = _search(ptr, head, mate, res, excluded, chain, i, dead, src_entry,
                                snk_exit, no_src, no_snk, source, sink, region == REGION_SOURCE,
                                region == REGION_SINK, guide, ready, base, top, below, used, q,
                                guide_after, work, counts)
            if how == _NO_STAMP:
                stamped = False
                break
            if how == _NO_PATH:
                cert = meet
                cert_stamp = work.search_now[0]
            else:
                value += _augment(ptr, head, mate, res, meet, how, f - value, source, sink, work)
        if not stamped:
            break
        out[lo + i - 1] = max(0, f - value)
    for k in range(length):
        p = seg_arcs[lo + k]
        excluded[p] = False
        excluded[mate[p]] = False
    restore(res, base, work)
    return stamped


@njit()
def _chunk(c, n_chunks, ptr, head, mate, base, seg_ptr, seg_arcs, seg_region, need, off_src,
           off_snk, either, src_entry, snk_exit, source, sink, guide_after, out, counts, done,
           stamp_limits, out_of_stamps):
    """Sweep segments ``c, c + n_chunks, ...`` on one copy of ``base``; on the first
    segment that runs out of stamps set ``out_of_stamps[c]`` and stop.

    Vertex-indexed scratch (guides, bucket queue, and in ``work`` the stamps, tree links
    and queues) is int32: the sweep is memory-bound, and at a million nodes (random-nc,
    two blocks, four runs each interleaved on a shared machine) it took 66-74 s of CPU
    against 71-79 s with int64, about 6 % less, for the same losses."""
    fences = (off_src, off_snk, either)
    n = len(ptr) - 1  # the guides (A, then B), computed by the first search that needs one
    hops = ((np.empty(n, np.int32), np.empty(n, np.int32), np.empty(n, np.int32)),
            (np.empty(n, np.int32), np.empty(n, np.int32), np.empty(n, np.int32)))
    hops_ready = np.zeros(2, np.bool_)
    n_vertices = len(ptr) - 1
    work = make_work(n_vertices, len(head))
    work.search_limits[:] = stamp_limits
    res = base.copy()
    excluded = np.zeros(len(head), np.bool_)
    chain_pos = np.zeros(n_vertices, np.int64)
    chain_stamp = np.zeros(n_vertices, np.int64)
    widest = 1
    for s in range(len(seg_ptr) - 1):
        widest = max(widest, seg_ptr[s + 1] - seg_ptr[s])
    verts = np.empty(widest + 1, np.int64)
    top = np.full(n_vertices + 2, -1, np.int32)  # hops run from 0 to at most n_vertices
    below = np.empty(n_vertices, np.int32)
    used = np.empty(n_vertices + 2, np.int32)
    q = np.array([n_vertices + 2, 0, 0], np.int64)
    many = (src_entry.sum() > 1, snk_exit.sum() > 1)
    mine = counts[c]
    for s in range(c, len(seg_ptr) - 1, n_chunks):  # strided: balances uneven segments
        if not _sweep_segment(s, ptr, head, mate, base, res, seg_ptr, seg_arcs, seg_region, need,
                              fences, src_entry, snk_exit, source, sink, excluded, verts, chain_pos,
                              chain_stamp, out, hops, hops_ready, top, below, used, q, guide_after,
                              many, work, mine):
            out_of_stamps[c] = True
            return
        for k in range(seg_ptr[s], seg_ptr[s + 1]):
            if need[k]:
                done[c] += 1


def sweep_chains(ptr, head, mate, base, seg_ptr, seg_arcs, seg_region, need, fences, src_entry,
                 snk_exit, source, sink, guide_after, out, counts, done):
    """Write into ``out[k]`` the loss, in units, of removing segment arc ``seg_arcs[k]``
    for every ``need[k]``; segments run in ``len(done)`` parallel blocks.

    ``base`` holds a maximum flow; ``fences`` is ``(not in A, not in B, in A or B)``;
    ``src_entry`` / ``snk_exit`` mark the heads of S's arcs and the tails of T's;
    ``guide_after`` is the scans after which a search is guided (:data:`GUIDE_AFTER`).
    ``counts[c]`` (:data:`COUNTS`) and ``done[c]`` (needed arcs finished, for progress)
    are block ``c``'s. The answers are exact integers: they do not depend on the blocks.

    Raises :class:`~supplynet._errors.AnalysisError` where one segment alone needs more
    searches than the int32 search stamps leave it (more than ``STAMP_LIMIT -
    STAMP_RESET_AT`` of :mod:`supplynet.engine.maxflow`, read at each call): then no
    loss is given rather than one from a wrapped stamp. A Python function for that
    check; the kernel inside releases the GIL all the same.
    """
    _stamped(_sweep_blocks, len(done), (ptr, head, mate, base, seg_ptr, seg_arcs, seg_region, need,
                                        fences, src_entry, snk_exit, source, sink, guide_after, out,
                                        counts, done))


def sweep_chains_serial(ptr, head, mate, base, seg_ptr, seg_arcs, seg_region, need, fences,
                        src_entry, snk_exit, source, sink, guide_after, out, counts, done):
    """:func:`sweep_chains` on the calling thread in one block (no parallel-region cost)."""
    _stamped(_sweep_block, 1, (ptr, head, mate, base, seg_ptr, seg_arcs, seg_region, need, fences,
                               src_entry, snk_exit, source, sink, guide_after, out, counts, done))


def _stamped(kernel, blocks, args):
    """Run a sweep kernel with the stamp limits of the moment; raise where a block ran out."""
    limits = np.array([mf.STAMP_RESET_AT, mf.STAMP_LIMIT], np.int64)
    out_of_stamps = np.zeros(blocks, np.bool_)
    kernel(*args, limits, out_of_stamps)
    if out_of_stamps.any():
        raise AnalysisError(
            f"the flow-loss sweep stopped: one flow chain needed more than "
            f"{mf.STAMP_LIMIT - mf.STAMP_RESET_AT:,} searches, beyond what the kernels' int32 "
            "search stamps allow; no loss is reported")


@njit(parallel=True)
def _sweep_blocks(ptr, head, mate, base, seg_ptr, seg_arcs, seg_region, need, fences, src_entry,
                  snk_exit, source, sink, guide_after, out, counts, done, stamp_limits, out_of_stamps):
    """The kernel of :func:`sweep_chains`: block ``c`` sets ``out_of_stamps[c]`` where it
    ran out of stamps."""
    n_chunks = len(done)
    off_src, off_snk, either = fences
    for c in numba.prange(n_chunks):
        _chunk(c, n_chunks, ptr, head, mate, base, seg_ptr, seg_arcs, seg_region, need, off_src,
               off_snk, either, src_entry, snk_exit, source, sink, guide_after, out, counts, done,
               stamp_limits, out_of_stamps)


@njit()
def _sweep_block(ptr, head, mate, base, seg_ptr, seg_arcs, seg_region, need, fences, src_entry,
                 snk_exit, source, sink, guide_after, out, counts, done, stamp_limits, out_of_stamps):
    """The kernel of :func:`sweep_chains_serial`."""
    off_src, off_snk, either = fences
    _chunk(0, 1, ptr, head, mate, base, seg_ptr, seg_arcs, seg_region, need, off_src, off_snk, either,
           src_entry, snk_exit, source, sink, guide_after, out, counts, done, stamp_limits,
           out_of_stamps)
