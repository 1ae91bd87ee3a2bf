"""``supplynet export`` through CliRunner: files GDAL opens, pipes, overwrite rules, plan and scenario."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pyogrio
import pytest
from click.testing import CliRunner

from supplynet.cli import main
from tests.conftest import program
from supplynet.cli.export import export

if "export" not in main.commands:  # until the command is registered in supplynet.cli
    main.add_command(export)

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "datasets" / "corridor-scenarios.yaml"


def _run(*args: str, input: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["export", *args], input=input)
    return result.exit_code, result.stdout, result.stderr


def test_done_means_two_layers_in_ogrinfo(corridor_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "corridor.gpkg"
    code, _, err = _run(str(corridor_path), "-o", str(out))
    assert code == 0, err
    assert f"wrote {out}" in err
    proc = subprocess.run([program("ogrinfo"), "-ro", "-so", "-al", str(out)], capture_output=True, text=True,
                          check=True)
    assert "Warning" not in proc.stderr + proc.stdout
    assert "Layer name: nodes" in proc.stdout and "Feature Count: 56" in proc.stdout
    assert "Layer name: edges" in proc.stdout and "Feature Count: 100" in proc.stdout


def test_refuses_to_replace_then_reruns_byte_identical(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.gpkg"
    args = (str(data_dir / "diamond.geojson"), "-o", str(out))
    assert _run(*args)[0] == 0
    first = out.read_bytes()
    code, _, err = _run(*args)
    assert code == 1 and "--overwrite" in err and "Traceback" not in err
    assert _run(*args, "--overwrite")[0] == 0
    assert out.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.gpkg"]  # no temporary files left


def test_never_writes_over_the_input(data_dir: Path, tmp_path: Path) -> None:
    net = tmp_path / "d.geojson"
    net.write_bytes((data_dir / "diamond.geojson").read_bytes())
    code, _, err = _run(str(net), "-o", str(net), "--overwrite")
    assert code == 1 and "input file" in err
    assert net.read_bytes() == (data_dir / "diamond.geojson").read_bytes()


def test_stdin_to_stdout_geojson(data_dir: Path) -> None:
    raw = (data_dir / "diamond.geojson").read_bytes()
    code, out, err = _run("-", input=raw)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 4 + 6
    assert doc["network"]["sha256"] == hashlib.sha256(raw).hexdigest()
    assert doc["network"]["source"] == "<stdin>" and "generated_at" not in doc
    assert _run("-", input=raw)[1] == out  # byte-identical rerun


def test_split_geojson(data_dir: Path, tmp_path: Path) -> None:
    code, _, err = _run(str(data_dir / "diamond.geojson"), "-o", str(tmp_path / "r.geojson"), "--split")
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.edges.geojson", "r.nodes.geojson"]
    assert pyogrio.read_info(tmp_path / "r.nodes.geojson")["features"] == 4
    assert pyogrio.read_info(tmp_path / "r.edges.geojson")["layer_name"] == "edges"


@pytest.mark.parametrize("args, hint", [
    (["--split"], "--split"),
    (["--format", "gpkg"], "--format"),
    (["-o", "{tmp}/r.gpkg", "--split"], "--split"),
    (["-o", "{tmp}/r.txt"], "suffix"),
    (["--name", "close-alqaim"], "--name"),
])
def test_usage_errors_exit_2(data_dir: Path, tmp_path: Path, args: list[str], hint: str) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, _, err = _run(str(data_dir / "diamond.geojson"), *args)
    assert code == 2 and hint in err
    assert list(tmp_path.iterdir()) == []


def test_plan_and_timestamp(corridor_path: Path) -> None:
    code, out, err = _run(str(corridor_path), "--plan-budget", "2", "--plan-method", "greedy", "--timestamp")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["generated_at"].endswith("Z") and doc["plan"]["method"] == "greedy"
    chosen = sorted(f["properties"]["id"] for f in doc["features"] if f["properties"]["in_plan"])
    assert chosen == sorted(doc["plan"]["selected"]) and chosen


def test_scenario_after_state(corridor_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.gpkg"
    code, _, err = _run(str(corridor_path), "-o", str(out), "--scenario", str(SCENARIOS), "--name", "close-alqaim")
    assert code == 0, err
    nodes = pyogrio.read_dataframe(out, layer="nodes").set_index("id")
    edges = pyogrio.read_dataframe(out, layer="edges").set_index("id")
    assert list(nodes.index[nodes["scenario_removed"]]) == ["bc-alqaim"]
    gone = edges.index[edges["scenario_removed"]]
    assert len(gone) > 0 and all("bc-alqaim" in (edges.at[e, "source"], edges.at[e, "target"]) for e in gone)
    assert (edges.loc[gone, "scenario_flow"] == 0).all() and (nodes["scenario_factor"] <= 1).all()
    meta = pyogrio.read_info(out, layer="nodes")["layer_metadata"]
    assert meta["scenario_name"] == "close-alqaim"
    assert meta["scenario_sha256"] == hashlib.sha256(SCENARIOS.read_bytes()).hexdigest()
    # the flow after, summed into the sinks, is the scenario's max flow after
    sinks = json.loads(meta["sinks"])
    assert nodes.loc[sinks, "scenario_flow"].sum() == float(meta["scenario_max_flow_after"])


def test_scenario_file_with_many_needs_a_name(corridor_path: Path) -> None:
    code, _, err = _run(str(corridor_path), "--scenario", str(SCENARIOS))
    assert code == 1 and "close-alqaim" in err and "choose one with --name" in err  # as map says it
    code, _, err = _run(str(corridor_path), "--scenario", str(SCENARIOS), "--name", "nope")
    assert code == 1 and "nope" in err
