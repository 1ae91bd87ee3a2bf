"""The network at a glance: counts by type and mode, countries, extent, connectivity."""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from supplynet.engine import reach
from supplynet.engine.snapshot import Snapshot, compile_topology
from supplynet._errors import SelectorError
from supplynet.network.selectors import SINK_TYPE, SOURCE_TYPE, default_sinks, default_sources

__all__ = ["network_summary"]


def network_summary(G: nx.MultiDiGraph | Snapshot) -> dict[str, Any]:
    """Return a JSON-ready summary of a network.

    Keys: ``name``, ``description``, ``source``, ``sha256``, ``nodes``, ``edges``,
    ``node_types``, ``edge_modes``, ``countries``, ``border_edges``, ``sources``,
    ``sinks`` (the default ones: every ``manufacturing`` and every ``assembly`` node, possibly
    none), ``total_length_km``, ``bbox`` ([west, south, east, north]), ``components``
    (weakly connected) and ``source_reaches_sink``.

    Examples
    --------
    >>> G = nx.MultiDiGraph(crs="EPSG:4326")
    >>> G.add_node("f", type="manufacturing", x=46.0, y=34.0, country="Iran")
    >>> G.add_node("a", type="assembly", x=40.0, y=35.0, country="Syria")
    >>> G.add_edge("f", "a", key="e", length=600_000, mode="road", crosses_border=True)
    'e'
    >>> s = network_summary(G)
    >>> s["source_reaches_sink"], s["total_length_km"], s["components"]
    (True, 600.0, 1)
    """
    snap = compile_topology(G)
    n = len(snap.nodes)
    sources = _of_type(snap, SOURCE_TYPE)
    sinks = _of_type(snap, SINK_TYPE)
    src = np.array([snap.node_index[v] for v in sources], np.int64)
    snk = np.array([snap.node_index[v] for v in sinks], np.int64)
    reached = reach.reached(n, snap.edge_tail, snap.edge_head, src) if len(src) else np.zeros(n, bool)
    graph = sp.csr_array((np.ones(len(snap.edges), np.int8), (snap.edge_tail, snap.edge_head)), shape=(n, n))
    xs, ys = snap.node_x, snap.node_y
    return {
        "name": snap.meta.get("name"),
        "description": snap.meta.get("description"),
        "source": snap.meta.get("source"),
        "sha256": snap.meta.get("sha256"),
        "nodes": n,
        "edges": len(snap.edges),
        "node_types": dict(sorted(Counter(snap.node_type).items())),
        "edge_modes": dict(sorted(Counter(m or "(none)" for m in snap.edge_mode).items())),
        "countries": dict(sorted(Counter(c or "(none)" for c in snap.node_country).items())),
        "border_edges": int(snap.edge_crosses_border.sum()),
        "sources": sources,
        "sinks": sinks,
        "total_length_km": round(int(snap.edge_length.sum()) / 1000.0, 3),
        "bbox": [float(np.min(xs)), float(np.min(ys)), float(np.max(xs)), float(np.max(ys))] if n else None,
        "components": int(connected_components(graph, directed=True, connection="weak")[0]),
        "source_reaches_sink": bool(len(snk) and reached[snk].any()),
    }


def _of_type(snap: Snapshot, node_type: str) -> list[str]:
    """Return the ids of the nodes of a type (the default endpoints; none is no error here)."""
    try:
        return (default_sources if node_type == SOURCE_TYPE else default_sinks)(snap)
    except SelectorError:
        return []
