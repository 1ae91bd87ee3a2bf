"""A compiled, immutable array view of a network, built once and solved many times.

Conventions (shared by every flow and cut result):

Order
    Nodes are held in sorted id order and edges in sorted edge-id order; every index
    array refers to those orders. Nodes and edges are separate id spaces: a node and an
    edge may share an id.

Integer units
    The kernels count in ``int64`` units. Capacities (edges and nodes together) are
    multiplied by ``capacity_scale = 10**d`` for the fewest decimals ``d`` that hold
    every finite capacity exactly (``d = 0`` for integer capacities, the usual case), so
    every answer is exact. Where those units would overflow the kernels' 64-bit totals,
    or no ``d <= 18`` holds the values (1/3), the most decimals that fit are kept and
    :attr:`Snapshot.rounded` says so: each value is then within half a unit, far below
    1e-9 relative. Results are divided back, so callers only ever see the original
    units. Interdiction costs get their own ``cost_scale`` the same way.

Unlimited
    An absent capacity (or ``inf``) is unlimited. In the kernels it becomes
    ``unlimited = 1 + the sum of every finite capacity``: no finite cut can reach it,
    so a solve whose answer would reach it is *unbounded*. Unbounded answers are
    detected first, by a search for a source-to-sink path of unlimited arcs only, and
    reported as ``math.inf`` (``null`` in JSON). Totals past ``2**61`` units raise
    :class:`~supplynet._errors.AnalysisError`.

Flow network
    Node splitting: node ``v`` becomes ``v_in -> v_out`` with the node's capacity;
    edge ``u -> v`` becomes ``u_out -> v_in``; a super source feeds every source's
    ``v_in`` and every sink's ``v_out`` drains into a super sink, both unlimited.
    Parallel edges stay separate arcs, so each edge's flow is read off directly.
    (Layout and vertex numbering: :mod:`supplynet.engine.flownet`.)

What-if
    A removal or a capacity scale never copies the graph: it lowers capacities in a
    copy of the base maximum flow and repairs it locally (see
    :mod:`supplynet.engine.repair`). Where scaled capacities are not whole units, the unit
    is refined by the smallest ``10**d`` (``d <= 6``) that makes them whole, so
    ``3 * 0.5`` is exactly 1.5. An unlimited capacity stays unlimited under any scale
    above 0. :meth:`Snapshot.after` turns a what-if into a snapshot of its own: the same
    ids and arrays, the removed elements marked dead (``node_alive`` / ``edge_alive``;
    an edge at a dead node is dead too), capacities scaled, and the what-if's maximum
    flow as its base flow, so every analysis runs on the network after the what-if
    without a copy of the graph.
"""

from __future__ import annotations

import logging
import math
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any, NamedTuple

import networkx as nx
import numba
import numpy as np

from supplynet._errors import AnalysisError
from supplynet._perf import paused_gc
from supplynet._progress import Progress
from supplynet.engine import chainsweep
from supplynet.engine import maxflow as mf
from supplynet.engine import reach
from supplynet.engine import repair as _repair
from supplynet.engine import units as cv
from supplynet.engine.compile import NetworkArrays, arrays_from_graph
from supplynet.engine.flownet import FlowNet, build_flownet, curve_order, renumbered, solve_max_flow
from supplynet.network.selectors import ElementTable, EndpointSpec, resolve_endpoints

__all__ = ["Cut", "FlowArrays", "Snapshot", "compile_network", "compile_topology"]

logger = logging.getLogger(__name__)

#: Scenarios x vertices above which what-if sweeps run on numba's threads: a parallel
#: region costs about 20 ms on a busy machine, so only big sweeps gain.
PARALLEL_WORK = 20_000_000
#: From this many vertices of the flow network on, the flow-loss sweep runs on a copy
#: of the residual renumbered along a Hilbert curve of the nodes' coordinates
#: (:meth:`Snapshot._sweep_arrays`). Its searches are the same step for step; only
#: memory is laid out by place on the map rather than in the Cuthill-McKee order that
#: suits the max flow, and a search ball reads fewer scattered pages.
CURVE_SWEEP_VERTICES = 1_000_000
#: Elements per batch of a flow-loss sweep when progress is reported.
_BATCH = 256
#: Seconds between progress reports of a kernel run on a worker thread.
_POLL_S = 0.2



class FlowArrays(NamedTuple):
    """A maximum flow as arrays: value, flow per edge and throughput per node.

    Values are in capacity units; ``value`` is ``math.inf`` (and the arrays NaN) where
    the flow is unbounded.
    """

    value: float
    edge_flow: np.ndarray
    node_flow: np.ndarray


class Cut(NamedTuple):
    """A minimum cut: its value (``math.inf`` if none is finite) and its members' indices."""

    value: float
    members: np.ndarray


def compile_network(
    G: nx.MultiDiGraph | Snapshot, sources: EndpointSpec = None, sinks: EndpointSpec = None
) -> Snapshot:
    """Return the compiled :class:`Snapshot` of ``G`` for the given endpoints.

    Parameters
    ----------
    G : networkx.MultiDiGraph or Snapshot
        The network (see the graph contract); a Snapshot is re-targeted instead.
    sources, sinks : None, str or iterable of str
        Defaults (``manufacturing`` / ``assembly``), a selector, or node ids.

    Returns
    -------
    Snapshot

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("m", type="manufacturing", capacity=5.0)
    >>> G.add_node("a", type="assembly")
    >>> G.add_edge("m", "a", key="e1", length=1000, capacity=7.0)
    'e1'
    >>> snap = compile_network(G)
    >>> snap.nodes, snap.edges, snap.max_flow_value()
    (('a', 'm'), ('e1',), 5.0)
    """
    if isinstance(G, Snapshot):
        if sources is None and sinks is None and G.has_endpoints:
            return G
        return G.with_endpoints(sources, sinks)
    return Snapshot(G, sources, sinks)


def compile_topology(G: nx.MultiDiGraph | Snapshot) -> Snapshot:
    """Return a snapshot of ``G`` without sources and sinks (for all-pairs measures).

    A Snapshot is returned as it is.
    """
    if isinstance(G, Snapshot):
        return G
    return Snapshot(G, None, None, endpoints=False)


class Snapshot:
    """A compiled, immutable view of a network for its sources and sinks.

    Build it with :func:`compile_network`. Arrays are read-only; what-if questions are
    asked through :meth:`max_flow_value`, :meth:`max_flow_arrays`,
    :meth:`max_flow_values` and :meth:`after`, which never copy or touch the graph.

    For many what-ifs, compile once and keep the snapshot: the first question solves
    the base maximum flow (cached); every later one repairs a copy of it locally, in
    time local to the change. Ask batches through
    :meth:`max_flow_values`, which runs them on numba's threads when the batch is
    large. Removals and scales may be given as index arrays (fastest), boolean masks
    or ids; scales as full-length arrays or ``{id or index: multiplier}``.

    Attributes
    ----------
    nodes, edges : tuple of str
        Node ids and edge ids, each sorted: the order of every array.
    node_index, edge_index : mapping of str to int
        Position of each id.
    edge_tail, edge_head : numpy.ndarray of int64
        Node index of each edge's ends.
    edge_length : numpy.ndarray of int64
        Edge lengths in metres.
    edge_capacity, node_capacity : numpy.ndarray of float64
        Capacities, ``inf`` where unlimited (after any what-if scale).
    edge_cost, node_cost : numpy.ndarray of float64
        Interdiction costs.
    edge_interdictable, node_interdictable : numpy.ndarray of bool
    node_type, node_name, node_country, edge_mode : tuple
        Per element (None where absent; a node's name defaults to its id).
    node_x, node_y : numpy.ndarray of float64
        Longitude and latitude (NaN where unknown).
    edge_crosses_border : numpy.ndarray of bool
    node_repair_days, edge_repair_days, node_confidence, edge_confidence : numpy.ndarray
        Per element, NaN where absent.
    node_alive, edge_alive : numpy.ndarray of bool
        False for what a what-if (:meth:`after`) took out; all True otherwise.
    sources, sinks : numpy.ndarray of int64
        Sorted node indices of the endpoints (live ones only).
    source_ids, sink_ids : tuple of str
        The same as ids.
    capacity_scale, cost_scale : int
        Integer units per capacity / cost unit (see the module notes).
    rounded : tuple of str
        What had to be rounded to fit the integer kernels (``"capacities"``, ``"node
        costs"``); empty when every figure is exact.
    meta : mapping
        ``name``, ``description``, ``source``, ``sha256`` and ``crs`` of the network.
    graph : networkx.MultiDiGraph or None
        The graph the snapshot was compiled from (never changed).
    """

    def __init__(self, G: nx.MultiDiGraph | NetworkArrays, sources: EndpointSpec, sinks: EndpointSpec,
                 *, endpoints: bool = True) -> None:
        arrays = G if isinstance(G, NetworkArrays) else arrays_from_graph(G)
        if not arrays.nodes:
            raise AnalysisError("the network has no nodes")
        self.graph = arrays.graph
        self.meta = MappingProxyType(dict(arrays.meta))
        # Results that depend on topology (and endpoints, in their key) only, e.g. the
        # centralities' reduced graph and sums; snapshots re-targeted by
        # with_endpoints() share it, what-if snapshots have their own.
        self._memo: dict[Any, Any] = {}
        self._arrays = arrays
        self._columns: dict[tuple[str, str], np.ndarray] = {}
        for name in _SHARED:
            setattr(self, name, getattr(arrays, name))
        self.node_index = IdIndex(self.nodes)
        self.edge_index = IdIndex(self.edges)
        # The ids as object arrays, for the tables results are indexed by (a pandas Index
        # wraps them as they are, instead of converting the tuples again on every result).
        self.node_ids = cv.frozen(np.array(self.nodes, dtype=object))
        self.edge_ids = cv.frozen(np.array(self.edges, dtype=object))
        self.edge_length = cv.frozen(np.rint(arrays.edge_length).astype(np.int64))
        self.node_alive = cv.frozen(np.ones(len(self.nodes), bool))
        self.edge_alive = cv.frozen(np.ones(len(self.edges), bool))
        self._setunits()
        if endpoints:
            self._set_endpoints(sources, sinks)
        else:  # topology only (see compile_topology): flows need with_endpoints()
            self.source_ids, self.sink_ids = (), ()
            self.sources = self.sinks = cv.frozen(np.zeros(0, np.int64))
            self._net: FlowNet | None = None
        logger.debug("compiled %d nodes, %d edges", len(self.nodes), len(self.edges))

    @classmethod
    def from_arrays(cls, arrays: NetworkArrays, sources: EndpointSpec = None, sinks: EndpointSpec = None) -> Snapshot:
        """Return the snapshot of a network given as arrays (no graph needed).

        The columnar read path compiles files straight into :class:`NetworkArrays`.
        """
        return cls(arrays, sources, sinks)

    # -- compilation -------------------------------------------------------------------

    def column(self, kind: str, name: str, default: float = math.nan) -> np.ndarray:
        """Return a numeric property of every node (``kind="node"``) or edge as floats.

        For properties without an array of their own (``storage``, ``transit_days`` ...):
        read once from the network and kept. Absent values are ``default``.

        Raises
        ------
        AnalysisError
            A value is not a number.
        """
        key = (kind, name, default)
        if key not in self._columns:
            self._columns[key] = self._arrays.column(kind, name, default)  # type: ignore[index]
        return self._columns[key]  # type: ignore[index]

    def _node_positions(self, ids: Iterable[str]) -> np.ndarray:
        """Return the positions of node ids, by binary search in the sorted ids (no index
        built); ids not found that way (arrays not sorted as promised) by :attr:`node_index`."""
        ids = list(ids)
        pos = np.searchsorted(self.node_ids, np.array(ids, dtype=object)) if ids else np.zeros(0, np.int64)
        pos = np.asarray(pos, np.int64)
        inside = pos < len(self.nodes)
        if not (inside.all() and all(self.nodes[p] == v for p, v in zip(pos.tolist(), ids))):
            return np.array([self.node_index[v] for v in ids], np.int64)
        return pos

    @cached_property
    def element_table(self) -> ElementTable:
        """Return what selectors look at (ids, types, countries, places, modes)."""
        return ElementTable(self.nodes, self.edges, self.node_type, self.node_country,
                            self.node_x, self.node_y, self.edge_mode)

    def _set_endpoints(self, sources: EndpointSpec, sinks: EndpointSpec) -> None:
        """Resolve endpoints and lay out the flow network for them."""
        src, snk = resolve_endpoints(self, sources, sinks)
        self._use_endpoints(self._node_positions(src), self._node_positions(snk))

    def _use_endpoints(self, sources: np.ndarray, sinks: np.ndarray) -> None:
        self._net = build_flownet(len(self.nodes), self.edge_tail, self.edge_head, sources, sinks)
        self._set_live_endpoints(sources, sinks)

    def _set_live_endpoints(self, sources: np.ndarray, sinks: np.ndarray) -> None:
        sources = sources[self.node_alive[sources]]
        sinks = sinks[self.node_alive[sinks]]
        self.sources, self.sinks = cv.frozen(sources), cv.frozen(sinks)
        self.source_ids = tuple(self.nodes[i] for i in sources)
        self.sink_ids = tuple(self.nodes[i] for i in sinks)

    def _setunits(self) -> None:
        """Convert capacities and costs to int64 kernel units."""
        caps = np.concatenate([self.edge_capacity, self.node_capacity])
        units, self.capacity_scale, self._unlimited, caps_rounded = cv.units(caps, "capacities")
        m = len(self.edges)
        self._edge_units, self._node_units = units[:m], units[m:]
        costs = np.where(self.node_interdictable, self.node_cost, math.inf)
        self._cost_units, self.cost_scale, self._unlimited_cost, costs_rounded = cv.units(costs, "node costs")
        self.rounded = tuple(what for what, flag in (("capacities", caps_rounded), ("node costs", costs_rounded))
                             if flag)

    def _clone(self, **changes: Any) -> Snapshot:
        """Return a snapshot sharing this one's arrays, without its solved flows."""
        clone = object.__new__(Snapshot)
        clone.__dict__.update({k: v for k, v in self.__dict__.items() if k not in _CACHED})
        clone.__dict__.update(changes)
        return clone

    def with_endpoints(self, sources: EndpointSpec = None, sinks: EndpointSpec = None) -> Snapshot:
        """Return a snapshot sharing this one's arrays, for other sources and sinks.

        Examples
        --------
        >>> import networkx as nx
        >>> G = nx.MultiDiGraph()
        >>> G.add_nodes_from("abc", type="storage")
        >>> G.add_edge("a", "b", key="ab", length=1, capacity=2.0)
        'ab'
        >>> G.add_edge("b", "c", key="bc", length=1, capacity=3.0)
        'bc'
        >>> snap = compile_network(G, "id=a", "id=c")
        >>> snap.with_endpoints("id=b", "id=c").max_flow_value()
        3.0
        """
        clone = self._clone()
        clone._set_endpoints(sources, sinks)
        return clone

    @property
    def has_endpoints(self) -> bool:
        """Whether sources and sinks are set (flows and cuts can be asked)."""
        return self._net is not None

    def cache(self, key: Any, build: Callable[[], Any]) -> Any:
        """Return the result kept under ``key``, building it with ``build()`` the first time.

        For results that depend on this snapshot's topology only (centralities' reduced
        graph, their sums keyed by the endpoints): re-targeted snapshots share them.
        """
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def cached(self, key: Any) -> bool:
        """Whether a result is kept under ``key`` (see :meth:`cache`)."""
        return key in self._memo

    # -- what-if snapshots -------------------------------------------------------------

    def after(self, removed_nodes: cv.Selection = None, removed_edges: cv.Selection = None,
              node_scale: cv.Scales = None, edge_scale: cv.Scales = None) -> Snapshot:
        """Return the network after a what-if, as a snapshot of its own.

        The same ids and arrays; the removed nodes and edges (and every edge at a removed
        node) marked dead in ``node_alive`` / ``edge_alive`` with capacity 0; scaled
        capacities multiplied (unlimited stays unlimited above 0). Its maximum flow is
        this snapshot's what-if flow (:meth:`max_flow_arrays` with the same arguments),
        so the two always agree, and cuts, flow losses and centralities of the result
        are those of the network with the elements really taken out. Sources and sinks
        that were removed are dropped.

        Examples
        --------
        >>> import networkx as nx
        >>> G = nx.MultiDiGraph()
        >>> G.add_node("s", type="manufacturing"); G.add_node("t", type="assembly")
        >>> G.add_nodes_from("xy", type="storage")
        >>> for e, u, v, c in [("sx", "s", "x", 4.0), ("sy", "s", "y", 3.0),
        ...                    ("xt", "x", "t", 5.0), ("yt", "y", "t", 5.0)]:
        ...     _ = G.add_edge(u, v, key=e, length=1, capacity=c)
        >>> gone = compile_network(G).after(removed_nodes=["x"])
        >>> gone.max_flow_value(), gone.edge_alive.tolist(), gone.edge_cut().value
        (3.0, [False, True, False, True], 3.0)
        """
        net = self._flownet()
        rn = cv.indices(removed_nodes, self.node_index, "removed_nodes")
        re = cv.indices(removed_edges, self.edge_index, "removed_edges")
        node_alive = self.node_alive.copy()
        node_alive[rn] = False
        edge_alive = self.edge_alive.copy()
        edge_alive[re] = False
        edge_alive &= node_alive[self.edge_tail] & node_alive[self.edge_head]
        dead_edges = np.flatnonzero(~edge_alive)
        arcs, caps, factor = self._lowered(rn, dead_edges, node_scale, edge_scale)
        m = len(self.edges)
        units = np.concatenate([self._edge_units, self._node_units]) * factor
        units[arcs] = caps
        unit = self.capacity_scale * factor
        capacity = np.where(units >= self._unlimited * factor, math.inf, units / unit)
        clone = self._clone(
            node_alive=cv.frozen(node_alive), edge_alive=cv.frozen(edge_alive),
            edge_capacity=cv.frozen(capacity[:m]), node_capacity=cv.frozen(capacity[m:]),
            _edge_units=units[:m], _node_units=units[m:], _unlimited=self._unlimited * factor,
            capacity_scale=unit, _memo={}, _columns=self._columns,
        )
        clone._set_live_endpoints(self.sources, self.sinks)
        res = self._repaired(arcs, caps, factor)
        clone.__dict__["_flow"] = (res, None if res is None else cv.frozen(
            mf.reachable(net.ptr, net.head, res, 1, net.source)))
        return clone

    # -- kernel networks ---------------------------------------------------------------

    def flow_state(self) -> FlowState:
        """Return the max-flow problem as the kernels see it, for kernels outside this class
        (the scenario kernels of :mod:`supplynet.engine.scenarios`): the residual layout,
        its zero-flow residual, the solved base flow (None when the flow is unlimited),
        the cut sides of that flow, and the integer that stands for unlimited.

        The arrays are the snapshot's own: read them, never write them.
        """
        base, _ = self._flow
        return FlowState(self._flownet(), self._initial("flow"), base, self._sides if base is not None else None,
                         int(self._unlimited))

    def _flownet(self) -> FlowNet:
        """Return the flow network, or raise if this snapshot has no endpoints."""
        if self._net is None:
            raise AnalysisError("this snapshot has no sources and sinks; "
                                "use compile_network(snapshot, sources, sinks)")
        return self._net

    def _initial(self, kind: str) -> np.ndarray:
        """Return the zero-flow residual array of one of the three flow networks."""
        net = self._flownet()
        if kind == "flow":
            edge, node, big = self._edge_units, self._node_units, self._unlimited
        elif kind == "edge_cut":  # nodes are never cut here, whatever their capacity
            big = self._unlimited
            edge, node = self._edge_units, np.where(self.node_alive, big, 0)
        else:  # node_cut: edges uncuttable, nodes cost what interdicting them costs
            big = self._unlimited_cost
            edge = np.where(self.edge_alive, big, 0)
            node = np.where(self.node_alive, self._cost_units, 0)
        caps = np.concatenate([edge, node, np.full(net.n_super, big)]).astype(np.int64)
        res = np.zeros(len(net.head), np.int64)
        res[net.fwd_pos] = caps
        return cv.frozen(res)

    def _solve(self, kind: str) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Return ``(maximum flow residual, source-side mask)``; ``(None, None)`` if unbounded.

        The edge cut starts from the maximum flow when that is solved already: it is
        feasible there (the edge-cut network only lifts node capacities), so only the
        flow that node capacities held back is left to find; where no node has a
        capacity the two networks are one, and so are their answers.
        """
        net = self._flownet()
        big = self._unlimited_cost if kind == "node_cut" else self._unlimited
        res = self._initial(kind).copy()
        if mf.unlimited_path(net.ptr, net.head, res, big, net.source, net.sink):
            return None, None
        flow = self.__dict__.get("_flow")
        if kind == "edge_cut" and flow is not None and flow[0] is not None:
            start = self._initial("flow")
            if np.array_equal(res, start):  # no node capacity binds anything: the same network
                return flow
            res += flow[0] - start  # the maximum flow, as a flow of this network
        solve_max_flow(net, res, big)
        side = mf.reachable(net.ptr, net.head, res, 1, net.source)
        return cv.frozen(res), cv.frozen(side)

    @cached_property
    def _flow(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        return self._solve("flow")

    def solve(self, kinds: Iterable[str] = ("flow", "edge_cut", "node_cut")) -> Snapshot:
        """Solve the maximum flow and the minimum cuts now, and return the snapshot.

        Each is solved once anyway when first asked for; this solves the ones not yet
        solved side by side: the node cut on a worker thread while the maximum flow and
        then the edge cut (which starts from it) run on this one. The kernels release
        the GIL, so on two cores the three take about the time of the longest two.
        ``kinds`` names some of ``"flow"``, ``"edge_cut"`` and ``"node_cut"``.

        Examples
        --------
        >>> import networkx as nx
        >>> G = nx.MultiDiGraph()
        >>> G.add_node("s", type="manufacturing"); G.add_node("t", type="assembly")
        >>> G.add_edge("s", "t", key="st", length=1, capacity=2.0)
        'st'
        >>> snap = compile_network(G).solve()
        >>> snap.max_flow_value(), snap.edge_cut().value, snap.node_cut().value
        (2.0, 2.0, 1.0)
        """
        wanted = [kind for kind in kinds if f"_{kind}" not in self.__dict__]
        unknown = set(wanted) - {"flow", "edge_cut", "node_cut"}
        if unknown:
            raise AnalysisError(f"solve() knows 'flow', 'edge_cut' and 'node_cut', not {sorted(unknown)}")
        self._flownet()
        if "node_cut" in wanted and len(wanted) > 1 and numba.get_num_threads() > 1:
            with ThreadPoolExecutor(max_workers=1) as pool:
                node_cut = pool.submit(self._solve, "node_cut")
                for kind in wanted:
                    if kind != "node_cut":
                        getattr(self, f"_{kind}")
                self.__dict__["_node_cut"] = node_cut.result()
        for kind in wanted:
            getattr(self, f"_{kind}")
        return self

    @cached_property
    def _sides(self) -> tuple[np.ndarray, ...]:
        """Return the masks :func:`supplynet.engine.repair.lower_capacities` fences with."""
        res, side = self._flow
        nowhere = cv.frozen(np.zeros(len(self._flownet().ptr) - 1, bool))
        if res is None:
            empty = np.zeros(0, bool)
            return empty, empty, empty, nowhere
        net = self._flownet()
        snk_side = mf.coreachable(net.ptr, net.head, net.mate, res, 1, net.sink)
        return side, cv.frozen(snk_side), cv.frozen(~side), nowhere

    @cached_property
    def _edge_cut(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        return self._solve("edge_cut")

    @cached_property
    def _node_cut(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        return self._solve("node_cut")

    def _value(self, res: np.ndarray | None, scale: int) -> float:
        """Return the flow value held in ``res`` in original units (inf if None)."""
        if res is None:
            return math.inf
        net = self._flownet()
        return mf.outflow(net.ptr, net.mate, net.is_fwd, res, net.source) / scale

    def _arc_flow(self, res: np.ndarray) -> np.ndarray:
        """Return the integer flow on every forward arc held in ``res``."""
        net = self._flownet()
        return res[net.mate[net.fwd_pos]]

    # -- flows and cuts ------------------------------------------------------------------

    def max_flow(self) -> FlowArrays:
        """Return the maximum flow as arrays (see :meth:`max_flow_arrays`)."""
        return self.max_flow_arrays()

    def bottleneck_nodes(self) -> np.ndarray:
        """Return the indices of capacitated nodes in the minimum cut of the maximum flow.

        They are the node capacities that bind: without them the flow could be larger.
        Empty when the flow is unbounded.
        """
        _, side = self._flow
        if side is None:
            return np.zeros(0, np.int64)
        net = self._flownet()
        binds = side[net.vin] & ~side[net.vout] & np.isfinite(self.node_capacity) & self.node_alive
        return np.flatnonzero(binds)

    def edge_cut(self) -> Cut:
        """Return the minimum edge cut nearest the sources (node capacities ignored).

        Its members are every live edge crossing the cut, capacity-0 ones included, so
        removing them always disconnects; ``value`` is ``inf`` (no members) when a source
        reaches a sink over unlimited edges only.
        """
        res, side = self._edge_cut
        if res is None:
            return Cut(math.inf, np.zeros(0, np.int64))
        net = self._flownet()
        crossing = side[net.vout[self.edge_tail]] & ~side[net.vin[self.edge_head]] & self.edge_alive
        return Cut(self._value(res, self.capacity_scale), np.flatnonzero(crossing))

    def node_cut(self) -> Cut:
        """Return a set of interdictable nodes of least total cost separating the endpoints.

        ``value`` is ``inf`` (no members) when only uninterdictable nodes separate them.
        """
        res, side = self._node_cut
        if res is None:
            return Cut(math.inf, np.zeros(0, np.int64))
        net = self._flownet()
        crossing = side[net.vin] & ~side[net.vout] & self.node_alive
        return Cut(self._value(res, self.cost_scale), np.flatnonzero(crossing))

    def unlimited_path(self) -> list[int] | None:
        """Return a source-to-sink path of unlimited edges and nodes (fewest hops), or None.

        Node indices, source first; ties go to the smaller ids (sources and neighbours in
        id order).
        """
        open_edge = self.edge_alive & np.isinf(self.edge_capacity)
        open_node = self.node_alive & np.isinf(self.node_capacity)
        return reach.fewest_hops_path(len(self.nodes), self.edge_tail[open_edge], self.edge_head[open_edge],
                                      self.sources[open_node[self.sources]], self.sinks, open_node)

    # -- what-if -----------------------------------------------------------------------

    def _lowered(self, removed_nodes: cv.Selection, removed_edges: cv.Selection,
                 node_scale: cv.Scales, edge_scale: cv.Scales) -> tuple[np.ndarray, np.ndarray, int]:
        """Return forward arc indices, their new capacities in units, and the factor
        every unit was refined by so that scaled capacities stay exact."""
        m = len(self.edges)
        node_mult = cv.multipliers(node_scale, self.node_index, "node_scale")
        edge_mult = cv.multipliers(edge_scale, self.edge_index, "edge_scale")
        # 3 units at scale 0.5 is 1.5 units: refine the unit (by 10**d) rather than round,
        # as long as the totals still fit the kernel.
        factor, rounded = cv.refinement(self._unlimited, node_mult, edge_mult)
        node_caps = cv.scaled_units(self._node_units, self._unlimited, node_mult, factor, exact=not rounded)
        edge_caps = cv.scaled_units(self._edge_units, self._unlimited, edge_mult, factor, exact=not rounded)
        node_caps[cv.indices(removed_nodes, self.node_index, "removed_nodes")] = 0
        edge_caps[cv.indices(removed_edges, self.edge_index, "removed_edges")] = 0
        edges = np.flatnonzero(edge_caps < self._edge_units * factor)
        nodes = np.flatnonzero(node_caps < self._node_units * factor)
        arcs = np.concatenate([edges, m + nodes]).astype(np.int64)
        return arcs, np.concatenate([edge_caps[edges], node_caps[nodes]]).astype(np.int64), factor

    def _repaired(self, arcs: np.ndarray, caps: np.ndarray, factor: int) -> np.ndarray | None:
        """Return the maximum flow residual with forward ``arcs`` lowered to ``caps`` (in
        units refined by ``factor``), None if unbounded: the base flow repaired locally."""
        net = self._flownet()
        pos = net.fwd_pos[arcs]
        base, _ = self._flow
        if base is not None and len(arcs) == 0 and factor == 1:
            return base
        if base is not None:  # warm start: repair the base maximum flow locally
            res = base * factor  # a maximum flow stays one when every unit is refined
            _repair.solve_lowered(net.ptr, net.head, net.mate, net.is_fwd, res, pos, caps,
                                  net.source, net.sink, self._sides, net.work())
            return res
        res = self._initial("flow") * factor
        res[pos] = caps
        big = self._unlimited * factor
        if mf.unlimited_path(net.ptr, net.head, res, big, net.source, net.sink):
            return None
        solve_max_flow(net, res, big)
        return res

    def _what_if(self, removed_nodes: cv.Selection, removed_edges: cv.Selection,
                 node_scale: cv.Scales, edge_scale: cv.Scales) -> tuple[np.ndarray | None, int]:
        """Return the maximum flow residual of a what-if (None if unbounded) and its
        units per capacity unit."""
        arcs, caps, factor = self._lowered(removed_nodes, removed_edges, node_scale, edge_scale)
        return self._repaired(arcs, caps, factor), self.capacity_scale * factor

    def max_flow_value(
        self,
        removed_nodes: cv.Selection = None,
        removed_edges: cv.Selection = None,
        node_scale: cv.Scales = None,
        edge_scale: cv.Scales = None,
    ) -> float:
        """Return the maximum flow value, optionally with elements removed or throttled.

        Parameters
        ----------
        removed_nodes, removed_edges : array of int, boolean mask, or iterable of ids
            Elements taken out of the network (capacity 0).
        node_scale, edge_scale : array of float or mapping of id/index to float
            Capacity multipliers in [0, 1]; a full-length array or ``{id: scale}``.
            Unlimited capacities stay unlimited under any scale above 0.

        Returns
        -------
        float
            In capacity units; ``math.inf`` when a source-to-sink path is unlimited.

        Examples
        --------
        >>> import networkx as nx
        >>> G = nx.MultiDiGraph()
        >>> G.add_nodes_from(["s"], type="manufacturing")
        >>> G.add_nodes_from(["x", "y"], type="storage")
        >>> G.add_nodes_from(["t"], type="assembly")
        >>> for e, u, v, c in [("sx", "s", "x", 4.0), ("sy", "s", "y", 3.0),
        ...                    ("xt", "x", "t", 5.0), ("yt", "y", "t", 5.0)]:
        ...     _ = G.add_edge(u, v, key=e, length=1, capacity=c)
        >>> snap = compile_network(G)
        >>> snap.max_flow_value(), snap.max_flow_value(removed_nodes=["x"])
        (7.0, 3.0)
        >>> snap.max_flow_value(edge_scale={"sx": 0.5})
        5.0
        """
        res, unit = self._what_if(removed_nodes, removed_edges, node_scale, edge_scale)
        return self._value(res, unit)

    def max_flow_arrays(
        self,
        removed_nodes: cv.Selection = None,
        removed_edges: cv.Selection = None,
        node_scale: cv.Scales = None,
        edge_scale: cv.Scales = None,
    ) -> FlowArrays:
        """Return a maximum flow as arrays (value, per-edge flow, per-node throughput).

        Takes the same what-if arguments as :meth:`max_flow_value`. Arrays follow
        ``edges`` and ``nodes`` order; all NaN when the flow is unbounded.
        """
        res, unit = self._what_if(removed_nodes, removed_edges, node_scale, edge_scale)
        m, n = len(self.edges), len(self.nodes)
        if res is None:
            return FlowArrays(math.inf, np.full(m, np.nan), np.full(n, np.nan))
        flow = self._arc_flow(res) / unit
        return FlowArrays(self._value(res, unit), flow[:m], flow[m:m + n])

    def max_flow_values(self, removals: Iterable[tuple[cv.Selection, cv.Selection]]) -> np.ndarray:
        """Return the maximum flow of each ``(removed_nodes, removed_edges)`` scenario.

        Scenarios run in parallel on numba's threads, each warm-started from the base
        maximum flow; use this for thousands of what-ifs.

        Examples
        --------
        >>> import networkx as nx
        >>> G = nx.MultiDiGraph()
        >>> G.add_node("s", type="manufacturing")
        >>> G.add_node("t", type="assembly")
        >>> G.add_edge("s", "t", key="a", length=1, capacity=2.0)
        'a'
        >>> G.add_edge("s", "t", key="b", length=1, capacity=3.0)
        'b'
        >>> compile_network(G).max_flow_values([([], ["a"]), ([], ["a", "b"]), (["t"], [])])
        array([3., 0., 0.])
        """
        m = len(self.edges)
        groups = []
        for nodes, edges in removals:
            arcs = np.concatenate([cv.indices(edges, self.edge_index, "removed_edges"),
                                   m + cv.indices(nodes, self.node_index, "removed_nodes")])
            groups.append(np.unique(arcs))
        return self._sweep(groups)

    def removal_losses(self, elements: str = "nodes", *, progress: Progress | None = None) -> np.ndarray:
        """Return the flow lost by removing each element alone: nodes, edges, or both.

        ``max_flow - max_flow without the element``, in ``nodes`` order, ``edges`` order
        or nodes then edges (``"both"``). Elements carrying no flow in the base maximum
        flow lose nothing (that flow survives their removal) and are not re-solved; the
        others are solved by the chain sweep (:mod:`supplynet.engine.chainsweep`), in
        parallel for large sweeps. Where the flow is unbounded a loss is ``inf`` if the
        removal makes it finite and NaN if it stays unbounded. ``progress(done, total)``
        is called as elements finish, on the calling thread.
        """
        if elements not in ("nodes", "edges", "both"):
            raise AnalysisError(f"elements must be 'nodes', 'edges' or 'both', not {elements!r}")
        m, n = len(self.edges), len(self.nodes)
        arcs = {"nodes": m + np.arange(n), "edges": np.arange(m),
                "both": np.concatenate([m + np.arange(n), np.arange(m)])}[elements]
        res, _ = self._flow
        if res is not None:
            todo = np.flatnonzero(self._arc_flow(res)[arcs] > 0)  # zero flow: zero loss
            loss = np.zeros(len(arcs))
            loss[todo] = self._single_losses(arcs[todo], progress) / self.capacity_scale
            return loss
        # Unbounded: only unlimited arcs on an unlimited source-to-sink path can matter.
        net = self._flownet()
        caps = self._initial("flow")
        big = self._unlimited
        tails, heads = net.head[net.mate[net.fwd_pos[arcs]]], net.head[net.fwd_pos[arcs]]
        from_source = mf.reachable(net.ptr, net.head, caps, big, net.source)
        to_sink = mf.coreachable(net.ptr, net.head, net.mate, caps, big, net.sink)
        on_path = (caps[net.fwd_pos[arcs]] >= big) & from_source[tails] & to_sink[heads]
        loss = np.full(len(arcs), np.nan)
        todo = np.flatnonzero(on_path)
        still = _batched(self._unbounded_without, arcs[todo], progress)
        loss[todo[~still.astype(bool)]] = math.inf
        return loss

    @cached_property
    def _chains(self) -> tuple[chainsweep.Segments, tuple[np.ndarray, ...]]:
        """Return the flow chains of the base maximum flow and the sweep's masks
        ``(fences, src_entry, snk_exit)`` (see :mod:`supplynet.engine.chainsweep`)."""
        net = self._flownet()
        res, _ = self._flow
        src_side, snk_side, off_src_side, _ = self._sides
        segments = chainsweep.chain_segments(net.ptr, net.head, net.mate, net.fwd_pos, res, src_side,
                                             snk_side, net.source, net.sink)
        n_vertices = len(net.ptr) - 1
        src_entry = np.zeros(n_vertices, bool)
        src_entry[net.head[net.ptr[net.source]:net.ptr[net.source + 1]]] = True
        snk_exit = np.zeros(n_vertices, bool)
        snk_exit[net.head[net.ptr[net.sink]:net.ptr[net.sink + 1]]] = True
        fences = (off_src_side, ~snk_side, src_side | snk_side)
        return segments, (fences, src_entry, snk_exit)

    def _single_losses(self, arcs: np.ndarray, progress: Progress | None = None) -> np.ndarray:
        """Return, in units, the flow lost by removing each forward arc alone (each must
        carry flow in the bounded base maximum flow): the chain sweep, on every core
        when the sweep is large. ``progress(done, total)`` is told as arcs finish."""
        net = self._flownet()
        segments, _ = self._chains
        pos = net.fwd_pos[arcs]
        wanted = np.zeros(len(net.head), bool)
        wanted[pos] = True
        need = wanted[segments.arcs]
        ptr, head, mate, base, seg_arcs, fences, src_entry, snk_exit, source, sink = self._sweep_arrays()
        threads = numba.get_num_threads()
        parallel = threads > 1 and len(arcs) * len(net.ptr) > PARALLEL_WORK
        blocks = threads if parallel else 1
        out = np.zeros(len(segments.arcs), np.int64)
        counts = np.zeros((blocks, len(chainsweep.COUNTS)), np.int64)
        done = np.zeros(blocks, np.int64)
        kernel = chainsweep.sweep_chains if parallel else chainsweep.sweep_chains_serial
        args = (ptr, head, mate, base, segments.ptr, seg_arcs, segments.region, need, fences, src_entry,
                snk_exit, source, sink, chainsweep.GUIDE_AFTER, out, counts, done)
        _run_reporting(kernel, args, done, int(need.sum()), progress)
        self._sweep_counts = dict(zip(chainsweep.COUNTS, counts.sum(axis=0).tolist()))
        loss_of = np.zeros(len(net.head), np.int64)  # arcs on pure flow cycles lose 0
        loss_of[segments.arcs] = out
        return loss_of[pos]

    def _sweep_arrays(self) -> tuple:
        """Return what the chain sweep reads: ``(ptr, head, mate, base, segment arcs,
        fences, src_entry, snk_exit, source, sink)``, the flow network's own, or from
        :data:`CURVE_SWEEP_VERTICES` on the same renumbered along a Hilbert curve of the
        nodes (each node's two vertices side by side), built for this sweep alone."""
        net = self._flownet()
        base, _ = self._flow
        segments, (fences, src_entry, snk_exit) = self._chains
        n_vertices, n = len(net.ptr) - 1, len(self.nodes)  # 2 n + 2: vin, vout, S and T
        if n_vertices < CURVE_SWEEP_VERTICES:
            return (net.ptr, net.head, net.mate, base, segments.arcs, fences, src_entry, snk_exit,
                    net.source, net.sink)
        order = curve_order(self.node_x, self.node_y)
        new_id = np.empty(n_vertices, np.int64)
        new_id[net.vin[order]] = 2 * np.arange(n)
        new_id[net.vout[order]] = 2 * np.arange(n) + 1
        new_id[[net.source, net.sink]] = [2 * n, 2 * n + 1]
        ptr, head, mate, values, new_pos = renumbered(net.ptr, net.head, net.mate, base, new_id)

        def moved(mask: np.ndarray) -> np.ndarray:
            out = np.empty_like(mask)
            out[new_id] = mask
            return out

        return (ptr, head, mate, values, new_pos[segments.arcs], tuple(moved(f) for f in fences),
                moved(src_entry), moved(snk_exit), 2 * n, 2 * n + 1)

    def _groups(self, groups: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(el_ptr, arcs, el_pos)``: ragged arrays of groups of forward arcs."""
        el_ptr = np.zeros(len(groups) + 1, np.int64)
        el_ptr[1:] = np.cumsum([len(g) for g in groups])
        arcs = np.concatenate(groups).astype(np.int64) if el_ptr[-1] else np.zeros(0, np.int64)
        return el_ptr, arcs, self._flownet().fwd_pos[arcs]

    def _unbounded_without(self, groups: list[np.ndarray]) -> np.ndarray:
        """Return, per group of forward arcs, whether an unlimited path survives its
        removal (only meaningful when the base flow is unbounded)."""
        net = self._flownet()
        el_ptr, _, el_pos = self._groups(groups)
        return _repair.sweep_unlimited(net.ptr, net.head, self._initial("flow"), self._unlimited,
                                       net.source, net.sink, el_ptr, el_pos)

    def _sweep(self, groups: list[np.ndarray], *, batch_of: int | None = None) -> np.ndarray:
        """Return the maximum flow with each group of forward arcs removed.

        ``batch_of``: the size of the whole job when ``groups`` is one batch of it, so
        that batches of a big job still run in parallel.
        """
        if not groups:
            return np.zeros(0)
        net = self._flownet()
        el_ptr, arcs, el_pos = self._groups(groups)
        base, _ = self._flow
        if base is not None:
            args = (net.ptr, net.head, net.mate, net.is_fwd, base, net.source, net.sink,
                    self._sides, el_ptr, el_pos)
            threads = numba.get_num_threads()
            if threads > 1 and (batch_of or len(groups)) * len(net.ptr) > PARALLEL_WORK:
                out = _repair.sweep_finite(*args, threads)
            else:
                out = _repair.sweep_finite_serial(*args)
            return out / self.capacity_scale
        # Unbounded base: removal gives a finite flow only if it cuts every unlimited path.
        out = np.full(len(groups), math.inf)
        m = len(self.edges)
        for k in np.flatnonzero(~self._unbounded_without(groups)):
            chosen = arcs[el_ptr[k]:el_ptr[k + 1]]
            out[k] = self.max_flow_value(chosen[chosen >= m] - m, chosen[chosen < m])
        return out


class IdIndex(Mapping):
    """Position of each id (read-only), the dict built at the first lookup and shared by
    every snapshot of the same ids: a dict of 3.5 million edge ids takes 1.4 s, and
    reading, solving and the sweep never look an id up. Its length needs no dict."""

    def __init__(self, ids: tuple[str, ...]) -> None:
        self._ids = ids
        self._positions: dict[str, int] | None = None

    def _built(self) -> dict[str, int]:
        if self._positions is None:
            self._positions = dict(zip(self._ids, range(len(self._ids))))
        return self._positions

    def __getitem__(self, key: str) -> int:
        return self._built()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._built()

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


class FlowState(NamedTuple):
    """What :meth:`Snapshot.flow_state` returns."""

    net: FlowNet
    initial: np.ndarray
    base: np.ndarray | None
    sides: tuple[np.ndarray, ...] | None
    unlimited: int


_CACHED = ("_flow", "_sides", "_chains", "_edge_cut", "_node_cut", "element_table")
#: Arrays a snapshot takes from its NetworkArrays as they are (read-only, shared).
_SHARED = ("nodes", "edges", "edge_tail", "edge_head", "node_capacity", "edge_capacity", "node_cost", "edge_cost",
           "node_interdictable", "edge_interdictable", "node_type", "node_name", "node_country", "node_x",
           "node_y", "node_repair_days", "node_confidence", "edge_mode", "edge_crosses_border",
           "edge_repair_days", "edge_confidence")


def _run_reporting(kernel: Callable[..., Any], args: tuple[Any, ...], done: np.ndarray, total: int,
                   progress: Progress | None) -> None:
    """Run a numba kernel that counts finished work in ``done``; without ``progress`` on
    this thread, else on a worker thread while this one reports ``done.sum()``.

    The kernels release the GIL, so the progress callback runs on the caller's thread
    while the work goes on."""
    if progress is None:
        kernel(*args)
        return
    progress(0, total)
    with ThreadPoolExecutor(max_workers=1) as pool:
        job = pool.submit(kernel, *args)
        while True:
            try:
                job.result(timeout=_POLL_S)
                break
            except FuturesTimeout:
                progress(min(int(done.sum()), total), total)
    progress(total, total)


def _batched(solve: Callable[[list[np.ndarray]], np.ndarray], arcs: np.ndarray,
             progress: Progress | None) -> np.ndarray:
    """Return ``solve`` of each arc alone, reporting progress by batch."""
    total = len(arcs)
    if progress is None:
        return solve([arcs[k:k + 1] for k in range(total)])
    progress(0, total)
    out = np.empty(total)
    step = max(_BATCH, -(-total // 100))
    for start in range(0, total, step):
        stop = min(total, start + step)
        out[start:stop] = solve([arcs[k:k + 1] for k in range(start, stop)])
        progress(stop, total)
    return out
