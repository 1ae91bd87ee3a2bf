"""Seeded generator of road-like supply networks for benchmarks.

The networks follow the benchmark recipe of docs/benchmarks.md: nodes scattered over a
Middle-East-sized box, roads from the k nearest neighbours plus a spanning tree (so
the network is connected), about 3.5 arcs per node (every road is two-way), about
5 % ``manufacturing`` sources and 5 % ``assembly`` sinks, random integer capacities
(some arcs unlimited), some node capacities and integer metre lengths.

Run ``python benchmarks/generate.py 10000 -o net.geojson`` to write a network file.
:func:`grid_network` gives the square grids of the plan benchmark (and its tests).

Examples
--------
>>> G = road_network(200, seed=1)
>>> G.number_of_nodes()
200
>>> 3.3 < G.number_of_edges() / G.number_of_nodes() < 3.7
True
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from scipy.spatial import cKDTree

__all__ = ["SHAPES", "Columns", "grid_columns", "grid_network", "road_columns", "road_network", "shaped_columns",
           "shaped_network", "street_columns", "to_arrays", "to_graph", "write_geojson",
           "write_geoparquet"]

#: (lon_min, lat_min, lon_max, lat_max): roughly the Levant to the Gulf.
BOX = (34.0, 12.0, 60.0, 40.0)
_EARTH_RADIUS_M = 6_371_008.8
_OTHER_TYPES = ("smuggling", "storage", "border_crossing", "airfield", "launch")


def road_network(
    n: int,
    *,
    seed: int = 0,
    arcs_per_node: float = 3.5,
    source_share: float = 0.05,
    sink_share: float = 0.05,
    node_capacity_share: float = 0.2,
    unlimited_share: float = 0.05,
    parallel_share: float = 0.02,
) -> nx.MultiDiGraph:
    """Return a seeded road-like supply network as a contract MultiDiGraph.

    Parameters
    ----------
    n : int
        Number of nodes (at least 2).
    seed : int, default 0
        Seed of every random choice: the same arguments give the same network.
    arcs_per_node : float, default 3.5
        Target number of directed arcs per node, parallel arcs excluded.
    source_share, sink_share : float, default 0.05
        Share of nodes typed ``manufacturing`` (sources) and ``assembly`` (sinks).
    node_capacity_share : float, default 0.2
        Share of other nodes given a finite capacity (sources and sinks always
        have one, so the maximum flow is finite).
    unlimited_share : float, default 0.05
        Share of arcs without a capacity (unlimited), among arcs not touching a
        source or sink.
    parallel_share : float, default 0.02
        Share of arcs doubled by a longer parallel arc of another mode.

    Returns
    -------
    networkx.MultiDiGraph
        Node ids ``n0 .. n{n-1}``, edge ids ``e0 ..``, attributes per the contract.
    """
    return to_graph(road_columns(n, seed=seed, arcs_per_node=arcs_per_node, source_share=source_share,
                                 sink_share=sink_share, node_capacity_share=node_capacity_share,
                                 unlimited_share=unlimited_share, parallel_share=parallel_share))


@dataclass
class Columns:
    """A generated network column by column (NaN capacity: unlimited), in id order of
    generation; :func:`to_graph` and :func:`to_arrays` turn it into what supplynet takes."""

    node_id: list[str]
    lon: np.ndarray
    lat: np.ndarray
    node_type: np.ndarray  # object
    node_name: list[str]
    node_capacity: np.ndarray
    node_cost: np.ndarray
    node_interdictable: np.ndarray
    tail: np.ndarray
    head: np.ndarray
    length: np.ndarray  # integer metres
    edge_capacity: np.ndarray
    edge_mode: np.ndarray  # object
    edge_id: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.edge_id:
            self.edge_id = [f"e{j}" for j in range(len(self.tail))]


def road_columns(n: int, *, seed: int = 0, arcs_per_node: float = 3.5, source_share: float = 0.05,
                 sink_share: float = 0.05, node_capacity_share: float = 0.2, unlimited_share: float = 0.05,
                 parallel_share: float = 0.02) -> Columns:
    """Return :func:`road_network`'s network as :class:`Columns` (the same random draws)."""
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    rng = np.random.default_rng(seed)
    lon = rng.uniform(BOX[0], BOX[2], n)
    lat = rng.uniform(BOX[1], BOX[3], n)
    pairs = _road_pairs(lon, lat, rng, arcs_per_node)
    tails = np.concatenate([pairs[:, 0], pairs[:, 1]])
    heads = np.concatenate([pairs[:, 1], pairs[:, 0]])
    lengths = _haversine_m(lon[tails], lat[tails], lon[heads], lat[heads])
    types, caps, costs, interdictable = _node_columns(n, rng, source_share, sink_share, node_capacity_share)
    # Roads touching a factory or an assembly site always have a capacity, so that
    # the edge cut stays finite (an unlimited road from a source to a sink is not).
    endpoint = np.isin(types, ("manufacturing", "assembly"))
    edge_caps, modes, tails, heads, lengths = _edge_columns(
        tails, heads, lengths, rng, unlimited_share, parallel_share, endpoint[tails] | endpoint[heads])
    return Columns([f"n{i}" for i in range(n)], lon, lat, types, [f"site {i}" for i in range(n)], caps,
                   costs, interdictable, tails, heads, lengths, edge_caps, modes)


def to_graph(cols: Columns) -> nx.MultiDiGraph:
    """Return the contract MultiDiGraph of generated columns."""
    G = nx.MultiDiGraph()
    for i, node in enumerate(cols.node_id):
        attrs = {"type": str(cols.node_type[i]), "name": cols.node_name[i], "x": float(cols.lon[i]),
                 "y": float(cols.lat[i]), "cost": float(cols.node_cost[i]),
                 "interdictable": bool(cols.node_interdictable[i])}
        if not np.isnan(cols.node_capacity[i]):
            attrs["capacity"] = float(cols.node_capacity[i])
        G.add_node(node, **attrs)
    ids = cols.node_id
    for j, (t, h, length, cap, mode) in enumerate(zip(cols.tail.tolist(), cols.head.tolist(), cols.length.tolist(),
                                                      cols.edge_capacity.tolist(), cols.edge_mode.tolist())):
        attrs = {"length": length, "cost": 1.0, "interdictable": True, "mode": mode}
        if cap == cap:  # not NaN: limited
            attrs["capacity"] = cap
        G.add_edge(ids[t], ids[h], key=cols.edge_id[j], **attrs)
    return G


def to_arrays(cols: Columns):
    """Return the :class:`supplynet.engine.compile.NetworkArrays` of generated columns,
    without a graph (how a 1M-node network is compiled in a benchmark)."""
    from supplynet.engine.compile import NetworkArrays

    node_order = np.argsort(np.array(cols.node_id))
    rank = np.empty(len(node_order), np.int64)
    rank[node_order] = np.arange(len(node_order))
    edge_order = np.argsort(np.array(cols.edge_id))
    m, n = len(edge_order), len(node_order)

    def frozen(a):
        a = np.ascontiguousarray(a)
        a.setflags(write=False)
        return a

    def caps(a):
        return frozen(np.where(np.isnan(a), np.inf, a).astype(float))

    return NetworkArrays(
        nodes=tuple(cols.node_id[i] for i in node_order), edges=tuple(cols.edge_id[j] for j in edge_order),
        edge_tail=frozen(rank[cols.tail[edge_order]]), edge_head=frozen(rank[cols.head[edge_order]]),
        edge_length=frozen(cols.length[edge_order].astype(float)),
        node_capacity=caps(cols.node_capacity[node_order]), edge_capacity=caps(cols.edge_capacity[edge_order]),
        node_cost=frozen(cols.node_cost[node_order].astype(float)), edge_cost=frozen(np.ones(m)),
        node_interdictable=frozen(cols.node_interdictable[node_order].astype(bool)),
        edge_interdictable=frozen(np.ones(m, bool)),
        node_type=tuple(cols.node_type[node_order].tolist()), node_name=tuple(cols.node_name[i] for i in node_order),
        node_country=(None,) * n, node_x=frozen(cols.lon[node_order]), node_y=frozen(cols.lat[node_order]),
        node_repair_days=frozen(np.full(n, np.nan)), node_confidence=frozen(np.full(n, np.nan)),
        edge_mode=tuple(cols.edge_mode[edge_order].tolist()), edge_crosses_border=frozen(np.zeros(m, bool)),
        edge_repair_days=frozen(np.full(m, np.nan)), edge_confidence=frozen(np.full(m, np.nan)),
        meta={"name": "generated"},
    )


def _road_pairs(
    lon: np.ndarray, lat: np.ndarray, rng: np.random.Generator, arcs_per_node: float
) -> np.ndarray:
    """Return unique undirected node pairs: a spanning tree plus near-neighbour roads."""
    n = len(lon)
    # Scale longitude so Euclidean neighbours are roughly geodesic neighbours.
    xy = np.column_stack([lon * np.cos(np.radians(lat.mean())), lat])
    k = min(8, n - 1)
    dist, idx = cKDTree(xy).query(xy, k=k + 1)
    rows = np.repeat(np.arange(n), k)
    cols = idx[:, 1:].ravel()
    knn = _unique_pairs(rows, cols)
    weights = np.hypot(*(xy[knn[:, 0]] - xy[knn[:, 1]]).T) + 1e-12
    graph = coo_array((weights, (knn[:, 0], knn[:, 1])), shape=(n, n)).tocsr()
    tree = minimum_spanning_tree(graph).tocoo()
    tree_pairs = _unique_pairs(tree.row, tree.col)
    tree_pairs = _connect_components(xy, tree_pairs)
    # Extra roads: the shortest non-tree neighbour pairs, the way real roads fill in.
    wanted = max(0, int(round(arcs_per_node * n / 2)) - len(tree_pairs))
    # The knn pairs in order of length, less the tree's (vectorised: 1M nodes have 5M pairs).
    ordered = knn[np.argsort(weights, kind="stable")]
    in_tree = np.isin(ordered[:, 0] * n + ordered[:, 1], tree_pairs[:, 0] * n + tree_pairs[:, 1])
    extra = ordered[~in_tree][: 2 * wanted].astype(np.int64).reshape(-1, 2)
    pick = rng.choice(len(extra), size=min(wanted, len(extra)), replace=False)
    return np.vstack([tree_pairs, extra[np.sort(pick)]])


def _unique_pairs(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Return sorted unique (low, high) pairs of the given node pairs."""
    pairs = np.column_stack([np.minimum(rows, cols), np.maximum(rows, cols)])
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(pairs.astype(np.int64), axis=0)


def _connect_components(xy: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Return ``pairs`` plus links joining every component to the first one."""
    n = len(xy)
    graph = coo_array(
        (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n)
    )
    count, labels = connected_components(graph, directed=False)
    links = []
    main = np.flatnonzero(labels == 0)
    tree = cKDTree(xy[main])
    for comp in range(1, count):
        members = np.flatnonzero(labels == comp)
        dist, near = tree.query(xy[members])
        best = int(np.argmin(dist))
        links.append((members[best], main[near[best]]))
    if not links:
        return pairs
    return np.vstack([pairs, _unique_pairs(*np.array(links).T)])


def _haversine_m(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Return great-circle distances in integer metres."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.rint(2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(h))).astype(np.int64)


def _node_columns(
    n: int, rng: np.random.Generator, source_share: float, sink_share: float, node_capacity_share: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return node types, capacities (NaN: none), costs and interdictable flags (5 %
    uninterdictable, never an endpoint)."""
    types = rng.choice(np.array(_OTHER_TYPES), size=n).astype(object)
    order = rng.permutation(n)
    n_src = max(1, int(round(source_share * n)))
    n_snk = max(1, int(round(sink_share * n)))
    types[order[:n_src]] = "manufacturing"
    types[order[n_src : n_src + n_snk]] = "assembly"
    # Every factory and assembly site has a throughput; without it a source next
    # to a sink over an unlimited road would make the maximum flow unbounded.
    endpoint = order[: n_src + n_snk]
    has_cap = rng.random(n) < node_capacity_share
    has_cap[endpoint] = True
    caps = rng.integers(20, 200, n)
    caps[endpoint] = rng.integers(50, 500, len(endpoint))
    costs = rng.integers(1, 11, n).astype(float)
    interdictable = rng.random(n) >= 0.05
    interdictable[endpoint] = True  # else a source next to a sink makes cuts unbounded
    return types, np.where(has_cap, caps.astype(float), np.nan), costs, interdictable


def _edge_columns(
    tails: np.ndarray,
    heads: np.ndarray,
    lengths: np.ndarray,
    rng: np.random.Generator,
    unlimited_share: float,
    parallel_share: float,
    capped: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Return edge capacities (NaN: unlimited), modes, tails, heads and lengths, the
    parallel rail arcs appended."""
    m = len(tails)
    caps = rng.integers(5, 100, m).astype(float)
    unlimited = (rng.random(m) < unlimited_share) & ~capped
    doubled = np.flatnonzero(rng.random(m) < parallel_share)
    rail_caps = [float(rng.integers(5, 50)) for _ in range(len(doubled))]
    edge_caps = np.concatenate([np.where(unlimited, np.nan, caps), np.array(rail_caps, float)])
    modes = np.array(["road"] * m + ["rail"] * len(doubled), dtype=object)
    lengths = np.concatenate([lengths, (lengths[doubled] * 1.25).astype(np.int64) + 1])
    return (edge_caps, modes, np.concatenate([tails, tails[doubled]]), np.concatenate([heads, heads[doubled]]),
            lengths)


def grid_network(n: int, seed: int) -> nx.MultiDiGraph:
    """An n x n two-way grid: capacitated nodes costing 1-3, sources left, sinks right.

    Many near-equal cuts: the family where greedy falls short (road-like networks are
    too easy for it).
    """
    rng = np.random.default_rng(seed)
    G = nx.MultiDiGraph()
    for i, j in itertools.product(range(n), range(n)):
        kind = "manufacturing" if j == 0 else "assembly" if j == n - 1 else "storage"
        G.add_node(f"{i}.{j}", type=kind, cost=float(rng.integers(1, 4)), capacity=float(rng.integers(5, 40)))
    for i, j in itertools.product(range(n), range(n)):
        for di, dj in ((0, 1), (1, 0), (0, -1), (-1, 0)):
            if 0 <= i + di < n and 0 <= j + dj < n:
                G.add_edge(f"{i}.{j}", f"{i + di}.{j + dj}", key=f"{i}.{j}>{i + di}.{j + dj}",
                           capacity=float(rng.integers(1, 30)), cost=1.0, length=1)
    return G


#: The shapes the kernel benchmark times (docs/benchmarks.md, "Shapes").
SHAPES = ("spread", "random", "far", "one", "grid", "street")
#: Sources (and sinks) of the few-endpoint shapes: 50 from 1,000 nodes up.
FEW = 50


def endpoint_count(n: int) -> int:
    """Return how many sources (and as many sinks) the few-endpoint shapes get at ``n`` nodes."""
    return max(1, min(FEW, n // 20))


def shaped_network(shape: str, n: int, *, seed: int = 0, node_capacities: bool = True) -> nx.MultiDiGraph:
    """Return a benchmark network of one of :data:`SHAPES` as a contract MultiDiGraph.

    ``spread``: :func:`road_network`'s 5 % sources and 5 % sinks (short routes).
    ``random``: :func:`endpoint_count` sources and sinks (50 at 1,000 nodes and more) at random.
    ``far``: as many, the westmost nodes sources and the eastmost sinks: every route
    crosses the map. ``one``: one factory at the west edge, one sink at the east edge.
    ``grid``: a two-way lattice, sources on its west column and sinks on its east column.
    ``street``: the streets of central Helsinki from OpenStreetMap (``n`` is ignored; see
    :func:`street_columns`). With ``node_capacities`` a fifth of the nodes and every
    endpoint have a capacity; without, no node has one.

    Examples
    --------
    >>> G = shaped_network("far", 400, seed=2, node_capacities=False)
    >>> kinds = [d["type"] for _, d in G.nodes(data=True)]
    >>> kinds.count("manufacturing"), kinds.count("assembly"), any("capacity" in d for _, d in G.nodes(data=True))
    (20, 20, False)
    """
    return to_graph(shaped_columns(shape, n, seed=seed, node_capacities=node_capacities))


def shaped_columns(shape: str, n: int, *, seed: int = 0, node_capacities: bool = True) -> Columns:
    """Return :func:`shaped_network` as :class:`Columns`."""
    share = 0.2 if node_capacities else 0.0
    if shape == "spread":
        cols = road_columns(n, seed=seed, node_capacity_share=share)
    elif shape == "random":
        k = endpoint_count(n)
        cols = road_columns(n, seed=seed, source_share=k / n, sink_share=k / n, node_capacity_share=share)
    elif shape in ("far", "one"):
        cols = road_columns(n, seed=seed, source_share=0.0, sink_share=0.0, node_capacity_share=share)
        k = endpoint_count(n) if shape == "far" else 1
        order = np.argsort(cols.lon, kind="stable")
        _set_endpoints(cols, order[:k], order[-k:], np.random.default_rng(seed + 1))
    elif shape == "grid":
        cols = grid_columns(n, seed=seed, node_capacity_share=share)
    elif shape == "street":
        cols = street_columns(seed=seed, node_capacity_share=share)
    else:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}, not {shape!r}")
    if not node_capacities:
        cols.node_capacity[:] = np.nan
    return cols


def _set_endpoints(cols: Columns, sources: np.ndarray, sinks: np.ndarray, rng: np.random.Generator) -> None:
    """Make ``sources`` the only factories and ``sinks`` the only assembly sites, each with a
    capacity, and give every unlimited road at them a capacity (the cuts stay finite)."""
    others = np.isin(cols.node_type, ("manufacturing", "assembly"))
    cols.node_type[others] = "storage"
    cols.node_type[sources] = "manufacturing"
    cols.node_type[sinks] = "assembly"
    ends = np.concatenate([sources, sinks])
    cols.node_capacity[ends] = rng.integers(50, 500, len(ends))
    cols.node_interdictable[ends] = True
    endpoint = np.zeros(len(cols.node_id), bool)
    endpoint[ends] = True
    open_end = np.isnan(cols.edge_capacity) & (endpoint[cols.tail] | endpoint[cols.head])
    cols.edge_capacity[open_end] = rng.integers(5, 100, int(open_end.sum()))


def grid_columns(n: int, *, seed: int = 0, node_capacity_share: float = 0.2) -> Columns:
    """Return a two-way lattice of about ``n`` nodes over :data:`BOX` as :class:`Columns`:
    every node joined to its four neighbours, 5 % of the roads unlimited,
    :func:`endpoint_count` sources spread down the west column and sinks down the east one.

    Examples
    --------
    >>> cols = grid_columns(100, seed=0)
    >>> len(cols.node_id), len(cols.tail), sorted(set(cols.node_type) & {"manufacturing", "assembly"})
    (100, 360, ['assembly', 'manufacturing'])
    """
    side = max(2, int(round(math.sqrt(n))))
    rng = np.random.default_rng(seed)
    row, col = np.divmod(np.arange(side * side), side)
    jitter = rng.uniform(-0.2, 0.2, (2, side * side))
    lon = BOX[0] + (col + 0.5 + jitter[0]) * (BOX[2] - BOX[0]) / side
    lat = BOX[1] + (row + 0.5 + jitter[1]) * (BOX[3] - BOX[1]) / side
    node = row * side + col
    right = node[col < side - 1]
    down = node[row < side - 1]
    pairs = np.concatenate([np.column_stack([right, right + 1]), np.column_stack([down, down + side])])
    tails = np.concatenate([pairs[:, 0], pairs[:, 1]])
    heads = np.concatenate([pairs[:, 1], pairs[:, 0]])
    lengths = _haversine_m(lon[tails], lat[tails], lon[heads], lat[heads])
    count = side * side
    types, caps, costs, interdictable = _node_columns(count, rng, 0.0, 0.0, node_capacity_share)
    k = min(endpoint_count(count), side)
    rows = np.unique(np.linspace(0, side - 1, k).round().astype(np.int64))
    cols = Columns([f"g{i}" for i in range(count)], lon, lat, types, [f"crossing {i}" for i in range(count)],
                   caps, costs, interdictable, tails, heads, lengths,
                   np.where(rng.random(len(tails)) < 0.05, np.nan, rng.integers(5, 100, len(tails)).astype(float)),
                   np.array(["road"] * len(tails), dtype=object))
    _set_endpoints(cols, rows * side, rows * side + side - 1, rng)
    return cols


#: Capacity per lane (vehicles an hour) by OpenStreetMap ``highway`` class.
_LANE_CAPACITY = {"motorway": 2000, "trunk": 1800, "primary": 1500, "secondary": 1100, "tertiary": 900,
                  "unclassified": 700, "residential": 600, "living_street": 300, "service": 300}
_OTHER_LANE_CAPACITY = 100  # paths, tracks, footways, cycleways ...


def street_columns(*, seed: int = 0, node_capacity_share: float = 0.2) -> Columns:
    """Return the streets of central Helsinki as :class:`Columns`: every way of the
    OpenStreetMap extract that ``pyrosm`` ships (``Helsinki.osm.pbf``, data
    (c) OpenStreetMap contributors, ODbL), split at every node, two-way unless
    ``oneway``; capacity per lane by road class times the lanes (1 where not given);
    the 20 westmost nodes are factories and the 20 eastmost assembly sites.

    Needs the ``bench`` extra (``pip install -e '.[bench]'``).
    """
    import warnings

    import pyrosm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyrosm's own deprecation warnings
        nodes, edges = pyrosm.OSM(pyrosm.get_data("helsinki_pbf")).get_network(network_type="all", nodes=True)
    ids = nodes["id"].to_numpy(np.int64)
    index = {v: i for i, v in enumerate(ids.tolist())}
    u = np.array([index[v] for v in edges["u"].tolist()], np.int64)
    v = np.array([index[w] for w in edges["v"].tolist()], np.int64)
    oneway = edges["oneway"].fillna("no").astype(str).to_numpy()
    lanes = np.array([_lanes(x) for x in edges["lanes"].tolist()], float)
    per_lane = np.array([_LANE_CAPACITY.get(str(h).removesuffix("_link"), _OTHER_LANE_CAPACITY)
                         for h in edges["highway"].tolist()], float)
    length = np.maximum(1, np.rint(edges["length"].to_numpy(float))).astype(np.int64)
    forward = oneway != "-1"
    backward = ~np.isin(oneway, ("yes", "true", "1"))
    tails = np.concatenate([u[forward], v[backward]])
    heads = np.concatenate([v[forward], u[backward]])
    caps = np.concatenate([(lanes * per_lane)[forward], (lanes * per_lane)[backward]])
    lengths = np.concatenate([length[forward], length[backward]])
    keep = tails != heads
    n = len(ids)
    rng = np.random.default_rng(seed)
    types, node_caps, costs, interdictable = _node_columns(n, rng, 0.0, 0.0, node_capacity_share)
    lon = nodes["lon"].to_numpy(float)
    cols = Columns([f"osm{i}" for i in ids.tolist()], lon, nodes["lat"].to_numpy(float), types,
                   [f"node {i}" for i in ids.tolist()], node_caps, costs, interdictable, tails[keep], heads[keep],
                   lengths[keep], caps[keep], np.array(["road"] * int(keep.sum()), dtype=object))
    linked = np.zeros(n, bool)
    linked[cols.tail] = linked[cols.head] = True
    order = np.flatnonzero(linked)[np.argsort(lon[linked], kind="stable")]
    _set_endpoints(cols, order[:20], order[-20:], rng)
    return cols


def _lanes(value: object) -> float:
    """Return the lanes of an OSM ``lanes`` tag (1 where absent or unreadable)."""
    try:
        return max(1.0, float(str(value).split(";")[0]))
    except ValueError:
        return 1.0


def write_geojson(G: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write ``G`` as one RFC 7946 network FeatureCollection and return the path.

    Nodes become Points with ``id``, ``type``, ``name``, ``cost``, ``interdictable``
    and (when limited) ``capacity``; edges become two-point LineStrings with ``id``,
    ``source``, ``target``, ``mode``, ``length_km`` and (when limited) ``capacity``.
    """
    features = []
    for node, data in G.nodes(data=True):
        props = {"id": node, "type": data["type"], "name": data.get("name", node),
                 "cost": data.get("cost", 1.0),
                 "interdictable": data.get("interdictable", True)}
        if "capacity" in data:
            props["capacity"] = data["capacity"]
        geom = {"type": "Point", "coordinates": [data["x"], data["y"]]}
        features.append({"type": "Feature", "geometry": geom, "properties": props})
    for u, v, key, data in G.edges(keys=True, data=True):
        props = {"id": key, "source": u, "target": v, "mode": data.get("mode"),
                 "length_km": data["length"] / 1000.0}
        if "capacity" in data:
            props["capacity"] = data["capacity"]
        coords = [[G.nodes[u]["x"], G.nodes[u]["y"]], [G.nodes[v]["x"], G.nodes[v]["y"]]]
        geom = {"type": "LineString", "coordinates": coords}
        features.append({"type": "Feature", "geometry": geom, "properties": props})
    path = Path(path)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def write_geoparquet(cols: Columns, nodes_path: str | Path, edges_path: str | Path) -> tuple[Path, Path]:
    """Write generated columns as a GeoParquet nodes file and edges file (the layout of
    :func:`write_geojson`: Points, and two-point LineStrings with ``length_km``) and return
    the paths. No graph is built, so a million nodes take seconds."""
    import geopandas as gpd
    import shapely

    nodes = gpd.GeoDataFrame(
        {"id": cols.node_id, "type": cols.node_type.astype(str), "name": cols.node_name, "cost": cols.node_cost,
         "interdictable": cols.node_interdictable.astype(bool), "capacity": cols.node_capacity},
        geometry=shapely.points(cols.lon, cols.lat), crs="EPSG:4326")
    ends = np.stack([np.column_stack([cols.lon[cols.tail], cols.lat[cols.tail]]),
                     np.column_stack([cols.lon[cols.head], cols.lat[cols.head]])], axis=1)
    edges = gpd.GeoDataFrame(
        {"id": cols.edge_id, "source": np.array(cols.node_id, dtype=object)[cols.tail],
         "target": np.array(cols.node_id, dtype=object)[cols.head], "mode": cols.edge_mode.astype(str),
         "length_km": cols.length / 1000.0, "capacity": cols.edge_capacity},
        geometry=shapely.linestrings(ends), crs="EPSG:4326")
    nodes_path, edges_path = Path(nodes_path), Path(edges_path)
    nodes.to_parquet(nodes_path, index=False)
    edges.to_parquet(edges_path, index=False)
    return nodes_path, edges_path


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("nodes", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    write_geojson(road_network(args.nodes, seed=args.seed), args.output)


if __name__ == "__main__":
    _main()
