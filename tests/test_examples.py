"""The examples run, and print the numbers the CLI and networkx give."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

import supplynet
from supplynet.cli import main
from supplynet.cli.whatif import whatif
from supplynet.network.scenarios import Scenario
from tests.test_whatif import oracle_impact, same

if "whatif" not in main.commands:  # until the command is registered in supplynet.cli
    main.add_command(whatif)

ROOT = Path(__file__).resolve().parent.parent
CORRIDOR = ROOT / "datasets" / "corridor.geojson"
SCENARIOS = ROOT / "datasets" / "corridor-scenarios.yaml"


def _cli(*args: str) -> dict:
    result = CliRunner().invoke(main, ["whatif", str(CORRIDOR), *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    (scenario,) = json.loads(result.stdout)["scenarios"]
    return scenario


def test_whatif_corridor_example() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "whatif_corridor.py")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    lines = done.stdout.splitlines()
    assert lines[0].endswith("max flow 320 units per period") and done.stderr == ""
    rows = {cells[0]: cells for cells in (line.split(" | ") for line in lines[2:5])}
    assert list(rows) == ["close-alqaim", "qaim-checkpoints-30pct", "close-alqaim + baghdad-and-air"]
    cli = {
        "close-alqaim": _cli("--scenario", str(SCENARIOS), "--name", "close-alqaim"),
        "qaim-checkpoints-30pct": _cli("--scenario", str(SCENARIOS), "--name", "qaim-checkpoints-30pct"),
        "close-alqaim + baghdad-and-air": _cli("--remove", "bc-alqaim", "--remove", "smg-baghdad",
                                               "--remove", "mode=air"),
    }
    G = supplynet.read_network(CORRIDOR)
    src = sorted(n for n, t in G.nodes(data="type") if t == "manufacturing")
    snk = sorted(n for n, t in G.nodes(data="type") if t == "assembly")
    for name, cells in rows.items():
        c = cli[name]
        s = Scenario(name, tuple(c["removed_nodes"]), tuple(c["removed_edges"]),
                     tuple(c["degraded_nodes"].items()), tuple(c["degraded_edges"].items()))
        want = oracle_impact(G, src, snk, s)
        removed, after, pct, cut_off, detour, flow_days = cells[1:]
        assert int(removed) == len(c["removed"])
        assert float(after) == c["max_flow_after"] and same(float(after), want["max_flow_after"])
        assert float(pct) == round(c["flow_loss_pct"], 2)
        assert same(float(pct), round(100 * want["flow_loss"] / want["max_flow_before"], 2))
        assert (cut_off.split(",") if cut_off != "-" else []) == c["sinks_cut_off"] == want["sinks_cut_off"]
        assert same(float(detour), c["detour_km"]) and same(float(detour), want["detour_km"])
        assert float(flow_days) == c["flow_days_denied"] and same(float(flow_days), want["flow_days_denied"])
    worst = max(cli, key=lambda name: cli[name]["flow_loss"])
    assert lines[5] == f"most damaging: {worst} ({cli[worst]['flow_loss']:g} units lost)"
