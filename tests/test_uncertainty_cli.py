"""``supplynet uncertainty`` and ``supplynet plan --samples`` through CliRunner: formats, files, bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from supplynet.analysis import stochastic, uncertainty
from supplynet.cli import main
from supplynet.cli.uncertainty import MAX_PLAN_SAMPLES as CLI_PLAN_SAMPLES
from supplynet.cli.uncertainty import MAX_SAMPLES as CLI_SAMPLES
from supplynet.engine import runners
from tests.conftest import CORRIDOR
from tests.test_uncertainty import closed_port


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def corridor_json() -> dict:
    result = run("uncertainty", CORRIDOR, "--samples", 2000, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_json_has_the_keys_of_the_issue(corridor_json: dict) -> None:
    doc = corridor_json
    assert doc["method"] == "monte-carlo" and doc["samples"] == 2000 and doc["seed"] == 0
    assert set(doc["max_flow_quantiles"]) == {"p10", "p50", "p90"}
    assert 0 < doc["expected_max_flow"] < 0.1 * doc["max_flow"] and doc["max_flow"] == 320
    assert 0.2 < doc["p_any_flow"] < 0.45 and len(doc["p_any_flow_interval"]) == 2
    assert len(doc["nodes"]) == doc["network"]["nodes"] and len(doc["edges"]) == doc["network"]["edges"]
    for row in doc["nodes"] + doc["edges"]:
        assert {"id", "expected_flow_loss", "p_in_min_cut", "expected_flow_loss_interval",
                "p_in_min_cut_interval", "confidence", "flow_loss", "expected_strike_loss"} <= set(row)
    first = doc["collect_next"][0]
    assert first["rank"] == 1 and {"kind", "id", "members", "confidence", "if_present", "if_absent",
                                    "expected_revision", "expected_revision_interval"} <= set(first)
    assert doc["parameters"]["samples"] == 2000 and doc["supplynet_version"]
    assert len(doc["network"]["sha256"]) == 64


def test_the_text_says_plainly_how_little_flow_is_expected() -> None:
    result = run("uncertainty", CORRIDOR, "--samples", 500, "--top", 3, "--losses", "uncertain")
    assert result.exit_code == 0, result.output
    out = result.output
    for heading in ("MAX FLOW UNDER UNCERTAINTY", "MOST EXPECTED FLOW LOSS (top 3", "MOST OFTEN IN A MINIMUM CUT",
                    "WHAT TO COLLECT NEXT (top 3", "NOTES"):
        assert heading in out
    assert "The confidences leave little expected flow" in out and "against 320 if every element exists" in out
    assert "NOTIONAL" in out


def test_markdown_and_csv(tmp_path: Path) -> None:
    md = run("uncertainty", CORRIDOR, "--samples", 300, "--format", "markdown")
    assert md.exit_code == 0, md.output
    assert md.output.startswith("# supplynet") and "## What to collect next" in md.output and "| kind | id |" in md.output
    out = tmp_path / "u.csv"
    result = run("uncertainty", CORRIDOR, "--samples", 300, "--format", "csv", "-o", out)
    assert result.exit_code == 0 and result.output == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    meta = {r["id"]: r["name"] for r in rows if r["kind"] == "meta"}
    assert meta["method"] == "monte-carlo" and meta["scenarios"] == "300"
    data = [r for r in rows if r["kind"] != "meta"]
    assert len(data) == 156 and {r["kind"] for r in data} == {"node", "edge"}
    ranked = [r for r in data if r["collect_rank"]]
    assert ranked and min(int(r["collect_rank"]) for r in ranked) == 1


def test_reruns_are_byte_identical_and_the_seed_matters(tmp_path: Path) -> None:
    outs = []
    for seed in (4, 4, 5):
        path = tmp_path / f"run{len(outs)}.json"
        assert run("uncertainty", CORRIDOR, "--samples", 400, "--seed", seed, "--format", "json", "-o", path).exit_code == 0
        outs.append(path.read_bytes())
    assert outs[0] == outs[1] != outs[2]
    one = tmp_path / "one.json"
    assert run("uncertainty", CORRIDOR, "--samples", 400, "--seed", 4, "--workers", 1, "--format", "json",
               "-o", one).exit_code == 0
    assert one.read_bytes() == outs[0]


def test_few_uncertain_elements_are_enumerated(data_dir: Path, tmp_path: Path) -> None:
    doc = json.loads((Path(data_dir) / "diamond.geojson").read_text(encoding="utf-8"))
    for f in doc["features"]:
        if f["properties"].get("id") in ("sa", "ab"):  # ab is a two-way road: one doubt for both directions
            f["properties"]["confidence"] = 0.5
    net = tmp_path / "doubtful.geojson"
    net.write_text(json.dumps(doc), encoding="utf-8")
    result = run("uncertainty", net, "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["method"] == "exact" and out["samples"] is None and out["scenarios"] == 4
    assert out["expected_max_flow_interval"] is None and out["uncertain_elements"] == 2
    assert {r["id"]: r["members"] for r in out["collect_next"]}["ab"] == ["ab", "ab~rev"]


@pytest.mark.parametrize("args, code, message", [
    (["--samples", "0"], 2, "0 is not in the range 1<=x<=1000000"),
    (["--samples", "-3"], 2, "-3 is not in the range"),
    (["--samples", "99999999999"], 2, "is not in the range 1<=x<=1000000"),
    (["--samples", "many"], 2, "'many' is not a valid integer"),
    (["--seed", "-1"], 2, "-1 is not in the range x>=0"),
    (["--seed", "0.5"], 2, "'0.5' is not a valid integer"),
    (["--workers", "0"], 2, "0 is not in the range x>=1"),
    (["--p-success", "1.5"], 2, "1.5 is not in the range 0<=x<=1"),
    (["--method", "guess"], 2, "'guess' is not one of"),
    (["--workers", "4096"], 1, "workers must be a whole number from 1 to"),
])
def test_bad_options_get_a_clear_message(args: list[str], code: int, message: str) -> None:
    result = run("uncertainty", CORRIDOR, *args)
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output


def test_an_unreachable_scheduler_exits_1_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runners, "SCHEDULER_TIMEOUT", 1.0)
    out = tmp_path / "never.json"
    address = closed_port()
    result = run("uncertainty", CORRIDOR, "--scheduler", address, "-o", out)
    assert result.exit_code == 1
    assert f"cannot reach a Dask scheduler at '{address}'" in result.output and "Traceback" not in result.output
    assert not out.exists()
    result = run("plan", CORRIDOR, "--budget", 2, "--samples", 20, "--scheduler", address)
    assert result.exit_code == 1 and "cannot reach a Dask scheduler" in result.output


def test_an_existing_output_is_refused_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "kept.txt"
    out.write_text("mine", encoding="utf-8")
    result = run("uncertainty", CORRIDOR, "-o", out)
    assert result.exit_code == 1 and "already exists" in result.output and out.read_text(encoding="utf-8") == "mine"


def test_the_command_line_limits_agree_with_the_library() -> None:
    assert CLI_SAMPLES == uncertainty.MAX_SAMPLES and CLI_PLAN_SAMPLES == stochastic.MAX_PLAN_SAMPLES


# --- plan --samples ---------------------------------------------------------------------------

def test_plan_with_samples_in_every_format(tmp_path: Path) -> None:
    base = ["plan", CORRIDOR, "--budget", 3, "--samples", 100, "--evaluation-samples", 2000, "--method", "all"]
    text = run(*base)
    assert text.exit_code == 0, text.output
    for word in ("interdiction plan under uncertainty", "STOCHASTIC PLAN", "DETERMINISTIC PLAN", "GREEDY PLAN",
                 "no strike", "more than stochastic", "made as if every element existed"):
        assert word in text.output
    doc = json.loads(run(*base, "--format", "json").output)
    assert set(doc["methods"]) == {"stochastic", "deterministic", "greedy", "centrality"}
    assert doc["parameters"]["samples"] == 100 and doc["uncertainty"]["evaluation"]["samples"] == 2000
    assert doc["methods"]["stochastic"]["expected_flow_left"] < doc["methods"]["deterministic"]["expected_flow_left"]
    assert doc["curve"] is None
    rows = list(csv.DictReader(io.StringIO(run(*base, "--format", "csv").output)))
    assert [r["method"] for r in rows] == ["none", "stochastic", "deterministic", "greedy", "centrality"]
    md = run(*base, "--format", "markdown")
    assert md.exit_code == 0 and "## Stochastic plan" in md.output
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for path in (a, b):
        assert run(*base, "--format", "json", "-o", path).exit_code == 0
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("args, message", [
    (["--samples", "0"], "0 is not in the range 1<=x<=10000"),
    (["--samples", "20000"], "20000 is not in the range 1<=x<=10000"),
    (["--samples", "20", "--objective", "flow-days", "--horizon", "30"], "--samples plans for the expected max flow"),
    (["--samples", "20", "--chart", "c.svg"], "--samples draws no curve"),
    (["--samples", "20", "--evaluation-samples", "0"], "0 is not in the range"),
    (["--samples", "20", "--seed", "-2"], "-2 is not in the range x>=0"),
])
def test_plan_with_bad_sampling_options_exits_2(args: list[str], message: str) -> None:
    result = run("plan", CORRIDOR, "--budget", 2, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
