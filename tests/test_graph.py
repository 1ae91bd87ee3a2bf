"""Building the graph: lengths, countries, the gdf round trip, OGR inputs, random networks."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pyproj
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supplynet import NetworkValidationError, SupplynetError, graph_from_gdfs, graph_to_gdfs, read_network
from supplynet.io.geojson import parse_geojson
from supplynet.io.read import RawNetwork
from supplynet.network.graph import _build

GEOD = pyproj.Geod(ellps="WGS84")


def test_diamond_graph(data_dir: Path) -> None:
    G = read_network(data_dir / "diamond.geojson")
    assert G.graph["crs"] == "EPSG:4326"
    assert G.graph["name"] == "diamond"
    assert (G.number_of_nodes(), G.number_of_edges()) == (4, 6)
    assert G.nodes["s"]["country"] == "Iran" and G.nodes["t"]["country"] == "Syria"
    assert "capacity" not in G.nodes["s"] and G.nodes["a"]["capacity"] == 30.0
    # the bidirectional edge gains a reverse twin
    assert G.edges["b", "a", "ab~rev"]["reverse_of"] == "ab"
    assert G.edges["s", "a", "sa"]["crosses_border"] is True
    assert G.edges["a", "b", "ab"]["crosses_border"] is False
    expected = GEOD.inv(46.0, 34.3, 44.4, 33.3)[2]
    assert G.edges["s", "a", "sa"]["length"] == round(expected)
    assert isinstance(G.edges["s", "a", "sa"]["length"], int)


def test_length_km_overrides_geometry(tmp_path: Path, data_dir: Path) -> None:
    doc = json.loads((data_dir / "diamond.geojson").read_text())
    doc["features"][4]["properties"]["length_km"] = 12.3456
    path = tmp_path / "d.geojson"
    path.write_text(json.dumps(doc))
    assert read_network(path).edges["s", "a", "sa"]["length"] == 12346


def test_round_trip(data_dir: Path) -> None:
    G = read_network(data_dir / "diamond.geojson")
    nodes, edges = graph_to_gdfs(G)
    assert nodes.crs.to_epsg() == 4326 and list(nodes.index) == list(G.nodes)
    assert edges.loc["sa", "length"] == G.edges["s", "a", "sa"]["length"]
    H = graph_from_gdfs(nodes, edges, graph_attrs=G.graph)
    assert nx.utils.graphs_equal(G, H)
    assert H.graph == G.graph
    for u, v, k, d in G.edges(keys=True, data=True):
        assert H.edges[u, v, k] == d
    # the caller's frames are untouched
    assert list(nodes.columns) == list(graph_to_gdfs(G)[0].columns)


def test_gdfs_are_validated() -> None:
    nodes = gpd.GeoDataFrame({"type": ["manufacturing"]}, index=["a"], geometry=gpd.points_from_xy([44], [33]),
                             crs="EPSG:4326")
    edges = gpd.GeoDataFrame({"source": ["a"], "target": ["zz"]}, index=["e"], geometry=[None], crs="EPSG:4326")
    with pytest.raises(NetworkValidationError, match="'zz', which does not exist"):
        graph_from_gdfs(nodes, edges)


def test_pair_of_files(tmp_path: Path, data_dir: Path) -> None:
    doc = json.loads((data_dir / "diamond.geojson").read_text())
    nodes = {**doc, "features": [f for f in doc["features"] if f["geometry"] and f["geometry"]["type"] == "Point"]}
    edges = {**doc, "features": [f for f in doc["features"] if f not in nodes["features"]]}
    (tmp_path / "n.geojson").write_text(json.dumps(nodes))
    (tmp_path / "e.geojson").write_text(json.dumps(edges))
    G = read_network(tmp_path / "n.geojson", tmp_path / "e.geojson")
    assert (G.number_of_nodes(), G.number_of_edges()) == (4, 6)


def test_geopackage_in_another_crs_is_reprojected(tmp_path: Path, data_dir: Path) -> None:
    G = read_network(data_dir / "diamond.geojson")
    nodes, edges = graph_to_gdfs(G)
    path = tmp_path / "net.gpkg"
    nodes.drop(columns=["x", "y", "country"]).to_crs(3857).to_file(path, layer="nodes")
    edges.drop(columns=["length", "crosses_border"]).to_crs(3857).to_file(path, layer="edges")
    H = read_network(path)
    assert sorted(H.nodes) == sorted(G.nodes) and H.number_of_edges() == G.number_of_edges()
    assert H.nodes["a"]["x"] == pytest.approx(44.4, abs=1e-9)
    for u, v, k, d in G.edges(keys=True, data=True):
        assert abs(H.edges[u, v, k]["length"] - d["length"]) <= 1


def test_stdin(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    import io
    import sys

    data = (data_dir / "diamond.geojson").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    G = read_network("-")
    assert G.graph["source"] == "<stdin>" and G.number_of_nodes() == 4


# --- random networks ---------------------------------------------------------------------

lon = st.floats(-179.0, 179.0, allow_nan=False)
lat = st.floats(-80.0, 80.0, allow_nan=False)


@st.composite
def networks(draw: st.DrawFn) -> dict:
    n = draw(st.integers(2, 12))
    pts = draw(st.lists(st.tuples(lon, lat), min_size=n, max_size=n))
    feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": list(p)},
              "properties": {"id": f"n{i}", "type": draw(st.sampled_from(["manufacturing", "assembly", "hub"])),
                             "capacity": draw(st.none() | st.integers(0, 100))}} for i, p in enumerate(pts)]
    m = draw(st.integers(1, 20))
    for j in range(m):
        s, t = draw(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1]))
        mid = draw(st.lists(st.tuples(lon, lat), max_size=2))
        line = [list(pts[s]), *[list(p) for p in mid], list(pts[t])]
        geom = draw(st.sampled_from([None, {"type": "LineString", "coordinates": line}]))
        feats.append({"type": "Feature", "geometry": geom,
                      "properties": {"id": f"e{j}", "source": f"n{s}", "target": f"n{t}",
                                     "capacity": draw(st.none() | st.floats(0, 1e6))}})
    return {"type": "FeatureCollection", "features": feats}


def _raw(doc: dict) -> RawNetwork:
    _, block = parse_geojson(json.dumps(doc).encode(), "gen", max_features=10**6, max_feature_bytes=10**7)
    return RawNetwork(blocks=[block], source="gen")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_random_valid_networks_load_with_geodesic_lengths(doc: dict) -> None:
    report, G = _build(_raw(doc), computed_ok=False)
    assert report.valid, report.problems
    nodes = [f for f in doc["features"] if f["geometry"] and f["geometry"]["type"] == "Point"]
    assert G.number_of_nodes() == len(nodes)
    assert G.number_of_edges() == len(doc["features"]) - len(nodes)
    pos = {f["properties"]["id"]: f["geometry"]["coordinates"] for f in nodes}
    for f in doc["features"][len(nodes):]:
        p = f["properties"]
        coords = f["geometry"]["coordinates"] if f["geometry"] else [pos[p["source"]], pos[p["target"]]]
        lons, lats = zip(*coords)
        expected = GEOD.line_length(lons, lats)
        got = G.edges[p["source"], p["target"], p["id"]]["length"]
        assert abs(got - expected) <= max(1.0, 0.001 * expected)


MANGLES = {
    "nan_coordinate": lambda f: f["geometry"] and f["geometry"]["type"] == "Point" and f["geometry"].update(coordinates=[math.nan, 0]),
    "big_latitude": lambda f: f["geometry"] and f["geometry"]["type"] == "Point" and f["geometry"].update(coordinates=[0, 91]),
    "negative_capacity": lambda f: f["properties"].update(capacity=-1),
    "text_cost": lambda f: f["properties"].update(cost="cheap"),
    "bad_confidence": lambda f: f["properties"].update(confidence=2),
    "drop_properties": lambda f: f.update(properties={"id": f["properties"]["id"]}) if "source" in f["properties"] else f["properties"].pop("type"),
    "not_a_feature": lambda f: f.update(type="Thing"),
    "bad_geometry": lambda f: f.update(geometry={"type": "Polygon", "coordinates": []}),
    "garbage_geometry": lambda f: f.update(geometry=[1, 2, 3]),
    "id_list": lambda f: f["properties"].update(id=[1]),
}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.sampled_from(sorted(MANGLES)), st.data())
def test_mangled_networks_raise_the_package_error(doc: dict, mangle: str, data: st.DataObject) -> None:
    idx = data.draw(st.integers(0, len(doc["features"]) - 1))
    feat = doc["features"][idx]
    MANGLES[mangle](feat)
    try:
        report, G = _build(_raw(doc), computed_ok=False)
    except SupplynetError:
        return
    if report.valid:
        # some mangles are harmless on some features (a Point mangle on an edge)
        assert mangle in ("nan_coordinate", "big_latitude") and "source" in feat["properties"]
    else:
        assert G is None and report.problems


def test_countries_looked_up_ahead_equal_the_lookup_after(monkeypatch) -> None:
    """Large inputs look their points' countries up while validating; the answer is the
    one the lookup after validation gives, and is used only for exactly those points."""
    import numpy as np

    from supplynet.network import graph
    from supplynet.network.countries import locate_countries
    from tests.conftest import CORRIDOR

    calls = []
    real = graph.locate_countries

    def counted(x, y, **kw):
        calls.append(len(x))
        return real(x, y, **kw)

    monkeypatch.setattr(graph, "locate_countries", counted)
    monkeypatch.setattr(graph._CountriesAhead, "FROM", 1)
    G = read_network(CORRIDOR)
    n = G.number_of_nodes()
    assert calls == [n]  # once, ahead, and not again
    xs, ys = [G.nodes[v]["x"] for v in G], [G.nodes[v]["y"] for v in G]
    assert [G.nodes[v]["country"] for v in G] == locate_countries(xs, ys)
    monkeypatch.setattr(graph._CountriesAhead, "FROM", 10**9)
    calls.clear()
    H = read_network(CORRIDOR)
    assert calls == [n] and dict(H.nodes(data="country")) == dict(G.nodes(data="country"))
    # other points than those looked up: no answer, the caller looks them up again
    ahead = graph._CountriesAhead(np.array([44.4, 46.0]), np.array([33.3, 34.3]))
    assert ahead.result(np.array([44.4, 46.0]), np.array([33.3, 34.3])) == ["Iraq", "Iran"]
    assert ahead.result(np.array([46.0, 44.4]), np.array([34.3, 33.3])) is None
