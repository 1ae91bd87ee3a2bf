"""The analysis a map draws, from the kernels: flows, cuts, supply betweenness, ranked points.

It runs the same kernels, on one compiled snapshot, and ranks interdiction points with
the same :func:`supplynet.analysis.ranking.rank_points` as ``supplynet report``, so a map and
a report of the same network agree; all-pairs betweenness, which a map does not draw,
is left out.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import pandas as pd

__all__ = ["kernel_results"]


def kernel_results(G: nx.MultiDiGraph, sources: list[str], sinks: list[str], *, top: int) -> dict[str, Any]:
    """Return the fields of :class:`supplynet.maps.render.MapResults` for ``G`` and these endpoints."""
    from supplynet.analysis.centrality import edge_supply_betweenness, supply_betweenness
    from supplynet.analysis.flow import compile_network, flow_loss, max_flow, min_edge_cut, min_node_cut
    from supplynet.analysis.ranking import rank_points

    snap = compile_network(G, sources, sinks)
    flow, ecut, ncut = max_flow(snap), min_edge_cut(snap), min_node_cut(snap)
    loss = flow_loss(snap, elements="both")
    sbc = supply_betweenness(snap)
    nodes = _node_table(G, flow, loss.loc["node"], sbc)
    edges = _edge_table(G, flow, loss.loc["edge"], edge_supply_betweenness(snap))
    src, snk = list(snap.source_ids), list(snap.sink_ids)
    points = rank_points(G, nodes, edges, src, snk, top=top, max_flow=flow.value, snapshot=snap)
    return dict(
        sources=src, sinks=snk, supply_betweenness=sbc, edge_flow=flow.edge_flow, node_flow=flow.node_flow,
        min_edge_cut=list(ecut.edges), min_node_cut=list(ncut.nodes), edge_cut_capacity=ecut.capacity,
        node_cut_cost=ncut.cost, top_points=list(zip(points["kind"], points["id"])), max_flow=flow.value,
        notes=_notes(flow.value, ncut.cost, flow.bottleneck_nodes),
    )


def _pct(value: pd.Series, total: float) -> pd.Series:
    if not math.isfinite(total) or total <= 0:
        return pd.Series(float("nan"), index=value.index)
    return 100.0 * value / total


# The columns rank_points reads, built as supplynet.analysis.report builds its tables.
def _node_table(G: nx.MultiDiGraph, flow: Any, loss: pd.Series, sbc: pd.Series) -> pd.DataFrame:
    ids = sorted(G.nodes)
    data = G.nodes
    df = pd.DataFrame({
        "name": [data[n].get("name", n) for n in ids],
        "type": [data[n]["type"] for n in ids],
        "country": [data[n].get("country") for n in ids],
        "cost": [data[n].get("cost", 1.0) for n in ids],
        "interdictable": [bool(data[n].get("interdictable", True)) for n in ids],
    }, index=pd.Index(ids, name="id"))
    df["flow"] = flow.node_flow.reindex(ids).fillna(0.0)
    df["supply_betweenness"] = sbc.reindex(ids).fillna(0.0)
    df["flow_loss"] = loss.reindex(ids)
    df["flow_loss_pct"] = _pct(df["flow_loss"], flow.value)
    return df


def _edge_table(G: nx.MultiDiGraph, flow: Any, loss: pd.Series, esbc: pd.Series) -> pd.DataFrame:
    rows = sorted((k, u, v, d) for u, v, k, d in G.edges(keys=True, data=True))
    ids = [r[0] for r in rows]
    df = pd.DataFrame({
        "source": [r[1] for r in rows],
        "target": [r[2] for r in rows],
        "mode": [r[3].get("mode") for r in rows],
        "cost": [r[3].get("cost", 1.0) for r in rows],
        "interdictable": [bool(r[3].get("interdictable", True)) for r in rows],
    }, index=pd.Index(ids, name="id"))
    df["flow"] = flow.edge_flow.reindex(ids).fillna(0.0)
    df["supply_betweenness"] = esbc.reindex(ids).fillna(0.0)
    df["flow_loss"] = loss.reindex(ids)
    df["flow_loss_pct"] = _pct(df["flow_loss"], flow.value)
    return df


def _notes(value: float, node_cut_cost: float, bottlenecks: list[str]) -> list[str]:
    notes = []
    if value == 0:
        notes.append("No source reaches any sink: the max flow is 0 and the cuts are empty.")
    if math.isinf(value):
        notes.append("A source reaches a sink along unlimited capacities: the max flow and the "
                     "min edge cut have no finite value.")
    if math.isinf(node_cut_cost):
        notes.append("Only uninterdictable nodes separate the sources from the sinks: no node cut exists.")
    if bottlenecks:
        notes.append("Node capacities bind the max flow at " + ", ".join(sorted(bottlenecks))
                     + ": the min edge cut (which ignores them) is larger than the max flow.")
    return notes
