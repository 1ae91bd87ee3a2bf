"""``report --format json`` against the published JSON Schema (docs/report.schema.json)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable

import jsonschema
import pytest
from click.testing import CliRunner

from supplynet.cli import main

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "docs" / "report.schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _report(path: Path | str, *args: str, input: bytes | None = None) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["report", str(path), "--format", "json", *args], input=input)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _variant(tmp_path: Path, data_dir: Path, edit: Callable[[dict], None]) -> Path:
    doc = json.loads((data_dir / "diamond.geojson").read_text())
    edit(doc)
    path = tmp_path / "variant.geojson"
    path.write_text(json.dumps(doc))
    return path


def _no_path(doc: dict) -> None:
    doc["features"] = [f for f in doc["features"] if f["properties"].get("target") != "t"]


def _unlimited(doc: dict) -> None:
    for f in doc["features"]:
        if f["properties"]["id"] in ("sb", "bt"):
            f["properties"].pop("capacity")


def test_corridor_validates(validator: jsonschema.Draft202012Validator, corridor_path: Path) -> None:
    out = _report(corridor_path)
    validator.validate(out)
    assert out["max_flow"] > 0 and "generated_at" not in out


def test_diamond_validates_with_timestamp_and_sampling(validator: jsonschema.Draft202012Validator,
                                                       data_dir: Path) -> None:
    out = _report(data_dir / "diamond.geojson", "--timestamp", "--betweenness-k", "2", "--seed", "7")
    validator.validate(out)
    assert out["parameters"]["betweenness"] == {"method": "sampled", "k": 2, "seed": 7}
    assert out["generated_at"].endswith("Z")


def test_stdin_validates(validator: jsonschema.Draft202012Validator, data_dir: Path) -> None:
    out = _report("-", input=(data_dir / "diamond.geojson").read_bytes())
    validator.validate(out)
    assert out["network"]["source"] == "<stdin>"


def test_no_path_validates(validator: jsonschema.Draft202012Validator, tmp_path: Path, data_dir: Path) -> None:
    out = _report(_variant(tmp_path, data_dir, _no_path))
    validator.validate(out)
    assert out["max_flow"] == 0 and out["min_edge_cut"]["edges"] == [] and out["min_node_cut"]["nodes"] == []
    assert all(n["flow_loss_pct"] is None for n in out["nodes"])  # a share of nothing


def test_unlimited_validates_with_nulls(validator: jsonschema.Draft202012Validator, tmp_path: Path,
                                        data_dir: Path) -> None:
    out = _report(_variant(tmp_path, data_dir, _unlimited))
    validator.validate(out)
    assert out["max_flow"] is None and out["min_edge_cut"]["capacity"] is None
    assert out["unlimited_path"] == ["s", "b", "t"]
    assert any(e["capacity"] is None for e in out["edges"])
    assert any(n["flow_loss"] is None for n in out["nodes"])


@pytest.mark.parametrize("breakage", [
    lambda d: d.pop("max_flow"),
    lambda d: d.update(max_flow=-1),
    lambda d: d["nodes"][0].update(flow_loss="Infinity"),
    lambda d: d["network"].update(sha256="not-a-hash"),
    lambda d: d["parameters"]["betweenness"].update(method="guessed"),
    lambda d: d["interdiction_points"][0].update(kind="region"),
    lambda d: d.update(surprise=True),
    lambda d: d.update(generated_at="yesterday"),
])
def test_schema_rejects_broken_reports(validator: jsonschema.Draft202012Validator, data_dir: Path,
                                       breakage: Callable[[dict], Any]) -> None:
    out = copy.deepcopy(_report(data_dir / "diamond.geojson"))
    breakage(out)
    assert not validator.is_valid(out)
