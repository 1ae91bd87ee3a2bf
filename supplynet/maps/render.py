"""Offline HTML maps of a supply network and where to cut it.

A map is one self-contained HTML file (Leaflet and supplynet's drawing code inlined, no
tile server, a country basemap from ``datasets/``) that renders with no network at all,
from a few thousand nodes to a million edges. It draws

* nodes as circles coloured by type (a palette safe for colour-blind readers) and sized by
  supply betweenness, edges styled by mode and weighted by carried flow (or capacity);
  uncertain elements (``confidence`` below 1) fainter; on big networks, edges thinned by
  flow and nodes clustered at low zoom;
* the min edge cut, the min node cut and the top interdiction points (numbered call-outs
  that never hide each other or the points they mark); sources, sinks and key nodes
  labelled without collisions; what a what-if struck, crossed out, with the max flow before
  and after in the legend; any number of highlight layers (an interdiction plan, a
  campaign's strike waves);
* popups with every property and metric of a node or edge, tooltips with its name, a title
  box and a legend whose sections fold to fit the window.

The analysis comes in as plain values (:class:`MapResults`), so what-if and plan code can
draw their own results; :func:`analyse_for_map` computes them with the report's pipeline.
The network goes into the page once, as typed arrays in one base64 data block
(:mod:`supplynet.maps.pack`, :mod:`supplynet.maps.blob`): no string from the input is in
the page's text, and folium's Jinja2 pass never sees one. The finished page is checked to
reference nothing on the network.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from supplynet._errors import ScenarioError, SelectorError, SupplynetError
from supplynet._progress import Phases, Progress, phase
from supplynet.io.write import write_atomic
from supplynet.maps.assets import MapSafetyError, find_remote_references
from supplynet.maps.pack import Drawing
from supplynet.network.selectors import element_table, select_elements

__all__ = [
    "MapResults",
    "MapSafetyError",
    "analyse_for_map",
    "render_map",
    "write_map",
    "find_remote_references",
    "plan_layer",
    "resolve_elements",
    "whatif_snapshot",
]

logger = logging.getLogger(__name__)

Element = tuple[str, str]  # ("node" | "edge", id)


@dataclass(frozen=True)
class MapResults:
    """The analysis a map draws, as plain values keyed by node and edge id.

    Every field is optional: a map of a bare network draws nodes and edges only.

    Attributes
    ----------
    sources, sinks : sequence of str
        Node ids of the analysis' sources and sinks.
    supply_betweenness : pandas.Series, optional
        By node id; sizes the node circles.
    edge_flow : pandas.Series, optional
        Flow on each edge at max flow, by edge id; weights the lines.
    node_flow : pandas.Series, optional
        Flow through each node at max flow (not shown when absent).
    min_edge_cut, min_node_cut : sequence of str
        Edge ids and node ids of the two cuts.
    edge_cut_capacity, node_cut_cost : float, optional
        Their totals, shown in the legend.
    top_points : sequence of str or (kind, id)
        Interdiction points, best first (rank 1 first). A bare id is a node when the
        graph has such a node, else an edge.
    max_flow : float, optional
        Max flow of the network as analysed (after any removal).
    max_flow_before : float, optional
        Max flow of the intact network, when something was removed.
    removed_nodes, removed_edges : sequence of str
        What a what-if removed (drawn greyed out).
    notes : sequence of str
        Caveats shown under the legend.
    scenario : str, optional
        Name of the what-if scenario drawn, shown in the legend.
    degraded : mapping of (kind, id) to float
        ``{(kind, id): factor}`` of the capacities the scenario degraded, listed in the legend.
    plan : supplynet.analysis.plan.Plan, optional
        An interdiction plan, drawn on a layer of its own with its cost and the max flow
        before and after it in the legend.
    plan_curve : pandas.DataFrame, optional
        The plan's curve (:attr:`supplynet.analysis.plan.Comparison.curve`: what is left at every
        budget step), drawn as a small chart under the plan in the legend.
    plan_after_whatif : bool
        Whether the plan was made for the network after the what-if (where to strike next,
        given what is already struck) rather than for the intact network; the legend says
        which.
    uncertainty : supplynet.analysis.uncertainty.UncertaintyReport, optional
        Adds each element's expected flow loss, probability of lying in a min cut and rank
        in what to collect next to its popup (:data:`UNCERTAINTY_ROWS`).
    """

    sources: Sequence[str] = ()
    sinks: Sequence[str] = ()
    supply_betweenness: pd.Series | None = None
    edge_flow: pd.Series | None = None
    node_flow: pd.Series | None = None
    min_edge_cut: Sequence[str] = ()
    min_node_cut: Sequence[str] = ()
    edge_cut_capacity: float | None = None
    node_cut_cost: float | None = None
    top_points: Sequence[str | Element] = ()
    max_flow: float | None = None
    max_flow_before: float | None = None
    removed_nodes: Sequence[str] = ()
    removed_edges: Sequence[str] = ()
    notes: Sequence[str] = field(default_factory=tuple)
    scenario: str | None = None
    degraded: Mapping[Element, float] = field(default_factory=dict)
    plan: Any = None
    plan_curve: pd.DataFrame | None = None
    plan_after_whatif: bool = False
    uncertainty: Any = None

    @classmethod
    def from_report(cls, report: Any, **kwargs: Any) -> MapResults:
        """Return the map results of a :class:`supplynet.analysis.report.Report` (``kwargs`` override)."""
        points = [(row.kind, row.id) for row in report.points.itertuples()] if len(report.points) else []
        values: dict[str, Any] = dict(
            sources=list(report.sources),
            sinks=list(report.sinks),
            supply_betweenness=report.nodes["supply_betweenness"],
            edge_flow=report.edges["flow"],
            node_flow=report.nodes["flow"],
            min_edge_cut=[e["id"] for e in report.min_edge_cut["edges"]],
            min_node_cut=list(report.min_node_cut["nodes"]),
            edge_cut_capacity=report.min_edge_cut["capacity"],
            node_cut_cost=report.min_node_cut["cost"],
            top_points=points,
            max_flow=report.max_flow,
            notes=list(report.notes),
        )
        values.update(kwargs)
        return cls(**values)


class _Elements:
    """The ids of a network, for checking ``(kind, id)`` pairs; the selector table when needed.

    A map of a big network mostly checks pairs (ranked points, plan members, what the
    what-if struck), for which a set of edge ids does; the full table of
    :func:`supplynet.network.selectors.element_table` is built only for a selector string.
    """

    def __init__(self, net: Any) -> None:
        self.net = net
        self._table: Any = None
        self._edges: set[str] | None = None

    @property
    def table(self) -> Any:
        if self._table is None:
            self._table = element_table(self.net)
        return self._table

    def has(self, kind: str, ident: str) -> bool:
        if not isinstance(self.net, nx.MultiDiGraph):
            index = self.table.node_index if kind == "node" else self.table.edge_index if kind == "edge" else {}
            return ident in index
        if kind == "node":
            return ident in self.net
        if self._edges is None:
            self._edges = {k for *_, k in self.net.edges(keys=True)}
        return kind == "edge" and ident in self._edges


def resolve_elements(G: Any, ids: Iterable[str | Element], *, what: str = "element") -> list[Element]:
    """Return ``(kind, id)`` for each item: pairs as they are, strings through the selector grammar.

    A string may be an id, ``node:ID`` / ``edge:ID`` or any selector
    (:func:`supplynet.network.selectors.select_elements`); an id that names both a node
    and an edge must say which.

    Raises
    ------
    ScenarioError
        An item names nothing in ``G`` (or is ambiguous).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("a", "b", key="e1")
    'e1'
    >>> resolve_elements(G, ["a", "e1", ("edge", "e1")])
    [('node', 'a'), ('edge', 'e1'), ('edge', 'e1')]
    """
    elements = G if isinstance(G, _Elements) else _Elements(G)
    out: list[Element] = []
    try:
        for item in ids:
            if isinstance(item, tuple):
                kind, ident = item
                if not elements.has(kind, ident):
                    raise SelectorError(f"no {kind} has the id {ident!r}")
                out.append((kind, ident))
                continue
            text = str(item)
            node, edge = elements.has("node", text), elements.has("edge", text)
            if node != edge:  # an exact id wins (docs/selectors.md), and names one element only
                out.append(("node" if node else "edge", text))
                continue
            picked = select_elements(elements.table, text, what="")
            out += [("node", n) for n in picked.nodes] + [("edge", e) for e in picked.edges]
    except SelectorError as exc:
        raise ScenarioError(f"{exc} (in the {what})") from None
    return out


def analyse_for_map(
    G: nx.MultiDiGraph | Any,
    sources: Any = None,
    sinks: Any = None,
    *,
    remove: Iterable[str] = (),
    top: int = 10,
    scenario: Any = None,
) -> MapResults:
    """Return the :class:`MapResults` of a network, after removing ``remove`` (selectors).

    The report's own pipeline (:func:`supplynet.analysis.report.analyse`, all-pairs
    betweenness left out: a map does not draw it), so a map and a report of the same
    network agree. A what-if, given as ``remove`` selectors and/or a
    :class:`supplynet.network.scenarios.Scenario`, is analysed on the snapshot of the
    network after it (:meth:`supplynet.engine.snapshot.Snapshot.after`): the same figures
    ``supplynet whatif`` gives, and ``G`` is never copied or changed.

    Raises
    ------
    ScenarioError
        A ``remove`` entry names nothing.
    SelectorError
        A source or sink selector is malformed or selects nothing.

    Examples
    --------
    >>> G = nx.MultiDiGraph(crs="EPSG:4326", name="tiny")
    >>> for n, t in [("f", "manufacturing"), ("h", "hub"), ("a", "assembly")]:
    ...     G.add_node(n, type=t, name=n.upper(), x=0.0, y=0.0, cost=1.0, interdictable=True)
    >>> _ = G.add_edge("f", "h", key="e1", length=10, capacity=5.0, cost=1.0, interdictable=True)
    >>> _ = G.add_edge("h", "a", key="e2", length=10, capacity=3.0, cost=1.0, interdictable=True)
    >>> r = analyse_for_map(G)
    >>> r.max_flow, list(r.min_edge_cut)
    (3.0, ['e2'])
    >>> r = analyse_for_map(G, remove=["e1"])
    >>> r.max_flow_before, r.max_flow, list(r.removed_edges)
    (3.0, 0.0, ['e1'])
    """
    from supplynet.analysis.report import analyse

    snap, after, what = _whatif(G, sources, sinks, remove, scenario)
    if after is None:
        return MapResults.from_report(analyse(snap, top=top, all_pairs=False), scenario=what["scenario"])
    return MapResults.from_report(analyse(after, top=top, all_pairs=False), max_flow_before=snap.max_flow_value(),
                                  **what)


def whatif_snapshot(G: nx.MultiDiGraph | Any, sources: Any = None, sinks: Any = None, *, remove: Iterable[str] = (),
                    scenario: Any = None) -> Any:
    """Return the snapshot of the network after a what-if (the intact one when it changes nothing).

    The network :func:`analyse_for_map` analyses: plan on it to find where to strike next,
    given what the what-if already struck (and set ``MapResults.plan_after_whatif``).

    Examples
    --------
    >>> G = nx.MultiDiGraph(crs="EPSG:4326", name="tiny")
    >>> for n, t in [("f", "manufacturing"), ("a", "assembly")]:
    ...     G.add_node(n, type=t, name=n, x=0.0, y=0.0, cost=1.0, interdictable=True)
    >>> _ = G.add_edge("f", "a", key="e1", length=10, capacity=5.0, cost=1.0, interdictable=True)
    >>> _ = G.add_edge("f", "a", key="e2", length=10, capacity=3.0, cost=1.0, interdictable=True)
    >>> whatif_snapshot(G, remove=["e1"]).max_flow_value()
    3.0
    """
    snap, after, _ = _whatif(G, sources, sinks, remove, scenario)
    return snap if after is None else after


def _whatif(G: Any, sources: Any, sinks: Any, remove: Iterable[str], scenario: Any) -> tuple[Any, Any, dict[str, Any]]:
    """Return the intact snapshot, the one after the what-if (None when it changes nothing) and
    the what-if's ``MapResults`` fields."""
    from supplynet.engine.snapshot import compile_network

    snap = compile_network(G, sources, sinks)
    removed = resolve_elements(snap, remove, what="--remove list")
    node_factors: dict[str, float] = {}
    edge_factors: dict[str, float] = {}
    name = None
    if scenario is not None:
        name = scenario.name
        removed += list(scenario.removed_elements)
        node_factors, edge_factors = dict(scenario.node_factors), dict(scenario.edge_factors)
        resolve_elements(snap, list(scenario.degraded), what=f"scenario {scenario.name!r}")
    if not removed and not node_factors and not edge_factors:
        return snap, None, {"scenario": name}
    rnodes = sorted({i for k, i in removed if k == "node"})
    redges = sorted({i for k, i in removed if k == "edge"})
    after = snap.after(rnodes, redges, {i: f for i, f in node_factors.items() if i not in rnodes} or None,
                       {i: f for i, f in edge_factors.items() if i not in redges} or None)
    degraded = {**{("node", i): f for i, f in node_factors.items() if i not in rnodes},
                **{("edge", i): f for i, f in edge_factors.items() if i not in redges}}
    return snap, after, {"removed_nodes": rnodes, "removed_edges": redges, "degraded": degraded, "scenario": name}


def plan_layer(plan: Any) -> dict[str, list[Element]]:
    """Return the ``extra_layers`` entry of an interdiction plan: its title and elements."""
    from supplynet.maps.escape import format_value

    title = f"Plan: {plan.method}, budget {format_value(plan.budget)}"
    members = [*(("node", n) for n in plan.selected_nodes), *(("edge", e) for e in plan.selected_edges)]
    return {title: members}


def render_map(
    G: nx.MultiDiGraph,
    results: MapResults | None = None,
    *,
    removed_nodes: Iterable[str] = (),
    removed_edges: Iterable[str] = (),
    extra_layers: Mapping[str, Iterable[str | Element]] | None = None,
    online: bool = False,
    title: str | None = None,
    progress: Phases | Progress | None = None,
) -> str:
    """Return the HTML of a self-contained map of ``G`` and its analysis.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The network (see the graph contract); never changed.
    results : MapResults, optional
        What to draw besides the network (see :func:`analyse_for_map`).
    removed_nodes, removed_edges : iterable of str
        Elements a what-if removed, added to ``results``'; edges at a removed node are
        struck with it.
    extra_layers : mapping of str to iterable of ids, optional
        More layers to highlight, each with its own entry in the layer control, e.g.
        ``{"Plan (budget 10)": ["n1", "e7"]}`` or one layer per strike wave of a campaign.
    online : bool
        Add an OpenStreetMap tile layer (fetched from the network when shown).
    title : str, optional
        The title box's heading (default: the network's name, or its file).
    progress : Phases or Progress, optional
        Told of the phases ``"building layers"`` (nodes and edges packed) and ``"encoding"``.

    Returns
    -------
    str
        A complete HTML page.

    Raises
    ------
    ScenarioError
        An id to remove or highlight names no node or edge.
    MapSafetyError
        The page would reference the network or hold anything but its own scripts.

    Examples
    --------
    >>> G = nx.MultiDiGraph(crs="EPSG:4326", name="tiny")
    >>> G.add_node("f", type="manufacturing", name="F", x=44.0, y=33.0, cost=1.0, interdictable=True)
    >>> G.add_node("a", type="assembly", name="A {{ 7*7 }}", x=40.0, y=35.0, cost=1.0, interdictable=True)
    >>> _ = G.add_edge("f", "a", key="e1", length=400_000, mode="road", capacity=5.0)
    >>> page = render_map(G)
    >>> page.startswith("<!DOCTYPE html>"), "{{" in page, "7*7" in page
    (True, False, False)
    """
    from supplynet.maps.build import build_page

    results = results or MapResults()
    elements = _Elements(G)  # built once: every list below is checked against it
    top = resolve_elements(elements, results.top_points, what="top points")
    layers = dict(extra_layers or {})
    if results.plan is not None:
        layers.update(plan_layer(results.plan))
    extras = {str(name): resolve_elements(elements, ids, what=f"layer {name!r}") for name, ids in layers.items()}
    drawing = _drawing(G, elements, results, removed_nodes, removed_edges, top, extras)
    name = title or G.graph.get("name") or Path(str(G.graph.get("source") or "network")).stem
    return build_page(G, results, drawing, name=str(name), online=online, progress=progress)


def _drawing(G: nx.MultiDiGraph, table: Any, results: MapResults, removed_nodes: Iterable[str],
             removed_edges: Iterable[str], top: list[Element], extras: Mapping[str, list[Element]]) -> Drawing:
    gone_nodes = [("node", str(n)) for n in [*results.removed_nodes, *removed_nodes]]
    gone_edges = [("edge", str(e)) for e in [*results.removed_edges, *removed_edges]]
    rnodes = {i for _, i in resolve_elements(table, gone_nodes, what="removed nodes")}
    redges = {i for _, i in resolve_elements(table, gone_edges, what="removed edges")}
    # An edge at a removed node is gone with it.
    if rnodes:
        redges |= {k for u, v, k in G.edges(keys=True) if u in rnodes or v in rnodes}
    edge_flow = _as_dict(results.edge_flow)
    mf = results.max_flow
    return Drawing(
        sources=set(results.sources), sinks=set(results.sinks),
        sbc=_as_dict(results.supply_betweenness), node_flow=_as_dict(results.node_flow), edge_flow=edge_flow,
        node_cut=set(results.min_node_cut), edge_cut=set(results.min_edge_cut), ranks=list(top),
        removed_nodes=rnodes, removed_edges=redges, degraded=dict(results.degraded or {}), extras=dict(extras),
        weight_by_flow=bool(edge_flow) and mf is not None and math.isfinite(mf) and mf > 0,
        node_more=_uncertainty_columns(results.uncertainty, "node"),
        edge_more=_uncertainty_columns(results.uncertainty, "edge"),
    )


#: The popup rows of an uncertainty evaluation (``map --samples``): label, column.
UNCERTAINTY_ROWS = (("expected flow loss (uncertain intelligence)", "expected_flow_loss"),
                    ("probability it lies in a min cut", "p_in_min_cut"),
                    ("collect next: rank", "collect_rank"))


def uncertainty_note(unc: Any) -> str:
    """Return the legend's line on an uncertainty evaluation: the expected max flow and how it was found."""
    from supplynet.numbers import format_number

    how = ("every outcome enumerated" if unc.method == "exact"
           else f"{unc.samples:,} scenarios sampled, seed {unc.seed}")
    interval = unc.expected_max_flow_interval
    ci = "" if interval is None else f" (95% interval {format_number(interval[0])} to {format_number(interval[1])})"
    return (f"Uncertain intelligence: expected max flow {format_number(unc.expected_max_flow)}{ci} of "
            f"{format_number(unc.max_flow)} as given, {unc.uncertain:,} uncertain elements, {how}; each popup "
            "gives the element's expected flow loss, probability of lying in a min cut and rank in what to "
            "collect next.")


def _uncertainty_columns(unc: Any, kind: str) -> dict[str, dict[str, float]]:
    """Return an uncertainty report's popup columns for nodes or edges ({} without one)."""
    if unc is None:
        return {}
    table = unc.nodes if kind == "node" else unc.edges
    out: dict[str, dict[str, float]] = {label: _as_dict(table[col]) for label, col in UNCERTAINTY_ROWS[:2]}
    out[UNCERTAINTY_ROWS[2][0]] = dict(unc.collect_ranks(kind))
    return out


def _as_dict(series: pd.Series | Mapping[str, float] | None) -> dict[str, float]:
    if series is None:
        return {}
    if isinstance(series, pd.Series):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        keep = ~np.isnan(values)
        return dict(zip(series.index[keep].astype(str).tolist(), values[keep].tolist()))
    return {str(k): float(v) for k, v in series.items() if v is not None and not pd.isna(v)}


def write_map(
    G: nx.MultiDiGraph,
    path: str | os.PathLike[str],
    results: MapResults | None = None,
    *,
    overwrite: bool = False,
    progress: Phases | Progress | None = None,
    **kwargs: Any,
) -> Path:
    """Write the map of ``G`` to ``path`` atomically and return the path.

    The graph first, as every other function takes it. ``kwargs`` are those of
    :func:`render_map`; ``progress`` is told of its phases, then of ``"writing"`` (bytes).
    The file appears whole or not at all, and an existing file is replaced only with
    ``overwrite``.

    Raises
    ------
    SupplynetError
        ``G`` is not a network graph or ``path`` not a path (e.g. the two swapped).
    OutputError
        ``path`` exists and ``overwrite`` is false, or its folder is missing.
    MapSafetyError
        See :func:`render_map`.
    """
    if not isinstance(G, nx.MultiDiGraph) or not isinstance(path, (str, os.PathLike)):
        got = f"{type(G).__name__} and {type(path).__name__}"
        raise SupplynetError(f"write_map takes the network graph first, then the path: write_map(G, path); got {got}")
    html = render_map(G, results, progress=progress, **kwargs)
    tick = phase(progress, "writing", "bytes")
    size = len(html.encode("utf-8"))
    if tick is not None:
        tick(0, size)
    write_atomic(path, html, overwrite=overwrite)
    if tick is not None:
        tick(size, size)
    logger.info("wrote %s (%.1f MB)", path, size / 1e6)
    return Path(path)
