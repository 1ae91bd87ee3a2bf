"""Offline HTML maps of a supply network and where to cut it.

A map is one self-contained HTML file (Leaflet and jQuery inlined, no tile server, a
country basemap from ``datasets/``) that renders with no network at all. It draws

* nodes as circles coloured by type and sized by supply betweenness, edges as lines styled
  by mode and weighted by carried flow (or capacity): one folium GeoJson layer per node
  type and per edge mode, drawn on a canvas (``prefer_canvas``);
* the min edge cut, the min node cut and the top interdiction points (numbered by rank)
  on layers of their own; what a what-if removed, greyed out, with the max flow before
  and after in the legend; any ``extra_layers`` (e.g. an interdiction plan);
* popups with every property and metric of a node or edge, tooltips with its name, a
  legend and a title box with the network's name, sources, sinks and notional-data note.

The analysis comes in as plain values (:class:`MapResults`), so what-if and plan code can
draw their own results; :func:`analyse_for_map` computes them with the report's kernels.
Every string from the network is escaped with :func:`supplynet.maps.escape.escape_text` before
it reaches folium (whose Jinja2 second pass would otherwise run ``{{ ... }}`` found in a
property), and the finished page is checked to reference nothing on the network.
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
import pandas as pd

from supplynet._errors import ScenarioError
from supplynet.maps.assets import MapSafetyError, find_remote_references
from supplynet.maps.features import Context
from supplynet.io.write import write_atomic

__all__ = [
    "MapResults",
    "MapSafetyError",
    "analyse_for_map",
    "render_map",
    "write_map",
    "find_remote_references",
    "plan_layer",
    "resolve_elements",
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
        Flow through each node; derived from ``edge_flow`` when absent.
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
    degraded : mapping of str to float
        ``{id: factor}`` of the capacities the scenario degraded, listed in the legend.
    plan : supplynet.analysis.plan.Plan, optional
        An interdiction plan, drawn on a layer of its own with its cost and the max flow
        before and after it in the legend.
    plan_curve : pandas.DataFrame, optional
        The plan's curve (:attr:`supplynet.analysis.plan.Comparison.curve`: what is left at every
        budget step), drawn as a small chart under the plan in the legend.
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
    degraded: Mapping[str, float] = field(default_factory=dict)
    plan: Any = None
    plan_curve: pd.DataFrame | None = None

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


def resolve_elements(G: nx.MultiDiGraph, ids: Iterable[str | Element], *, what: str = "element") -> list[Element]:
    """Return ``(kind, id)`` for each id: a node when ``G`` has that node, else an edge.

    Raises
    ------
    ScenarioError
        Some ids name neither a node nor an edge of ``G``.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("a", "b", key="e1")
    'e1'
    >>> resolve_elements(G, ["a", "e1", ("edge", "e1")])
    [('node', 'a'), ('edge', 'e1'), ('edge', 'e1')]
    """
    keys = {k for _, _, k in G.edges(keys=True)}
    out: list[Element] = []
    unknown = []
    for item in ids:
        kind, ident = item if isinstance(item, tuple) else (None, str(item))
        if kind is None:
            kind = "node" if ident in G else "edge" if ident in keys else None
        if kind is None or (kind == "node" and ident not in G) or (kind == "edge" and ident not in keys):
            unknown.append(ident)
            continue
        out.append((kind, ident))
    if unknown:
        shown = ", ".join(repr(u) for u in sorted(set(unknown))[:10])
        raise ScenarioError(f"no node or edge has the id {shown} (in the {what})")
    return out


def analyse_for_map(
    G: nx.MultiDiGraph,
    sources: Any = None,
    sinks: Any = None,
    *,
    remove: Iterable[str] = (),
    top: int = 10,
    scenario: Any = None,
) -> MapResults:
    """Return the :class:`MapResults` of a network, after removing ``remove`` (node or edge ids).

    Runs the same kernels and ranking as ``supplynet report`` (so the map and the report
    agree) on the network without the removed elements, and the max flow of the intact
    network for the what-if's before/after. ``G`` is never changed. A
    :class:`supplynet.network.scenarios.Scenario` given as ``scenario`` adds its removals and
    degrades capacities by its factors (on a copy), as ``supplynet whatif`` does.

    Raises
    ------
    ScenarioError
        An id in ``remove`` names no node or edge.
    SelectorError
        A selector is malformed or selects nothing.

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
    from supplynet.maps.analysis import kernel_results
    from supplynet.analysis.flow import max_flow
    from supplynet.network.selectors import resolve_endpoints

    removed = resolve_elements(G, remove, what="--remove list")
    degraded: dict[str, float] = {}
    if scenario is not None:
        removed += [*(("node", n) for n in scenario.remove_nodes), *(("edge", e) for e in scenario.remove_edges)]
        degraded = dict(scenario.degraded)
        resolve_elements(G, list(degraded), what=f"scenario {scenario.name!r}")
    src, snk = resolve_endpoints(G, sources, sinks)
    if not removed and not degraded:
        return MapResults(**kernel_results(G, src, snk, top=top),
                          scenario=scenario.name if scenario is not None else None)
    rnodes = sorted({i for k, i in removed if k == "node"})
    redges = sorted({i for k, i in removed if k == "edge"})
    what_if = {"max_flow_before": max_flow(G, src, snk).value,
               "removed_nodes": rnodes, "removed_edges": redges, "degraded": degraded,
               "scenario": scenario.name if scenario is not None else None}
    H = _without(G, rnodes, redges)
    _degrade(H, degraded)
    src, snk = [s for s in src if s in H], [t for t in snk if t in H]
    if not src or not snk:
        note = "The removal takes out every source or every sink: nothing flows."
        return MapResults(sources=src, sinks=snk, max_flow=0.0, notes=[note], **what_if)
    return MapResults(**{**kernel_results(H, src, snk, top=top), **what_if})


def _without(G: nx.MultiDiGraph, nodes: list[str], edges: list[str]) -> nx.MultiDiGraph:
    """Return a copy of ``G`` without these nodes (and their edges) and edges."""
    gone = set(edges)
    H = G.copy()
    H.remove_edges_from([(u, v, k) for u, v, k in G.edges(keys=True) if k in gone])
    H.remove_nodes_from(nodes)
    return H


def _degrade(H: nx.MultiDiGraph, factors: Mapping[str, float]) -> None:
    """Multiply capacities of the copy ``H`` by their factors (unlimited stays so above 0)."""
    keys = {k: (u, v) for u, v, k in H.edges(keys=True)}
    for ident, factor in factors.items():
        data = H.nodes[ident] if ident in H else H.edges[(*keys[ident], ident)]
        cap = data.get("capacity", math.inf)
        if factor == 0:
            data["capacity"] = 0.0
        elif math.isfinite(cap):
            data["capacity"] = cap * factor


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
        greyed out with it.
    extra_layers : mapping of str to iterable of ids, optional
        More layers to highlight, e.g. ``{"Plan (budget 10)": ["n1", "e7"]}``.
    online : bool
        Add an OpenStreetMap tile layer (fetched from the network when shown).
    title : str, optional
        The title box's heading (default: the network's name, or its file).

    Returns
    -------
    str
        A complete HTML page.

    Raises
    ------
    ScenarioError
        An id to remove or highlight names no node or edge.
    MapSafetyError
        The page would reference the network or pass template syntax to folium.

    Examples
    --------
    >>> G = nx.MultiDiGraph(crs="EPSG:4326", name="tiny")
    >>> G.add_node("f", type="manufacturing", name="F", x=44.0, y=33.0, cost=1.0, interdictable=True)
    >>> G.add_node("a", type="assembly", name="A {{ 7*7 }}", x=40.0, y=35.0, cost=1.0, interdictable=True)
    >>> _ = G.add_edge("f", "a", key="e1", length=400_000, mode="road", capacity=5.0)
    >>> page = render_map(G)
    >>> page.startswith("<!DOCTYPE html>"), "{{" in page, "7*7" in page
    (True, False, True)
    """
    from supplynet.maps.build import build_page

    results = results or MapResults()
    top = resolve_elements(G, results.top_points, what="top points")
    layers = dict(extra_layers or {})
    if results.plan is not None:
        layers.update(plan_layer(results.plan))
    extras = {str(name): resolve_elements(G, ids, what=f"layer {name!r}") for name, ids in layers.items()}
    ctx = _context(G, results, removed_nodes, removed_edges, top, extras)
    points = [(rank, kind, ident) for rank, (kind, ident) in enumerate(top, start=1)]
    name = title or G.graph.get("name") or Path(str(G.graph.get("source") or "network")).stem
    return build_page(G, results, ctx, points, extras, name=str(name), online=online)


def _context(G: nx.MultiDiGraph, results: MapResults, removed_nodes: Iterable[str], removed_edges: Iterable[str],
             top: list[Element], extras: Mapping[str, list[Element]]) -> Context:
    gone_nodes = [("node", str(n)) for n in [*results.removed_nodes, *removed_nodes]]
    gone_edges = [("edge", str(e)) for e in [*results.removed_edges, *removed_edges]]
    rnodes = {i for _, i in resolve_elements(G, gone_nodes, what="removed nodes")}
    redges = {i for _, i in resolve_elements(G, gone_edges, what="removed edges")}
    # An edge at a removed node is gone with it.
    redges |= {k for u, v, k in G.edges(keys=True) if u in rnodes or v in rnodes}
    edge_flow = _as_dict(results.edge_flow)
    node_flow = _as_dict(results.node_flow) if results.node_flow is not None else _node_flow(G, edge_flow)
    extra: dict[Element, list[str]] = {}
    for name, members in extras.items():
        for element in members:
            extra.setdefault(element, []).append(name)
    mf = results.max_flow
    return Context(
        sources=set(results.sources), sinks=set(results.sinks),
        sbc=_as_dict(results.supply_betweenness), node_flow=node_flow, edge_flow=edge_flow,
        node_cut=set(results.min_node_cut), edge_cut=set(results.min_edge_cut),
        ranks={e: r for r, e in enumerate(top, start=1)},
        removed_nodes=rnodes, removed_edges=redges, extra=extra,
        weight_by_flow=bool(edge_flow) and mf is not None and math.isfinite(mf) and mf > 0,
        node_count=G.number_of_nodes(),
    )


def _as_dict(series: pd.Series | Mapping[str, float] | None) -> dict[str, float]:
    if series is None:
        return {}
    items = series.items()
    return {str(k): float(v) for k, v in items if v is not None and not pd.isna(v)}


def _node_flow(G: nx.MultiDiGraph, edge_flow: Mapping[str, float]) -> dict[str, float]:
    """Return the flow through each node: the larger of what enters and what leaves it."""
    if not edge_flow:
        return {}
    into: dict[str, float] = {}
    out: dict[str, float] = {}
    for u, v, k in G.edges(keys=True):
        f = edge_flow.get(k, 0.0)
        out[u] = out.get(u, 0.0) + f
        into[v] = into.get(v, 0.0) + f
    return {n: max(into.get(n, 0.0), out.get(n, 0.0)) for n in G.nodes}


def write_map(
    path: str | os.PathLike[str],
    G: nx.MultiDiGraph,
    results: MapResults | None = None,
    *,
    overwrite: bool = False,
    **kwargs: Any,
) -> Path:
    """Write the map of ``G`` to ``path`` atomically and return the path.

    ``kwargs`` are those of :func:`render_map`. The file appears whole or not at all, and
    an existing file is replaced only with ``overwrite``.

    Raises
    ------
    OutputError
        ``path`` exists and ``overwrite`` is false, or its folder is missing.
    MapSafetyError
        See :func:`render_map`.
    """
    html = render_map(G, results, **kwargs)
    write_atomic(path, html, overwrite=overwrite)
    logger.info("wrote %s (%d nodes, %d edges, %.1f MB)", path, G.number_of_nodes(),
                G.number_of_edges(), len(html.encode("utf-8")) / 1e6)
    return Path(path)
