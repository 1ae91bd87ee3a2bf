"""Interdiction points: the nodes and edges whose loss hurts the pipeline most, and why.

Ranked by flow loss (max flow lost when the element alone is removed), then supply
betweenness, ties broken by id. Uninterdictable elements are left out of the ranking.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from supplynet.engine import impact, reach
from supplynet.numbers import format_number, format_percent
from supplynet.engine.snapshot import Snapshot, compile_network

__all__ = ["rank_points", "sinks_cut_off", "POINT_COLUMNS"]

#: Columns of the ranked table, in order.
POINT_COLUMNS = (
    "rank", "kind", "id", "name", "type", "country", "cost", "flow_loss", "flow_loss_pct",
    "flow_pct", "supply_betweenness", "sinks_cut_off", "reason",
)


def rank_points(
    G: nx.MultiDiGraph | Snapshot,
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    *,
    top: int = 10,
    max_flow: float | None = None,
) -> pd.DataFrame:
    """Return the ``top`` interdiction points, best first, with the reason each ranks.

    Parameters
    ----------
    G : networkx.MultiDiGraph or Snapshot
        The network, compiled for its sources and sinks.
    nodes, edges : pandas.DataFrame
        Per-element tables with ``flow``, ``flow_loss`` and ``supply_betweenness``
        columns, as :func:`supplynet.analysis.report.analyse` builds them.
    top : int
    max_flow : float, optional
        The network's max flow (computed when not given).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`POINT_COLUMNS`; ``kind`` is ``"node"`` or ``"edge"``.
    """
    snap = compile_network(G)
    if max_flow is None:
        max_flow = snap.max_flow_value()
    sources, sinks = list(snap.source_ids), list(snap.sink_ids)
    cand = _candidates(nodes, edges)
    if cand.empty or top <= 0:
        return pd.DataFrame(columns=list(POINT_COLUMNS))
    loss_key = cand["flow_loss"].fillna(-1.0)
    cand = cand.assign(_loss=-loss_key, _sbc=-cand["supply_betweenness"])
    cand = cand.sort_values(["_loss", "_sbc", "id"], kind="mergesort").head(top)
    chosen = list(zip(cand["kind"], cand["id"]))
    cut = sinks_cut_off(snap, chosen)
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
        parts.append(f"removing it cuts {format_percent(row['flow_loss_pct'])} of all flow "
                     f"({format_number(loss)} units)")
    share = _share(row["flow"], max_flow)
    if math.isfinite(share) and share > 0:
        parts.append(f"carries {format_percent(share)} of all flow")
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


def sinks_cut_off(G: nx.MultiDiGraph | Snapshot, elements: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Return, for each ``(kind, id)``, how many sinks no source reaches once it is removed.

    Over the live elements of the network as compiled (its sources and sinks), as
    :mod:`supplynet.analysis.whatif` defines them (an element with capacity 0 connects
    nothing); sinks that no source reaches in the intact network are not counted.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("s", type="manufacturing"); G.add_nodes_from("tu", type="assembly")
    >>> G.add_edges_from([("s", "h", "e1"), ("h", "t", "e2"), ("s", "u", "e3")], length=1)
    ['e1', 'e2', 'e3']
    >>> sinks_cut_off(G, [("node", "h"), ("edge", "e3")])
    {('node', 'h'): 1, ('edge', 'e3'): 1}
    """
    snap = compile_network(G)
    elements = list(elements)
    _, live = impact.live(snap)  # the what-if's live elements: a capacity-0 edge connects nothing
    position = np.full(len(snap.edges), -1, np.int64)
    position[live] = np.arange(int(live.sum()))
    removals = [([snap.node_index[i]], []) if kind == "node" else ([], [position[snap.edge_index[i]]])
                for kind, i in elements]
    counts = reach.cut_off_counts(len(snap.nodes), snap.edge_tail[live], snap.edge_head[live],
                                  snap.sources, snap.sinks, removals)
    return dict(zip(elements, counts))
