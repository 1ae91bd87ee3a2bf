"""Campaigns over time against independent oracles.

- flow over time equals networkx's max flow on a time-expanded graph built here from the
  model's rules alone (node copies, holdover, stock, transit), with and without strikes,
  on random networks with transit times, storage, stock and unlimited arcs (hypothesis);
- with zero transit and no storage it is the horizon (in periods) times the max flow;
- the delivery per period is the increments of networkx's max flow with the deliveries of
  later periods closed;
- the optimal campaign equals a brute-force search over every schedule (a budget per
  period, and one for the whole campaign), and its schedule attains it;
- one period, no repair: the optimal campaign is today's optimal ``plan``, flow left and
  selection;
- greedy and launch-sites stay within budget and report what their schedule leaves.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import supplynet
from supplynet._errors import AnalysisError
from supplynet.analysis.campaign import campaign
from supplynet.analysis.plan import plan_interdiction
from supplynet.engine import timeexpand as tx
from supplynet.engine.snapshot import compile_network

CORRIDOR = Path(__file__).resolve().parent.parent / "datasets" / "corridor.geojson"
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def random_network(seed: int, n: int = 5, m: int = 8, *, storage: bool = True, zero_transit: bool = False,
                   repair: bool = True) -> nx.MultiDiGraph:
    """A small network: v0 makes, the last node assembles; capacities, storage, stock,
    transit days, repair days, uninterdictable and unlimited elements all drawn by ``seed``."""
    rng = np.random.default_rng(seed)
    G = nx.MultiDiGraph()
    for i in range(n):
        d = {"type": "storage", "cost": float(rng.integers(1, 3))}
        if repair:
            d["repair_days"] = float(rng.choice([0, 3, 7, 14, 30]))
        if rng.random() < 0.6:
            d["capacity"] = float(rng.integers(1, 9))
        if storage and rng.random() < 0.5:
            d["storage"] = float(rng.choice([2, 5, math.inf]))
        if storage and rng.random() < 0.3:
            d["stock"] = float(rng.integers(1, 10))
        if rng.random() < 0.15:
            d["interdictable"] = False
        G.add_node(f"v{i}", **d)
    G.nodes["v0"].update(type="manufacturing", capacity=float(rng.integers(2, 10)))
    G.nodes[f"v{n - 1}"]["type"] = "assembly"
    for j in range(m):
        u, v = rng.choice(n, 2, replace=False)
        d = {"cost": 1.0, "length": 1, "transit_days": 0.0 if zero_transit else float(rng.choice([0, 2, 6, 9, 15]))}
        if rng.random() < 0.9:
            d["capacity"] = float(rng.integers(1, 8))
        if repair:
            d["repair_days"] = float(rng.choice([2, 7, 10]))
        G.add_edge(f"v{u}", f"v{v}", key=f"e{j}", **d)
    return G


def _element(G: nx.MultiDiGraph, kind: str, ident: str) -> dict:
    if kind == "node":
        return G.nodes[ident]
    return next(d for _, _, k, d in G.edges(keys=True, data=True) if k == ident)


def _periods(days: float, P: float) -> int:
    return 0 if days <= 0 else math.ceil(days / P - 1e-9)


def reference(G: nx.MultiDiGraph, P: float, T: int, strikes=(), *, upto: int | None = None,
              default_repair: float | None = None) -> float:
    """Flow over time by networkx on a time-expanded graph built from the model's rules.

    ``strikes`` are ``((kind, id), period)``; ``upto`` closes the deliveries after that period.
    """
    down = set()
    for (kind, ident), t in strikes:
        days = _element(G, kind, ident).get("repair_days", default_repair)
        r = T if days is None else _periods(days, P)
        down |= {((kind, ident), k) for k in range(t, min(T, t + r))}
    D = nx.DiGraph()
    D.add_nodes_from(["S", "K"])

    def arc(a, b, cap, label):
        mid = ("mid", *label)
        D.add_edge(a, mid, **({} if math.isinf(cap) else {"capacity": cap}))
        D.add_edge(mid, b)

    sources = [v for v, d in G.nodes(data=True) if d["type"] == "manufacturing"]
    sinks = [v for v, d in G.nodes(data=True) if d["type"] == "assembly"]
    for v, d in G.nodes(data=True):
        cap = d.get("capacity", math.inf)
        for t in range(T):
            if (("node", v), t) in down:
                continue  # the copy receives, holds and sends nothing
            arc((v, t, "in"), (v, t, "out"), cap, (v, t, "split"))
            if t > 0 and d.get("storage", 0) > 0:
                arc((v, t - 1, "out"), (v, t, "out"), d["storage"], (v, t, "hold"))
        if d.get("stock", 0) > 0 and (("node", v), 0) not in down:
            arc("S", (v, 0, "out"), d["stock"], (v, "stock"))
    for s in sources:
        for t in range(T):
            arc("S", (s, t, "in"), math.inf, (s, t, "supply"))
    for k in sinks:
        for t in range(T if upto is None else upto + 1):
            arc((k, t, "out"), "K", math.inf, (k, t, "deliver"))
    for u, v, key, d in G.edges(keys=True, data=True):
        tau = _periods(d["transit_days"], P)
        for t in range(T):
            if t + tau <= T - 1 and (("edge", key), t) not in down:
                arc((u, t, "out"), (v, t + tau, "in"), d.get("capacity", math.inf), (key, t))
    try:
        return float(nx.maximum_flow_value(D, "S", "K"))
    except nx.NetworkXUnbounded:
        return math.inf


def _flow_over_time(G: nx.MultiDiGraph, P: float, T: int) -> tuple[tx.FlowOverTime, dict]:
    snap = compile_network(G)
    tau = tx.periods_of(tx.transit_days(snap), P).astype(np.int64)
    te = tx.expand(snap, periods=T, transit=tau, storage=snap.column("node", "storage", 0.0),
                   stock=snap.column("node", "stock", 0.0))
    index = {("node", v): i for i, v in enumerate(snap.nodes)}
    index.update({("edge", e): len(snap.nodes) + j for j, e in enumerate(snap.edges)})
    return tx.FlowOverTime(te), index


def _down(fot: tx.FlowOverTime, G: nx.MultiDiGraph, index: dict, strikes, P: float) -> np.ndarray:
    T = fot.te.periods
    parts = []
    for key, t in strikes:
        days = _element(G, *key).get("repair_days")
        r = T if days is None else _periods(days, P)
        parts.append(fot.te.copies_of(index[key], t, r))
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


# -- flow over time ----------------------------------------------------------------------

@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), T=st.integers(1, 5))
def test_flow_over_time_is_networkx_max_flow_on_the_expanded_graph(seed: int, T: int) -> None:
    G = random_network(seed)
    fot, index = _flow_over_time(G, 7.0, T)
    assert fot.value() == reference(G, 7.0, T)
    rng = np.random.default_rng(seed + 1)
    elements = sorted(index)
    for _ in range(3):
        picks = rng.choice(len(elements), 2, replace=False)
        strikes = [(elements[i], int(rng.integers(0, T))) for i in picks]
        assert fot.value(_down(fot, G, index, strikes, 7.0)) == reference(G, 7.0, T, strikes), strikes


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), T=st.integers(1, 5))
def test_delivery_by_each_period_is_networkx_with_later_deliveries_closed(seed: int, T: int) -> None:
    G = random_network(seed)
    fot, _ = _flow_over_time(G, 7.0, T)
    assert fot.arrivals().tolist() == [reference(G, 7.0, T, upto=t) for t in range(T)]


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), T=st.integers(1, 6))
def test_zero_transit_and_no_storage_give_the_horizon_times_the_max_flow(seed: int, T: int) -> None:
    G = random_network(seed, storage=False, zero_transit=True)
    fot, _ = _flow_over_time(G, 1.0, T)
    static = compile_network(G).max_flow_value()
    assert fot.value() == T * static or (math.isinf(static) and math.isinf(fot.value()))


def test_a_stockpile_delivers_after_its_road_reopens() -> None:
    # s makes 10 a period; depot d holds up to 50; road d -> t takes a period and carries 20.
    G = nx.MultiDiGraph()
    G.add_node("s", type="manufacturing", capacity=10.0)
    G.add_node("d", type="storage", storage=50.0, stock=5.0, repair_days=2.0)
    G.add_node("t", type="assembly")
    G.add_edge("s", "d", key="a", length=1, capacity=10.0, transit_days=0.0, repair_days=1.0)
    G.add_edge("d", "t", key="b", length=1, capacity=20.0, transit_days=1.0, repair_days=1.0)
    fot, index = _flow_over_time(G, 1.0, 4)
    assert fot.value() == 35.0  # 5 in stock plus three periods of production that arrive in time
    assert fot.value(_down(fot, G, index, [(("edge", "b"), 0)], 1.0)) == 35.0  # the depot catches up
    assert fot.value(_down(fot, G, index, [(("node", "d"), 0)], 1.0)) == 10.0  # stock and two periods lost


# -- the optimal campaign against brute force -----------------------------------------------

def _candidates(G: nx.MultiDiGraph, P: float, budget: float) -> list[tuple[str, str]]:
    out = []
    for kind, ident, d in [("node", v, d) for v, d in G.nodes(data=True)] + \
                          [("edge", k, d) for _, _, k, d in G.edges(keys=True, data=True)]:
        days = d.get("repair_days")
        if d.get("interdictable", True) and d.get("cost", 1.0) <= budget and (days is None or days > 0):
            out.append((kind, ident))
    return out


def _per_period_schedules(cands, cost, T, b):
    per = [c for k in range(len(cands) + 1) for c in itertools.combinations(cands, k)
           if sum(cost[x] for x in c) <= b + 1e-9]
    for choice in itertools.product(per, repeat=T):
        yield [(x, t) for t, combo in enumerate(choice) for x in combo]


def _total_schedules(cands, cost, T, B):
    pairs = [(x, t) for x in cands for t in range(T)]
    for k in range(len(pairs) + 1):
        found = False
        for combo in itertools.combinations(pairs, k):
            if sum(cost[x] for x, _ in combo) <= B + 1e-9:
                found = True
                yield list(combo)
        if not found:
            return


@pytest.mark.parametrize("mode, periods, budget", [("per_period", 2, 1.0), ("total", 3, 1.0), ("total", 2, 2.0)])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_the_optimal_campaign_is_the_best_of_every_schedule(mode: str, periods: int, budget: float,
                                                             seed: int) -> None:
    # The factory and the assembly site cannot be struck, so the cut must be made in between.
    G = random_network(seed, n=5, m=9)
    G.nodes["v0"]["interdictable"] = G.nodes["v4"]["interdictable"] = False
    T = periods
    cands = _candidates(G, 1.0, budget)
    cost = {c: _element(G, *c).get("cost", 1.0) for c in cands}
    schedules = _per_period_schedules(cands, cost, T, budget) if mode == "per_period" else \
        _total_schedules(cands, cost, T, budget)
    best = min(reference(G, 7.0, T, s) for s in schedules)
    kw = {"budget_per_period": budget} if mode == "per_period" else {"budget": budget}
    c = campaign(G, horizon_days=7.0 * T, period_days=7.0, methods=("optimal", "greedy", "launch-sites"), **kw)
    opt = c.schedules["optimal"]
    assert opt.proven and opt.delivered == best
    struck = [((s.kind, s.id), s.period) for s in opt.strikes]
    assert reference(G, 7.0, T, struck) == best
    for s in c.schedules.values():  # every schedule: within budget, its figure its own
        spent = [x.cost for x in s.strikes]
        if mode == "per_period":
            assert all(sum(x.cost for x in s.strikes if x.period == t) <= budget for t in range(T))
        else:
            assert sum(spent) <= budget
        assert s.delivered == reference(G, 7.0, T, [((x.kind, x.id), x.period) for x in s.strikes]) >= best
        assert sum(s.per_period) == s.delivered


# -- one period, no repair: today's plan ------------------------------------------------------

@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), budget=st.integers(1, 3), targets=st.sampled_from(["both", "nodes", "edges"]))
def test_one_period_without_repair_is_the_optimal_plan(seed: int, budget: int, targets: str) -> None:
    G = random_network(seed, n=6, m=10, storage=False, zero_transit=True, repair=False)
    plan = plan_interdiction(G, budget=budget, targets=targets)
    c = campaign(G, horizon_days=1, period_days=1, budget=budget, targets=targets, methods=("optimal",))
    opt = c.schedules["optimal"]
    assert opt.delivered == plan.max_flow_after
    assert sorted((s.kind, s.id) for s in opt.strikes) == \
        sorted([("node", v) for v in plan.selected_nodes] + [("edge", e) for e in plan.selected_edges])
    assert all(s.period == 0 and s.back_at_period is None for s in opt.strikes)


# -- the corridor --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corridor() -> nx.MultiDiGraph:
    return supplynet.read_network(CORRIDOR)


def test_the_corridor_campaign_over_weekly_periods(corridor: nx.MultiDiGraph) -> None:
    c = supplynet.campaign(corridor, horizon_days=182, period_days=7, budget=6, methods=("optimal", "greedy",
                                                                                         "launch-sites"))
    fot, _ = _flow_over_time(corridor, 7.0, 26)
    assert c.delivered_without_strikes == fot.value() == sum(c.per_period_without_strikes)
    opt, greedy, launch = (c.schedules[m] for m in ("optimal", "greedy", "launch-sites"))
    assert opt.proven and opt.delivered <= greedy.delivered and opt.delivered <= launch.delivered
    assert sum(s.cost for s in opt.strikes) <= 6
    assert c.fastest_route_periods > c.fastest_route_days / 7 + 1  # each hop rounds up to a week
    assert any("rounded up to whole periods" in n for n in c.notes)
    doc = c.to_dict()
    assert {"horizon_days", "period_days", "delivered_without_strikes", "methods"} <= set(doc)
    assert {"delivered", "schedule", "per_period", "proven", "gap"} <= set(doc["methods"]["optimal"])
    assert set(doc["methods"]["optimal"]["schedule"][0]) >= {"kind", "id", "period", "back_at_period"}


def test_reruns_are_identical(corridor: nx.MultiDiGraph) -> None:
    a = campaign(corridor, horizon_days=56, period_days=7, budget_per_period=1).to_dict()
    b = campaign(corridor, horizon_days=56, period_days=7, budget_per_period=1).to_dict()
    assert a == b


# -- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    ({"horizon_days": 10, "period_days": 7, "budget": 1}, "whole number of periods"),
    ({"horizon_days": 14, "period_days": 7}, "exactly one budget"),
    ({"horizon_days": 14, "period_days": 7, "budget": 1, "budget_per_period": 1}, "exactly one budget"),
    ({"horizon_days": 14, "period_days": 7, "budget": -1}, "finite number >= 0"),
    ({"horizon_days": 14, "period_days": 7, "budget_per_period": math.nan}, "finite number >= 0"),
    ({"horizon_days": math.inf, "period_days": 7, "budget": 1}, "positive, finite"),
    ({"horizon_days": 0, "period_days": 7, "budget": 1}, "positive, finite"),
    ({"horizon_days": 1e7, "period_days": 1, "budget": 1}, "supported"),
    ({"horizon_days": 14, "period_days": 7, "budget": 1, "targets": "roads"}, "targets"),
    ({"horizon_days": 14, "period_days": 7, "budget": 1, "methods": ("best",)}, "methods"),
    ({"horizon_days": 14, "period_days": 7, "budget": 1, "speeds": {"road": 0}}, "speed of mode 'road'"),
])
def test_bad_input_is_refused_with_a_clear_message(corridor: nx.MultiDiGraph, kwargs: dict, message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        campaign(corridor, **kwargs)


def test_a_horizon_that_would_exhaust_memory_is_refused(corridor: nx.MultiDiGraph) -> None:
    with pytest.raises(AnalysisError, match="arcs, more than"):
        campaign(corridor, horizon_days=90_000, period_days=1, budget=1)
