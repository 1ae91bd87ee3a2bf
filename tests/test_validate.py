"""The bad-input catalogue: every file in tests/data/bad/ is refused with a message that names the problem."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from supplynet import NetworkReadError, NetworkValidationError, SupplynetError, load_network, read_network

BAD = Path(__file__).parent / "data" / "bad"
WARN = Path(__file__).parent / "data" / "warn"

# file -> fragments the message must contain (feature, property, value, expectation)
CATALOGUE = {
    "not_json.geojson": ["not valid JSON", "line 1"],
    "truncated.geojson": ["not valid JSON", "ends too early"],
    "empty.geojson": ["empty"],
    "not_featurecollection.geojson": ["'Feature'", "expected a GeoJSON FeatureCollection"],
    "no_features.geojson": ["no features"],
    "node_without_geometry.geojson": ["feature 1 (id 'h')", "'geometry'", "null"],
    "polygon_node.geojson": ["feature 1 (id 'h') node", "Polygon", "needs a Point"],
    "missing_node_id.geojson": ["feature 1", "'id'", "missing"],
    "duplicate_node_id.geojson": ["feature 3 (id 'h')", "duplicates", "feature 1"],
    "duplicate_edge_id.geojson": ["(id 'e1')", "already used", "edge feature 3"],
    "dangling_edge.geojson": ["feature 5 (id 'e3')", "'target'", "'nowhere'", "does not exist"],
    "self_loop.geojson": ["feature 5 (id 'e3')", "self-loops are not allowed"],
    "lon_out_of_range.geojson": ["feature 1 (id 'h')", "[200, 33.3]", "outside longitude"],
    "lat_out_of_range.geojson": ["feature 1 (id 'h')", "[44.4, -95]", "latitude [-90, 90]"],
    "swapped_out_of_range.geojson": ["[33.3, 144.4]", "swap them"],
    "nan_coordinate.geojson": ["feature 1 (id 'h')", "not finite"],
    "infinite_coordinate.geojson": ["feature 1 (id 'h')", "not finite"],
    "negative_capacity.geojson": ["feature 3 (id 'e1') edge", "'capacity'", "-10", "must not be below 0"],
    "string_capacity.geojson": ["(id 'e1')", "'capacity'", "expected a number", "'lots'"],
    "negative_cost.geojson": ["feature 1 (id 'h') node", "'cost'", "-2"],
    "negative_length_km.geojson": ["(id 'e1')", "'length_km'", "-5"],
    "nan_capacity.geojson": ["(id 'e1')", "'capacity'", "finite number", "nan"],
    "huge_integer_capacity.geojson": ["(id 'e1')", "'capacity'", "too large for a number"],
    "huge_integer_coordinate.geojson": ["feature 1 (id 'h')", "'geometry'", "not finite"],
    "confidence_above_one.geojson": ["(id 'h')", "'confidence'", "1.5", "above 1"],
    "bool_cost.geojson": ["(id 'h')", "'cost'", "expected a number", "bool"],
    "list_repair_days.geojson": ["(id 'e1')", "'repair_days'", "expected a number", "list"],
    "missing_node_type.geojson": ["(id 'h')", "'type'", "required"],
    "edge_missing_target.geojson": ["(id 'e1')", "'target'", "missing"],
    "edge_polygon.geojson": ["(id 'e1') edge", "Polygon", "LineString"],
    "short_linestring.geojson": ["(id 'e1')", "at least two positions"],
    "interdictable_string.geojson": ["(id 'h')", "'interdictable'", "true or false", "'maybe'"],
    "whitespace_id.geojson": ["feature 1 (id 'h ') node", "'id'", "starts or ends with whitespace",
                              "feature 3 (id 'e1') edge, property 'target'"],
    "nul_in_id.geojson": ["feature 1", "'id'", "control character (U+0000)"],
    "long_id.geojson": ["feature 3 (id 'eeee", "...) edge", "1,001 characters long", "at most 1,000"],
    "huge_length_km.geojson": ["feature 3 (id 'e1') edge", "'length_km'", "1e+300 km", "longer than any route"],
    "lone_surrogate.geojson": ["feature 1 (id 'h') node", "'name'", "lone surrogate (\\ud800)"],
    "duplicate_key.geojson": ["feature 3 (id 'e1') edge", "'capacity'", "given twice", "keeps only the last"],
    "deep_property.geojson": ["feature 1 (id 'h') node", "'notes'", "nested more than 32 levels"],
    "unknown_crs.geojson": ["'crs'", "'EPSG:999999'", "does not know"],
}


def test_catalogue_covers_every_bad_file() -> None:
    assert sorted(CATALOGUE) == sorted(p.name for p in BAD.glob("*.geojson"))


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_bad_file_is_refused_with_named_problem(name: str) -> None:
    path = BAD / name
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(SupplynetError) as info:
        read_network(path)
    assert isinstance(info.value, (NetworkReadError, NetworkValidationError))
    message = str(info.value)
    for fragment in CATALOGUE[name]:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    text = (BAD / "negative_capacity.geojson").read_text().replace('"id": "h"', '"id": "f"', 1)
    path = tmp_path / "two.geojson"
    path.write_text(text)
    with pytest.raises(NetworkValidationError) as info:
        read_network(path)
    assert len(info.value.problems) >= 2
    assert any("duplicates" in p for p in info.value.problems)
    assert any("'capacity'" in p for p in info.value.problems)


def test_swapped_network_warns_but_loads() -> None:
    report, G = load_network(WARN / "swapped_all.geojson")
    assert G is not None
    assert any("[latitude, longitude]" in w for w in report.warnings)


def test_far_edge_end_warns_with_distance() -> None:
    report, G = load_network(WARN / "far_edge_end.geojson")
    assert G is not None
    [warning] = report.warnings
    assert "(id 'e1')" in warning and "target end lies" in warning and "km from node 'h'" in warning


def test_computed_property_in_file_is_ignored_with_warning(tmp_path: Path) -> None:
    text = (WARN / "far_edge_end.geojson").read_text().replace('"capacity": 5', '"capacity": 5, "length": 3')
    path = tmp_path / "len.geojson"
    path.write_text(text)
    report, G = load_network(path)
    assert any("'length'" in w and "computed by supplynet" in w for w in report.warnings)
    assert G is not None and G.edges["h", "a", "e2"]["length"] > 300_000


# --- warnings that catch mistakes: one line per kind, with a count and the first features

def test_a_mistyped_property_is_named_with_what_was_meant() -> None:
    report, G = load_network(WARN / "typo_property.geojson")
    assert G is not None
    lines = {w.split("property ")[1].split(" ")[0]: w for w in report.warnings}
    assert set(lines) == {"'capcity'", "'lenght_km'", "'Capacity'"}
    assert "did you mean 'capacity'?" in lines["'capcity'"]
    assert "(2 features: feature 3 (id 'e1'), feature 4 (id 'e2'))" in lines["'capcity'"]
    assert "did you mean 'length_km'?" in lines["'lenght_km'"] and "1 feature: feature 4" in lines["'lenght_km'"]
    assert "not a node property" in lines["'Capacity'"] and "did you mean 'capacity'?" in lines["'Capacity'"]
    # the misspelt capacity is not read: the edge is unlimited, and the warning says so
    assert "capacity" not in G.edges["f", "h", "e1"] and G.edges["f", "h", "e1"]["capcity"] == 10


def test_an_unknown_type_lists_the_known_ones_and_a_missing_sink_is_said() -> None:
    report, G = load_network(WARN / "unknown_type.geojson")
    assert G is not None
    typo = next(w for w in report.warnings if "'assembley'" in w)
    assert "did you mean 'assembly'?" in typo and "manufacturing, assembly, smuggling" in typo
    assert "feature 2 (id 'a')" in typo
    own = next(w for w in report.warnings if "'factory'" in w)
    assert "a role of your own is fine" in own and "did you mean" not in own
    assert any("no node has type 'assembly'" in w and "--sinks" in w for w in report.warnings)
    source_report, _ = load_network(WARN / "no_source.geojson")
    assert [w for w in source_report.warnings if "no node has type 'manufacturing'" in w and "--sources" in w]


def test_a_warning_kind_is_one_line_however_many_features(tmp_path: Path) -> None:
    doc = json.loads((WARN / "typo_property.geojson").read_text())
    edge = next(f for f in doc["features"] if f["properties"].get("id") == "e1")
    doc["features"] += [{**edge, "properties": {**edge["properties"], "id": f"x{i}"}} for i in range(500)]
    path = tmp_path / "many.geojson"
    path.write_text(json.dumps(doc))
    report, _ = load_network(path)
    [line] = [w for w in report.warnings if "'capcity'" in w]
    assert "(502 features: feature 3 (id 'e1'), feature 4 (id 'e2'), feature 5 (id 'x0'), and 499 more)" in line


def test_a_reread_export_drops_its_results_with_one_line(tmp_path: Path, corridor_path: Path) -> None:
    from supplynet import export_layers, read_network
    from supplynet.render.layers import write_layers

    G = read_network(corridor_path)
    for name in ("x.geojson", "x.gpkg", "x.parquet"):
        write_layers(export_layers(G), tmp_path / name)
        report, H = load_network(tmp_path / name)
        assert H is not None and len(report.warnings) == 1, report.warnings
        [line] = report.warnings
        assert "'flow'" in line and "'betweenness'" in line and "'x'" in line and "export read back" in line
        assert "(156 features: " in line
        assert sorted(H.nodes) == sorted(G.nodes) and H.number_of_edges() == G.number_of_edges()


def test_a_free_property_named_like_a_metric_stays_outside_an_export(tmp_path: Path) -> None:
    doc = json.loads((WARN / "far_edge_end.geojson").read_text())
    doc["features"][0]["properties"].update(flow=7, kind="factory")
    path = tmp_path / "own.geojson"
    path.write_text(json.dumps(doc))
    report, G = load_network(path)
    assert G is not None and G.nodes["f"]["flow"] == 7 and G.nodes["f"]["kind"] == "factory"
    assert not [w for w in report.warnings if "computed" in w]


def test_strict_turns_warnings_into_problems() -> None:
    report, G = load_network(WARN / "typo_property.geojson", strict=True)
    assert G is None and report.warnings == [] and len(report.problems) == 3
    assert all(p.endswith("(an error under --strict)") for p in report.problems)
    with pytest.raises(NetworkValidationError, match="an error under --strict"):
        read_network(WARN / "unknown_type.geojson", strict=True)
    report, G = load_network(BAD.parent / "diamond.geojson", strict=True)
    assert G is not None and report.problems == []


def test_too_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.geojson"
    path.write_bytes(b'{"type": "FeatureCollection", "features": []}' + b" " * 2000)
    with pytest.raises(NetworkReadError, match="larger than the 1,000-byte limit"):
        read_network(path, max_bytes=1000)


def test_missing_file_is_a_read_error(tmp_path: Path) -> None:
    with pytest.raises(NetworkReadError, match="no such file"):
        read_network(tmp_path / "nope.geojson")
