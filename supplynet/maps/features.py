"""The GeoJSON layers of a map: escaped popup fields and styles for each node and edge.

Every string from the network reaches a layer through :func:`supplynet.maps.escape.escape_text`
(values, property *names* and layer titles alike). Popup fields use opaque keys
(``f0``, ``f1`` ...) with the escaped property names as labels, so no input can collide
with the keys folium and Leaflet read (``style``) or smuggle syntax in through a key.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import shapely

from supplynet.maps.escape import escape_text

__all__ = ["Context", "LayerData", "node_layers", "edge_layers", "overlay_layers",
           "type_color", "mode_style", "CUT_COLOR", "REMOVED_COLOR", "EXTRA_COLORS"]

#: Colour of the min edge cut and min node cut.
CUT_COLOR = "#e6007e"
#: Colour of what a what-if removed.
REMOVED_COLOR = "#9e9e9e"
#: Colours of extra highlight layers (e.g. an interdiction plan), in turn.
EXTRA_COLORS = ("#00a6a6", "#ffb000", "#3b3bd6", "#2e7d32")

_TYPE_COLORS = {
    "manufacturing": "#c0392b", "assembly": "#6a3d9a", "smuggling": "#1f78b4",
    "storage": "#33a02c", "border_crossing": "#ff7f00", "airfield": "#0b7285",
    "launch": "#b8860b", "checkpoint": "#8c564b",
}
_FALLBACK = ("#17becf", "#bcbd22", "#7f7f7f", "#e377c2", "#8c6d31", "#393b79", "#637939", "#843c39")
_MODE_STYLES = {
    "road": ("#4d4d4d", None), "air": ("#1f78b4", "8 6"), "sea": ("#17a2b8", "2 6"),
    "rail": ("#7f3b08", "12 4 2 4"), "track": ("#a0522d", "4 4"), "convoy": ("#2f4f4f", None),
}
_NO_MODE = "(no mode)"
_COORD_DIGITS = 5  # about a metre: finer adds bytes, not information

_NODE_SCHEMA = ("id", "name", "type", "country", "capacity", "cost", "interdictable",
                "repair_days", "confidence")
_EDGE_SCHEMA = ("id", "source", "target", "mode", "capacity", "length", "cost", "interdictable",
                "crosses_border", "repair_days", "confidence")
_HIDDEN = {"x", "y", "geometry", "length"}


def type_color(node_type: str, types: list[str]) -> str:
    """Return the colour of a node type (known roles fixed, others by sorted position)."""
    if node_type in _TYPE_COLORS:
        return _TYPE_COLORS[node_type]
    others = [t for t in types if t not in _TYPE_COLORS]
    return _FALLBACK[others.index(node_type) % len(_FALLBACK)] if node_type in others else _FALLBACK[0]


def mode_style(mode: str) -> tuple[str, str | None]:
    """Return the colour and dash pattern of an edge mode."""
    return _MODE_STYLES.get(mode, ("#666666", None))


@dataclass
class Context:
    """What the layers need to know besides the graph: metrics, cuts, ranks, removals."""

    sources: set[str] = field(default_factory=set)
    sinks: set[str] = field(default_factory=set)
    sbc: Mapping[str, float] = field(default_factory=dict)
    node_flow: Mapping[str, float] = field(default_factory=dict)
    edge_flow: Mapping[str, float] = field(default_factory=dict)
    node_cut: set[str] = field(default_factory=set)
    edge_cut: set[str] = field(default_factory=set)
    ranks: dict[tuple[str, str], int] = field(default_factory=dict)
    removed_nodes: set[str] = field(default_factory=set)
    removed_edges: set[str] = field(default_factory=set)
    extra: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    weight_by_flow: bool = False
    node_count: int = 0

    def __post_init__(self) -> None:
        # Thousands of nodes at the default circle size would bury each other and the edges.
        self.min_radius = min(4.0, max(2.0, 6.0 - math.log10(max(self.node_count, 1))))
        self.max_sbc = max((v for v in self.sbc.values() if math.isfinite(v)), default=0.0)
        self.max_flow = max((v for v in self.edge_flow.values() if math.isfinite(v)), default=0.0)


@dataclass
class LayerData:
    """One GeoJson layer: its escaped title, features, popup labels and how to draw points."""

    key: str
    group: str
    title: str
    data: dict[str, Any]
    labels: list[str]
    points: str = "circle"  # "circle" or "rank"
    show: bool = True

    @property
    def count(self) -> int:
        """Return the number of features."""
        return len(self.data["features"])


Row = tuple[tuple[str, str], str, Any]  # ((namespace, key), label, value)


def _node_rows(G: nx.MultiDiGraph, n: str, ctx: Context) -> list[Row]:
    """Return a node's popup rows: schema properties, free properties, then its metrics."""
    d = G.nodes[n]
    rows: list[Row] = [(("a", "id"), "id", n)]
    rows += [(("a", k), k, d.get(k, "unlimited" if k == "capacity" else None)) for k in _NODE_SCHEMA[1:]]
    rows.append((("a", "location"), "latitude, longitude", f"{d['y']:.5f}, {d['x']:.5f}"))
    rows += [(("p", k), k, d[k]) for k in sorted(set(d) - set(_NODE_SCHEMA) - _HIDDEN, key=str)]
    role = " and ".join(r for r, s in (("source", ctx.sources), ("sink", ctx.sinks)) if n in s)
    rows += [(("m", "role"), "role", role or None),
             (("m", "sbc"), "supply betweenness", ctx.sbc.get(n)),
             (("m", "flow"), "flow through it at max flow", ctx.node_flow.get(n))]
    return rows + _marks(ctx, "node", n, n in ctx.node_cut, "in the min node cut")


def _edge_rows(G: nx.MultiDiGraph, u: str, v: str, k: str, d: Mapping[str, Any], ctx: Context) -> list[Row]:
    """Return an edge's popup rows: schema properties, free properties, then its metrics."""
    names = G.nodes
    rows: list[Row] = [
        (("a", "id"), "id", k),
        (("a", "source"), "source", f"{names[u].get('name', u)} ({u})"),
        (("a", "target"), "target", f"{names[v].get('name', v)} ({v})"),
        (("a", "mode"), "mode", d.get("mode")),
        (("a", "capacity"), "capacity", d.get("capacity", "unlimited")),
        (("a", "length"), "length (km)", d["length"] / 1000.0 if "length" in d else None),
    ]
    rows += [(("a", key), key, d.get(key)) for key in _EDGE_SCHEMA[6:]]
    rows += [(("p", key), key, d[key]) for key in sorted(set(d) - set(_EDGE_SCHEMA) - _HIDDEN, key=str)]
    rows.append((("m", "flow"), "flow at max flow", ctx.edge_flow.get(k)))
    return rows + _marks(ctx, "edge", k, k in ctx.edge_cut, "in the min edge cut")


def _marks(ctx: Context, kind: str, ident: str, in_cut: bool, cut_label: str) -> list[Row]:
    rank = ctx.ranks.get((kind, ident))
    removed = ident in (ctx.removed_nodes if kind == "node" else ctx.removed_edges)
    return [
        (("m", "cut"), cut_label, "yes" if in_cut else None),
        (("m", "rank"), "interdiction rank", f"#{rank}" if rank else None),
        (("m", "removed"), "what-if", "removed" if removed else None),
        (("m", "extra"), "highlighted in", ", ".join(ctx.extra.get((kind, ident), [])) or None),
    ]


class _Collector:
    """Collects features whose popups share one list of fields (a layer)."""

    def __init__(self) -> None:
        self.keys: dict[tuple[str, str], int] = {}
        self.labels: list[str] = []
        self.features: list[dict[str, Any]] = []

    def add(self, geometry: dict[str, Any], rows: list[Row], tip: str, style: dict[str, Any],
            extra: Mapping[str, Any] | None = None) -> None:
        props: dict[str, Any] = {"t": escape_text(tip), "style": style, **(extra or {})}
        for key, label, value in rows:
            if key not in self.keys:
                self.keys[key] = len(self.labels)
                self.labels.append(escape_text(label))
            text = escape_text(value) if value is not None else ""
            props[f"f{self.keys[key]}"] = text or None
        self.features.append({"type": "Feature", "geometry": geometry, "properties": props})

    def layer(self, key: str, group: str, title: str, **kw: Any) -> LayerData:
        # Every feature gets every field (null when absent): folium's popup reads them all.
        fields = [f"f{i}" for i in range(len(self.labels))]
        for feat in self.features:
            props = feat["properties"]
            for f in fields:
                props.setdefault(f, None)
        data = {"type": "FeatureCollection", "features": self.features}
        return LayerData(key, group, escape_text(title), data, self.labels, **kw)


def _point(G: nx.MultiDiGraph, n: str) -> dict[str, Any]:
    d = G.nodes[n]
    return {"type": "Point", "coordinates": [round(d["x"], _COORD_DIGITS), round(d["y"], _COORD_DIGITS)]}


def _line_coords(G: nx.MultiDiGraph, u: str, v: str, d: Mapping[str, Any]) -> list[list[float]]:
    geom = d.get("geometry")
    if geom is None or geom.is_empty:
        pts = [(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])]
    else:
        pts = shapely.get_coordinates(geom).tolist()
    return [[round(x, _COORD_DIGITS), round(y, _COORD_DIGITS)] for x, y in pts]


def _radius(n: str, ctx: Context) -> float:
    """Return a node's circle radius in pixels: its area grows with supply betweenness."""
    value = ctx.sbc.get(n, 0.0)
    if ctx.max_sbc <= 0 or not math.isfinite(value):
        return ctx.min_radius + 1.0
    return round(ctx.min_radius + 14.0 * math.sqrt(max(value, 0.0) / ctx.max_sbc), 2)


def _node_style(n: str, color: str, ctx: Context) -> dict[str, Any]:
    if n in ctx.removed_nodes:
        return {"radius": _radius(n, ctx), "color": "#616161", "fillColor": REMOVED_COLOR,
                "fillOpacity": 0.35, "weight": 1, "opacity": 0.8, "dashArray": "3 3", "fill": True}
    ring = n in ctx.sources or n in ctx.sinks
    return {"radius": _radius(n, ctx), "color": "#111111" if ring else "#ffffff", "fillColor": color,
            "fillOpacity": 0.9, "weight": 2 if ring else 1, "opacity": 1.0, "fill": True}


def _edge_weight(k: str, d: Mapping[str, Any], ctx: Context, max_cap: float) -> float:
    """Return a line width in pixels, from the flow carried (or the capacity, unlimited widest)."""
    if ctx.weight_by_flow and ctx.max_flow > 0:
        flow = ctx.edge_flow.get(k, 0.0)
        share = flow / ctx.max_flow if math.isfinite(flow) else 1.0
    else:
        cap = d.get("capacity", math.inf)
        share = 1.0 if not math.isfinite(cap) or max_cap <= 0 else cap / max_cap
    return round(1.0 + 7.0 * math.sqrt(max(share, 0.0)), 2)


def _edge_style(k: str, d: Mapping[str, Any], ctx: Context, max_cap: float) -> dict[str, Any]:
    color, dash = mode_style(d.get("mode") or _NO_MODE)
    style: dict[str, Any] = {"color": color, "weight": _edge_weight(k, d, ctx, max_cap), "opacity": 0.75}
    if k in ctx.removed_edges:
        style.update(color=REMOVED_COLOR, opacity=0.6, dashArray="4 6")
    elif dash:
        style["dashArray"] = dash
    if ctx.weight_by_flow and ctx.edge_flow.get(k, 0.0) == 0:
        style["opacity"] = min(style["opacity"], 0.45)
    return style


def node_layers(G: nx.MultiDiGraph, ctx: Context) -> list[LayerData]:
    """Return one layer per node type (sorted), big circles first so small ones stay clickable."""
    types = sorted({str(d.get("type")) for _, d in G.nodes(data=True)})
    layers = []
    for i, node_type in enumerate(types):
        nodes = [n for n, d in G.nodes(data=True) if str(d.get("type")) == node_type]
        nodes.sort(key=lambda n: -_radius(n, ctx))
        col = _Collector()
        color = type_color(node_type, types)
        for n in nodes:
            col.add(_point(G, n), _node_rows(G, n, ctx), str(G.nodes[n].get("name", n)),
                    _node_style(n, color, ctx))
        layers.append(col.layer(f"nodes/{i}", "nodes", f"Nodes: {node_type} ({len(nodes)})"))
    return layers


def edge_layers(G: nx.MultiDiGraph, ctx: Context) -> list[LayerData]:
    """Return one layer per edge mode (sorted; edges without a mode together)."""
    edges = list(G.edges(keys=True, data=True))
    caps = [d["capacity"] for *_, d in edges if math.isfinite(d.get("capacity", math.inf))]
    max_cap = max(caps, default=0.0)
    modes = sorted({d.get("mode") or _NO_MODE for *_, d in edges})
    layers = []
    for i, mode in enumerate(modes):
        col = _Collector()
        chosen = [e for e in edges if (e[3].get("mode") or _NO_MODE) == mode]
        for u, v, k, d in chosen:
            col.add({"type": "LineString", "coordinates": _line_coords(G, u, v, d)},
                    _edge_rows(G, u, v, k, d, ctx), _edge_tip(G, u, v, d), _edge_style(k, d, ctx, max_cap))
        layers.append(col.layer(f"edges/{i}", "edges", f"Edges: {mode} ({len(chosen)})"))
    return layers


def _edge_tip(G: nx.MultiDiGraph, u: str, v: str, d: Mapping[str, Any]) -> str:
    mode = f" ({d['mode']})" if d.get("mode") else ""
    return f"{G.nodes[u].get('name', u)} \u2192 {G.nodes[v].get('name', v)}{mode}"


def _element(G: nx.MultiDiGraph, kind: str, ident: str,
             index: Mapping[str, tuple[str, str, dict[str, Any]]]) -> tuple[Any, ...]:
    if kind == "node":
        return (_point(G, ident), G.nodes[ident].get("name", ident))
    u, v, d = index[ident]
    return ({"type": "LineString", "coordinates": _line_coords(G, u, v, d)}, _edge_tip(G, u, v, d))


def _highlight(G: nx.MultiDiGraph, ctx: Context, elements: Iterable[tuple[str, str]], color: str,
               index: Mapping[str, tuple[str, str, dict[str, Any]]], *, dash: str | None) -> _Collector:
    """Return features outlining these elements (rings round nodes, wide dashed lines over edges)."""
    col = _Collector()
    for kind, ident in elements:
        geom, tip = _element(G, kind, ident, index)
        if kind == "node":
            style = {"radius": _radius(ident, ctx) + 5, "color": color, "weight": 3, "fill": False,
                     "opacity": 1.0}
            rows = _node_rows(G, ident, ctx)
        else:
            u, v, d = index[ident]
            style = {"color": color, "weight": 9, "opacity": 0.85, "lineCap": "butt"}
            style.update({"dashArray": dash} if dash else {})
            rows = _edge_rows(G, u, v, ident, d, ctx)
        col.add(geom, rows, str(tip), style)
    return col


def overlay_layers(G: nx.MultiDiGraph, ctx: Context, extra_layers: Mapping[str, list[tuple[str, str]]],
                   points: list[tuple[int, str, str]]) -> list[LayerData]:
    """Return the min edge cut, min node cut, top interdiction points and extra highlight layers.

    ``points`` are ``(rank, kind, id)``; ``extra_layers`` maps a title to ``(kind, id)`` pairs.
    """
    index = {k: (u, v, d) for u, v, k, d in G.edges(keys=True, data=True)}
    cuts = [
        _highlight(G, ctx, [("edge", e) for e in sorted(ctx.edge_cut)], CUT_COLOR, index, dash="10 6")
        .layer("cut/edges", "cuts", f"Min edge cut ({len(ctx.edge_cut)} edges)"),
        _highlight(G, ctx, [("node", n) for n in sorted(ctx.node_cut)], CUT_COLOR, index, dash=None)
        .layer("cut/nodes", "cuts", f"Min node cut ({len(ctx.node_cut)} nodes)"),
        _rank_layer(G, ctx, points, index),
    ]
    extras = [
        _highlight(G, ctx, members, EXTRA_COLORS[i % len(EXTRA_COLORS)], index, dash=None)
        .layer(f"extra/{i}", "extra", f"{title} ({len(members)})")
        for i, (title, members) in enumerate(extra_layers.items())
    ]
    return cuts + extras


def _rank_layer(G: nx.MultiDiGraph, ctx: Context, points: list[tuple[int, str, str]],
                index: Mapping[str, tuple[str, str, dict[str, Any]]]) -> LayerData:
    """Return the layer of numbered badges, one per ranked node or edge."""
    col = _Collector()
    for rank, kind, ident in points:
        geom, tip = _element(G, kind, ident, index)
        if kind == "edge":  # the badge sits halfway along the edge
            mid = shapely.LineString(geom["coordinates"]).interpolate(0.5, normalized=True)
            geom = {"type": "Point", "coordinates": [round(mid.x, _COORD_DIGITS), round(mid.y, _COORD_DIGITS)]}
            u, v, d = index[ident]
            rows = _edge_rows(G, u, v, ident, d, ctx)
        else:
            rows = _node_rows(G, ident, ctx)
        col.add(geom, rows, f"#{rank} {tip}", {}, extra={"r": int(rank)})
    return col.layer("points", "points", f"Top interdiction points ({len(points)})", points="rank")
