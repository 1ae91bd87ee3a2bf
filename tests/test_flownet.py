"""Tests of the kernels' residual layout (:func:`supplynet.engine.flownet.paired_csr`)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from supplynet.engine.flownet import paired_csr


def sorted_layout(n_vertices: int, tail: np.ndarray, head: np.ndarray) -> dict[str, np.ndarray]:
    """The layout as its definition states it: the 2m positions (arcs, then their mates)
    stably sorted by tail."""
    m = len(tail)
    tails = np.concatenate([tail, head]).astype(np.int64)
    heads = np.concatenate([head, tail]).astype(np.int64)
    order = np.argsort(tails, kind="stable")
    pos_of = np.empty(2 * m, np.int64)
    pos_of[order] = np.arange(2 * m)
    mate_of = np.concatenate([np.arange(m, 2 * m), np.arange(m)])
    return {
        "ptr": np.concatenate([[0], np.cumsum(np.bincount(tails, minlength=n_vertices))]),
        "head": heads[order],
        "mate": pos_of[mate_of[order]],
        "is_fwd": order < m,
        "fwd_pos": pos_of[:m],
    }


@st.composite
def arc_lists(draw):
    n = draw(st.integers(1, 12))
    m = draw(st.integers(0, 40))
    ends = st.lists(st.integers(0, n - 1), min_size=m, max_size=m)
    return n, np.array(draw(ends), np.int64), np.array(draw(ends), np.int64)


@settings(max_examples=200, deadline=None)
@given(arc_lists())
def test_layout_is_the_stable_sort_by_tail(case):
    n, tail, head = case
    got = paired_csr(n, tail, head)
    want = sorted_layout(n, tail, head)
    assert set(got) == set(want)
    for key, value in want.items():
        assert np.array_equal(got[key], value), key
    assert got["ptr"].dtype == got["head"].dtype == got["mate"].dtype == np.int32
    assert got["is_fwd"].dtype == np.bool_ and got["fwd_pos"].dtype == np.int64
    # What the kernels rely on: mates pair up, and a mate runs head -> tail.
    mate, heads = got["mate"], got["head"]
    assert np.array_equal(mate[mate], np.arange(2 * len(tail)))
    row = np.repeat(np.arange(n), np.diff(got["ptr"]))
    assert np.array_equal(heads[mate], row)
    assert np.array_equal(heads[got["fwd_pos"]], head) and np.array_equal(row[got["fwd_pos"]], tail)


def test_large_random_layout():
    rng = np.random.default_rng(7)
    n, m = 5_000, 40_000
    tail, head = rng.integers(0, n, m), rng.integers(0, n, m)
    got, want = paired_csr(n, tail, head), sorted_layout(n, tail, head)
    for key, value in want.items():
        assert np.array_equal(got[key], value), key


# -- solve_max_flow: uncapacitated nodes merged ------------------------------------------
import networkx as nx  # noqa: E402

from supplynet.engine import flownet as fn  # noqa: E402
from supplynet.engine import maxflow as mf  # noqa: E402


@st.composite
def flow_problems(draw):
    """A small network as the flow kernels see it: capacities (None: unlimited) on
    edges and nodes, and non-empty sets of sources and sinks."""
    n = draw(st.integers(2, 9))
    m = draw(st.integers(0, 24))
    ends = st.lists(st.integers(0, n - 1), min_size=m, max_size=m)
    cap = st.one_of(st.none(), st.integers(0, 9))
    endpoints = st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True)
    return (n, np.array(draw(ends), np.int64), np.array(draw(ends), np.int64),
            draw(st.lists(cap, min_size=m, max_size=m)),
            draw(st.lists(st.one_of(st.none(), cap), min_size=n, max_size=n)),
            np.array(draw(endpoints), np.int64), np.array(draw(endpoints), np.int64))


def residual_of(net, edge_caps, node_caps):
    """Return ``(zero-flow residual, big)``: None capacities become ``big``, one more than
    the sum of the finite ones (as the snapshot's units do)."""
    caps = list(edge_caps) + list(node_caps)
    big = sum(c for c in caps if c is not None) + 1
    units = np.array([big if c is None else c for c in caps] + [big] * net.n_super, np.int64)
    res = np.zeros(len(net.head), np.int64)
    res[net.fwd_pos] = units
    return res, big


def nx_value(net, res0):
    """networkx's maximum flow on the split network's forward arcs (parallel arcs summed)."""
    H = nx.DiGraph()
    tails = np.repeat(np.arange(len(net.ptr) - 1), np.diff(net.ptr))
    for p in net.fwd_pos:
        u, v = int(tails[p]), int(net.head[p])
        H.add_edge(u, v, capacity=H.get_edge_data(u, v, {"capacity": 0})["capacity"] + int(res0[p]))
    H.add_nodes_from([net.source, net.sink])
    return nx.maximum_flow_value(H, net.source, net.sink)


def check_flow(net, res0, res):
    """``res`` is a residual of a feasible flow of the problem ``res0`` (zero flow)."""
    fwd, back = net.fwd_pos, net.mate[net.fwd_pos]
    assert (res >= 0).all()
    assert np.array_equal(res[fwd] + res[back], res0[fwd] + res0[back])
    flow = res[back] - res0[back]
    tails = np.repeat(np.arange(len(net.ptr) - 1), np.diff(net.ptr))
    balance = np.zeros(len(net.ptr) - 1, np.int64)
    np.add.at(balance, tails[fwd], -flow)
    np.add.at(balance, net.head[fwd], flow)
    inner = np.ones(len(balance), bool)
    inner[[net.source, net.sink]] = False
    assert not balance[inner].any()


@settings(max_examples=300, deadline=None)
@given(flow_problems(), st.booleans())
def test_solve_with_merged_nodes_equals_the_split_solve(problem, warm):
    """Merging the uncapacitated nodes (forced: any share merges) gives a maximum flow of
    the split network: networkx's value, the same source side (so the same cuts), a
    feasible flow; also from a warm start (a feasible flow of half the capacities)."""
    n, tail, head, edge_caps, node_caps, sources, sinks = problem
    net = fn.build_flownet(n, tail, head, sources, sinks)
    res0, big = residual_of(net, edge_caps, node_caps)
    if mf.unlimited_path(net.ptr, net.head, res0, big, net.source, net.sink):
        return
    plain = res0.copy()
    mf.max_flow(net.ptr, net.head, net.mate, plain, net.source, net.sink, net.work())
    start = res0.copy()
    if warm:  # a feasible flow to start from: a maximum one with every capacity halved
        half, _ = residual_of(net, [None if c is None else c // 2 for c in edge_caps],
                              [None if c is None else c // 2 for c in node_caps])
        half[net.fwd_pos[-net.n_super:]] = big
        mf.max_flow(net.ptr, net.head, net.mate, half, net.source, net.sink, net.work())
        flow = half[net.mate[net.fwd_pos]]
        start[net.fwd_pos] -= flow
        start[net.mate[net.fwd_pos]] += flow
        check_flow(net, res0, start)
    old = fn.MERGE_SHARE
    fn.MERGE_SHARE = 0.0
    try:
        merged = start.copy()
        fn.solve_max_flow(net, merged, big)
    finally:
        fn.MERGE_SHARE = old
    check_flow(net, res0, merged)
    value = mf.outflow(net.ptr, net.mate, net.is_fwd, merged, net.source)
    assert value == mf.outflow(net.ptr, net.mate, net.is_fwd, plain, net.source) == nx_value(net, res0)
    assert np.array_equal(mf.reachable(net.ptr, net.head, merged, 1, net.source),
                          mf.reachable(net.ptr, net.head, plain, 1, net.source))


def test_merged_layout_is_kept_per_node_set():
    rng = np.random.default_rng(3)
    n = 300
    tail, head = rng.integers(0, n, 1200), rng.integers(0, n, 1200)
    net = fn.build_flownet(n, tail, head, np.arange(5), np.arange(n - 5, n))
    every, some = np.arange(n), np.arange(0, n, 2)
    a = net.merged(every)
    assert net.merged(every) is a and net.merged(some) is not a
    assert len(a.ptr) - 1 == n + 2 and len(a.head) == len(net.head) - 2 * n
    assert net.merged(some) is net.merged(some)
    # the merged arcs are the split ones, renamed: vin and vout become one vertex
    tails = np.repeat(np.arange(len(a.ptr) - 1), np.diff(a.ptr))
    assert np.array_equal(a.mate[a.mate], np.arange(len(a.head)))
    assert np.array_equal(a.head[a.mate], tails)


def test_merged_layouts_from_two_threads():
    """solve() solves the node cut on a thread of its own: layouts asked for at once from
    two threads, over more node sets than are kept, come out whole and the same."""
    from concurrent.futures import ThreadPoolExecutor
    rng = np.random.default_rng(5)
    n = 200
    net = fn.build_flownet(n, rng.integers(0, n, 800), rng.integers(0, n, 800), np.arange(3), np.arange(n - 3, n))
    sets = [np.arange(k, n, 3) for k in range(3)]
    want = [fn._merged(net.ptr, net.head, net.mate, net.vout[s]) for s in sets]

    def ask(i):
        lay = net.merged(sets[i % 3])
        return all(np.array_equal(a, b) for a, b in zip(lay, want[i % 3]))

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert all(pool.map(ask, range(300)))
    assert len(net._merged_cache) <= 2


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 8).flatmap(lambda n: st.tuples(
    st.permutations(range(n)),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=20))))
def test_renumbered_layout_moves_every_position_with_its_row(case):
    """Each vertex's row moves whole and in order to its new number; heads, mates and
    values follow their positions."""
    new_id, arcs = case
    n = len(new_id)
    lay = paired_csr(n, np.array([a[0] for a in arcs], np.int64), np.array([a[1] for a in arcs], np.int64))
    values = np.arange(len(lay["head"])) * 7
    ptr, head, mate, moved, new_pos = fn.renumbered(lay["ptr"], lay["head"], lay["mate"], values,
                                                    np.array(new_id))
    assert sorted(new_pos.tolist()) == list(range(len(lay["head"])))
    for v in range(n):
        row = range(lay["ptr"][v], lay["ptr"][v + 1])
        assert [new_pos[p] for p in row] == list(range(ptr[new_id[v]], ptr[new_id[v] + 1]))
    for p in range(len(lay["head"])):
        q = new_pos[p]
        assert head[q] == new_id[lay["head"][p]]
        assert mate[q] == new_pos[lay["mate"][p]]
        assert moved[q] == values[p]


def test_curve_order_walks_a_grid_one_cell_at_a_time():
    """On a full grid the Hilbert curve steps to a neighbouring cell every time; points
    without a coordinate still get a place."""
    side = 16
    x, y = (a.ravel().astype(float) for a in np.meshgrid(np.arange(side), np.arange(side)))
    order = fn.curve_order(x * 0.25 + 10, y * 0.25 - 3, bits=4)
    assert sorted(order.tolist()) == list(range(side * side))
    steps = np.abs(np.diff(x[order])) + np.abs(np.diff(y[order]))
    assert (steps == 1).all()
    x[5] = np.nan
    assert sorted(fn.curve_order(x, y).tolist()) == list(range(side * side))
