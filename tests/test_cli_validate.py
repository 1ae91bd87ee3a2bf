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
