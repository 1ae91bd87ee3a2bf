"""Kernels of a what-if's impact over a compiled snapshot: masks in, figures out.

Every function here reads a :class:`~supplynet.engine.snapshot.Snapshot` and index arrays or
masks; none copies or changes a graph. See :mod:`supplynet.analysis.whatif` for the definitions
they implement.

*Live* elements (reachability, routes, dominators): a node or edge is live when it is
not removed and its capacity after the scenario is above 0 (unlimited counts); an edge
is live only when both its ends are live too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, dijkstra

from supplynet.engine import units as cv
from supplynet.engine import maxflow as mf
from supplynet.engine.jit import njit
from supplynet.engine.snapshot import Snapshot
from supplynet.analysis.flow import EdgeCut

__all__ = ["Masks", "masks", "live", "reached", "route_length", "edge_cut", "dominated_counts",
           "flow_days"]


class Masks(NamedTuple):
    """A scenario as arrays over a snapshot: removed indices and capacity multipliers."""

    nodes: np.ndarray  # int64 indices of removed nodes
    edges: np.ndarray  # int64 indices of removed edges
    node_scale: np.ndarray | None  # multipliers per node, None when none degraded
    edge_scale: np.ndarray | None


def masks(snap: Snapshot, nodes: Sequence[str], edges: Sequence[str],
          node_factors: Sequence[tuple[str, float]] = (),
          edge_factors: Sequence[tuple[str, float]] = ()) -> Masks:
    """Return the :class:`Masks` of ids removed and ``(id, factor)`` degraded."""
    rn = cv.indices(list(nodes), snap.node_index, "removed nodes")
    re = cv.indices(list(edges), snap.edge_index, "removed edges")
    ns = cv.multipliers(dict(node_factors), snap.node_index, "node factors") if node_factors else None
    es = cv.multipliers(dict(edge_factors), snap.edge_index, "edge factors") if edge_factors else None
    return Masks(rn, re, ns, es)


def _scaled(capacity: np.ndarray, scale: np.ndarray | None) -> np.ndarray:
    """Return capacities after multipliers (unlimited stays unlimited above 0)."""
    if scale is None:
        return capacity
    finite = np.isfinite(capacity)
    out = np.where(scale > 0, math.inf, 0.0)
    out[finite] = capacity[finite] * scale[finite]
    return out


def live(snap: Snapshot, m: Masks) -> tuple[np.ndarray, np.ndarray]:
    """Return boolean masks of the live nodes and live edges under a scenario."""
    node_ok = _scaled(snap.node_capacity, m.node_scale) > 0
    node_ok[m.nodes] = False
    edge_ok = _scaled(snap.edge_capacity, m.edge_scale) > 0
    edge_ok[m.edges] = False
    edge_ok &= node_ok[snap.edge_tail] & node_ok[snap.edge_head]
    return node_ok, edge_ok


def _bfs(n: int, tails: np.ndarray, heads: np.ndarray, roots: np.ndarray) -> np.ndarray:
    """Return the mask of the ``n`` nodes reached from any root (root n is virtual)."""
    t = np.concatenate([tails, np.full(len(roots), n)])
    h = np.concatenate([heads, roots])
    graph = sp.csr_array((np.ones(len(t), np.int8), (t, h)), shape=(n + 1, n + 1))
    seen = np.zeros(n + 1, bool)
    seen[breadth_first_order(graph, n, directed=True, return_predecessors=False)] = True
    return seen[:n]


def reached(snap: Snapshot, node_ok: np.ndarray, edge_ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(sinks reached by some source, sources reaching some sink)`` as masks
    over ``snap.sinks`` and ``snap.sources``, over live elements only."""
    n = len(snap.nodes)
    tails, heads = snap.edge_tail[edge_ok], snap.edge_head[edge_ok]
    srcs = snap.sources[node_ok[snap.sources]]
    snks = snap.sinks[node_ok[snap.sinks]]
    forward = _bfs(n, tails, heads, srcs)
    backward = _bfs(n, heads, tails, snks)
    return forward[snap.sinks] & node_ok[snap.sinks], backward[snap.sources] & node_ok[snap.sources]


def route_length(snap: Snapshot, node_ok: np.ndarray, edge_ok: np.ndarray) -> int | None:
    """Return the shortest live source-to-sink route in integer metres (None if none)."""
    n = len(snap.nodes)
    srcs = snap.sources[node_ok[snap.sources]]
    snks = snap.sinks[node_ok[snap.sinks]]
    if not len(srcs) or not len(snks):
        return None
    idx = np.flatnonzero(edge_ok)
    t, h, w = snap.edge_tail[idx], snap.edge_head[idx], snap.edge_length[idx]
    order = np.lexsort((w, h, t))  # parallel edges: keep the shortest (a CSR would sum them)
    t, h, w = t[order], h[order], w[order]
    first = np.ones(len(t), bool)
    first[1:] = (t[1:] != t[:-1]) | (h[1:] != h[:-1])
    # Explicit zeros stay edges in a csgraph CSR: zero-length edges are kept.
    graph = sp.csr_array((w[first].astype(float), (t[first], h[first])), shape=(n, n))
    dist = dijkstra(graph, directed=True, indices=srcs, min_only=True)
    best = float(np.min(dist[snks]))
    return int(round(best)) if math.isfinite(best) else None


def edge_cut(snap: Snapshot, m: Masks) -> EdgeCut:
    """Return the min edge cut of the network under a scenario.

    As :func:`supplynet.analysis.flow.min_edge_cut` on the network with the removed elements really
    removed and degraded edge capacities applied: node capacities are ignored (a removed
    node blocks everything), the cut nearest the sources, every crossing edge that still
    exists listed (capacity-0 ones included).
    """
    net = snap._flownet()
    m_edges, n = len(snap.edges), len(snap.nodes)
    base_units = snap._edge_units
    big = snap._unlimited
    caps = cv.scaled_units(base_units, big, m.edge_scale)
    caps[m.edges] = 0.0
    factor = cv.integer_scale(caps, "scaled capacities")
    if factor > 1 and big * factor >= cv.MAX_UNITS:
        factor = 1
    big_units = big * factor
    node_caps = np.full(n, big_units, np.int64)
    node_caps[m.nodes] = 0
    arcs = np.concatenate([np.rint(caps * factor).astype(np.int64), node_caps,
                           np.full(net.n_super, big_units, np.int64)])
    res = np.zeros(len(net.head), np.int64)
    res[net.fwd_pos] = arcs
    if mf.unlimited_path(net.ptr, net.head, res, big_units, net.source, net.sink):
        return EdgeCut(math.inf, [])
    mf.max_flow(net.ptr, net.head, net.mate, res, net.source, net.sink, net.work())
    side = mf.reachable(net.ptr, net.head, res, 1, net.source)
    exists = np.ones(m_edges, bool)
    exists[m.edges] = False
    gone = np.zeros(n, bool)
    gone[m.nodes] = True
    exists &= ~gone[snap.edge_tail] & ~gone[snap.edge_head]
    crossing = exists & side[net.vout[snap.edge_tail]] & ~side[net.vin[snap.edge_head]]
    value = mf.outflow(net.ptr, net.mate, net.is_fwd, res, net.source) / (snap.capacity_scale * factor)
    return EdgeCut(float(value), [snap.edges[i] for i in np.flatnonzero(crossing)])


@njit()
def _dominators(ptr, adj, rptr, radj, root):
    """Return immediate dominators from ``root`` (-1 where unreached; root's is root).

    Cooper, Harvey and Kennedy's iterative algorithm over reverse postorder.
    """
    n = len(ptr) - 1
    order = np.empty(n, np.int64)  # postorder
    po = np.full(n, -1, np.int64)
    stack = np.empty(n, np.int64)
    it = ptr[:-1].copy()
    seen = np.zeros(n, np.bool_)
    count = 0
    top = 0
    stack[0] = root
    seen[root] = True
    while top >= 0:
        v = stack[top]
        if it[v] < ptr[v + 1]:
            w = adj[it[v]]
            it[v] += 1
            if not seen[w]:
                seen[w] = True
                top += 1
                stack[top] = w
        else:
            po[v] = count
            order[count] = v
            count += 1
            top -= 1
    idom = np.full(n, -1, np.int64)
    idom[root] = root
    changed = True
    while changed:
        changed = False
        for k in range(count - 2, -1, -1):  # reverse postorder, root (last) excluded
            v = order[k]
            new = -1
            for q in range(rptr[v], rptr[v + 1]):
                p = radj[q]
                if idom[p] == -1:
                    continue
                if new == -1:
                    new = p
                    continue
                a, b = p, new
                while a != b:
                    while po[a] < po[b]:
                        a = idom[a]
                    while po[b] < po[a]:
                        b = idom[b]
                new = a
            if idom[v] != new:
                idom[v] = new
                changed = True
    return idom


@njit()
def _chain_counts(idom, targets, root):
    """Return, per vertex, how many targets it dominates (each target counts itself)."""
    out = np.zeros(len(idom), np.int64)
    for t in targets:
        if idom[t] == -1:
            continue
        v = t
        while v != root:
            out[v] += 1
            v = idom[v]
    return out


def _csr(n: int, tails: np.ndarray, heads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(tails, kind="stable")
    ptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=ptr[1:])
    return ptr, heads[order].astype(np.int64)


def dominated_counts(snap: Snapshot, node_ok: np.ndarray, edge_ok: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Return, per node, how many sinks and how many sources its removal alone cuts off.

    A reached sink is cut off by removing ``v`` exactly when ``v`` dominates it from a
    virtual root feeding every live source; a connected source is stranded by ``v``
    exactly when ``v`` dominates it in the reversed graph from a root fed by every live
    sink. One dominator tree each (Cooper-Harvey-Kennedy) answers every node at once.
    """
    n = len(snap.nodes)
    tails, heads = snap.edge_tail[edge_ok], snap.edge_head[edge_ok]
    srcs = snap.sources[node_ok[snap.sources]]
    snks = snap.sinks[node_ok[snap.sinks]]
    out = []
    for a, b, roots, targets in ((tails, heads, srcs, snks), (heads, tails, snks, srcs)):
        t = np.concatenate([a, np.full(len(roots), n)]).astype(np.int64)
        h = np.concatenate([b, roots]).astype(np.int64)
        ptr, adj = _csr(n + 1, t, h)
        rptr, radj = _csr(n + 1, h, t)
        idom = _dominators(ptr, adj, rptr, radj, n)
        out.append(_chain_counts(idom, targets.astype(np.int64), n)[:n])
    return out[0], out[1]


def flow_days(before: float, days: Sequence[float | None], flow_with: Callable[[np.ndarray], float],
              horizon: float | None) -> float:
    """Return the flow-days denied while the pieces come back one by one.

    ``days[k]``: repair days of piece ``k`` (None: never repaired); ``flow_with(mask)`` the
    max flow with the pieces of ``mask`` still out. See :mod:`supplynet.analysis.whatif`.
    """
    if not days or not math.isfinite(before):
        return 0.0 if not days else math.nan
    cap = math.inf if horizon is None else float(horizon)
    out = np.array([cap if d is None else min(float(d), cap) for d in days])
    total = 0.0
    last = 0.0
    for t in sorted(set(out[np.isfinite(out)].tolist()) | ({cap} if math.isfinite(cap) else set())):
        if t <= last:
            continue
        total += (t - last) * (before - flow_with(out >= t))
        last = t
    if np.isinf(out).any():  # pieces never repaired and no horizon: the loss goes on forever
        if before - flow_with(np.isinf(out)) > 0:
            return math.inf
    return total
