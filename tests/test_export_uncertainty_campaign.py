"""``export --samples`` and ``export --campaign-horizon``: the columns hold what the
``uncertainty`` and ``campaign`` commands report, element by element."""

from __future__ import annotations

import json
import math
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from supplynet.cli import main

ROOT = Path(__file__).resolve().parent.parent
CORRIDOR = ROOT / "datasets" / "corridor.geojson"


def _run(*args: str) -> dict:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.output[result.output.index("{"):])


def _features(doc: dict) -> dict[tuple[str, str], dict]:
    return {(f["properties"]["kind"], f["properties"]["id"]): f["properties"] for f in doc["features"]}


def test_uncertainty_columns_are_the_uncertainty_report() -> None:
    args = ("--samples", "150")
    exported = _run("export", str(CORRIDOR), *args, "--sample-seed", "3")
    report = _run("uncertainty", str(CORRIDOR), *args, "--seed", "3", "--format", "json")
    rows = _features(exported)
    for kind, key in (("node", "nodes"), ("edge", "edges")):
        for element in report[key]:
            row = rows[(kind, element["id"])]
            assert row["expected_flow_loss"] == element["expected_flow_loss"]
            assert row["p_in_min_cut"] == element["p_in_min_cut"]
            assert row["expected_strike_loss"] == element["expected_strike_loss"]
            assert [row["expected_flow_loss_low"], row["expected_flow_loss_high"]] == \
                element["expected_flow_loss_interval"]
            assert [row["p_in_min_cut_low"], row["p_in_min_cut_high"]] == element["p_in_min_cut_interval"]
    ranks = {(c["kind"], m): c["rank"] for c in report["collect_next"] for m in c["members"]}
    assert ranks and {k: r["collect_rank"] for k, r in rows.items() if r["collect_rank"] is not None} == ranks
    assert exported["uncertainty"]["expected_max_flow"] == report["expected_max_flow"]
    assert exported["uncertainty"]["max_flow_quantiles"] == report["max_flow_quantiles"]


def test_exact_uncertainty_columns_against_enumeration_by_networkx() -> None:
    """A network of three uncertain arcs, every outcome enumerated by hand with networkx."""
    from itertools import product

    from shapely import LineString

    from supplynet.analysis.uncertainty import evaluate_uncertainty
    from supplynet.render.layers import result_layers
    from supplynet.analysis.report import analyse

    G = nx.MultiDiGraph(crs="EPSG:4326", name="three")
    for n, t, x in (("s", "manufacturing", 44.0), ("m", "hub", 45.0), ("t", "assembly", 46.0)):
        G.add_node(n, type=t, name=n, x=x, y=33.0, cost=1.0, interdictable=True)
    arcs = {"a": ("s", "t", 8.0, 1.0), "b": ("s", "m", 20.0, 0.5), "c": ("m", "t", 20.0, 0.4)}
    for k, (u, v, cap, conf) in arcs.items():
        line = LineString([(G.nodes[u]["x"], 33.0), (G.nodes[v]["x"], 33.0)])
        G.add_edge(u, v, key=k, length=1.0, capacity=cap, confidence=conf, cost=1.0, interdictable=True,
                   geometry=line)
    rep = evaluate_uncertainty(G)
    assert rep.method == "exact"
    layers = result_layers(G, analyse(G), uncertainty=rep)

    def flow(present: set[str]) -> float:
        D = nx.DiGraph()
        D.add_nodes_from("smt")
        for k in present:
            u, v, cap, _ = arcs[k]
            D.add_edge(u, v, capacity=D.get_edge_data(u, v, {"capacity": 0})["capacity"] + cap)
        return nx.maximum_flow_value(D, "s", "t")

    for k in arcs:  # E[flow with everything] - E[flow without k], over every outcome
        loss = 0.0
        for states in product([True, False], repeat=len(arcs)):
            present = {a for a, on in zip(arcs, states) if on}
            p = math.prod(arcs[a][3] if on else 1 - arcs[a][3] for a, on in zip(arcs, states))
            loss += p * (flow(present) - flow(present - {k}))
        assert layers.edges.loc[k, "expected_flow_loss"] == pytest.approx(loss, abs=1e-9)
        assert math.isnan(layers.edges.loc[k, "expected_flow_loss_low"])  # exact: no interval
    assert layers.edges["collect_rank"].isna()["a"]  # certain: nothing to collect


def test_campaign_columns_are_the_campaign_schedule() -> None:
    args = ("--horizon", "21", "--period-days", "7", "--budget-per-period", "1")
    camp = _run("campaign", str(CORRIDOR), *args, "--method", "optimal", "--format", "json")
    exported = _run("export", str(CORRIDOR), "--campaign-horizon", "21", "--campaign-period-days", "7",
                    "--campaign-budget-per-period", "1", "--campaign-method", "optimal")
    schedule = camp["methods"]["optimal"]["schedule"]
    assert schedule, "the corridor's optimal campaign strikes something"
    rows = _features(exported)
    struck: dict[tuple[str, str], list[dict]] = {}
    for s in schedule:
        struck.setdefault((s["kind"], s["id"]), []).append(s)
    for key, row in rows.items():
        hits = struck.get(key, [])
        assert row["campaign_strikes"] == len(hits)
        if not hits:
            assert row["campaign_first_period"] is None and row["campaign_periods"] is None
            continue
        assert row["campaign_first_period"] == hits[0]["period"]
        assert row["campaign_back_at_period"] == hits[0]["back_at_period"]
        assert row["campaign_periods"] == ";".join(
            f"{h['period']}-{'' if h['back_at_period'] is None else h['back_at_period']}" for h in hits)
    meta = exported["campaign"]
    assert meta["method"] == "optimal" and meta["schedule"] == schedule
    assert meta["delivered"] == camp["methods"]["optimal"]["delivered"]


@pytest.mark.parametrize("args, text", [
    (["--campaign-budget", "2"], "needs --campaign-horizon"),
    (["--campaign-horizon", "14"], "exactly one of"),
    (["--campaign-horizon", "14", "--campaign-budget", "1", "--campaign-budget-per-period", "1"], "exactly one of"),
    (["--samples", "0"], "--samples"),
])
def test_export_option_mistakes_are_refused_before_any_work(tmp_path: Path, args: list[str], text: str) -> None:
    out = tmp_path / "x.gpkg"
    result = CliRunner().invoke(main, ["export", str(CORRIDOR), "-o", str(out), *args])
    assert result.exit_code == 2, result.output
    assert text in result.output and not out.exists()
