"""Tests of supplynet.analysis.centrality against networkx on the reduced DiGraph D.

The oracle D is built here independently: nodes in sorted order, one arc per
(tail, head) pair in sorted order with the length of the shortest parallel edge (ties:
smallest id). Lengths include 0 and many ties, where networkx's order of work shows.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supplynet._errors import AnalysisError
from supplynet.analysis.centrality import (
    _reduce,
    betweenness,
    edge_betweenness,
    edge_supply_betweenness,
    shortest_digraph,
    supply_betweenness,
)
from supplynet.analysis.flow import compile_network
from tests.test_flow import classic, network, networks

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def oracle_digraph(G: nx.MultiDiGraph) -> nx.DiGraph:
    best: dict[tuple[str, str], tuple[int, str]] = {}
    for u, v, k, d in G.edges(keys=True, data=True):
        if (u, v) not in best or (d["length"], k) < best[(u, v)]:
            best[(u, v)] = (d["length"], k)
    D = nx.DiGraph()
    D.add_nodes_from(sorted(G))
    for (u, v), (length, key) in sorted(best.items()):
        D.add_edge(u, v, length=length, key=key)
    return D


def assert_nodes_equal(got: pd.Series, expected: dict) -> None:
    assert list(got.index) == sorted(expected)
    for node, value in expected.items():
        assert got[node] == pytest.approx(value, rel=1e-9, abs=1e-12, nan_ok=True), node


def assert_edges_equal(got: pd.Series, expected: dict, D: nx.DiGraph, G) -> None:
    keepers = {D[u][v]["key"]: value for (u, v), value in expected.items()}
    for _, _, key in G.edges(keys=True):
        assert got[key] == pytest.approx(keepers.get(key, 0.0), rel=1e-9, abs=1e-12), key


# -- hand-worked ---------------------------------------------------------------------


def diamond_paths() -> nx.MultiDiGraph:
    nodes = {"m": {"type": "manufacturing"}, "x": {}, "y": {}, "z": {},
             "a": {"type": "assembly"}}
    edges = [("mx", "m", "x", {"length": 1}), ("my", "m", "y", {"length": 1}),
             ("xa", "x", "a", {"length": 2}), ("ya", "y", "a", {"length": 2}),
             ("mz", "m", "z", {"length": 2}), ("za", "z", "a", {"length": 2})]
    return network(nodes, edges)


def test_supply_betweenness_splits_ties():
    sbc = supply_betweenness(diamond_paths())
    assert sbc.name == "supply_betweenness" and sbc.index.name == "node"
    assert sbc.to_dict() == {"a": 0.0, "m": 0.0, "x": 0.5, "y": 0.5, "z": 0.0}


def test_parallel_routes_use_the_shortest_mode():
    nodes = {"m": {"type": "manufacturing"}, "x": {}, "a": {"type": "assembly"}}
    edges = [("road", "m", "x", {"length": 5, "mode": "road"}),
             ("rail", "m", "x", {"length": 3, "mode": "rail"}),
             ("rail2", "m", "x", {"length": 3, "mode": "rail"}),
             ("xa", "x", "a", {"length": 1})]
    G = network(nodes, edges)
    esbc = edge_supply_betweenness(G)
    assert esbc.to_dict() == {"rail": 1.0, "rail2": 0.0, "road": 0.0, "xa": 1.0}
    D = shortest_digraph(G)
    assert D["m"]["x"] == {"length": 3, "key": "rail"}


def test_zero_length_edges_match_networkx():
    nodes = {"s": {"type": "manufacturing"}, "b": {}, "c": {}, "t": {"type": "assembly"}}
    edges = [("sb", "s", "b", {"length": 0}), ("bc", "b", "c", {"length": 0}),
             ("cb", "c", "b", {"length": 0}), ("ct", "c", "t", {"length": 0}),
             ("bt", "b", "t", {"length": 0}), ("sc", "s", "c", {"length": 0})]
    G = network(nodes, edges)
    D = oracle_digraph(G)
    expected = nx.betweenness_centrality_subset(D, ["s"], ["t"], normalized=False,
                                                weight="length")
    assert_nodes_equal(supply_betweenness(G), expected)
    assert_nodes_equal(betweenness(G), nx.betweenness_centrality(D, weight="length"))


def test_source_that_is_also_a_sink():
    G = diamond_paths()
    sbc = supply_betweenness(G, ["m", "x"], ["x", "a"])
    D = oracle_digraph(G)
    assert_nodes_equal(sbc, nx.betweenness_centrality_subset(
        D, ["m", "x"], ["x", "a"], normalized=False, weight="length"))


def test_betweenness_attrs_and_sampling():
    G = classic()
    exact = betweenness(G)
    assert exact.attrs == {"sampled": False, "k": None, "seed": None}
    sampled = betweenness(G, k=2, seed=7)
    assert sampled.attrs == {"sampled": True, "k": 2, "seed": 7}
    D = oracle_digraph(G)
    assert_nodes_equal(sampled, nx.betweenness_centrality(D, k=2, seed=7, weight="length"))
    assert betweenness(G, k=2).attrs["seed"] == 0  # None means 0: reproducible
    assert betweenness(G, k=5).attrs["sampled"] is False  # k == n is exact


def test_exact_limit_switches_to_sampling():
    G = classic()
    sampled = betweenness(G, exact_limit=3)
    assert sampled.attrs["sampled"] is False  # the default k (2000) covers all 5 nodes
    assert betweenness(G, k=3, exact_limit=3).attrs["k"] == 3


def test_large_networks_are_sampled_by_default(monkeypatch):
    import supplynet.analysis.centrality as centrality

    monkeypatch.setattr(centrality, "DEFAULT_K", 2)
    G = classic()
    sampled = betweenness(G, exact_limit=3)
    assert sampled.attrs == {"sampled": True, "k": 2, "seed": 0}
    D = oracle_digraph(G)
    assert_nodes_equal(sampled, nx.betweenness_centrality(D, k=2, seed=0, weight="length"))
    edges = edge_betweenness(G, exact_limit=3)
    assert edges.attrs["sampled"] is True
    assert_edges_equal(edges, nx.edge_betweenness_centrality(D, k=2, seed=0,
                                                             weight="length"), D, G)


def test_bad_k_raises():
    with pytest.raises(AnalysisError, match="k must be"):
        betweenness(classic(), k=9)


def test_accepts_a_snapshot_and_its_endpoints():
    snap = compile_network(diamond_paths())
    assert supply_betweenness(snap).equals(supply_betweenness(diamond_paths()))
    assert betweenness(snap).equals(betweenness(diamond_paths()))
    assert supply_betweenness(snap, "id=m", "id=x")["x"] == 0.0


def test_no_edges_and_tiny_networks():
    G = network({"m": {"type": "manufacturing"}, "a": {"type": "assembly"}}, [])
    assert supply_betweenness(G).tolist() == [0.0, 0.0]
    assert betweenness(G).tolist() == [0.0, 0.0]
    assert edge_betweenness(G).empty


def test_deterministic_across_calls():
    G = diamond_paths()
    a, b = betweenness(G), betweenness(G)
    assert a.equals(b) and list(a.index) == sorted(G)


# -- networkx as the oracle ----------------------------------------------------------


@SETTINGS
@given(networks(max_nodes=9, max_edges=24), st.data())
def test_supply_betweenness_matches_networkx(case, data):
    G, sources, sinks = case
    if data.draw(st.booleans()):  # let sources and sinks overlap too
        sinks = sorted(set(sinks) | {sources[0]})
    D = oracle_digraph(G)
    expected = nx.betweenness_centrality_subset(D, sources, sinks, normalized=False,
                                                weight="length")
    assert_nodes_equal(supply_betweenness(G, sources, sinks), expected)
    expected = nx.edge_betweenness_centrality_subset(D, sources, sinks, normalized=False,
                                                     weight="length")
    assert_edges_equal(edge_supply_betweenness(G, sources, sinks), expected, D, G)


@SETTINGS
@given(networks(max_nodes=9, max_edges=24), st.data())
def test_betweenness_matches_networkx(case, data):
    G = case[0]
    n = G.number_of_nodes()
    k = data.draw(st.one_of(st.none(), st.integers(1, n)))
    seed = data.draw(st.integers(0, 1000))
    D = oracle_digraph(G)
    expected = nx.betweenness_centrality(D, k=k, seed=seed, normalized=True, weight="length")
    assert_nodes_equal(betweenness(G, k=k, seed=seed), expected)
    expected = nx.edge_betweenness_centrality(D, k=k, seed=seed, normalized=True,
                                              weight="length")
    assert_edges_equal(edge_betweenness(G, k=k, seed=seed), expected, D, G)


@SETTINGS
@given(networks(max_nodes=9, max_edges=24))
def test_shortest_digraph_is_the_documented_reduction(case):
    G = case[0]
    D = shortest_digraph(G)
    expected = oracle_digraph(G)
    assert list(D.nodes) == list(expected.nodes)
    assert list(D.edges(data=True)) == list(expected.edges(data=True))


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(
    st.permutations(range(n)),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.integers(0, 3), st.booleans()),
             max_size=60))))
def test_reduced_rows_keep_the_shortest_live_arc_of_each_pair(case):
    """Per (tail, head) pair of live arcs the shortest, ties to the first; rows by ranked
    tail, each in head order; heads, tails and in-degree offsets in ranked vertices.
    Rows of up to 60 arcs take the long-row sort as well as the insertion sort."""
    from supplynet.engine.brandes import reduced_rows

    rank, arcs = case
    n = len(rank)
    tail, head, length, alive = (np.array([a[i] for a in arcs], dtype) for i, dtype in
                                 enumerate((np.int64, np.int64, np.int64, np.bool_)))
    best: dict[tuple[int, int], int] = {}
    for j, (t, h, w, live) in enumerate(arcs):
        if live and ((t, h) not in best or w < arcs[best[(t, h)]][2]):
            best[(t, h)] = j
    edge = [best[pair] for pair in sorted(best, key=lambda pair: (rank[pair[0]], pair[1]))]
    indptr, heads, tails, got, in_ptr = reduced_rows(n, tail, head, length, alive, np.array(rank))
    assert got.tolist() == edge
    assert tails.tolist() == [rank[arcs[j][0]] for j in edge]
    assert heads.tolist() == [rank[arcs[j][1]] for j in edge]
    assert indptr.tolist() == [sum(rank[arcs[j][0]] < r for j in edge) for r in range(n + 1)]
    assert in_ptr.tolist() == [sum(rank[arcs[j][1]] < r for j in edge) for r in range(n + 1)]


def test_generated_network_matches_networkx():
    """A road-like network with real coordinates and a few zero-length roads."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from generate import road_network

    G = road_network(300, seed=2)
    for i, (u, v, k) in enumerate(list(G.edges(keys=True))):
        if i % 40 == 0:
            G.edges[u, v, k]["length"] = 0
    D = oracle_digraph(G)
    snap = compile_network(G)
    src, snk = list(snap.source_ids), list(snap.sink_ids)
    expected = nx.betweenness_centrality_subset(D, src, snk, normalized=False, weight="length")
    assert_nodes_equal(supply_betweenness(snap), expected)
    got = betweenness(G)
    expected = nx.betweenness_centrality(D, weight="length")
    assert_nodes_equal(got, expected)
    assert not np.isnan(got.to_numpy()).any() and math.isclose(got.sum(), sum(expected.values()))


# -- the parallel kernel ---------------------------------------------------------------


def _all_four(G, sources=None, sinks=None) -> list[pd.Series]:
    return [supply_betweenness(G, sources, sinks), edge_supply_betweenness(G, sources, sinks),
            betweenness(G), edge_betweenness(G)]


@contextmanager
def _threads(count: int, parallel_work: int):
    """Run the Brandes chunks (one per source, up to the most) on ``count`` threads past
    ``parallel_work``."""
    import numba

    import supplynet.engine.brandes as module

    saved = numba.get_num_threads(), module.PARALLEL_WORK, module.CHUNK_WORK
    numba.set_num_threads(min(count, numba.config.NUMBA_NUM_THREADS))
    module.PARALLEL_WORK = parallel_work
    module.CHUNK_WORK = 0  # as many chunks as sources allow, however small the job
    try:
        yield
    finally:
        numba.set_num_threads(saved[0])
        module.PARALLEL_WORK, module.CHUNK_WORK = saved[1], saved[2]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(max_nodes=9, max_edges=24))
def test_parallel_chunks_equal_serial_bit_for_bit(case):
    """Large jobs run their fixed chunks on threads: same sums, same order."""
    G, sources, sinks = case
    with _threads(1, 10**18):
        serial = _all_four(G, sources, sinks)
    with _threads(2, 0):
        parallel = _all_four(G, sources, sinks)
    for a, b in zip(serial, parallel):
        assert a.equals(b)


def _generated(n: int, seed: int) -> nx.MultiDiGraph:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from generate import road_network

    return road_network(n, seed=seed)


def test_parallel_equals_serial_and_networkx_on_many_chunks():
    """More sources than chunks, on 1 and 2 threads: identical bits, networkx's values."""
    from supplynet.engine.brandes import CHUNKS

    G = _generated(400, 5)
    runs = []
    for count, work in ((1, 10**18), (2, 0), (2, 10**18)):
        with _threads(count, work):
            snap = compile_network(G)  # a fresh snapshot: nothing kept from a previous run
            runs.append(_all_four(snap) + [betweenness(snap, k=150, seed=3)])
    for other in runs[1:]:
        for a, b in zip(runs[0], other):
            assert np.array_equal(a.to_numpy(), b.to_numpy()) and a.index.equals(b.index)
    assert len(G) > CHUNKS
    D = oracle_digraph(G)
    snap = compile_network(G)
    src, snk = list(snap.source_ids), list(snap.sink_ids)
    sbc, esbc, bc, ebc, sampled = runs[1]
    assert_nodes_equal(sbc, nx.betweenness_centrality_subset(D, src, snk, normalized=False,
                                                             weight="length"))
    assert_edges_equal(esbc, nx.edge_betweenness_centrality_subset(
        D, src, snk, normalized=False, weight="length"), D, G)
    assert_nodes_equal(bc, nx.betweenness_centrality(D, weight="length"))
    assert_edges_equal(ebc, nx.edge_betweenness_centrality(D, weight="length"), D, G)
    assert_nodes_equal(sampled, nx.betweenness_centrality(D, k=150, seed=3, weight="length"))


def test_node_and_edge_measures_share_one_pass(monkeypatch):
    import supplynet.analysis.centrality as centrality

    calls = []
    real = centrality.brandes

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(centrality, "brandes", counting)
    snap = compile_network(diamond_paths())
    first = supply_betweenness(snap), betweenness(snap, k=3, seed=1)
    edge_supply_betweenness(snap), edge_betweenness(snap, k=3, seed=1)
    assert len(calls) == 2 and all(c["nodes"] and c["edges"] for c in calls)
    assert supply_betweenness(snap).equals(first[0])  # kept results are never changed
    supply_betweenness(diamond_paths())  # a graph: only the half asked for
    assert calls[-1]["nodes"] and not calls[-1]["edges"]


def test_progress_counts_sources(monkeypatch):
    import supplynet.engine.brandes as module

    seen = []
    snap = compile_network(_generated(300, 1))
    total = len(snap.sources)
    supply_betweenness(snap, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, total), (total, total)]  # a small job: one chunk
    monkeypatch.setattr(module, "CHUNK_WORK", 0)  # one chunk per source: a step each
    seen.clear()
    supply_betweenness(compile_network(_generated(300, 1)),
                       progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) > 2
    seen.clear()
    edge_supply_betweenness(snap, progress=lambda *a: seen.append(a))
    assert seen == []  # already computed with the node pass
    betweenness(snap, k=40, progress=lambda *a: seen.append(a))
    assert seen[-1] == (40, 40)


def test_huge_lengths_keep_networkx_order():
    """Packed heap keys wrap past 2**63 here; ties and order must still be exact."""
    big = 2**56
    nodes = {"s": {"type": "manufacturing"}, "t": {"type": "assembly"},
             **{c: {} for c in "abcdefgh"}}
    chain = "sabcdefgh"
    edges = [(u + v, u, v, {"length": big}) for u, v in zip(chain, chain[1:])]
    # Ties at distances whose keys (distance << 4) pass 2**63: a-c, e-g, and t
    # reached at 9 * big from both h and f.
    edges += [("ac", "a", "c", {"length": 2 * big}), ("eg", "e", "g", {"length": 2 * big}),
              ("ht", "h", "t", {"length": big}), ("ft", "f", "t", {"length": 3 * big})]
    G = network(nodes, edges)
    D = oracle_digraph(G)
    assert_nodes_equal(supply_betweenness(G), nx.betweenness_centrality_subset(
        D, ["s"], ["t"], normalized=False, weight="length"))
    assert_nodes_equal(betweenness(G), nx.betweenness_centrality(D, weight="length"))
    with pytest.raises(AnalysisError, match="too long"):
        betweenness(network(nodes, [("st", "s", "t", {"length": 2**61})]))


def test_chunks_are_fixed_by_the_job():
    """How sources are cut depends on their count and the graph's size only: one chunk for
    a small job, at most CHUNKS, each of at least CHUNK_WORK."""
    from supplynet.engine.brandes import CHUNK_WORK, CHUNKS, _bounds

    assert _bounds(1, 10).tolist() == [0, 1]
    assert _bounds(50, 10).tolist() == [0, 50]  # 500 units of work: one chunk
    per = CHUNK_WORK // 10  # ten sources fill a chunk
    assert _bounds(50, per).tolist() == [0, 10, 20, 30, 40, 50]
    assert len(_bounds(10_000, per)) - 1 == CHUNKS
    for count, work in ((7, 3), (64, per), (1000, per), (5, 10 * CHUNK_WORK)):
        bounds = _bounds(count, work)
        assert bounds[0] == 0 and bounds[-1] == count and (np.diff(bounds) > 0).all()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(max_nodes=9, max_edges=24))
def test_flow_numbering_is_the_reduced_graphs_locality_order(case):
    """The reduced graph takes the flow network's node order when every edge is live: it
    must be locality_rank of the reduced arcs themselves (parallels, loops and all), which
    is that of every live edge (what a snapshot with dead edges takes)."""
    from supplynet.engine.flownet import locality_rank

    G, sources, sinks = case
    snap = compile_network(G, sources, sinks)
    keep = _reduce(snap).edge
    own = locality_rank(len(snap.nodes), snap.edge_tail[keep], snap.edge_head[keep])
    assert np.array_equal(snap._flownet().node_rank(), own)
    assert np.array_equal(locality_rank(len(snap.nodes), snap.edge_tail, snap.edge_head), own)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(max_nodes=9, max_edges=24), st.data())
def test_centralities_after_removals_are_those_of_the_smaller_network(case, data):
    """A what-if snapshot (edges dead, not gone) answers as the network without them:
    the reduced graph skips dead edges and takes its own node order."""
    G, sources, sinks = case
    keys = sorted(k for _, _, k in G.edges(keys=True))
    gone = data.draw(st.lists(st.sampled_from(keys), unique=True, min_size=1, max_size=len(keys)))
    snap = compile_network(G, sources, sinks).after(removed_edges=gone)
    H = G.copy()
    H.remove_edges_from([(u, v, k) for u, v, k in G.edges(keys=True) if k in gone])
    D = oracle_digraph(H)
    src, snk = list(snap.source_ids), list(snap.sink_ids)
    assert_nodes_equal(supply_betweenness(snap), nx.betweenness_centrality_subset(
        D, src, snk, normalized=False, weight="length"))
    assert_nodes_equal(betweenness(snap), nx.betweenness_centrality(D, weight="length"))
    got = edge_supply_betweenness(snap)
    assert (got[list(gone)] == 0).all()
    assert_edges_equal(got, nx.edge_betweenness_centrality_subset(
        D, src, snk, normalized=False, weight="length"), D, H)


# -- the bucket search (every arc at least 1 m long) -----------------------------------


def _with_lengths(G: nx.MultiDiGraph, lengths: list[int]) -> nx.MultiDiGraph:
    H = G.copy()
    for (u, v, k), length in zip(list(H.edges(keys=True)), lengths):
        H.edges[u, v, k]["length"] = length
    return H


def _heap_only(monkeypatch) -> None:
    """Make every Graph search with the heap, as graphs with a zero-length arc do."""
    from supplynet.engine import brandes as module

    monkeypatch.setattr(module, "MAX_RING", 0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(max_nodes=9, max_edges=24), st.data())
def test_bucket_search_matches_networkx_and_the_heap(case, data):
    """Positive lengths, shortest 1 to 64 m and up to 1,000 times that: ties, rings that
    wrap many times over, stops with pushes left; networkx's values, and the heap's."""
    G, sources, sinks = case
    unit = data.draw(st.sampled_from([1, 3, 64]))
    steps = st.sampled_from([1, 1, 2, 3, 5, 8, 1000])
    G = _with_lengths(G, [unit * data.draw(steps) for _ in range(G.number_of_edges())])
    snap = compile_network(G, sources, sinks)
    assert _reduce(snap).graph.ring > 0  # this test is about the bucket search
    D = oracle_digraph(G)
    got = _all_four(snap, sources, sinks)
    assert_nodes_equal(got[0], nx.betweenness_centrality_subset(
        D, sources, sinks, normalized=False, weight="length"))
    assert_edges_equal(got[1], nx.edge_betweenness_centrality_subset(
        D, sources, sinks, normalized=False, weight="length"), D, G)
    assert_nodes_equal(got[2], nx.betweenness_centrality(D, weight="length"))
    assert_edges_equal(got[3], nx.edge_betweenness_centrality(D, weight="length"), D, G)
    with pytest.MonkeyPatch.context() as patch:
        _heap_only(patch)
        heap = _all_four(compile_network(G, sources, sinks), sources, sinks)
    for a, b in zip(got, heap):
        np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-12, atol=1e-15)


def test_bucket_ring_is_sized_by_the_shortest_and_longest_arc():
    """Buckets no wider than the shortest arc, a power of two; a ring above the longest
    arc in buckets, in whole 64-slot words; the heap past MAX_RING or with a 0 m arc."""
    from supplynet.engine.brandes import MAX_RING, Graph

    def graph(*lengths):
        k = len(lengths)
        return Graph(np.arange(k + 1), np.ones(k, np.int32), np.zeros(k, np.int32),
                     np.array(lengths, np.int64))

    g = graph(224, 50_852)
    assert (g.width_bits, g.ring) == (7, 512)  # 128 m buckets; 50,852 m is 397 of them
    g = graph(1, 1)
    assert (g.width_bits, g.ring) == (0, 64)
    g = graph(7, 20_138)
    assert (g.width_bits, g.ring) == (2, 8192)
    assert graph(0, 5).ring == 0
    assert graph(1, MAX_RING - 2).ring == MAX_RING
    assert graph(1, MAX_RING).ring == 0


def test_bucket_search_across_long_gaps_matches_networkx():
    """Cargo flights 10,000 times longer than the roads: empty buckets stepped over 64
    at a time, and distances past the ring's span (2 m buckets, 32,768 of them), so
    slots are used again for buckets one turn later."""
    nodes = {"s": {"type": "manufacturing"}, "t": {"type": "assembly"},
             **{c: {} for c in "abcdefgh"}}
    edges = [("sa", "s", "a", {"length": 3}), ("ab", "a", "b", {"length": 3}),
             ("bc", "b", "c", {"length": 40_000}), ("sc", "s", "c", {"length": 40_006}),
             ("cd", "c", "d", {"length": 4}), ("de", "d", "e", {"length": 5}),
             ("cf", "c", "f", {"length": 5}), ("fe", "f", "e", {"length": 4}),
             ("eh", "e", "h", {"length": 40_000}), ("eg", "e", "g", {"length": 39_997}),
             ("gh", "g", "h", {"length": 3}), ("ht", "h", "t", {"length": 3})]
    G = network(nodes, edges)
    graph = _reduce(compile_network(G)).graph
    assert (graph.width_bits, graph.ring) == (1, 32_768)
    D = oracle_digraph(G)
    expected = nx.betweenness_centrality_subset(D, ["s"], ["t"], normalized=False,
                                                weight="length")
    # 2 ways to c, 2 from c to e, 2 from e to h: 8 paths, each road of a tie on half.
    assert [expected[v] for v in "abcdefgh"] == [0.5, 0.5, 1, 0.5, 1, 0.5, 0.5, 1]
    assert_nodes_equal(supply_betweenness(G), expected)
    assert_edges_equal(edge_supply_betweenness(G), nx.edge_betweenness_centrality_subset(
        D, ["s"], ["t"], normalized=False, weight="length"), D, G)
    assert_nodes_equal(betweenness(G), nx.betweenness_centrality(D, weight="length"))


def test_lowest_bit_of_every_position():
    from supplynet.engine.brandes import _lowest_bit

    rng = np.random.default_rng(0)
    for i in range(64):
        above = int(rng.integers(0, 2**63)) << (i + 1) if i < 63 else 0
        word = np.uint64(((1 << i) | above) % 2**64)
        assert _lowest_bit(word) == i
