"""The stochastic plan against brute force over every plan, and the classic lesson.

The sample-average MILP is checked on its own scenarios: each plan's total over them is
computed by networkx with the absent and successfully struck elements really taken out,
and the MILP's plan must be the canonical minimum of those totals (least value, then
cost, count, id ranks, ids). With few uncertain elements every outcome is used instead
and checked against an expectation enumerated independently.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import supplynet
from supplynet import AnalysisError
from supplynet.analysis.plan import compare_methods, plan_interdiction
from supplynet.analysis.milp import Problem
from supplynet.analysis.stochastic import MAX_PLAN_SAMPLES, StochasticProblem
from tests.conftest import CORRIDOR
from tests.test_plan import brute_force
from tests.test_uncertainty import confidence, groups_of, lesson
from tests.test_uncertainty_kernels import oracle_flow

SETTINGS = settings(max_examples=50, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def p_success(G: nx.MultiDiGraph, kind: str, ident: str, default: float = 1.0) -> float:
    d = G.nodes[ident] if kind == "node" else next(d for _, _, k, d in G.edges(keys=True, data=True) if k == ident)
    return float(d.get("p_success", default))


@st.composite
def planning_networks(draw, doubtful_most: int = 3):
    """Small networks with confidences, strike successes, costs and uninterdictable elements."""
    n = draw(st.integers(4, 5))
    names = [chr(ord("a") + i) for i in range(n)]
    sources, sinks = names[:1], names[-draw(st.integers(1, 2)):]
    left = [doubtful_most]
    G = nx.MultiDiGraph()

    def attrs() -> dict:
        out = {"cost": float(draw(st.sampled_from([1, 1, 2]))), "interdictable": draw(st.sampled_from([True] * 4 + [False]))}
        cap = draw(st.sampled_from([None, 3.0, 4.0, 6.0, 9.0]))
        if cap is not None:
            out["capacity"] = cap
        q = draw(st.sampled_from([None, None, 0.5, 0.7, 0.0]))
        if q is not None and (q == 0 or left[0] > 0):
            out["confidence"] = q
            left[0] -= q > 0
        p = draw(st.sampled_from([None, None, 0.5, 0.8]))
        if p is not None:
            out["p_success"] = p
        return out

    for v in names:
        G.add_node(v, type="storage", **attrs())
    pairs = [(sources[0], names[1]), (names[1], sinks[-1])]
    for _ in range(draw(st.integers(0, 4))):
        pairs.append(tuple(draw(st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True))))
    for j, (u, v) in enumerate(pairs):
        G.add_edge(u, v, key=f"e{j}", length=1, **attrs())
    return G, sources, sinks


def sample_total(G, sources, sinks, outcomes, ids, plan: frozenset, memo: dict) -> float:
    """Sum over the scenarios of the max flow left by ``plan`` ((id, kind) pairs), by networkx."""
    total = 0.0
    for s in range(len(outcomes.weight)):
        gone = frozenset(el for i, el in enumerate(ids) if not outcomes.exists[s, i]) | frozenset(
            el for i, el in enumerate(ids) if (el[1], el[0]) in plan and outcomes.success[s, i])
        if gone not in memo:
            memo[gone] = oracle_flow(G, sources, sinks, set(gone))
        total += outcomes.weight[s] * memo[gone]
    return total


@SETTINGS
@given(net=planning_networks(), budget=st.integers(1, 2), targets=st.sampled_from(["both", "edges"]))
def test_the_sample_average_plan_is_the_brute_force_minimum_of_its_own_scenarios(net, budget, targets) -> None:
    G, sources, sinks = net
    ctx = Problem(G, sources, sinks, targets=targets, objective="flow", horizon=None)
    sp = StochasticProblem(ctx.snap, ctx.net, targets=targets)
    sol = sp.solve(budget, samples=8, seed=3, method="monte-carlo")
    scen = sp.scenarios(samples=8, seed=3, method="monte-carlo", strikes=sp.cand_el, limit=8)
    outcomes = scen.outcomes(0, scen.count)
    ids = [(k, i) for i, k in zip(sp.els.ids, sp.els.kind)]  # (kind, id)
    memo: dict = {}
    best, canonical = brute_force(G, sources, sinks, targets, budget,
                                  value=lambda plan: sample_total(G, sources, sinks, outcomes, ids, plan, memo))
    got = tuple(sorted((ctx.ids[i], ctx.kinds[i]) for i in sol.outcome.selected))
    if math.isinf(best):
        assert sol.outcome.unlimited
        return
    assert sol.outcome.proven and sol.method == "monte-carlo" and sol.scenarios == 8
    assert sol.sample_mean * 8 == pytest.approx(best)
    assert got == canonical


def expectation(G, sources, sinks, plan: frozenset, default_p: float = 1.0) -> float:
    """E[max flow left by ``plan``] over every outcome of existence and of the plan's strikes."""
    doubtful = [g for g in groups_of(G) if 0 < confidence(G, g[0]) < 1]
    never = {el for g in groups_of(G) if confidence(G, g[0]) == 0 for el in g}
    struck = sorted((kind, ident) for ident, kind in plan)
    total = 0.0
    for exists in itertools.product([False, True], repeat=len(doubtful)):
        for works in itertools.product([False, True], repeat=len(struck)):
            w = math.prod(confidence(G, g[0]) if on else 1 - confidence(G, g[0]) for g, on in zip(doubtful, exists))
            w *= math.prod(p_success(G, *el, default_p) if ok else 1 - p_success(G, *el, default_p)
                           for el, ok in zip(struck, works))
            if w == 0:
                continue
            gone = set(never) | {el for g, on in zip(doubtful, exists) if not on for el in g}
            gone |= {el for el, ok in zip(struck, works) if ok}
            total += w * oracle_flow(G, sources, sinks, gone)
    return total


@SETTINGS
@given(net=planning_networks(doubtful_most=2), budget=st.integers(1, 2))
def test_with_few_doubts_every_outcome_is_used_and_the_plan_is_the_true_optimum(net, budget) -> None:
    G, sources, sinks = net
    plan = plan_interdiction(G, sources, sinks, budget=budget, samples=MAX_PLAN_SAMPLES)
    best, canonical = brute_force(G, sources, sinks, "both", budget,
                                  value=lambda p: round(expectation(G, sources, sinks, p), 9))
    if math.isinf(best):
        assert math.isinf(plan.expected_flow_left)
        return
    assert tuple(sorted([(n, "node") for n in plan.selected_nodes] + [(e, "edge") for e in plan.selected_edges])) \
        == canonical
    assert plan.expected_flow_left == pytest.approx(best, abs=1e-9) and plan.expected_flow_interval is None
    assert plan.optimal


# --- the classic lesson ------------------------------------------------------------------------

def expected_value_plan(G: nx.MultiDiGraph, budget: float) -> tuple[str, ...]:
    """The plan that replaces probabilities by expected capacities: capacity x confidence, x (1 - p) if struck."""
    best = None
    edges = sorted(k for _, _, k in G.edges(keys=True))
    for plan in [()] + [(e,) for e in edges]:
        H = G.copy()
        for _, _, k, d in H.edges(keys=True, data=True):
            d["capacity"] = d["capacity"] * d.get("confidence", 1.0) * ((1 - d.get("p_success", 1.0)) if k in plan else 1)
        key = (oracle_flow(H, ["s"], ["t"], set()), len(plan), plan)
        best = key if best is None or key < best else best
    return best[2]


@pytest.mark.parametrize("p_a, stochastic_left", [(1.0, 5.0), (0.9, 5.8)])
def test_the_classic_lesson_expected_capacities_pick_the_wrong_arc(p_a: float, stochastic_left: float) -> None:
    G = lesson()
    G.edges["s", "t", "a"]["p_success"] = p_a
    truth = {plan: expectation(G, ["s"], ["t"], frozenset((e, "edge") for e in plan)) for plan in [(), ("a",), ("b1",)]}
    assert truth[()] == pytest.approx(13.0) and truth[("b1",)] == pytest.approx(8.0)
    assert truth[("a",)] == pytest.approx(stochastic_left)
    assert expected_value_plan(G, 1) == ("b1",)  # expected capacities: route B looks worth 10
    comp = compare_methods(G, budget=1, samples=100, methods=("optimal",), targets="edges")
    stochastic, deterministic = comp.plans["stochastic"], comp.plans["deterministic"]
    assert deterministic.selected == ("b1",) and stochastic.selected == ("a",)
    assert comp.uncertainty.plan["method"] == comp.uncertainty.evaluation["method"] == "exact"
    assert stochastic.expected_flow_left == pytest.approx(stochastic_left)
    assert deterministic.expected_flow_left == pytest.approx(8.0)
    assert comp.uncertainty.before.expected_flow_left == pytest.approx(13.0)
    diff, interval = comp.uncertainty.differences["deterministic"]
    assert diff == pytest.approx(8.0 - stochastic_left) and interval is None


# --- the corridor and the contract -------------------------------------------------------------

@pytest.fixture(scope="module")
def corridor_stochastic():
    G = supplynet.read_network(CORRIDOR)
    return G, compare_methods(G, budget=3, samples=200, methods=("optimal", "greedy"), evaluation_samples=4000)


def test_on_the_corridor_the_stochastic_plan_leaves_far_less_than_the_deterministic_one(corridor_stochastic) -> None:
    G, comp = corridor_stochastic
    assert list(comp.plans) == ["stochastic", "deterministic", "greedy"] and comp.curve is None
    sto, det = comp.plans["stochastic"], comp.plans["deterministic"]
    assert det.selected == plan_interdiction(G, budget=3).selected
    assert sto.selected != det.selected and sto.optimal and sto.cost <= 3
    diff, (lo, hi) = comp.uncertainty.differences["deterministic"]
    assert lo > 0 and diff == pytest.approx(det.expected_flow_left - sto.expected_flow_left)
    assert sto.expected_flow_left < comp.uncertainty.before.expected_flow_left
    assert comp.uncertainty.plan["method"] == "monte-carlo" and comp.uncertainty.plan["samples"] == 200
    assert comp.uncertainty.evaluation == {"method": "monte-carlo", "samples": 4000, "seed": 0, "stream": 1,
                                           "scenarios": 4000}
    doc = comp.to_dict()
    assert {"expected_flow_left", "expected_flow_left_interval", "p_any_flow_left"} <= set(doc["methods"]["stochastic"])
    assert doc["uncertainty"]["expected_flow_before"] == pytest.approx(comp.uncertainty.before.expected_flow_left)


def test_plan_interdiction_with_samples_returns_the_stochastic_plan(corridor_stochastic) -> None:
    G, comp = corridor_stochastic
    plan = plan_interdiction(G, budget=3, samples=200, evaluation_samples=4000)
    assert plan.method == "stochastic" and plan.selected == comp.plans["stochastic"].selected
    assert plan.expected_flow_left == comp.plans["stochastic"].expected_flow_left  # the same fresh sample


@pytest.mark.parametrize("kwargs, message", [
    ({"samples": 0}, "samples must be a whole number from 1"),
    ({"samples": MAX_PLAN_SAMPLES + 1}, "samples must be a whole number from 1 to 10,000"),
    ({"samples": 10, "evaluation_samples": 0}, "evaluation samples must be a whole number"),
    ({"samples": 10, "seed": -3}, "seed must be a whole number >= 0"),
    ({"samples": 10, "method": "greedy"}, "the stochastic plan is the optimal one"),
    ({"samples": 10, "objective": "flow-days", "horizon": 30}, "objective must be 'flow'"),
    ({"samples": 10, "p_success": 2.0}, "p_success must be a number from 0 to 1"),
])
def test_bad_arguments_under_uncertainty_are_refused_by_name(kwargs: dict, message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        plan_interdiction(lesson(), budget=1, **kwargs)


def test_a_network_without_flow_has_nothing_to_plan_under_uncertainty() -> None:
    G = lesson()
    G.remove_edge("s", "t", "a")
    G.remove_edge("m", "t", "b2")
    plan = plan_interdiction(G, budget=1, samples=20)
    assert plan.selected == () and plan.expected_flow_left == 0.0 and "no source reaches any sink" in plan.reason
