"""Interdiction points: the nodes and edges whose loss hurts the pipeline most, and why.

Ranked by flow loss (max flow lost when the element alone is removed), then supply
betweenness, ties broken by id. Uninterdictable elements are left out of the ranking.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

if TYPE_CHECKING:
    from supplynet.engine.snapshot import Snapshot

__all__ = ["rank_points", "sinks_cut_off", "unlimited_path", "POINT_COLUMNS"]

#: Columns of the ranked table, in order.
POINT_COLUMNS = (
    "rank", "kind", "id", "name", "type", "country", "cost", "flow_loss", "flow_loss_pct",
    "flow_pct", "supply_betweenness", "sinks_cut_off", "reason",
)


def rank_points(
    G: nx.MultiDiGraph,
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    sources: list[str],
    sinks: list[str],
    *,
    top: int = 10,
    max_flow: float,
    snapshot: Snapshot | None = None,
) -> pd.DataFrame:
    """Return the ``top`` interdiction points, best first, with the reason each ranks.

    Parameters
    ----------
    G : networkx.MultiDiGraph
    nodes, edges : pandas.DataFrame
        Per-element tables with ``flow``, ``flow_loss`` and ``supply_betweenness``
        columns, as :func:`supplynet.analysis.report.analyse` builds them.
    sources, sinks : list of str
    top : int
    max_flow : float
        The network's max flow.
    snapshot : Snapshot, optional
        ``G`` compiled (:func:`supplynet.compile_network`): its arrays spare a walk over
        every edge of ``G``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`POINT_COLUMNS`; ``kind`` is ``"node"`` or ``"edge"``.
    """
    cand = _candidates(nodes, edges)
    if cand.empty or top <= 0:
        return pd.DataFrame(columns=list(POINT_COLUMNS))
    loss_key = cand["flow_loss"].fillna(-1.0)
    cand = cand.assign(_loss=-loss_key, _sbc=-cand["supply_betweenness"])
    cand = cand.sort_values(["_loss", "_sbc", "id"], kind="mergesort").head(top)
    chosen = list(zip(cand["kind"], cand["id"]))
    if snapshot is None:
        cut = sinks_cut_off(G, sources, sinks, chosen)
    else:
        cut = _cut_off(len(snapshot.nodes), np.asarray(snapshot.edge_tail), np.asarray(snapshot.edge_head),
                       snapshot.node_index, snapshot.edge_index, sources, sinks, chosen)
    roles = {("node", s): "source" for s in sources} | {("node", t): "sink" for t in sinks}
    rows = []
    for rank, (_, row) in enumerate(cand.iterrows(), start=1):
        lost = cut[(row["kind"], row["id"])]
        rows.append({
            "rank": rank, "kind": row["kind"], "id": row["id"], "name": row["name"],
            "type": row["type"], "country": row["country"], "cost": row["cost"],
            "flow_loss": row["flow_loss"], "flow_loss_pct": row["flow_loss_pct"],
            "flow_pct": _share(row["flow"], max_flow), "supply_betweenness": row["supply_betweenness"],
            "sinks_cut_off": lost,
            "reason": _reason(row, lost, (len(sources), len(sinks)), max_flow,
                              roles.get((row["kind"], row["id"]))),
        })
    return pd.DataFrame(rows, columns=list(POINT_COLUMNS))


def _candidates(nodes: pd.DataFrame, edges: pd.DataFrame) -> pd.DataFrame:
    n = nodes[nodes["interdictable"]].reset_index()
    n = n.assign(kind="node")[["kind", "id", "name", "type", "country", "cost", "flow", "flow_loss",
                               "flow_loss_pct", "supply_betweenness"]]
    e = edges[edges["interdictable"]].reset_index()
    country = e["country"] if "country" in e.columns else None
    e = e.assign(kind="edge", name=e["source"] + " -> " + e["target"], type=e["mode"].fillna("edge"),
                 country=country)
    e = e[list(n.columns)]
    parts = [x for x in (n, e) if not x.empty]  # concat warns on empty frames
    if not parts:
        return n
    both = pd.concat(parts, ignore_index=True)
    useful = (both["flow_loss"].fillna(0) != 0) | (both["supply_betweenness"] > 0) | both["flow_loss"].isna()
    return both[useful]


def _share(value: float, total: float) -> float:
    if not math.isfinite(total) or total <= 0 or not math.isfinite(value):
        return math.nan
    return 100.0 * value / total


def _reason(row: pd.Series, lost: int, counts: tuple[int, int], max_flow: float, role: str | None) -> str:
    parts = []
    loss = row["flow_loss"]
    if pd.notna(loss) and math.isinf(loss):
        parts.append("removing it makes an unlimited flow finite")
    elif pd.notna(loss) and loss > 0:
        parts.append(f"removing it cuts {row['flow_loss_pct']:.0f}% of all flow ({loss:g} units)")
    share = _share(row["flow"], max_flow)
    if math.isfinite(share) and share > 0:
        parts.append(f"carries {share:.0f}% of all flow")
    if role is not None:
        parts.append(_role_words(role, counts[0] if role == "source" else counts[1]))
    parts += _dependants(lost - (role == "sink"), counts[1], other=role == "sink")
    if row["supply_betweenness"] > 0:
        parts.append(f"on shortest source-sink routes (supply betweenness {row['supply_betweenness']:.2f})")
    return "; ".join(parts) or "no measurable effect"


def _role_words(role: str, count: int) -> str:
    """Return e.g. ``"it is one of the 4 sinks"`` or ``"it is the only source"``."""
    return f"it is the only {role}" if count == 1 else f"it is one of the {count} {role}s"


def _dependants(lost: int, n_sinks: int, *, other: bool) -> list[str]:
    """Return how many (other) sinks lose every source without the element, in words."""
    if lost <= 0:
        return []
    if other:
        return [f"{lost} other sink{'s' if lost != 1 else ''} depend{'s' if lost == 1 else ''} on it"]
    if n_sinks == 1:
        return ["the only sink depends on it"]
    if lost == n_sinks:
        return [f"all {n_sinks} sinks depend on it"]
    return [f"{lost} of {n_sinks} sinks depend{'s' if lost == 1 else ''} on it"]


def sinks_cut_off(
    G: nx.MultiDiGraph, sources: list[str], sinks: list[str], elements: list[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Return, for each ``(kind, id)``, how many sinks no source reaches once it is removed.

    Sinks that no source reaches in the intact network are not counted.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edges_from([("s", "h", "e1"), ("h", "t", "e2"), ("s", "u", "e3")])
    ['e1', 'e2', 'e3']
    >>> sinks_cut_off(G, ["s"], ["t", "u"], [("node", "h"), ("edge", "e3")])
    {('node', 'h'): 1, ('edge', 'e3'): 1}
    """
    index = {n: i for i, n in enumerate(G.nodes)}
    arcs = [(index[u], index[v], k) for u, v, k in G.edges(keys=True)]
    tails = np.array([a[0] for a in arcs], dtype=np.int64)
    heads = np.array([a[1] for a in arcs], dtype=np.int64)
    edge_pos = {a[2]: i for i, a in enumerate(arcs)}
    return _cut_off(len(index), tails, heads, index, edge_pos, sources, sinks, elements)


def _cut_off(n: int, tails: np.ndarray, heads: np.ndarray, node_pos: Mapping[str, int],
             edge_pos: Mapping[str, int], sources: list[str], sinks: list[str],
             elements: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """:func:`sinks_cut_off` on arrays: ``n`` nodes, arcs ``tails -> heads``, id positions."""
    tails = np.concatenate([tails, np.full(len(sources), n, np.int64)])
    heads = np.concatenate([heads, np.array([node_pos[s] for s in sources], dtype=np.int64)])
    sink_idx = np.array([node_pos[t] for t in sinks], dtype=np.int64)
    base = _reached(tails, heads, n, np.ones(len(tails), bool))[sink_idx]
    out = {}
    for kind, ident in elements:
        keep = np.ones(len(tails), bool)
        if kind == "node":
            keep &= (heads != node_pos[ident]) & (tails != node_pos[ident])
        else:
            keep[edge_pos[ident]] = False
        reached = _reached(tails, heads, n, keep)[sink_idx]
        out[(kind, ident)] = int((base & ~reached).sum())
    return out


def _reached(tails: np.ndarray, heads: np.ndarray, n: int, keep: np.ndarray) -> np.ndarray:
    ones = np.ones(int(keep.sum()), dtype=np.int8)
    A = sp.csr_matrix((ones, (tails[keep], heads[keep])), shape=(n + 1, n + 1))
    order = breadth_first_order(A, n, directed=True, return_predecessors=False)
    seen = np.zeros(n + 1, bool)
    seen[order] = True
    return seen[:n]


def unlimited_path(G: nx.MultiDiGraph, sources: list[str], sinks: list[str]) -> list[str] | None:
    """Return a source-to-sink path of unlimited edges and nodes (fewest hops), or None.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("s", "h", key="e1")
    'e1'
    >>> G.add_edge("h", "t", key="e2", capacity=3)
    'e2'
    >>> unlimited_path(G, ["s"], ["t"]) is None
    True
    """
    def open_node(n: str) -> bool:
        return "capacity" not in G.nodes[n]

    targets = set(sinks)
    parent: dict[str, str | None] = {s: None for s in sorted(sources) if open_node(s)}
    queue = deque(parent)
    while queue:
        u = queue.popleft()
        if u in targets:
            path = [u]
            while parent[path[-1]] is not None:
                path.append(parent[path[-1]])  # type: ignore[arg-type]
            return path[::-1]
        for _, v, d in sorted(G.out_edges(u, data=True), key=lambda e: e[1]):
            if v not in parent and "capacity" not in d and open_node(v):
                parent[v] = u
                queue.append(v)
    return None
