"""Maximum flow, minimum cuts and flow loss from sources to sinks.

Definitions follow docs/design.md ("Definitions"): a super source feeds every source and
every sink drains into a super sink, both unlimited; edge and node capacities hold
(nodes are split ``v_in -> v_out``). Every function takes a network
(``networkx.MultiDiGraph``) or a :class:`~supplynet.engine.snapshot.Snapshot` built once by
:func:`compile_network`, which is the way to ask many questions of one network.

Conventions: ids are returned sorted; an unbounded answer (a source-to-sink path of
unlimited capacity, or of uninterdictable nodes only) is ``math.inf``, which the
JSON report writes as ``null``. Where no source reaches any sink the maximum flow is 0
and both cuts are empty.

Examples
--------
The classic network: the maximum flow is 80, and both edges out of ``s`` are full,
so the cut nearest the sources is those two.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("s", type="manufacturing")
>>> G.add_nodes_from("bcd", type="storage")
>>> G.add_node("t", type="assembly")
>>> for u, v, c in [("s", "b", 10), ("s", "c", 70), ("c", "b", 30), ("b", "t", 100),
...                 ("c", "d", 40), ("d", "t", 50)]:
...     _ = G.add_edge(u, v, key=u + v, length=1, capacity=float(c))
>>> max_flow(G).value
80.0
>>> cut = min_edge_cut(G)
>>> cut.capacity, cut.edges
(80.0, ['sb', 'sc'])
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx
import pandas as pd

from supplynet._plain import plain
from supplynet._progress import Progress
from supplynet.engine.snapshot import Snapshot, compile_network
from supplynet.network.selectors import EndpointSpec

__all__ = [
    "EdgeCut",
    "FlowResult",
    "NodeCut",
    "Snapshot",
    "compile_network",
    "flow_loss",
    "max_flow",
    "min_edge_cut",
    "min_node_cut",
]

logger = logging.getLogger(__name__)

Network = nx.MultiDiGraph | Snapshot


@dataclass(frozen=True)
class FlowResult:
    """A maximum flow from the sources to the sinks.

    Attributes
    ----------
    value : float
        Total flow; ``math.inf`` when a source-to-sink path is unlimited.
    edge_flow : pandas.Series
        Flow per edge id (name ``"flow"``); all NaN when the flow is unbounded.
    node_flow : pandas.Series
        Throughput per node id (name ``"throughput"``); NaN when unbounded.
    sources, sinks : list of str
    bottleneck_nodes : list of str
        Capacitated nodes in the minimum cut: the node capacities that bind.
    """

    value: float
    edge_flow: pd.Series
    node_flow: pd.Series
    sources: list[str]
    sinks: list[str]
    bottleneck_nodes: list[str] = field(default_factory=list)

    @property
    def unbounded(self) -> bool:
        """Whether the flow has no finite maximum."""
        return math.isinf(self.value)

    def to_dict(self) -> dict[str, Any]:
        """Return the flow as plain values (unlimited is None; flows by edge and node id)."""
        return plain({"value": self.value, "sources": self.sources, "sinks": self.sinks,
                      "bottleneck_nodes": self.bottleneck_nodes, "edge_flow": self.edge_flow.to_dict(),
                      "node_flow": self.node_flow.to_dict()})


@dataclass(frozen=True)
class EdgeCut:
    """A minimum edge cut: ``capacity`` (``math.inf`` if unbounded) and sorted ``edges``."""

    capacity: float
    edges: list[str]

    @property
    def unbounded(self) -> bool:
        """Whether no finite set of edges separates the sources from the sinks."""
        return math.isinf(self.capacity)

    def to_dict(self) -> dict[str, Any]:
        """Return the cut as plain values (no finite cut: capacity None)."""
        return plain({"capacity": self.capacity, "edges": self.edges})


@dataclass(frozen=True)
class NodeCut:
    """A minimum node cut: ``cost`` (``math.inf`` if unbounded) and sorted ``nodes``."""

    cost: float
    nodes: list[str]

    @property
    def unbounded(self) -> bool:
        """Whether only uninterdictable nodes would separate sources from sinks."""
        return math.isinf(self.cost)

    def to_dict(self) -> dict[str, Any]:
        """Return the cut as plain values (no finite cut: cost None)."""
        return plain({"cost": self.cost, "nodes": self.nodes})


def max_flow(G: Network, sources: EndpointSpec = None, sinks: EndpointSpec = None) -> FlowResult:
    """Return the maximum flow from ``sources`` to ``sinks``.

    Parameters
    ----------
    G : networkx.MultiDiGraph or Snapshot
        The network; never modified.
    sources, sinks : None, str or iterable of str
        Defaults (``manufacturing`` / ``assembly`` nodes), a selector such as
        ``"type=smuggling"``, or node ids.

    Returns
    -------
    FlowResult

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("m", type="manufacturing")
    >>> G.add_node("x", type="border_crossing", capacity=6.0)
    >>> G.add_node("a", type="assembly")
    >>> _ = G.add_edge("m", "x", key="road", length=5, capacity=4.0, mode="road")
    >>> _ = G.add_edge("m", "x", key="rail", length=7, capacity=5.0, mode="rail")
    >>> _ = G.add_edge("x", "a", key="xa", length=3)
    >>> result = max_flow(G)
    >>> result.value, result.bottleneck_nodes
    (6.0, ['x'])
    >>> float(result.edge_flow.sum() - result.edge_flow["xa"])
    6.0
    """
    snap = compile_network(G, sources, sinks)
    arrays = snap.max_flow()
    bottleneck = [snap.nodes[i] for i in snap.bottleneck_nodes()]
    logger.debug("max flow %s over %d sources, %d sinks", arrays.value,
                 len(snap.sources), len(snap.sinks))
    return FlowResult(
        value=arrays.value,
        edge_flow=pd.Series(arrays.edge_flow, index=id_index(snap, "edge"), name="flow"),
        node_flow=pd.Series(arrays.node_flow, index=id_index(snap, "node"),
                            name="throughput"),
        sources=list(snap.source_ids),
        sinks=list(snap.sink_ids),
        bottleneck_nodes=bottleneck,
    )


def min_edge_cut(G: Network, sources: EndpointSpec = None, sinks: EndpointSpec = None) -> EdgeCut:
    """Return a set of edges of least total capacity separating sources from sinks.

    Node capacities are ignored (nodes are never cut here), so the cut's capacity
    equals :func:`max_flow`'s value when no node capacity binds. Every edge is a
    candidate, whatever its ``interdictable`` flag: this is the network's capacity
    bottleneck, not an interdiction plan. The cut is the one nearest the sources
    (read off the residual network of a maximum flow) and lists every parallel edge
    that crosses it, capacity-0 edges included, so removing it always disconnects.

    Parameters
    ----------
    G : networkx.MultiDiGraph or Snapshot
    sources, sinks : None, str or iterable of str
        As for :func:`max_flow`.

    Returns
    -------
    EdgeCut
        ``capacity`` is ``math.inf`` and ``edges`` empty when a source reaches a sink
        over unlimited edges only.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("m", {"type": "manufacturing"}), ("a", {"type": "assembly"})])
    >>> G.add_node("x", type="storage", capacity=1.0)
    >>> _ = G.add_edge("m", "x", key="e1", length=1, capacity=5.0)
    >>> _ = G.add_edge("x", "a", key="e2", length=1, capacity=7.0)
    >>> min_edge_cut(G)
    EdgeCut(capacity=5.0, edges=['e1'])
    """
    snap = compile_network(G, sources, sinks)
    cut = snap.edge_cut()
    return EdgeCut(cut.value, [snap.edges[i] for i in cut.members])


def min_node_cut(G: Network, sources: EndpointSpec = None, sinks: EndpointSpec = None) -> NodeCut:
    """Return interdictable nodes of least total ``cost`` separating sources from sinks.

    Sources and sinks may be cut themselves; uninterdictable nodes never are. Nodes
    of cost 0 are allowed and may appear in the cut.

    Parameters
    ----------
    G : networkx.MultiDiGraph or Snapshot
    sources, sinks : None, str or iterable of str
        As for :func:`max_flow`.

    Returns
    -------
    NodeCut
        ``cost`` is ``math.inf`` and ``nodes`` empty when a source-to-sink path runs
        through uninterdictable nodes only.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("m", type="manufacturing", cost=9.0)
    >>> G.add_node("x", type="storage", cost=2.0)
    >>> G.add_node("y", type="storage", cost=3.0)
    >>> G.add_node("a", type="assembly", cost=6.0)
    >>> for u, v in ["mx", "my", "xa", "ya"]:
    ...     _ = G.add_edge(u, v, key=u + v, length=1)
    >>> min_node_cut(G)
    NodeCut(cost=5.0, nodes=['x', 'y'])
    """
    snap = compile_network(G, sources, sinks)
    cut = snap.node_cut()
    return NodeCut(cut.value, [snap.nodes[i] for i in cut.members])


def flow_loss(
    G: Network,
    sources: EndpointSpec = None,
    sinks: EndpointSpec = None,
    *,
    elements: Literal["nodes", "edges", "both"] = "nodes",
    progress: Progress | None = None,
) -> pd.Series:
    """Return, per node and/or edge, the maximum flow lost when it is removed.

    ``flow_loss(x) = max_flow(G) - max_flow(G without x)``. Elements carrying no flow
    in the computed maximum flow lose nothing (that flow survives their removal) and
    are not re-solved. The others are solved together, exactly, on every core: along
    each chain of flow-carrying elements one flow is kept and topped up from element
    to element, so a long route costs about one detour rather than one per element
    (docs/design.md, "How the flow-loss sweep works"); the graph is never copied.

    Where the maximum flow is unbounded, the loss of an element is ``inf`` if its
    removal makes the flow finite and NaN if the flow stays unbounded (the
    difference is undefined).

    Parameters
    ----------
    G : networkx.MultiDiGraph or Snapshot
    sources, sinks : None, str or iterable of str
        As for :func:`max_flow`.
    elements : {"nodes", "edges", "both"}, default "nodes"
        Which elements to remove, one at a time.
    progress : callable, optional
        Called as ``progress(done, total)`` while re-solving (e.g. a progress bar).

    Returns
    -------
    pandas.Series
        Named ``"flow_loss"``, indexed by node id (``"nodes"``), edge id
        (``"edges"``), or for ``"both"`` by a MultiIndex ``(element, id)`` with
        ``element`` in ``{"node", "edge"}``; ids sorted.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("m", type="manufacturing")
    >>> G.add_nodes_from("xy", type="storage")
    >>> G.add_node("a", type="assembly")
    >>> for u, v, c in [("m", "x", 4.0), ("m", "y", 3.0), ("x", "a", 5.0), ("y", "a", 1.0)]:
    ...     _ = G.add_edge(u, v, key=u + v, length=1, capacity=c)
    >>> flow_loss(G).to_dict()
    {'a': 5.0, 'm': 5.0, 'x': 4.0, 'y': 1.0}
    """
    snap = compile_network(G, sources, sinks)
    loss = snap.removal_losses(elements, progress=progress)
    if elements == "nodes":
        index = id_index(snap, "node")
    elif elements == "edges":
        index = id_index(snap, "edge")
    else:
        index = pd.MultiIndex.from_tuples(
            [("node", v) for v in snap.nodes] + [("edge", e) for e in snap.edges],
            names=["element", "id"],
        )
    return pd.Series(loss, index=index, name="flow_loss")


def id_index(snap: Snapshot, kind: Literal["node", "edge"]) -> pd.Index:
    """Return the object-dtype Index of a snapshot's node or edge ids, named ``kind``.

    It wraps the snapshot's id array without copying (the array is read-only).
    """
    ids = snap.node_ids if kind == "node" else snap.edge_ids
    return pd.Index(ids, dtype=object, name=kind, copy=False)
