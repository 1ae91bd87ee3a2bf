"""``supplynet plan`` through CliRunner: every format, files, the chart, bad input."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from supplynet.cli import main
from supplynet.cli.plan import plan


def _group() -> click.Group:
    """``main`` once ``plan`` is registered; until then a copy of it that has the command."""
    if "plan" in main.commands:
        return main
    group = type(main)(name="supplynet", callback=main.callback, params=main.params,
                       context_settings=main.context_settings, commands=dict(main.commands))
    group.add_command(plan)
    return group


def run(*args: str) -> Result:
    return CliRunner().invoke(_group(), ["plan", *map(str, args)])


@pytest.fixture(scope="module")
def corridor_json(corridor_path_module: Path) -> dict:
    result = run(corridor_path_module, "--budget", 3, "--method", "all", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture(scope="module")
def corridor_path_module() -> Path:
    return Path(__file__).resolve().parent.parent / "datasets" / "corridor.geojson"


def test_all_methods_text_on_corridor(corridor_path: Path) -> None:
    result = run(corridor_path, "--budget", 3, "--method", "all")
    assert result.exit_code == 0, result.output
    out = result.output
    for heading in ("OPTIMAL PLAN", "GREEDY PLAN", "CENTRALITY PLAN", "CURVE", "NOTES"):
        assert heading in out
    assert "The optimum cuts" in out and "greedy leaves" in out and "more units of flow" in out
    assert "NOTIONAL" in out


def test_all_methods_json_contract(corridor_json: dict) -> None:
    doc = corridor_json
    assert doc["budget"] == 3 and doc["targets"] == "both" and doc["objective"] == "flow"
    assert set(doc["network"]) >= {"nodes", "edges", "name", "source", "sha256"}
    assert len(doc["network"]["sha256"]) == 64 and doc["supplynet_version"]
    assert doc["parameters"] == {"method": "all", "time_limit": 60.0, "curve": True}
    best = doc["methods"]["optimal"]
    for name, entry in doc["methods"].items():
        for key in ("selected", "cost", "max_flow_before", "max_flow_after", "optimal", "gap"):
            assert key in entry, (name, key)
        assert entry["cost"] <= 3 and entry["max_flow_after"] >= best["max_flow_after"]
    assert best["optimal"] is True and best["gap"] == 0
    assert doc["methods"]["greedy"]["shortfall"] > 0
    assert [row["budget"] for row in doc["curve"]] == [0, 1, 2, 3]
    assert doc["curve"][-1]["selected"]["optimal"] == best["selected"]


def test_json_is_byte_identical_across_runs(corridor_path: Path, corridor_json: dict) -> None:
    again = run(corridor_path, "--budget", 3, "--method", "all", "--format", "json")
    assert json.loads(again.output) == corridor_json
    assert again.output == run(corridor_path, "--budget", 3, "--method", "all", "--format", "json").output


def test_markdown_csv_and_chart(tmp_path: Path, corridor_path: Path) -> None:
    chart = tmp_path / "curve.svg"
    md = run(corridor_path, "--budget", 2, "--method", "all", "--format", "markdown", "--chart", chart)
    assert md.exit_code == 0, md.output
    assert md.output.startswith("# supplynet") and "| method |" in md.output and f"](<{chart}>)" in md.output
    assert ET.fromstring(chart.read_text()).tag.endswith("svg")
    out = tmp_path / "plan.csv"
    assert run(corridor_path, "--budget", 2, "--method", "greedy", "--format", "csv", "-o", out).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["budget"], r["method"]) for r in rows] == [("0", "greedy"), ("1", "greedy"), ("2", "greedy")]
    assert rows[0]["selected"] == "" and rows[-1]["selected"]


def test_output_refuses_overwrite(tmp_path: Path, data_dir: Path) -> None:
    out = tmp_path / "p.json"
    args = [data_dir / "diamond.geojson", "--budget", 1, "--format", "json", "-o", out]
    assert run(*args).exit_code == 0
    first = out.read_bytes()
    refused = run(*args)
    assert refused.exit_code == 1 and "--overwrite" in refused.output
    assert run(*args, "--overwrite").exit_code == 0 and out.read_bytes() == first


def test_diamond_by_hand(data_dir: Path) -> None:
    # s -(40)-> a[cap 30, cost 1] -(25)-> t, s -(20)-> b[cost 1.5] -(30)-> t, a <-> b 10:
    # a's 30 and s->b's 20 leave s, so 50; with budget 1 only a fits, leaving s->b's 20.
    result = run(data_dir / "diamond.geojson", "--budget", 1, "--targets", "nodes", "--format", "json")
    assert result.exit_code == 0, result.output
    best = json.loads(result.output)["methods"]["optimal"]
    assert best["max_flow_before"] == 50 and best["selected"] == ["a"] and best["max_flow_after"] == 20


def test_budget_below_every_cost_says_why(data_dir: Path) -> None:
    result = run(data_dir / "diamond.geojson", "--budget", 0.5, "--targets", "nodes")
    assert result.exit_code == 0
    assert "(nothing selected)" in result.output and "below the cost of every candidate" in result.output


def test_flow_days(corridor_path: Path) -> None:
    result = run(corridor_path, "--budget", 2, "--objective", "flow-days", "--horizon", 30, "--format", "json",
                 "--no-curve")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    best = doc["methods"]["optimal"]
    assert doc["horizon"] == 30 and best["flow_days_denied"] > 0 and doc["curve"] is None
    assert best["flow_days_before"] == best["max_flow_before"] * 30


@pytest.mark.parametrize("args, code, message", [
    (["--budget", "-1"], 2, "--budget"),
    (["--budget", "1", "--method", "best"], 2, "--method"),
    (["--budget", "1", "--objective", "flow-days"], 2, "--horizon"),
    (["--budget", "1", "--no-curve", "--chart", "c.svg"], 2, "--chart"),
    (["--budget", "1", "--sources", "id=nowhere"], 1, "nowhere"),
])
def test_bad_usage(data_dir: Path, args: list[str], code: int, message: str) -> None:
    result = run(data_dir / "diamond.geojson", *args)
    assert result.exit_code == code, result.output
    assert message in result.output


def test_unlimited_is_null_in_json(tmp_path: Path) -> None:
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [44.0, 33.0]},
         "properties": {"id": "f", "type": "manufacturing", "interdictable": False}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [41.0, 34.0]},
         "properties": {"id": "a", "type": "assembly", "interdictable": False}},
        {"type": "Feature", "geometry": None,
         "properties": {"id": "road", "source": "f", "target": "a", "interdictable": False}}]}
    path = tmp_path / "open.geojson"
    path.write_text(json.dumps(doc))
    result = run(path, "--budget", 2, "--method", "all", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "Infinity" not in result.output
    out = json.loads(result.output)
    assert out["max_flow_before"] is None
    assert all(m["max_flow_after"] is None for m in out["methods"].values())
