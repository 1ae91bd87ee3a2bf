"""numba Brandes core shared by every betweenness in :mod:`supplynet.analysis.centrality`.

It reproduces networkx 3.6's weighted code step by step, not just in value, because
with zero-length arcs networkx's answer depends on its exact order of work:

- ``_single_source_dijkstra_path_basic``: a heap of ``(distance, push counter, pred,
  vertex)``; on pop, ``sigma[v] += sigma[pred]`` (so ``sigma[source]`` starts at 2);
  an improving relaxation resets ``sigma[w] = 0`` and ``P[w] = [v]``; an equal one adds
  ``sigma[v]`` to ``sigma[w]`` and appends ``v`` to ``P[w]`` *even if ``w`` is already
  settled* (only possible over zero-length arcs).
- the four accumulations: ``_accumulate_basic`` and ``_accumulate_edges`` (all pairs:
  one dependency serves both, so nodes and arcs come from one pass), and
  ``_accumulate_subset`` (targets minus the source, ``delta[w] / sigma[w]`` off
  targets) and ``_accumulate_edges_subset`` (targets *including* the source,
  ``delta[w] / len(P[w])`` off targets), which differ, so a source-to-target pass
  carries two dependencies side by side.

Distances are int64 metres, so every tie is exact, as in networkx with integer
lengths. The heap key ``(distance, counter)`` is unique, so any correct heap pops in
networkx's order; adjacency is scanned in the graph's CSR order, which
:func:`supplynet.analysis.centrality.shortest_digraph` gives networkx too.

Where every arc is at least 1 m long (road networks; no zero-length arc), that order
decides nothing but the order of float sums: each vertex's predecessors are nearer than
it by a whole arc, so ``sigma`` and ``P`` are complete when it settles, whichever vertex
of equal distance goes first. Such graphs are searched in Dinitz's buckets instead of
the heap (:func:`_dijkstra_buckets`): buckets as wide as the largest power of two not
above the shortest arc, in a ring that spans the longest, with a bitmap to step over
empty ones; no heap to keep in order, 1.2-1.5x faster on road-like networks and grids
(docs/benchmarks-kernels.md). The settled vertices, predecessors and path counts are
the heap's; sums may differ from networkx's in the last bits, as the heap's do where
networkx adds in another order. A graph with a zero-length arc, or whose longest arc
spans more than :data:`MAX_RING` buckets, keeps the heap.

Layout, for speed: the heap key is packed into one 64-bit word (``distance << shift |
counter``) in a 4-ary heap of keys alone (the vertex of each push is stored by counter,
written in order), every index is int32, and a relaxation reads one distance (unseen is
a large sentinel; a settled vertex can never improve, lengths being non-negative). Per
vertex, ``sigma`` and both dependencies share one row, and each ``P`` entry keeps its
tail beside its arc, so the backward sweep reads one row per predecessor. The backward
sweep skips every vertex with no target beyond it, whose terms are all exactly +0.0. A
source-to-target pass stops once every target is settled and the heap holds nothing
nearer: what lies beyond adds exactly 0.0 to every sum. What each choice bought, and
what was tried and dropped, is in docs/benchmarks-kernels.md.

Sources are cut into contiguous chunks, at most :data:`CHUNKS` and each of at least
:data:`CHUNK_WORK`, a number fixed by the job (not by the machine); each chunk sums into
its own accumulator and the chunks are added in chunk order. Chunks run on
``numba.get_num_threads()`` Python threads (the kernels release the GIL) from two chunks
on, one after the other for a job of one. Either way the result is the same, bit for
bit, whatever the number of threads.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import numba
import numpy as np

from supplynet._progress import Progress
from supplynet.engine.jit import njit

__all__ = ["CHUNKS", "PARALLEL_WORK", "Graph", "Scratch", "brandes", "reduced_rows"]

#: Most source chunks (and accumulators) a job is cut into: the count depends on the job
#: alone, so results never depend on the thread count.
CHUNKS = 64
#: Least sources x (vertices + arcs) per chunk, about 13 ms of work at 10,000 road nodes
#: (0 for one source per chunk): a small job is cut into fewer chunks, each paying for
#: its scratch arrays (some 60 us at that size) once.
CHUNK_WORK = 1_000_000
#: Sources x (vertices + arcs) above which chunks run on threads: from two full chunks.
PARALLEL_WORK = 2 * CHUNK_WORK
#: Most buckets in the ring of a bucket search (:func:`_dijkstra_buckets`): the longest
#: arc may span up to this many buckets of the shortest arc's width. Past it (arcs of
#: very different lengths) the heap searches instead: each chunk of sources allocates the
#: ring, and a step over empty buckets reads up to ``ring / 64`` words of its bitmap.
MAX_RING = 1 << 20
#: Distance of a vertex not reached yet: above every path (see :class:`Graph`).
UNSEEN = np.int64(2**62)



class Graph:
    """``D`` as int32 CSR arrays ready for the kernels, built once per snapshot.

    ``indptr``/``heads``/``weights`` are the rows, ``tails`` each arc's tail, ``in_ptr``
    the in-degree offsets that hold each vertex's predecessor arcs, ``shift`` the bits
    the push counter takes in a heap key. Lengths must be non-negative and below
    ``2 ** (62 - shift)``; a path has fewer than ``2 ** shift`` arcs, so every distance
    stays below :data:`UNSEEN`. ``ring`` is the bucket count of a bucket search, in
    buckets of ``2 ** width_bits`` metres (0: the heap searches; see the module notes).
    """

    def __init__(self, indptr: np.ndarray, heads: np.ndarray, tails: np.ndarray,
                 weights: np.ndarray, in_ptr: np.ndarray | None = None) -> None:
        n, m = len(indptr) - 1, len(heads)
        self.n, self.m = n, m
        self.indptr = np.asarray(indptr, np.int32)  # no copies of int32 rows
        self.heads = np.asarray(heads, np.int32)
        self.tails = np.asarray(tails, np.int32)
        if in_ptr is None:
            in_ptr = np.zeros(n + 1, np.int32)
            np.cumsum(np.bincount(heads, minlength=n), out=in_ptr[1:])
        self.in_ptr = np.asarray(in_ptr, np.int32)
        longest = int(weights.max()) if m else 0
        shortest = int(weights.min()) if m else 0
        if shortest < 0:
            raise ValueError("the kernels need non-negative lengths")
        self.weights = weights.astype(np.int32 if longest < 2**31 else np.int64)
        self.shift = (m + 1).bit_length()
        # Keys in the heap lie within one arc length of each other; compared by their
        # wrapped difference they stay ordered as long as that window fits 62 bits.
        if longest >= 2 ** (62 - self.shift):
            raise ValueError(f"an edge of {longest} m is too long for the kernels")
        self.width_bits, self.ring = 0, 0
        if shortest >= 1:
            bits = shortest.bit_length() - 1  # buckets no wider than the shortest arc
            # above the longest arc, in buckets; whole words of the ring's bitmap
            ring = max(64, 1 << ((longest >> bits) + 1).bit_length())
            if ring <= MAX_RING:
                self.width_bits, self.ring = bits, ring


@njit()
def reduced_rows(n, tail, head, length, alive, rank):
    """Return ``D``'s rows over relabelled vertices: ``(indptr, heads, tails, edge,
    in_ptr)``, int32 but ``edge`` (the position of each kept arc, int64).

    Of the ``alive`` arcs (give them in edge index order), one is kept per pair of ends:
    the shortest, ties to the first. Vertex ``rank[v]`` stands for node ``v``; row
    ``rank[v]`` holds ``v``'s kept arcs in head order, and ``in_ptr`` the in-degree
    offsets. One counting sort by ranked tail that carries each arc's head and length
    along, then each row (short on roads) sorted by head in place, stably: the reduced
    graph at 10,000 nodes in 0.72-0.76 ms (fastest of 400), where a counting sort by
    tail, by head, then regrouping the kept arcs by rank took 0.96-1.06 ms.

    Examples
    --------
    >>> rows = reduced_rows(2, np.array([1, 0, 1, 1]), np.array([0, 1, 0, 1]),
    ...                     np.array([5, 3, 5, 2]), np.ones(4, np.bool_), np.array([1, 0]))
    >>> [a.tolist() for a in rows]
    [[0, 2, 3], [1, 0, 0], [0, 0, 1], [0, 3, 1], [0, 2, 3]]
    """
    m = len(tail)
    start = np.zeros(n + 1, np.int64)
    for e in range(m):
        if alive[e]:
            start[rank[tail[e]] + 1] += 1
    for v in range(n):
        start[v + 1] += start[v]
    # Each arc's head and length move with it, so the rows are sorted in place without
    # reading the edge arrays at random.
    fill = start[:-1].copy()
    size = start[n]
    row = np.empty(size, np.int64)
    row_head = np.empty(size, np.int64)
    row_length = np.empty(size, length.dtype)
    for e in range(m):
        if alive[e]:
            r = rank[tail[e]]
            k = fill[r]
            row[k] = e
            row_head[k] = head[e]
            row_length[k] = length[e]
            fill[r] = k + 1
    edge = np.empty(size, np.int64)
    heads = np.empty(size, np.int32)
    tails = np.empty(size, np.int32)
    indptr = np.empty(n + 1, np.int32)
    in_ptr = np.zeros(n + 1, np.int32)
    kept = 0
    for r in range(n):
        indptr[r] = kept
        lo, hi = start[r], start[r + 1]
        if hi - lo > 16:  # a long row: sort on (head, position), which is stable
            order = np.argsort(row_head[lo:hi] * m + row[lo:hi]) + lo
            row[lo:hi] = row[order]
            row_head[lo:hi] = row_head[order]
            row_length[lo:hi] = row_length[order]
        else:  # stable insertion sort by head
            for k in range(lo + 1, hi):
                e, h, w = row[k], row_head[k], row_length[k]
                j = k
                while j > lo and h < row_head[j - 1]:
                    row[j], row_head[j], row_length[j] = row[j - 1], row_head[j - 1], row_length[j - 1]
                    j -= 1
                row[j], row_head[j], row_length[j] = e, h, w
        k = lo
        while k < hi:
            best = k
            h = row_head[k]
            k += 1
            while k < hi and row_head[k] == h:
                if row_length[k] < row_length[best]:
                    best = k
                k += 1
            edge[kept] = row[best]
            ranked = rank[h]
            heads[kept] = ranked
            tails[kept] = r
            in_ptr[ranked + 1] += 1
            kept += 1
    indptr[n] = kept
    for v in range(n):
        in_ptr[v + 1] += in_ptr[v]
    edge, heads, tails = edge[:kept].copy(), heads[:kept].copy(), tails[:kept].copy()
    return indptr, heads, tails, edge, in_ptr


#: Scratch state of one Brandes pass over one chunk of sources (fields compile as typed
#: attributes in numba).
Scratch = namedtuple("Scratch", [
    "rows",     # per vertex: sigma, delta, subset edge delta, padding (one 32-byte row)
    "dist",     # distance of each vertex once seen (UNSEEN before)
    "settled",  # whether each vertex is settled
    "pred",     # tail of each vertex's last improving push
    "pcount",   # |P[w]|: predecessor arcs of each vertex
    "plist",    # the P lists (arcs), by in_ptr
    "order",    # vertices in settled order
    "hkey",     # heap keys
    "hvert",    # vertex of each push, by push counter
    "ptail",    # tails of the P lists, beside plist
])


# -- 4-ary heap of packed keys -------------------------------------------------------
# A key is ``distance << shift | counter`` in uint64; the counter finds the vertex. Live keys never differ by more
# than the longest arc (<< shift), so the sign of their wrapped difference orders them
# even where a distance is large enough for the shift to wrap. (uint64 because numba's
# signed arithmetic may not wrap: LLVM folds ``a - b < 0`` into ``a < b``.)


@njit()
def _key(dist, shift, counter):
    """Return the heap key of ``(dist, counter)``."""
    return (np.uint64(dist) << np.uint64(shift)) | np.uint64(counter)


@njit()
def _before(a, b):
    """Whether key ``a`` comes before key ``b`` (both live in one heap)."""
    return np.int64(a - b) < 0


@njit()
def _push(hkey, size, key):
    """Push ``key``; return the new size."""
    i = size
    while i > 0:
        parent = (i - 1) >> 2
        pk = hkey[parent]
        if _before(pk, key):
            break
        hkey[i] = pk
        i = parent
    hkey[i] = key
    return size + 1


@njit()
def _pop(hkey, size):
    """Remove the least key; return it and the new size."""
    top = hkey[0]
    size -= 1
    key = hkey[size]
    i = 0
    while True:
        first = 4 * i + 1
        if first >= size:
            break
        child = first
        ck = hkey[first]
        last = min(first + 4, size)
        for j in range(first + 1, last):
            kj = hkey[j]
            if _before(kj, ck):
                child = j
                ck = kj
        if _before(key, ck):
            break
        hkey[i] = ck
        i = child
    hkey[i] = key
    return top, size


# -- one source ----------------------------------------------------------------------------


@njit()
def _first_path(scratch, in_ptr, w, v, arc):
    """An improving relaxation of ``arc`` (``v -> w``): ``sigma[w] = 0``, ``P[w] = [arc]``."""
    scratch.rows[w, 0] = 0.0
    k = in_ptr[w]
    scratch.plist[k] = arc
    scratch.ptail[k] = v
    scratch.pcount[w] = 1


@njit()
def _another_path(scratch, in_ptr, w, v, arc):
    """An equal one: ``sigma[w] += sigma[v]``, ``arc`` appended to ``P[w]``."""
    fs = scratch.rows
    fs[w, 0] += fs[v, 0]
    k = in_ptr[w] + scratch.pcount[w]
    scratch.plist[k] = arc
    scratch.ptail[k] = v
    scratch.pcount[w] += 1


@njit()
def _dijkstra(indptr, heads, weights, in_ptr, shift, s, is_target, n_targets, scratch):
    """networkx's path-counting Dijkstra from ``s``; return ``(settled, heap size)``.

    ``P[w]`` is ``plist[in_ptr[w]:in_ptr[w] + pcount[w]]`` (arc indices), their tails
    at the same places in ``ptail``. With
    ``n_targets > 0`` it stops once every target is settled and no queued vertex is
    as near as the last of them (nothing further lies on a path to a target).
    """
    fs, seen, done, pred = scratch.rows, scratch.dist, scratch.settled, scratch.pred
    order, hkey, hvert = scratch.order, scratch.hkey, scratch.hvert
    pred[s] = s
    hvert[0] = s
    size = _push(hkey, 0, _key(0, shift, 0))
    counter = 1
    mask = np.uint64((1 << shift) - 1)
    fs[s, 0] = 1.0
    seen[s] = 0
    n_done = 0
    left = n_targets
    last = _key(0, shift, 0)  # no settled key may pass it once every target is settled
    while size > 0:
        if left == 0 and n_targets > 0 and _before(last, hkey[0]):
            break
        top, size = _pop(hkey, size)
        v = hvert[top & mask]
        if done[v]:
            continue
        fs[v, 0] += fs[pred[v], 0]
        order[n_done] = v
        n_done += 1
        done[v] = True
        dist = seen[v]
        if n_targets > 0 and is_target[v]:
            left -= 1
            last = _key(dist, shift, (1 << shift) - 1)
        for arc in range(indptr[v], indptr[v + 1]):
            w = heads[arc]
            vw = dist + weights[arc]
            sw = seen[w]
            if vw < sw:
                seen[w] = vw
                pred[w] = v
                hvert[counter] = w
                size = _push(hkey, size, _key(vw, shift, counter))
                counter += 1
                _first_path(scratch, in_ptr, w, v, arc)
            elif vw == sw:
                _another_path(scratch, in_ptr, w, v, arc)
    return n_done, size


#: de Bruijn sequence and table: the index of a word's lowest set bit in one multiply.
_DE_BRUIJN = np.uint64(0x03F79D71B4CB0A89)
_LOWEST_BIT = np.zeros(64, np.int64)
for _i in range(64):
    _LOWEST_BIT[((1 << _i) * int(_DE_BRUIJN) % 2**64) >> 58] = _i


@njit()
def _lowest_bit(word):
    """Return the position of the lowest set bit of a non-zero uint64."""
    low = word & (np.uint64(0) - word)
    return _LOWEST_BIT[(low * _DE_BRUIJN) >> np.uint64(58)]


@njit()
def _dijkstra_buckets(indptr, heads, weights, in_ptr, width_bits, s, is_target, n_targets,
                      scratch, first, below, filled):
    """The same search in Dinitz's buckets; return ``(settled, pushes)``.

    For graphs whose every arc is at least ``2 ** width_bits`` long. A push goes to
    bucket ``distance >> width_bits`` of a ring of ``len(first)`` buckets (a power of
    two above the longest arc in buckets, so live buckets never share a slot); ``first``
    holds each slot's last push (-1: empty) and ``below`` the push under each one. Every
    vertex queued in the lowest bucket has its final distance (a path through another
    unsettled vertex is at least one bucket longer), so a bucket is settled in any
    order and nothing is pushed into it meanwhile. Every predecessor of a vertex lies in
    an earlier bucket: ``sigma`` and ``P`` are complete when it settles and the settle
    order is a topological order of the shortest-path DAG, as the sweeps back need.
    With targets it stops when the last is settled: no path to a target reaches past
    it. ``hvert[:pushes]`` is every vertex pushed (for :func:`_reset_pushed`). ``filled``
    has a bit per slot, set while it holds pushes, so empty buckets are stepped over 64
    at a time.
    """
    fs, seen, done, pred = scratch.rows, scratch.dist, scratch.settled, scratch.pred
    order, hvert = scratch.order, scratch.hvert
    ring = len(first) - 1
    words = len(filled) - 1
    pred[s] = s
    hvert[0] = s
    below[0] = -1
    first[0] = 0
    filled[0] = np.uint64(1)
    counter = 1
    queued = 1
    fs[s, 0] = 1.0
    seen[s] = 0
    n_done = 0
    left = n_targets
    slot = 0  # the bucket being settled, modulo the ring
    while queued > 0:
        word = slot >> 6
        bits = filled[word] & (~np.uint64(0) << np.uint64(slot & 63))
        while bits == 0:  # every queued push lies less than a ring ahead
            word = (word + 1) & words
            bits = filled[word]
        slot = (word << 6) | _lowest_bit(bits)
        filled[word] &= ~(np.uint64(1) << np.uint64(slot & 63))
        push = first[slot]
        first[slot] = -1
        while push >= 0:
            queued -= 1
            v = hvert[push]
            push = below[push]
            if done[v]:
                continue
            fs[v, 0] += fs[pred[v], 0]
            order[n_done] = v
            n_done += 1
            done[v] = True
            if n_targets > 0 and is_target[v]:
                left -= 1
                if left == 0:
                    return n_done, counter
            dist = seen[v]
            for arc in range(indptr[v], indptr[v + 1]):
                w = heads[arc]
                vw = dist + weights[arc]
                sw = seen[w]
                if vw < sw:
                    seen[w] = vw
                    pred[w] = v
                    hvert[counter] = w
                    into = (vw >> width_bits) & ring
                    below[counter] = first[into]
                    first[into] = counter
                    filled[into >> 6] |= np.uint64(1) << np.uint64(into & 63)
                    counter += 1
                    queued += 1
                    _first_path(scratch, in_ptr, w, v, arc)
                elif vw == sw:
                    _another_path(scratch, in_ptr, w, v, arc)
        slot = (slot + 1) & ring
    return n_done, counter


@njit()
def _accumulate_all(s, n_done, in_ptr, scratch, node_acc, edge_acc, want_nodes,
                    want_edges):
    """All pairs: networkx's ``_accumulate_basic`` and ``_accumulate_edges`` at once."""
    fs, pcount, pbuf, order, pvert = scratch.rows, scratch.pcount, scratch.plist, scratch.order, scratch.ptail
    for i in range(n_done - 1, -1, -1):
        w = order[i]
        dw = fs[w, 1]
        coeff = (1.0 + dw) / fs[w, 0]
        start = in_ptr[w]
        for k in range(start, start + pcount[w]):
            v = pvert[k]
            c = fs[v, 0] * coeff
            if want_edges:
                edge_acc[pbuf[k]] += c
            fs[v, 1] += c
        if want_nodes and w != s:
            node_acc[w] += dw


@njit()
def _accumulate_subset(s, n_done, in_ptr, is_target, scratch, node_acc, edge_acc,
                       want_nodes, want_edges):
    """Sources to targets: ``_accumulate_subset`` (nodes, ``delta``) and
    ``_accumulate_edges_subset`` (arcs, ``delta_e``) in one sweep."""
    fs, pcount, pbuf, order, pvert = scratch.rows, scratch.pcount, scratch.plist, scratch.order, scratch.ptail
    for i in range(n_done - 1, -1, -1):
        w = order[i]
        start, count = in_ptr[w], pcount[w]
        target = is_target[w]
        sw, dw, ew = fs[w, 0], fs[w, 1], fs[w, 2]
        if not target and dw == 0.0 and ew == 0.0 and sw < np.inf:
            # No target beyond w: every term below is +0.0 (sigma only grows along a
            # path, so the predecessors' sigma are finite too), and so are the sums
            # skipping it. On the benchmark's road networks (5 % targets) that is
            # about two vertices in three.
            continue
        coeff = ((dw + 1.0) if target and w != s else dw) / sw
        for k in range(start, start + count):
            v = pvert[k]
            sv = fs[v, 0]
            if want_nodes:
                fs[v, 1] += sv * coeff
            if want_edges:
                if target:
                    c = (sv / sw) * (1.0 + ew)
                else:
                    c = ew / count
                edge_acc[pbuf[k]] += c
                fs[v, 2] += c
        if want_nodes and w != s:
            node_acc[w] += dw


@njit()
def _reset(n_done, size, scratch, shift):
    """Clear the per-source arrays where this source touched them."""
    fs, seen, done, pcount = scratch.rows, scratch.dist, scratch.settled, scratch.pcount
    order, hkey, hvert = scratch.order, scratch.hkey, scratch.hvert
    for i in range(n_done):
        v = order[i]
        fs[v, 0] = 0.0
        fs[v, 1] = 0.0
        fs[v, 2] = 0.0
        seen[v] = UNSEEN
        done[v] = False
        pcount[v] = 0
    for i in range(size):  # queued when an early stop left them unsettled
        v = hvert[hkey[i] & np.uint64((1 << shift) - 1)]
        fs[v, 0] = 0.0
        seen[v] = UNSEEN
        pcount[v] = 0


@njit()
def _reset_pushed(pushes, scratch, first, filled):
    """Clear what a bucket search touched: every vertex pushed, and the ring."""
    fs, seen, done, pcount, hvert = scratch.rows, scratch.dist, scratch.settled, scratch.pcount, scratch.hvert
    for i in range(pushes):
        v = hvert[i]
        fs[v, 0] = 0.0
        fs[v, 1] = 0.0
        fs[v, 2] = 0.0
        seen[v] = UNSEEN
        done[v] = False
        pcount[v] = 0
    for word in range(len(filled)):  # slots still holding pushes after an early stop
        bits = filled[word]
        while bits != 0:
            first[(word << 6) | _lowest_bit(bits)] = -1
            bits &= bits - np.uint64(1)
        filled[word] = 0


@njit()
def _chunk(indptr, heads, weights, in_ptr, shift, width_bits, ring, sources, is_target,
           n_targets, want_nodes, want_edges):
    """Return ``(node sums, arc sums)`` over ``sources``; ``n_targets > 0`` for the
    source-to-target measures (the sums asked for only; the other array is empty).
    ``ring > 0``: search in a ring of that many buckets of ``2 ** width_bits`` metres
    (:func:`_dijkstra_buckets`), else in the heap."""
    n, m = len(indptr) - 1, len(heads)
    scratch = Scratch(
        np.zeros((n, 4)), np.full(n, UNSEEN, np.int64), np.zeros(n, np.bool_),
        np.zeros(n, np.int32), np.zeros(n, np.int32), np.empty(m, np.int32), np.empty(n, np.int32),
        np.empty(m + 1 if ring == 0 else 0, np.uint64), np.empty(m + 1, np.int32),
        np.empty(m, np.int32),
    )
    first = np.full(ring, -1, np.int32)
    below = np.empty(m + 1 if ring > 0 else 0, np.int32)
    filled = np.zeros(ring // 64, np.uint64)
    node_acc = np.zeros(n if want_nodes else 0)
    edge_acc = np.zeros(m if want_edges else 0)
    for s in sources:
        if ring > 0:
            n_done, pushes = _dijkstra_buckets(indptr, heads, weights, in_ptr, width_bits, s,
                                               is_target, n_targets, scratch, first, below,
                                               filled)
        else:
            n_done, size = _dijkstra(indptr, heads, weights, in_ptr, shift, s, is_target,
                                     n_targets, scratch)
        if n_targets > 0:
            _accumulate_subset(s, n_done, in_ptr, is_target, scratch, node_acc,
                               edge_acc, want_nodes, want_edges)
        else:
            _accumulate_all(s, n_done, in_ptr, scratch, node_acc, edge_acc,
                            want_nodes, want_edges)
        if ring > 0:
            _reset_pushed(pushes, scratch, first, filled)
        else:
            _reset(n_done, size, scratch, shift)
    return node_acc, edge_acc


# -- driver ------------------------------------------------------------------------------


def _bounds(count: int, per_source: int) -> np.ndarray:
    """Return the chunk boundaries of ``count`` sources of ``per_source`` work each: they
    depend on the job only (so do the sums, which add the chunks in order)."""
    fits = count if CHUNK_WORK <= 0 else (count * per_source) // CHUNK_WORK
    chunks = max(1, min(CHUNKS, count, fits))
    return (np.arange(chunks + 1) * count) // chunks


def brandes(graph: Graph, sources: np.ndarray, targets: np.ndarray | None, *,
            nodes: bool = True, edges: bool = True,
            progress: Progress | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(node, arc)`` dependency sums over ``sources`` (unscaled).

    ``targets`` None: all pairs (networkx's ``betweenness_centrality`` and
    ``edge_betweenness_centrality`` sums); an index array: sources to those targets
    (the ``_subset`` measures). ``nodes``/``edges`` choose the sums computed (the
    other comes back empty). Arc results follow the CSR order of ``graph.heads``.
    ``progress(done, total)`` is called in sources, from the calling thread.
    """
    n, m = graph.n, graph.m
    sources = np.ascontiguousarray(sources, np.int32)
    is_target = np.zeros(n, np.bool_)
    n_targets = 0
    if targets is not None:
        is_target[targets] = True
        n_targets = max(1, int(is_target.sum()))  # > 0 marks the subset measures
    bounds = _bounds(len(sources), n + m)
    args = (graph.indptr, graph.heads, graph.weights, graph.in_ptr, graph.shift,
            graph.width_bits, graph.ring)

    def run(c: int) -> tuple[np.ndarray, np.ndarray]:
        return _chunk(*args, sources[bounds[c]:bounds[c + 1]], is_target, n_targets,
                      nodes, edges)

    node_sum, edge_sum = np.zeros(n if nodes else 0), np.zeros(m if edges else 0)
    total = len(sources)
    if progress is not None:
        progress(0, total)
    for c, (node_acc, edge_acc) in enumerate(_in_order(run, len(bounds) - 1,
                                                       total * (n + m))):
        node_sum += node_acc  # chunk order: fixed, so the sums are too
        edge_sum += edge_acc
        if progress is not None:
            progress(int(bounds[c + 1]), total)
    return node_sum, edge_sum


def _in_order(run: Callable[[int], tuple[np.ndarray, np.ndarray]], chunks: int, work: int):
    """Yield ``run(c)`` for ``c = 0, 1, ...``; on threads when the job is large.

    At most twice the thread count of chunks are in flight, so finished chunks waiting
    for a slower predecessor hold little memory.
    """
    threads = numba.get_num_threads()
    if threads < 2 or chunks < 2 or work <= PARALLEL_WORK:
        for c in range(chunks):
            yield run(c)
        return
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="brandes") as pool:
        pending: dict[int, Future] = {}
        ahead = 2 * threads
        for c in range(min(ahead, chunks)):
            pending[c] = pool.submit(run, c)
        for c in range(chunks):
            result = pending.pop(c).result()
            if c + ahead < chunks:
                pending[c + ahead] = pool.submit(run, c + ahead)
            yield result
