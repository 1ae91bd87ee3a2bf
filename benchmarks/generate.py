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
from pathlib import Path

import networkx as nx
import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from scipy.spatial import cKDTree

__all__ = ["grid_network", "road_network", "write_geojson"]

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
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    rng = np.random.default_rng(seed)
    lon = rng.uniform(BOX[0], BOX[2], n)
    lat = rng.uniform(BOX[1], BOX[3], n)
    pairs = _road_pairs(lon, lat, rng, arcs_per_node)
    tails = np.concatenate([pairs[:, 0], pairs[:, 1]])
    heads = np.concatenate([pairs[:, 1], pairs[:, 0]])
    lengths = _haversine_m(lon[tails], lat[tails], lon[heads], lat[heads])
    G = nx.MultiDiGraph()
    G.add_nodes_from(_node_rows(lon, lat, rng, source_share, sink_share, node_capacity_share))
    # Roads touching a factory or an assembly site always have a capacity, so that
    # the edge cut stays finite (an unlimited road from a source to a sink is not).
    endpoint = np.array([G.nodes[f"n{i}"]["type"] in ("manufacturing", "assembly")
                         for i in range(n)])
    G.add_edges_from(_edge_rows(tails, heads, lengths, rng, unlimited_share, parallel_share,
                                endpoint[tails] | endpoint[heads]))
    return G


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
    tree_keys = set(map(tuple, tree_pairs.tolist()))
    order = np.argsort(weights, kind="stable")
    extra = [p for p in knn[order].tolist() if tuple(p) not in tree_keys]
    extra = np.array(extra[: 2 * wanted], dtype=np.int64).reshape(-1, 2)
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


def _node_rows(
    lon: np.ndarray,
    lat: np.ndarray,
    rng: np.random.Generator,
    source_share: float,
    sink_share: float,
    node_capacity_share: float,
) -> list[tuple[str, dict]]:
    """Return ``(id, attributes)`` rows for every node (5 % uninterdictable, never an
    endpoint)."""
    n = len(lon)
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
    rows = []
    for i in range(n):
        attrs = {
            "type": str(types[i]),
            "name": f"site {i}",
            "x": float(lon[i]),
            "y": float(lat[i]),
            "cost": float(costs[i]),
            "interdictable": bool(interdictable[i]),
        }
        if has_cap[i]:
            attrs["capacity"] = float(caps[i])
        rows.append((f"n{i}", attrs))
    return rows


def _edge_rows(
    tails: np.ndarray,
    heads: np.ndarray,
    lengths: np.ndarray,
    rng: np.random.Generator,
    unlimited_share: float,
    parallel_share: float,
    capped: np.ndarray,
) -> list[tuple[str, str, str, dict]]:
    """Return ``(tail, head, id, attributes)`` rows, parallel arcs included."""
    m = len(tails)
    caps = rng.integers(5, 100, m).astype(float).tolist()
    unlimited = ((rng.random(m) < unlimited_share) & ~capped).tolist()
    doubled = np.flatnonzero(rng.random(m) < parallel_share)
    names = [f"n{i}" for i in range(int(max(tails.max(), heads.max())) + 1)]
    rows = []
    for j, (t, h, length) in enumerate(zip(tails.tolist(), heads.tolist(), lengths.tolist())):
        attrs = {"length": length, "cost": 1.0, "interdictable": True, "mode": "road"}
        if not unlimited[j]:
            attrs["capacity"] = caps[j]
        rows.append((names[t], names[h], f"e{j}", attrs))
    for i, j in enumerate(doubled.tolist()):
        attrs = {
            "length": int(lengths[j] * 1.25) + 1,
            "cost": 1.0,
            "interdictable": True,
            "mode": "rail",
            "capacity": float(rng.integers(5, 50)),
        }
        rows.append((f"n{tails[j]}", f"n{heads[j]}", f"e{m + i}", attrs))
    return rows


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


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("nodes", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    write_geojson(road_network(args.nodes, seed=args.seed), args.output)


if __name__ == "__main__":
    _main()
