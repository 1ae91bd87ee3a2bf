"""The time-expanded network of a campaign, and fast flow over time on it.

Time runs in periods of ``period_days`` days, numbered ``0 .. T-1`` (``T = horizon /
period``). Every node ``v`` has two vertices per period, ``in(v, t)`` and ``out(v, t)``;
one super source ``S`` and one super sink ``K`` close the network. Its arcs, each owned
by at most one *copy* (element, period) whose strike removes it:

==========  ==============================  ==============================  ===========
arc         from -> to                      capacity                        owner
==========  ==============================  ==============================  ===========
split       ``in(v,t) -> out(v,t)``         node capacity per period        ``(v, t)``
hold        ``out(v,t-1) -> out(v,t)``      ``storage`` (where above 0)     ``(v, t)``
stock       ``S -> out(v,0)``               ``stock`` (where above 0)       ``(v, 0)``
supply      ``S -> in(s,t)``, each source   unlimited                       none
deliver     ``out(k,t) -> K``, each sink    unlimited                       none
edge        ``out(u,t) -> in(v,t+tau)``     edge capacity per period        ``(e, t)``
==========  ==============================  ==============================  ===========

An edge arc exists only where ``t + tau <= T - 1``: what arrives after the horizon does
not count. A node's capacity is its throughput per period (a source's production, a
sink's intake); storage holds processed stock on the out side from one period to the
next; stock is on hand at ``out(v, 0)`` at the start (at a sink it counts as delivered in
period 0). A node copy that is down owns every arc that brings anything into
``out(v, t)``, so it receives, holds and sends nothing, and the stock it held is lost.
An edge copy ``(e, t)`` is the edge's departures in period ``t``.

Elements are numbered as the snapshot holds them: node ``i`` is element ``i`` and edge
``j`` is element ``n + j``; copy ``(x, t)`` is number ``x * T + t``. Only arcs on some
``S``-to-``K`` path are kept.

:class:`FlowOverTime` lays the arcs out as the kernels' paired residual CSR
(:func:`supplynet.engine.flownet.paired_csr`) in integer units and answers with the
same kernels as a snapshot: ISAP from zero (:func:`value`), local repair after a strike
(:meth:`FlowOverTime.lower`), what-if sweeps from a maximum flow
(:meth:`FlowOverTime.sweep`) and the earliest-arrival totals by period
(:meth:`FlowOverTime.arrivals`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numba
import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from supplynet._errors import AnalysisError
from supplynet.engine import maxflow as mf
from supplynet.engine import reach
from supplynet.engine import repair
from supplynet.engine import units as cv
from supplynet.engine.flownet import paired_csr
from supplynet.engine.snapshot import Snapshot

__all__ = [
    "SPEEDS",
    "MAX_ARCS",
    "ARC_KINDS",
    "TimeExpanded",
    "FlowOverTime",
    "transit_days",
    "periods_of",
    "repair_periods",
    "expand",
    "fastest_route",
]

#: Speed of each ``mode`` in km per day, for edges without ``transit_days``; an edge
#: without a mode, or with a mode not listed, moves at the ``road`` speed.
SPEEDS: Mapping[str, float] = {"road": 500.0, "track": 300.0, "air": 5000.0, "rail": 600.0, "sea": 400.0,
                               "convoy": 400.0}
#: Most arcs of a time-expanded network (before pruning): about 100 bytes each for the
#: arrays, the residual and the kernels' scratch, so some 0.5 GB. Beyond it a campaign is
#: refused rather than allowed to exhaust memory.
MAX_ARCS = 5_000_000
#: Arc kinds, by code.
ARC_KINDS = ("split", "hold", "stock", "supply", "deliver", "edge")
SPLIT, HOLD, STOCK, SUPPLY, DELIVER, EDGE = range(6)
#: What-if groups above which a sweep runs on numba's threads.
_PARALLEL_GROUPS = 64


def periods_of(days: np.ndarray, period_days: float) -> np.ndarray:
    """Return whole periods of ``days``, rounded up (0 only for 0 days; NaN stays NaN).

    Examples
    --------
    >>> periods_of(np.array([0.0, 0.5, 7.0, 7.2, np.nan]), 7.0).tolist()
    [0.0, 1.0, 1.0, 2.0, nan]
    """
    days = np.asarray(days, float)
    with np.errstate(invalid="ignore"):
        out = np.ceil(days / period_days - 1e-9)
    return np.where(days > 0, np.maximum(out, 1.0), np.where(np.isnan(days), np.nan, 0.0))


def repair_periods(days: np.ndarray, period_days: float, periods: int,
                   default_days: float | None = None) -> np.ndarray:
    """Return the periods a strike keeps each element down, capped at ``periods``.

    ``days`` is ``repair_days`` (NaN where absent, which takes ``default_days``; with no
    default the element is never repaired, so it stays down for the rest of the horizon).
    0 days means a strike removes nothing.

    Examples
    --------
    >>> repair_periods(np.array([0.0, 3.0, 8.0, np.nan, 400.0]), 7.0, 10).tolist()
    [0, 1, 2, 10, 10]
    """
    days = np.asarray(days, float)
    if default_days is not None:
        days = np.where(np.isnan(days), float(default_days), days)
    out = np.where(np.isnan(days), float(periods), np.minimum(periods_of(days, period_days), periods))
    return out.astype(np.int64)


def transit_days(snap: Snapshot, speeds: Mapping[str, float] | None = None) -> np.ndarray:
    """Return each edge's transit time in days: ``transit_days``, else length / speed of its mode.

    ``speeds`` overrides :data:`SPEEDS` mode by mode (km per day).

    Raises
    ------
    AnalysisError
        A speed is not a positive number.
    """
    table = {**SPEEDS, **(speeds or {})}
    for mode, speed in table.items():
        if not (isinstance(speed, (int, float)) and speed > 0 and math.isfinite(speed)):
            raise AnalysisError(f"the speed of mode {mode!r} must be a positive number of km per day; got {speed!r}")
    road = table["road"]
    speed = np.array([table.get(m, road) if isinstance(m, str) else road for m in snap.edge_mode], float)
    given = snap.column("edge", "transit_days")
    return np.where(np.isnan(given), snap.edge_length / 1000.0 / speed, given)


@dataclass(frozen=True, eq=False)
class TimeExpanded:
    """The time-expanded network of a snapshot (see the module notes).

    Attributes
    ----------
    periods : int
        ``T``.
    n_nodes, n_edges : int
        Of the snapshot: elements are its nodes, then its edges.
    n_vertices : int
        ``2 * n_nodes * T + 2``; ``source`` and ``sink`` are the last two.
    tail, head : numpy.ndarray
        Arc ends (int64), kept arcs only.
    capacity : numpy.ndarray
        Per arc and period, ``inf`` for unlimited.
    owner : numpy.ndarray
        Copy owning each arc (``element * T + period``), -1 for none.
    kind : numpy.ndarray
        Index into :data:`ARC_KINDS`.
    period : numpy.ndarray
        The period of each arc (an edge arc's departure, a deliver arc's delivery).
    transit : numpy.ndarray
        Periods each edge takes.
    arcs_before_pruning : int
    """

    periods: int
    n_nodes: int
    n_edges: int
    n_vertices: int
    tail: np.ndarray
    head: np.ndarray
    capacity: np.ndarray
    owner: np.ndarray
    kind: np.ndarray
    period: np.ndarray
    transit: np.ndarray
    source: int
    sink: int
    arcs_before_pruning: int

    @property
    def n_elements(self) -> int:
        """Nodes plus edges."""
        return self.n_nodes + self.n_edges

    def copies_of(self, element: int, start: int, length: int) -> np.ndarray:
        """Return the copies of ``element`` in periods ``start .. start + length - 1`` (within the horizon)."""
        stop = min(self.periods, start + length)
        return element * self.periods + np.arange(start, max(start, stop), dtype=np.int64)


def expand(snap: Snapshot, *, periods: int, transit: np.ndarray, storage: np.ndarray | None = None,
           stock: np.ndarray | None = None) -> TimeExpanded:
    """Return the time-expanded network of ``snap`` over ``periods`` periods.

    Parameters
    ----------
    snap : Snapshot
        With sources and sinks; dead elements of a what-if are left out.
    periods : int
        ``T`` >= 1.
    transit : numpy.ndarray
        Whole periods each edge takes (>= 0).
    storage, stock : numpy.ndarray, optional
        Per node (NaN or 0 for none; ``inf`` for unlimited storage).

    Raises
    ------
    AnalysisError
        The network would have more than :data:`MAX_ARCS` arcs, or stock is unlimited.

    Examples
    --------
    >>> import networkx as nx
    >>> from supplynet.engine.snapshot import compile_network
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("s", type="manufacturing", capacity=4.0); G.add_node("t", type="assembly")
    >>> G.add_edge("s", "t", key="e", length=1, capacity=3.0)
    'e'
    >>> te = expand(compile_network(G), periods=3, transit=np.array([1]))
    >>> FlowOverTime(te).value()  # departures in periods 0 and 1 arrive by period 2
    6.0
    """
    n, m, T = len(snap.nodes), len(snap.edges), int(periods)
    storage = np.zeros(n) if storage is None else np.asarray(storage, float)
    stock = np.zeros(n) if stock is None else np.asarray(stock, float)
    storage, stock = (np.where(np.isnan(a), 0.0, a) for a in (storage, stock))
    if np.any(np.isinf(stock)):
        raise AnalysisError(f"node {snap.nodes[int(np.flatnonzero(np.isinf(stock))[0])]!r}: stock must be a "
                            "finite number of units")
    tau = np.asarray(transit, np.int64)
    nodes = np.flatnonzero(snap.node_alive)
    edges = np.flatnonzero(snap.edge_alive & (tau < T))
    holders = nodes[storage[nodes] > 0]
    stocked = nodes[stock[nodes] > 0]
    total = (T * (len(nodes) + len(snap.sources) + len(snap.sinks)) + (T - 1) * len(holders) + len(stocked)
             + int(np.sum(T - tau[edges])))
    if total > MAX_ARCS:
        raise AnalysisError(f"a campaign of {T} periods on this network needs {total:,} arcs, more than the "
                            f"{MAX_ARCS:,} it may hold in memory; use longer periods (--period-days) or a "
                            "shorter horizon")
    t_all = np.arange(T, dtype=np.int64)

    def vin(v: np.ndarray, t: np.ndarray) -> np.ndarray:
        return 2 * (v * T + t)

    S, K = 2 * n * T, 2 * n * T + 1
    parts: list[tuple[np.ndarray, ...]] = []

    def add(tail: np.ndarray, head: np.ndarray, cap: np.ndarray, owner: np.ndarray, kind: int,
            period: np.ndarray) -> None:
        parts.append((tail, head, np.asarray(cap, float), owner, np.full(len(tail), kind, np.int8), period))

    v, t = np.repeat(nodes, T), np.tile(t_all, len(nodes))
    add(vin(v, t), vin(v, t) + 1, snap.node_capacity[v], v * T + t, SPLIT, t)
    if T > 1:
        v, t = np.repeat(holders, T - 1), np.tile(t_all[1:], len(holders))
        add(vin(v, t - 1) + 1, vin(v, t) + 1, storage[v], v * T + t, HOLD, t)
    zero = np.zeros(len(stocked), np.int64)
    add(np.full(len(stocked), S), vin(stocked, zero) + 1, stock[stocked], stocked * T, STOCK, zero)
    v, t = np.repeat(snap.sources, T), np.tile(t_all, len(snap.sources))
    add(np.full(len(v), S), vin(v, t), np.full(len(v), math.inf), np.full(len(v), -1), SUPPLY, t)
    v, t = np.repeat(snap.sinks, T), np.tile(t_all, len(snap.sinks))
    add(vin(v, t) + 1, np.full(len(v), K), np.full(len(v), math.inf), np.full(len(v), -1), DELIVER, t)
    counts = T - tau[edges]
    e = np.repeat(edges, counts)
    t = np.arange(len(e), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    add(vin(snap.edge_tail[e], t) + 1, vin(snap.edge_head[e], t + tau[e]), snap.edge_capacity[e], (n + e) * T + t,
        EDGE, t)
    tail, head, cap, owner, kind, period = (np.concatenate([p[k] for p in parts]) for k in range(6))
    tail, head, owner, period = (a.astype(np.int64) for a in (tail, head, owner, period))
    n_vertices = 2 * n * T + 2
    open_ = cap > 0
    ahead, behind = reach.reached_both_ways(n_vertices, tail[open_], head[open_], np.array([S]), np.array([K]))
    keep = open_ & ahead[tail] & behind[head]
    arrays = [cv.frozen(a[keep]) for a in (tail, head, cap, owner, kind, period)]
    return TimeExpanded(T, n, m, n_vertices, *arrays, transit=cv.frozen(tau.copy()), source=S, sink=K,
                        arcs_before_pruning=len(tail))


def fastest_route(snap: Snapshot, weight: np.ndarray) -> float:
    """Return the least total ``weight`` over edges of a source-to-sink route (inf: none).

    Parallel edges count by their lightest; dead elements of a what-if are left out.

    Examples
    --------
    >>> import networkx as nx
    >>> from supplynet.engine.snapshot import compile_network
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("s", type="manufacturing"); G.add_node("m", type="x"); G.add_node("t", type="assembly")
    >>> for k, u, v in [("a", "s", "m"), ("b", "m", "t"), ("c", "s", "t")]:
    ...     _ = G.add_edge(u, v, key=k, length=1)
    >>> fastest_route(compile_network(G), np.array([0.0, 1.0, 2.5]))
    1.0
    """
    n = len(snap.nodes)
    live = np.flatnonzero(snap.edge_alive)
    if not len(live) or not len(snap.sources) or not len(snap.sinks):
        return math.inf
    u, v, w = snap.edge_tail[live], snap.edge_head[live], np.asarray(weight, float)[live]
    order = np.lexsort((w, v, u))
    first = np.ones(len(order), bool)
    first[1:] = (u[order][1:] != u[order][:-1]) | (v[order][1:] != v[order][:-1])
    pick = order[first]
    if len(np.intersect1d(snap.sources, snap.sinks)):
        return 0.0
    # csgraph drops stored zeros: a zero weight becomes the smallest float, which leaves
    # every sum of real weights exactly as it was.
    weights = np.where(w[pick] > 0, w[pick], 5e-324)
    graph = csr_array((weights, (u[pick], v[pick])), shape=(n, n))
    dist = dijkstra(graph, directed=True, indices=snap.sources, min_only=True)
    best = float(np.min(dist[snap.sinks]))
    return best if best >= 1e-300 or math.isinf(best) else 0.0


class FlowOverTime:
    """Max flow over time of a :class:`TimeExpanded` network, with copies struck down.

    Capacities are held in integer units (``scale`` per capacity unit, as a snapshot
    holds them), so every value is exact; values come back in capacity units, ``inf``
    when a path of unlimited arcs reaches the sink.

    Parameters
    ----------
    te : TimeExpanded
    """

    def __init__(self, te: TimeExpanded) -> None:
        self.te = te
        units, self.scale, self.big, self.rounded = cv.units(te.capacity, "capacities, storage and stock")
        lay = paired_csr(te.n_vertices, te.tail, te.head)
        self.ptr, self.head, self.mate = lay["ptr"], lay["head"], lay["mate"]
        self.is_fwd, self.fwd_pos = lay["is_fwd"], lay["fwd_pos"]
        initial = np.zeros(len(self.head), np.int64)
        initial[self.fwd_pos] = units
        self.initial = cv.frozen(initial)
        n_copies = te.n_elements * te.periods
        owned = np.flatnonzero(te.owner >= 0)
        order = owned[np.argsort(te.owner[owned], kind="stable")]
        self.copy_ptr = np.zeros(n_copies + 1, np.int64)
        np.cumsum(np.bincount(te.owner[owned], minlength=n_copies), out=self.copy_ptr[1:])
        self.copy_arcs = order
        self._deliver = np.flatnonzero(te.kind == DELIVER)

    # -- building blocks ----------------------------------------------------------------

    def positions(self, copies: Iterable[int] | np.ndarray) -> np.ndarray:
        """Return the forward positions of every arc the ``copies`` own."""
        copies = np.unique(np.asarray(list(copies) if not isinstance(copies, np.ndarray) else copies, np.int64))
        if not len(copies):
            return np.zeros(0, np.int64)
        lo, hi = self.copy_ptr[copies], self.copy_ptr[copies + 1]
        sizes = hi - lo
        idx = np.repeat(lo - np.cumsum(sizes) + sizes, sizes) + np.arange(int(sizes.sum()))
        return self.fwd_pos[self.copy_arcs[idx]].astype(np.int64)

    def _work(self) -> tuple[np.ndarray, ...]:
        return mf.make_work(len(self.ptr) - 1, len(self.head))

    def _value(self, res: np.ndarray) -> float:
        return float(mf.outflow(self.ptr, self.mate, self.is_fwd, res, self.te.source)) / self.scale

    def sides(self, res: np.ndarray) -> tuple[np.ndarray, ...]:
        """Return the masks :func:`supplynet.engine.repair.lower_capacities` fences with."""
        src = mf.reachable(self.ptr, self.head, res, 1, self.te.source)
        snk = mf.coreachable(self.ptr, self.head, self.mate, res, 1, self.te.sink)
        return src, snk, ~src, np.zeros(len(src), bool)

    # -- questions ----------------------------------------------------------------------

    def solve(self, down: Iterable[int] | np.ndarray = ()) -> tuple[float, np.ndarray | None]:
        """Return ``(value, residual of a maximum flow)`` with the ``down`` copies removed.

        The residual is None when the flow is unlimited.
        """
        res = self.initial.copy()
        res[self.positions(down)] = 0
        if mf.unlimited_path(self.ptr, self.head, res, self.big, self.te.source, self.te.sink):
            return math.inf, None
        mf.max_flow(self.ptr, self.head, self.mate, res, self.te.source, self.te.sink, self._work())
        return self._value(res), res

    def value(self, down: Iterable[int] | np.ndarray = ()) -> float:
        """Return the flow over time with the ``down`` copies removed."""
        return self.solve(down)[0]

    def lower(self, res: np.ndarray, copies: np.ndarray) -> float:
        """Remove ``copies`` from the maximum flow ``res`` in place (local repair); return its value."""
        pos = self.positions(copies)
        repair.lower_capacities(self.ptr, self.head, self.mate, self.is_fwd, res, pos, np.zeros(len(pos), np.int64),
                                self.te.source, self.te.sink, self.sides(res), self._work())
        return self._value(res)

    def sweep(self, res: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
        """Return the flow over time after removing each group of copies from the maximum flow ``res``."""
        if not groups:
            return np.zeros(0)
        pos = [self.positions(g) for g in groups]
        el_ptr = np.zeros(len(groups) + 1, np.int64)
        el_ptr[1:] = np.cumsum([len(p) for p in pos])
        el_pos = np.concatenate(pos) if el_ptr[-1] else np.zeros(0, np.int64)
        args = (self.ptr, self.head, self.mate, self.is_fwd, res, self.te.source, self.te.sink, self.sides(res),
                el_ptr, el_pos)
        threads = numba.get_num_threads()
        if threads > 1 and len(groups) > _PARALLEL_GROUPS:
            out = repair.sweep_finite(*args, threads)
        else:
            out = repair.sweep_finite_serial(*args)
        return out / self.scale

    def copy_flow(self, res: np.ndarray) -> np.ndarray:
        """Return the flow through the arcs each copy owns, summed, per copy (capacity units)."""
        flow = res[self.mate[self.fwd_pos]].astype(float) / self.scale
        out = np.zeros(self.te.n_elements * self.te.periods)
        owned = self.te.owner >= 0
        np.add.at(out, self.te.owner[owned], flow[owned])
        return out

    def arrivals(self, down: Iterable[int] | np.ndarray = ()) -> np.ndarray:
        """Return ``D(t)``: the most units deliverable by the end of each period ``t``.

        A maximum flow with the deliver arcs of later periods closed, grown period by
        period by augmenting the previous one (each ``D(t)`` is the maximum of its own
        network, so the totals are unique; by Gale (1959) one flow over time attains all
        of them at once). ``D(T-1)`` is the flow over time. ``inf`` from the period where
        an unlimited path first reaches the sink.
        """
        te = self.te
        res = self.initial.copy()
        res[self.positions(down)] = 0
        late = self.fwd_pos[self._deliver]
        res[late] = 0
        out = np.empty(te.periods)
        work = self._work()
        for t in range(te.periods):
            now = late[te.period[self._deliver] == t]
            res[now] = self.big
            if mf.unlimited_path(self.ptr, self.head, res, self.big, te.source, te.sink):
                out[t:] = math.inf
                break
            mf.max_flow(self.ptr, self.head, self.mate, res, te.source, te.sink, work)
            out[t] = self._value(res)
        return out
