"""Tests of supplynet.analysis.whatif: hand-worked scenarios, then networkx as the oracle.

The oracle (:func:`oracle_impact`, also used by test_cli_whatif.py and test_examples.py)
builds ``G'`` as a real copy with the pieces removed and the capacities scaled, and
answers every figure with networkx alone: max flow on the node-split graph, reachability
with ``nx.descendants``, routes with ``nx.multi_source_dijkstra``, the edge cut's value
with ``nx.minimum_cut_value`` and flow-days from its definition.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import supplynet
from supplynet import AnalysisError, ScenarioError
from supplynet.analysis.flow import compile_network, min_edge_cut
from supplynet.network.scenarios import Scenario
from supplynet.analysis.whatif import IMPACT_COLUMNS, NODE_SWEEP_COLUMNS, Impact, WhatIf, sweep, sweep_nodes, what_if
from tests.test_flow import network, networks, oracle_flow

DATA = Path(__file__).resolve().parent / "data"
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- the oracle ------------------------------------------------------------------------


def applied(G: nx.MultiDiGraph, s: Scenario, pieces: set | None = None) -> nx.MultiDiGraph:
    """Return a copy of ``G`` with the scenario (or only its ``pieces``) really applied."""
    H = copy.deepcopy(G)
    keep = (lambda kind, i: True) if pieces is None else (lambda kind, i: (kind, i) in pieces)
    H.remove_edges_from([(u, v, k) for u, v, k in G.edges(keys=True)
                         if k in s.remove_edges and keep("edge", k)])
    H.remove_nodes_from([n for n in s.remove_nodes if keep("node", n)])
    index = {k: (u, v) for u, v, k in H.edges(keys=True)}
    for kind, factors in (("node", s.node_factors), ("edge", s.edge_factors)):
        for i, f in factors:
            if not keep(kind, i) or (kind == "edge" and i not in index):
                continue
            d = H.nodes[i] if kind == "node" else H.edges[(*index[i], i)]
            if f == 0:
                d["capacity"] = 0.0
            elif "capacity" in d:
                d["capacity"] = d["capacity"] * f
    return H


def _flow(H: nx.MultiDiGraph, sources, sinks) -> float:
    return oracle_flow(H, [s for s in sources if s in H], [t for t in sinks if t in H])


def _live(H: nx.MultiDiGraph) -> nx.DiGraph:
    """Return the live part of ``H`` (capacity above 0), parallel edges reduced to the shortest."""
    D = nx.DiGraph()
    D.add_nodes_from(n for n, d in H.nodes(data=True) if d.get("capacity", math.inf) > 0)
    for u, v, d in H.edges(data=True):
        if u in D and v in D and d.get("capacity", math.inf) > 0:
            if not D.has_edge(u, v) or D[u][v]["length"] > d["length"]:
                D.add_edge(u, v, length=d["length"])
    return D


def _reach(H, sources, sinks) -> tuple[set, set]:
    D = _live(H)
    src = [s for s in sources if s in D]
    snk = [t for t in sinks if t in D]
    reached = set().union(*(nx.descendants(D, s) | {s} for s in src)) if src else set()
    return ({t for t in snk if t in reached},
            {s for s in src if any(t in nx.descendants(D, s) | {s} for t in snk)})


def _route(H, sources, sinks) -> float | None:
    D = _live(H)
    src = [s for s in sources if s in D]
    if not src:
        return None
    dist = nx.multi_source_dijkstra_path_length(D, src, weight="length")
    found = [dist[t] for t in sinks if t in dist]
    return min(found) / 1000.0 if found else None


def _edge_cut_value(H, sources, sinks) -> float:
    return oracle_flow(H, [s for s in sources if s in H], [t for t in sinks if t in H], node_attr=None) \
        if any(s in H for s in sources) and any(t in H for t in sinks) else 0.0


def _flow_days(G, s: Scenario, sources, sinks, horizon) -> float:
    """Flow-days denied, straight from the definition in supplynet.analysis.whatif."""
    before = _flow(G, sources, sinks)
    pieces = ([("node", n) for n in s.remove_nodes] + [("edge", e) for e in s.remove_edges]
              + [("node", n) for n, _ in s.node_factors] + [("edge", e) for e, _ in s.edge_factors])
    if not pieces:
        return 0.0
    if math.isinf(before):
        return math.nan
    edays = {k: d for _, _, k, d in G.edges(keys=True, data="repair_days")}
    cap = math.inf if horizon is None else horizon
    days = {}
    for kind, i in pieces:
        d = G.nodes[i].get("repair_days") if kind == "node" else edays[i]
        days[(kind, i)] = cap if d is None else min(d, cap)
    times = sorted({d for d in days.values() if math.isfinite(d)} | ({cap} if math.isfinite(cap) else set()))
    total, last = 0.0, 0.0
    for t in times:
        if t <= last:
            continue
        out = {p for p, d in days.items() if d >= t}
        total += (t - last) * (before - _flow(applied(G, s, out), sources, sinks))
        last = t
    forever = {p for p, d in days.items() if math.isinf(d)}
    if forever and before - _flow(applied(G, s, forever), sources, sinks) > 0:
        return math.inf
    return total


def oracle_impact(G: nx.MultiDiGraph, sources, sinks, s: Scenario, horizon: float | None = None) -> dict:
    """Return every checkable impact figure, computed with networkx on a real copy."""
    H = applied(G, s)
    before, after = _flow(G, sources, sinks), _flow(H, sources, sinks)
    sinks0, sources0 = _reach(G, sources, sinks)
    sinks1, sources1 = _reach(H, sources, sinks)
    r0, r1 = _route(G, sources, sinks), _route(H, sources, sinks)
    return {
        "max_flow_before": before, "max_flow_after": after,
        "flow_loss": before - after if math.isfinite(before) else (math.nan if math.isinf(after) else math.inf),
        "sinks_cut_off": sorted(sinks0 - sinks1), "sources_stranded": sorted(sources0 - sources1),
        "route_km_before": r0, "route_km_after": r1,
        "detour_km": None if r0 is None or r1 is None else r1 - r0,
        "min_edge_cut_capacity": _edge_cut_value(H, sources, sinks),
        "flow_days_denied": _flow_days(G, s, sources, sinks, horizon),
    }


def same(a: float | None, b: float | None) -> bool:
    """Equal within rounding, with None, inf and NaN equal to themselves."""
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def check_against_oracle(G, sources, sinks, s: Scenario, impact: Impact, horizon=None) -> None:
    want = oracle_impact(G, sources, sinks, s, horizon)
    got = impact.row()
    for key in ("max_flow_before", "max_flow_after", "flow_loss", "route_km_before", "route_km_after",
                "detour_km", "min_edge_cut_capacity", "flow_days_denied"):
        assert same(got[key], want[key]), (key, got[key], want[key])
    assert got["sinks_cut_off"] == want["sinks_cut_off"]
    assert got["sources_stranded"] == want["sources_stranded"]
    H = applied(G, s)
    cut = impact.min_edge_cut
    src = [x for x in sources if x in H]
    snk = [x for x in sinks if x in H]
    if src and snk:
        # The cut is the one flow.min_edge_cut finds on the real copy. Its capacity agrees to
        # rounding: the copy holds the float product (1.5 * 0.1 = 0.15000000000000002), the
        # what-if the decimal one (0.15).
        oracle_cut = min_edge_cut(H, src, snk)
        assert cut.edges == oracle_cut.edges and same(cut.capacity, oracle_cut.capacity)
    if math.isfinite(cut.capacity):
        index = {k: (u, v) for u, v, k in H.edges(keys=True)}
        assert same(sum(H.edges[(*index[e], e)].get("capacity", math.inf) for e in cut.edges), cut.capacity)
        H.remove_edges_from([(*index[e], e) for e in cut.edges])
        assert not any(nx.has_path(H, a, b) for a in src for b in snk)


# -- hand-worked -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def diamond() -> nx.MultiDiGraph:
    """s -> {a (capacity 30), b} -> t; a <-> b. Max flow 50 (a passes 30, s -> b 20)."""
    return supplynet.read_network(DATA / "diamond.geojson")


def test_diamond_by_hand(diamond: nx.MultiDiGraph) -> None:
    w = WhatIf(diamond)
    assert w.max_flow == 50.0 and w.sources == ["s"] and w.sinks == ["t"]
    a = w.evaluate(w.scenario("hub A", remove=["a"]))
    assert (a.max_flow_after, a.flow_loss, a.flow_loss_pct) == (20.0, 30.0, 60.0)
    assert a.sinks_cut_off == [] and a.sources_stranded == []
    assert a.min_edge_cut == supplynet.min_edge_cut(diamond.subgraph(["s", "b", "t"]).copy())
    assert a.min_edge_cut.capacity == 20.0
    b = w.evaluate(w.scenario("crossing B", remove=["b"]))
    assert (b.max_flow_after, b.flow_loss_pct) == (25.0, 50.0)
    half = w.evaluate(w.scenario("A at half", degrade={"a": 0.5}))
    assert half.max_flow_after == 35.0  # a passes 15, s -> b 20
    both = w.evaluate(w.scenario("both", remove=["a", "b"]))
    assert both.max_flow_after == 0.0 and both.sinks_cut_off == ["t"] and both.sources_stranded == ["s"]
    assert both.route_km_after is None and both.detour_km is None
    assert both.min_edge_cut.capacity == 0.0 and both.top_nodes == []
    # The shortest route runs s -> b -> t (b is north of the straight line, a far south).
    lengths = {k: d["length"] for _, _, k, d in diamond.edges(keys=True, data=True)}
    route_m = min(lengths["sa"] + lengths["at"], lengths["sb"] + lengths["bt"],
                  lengths["sa"] + lengths["ab"] + lengths["bt"])
    assert a.route_km_before == route_m / 1000
    assert a.route_km_after == (lengths["sb"] + lengths["bt"]) / 1000
    assert b.route_km_after == (lengths["sa"] + lengths["at"]) / 1000


def test_top_nodes_by_hand(diamond: nx.MultiDiGraph) -> None:
    impact = WhatIf(diamond, top=3).evaluate(["b"])
    assert impact.top_nodes == [("a", 25.0), ("s", 25.0), ("t", 25.0)]  # ties by id


def test_flow_days_by_hand(diamond: nx.MultiDiGraph) -> None:
    G = diamond.copy()
    G.nodes["a"]["repair_days"] = 10.0
    G.nodes["b"]["repair_days"] = 4.0
    w = WhatIf(G)
    # Both out for 4 days (all 50 lost), then a alone for 6 more (30 lost).
    assert w.evaluate(["a", "b"]).flow_days_denied == 50 * 4 + 30 * 6
    assert w.evaluate(w.scenario("half", degrade={"a": 0.5})).flow_days_denied == 15 * 10
    assert WhatIf(G, horizon=5).evaluate(["a", "b"]).flow_days_denied == 50 * 4 + 30 * 1
    assert WhatIf(G, horizon=0).evaluate(["a", "b"]).flow_days_denied == 0
    G.nodes["b"]["repair_days"] = 0.0  # back at once: denies nothing
    assert WhatIf(G).evaluate(["b"]).flow_days_denied == 0
    del G.nodes["a"]["repair_days"]  # never repaired: the loss never ends
    assert WhatIf(G).evaluate(["a"]).flow_days_denied == math.inf
    assert WhatIf(G, horizon=7).evaluate(["a"]).flow_days_denied == 30 * 7
    # An edge out of a never-repaired piece that loses nothing denies nothing.
    assert WhatIf(G).evaluate(w.scenario("noop", degrade={"ab": 1.0})).flow_days_denied == 0


def test_edges_at_removed_node_come_back_with_it(diamond: nx.MultiDiGraph) -> None:
    G = diamond.copy()
    G.nodes["a"]["repair_days"] = 3.0
    for *_, d in G.edges(data=True):
        d["repair_days"] = 100.0
    assert WhatIf(G).evaluate(["a"]).flow_days_denied == 30 * 3


def test_scenarios_compose(diamond: nx.MultiDiGraph) -> None:
    w = WhatIf(diamond)
    a, half_b = w.scenario("a", remove=["a"]), w.scenario("half b", degrade={"b": 0.5})
    composed = w.evaluate(a + half_b)
    assert composed.name == "a + half b"
    # b has no capacity of its own: degrading it changes nothing, and the impact says so.
    assert composed.max_flow_after == 20.0 and "unlimited" in composed.notes[0]
    slow = w.evaluate(w.scenario("slow", degrade={"sb": 0.5}).then(w.scenario("slower", degrade={"sb": 0.5})))
    assert slow.degraded == {("edge", "sb"): 0.25} and slow.max_flow_after == 35.0  # a 30, s -> b 5


def test_sweep_is_one_table(diamond: nx.MultiDiGraph) -> None:
    w = WhatIf(diamond)
    table = w.sweep([w.scenario("a", remove=["a"]), w.scenario("b", remove=["b"])])
    assert list(table.columns) == list(IMPACT_COLUMNS)
    assert table["max_flow_after"].tolist() == [20.0, 25.0]
    assert sweep(diamond, [w.scenario("a", remove=["a"])])["flow_loss"].tolist() == [30.0]


def test_sweep_nodes_by_hand(diamond: nx.MultiDiGraph) -> None:
    table = sweep_nodes(diamond)
    assert list(table.columns) == list(NODE_SWEEP_COLUMNS) and table.index.tolist() == ["a", "b", "s", "t"]
    assert table["flow_loss"].tolist() == [30.0, 25.0, 50.0, 50.0]
    assert table["sinks_cut_off"].tolist() == [0, 0, 1, 1]
    assert table["sources_stranded"].tolist() == [0, 0, 1, 1]
    assert table.loc["a", "flow_loss_pct"] == 60.0 and table.loc["a", "max_flow_after"] == 20.0


def test_graph_is_never_changed(diamond: nx.MultiDiGraph) -> None:
    before = copy.deepcopy(diamond)
    w = WhatIf(diamond)
    w.evaluate(w.scenario("x", remove=["a", "ab"], degrade={"b": 0.0, "sb": 0.3}))
    w.sweep_nodes()
    assert nx.utils.graphs_equal(diamond, before)
    assert list(diamond.edges(keys=True, data=True)) == list(before.edges(keys=True, data=True))


def test_what_if_shortcut_and_errors(diamond: nx.MultiDiGraph) -> None:
    assert what_if(diamond, ["type=border_crossing"]).removed == ["b"]
    with pytest.raises(ScenarioError, match="'nowhere'"):
        what_if(diamond, ["nowhere"])
    with pytest.raises(ScenarioError, match="0..1"):
        Scenario("x", node_factors=(("a", 1.5),))
    with pytest.raises(ScenarioError, match="scenario 'ghost'.*'zz'"):
        WhatIf(diamond).evaluate(Scenario("ghost", remove_nodes=("zz",)))
    with pytest.raises(AnalysisError, match="horizon"):
        WhatIf(diamond, horizon=-1)


def test_unlimited_flows() -> None:
    G = network({"m": {"type": "manufacturing"}, "x": {}, "a": {"type": "assembly"}},
                [("mx", "m", "x", {}), ("xa", "x", "a", {}), ("ma", "m", "a", {"capacity": 2.0})])
    w = WhatIf(G)
    made_finite = w.evaluate(["x"])
    assert made_finite.max_flow_before == math.inf and made_finite.max_flow_after == 2.0
    assert made_finite.flow_loss == math.inf and math.isnan(made_finite.flow_loss_pct)
    still = w.evaluate(["ma"])
    assert math.isnan(still.flow_loss) and still.min_edge_cut.capacity == math.inf
    assert math.isnan(still.flow_days_denied)


# -- networkx as the oracle ------------------------------------------------------------


@st.composite
def scenarios(draw: st.DrawFn, G: nx.MultiDiGraph) -> Scenario:
    nodes = sorted(G.nodes)
    edges = sorted(k for *_, k in G.edges(keys=True))
    factor = st.sampled_from([0.0, 0.1, 0.25, 0.3, 0.5, 1.0])
    return Scenario(
        "random",
        tuple(draw(st.lists(st.sampled_from(nodes), max_size=2))),
        tuple(draw(st.lists(st.sampled_from(edges), max_size=3))) if edges else (),
        tuple(draw(st.lists(st.tuples(st.sampled_from(nodes), factor), max_size=2))),
        tuple(draw(st.lists(st.tuples(st.sampled_from(edges), factor), max_size=3))) if edges else (),
    )


@st.composite
def with_repairs(draw: st.DrawFn) -> tuple:
    G, sources, sinks = draw(networks(max_nodes=7, max_edges=14))
    days = st.one_of(st.none(), st.integers(0, 9).map(float))
    for n in sorted(G.nodes):
        if (d := draw(days)) is not None:
            G.nodes[n]["repair_days"] = d
    for *_, k, data in sorted(G.edges(keys=True, data=True), key=lambda e: e[2]):
        if (d := draw(days)) is not None:
            data["repair_days"] = d
    return G, sources, sinks, draw(scenarios(G)), draw(st.one_of(st.none(), st.integers(0, 12).map(float)))


@SETTINGS
@given(with_repairs())
def test_every_figure_matches_networkx(case: tuple) -> None:
    G, sources, sinks, s, horizon = case
    before = copy.deepcopy(G)
    w = WhatIf(G, sources, sinks, horizon=horizon, top=100)
    impact = w.evaluate(s)
    check_against_oracle(G, sources, sinks, s, impact, horizon)
    gone = set(s.remove_nodes)
    factors = dict(s.node_factors)
    for node, flow in impact.top_nodes:
        assert node not in gone and flow > 0
        cap = G.nodes[node].get("capacity", math.inf)
        assert flow <= cap * factors.get(node, 1.0) + 1e-9
    assert [f for _, f in impact.top_nodes] == sorted((f for _, f in impact.top_nodes), reverse=True)
    assert nx.utils.graphs_equal(G, before)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(max_nodes=8, max_edges=16))
def test_node_sweep_matches_one_by_one(case: tuple) -> None:
    G, sources, sinks = case
    w = WhatIf(G, sources, sinks)
    table = w.sweep_nodes()
    for node in sorted(G.nodes):
        s = Scenario(node, (node,))
        want = oracle_impact(G, sources, sinks, s)
        assert same(table.at[node, "flow_loss"], want["flow_loss"]), node
        assert table.at[node, "sinks_cut_off"] == len(want["sinks_cut_off"]), node
        assert table.at[node, "sources_stranded"] == len(want["sources_stranded"]), node
        assert same(table.at[node, "max_flow_after"], want["max_flow_after"])


def test_snapshot_is_compiled_once(diamond: nx.MultiDiGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    w = WhatIf(diamond)
    calls = []
    import supplynet.engine.snapshot as snapshot_module

    monkeypatch.setattr(snapshot_module.Snapshot, "__init__",
                        lambda *a, **k: calls.append(a) or pytest.fail("recompiled"))
    for node in ("a", "b", "s"):
        w.evaluate([node])
    w.sweep_nodes()
    assert calls == []
    assert isinstance(compile_network, object) and np.isfinite(w.max_flow)


def test_factors_given_twice_multiply_as_decimals_and_small_capacities_survive() -> None:
    """Two degrade entries of 0.1 on one edge of capacity 0.5 leave 0.005: the factors
    multiply to 0.01 (not 0.010000000000000002, whose 18 decimals no unit could hold, which
    once rounded the edge to nothing), and a factor of 1/3 is kept to the finest unit that fits."""
    G = nx.MultiDiGraph()
    G.add_node("s", type="manufacturing")
    G.add_node("t", type="assembly")
    G.add_edge("s", "t", key="e", length=1, capacity=0.5)
    twice = Scenario("twice", edge_factors=(("e", 0.1), ("e", 0.1)))
    assert twice.edge_factors == (("e", 0.01),)
    assert WhatIf(G).evaluate(twice).max_flow_after == 0.005
    third = Scenario("third", edge_factors=(("e", 1 / 3),))
    assert math.isclose(WhatIf(G).evaluate(third).max_flow_after, 0.5 / 3, rel_tol=1e-9)
