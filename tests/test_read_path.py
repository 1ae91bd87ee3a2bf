"""The columnar read path: every format gives the same network, exactly what the rules say.

- the same features as GeoJSON (parsed whole or in pieces), GeoPackage, GeoParquet (WKB in
  one file, GeoArrow in two), Shapefile and FlatGeobuf give the same graph, the same
  compiled arrays and the same report, on random networks;
- that graph is the one an independent reading of docs/network-format.md builds;
- the arrays compiled from the columns equal those compiled from the built graph;
- a NetworkGraph is built only when looked at, and the command line never builds it for
  a report;
- what each reader refuses or warns about (layers, CRS, Shapefile names, formats).
"""

from __future__ import annotations

import copy
import json
import math
import warnings
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pyogrio
import pyproj
import pytest
import shapely
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import supplynet
from supplynet import NetworkReadError, NetworkValidationError, load_network, read_network
from supplynet.cli import main
from supplynet.engine.compile import arrays_from_graph
from supplynet.io import geojson as gj
from supplynet.network.countries import locate_countries
from supplynet.network.graph import NetworkGraph

GEOD = pyproj.Geod(ellps="WGS84")
DATA = Path(__file__).resolve().parent / "data"


# --- random networks, and the same features in every format -------------------------------

lon = st.floats(34.0, 60.0, allow_nan=False)
lat = st.floats(12.0, 40.0, allow_nan=False)


@st.composite
def networks(draw: st.DrawFn) -> dict:
    """A valid network: typed free properties (one type per property, as a GIS file holds)."""
    n = draw(st.integers(2, 9))
    pts = draw(st.lists(st.tuples(lon, lat), min_size=n, max_size=n))
    feats = []
    for i, p in enumerate(pts):
        kind = ("manufacturing", "assembly")[i] if i < 2 else draw(st.sampled_from(["manufacturing", "assembly",
                                                                                      "storage", "hub"]))
        props = {"id": f"n{i}", "type": kind,
                 "interdictable": draw(st.booleans()), "operator": draw(st.sampled_from(["a", "b", "c d"]))}
        for name, values in (("capacity", st.integers(0, 60)), ("cost", st.integers(0, 5)),
                             ("name", st.sampled_from(["Alpha", "Beta"])), ("repair_days", st.integers(0, 30)),
                             ("confidence", st.sampled_from([0.25, 0.5, 1.0])), ("score", st.integers(-5, 5))):
            if draw(st.booleans()):
                props[name] = draw(values)
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": list(p)}, "properties": props})
    m = draw(st.integers(1, 14))
    for j in range(m):
        s, t = draw(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda e: e[0] != e[1]))
        props = {"source": f"n{s}", "target": f"n{t}", "bidirectional": draw(st.booleans()),
                 "mode": draw(st.sampled_from(["road", "air", "track"])), "interdictable": draw(st.booleans())}
        if draw(st.integers(0, 3)):
            props["id"] = f"e{j}"
        for name, values in (("capacity", st.integers(0, 100)), ("length_km", st.sampled_from([1.5, 12.0, 100.0])),
                             ("cost", st.integers(0, 3)), ("transit_days", st.integers(0, 4))):
            if draw(st.booleans()):
                props[name] = draw(values)
        geom = None
        if draw(st.booleans()):
            mid = draw(st.lists(st.tuples(lon, lat), max_size=2))
            geom = {"type": "LineString", "coordinates": [list(pts[s]), *[list(q) for q in mid], list(pts[t])]}
        feats.append({"type": "Feature", "geometry": geom, "properties": props})
    order = draw(st.permutations(range(len(feats))))
    return {"type": "FeatureCollection", "features": [feats[k] for k in order]}


def _frame(feats: list[dict]) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame.from_features(feats, crs="EPSG:4326")
    return frame


def _write_formats(doc: dict, folder: Path) -> dict[str, tuple[Path, Path | None]]:
    """Write ``doc``'s features in every format supplynet reads; return ``{name: (path, edges)}``."""
    nodes = [f for f in doc["features"] if "source" not in f["properties"]]
    edges = [f for f in doc["features"] if "source" in f["properties"]]
    out: dict[str, tuple[Path, Path | None]] = {}
    gj_path = folder / "net.geojson"
    gj_path.write_text(json.dumps(doc))
    out["geojson"] = (gj_path, None)
    n_frame, e_frame = _frame(nodes), _frame(edges)
    gpkg = folder / "net.gpkg"
    pyogrio.write_dataframe(n_frame, gpkg, layer="nodes", driver="GPKG")
    pyogrio.write_dataframe(e_frame, gpkg, layer="edges", driver="GPKG")
    out["gpkg"] = (gpkg, None)
    both = gpd.GeoDataFrame(
        __import__("pandas").concat([n_frame, e_frame], ignore_index=True), geometry="geometry", crs="EPSG:4326")
    both.to_parquet(folder / "net.parquet")
    out["parquet"] = (folder / "net.parquet", None)
    n_frame.to_parquet(folder / "nodes.parquet", geometry_encoding="geoarrow")
    drawn = e_frame.geometry.notna().all()
    if drawn:  # GeoArrow linestrings cannot be null
        e_frame.to_parquet(folder / "edges.parquet", geometry_encoding="geoarrow")
        out["geoarrow"] = (folder / "nodes.parquet", folder / "edges.parquet")
    pyogrio.write_dataframe(n_frame, folder / "nodes.fgb", driver="FlatGeobuf")
    pyogrio.write_dataframe(e_frame, folder / "edges.fgb", driver="FlatGeobuf", layer_options={"SPATIAL_INDEX": "NO"})
    out["flatgeobuf"] = (folder / "nodes.fgb", folder / "edges.fgb")
    with warnings.catch_warnings():  # GDAL's note that it cuts the names: what the reader undoes
        warnings.simplefilter("ignore", RuntimeWarning)
        pyogrio.write_dataframe(n_frame, folder / "nodes.shp", driver="ESRI Shapefile")
        pyogrio.write_dataframe(e_frame, folder / "edges.shp", driver="ESRI Shapefile")
    out["shapefile"] = (folder / "nodes.shp", folder / "edges.shp")
    return out


def _attrs_equal(a: dict, b: dict) -> bool:
    if set(a) != set(b):
        return False
    for k, v in a.items():
        w = b[k]
        if k == "geometry":
            if not v.equals_exact(w, 0):
                return False
        elif not (v == w or (isinstance(v, float) and isinstance(w, float) and math.isnan(v) and math.isnan(w))):
            return False
    return True


def _same_graph(G: nx.MultiDiGraph, H: nx.MultiDiGraph) -> None:
    assert sorted(G.nodes) == sorted(H.nodes)
    for v in G:
        assert _attrs_equal(G.nodes[v], H.nodes[v]), (v, G.nodes[v], H.nodes[v])
    assert sorted(G.edges(keys=True)) == sorted(H.edges(keys=True))
    for u, v, k, d in G.edges(keys=True, data=True):
        assert _attrs_equal(d, H.edges[u, v, k]), (k, d, H.edges[u, v, k])


def _same_arrays(a: object, b: object) -> None:
    for name in a.__dataclass_fields__:
        if name in ("meta", "extra", "graph", "properties"):
            continue
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True), name
        else:
            assert x == y, name


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=networks())
def test_every_format_gives_the_same_network_and_report(doc: dict, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("formats")
    paths = _write_formats(doc, folder)
    G = read_network(*paths["geojson"])
    report = supplynet.analyse(G)
    for name, (path, edges) in paths.items():
        H = read_network(path, edges)
        if name == "shapefile":  # dBase has no booleans: it stores 1/0, which read back as true/false
            _same_graph_numbers(G, H)
        else:
            _same_graph(G, H)
        _same_arrays(arrays_from_graph(G), arrays_from_graph(H))
        other = supplynet.analyse(H)
        assert other.max_flow == report.max_flow and other.min_edge_cut == report.min_edge_cut, name
        assert other.min_node_cut == report.min_node_cut, name
        assert other.nodes.equals(report.nodes) and other.edges.equals(report.edges), name


def _same_graph_numbers(G: nx.MultiDiGraph, H: nx.MultiDiGraph) -> None:
    """As :func:`_same_graph`, free booleans compared as the 1/0 a Shapefile stores."""
    def plain(d: dict) -> dict:
        return {k: (int(v) if isinstance(v, bool) and k not in ("interdictable", "crosses_border") else v)
                for k, v in d.items()}

    assert sorted(G.nodes) == sorted(H.nodes)
    for v in G:
        assert _attrs_equal(plain(G.nodes[v]), plain(H.nodes[v])), v
    for u, v, k, d in G.edges(keys=True, data=True):
        assert _attrs_equal(plain(d), plain(H.edges[u, v, k])), k


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.sampled_from([1, 150, 700]))
def test_geojson_in_pieces_equals_geojson_whole(doc: dict, chunk: int) -> None:
    text = json.dumps(doc).encode()
    whole = gj.parse_geojson(text, "t", max_features=10**6, max_feature_bytes=10**7)[1]
    saved = gj.WHOLE_BYTES, gj.CHUNK_BYTES
    gj.WHOLE_BYTES, gj.CHUNK_BYTES = 0, chunk
    try:
        pieces = gj.parse_geojson(text, "t", max_features=10**6, max_feature_bytes=10**7)[1]
    finally:
        gj.WHOLE_BYTES, gj.CHUNK_BYTES = saved
    assert whole.count == pieces.count and np.array_equal(whole.geom, pieces.geom)
    assert np.array_equal(whole.x, pieces.x, equal_nan=True) and np.array_equal(whole.line_xy, pieces.line_xy)
    for key, col in whole.columns.items():
        got = sorted(zip(pieces.columns[key].rows.tolist(), map(repr, pieces.columns[key].values)))
        assert sorted(zip(col.rows.tolist(), map(repr, col.values))) == got


# --- an independent reading of docs/network-format.md ------------------------------------

def _expected(doc: dict) -> nx.MultiDiGraph:
    """The graph the file format page describes, built feature by feature in plain Python."""
    feats = doc["features"]
    nodes = [f for f in feats if "source" not in f["properties"]]
    H = nx.MultiDiGraph()
    countries = locate_countries([f["geometry"]["coordinates"][0] for f in nodes],
                                 [f["geometry"]["coordinates"][1] for f in nodes])
    for f, country in zip(nodes, countries):
        p = dict(f["properties"])
        x, y = f["geometry"]["coordinates"]
        attrs = {k: v for k, v in p.items() if k not in supplynet.io.validate.NODE_FIELDS}
        attrs.update(type=p["type"], name=p.get("name") or p["id"], x=float(x), y=float(y),
                     cost=float(p.get("cost", 1)), interdictable=p.get("interdictable", True), country=country)
        attrs.update({k: float(p[k]) for k in ("capacity", "repair_days", "confidence") if k in p})
        H.add_node(p["id"], **attrs)
    counts: dict[tuple[str, str], int] = {}
    for f in feats:
        p = f["properties"]
        if "source" not in p:
            continue
        ident = p.get("id")
        if ident is None:
            pair = (p["source"], p["target"])
            ident = f"{pair[0]}->{pair[1]}#{counts.get(pair, 0)}"
            counts[pair] = counts.get(pair, 0) + 1
        coords = f["geometry"]["coordinates"] if f["geometry"] else [
            [H.nodes[p["source"]]["x"], H.nodes[p["source"]]["y"]], [H.nodes[p["target"]]["x"], H.nodes[p["target"]]["y"]]]
        for rev in ([False, True] if p.get("bidirectional") else [False]):
            u, v = (p["target"], p["source"]) if rev else (p["source"], p["target"])
            line = list(reversed(coords)) if rev else coords
            attrs = {k: val for k, val in p.items() if k not in supplynet.io.validate.EDGE_FIELDS}
            if "length_km" in p:
                attrs["length_km"] = float(p["length_km"])
                metres = p["length_km"] * 1000.0
            else:
                metres = GEOD.line_length([c[0] for c in line], [c[1] for c in line])
            cu, cv = H.nodes[u]["country"], H.nodes[v]["country"]
            attrs.update(length=int(round(metres)), geometry=shapely.LineString(line), cost=float(p.get("cost", 1)),
                         interdictable=p.get("interdictable", True), crosses_border=bool(cu and cv and cu != cv))
            attrs.update({k: float(p[k]) for k in ("capacity", "transit_days") if k in p})
            attrs["mode"] = p["mode"]
            if rev:
                attrs["reverse_of"] = ident
            H.add_edge(u, v, key=f"{ident}~rev" if rev else ident, **attrs)
    return H


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_the_graph_is_what_the_format_page_says(doc: dict) -> None:
    from supplynet.io.read import RawNetwork
    from supplynet.network.graph import _build

    block = gj.parse_geojson(json.dumps(doc).encode(), "t", max_features=10**6, max_feature_bytes=10**7)[1]
    report, G = _build(RawNetwork(blocks=[block], source="t"), computed_ok=False)
    assert report.problems == []
    H = _expected(doc)
    assert sorted(G.nodes) == sorted(H.nodes) and sorted(G.edges(keys=True)) == sorted(H.edges(keys=True))
    for v in H:
        assert _attrs_equal(G.nodes[v], H.nodes[v]), (v, G.nodes[v], H.nodes[v])
    for u, v, k, d in H.edges(keys=True, data=True):
        got = G.edges[u, v, k]
        assert abs(got["length"] - d["length"]) <= 1 and d["geometry"].equals_exact(got["geometry"], 1e-12)
        rest = {x: y for x, y in got.items() if x not in ("length", "geometry")}
        assert _attrs_equal(rest, {x: y for x, y in d.items() if x not in ("length", "geometry")}), k


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_arrays_from_the_columns_equal_arrays_from_the_built_graph(doc: dict) -> None:
    block = gj.parse_geojson(json.dumps(doc).encode(), "t", max_features=10**6, max_feature_bytes=10**7)[1]
    from supplynet.io.read import RawNetwork
    from supplynet.network.graph import _build

    _, G = _build(RawNetwork(blocks=[block], source="t"), computed_ok=False)
    columns = arrays_from_graph(G)
    assert not G.is_built
    plain = nx.MultiDiGraph(G)  # builds G, and copies it into an ordinary graph
    built = arrays_from_graph(plain)
    _same_arrays(columns, built)
    for kind, names in (("node", ("capacity", "cost", "x", "interdictable", "score", "operator_missing")),
                        ("edge", ("length", "length_km", "transit_days", "crosses_border", "capacity"))):
        for name in names:
            assert np.array_equal(columns.column(kind, name), built.column(kind, name), equal_nan=True), name


# --- the graph is built only when looked at ----------------------------------------------

def test_a_network_graph_is_built_on_first_look(data_dir: Path) -> None:
    G = read_network(data_dir / "diamond.geojson")
    assert isinstance(G, NetworkGraph) and not G.is_built
    assert (len(G), G.number_of_nodes(), G.number_of_edges()) == (4, 4, 6) and G.graph["name"] == "diamond"
    snap = supplynet.compile_network(G)
    assert snap.max_flow_value() > 0 and not G.is_built
    assert G.nodes["a"]["capacity"] == 30.0 and G.is_built  # looking builds it
    assert "a" in G and sorted(G) == ["a", "b", "s", "t"]
    G.nodes["a"]["capacity"] = 1.0  # a changed graph compiles as changed
    assert supplynet.compile_network(G).node_capacity[snap.node_index["a"]] == 1.0
    H = read_network(data_dir / "diamond.geojson")
    H.add_node("z", type="hub", x=44.0, y=33.0)
    assert H.number_of_nodes() == 5 and "z" in supplynet.compile_network(H).nodes


def test_a_frozen_network_graph_compiles_from_its_columns_even_once_built(data_dir: Path) -> None:
    G = nx.freeze(read_network(data_dir / "diamond.geojson"))
    _ = G.nodes["a"]
    assert G.is_built and G.columns is not None
    assert arrays_from_graph(G) is arrays_from_graph(G)  # the columns' arrays, made once
    with pytest.raises(nx.NetworkXError):
        G.add_node("z")


def test_a_network_graph_copies_and_pickles_as_a_graph(data_dir: Path) -> None:
    import pickle

    G = read_network(data_dir / "diamond.geojson")
    for H in (copy.deepcopy(G), pickle.loads(pickle.dumps(G)), G.copy()):
        _same_graph(read_network(data_dir / "diamond.geojson"), H)


def test_the_command_line_reports_without_building_the_graph(monkeypatch: pytest.MonkeyPatch,
                                                            corridor_path: Path) -> None:
    def refuse(self: NetworkGraph) -> None:
        raise AssertionError("the graph was built")

    monkeypatch.setattr(NetworkGraph, "_build", refuse)
    for command in (["report", "--format", "json"], ["info"], ["plan", "--budget", "2"],
                    ["whatif", "--remove", "bc-alqaim"]):
        result = CliRunner().invoke(main, [command[0], str(corridor_path), *command[1:]])
        assert result.exit_code == 0, (command, result.output)


# --- what each reader refuses, warns about, or reads for the user --------------------------

def _diamond_frames(data_dir: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    doc = json.loads((data_dir / "diamond.geojson").read_text())
    nodes = [f for f in doc["features"] if "source" not in f["properties"]]
    edges = _frame([f for f in doc["features"] if "source" in f["properties"]])
    edges["bidirectional"] = edges["bidirectional"].fillna(False).astype(bool)  # a GIS column has one type
    return _frame(nodes), edges


def test_a_geopackage_line_layer_not_called_edges_is_refused(tmp_path: Path, data_dir: Path) -> None:
    nodes, edges = _diamond_frames(data_dir)
    path = tmp_path / "net.gpkg"
    pyogrio.write_dataframe(nodes, path, layer="nodes")
    pyogrio.write_dataframe(edges, path, layer="roads")
    report, G = load_network(path)
    assert G is None and any("layer 'roads' holds LineString features" in p and "rename it" in p
                             for p in report.problems)
    pyogrio.write_dataframe(edges, path, layer="edges")
    area = gpd.GeoDataFrame({"name": ["box"]}, geometry=[shapely.box(40, 30, 41, 31)], crs="EPSG:4326")
    pyogrio.write_dataframe(area, path, layer="areas")
    report, G = load_network(path)
    assert G is None  # roads is still there
    fresh = tmp_path / "ok.gpkg"
    for layer, frame in (("nodes", nodes), ("edges", edges), ("areas", area)):
        pyogrio.write_dataframe(frame, fresh, layer=layer)
    report, G = load_network(fresh)
    assert G is not None and any("layer 'areas' (Polygon) is not read" in w for w in report.warnings)


def test_shapefile_field_names_cut_to_ten_characters_are_read_in_full(tmp_path: Path, data_dir: Path) -> None:
    nodes, edges = _diamond_frames(data_dir)
    edges["repair_days"] = 4.0
    edges["interdictable"] = 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        pyogrio.write_dataframe(nodes, tmp_path / "n.shp", driver="ESRI Shapefile")
        pyogrio.write_dataframe(edges, tmp_path / "e.shp", driver="ESRI Shapefile")
    assert {"bidirectio", "repair_day", "interdicta"} <= set(pyogrio.read_info(tmp_path / "e.shp")["fields"])
    report, G = load_network(tmp_path / "n.shp", tmp_path / "e.shp")
    assert G is not None
    assert G.has_edge("b", "a", "ab~rev")  # bidirectional read: the reverse edge exists
    assert G.edges["s", "a", "sa"]["repair_days"] == 4.0
    assert any("'bidirectio' is read as 'bidirectional'" in w for w in report.warnings)


def test_a_geojson_crs_member_is_honoured(tmp_path: Path, data_dir: Path) -> None:
    doc = json.loads((data_dir / "diamond.geojson").read_text())
    to_mercator = pyproj.Transformer.from_crs(4326, 3857, always_xy=True)
    for f in doc["features"]:
        g = f["geometry"]
        if g and g["type"] == "Point":
            g["coordinates"] = list(to_mercator.transform(*g["coordinates"]))
        elif g:
            g["coordinates"] = [list(to_mercator.transform(*c)) for c in g["coordinates"]]
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    path = tmp_path / "mercator.geojson"
    path.write_text(json.dumps(doc))
    G, H = read_network(path), read_network(data_dir / "diamond.geojson")
    for v in H:
        assert G.nodes[v]["x"] == pytest.approx(H.nodes[v]["x"], abs=1e-9)
        assert G.nodes[v]["country"] == H.nodes[v]["country"]
    for u, v, k, d in H.edges(keys=True, data=True):
        assert abs(G.edges[u, v, k]["length"] - d["length"]) <= 1
    doc["crs"] = {"type": "link", "properties": {"href": "http://example.org/crs"}}
    path.write_text(json.dumps(doc))
    with pytest.raises(NetworkValidationError, match="not a named CRS"):
        read_network(path)


def test_geoparquet_wkb_three_dimensional_and_geoarrow_read_alike(tmp_path: Path, data_dir: Path) -> None:
    nodes, edges = _diamond_frames(data_dir)
    edges = edges[edges.geometry.notna()].copy()
    nodes.to_parquet(tmp_path / "n.parquet")
    edges.to_parquet(tmp_path / "e.parquet")
    nodes.to_parquet(tmp_path / "n.arrow.parquet", geometry_encoding="geoarrow")
    edges.to_parquet(tmp_path / "e.arrow.parquet", geometry_encoding="geoarrow")
    deep = edges.copy()
    deep.geometry = shapely.force_3d(deep.geometry.values, 7.0)
    deep.to_parquet(tmp_path / "e.3d.parquet")
    G = read_network(tmp_path / "n.parquet", tmp_path / "e.parquet")
    _same_graph(G, read_network(tmp_path / "n.arrow.parquet", tmp_path / "e.arrow.parquet"))
    _same_graph(G, read_network(tmp_path / "n.parquet", tmp_path / "e.3d.parquet"))


@pytest.mark.parametrize("head, words", [
    (b"id,x,y\n1,44.0,33.0\n", "text such as CSV"),
    (b'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource></OGRVRTLayer>'
     b"</OGRVRTDataSource>", "an OGR VRT file"),
    (b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"></kml>', "XML (GML, KML, GPX"),
    (b"SQLite format 3\x00" + b"\x00" * 200, "an SQLite database that is not a GeoPackage"),
    (b"\x00" * 100, "binary data"),
])
def test_formats_supplynet_does_not_read_are_refused_by_their_bytes(tmp_path: Path, head: bytes, words: str) -> None:
    path = tmp_path / "network.dat"
    path.write_bytes(head)
    with pytest.raises(NetworkReadError) as info:
        read_network(path)
    assert words in str(info.value) and "GeoJSON, GeoPackage, GeoParquet, Shapefile, FlatGeobuf" in str(info.value)


def test_geojson_with_a_bom_or_in_utf16_is_read(tmp_path: Path, data_dir: Path) -> None:
    text = (data_dir / "diamond.geojson").read_text()
    (tmp_path / "bom.geojson").write_bytes(b"\xef\xbb\xbf" + text.encode())
    (tmp_path / "wide.geojson").write_bytes(text.encode("utf-16"))
    H = read_network(data_dir / "diamond.geojson")
    _same_graph(H, read_network(tmp_path / "bom.geojson"))
    _same_graph(H, read_network(tmp_path / "wide.geojson"))


def test_json_errors_in_a_large_document_say_where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   data_dir: Path) -> None:
    monkeypatch.setattr(gj, "WHOLE_BYTES", 0)
    monkeypatch.setattr(gj, "CHUNK_BYTES", 200)
    doc = json.loads((data_dir / "diamond.geojson").read_text())
    text = json.dumps(doc, indent=1)
    broken = text.replace('"capacity": 30', '"capacity": 30,,', 1)
    path = tmp_path / "broken.geojson"
    path.write_text(broken)
    line = broken[:broken.index(",,") + 1].count("\n") + 1
    with pytest.raises(NetworkReadError, match=rf"not valid JSON at line {line}, column \d+: Expecting"):
        read_network(path)
    path.write_text(text[: len(text) // 2])
    with pytest.raises(NetworkReadError, match="ends too early"):
        read_network(path)
    path.write_text(text.replace('"capacity": 30', '"capacity": 30, "capacity": 40', 1))
    with pytest.raises(NetworkValidationError, match="'capacity' is given twice"):
        read_network(path)
    monkeypatch.setenv("SUPPLYNET_MAX_FEATURE_BYTES", "100")
    path.write_text(text)
    with pytest.raises(NetworkReadError, match="more than the 100 bytes one feature may hold"):
        read_network(path)
