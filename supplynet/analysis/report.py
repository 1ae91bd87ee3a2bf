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
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from supplynet._perf import paused_gc
from supplynet._plain import plain
from supplynet._progress import Phases, Progress, phase
from supplynet._version import __version__
from supplynet.analysis.centrality import betweenness, edge_betweenness, edge_supply_betweenness, supply_betweenness
from supplynet.analysis.flow import flow_loss, max_flow, min_edge_cut, min_node_cut
from supplynet.analysis.ranking import rank_points
from supplynet.engine.snapshot import Snapshot, compile_network

__all__ = ["Report", "analyse", "UNLIMITED_MADE_FINITE", "UNLIMITED_STAYS"]

#: ``flow_loss_reason`` where the max flow is unlimited: removing the element makes it finite.
UNLIMITED_MADE_FINITE = "removing it makes the unlimited flow finite"
#: ``flow_loss_reason`` where the max flow is unlimited and stays so without the element.
UNLIMITED_STAYS = "the flow stays unlimited without it"

logger = logging.getLogger(__name__)


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

    def to_dict(self) -> dict[str, Any]:
        """Return the report as plain values: provenance, figures, and one record per row.

        The keys of ``report --format json`` (there rounded to 10 significant digits):
        unlimited and undefined numbers are None.
        """
        tables = {"nodes": self.nodes, "edges": self.edges, "interdiction_points": self.points.set_index("id")}
        records = {key: [{"id": i, **row} for i, row in zip(df.index, df.to_dict("records"))]
                   for key, df in tables.items()}
        return plain({**self.provenance(), "max_flow": self.max_flow, "unlimited_path": self.unlimited_path,
                      "bottleneck_nodes": self.bottleneck_nodes, "min_edge_cut": self.min_edge_cut,
                      "min_node_cut": self.min_node_cut, "notes": self.notes, **records})


def analyse(
    G: nx.MultiDiGraph | Snapshot,
    sources: Any = None,
    sinks: Any = None,
    *,
    top: int = 10,
    betweenness_k: int | str | None = None,
    supply_k: int | str | None = None,
    seed: int = 0,
    all_pairs: bool = True,
    progress: Phases | Progress | None = None,
) -> Report:
    """Return the full interdiction :class:`Report` of a network.

    The one pipeline behind ``report``, ``map`` and ``export``: every figure comes from
    one compiled snapshot. Given the snapshot of a what-if
    (:meth:`~supplynet.engine.snapshot.Snapshot.after`), the report is that of the
    network after it: its tables list the live elements only.

    Parameters
    ----------
    G : networkx.MultiDiGraph or Snapshot
        A network from :func:`supplynet.read_network`, or a compiled snapshot.
    sources, sinks : selector string, iterable of ids, or None
        Default: every ``manufacturing`` node, every ``assembly`` node (a snapshot's own).
    top : int
        How many interdiction points to rank.
    betweenness_k : int or "all", optional
        Sample this many sources for betweenness (default: exact up to the kernel's
        limit, :data:`~supplynet.analysis.centrality.EXACT_LIMIT` nodes).
    supply_k : int or "all", optional
        Sample this many sources for supply betweenness (default: exact up to
        :data:`~supplynet.analysis.centrality.SUPPLY_WORK_LIMIT` sources x (nodes +
        arcs), sampled past it).
    seed : int
        Seed of both samples.
    all_pairs : bool, default True
        Compute all-pairs betweenness (a map does not draw it; then the column is 0 and
        the parameters say ``"not computed"``).
    progress : Phases or callable(done, total), optional
        Told of the long phases: the flow-loss sweep (in elements), supply betweenness
        and betweenness (in sources).

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
        return _analyse(G, sources, sinks, top=top, betweenness_k=betweenness_k, supply_k=supply_k,
                        seed=seed, all_pairs=all_pairs, progress=progress)


def _analyse(G: nx.MultiDiGraph | Snapshot, sources: Any, sinks: Any, *, top: int,
             betweenness_k: int | str | None, supply_k: int | str | None, seed: int, all_pairs: bool,
             progress: Phases | Progress | None) -> Report:
    snap = compile_network(G, sources, sinks).solve()  # the flow and both cuts, side by side
    flow = max_flow(snap)
    ecut = min_edge_cut(snap)
    ncut = min_node_cut(snap)
    loss = flow_loss(snap, elements="both", progress=phase(progress, "flow-loss sweep", "elements"))
    # Each node call computes its edge twin in the same pass; the edge call then reads it.
    sbc = supply_betweenness(snap, k=supply_k, seed=seed,
                             progress=phase(progress, "supply betweenness", "sources"))
    esbc = edge_supply_betweenness(snap, k=supply_k, seed=seed)
    if all_pairs:
        bc = betweenness(snap, k=betweenness_k, seed=seed, progress=phase(progress, "betweenness", "sources"))
        ebc = edge_betweenness(snap, k=betweenness_k, seed=seed)
    else:
        bc = pd.Series(0.0, index=sbc.index)
        ebc = pd.Series(0.0, index=esbc.index)
    n = len(snap.nodes)  # nodes first, then edges (a network may have no edges at all)
    nodes = _node_table(snap, flow, loss.iloc[:n].droplevel(0), sbc, bc)
    edges = _edge_table(snap, flow, loss.iloc[n:].droplevel(0), esbc, ebc)
    path = snap.unlimited_path() if math.isinf(flow.value) else None
    points = rank_points(snap, nodes, edges, top=top, max_flow=flow.value)
    method = ("sampled" if bc.attrs.get("sampled") else "exact") if all_pairs else "not computed"
    params: dict[str, Any] = {
        "top": top,
        "source_selector": sources if isinstance(sources, str) else None,
        "sink_selector": sinks if isinstance(sinks, str) else None,
        "betweenness": {
            "method": method,
            "k": bc.attrs.get("k"),
            "seed": bc.attrs.get("seed") if bc.attrs.get("sampled") else None,
        },
    }
    if sbc.attrs["sampled"]:  # only then, as below: exact reports stay as they were
        params["supply_betweenness"] = {"method": "sampled", "k": sbc.attrs["k"],
                                        "seed": sbc.attrs["seed"], "sources": sbc.attrs["sources"]}
    if snap.rounded:  # only then: a report of exact figures stays byte-identical
        params["rounded"] = list(snap.rounded)
    report = Report(
        network=_network_info(snap),
        sources=list(snap.source_ids),
        sinks=list(snap.sink_ids),
        max_flow=flow.value,
        unlimited_path=None if path is None else [snap.nodes[i] for i in path],
        bottleneck_nodes=sorted(flow.bottleneck_nodes),
        min_edge_cut={"capacity": ecut.capacity, "edges": _cut_edges(snap, ecut.edges)},
        min_node_cut={"cost": ncut.cost, "nodes": list(ncut.nodes)},
        nodes=nodes,
        edges=edges,
        points=points,
        parameters=params,
    )
    report.notes = _notes(report)
    return report


def _network_info(snap: Snapshot) -> dict[str, Any]:
    return {
        "name": snap.meta.get("name"),
        "description": snap.meta.get("description"),
        "source": snap.meta.get("source"),
        "sha256": snap.meta.get("sha256"),
        "nodes": int(snap.node_alive.sum()),
        "edges": int(snap.edge_alive.sum()),
    }


def _pct(value: pd.Series, total: float) -> pd.Series:
    if not math.isfinite(total) or total <= 0:
        return pd.Series(float("nan"), index=value.index)
    return 100.0 * value / total


def _node_table(snap: Snapshot, flow: Any, loss: pd.Series, sbc: pd.Series, bc: pd.Series) -> pd.DataFrame:
    """Return the per-node table, by node id: the live nodes of the snapshot."""
    keep = np.flatnonzero(snap.node_alive)
    ids = [snap.nodes[i] for i in keep]
    pick = (lambda values: values) if len(keep) == len(snap.nodes) else (lambda values: [values[i] for i in keep])
    df = pd.DataFrame(
        {
            "name": pick(snap.node_name),
            "type": pick(snap.node_type),
            "country": pick(snap.node_country),
            "capacity": np.where(np.isinf(snap.node_capacity), np.nan, snap.node_capacity)[keep],
            "cost": np.asarray(snap.node_cost, dtype=float)[keep],
            "interdictable": np.asarray(snap.node_interdictable, dtype=bool)[keep],
        },
        index=pd.Index(ids, name="id"),
    )
    return _with_metrics(df, flow.node_flow, loss, sbc, bc, flow.value)


def _edge_table(snap: Snapshot, flow: Any, loss: pd.Series, esbc: pd.Series, ebc: pd.Series) -> pd.DataFrame:
    """Return the per-edge table, by edge id, from the snapshot's arrays: the live edges."""
    keep = np.flatnonzero(snap.edge_alive)
    ids = [snap.edges[i] for i in keep]
    nodes = np.array(snap.nodes, dtype=object)
    country = np.array(snap.node_country, dtype=object)
    tail, head = snap.edge_tail[keep], snap.edge_head[keep]
    capacity = np.where(np.isinf(snap.edge_capacity), np.nan, snap.edge_capacity)[keep]
    modes = snap.edge_mode if len(keep) == len(snap.edges) else [snap.edge_mode[i] for i in keep]
    df = pd.DataFrame(
        {
            "source": nodes[tail],
            "target": nodes[head],
            "mode": list(modes),
            "capacity": capacity,
            "length_km": snap.edge_length[keep] / 1000.0,
            "cost": np.asarray(snap.edge_cost, dtype=float)[keep],
            "interdictable": np.asarray(snap.edge_interdictable, dtype=bool)[keep],
            "crosses_border": np.asarray(snap.edge_crosses_border, dtype=bool)[keep],
            "country": [_edge_country(a, b) for a, b in zip(country[tail], country[head])],
        },
        index=pd.Index(ids, name="id"),
    )
    return _with_metrics(df, flow.edge_flow, loss, esbc, ebc, flow.value)


def _with_metrics(df: pd.DataFrame, flow: pd.Series, loss: pd.Series, sbc: pd.Series, bc: pd.Series,
                  total: float) -> pd.DataFrame:
    """Return ``df`` with the metric columns, each taken by ``df``'s ids (0 where absent).

    Where the max flow is unlimited no element's flow has a value (NaN: ``null`` in JSON),
    and a ``flow_loss_reason`` column tells the two ways a flow loss has none: the removal
    makes the flow finite (the loss is unlimited) or the flow stays unlimited without it.
    """
    ids = df.index
    unlimited = math.isinf(total)
    df["flow"] = flow.reindex(ids) if unlimited else flow.reindex(ids).fillna(0.0)
    df["betweenness"] = bc.reindex(ids).fillna(0.0)
    df["supply_betweenness"] = sbc.reindex(ids).fillna(0.0)
    df["flow_loss"] = loss.reindex(ids)
    df["flow_loss_pct"] = _pct(df["flow_loss"], total)
    if unlimited:
        reasons = np.where(np.isinf(df["flow_loss"].to_numpy(float)), UNLIMITED_MADE_FINITE, UNLIMITED_STAYS)
        df["flow_loss_reason"] = pd.Series(reasons, index=ids, dtype=object)
    return df


def _edge_country(a: str | None, b: str | None) -> str | None:
    """Return where an edge from country ``a`` to ``b`` runs: ``"Iraq"``, ``"Iraq→Syria"``, or None."""
    if a == b:
        return a
    return f"{a or '?'}→{b or '?'}"


def _cut_edges(snap: Snapshot, ids: list[str]) -> list[dict[str, Any]]:
    """Return the cut's edges by id, with their ends and capacity (looked up, not scanned)."""
    out = []
    for eid in sorted(ids):
        i = snap.edge_index[eid]
        out.append({"id": eid, "source": snap.nodes[snap.edge_tail[i]], "target": snap.nodes[snap.edge_head[i]],
                    "capacity": float(snap.edge_capacity[i])})
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
    for what in r.parameters.get("rounded", ()):
        notes.append(f"The {what} have more decimals than the integer flow kernels can hold at this network's "
                     "totals; they were rounded to the finest unit that fits, so the figures are exact to about "
                     "1e-12 relative, not to the last digit.")
    bet = r.parameters["betweenness"]
    supply = r.parameters.get("supply_betweenness")
    if bet["method"] == "sampled":
        notes.append(
            f"Betweenness is a sampled estimate from {bet['k']:,} source nodes (seed {bet['seed']}); "
            + ("flows are exact." if supply else "supply betweenness and flows are exact.")
        )
    if supply:
        notes.append(
            f"Supply betweenness is an estimate from {supply['k']:,} of the {supply['sources']:,} sources "
            f"(seed {supply['seed']}), scaled up to all of them; flow losses, the first key of the "
            "ranking, are exact. --supply-betweenness-k all computes it exactly "
            "(one shortest-path tree per source)."
        )
    return notes

