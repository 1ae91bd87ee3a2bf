"""numba maximum-flow kernels on a residual network laid out as paired CSR arcs.

Layout (built once by :mod:`supplynet.engine.snapshot`): every forward arc ``i`` of the flow
network owns two residual *positions*, ``fwd_pos[i]`` (residual ``cap - flow``) and
``mate[fwd_pos[i]]`` (residual ``flow``). Positions are grouped by their tail vertex,
``ptr[v]:ptr[v + 1]``; ``head[p]`` is where position ``p`` leads and ``is_fwd[p]``
tells the two kinds apart. A residual array ``res`` therefore *is* a flow.

Why our own solver rather than ``scipy.sparse.csgraph.maximum_flow``: scipy rebuilds
the residual graph on every call and always starts from zero flow. What-if analysis
and the flow-loss sweep re-solve one network thousands of times after small capacity
cuts, so a what-if starts from the base maximum flow and repairs it locally
(:mod:`supplynet.engine.repair`). Cold solves use ISAP with global relabelling
(:func:`max_flow`), about twice as fast as scipy's Dinic at 100k nodes.
Capacities are ``int64``, so the int32 ceiling of scipy does not apply.

Every write to ``res`` is logged (``touched``/``log``/``state[0]``) so that a sweep can
restore the base flow in time proportional to the work done, not to the network size.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from supplynet.engine.jit import njit

__all__ = [
    "INF",
    "STAMP_LIMIT",
    "STAMP_RESET_AT",
    "Work",
    "coreachable",
    "make_work",
    "max_flow",
    "next_stamp",
    "outflow",
    "push",
    "reachable",
    "restart_stamps",
    "restore",
    "unlimited_path",
    "write",
]

#: Larger than any bottleneck: capacities are kept below 2**62 by the snapshot.
INF = np.int64(2**62)
#: The search stamps are int32 (:func:`make_work`), so no stamp may pass ``STAMP_LIMIT``.
#: Where no search's result outlives it (a repair search, a sweep's chain segment) the
#: stamps start again from 0 once the counter has passed ``STAMP_RESET_AT``
#: (:func:`restart_stamps`): a reset costs two passes over the vertices, once in 2**30
#: searches, and leaves a segment 2**30 searches before :func:`next_stamp` refuses.
#: :func:`make_work` copies both into ``search_limits`` when it is compiled; the sweep
#: (:func:`supplynet.engine.chainsweep.sweep_chains`) reads them at each call, so tests
#: can lower them.
STAMP_RESET_AT = 2**30
STAMP_LIMIT = 2**31 - 1


#: Scratch state of one thread of the kernels (numba compiles the named tuple's fields
#: as typed attributes). Every array is indexed by vertex unless it says position.
Work = namedtuple("Work", [
    "dist",          # distance label of each vertex (ISAP)
    "current",       # current arc of each vertex (ISAP)
    "queue",         # BFS queue; also the forward search's queue in a repair
    "path",          # augmenting path (positions); the forward flow walk in a repair
    "touched",       # by position: written since the last restore
    "log",           # positions written since the last restore, in order
    "log_size",      # [0]: how many of ``log`` are in use
    "on_back",       # index of each vertex on the backward flow walk, -1 if off it
    "on_forward",    # index of each vertex on the forward flow walk, -1 if off it
    "walk_back",     # walk pointer of each vertex, backward walks
    "walk_forward",  # walk pointer of each vertex, forward walks
    "walk_stamp",    # stamp at which each vertex's walk pointers were last reset
    "walk_now",      # [0]: the current walk stamp
    "back_path",     # the backward flow walk (positions)
    "fwd_parent",    # forward search: the position each vertex was reached by
    "fwd_stamp",     # forward search: stamp of each vertex's visit
    "search_now",    # [0]: the current search stamp (both searches)
    "search_limits",  # [0]: restart the stamps past it, [1]: the largest stamp (STAMP_*)
    "label_count",   # vertices per distance label (gap detection)
    "back_next",     # backward search: the position each vertex leads on by
    "back_stamp",    # backward search: stamp of each vertex's visit
    "back_queue",    # backward search's queue
])


@njit()
def make_work(n_vertices, n_positions):
    """Return fresh :data:`Work` scratch arrays for one thread of the kernels.

    Labels, current arcs and label counts are int32 (vertices and positions stay below
    2**31: :func:`supplynet.engine.flownet.paired_csr` refuses larger networks): the
    labels are read at random by every admissible-arc test, and half the bytes made the
    cold solve 2-7 % faster from 10,000 to a million nodes. The searches' stamps, tree
    links and queues are int32 too, for the flow-loss sweep (6 % less CPU at a million
    nodes; the cold solve's queue made no difference, 9.2-9.8 s either way); the
    stamps stay in range by :func:`next_stamp` and :func:`restart_stamps`.
    """
    return Work(
        np.empty(n_vertices, np.int32),
        np.empty(n_vertices, np.int32),
        np.empty(n_vertices + 1, np.int32),
        np.empty(n_vertices + 1, np.int64),
        np.zeros(n_positions, np.bool_),
        np.empty(n_positions, np.int64),
        np.zeros(1, np.int64),
        np.full(n_vertices, -1, np.int64),
        np.full(n_vertices, -1, np.int64),
        np.empty(n_vertices, np.int64),
        np.empty(n_vertices, np.int64),
        np.zeros(n_vertices, np.int64),
        np.zeros(1, np.int64),
        np.empty(n_vertices + 1, np.int64),
        np.empty(n_vertices, np.int32),
        np.zeros(n_vertices, np.int32),
        np.zeros(1, np.int64),
        np.array([STAMP_RESET_AT, STAMP_LIMIT], np.int64),
        np.zeros(n_vertices + 1, np.int32),
        np.empty(n_vertices, np.int32),
        np.zeros(n_vertices, np.int32),
        np.empty(n_vertices + 1, np.int32),
    )


@njit()
def next_stamp(work):
    """Advance the search stamp and return it, or -1 where it would pass
    ``search_limits[1]``: the caller must not search, an int32 stamp would wrap and make
    an old visit look current."""
    now = work.search_now[0] + 1
    if now > work.search_limits[1]:
        return -1
    work.search_now[0] = now
    return now


@njit()
def restart_stamps(work):
    """Start the search stamps again from 0 once the counter has passed
    ``search_limits[0]``; only where no stamp but the next search's is read again."""
    if work.search_now[0] > work.search_limits[0]:
        work.fwd_stamp[:] = 0
        work.back_stamp[:] = 0
        work.search_now[0] = 0


@njit()
def write(res, p, value, work):
    """Set ``res[p]`` and log ``p`` for :func:`restore`."""
    touched, log, state = work.touched, work.log, work.log_size
    if not touched[p]:
        touched[p] = True
        log[state[0]] = p
        state[0] += 1
    res[p] = value


@njit()
def restore(res, base, work):
    """Undo every logged write: ``res`` equals ``base`` again."""
    touched, log, state = work.touched, work.log, work.log_size
    for k in range(state[0]):
        p = log[k]
        res[p] = base[p]
        touched[p] = False
    state[0] = 0


@njit()
def push(res, mate, p, amount, work):
    """Move ``amount`` units of residual from position ``p`` to its mate."""
    write(res, p, res[p] - amount, work)
    q = mate[p]
    write(res, q, res[q] + amount, work)


@njit()
def reachable(ptr, head, res, threshold, start):
    """Return the mask of vertices reached from ``start`` over ``res >= threshold``."""
    seen = np.zeros(len(ptr) - 1, np.bool_)
    queue = np.empty(len(ptr) - 1, np.int64)
    seen[start] = True
    queue[0] = start
    qh, qt = 0, 1
    while qh < qt:
        v = queue[qh]
        qh += 1
        for p in range(ptr[v], ptr[v + 1]):
            w = head[p]
            if res[p] >= threshold and not seen[w]:
                seen[w] = True
                queue[qt] = w
                qt += 1
    return seen


@njit()
def coreachable(ptr, head, mate, res, threshold, target):
    """Return the mask of vertices that reach ``target`` over ``res >= threshold``."""
    seen = np.zeros(len(ptr) - 1, np.bool_)
    queue = np.empty(len(ptr) - 1, np.int64)
    seen[target] = True
    queue[0] = target
    qh, qt = 0, 1
    while qh < qt:
        w = queue[qh]
        qh += 1
        for q in range(ptr[w], ptr[w + 1]):  # mate[q] is an arc into w
            u = head[q]
            if res[mate[q]] >= threshold and not seen[u]:
                seen[u] = True
                queue[qt] = u
                qt += 1
    return seen


@njit()
def unlimited_path(ptr, head, res, big, source, sink):
    """Return whether ``sink`` is reached from ``source`` over unlimited arcs only."""
    return reachable(ptr, head, res, big, source)[sink]


@njit()
def _distances(ptr, head, mate, res, sink, work):
    """Set exact residual distances to ``sink`` (``N`` if none) and their histogram.

    A search level by level: each level is one stretch of the queue, so its length is
    that label's count (no second pass over every vertex to count them).
    """
    dist, count, queue = work.dist, work.label_count, work.queue
    n_vertices = len(ptr) - 1
    dist[:] = n_vertices
    count[:] = 0
    dist[sink] = 0
    queue[0] = sink
    lo, hi = 0, 1
    d = 0
    while lo < hi:
        count[d] = hi - lo
        d += 1
        qt = hi
        for k in range(lo, hi):
            w = queue[k]
            for q in range(ptr[w], ptr[w + 1]):  # mate[q] is an arc into w
                u = head[q]
                if res[mate[q]] > 0 and dist[u] == n_vertices:
                    dist[u] = d
                    queue[qt] = u
                    qt += 1
        lo, hi = hi, qt
    count[n_vertices] = n_vertices - hi


@njit()
def max_flow(ptr, head, mate, res, source, sink, work):
    """Augment the flow held in ``res`` to a maximum one; return the flow added.

    Shortest augmenting paths with distance labels (Ahuja-Orlin ISAP): advance along
    admissible arcs (``dist[w] == dist[v] - 1``), relabel on a dead end, stop at a
    gap in the labels (no residual path left). Labels are recomputed exactly by a
    search from the sink after every ``N / 2`` relabels ("global relabelling"),
    which on road networks scans far fewer arcs than Dinic's level graphs
    (docs/benchmarks-kernels.md).

    The search for an admissible arc also keeps the lowest label it passes, so a dead
    end rescans only the arcs before the current one; the path's vertices are kept on
    a stack, so a retreat reads no arc. Neither changes a step: the flow found is the
    same, arc for arc.
    """
    dist, it, path, count = work.dist, work.current, work.path, work.label_count
    n_vertices = len(ptr) - 1
    verts = np.empty(n_vertices + 1, np.int64)  # verts[k]: the tail of path[k]
    _distances(ptr, head, mate, res, sink, work)
    it[:] = ptr[:-1]
    total = 0
    depth = 0
    v = source
    relabels = 0
    while dist[source] < n_vertices:
        if v == sink:
            amount = INF
            for k in range(depth):
                amount = min(amount, res[path[k]])
            cut = depth
            for k in range(depth):  # unlogged: a cold solve is never undone
                p = path[k]
                res[p] -= amount
                res[mate[p]] += amount
                if cut == depth and res[p] == 0:
                    cut = k
            total += amount
            v = verts[cut] if cut < depth else sink  # resume from the tail of the first saturated arc
            depth = cut
            continue
        start = ptr[v]
        end = ptr[v + 1]
        want = dist[v] - 1
        lowest = n_vertices - 1
        p = it[v]
        while p < end:
            if res[p] > 0:
                d = dist[head[p]]
                if d == want:
                    break
                if d < lowest:
                    lowest = d
            p += 1
        if p < end:
            it[v] = p
            path[depth] = p
            verts[depth] = v
            depth += 1
            v = head[p]
            continue
        for q in range(start, it[v]):  # the arcs the search above did not pass
            if res[q] > 0 and dist[head[q]] < lowest:
                lowest = dist[head[q]]
        old = dist[v]
        count[old] -= 1
        if count[old] == 0:  # a gap: the source can no longer reach the sink
            break
        dist[v] = lowest + 1
        count[lowest + 1] += 1
        it[v] = start
        relabels += 1
        if 2 * relabels > n_vertices:
            relabels = 0
            _distances(ptr, head, mate, res, sink, work)
            it[:] = ptr[:-1]
            depth = 0
            v = source
        elif v != source:
            depth -= 1
            v = verts[depth]
    return total


@njit()
def outflow(ptr, mate, is_fwd, res, source):
    """Return the flow value: the flow on the arcs leaving ``source``."""
    total = 0
    for p in range(ptr[source], ptr[source + 1]):
        if is_fwd[p]:
            total += res[mate[p]]
    return total
