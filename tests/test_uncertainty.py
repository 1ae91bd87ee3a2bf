"""Uncertain intelligence: exact figures against an independent enumeration, sampled ones in their intervals.

The oracle enumerates every outcome of the uncertain elements itself (a road's two
directions together), weights it, and asks networkx for each max flow on a graph with
the absent elements really taken out (tests/test_uncertainty_kernels.py's oracle); an
element "lies in some minimum cut" when removing it alone loses its full, nonzero
capacity. Monte-Carlo runs are held to their own 95% intervals around those exact values.
"""

from __future__ import annotations

import itertools
import math
import socket

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import supplynet
from supplynet import AnalysisError
from supplynet.analysis.uncertainty import EXACT_MAX, MAX_SAMPLES, evaluate_uncertainty, uncertain_elements
from supplynet.engine import runners
from tests.conftest import CORRIDOR
from tests.test_uncertainty_kernels import capacity, elements, oracle_flow

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def groups_of(G: nx.MultiDiGraph) -> list[list[tuple[str, str]]]:
    """Existence groups: each node and edge alone, a reverse edge with the edge it reverses."""
    out: dict[tuple[str, str], list[tuple[str, str]]] = {("node", v): [("node", v)] for v in G}
    for _, _, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: e[2]):
        out.setdefault(("edge", d.get("reverse_of") or k), []).append(("edge", k))
    return list(out.values())


def confidence(G: nx.MultiDiGraph, el: tuple[str, str]) -> float:
    kind, ident = el
    d = G.nodes[ident] if kind == "node" else next(d for _, _, k, d in G.edges(keys=True, data=True) if k == ident)
    return float(d.get("confidence", 1.0))


def oracle(G: nx.MultiDiGraph, sources, sinks) -> dict:
    """Every figure of the report, by enumerating every outcome of every doubtful group."""
    groups = groups_of(G)
    doubtful = [g for g in groups if 0 < confidence(G, g[0]) < 1]
    never = {el for g in groups if confidence(G, g[0]) == 0 for el in g}
    els = elements(G)
    values, weights, loss, cut = [], [], np.zeros(len(els)), np.zeros(len(els))
    group_loss = {tuple(g): 0.0 for g in doubtful}
    for pattern in itertools.product([False, True], repeat=len(doubtful)):
        w = math.prod(confidence(G, g[0]) if on else 1 - confidence(G, g[0]) for g, on in zip(doubtful, pattern))
        gone = set(never) | {el for g, on in zip(doubtful, pattern) if not on for el in g}
        f = oracle_flow(G, sources, sinks, gone)
        values.append(f)
        weights.append(w)
        if math.isinf(f):
            continue
        for i, el in enumerate(els):
            lost = f - oracle_flow(G, sources, sinks, gone | {el})
            loss[i] += w * lost
            cut[i] += w * (el not in gone and 0 < capacity(G, el) < math.inf and lost == pytest.approx(capacity(G, el)))
        for g in doubtful:
            group_loss[tuple(g)] += w * (f - oracle_flow(G, sources, sinks, gone | set(g)))
    return {"values": np.array(values), "weights": np.array(weights), "loss": loss, "cut": cut,
            "group_loss": group_loss, "elements": els}


def quantile(values: np.ndarray, weights: np.ndarray, level: float) -> float:
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return float(values[order][np.flatnonzero(cum >= level - 1e-12)[0]])


@st.composite
def uncertain_networks(draw, max_nodes: int = 6, max_edges: int = 8):
    """Small networks with confidences (0, 1 or in between), unlimited capacities and two-way roads."""
    n = draw(st.integers(4, max_nodes))
    names = [chr(ord("a") + i) for i in range(n)]
    sources, sinks = names[:draw(st.integers(1, 2))], names[-draw(st.integers(1, 2)):]
    caps = st.sampled_from([None, 2.0, 3.0, 5.0, 8.0])
    conf = st.sampled_from([None, None, 1.0, 0.0, 0.3, 0.5, 0.8])
    G = nx.MultiDiGraph()
    budget = [5]  # most doubtful groups, so that the oracle stays quick

    def attrs() -> dict:
        out = {}
        cap, q = draw(caps), draw(conf)
        if cap is not None:
            out["capacity"] = cap
        if q is not None and (q in (0.0, 1.0) or budget[0] > 0):
            out["confidence"] = q
            budget[0] -= 0 < q < 1
        return out

    for v in names:
        G.add_node(v, type="storage", **attrs())
    pairs = [(sources[0], names[len(sources)]), (names[len(sources)], sinks[-1])]
    for _ in range(draw(st.integers(0, max_edges - 2))):
        pairs.append(tuple(draw(st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True))))
    for j, (u, v) in enumerate(pairs):
        a = attrs()
        G.add_edge(u, v, key=f"e{j}", length=1, **a)
        if draw(st.booleans()) and j % 3 == 0:  # a two-way road: one existence, the same confidence
            G.add_edge(v, u, key=f"e{j}~rev", length=1, reverse_of=f"e{j}", **a)
    return G, sources, sinks


@SETTINGS
@given(net=uncertain_networks())
def test_exact_figures_equal_the_enumeration_by_networkx(net) -> None:
    G, sources, sinks = net
    rep = evaluate_uncertainty(G, sources, sinks, method="exact")
    ref = oracle(G, sources, sinks)
    values, weights = ref["values"], ref["weights"]
    assert rep.method == "exact" and rep.samples is None
    assert weights.sum() == pytest.approx(1.0)
    if np.all(np.isfinite(values)):
        assert rep.expected_max_flow == pytest.approx(float(np.dot(values, weights)))
    else:
        assert math.isinf(rep.expected_max_flow)
    assert rep.p_unlimited == pytest.approx(float(weights[np.isinf(values)].sum()))
    assert rep.p_any_flow == pytest.approx(float(weights[values > 0].sum()))
    for key, level in (("p10", 0.1), ("p50", 0.5), ("p90", 0.9)):
        assert rep.max_flow_quantiles[key] == quantile(values, weights, level)
    table = {**{("node", v): r for v, r in rep.nodes.iterrows()}, **{("edge", e): r for e, r in rep.edges.iterrows()}}
    for i, el in enumerate(ref["elements"]):
        assert table[el]["p_in_min_cut"] == pytest.approx(ref["cut"][i], abs=1e-12), el
        if rep.p_unlimited == 0:
            assert table[el]["expected_flow_loss"] == pytest.approx(ref["loss"][i], abs=1e-9), el
    if rep.p_unlimited == 0:
        for row in rep.collect.to_dict("records"):
            group = next(g for g in ref["group_loss"] if g[0] == (row["kind"], row["id"]))
            lost = ref["group_loss"][group]
            assert row["expected_flow_loss"] == pytest.approx(lost, abs=1e-9)
            assert row["expected_revision"] == pytest.approx(2 * (1 - row["confidence"]) * lost, abs=1e-9)
            assert row["if_present"] - row["if_absent"] == pytest.approx(lost / row["confidence"], abs=1e-9)


def lesson() -> nx.MultiDiGraph:
    """One certain arc of capacity 8 against two doubtful arcs in series (20 each, confidence 0.5)."""
    G = nx.MultiDiGraph()
    G.add_node("s", type="manufacturing", interdictable=False)
    G.add_node("m", type="storage", interdictable=False)
    G.add_node("t", type="assembly", interdictable=False)
    G.add_edge("s", "t", key="a", capacity=8.0, length=1)
    G.add_edge("s", "m", key="b1", capacity=20.0, confidence=0.5, length=1)
    G.add_edge("m", "t", key="b2", capacity=20.0, confidence=0.5, length=1)
    return G


def test_the_classic_lesson_network_delivers_13_on_average() -> None:
    rep = evaluate_uncertainty(lesson())
    assert (rep.method, rep.scenarios, rep.max_flow, rep.expected_max_flow, rep.p_any_flow) == ("exact", 4, 28.0, 13.0, 1.0)
    assert rep.max_flow_quantiles == {"p10": 8.0, "p50": 8.0, "p90": 28.0}
    assert rep.edges["expected_flow_loss"].to_dict() == {"a": 8.0, "b1": 5.0, "b2": 5.0}
    assert rep.edges["p_in_min_cut"].to_dict() == {"a": 1.0, "b1": 0.25, "b2": 0.25}
    assert list(rep.collect["id"]) == ["b1", "b2"]  # equal revisions: by id


def network_with_doubts(n_doubtful: int, seed: int) -> nx.MultiDiGraph:
    """A layered network of 14 nodes with ``n_doubtful`` doubtful elements (a fixed seed)."""
    rng = np.random.default_rng(seed)
    G = nx.MultiDiGraph()
    layers = [["s1", "s2"], ["x1", "x2", "x3"], ["y1", "y2", "y3", "y4"], ["z1", "z2", "z3"], ["t1", "t2"]]
    for k, layer in enumerate(layers):
        for v in layer:
            G.add_node(v, type="manufacturing" if k == 0 else "assembly" if k == 4 else "storage",
                       capacity=float(rng.integers(6, 15)))
    j = 0
    for a, b in zip(layers, layers[1:]):
        for u in a:
            for v in b:
                if rng.random() < 0.7:
                    G.add_edge(u, v, key=f"e{j:02d}", length=1, capacity=float(rng.integers(2, 9)))
                    j += 1
    doubt = rng.choice(sorted(list(G.nodes) + [k for _, _, k in G.edges(keys=True)]), n_doubtful, replace=False)
    for el in doubt:
        attrs = G.nodes[el] if el in G else next(d for _, _, k, d in G.edges(keys=True, data=True) if k == el)
        attrs["confidence"] = float(rng.choice([0.4, 0.6, 0.75, 0.9]))
    return G


def test_monte_carlo_intervals_cover_the_exact_values() -> None:
    """Over 20 independent samples, each 95% interval holds the exact value about 19 times in 20.

    The figures of one sample share its scenarios, so their misses come together; the
    test counts coverage over samples, as the intervals promise it.
    """
    G = network_with_doubts(12, 3)
    exact = evaluate_uncertainty(G, method="exact")
    headline = {"mean": 0, "p_any": 0, "p10": 0, "p50": 0, "p90": 0}
    inside, counted = 0, 0
    runs = 20
    for seed in range(runs):
        mc = evaluate_uncertainty(G, method="monte-carlo", samples=1000, seed=seed)
        assert mc.method == "monte-carlo" and mc.samples == 1000
        lo, hi = mc.expected_max_flow_interval
        headline["mean"] += lo <= exact.expected_max_flow <= hi
        lo, hi = mc.p_any_flow_interval
        headline["p_any"] += lo <= exact.p_any_flow <= hi
        for key in ("p10", "p50", "p90"):
            lo, hi = mc.max_flow_quantile_intervals[key]
            headline[key] += lo <= exact.max_flow_quantiles[key] <= hi
        for table in ("nodes", "edges"):
            e, m = getattr(exact, table), getattr(mc, table)
            for col in ("expected_flow_loss", "p_in_min_cut"):
                for ident in e.index:
                    if e.at[ident, col] == 0:
                        continue  # never in play: nothing to estimate
                    counted += 1
                    inside += m.at[ident, f"{col}_low"] - 1e-12 <= e.at[ident, col] <= m.at[ident, f"{col}_high"] + 1e-12
    assert min(headline.values()) >= runs - 3, headline
    assert counted > 400 and inside >= 0.9 * counted, (inside, counted)


def test_sixteen_uncertain_elements_are_enumerated_and_seventeen_sampled() -> None:
    for n, method in ((EXACT_MAX, "exact"), (EXACT_MAX + 1, "monte-carlo")):
        G = nx.MultiDiGraph()
        G.add_node("s", type="manufacturing")
        G.add_node("t", type="assembly")
        for j in range(n):
            G.add_edge("s", "t", key=f"e{j:02d}", length=1, capacity=1.0, confidence=0.5)
        rep = evaluate_uncertainty(G, samples=200, losses="none")
        assert rep.method == method and rep.uncertain == n
        assert rep.scenarios == (2 ** n if method == "exact" else 200)
        if method == "exact":
            assert rep.expected_max_flow == pytest.approx(n / 2)
    with pytest.raises(AnalysisError, match="at most 2\\*\\*16 outcomes"):
        evaluate_uncertainty(G, method="exact")


def test_a_road_exists_in_both_directions_or_in_neither() -> None:
    G = lesson()
    G.add_edge("t", "m", key="b2~rev", capacity=20.0, confidence=0.5, length=1, reverse_of="b2")
    els = uncertain_elements(G)
    assert len(els.uncertain) == 2  # b1, and b2 with its reverse
    rep = evaluate_uncertainty(G)
    assert rep.scenarios == 4 and rep.expected_max_flow == 13.0
    assert rep.collect.set_index("id").at["b2", "members"] == ["b2", "b2~rev"]
    G.edges["t", "m", "b2~rev"]["confidence"] = 0.7
    with pytest.raises(AnalysisError, match="b2~rev.*confidence 0.7.*exist together"):
        evaluate_uncertainty(G)


def test_confidence_zero_means_never_there_and_unused_doubts_change_nothing() -> None:
    G = lesson()
    G.edges["s", "t", "a"]["confidence"] = 0.0
    G.add_node("far", type="storage", confidence=0.3)
    G.add_edge("far", "s", key="spur", length=1, capacity=3.0, confidence=0.4)  # into a source: on no route
    rep = evaluate_uncertainty(G)
    assert rep.expected_max_flow == 5.0 and rep.max_flow == 28.0 and rep.uncertain == 2
    assert rep.edges.at["a", "expected_flow_loss"] == 0.0 and rep.edges.at["a", "p_in_min_cut"] == 0.0
    assert any("confidence 0" in n for n in rep.notes) and any("no source-to-sink path" in n for n in rep.notes)


def test_an_unlimited_route_that_may_exist_makes_the_expectation_unlimited() -> None:
    G = lesson()
    G.add_edge("s", "t", key="open", length=1, confidence=0.25)  # no capacity: unlimited
    rep = evaluate_uncertainty(G)
    assert math.isinf(rep.expected_max_flow) and rep.p_unlimited == pytest.approx(0.25)
    assert rep.max_flow_quantiles["p50"] in (8.0, 28.0) and math.isinf(rep.max_flow_quantiles["p90"])
    assert rep.edges["expected_flow_loss"].isna().all()
    assert any("unlimited" in n for n in rep.notes)


def test_the_corridor_says_how_little_its_confidences_leave() -> None:
    G = supplynet.read_network(CORRIDOR)
    rep = evaluate_uncertainty(G, samples=2000, seed=0, losses="uncertain")
    assert rep.method == "monte-carlo" and rep.max_flow == 320.0 and rep.uncertain > 100
    lo, hi = rep.expected_max_flow_interval
    assert 5 < lo < rep.expected_max_flow < hi < 15  # about 9 units of 320
    assert 0.25 < rep.p_any_flow < 0.4 and rep.max_flow_quantiles["p50"] == 0.0
    assert any(n.startswith("The confidences leave little expected flow") for n in rep.notes)
    assert rep.collect["expected_revision"].is_monotonic_decreasing and len(rep.collect) == rep.uncertain
    again = evaluate_uncertainty(G, samples=2000, seed=0, losses="uncertain", workers=1)
    assert again.to_dict() == rep.to_dict()  # the same draws, whatever the threads
    other = evaluate_uncertainty(G, samples=2000, seed=1, losses="uncertain")
    assert other.expected_max_flow != rep.expected_max_flow


def test_the_report_names_its_json_keys() -> None:
    doc = evaluate_uncertainty(lesson()).to_dict()
    for key in ("method", "samples", "seed", "expected_max_flow", "max_flow_quantiles", "p_any_flow", "nodes",
                "edges", "collect_next", "expected_max_flow_interval", "p_any_flow_interval"):
        assert key in doc
    assert set(doc["max_flow_quantiles"]) == {"p10", "p50", "p90"}
    row = next(r for r in doc["edges"] if r["id"] == "b1")
    assert {"id", "expected_flow_loss", "p_in_min_cut", "expected_flow_loss_interval", "confidence"} <= set(row)
    assert row["expected_flow_loss_interval"] is None  # exact: no interval


@pytest.mark.parametrize("kwargs, message", [
    ({"samples": 0}, "samples must be a whole number from 1"),
    ({"samples": -5}, "samples must be a whole number from 1"),
    ({"samples": MAX_SAMPLES + 1}, "samples must be a whole number from 1 to 1,000,000"),
    ({"samples": 2.5}, "samples must be a whole number"),
    ({"samples": True}, "samples must be a whole number"),
    ({"seed": -1}, "seed must be a whole number >= 0"),
    ({"seed": "x"}, "seed must be a whole number >= 0"),
    ({"method": "guess"}, "method must be one of auto, exact, monte-carlo"),
    ({"losses": "some"}, "losses must be one of all, uncertain, none"),
    ({"workers": 0}, "workers must be a whole number from 1"),
    ({"workers": 10_000}, "workers must be a whole number from 1"),
    ({"p_success": 1.5}, "p_success must be a number from 0 to 1"),
])
def test_bad_arguments_are_refused_by_name(kwargs: dict, message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        evaluate_uncertainty(lesson(), **kwargs)


def test_probabilities_outside_zero_to_one_name_the_element() -> None:
    G = lesson()
    G.edges["s", "m", "b1"]["confidence"] = 1.2
    with pytest.raises(AnalysisError, match="confidence outside 0..1: edge 'b1' \\(1.2\\)"):
        evaluate_uncertainty(G)
    G = lesson()
    G.nodes["m"]["p_success"] = -0.5
    with pytest.raises(AnalysisError, match="p_success outside 0..1: node 'm'"):
        evaluate_uncertainty(G)


def closed_port() -> str:
    """Return the address of a local port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"


def test_an_unreachable_scheduler_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runners, "SCHEDULER_TIMEOUT", 1.0)
    address = closed_port()
    with pytest.raises(AnalysisError, match=f"cannot reach a Dask scheduler at '{address}' within 1 s"):
        evaluate_uncertainty(network_with_doubts(20, 1), scheduler=address)
    with pytest.raises(AnalysisError, match="scheduler: "):
        evaluate_uncertainty(network_with_doubts(20, 1), scheduler="not an address at all")


def test_the_graph_is_never_changed() -> None:
    G = network_with_doubts(12, 2)
    before = nx.to_dict_of_dicts(G), dict(G.nodes(data=True))
    evaluate_uncertainty(G, samples=50, method="monte-carlo")
    assert (nx.to_dict_of_dicts(G), dict(G.nodes(data=True))) == before
