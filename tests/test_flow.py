"""Tests of supplynet.analysis.flow: hand-worked networks, then networkx as an oracle.

The oracles build the node-split network in networkx directly from the definitions in
docs/design.md (each edge gets its own mid-vertex so parallel edges stay distinct) and use
``networkx.maximum_flow_value`` / ``minimum_cut_value``; an unbounded answer shows as
``NetworkXUnbounded``. Random networks come from :func:`networks` (also used by
test_snapshot.py and test_centrality.py).
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supplynet._errors import AnalysisError, SelectorError
from supplynet.analysis.flow import (
    EdgeCut,
    NodeCut,
    compile_network,
    flow_loss,
    max_flow,
    min_edge_cut,
    min_node_cut,
)

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


# -- building networks -------------------------------------------------------------


def network(nodes: dict[str, dict], edges: list[tuple]) -> nx.MultiDiGraph:
    """Return a contract MultiDiGraph; edges are ``(id, u, v, attrs)``."""
    G = nx.MultiDiGraph()
    for node, attrs in nodes.items():
        G.add_node(node, **{"type": "storage", "name": node, "x": 0.0, "y": 0.0,
                            "cost": 1.0, "interdictable": True, **attrs})
    for key, u, v, attrs in edges:
        G.add_edge(u, v, key=key, **{"length": 1, "cost": 1.0, "interdictable": True,
                                     **attrs})
    return G


def classic() -> nx.MultiDiGraph:
    """s->b 10, s->c 70, c->b 30, b->t 100, c->d 40, d->t 50: max flow 80."""
    nodes = {"s": {"type": "manufacturing"}, "b": {}, "c": {}, "d": {},
             "t": {"type": "assembly"}}
    caps = [("sb", 10), ("sc", 70), ("cb", 30), ("bt", 100), ("cd", 40), ("dt", 50)]
    return network(nodes, [(k, k[0], k[1], {"capacity": float(c)}) for k, c in caps])


def diamond() -> nx.MultiDiGraph:
    """m -> {x, y} -> a, node x capped at 3."""
    nodes = {"m": {"type": "manufacturing"}, "x": {"capacity": 3.0, "cost": 2.0},
             "y": {"cost": 4.0}, "a": {"type": "assembly", "cost": 10.0}}
    edges = [("mx", "m", "x", {"capacity": 5.0}), ("my", "m", "y", {"capacity": 4.0}),
             ("xa", "x", "a", {"capacity": 6.0}), ("ya", "y", "a", {"capacity": 2.0})]
    return network(nodes, edges)


@st.composite
def networks(draw: st.DrawFn, max_nodes: int = 8, max_edges: int = 18) -> tuple:
    """Draw ``(G, sources, sinks)``: capacities sometimes absent or halves, node
    capacities, costs with zeros, uninterdictable nodes, parallel edges, lengths with
    deliberate ties (0 included), several sources and sinks."""
    n = draw(st.integers(2, max_nodes))
    ids = [f"n{i}" for i in range(n)]
    maybe_cap = st.one_of(st.none(), st.integers(0, 12).map(lambda c: c / 2))
    nodes = {}
    for node in ids:
        attrs = {"cost": float(draw(st.integers(0, 4))),
                 "interdictable": draw(st.sampled_from([True, True, True, False]))}
        cap = draw(st.one_of(st.none(), st.none(), maybe_cap))
        if cap is not None:
            attrs["capacity"] = cap
        nodes[node] = attrs
    # (u, u + offset): never a self-loop, without filtering draws away.
    pairs = st.tuples(st.integers(0, n - 1), st.integers(1, n - 1)).map(
        lambda p: (ids[p[0]], ids[(p[0] + p[1]) % n]))
    edges = []
    for j, (u, v) in enumerate(draw(st.lists(pairs, min_size=n, max_size=max_edges))):
        attrs = {"length": draw(st.sampled_from([0, 1, 1, 2, 3]))}
        cap = draw(maybe_cap)
        if cap is not None:
            attrs["capacity"] = cap
        edges.append((f"e{j:02d}", u, v, attrs))
    order = draw(st.permutations(ids))
    n_src = draw(st.integers(1, n - 1))
    n_snk = draw(st.integers(1, n - n_src))
    return network(nodes, edges), sorted(order[:n_src]), sorted(order[n_src:n_src + n_snk])


# -- oracles -------------------------------------------------------------------------


def split_graph(G: nx.MultiDiGraph, sources, sinks, *, node_attr: str | None = "capacity",
                edge_attr: str | None = "capacity", interdictable_only: bool = False) -> nx.DiGraph:
    """Return the node-split DiGraph; a missing attribute means unlimited."""
    H = nx.DiGraph()
    H.add_nodes_from(["S", "T"])
    for v, d in G.nodes(data=True):
        limited = node_attr in d if node_attr else False
        if interdictable_only:
            limited = limited and d["interdictable"]
        H.add_edge((v, "in"), (v, "out"), **({"capacity": d[node_attr]} if limited else {}))
    for u, v, k, d in G.edges(keys=True, data=True):
        limited = edge_attr is not None and edge_attr in d
        H.add_edge((u, "out"), ("e", k), **({"capacity": d[edge_attr]} if limited else {}))
        H.add_edge(("e", k), (v, "in"))
    for s in sources:
        H.add_edge("S", (s, "in"))
    for t in sinks:
        H.add_edge((t, "out"), "T")
    return H


def oracle_flow(G, sources, sinks, **kw) -> float:
    if not sources or not sinks:
        return 0.0
    try:
        return float(nx.maximum_flow_value(split_graph(G, sources, sinks, **kw), "S", "T"))
    except nx.NetworkXUnbounded:
        return math.inf


def oracle_node_cut(G, sources, sinks) -> float:
    return oracle_flow(G, sources, sinks, node_attr="cost", edge_attr=None,
                       interdictable_only=True)


def disconnected(G: nx.MultiDiGraph, sources, sinks) -> bool:
    """Whether no remaining source has a path to a remaining sink."""
    return not any(nx.has_path(G, s, t) for s in sources for t in sinks
                   if s in G and t in G)


# -- hand-worked networks ------------------------------------------------------------


def test_classic_max_flow_and_cut():
    G = classic()
    result = max_flow(G)
    assert result.value == 80.0
    assert result.sources == ["s"] and result.sinks == ["t"]
    assert result.edge_flow.name == "flow" and result.edge_flow.index.name == "edge"
    assert result.edge_flow[["sb", "sc"]].sum() == 80.0
    assert result.bottleneck_nodes == []
    cut = min_edge_cut(G)
    assert cut == EdgeCut(80.0, ["sb", "sc"])
    assert min_node_cut(G) == NodeCut(1.0, ["s"])  # every cost is 1: cut a single node


def test_diamond_node_capacity_binds():
    G = diamond()
    result = max_flow(G)
    assert result.value == 5.0  # x passes 3, y passes 2
    assert result.bottleneck_nodes == ["x"]
    assert result.node_flow["x"] == 3.0 and result.node_flow["m"] == 5.0
    assert min_edge_cut(G) == EdgeCut(7.0, ["mx", "ya"])  # node capacities ignored
    assert min_node_cut(G) == NodeCut(1.0, ["m"])  # the source costs the default 1


def test_parallel_modes_carry_separate_flows():
    nodes = {"m": {"type": "manufacturing"}, "a": {"type": "assembly"}}
    edges = [("road", "m", "a", {"capacity": 4.0, "mode": "road"}),
             ("rail", "m", "a", {"capacity": 3.0, "mode": "rail"}),
             ("air", "m", "a", {"capacity": 0.0, "mode": "air"})]
    G = network(nodes, edges)
    result = max_flow(G)
    assert result.value == 7.0
    assert result.edge_flow.to_dict() == {"air": 0.0, "rail": 3.0, "road": 4.0}
    assert min_edge_cut(G) == EdgeCut(7.0, ["air", "rail", "road"])  # every parallel edge
    loss = flow_loss(G, elements="edges")
    assert loss.to_dict() == {"air": 0.0, "rail": 3.0, "road": 4.0}


def test_no_path_gives_zero_and_empty_cuts():
    nodes = {"m": {"type": "manufacturing"}, "x": {}, "a": {"type": "assembly"}}
    G = network(nodes, [("mx", "m", "x", {"capacity": 2.0}), ("ax", "a", "x", {})])
    assert max_flow(G).value == 0.0
    assert min_edge_cut(G) == EdgeCut(0.0, [])
    assert min_node_cut(G) == NodeCut(0.0, [])
    assert (flow_loss(G, elements="both") == 0).all()


def test_unlimited_path_is_unbounded():
    nodes = {"m": {"type": "manufacturing", "interdictable": False}, "x": {}, "y": {},
             "a": {"type": "assembly", "interdictable": False}}
    edges = [("mx", "m", "x", {}), ("xa", "x", "a", {}),
             ("my", "m", "y", {"capacity": 1.0}), ("ya", "y", "a", {"capacity": 1.0})]
    G = network(nodes, edges)
    result = max_flow(G)
    assert result.value == math.inf and result.unbounded
    assert result.edge_flow.isna().all() and result.bottleneck_nodes == []
    assert min_edge_cut(G) == EdgeCut(math.inf, [])
    assert min_node_cut(G) == NodeCut(2.0, ["x", "y"])
    loss = flow_loss(G, elements="both")
    assert loss[("node", "x")] == math.inf  # leaves 1 unit: finite
    assert math.isnan(loss[("node", "y")])  # still unbounded through x
    assert loss[("edge", "mx")] == math.inf and math.isnan(loss[("edge", "my")])
    assert loss[("node", "m")] == math.inf  # no source left: 0
    assert loss.index.names == ["element", "id"]


def test_unbounded_flow_loss_reports_progress():
    nodes = {"m": {"type": "manufacturing"}, "x": {}, "a": {"type": "assembly"}}
    G = network(nodes, [("mx", "m", "x", {}), ("xa", "x", "a", {})])
    calls = []
    loss = flow_loss(G, progress=lambda done, total: calls.append((done, total)))
    assert loss.to_dict() == {"a": math.inf, "m": math.inf, "x": math.inf}
    assert calls == [(0, 3), (3, 3)]


def test_uninterdictable_path_has_no_finite_node_cut():
    nodes = {"m": {"type": "manufacturing", "interdictable": False},
             "a": {"type": "assembly", "interdictable": False}}
    G = network(nodes, [("ma", "m", "a", {"capacity": 3.0})])
    assert min_node_cut(G).unbounded
    assert max_flow(G).value == 3.0


def test_zero_cost_nodes_are_cut_for_free():
    nodes = {"m": {"type": "manufacturing", "cost": 5.0}, "x": {"cost": 0.0},
             "a": {"type": "assembly", "cost": 5.0}}
    G = network(nodes, [("mx", "m", "x", {}), ("xa", "x", "a", {})])
    assert min_node_cut(G) == NodeCut(0.0, ["x"])


def test_fractional_capacities_are_exact():
    nodes = {"m": {"type": "manufacturing"}, "x": {"capacity": 0.3},
             "a": {"type": "assembly"}}
    edges = [("mx", "m", "x", {"capacity": 0.25}), ("ma", "m", "a", {"capacity": 0.1}),
             ("xa", "x", "a", {"capacity": 1.0})]
    G = network(nodes, edges)
    assert max_flow(G).value == pytest.approx(0.35, abs=1e-12)
    assert min_edge_cut(G).capacity == pytest.approx(0.35, abs=1e-12)


def test_flow_loss_of_classic_network():
    loss = flow_loss(classic())
    assert loss.name == "flow_loss" and list(loss.index) == ["b", "c", "d", "s", "t"]
    assert loss.to_dict() == {"b": 40.0, "c": 70.0, "d": 40.0, "s": 80.0, "t": 80.0}


def test_flow_loss_progress_reports_every_resolve():
    calls = []
    flow_loss(classic(), elements="both", progress=lambda done, total: calls.append((done, total)))
    assert calls[0][0] == 0 and calls[-1][0] == calls[-1][1] > 0


def test_flow_loss_rejects_unknown_elements():
    with pytest.raises(AnalysisError, match="elements"):
        flow_loss(classic(), elements="arcs")  # type: ignore[arg-type]


def test_snapshot_in_place_of_graph():
    snap = compile_network(classic())
    assert max_flow(snap).value == 80.0
    assert min_edge_cut(snap).capacity == 80.0
    assert min_edge_cut(snap, "id=c", "id=t") == EdgeCut(70.0, ["cb", "cd"])
    assert flow_loss(snap)["c"] == 70.0


def test_selector_errors_surface():
    with pytest.raises(SelectorError):
        max_flow(classic(), "id=s", "id=s")
    with pytest.raises(SelectorError):
        max_flow(classic(), "type=airfield")


def test_graph_is_not_modified():
    G = diamond()
    before = (list(G.nodes(data=True)), list(G.edges(keys=True, data=True)))
    max_flow(G), min_edge_cut(G), min_node_cut(G), flow_loss(G, elements="both")
    assert before == (list(G.nodes(data=True)), list(G.edges(keys=True, data=True)))


# -- networkx as the oracle ----------------------------------------------------------


def _check_feasible(G, result, sources, sinks) -> None:
    """Capacities, conservation, throughput and value of a finite flow."""
    eps = 1e-9
    flow = result.edge_flow
    for u, v, k, d in G.edges(keys=True, data=True):
        assert -eps <= flow[k] <= d.get("capacity", math.inf) + eps
    supplied = 0.0
    for v, d in G.nodes(data=True):
        into = sum(flow[k] for _, _, k in G.in_edges(v, keys=True))
        out = sum(flow[k] for _, _, k in G.out_edges(v, keys=True))
        through = result.node_flow[v]
        assert through <= d.get("capacity", math.inf) + eps
        if v not in sources:  # only the super source feeds a node besides its edges
            assert through == pytest.approx(into, abs=eps)
        if v not in sinks:  # only the super sink drains one
            assert through == pytest.approx(out, abs=eps)
        if v in sources:
            supplied += through - into
    assert supplied == pytest.approx(result.value, abs=eps)


@SETTINGS
@given(networks())
def test_max_flow_matches_networkx(case):
    G, sources, sinks = case
    result = max_flow(G, sources, sinks)
    assert result.value == pytest.approx(oracle_flow(G, sources, sinks), abs=1e-9)
    if not result.unbounded:
        _check_feasible(G, result, sources, sinks)
        for v in result.bottleneck_nodes:
            assert result.node_flow[v] == pytest.approx(G.nodes[v]["capacity"])


@SETTINGS
@given(networks())
def test_min_edge_cut_matches_networkx_and_disconnects(case):
    G, sources, sinks = case
    cut = min_edge_cut(G, sources, sinks)
    expected = oracle_flow(G, sources, sinks, node_attr=None)
    assert cut.capacity == pytest.approx(expected, abs=1e-9)
    if cut.unbounded:
        assert cut.edges == []
        return
    caps = {k: d.get("capacity", math.inf) for _, _, k, d in G.edges(keys=True, data=True)}
    assert sum(caps[e] for e in cut.edges) == pytest.approx(cut.capacity, abs=1e-9)
    assert cut.edges == sorted(cut.edges)
    H = G.copy()
    H.remove_edges_from([(u, v, k) for u, v, k in G.edges(keys=True) if k in cut.edges])
    assert disconnected(H, sources, sinks)
    flow = max_flow(G, sources, sinks)
    assert cut.capacity >= flow.value - 1e-9
    if not flow.bottleneck_nodes:  # no node capacity binds: cut capacity equals max flow (docs/design.md)
        assert cut.capacity == pytest.approx(flow.value, abs=1e-9)


@SETTINGS
@given(networks())
def test_min_node_cut_matches_networkx_and_disconnects(case):
    G, sources, sinks = case
    cut = min_node_cut(G, sources, sinks)
    assert cut.cost == pytest.approx(oracle_node_cut(G, sources, sinks), abs=1e-9)
    if cut.unbounded:
        assert cut.nodes == []
        return
    assert all(G.nodes[v]["interdictable"] for v in cut.nodes)
    assert sum(G.nodes[v]["cost"] for v in cut.nodes) == pytest.approx(cut.cost, abs=1e-9)
    H = G.copy()
    H.remove_nodes_from(cut.nodes)
    assert disconnected(H, sources, sinks)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(max_nodes=7, max_edges=14))
def test_flow_loss_matches_removal_by_removal(case):
    G, sources, sinks = case
    loss = flow_loss(G, sources, sinks, elements="both")
    base = oracle_flow(G, sources, sinks)
    for v in G.nodes:
        H = G.copy()
        H.remove_node(v)
        after = oracle_flow(H, [s for s in sources if s != v], [t for t in sinks if t != v])
        _assert_loss(loss[("node", v)], base, after)
    for u, v, k in G.edges(keys=True):
        H = G.copy()
        H.remove_edge(u, v, key=k)
        _assert_loss(loss[("edge", k)], base, oracle_flow(H, sources, sinks))


def _assert_loss(got: float, base: float, after: float) -> None:
    if math.isinf(base):
        assert (math.isnan(got) and math.isinf(after)) or (got == math.inf and
                                                           math.isfinite(after))
    else:
        assert got == pytest.approx(base - after, abs=1e-9)


@SETTINGS
@given(networks(max_nodes=9, max_edges=22))
def test_flow_loss_agrees_with_snapshot_what_if(case):
    G, sources, sinks = case
    snap = compile_network(G, sources, sinks)
    loss = flow_loss(snap, elements="nodes")
    base = snap.max_flow_value()
    for v in G.nodes:
        after = snap.max_flow_value(removed_nodes=[v])
        if math.isfinite(base):
            assert loss[v] == pytest.approx(base - after, abs=1e-9)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(max_nodes=9, max_edges=22))
def test_repair_searches_restart_their_stamps_at_every_search(case):
    """A repair reads no search stamp after the search that set it, so its int32 stamps
    may start again at any search: on one scratch whose stamps restart before every
    search, each node's what-if still equals networkx's. The node's out-edges go first
    and no sides are given, so that every lowered arc is rerouted by searches."""
    from supplynet.engine import maxflow as mf
    from supplynet.engine.repair import solve_lowered

    G, sources, sinks = case
    snap = compile_network(G, sources, sinks)
    base, _ = snap._flow
    if base is None:
        return  # unbounded: no repair
    net = snap._flownet()
    work = net.work()
    work.search_limits[0] = 0
    m = len(snap.edges)
    empty = np.zeros(0, bool)
    sides = (empty, empty, empty, np.zeros(len(net.ptr) - 1, bool))
    for v in G.nodes:
        i = snap.node_index[v]
        pos = net.fwd_pos[np.r_[np.flatnonzero(snap.edge_tail == i), m + i]]
        res = base.copy()
        value = solve_lowered(net.ptr, net.head, net.mate, net.is_fwd, res, pos, np.zeros(len(pos), np.int64),
                              net.source, net.sink, sides, work)
        mf.restore(res, base, work)
        H = G.copy()
        H.remove_node(v)
        after = oracle_flow(H, [s for s in sources if s != v], [t for t in sinks if t != v])
        assert value / snap.capacity_scale == pytest.approx(after, abs=1e-9)
    assert work.search_now[0] <= 1 and work.fwd_stamp.max() <= 1 and work.back_stamp.max() <= 1


def test_flow_loss_on_generated_network_matches_networkx():
    """One larger road-like network: every node's loss, against networkx."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from generate import road_network

    G = road_network(120, seed=4)
    snap = compile_network(G)
    loss = flow_loss(snap)
    base = oracle_flow(G, snap.source_ids, snap.sink_ids)
    assert snap.max_flow_value() == base
    rng = np.random.default_rng(0)
    for v in rng.choice(sorted(G), 25, replace=False):
        H = G.copy()
        H.remove_node(v)
        src = [s for s in snap.source_ids if s != v]
        snk = [t for t in snap.sink_ids if t != v]
        assert loss[v] == pytest.approx(base - oracle_flow(H, src, snk), abs=1e-9)
