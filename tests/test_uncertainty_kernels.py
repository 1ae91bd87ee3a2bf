"""The scenario kernels against networkx, scenario by scenario, and the draws by index.

The oracle builds the split network of each scenario from scratch with the absent
elements really taken out and asks networkx for the max flow; "in some minimum cut" is
checked by its characterisation (removing the element alone lowers the max flow by its
full, nonzero capacity), and flip losses by removing the group for real. Nothing is
shared with the library but the graph.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supplynet.engine.draws import enumerated, outcome_count, sampled
from supplynet.engine.runners import run_scenarios
from supplynet.engine.scenarios import BLOCK, run_blocks, scenario_net
from supplynet.engine.snapshot import compile_network

SETTINGS = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

Element = tuple[str, str]  # (kind, id)


def elements(G: nx.MultiDiGraph) -> list[Element]:
    """Nodes then edges, each in sorted id order: the kernels' element order."""
    return [("node", v) for v in sorted(G)] + [("edge", k) for k in sorted(k for _, _, k in G.edges(keys=True))]


def oracle_flow(G: nx.MultiDiGraph, sources, sinks, gone: set[Element]) -> float:
    """Max flow of G with the elements of ``gone`` taken out, by networkx on a fresh split graph."""
    D = nx.DiGraph()
    D.add_nodes_from(["S", "T"])
    for v, d in G.nodes(data=True):
        if ("node", v) not in gone:
            D.add_edge((v, "in"), (v, "out"), **({} if d.get("capacity") is None else {"capacity": d["capacity"]}))
    for u, v, k, d in G.edges(keys=True, data=True):
        if ("edge", k) not in gone and ("node", u) not in gone and ("node", v) not in gone:
            D.add_edge((u, "out"), ("e", k), **({} if d.get("capacity") is None else {"capacity": d["capacity"]}))
            D.add_edge(("e", k), (v, "in"))
    D.add_edges_from(("S", (s, "in")) for s in sources if ("node", s) not in gone)
    D.add_edges_from(((t, "out"), "T") for t in sinks if ("node", t) not in gone)
    try:
        return float(nx.maximum_flow_value(D, "S", "T"))
    except nx.NetworkXUnbounded:
        return math.inf


def capacity(G: nx.MultiDiGraph, el: Element) -> float:
    kind, ident = el
    d = G.nodes[ident] if kind == "node" else next(d for _, _, k, d in G.edges(keys=True, data=True) if k == ident)
    return math.inf if d.get("capacity") is None else float(d["capacity"])


@st.composite
def networks(draw, max_nodes: int = 6, max_edges: int = 9):
    """Small networks with node and edge capacities (some unlimited) and parallel edges."""
    n = draw(st.integers(4, max_nodes))
    names = [chr(ord("a") + i) for i in range(n)]
    k = draw(st.integers(1, 2))
    sources, sinks = names[:k], names[-draw(st.integers(1, 2)):]
    caps = st.sampled_from([None, None, 0.0, 2.0, 3.0, 5.0, 8.0])
    G = nx.MultiDiGraph()
    for v in names:
        cap = draw(caps) if v not in sources else draw(st.sampled_from([None, 4.0, 9.0]))
        G.add_node(v, type="storage", **({} if cap is None else {"capacity": cap}))
    pairs = [(sources[0], names[k]), (names[k], sinks[0])]
    for _ in range(draw(st.integers(0, max_edges - 2))):
        pairs.append(tuple(draw(st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True))))
    for j, (u, v) in enumerate(pairs):
        cap = draw(caps)
        G.add_edge(u, v, key=f"e{j}", length=1, **({} if cap is None else {"capacity": cap}))
    return G, sources, sinks


@SETTINGS
@given(net=networks(), data=st.data())
def test_every_scenario_matches_networkx(net, data) -> None:
    G, sources, sinks = net
    snap = compile_network(G, sources, sinks)
    sn = scenario_net(snap)
    els = elements(G)
    count = data.draw(st.integers(1, 2 * BLOCK + 3))
    gone_sets = [sorted(data.draw(st.sets(st.integers(0, len(els) - 1)))) for _ in range(count)]
    ptr = np.zeros(count + 1, np.int64)
    ptr[1:] = np.cumsum([len(g) for g in gone_sets])
    absent = np.array([i for g in gone_sets for i in g], np.int64)
    weight = np.array(data.draw(st.lists(st.sampled_from([1.0, 0.25, 2.0]), min_size=count, max_size=count)))
    groups = [[i] for i in range(len(els))] + [[0, len(els) - 1]]
    flip_ptr = np.cumsum([0] + [len(g) for g in groups])
    flip_el = np.array([i for g in groups for i in g], np.int64)
    out = run_blocks(sn, ptr, absent, weight, flips=(flip_ptr, flip_el), threads=data.draw(st.sampled_from([1, 2])),
                     repair_max=data.draw(st.sampled_from([-1, 1000])))  # solved from zero, or repaired
    cut, loss = np.zeros(len(els)), np.zeros(len(groups))
    for s, gone_idx in enumerate(gone_sets):
        gone = {els[i] for i in gone_idx}
        value = oracle_flow(G, sources, sinks, gone)
        got = math.inf if out.values[s] < 0 else out.values[s] / sn.scale
        assert got == pytest.approx(value), (s, gone)
        if math.isinf(value):
            continue
        for i, el in enumerate(els):
            cap = capacity(G, el)
            if el not in gone and 0 < cap < math.inf and oracle_flow(G, sources, sinks, gone | {el}) == \
                    pytest.approx(value - cap):
                cut[i] += weight[s]
        for j, g in enumerate(groups):
            loss[j] += weight[s] * (value - oracle_flow(G, sources, sinks, gone | {els[i] for i in g}))
    assert out.cut.sum(axis=0) == pytest.approx(cut)
    assert out.loss.sum(axis=0) / sn.scale == pytest.approx(loss)


def test_few_absent_elements_are_repaired_and_many_solved_from_zero_alike() -> None:
    """Both paths give the same figures: a scenario just past the repair limit against one just below."""
    G = nx.MultiDiGraph()
    G.add_node("s", type="manufacturing")
    G.add_node("t", type="assembly")
    limit = 20
    for j in range(limit + 10):
        G.add_node(f"m{j}", type="storage")
        G.add_edge("s", f"m{j}", key=f"a{j:03d}", length=1, capacity=float(1 + j % 4))
        G.add_edge(f"m{j}", "t", key=f"b{j:03d}", length=1, capacity=float(1 + j % 3))
    snap = compile_network(G)
    sn = scenario_net(snap)
    els = elements(G)
    where = {el: i for i, el in enumerate(els)}
    many = [where[("edge", f"a{j:03d}")] for j in range(limit + 5)]
    few = many[:limit]
    ptr = np.array([0, len(few), len(few) + len(many)])
    out = run_blocks(sn, ptr, np.array(few + many), np.ones(2), flips=(np.arange(len(els) + 1), np.arange(len(els))),
                     repair_max=limit)
    for s, gone in enumerate([few, many]):
        assert out.values[s] == oracle_flow(G, ["s"], ["t"], {els[i] for i in gone})
    # the last five "a" edges are gone in the second scenario only: the rest is the same
    assert out.values[0] - out.values[1] == sum(min(1 + j % 4, 1 + j % 3) for j in range(limit, limit + 5))


def test_draws_depend_on_the_index_only() -> None:
    group, q, p = np.array([0, 1, 1, 2]), np.array([0.5, 0.3, 0.0]), np.array([0.2, 0.5, 1.0, 0.7])
    whole = sampled(group, q, p, 40, seed=3).outcomes(0, 40)
    parts = [sampled(group, q, p, 40, seed=3).outcomes(a, min(40, a + 7)) for a in range(0, 40, 7)]
    assert np.array_equal(whole.exists, np.vstack([o.exists for o in parts]))
    assert np.array_equal(whole.success, np.vstack([o.success for o in parts]))
    assert not whole.exists[:, 3].any()  # confidence 0: never there
    assert np.array_equal(whole.exists[:, 1], whole.exists[:, 2])  # one road, one draw
    other = sampled(group, q, p, 40, seed=3, stream=2).outcomes(0, 40)
    assert not np.array_equal(whole.exists, other.exists)


def test_enumeration_lists_every_outcome_once_with_its_probability() -> None:
    group, q, p = np.array([0, 1, 1, 2, 3]), np.array([0.6, 0.3, 1.0, 0.0]), np.array([0.5, 0.25, 1.0, 0.8, 0.4])
    scen = enumerated(group, q, p, np.array([0, 1]), np.array([0, 1, 2, 3, 4]))
    assert scen.count == outcome_count(group, q, p, np.array([0, 1]), np.array([0, 1, 2, 3, 4])) == 3 * 3 * 2
    out = scen.outcomes(0, scen.count)
    assert out.weight.sum() == pytest.approx(1.0)
    keys = {(tuple(e), tuple(s)) for e, s in zip(out.exists, out.success)}
    assert len(keys) == scen.count
    for i in range(5):  # marginals: existence q, success p (where it can be told)
        assert (out.weight * out.exists[:, i]).sum() == pytest.approx(q[group[i]])
    assert (out.weight * (out.exists[:, 0] & out.success[:, 0])).sum() == pytest.approx(0.6 * 0.5)
    assert (out.weight * out.success[:, 3]).sum() == pytest.approx(0.8)
    assert not out.exists[:, 4].any()


def test_an_astronomical_number_of_outcomes_is_infinite_not_an_overflow() -> None:
    n = 5000
    group, q, p = np.arange(n), np.full(n, 0.5), np.full(n, 0.5)
    assert outcome_count(group, q, p, np.arange(n), np.arange(n)) == math.inf
    assert outcome_count(group, np.ones(n), p, np.zeros(0, np.int64), np.arange(n)) == math.inf
    assert outcome_count(group, q, p, np.arange(10), np.zeros(0, np.int64)) == 2.0 ** 10


def test_runs_are_identical_for_any_number_of_threads() -> None:
    rng = np.random.default_rng(5)
    G = nx.MultiDiGraph()
    n = 40
    for v in range(n):
        G.add_node(f"n{v:02d}", type="manufacturing" if v < 4 else "assembly" if v >= n - 4 else "storage")
    for j in range(160):
        u, v = rng.choice(n, 2, replace=False)
        G.add_edge(f"n{u:02d}", f"n{v:02d}", key=f"e{j:03d}", length=1, capacity=float(rng.integers(1, 9)))
    sn = scenario_net(compile_network(G))
    scen = sampled(np.arange(sn.n_elements), rng.uniform(0.5, 1.0, sn.n_elements), np.ones(sn.n_elements), 200, 9)
    flips = (np.arange(sn.n_elements + 1), np.arange(sn.n_elements))
    one = run_scenarios(sn, scen, flips=flips, workers=1)
    two = run_scenarios(sn, scen, flips=flips, workers=2)
    for a, b in zip(one.__dict__.values(), two.__dict__.values()):
        assert np.array_equal(a, b)
