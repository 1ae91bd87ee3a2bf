"""Tests of the compiled snapshot: conventions, what-if API, immutability, errors."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supplynet._errors import AnalysisError, SelectorError
from supplynet.engine.snapshot import FlowArrays, Snapshot, compile_network, compile_topology
from tests.test_flow import classic, diamond, network, networks, oracle_flow

SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def test_orders_and_arrays():
    snap = compile_network(classic())
    assert snap.nodes == ("b", "c", "d", "s", "t")
    assert snap.edges == ("bt", "cb", "cd", "dt", "sb", "sc")
    assert snap.node_index["s"] == 3 and snap.edge_index["sc"] == 5
    assert [snap.nodes[i] for i in snap.edge_tail] == ["b", "c", "c", "d", "s", "s"]
    assert snap.edge_length.dtype == np.int64
    assert list(snap.sources) == [3] and snap.source_ids == ("s",)
    assert np.isinf(snap.node_capacity).all()
    assert snap.capacity_scale == 1 and snap.cost_scale == 1


def test_arrays_are_read_only():
    snap = compile_network(diamond())
    for array in (snap.edge_capacity, snap.node_capacity, snap.edge_tail, snap.sources):
        with pytest.raises(ValueError):
            array[0] = 0


def test_fractional_scale_is_smallest_power_of_ten():
    nodes = {"m": {"type": "manufacturing"}, "a": {"type": "assembly", "capacity": 0.125}}
    G = network(nodes, [("ma", "m", "a", {"capacity": 0.5})])
    snap = compile_network(G)
    assert snap.capacity_scale == 1000
    assert snap.max_flow_value() == 0.125


def test_thirds_are_exact_to_1e_9_as_networkx_has_them():
    """Three parallel edges of 1/3: networkx's max flow is 1.0; ours may not round to 0.999999."""
    nodes = {"m": {"type": "manufacturing"}, "a": {"type": "assembly"}}
    G = network(nodes, [(f"e{i}", "m", "a", {"capacity": 1 / 3}) for i in range(3)])
    snap = compile_network(G)
    assert snap.rounded == ()
    assert snap.max_flow_value() == pytest.approx(oracle_flow(G, ["m"], ["a"]), rel=1e-12)
    assert snap.max_flow_value(edge_scale={"e0": 0.3}) == pytest.approx(0.1 + 2 / 3, rel=1e-12)


def test_decimals_too_many_for_the_total_are_rounded_and_said():
    """Units of 1e-17 would overflow a total of millions: the kernels keep what fits and say so."""
    nodes = {"m": {"type": "manufacturing"}, "a": {"type": "assembly"}}
    edges = [("big", "m", "a", {"capacity": 1e6}), ("third", "m", "a", {"capacity": 1 / 3})]
    G = network(nodes, edges)
    snap = compile_network(G)
    assert snap.rounded == ("capacities",)
    assert snap.max_flow_value() == pytest.approx(oracle_flow(G, ["m"], ["a"]), rel=1e-12)


@given(st.lists(st.floats(min_value=0.001, max_value=1e6, allow_nan=False), min_size=1, max_size=6))
def test_fractional_capacities_match_networkx_to_1e_9(caps):
    nodes = {"m": {"type": "manufacturing"}, "x": {"type": "storage"}, "a": {"type": "assembly"}}
    edges = [(f"p{i}", "m", "x", {"capacity": c}) for i, c in enumerate(caps)] + [("xa", "x", "a", {})]
    G = network(nodes, edges)
    assert compile_network(G).max_flow_value() == pytest.approx(oracle_flow(G, ["m"], ["a"]), rel=1e-9)


def test_capacities_too_large_for_the_kernel_raise():
    nodes = {"m": {"type": "manufacturing"}, "a": {"type": "assembly"}}
    G = network(nodes, [("ma", "m", "a", {"capacity": 2.0**62})])
    with pytest.raises(AnalysisError, match="2\\*\\*61"):
        compile_network(G)


@pytest.mark.parametrize("attr, value", [("capacity", -1.0), ("cost", math.nan)])
def test_bad_values_raise_naming_the_element(attr, value):
    nodes = {"m": {"type": "manufacturing", attr: value}, "a": {"type": "assembly"}}
    G = network(nodes, [("ma", "m", "a", {})])
    with pytest.raises(AnalysisError, match="'m'"):
        compile_network(G)


def test_duplicate_edge_ids_raise():
    G = network({"m": {"type": "manufacturing"}, "x": {}, "a": {"type": "assembly"}},
                [("e", "m", "x", {}), ("e", "x", "a", {})])
    with pytest.raises(AnalysisError, match="unique"):
        compile_network(G)


def test_arrays_not_in_sorted_order_still_checked_and_resolved():
    """Hand-made arrays may break the sorted-order promise: ids are still checked for
    repeats (a set, not neighbours), and endpoints still found (not by binary search)."""
    from dataclasses import replace

    from supplynet.engine.compile import arrays_from_graph

    G = network({"m": {"type": "manufacturing"}, "x": {}, "a": {"type": "assembly"}},
                [("e1", "m", "x", {"capacity": 2.0}), ("e2", "x", "a", {"capacity": 3.0})])
    arrays = arrays_from_graph(G)
    flip = np.array([2, 1, 0])  # nodes a, m, x become x, m, a
    rank = np.argsort(flip)
    unsorted = replace(arrays, nodes=tuple(arrays.nodes[i] for i in flip),
                       node_type=tuple(arrays.node_type[i] for i in flip),
                       node_name=tuple(arrays.node_name[i] for i in flip),
                       edge_tail=rank[arrays.edge_tail], edge_head=rank[arrays.edge_head],
                       **{k: getattr(arrays, k)[flip] for k in (
                           "node_capacity", "node_cost", "node_interdictable", "node_x", "node_y",
                           "node_repair_days", "node_confidence")})
    snap = Snapshot.from_arrays(unsorted)
    assert snap.source_ids == ("m",) and snap.sink_ids == ("a",)
    assert [snap.nodes[i] for i in snap.sources] == ["m"] and snap.max_flow_value() == 2.0
    with pytest.raises(AnalysisError, match="unique"):  # repeats side by side
        replace(arrays, edges=("e1", "e1"))
    with pytest.raises(AnalysisError, match="unique"):  # repeats not side by side
        replace(arrays, edges=("e2", "e1", "e2"), edge_tail=np.zeros(3, np.int64),
                edge_head=np.ones(3, np.int64), **{k: np.resize(getattr(arrays, k), 3) for k in (
                    "edge_length", "edge_capacity", "edge_cost", "edge_interdictable",
                    "edge_crosses_border", "edge_repair_days", "edge_confidence")},
                edge_mode=(None,) * 3)


def test_empty_network_raises():
    with pytest.raises(AnalysisError, match="no nodes"):
        compile_network(nx.MultiDiGraph())


def test_missing_default_sources_raise_selector_error():
    with pytest.raises(SelectorError, match="manufacturing"):
        compile_network(network({"x": {}, "y": {}}, []))


def test_topology_snapshot_needs_endpoints_for_flows():
    snap = compile_topology(network({"x": {}, "y": {}}, [("xy", "x", "y", {})]))
    assert not snap.has_endpoints
    with pytest.raises(AnalysisError, match="no sources"):
        snap.max_flow_value()
    assert compile_network(snap, "id=x", "id=y").max_flow_value() == math.inf


def test_with_endpoints_shares_arrays_and_resolves_anew():
    snap = compile_network(classic())
    other = snap.with_endpoints("id=c", "id=t")
    assert other.edge_capacity is snap.edge_capacity
    assert other.max_flow_value() == 70.0 and snap.max_flow_value() == 80.0
    assert compile_network(snap) is snap


def test_what_if_removal_forms_agree():
    snap = compile_network(classic())
    c = snap.node_index["c"]
    mask = np.zeros(len(snap.nodes), bool)
    mask[c] = True
    values = {snap.max_flow_value(removed_nodes=x) for x in (["c"], "c", [c], np.array([c]), mask)}
    assert values == {10.0}
    assert snap.max_flow_value(removed_edges=["sc"]) == 10.0
    assert snap.max_flow_value(removed_nodes=[], removed_edges=[]) == 80.0


def test_scaled_capacity_is_exact_below_the_unit():
    nodes = {"m": {"type": "manufacturing"}, "a": {"type": "assembly", "capacity": 3.0}}
    snap = compile_network(network(nodes, [("ma", "m", "a", {"capacity": 3.0})]))
    assert snap.capacity_scale == 1
    assert snap.max_flow_value(edge_scale={"ma": 0.5}) == 1.5
    assert snap.max_flow_value(node_scale={"a": 0.25}) == 0.75
    arrays = snap.max_flow_arrays(edge_scale={"ma": 0.5})
    assert arrays.edge_flow.tolist() == [1.5] and arrays.value == 1.5


def test_what_if_scales():
    snap = compile_network(classic())
    assert snap.max_flow_value(edge_scale={"sc": 0.5}) == 45.0
    scale = np.ones(len(snap.edges))
    scale[snap.edge_index["sc"]] = 0.5
    assert snap.max_flow_value(edge_scale=scale) == 45.0
    assert snap.max_flow_value(node_scale={"c": 0.0}) == 10.0
    unlimited = compile_network(network(
        {"m": {"type": "manufacturing"}, "a": {"type": "assembly"}}, [("ma", "m", "a", {})]))
    assert unlimited.max_flow_value(edge_scale={"ma": 0.5}) == math.inf  # stays unlimited
    assert unlimited.max_flow_value(edge_scale={"ma": 0.0}) == 0.0


@pytest.mark.parametrize("kwargs, match", [
    ({"removed_nodes": ["nope"]}, "unknown"),
    ({"removed_edges": [99]}, "out of range"),
    ({"removed_nodes": np.ones(2, bool)}, "mask"),
    ({"edge_scale": {"sc": 1.5}}, "\\[0, 1\\]"),
    ({"node_scale": np.ones(3)}, "entries"),
    ({"node_scale": {"zz": 0.5}}, "unknown"),
])
def test_what_if_errors(kwargs, match):
    with pytest.raises(AnalysisError, match=match):
        compile_network(classic()).max_flow_value(**kwargs)


def test_max_flow_arrays_and_values():
    snap = compile_network(diamond())
    arrays = snap.max_flow_arrays(removed_nodes=["y"])
    assert isinstance(arrays, FlowArrays)
    assert arrays.value == 3.0
    assert arrays.edge_flow[snap.edge_index["my"]] == 0.0
    assert arrays.node_flow[snap.node_index["x"]] == 3.0
    values = snap.max_flow_values([(["y"], []), ([], ["mx"]), (["x", "y"], ["ya"])])
    assert values.tolist() == [3.0, 2.0, 0.0]
    assert snap.max_flow_values([]).tolist() == []


def test_repeated_what_ifs_do_not_disturb_the_base():
    snap = compile_network(classic())
    for node in snap.nodes:
        snap.max_flow_value(removed_nodes=[node])
    assert snap.max_flow_value() == 80.0
    assert snap.max_flow_arrays().edge_flow.sum() == pytest.approx(
        compile_network(classic()).max_flow_arrays().edge_flow.sum())


def test_unbounded_base_what_if():
    nodes = {"m": {"type": "manufacturing"}, "x": {}, "a": {"type": "assembly"}}
    G = network(nodes, [("mx", "m", "x", {}), ("xa", "x", "a", {}),
                        ("ma", "m", "a", {"capacity": 2.0})])
    snap = compile_network(G)
    assert snap.max_flow_value() == math.inf
    assert snap.max_flow_value(removed_nodes=["x"]) == 2.0
    assert snap.max_flow_values([(["x"], []), ([], ["ma"])]).tolist() == [2.0, math.inf]
    assert np.isnan(snap.max_flow_arrays().edge_flow).all()


def _subset(draw, ids):
    return sorted(draw(st.sets(st.sampled_from(ids), max_size=3))) if ids else []


@st.composite
def what_ifs(draw):
    G, sources, sinks = draw(networks())
    nodes = _subset(draw, sorted(G.nodes))
    edges = _subset(draw, sorted(k for _, _, k in G.edges(keys=True)))
    scaled = _subset(draw, sorted(k for _, _, k in G.edges(keys=True)))
    scales = {k: draw(st.sampled_from([0.0, 0.25, 0.5, 0.7, 1.0])) for k in scaled}
    return G, sources, sinks, nodes, edges, scales


def _modified(G, nodes, edges, scales):
    H = G.copy()
    H.remove_edges_from([(u, v, k) for u, v, k in G.edges(keys=True) if k in edges])
    for u, v, k, d in H.edges(keys=True, data=True):
        if k in scales and "capacity" in d:
            d["capacity"] = d["capacity"] * scales[k]
        elif k in scales and scales[k] == 0:
            d["capacity"] = 0.0
    H.remove_nodes_from(nodes)
    return H


@SETTINGS
@given(what_ifs())
def test_what_if_matches_networkx(case):
    G, sources, sinks, nodes, edges, scales = case
    snap = compile_network(G, sources, sinks)
    got = snap.max_flow_value(removed_nodes=nodes, removed_edges=edges, edge_scale=scales)
    H = _modified(G, nodes, edges, scales)
    src = [s for s in sources if s not in nodes]
    snk = [t for t in sinks if t not in nodes]
    assert got == pytest.approx(oracle_flow(H, src, snk), abs=1e-9)
    # The batch API gives the same as one-by-one (without scales).
    one = snap.max_flow_value(removed_nodes=nodes, removed_edges=edges)
    assert snap.max_flow_values([(nodes, edges)])[0] == pytest.approx(one, abs=1e-9)


@SETTINGS
@given(networks())
def test_snapshot_does_not_touch_the_graph(case):
    G, sources, sinks = case
    before = nx.to_dict_of_dicts(G), dict(G.nodes(data=True))
    snap = compile_network(G, sources, sinks)
    snap.max_flow_values([([v], []) for v in G.nodes])
    assert isinstance(snap, Snapshot)
    assert before == (nx.to_dict_of_dicts(G), dict(G.nodes(data=True)))


def test_jit_falls_back_without_a_cache_directory(monkeypatch):
    """Where numba finds no writable cache directory it refuses cache=True at
    decoration; supplynet then compiles uncached instead of failing to import."""
    import warnings

    import numba

    from supplynet.engine import jit as _jit

    real = numba.njit

    def refuse_cache(*args, **kwargs):
        if kwargs.get("cache"):
            raise RuntimeError("cannot cache function: no locator available")
        return real(*args, **kwargs)

    monkeypatch.setattr(_jit.numba, "njit", refuse_cache)
    with warnings.catch_warnings():
        warnings.simplefilter("error")

        @_jit.njit()
        def twice(x):
            return 2 * x

        assert twice(21) == 42


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(max_nodes=9, max_edges=24))
def test_parallel_sweep_equals_serial(case):
    """Big sweeps run on numba's threads; force that path on small networks."""
    import supplynet.engine.snapshot as module

    G, sources, sinks = case
    snap = compile_network(G, sources, sinks)
    removals = [([v], []) for v in sorted(G.nodes)]
    serial = snap.max_flow_values(removals)
    saved = module.PARALLEL_WORK
    module.PARALLEL_WORK = 0
    try:
        parallel = snap.max_flow_values(removals)
    finally:
        module.PARALLEL_WORK = saved
    np.testing.assert_array_equal(serial, parallel)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(max_nodes=9, max_edges=24))
def test_solving_side_by_side_equals_solving_alone(case):
    """solve() runs the node cut on a worker thread and starts the edge cut from the
    maximum flow; each answer equals the one solved cold on a snapshot of its own."""
    G, sources, sinks = case
    together = compile_network(G, sources, sinks).solve()
    alone = [compile_network(G, sources, sinks) for _ in range(3)]
    assert together.max_flow_value() == alone[0].max_flow_value()
    for mine, theirs in ((together.edge_cut(), alone[1].edge_cut()), (together.node_cut(), alone[2].node_cut())):
        assert mine.value == theirs.value or (math.isnan(mine.value) and math.isnan(theirs.value))
        np.testing.assert_array_equal(mine.members, theirs.members)


def test_solve_rejects_unknown_kinds():
    with pytest.raises(AnalysisError, match="solve"):
        compile_network(classic()).solve(["flow", "plan"])


@SETTINGS
@given(networks(max_nodes=8, max_edges=18), st.booleans())
def test_edge_cut_after_the_flow_equals_the_edge_cut_alone(case, strip_node_capacities):
    """Solved after the maximum flow (warm start, or the flow itself where no node has a
    capacity: one network) or alone, the minimum edge cut is the same cut."""
    G, sources, sinks = case
    if strip_node_capacities:
        for _, data in G.nodes(data=True):
            data.pop("capacity", None)
    warm = compile_network(G, sources, sinks).solve()
    cold = compile_network(G, sources, sinks)
    a, b = warm.edge_cut(), cold.edge_cut()
    assert a.value == b.value and np.array_equal(a.members, b.members)
    assert warm.max_flow_value() == cold.max_flow_value()
    if strip_node_capacities:
        assert warm.__dict__["_edge_cut"] is warm.__dict__["_flow"]
        assert a.value == warm.max_flow_value()
