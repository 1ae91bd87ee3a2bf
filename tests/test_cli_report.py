"""``supplynet report`` through CliRunner: formats, output files, selectors, bad input."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
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


def test_stdin_and_hash(data_dir: Path) -> None:
    raw = (data_dir / "diamond.geojson").read_bytes()
    result = CliRunner().invoke(main, ["report", "-", "--format", "json"], input=raw)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["network"]["source"] == "<stdin>"
    assert out["network"]["sha256"] == hashlib.sha256(raw).hexdigest()
    from_file = json.loads(CliRunner().invoke(main, ["report", str(data_dir / "diamond.geojson"),
                                                     "--format", "json"]).stdout)
    assert from_file["network"]["sha256"] == out["network"]["sha256"]
    assert from_file["max_flow"] == out["max_flow"]


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "csv"])
def test_reruns_are_byte_identical(corridor_path: Path, fmt: str) -> None:
    args = ["report", str(corridor_path), "--format", fmt]
    first, second = CliRunner().invoke(main, args), CliRunner().invoke(main, args)
    assert first.exit_code == 0 and first.stdout_bytes == second.stdout_bytes


def test_timestamp_flag(data_dir: Path) -> None:
    args = ["report", str(data_dir / "diamond.geojson"), "--format", "json"]
    plain = json.loads(CliRunner().invoke(main, args).stdout)
    stamped = json.loads(CliRunner().invoke(main, [*args, "--timestamp"]).stdout)
    assert "generated_at" not in plain
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamped["generated_at"])
    text = CliRunner().invoke(main, ["report", str(data_dir / "diamond.geojson"), "--timestamp"]).stdout
    assert "generated: " + stamped["generated_at"][:10] in text


def test_output_file_is_written_whole(tmp_path: Path, data_dir: Path) -> None:
    out = tmp_path / "r.csv"
    result = CliRunner().invoke(main, ["report", str(data_dir / "diamond.geojson"), "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text().startswith("id,name,type")  # the nodes table, and nothing else
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]  # no temporary file left behind
    missing = CliRunner().invoke(main, ["report", str(data_dir / "diamond.geojson"), "-o",
                                        str(tmp_path / "nowhere" / "r.txt")])
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_refused_before_the_analysis(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import supplynet.analysis.report

    out = tmp_path / "r.txt"
    out.write_text("keep")

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("analysed although the output would be refused")

    monkeypatch.setattr(supplynet.analysis.report, "analyse", fail)
    result = CliRunner().invoke(main, ["report", str(data_dir / "diamond.geojson"), "-o", str(out)])
    assert result.exit_code == 1 and "--overwrite" in result.output and out.read_text() == "keep"
