"""No JSON the command line writes ever holds NaN or Infinity (they are not JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from supplynet.cli import main

ROOT = Path(__file__).resolve().parent.parent
CORRIDOR = ROOT / "datasets" / "corridor.geojson"
SCENARIOS = ROOT / "datasets" / "corridor-scenarios.yaml"
DIAMOND = Path(__file__).resolve().parent / "data" / "diamond.geojson"
DIAMOND_SCENARIOS = Path(__file__).resolve().parent / "data" / "scenarios" / "diamond.yaml"


def _refuse(token: str) -> None:
    raise AssertionError(f"{token} in JSON output")


def _strict(text: str) -> object:
    """Parse JSON, failing on the NaN / Infinity / -Infinity that Python's parser lets through."""
    return json.loads(text, parse_constant=_refuse)


@pytest.fixture(scope="module")
def unlimited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The diamond with a route of unlimited capacity: max flow, cut and losses have no finite value."""
    doc = json.loads(DIAMOND.read_text())
    for f in doc["features"]:
        if f["properties"]["id"] in ("sb", "bt"):
            f["properties"].pop("capacity")
    path = tmp_path_factory.mktemp("unlimited") / "open.geojson"
    path.write_text(json.dumps(doc))
    return path


def _commands(net: Path, scenarios: Path, remove: str) -> dict[str, list[str]]:
    n = str(net)
    return {
        "report": ["report", n, "--format", "json"],
        "whatif-remove": ["whatif", n, "--remove", remove, "--format", "json"],
        "whatif-scenarios": ["whatif", n, "--scenario", str(scenarios), "--format", "json"],
        "plan": ["plan", n, "--budget", "3", "--method", "all", "--format", "json"],
        "plan-days": ["plan", n, "--budget", "2", "--objective", "flow-days", "--horizon", "30", "--method", "all",
                      "--format", "json"],
        "info": ["info", n, "--format", "json"],
        "export": ["export", n, "--plan-budget", "2"],
        "export-split": ["export", n, "--split", "-o", "{tmp}/x.geojson"],
    }


CASES = [("corridor", name) for name in _commands(CORRIDOR, SCENARIOS, "bc-alqaim")] + \
    [("unlimited", name) for name in _commands(DIAMOND, DIAMOND_SCENARIOS, "a")]


@pytest.mark.parametrize("network, name", CASES)
def test_no_nan_or_infinity_in_any_json(network: str, name: str, unlimited: Path, tmp_path: Path) -> None:
    net, scenarios, remove = (CORRIDOR, SCENARIOS, "bc-alqaim") if network == "corridor" else \
        (unlimited, DIAMOND_SCENARIOS, "a")
    args = [a.replace("{tmp}", str(tmp_path)) for a in _commands(net, scenarios, remove)[name]]
    result = CliRunner().invoke(main, args)
    if network == "unlimited" and result.exit_code == 1:
        assert "Traceback" not in result.output  # refused with a message (a plan needs a finite flow)
        return
    assert result.exit_code == 0, result.output
    texts = [p.read_text(encoding="utf-8") for p in sorted(tmp_path.glob("*.geojson"))] or [result.stdout]
    for text in texts:
        _strict(text)
        assert "NaN" not in text and "Infinity" not in text
