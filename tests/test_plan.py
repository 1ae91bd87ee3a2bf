"""Interdiction plans: the MILP against brute force, the heuristics against references.

The oracle removes the elements for real from a copy of the graph, splits every node
into ``in -> out`` and asks networkx for the max flow; it shares no code with the
library. Plans are compared exactly: flows, flow-days and the canonical selection
(least flow left, then least cost, fewest elements, smallest sum of id ranks, ids first).
"""

from __future__ import annotations

import dataclasses
import json

import math
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from supplynet import AnalysisError, read_network
from supplynet.analysis.plan import TARGETS, budget_steps, compare_methods, plan_curve, plan_interdiction
from supplynet.render.chart import curve_svg

Element = tuple[str, str]  # (id, kind): the canonical order of candidates


# --- the oracle ----------------------------------------------------------------------------

def oracle_flow(G: nx.MultiDiGraph, sources: list[str], sinks: list[str], removed: frozenset[Element]) -> float:
    """Max flow of G with ``removed`` (id, kind) really taken out, by networkx."""
    H = G.copy()
    H.remove_edges_from([(u, v, k) for u, v, k in G.edges(keys=True) if (k, "edge") in removed])
    H.remove_nodes_from([v for v in G if (v, "node") in removed])
    D = nx.DiGraph()
    D.add_nodes_from(["S", "T"])
    for v, d in H.nodes(data=True):
        cap = {} if d.get("capacity") is None else {"capacity": d["capacity"]}
        D.add_edge((v, "in"), (v, "out"), **cap)
    for u, v, k, d in H.edges(keys=True, data=True):
        cap = {} if d.get("capacity") is None else {"capacity": d["capacity"]}
        D.add_edge((u, "out"), ("e", k), **cap)
        D.add_edge(("e", k), (v, "in"))
    D.add_edges_from(("S", (s, "in")) for s in sources if s in H)
    D.add_edges_from(((t, "out"), "T") for t in sinks if t in H)
    try:
        return float(nx.maximum_flow_value(D, "S", "T"))
    except nx.NetworkXUnbounded:
        return math.inf


def eligible(G: nx.MultiDiGraph, targets: str) -> list[Element]:
    out = []
    if targets in ("nodes", "both"):
        out += [(v, "node") for v, d in G.nodes(data=True) if d.get("interdictable", True)]
    if targets in ("edges", "both"):
        out += [(k, "edge") for _, _, k, d in G.edges(keys=True, data=True) if d.get("interdictable", True)]
    return sorted(out)


def cost_of(G: nx.MultiDiGraph, element: Element) -> float:
    ident, kind = element
    if kind == "node":
        return float(G.nodes[ident].get("cost", 1.0))
    return float(next(d for _, _, k, d in G.edges(keys=True, data=True) if k == ident).get("cost", 1.0))


def subsets_within(G: nx.MultiDiGraph, cands: list[Element], budget: float) -> list[tuple[Element, ...]]:
    """Every subset of ``cands`` whose total cost is at most ``budget``."""
    costs = [cost_of(G, c) for c in cands]
    out: list[tuple[Element, ...]] = []

    def grow(start: int, chosen: tuple[Element, ...], spent: float) -> None:
        out.append(chosen)
        for i in range(start, len(cands)):
            if spent + costs[i] <= budget + 1e-9:
                grow(i + 1, chosen + (cands[i],), spent + costs[i])

    grow(0, (), 0.0)
    return out


def brute_force(G, sources, sinks, targets, budget, value=None):
    """Return (best value, canonical plan as sorted (id, kind) tuple) over every subset."""
    cands = eligible(G, targets)
    rank = {c: r for r, c in enumerate(cands, start=1)}
    value = value or (lambda removed: oracle_flow(G, sources, sinks, removed))
    best_key, best = None, None
    for plan in subsets_within(G, cands, budget):
        key = (value(frozenset(plan)), sum(cost_of(G, c) for c in plan), len(plan),
               sum(rank[c] for c in plan), plan)
        if best_key is None or key < best_key:
            best_key, best = key, plan
    return best_key[0], best


def selected(plan) -> tuple[Element, ...]:
    return tuple(sorted([(n, "node") for n in plan.selected_nodes] + [(e, "edge") for e in plan.selected_edges]))


# --- random small networks -----------------------------------------------------------------

@st.composite
def networks(draw, max_nodes: int = 6, max_edges: int = 8):
    """Small networks: a source-to-sink backbone plus random edges (parallel ones too)."""
    n = draw(st.integers(3, max_nodes))
    names = draw(st.permutations([chr(ord("a") + i) for i in range(n)]))
    k = draw(st.integers(1, n - 2))
    m = draw(st.integers(1, n - k - 1))
    sources, sinks, middle = names[:k], names[n - m:], names[k:n - m]
    G = nx.MultiDiGraph()
    caps = st.sampled_from([None, None, 3.0, 5.0, 8.0, 10.0, 20.0])
    costs = st.sampled_from([0.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0])
    usable = st.sampled_from([True, True, True, False])
    repair = st.sampled_from([None, 0.0, 1.0, 2.0, 3.0, 5.0])

    def attrs(**fixed):
        out = dict(fixed, cost=draw(costs), interdictable=draw(usable))
        for key, value in (("capacity", draw(caps)), ("repair_days", draw(repair))):
            if value is not None:
                out[key] = value
        return out

    for v in sorted(names):
        G.add_node(v, **attrs(type="storage"))
    hops = draw(st.lists(st.sampled_from(middle), unique=True, max_size=2)) if middle else []
    backbone = [draw(st.sampled_from(sources)), *hops, draw(st.sampled_from(sinks))]
    pairs = list(zip(backbone, backbone[1:]))
    for _ in range(draw(st.integers(0, max_edges - len(pairs)))):
        pairs.append(tuple(draw(st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True))))
    for j, (u, v) in enumerate(pairs):
        G.add_edge(u, v, key=f"e{j}", **attrs(length=1))
    return G, sorted(sources), sorted(sinks)


def check_plan(G, plan, budget: float) -> None:
    """Invariants of every plan: within budget, only interdictable candidates, cost right."""
    for v in plan.selected_nodes:
        assert G.nodes[v].get("interdictable", True)
    picked = set(plan.selected_edges)
    for _, _, k, d in G.edges(keys=True, data=True):
        if k in picked:
            assert d.get("interdictable", True)
    assert plan.cost == pytest.approx(sum(cost_of(G, c) for c in selected(plan)))
    assert plan.cost <= budget + 1e-9


# SUPPLYNET_PLAN_EXAMPLES=5000 runs a long randomised campaign instead of the fixed one.
_CAMPAIGN = int(os.environ.get("SUPPLYNET_PLAN_EXAMPLES", "0"))


def _settings(examples: int) -> settings:
    return settings(max_examples=_CAMPAIGN or examples, deadline=None, derandomize=not _CAMPAIGN,
                    suppress_health_check=[HealthCheck.too_slow], database=None)


_SETTINGS = _settings(250)


@_SETTINGS
@given(net=networks(), budget=st.integers(0, 5), targets=st.sampled_from(TARGETS))
def test_optimal_equals_brute_force(net, budget: int, targets: str) -> None:
    G, sources, sinks = net
    best, canonical = brute_force(G, sources, sinks, targets, budget)
    plan = plan_interdiction(G, sources, sinks, budget=budget, targets=targets)
    event(f"flow before {'0' if plan.max_flow_before == 0 else 'inf' if math.isinf(plan.max_flow_before) else '>0'}, "
          f"{len(canonical)} selected")
    assert plan.max_flow_after == best
    assert plan.max_flow_before == oracle_flow(G, sources, sinks, frozenset())
    assert plan.optimal and plan.gap == 0
    assert selected(plan) == canonical
    check_plan(G, plan, budget)


def reference_greedy(G, sources, sinks, targets, budget, left=None, floor=0.0) -> list[Element]:
    """The greedy rule, literally: best loss per unit cost that fits, ties by id.

    ``left(removed)`` is what a removal set leaves (default: the oracle's max flow).
    """
    left = left or (lambda removed: oracle_flow(G, sources, sinks, removed))
    removed: list[Element] = []
    spent, current = 0.0, left(frozenset())
    while current > floor:
        best, best_ratio, best_after = None, 0.0, None
        for c in eligible(G, targets):
            cost = cost_of(G, c)
            if c in removed or spent + cost > budget + 1e-9:
                continue
            after = left(frozenset(removed + [c]))
            gain = (math.inf if math.isfinite(after) else 0.0) if math.isinf(current) else current - after
            ratio = gain / cost if cost > 0 else (math.inf if gain > 0 else 0.0)
            if gain > 0 and (best is None or ratio > best_ratio):
                best, best_ratio, best_after = c, ratio, after
        if best is None:
            break
        removed.append(best)
        spent += cost_of(G, best)
        current = best_after
    return removed


@_SETTINGS
@given(net=networks(), budget=st.integers(0, 5), targets=st.sampled_from(TARGETS))
def test_greedy_follows_its_rule_and_never_beats_the_optimum(net, budget: int, targets: str) -> None:
    G, sources, sinks = net
    plan = plan_interdiction(G, sources, sinks, budget=budget, targets=targets, method="greedy")
    assert [(i, k) for k, i in plan.order] == reference_greedy(G, sources, sinks, targets, budget)
    best = plan_interdiction(G, sources, sinks, budget=budget, targets=targets)
    assert plan.max_flow_after >= best.max_flow_after
    assert plan.max_flow_after == oracle_flow(G, sources, sinks, frozenset(selected(plan)))
    check_plan(G, plan, budget)


@_SETTINGS
@given(net=networks(), budget=st.integers(0, 5), targets=st.sampled_from(TARGETS))
def test_centrality_never_beats_the_optimum(net, budget: int, targets: str) -> None:
    G, sources, sinks = net
    comp = compare_methods(G, sources, sinks, budget=budget, targets=targets, curve=False)
    best, cent = comp.plans["optimal"], comp.plans["centrality"]
    assert cent.max_flow_after >= best.max_flow_after
    assert cent.max_flow_after == oracle_flow(G, sources, sinks, frozenset(selected(cent)))
    assert comp.shortfall("centrality") is None or comp.shortfall("centrality") >= 0
    check_plan(G, cent, budget)


def oracle_flow_days(G, sources, sinks, removed: frozenset[Element], horizon: float) -> float:
    """Flow-days denied: pieces come back one by one in repair_days order (absent: never)."""
    before = oracle_flow(G, sources, sinks, frozenset())
    days = {}
    for ident, kind in removed:
        data = G.nodes[ident] if kind == "node" else next(
            d for _, _, k, d in G.edges(keys=True, data=True) if k == ident)
        days[(ident, kind)] = min(data.get("repair_days", horizon), horizon)
    denied, start = 0.0, 0.0
    for stop in sorted(set(days.values())):
        out = frozenset(c for c in removed if days[c] >= stop)
        denied += (before - oracle_flow(G, sources, sinks, out)) * (stop - start)
        start = stop
    return denied


@_settings(150)
@given(net=networks(max_nodes=5, max_edges=7), budget=st.integers(0, 3), targets=st.sampled_from(TARGETS),
       horizon=st.sampled_from([1.0, 2.5, 4.0, 10.0]))
def test_flow_days_optimal_equals_brute_force(net, budget: int, targets: str, horizon: float) -> None:
    G, sources, sinks = net
    if math.isinf(oracle_flow(G, sources, sinks, frozenset())):
        with pytest.raises(ValueError, match="finite max flow"):
            plan_interdiction(G, sources, sinks, budget=budget, objective="flow-days", horizon=horizon)
        return
    neg, canonical = brute_force(
        G, sources, sinks, targets, budget,
        value=lambda removed: -oracle_flow_days(G, sources, sinks, removed, horizon))
    plan = plan_interdiction(G, sources, sinks, budget=budget, targets=targets, objective="flow-days",
                             horizon=horizon)
    assert plan.flow_days_denied == pytest.approx(-neg, abs=1e-9)
    assert selected(plan) == canonical
    greedy = plan_interdiction(G, sources, sinks, budget=budget, targets=targets, method="greedy",
                               objective="flow-days", horizon=horizon)
    assert greedy.flow_days_denied <= plan.flow_days_denied + 1e-9
    full = plan.flow_days_before
    reference = reference_greedy(
        G, sources, sinks, targets, budget, floor=-math.inf,
        left=lambda removed: full - oracle_flow_days(G, sources, sinks, removed, horizon))
    assert [(i, k) for k, i in greedy.order] == reference
    assert greedy.flow_days_denied == pytest.approx(
        oracle_flow_days(G, sources, sinks, frozenset(selected(greedy)), horizon), abs=1e-9)


# --- hand-checked networks -----------------------------------------------------------------

def classic(node_interdictable: bool = False) -> nx.MultiDiGraph:
    """The classic four-node example: max flow 80, 10 after one arc, 0 after two."""
    G = nx.MultiDiGraph()
    G.add_node("s", type="manufacturing", cost=1.0, interdictable=node_interdictable)
    G.add_node("t", type="assembly", cost=1.0, interdictable=node_interdictable)
    for v in "bcd":
        G.add_node(v, type="storage", cost=1.0, interdictable=node_interdictable)
    for u, v, c in [("s", "b", 10), ("s", "c", 70), ("c", "b", 30), ("b", "t", 100), ("c", "d", 40),
                    ("d", "t", 50)]:
        G.add_edge(u, v, key=u + v, capacity=float(c), cost=1.0, interdictable=True, length=1)
    return G


@pytest.mark.parametrize("budget, left", [(0, 80.0), (1, 10.0), (2, 0.0), (3, 0.0)])
def test_classic_four_node_example(budget: int, left: float) -> None:
    G = classic()
    plan = plan_interdiction(G, budget=budget, targets="edges")
    assert (plan.max_flow_before, plan.max_flow_after, plan.optimal) == (80.0, left, True)
    assert oracle_flow(G, ["s"], ["t"], frozenset((e, "edge") for e in plan.selected_edges)) == left
    if budget == 1:
        assert plan.selected == ("sc",)
    for method in ("greedy", "centrality"):
        assert plan_interdiction(G, budget=budget, targets="edges", method=method).max_flow_after >= left


def test_classic_curve_and_nodes() -> None:
    G = classic(node_interdictable=True)
    curve = plan_curve(G, budget=2, targets="edges")
    assert curve["optimal"].tolist() == [80.0, 10.0, 0.0]
    assert list(curve.columns) == ["optimal", "greedy", "centrality"]
    assert (curve["greedy"] >= curve["optimal"]).all() and (curve["centrality"] >= curve["optimal"]).all()
    # Sources and sinks are candidates when nodes are targets: one strike on s ends it.
    plan = plan_interdiction(G, budget=1, targets="nodes")
    assert plan.selected == ("s",) and plan.max_flow_after == 0


def test_uninterdictable_elements_are_never_selected() -> None:
    G = classic()
    for key in ("sc", "bt"):
        u, v = key
        G.edges[u, v, key]["interdictable"] = False
    for method in ("optimal", "greedy", "centrality"):
        plan = plan_interdiction(G, budget=5, targets="both", method=method)
        assert "sc" not in plan.selected and "bt" not in plan.selected
    assert plan_interdiction(G, budget=5, targets="both").max_flow_after == 0  # sb + cd + ... still cut it


def test_budget_below_every_cost_selects_nothing_and_says_why() -> None:
    G = classic()
    for _, _, d in G.edges(data=True):
        d["cost"] = 2.0
    for method in ("optimal", "greedy", "centrality"):
        plan = plan_interdiction(G, budget=1.5, targets="edges", method=method)
        assert plan.selected == () and plan.max_flow_after == 80.0
        assert "below the cost of every candidate" in plan.reason and "costs 2" in plan.reason


def test_unlimited_flow_is_reported_and_cut_only_when_possible() -> None:
    G = nx.MultiDiGraph()
    G.add_node("s", type="manufacturing", interdictable=False)
    G.add_node("m", type="storage", cost=1.0, interdictable=True)
    G.add_node("t", type="assembly", interdictable=False)
    G.add_edge("s", "m", key="sm", interdictable=False, length=1)
    G.add_edge("m", "t", key="mt", interdictable=False, length=1)
    plan = plan_interdiction(G, budget=1)
    assert math.isinf(plan.max_flow_before) and plan.selected == ("m",) and plan.max_flow_after == 0
    G.nodes["m"]["interdictable"] = False
    stuck = plan_interdiction(G, budget=3)
    assert math.isinf(stuck.max_flow_after) and stuck.selected == () and "unlimited" in stuck.reason
    doc = stuck.to_dict()
    assert doc["max_flow_before"] is None and doc["max_flow_after"] is None
    assert plan_interdiction(G, budget=3, method="greedy").selected == ()


def test_node_and_edge_may_share_an_id() -> None:
    G = nx.MultiDiGraph()
    G.add_node("s", type="manufacturing", interdictable=False)
    G.add_node("x", type="storage", capacity=5.0, cost=1.0)
    G.add_node("t", type="assembly", interdictable=False)
    G.add_edge("s", "x", key="x", capacity=4.0, cost=1.0, length=1)
    G.add_edge("x", "t", key="xt", capacity=9.0, cost=3.0, length=1)
    plan = plan_interdiction(G, budget=1)
    assert (plan.selected_nodes, plan.selected_edges) == ((), ("x",))  # least id, then edge before node


def test_parallel_edges_are_separate_candidates() -> None:
    G = nx.MultiDiGraph()
    G.add_node("s", type="manufacturing", interdictable=False)
    G.add_node("t", type="assembly", interdictable=False)
    for key, cap in (("road", 5.0), ("rail", 7.0)):
        G.add_edge("s", "t", key=key, capacity=cap, cost=1.0, length=1)
    assert plan_interdiction(G, budget=1).selected == ("rail",)
    assert plan_interdiction(G, budget=2).max_flow_after == 0


def test_float_capacities_and_costs() -> None:
    G = classic()
    for i, (_, _, d) in enumerate(sorted(G.edges(data=True), key=lambda e: e[:2])):
        d["capacity"] += 0.25 * i
        d["cost"] = 0.5 + 0.1 * i
    for budget in (0.6, 1.2, 2.0):
        best, canonical = brute_force(G, ["s"], ["t"], "edges", budget)
        plan = plan_interdiction(G, budget=budget, targets="edges")
        assert plan.max_flow_after == pytest.approx(best) and selected(plan) == canonical


# --- the corridor ----------------------------------------------------------------------------

CORRIDOR = Path(__file__).resolve().parent.parent / "datasets" / "corridor.geojson"


@pytest.fixture(scope="module")
def corridor() -> nx.MultiDiGraph:
    return read_network(CORRIDOR)


@pytest.fixture(scope="module")
def corridor_comparison(corridor):
    return compare_methods(corridor, budget=3)


def test_corridor_all_methods(corridor, corridor_comparison) -> None:
    comp = corridor_comparison
    best = comp.plans["optimal"]
    assert best.optimal and best.gap == 0 and best.cost <= 3
    sources, sinks = list(comp.sources), list(comp.sinks)
    removed = frozenset(selected(best))
    assert best.max_flow_after == oracle_flow(corridor, sources, sinks, removed)
    assert best.max_flow_before == oracle_flow(corridor, sources, sinks, frozenset())
    for name in ("greedy", "centrality"):
        assert comp.plans[name].max_flow_after >= best.max_flow_after
        assert comp.shortfall(name) == comp.plans[name].max_flow_after - best.max_flow_after
    assert comp.shortfall("greedy") > 0  # the best three are not the greedy three here
    curve = comp.curve
    assert list(curve.index) == [0.0, 1.0, 2.0, 3.0]
    assert curve["optimal"].is_monotonic_decreasing
    assert (curve["greedy"] >= curve["optimal"]).all() and (curve["centrality"] >= curve["optimal"]).all()
    assert curve.at[3.0, "optimal"] == best.max_flow_after


def test_corridor_is_deterministic_under_reordering(corridor, corridor_comparison) -> None:
    H = nx.MultiDiGraph()
    H.graph.update(corridor.graph)
    H.add_nodes_from(reversed(list(corridor.nodes(data=True))))
    H.add_edges_from(reversed(list(corridor.edges(keys=True, data=True))))
    again = compare_methods(H, budget=3, curve=False)
    for name, plan in corridor_comparison.plans.items():
        assert again.plans[name].selected == plan.selected
        assert again.plans[name].to_dict() == plan.to_dict()


def test_greedy_first_pick_agrees_with_flow_loss(corridor) -> None:
    from supplynet.analysis.flow import flow_loss

    loss = flow_loss(corridor, elements="both")
    ratio = {}
    for (kind, ident), value in loss.items():
        data = corridor.nodes[ident] if kind == "node" else next(
            d for _, _, k, d in corridor.edges(keys=True, data=True) if k == ident)
        if data.get("interdictable", True) and data.get("cost", 1.0) <= 2:
            ratio[(ident, kind)] = value / data.get("cost", 1.0)
    best = min(ratio, key=lambda c: (-ratio[c], c))
    plan = plan_interdiction(corridor, budget=2, method="greedy")
    assert plan.order[0] == (best[1], best[0])


def test_corridor_flow_days(corridor) -> None:
    comp = compare_methods(corridor, budget=2, objective="flow-days", horizon=30, curve=False)
    best = comp.plans["optimal"]
    assert best.optimal and best.flow_days_before == best.max_flow_before * 30
    sources, sinks = list(comp.sources), list(comp.sinks)
    assert best.flow_days_denied == pytest.approx(
        oracle_flow_days(corridor, sources, sinks, frozenset(selected(best)), 30.0))
    for name in ("greedy", "centrality"):
        assert comp.plans[name].flow_days_denied <= best.flow_days_denied + 1e-9


def grid(n: int, seed: int) -> nx.MultiDiGraph:
    """The plan benchmark's n x n grid (``benchmarks/generate.py``): sources left, sinks right."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from generate import grid_network

    return grid_network(n, seed)


def test_greedy_on_a_grid_matches_its_reference_through_state_snapshots(monkeypatch) -> None:
    import supplynet.analysis.milp as milp

    states = []
    compile_ = milp.compile_network
    monkeypatch.setattr(milp, "compile_network", lambda *a, **k: states.append(a) or compile_(*a, **k))
    G = grid(6, seed=1)
    sources, sinks = sorted(v for v in G if v.endswith(".0")), sorted(v for v in G if v.endswith(".5"))
    plan = plan_interdiction(G, budget=6, method="greedy")
    assert len(states) > 1  # snapshots of the network with the picks already out were used
    assert [(i, k) for k, i in plan.order] == reference_greedy(G, sources, sinks, "both", 6)


def test_time_limit_gives_the_best_plan_and_its_gap() -> None:
    G = grid(14, seed=3)
    plan = plan_interdiction(G, budget=8, time_limit=0.2)
    assert plan.cost <= 8 and plan.max_flow_after <= plan.max_flow_before
    if not plan.optimal:
        assert "time limit" in plan.reason
        assert plan.gap is None or 0 <= plan.gap <= 1
        assert plan.lower_bound is None or plan.lower_bound <= plan.max_flow_after


def test_unproven_optimal_never_reports_worse_than_greedy(monkeypatch) -> None:
    import supplynet.analysis.plan as plan_module

    real = plan_module.solve_interdiction

    def stopped_early(*args, **kwargs):  # as if the time limit hit with a poor incumbent
        out = real(*args, **kwargs)
        return dataclasses.replace(out, selected=(), proven=False, bound=0.0, canonical=False)

    monkeypatch.setattr(plan_module, "solve_interdiction", stopped_early)
    comp = compare_methods(classic(), budget=1, methods=("optimal", "greedy"), time_limit=5)
    best, greedy = comp.plans["optimal"], comp.plans["greedy"]
    assert not best.optimal and "greedy" in best.reason and "time limit (5 s)" in best.reason
    assert "not proven optimal" in best.reason
    assert best.selected == greedy.selected and best.max_flow_after == greedy.max_flow_after == 10
    assert best.lower_bound == 0 and best.gap == 1.0  # (10 - 0) / 10 against the MILP's bound
    two = compare_methods(classic(), budget=2, methods=("optimal", "greedy"), time_limit=5).plans["optimal"]
    assert two.max_flow_after == 0 and two.optimal and "it leaves nothing" in two.reason
    alone = plan_interdiction(classic(), budget=1, time_limit=5)  # no greedy run to fall back on
    assert alone.selected == () and alone.max_flow_after == 80


# --- inputs, outputs, the chart ----------------------------------------------------------

def test_bad_arguments() -> None:
    G = classic()
    with pytest.raises(ValueError, match="method"):
        plan_interdiction(G, budget=1, method="best")
    with pytest.raises(ValueError, match="targets"):
        plan_interdiction(G, budget=1, targets="roads")
    with pytest.raises(ValueError, match="budget"):
        plan_interdiction(G, budget=-1)
    with pytest.raises(ValueError, match="horizon"):
        plan_interdiction(G, budget=1, objective="flow-days")


def test_budget_steps_and_input_untouched() -> None:
    assert budget_steps(0) == [0.0] and budget_steps(1.5) == [0.0, 1.0, 1.5]
    G = classic()
    before = nx.to_dict_of_dicts(G), dict(G.nodes(data=True))
    compare_methods(G, budget=2)
    assert (nx.to_dict_of_dicts(G), dict(G.nodes(data=True))) == before


def test_curve_svg_is_wellformed_and_escaped(corridor_comparison) -> None:
    svg = curve_svg(corridor_comparison.curve, title="A <b>&{{x}}</b>")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    paths = [p for p in root.iter() if p.tag.endswith("path") and p.get("stroke") not in (None, "#333333")]
    assert len(paths) == 3
    assert "{{" not in svg and "<b>" not in svg and "<script" not in svg
    assert svg == curve_svg(corridor_comparison.curve, title="A <b>&{{x}}</b>")


def test_comparison_json_has_the_contract(corridor_comparison) -> None:
    doc = corridor_comparison.to_dict()
    assert doc["budget"] == 3
    for name in ("optimal", "greedy", "centrality"):
        entry = doc["methods"][name]
        for key in ("selected", "cost", "max_flow_before", "max_flow_after", "optimal", "gap"):
            assert key in entry
    assert [row["budget"] for row in doc["curve"]] == [0, 1, 2, 3]
    assert all(isinstance(v, (int, float)) for row in doc["curve"] for v in
               (row["optimal"], row["greedy"], row["centrality"]))
    assert np.isfinite(doc["max_flow_before"])


def test_solver_output_never_reaches_the_console(capfd: pytest.CaptureFixture[str]) -> None:
    """HiGHS prints from C (below sys.stdout); the solve's file descriptors go to the log.

    With ``disp`` on, HiGHS writes its whole log to file descriptor 1 from C: the same path
    its stray debug line takes. Nothing of it may reach the console.
    """
    import logging

    import numpy as np
    from scipy.optimize import milp

    from supplynet._native import native_output_to_log

    with native_output_to_log(logging.getLogger("test"), "HiGHS"):
        milp(np.array([-1.0, -2.0]), integrality=np.ones(2), bounds=(0, 3), options={"disp": True})
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    # Without the guard the same call prints: the test would catch a regression.
    milp(np.array([-1.0, -2.0]), integrality=np.ones(2), bounds=(0, 3), options={"disp": True})
    out, _ = capfd.readouterr()
    assert "HiGHS" in out or "Solving" in out or out.strip() != ""


def test_plans_print_nothing_but_their_output(capfd: pytest.CaptureFixture[str], tmp_path) -> None:
    from click.testing import CliRunner

    from supplynet.cli import main

    out = tmp_path / "plan.json"
    result = CliRunner().invoke(main, ["plan", str(CORRIDOR), "--budget", "3", "--method", "all", "--format", "json",
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    fd_out, fd_err = capfd.readouterr()
    assert fd_out == "" and fd_err == ""
    json.loads(out.read_text())


@pytest.mark.parametrize("budget", [math.nan, math.inf, -1.0])
def test_budgets_no_plan_can_use_are_refused(budget: float) -> None:
    G = read_network(CORRIDOR)
    with pytest.raises(AnalysisError, match="budget must be a finite number"):
        compare_methods(G, budget=budget)
    with pytest.raises(AnalysisError, match="budget must be a finite number"):
        plan_interdiction(G, budget=budget)


def test_time_limits_must_be_real_seconds() -> None:
    with pytest.raises(AnalysisError, match="time_limit must be a finite number"):
        plan_interdiction(read_network(CORRIDOR), budget=1, time_limit=math.nan)


def test_a_huge_budget_curve_stops_where_every_candidate_is_bought() -> None:
    """`--budget 1e6` solved a MILP per whole budget (150 s and more); past the total cost of
    every candidate nothing changes, so the curve stops there."""
    G = read_network(CORRIDOR)
    comp = compare_methods(G, budget=1e6, methods=("greedy",))
    steps = list(comp.curve.index)
    assert steps[-1] == 1e6 and len(steps) <= budget_steps.__globals__["MAX_CURVE_STEPS"] + 3
    assert comp.curve["greedy"].iloc[-1] == comp.curve["greedy"].iloc[-2]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None,
          derandomize=True)
@given(net=networks(), budget=st.integers(0, 3), data=st.data())
def test_planning_after_a_what_if_equals_brute_force_on_the_struck_network(net, budget: int, data) -> None:
    """Where to strike next, given what is already struck: the plan of the what-if snapshot
    (Snapshot.after) is the brute-force optimum of the network with the strike really made."""
    from supplynet.engine.snapshot import compile_network

    G, sources, sinks = net
    struck = data.draw(st.sampled_from(sorted(G.nodes) + [k for _, _, k in G.edges(keys=True)]))
    is_node = struck in G
    snap = compile_network(G, sources, sinks)
    after = snap.after(removed_nodes=[struck] if is_node else None, removed_edges=None if is_node else [struck])
    H = G.copy()
    if is_node:
        H.remove_node(struck)
    else:
        H.remove_edges_from([(u, v, k) for u, v, k in G.edges(keys=True) if k == struck])
    src, snk = [s for s in sources if s in H], [t for t in sinks if t in H]
    plan = plan_interdiction(after, budget=budget, targets="both")
    if not src or not snk:
        assert plan.max_flow_before == 0 and plan.max_flow_after == 0
        return
    best, canonical = brute_force(H, src, snk, "both", budget)
    assert plan.max_flow_before == oracle_flow(H, src, snk, frozenset())
    assert plan.max_flow_after == best and selected(plan) == canonical
