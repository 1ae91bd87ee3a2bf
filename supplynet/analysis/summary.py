"""The network at a glance: counts by type and mode, countries, extent, connectivity."""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx

from supplynet.network.selectors import default_sinks, default_sources

__all__ = ["network_summary"]


def network_summary(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Return a JSON-ready summary of a network graph.

    Keys: ``name``, ``description``, ``source``, ``sha256``, ``nodes``, ``edges``,
    ``node_types``, ``edge_modes``, ``countries``, ``border_edges``, ``sources``,
    ``sinks``, ``total_length_km``, ``bbox`` ([west, south, east, north]),
    ``components`` (weakly connected) and ``source_reaches_sink``.

    Examples
    --------
    >>> G = nx.MultiDiGraph(crs="EPSG:4326")
    >>> G.add_node("f", type="manufacturing", x=46.0, y=34.0, country="Iran")
    >>> G.add_node("a", type="assembly", x=40.0, y=35.0, country="Syria")
    >>> G.add_edge("f", "a", key="e", length=600_000, mode="road", crosses_border=True)
    'e'
    >>> s = network_summary(G)
    >>> s["source_reaches_sink"], s["total_length_km"]
    (True, 600.0)
    """
    sources, sinks = default_sources(G), default_sinks(G)
    xs = [d["x"] for _, d in G.nodes(data=True)]
    ys = [d["y"] for _, d in G.nodes(data=True)]
    modes = Counter(d.get("mode") or "(none)" for _, _, d in G.edges(data=True))
    return {
        "name": G.graph.get("name"),
        "description": G.graph.get("description"),
        "source": G.graph.get("source"),
        "sha256": G.graph.get("sha256"),
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "node_types": dict(sorted(Counter(d["type"] for _, d in G.nodes(data=True)).items())),
        "edge_modes": dict(sorted(modes.items())),
        "countries": dict(sorted(Counter(d.get("country") or "(none)" for _, d in G.nodes(data=True)).items())),
        "border_edges": sum(bool(d.get("crosses_border")) for _, _, d in G.edges(data=True)),
        "sources": sources,
        "sinks": sinks,
        "total_length_km": round(sum(d["length"] for _, _, d in G.edges(data=True)) / 1000.0, 3),
        "bbox": [min(xs), min(ys), max(xs), max(ys)] if xs else None,
        "components": nx.number_weakly_connected_components(G),
        "source_reaches_sink": _reaches(G, sources, sinks),
    }


def _reaches(G: nx.MultiDiGraph, sources: list[str], sinks: list[str]) -> bool:
    if not sources or not sinks:
        return False
    seen = set(sources)
    stack = list(sources)
    targets = set(sinks)
    while stack:
        node = stack.pop()
        if node in targets:
            return True
        for nxt in G.successors(node):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False

