"""``plan --remove`` / ``plan --scenario FILE --name S``: where to strike next, given what is
already struck, checked against brute force over every plan on the network after the what-if."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from supplynet import read_network
from supplynet.cli import main
from tests.test_plan import brute_force, oracle_flow

ROOT = Path(__file__).resolve().parent.parent
CORRIDOR = ROOT / "datasets" / "corridor.geojson"
SCENARIOS = ROOT / "datasets" / "corridor-scenarios.yaml"
SOURCES = ["mfg-ahvaz", "mfg-hamadan", "mfg-isfahan", "mfg-kermanshah", "mfg-tabriz", "mfg-tehran"]
SINKS = ["asm-albukamal", "asm-deir", "asm-mayadin", "asm-palmyra"]


def _plan(*args: str) -> dict:
    result = CliRunner().invoke(main, ["plan", str(CORRIDOR), "--no-curve", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_plan_after_a_removal_is_the_best_plan_on_what_is_left() -> None:
    G = read_network(CORRIDOR)
    struck = frozenset({("chk-qaim", "node")})
    doc = _plan("--budget", "1", "--remove", "chk-qaim")
    best, plan = brute_force(G, SOURCES, SINKS, "both", 1.0,
                             value=lambda removed: oracle_flow(G, SOURCES, SINKS, removed | struck))
    optimal = doc["methods"]["optimal"]
    assert doc["parameters"]["after_whatif"] == {"remove": ["chk-qaim"]}
    assert optimal["max_flow_before"] == oracle_flow(G, SOURCES, SINKS, struck) == 215
    assert optimal["max_flow_after"] == best < 215
    chosen = tuple(sorted([(n, "node") for n in optimal["selected_nodes"]] +
                          [(e, "edge") for e in optimal["selected_edges"]]))
    assert oracle_flow(G, SOURCES, SINKS, frozenset(chosen) | struck) == best
    assert chosen == plan


def test_a_scenario_plans_as_its_removals_do_and_the_text_says_so() -> None:
    by_scenario = _plan("--budget", "2", "--scenario", str(SCENARIOS), "--name", "close-alqaim")
    by_remove = _plan("--budget", "2", "--remove", "bc-alqaim")
    assert by_scenario["methods"] == by_remove["methods"]
    assert by_scenario["parameters"]["after_whatif"] == {"scenario": "close-alqaim", "file": str(SCENARIOS)}
    intact = _plan("--budget", "2")
    assert "after_whatif" not in intact["parameters"]
    assert intact["methods"]["optimal"]["max_flow_before"] == 320
    assert by_scenario["methods"]["optimal"]["max_flow_before"] == 215
    # The figures the README gives for this command.
    assert by_scenario["methods"]["optimal"]["max_flow_after"] == 100
    assert by_scenario["methods"]["optimal"]["selected"] == ["chk-shaddadi", "e80"]
    text = CliRunner().invoke(main, ["plan", str(CORRIDOR), "--budget", "1", "--no-curve", "--remove", "bc-alqaim"])
    assert text.exit_code == 0, text.output
    assert "planned for the network after removing bc-alqaim: where to strike next" in text.output


def test_a_plan_after_a_degrading_scenario_matches_the_snapshot_after_it() -> None:
    """A scenario that degrades (not only removes): the plan's 'before' is the what-if's after."""
    from supplynet.analysis.whatif import WhatIf
    from supplynet.network.scenarios import load_scenarios

    G = read_network(CORRIDOR)
    scenario = next(s for s in load_scenarios(SCENARIOS, G) if s.name == "qaim-checkpoints-30pct")
    after = WhatIf(G).evaluate(scenario).max_flow_after
    doc = _plan("--budget", "1", "--scenario", str(SCENARIOS), "--name", "qaim-checkpoints-30pct")
    assert doc["methods"]["optimal"]["max_flow_before"] == after


def test_mistakes_are_refused_before_any_work(tmp_path: Path) -> None:
    cases = [
        (["--name", "close-alqaim"], 2, "--name picks"),
        (["--remove", "bc-alqaim", "--scenario", str(SCENARIOS)], 2, "not both"),
        (["--scenario", str(SCENARIOS)], 1, "holds 5 scenarios; choose one with --name"),
        (["--remove", "no-such-place"], 1, "no-such-place"),
        (["--remove", "bc-alqaim", "--samples", "10"], 2, "--samples plans for the intact network"),
    ]
    for args, code, text in cases:
        out = tmp_path / "p.json"
        result = CliRunner().invoke(main, ["plan", str(CORRIDOR), "--budget", "1", "-o", str(out), *args])
        assert result.exit_code == code, (args, result.output)
        assert text in result.output and not out.exists(), (args, result.output)
