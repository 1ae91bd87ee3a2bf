"""Hostile input (issue 16, the reading side): what a network file may make supplynet do.

Every case runs ``supplynet`` in a subprocess with a time limit and a memory limit of its
own (``_run`` and ``_ordinary`` of tests/test_hostile_output.py; the memory here is
tightened to :data:`MEMORY`), so a hang or a blow-up fails that case instead of the suite,
and each answer must be an ordinary exit 1 naming the cause: never a traceback, never
"internal error".

- 2: a file that names other files or URLs (an OGR VRT) is refused before GDAL sees it,
  and no request leaves the machine;
- 3: devices and endless streams, a 10 MB id, more features than the limit, memory past
  the budget: refused quickly, within the memory limit;
- 5: silent misreadings (ids that differ only by whitespace, a NUL in an id, a GeoJSON
  ``crs``, a line layer not called ``edges``, Shapefile-truncated names, duplicate keys,
  an absurd length) become errors, or are read right;
- 6: deep nesting, a lone surrogate, CSV input, and free properties GeoPackage cannot
  hold as they are: ordinary messages or ordinary success.
"""

from __future__ import annotations

import http.server
import json
import os
import threading
import time
import warnings
from pathlib import Path

import pytest

from tests.test_hostile_output import _ordinary, _run

DATA = Path(__file__).resolve().parent / "data"
DIAMOND = DATA / "diamond.geojson"
#: Bytes of address space a reading case may use: far below what the inputs would take if
#: read without the limits.
MEMORY = 2 * 2**30


def _limited(args: list[str], env: dict[str, str] | None = None, memory: int = MEMORY):  # noqa: ANN202
    """Run ``supplynet ARGS`` with :data:`MEMORY` of address space and ``env`` set."""
    script = (f"import os, resource\nresource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))\n"
              f"os.environ.update({json.dumps(env or {})})")
    return _run(args, script=script)


def _diamond() -> dict:
    return json.loads(DIAMOND.read_text())


def _write(path: Path, doc: dict) -> Path:
    path.write_text(json.dumps(doc))
    return path


# --- 2. inputs are read from the path given, and nothing else -------------------------------

class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        _Counter.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"WKT,id\nPOINT (44 33),x\n")

    def log_message(self, *args: object) -> None:
        pass


def test_a_vrt_that_names_a_file_and_a_url_is_refused_without_a_request(tmp_path: Path) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        secret = tmp_path / "secret.csv"
        secret.write_text("WKT,id\nPOINT (44 33),secret\n")
        url = f"http://127.0.0.1:{server.server_port}/rows.csv"
        for name, source, words in (("local.vrt", str(secret), "an OGR VRT file"),
                                    ("remote.vrt", f"/vsicurl/{url}", "an OGR VRT file"),
                                    ("remote.json", url, "not valid JSON")):  # named JSON: parsed as JSON
            vrt = tmp_path / name
            vrt.write_text(f'<OGRVRTDataSource><OGRVRTLayer name="nodes"><SrcDataSource>{source}</SrcDataSource>'
                           '<GeometryField encoding="WKT" field="WKT"/></OGRVRTLayer></OGRVRTDataSource>')
            for command in (["validate", str(vrt)], ["map", str(vrt), "-o", str(tmp_path / "m.html")]):
                err = _ordinary(_limited(command), words)
                assert "secret" not in err
        assert not (tmp_path / "m.html").exists()
    finally:
        server.shutdown()
        server.server_close()
    assert _Counter.hits == []


@pytest.mark.parametrize("text, words", [
    ("WKT,id,type\n\"POINT (44 33)\",a,manufacturing\n", "text such as CSV"),
    ('<?xml version="1.0"?><gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml" '
     'xsi:schemaLocation="http://127.0.0.1:9/schema.xsd"/>', "XML (GML, KML, GPX"),
])
def test_csv_and_xml_input_get_a_clear_error(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "network.csv"
    path.write_text(text)
    _ordinary(_limited(["report", str(path)]), words, "convert it first")


# --- 3. bounded work: devices, streams, big ids, many features, memory ----------------------

@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused_at_once(device: str) -> None:
    start = time.monotonic()
    _ordinary(_limited(["validate", device]), "is a character device, not a network file")
    assert time.monotonic() - start < 60


def test_a_pipe_is_read_as_a_stream_and_an_endless_one_stops_at_the_limit(tmp_path: Path) -> None:
    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)

    def feed(data: bytes, repeat: int) -> None:
        with open(fifo, "wb") as fh:
            try:
                for _ in range(repeat):
                    fh.write(data)
            except BrokenPipeError:
                pass

    writer = threading.Thread(target=feed, args=(DIAMOND.read_bytes(), 1), daemon=True)
    writer.start()
    ok = _limited(["validate", str(fifo)])
    assert ok.returncode == 0 and b"valid, 4 nodes and 6 edges" in ok.stdout + ok.stderr
    writer = threading.Thread(target=feed, args=(b" " * 65536, 10_000), daemon=True)
    writer.start()
    _ordinary(_limited(["validate", str(fifo)], {"SUPPLYNET_MAX_BYTES": str(1 << 20)}),
              "larger than the 1,048,576-byte limit")


def test_a_ten_megabyte_id_is_refused_by_its_length(tmp_path: Path) -> None:
    doc = _diamond()
    edge = next(f for f in doc["features"] if f["properties"].get("id") == "sa")
    edge["properties"]["id"] = "e" * 10_000_000
    err = _ordinary(_limited(["report", str(_write(tmp_path / "long.geojson", doc))]),
                    "10,000,000 characters long; an id may have at most 1,000")
    assert len(err) < 2000


def _many(n: int) -> dict:
    feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [44.0, 33.0]},
              "properties": {"id": "a", "type": "manufacturing"}},
             {"type": "Feature", "geometry": {"type": "Point", "coordinates": [45.0, 33.0]},
              "properties": {"id": "b", "type": "assembly"}}]
    feats += [{"type": "Feature", "geometry": None, "properties": {"source": "a", "target": "b", "capacity": i % 7}}
              for i in range(n)]
    return {"type": "FeatureCollection", "features": feats}


def test_many_features_are_read_in_bounded_memory_or_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "many.geojson"
    path.write_text(json.dumps(_many(300_000)))  # 24 MB of text: ~300 MB of columns
    ok = _limited(["validate", str(path)], memory=int(1.5 * 2**30))
    assert ok.returncode == 0 and b"valid, 2 nodes and 300000 edges" in ok.stderr + ok.stdout, ok.stderr
    _ordinary(_limited(["validate", str(path)], {"SUPPLYNET_MAX_FEATURES": "1000"}),
              "holds 300,002 features, more than the limit of 1,000", "SUPPLYNET_MAX_FEATURES")
    _ordinary(_limited(["validate", str(path)], {"SUPPLYNET_MAX_MEMORY": str(250 * 2**20)}),
              "needs more memory than the 0.2 GiB allowed", "SUPPLYNET_MAX_MEMORY")


def test_a_huge_feature_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    doc = _many(2000)
    doc["features"][5]["properties"]["notes"] = "x" * 20_000_000  # larger than a document parsed whole
    path = _write(tmp_path / "huge.geojson", doc)
    _ordinary(_limited(["validate", str(path)], {"SUPPLYNET_MAX_FEATURE_BYTES": str(1 << 20)}),
              "feature 5 is", "more than the 1,048,576 bytes one feature may hold")
    _ordinary(_limited(["validate", str(path)]), "property 'notes'", "20,000,000 characters of text")


# --- 5. silent misreadings become errors, or are read right ---------------------------------

def test_ids_differing_by_whitespace_are_refused(tmp_path: Path) -> None:
    doc = _diamond()
    doc["features"].append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [44.5, 33.5]},
                            "properties": {"id": "a ", "type": "storage"}})
    _ordinary(_limited(["whatif", str(_write(tmp_path / "ws.geojson", doc)), "--remove", "a "]),
              "(id 'a ') node, property 'id'", "starts or ends with whitespace")


def test_a_nul_in_an_id_is_refused_not_cut(tmp_path: Path) -> None:
    doc = _diamond()
    doc["features"][0]["properties"]["id"] = "s\u0000x"
    for f in doc["features"]:
        if f["properties"].get("source") == "s":
            f["properties"]["source"] = "s\u0000x"
    path = _write(tmp_path / "nul.geojson", doc)
    _ordinary(_limited(["export", str(path), "-o", str(tmp_path / "x.gpkg")]), "control character (U+0000)")
    assert not (tmp_path / "x.gpkg").exists()


def test_a_geojson_crs_in_metres_is_reprojected(tmp_path: Path) -> None:
    import pyproj

    doc = _diamond()
    to_m = pyproj.Transformer.from_crs(4326, 3857, always_xy=True)
    for f in doc["features"]:
        g = f["geometry"]
        if g and g["type"] == "Point":
            g["coordinates"] = list(to_m.transform(*g["coordinates"]))
        elif g:
            g["coordinates"] = [list(to_m.transform(*c)) for c in g["coordinates"]]
    doc["crs"] = {"type": "name", "properties": {"name": "EPSG:3857"}}
    proc = _limited(["info", str(_write(tmp_path / "m.geojson", doc)), "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    want = json.loads(_limited(["info", str(DIAMOND), "--format", "json"]).stdout)
    assert got["total_length_km"] == want["total_length_km"] and got["countries"] == want["countries"]
    assert got["bbox"] == pytest.approx(want["bbox"], abs=1e-9)


def test_a_geopackage_line_layer_with_another_name_is_refused(tmp_path: Path) -> None:
    import geopandas as gpd
    import pyogrio

    doc = _diamond()
    frame = gpd.GeoDataFrame.from_features(doc["features"], crs="EPSG:4326")
    frame["bidirectional"] = frame["bidirectional"].fillna(False).astype(bool)
    path = tmp_path / "net.gpkg"
    pyogrio.write_dataframe(frame[frame["source"].isna()].drop(columns=["source", "target"]), path, layer="nodes")
    pyogrio.write_dataframe(frame[frame["source"].notna()], path, layer="routes")
    _ordinary(_limited(["report", str(path)]), "layer 'routes' holds LineString features", "rename it")


def test_shapefile_names_cut_to_ten_characters_keep_bidirectional_edges(tmp_path: Path) -> None:
    import geopandas as gpd
    import pyogrio

    frame = gpd.GeoDataFrame.from_features(_diamond()["features"], crs="EPSG:4326")
    frame["bidirectional"] = frame["bidirectional"].fillna(False).astype(bool)
    nodes, edges = frame[frame["source"].isna()].drop(columns=["source", "target", "bidirectional"]), \
        frame[frame["source"].notna()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        pyogrio.write_dataframe(nodes, tmp_path / "n.shp", driver="ESRI Shapefile")
        pyogrio.write_dataframe(edges, tmp_path / "e.shp", driver="ESRI Shapefile")
    proc = _limited(["validate", str(tmp_path / "n.shp"), "--edges", str(tmp_path / "e.shp")])
    assert proc.returncode == 0 and b"4 nodes and 6 edges" in proc.stdout, proc.stderr
    assert b"'bidirectio' is read as 'bidirectional'" in proc.stderr


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    text = DIAMOND.read_text().replace('"capacity": 30', '"capacity": 30, "capacity": 300', 1)
    path = tmp_path / "dup.geojson"
    path.write_text(text)
    _ordinary(_limited(["report", str(path)]), "the key 'capacity' is given twice")
    top = DIAMOND.read_text().replace('"type": "FeatureCollection"', '"type": "FeatureCollection", "features": []', 1)
    path.write_text(top)
    _ordinary(_limited(["report", str(path)]), "member 'features' is given twice")


def test_an_absurd_length_is_refused(tmp_path: Path) -> None:
    doc = _diamond()
    next(f for f in doc["features"] if f["properties"].get("id") == "sa")["properties"]["length_km"] = 1e300
    _ordinary(_limited(["whatif", str(_write(tmp_path / "far.geojson", doc)), "--remove", "a"]),
              "'length_km': is 1e+300 km, longer than any route on Earth")


# --- 6. no internal error for ordinary bad input ---------------------------------------------

@pytest.mark.parametrize("depth, words", [(900, "nested more than 32 levels deep"),
                                          (5000, "nested too deeply")])
def test_deep_nesting_in_a_property_is_refused(tmp_path: Path, depth: int, words: str) -> None:
    text = DIAMOND.read_text().replace('"capacity": 30', '"capacity": 30, "notes": ' + "[" * depth + "]" * depth, 1)
    path = tmp_path / "deep.geojson"
    path.write_text(text)
    for command in (["report", str(path)], ["export", str(path), "-o", str(tmp_path / "d.geojson")]):
        _ordinary(_limited(command), words)


def test_a_lone_surrogate_is_refused_at_reading_by_every_command(tmp_path: Path) -> None:
    text = DIAMOND.read_text().replace('"type": "smuggling"', '"type": "smuggling", "label": "x\\ud800"', 1)
    path = tmp_path / "surrogate.geojson"
    path.write_text(text)
    for command in (["validate", str(path)], ["report", str(path), "--format", "json"], ["map", str(path), "-o",
                    str(tmp_path / "m.html")], ["export", str(path), "-o", str(tmp_path / "x.gpkg")]):
        _ordinary(_limited(command), "lone surrogate (\\ud800)", "'label'")


def test_free_properties_a_geopackage_cannot_hold_as_they_are_are_renamed(tmp_path: Path) -> None:
    doc = _diamond()
    doc["features"][0]["properties"].update(fid=3, geom="g", Capacity=5, ID="x")
    out = tmp_path / "x.gpkg"
    proc = _limited(["export", str(_write(tmp_path / "odd.geojson", doc)), "-o", str(out)])
    assert proc.returncode == 0 and out.exists(), proc.stderr
    assert b"'fid' -> 'fid_input'" in proc.stderr and b"'Capacity' -> 'Capacity_2'" in proc.stderr
    back = _limited(["validate", str(out)])
    assert back.returncode == 0 and b"4 nodes and 6 edges" in back.stdout
