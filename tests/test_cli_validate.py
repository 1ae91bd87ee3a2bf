"""``supplynet validate``: exit codes and messages, through click's CliRunner."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from supplynet.cli import main

from tests.test_validate import BAD, CATALOGUE


def test_corridor_is_valid(corridor_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(corridor_path)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output and "nodes" in result.output


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_bad_files_exit_1_without_traceback(name: str, tmp_path: Path) -> None:
    path = BAD / name
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert CATALOGUE[name][-1] in result.output
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_warnings_do_not_fail(data_dir: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(data_dir / "warn" / "far_edge_end.geojson")])
    assert result.exit_code == 0
    assert "warning:" in result.output and "1 warning" in result.output


def test_stdin(data_dir: Path) -> None:
    text = (data_dir / "diamond.geojson").read_text()
    result = CliRunner().invoke(main, ["validate", "-"], input=text)
    assert result.exit_code == 0 and "<stdin>: valid, 4 nodes and 6 edges" in result.output


def test_missing_file_exit_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["info", str(tmp_path / "none.geojson")])
    assert result.exit_code == 1 and "no such file" in result.output and "Traceback" not in result.output


def test_verbose_shows_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["-v", "info", str(tmp_path / "none.geojson")])
    assert result.exit_code == 1 and result.exception is not None


def test_version_and_usage_error() -> None:
    runner = CliRunner()
    assert "supplynet, version" in runner.invoke(main, ["--version"]).output
    assert runner.invoke(main, ["info"]).exit_code == 2


# --- --strict, and one line per kind of warning ------------------------------------------

def test_warnings_are_one_line_per_kind_and_strict_refuses_them(data_dir: Path) -> None:
    path = str(data_dir / "warn" / "typo_property.geojson")
    result = CliRunner().invoke(main, ["validate", path])
    assert result.exit_code == 0 and "3 warnings" in result.output
    assert result.output.count("warning:") == 3 and "did you mean 'capacity'?" in result.output
    strict = CliRunner().invoke(main, ["validate", "--strict", path])
    assert strict.exit_code == 1 and "invalid, 3 problems" in strict.output and "warning:" not in strict.output
    for command in (["report", path], ["info", path], ["whatif", path, "--remove", "h"], ["plan", path, "--budget", "1"]):
        refused = CliRunner().invoke(main, [*command, "--strict"])
        assert refused.exit_code == 1 and "an error under --strict" in refused.output, (command, refused.output)
        assert "Traceback" not in refused.output
    assert CliRunner().invoke(main, ["report", str(data_dir / "diamond.geojson"), "--strict"]).exit_code == 0


# --- supplynet template ------------------------------------------------------------------

def test_the_template_is_a_valid_network_using_every_property(tmp_path: Path) -> None:
    import json

    import jsonschema

    from supplynet import load_network
    from supplynet.io.validate import EDGE_FIELDS, NODE_FIELDS

    out = tmp_path / "network.geojson"
    result = CliRunner().invoke(main, ["template", "-o", str(out)])
    assert result.exit_code == 0 and f"wrote {out}" in result.output
    report, G = load_network(out)
    assert report.problems == [] and report.warnings == [] and G is not None
    doc = json.loads(out.read_text())
    schema = json.loads((Path(__file__).resolve().parent.parent / "docs" / "network.schema.json").read_text())
    jsonschema.validate(doc, schema)
    props = [f["properties"] for f in doc["features"]]
    nodes = [p for p in props if "source" not in p]
    edges = [p for p in props if "source" in p]
    assert {k for p in nodes for k in p} >= set(NODE_FIELDS)
    assert {k for p in edges for k in p} >= set(EDGE_FIELDS)
    assert any("id" not in p for p in edges) and any(p.get("bidirectional") for p in edges)
    # it is what standard output gets, and analyses run on it as it is
    assert CliRunner().invoke(main, ["template"]).output == out.read_text()
    report_run = CliRunner().invoke(main, ["report", str(out), "--strict"])
    assert report_run.exit_code == 0 and "MAX FLOW" in report_run.output


def test_the_template_refuses_to_replace_a_file_or_to_be_another_format(tmp_path: Path) -> None:
    out = tmp_path / "network.geojson"
    out.write_text("mine")
    result = CliRunner().invoke(main, ["template", "-o", str(out)])
    assert result.exit_code == 1 and "already exists" in result.output and out.read_text() == "mine"
    assert CliRunner().invoke(main, ["template", "-o", str(out), "--overwrite"]).exit_code == 0
    wrong = CliRunner().invoke(main, ["template", "-o", str(tmp_path / "network.gpkg")])
    assert wrong.exit_code == 2 and "name it .geojson" in wrong.output
