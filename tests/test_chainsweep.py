"""Tests of the flow-loss sweep along flow chains (supplynet.engine.chainsweep).

The oracle re-solves every element from scratch: networkx's maximum flow on the
node-split network built from the snapshot's arrays without that element. Random
networks come in the benchmark's shapes (benchmarks/generate.py), small enough for
``make test``, plus capacities of 1-3 (many ties and flow chains) and hand-made maximum
flows with circulations, which the max-flow kernel never leaves but any maximum flow may
have.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import supplynet.engine.snapshot as snapshot_module
from supplynet._errors import AnalysisError
from supplynet.analysis.flow import compile_network, flow_loss
from supplynet.engine import maxflow as mf
from tests.test_flow import network

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import shaped_columns, to_graph  # noqa: E402

SHAPES = ("spread", "random", "far", "one", "grid", "ties")


def split_graph(snap, drop_node: int | None = None, drop_edge: int | None = None) -> nx.DiGraph:
    """Return the node-split DiGraph of a snapshot without one element (parallel edges
    summed; a missing capacity is unlimited)."""
    caps: dict = {}

    def add(u, v, c):
        caps[(u, v)] = caps.get((u, v), 0.0) + c

    for i in range(len(snap.nodes)):
        if i != drop_node:
            add(("in", i), ("out", i), snap.node_capacity[i])
    for j in range(len(snap.edges)):
        t, h = int(snap.edge_tail[j]), int(snap.edge_head[j])
        if j != drop_edge and drop_node not in (t, h):
            add(("out", t), ("in", h), snap.edge_capacity[j])
    for s in snap.sources:
        if s != drop_node:
            add("S", ("in", int(s)), math.inf)
    for t in snap.sinks:
        if t != drop_node:
            add(("out", int(t)), "T", math.inf)
    H = nx.DiGraph()
    H.add_nodes_from(["S", "T"])
    for (u, v), c in caps.items():
        H.add_edge(u, v, **({} if math.isinf(c) else {"capacity": c}))
    return H


def oracle_losses(snap) -> np.ndarray:
    """Return every node's loss, then every edge's, each re-solved from scratch."""
    base = nx.maximum_flow_value(split_graph(snap), "S", "T")
    nodes = [base - nx.maximum_flow_value(split_graph(snap, drop_node=i), "S", "T")
             for i in range(len(snap.nodes))]
    edges = [base - nx.maximum_flow_value(split_graph(snap, drop_edge=j), "S", "T")
             for j in range(len(snap.edges))]
    return np.array(nodes + edges, float)


@st.composite
def shaped(draw: st.DrawFn) -> nx.MultiDiGraph:
    """Draw a small network of one benchmark shape, with or without node capacities."""
    shape = draw(st.sampled_from(SHAPES))
    seed = draw(st.integers(0, 2**20))
    caps = draw(st.booleans())
    if shape == "grid":
        cols = shaped_columns("grid", draw(st.integers(3, 6)) ** 2, seed=seed, node_capacities=caps)
    elif shape == "ties":  # capacities 1-3: many equal cuts, long flow chains
        cols = shaped_columns("random", draw(st.integers(15, 40)), seed=seed, node_capacities=caps)
        rng = np.random.default_rng(seed)
        limited = ~np.isnan(cols.edge_capacity)
        cols.edge_capacity[limited] = rng.integers(1, 4, int(limited.sum()))
        node_limited = ~np.isnan(cols.node_capacity)
        cols.node_capacity[node_limited] = rng.integers(1, 6, int(node_limited.sum()))
    else:
        cols = shaped_columns(shape, draw(st.integers(12, 45)), seed=seed, node_capacities=caps)
    return to_graph(cols)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shaped())
def test_every_loss_equals_networkx_re_solved_from_scratch(G):
    snap = compile_network(G)
    if math.isinf(snap.max_flow_value()):
        return  # unbounded flows take the other path (tests/test_flow.py)
    loss = flow_loss(snap, elements="both").to_numpy()
    np.testing.assert_allclose(loss, oracle_losses(snap), atol=1e-9)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shaped())
def test_parallel_sweep_equals_serial(G):
    """Large sweeps run in blocks on numba's threads; force that on small networks."""
    snap = compile_network(G)
    if math.isinf(snap.max_flow_value()):
        return
    serial = snap.removal_losses("both")
    saved = snapshot_module.PARALLEL_WORK
    snapshot_module.PARALLEL_WORK = 0
    try:
        parallel = compile_network(G).removal_losses("both")
    finally:
        snapshot_module.PARALLEL_WORK = saved
    np.testing.assert_array_equal(serial, parallel)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shaped(), st.sampled_from([0, 1, 25]), st.booleans())
def test_sweep_on_the_curve_layout_is_the_same_sweep(G, after, parallel):
    """From CURVE_SWEEP_VERTICES on the sweep runs on the residual renumbered along a
    Hilbert curve of the nodes; force it on small networks (guided or not, serial and
    parallel): the losses equal networkx's and the plain layout's, and every search is
    the same, so the sweep's counts are too."""
    from supplynet.engine import chainsweep

    plain = compile_network(G)
    if math.isinf(plain.max_flow_value()):
        return
    saved = chainsweep.GUIDE_AFTER, snapshot_module.PARALLEL_WORK, snapshot_module.CURVE_SWEEP_VERTICES
    chainsweep.GUIDE_AFTER = after
    if parallel:
        snapshot_module.PARALLEL_WORK = 0
    try:
        expected = plain.removal_losses("both")
        snapshot_module.CURVE_SWEEP_VERTICES = 0
        curved = compile_network(G)
        assert curved._sweep_arrays()[0] is not curved._flownet().ptr  # the copy is taken
        got = curved.removal_losses("both")
    finally:
        chainsweep.GUIDE_AFTER, snapshot_module.PARALLEL_WORK, snapshot_module.CURVE_SWEEP_VERTICES = saved
    np.testing.assert_array_equal(got, expected)
    assert getattr(curved, "_sweep_counts", None) == getattr(plain, "_sweep_counts", None)
    np.testing.assert_allclose(got, oracle_losses(plain), atol=1e-9)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shaped(), st.sampled_from([0, 1, 4, 25]))
def test_guided_searches_give_the_same_losses(G, after):
    """Searches that run long are guided toward the nearest entry or exit (after
    GUIDE_AFTER scans, 10,000, which no network of make test's size reaches): guide every
    search from its first scans and the losses must still equal networkx's, serial and
    parallel."""
    from supplynet.engine import chainsweep

    snap = compile_network(G)
    if math.isinf(snap.max_flow_value()):
        return
    saved = chainsweep.GUIDE_AFTER, snapshot_module.PARALLEL_WORK
    chainsweep.GUIDE_AFTER = after
    try:
        guided = compile_network(G).removal_losses("both")
        snapshot_module.PARALLEL_WORK = 0
        parallel = compile_network(G).removal_losses("both")
    finally:
        chainsweep.GUIDE_AFTER, snapshot_module.PARALLEL_WORK = saved
    np.testing.assert_allclose(guided, oracle_losses(snap), atol=1e-9)
    np.testing.assert_array_equal(guided, parallel)
    np.testing.assert_array_equal(guided, snap.removal_losses("both"))


def test_guidance_runs_on_a_far_shape():
    """The guided order is taken (its searches end at entries, not in a failed ball) on a
    network where chains lie in the source and sink sides."""
    from supplynet.engine import chainsweep

    G = to_graph(shaped_columns("far", 150, seed=3, node_capacities=False))
    plain = compile_network(G)
    expected = plain.removal_losses("both")
    saved = chainsweep.GUIDE_AFTER
    chainsweep.GUIDE_AFTER = 0
    try:
        snap = compile_network(G)
        got = snap.removal_losses("both")
    finally:
        chainsweep.GUIDE_AFTER = saved
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_allclose(got, oracle_losses(plain), atol=1e-9)
    assert snap._sweep_counts["searches"] > 0
    assert snap._sweep_counts["vertices scanned"] != plain._sweep_counts["vertices scanned"]


def _with_circulation(snap, cycle: list[tuple[str, str]], units: int) -> None:
    """Add ``units`` of flow around a cycle of split arcs (value-neutral: the flow stays
    maximal) and make it the snapshot's base flow."""
    net = snap._flownet()
    res, _ = snap._flow
    res = res.copy()
    m = len(snap.edges)
    for kind, key in cycle:
        arc = snap.edge_index[key] if kind == "edge" else m + snap.node_index[key]
        p = net.fwd_pos[arc]
        assert res[p] >= units
        res[p] -= units
        res[net.mate[p]] += units
    side = mf.reachable(net.ptr, net.head, res, 1, net.source)
    snap.__dict__["_flow"] = (res, side)


def test_circulations_in_the_base_flow_change_no_loss():
    """A flow chain that a circulation runs along (through ``a``), and a flow cycle of
    inner vertices only (``b <-> c``, cut off from the rest): both lose what networkx says."""
    nodes = {"m": {"type": "manufacturing"}, "a": {}, "x": {}, "y": {}, "b": {}, "c": {},
             "t": {"type": "assembly"}}
    edges = [("ma", "m", "a", {"capacity": 5.0}), ("at", "a", "t", {"capacity": 5.0}),
             ("ax", "a", "x", {"capacity": 3.0}), ("xy", "x", "y", {"capacity": 3.0}),
             ("ya", "y", "a", {"capacity": 3.0}), ("bc", "b", "c", {"capacity": 4.0}),
             ("cb", "c", "b", {"capacity": 4.0})]
    G = network(nodes, edges)
    want = oracle_losses(compile_network(G))
    snap = compile_network(G)
    _with_circulation(snap, [("node", "a"), ("edge", "ax"), ("node", "x"), ("edge", "xy"),
                             ("node", "y"), ("edge", "ya")], 2)
    _with_circulation(snap, [("node", "b"), ("edge", "bc"), ("node", "c"), ("edge", "cb")], 3)
    assert snap.max_flow_value() == 5.0
    assert snap.max_flow().node_flow[snap.node_index["b"]] == 3.0  # the cycle is in the flow
    np.testing.assert_allclose(snap.removal_losses("both"), want, atol=1e-9)


def test_progress_is_reported_from_the_callers_thread_while_the_sweep_runs():
    import threading

    G = to_graph(shaped_columns("spread", 400, seed=3))
    calls, threads = [], set()

    def progress(done, total):
        calls.append((done, total))
        threads.add(threading.get_ident())

    loss = flow_loss(G, elements="both", progress=progress)
    assert calls[0][0] == 0 and calls[-1][0] == calls[-1][1] > 0
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert threads == {threading.get_ident()}
    np.testing.assert_array_equal(loss.to_numpy(), flow_loss(G, elements="both").to_numpy())


@pytest.mark.parametrize("shape", ["far", "grid"])
def test_generated_shape_matches_networkx(shape):
    """One larger network of each hard shape: every element, against networkx."""
    snap = compile_network(to_graph(shaped_columns(shape, 100, seed=7)))
    np.testing.assert_allclose(snap.removal_losses("both"), oracle_losses(snap), atol=1e-9)


def _stamp_limited(G, reset_at: int, limit: int, parallel: bool = False) -> np.ndarray:
    """Return every loss of ``G`` from a sweep whose int32 search stamps restart past
    ``reset_at`` and may not pass ``limit`` (read by the sweep at each call)."""
    saved = mf.STAMP_RESET_AT, mf.STAMP_LIMIT, snapshot_module.PARALLEL_WORK
    mf.STAMP_RESET_AT, mf.STAMP_LIMIT = reset_at, limit
    if parallel:
        snapshot_module.PARALLEL_WORK = 0
    try:
        return compile_network(G).removal_losses("both")
    finally:
        mf.STAMP_RESET_AT, mf.STAMP_LIMIT, snapshot_module.PARALLEL_WORK = saved


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shaped(), st.sampled_from([0, 2, 7]), st.sampled_from([1, 3, None]))
def test_restarted_stamps_give_the_same_losses_or_an_error(G, reset_at, room):
    """The stamps restart (past 0: at nearly every segment) and the losses still equal
    networkx's and the unrestarted sweep's, serial and parallel; with only ``room``
    stamps past the restart a segment may run out, and then the sweep raises rather
    than give any loss."""
    snap = compile_network(G)
    if math.isinf(snap.max_flow_value()):
        return
    want = snap.removal_losses("both")
    np.testing.assert_allclose(want, oracle_losses(snap), atol=1e-9)
    limit = mf.STAMP_LIMIT if room is None else reset_at + room
    for parallel in (False, True):
        try:
            got = _stamp_limited(G, reset_at, limit, parallel)
        except AnalysisError as exc:
            assert room is not None and "int32 search stamps" in str(exc)
            continue
        np.testing.assert_array_equal(got, want)


def test_a_segment_out_of_stamps_raises_instead_of_wrapping():
    """Restarting before every segment, the sweep needs as many stamps as its busiest
    segment: one fewer raises (serial and parallel), and never restarting, the same
    number is too few for the whole sweep, so the restarts are what made it fit."""
    G = to_graph(shaped_columns("far", 150, seed=3, node_capacities=False))
    want = compile_network(G).removal_losses("both")
    fits = None
    for limit in range(1, 10_000):
        try:
            got = _stamp_limited(G, 0, limit)
        except AnalysisError:
            continue
        fits = limit
        break
    assert fits is not None and fits > 1
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(_stamp_limited(G, 0, fits, parallel=True), want)
    for parallel in (False, True):
        with pytest.raises(AnalysisError, match="int32 search stamps"):
            _stamp_limited(G, 0, fits - 1, parallel)
    with pytest.raises(AnalysisError, match="no loss is reported"):
        _stamp_limited(G, fits, fits)  # past ``fits`` only: no restart before the limit
