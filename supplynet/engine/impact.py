"""Kernels of a what-if's impact over a compiled snapshot: masks in, figures out.

Every function here reads a :class:`~supplynet.engine.snapshot.Snapshot` (usually the
network after a what-if, :meth:`~supplynet.engine.snapshot.Snapshot.after`) and index
arrays or masks; none copies or changes a graph. See :mod:`supplynet.analysis.whatif` for
the definitions they implement.

*Live* elements (reachability, routes, dominators): a node or edge is live when it is
not removed and its capacity after the scenario is above 0 (unlimited counts); an edge
is live only when both its ends are live too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from supplynet.engine import reach
from supplynet.engine.jit import njit
from supplynet.engine.snapshot import Snapshot

__all__ = ["live", "reached", "route_length", "dominated_counts", "flow_days"]


def live(snap: Snapshot) -> tuple[np.ndarray, np.ndarray]:
    """Return boolean masks of the live nodes and live edges of a (what-if) snapshot."""
    node_ok = snap.node_alive & (snap.node_capacity > 0)
    edge_ok = snap.edge_alive & (snap.edge_capacity > 0)
    edge_ok &= node_ok[snap.edge_tail] & node_ok[snap.edge_head]
    return node_ok, edge_ok


def reached(snap: Snapshot, sources: np.ndarray, sinks: np.ndarray, node_ok: np.ndarray,
            edge_ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(sinks reached by some source, sources reaching some sink)`` as masks
    over ``sinks`` and ``sources`` (node indices), over live elements only."""
    n = len(snap.nodes)
    tails, heads = snap.edge_tail[edge_ok], snap.edge_head[edge_ok]
    forward, backward = reach.reached_both_ways(n, tails, heads, sources[node_ok[sources]],
                                                sinks[node_ok[sinks]])
    return forward[sinks] & node_ok[sinks], backward[sources] & node_ok[sources]


def route_length(snap: Snapshot, sources: np.ndarray, sinks: np.ndarray, node_ok: np.ndarray,
                 edge_ok: np.ndarray) -> int | None:
    """Return the shortest live source-to-sink route in integer metres (None if none)."""
    n = len(snap.nodes)
    srcs = sources[node_ok[sources]]
    snks = sinks[node_ok[sinks]]
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
