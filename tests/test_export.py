"""Result layers: every metric joined onto the network, read back by GDAL exactly as the report says."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import subprocess
from pathlib import Path
from typing import Any

import networkx as nx
import pyogrio
import pytest

from supplynet import OutputError, read_network
from tests.conftest import program
from supplynet.render.layers import (EDGE_METRICS, NODE_METRICS, Layers, export_layers, geojson_text, result_layers,
                              split_paths, write_layers)
from supplynet.analysis.report import analyse
from supplynet.render.report import format_report



@pytest.fixture(scope="module")
def corridor() -> nx.MultiDiGraph:
    return read_network(Path(__file__).resolve().parent.parent / "datasets" / "corridor.geojson")


@pytest.fixture(scope="module")
def diamond() -> nx.MultiDiGraph:
    return read_network(Path(__file__).parent / "data" / "diamond.geojson")


def _expected(G: nx.MultiDiGraph, **kw: Any) -> tuple[dict[str, dict], dict[str, dict], dict[str, Any]]:
    """The report JSON's figures per node and per edge, as the export must carry them."""
    out = json.loads(format_report(analyse(G, **kw), "json"))
    ranks = {(p["kind"], p["id"]): p["rank"] for p in out["interdiction_points"]}
    cut_nodes, cut_edges = set(out["min_node_cut"]["nodes"]), {e["id"] for e in out["min_edge_cut"]["edges"]}
    nodes = {n["id"]: dict(n, in_min_node_cut=n["id"] in cut_nodes, interdiction_rank=ranks.get(("node", n["id"])))
             for n in out["nodes"]}
    edges = {e["id"]: dict(e, in_min_edge_cut=e["id"] in cut_edges, interdiction_rank=ranks.get(("edge", e["id"])))
             for e in out["edges"]}
    return nodes, edges, out


def _same(got: Any, want: Any) -> bool:
    if want is None:
        return got is None or (isinstance(got, float) and math.isnan(got))
    if isinstance(want, bool):
        return bool(got) == want
    if isinstance(want, (int, float)):
        return got is not None and float(got) == float(want)
    return got == want


def _check_metrics(rows: dict[str, dict], want: dict[str, dict], columns: tuple[str, ...]) -> None:
    assert sorted(rows) == sorted(want)
    for ident, row in rows.items():
        for col in columns:
            assert _same(row[col], want[ident][col]), (ident, col, row[col], want[ident][col])


def _read_gdal(path: Path, layer: str | None = None) -> dict[str, dict]:
    gdf = pyogrio.read_dataframe(path, layer=layer)
    return {r["id"]: r for r in gdf.drop(columns="geometry").to_dict(orient="records")}


def _ogrinfo(path: Path) -> str:
    """``ogrinfo -so -al``'s summary of every layer; GDAL must say nothing is amiss."""
    proc = subprocess.run([program("ogrinfo"), "-ro", "-so", "-al", str(path)], capture_output=True, text=True, check=True)
    text = proc.stdout + proc.stderr
    assert "Warning" not in text and "ERROR" not in text, text
    return text


def test_layers_carry_every_metric_of_the_report(diamond: nx.MultiDiGraph) -> None:
    layers = result_layers(diamond, analyse(diamond))
    nodes, edges, out = _expected(diamond)
    _check_metrics(layers.nodes.to_dict(orient="index"), nodes, NODE_METRICS)
    _check_metrics(layers.edges.to_dict(orient="index"), edges, EDGE_METRICS)
    assert list(layers.nodes.index) == sorted(layers.nodes.index) and layers.nodes.crs.to_epsg() == 4326
    assert layers.nodes.loc["a", "name"] == "Hub A" and layers.edges.loc["sb", "mode"] == "track"
    assert layers.metadata["network"]["sha256"] == out["network"]["sha256"]
    assert layers.metadata["sources"] == ["s"] and layers.metadata["parameters"] == out["parameters"]
    assert "generated_at" not in layers.metadata


def test_input_is_not_changed(diamond: nx.MultiDiGraph) -> None:
    before = nx.to_dict_of_dicts(diamond), dict(diamond.nodes(data=True))
    result_layers(diamond, analyse(diamond))
    assert (nx.to_dict_of_dicts(diamond), dict(diamond.nodes(data=True))) == before


def test_geopackage_reads_back_in_gdal(corridor: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "corridor.gpkg"
    assert write_layers(export_layers(corridor), path) == [path]
    assert [list(x) for x in pyogrio.list_layers(path)] == [["nodes", "Point"], ["edges", "LineString"]]
    nodes, edges, out = _expected(corridor)
    for layer, want, cols in (("nodes", nodes, NODE_METRICS), ("edges", edges, EDGE_METRICS)):
        info = pyogrio.read_info(path, layer=layer)
        assert info["crs"] == "EPSG:4326" and info["features"] == len(want)
        assert info["layer_metadata"]["network_sha256"] == out["network"]["sha256"]
        assert info["layer_metadata"]["supplynet_version"] == out["supplynet_version"]
        assert json.loads(info["layer_metadata"]["sinks"]) == out["sinks"]
        assert "SHA-256 " + out["network"]["sha256"] in info["layer_metadata"]["DESCRIPTION"]
        _check_metrics(_read_gdal(path, layer), want, cols)


def test_ogrinfo_lists_two_layers_without_warnings(corridor: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "corridor.gpkg"
    write_layers(export_layers(corridor), path)
    text = _ogrinfo(path)
    assert "Layer name: nodes" in text and "Layer name: edges" in text
    assert text.count("Feature Count: 56") == 1 and text.count("Feature Count: 100") == 1
    assert text.count('ID["EPSG",4326]') == 2
    assert "interdiction_rank: Integer64" in text and "flow_loss: Real" in text


def test_geopackage_reruns_are_byte_identical(diamond: nx.MultiDiGraph, tmp_path: Path) -> None:
    a, b = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    write_layers(export_layers(diamond), a)
    write_layers(export_layers(diamond), b)
    assert a.read_bytes() == b.read_bytes()
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None  # the pin is undone


def test_timestamp_is_recorded_only_when_asked(diamond: nx.MultiDiGraph, tmp_path: Path) -> None:
    layers = export_layers(diamond, generated_at="2024-05-01T12:00:00Z")
    assert layers.metadata["generated_at"] == "2024-05-01T12:00:00Z"
    write_layers(layers, tmp_path / "t.gpkg")
    meta = pyogrio.read_info(tmp_path / "t.gpkg", layer="nodes")["layer_metadata"]
    assert meta["generated_at"] == "2024-05-01T12:00:00Z"
    assert json.loads(geojson_text(layers))["generated_at"] == "2024-05-01T12:00:00Z"
    assert "generated_at" not in json.loads(geojson_text(export_layers(diamond)))


def test_geojson_one_collection(corridor: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "corridor.geojson"
    write_layers(export_layers(corridor), path)
    doc = json.loads(path.read_text())
    nodes, edges, out = _expected(corridor)
    for key in ("supplynet_version", "network", "sources", "sinks", "parameters", "max_flow"):
        assert doc[key] == out[key]
    feats = doc["features"]
    assert [f["properties"]["kind"] for f in feats] == ["node"] * 56 + ["edge"] * 100
    assert {f["geometry"]["type"] for f in feats[:56]} == {"Point"}
    assert {f["geometry"]["type"] for f in feats[56:]} == {"LineString"}
    by_id = {(f["properties"]["kind"], f["properties"]["id"]): f["properties"] for f in feats}
    for ident, want in nodes.items():  # exactly the report's JSON numbers, not just close
        assert {c: by_id["node", ident][c] for c in NODE_METRICS} == {c: want[c] for c in NODE_METRICS}
    for ident, want in edges.items():
        assert {c: by_id["edge", ident][c] for c in EDGE_METRICS} == {c: want[c] for c in EDGE_METRICS}
    info = pyogrio.read_info(path)
    assert info["crs"] == "EPSG:4326" and info["features"] == 156
    _check_metrics({k: v for k, v in _read_gdal(path).items() if k in nodes}, nodes, NODE_METRICS)
    text = _ogrinfo(path)
    assert "Layer name: corridor" in text and "Feature Count: 156" in text and 'ID["EPSG",4326]' in text
    for col in ("flow", "flow_loss", "flow_loss_pct", "betweenness", "supply_betweenness"):
        assert f"{col}: Real" in text  # metrics stay floats, so the field type does not hang on the data


def test_geojson_split_and_layer_names(diamond: nx.MultiDiGraph, tmp_path: Path) -> None:
    written = write_layers(export_layers(diamond), tmp_path / "d.geojson", split=True)
    assert written == list(split_paths(tmp_path / "d.geojson"))
    assert [p.name for p in written] == ["d.nodes.geojson", "d.edges.geojson"]
    assert not (tmp_path / "d.geojson").exists()
    for path, layer, count in zip(written, ("nodes", "edges"), (4, 6)):
        assert [list(x)[0] for x in pyogrio.list_layers(path)] == [layer]
        assert pyogrio.read_info(path)["features"] == count
        assert f"Layer name: {layer}" in _ogrinfo(path)


def test_geojson_reruns_are_byte_identical_and_deterministic(diamond: nx.MultiDiGraph) -> None:
    text = geojson_text(export_layers(diamond))
    assert text == geojson_text(export_layers(diamond))
    assert "NaN" not in text and "Infinity" not in text
    head = text.split('"features"')[0]
    keys = [line.split('"')[1] for line in head.splitlines()[1:]]
    assert keys == sorted(keys)


def test_export_reads_back_as_the_same_network(diamond: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "d.geojson"
    write_layers(export_layers(diamond), path)
    again = read_network(path)
    assert sorted(again.nodes) == sorted(diamond.nodes)
    assert sorted(k for *_, k in again.edges(keys=True)) == sorted(k for *_, k in diamond.edges(keys=True))
    assert analyse(again).max_flow == analyse(diamond).max_flow


def test_plan_column(corridor: nx.MultiDiGraph) -> None:
    from supplynet.analysis.plan import plan_interdiction

    layers = export_layers(corridor, plan_budget=3, plan_method="greedy")
    plan = plan_interdiction(corridor, budget=3, method="greedy")
    assert sorted(layers.nodes.index[layers.nodes["in_plan"]]) == list(plan.selected_nodes)
    assert sorted(layers.edges.index[layers.edges["in_plan"]]) == list(plan.selected_edges)
    assert layers.metadata["plan"]["selected"] == list(plan.selected)
    assert layers.metadata["plan"]["max_flow_after"] == plan.max_flow_after
    assert "in_plan" not in export_layers(corridor).nodes.columns


def _variant(tmp_path: Path, data_dir: Path, edit: Any, name: str) -> Path:
    doc = json.loads((data_dir / "diamond.geojson").read_text())
    edit(doc)
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def test_unlimited_and_no_path_give_nulls(tmp_path: Path, data_dir: Path) -> None:
    def open_route(doc: dict) -> None:
        for f in doc["features"]:
            if f["properties"]["id"] in ("sb", "bt"):
                f["properties"].pop("capacity")

    G = read_network(_variant(tmp_path, data_dir, open_route, "open.geojson"))
    path = tmp_path / "open.gpkg"
    write_layers(export_layers(G), path)
    nodes, edges, _ = _expected(G)
    assert nodes["s"]["flow_loss_pct"] is None
    _check_metrics(_read_gdal(path, "nodes"), nodes, NODE_METRICS)
    _check_metrics(_read_gdal(path, "edges"), edges, EDGE_METRICS)
    doc = json.loads(geojson_text(export_layers(G)))
    assert doc["max_flow"] is None

    def cut(doc: dict) -> None:
        doc["features"] = [f for f in doc["features"] if f["properties"].get("target") != "t"]

    G = read_network(_variant(tmp_path, data_dir, cut, "cut.geojson"))
    layers = export_layers(G)
    assert not layers.nodes["in_min_node_cut"].any() and layers.nodes["interdiction_rank"].isna().all()


def test_odd_properties_become_clean_columns(tmp_path: Path, data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    def add(doc: dict) -> None:
        doc["features"][0]["properties"].update(flow=7, tags={"b": 1, "a": [1, 2]}, mixed="x", kind="factory")
        doc["features"][1]["properties"].update(mixed=3, verified=True)

    G = read_network(_variant(tmp_path, data_dir, add, "odd.geojson"))
    with caplog.at_level(logging.WARNING, logger="supplynet.render.layers"):
        layers = export_layers(G)
    assert "'flow_input'" in caplog.text
    assert layers.nodes.loc["s", "flow_input"] == 7 and layers.nodes.loc["s", "flow"] == 50
    assert layers.nodes.loc["s", "kind_input"] == "factory" and layers.nodes.loc["s", "kind"] == "node"
    path = tmp_path / "odd.gpkg"
    write_layers(layers, path)
    rows = _read_gdal(path, "nodes")
    assert json.loads(rows["s"]["tags"]) == {"a": [1, 2], "b": 1}
    assert rows["s"]["mixed"] == "x" and rows["a"]["mixed"] == "3"  # text stays text
    assert rows["a"]["verified"] is True or rows["a"]["verified"] == 1
    props = {f["properties"]["id"]: f["properties"] for f in json.loads(geojson_text(layers))["features"]}
    assert props["s"]["tags"] == {"a": [1, 2], "b": 1} and props["a"]["mixed"] == 3


def test_refuses_to_replace_and_writes_nothing_half(diamond: nx.MultiDiGraph, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    layers = export_layers(diamond)
    nodes_file, edges_file = split_paths(tmp_path / "r.geojson")
    edges_file.write_text("keep")
    with pytest.raises(OutputError, match="already exists"):
        write_layers(layers, tmp_path / "r.geojson", split=True)
    assert not nodes_file.exists() and edges_file.read_text() == "keep"
    write_layers(layers, tmp_path / "r.geojson", split=True, overwrite=True)
    assert json.loads(edges_file.read_text())["name"] == "edges"

    import supplynet.io.layers as export_module

    def boom(layers: Layers, path: Path) -> None:
        path.write_bytes(b"partial")
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_module, "_write_gpkg", boom)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(RuntimeError):
        write_layers(layers, tmp_path / "x.gpkg")
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no file, no temp left behind


def test_format_from_suffix(diamond: nx.MultiDiGraph, tmp_path: Path) -> None:
    layers = export_layers(diamond)
    with pytest.raises(OutputError, match="suffix"):
        write_layers(layers, tmp_path / "r.txt")
    with pytest.raises(OutputError, match="GeoJSON and GeoParquet only"):
        write_layers(layers, tmp_path / "r.gpkg", split=True)
    write_layers(layers, tmp_path / "r.txt", fmt="geojson")
    assert json.loads((tmp_path / "r.txt").read_text())["type"] == "FeatureCollection"


def test_stdin_hash_is_the_hash_of_the_bytes(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    raw = (data_dir / "diamond.geojson").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    meta = export_layers(read_network("-")).metadata
    assert meta["network"]["sha256"] == hashlib.sha256(raw).hexdigest()
    assert meta["network"]["source"] == "<stdin>"
