"""Build the network graph from validated features, and convert it to and from GeoDataFrames.

The graph is a :class:`networkx.MultiDiGraph` (see the README's "Python API" section):

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
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import shapely

from supplynet._errors import NetworkValidationError
from supplynet.geodesy import packed_lengths_m
from supplynet.network.countries import locate_countries
from supplynet.io.read import RawNetwork, read_raw
from supplynet.io.validate import ValidationReport, check_features
from supplynet._perf import paused_gc

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "read_network",
    "read_gdfs",
    "load_network",
    "graph_from_gdfs",
    "graph_to_gdfs",
    "CRS",
]

logger = logging.getLogger(__name__)

#: The coordinate reference system of every network.
CRS = "EPSG:4326"

_OPTIONAL = ("capacity", "repair_days", "confidence", "p_success")
_NODE_ONLY = ("storage", "stock")
_EDGE_ONLY = ("transit_days",)
_NODE_ORDER = ("type", "name", "capacity", "cost", "repair_days", "confidence", "p_success", "interdictable",
               "storage", "stock")
_EDGE_ORDER = ("source", "target", "mode", "capacity", "length_km", "cost", "repair_days",
               "confidence", "p_success", "interdictable", "transit_days")


def load_network(
    path: str | os.PathLike[str],
    edges: str | os.PathLike[str] | None = None,
    *,
    max_bytes: int | None = None,
) -> tuple[ValidationReport, nx.MultiDiGraph | None]:
    """Return the validation report of a network file and its graph (None when invalid).

    Unlike :func:`read_network` this never raises for schema problems: it is what
    ``supplynet validate`` runs.
    """
    with paused_gc():
        raw = read_raw(path, edges, max_bytes=max_bytes)
        return _build(raw, computed_ok=False)


def read_network(
    path: str | os.PathLike[str],
    edges: str | os.PathLike[str] | None = None,
    *,
    max_bytes: int | None = None,
) -> nx.MultiDiGraph:
    """Return the network in a file (or a nodes file and an edges file) as a graph.

    Parameters
    ----------
    path : path-like or "-"
        GeoJSON FeatureCollection, GeoPackage or other OGR file; ``"-"`` is stdin.
    edges : path-like, optional
        A separate edges file (``path`` then holds the nodes).
    max_bytes : int, optional
        Refuse inputs larger than this.

    Returns
    -------
    networkx.MultiDiGraph

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
    report, G = load_network(path, edges, max_bytes=max_bytes)
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


def _build(raw: RawNetwork, *, computed_ok: bool) -> tuple[ValidationReport, nx.MultiDiGraph | None]:
    report = check_features(raw, computed_ok=computed_ok)
    if not report.valid:
        return report, None
    G = nx.MultiDiGraph(
        crs=CRS,
        name=report.meta.get("name"),
        description=report.meta.get("description"),
        source=report.meta.get("source"),
        sha256=report.meta.get("sha256"),
    )
    _add_nodes(G, report)
    _add_edges(G, report.edges)
    return report, G


def _add_nodes(G: nx.MultiDiGraph, report: ValidationReport) -> None:
    recs = report.nodes
    xs = np.fromiter((r["x"] for r in recs), dtype=float, count=len(recs))
    ys = np.fromiter((r["y"] for r in recs), dtype=float, count=len(recs))
    countries = locate_countries(xs, ys)
    _warn_if_swapped(report, xs, ys, countries)
    for rec, country in zip(recs, countries):
        attrs: dict[str, Any] = {k: v for k, v in rec["extra"].items() if v is not None}
        attrs.update(type=rec["type"], name=rec["name"] or rec["id"], x=rec["x"], y=rec["y"],
                     cost=rec["cost"], interdictable=rec["interdictable"], country=country)
        attrs.update({k: rec[k] for k in (*_OPTIONAL, *_NODE_ONLY) if rec[k] is not None})
        G.add_node(rec["id"], **attrs)


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


def _add_edges(G: nx.MultiDiGraph, recs: list[dict[str, Any]]) -> None:
    # Every point of every line in one flat list: one numpy array, one pyproj call and one
    # shapely call for all edges (per-edge arrays cost more than the geodesy at 100k edges).
    xy = {n: (d["x"], d["y"]) for n, d in G.nodes(data=True)}
    flat: list[tuple[float, float]] = []
    counts = []
    for rec in recs:
        coords = rec["coords"] or (xy[rec["source"]], xy[rec["target"]])
        flat.extend(coords)
        counts.append(len(coords))
    pts = np.array(flat, dtype=float).reshape(-1, 2)
    sizes = np.array(counts, dtype=np.int64)
    lengths = packed_lengths_m(pts, sizes) if recs else []
    geoms = shapely.linestrings(pts, indices=np.repeat(np.arange(len(recs)), sizes)) if recs else []
    country = dict(G.nodes(data="country"))
    for rec, geom, length in zip(recs, geoms, lengths):
        attrs: dict[str, Any] = {k: v for k, v in rec["extra"].items() if v is not None}
        if rec["length_km"] is not None:
            attrs["length_km"] = rec["length_km"]
            length = rec["length_km"] * 1000.0
        src, dst = country[rec["source"]], country[rec["target"]]
        attrs.update(length=int(round(length)), geometry=geom, cost=rec["cost"],
                     interdictable=rec["interdictable"],
                     crosses_border=bool(src and dst and src != dst))
        attrs.update({k: rec[k] for k in (*_OPTIONAL, *_EDGE_ONLY, "mode") if rec.get(k) is not None})
        if rec.get("reverse_of") is not None:
            attrs["reverse_of"] = rec["reverse_of"]
        G.add_edge(rec["source"], rec["target"], key=rec["id"], **attrs)


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
    frames = []
    for label, gdf in (("nodes", nodes), ("edges", edges)):
        if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
            gdf = gdf.to_crs(4326)
        gdf = gdf.reset_index(names="id") if "id" not in gdf.columns else gdf.reset_index(drop=True)
        frames += [(label, i, f) for i, f in enumerate(gdf.iterfeatures(na="null", drop_id=True))]
    attrs = dict(graph_attrs or {})
    raw = RawNetwork(features=frames, meta={k: attrs[k] for k in ("name", "description") if attrs.get(k)},
                     source=str(attrs.get("source") or "GeoDataFrames"), sha256=str(attrs.get("sha256") or ""))
    report, G = _build(raw, computed_ok=True)
    if G is None:
        raise NetworkValidationError(report.problems, source=raw.source)
    G.graph.update({k: v for k, v in attrs.items() if k != "crs"})
    return G
