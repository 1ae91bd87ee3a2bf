"""``supplynet report`` through CliRunner: formats, output files, selectors, bad input."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from supplynet.cli import main


def test_report_json_contract_on_corridor(corridor_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(corridor_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    for key in ("network", "sources", "sinks", "max_flow", "min_edge_cut", "min_node_cut", "nodes"):
        assert key in out
    assert set(out["network"]) >= {"nodes", "edges"}
    assert out["max_flow"] > 0
    assert {"capacity", "edges"} <= set(out["min_edge_cut"])
    assert {"id", "source", "target", "capacity"} <= set(out["min_edge_cut"]["edges"][0])
    assert {"cost", "nodes"} <= set(out["min_node_cut"])
    assert len(out["interdiction_points"]) == 10


def test_report_text_default(corridor_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(corridor_path), "--top", "5"])
    assert result.exit_code == 0, result.output
    assert "TOP 5 INTERDICTION POINTS" in result.output and "NOTIONAL" in result.output


def test_output_file_refuses_overwrite(tmp_path: Path, data_dir: Path) -> None:
    out = tmp_path / "r.json"
    args = ["report", str(data_dir / "diamond.geojson"), "--format", "json", "-o", str(out)]
    runner = CliRunner()
    assert runner.invoke(main, args).exit_code == 0
    first = out.read_bytes()
    result = runner.invoke(main, args)
    assert result.exit_code == 1 and "--overwrite" in result.output
    assert runner.invoke(main, [*args, "--overwrite"]).exit_code == 0
    assert out.read_bytes() == first


def test_output_over_input_is_refused(tmp_path: Path, data_dir: Path) -> None:
    net = tmp_path / "d.geojson"
    net.write_bytes((data_dir / "diamond.geojson").read_bytes())
    result = CliRunner().invoke(main, ["report", str(net), "-o", str(net), "--overwrite"])
    assert result.exit_code == 1 and "input file" in result.output
    assert net.read_bytes() == (data_dir / "diamond.geojson").read_bytes()


def test_selectors(data_dir: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["report", str(data_dir / "diamond.geojson"), "--sources", "id=a",
                                  "--sinks", "type=assembly", "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["sources"] == ["a"] and out["max_flow"] == 30
    bad = runner.invoke(main, ["report", str(data_dir / "diamond.geojson"), "--sources", "id=nowhere"])
    assert bad.exit_code == 1 and "nowhere" in bad.output and "Traceback" not in bad.output


def test_bad_network_exit_1(data_dir: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(data_dir / "bad" / "dangling_edge.geojson")])
    assert result.exit_code == 1 and "does not exist" in result.output
