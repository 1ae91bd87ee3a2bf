"""Shortest-path betweenness: all pairs, and from sources to sinks only.

Every measure is networkx's, computed exactly (up to float summation order) on the
directed graph ``D`` of :func:`shortest_digraph`: parallel edges reduced to the
shortest (ties: the smallest edge id), lengths in integer metres. Node ``i`` of ``D``
is the ``i``-th smallest id and arcs are added in (tail, head) id order, which fixes
networkx's order of work (it matters with zero-length arcs; without them the kernel
settles vertices of equal distance in any order, which changes only the order of float
sums) and its sampling:

- :func:`supply_betweenness` = ``betweenness_centrality_subset(D, sources, sinks,
  normalized=False, weight="length")``;
- :func:`edge_supply_betweenness` = ``edge_betweenness_centrality_subset(...)`` on
  the same terms;
- :func:`betweenness` = ``betweenness_centrality(D, k, normalized=True,
  weight="length", seed)``;
- :func:`edge_betweenness` = ``edge_betweenness_centrality(D, k, normalized=True,
  weight="length", seed)``.

Edge results give each arc of ``D`` to the edge it was reduced to; the longer
parallel edges get 0 (no shortest path uses them).

Exact all-pairs betweenness costs one Dijkstra per node: past ``exact_limit`` nodes
(default 20,000) :func:`betweenness`
samples ``k`` sources (default :data:`DEFAULT_K`, fewer past
:data:`BETWEENNESS_WORK_LIMIT` sources x (nodes + arcs), never under :data:`MIN_K`) and
says so in ``Series.attrs``.
Supply betweenness costs one Dijkstra per source: past ``work_limit`` (sources times
nodes and arcs, default :data:`SUPPLY_WORK_LIMIT`) :func:`supply_betweenness` samples
as many sources as fit in it (at least :data:`MIN_K`) and scales their sums by
``len(sources) / k``, an unbiased estimate; ``k="all"`` is always exact.

On a :class:`~supplynet.engine.snapshot.Snapshot`, node and edge results come from one
pass and are kept on the snapshot: ``supply_betweenness(snap)`` then
``edge_supply_betweenness(snap)`` (or ``betweenness`` then ``edge_betweenness`` with
the same ``k`` and ``seed``) run the kernel once. Long runs report
``progress(done, total)`` in sources.

Examples
--------
>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("m", type="manufacturing")
>>> G.add_nodes_from("xy", type="storage")
>>> G.add_node("a", type="assembly")
>>> for u, v, length in [("m", "x", 1), ("m", "y", 1), ("x", "a", 1), ("y", "a", 1)]:
...     _ = G.add_edge(u, v, key=u + v, length=length)
>>> supply_betweenness(G).to_dict()
{'a': 0.0, 'm': 0.0, 'x': 0.5, 'y': 0.5}
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from supplynet.engine.brandes import Graph, brandes, reduced_rows
from supplynet._errors import AnalysisError
from supplynet._progress import Progress
from supplynet.analysis.flow import id_index
from supplynet.engine.flownet import locality_rank
from supplynet.engine.snapshot import Snapshot, compile_topology
from supplynet.network.selectors import EndpointSpec, resolve_endpoints

__all__ = [
    "DEFAULT_K",
    "EXACT_LIMIT",
    "BETWEENNESS_WORK_LIMIT",
    "MIN_K",
    "SUPPLY_WORK_LIMIT",
    "betweenness",
    "edge_betweenness",
    "edge_supply_betweenness",
    "shortest_digraph",
    "supply_betweenness",
]

logger = logging.getLogger(__name__)

#: Largest network (nodes) whose all-pairs betweenness is computed exactly by default.
EXACT_LIMIT = 20_000
#: Sources sampled past the limit when no ``k`` is given, so the whole report stays
#: within its time budget (docs/benchmarks.md); the estimate's relative error on a
#: central node is then a few percent.
DEFAULT_K = 500
#: Largest supply-betweenness job computed exactly by default, in sources x (nodes +
#: arcs). At 100,000 road nodes that is every source up to about 540 of them, some 5 s
#: on 2 cores at the 9 ms per source docs/benchmarks.md measures; at a million, up to
#: about 55.
SUPPLY_WORK_LIMIT = 250_000_000
#: Largest sampled all-pairs betweenness job by default, in sources x (nodes + arcs):
#: :data:`DEFAULT_K` sources up to about 430,000 road nodes, fewer past that (about 20 s on 2
#: cores; at a million nodes 217 sources).
BETWEENNESS_WORK_LIMIT = 1_000_000_000
#: Fewest sources a default estimate (either betweenness) is made from, however large the network.
MIN_K = 100

Network = nx.MultiDiGraph | Snapshot


@dataclass(frozen=True)
class _Reduced:
    """``D`` in the kernels' form (:class:`Graph`), plus what maps it back.

    Vertex ``rank[v]`` stands for node ``v``: reverse Cuthill-McKee order keeps
    neighbours close in memory. Each row keeps its arcs in head-id order, so the order
    of work, hence every tie, is networkx's on :func:`shortest_digraph`. ``edge`` is
    the snapshot edge index of each arc.
    """

    graph: Graph
    edge: np.ndarray
    rank: np.ndarray


def _reduce(snap: Snapshot) -> _Reduced:
    """Return ``D`` (built once per snapshot topology and kept on it)."""
    return snap.cache("reduced", lambda: _build_reduced(snap))


def _build_reduced(snap: Snapshot) -> _Reduced:
    """Return ``D``: live edges, parallel ones reduced to the shortest, rows in head-id order."""
    n = len(snap.nodes)
    alive = snap.edge_alive
    if snap.has_endpoints and alive.all():
        # The flow network's numbering: the same order, as locality_rank depends only on
        # which nodes neighbour which, and every edge is live (1.3 ms at 10,000 nodes).
        rank = snap._flownet().node_rank()
    else:
        live = np.flatnonzero(alive)
        rank = locality_rank(n, snap.edge_tail[live], snap.edge_head[live])
    indptr, heads, tails, edge, in_ptr = reduced_rows(n, snap.edge_tail, snap.edge_head,
                                                      snap.edge_length, alive, rank)
    try:
        graph = Graph(indptr, heads, tails, snap.edge_length[edge], in_ptr)
    except ValueError as exc:
        raise AnalysisError(str(exc)) from None
    return _Reduced(graph, edge, rank)


def _arcs_in_id_order(snap: Snapshot) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the kept edges of ``D`` in (tail id, head id) order, with their ends."""
    red = _reduce(snap)
    order = np.lexsort((snap.edge_head[red.edge], snap.edge_tail[red.edge]))
    keep = red.edge[order]
    return keep, snap.edge_tail[keep], snap.edge_head[keep]


def shortest_digraph(G: Network) -> nx.DiGraph:
    """Return ``D``: the DiGraph every betweenness here is defined on.

    Nodes are added in sorted id order, then arcs in (tail id, head id) order; each
    arc keeps the ``length`` of the shortest parallel edge and its id as ``key``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from("ab", type="storage")
    >>> _ = G.add_edge("a", "b", key="rail", length=9, mode="rail")
    >>> _ = G.add_edge("a", "b", key="road", length=7, mode="road")
    >>> list(shortest_digraph(G).edges(data=True))
    [('a', 'b', {'length': 7, 'key': 'road'})]
    """
    snap = compile_topology(G)
    keep, tails, heads = _arcs_in_id_order(snap)
    D = nx.DiGraph()
    D.add_nodes_from(snap.nodes)
    D.add_edges_from(
        (snap.nodes[t], snap.nodes[h], {"length": int(snap.edge_length[e]),
                                        "key": snap.edges[e]})
        for t, h, e in zip(tails, heads, keep)
    )
    return D


def _run(snap: Snapshot, sources: np.ndarray, targets: np.ndarray | None, *,
         nodes: bool, edges: bool, keep: bool, progress: Progress | None
         ) -> tuple[np.ndarray, np.ndarray]:
    """Return node sums (by node index) and arc sums (by arc of ``D``) of one pass.

    With ``keep`` (the caller's own snapshot) both sums are computed and kept on it,
    keyed by sources and targets, so the other half of a node/edge pair is free; a
    graph's throwaway snapshot computes only what was asked. Callers copy before
    changing the arrays returned.
    """
    red = _reduce(snap)
    key = ("brandes", np.asarray(sources, np.int64).tobytes(),
           None if targets is None else np.asarray(targets, np.int64).tobytes())
    if snap.cached(key):
        return snap.cache(key, lambda: None)
    ranked = None if targets is None else red.rank[np.asarray(targets, np.int64)]
    node_sums, arcs = brandes(red.graph, red.rank[np.asarray(sources, np.int64)], ranked,
                              nodes=nodes or keep, edges=edges or keep, progress=progress)
    if len(node_sums):
        node_sums = node_sums[red.rank]
    if keep:
        snap.cache(key, lambda: (node_sums, arcs))
    return node_sums, arcs


def _endpoints(G: Network, sources: EndpointSpec, sinks: EndpointSpec,
               snap: Snapshot) -> tuple[np.ndarray, np.ndarray]:
    """Return source and sink indices; a snapshot's own endpoints by default."""
    if sources is None and sinks is None and isinstance(G, Snapshot) and G.has_endpoints:
        return G.sources, G.sinks
    src, snk = resolve_endpoints(snap, sources, sinks, allow_overlap=True)
    return (np.array([snap.node_index[v] for v in src], np.int64),
            np.array([snap.node_index[v] for v in snk], np.int64))


def _edge_series(snap: Snapshot, red: _Reduced, arc_values: np.ndarray, name: str) -> pd.Series:
    """Return arc values as a Series over every edge id (0 for non-shortest parallels)."""
    values = np.zeros(len(snap.edges))
    values[red.edge] = arc_values
    return pd.Series(values, index=id_index(snap, "edge"),
                     name=name)


def _node_series(snap: Snapshot, values: np.ndarray, name: str) -> pd.Series:
    """Return node values (copied: kept sums stay untouched) as a Series by node id."""
    return pd.Series(np.array(values, float),
                     index=id_index(snap, "node"), name=name)


def _supply_sample(snap: Snapshot, src: np.ndarray, k: int | str | None, seed: int | None,
                   work_limit: int | None) -> tuple[np.ndarray, dict]:
    """Return the sources to run (all, or a sample) and the ``attrs`` that say which.

    ``k`` None: exact while ``len(src) * (nodes + arcs)`` is within ``work_limit`` (None:
    :data:`SUPPLY_WORK_LIMIT`), else as many sources as fit (at least
    :data:`MIN_K`); ``"all"``:
    exact; an int: that many (exact when it covers every source). The sample is
    ``random.Random(seed).sample`` of the sources in id order, seed None meaning 0.
    """
    count = len(src)
    exact = {"sampled": False, "k": None, "seed": None, "sources": count}
    if isinstance(k, str):
        if k != "all":
            raise AnalysisError(f"k must be a number of sources or 'all', got {k!r}")
        return src, exact
    if k is None:
        limit = SUPPLY_WORK_LIMIT if work_limit is None else work_limit
        k = _fitting(snap, limit)
        if k >= count:
            return src, exact
        logger.info("supply betweenness from %d sources past %d sources x (nodes + arcs): sampling %d",
                    count, limit, k)
    elif isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise AnalysisError(f"k must be at least 1 source, got {k!r}")
    if k >= count:
        return src, exact
    seed = 0 if seed is None else seed
    ordered = np.sort(np.asarray(src, np.int64))  # node index order is id order
    picked = nx.utils.create_py_random_state(seed).sample(ordered.tolist(), int(k))
    return (np.array(sorted(picked), np.int64),
            {"sampled": True, "k": int(k), "seed": seed, "sources": count})


def _fitting(snap: Snapshot, work_limit: int) -> int:
    """Return how many shortest-path trees fit in ``work_limit`` sources x (nodes + arcs),
    at least :data:`MIN_K`."""
    size = len(snap.nodes) + int(snap.edge_alive.sum())
    return max(MIN_K, work_limit // max(size, 1))


def _supply(G: Network, sources: EndpointSpec, sinks: EndpointSpec, k: int | str | None,
            seed: int | None, work_limit: int | None, *, nodes: bool,
            progress: Progress | None) -> tuple[Snapshot, np.ndarray, dict]:
    """Return the snapshot, the (scaled) node or arc sums, and the sample's ``attrs``."""
    snap = compile_topology(G)
    src, snk = _endpoints(G, sources, sinks, snap)
    run, attrs = _supply_sample(snap, src, k, seed, work_limit)
    node_sums, arcs = _run(snap, run, snk, nodes=nodes, edges=not nodes,
                           keep=isinstance(G, Snapshot), progress=progress)
    sums = node_sums if nodes else arcs
    if attrs["sampled"]:
        sums = sums * (attrs["sources"] / attrs["k"])  # a new array: kept sums stay as they are
    return snap, sums, attrs


def supply_betweenness(G: Network, sources: EndpointSpec = None,
                       sinks: EndpointSpec = None, *, k: int | str | None = None,
                       seed: int | None = None, work_limit: int | None = None,
                       progress: Progress | None = None) -> pd.Series:
    """Return, per node, the share of source-to-sink shortest paths through it.

    Exactly ``networkx.betweenness_centrality_subset(D, sources, sinks,
    normalized=False, weight="length")`` on :func:`shortest_digraph`: for each
    (source, sink) pair, the fraction of its shortest paths passing through the node
    (endpoints excluded), summed. A node may be both a source and a sink here.

    Past ``work_limit`` it is estimated instead: the same sum over ``k`` sources drawn
    without replacement, times ``len(sources) / k`` (each source's term is then counted
    with probability ``k / len(sources)``: the estimate is unbiased), and ``attrs``
    says so.

    Parameters
    ----------
    G : networkx.MultiDiGraph or Snapshot
    sources, sinks : None, str or iterable of str
        Defaults (``manufacturing`` / ``assembly``; a snapshot's own), a selector, or ids.
    k : int or "all", optional
        Sources to sample. Default: every source while ``len(sources) x (nodes + arcs)``
        is at most ``work_limit``, else as many as fit in it (at least
        :data:`MIN_K`). ``"all"``, or ``k`` at least the number of sources: exact.
    seed : int, optional
        Seed of the sample (None means 0): ``random.Random(seed).sample`` of the
        sources in id order.
    work_limit : int, optional
        Largest job computed exactly when ``k`` is not given, in sources x (nodes +
        arcs); default :data:`SUPPLY_WORK_LIMIT`.
    progress : callable, optional
        Called as ``progress(done, total)`` in sources while computing.

    Returns
    -------
    pandas.Series
        Named ``"supply_betweenness"``, indexed by sorted node id; ``attrs`` holds
        ``sampled`` (bool), ``k`` and ``seed`` (None when exact) and ``sources`` (how many).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from("sxt", type="storage")
    >>> _ = G.add_edge("s", "x", key="sx", length=0)
    >>> _ = G.add_edge("x", "t", key="xt", length=4)
    >>> float(supply_betweenness(G, "id=s", "id=t")["x"])
    1.0
    """
    snap, sums, attrs = _supply(G, sources, sinks, k, seed, work_limit, nodes=True,
                                progress=progress)
    series = _node_series(snap, sums, "supply_betweenness")
    series.attrs.update(attrs)
    return series


def edge_supply_betweenness(G: Network, sources: EndpointSpec = None,
                            sinks: EndpointSpec = None, *, k: int | str | None = None,
                            seed: int | None = None, work_limit: int | None = None,
                            progress: Progress | None = None) -> pd.Series:
    """Return, per edge, networkx's source-to-sink edge betweenness.

    Exactly ``networkx.edge_betweenness_centrality_subset(D, sources, sinks,
    normalized=False, weight="length")`` on :func:`shortest_digraph` (including its
    own way of splitting dependency among predecessors), given to the shortest edge
    of each parallel group; other parallel edges get 0. Parameters, sampling and
    ``attrs`` as for :func:`supply_betweenness` (the same ``k``, ``seed`` and
    ``work_limit`` draw the same sources, so a snapshot computes both in one pass).

    Returns
    -------
    pandas.Series
        Named ``"supply_betweenness"``, indexed by sorted edge id.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from("sxt", type="storage")
    >>> _ = G.add_edge("s", "x", key="road", length=3)
    >>> _ = G.add_edge("s", "x", key="air", length=5)
    >>> _ = G.add_edge("x", "t", key="xt", length=4)
    >>> edge_supply_betweenness(G, "id=s", "id=t").to_dict()
    {'air': 0.0, 'road': 1.0, 'xt': 1.0}
    """
    snap, sums, attrs = _supply(G, sources, sinks, k, seed, work_limit, nodes=False,
                                progress=progress)
    series = _edge_series(snap, _reduce(snap), sums, "supply_betweenness")
    series.attrs.update(attrs)
    return series


def _sample(snap: Snapshot, k: int | str | None, seed: int | None,
            exact_limit: int) -> tuple[np.ndarray | None, int | None, int | None]:
    """Return ``(sampled sources or None, k, seed)`` following networkx's sampling."""
    n = len(snap.nodes)
    if isinstance(k, str):
        if k != "all":
            raise AnalysisError(f"k must be a number of sources or 'all', got {k!r}")
        return None, None, None
    if k is None and n > exact_limit:
        k = min(n, DEFAULT_K, _fitting(snap, BETWEENNESS_WORK_LIMIT))
        logger.info("betweenness of %d nodes: sampling %d sources", n, k)
    if k is None or k == n:  # networkx treats k == n as exact
        return None, None, None
    if not 0 < k <= n:
        raise AnalysisError(f"k must be between 1 and the {n} nodes, got {k}")
    seed = 0 if seed is None else seed
    picked = nx.utils.create_py_random_state(seed).sample(list(snap.nodes), k)
    return np.array([snap.node_index[v] for v in picked], np.int64), k, seed


def _with_attrs(series: pd.Series, sampled: np.ndarray | None, k: int | None,
                seed: int | None) -> pd.Series:
    series.attrs.update({"sampled": sampled is not None, "k": k, "seed": seed})
    return series


def betweenness(G: Network, *, k: int | str | None = None, seed: int | None = None,
                exact_limit: int = EXACT_LIMIT,
                progress: Progress | None = None) -> pd.Series:
    """Return normalized all-pairs shortest-path betweenness per node.

    Exactly ``networkx.betweenness_centrality(D, k=k, normalized=True,
    weight="length", seed=seed)`` on :func:`shortest_digraph`, sample included (the
    same ``seed`` picks the same sources from the same node order).

    Parameters
    ----------
    G : networkx.MultiDiGraph or Snapshot
    k : int or "all", optional
        Sample this many sources. Default: all, unless the network has more than
        ``exact_limit`` nodes, then :data:`DEFAULT_K`, or as many as fit in
        :data:`BETWEENNESS_WORK_LIMIT` sources x (nodes + arcs) if fewer (at least
        :data:`MIN_K`); ``"all"``: exact at any size.
    seed : int, optional
        Seed of the sample; None means 0, so reports are reproducible.
    exact_limit : int, default :data:`EXACT_LIMIT`
        Largest network computed exactly when ``k`` is not given.
    progress : callable, optional
        Called as ``progress(done, total)`` in sources while computing.

    Returns
    -------
    pandas.Series
        Named ``"betweenness"``, by sorted node id; ``attrs`` holds ``sampled``
        (bool), ``k`` and ``seed`` (None when exact).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from("abc", type="storage")
    >>> _ = G.add_edge("a", "b", key="ab", length=1)
    >>> _ = G.add_edge("b", "c", key="bc", length=1)
    >>> bc = betweenness(G)
    >>> bc.to_dict(), bc.attrs["sampled"]
    ({'a': 0.0, 'b': 0.5, 'c': 0.0}, False)
    """
    snap = compile_topology(G)
    n = len(snap.nodes)
    sampled, k, seed = _sample(snap, k, seed, exact_limit)
    sources = np.arange(n) if sampled is None else sampled
    nodes, _ = _run(snap, sources, None, nodes=True, edges=False,
                   keep=isinstance(G, Snapshot), progress=progress)
    nodes = nodes * _node_scale(n, sampled)
    return _with_attrs(_node_series(snap, nodes, "betweenness"), sampled, k, seed)


def _node_scale(n: int, sampled: np.ndarray | None) -> np.ndarray | float:
    """Return networkx's normalisation (``_rescale``, endpoints excluded)."""
    big_n = n - 1
    if big_n < 2:
        return 1.0
    if sampled is None:
        return 1.0 / (big_n * (big_n - 1))
    k = len(sampled)
    scale = np.full(n, 1.0 / (k * (big_n - 1)))
    scale[sampled] = 1.0 / ((k - 1) * (big_n - 1)) if k > 1 else math.nan
    return scale


def edge_betweenness(G: Network, *, k: int | str | None = None, seed: int | None = None,
                     exact_limit: int = EXACT_LIMIT,
                     progress: Progress | None = None) -> pd.Series:
    """Return normalized all-pairs shortest-path betweenness per edge.

    Exactly ``networkx.edge_betweenness_centrality(D, k=k, normalized=True,
    weight="length", seed=seed)`` on :func:`shortest_digraph`, given to the shortest
    edge of each parallel group (others get 0). Sampling and parameters as in
    :func:`betweenness`.

    Returns
    -------
    pandas.Series
        Named ``"betweenness"``, by sorted edge id, with the same ``attrs``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from("abc", type="storage")
    >>> _ = G.add_edge("a", "b", key="ab", length=1)
    >>> _ = G.add_edge("b", "c", key="bc", length=1)
    >>> edge_betweenness(G).to_dict()
    {'ab': 0.3333333333333333, 'bc': 0.3333333333333333}
    """
    snap = compile_topology(G)
    n = len(snap.nodes)
    sampled, k, seed = _sample(snap, k, seed, exact_limit)
    sources = np.arange(n) if sampled is None else sampled
    _, arcs = _run(snap, sources, None, nodes=False, edges=True,
                   keep=isinstance(G, Snapshot), progress=progress)
    if n >= 2:  # networkx: endpoints counted, so N = n
        arcs = arcs * (1.0 / ((n if sampled is None else len(sampled)) * (n - 1)))
    return _with_attrs(_edge_series(snap, _reduce(snap), arcs, "betweenness"), sampled, k,
                       seed)

