"""Build the network from validated columns, and convert it to and from GeoDataFrames.

The network is a :class:`networkx.MultiDiGraph` (see the README's "Python API" section):

* nodes keyed by id (str) with ``type``, ``name``, ``x``/``y`` (longitude, latitude),
  ``cost``, ``interdictable``, ``country`` and, where given, ``capacity``, ``repair_days``,
  ``confidence`` and free properties;
* edges keyed by edge id with ``length`` (integer metres, geodesic on the WGS 84
  ellipsoid, or ``length_km`` when given), ``geometry`` (a shapely LineString),
  ``crosses_border``, ``cost``, ``interdictable`` and, where given, ``capacity``, ``mode`` ...
* an unlimited capacity is an *absent* ``capacity`` attribute, as networkx's flow
  functions expect;
* ``G.graph`` holds ``crs`` (always ``"EPSG:4326"``), ``name``, ``description``,
  ``source`` and ``sha256`` of the input.

A network read from a file is a :class:`NetworkGraph`: a MultiDiGraph that keeps the
columns it was read into and builds its nodes and edges from them only when something
looks at them. Compiling it (:func:`supplynet.engine.snapshot.compile_network`) reads the
columns instead, so the command line never builds the graph for a report, a plan or a
what-if, and the Python API builds it on the first look.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import shapely

from supplynet._errors import NetworkValidationError
from supplynet._perf import paused_gc
from supplynet.geodesy import packed_lengths_m
from supplynet.io.columns import FeatureBlock
from supplynet.io.read import RawNetwork, read_raw
from supplynet.io.validate import MAX_LENGTH_KM, NetworkTable, ValidationReport, check_blocks
from supplynet.network.countries import locate_countries

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "read_network",
    "read_gdfs",
    "load_network",
    "graph_from_gdfs",
    "graph_to_gdfs",
    "NetworkColumns",
    "NetworkGraph",
    "CRS",
]

logger = logging.getLogger(__name__)

#: The coordinate reference system of every network.
CRS = "EPSG:4326"

_NODE_ORDER = ("type", "name", "capacity", "cost", "repair_days", "confidence", "p_success", "interdictable",
               "storage", "stock")
_EDGE_ORDER = ("source", "target", "mode", "capacity", "length_km", "cost", "repair_days",
               "confidence", "p_success", "interdictable", "transit_days")
_NODE_OPTIONAL = ("capacity", "repair_days", "confidence", "p_success", "storage", "stock")
_EDGE_OPTIONAL = ("capacity", "repair_days", "confidence", "p_success", "transit_days")


@dataclass
class NetworkColumns:
    """A valid network as columns, with what supplynet computes from them.

    Attributes
    ----------
    table : NetworkTable
        The validated columns (file order).
    country : list of str or None
        Each node's country.
    length : numpy.ndarray of int64
        Each edge's length in metres.
    crosses_border : numpy.ndarray of bool
    meta : dict
        ``crs``, ``name``, ``description``, ``source`` and ``sha256``.
    """

    table: NetworkTable
    country: list[str | None]
    length: np.ndarray
    crosses_border: np.ndarray
    meta: dict[str, Any]


class NetworkGraph(nx.MultiDiGraph):
    """A network graph that builds itself from its columns the first time it is looked at.

    Until then it answers ``G.graph``, ``len(G)``, ``number_of_nodes()`` and
    ``number_of_edges()`` from the columns, and :attr:`columns` holds them; any other use
    (``G.nodes``, ``G.edges``, ``G["a"]``, iteration, a change) builds the nodes and edges
    first. It is a MultiDiGraph in every other respect. Constructed with no columns (as
    networkx does for ``G.copy()``), it is an ordinary graph.
    """

    def __init__(self, incoming_graph_data: Any = None, multigraph_input: Any = None, **attr: Any) -> None:
        super().__init__(incoming_graph_data, multigraph_input=multigraph_input, **attr)

    @classmethod
    def from_columns(cls, columns: NetworkColumns) -> NetworkGraph:
        """Return a graph of ``columns`` that is built when first looked at."""
        G = cls.__new__(cls)
        G.__dict__["_columns"] = columns
        G.__dict__["graph"] = dict(columns.meta)
        return G

    @property
    def columns(self) -> NetworkColumns | None:
        """The columns the graph was read into, while they still describe it exactly.

        That is until the graph is built, or for ever once it is frozen
        (:func:`networkx.freeze`): a built graph may have been changed.
        """
        columns = self.__dict__.get("_columns")
        if columns is None:
            columns = self.__dict__.get("_built_from")
            if columns is None or not nx.is_frozen(self):
                return None
        return columns

    @property
    def is_built(self) -> bool:
        """Whether the nodes and edges have been built."""
        return "_columns" not in self.__dict__

    def __getattr__(self, name: str) -> Any:
        # Called only for attributes the instance does not have: before the build, the
        # graph's own dicts. Build, then look again.
        if name in _BUILT and "_columns" in self.__dict__:
            self._build()
            return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _build(self) -> None:
        columns = self.__dict__.pop("_columns")
        graph = self.__dict__.pop("graph")
        with paused_gc():
            nx.MultiDiGraph.__init__(self)
            self.graph.update(graph)
            _add_nodes(self, columns)
            _add_edges(self, columns)
        self.__dict__["_built_from"] = columns
        logger.debug("built the graph of %d nodes and %d edges", self.number_of_nodes(), self.number_of_edges())

    def __len__(self) -> int:
        columns = self.__dict__.get("_columns")
        return len(columns.table.node_id) if columns is not None else super().__len__()

    def number_of_nodes(self) -> int:
        """Return the number of nodes (without building the graph)."""
        return len(self)

    def number_of_edges(self, u: Any = None, v: Any = None) -> int:
        """Return the number of edges (without building the graph, when no ends are given)."""
        columns = self.__dict__.get("_columns")
        if columns is not None and u is None and v is None:
            return len(columns.table.edge_id)
        return super().number_of_edges(u, v)

    def __reduce_ex__(self, protocol: Any) -> Any:  # pickle and copy as the built graph it is
        if not self.is_built:
            self._build()
        return super().__reduce_ex__(protocol)

    def __getstate__(self) -> dict[str, Any]:
        # A copy is an ordinary graph: the columns and what was made of them stay behind.
        return {k: v for k, v in self.__dict__.items() if k not in ("_arrays", "_element_table", "_built_from")}

    @property
    def element_table(self) -> Any:
        """What selectors read, from the columns while they describe the graph (else None)."""
        columns = self.columns
        if columns is None:
            return None
        cached = self.__dict__.get("_element_table")
        if cached is None:
            from supplynet.network.selectors import ElementTable

            t = columns.table
            order = _sorted_order(t.node_id)
            eorder = _sorted_order(t.edge_id)
            cached = ElementTable(
                node_ids=tuple(t.node_id[i] for i in order), edge_ids=tuple(t.edge_id[i] for i in eorder),
                node_type=tuple(t.node_type[i] for i in order), node_country=tuple(columns.country[i] for i in order),
                node_x=t.node_x[order], node_y=t.node_y[order], edge_mode=tuple(t.edge_mode[i] for i in eorder))
            self.__dict__["_element_table"] = cached
        return cached


#: What networkx's constructor sets on a graph: looking at any of them builds it.
_BUILT = frozenset({"_node", "_adj", "_succ", "_pred", "__networkx_cache__"})


class _Built:
    """A graph dict of networkx's (``_node``, ``_adj`` ...) that builds the graph when read.

    networkx keeps them behind class-level descriptors that only act on assignment; this
    one also acts on reading, and hands assignment to networkx's own.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.parent = getattr(nx.MultiDiGraph, name)

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        d = obj.__dict__
        if "_columns" in d:
            obj._build()
        try:
            return d[self.name]
        except KeyError:
            raise AttributeError(self.name) from None

    def __set__(self, obj: Any, value: Any) -> None:
        self.parent.__set__(obj, value)


for _name in ("_node", "_adj", "_succ", "_pred"):
    setattr(NetworkGraph, _name, _Built(_name))
del _name


def _sorted_order(ids: list[str]) -> np.ndarray:
    """Return the order that sorts string ids (Unicode code points, as ``sorted``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not ids:
        return np.zeros(0, np.int64)
    return pc.sort_indices(pa.array(ids, pa.string())).to_numpy().astype(np.int64)


def load_network(
    path: str | os.PathLike[str],
    edges: str | os.PathLike[str] | None = None,
    *,
    max_bytes: int | None = None,
    strict: bool = False,
) -> tuple[ValidationReport, nx.MultiDiGraph | None]:
    """Return the validation report of a network file and its graph (None when invalid).

    Unlike :func:`read_network` this never raises for schema problems: it is what
    ``supplynet validate`` runs. With ``strict``, warnings count as problems.
    """
    with paused_gc():
        raw = read_raw(path, edges, max_bytes=max_bytes)
        return _build(raw, computed_ok=False, strict=strict)


def read_network(
    path: str | os.PathLike[str],
    edges: str | os.PathLike[str] | None = None,
    *,
    max_bytes: int | None = None,
    strict: bool = False,
) -> nx.MultiDiGraph:
    """Return the network in a file (or a nodes file and an edges file) as a graph.

    Parameters
    ----------
    path : path-like or "-"
        GeoJSON FeatureCollection, GeoPackage, GeoParquet, Shapefile or FlatGeobuf;
        ``"-"`` is stdin.
    edges : path-like, optional
        A separate edges file (``path`` then holds the nodes).
    max_bytes : int, optional
        Refuse inputs larger than this.
    strict : bool
        Refuse a network that draws any warning.

    Returns
    -------
    networkx.MultiDiGraph
        A :class:`NetworkGraph`: its nodes and edges are built the first time they are
        looked at (compiling it never needs them).

    Raises
    ------
    NetworkReadError
        The file cannot be read or parsed.
    NetworkValidationError
        The file breaks the schema; ``.problems`` lists every problem.

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> point = lambda i, t, x: {"type": "Feature", "properties": {"id": i, "type": t},
    ...                          "geometry": {"type": "Point", "coordinates": [x, 33.0]}}
    >>> edge = {"type": "Feature", "geometry": None,
    ...         "properties": {"id": "e1", "source": "f", "target": "a", "mode": "road"}}
    >>> path = Path(tempfile.mkdtemp()) / "tiny.geojson"
    >>> _ = path.write_text(json.dumps({"type": "FeatureCollection", "features": [
    ...     point("f", "manufacturing", 44.0), point("a", "assembly", 45.0), edge]}))
    >>> G = read_network(path)
    >>> G.graph["crs"], G.number_of_nodes(), G.edges["f", "a", "e1"]["length"]
    ('EPSG:4326', 2, 93453)
    """
    report, G = load_network(path, edges, max_bytes=max_bytes, strict=strict)
    for msg in report.warnings:
        logger.warning("%s", msg)
    if G is None:
        raise NetworkValidationError(report.problems, source=report.meta.get("source"))
    return G


def read_gdfs(
    path: str | os.PathLike[str],
    edges: str | os.PathLike[str] | None = None,
    *,
    max_bytes: int | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return the nodes and edges GeoDataFrames of a network file (see :func:`graph_to_gdfs`)."""
    nodes, edge_gdf = graph_to_gdfs(read_network(path, edges, max_bytes=max_bytes))
    return nodes, edge_gdf


def _build(raw: RawNetwork, *, computed_ok: bool, strict: bool = False) -> tuple[ValidationReport, NetworkGraph | None]:
    meta = {**raw.meta, "source": raw.source, "sha256": raw.sha256}
    ahead = _CountriesAhead.start(raw.blocks)
    report = check_blocks(raw.blocks, meta, computed_ok=computed_ok)
    report.problems = raw.problems + report.problems
    report.warnings = raw.warnings + report.warnings
    columns = None
    if report.table is not None and not report.problems:
        columns = _compute(report, ahead)
    if strict and report.warnings and not report.problems:
        report.problems = [f"{w} (an error under --strict)" for w in report.warnings]
        report.warnings = []
    if report.problems or columns is None:
        report.table = None
        return report, None
    return report, NetworkGraph.from_columns(columns)


class _CountriesAhead:
    """The countries of a large input's points, looked up on a thread of its own while the
    features are validated (shapely releases the GIL): 1.3-1.5 s of a million-node read.

    The points are taken as read, before validation; :meth:`result` gives their countries
    only when the valid table's nodes are exactly those points in that order (as they are
    whenever no row was dropped), and None otherwise, so the caller looks them up again.
    """

    #: Fewer points than this are looked up after validation, as before.
    FROM = 200_000

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x, self.y = x, y
        self.found: list[str | None] | None = None
        self.thread = threading.Thread(target=self._run, name="supplynet-countries", daemon=True)
        self.thread.start()

    @classmethod
    def start(cls, blocks: list[FeatureBlock]) -> _CountriesAhead | None:
        from supplynet.io.columns import GEOM_POINT

        points = [b.geom == GEOM_POINT for b in blocks]
        if sum(int(p.sum()) for p in points) < cls.FROM:
            return None
        x = np.concatenate([b.x[p] for b, p in zip(blocks, points)])
        y = np.concatenate([b.y[p] for b, p in zip(blocks, points)])
        return cls(x, y)

    def _run(self) -> None:
        try:
            self.found = locate_countries(self.x, self.y)
        except Exception:  # noqa: BLE001 - the caller looks them up again and reports it
            logger.debug("countries looked up ahead failed", exc_info=True)

    def result(self, x: np.ndarray, y: np.ndarray) -> list[str | None] | None:
        """Return the countries of ``x, y`` if these are the points looked up, else None."""
        self.thread.join()
        if self.found is None or not (np.array_equal(self.x, x) and np.array_equal(self.y, y)):
            return None
        return self.found


def _compute(report: ValidationReport, ahead: _CountriesAhead | None = None) -> NetworkColumns | None:
    """Add what supplynet computes (countries, lengths, borders) to a valid table."""
    t = report.table
    assert t is not None
    country = ahead.result(t.node_x, t.node_y) if ahead is not None else None
    if country is None:
        country = locate_countries(t.node_x, t.node_y)
    _warn_if_swapped(report, t.node_x, t.node_y, country)
    counts = np.diff(t.edge_ptr)
    given = ~np.isnan(t.edge_num["length_km"])
    metres = np.empty(len(t.edge_id))
    metres[given] = t.edge_num["length_km"][given] * 1000.0
    measure = np.flatnonzero(~given)
    if len(measure):
        at = np.repeat(t.edge_ptr[:-1][measure] - (np.cumsum(counts[measure]) - counts[measure]),
                       counts[measure]) + np.arange(int(counts[measure].sum()))
        metres[measure] = packed_lengths_m(t.edge_xy[at], counts[measure])
        long = measure[metres[measure] > MAX_LENGTH_KM * 1000.0]
        for k in long.tolist():
            report.problems.append(
                f"{report.meta.get('source')}: edge {t.edge_id[k]!r}: its geometry is {metres[k] / 1000:,.0f} km long, "
                f"longer than any route on Earth (at most {MAX_LENGTH_KM:,.0f} km); check its coordinates")
    if report.problems:
        return None
    length = np.rint(metres).astype(np.int64)
    codes = np.array([c or "" for c in country], dtype=object)
    tail_c, head_c = codes[t.edge_tail], codes[t.edge_head]
    border = (tail_c != "") & (head_c != "") & (tail_c != head_c) if len(t.edge_id) else np.zeros(0, bool)
    meta = {"crs": CRS, "name": report.meta.get("name"), "description": report.meta.get("description"),
            "source": report.meta.get("source"), "sha256": report.meta.get("sha256")}
    return NetworkColumns(table=t, country=country, length=length, crosses_border=np.asarray(border, bool), meta=meta)


def _warn_if_swapped(report: ValidationReport, xs: np.ndarray, ys: np.ndarray,
                     countries: list[str | None]) -> None:
    if len(xs) < 3:
        return
    on_land = sum(c is not None for c in countries)
    ok = (np.abs(ys) <= 90) & (np.abs(xs) <= 90)
    if on_land * 2 >= len(xs) or not ok.all():
        return
    swapped = sum(c is not None for c in locate_countries(ys, xs))
    if swapped * 2 >= len(xs) and swapped > 2 * on_land:
        report.warnings.append(
            f"{report.meta.get('source')}: {on_land} of {len(xs)} nodes fall in a country as given, "
            f"{swapped} would with longitude and latitude swapped: the coordinates look like "
            "[latitude, longitude]; GeoJSON wants [longitude, latitude]"
        )


def _floats(values: np.ndarray) -> list[float | None]:
    """Return a float column as Python floats, None where NaN (absent)."""
    return [None if v != v else v for v in values.tolist()]


def _free(extra: dict[str, list[Any]], keys: list[tuple[str, ...]] | None, i: int) -> dict[str, Any]:
    """Return element ``i``'s free properties (None dropped), in the order its feature gave them."""
    if keys is not None:
        return {k: extra[k][i] for k in keys[i] if k in extra and extra[k][i] is not None}
    return {k: col[i] for k, col in extra.items() if col[i] is not None}


def _add_nodes(G: nx.MultiDiGraph, columns: NetworkColumns) -> None:
    t = columns.table
    optional = {k: _floats(t.node_num[k]) for k in _NODE_OPTIONAL}
    cost = t.node_num["cost"].tolist()
    xs, ys = t.node_x.tolist(), t.node_y.tolist()
    inter = t.node_interdictable.tolist()
    extra = t.node_extra
    keys = t.node_keys
    add = nx.MultiDiGraph.add_node  # the class's own: a frozen graph's are refusals
    for i, ident in enumerate(t.node_id):
        attrs = _free(extra, keys, i)
        attrs.update(type=t.node_type[i], name=t.node_name[i] or ident, x=xs[i], y=ys[i], cost=cost[i],
                     interdictable=inter[i], country=columns.country[i])
        for k in _NODE_OPTIONAL:
            v = optional[k][i]
            if v is not None:
                attrs[k] = v
        add(G, ident, **attrs)


def _add_edges(G: nx.MultiDiGraph, columns: NetworkColumns) -> None:
    t = columns.table
    m = len(t.edge_id)
    counts = np.diff(t.edge_ptr)
    geoms = shapely.linestrings(t.edge_xy, indices=np.repeat(np.arange(m), counts)) if m else []
    optional = {k: _floats(t.edge_num[k]) for k in _EDGE_OPTIONAL}
    length_km = _floats(t.edge_num["length_km"])
    cost = t.edge_num["cost"].tolist()
    inter = t.edge_interdictable.tolist()
    length = columns.length.tolist()
    border = columns.crosses_border.tolist()
    ids = t.node_id
    tails, heads = t.edge_tail.tolist(), t.edge_head.tolist()
    extra = t.edge_extra
    keys = t.edge_keys
    add = nx.MultiDiGraph.add_edge  # the class's own: a frozen graph's are refusals
    for i, ident in enumerate(t.edge_id):
        attrs = _free(extra, keys, i)
        if length_km[i] is not None:
            attrs["length_km"] = length_km[i]
        attrs.update(length=length[i], geometry=geoms[i], cost=cost[i], interdictable=inter[i],
                     crosses_border=border[i])
        for k in _EDGE_OPTIONAL:
            v = optional[k][i]
            if v is not None:
                attrs[k] = v
        if t.edge_mode[i] is not None:
            attrs["mode"] = t.edge_mode[i]
        if t.edge_reverse_of[i] is not None:
            attrs["reverse_of"] = t.edge_reverse_of[i]
        add(G, ids[tails[i]], ids[heads[i]], key=ident, **attrs)


def graph_to_gdfs(
    G: nx.MultiDiGraph, *, nodes: bool = True, edges: bool = True
) -> Any:
    """Return the nodes and/or edges of a network graph as GeoDataFrames indexed by id.

    The inverse of :func:`graph_from_gdfs`. Columns: the schema properties first, then
    computed ones (``x``, ``y``, ``country``; ``length``, ``crosses_border``), then free
    properties, sorted by name. An unlimited capacity is NaN.

    Returns
    -------
    (nodes, edges) GeoDataFrames, or just one when the other is not asked for.

    Examples
    --------
    >>> G = nx.MultiDiGraph(crs="EPSG:4326")
    >>> G.add_node("a", type="manufacturing", name="A", x=44.0, y=33.0, cost=1.0,
    ...            interdictable=True, country="Iraq")
    >>> gdf = graph_to_gdfs(G, edges=False)
    >>> list(gdf.index), gdf.crs.to_epsg()
    (['a'], 4326)
    """
    import geopandas as gpd
    import pandas as pd

    out = []
    if nodes:
        rows = [dict(data, id=n) for n, data in G.nodes(data=True)]
        df = pd.DataFrame.from_records(rows, columns=_columns(rows, ("id", *_NODE_ORDER, "x", "y", "country")))
        geom = shapely.points(df["x"].to_numpy(float), df["y"].to_numpy(float)) if len(df) else []
        out.append(gpd.GeoDataFrame(df.set_index("id"), geometry=list(geom), crs=G.graph.get("crs", CRS)))
    if edges:
        rows = [dict(data, id=k, source=u, target=v) for u, v, k, data in G.edges(keys=True, data=True)]
        cols = _columns(rows, ("id", *_EDGE_ORDER, "length", "crosses_border"))
        df = pd.DataFrame.from_records(rows, columns=cols)
        geom = df.pop("geometry").tolist() if "geometry" in df else []
        out.append(gpd.GeoDataFrame(df.set_index("id"), geometry=geom, crs=G.graph.get("crs", CRS)))
    return tuple(out) if len(out) > 1 else out[0]


def _columns(rows: list[dict[str, Any]], first: tuple[str, ...]) -> list[str]:
    present = {k for r in rows for k in r}
    # The newer schema fields get a column only where some element has them.
    first = tuple(k for k in first if k not in _WHEN_PRESENT or k in present)
    rest = sorted(present - set(first) - _WHEN_PRESENT)
    return [*first, *rest]


_WHEN_PRESENT = {"p_success", "storage", "stock", "transit_days"}


def graph_from_gdfs(
    nodes: gpd.GeoDataFrame,
    edges: gpd.GeoDataFrame,
    *,
    graph_attrs: dict[str, Any] | None = None,
) -> nx.MultiDiGraph:
    """Return the network graph of a nodes and an edges GeoDataFrame (validated as a file is).

    The inverse of :func:`graph_to_gdfs`: ``graph_from_gdfs(*graph_to_gdfs(G))`` equals
    ``G``. The frames are copied, never changed; computed columns are recomputed.

    Raises
    ------
    NetworkValidationError
        The frames break the schema.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> n = gpd.GeoDataFrame({"type": ["manufacturing", "assembly"]}, index=["a", "b"],
    ...                      geometry=[Point(44, 33), Point(40, 35)], crs="EPSG:4326")
    >>> e = gpd.GeoDataFrame({"source": ["a"], "target": ["b"], "capacity": [5]},
    ...                      index=["e1"], geometry=[None], crs="EPSG:4326")
    >>> G = graph_from_gdfs(n, e)
    >>> G.edges["a", "b", "e1"]["capacity"], G.edges["a", "b", "e1"]["length"] > 400_000
    (5.0, True)
    """
    blocks = [_frame_block(gdf, label) for label, gdf in (("nodes", nodes), ("edges", edges))]
    attrs = dict(graph_attrs or {})
    raw = RawNetwork(blocks=blocks, meta={k: attrs[k] for k in ("name", "description") if attrs.get(k)},
                     source=str(attrs.get("source") or "GeoDataFrames"), sha256=str(attrs.get("sha256") or ""))
    report, G = _build(raw, computed_ok=True)
    if G is None:
        raise NetworkValidationError(report.problems, source=raw.source)
    G.graph.update({k: v for k, v in attrs.items() if k != "crs"})
    return G


def _frame_block(gdf: gpd.GeoDataFrame, label: str) -> FeatureBlock:
    """Return the columns of a GeoDataFrame (its index as ``id`` unless it has that column)."""
    import math

    import pandas as pd

    from supplynet.io.arrow import reproject
    from supplynet.io.columns import GEOM_LINE, GEOM_NULL, GEOM_OTHER, GEOM_POINT, Column

    frame = gdf.reset_index(names="id") if "id" not in gdf.columns else gdf.reset_index(drop=True)
    n = len(frame)
    gname = gdf.geometry.name if gdf._geometry_column_name in gdf.columns else None
    columns = {}
    for name in frame.columns:
        if name == gname:
            continue
        values = frame[name].astype(object).tolist()
        keep = [i for i, v in enumerate(values)
                if not (v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)))]
        if keep:
            columns[str(name)] = Column(np.array(keep, np.int64), [values[i] for i in keep])
    geoms = np.asarray(frame[gname].values if gname else [None] * n, dtype=object)
    type_ids = shapely.get_type_id(geoms)
    code = np.full(n, GEOM_NULL, np.int8)
    code[type_ids == 0] = GEOM_POINT
    code[type_ids == 1] = GEOM_LINE
    other = (type_ids > 1)
    code[other] = GEOM_OTHER
    names = {3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection",
             2: "LinearRing"}
    x = np.full(n, math.nan)
    y = np.full(n, math.nan)
    pts = np.flatnonzero(type_ids == 0)
    raw_geometry: dict[int, Any] = {}
    if len(pts):
        empty = shapely.is_empty(geoms[pts])
        x[pts[~empty]] = shapely.get_x(geoms[pts[~empty]])
        y[pts[~empty]] = shapely.get_y(geoms[pts[~empty]])
        for r in pts[empty].tolist():
            raw_geometry[r] = []
    lines = np.flatnonzero(type_ids == 1)
    if len(lines):
        xy, owner = shapely.get_coordinates(geoms[lines], return_index=True)
        counts = np.bincount(owner, minlength=len(lines))
    else:
        xy, counts = np.zeros((0, 2)), np.zeros(0, np.int64)
    ptr = np.zeros(len(lines) + 1, np.int64)
    np.cumsum(counts, out=ptr[1:])
    for k in np.flatnonzero(counts < 2).tolist():
        raw_geometry[int(lines[k])] = xy[ptr[k]:ptr[k + 1]].tolist()
    block = FeatureBlock(label=label, count=n, index=np.arange(n, dtype=np.int64), columns=columns, geom=code,
                         geom_name={r: names.get(int(type_ids[r]), "geometry") for r in np.flatnonzero(other).tolist()},
                         x=x, y=y, line_rows=lines.astype(np.int64), line_ptr=ptr, line_xy=xy,
                         raw_geometry=raw_geometry, driver="frame")
    if gdf.crs is not None:
        reproject(block, gdf.crs)
    return block
