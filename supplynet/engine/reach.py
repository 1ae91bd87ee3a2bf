"""Reachability over a network's arrays: the one home of breadth-first search.

Every function takes ``n`` nodes and arcs as two index arrays (``tails -> heads``), so it
serves a snapshot's edges, a what-if's live edges or any subset of them alike.

Examples
--------
>>> import numpy as np
>>> tails, heads = np.array([0, 1, 3]), np.array([1, 2, 2])
>>> reached(4, tails, heads, np.array([0])).tolist()
[True, True, True, False]
>>> fewest_hops_path(4, tails, heads, np.array([0]), np.array([2]), np.ones(4, bool))
[0, 1, 2]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

__all__ = ["reached", "reached_both_ways", "cut_off_counts", "fewest_hops_path"]


def reached(n: int, tails: np.ndarray, heads: np.ndarray, roots: np.ndarray) -> np.ndarray:
    """Return the mask of the ``n`` nodes reached from any of ``roots`` along the arcs."""
    roots = np.asarray(roots, np.int64)
    t = np.concatenate([np.asarray(tails, np.int64), np.full(len(roots), n)])
    h = np.concatenate([np.asarray(heads, np.int64), roots])
    graph = sp.csr_array((np.ones(len(t), np.int8), (t, h)), shape=(n + 1, n + 1))
    seen = np.zeros(n + 1, bool)
    seen[breadth_first_order(graph, n, directed=True, return_predecessors=False)] = True
    return seen[:n]


def reached_both_ways(n: int, tails: np.ndarray, heads: np.ndarray, sources: np.ndarray,
                      sinks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(reached from a source, reaching a sink)`` masks of the ``n`` nodes."""
    return reached(n, tails, heads, sources), reached(n, heads, tails, sinks)


def cut_off_counts(n: int, tails: np.ndarray, heads: np.ndarray, sources: np.ndarray, sinks: np.ndarray,
                   removals: Iterable[tuple[np.ndarray, np.ndarray]]) -> list[int]:
    """Return, per ``(node indices, arc positions)`` removal, how many sinks it cuts off.

    A sink is cut off when some source reaches it along the arcs but none does once the
    nodes (with their arcs) and the arcs at those positions are taken out.
    """
    base = reached(n, tails, heads, sources)[sinks]
    out = []
    for nodes, arcs in removals:
        keep = np.ones(len(tails), bool)
        keep[np.asarray(arcs, np.int64)] = False
        gone = np.zeros(n, bool)
        gone[np.asarray(nodes, np.int64)] = True
        keep &= ~gone[tails] & ~gone[heads]
        now = reached(n, tails[keep], heads[keep], np.asarray(sources)[~gone[sources]])[sinks]
        out.append(int((base & ~now).sum()))
    return out


def fewest_hops_path(n: int, tails: np.ndarray, heads: np.ndarray, sources: np.ndarray, sinks: np.ndarray,
                     usable: np.ndarray) -> list[int] | None:
    """Return a path of fewest arcs from a source to a sink through ``usable`` nodes, or None.

    Breadth first from the sources in index order, each node's arcs in head-index order:
    with nodes indexed in sorted id order, ties go to the smaller ids.
    """
    order = np.lexsort((heads, tails))
    tails, heads = np.asarray(tails)[order], np.asarray(heads)[order]
    ptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=ptr[1:])
    targets = np.zeros(n, bool)
    targets[np.asarray(sinks, np.int64)] = True
    parent = {int(s): -1 for s in sorted(np.asarray(sources).tolist()) if usable[s]}
    queue = deque(parent)
    while queue:
        u = queue.popleft()
        if targets[u]:
            path = [u]
            while parent[path[-1]] >= 0:
                path.append(parent[path[-1]])
            return path[::-1]
        for v in heads[ptr[u]:ptr[u + 1]].tolist():
            if v not in parent and usable[v]:
                parent[v] = u
                queue.append(v)
    return None
