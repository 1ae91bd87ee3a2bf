"""Every command on the corridor gives the bytes of tests/golden/ (see its README)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from supplynet.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
NET = "datasets/corridor.geojson"
SCEN = "datasets/corridor-scenarios.yaml"

CASES = {
    **{f"report.{f}": ["report", NET, "--format", f] for f in ("text", "markdown", "json", "csv")},
    **{f"whatif.{f}": ["whatif", NET, "--scenario", SCEN, "--format", f] for f in ("text", "markdown", "json", "csv")},
    "whatif-remove.json": ["whatif", NET, "--remove", "bc-alqaim", "--remove", "mode=air", "--format", "json"],
    **{f"plan.{f}": ["plan", NET, "--budget", "3", "--method", "all", "--format", f]
       for f in ("text", "markdown", "json", "csv")},
    "plan-days.json": ["plan", NET, "--budget", "4", "--objective", "flow-days", "--horizon", "60", "--method", "all",
                       "--format", "json"],
    "export.geojson": ["export", NET],
    "export.gpkg": ["export", NET],
    "export-plan.geojson": ["export", NET, "--plan-budget", "3", "--scenario", SCEN, "--name", "close-alqaim"],
    "map.html": ["map", NET],
    "map-remove.html": ["map", NET, "--remove", "bc-alqaim"],
    "map-scenario.html": ["map", NET, "--scenario", SCEN, "--name", "qaim-checkpoints-30pct", "--plan-budget", "3"],
    "info.json": ["info", NET, "--format", "json"],
    "info.text": ["info", NET],
}
_STDOUT = ("info.json", "info.text")


@pytest.mark.parametrize("name", sorted(CASES))
def test_command_gives_the_golden_bytes(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # inputs are named as the fixtures name them: datasets/...
    out = tmp_path / name
    args = CASES[name] if name in _STDOUT else [*CASES[name], "-o", str(out)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    got = result.stdout_bytes if name in _STDOUT else out.read_bytes()
    assert got == (GOLDEN / name).read_bytes()


def test_the_plan_chart_is_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    chart = tmp_path / "curve.svg"
    result = CliRunner().invoke(main, [*CASES["plan.json"], "--chart", str(chart), "-o", str(tmp_path / "p.json")])
    assert result.exit_code == 0, result.output
    assert chart.read_bytes() == (GOLDEN / "plan-curve.svg").read_bytes()
