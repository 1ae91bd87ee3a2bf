"""The interdiction report: every analysis of one network gathered into one result.

:func:`analyse` runs the kernels once on a compiled snapshot; :class:`Report` holds the
results keyed by id; :func:`supplynet.render.report.format_report` renders it as text,
Markdown, JSON or CSV. Floats are rounded only there, so the same input always gives
byte-identical output.
"""

from __future__ import annotations

import copy
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from supplynet._version import __version__
from supplynet._perf import paused_gc
from supplynet.analysis.centrality import betweenness, edge_betweenness, edge_supply_betweenness, supply_betweenness
from supplynet.analysis.flow import compile_network, flow_loss, max_flow, min_edge_cut, min_node_cut
from supplynet.analysis.ranking import rank_points, unlimited_path

__all__ = ["Report", "analyse"]

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass
class Report:
    """Everything ``supplynet report`` says about one network.

    Attributes
    ----------
    network : dict
        ``name``, ``description``, ``source``, ``sha256``, ``nodes``, ``edges``.
    sources, sinks : list of str
    max_flow : float
        ``math.inf`` when a source reaches a sink along unlimited capacities.
    unlimited_path : list of str or None
        Such a path (node ids), when there is one.
    bottleneck_nodes : list of str
        Capacitated nodes that bind the max flow (then the min edge cut exceeds it).
    min_edge_cut : dict
        ``capacity`` (inf when unbounded) and ``edges`` (list of dicts).
    min_node_cut : dict
        ``cost`` (inf when no finite cut exists) and ``nodes`` (ids).
    nodes, edges : pandas.DataFrame
        Per-element metrics indexed by id.
    points : pandas.DataFrame
        Ranked interdiction points (nodes and edges), best first.
    parameters : dict
        How the figures were computed: ``top``, the ``source_selector`` and
        ``sink_selector`` given (None = the defaults) and ``betweenness`` (``method``,
        sample size ``k`` and ``seed`` when sampled).
    notes : list of str
        Plain-language caveats (no path, unlimited flow, sampling ...).
    version : str
        The supplynet version that computed it.
    generated_at : str or None
        UTC time the report was made (ISO 8601, e.g. ``2024-05-01T12:00:00Z``); None
        unless asked for, so that equal inputs give byte-identical reports.
    """

    network: dict[str, Any]
    sources: list[str]
    sinks: list[str]
    max_flow: float
    unlimited_path: list[str] | None
    bottleneck_nodes: list[str]
    min_edge_cut: dict[str, Any]
    min_node_cut: dict[str, Any]
    nodes: pd.DataFrame
    edges: pd.DataFrame
    points: pd.DataFrame
    parameters: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    version: str = __version__
    generated_at: str | None = None

    def provenance(self) -> dict[str, Any]:
        """Return what it takes to reproduce the report: version, input, endpoints, parameters.

        Keys: ``supplynet_version``, ``network`` (with the input's ``sha256``),
        ``sources``, ``sinks``, ``parameters`` and, only when set, ``generated_at``.
        """
        out: dict[str, Any] = {
            "supplynet_version": self.version,
            "network": dict(self.network),
            "sources": list(self.sources),
            "sinks": list(self.sinks),
            "parameters": copy.deepcopy(self.parameters),
        }
        if self.generated_at is not None:
            out["generated_at"] = self.generated_at
        return out


def analyse(
    G: nx.MultiDiGraph,
    sources: Any = None,
    sinks: Any = None,
    *,
    top: int = 10,
    betweenness_k: int | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> Report:
    """Return the full interdiction :class:`Report` of a network.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A network from :func:`supplynet.read_network`.
    sources, sinks : selector string, iterable of ids, or None
        Default: every ``manufacturing`` node, every ``assembly`` node.
    top : int
        How many interdiction points to rank.
    betweenness_k : int, optional
        Sample this many sources for betweenness (default: exact up to the kernel's limit).
    seed : int
        Seed of that sample.
    progress : callable(done, total), optional
        Called during the long phases (flow-loss sweep, supply betweenness, betweenness);
        each phase counts from 0 to its own total.

    Examples
    --------
    >>> G = nx.MultiDiGraph(crs="EPSG:4326", name="tiny")
    >>> for n, t, c in [("f", "manufacturing", 2.0), ("h", "hub", 1.0), ("a", "assembly", 2.0)]:
    ...     G.add_node(n, type=t, name=n.upper(), x=0.0, y=0.0, cost=c, interdictable=True)
    >>> _ = G.add_edge("f", "h", key="e1", length=10, capacity=5.0, cost=1.0, interdictable=True)
    >>> _ = G.add_edge("h", "a", key="e2", length=10, capacity=3.0, cost=1.0, interdictable=True)
    >>> r = analyse(G)
    >>> r.max_flow, r.min_edge_cut["capacity"], r.min_node_cut["nodes"]
    (3.0, 3.0, ['h'])
    """
    with paused_gc():  # tables of 100k rows: see supplynet._perf
        return _analyse(G, sources, sinks, top=top, betweenness_k=betweenness_k, seed=seed,
                        progress=progress)


def _analyse(G: nx.MultiDiGraph, sources: Any, sinks: Any, *, top: int, betweenness_k: int | None,
             seed: int, progress: Progress | None) -> Report:
    snap = compile_network(G, sources, sinks)
    flow = max_flow(snap)
    ecut = min_edge_cut(snap)
    ncut = min_node_cut(snap)
    loss = flow_loss(snap, elements="both", progress=progress)
    src, snk = list(snap.source_ids), list(snap.sink_ids)
    # Each node call computes its edge twin in the same pass; the edge call then reads it.
    sbc = supply_betweenness(snap, progress=progress)
    esbc = edge_supply_betweenness(snap)
    bc = betweenness(snap, k=betweenness_k, seed=seed, progress=progress)
    ebc = edge_betweenness(snap, k=betweenness_k, seed=seed)
    nodes = _node_table(G, flow, loss.loc["node"], sbc, bc)
    edges = _edge_table(snap, flow, loss.loc["edge"], esbc, ebc)
    path = unlimited_path(G, src, snk) if math.isinf(flow.value) else None
    points = rank_points(G, nodes, edges, src, snk, top=top, max_flow=flow.value, snapshot=snap)
    params = {
        "top": top,
        "source_selector": sources if isinstance(sources, str) else None,
        "sink_selector": sinks if isinstance(sinks, str) else None,
        "betweenness": {
            "method": "sampled" if bc.attrs.get("sampled") else "exact",
            "k": bc.attrs.get("k"),
            "seed": bc.attrs.get("seed") if bc.attrs.get("sampled") else None,
        },
    }
    report = Report(
        network=_network_info(G, snap),
        sources=src,
        sinks=snk,
        max_flow=flow.value,
        unlimited_path=path,
        bottleneck_nodes=sorted(flow.bottleneck_nodes),
        min_edge_cut={"capacity": ecut.capacity, "edges": _cut_edges(G, snap, ecut.edges)},
        min_node_cut={"cost": ncut.cost, "nodes": list(ncut.nodes)},
        nodes=nodes,
        edges=edges,
        points=points,
        parameters=params,
    )
    report.notes = _notes(report)
    return report


def _network_info(G: nx.MultiDiGraph, snap: Any) -> dict[str, Any]:
    return {
        "name": G.graph.get("name"),
        "description": G.graph.get("description"),
        "source": G.graph.get("source"),
        "sha256": G.graph.get("sha256"),
        "nodes": len(snap.nodes),
        "edges": len(snap.edges),  # G.number_of_edges() walks every edge of a multigraph
    }


def _pct(value: pd.Series, total: float) -> pd.Series:
    if not math.isfinite(total) or total <= 0:
        return pd.Series(float("nan"), index=value.index)
    return 100.0 * value / total


def _node_table(G: nx.MultiDiGraph, flow: Any, loss: pd.Series, sbc: pd.Series, bc: pd.Series) -> pd.DataFrame:
    ids = sorted(G.nodes)
    data = G.nodes
    df = pd.DataFrame(
        {
            "name": [data[n].get("name", n) for n in ids],
            "type": [data[n]["type"] for n in ids],
            "country": [data[n].get("country") for n in ids],
            "capacity": [data[n].get("capacity", float("nan")) for n in ids],
            "cost": [data[n].get("cost", 1.0) for n in ids],
            "interdictable": [bool(data[n].get("interdictable", True)) for n in ids],
        },
        index=pd.Index(ids, name="id"),
    )
    df["flow"] = flow.node_flow.reindex(ids).fillna(0.0)
    df["betweenness"] = bc.reindex(ids).fillna(0.0)
    df["supply_betweenness"] = sbc.reindex(ids).fillna(0.0)
    df["flow_loss"] = loss.reindex(ids)
    df["flow_loss_pct"] = _pct(df["flow_loss"], flow.value)
    return df


def _edge_table(snap: Any, flow: Any, loss: pd.Series, esbc: pd.Series, ebc: pd.Series) -> pd.DataFrame:
    """Return the per-edge table, by edge id, from the snapshot's arrays (fast at 100k edges)."""
    ids = list(snap.edges)
    nodes = np.array(snap.nodes, dtype=object)
    country = np.array(snap._countries, dtype=object)  # by node index, as read from G
    capacity = np.where(np.isinf(snap.edge_capacity), np.nan, snap.edge_capacity)
    df = pd.DataFrame(
        {
            "source": nodes[snap.edge_tail],
            "target": nodes[snap.edge_head],
            "mode": list(snap._modes),
            "capacity": capacity,
            "length_km": snap.edge_length / 1000.0,
            "cost": np.asarray(snap.edge_cost, dtype=float),
            "interdictable": np.asarray(snap.edge_interdictable, dtype=bool),
            "crosses_border": np.asarray(snap._borders, dtype=bool),
            "country": [_edge_country(a, b) for a, b in zip(country[snap.edge_tail], country[snap.edge_head])],
        },
        index=pd.Index(ids, name="id"),
    )
    df["flow"] = flow.edge_flow.reindex(ids).fillna(0.0)
    df["betweenness"] = ebc.reindex(ids).fillna(0.0)
    df["supply_betweenness"] = esbc.reindex(ids).fillna(0.0)
    df["flow_loss"] = loss.reindex(ids)
    df["flow_loss_pct"] = _pct(df["flow_loss"], flow.value)
    return df


def _edge_country(a: str | None, b: str | None) -> str | None:
    """Return where an edge from country ``a`` to ``b`` runs: ``"Iraq"``, ``"Iraq→Syria"``, or None."""
    if a == b:
        return a
    return f"{a or '?'}→{b or '?'}"


def _cut_edges(G: nx.MultiDiGraph, snap: Any, ids: list[str]) -> list[dict[str, Any]]:
    """Return the cut's edges by id, with their ends and capacity (looked up, not scanned)."""
    out = []
    for eid in sorted(ids):
        i = snap.edge_index[eid]
        u, v = snap.nodes[snap.edge_tail[i]], snap.nodes[snap.edge_head[i]]
        out.append({"id": eid, "source": u, "target": v,
                    "capacity": G.edges[u, v, eid].get("capacity", math.inf)})
    return out


def _notes(r: Report) -> list[str]:
    notes = []
    if not r.sources or not r.sinks:
        notes.append("There are no sources or no sinks, so there is nothing to cut.")
    elif r.max_flow == 0:
        notes.append("No source reaches any sink: the max flow is 0 and the cuts are empty.")
    if math.isinf(r.max_flow):
        via = " -> ".join(r.unlimited_path or [])
        notes.append(
            "A source reaches a sink along edges and nodes of unlimited capacity"
            + (f" ({via})" if via else "")
            + ", so the max flow, the min edge cut and every flow loss have no finite value. "
            "Give those elements a capacity to measure them."
        )
    if math.isinf(r.min_node_cut["cost"]):
        notes.append(
            "Every source-to-sink path can avoid interdictable nodes only through uninterdictable "
            "ones, so no node cut exists."
        )
    if r.bottleneck_nodes:
        notes.append(
            "Node capacities bind the max flow at " + ", ".join(r.bottleneck_nodes)
            + ": the min edge cut (which ignores node capacities) is larger than the max flow."
        )
    bet = r.parameters["betweenness"]
    if bet["method"] == "sampled":
        notes.append(
            f"Betweenness is a sampled estimate from {bet['k']} source nodes (seed {bet['seed']}); "
            "supply betweenness and flows are exact."
        )
    return notes

