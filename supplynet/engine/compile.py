"""A network as the arrays a snapshot is compiled from: ids, ends, lengths and attributes.

:class:`NetworkArrays` is the engine's input. :func:`arrays_from_graph` fills it from a
networkx graph (the Python API); the columnar read path fills it from the columns of a
file without building a graph at all. Everything is in sorted id order, nodes and edges
each, and read-only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from supplynet._errors import AnalysisError
from supplynet._perf import paused_gc
from supplynet.engine import units as cv

__all__ = ["NetworkArrays", "arrays_from_graph"]


@dataclass(frozen=True, eq=False)
class NetworkArrays:
    """The arrays of a network, in sorted id order (nodes and edges each).

    Numeric columns are float64 with ``inf`` for an unlimited capacity and NaN where a
    value is absent; text columns are tuples (None where absent). ``edge_length`` is in
    metres. ``extra`` holds any other numeric property by ``(kind, name)``; ``graph`` is
    the graph the arrays were read from, if any, where :meth:`column` looks up properties
    ``extra`` does not hold.
    """

    nodes: tuple[str, ...]
    edges: tuple[str, ...]
    edge_tail: np.ndarray
    edge_head: np.ndarray
    edge_length: np.ndarray
    node_capacity: np.ndarray
    edge_capacity: np.ndarray
    node_cost: np.ndarray
    edge_cost: np.ndarray
    node_interdictable: np.ndarray
    edge_interdictable: np.ndarray
    node_type: tuple[Any, ...]
    node_name: tuple[Any, ...]
    node_country: tuple[Any, ...]
    node_x: np.ndarray
    node_y: np.ndarray
    node_repair_days: np.ndarray
    node_confidence: np.ndarray
    edge_mode: tuple[Any, ...]
    edge_crosses_border: np.ndarray
    edge_repair_days: np.ndarray
    edge_confidence: np.ndarray
    meta: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[tuple[str, str], np.ndarray] = field(default_factory=dict)
    graph: nx.MultiDiGraph | None = None

    def __post_init__(self) -> None:
        for what, values, names, kind in (("capacity", self.node_capacity, self.nodes, "node"),
                                          ("cost", self.node_cost, self.nodes, "node"),
                                          ("length", self.edge_length, self.edges, "edge"),
                                          ("capacity", self.edge_capacity, self.edges, "edge"),
                                          ("cost", self.edge_cost, self.edges, "edge")):
            cv.check_values(values, names, what, kind)
        if not np.all(np.isfinite(self.edge_length)):
            raise AnalysisError("edge lengths must be finite")

    def column(self, kind: str, name: str, default: float = math.nan) -> np.ndarray:
        """Return a numeric property of every node or edge (``default`` where absent).

        Raises
        ------
        AnalysisError
            A value is not a number.
        """
        if (kind, name) in self.extra:
            values = np.asarray(self.extra[(kind, name)], float)
            return cv.frozen(np.where(np.isnan(values), default, values))
        if self.graph is None:
            return cv.frozen(np.full(len(self.nodes if kind == "node" else self.edges), default))
        if kind == "node":
            data = [self.graph.nodes[v] for v in self.nodes]
        else:
            ends = {str(k): d for _, _, k, d in self.graph.edges(keys=True, data=True)}
            data = [ends[e] for e in self.edges]
        try:
            return _column(data, name, default)
        except (TypeError, ValueError):
            raise AnalysisError(f"{kind} property {name!r} must be a number wherever it is given") from None


def arrays_from_graph(G: nx.MultiDiGraph) -> NetworkArrays:
    """Return the :class:`NetworkArrays` of a network graph (see the graph contract).

    Raises
    ------
    AnalysisError
        Node ids are not strings, edge ids repeat, or a value breaks the contract (a
        negative or missing capacity, cost or length), naming the first elements.
    """
    if not all(isinstance(v, str) for v in G):
        raise AnalysisError("node ids must be strings (the graph contract)")
    with paused_gc():
        nodes = tuple(sorted(G))
        ndata = [G.nodes[v] for v in nodes]
        # iter(): list(view) would first count the edges by iterating them all.
        rows = list(iter(G.edges(keys=True, data=True)))
        keys = np.array([str(k) for _, _, k, _ in rows], dtype=object)
        order = np.argsort(keys.astype(str), kind="stable")
        edges = tuple(keys[order].tolist())
        index = pd.Index(nodes)  # hashes in C: ~10x a dict lookup per edge
        tails = index.get_indexer([u for u, _, _, _ in rows])
        heads = index.get_indexer([v for _, v, _, _ in rows])
        edata = [rows[i][3] for i in order]
        return NetworkArrays(
            nodes=nodes,
            edges=edges,
            edge_tail=cv.frozen(tails[order].astype(np.int64)),
            edge_head=cv.frozen(heads[order].astype(np.int64)),
            edge_length=_column(edata, "length", math.nan),
            node_capacity=_column(ndata, "capacity", math.inf),
            edge_capacity=_column(edata, "capacity", math.inf),
            node_cost=_column(ndata, "cost", 1.0),
            edge_cost=_column(edata, "cost", 1.0),
            node_interdictable=cv.frozen(np.array([bool(d.get("interdictable", True)) for d in ndata], bool)),
            edge_interdictable=cv.frozen(np.array([bool(d.get("interdictable", True)) for d in edata], bool)),
            node_type=tuple(d.get("type") for d in ndata),
            node_name=tuple(d.get("name", v) for v, d in zip(nodes, ndata)),
            node_country=tuple(d.get("country") for d in ndata),
            node_x=_column(ndata, "x", math.nan),
            node_y=_column(ndata, "y", math.nan),
            node_repair_days=_column(ndata, "repair_days", math.nan),
            node_confidence=_column(ndata, "confidence", math.nan),
            edge_mode=tuple(d.get("mode") for d in edata),
            edge_crosses_border=cv.frozen(np.array([bool(d.get("crosses_border", False)) for d in edata], bool)),
            edge_repair_days=_column(edata, "repair_days", math.nan),
            edge_confidence=_column(edata, "confidence", math.nan),
            meta={k: G.graph.get(k) for k in ("name", "description", "source", "sha256", "crs")},
            graph=G,
        )


def _column(data: list[Mapping[str, Any]], attr: str, default: float) -> np.ndarray:
    """Return one numeric attribute as a read-only float array (absent/None: default)."""
    values = [default if (x := d.get(attr)) is None else x for d in data]
    return cv.frozen(np.array(values, float).reshape(-1))
