"""The split flow network: one builder for the kernels' residual CSR and the MILP's arcs.

:func:`split_vertices` and :func:`split_arcs` lay out the split network once for every
user: node ``v`` becomes ``vin[v] -> vout[v]`` (or one vertex where it needs no arc of
its own), edge ``u -> v`` becomes ``vout[u] -> vin[v]``. The max-flow kernels split every
node and add a super source and sink (:func:`build_flownet`); the interdiction MILP keeps
only the nodes between a source and a sink and splits only those with a capacity or a
chance of being struck (:mod:`supplynet.analysis.milp`).

Vertices: node ``v`` becomes ``vin[v] -> vout[v]``; the super source is ``2n`` and the
super sink ``2n + 1``. Forward arcs, in this order: one per edge (``vout[u] ->
vin[v]``), one per node (``vin[v] -> vout[v]``), one per source (super source ->
``vin[s]``) and one per sink (``vout[t]`` -> super sink). The three flow networks a
snapshot solves (maximum flow, edge cut, node cut) share this layout and differ only
in capacities, so it is built once per set of endpoints.

Why the numbering: node ids sort in an order unrelated to geography, which scatters
neighbours across memory. Nodes are numbered by reverse Cuthill-McKee over the road
graph instead, with each node's two vertices side by side, and indices are int32, so
neighbours share cache lines (docs/benchmarks-kernels.md has the measurement).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from supplynet.engine import maxflow as mf
from supplynet.engine.jit import njit
from supplynet._errors import AnalysisError

__all__ = ["FlowNet", "build_flownet", "group_order", "insertion_sort", "locality_rank", "paired_csr",
           "split_arcs", "split_vertices"]

_INDEX_LIMIT = 2**31 - 1


@dataclass(frozen=True, eq=False)
class FlowNet:
    """Residual layout arrays; see :mod:`supplynet.engine.maxflow` for their meaning.

    ``vin`` / ``vout`` map node index to its two vertices; ``n_super`` counts the
    source and sink arcs at the end of the forward arcs.
    """

    ptr: np.ndarray
    head: np.ndarray
    mate: np.ndarray
    is_fwd: np.ndarray
    fwd_pos: np.ndarray
    vin: np.ndarray
    vout: np.ndarray
    source: int
    sink: int
    n_super: int

    def work(self) -> tuple[np.ndarray, ...]:
        """Return fresh scratch arrays for one kernel call."""
        return mf.make_work(len(self.ptr) - 1, len(self.head))

    def node_rank(self) -> np.ndarray:
        """Return each node's :func:`locality_rank` over every edge the network was built
        with (node ``v``'s vertices are ``2 rank[v]`` and ``2 rank[v] + 1``)."""
        return self.vin // 2


def locality_rank(n: int, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
    """Return each node's rank in reverse Cuthill-McKee order of the undirected graph.

    The order of ``scipy.sparse.csgraph.reverse_cuthill_mckee`` on the symmetrised
    adjacency (seeds by ascending degree in ``np.argsort`` order, a self-loop adding one
    to a degree, each vertex's new neighbours by ascending degree, ties in id order),
    computed here without building scipy matrices: about half the time.

    Examples
    --------
    >>> locality_rank(4, np.array([0, 1, 2]), np.array([1, 2, 3])).tolist()
    [3, 2, 1, 0]
    """
    ptr, cols, degree = _symmetric_rows(n, np.asarray(tail, np.int64), np.asarray(head, np.int64))
    order = _cuthill_mckee(ptr, cols, degree, np.argsort(degree))
    rank = np.empty(n, np.int64)
    rank[order[::-1]] = np.arange(n)
    return rank


@njit()
def _symmetric_rows(n, tail, head):
    """Return ``(ptr, neighbours, degree)`` of the undirected graph: each row's
    neighbours ascending without repeats, a degree counting a self-loop twice."""
    start = np.zeros(n + 1, np.int64)
    for e in range(len(tail)):
        start[tail[e] + 1] += 1
        start[head[e] + 1] += 1
    for v in range(n):
        start[v + 1] += start[v]
    fill = start[:-1].copy()
    cols = np.empty(start[n], np.int64)
    for e in range(len(tail)):
        t, h = tail[e], head[e]
        cols[fill[t]] = h
        fill[t] += 1
        cols[fill[h]] = t
        fill[h] += 1
    ptr = np.zeros(n + 1, np.int64)
    degree = np.empty(n, np.int32)  # int32, as scipy's, so np.argsort breaks ties alike
    size = 0
    for v in range(n):
        row = cols[start[v]:start[v + 1]]
        if len(row) > 16:
            row.sort()
        else:  # road rows are short: an insertion sort beats the general one
            for k in range(1, len(row)):
                c = row[k]
                j = k
                while j > 0 and c < row[j - 1]:
                    row[j] = row[j - 1]
                    j -= 1
                row[j] = c
        loop = 0
        for k in range(len(row)):
            c = row[k]
            if k == 0 or c != row[k - 1]:
                cols[size] = c  # size <= start[v] + k: never ahead of the row read
                size += 1
                if c == v:
                    loop = 1
        ptr[v + 1] = size
        degree[v] = ptr[v + 1] - ptr[v] + loop
    return ptr, cols[:size], degree


@njit()
def _cuthill_mckee(ptr, cols, degree, seeds):
    """Return the Cuthill-McKee order: a breadth-first search from each unvisited seed
    in turn, each vertex's unvisited neighbours queued by ascending degree (stable)."""
    n = len(degree)
    order = np.empty(n, np.int64)
    seen = np.zeros(n, np.bool_)
    size = 0
    for seed in seeds:
        if seen[seed]:
            continue
        seen[seed] = True
        order[size] = seed
        size += 1
        done = size - 1
        while done < size:
            v = order[done]
            done += 1
            first = size
            for k in range(ptr[v], ptr[v + 1]):
                w = cols[k]
                if not seen[w]:
                    seen[w] = True
                    order[size] = w
                    size += 1
            insertion_sort(order, first, size, degree)
        if size == n:
            break
    return order


@njit()
def insertion_sort(items, lo, hi, key):
    """Sort ``items[lo:hi]`` in place by ``key[item]``, stably (rows of a road network are short).

    Examples
    --------
    >>> items = np.array([0, 1, 2, 3])
    >>> insertion_sort(items, 1, 4, np.array([9, 5, 1, 5]))
    >>> items.tolist()
    [0, 2, 1, 3]
    """
    for k in range(lo + 1, hi):
        item = items[k]
        value = key[item]
        j = k
        while j > lo and value < key[items[j - 1]]:
            items[j] = items[j - 1]
            j -= 1
        items[j] = item


def split_vertices(order: np.ndarray, split: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Return ``(vin, vout, number of vertices)`` of the nodes ``order`` lists, in that order.

    A node with ``split[v]`` gets two consecutive vertices, any other one vertex
    (``vin == vout``); nodes not in ``order`` get -1.

    Examples
    --------
    >>> vin, vout, count = split_vertices(np.array([2, 0]), np.array([True, False, False]), 3)
    >>> vin.tolist(), vout.tolist(), count
    ([1, -1, 0], [2, -1, 0], 3)
    """
    order = np.asarray(order, np.int64)
    width = np.where(np.asarray(split, bool)[order], 2, 1)
    start = np.zeros(len(order), np.int64)
    np.cumsum(width[:-1], out=start[1:])
    vin = np.full(n, -1, np.int64)
    vout = np.full(n, -1, np.int64)
    vin[order] = start
    vout[order] = start + width - 1
    return vin, vout, int(width.sum())


def split_arcs(vin: np.ndarray, vout: np.ndarray, tail: np.ndarray, head: np.ndarray, edges: np.ndarray,
               nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the arcs of ``edges`` (``vout[tail] -> vin[head]``), then of ``nodes`` (``vin -> vout``).

    Examples
    --------
    >>> vin, vout = np.array([0, 2]), np.array([1, 3])
    >>> [a.tolist() for a in split_arcs(vin, vout, np.array([0]), np.array([1]), np.array([0]), np.array([0, 1]))]
    [[1, 0, 2], [2, 1, 3]]
    """
    edges, nodes = np.asarray(edges, np.int64), np.asarray(nodes, np.int64)
    return (np.concatenate([vout[tail[edges]], vin[nodes]]),
            np.concatenate([vin[head[edges]], vout[nodes]]))


def build_flownet(
    n: int, tail: np.ndarray, head: np.ndarray, sources: np.ndarray, sinks: np.ndarray
) -> FlowNet:
    """Return the split network of ``n`` nodes, edges ``tail -> head`` and endpoints.

    Examples
    --------
    >>> import numpy as np
    >>> net = build_flownet(2, np.array([0]), np.array([1]), np.array([0]), np.array([1]))
    >>> len(net.ptr) - 1, len(net.head)  # 2 * 2 + 2 vertices, 2 * (1 + 2 + 1 + 1) positions
    (6, 10)
    """
    m = len(tail) + n + len(sources) + len(sinks)
    if 2 * m > _INDEX_LIMIT:
        raise AnalysisError(f"the network is too large for the flow kernels ({m} arcs)")
    rank = locality_rank(n, tail, head)
    vin, vout, _ = split_vertices(np.argsort(rank), np.ones(n, bool), n)  # vin = 2 rank, vout = 2 rank + 1
    source, sink = 2 * n, 2 * n + 1
    etail, ehead = split_arcs(vin, vout, tail, head, np.arange(len(tail)), np.arange(n))
    ftail = np.concatenate([etail, np.full(len(sources), source), vout[sinks]])
    fhead = np.concatenate([ehead, vin[sources], np.full(len(sinks), sink)])
    arrays = {**paired_csr(2 * n + 2, ftail, fhead), "vin": vin, "vout": vout}
    for a in arrays.values():
        a.setflags(write=False)
    return FlowNet(**arrays, source=source, sink=sink, n_super=len(sources) + len(sinks))


def paired_csr(n_vertices: int, tail: np.ndarray, head: np.ndarray) -> dict[str, np.ndarray]:
    """Return the kernels' residual layout of forward arcs ``tail -> head``.

    Keys ``ptr``, ``head``, ``mate``, ``is_fwd`` and ``fwd_pos`` as
    :mod:`supplynet.engine.maxflow` reads them: every arc owns a forward position and its
    mate, grouped by tail vertex, each vertex's forward arcs first in arc order (a stable
    sort, so the layout is deterministic). The split network and the time-expanded
    network of a campaign (:mod:`supplynet.engine.timeexpand`) are both laid out here.

    Examples
    --------
    >>> lay = paired_csr(3, np.array([0, 1]), np.array([1, 2]))
    >>> lay["ptr"].tolist(), lay["head"].tolist(), lay["fwd_pos"].tolist()
    ([0, 1, 3, 4], [1, 2, 0, 1], [0, 1])
    """
    m = len(tail)
    if 2 * m > _INDEX_LIMIT or n_vertices > _INDEX_LIMIT:
        raise AnalysisError(f"the network is too large for the flow kernels ({m} arcs)")
    ptr, heads, mate, is_fwd, fwd_pos = _paired_layout(
        n_vertices, np.ascontiguousarray(tail, np.int64), np.ascontiguousarray(head, np.int64))
    return {"ptr": ptr, "head": heads, "mate": mate, "is_fwd": is_fwd, "fwd_pos": fwd_pos}


@njit()
def _paired_layout(n_vertices, tail, head):
    """:func:`paired_csr`'s arrays by one counting sort of the ``2m`` positions by tail.

    Position ``j < m`` is arc ``j`` forward, ``j >= m`` its mate (``head -> tail``);
    they are placed in ``j`` order within each tail's row: the stable sort by tail, in
    time linear in vertices and arcs (a comparison sort took 1.3 s of a 1M-node compile).
    """
    m = len(tail)
    tails = np.concatenate((tail, head))
    order, ptr = group_order(tails, n_vertices)
    pos_of = np.empty(2 * m, np.int64)
    heads = np.empty(2 * m, np.int32)
    is_fwd = np.zeros(2 * m, np.bool_)
    for p in range(2 * m):
        j = order[p]
        pos_of[j] = p
        heads[p] = head[j] if j < m else tail[j - m]
        is_fwd[p] = j < m
    mate = np.empty(2 * m, np.int32)
    for j in range(m):
        mate[pos_of[j]] = pos_of[j + m]
        mate[pos_of[j + m]] = pos_of[j]
    return ptr.astype(np.int32), heads, mate, is_fwd, pos_of[:m].copy()


@njit()
def group_order(keys, n_keys):
    """Return ``(order, ptr)``: the stable order of ``keys`` (integers in ``[0, n_keys)``),
    by a counting sort, and where each key's run starts in it (``np.argsort(keys,
    kind="stable")`` and the cumulative counts, in linear time).

    Examples
    --------
    >>> order, ptr = group_order(np.array([2, 0, 2, 1]), 3)
    >>> order.tolist(), ptr.tolist()
    ([1, 3, 0, 2], [0, 1, 2, 4])
    """
    ptr = np.zeros(n_keys + 1, np.int64)
    for j in range(len(keys)):
        ptr[keys[j] + 1] += 1
    for v in range(n_keys):
        ptr[v + 1] += ptr[v]
    fill = ptr[:-1].copy()
    order = np.empty(len(keys), np.int64)
    for j in range(len(keys)):
        k = keys[j]
        order[fill[k]] = j
        fill[k] += 1
    return order, ptr
