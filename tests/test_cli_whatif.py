"""``supplynet whatif`` through CliRunner: formats, reruns, bad input, and the "done means" check."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import supplynet
from supplynet.cli import main
from supplynet.cli.whatif import whatif
from supplynet.network.scenarios import load_scenarios
from supplynet.analysis.whatif import WhatIf
from tests.test_whatif import oracle_impact, same

if "whatif" not in main.commands:  # until the command is registered in supplynet.cli
    main.add_command(whatif)

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CORRIDOR = ROOT / "datasets" / "corridor.geojson"
CORRIDOR_SCENARIOS = ROOT / "datasets" / "corridor-scenarios.yaml"
DIAMOND = DATA / "diamond.geojson"
REQUIRED = ("name", "removed", "max_flow_before", "max_flow_after", "flow_loss", "flow_loss_pct",
            "sinks_cut_off")


def run(*args: str) -> object:
    return CliRunner().invoke(main, ["whatif", *map(str, args)])


@pytest.fixture(scope="module")
def corridor_json() -> dict:
    result = run(CORRIDOR, "--scenario", CORRIDOR_SCENARIOS, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_contract(corridor_json: dict) -> None:
    out = corridor_json
    assert out["supplynet_version"] == supplynet.__version__
    assert out["network"]["sha256"] == supplynet.read_network(CORRIDOR).graph["sha256"]
    assert out["sources"][0].startswith("mfg-") and out["sinks"][0].startswith("asm-")
    assert [s["name"] for s in out["scenarios"]] == ["close-alqaim", "ground-flights", "qaim-checkpoints-30pct",
                                                     "strike-anbar-depots", "border-and-north"]
    for s in out["scenarios"]:
        assert set(REQUIRED) <= set(s)
        assert set(s["min_edge_cut"]) == {"capacity", "edges"}


def test_done_means_python_cli_and_networkx_agree(corridor_json: dict) -> None:
    """The five shipped scenarios: Python, the CLI and networkx give the same numbers."""
    G = supplynet.read_network(CORRIDOR)
    w = WhatIf(G)
    scenarios = load_scenarios(CORRIDOR_SCENARIOS, G)
    assert len(scenarios) == 5
    for s, cli in zip(scenarios, corridor_json["scenarios"]):
        impact = w.evaluate(s)
        want = oracle_impact(G, w.sources, w.sinks, s)
        assert cli["name"] == impact.name == s.name
        assert cli["removed"] == impact.removed
        assert cli["sinks_cut_off"] == impact.sinks_cut_off == want["sinks_cut_off"]
        assert cli["sources_stranded"] == impact.sources_stranded == want["sources_stranded"]
        for key in ("max_flow_before", "max_flow_after", "flow_loss", "route_km_before", "route_km_after",
                    "detour_km", "flow_days_denied"):
            assert same(cli[key], getattr(impact, key)), key
            assert same(getattr(impact, key), want[key]), key
        assert same(cli["flow_loss_pct"], 100 * want["flow_loss"] / want["max_flow_before"])
        assert same(cli["min_edge_cut"]["capacity"], want["min_edge_cut_capacity"])
        assert cli["min_edge_cut"]["edges"] == impact.min_edge_cut.edges


def test_reruns_are_byte_identical(tmp_path: Path) -> None:
    for fmt in ("json", "csv", "text", "markdown"):
        first = run(CORRIDOR, "--scenario", CORRIDOR_SCENARIOS, "--format", fmt)
        second = run(CORRIDOR, "--scenario", CORRIDOR_SCENARIOS, "--format", fmt)
        assert first.exit_code == 0 and first.stdout == second.stdout, fmt


def test_text_is_side_by_side() -> None:
    result = run(CORRIDOR, "--scenario", CORRIDOR_SCENARIOS)
    assert result.exit_code == 0, result.output
    header = next(line for line in result.stdout.splitlines() if "close-alqaim" in line)
    assert header.split() == ["close-alqaim", "ground-flights", "qaim-checkpoints-30pct", "strike-anbar-depots",
                              "border-and-north"]
    assert "max flow after" in result.stdout and "flow-days denied" in result.stdout


def test_markdown_and_csv(corridor_json: dict) -> None:
    md = run(CORRIDOR, "--scenario", CORRIDOR_SCENARIOS, "--format", "markdown").stdout
    assert md.startswith("# supplynet") and "| max flow after |" in md and "## border-and-north" in md
    rows = list(csv.DictReader(io.StringIO(run(CORRIDOR, "--scenario", CORRIDOR_SCENARIOS,
                                               "--format", "csv").stdout)))
    assert [r["name"] for r in rows] == [s["name"] for s in corridor_json["scenarios"]]
    for row, s in zip(rows, corridor_json["scenarios"]):
        assert float(row["max_flow_after"]) == s["max_flow_after"]
        assert (row["removed"].split(";") if row["removed"] else []) == s["removed"]


def test_remove_and_name() -> None:
    result = run(DIAMOND, "--remove", "a", "--remove", "mode=air", "--format", "json")
    assert result.exit_code == 0, result.output
    (s,) = json.loads(result.stdout)["scenarios"]
    assert s["removed"] == ["a", "bt"] and s["max_flow_after"] == 0 and s["sinks_cut_off"] == ["t"]
    picked = run(CORRIDOR, "--scenario", CORRIDOR_SCENARIOS, "--name", "ground-flights", "--name", "close-alqaim",
                 "--format", "json")
    assert [s["name"] for s in json.loads(picked.stdout)["scenarios"]] == ["ground-flights", "close-alqaim"]


def test_horizon_and_endpoints() -> None:
    out = json.loads(run(DIAMOND, "--remove", "b", "--sources", "id=s", "--sinks", "type=assembly",
                         "--horizon", "3", "--format", "json").stdout)
    assert out["horizon_days"] == 3 and out["sources"] == ["s"] and out["sinks"] == ["t"]
    assert out["scenarios"][0]["flow_days_denied"] == 25 * 3  # b has no repair_days: out all 3 days


def test_unlimited_is_null(tmp_path: Path) -> None:
    net = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [40, 30]},
         "properties": {"id": "m", "type": "manufacturing"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [41, 30]},
         "properties": {"id": "a", "type": "assembly"}},
        {"type": "Feature", "geometry": None, "properties": {"id": "r1", "source": "m", "target": "a"}},
        {"type": "Feature", "geometry": None, "properties": {"id": "r2", "source": "m", "target": "a"}}]}
    path = tmp_path / "open.geojson"
    path.write_text(json.dumps(net))
    result = run(path, "--remove", "r1", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "Infinity" not in result.stdout and "NaN" not in result.stdout
    s = json.loads(result.stdout)["scenarios"][0]
    assert s["max_flow_before"] is None and s["max_flow_after"] is None and s["flow_loss"] is None
    assert s["min_edge_cut"]["capacity"] is None


@pytest.mark.parametrize("name, text", [
    ("unknown-id.yaml", "scenario 'strike', remove entry 2"),
    ("empty-selector.yaml", "scenario 'airfields', remove entry 1"),
    ("bad-factor.yaml", "scenario 'squeeze', degrade entry 1"),
    ("malformed.yaml", "is not valid YAML"),
    ("duplicate.yaml", "scenario 'strike', name: the name is used twice"),
])
def test_bad_scenario_files_exit_1_without_output(tmp_path: Path, name: str, text: str) -> None:
    out = tmp_path / "out.json"
    result = run(DIAMOND, "--scenario", DATA / "scenarios" / name, "--format", "json", "-o", out)
    assert result.exit_code == 1
    assert text in result.stderr and "Traceback" not in result.output
    assert result.stdout == "" and not out.exists() and list(tmp_path.iterdir()) == []
    to_stdout = run(DIAMOND, "--scenario", DATA / "scenarios" / name)
    assert to_stdout.exit_code == 1 and to_stdout.stdout == ""


@pytest.mark.parametrize("args, code, text", [
    (["--remove", "nowhere"], 1, "'nowhere'"),
    (["--scenario", "missing.yaml"], 1, "cannot read the scenario file"),
    (["--scenario", str(DATA / "scenarios" / "diamond.yaml"), "--name", "nope"], 1, "no scenario named 'nope'"),
    ([], 2, "either --remove"),
    (["--remove", "a", "--scenario", str(CORRIDOR_SCENARIOS)], 2, "not both"),
    (["--remove", "a", "--name", "x"], 2, "--name picks"),
    (["--remove", "a", "--horizon", "-1"], 2, "--horizon"),
    (["--remove", "a", "--sources", "type=nothing"], 1, "selects nothing"),
])
def test_errors(args: list[str], code: int, text: str) -> None:
    result = run(DIAMOND, *args)
    assert result.exit_code == code, result.output
    assert text in result.output and "Traceback" not in result.output


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "w.json"
    args = (DIAMOND, "--remove", "a", "--format", "json", "-o", out)
    assert run(*args).exit_code == 0
    first = out.read_bytes()
    again = run(*args)
    assert again.exit_code == 1 and "--overwrite" in again.output
    assert run(*args, "--overwrite").exit_code == 0 and out.read_bytes() == first
