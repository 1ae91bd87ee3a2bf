"""Pack a network and what a map draws of it into typed arrays and a small JSON header.

Everything the page draws or shows in a popup goes in once, as columns, not one GeoJSON
feature and one popup string per element:

* **nodes**: position (``lon``, ``lat``), type code, flags (:data:`NODE_FLAGS`), circle radius
  (supply betweenness), confidence, and the zoom from which each is drawn on its own
  (:func:`supplynet.maps.lod.node_clusters`), with the clusters of every zoom;
* **segments**, what is drawn: the two directions of a road (arcs between the same two nodes,
  of one mode, with no geometry of their own) share one, drawn once; each has its ends,
  mode, width (flow carried, or capacity), flags, confidence, the zoom it shows from
  (:func:`supplynet.maps.lod.edge_minzoom`) and any inner vertices. Segments are sorted by
  that zoom, then importance, so the page can stop reading a cell's list early;
* **arcs** (edges), grouped by segment, with their ends, mode and flags (:data:`ARC_FLAGS`);
* **popup columns**, typed (:func:`column`), in the order a popup lists them;
* ranks (with where each badge points), label candidates, highlight layers, degraded
  capacities and the country basemap.

Strings (ids, names, property values and names, layer titles) sit in the header, JSON
inside the binary blob (:mod:`supplynet.maps.blob`), never in the page's text.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import shapely

from supplynet._progress import Phases, Progress, phase
from supplynet.maps.lod import CLUSTER_CELL_PX, CLUSTER_MAX_ZOOM, edge_minzoom, mercator, node_clusters
from supplynet.maps.escape import format_value
from supplynet.maps.style import NO_MODE, palette

__all__ = ["Drawing", "pack_network", "column", "NODE_SCHEMA", "EDGE_SCHEMA", "NODE_FLAGS", "ARC_FLAGS",
           "KEY_NODES", "CLUSTER_FROM", "THIN_FROM"]

Element = tuple[str, str]

#: Node properties a popup lists first, in this order (then the rest, sorted by name).
NODE_SCHEMA = ("name", "type", "country", "capacity", "cost", "interdictable", "repair_days", "confidence")
#: Edge properties a popup lists after its id, source and target (``length`` in km).
EDGE_SCHEMA = ("mode", "capacity", "length", "cost", "interdictable", "crosses_border", "repair_days",
               "confidence")
_NODE_HIDDEN = {"x", "y", "geometry", "length"}
_EDGE_HIDDEN = {"x", "y", "geometry", "id", "source", "target"}
#: Bits of ``nflags``.
NODE_FLAGS = {"source": 1, "sink": 2, "cut": 4, "removed": 8, "key": 16, "degraded": 32}
#: Bits of ``arc_flags`` (and of ``seg_flags``: removed and zero flow, when all its arcs are).
ARC_FLAGS = {"cut": 1, "removed": 2, "zero": 4, "degraded": 8}
#: Past this many nodes, only key nodes are drawn above the rest, and others cluster.
CLUSTER_FROM = 5000
#: Past this many segments, edges are thinned by flow at low zoom.
THIN_FROM = 10000
#: Key nodes of a big network: ranked, cut, struck and highlighted nodes, the sources and
#: sinks when there are few, and this many more by supply betweenness.
KEY_NODES = 200
_FEW_ENDS = 500
_MAX_HIGHLIGHTED_KEYS = 5000
_LABEL_CANDIDATES = 2000
_MUST_LABEL = 60
_PROGRESS_STEP = 1 << 15


@dataclass
class Drawing:
    """What a map draws besides the network: metrics, cuts, ranks, what-if, highlight layers.

    Sets and mappings are keyed by id; ``removed_edges`` already holds the edges at a
    removed node; ``extras`` maps a layer's title to its ``(kind, id)`` elements.
    """

    sources: set[str] = field(default_factory=set)
    sinks: set[str] = field(default_factory=set)
    sbc: Mapping[str, float] = field(default_factory=dict)
    node_flow: Mapping[str, float] = field(default_factory=dict)
    edge_flow: Mapping[str, float] = field(default_factory=dict)
    node_cut: set[str] = field(default_factory=set)
    edge_cut: set[str] = field(default_factory=set)
    ranks: list[Element] = field(default_factory=list)
    removed_nodes: set[str] = field(default_factory=set)
    removed_edges: set[str] = field(default_factory=set)
    degraded: Mapping[Element, float] = field(default_factory=dict)
    extras: Mapping[str, list[Element]] = field(default_factory=dict)
    weight_by_flow: bool = False
    node_more: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    edge_more: Mapping[str, Mapping[str, float]] = field(default_factory=dict)


class _Columns:
    """Popup columns filled element by element, keyed by (namespace, name)."""

    def __init__(self, n: int, schema: Iterable[str]) -> None:
        self.n = n
        self.cols: dict[tuple[str, str], list[Any]] = {("a", k): [None] * n for k in schema}

    def set(self, key: tuple[str, str], i: int, value: Any) -> None:
        col = self.cols.get(key)
        if col is None:
            col = self.cols[key] = [None] * self.n
        col[i] = value

    def ordered(self) -> list[tuple[str, list[Any]]]:
        """Return (label, values): fixed columns in schema order, then free ones by name."""
        fixed = [(k[1], v) for k, v in self.cols.items() if k[0] == "a"]
        free = sorted(((k[1], v) for k, v in self.cols.items() if k[0] == "p"), key=lambda kv: kv[0])
        return fixed + free


_INT_TYPES = (int, np.integer)
_FLOAT_TYPES = (float, np.floating)
_EXACT_INT = 2 ** 53


def column(values: Sequence[Any]) -> tuple[dict[str, Any], np.ndarray | None]:
    """Return a popup column's header entry and its array (None when it needs none).

    Kinds: ``none`` (every value absent), ``bool`` (u1: 0, 1, 2 = absent), ``num`` (f4 when
    every value survives it, else f8; NaN = absent; ``int`` when every value is an int, which
    the page writes without separators as :func:`supplynet.numbers.format_number`
    does), ``dict`` (codes into ``values``, 0 = absent) and ``str`` (``values`` itself). Values
    of any other kind, and columns mixing kinds, are written as text by
    :func:`supplynet.maps.escape.format_value`, exactly as the page would show them.

    Examples
    --------
    >>> column([1.5, None, 2.0])[0], column([1.5, None, 2.0])[1].tolist()
    ({'k': 'num', 'int': False}, [1.5, nan, 2.0])
    >>> column(["a", "b", "a", None, "a", "a", "b", "a", "a"])[0]
    {'k': 'dict', 'values': ['a', 'b']}
    >>> column([True, {"x": 1}])
    ({'k': 'str', 'values': ['true', '{"x": 1}']}, None)
    """
    present = [v for v in values if v is not None]
    if not present:
        return {"k": "none"}, None
    kinds = {_kind(t) for t in set(map(type, present))}  # NaN reads as absent on every path
    if kinds == {"bool"}:
        codes = np.array([2 if v is None else int(bool(v)) for v in values], np.uint8)
        return {"k": "bool"}, codes
    if kinds in ({"int"}, {"float"}):
        nums = np.fromiter((np.nan if v is None else v for v in values), np.float64, len(values))
        if kinds == {"int"} and not all(abs(v) < _EXACT_INT for v in present):
            return _text_column(values)
        with np.errstate(over="ignore"):  # too big for f4: kept in f8
            small = nums.astype(np.float32)
        exact = np.array_equal(small.astype(np.float64), nums, equal_nan=True)
        return {"k": "num", "int": kinds == {"int"}}, small if exact else nums
    if kinds == {"str"}:
        return _string_column(values)
    return _text_column(values)


def _kind(kind: type) -> str:
    """Return what a popup column makes of values of one Python type."""
    if issubclass(kind, (bool, np.bool_)):
        return "bool"
    if issubclass(kind, _INT_TYPES):
        return "int"
    if issubclass(kind, _FLOAT_TYPES):
        return "float"
    return "str" if issubclass(kind, str) else "other"


def _text_column(values: Sequence[Any]) -> tuple[dict[str, Any], np.ndarray | None]:
    text = [None if v is None else format_value(v) for v in values]
    return _string_column([t if t else None for t in text])


def _string_column(values: Sequence[str | None]) -> tuple[dict[str, Any], np.ndarray | None]:
    """Return a dictionary-coded column when few strings repeat often, else the strings."""
    codes: dict[str, int] = {}
    for v in values:
        if v is not None and v not in codes:
            codes[v] = len(codes) + 1
            if len(codes) >= 65535:
                break
    if len(codes) < 65535 and len(codes) * 4 < len(values):
        dtype = np.uint8 if len(codes) < 255 else np.uint16
        return {"k": "dict", "values": list(codes)}, np.array([0 if v is None else codes[v] for v in values], dtype)
    return {"k": "str", "values": list(values)}, None


def pack_network(G: nx.MultiDiGraph, drawing: Drawing, *, progress: Phases | Progress | None = None,
                 basemap: bool = True, basemap_fill: bool = True) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Return the header and arrays of a map of ``G`` (see the module's description).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The network; never changed.
    drawing : Drawing
        What to draw besides it.
    progress : Phases or Progress, optional
        Told of the ``"building layers"`` phase, counted in elements (nodes, then edges).
    basemap : bool
        Add the country polygons when they are installed.
    basemap_fill : bool
        Fill them (outlines only over online tiles).
    """
    tick = phase(progress, "building layers", "elements")
    edges = list(G.edges(keys=True, data=True))  # once: networkx counts edges by walking them
    n, m = G.number_of_nodes(), len(edges)
    total = n + m
    nodes = _pack_nodes(G, drawing, tick, total)
    arcs = _pack_arcs(edges, drawing, nodes.index, tick, n)
    segs = _segments(nodes, arcs, drawing)
    header: dict[str, Any] = {"v": 1, "n": len(nodes.ids), "m": len(arcs.keys), "nseg": segs.count,
                              "types": nodes.types, "modes": arcs.modes, "weight_by_flow": drawing.weight_by_flow,
                              "thinned": segs.thinned, "node_ids": nodes.ids,
                              "arc_ids": [arcs.keys[j] for j in segs.arc_order.tolist()]}
    arrays: dict[str, np.ndarray] = {}
    _add_nodes(header, arrays, nodes, drawing)
    _add_segments(arrays, segs, arcs)
    _add_marks(header, arrays, G, nodes, arcs, segs, drawing)
    _add_columns(header, arrays, nodes, arcs, segs, drawing)
    header["palette"] = palette(nodes.types, arcs.modes, len(drawing.extras))
    if basemap:
        _add_basemap(header, arrays, fill=basemap_fill)
    header["toggles"] = _toggles(header, arrays, drawing, nodes, arcs)
    if tick is not None:
        tick(total, total)
    return header, arrays


@dataclass
class _Nodes:
    ids: list[str]
    index: dict[str, int]
    lon: np.ndarray
    lat: np.ndarray
    types: list[str]
    ntype: np.ndarray
    cols: _Columns
    confidence: np.ndarray


@dataclass
class _Arcs:
    keys: list[str]
    u: np.ndarray
    v: np.ndarray
    modes: list[str]
    mode: np.ndarray
    flow: np.ndarray
    capacity: np.ndarray
    confidence: np.ndarray
    geometry: dict[int, np.ndarray]
    cols: _Columns


def _pack_nodes(G: nx.MultiDiGraph, drawing: Drawing, tick: Progress | None, total: int) -> _Nodes:
    n = G.number_of_nodes()
    ids: list[str] = []
    lon, lat, conf = np.empty(n), np.empty(n), np.ones(n)
    cols = _Columns(n, NODE_SCHEMA)
    for i, (node, d) in enumerate(G.nodes(data=True)):
        ids.append(str(node))
        lon[i], lat[i] = d["x"], d["y"]
        for key, value in d.items():
            if key not in _NODE_HIDDEN:
                cols.set(("a" if key in NODE_SCHEMA else "p", str(key)), i, value)
        c = d.get("confidence")
        if isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c):
            conf[i] = c
        if tick is not None and i % _PROGRESS_STEP == 0:
            tick(i, total)
    capacity = cols.cols[("a", "capacity")]
    cols.cols[("a", "capacity")] = [math.inf if c is None else c for c in capacity]
    names = [str(t) for t in cols.cols[("a", "type")]]
    types = sorted(set(names))
    code = {t: j for j, t in enumerate(types)}
    ntype = np.array([code[t] for t in names], np.uint8 if len(types) < 256 else np.uint16)
    metrics = (("supply betweenness", drawing.sbc), ("flow through it at max flow", drawing.node_flow))
    for label, values in (*metrics, *drawing.node_more.items()):  # then e.g. the uncertainty's
        cols.cols[("m", label)] = [values.get(v) for v in ids] if values else [None] * n
    return _Nodes(ids, {v: i for i, v in enumerate(ids)}, lon, lat, types, ntype, cols, np.clip(conf, 0.0, 1.0))


def _pack_arcs(edges: list[tuple[Any, Any, Any, dict[str, Any]]], drawing: Drawing, index: Mapping[str, int],
               tick: Progress | None, n: int) -> _Arcs:
    m = len(edges)
    total = n + m
    keys: list[str] = []
    u, v = np.empty(m, np.int64), np.empty(m, np.int64)
    cap, conf = np.full(m, math.inf), np.ones(m)
    modes_of: list[str] = []
    geometry: dict[int, np.ndarray] = {}
    cols = _Columns(m, EDGE_SCHEMA)
    table = cols.cols
    slots = {k: ("a", k) for k in EDGE_SCHEMA}  # property name -> column key, learnt as met
    lines = []
    for j, (a, b, k, d) in enumerate(edges):
        keys.append(str(k))
        u[j], v[j] = index[str(a)], index[str(b)]
        modes_of.append(str(d.get("mode") or NO_MODE))
        for key, value in d.items():
            slot = slots.get(key)
            if slot is None:
                if key in _EDGE_HIDDEN:
                    continue
                slot = slots[key] = ("p", str(key))
            col = table.get(slot)
            if col is None:
                col = table[slot] = [None] * m
            col[j] = value
        c = d.get("confidence")
        if c is not None and type(c) is not bool and isinstance(c, (int, float)) and math.isfinite(c):
            conf[j] = c
        g = d.get("geometry")
        if g is not None:
            lines.append((j, g))
        if tick is not None and j % _PROGRESS_STEP == 0:
            tick(n + j, total)
    lengths = table[("a", "length")]
    table[("a", "length")] = [None if x is None else x / 1000.0 for x in lengths]
    for j, g in lines:
        if not g.is_empty:
            coords = shapely.get_coordinates(g)
            if len(coords) > 2:  # a two-point line is drawn between its nodes
                geometry[j] = coords
    caps = table[("a", "capacity")]
    cap[:] = [math.inf if x is None else x for x in caps]
    table[("a", "capacity")] = [math.inf if x is None else x for x in caps]
    modes = sorted(set(modes_of))
    code = {md: j for j, md in enumerate(modes)}
    mode = np.array([code[md] for md in modes_of], np.int64)
    flow = np.array([drawing.edge_flow.get(k, 0.0) for k in keys], np.float64) if drawing.edge_flow else np.zeros(m)
    cols.cols[("m", "flow at max flow")] = [drawing.edge_flow.get(k) for k in keys] if drawing.edge_flow else [None] * m
    for label, values in drawing.edge_more.items():
        cols.cols[("m", label)] = [values.get(k) for k in keys]
    return _Arcs(keys, u, v, modes, mode, flow, cap, np.clip(conf, 0.0, 1.0), geometry, cols)


@dataclass
class _Segments:
    count: int
    of_arc: np.ndarray  # segment (in draw order) of each arc (graph order)
    arc_order: np.ndarray  # graph-order arc index of each arc position
    first_arc: np.ndarray  # graph-order arc of each segment (draw order)
    width: np.ndarray
    flags: np.ndarray
    confidence: np.ndarray
    minzoom: np.ndarray
    arc_off: np.ndarray
    thinned: bool
    arc_flags: np.ndarray  # graph order


def _arc_flags(arcs: _Arcs, drawing: Drawing) -> np.ndarray:
    flags = np.zeros(len(arcs.keys), np.uint8)
    for j, k in enumerate(arcs.keys):
        if k in drawing.edge_cut:
            flags[j] |= ARC_FLAGS["cut"]
        if k in drawing.removed_edges:
            flags[j] |= ARC_FLAGS["removed"]
        if ("edge", k) in drawing.degraded:
            flags[j] |= ARC_FLAGS["degraded"]
    if drawing.weight_by_flow:
        flags[arcs.flow == 0] |= ARC_FLAGS["zero"]
    return flags


def _widths(arcs: _Arcs, drawing: Drawing) -> np.ndarray:
    """Return each arc's line width in pixels: 1 to 8, growing with the flow carried (or capacity)."""
    if drawing.weight_by_flow:
        finite = arcs.flow[np.isfinite(arcs.flow)]
        top = finite.max() if len(finite) else 0.0
        share = np.where(np.isfinite(arcs.flow), arcs.flow / top if top > 0 else 0.0, 1.0)
    else:
        finite = arcs.capacity[np.isfinite(arcs.capacity)]
        top = finite.max() if len(finite) else 0.0
        share = np.where(np.isfinite(arcs.capacity), arcs.capacity / top if top > 0 else 1.0, 1.0)
    return 1.0 + 7.0 * np.sqrt(np.clip(share, 0.0, None))


def _segments(nodes: _Nodes, arcs: _Arcs, drawing: Drawing) -> _Segments:
    m, n = len(arcs.keys), len(nodes.ids)
    flags = _arc_flags(arcs, drawing)
    width = _widths(arcs, drawing)
    lo, hi = np.minimum(arcs.u, arcs.v), np.maximum(arcs.u, arcs.v)
    own = np.zeros(m, bool)
    own[list(arcs.geometry)] = True
    key = np.where(own, -1 - np.arange(m), (lo * n + hi) * (len(arcs.modes) + 1) + arcs.mode)
    _, of_arc = np.unique(key, return_inverse=True)
    count = int(of_arc.max()) + 1 if m else 0
    seg_width = np.zeros(count)
    np.maximum.at(seg_width, of_arc, width)
    seg_conf = np.zeros(count)
    np.maximum.at(seg_conf, of_arc, arcs.confidence)
    all_removed = np.ones(count, bool)
    np.logical_and.at(all_removed, of_arc, (flags & ARC_FLAGS["removed"]) > 0)
    all_zero = np.ones(count, bool)
    np.logical_and.at(all_zero, of_arc, (flags & ARC_FLAGS["zero"]) > 0)
    first = np.full(count, m, np.int64)
    np.minimum.at(first, of_arc, np.arange(m))
    importance = np.where(all_removed, 0.0, seg_width)
    thinned = count > THIN_FROM
    if thinned:
        x, y = mercator(nodes.lon, nodes.lat)
        a, b = arcs.u[first], arcs.v[first]
        minzoom = edge_minzoom((x[a] + x[b]) / 2, (y[a] + y[b]) / 2, importance)
    else:
        minzoom = np.zeros(count, np.uint8)
    order = np.lexsort((np.arange(count), -importance, minzoom))  # draw order
    rank = np.empty(count, np.int64)
    rank[order] = np.arange(count)
    seg_of_arc = rank[of_arc]
    arc_order = np.lexsort((np.arange(m), seg_of_arc))
    arc_off = np.r_[0, np.cumsum(np.bincount(seg_of_arc, minlength=count))].astype(np.uint32)
    seg_flags = (np.where(all_removed, ARC_FLAGS["removed"], 0) | np.where(all_zero, ARC_FLAGS["zero"], 0))
    return _Segments(count, seg_of_arc, arc_order, first[order], seg_width[order],
                     seg_flags[order].astype(np.uint8), seg_conf[order], minzoom[order], arc_off, thinned, flags)


def _add_segments(arrays: dict[str, np.ndarray], segs: _Segments, arcs: _Arcs) -> None:
    first = segs.first_arc
    counts = np.zeros(segs.count, np.int64)
    inner = []
    for s, j in enumerate(first.tolist()):
        coords = arcs.geometry.get(j)
        if coords is not None:
            counts[s] = len(coords) - 2
            inner.append(coords[1:-1])
    order = segs.arc_order
    arrays.update({
        "seg_a": arcs.u[first].astype(np.uint32), "seg_b": arcs.v[first].astype(np.uint32),
        "seg_mode": arcs.mode[first].astype(np.uint8), "seg_w": np.round(segs.width * 2).astype(np.uint8),
        "seg_flags": segs.flags, "seg_conf": np.round(segs.confidence * 100).astype(np.uint8),
        "seg_minz": segs.minzoom, "seg_arc_off": segs.arc_off,
        "geo_off": np.r_[0, np.cumsum(counts)].astype(np.uint32),
        "geo": np.concatenate(inner).astype(np.float32).ravel() if inner else np.zeros(0, np.float32),
        "arc_u": arcs.u[order].astype(np.uint32), "arc_v": arcs.v[order].astype(np.uint32),
        "arc_mode": arcs.mode[order].astype(np.uint8), "arc_flags": segs.arc_flags[order],
    })


def _radius(nodes: _Nodes, drawing: Drawing) -> np.ndarray:
    """Return each node's circle radius in pixels: its area grows with supply betweenness."""
    n = len(nodes.ids)
    sbc = np.array([drawing.sbc.get(v, np.nan) for v in nodes.ids], np.float64) if drawing.sbc else np.full(n, np.nan)
    finite = sbc[np.isfinite(sbc)]
    top = finite.max() if len(finite) else 0.0
    # Thousands of nodes at the default size would bury each other and the edges.
    smallest = min(4.0, max(2.0, 6.0 - math.log10(max(n, 1))))
    if top <= 0:
        return np.full(n, smallest + 1.0)
    share = np.clip(np.where(np.isfinite(sbc), sbc, 0.0), 0.0, None) / top
    return smallest + 14.0 * np.sqrt(share)


def _key_nodes(nodes: _Nodes, drawing: Drawing, radius: np.ndarray) -> np.ndarray:
    """Return whether each node is a key node: drawn above the rest, never clustered, labelled."""
    n = len(nodes.ids)
    if n <= CLUSTER_FROM:
        return np.ones(n, bool)
    key = np.zeros(n, bool)
    index = nodes.index
    picked = [index[i] for k, i in drawing.ranks if k == "node"]
    picked += [index[i] for i in (*drawing.node_cut, *drawing.removed_nodes) if i in index]
    if len(drawing.sources) + len(drawing.sinks) <= _FEW_ENDS:
        picked += [index[i] for i in (*drawing.sources, *drawing.sinks) if i in index]
    highlighted = [index[i] for members in drawing.extras.values() for k, i in members if k == "node"]
    if len(highlighted) <= _MAX_HIGHLIGHTED_KEYS:
        picked += highlighted
    key[picked] = True
    by_size = np.lexsort((np.arange(n), -radius))
    key[by_size[:KEY_NODES]] = True
    return key


def _add_nodes(header: dict[str, Any], arrays: dict[str, np.ndarray], nodes: _Nodes, drawing: Drawing) -> None:
    n = len(nodes.ids)
    radius = _radius(nodes, drawing)
    key = _key_nodes(nodes, drawing, radius)
    flags = np.zeros(n, np.uint8)
    index = nodes.index
    for name, members in (("source", drawing.sources), ("sink", drawing.sinks), ("cut", drawing.node_cut),
                          ("removed", drawing.removed_nodes)):
        at = [index[i] for i in members if i in index]
        flags[at] |= NODE_FLAGS[name]
    flags[[index[i] for k, i in drawing.degraded if k == "node" and i in index]] |= NODE_FLAGS["degraded"]
    flags[key] |= NODE_FLAGS["key"]
    minzoom = np.zeros(n, np.uint8)
    others = np.flatnonzero(~key)
    clustered = len(others) >= CLUSTER_FROM
    if clustered:
        x, y = mercator(nodes.lon[others], nodes.lat[others])
        minzoom[others], clusters = node_clusters(x, y, nodes.ntype[others].astype(np.int64), len(nodes.types))
        arrays.update(clusters)
    header["clusters"] = {"on": clustered, "max_zoom": CLUSTER_MAX_ZOOM, "cell_px": CLUSTER_CELL_PX}
    arrays.update({"lon": nodes.lon, "lat": nodes.lat, "ntype": nodes.ntype, "nflags": flags,
                   "nrad": np.round(radius * 4).astype(np.uint8),
                   "nconf": np.round(nodes.confidence * 100).astype(np.uint8), "nminz": minzoom})
    header["labels"], header["label_must"] = _label_candidates(nodes, drawing, key, radius)


def _label_candidates(nodes: _Nodes, drawing: Drawing, key: np.ndarray, radius: np.ndarray) -> tuple[list[int], int]:
    """Return the nodes to label in priority order, and how many of the first must be labelled.

    Sources and sinks come first (all must be labelled when there are few), then the cut
    nodes, then the rest of the key nodes by size. Ranked nodes are named by their call-out.
    """
    index = nodes.index
    ranked = {index[i] for k, i in drawing.ranks if k == "node"}
    every_end = {index[i] for i in (*drawing.sources, *drawing.sinks) if i in index}
    ends = [i for i in sorted(every_end - ranked) if key[i]]
    must = len(ends) if len(every_end) <= _MUST_LABEL else 0
    cut = sorted({index[i] for i in drawing.node_cut if i in index} - ranked - set(ends))
    seen = ranked | set(ends) | set(cut)
    rest = [int(i) for i in np.lexsort((np.arange(len(radius)), -radius)) if key[i] and int(i) not in seen]
    return (ends + cut + rest)[:_LABEL_CANDIDATES], must


def _midpoint(coords: np.ndarray) -> tuple[float, float]:
    """Return the point halfway along a line (lon/lat treated as planar, as drawn)."""
    mid = shapely.LineString(coords).interpolate(0.5, normalized=True)
    return float(mid.x), float(mid.y)


def _add_marks(header: dict[str, Any], arrays: dict[str, np.ndarray], G: nx.MultiDiGraph, nodes: _Nodes,
               arcs: _Arcs, segs: _Segments, drawing: Drawing) -> None:
    """Add ranks, degraded capacities and highlight layers (arcs by their position in the blob)."""
    position = np.empty(len(arcs.keys), np.int64)
    position[segs.arc_order] = np.arange(len(arcs.keys))
    arc_index = {k: j for j, k in enumerate(arcs.keys)}
    ranks = []
    for rank, (kind, ident) in enumerate(drawing.ranks, start=1):
        if kind == "node":
            i = nodes.index[ident]
            ranks.append([rank, "n", i, float(nodes.lon[i]), float(nodes.lat[i])])
        else:
            j = arc_index[ident]
            coords = arcs.geometry.get(j)
            if coords is None:
                a, b = arcs.u[j], arcs.v[j]
                coords = np.array([[nodes.lon[a], nodes.lat[a]], [nodes.lon[b], nodes.lat[b]]])
            ranks.append([rank, "a", int(position[j]), *_midpoint(coords)])
    header["ranks"] = ranks
    header["degraded"] = [[("n" if kind == "node" else "a"),
                           int(nodes.index[i] if kind == "node" else position[arc_index[i]]), float(f)]
                          for (kind, i), f in sorted(drawing.degraded.items())]
    node_off, arc_off, node_items, arc_items = [0], [0], [], []
    for members in drawing.extras.values():
        node_items += sorted({nodes.index[i] for k, i in members if k == "node"})
        arc_items += sorted({int(position[arc_index[i]]) for k, i in members if k == "edge"})
        node_off.append(len(node_items))
        arc_off.append(len(arc_items))
    header["extra"] = list(drawing.extras)
    arrays.update({"ex_noff": np.array(node_off, np.uint32), "ex_nodes": np.array(node_items, np.uint32),
                   "ex_aoff": np.array(arc_off, np.uint32), "ex_arcs": np.array(arc_items, np.uint32)})


def _add_columns(header: dict[str, Any], arrays: dict[str, np.ndarray], nodes: _Nodes, arcs: _Arcs,
                 segs: _Segments, drawing: Drawing) -> None:
    """Add the popup columns: nodes in graph order, arcs in their blob order."""
    order = segs.arc_order
    for prefix, table, cols, reorder in (("nc", "node_cols", nodes.cols, None), ("ac", "arc_cols", arcs.cols, order)):
        header[table] = []
        for name, values in [*cols.ordered(), *((k[1], v) for k, v in cols.cols.items() if k[0] == "m")]:
            entry, arr = column(values)
            entry["name"] = "length (km)" if table == "arc_cols" and name == "length" else name
            if arr is not None:
                entry["a"] = f"{prefix}{len(header[table])}"
                arrays[entry["a"]] = arr if reorder is None else arr[reorder]
            if entry["k"] == "str" and reorder is not None:
                entry["values"] = [entry["values"][j] for j in reorder.tolist()]
            header[table].append(entry)
    header["node_fixed"] = len(NODE_SCHEMA)
    header["node_metrics"] = sum(1 for k in nodes.cols.cols if k[0] == "m")


def _toggles(header: dict[str, Any], arrays: dict[str, np.ndarray], drawing: Drawing, nodes: _Nodes,
             arcs: _Arcs) -> list[list[Any]]:
    """Return the layer control's entries, ``[name, what, index]``, in the order it lists them."""
    out: list[list[Any]] = [["Countries", "basemap", 0]] if "basemap" in header else []
    modes = np.bincount(arcs.mode, minlength=len(arcs.modes))
    out += [[f"Edges: {m} ({modes[j]:,})", "mode", j] for j, m in enumerate(arcs.modes)]
    types = np.bincount(nodes.ntype, minlength=len(nodes.types))
    out += [[f"Nodes: {t} ({types[j]:,})", "type", j] for j, t in enumerate(nodes.types)]
    out += [[f"Min edge cut ({len(drawing.edge_cut)} edges)", "edge_cut", 0],
            [f"Min node cut ({len(drawing.node_cut)} nodes)", "node_cut", 0],
            [f"Top interdiction points ({len(drawing.ranks)})", "ranks", 0]]
    sizes = np.diff(arrays["ex_noff"]) + np.diff(arrays["ex_aoff"])
    out += [[f"{title} ({sizes[j]:,})", "extra", j] for j, title in enumerate(drawing.extras)]
    struck = int(np.count_nonzero(arrays["nflags"] & NODE_FLAGS["removed"]))
    struck_arcs = int(np.count_nonzero(arrays["arc_flags"] & ARC_FLAGS["removed"]))
    if struck or struck_arcs:
        out.append([f"Struck in the what-if ({struck} nodes, {struck_arcs} edges)", "struck", 0])
    out.append(["Labels", "labels", 0])
    if (arrays["nconf"] < 100).any() or (arrays["seg_conf"] < 100).any():
        out.append(["Shade by confidence", "confidence", 0])
    return out


def _add_basemap(header: dict[str, Any], arrays: dict[str, np.ndarray], *, fill: bool) -> None:
    packed = _basemap()
    if packed is None:
        return
    arrays.update(packed)
    header["basemap"] = {"fill": fill, "attribution": "Made with Natural Earth"}


@functools.lru_cache(maxsize=1)
def _basemap() -> dict[str, np.ndarray] | None:
    """Return the country polygons (rounded to about 100 m) as rings of lon/lat, or None."""
    from supplynet.network.countries import countries_path, load_countries

    if countries_path() is None:
        return None
    rings, ring_off, poly_off = [], [0], [0]
    for geom in load_countries().geometry:
        if geom is None or geom.is_empty:
            continue
        for part in getattr(geom, "geoms", [geom]):
            for ring in [part.exterior, *part.interiors]:
                coords = np.round(shapely.get_coordinates(ring), 3)
                rings.append(coords)
                ring_off.append(ring_off[-1] + len(coords))
            poly_off.append(len(ring_off) - 1)
    return {"bm_xy": np.concatenate(rings).astype(np.float32).ravel(),
            "bm_ring_off": np.array(ring_off, np.uint32), "bm_poly_off": np.array(poly_off, np.uint32)}
