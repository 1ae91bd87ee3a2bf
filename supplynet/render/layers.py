"""Results as GIS layers: the network's own features plus every metric, for QGIS or ArcGIS.

:func:`result_layers` joins a :class:`~supplynet.analysis.report.Report` (and optionally an
interdiction :class:`~supplynet.analysis.plan.Plan` and a what-if scenario's after-state) onto the
network's nodes and edges; :func:`export_layers` runs those analyses and joins in one
call. This module spells the layers (:func:`geojson_text`; :meth:`Layers.table`, the
columns a GeoPackage or GeoParquet holds; the provenance as metadata items and a
description); :mod:`supplynet.io.layers` writes them to files (:func:`write_layers`,
re-exported here).

Every layer has an ``id`` column, the network's properties (an unlimited ``capacity`` is
null) and the metric columns :data:`NODE_METRICS` / :data:`EDGE_METRICS`, rounded to 10
significant digits exactly as ``report --format json`` rounds them. Output is
deterministic: rows sorted by id, keys sorted, so the same command gives byte-identical
files. GeoJSON is one FeatureCollection of nodes then edges (a ``kind`` property tells
which), its provenance top-level foreign members (RFC 7946, section 6.1).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import pandas as pd

from supplynet.render.encode import dumps, encode_line, json_ready
from supplynet.numbers import clean_real
from supplynet.io.layers import EXPORT_FORMATS, export_format, split_paths, write_layers
from supplynet.network.graph import graph_to_gdfs
from supplynet._progress import Phases, phase
from supplynet.analysis.report import Progress, Report, analyse

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "EXPORT_FORMATS",
    "NODE_METRICS",
    "EDGE_METRICS",
    "UNCERTAINTY_COLUMNS",
    "CAMPAIGN_COLUMNS",
    "Layers",
    "export_format",
    "export_layers",
    "geojson_text",
    "result_layers",
    "split_paths",
    "write_layers",
]

logger = logging.getLogger(__name__)

#: Metric columns of the nodes layer, in order.
NODE_METRICS = ("flow", "betweenness", "supply_betweenness", "flow_loss", "flow_loss_pct",
                "in_min_node_cut", "interdiction_rank")
#: Metric columns of the edges layer, in order (``country`` reads e.g. ``Iraq→Syria``).
EDGE_METRICS = ("country", "flow", "betweenness", "supply_betweenness", "flow_loss", "flow_loss_pct",
                "in_min_edge_cut", "interdiction_rank")

_ROUNDED = ("flow", "betweenness", "supply_betweenness", "flow_loss", "flow_loss_pct")
_REAL = (*_ROUNDED, "scenario_factor", "scenario_flow")


@dataclass(frozen=True)
class Layers:
    """The nodes and edges of a network with their metrics, and how they were made.

    Attributes
    ----------
    nodes, edges : geopandas.GeoDataFrame
        Indexed by id (sorted), CRS EPSG:4326; ``kind`` first, then the network's
        properties, then the metric columns (and ``in_plan`` / scenario columns).
    metadata : dict
        JSON-ready provenance: ``supplynet_version``, ``network`` (with ``sha256``),
        ``sources``, ``sinks``, ``parameters``, ``max_flow``, ``plan`` and ``scenario``
        when given, ``generated_at`` when asked for.
    """

    nodes: gpd.GeoDataFrame
    edges: gpd.GeoDataFrame
    metadata: dict[str, Any]

    def geojson(self, which: str = "both") -> str:
        """Return the GeoJSON text of ``"nodes"``, ``"edges"`` or ``"both"`` (:func:`geojson_text`)."""
        return geojson_text(self, which)

    def table(self, which: str) -> gpd.GeoDataFrame:
        """Return the nodes or the edges as columns a GeoPackage or GeoParquet holds: ``id``
        first, each column of one type (mixed or nested values as JSON text)."""
        return _gpkg_frame(getattr(self, which))

    def metadata_items(self) -> dict[str, str]:
        """Return the provenance as flat text items (GDAL metadata)."""
        return _flat(self.metadata)

    def description(self, layer: str) -> str:
        """Return the provenance of ``layer`` as a paragraph (a GeoPackage layer's description)."""
        return _description(self.metadata, layer)


# --- building the layers -------------------------------------------------------------------

def _rounded(values: pd.Series) -> pd.Series:
    """Return floats rounded as the JSON report rounds them; unlimited and missing become NaN."""
    out = [clean_real(v) for v in values.astype(float).tolist()]
    out = [math.nan if v is None else v for v in out]
    return pd.Series(out, index=values.index, dtype=float)


def _ranks(points: pd.DataFrame, kind: str, ids: pd.Index) -> pd.Series:
    ranked = points[points["kind"] == kind]
    lookup = dict(zip(ranked["id"], ranked["rank"]))
    return pd.Series(pd.array([lookup.get(i) for i in ids], dtype="Int64"), index=ids)


def _metrics(table: pd.DataFrame, points: pd.DataFrame, kind: str, cut: list[str],
             columns: tuple[str, ...]) -> pd.DataFrame:
    ids = table.index
    out = pd.DataFrame(index=ids)
    for col in columns:
        if col in _ROUNDED:
            out[col] = _rounded(table[col])
        elif col == "interdiction_rank":
            out[col] = _ranks(points, kind, ids)
        elif col.startswith("in_min_"):
            out[col] = ids.isin(cut)
        else:
            out[col] = table[col].astype(object).where(table[col].notna(), None)
    return out


def _join(base: gpd.GeoDataFrame, extra: pd.DataFrame, kind: str) -> gpd.GeoDataFrame:
    """Return ``kind``, ``base``'s columns, then ``extra``'s; an input property that clashes is kept as ``NAME_input``."""
    import geopandas as gpd

    layer = f"{kind}s"
    clash = [c for c in ("kind", *extra.columns) if c in base.columns]
    for col in clash:
        logger.warning("%s: the input property %r is exported as %r; %r holds supplynet's value",
                       layer, col, f"{col}_input", col)
    base = base.rename(columns={c: f"{c}_input" for c in clash})
    geometry = base.geometry
    out = pd.concat([base.drop(columns=geometry.name), extra.reindex(base.index)], axis=1)
    out.insert(0, "kind", kind)
    return gpd.GeoDataFrame(out, geometry=geometry.to_numpy(), crs=base.crs).rename_axis("id")


def _plan_columns(plan: Any, nodes: pd.Index, edges: pd.Index) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (pd.DataFrame({"in_plan": nodes.isin(plan.selected_nodes)}, index=nodes),
            pd.DataFrame({"in_plan": edges.isin(plan.selected_edges)}, index=edges))


def result_layers(
    G: nx.MultiDiGraph,
    report: Report,
    *,
    plan: Any = None,
    scenario: Any = None,
    scenario_source: dict[str, Any] | None = None,
    uncertainty: Any = None,
    campaign: Any = None,
    campaign_method: str | None = None,
) -> Layers:
    """Return the network's nodes and edges with every metric of ``report`` as columns.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The network the report was made from; never changed.
    report : Report
        From :func:`supplynet.analysis.report.analyse` on ``G``.
    plan : supplynet.analysis.plan.Plan, optional
        Adds a boolean ``in_plan`` column to both layers.
    scenario : supplynet.network.scenarios.Scenario, optional
        Adds its after-state: ``scenario_removed``, ``scenario_factor`` and
        ``scenario_flow`` columns, and a ``scenario`` summary in the metadata.
    scenario_source : dict, optional
        Where the scenario came from (``file``, ``sha256``), recorded with it.
    uncertainty : supplynet.analysis.uncertainty.UncertaintyReport, optional
        Adds :data:`UNCERTAINTY_COLUMNS` (expected flow loss, probability of lying in a
        min cut, rank in what to collect next) and an ``uncertainty`` summary in the metadata.
    campaign : supplynet.analysis.campaign.Campaign, optional
        Adds the schedule of ``campaign_method`` (its first method by default) as
        :data:`CAMPAIGN_COLUMNS`, and the whole schedule in the metadata.

    Returns
    -------
    Layers

    Examples
    --------
    >>> from shapely import LineString
    >>> G = nx.MultiDiGraph(crs="EPSG:4326", name="tiny", sha256="0" * 64)
    >>> for n, t, x, c in [("f", "manufacturing", 44.0, 2.0), ("h", "hub", 45.0, 1.0), ("a", "assembly", 46.0, 2.0)]:
    ...     G.add_node(n, type=t, name=n.upper(), x=x, y=33.0, cost=c, interdictable=True)
    >>> for k, u, v, x, cap in [("e1", "f", "h", 44.0, 5.0), ("e2", "h", "a", 45.0, 3.0)]:
    ...     _ = G.add_edge(u, v, key=k, length=10, capacity=cap, cost=1.0, interdictable=True,
    ...                    geometry=LineString([(x, 33.0), (x + 1, 33.0)]))
    >>> layers = result_layers(G, analyse(G))
    >>> layers.nodes.loc[["h"], ["flow", "flow_loss", "in_min_node_cut", "interdiction_rank"]].to_dict("records")
    [{'flow': 3.0, 'flow_loss': 3.0, 'in_min_node_cut': True, 'interdiction_rank': 3}]
    >>> layers.edges["in_min_edge_cut"].to_dict(), layers.metadata["max_flow"]
    ({'e1': False, 'e2': True}, 3)
    """
    base_nodes, base_edges = graph_to_gdfs(G)
    base_nodes, base_edges = base_nodes.sort_index(), base_edges.sort_index()
    node_extra = _metrics(report.nodes.reindex(base_nodes.index), report.points, "node",
                          report.min_node_cut["nodes"], NODE_METRICS)
    edge_extra = _metrics(report.edges.reindex(base_edges.index), report.points, "edge",
                          [e["id"] for e in report.min_edge_cut["edges"]], EDGE_METRICS)
    metadata = {**report.provenance(), "max_flow": report.max_flow}
    if plan is not None:
        n_plan, e_plan = _plan_columns(plan, base_nodes.index, base_edges.index)
        node_extra, edge_extra = node_extra.join(n_plan), edge_extra.join(e_plan)
        metadata["plan"] = {**plan.to_dict(), "targets": plan.targets, "objective": plan.objective}
    if scenario is not None:
        n_scen, e_scen, meta = _scenario_columns(G, report, scenario, scenario_source, base_nodes.index,
                                                 base_edges.index)
        node_extra, edge_extra = node_extra.join(n_scen), edge_extra.join(e_scen)
        metadata["scenario"] = meta
    if uncertainty is not None:
        n_unc, e_unc = (_uncertainty_columns(uncertainty, kind, index)
                        for kind, index in (("node", base_nodes.index), ("edge", base_edges.index)))
        node_extra, edge_extra = node_extra.join(n_unc), edge_extra.join(e_unc)
        metadata["uncertainty"] = _uncertainty_meta(uncertainty)
    if campaign is not None:
        method = campaign_method or next(iter(campaign.schedules))
        schedule = campaign.schedules[method]
        n_camp, e_camp = (_campaign_columns(schedule, kind, index)
                          for kind, index in (("node", base_nodes.index), ("edge", base_edges.index)))
        node_extra, edge_extra = node_extra.join(n_camp), edge_extra.join(e_camp)
        doc = campaign.to_dict()
        metadata["campaign"] = {**{k: v for k, v in doc.items() if k != "methods"}, "method": method,
                                **doc["methods"][method]}
    nodes = _join(base_nodes, node_extra, "node")
    edges = _join(base_edges, edge_extra, "edge")
    return Layers(nodes=nodes, edges=edges, metadata=json_ready(metadata))


#: Columns an uncertainty evaluation adds (``export --samples``), on nodes and edges alike.
UNCERTAINTY_COLUMNS = ("expected_flow_loss", "expected_flow_loss_low", "expected_flow_loss_high",
                       "expected_strike_loss", "p_in_min_cut", "p_in_min_cut_low", "p_in_min_cut_high",
                       "collect_rank")
#: Columns a campaign adds (``export --campaign-horizon``), on nodes and edges alike.
CAMPAIGN_COLUMNS = ("campaign_first_period", "campaign_back_at_period", "campaign_strikes", "campaign_periods")


def _uncertainty_columns(unc: Any, kind: str, ids: pd.Index) -> pd.DataFrame:
    """Return one element kind's expected losses, min-cut probabilities (intervals NaN when
    exact) and rank in what to collect next (null for elements that are certain)."""
    table = unc.nodes if kind == "node" else unc.edges
    frame = pd.DataFrame(index=ids)
    for name in UNCERTAINTY_COLUMNS[:-1]:
        values = table[name].reindex(ids) if name in table else pd.Series(math.nan, index=ids)
        frame[name] = _rounded(values)
    rank = unc.collect_ranks(kind)  # a road's two directions share one rank
    frame["collect_rank"] = pd.array([rank.get(i) for i in ids], dtype="Int64")
    return frame


def _uncertainty_meta(unc: Any) -> dict[str, Any]:
    keys = ("method", "samples", "scenarios", "seed", "uncertain", "max_flow", "expected_max_flow",
            "expected_max_flow_interval", "max_flow_quantiles", "p_any_flow", "p_any_flow_interval")
    return {k: getattr(unc, k) for k in keys}


def _campaign_columns(schedule: Any, kind: str, ids: pd.Index) -> pd.DataFrame:
    """Return when a schedule strikes each element: the first period struck and when it
    works again (null: not struck, or never repaired), how many strikes, and every strike
    as ``period-back`` pairs joined by ``;`` (``3-`` when it is never repaired)."""
    first: dict[str, Any] = {}
    count: dict[str, int] = {}
    periods: dict[str, list[str]] = {}
    for st in schedule.strikes:
        if st.kind != kind:
            continue
        first.setdefault(st.id, st)
        count[st.id] = count.get(st.id, 0) + 1
        back = "" if st.back_at_period is None else str(st.back_at_period)
        periods.setdefault(st.id, []).append(f"{st.period}-{back}")
    hit = [first.get(i) for i in ids]
    return pd.DataFrame({
        "campaign_first_period": pd.array([None if h is None else h.period for h in hit], dtype="Int64"),
        "campaign_back_at_period": pd.array([None if h is None else h.back_at_period for h in hit], dtype="Int64"),
        "campaign_strikes": pd.array([count.get(i, 0) for i in ids], dtype="Int64"),
        "campaign_periods": pd.array([";".join(periods[i]) if i in periods else None for i in ids], dtype=object),
    }, index=ids)


def _scenario_columns(G: nx.MultiDiGraph, report: Report, scenario: Any, source: dict[str, Any] | None,
                      nodes: pd.Index, edges: pd.Index) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Return the after-state of a what-if scenario per node and edge, and its summary.

    ``scenario_removed`` (an edge at a removed node is removed with it),
    ``scenario_factor`` (capacity multiplier: 1 untouched, 0 removed) and
    ``scenario_flow`` (flow through the element in the max flow after the scenario).
    """
    from supplynet.analysis.whatif import WhatIf
    from supplynet.engine.snapshot import compile_network

    w = WhatIf(compile_network(G, report.sources, report.sinks))
    impact = w.evaluate(scenario)
    after = w.after(scenario)  # the network after the scenario: its flow is the what-if's
    flow = after.max_flow()
    frames = []
    for ids, order, alive, flows, caps, base in (
            (nodes, after.nodes, after.node_alive, flow.node_flow, after.node_capacity, w.snapshot.node_capacity),
            (edges, after.edges, after.edge_alive, flow.edge_flow, after.edge_capacity, w.snapshot.edge_capacity)):
        kind = "node" if order is after.nodes else "edge"
        factors = dict(scenario.node_factors if kind == "node" else scenario.edge_factors)
        gone = ~alive
        frame = pd.DataFrame({
            "scenario_removed": gone,
            "scenario_factor": np.where(gone, 0.0, [factors.get(i, 1.0) for i in order]),
            "scenario_flow": np.where(gone, 0.0, flows),
        }, index=pd.Index(list(order))).reindex(ids)
        frame["scenario_flow"] = _rounded(frame["scenario_flow"])
        frames.append(frame)
    row = impact.row()
    row["min_edge_cut"] = {"capacity": row.pop("min_edge_cut_capacity"), "edges": row.pop("min_edge_cut")}
    meta = {**(source or {}), **row, "description": impact.description or None}
    return frames[0], frames[1], meta


def export_layers(
    G: nx.MultiDiGraph,
    sources: Any = None,
    sinks: Any = None,
    *,
    top: int = 10,
    betweenness_k: int | str | None = None,
    supply_k: int | str | None = None,
    seed: int = 0,
    plan_budget: float | None = None,
    plan_method: str = "optimal",
    plan_targets: str = "both",
    plan_time_limit: float | None = None,
    scenario: Any = None,
    scenario_file: str | os.PathLike[str] | None = None,
    uncertainty: Any = None,
    campaign: Any = None,
    campaign_method: str | None = None,
    generated_at: str | None = None,
    progress: Phases | Progress | None = None,
) -> Layers:
    """Return the result :class:`Layers` of a network: analyse it, plan if asked, join.

    Parameters
    ----------
    G : networkx.MultiDiGraph
    sources, sinks : selector string, iterable of ids, or None
        As for :func:`supplynet.analysis.report.analyse`.
    top, betweenness_k, supply_k, seed
        As for :func:`supplynet.analysis.report.analyse` (``top`` points get an ``interdiction_rank``).
    plan_budget : float, optional
        Also plan interdiction within this budget (:func:`supplynet.analysis.plan.plan_interdiction`)
        and mark the plan in an ``in_plan`` column.
    plan_method, plan_targets, plan_time_limit
        Passed to the planner.
    scenario : supplynet.network.scenarios.Scenario, optional
        Add this what-if scenario's after-state (see :func:`result_layers`).
    scenario_file : path-like, optional
        The file the scenario was read from; its name and SHA-256 go into the metadata.
    uncertainty, campaign, campaign_method : optional
        An :func:`~supplynet.analysis.uncertainty.evaluate_uncertainty` report and a
        :func:`~supplynet.analysis.campaign.campaign` of ``G``, joined as columns (see
        :func:`result_layers`).
    generated_at : str, optional
        A UTC time to record (see :func:`supplynet.io.write.utc_timestamp`); None keeps the
        output byte-identical between runs.
    progress : Phases or callable(done, total), optional
        Told of the analysis' phases, then of the plan and of ``"joining results"``.

    Examples
    --------
    >>> import json, tempfile
    >>> from supplynet import read_network
    >>> path = Path(tempfile.mkdtemp()) / "net.geojson"
    >>> pt = lambda i, t, x: {"type": "Feature", "properties": {"id": i, "type": t},
    ...                       "geometry": {"type": "Point", "coordinates": [x, 33.0]}}
    >>> ed = {"type": "Feature", "geometry": None,
    ...       "properties": {"id": "e1", "source": "f", "target": "a", "capacity": 4}}
    >>> _ = path.write_text(json.dumps({"type": "FeatureCollection",
    ...                                 "features": [pt("f", "manufacturing", 44), pt("a", "assembly", 45), ed]}))
    >>> layers = export_layers(read_network(path), plan_budget=1, plan_method="greedy")
    >>> layers.edges.loc[["e1"], ["flow", "in_min_edge_cut", "in_plan"]].to_dict("records")
    [{'flow': 4.0, 'in_min_edge_cut': True, 'in_plan': False}]
    """
    report = analyse(G, sources, sinks, top=top, betweenness_k=betweenness_k, supply_k=supply_k, seed=seed,
                     progress=progress)
    report.generated_at = generated_at
    plan = None
    if plan_budget is not None:
        from supplynet.analysis.plan import plan_interdiction

        tick = phase(progress, f"{plan_method} plan within budget {plan_budget:g}")
        if tick is not None:
            tick(0, 0)
        plan = plan_interdiction(G, report.sources, report.sinks, budget=plan_budget, method=plan_method,
                                 targets=plan_targets, time_limit=plan_time_limit)
    source = None
    if scenario_file is not None:
        source = {"file": str(scenario_file), "sha256": hashlib.sha256(Path(scenario_file).read_bytes()).hexdigest()}
    tick = phase(progress, "joining results", "layers")
    if tick is not None:
        tick(0, 2)
    layers = result_layers(G, report, plan=plan, scenario=scenario, scenario_source=source, uncertainty=uncertainty,
                           campaign=campaign, campaign_method=campaign_method)
    if tick is not None:
        tick(2, 2)
    return layers


# --- GeoJSON -------------------------------------------------------------------------------

def _value(value: Any, real: bool) -> Any:
    """Return a JSON value (:func:`~supplynet.render.encode.json_ready`); a ``real`` column's
    floats stay floats (105.0), so that GDAL types the field Real whatever the values."""
    if real and isinstance(value, (float, np.floating)):
        return clean_real(value)
    return json_ready(value)


def _features(gdf: gpd.GeoDataFrame) -> Iterator[str]:
    from shapely.geometry import mapping

    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    real = {c: c in _REAL for c in cols}
    for ident, row, geom in zip(gdf.index, gdf[cols].itertuples(index=False, name=None), gdf.geometry):
        props = {"id": ident, **{c: _value(v, real[c]) for c, v in zip(cols, row)}}
        geometry = None if geom is None else mapping(geom)
        feature = {"type": "Feature", "properties": props, "geometry": geometry}
        yield encode_line(feature)


def geojson_text(layers: Layers, which: str = "both") -> str:
    """Return ``"nodes"``, ``"edges"`` or ``"both"`` as one GeoJSON FeatureCollection.

    One feature per line, nodes then edges sorted by id, properties sorted by key; the
    provenance as top-level members before ``features``. A single layer also gets a
    ``name`` member (``nodes`` / ``edges``), which GDAL takes as the layer name.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> pts = gpd.GeoDataFrame({"kind": ["node"], "flow": [2.5]}, index=pd.Index(["a"], name="id"),
    ...                        geometry=[shapely.Point(44, 33)], crs="EPSG:4326")
    >>> print(geojson_text(Layers(pts, pts.iloc[:0], {"supplynet_version": "0"}), "nodes"))
    {"type": "FeatureCollection",
    "name": "nodes",
    "supplynet_version": "0",
    "features": [
    {"geometry": {"coordinates": [44.0, 33.0], "type": "Point"}, "properties": {"flow": 2.5, "id": "a", "kind": "node"}, "type": "Feature"}
    ]}
    <BLANKLINE>
    """
    if which not in ("nodes", "edges", "both"):
        raise ValueError(f"which must be 'nodes', 'edges' or 'both', got {which!r}")
    members = dict(layers.metadata)
    if which != "both":
        members = {"name": which, **members}
    head = ['{"type": "FeatureCollection",']
    head += [f"{encode_line(k)}: {encode_line(v)},"
             for k, v in sorted(members.items()) if k not in ("type", "features")]
    frames = [layers.nodes, layers.edges] if which == "both" else [getattr(layers, which)]
    feats = [f for gdf in frames for f in _features(gdf)]
    return "\n".join([*head, '"features": [', ",\n".join(feats), "]}"]).replace("[\n]}", "[]}") + "\n"


# --- GeoPackage ----------------------------------------------------------------------------

def _gpkg_frame(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy whose every column has one OGR type: mixed or nested values become JSON text."""
    out = gdf.reset_index()
    for col in out.columns:
        if col == out.geometry.name or out[col].dtype != object:
            continue
        values = [v for v in out[col] if v is not None and v is not pd.NA
                  and not (isinstance(v, float) and math.isnan(v))]
        if all(isinstance(v, bool) for v in values):
            out[col] = pd.array([None if v is None or v is pd.NA else bool(v) for v in out[col]], dtype="boolean")
        elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
        elif not all(isinstance(v, str) for v in values):
            out[col] = [v if v is None or isinstance(v, str) else dumps(v, indent=None)
                        for v in out[col]]
    return out


def _flat(meta: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Return nested metadata as flat GDAL metadata items (lists as JSON, None left out)."""
    out: dict[str, str] = {}
    for key, value in meta.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, f"{name}_"))
        elif isinstance(value, list):
            out[name] = encode_line(value)
        elif value is not None:
            out[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return dict(sorted(out.items()))


def _description(meta: dict[str, Any], layer: str) -> str:
    net = meta["network"]
    params = meta["parameters"]
    bet = params["betweenness"]
    lines = [
        f"supplynet {meta['supplynet_version']} results ({layer}) for {net.get('name') or net.get('source')}.",
        f"Input: {net.get('source')}, SHA-256 {net.get('sha256')}.",
        f"Sources: {', '.join(meta['sources']) or 'none'}. Sinks: {', '.join(meta['sinks']) or 'none'}.",
        f"Max flow: {'unlimited' if meta['max_flow'] is None else meta['max_flow']} units per period; "
        f"top {params['top']} interdiction points ranked; betweenness "
        + (f"sampled from {bet['k']} sources (seed {bet['seed']})." if bet["method"] == "sampled" else "exact."),
    ]
    supply = params.get("supply_betweenness")
    if supply:
        lines.append(f"Supply betweenness sampled from {supply['k']:,} of {supply['sources']:,} sources "
                     f"(seed {supply['seed']}), scaled up to all of them.")
    if "plan" in meta:
        plan = meta["plan"]
        lines.append(f"Plan: {plan['method']}, budget {plan['budget']}, selected "
                     f"{', '.join(plan['selected']) or 'nothing'} (column in_plan).")
    if "scenario" in meta:
        scen = meta["scenario"]
        lines.append(f"Scenario: {scen.get('name')}" + (f" from {scen['file']}" if scen.get("file") else "")
                     + f", max flow after {'unlimited' if scen['max_flow_after'] is None else scen['max_flow_after']}"
                     " (columns scenario_removed, scenario_factor, scenario_flow).")
    if "generated_at" in meta:
        lines.append(f"Generated at {meta['generated_at']}.")
    return "\n".join(lines)
