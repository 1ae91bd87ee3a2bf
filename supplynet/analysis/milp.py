"""Wood's (1993) max-flow interdiction model as a mixed-integer program solved by HiGHS.

The flow network is the one docs/design.md defines for ``max_flow``: a super source feeding
every source and every sink feeding a super sink through unlimited arcs, each node with
a capacity or a chance of interdiction split into ``in -> out``. Removing a node is
removing its ``in -> out`` arc (every unit through the node, its own supply included,
crosses it), so nodes and edges are both arcs here.

For a fixed set of interdicted arcs the max flow left equals the min cut (LP duality);
Wood lets the attacker choose the set and the cut together::

    minimise   sum_a  u_a beta_a
    subject to p_head(a) - p_tail(a) - beta_a - gamma_e(a) <= 0   every arc a
               sum_e  c_e gamma_e <= B
               p = 0 on the source side of each source, 1 after each sink
               0 <= p, beta <= 1;  gamma binary

``p_v = 1`` puts ``v`` on the sink side, ``beta_a = 1`` pays for a cut arc and
``gamma_e = 1`` interdicts element ``e``, which lets its arcs cross the cut for free.
An arc of unlimited capacity has no ``beta``: the cut may cross it only where it is
interdicted, so no finite plan ever "cuts" it for nothing (no big-M is needed); when no
plan within budget leaves a finite cut the program is infeasible and the flow left is
unlimited. Uninterdictable elements and those outside the targets get no ``gamma``.
Only ``gamma`` is integer: for a fixed ``gamma`` the remaining constraint matrix is a
network matrix, so the LP in ``(p, beta)`` has an integral optimum.

The flow-days objective stacks one copy of ``(p, beta)`` per restoration interval,
each weighted by the interval's length and seeing only the elements still out then,
all sharing ``gamma``; the result is exact for the same reason.

Equal optima are canonicalised by further solves (see :func:`solve_interdiction`).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from supplynet._errors import AnalysisError
from supplynet._native import native_output_to_log
from supplynet.engine import reach
from supplynet.engine.flownet import split_arcs, split_vertices
from supplynet.engine.snapshot import Snapshot, compile_network

__all__ = [
    "SplitNetwork",
    "Period",
    "MilpOutcome",
    "relevant_nodes",
    "split_network",
    "solve_interdiction",
    "solve_canonical",
    "Model",
    "Problem",
    "EXACT_TIES_MAX",
]

logger = logging.getLogger(__name__)

#: Most alternative equal plans enumerated when canonicalising one optimum.
MAX_TIES = 50
#: Up to this many candidates, equal optima of equal cost and count are ordered by id
#: exactly (a rank-sum solve, then tie enumeration); beyond, HiGHS's choice among them
#: stands (deterministic for a given HiGHS build). The solves grow far faster than the
#: proof itself (docs/benchmarks-plan.md).
EXACT_TIES_MAX = 1000
# The first solve's (cost, count) perturbation must keep steps HiGHS's 1e-6 gap resolves.
_MIN_STEP = 1e-4
# Up to this many what-ifs after the same removals are solved from the intact network's
# flow; more pay for compiling a snapshot of the network with the removals already out.
_FEW = 8


@dataclass(frozen=True)
class SplitNetwork:
    """The split max-flow network of a graph and its interdiction candidates.

    Attributes
    ----------
    n_vertices : int
        Vertices of the split network (one per node, two for a split node).
    tail, head : numpy.ndarray
        Arc ends (int64).
    capacity : numpy.ndarray
        Arc capacities; ``inf`` for unlimited.
    element : numpy.ndarray
        Index into ``candidates`` of the element each arc belongs to, -1 for none.
    zero, one : numpy.ndarray
        Vertices held on the source side (source inputs) and the sink side (sink outputs).
    candidates : tuple of (kind, id)
        Interdictable elements that can carry flow, sorted by id then kind.
    cost, repair_days : numpy.ndarray
        Per candidate; ``repair_days`` is NaN where absent.
    rank : numpy.ndarray
        Position (from 1) of each candidate among every eligible element of the graph,
        sorted by id then kind: the tie-break of equal optima.
    owner : numpy.ndarray
        The element each arc belongs to, numbered nodes first, then edges, in the
        snapshot's order (node ``v`` is ``v``, edge ``e`` is ``n + e``): what a scenario's
        absent elements take out.
    """

    n_vertices: int
    tail: np.ndarray
    head: np.ndarray
    capacity: np.ndarray
    element: np.ndarray
    zero: np.ndarray
    one: np.ndarray
    candidates: tuple[tuple[str, str], ...]
    cost: np.ndarray
    repair_days: np.ndarray
    rank: np.ndarray
    owner: np.ndarray


@dataclass(frozen=True)
class Period:
    """One copy of the cut model: its objective weight, the candidates it may use and its arcs.

    ``present`` (a mask over the split network's arcs) keeps only those arcs in this
    copy, and only the vertices they touch: a scenario of uncertain intelligence, where
    the other elements do not exist (:mod:`supplynet.analysis.stochastic`). None keeps
    every arc.
    """

    weight: float
    available: np.ndarray
    present: np.ndarray | None = None


@dataclass(frozen=True)
class MilpOutcome:
    """What the solves found.

    Attributes
    ----------
    selected : tuple of int
        Candidate indices of the plan, ascending.
    proven : bool
        The plan's objective is proven optimal.
    bound : float or None
        Best proven lower bound on the objective (None when unknown).
    unlimited : bool
        No plan within budget leaves a finite objective (the program is infeasible).
    canonical : bool
        The plan is the canonical one among equal optima.
    solves : int
        MILP solves run.
    """

    selected: tuple[int, ...]
    proven: bool
    bound: float | None
    unlimited: bool
    canonical: bool
    solves: int


def relevant_nodes(G: nx.MultiDiGraph | Snapshot, sources: Iterable[str] | None = None,
                   sinks: Iterable[str] | None = None) -> set[str]:
    """Return the nodes on some path from a source to a sink (sources and sinks included).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edges_from([("s", "a", "e1"), ("a", "t", "e2"), ("b", "a", "e3"), ("a", "c", "e4")], length=1)
    ['e1', 'e2', 'e3', 'e4']
    >>> sorted(relevant_nodes(G, ["s"], ["t"]))
    ['a', 's', 't']
    """
    snap = compile_network(G, sources, sinks)
    return {snap.nodes[i] for i in np.flatnonzero(_relevant(snap))}


def _relevant(snap: Snapshot) -> np.ndarray:
    """Return the mask of live nodes a source reaches and that reach a sink."""
    live = snap.edge_alive
    ahead, behind = reach.reached_both_ways(len(snap.nodes), snap.edge_tail[live], snap.edge_head[live],
                                            snap.sources, snap.sinks)
    return ahead & behind & snap.node_alive


def split_network(G: nx.MultiDiGraph | Snapshot, sources: Sequence[str] | None = None,
                  sinks: Sequence[str] | None = None, *, targets: str = "both",
                  split: np.ndarray | None = None) -> SplitNetwork:
    """Return the split network of ``G`` between ``sources`` and ``sinks``.

    Laid out by the engine's one split-network builder
    (:func:`supplynet.engine.flownet.split_arcs`), pruned for the MILP: only nodes on a
    source-to-sink path are kept (nothing else can carry flow, so interdicting it never
    helps), and a node is split only when it has a capacity or is a candidate. Arcs of
    split nodes come first, in id order, then the edges in id order. ``targets`` is
    ``"nodes"``, ``"edges"`` or ``"both"``; ``split`` (a mask over the nodes) splits those
    nodes as well, so that each has an arc of its own (a node that may not exist).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("s", capacity=5.0); G.add_node("t")
    >>> G.add_edge("s", "t", key="e", capacity=3.0, length=1)
    'e'
    >>> net = split_network(G, ["s"], ["t"], targets="edges")
    >>> net.n_vertices, net.candidates, net.capacity.tolist()
    (3, (('edge', 'e'),), [5.0, 3.0])
    """
    snap = compile_network(G, sources, sinks)
    n = len(snap.nodes)
    keep = _relevant(snap)
    nodes_wanted, edges_wanted = targets in ("nodes", "both"), targets in ("edges", "both")
    node_ok = snap.node_interdictable & nodes_wanted & snap.node_alive
    edge_ok = snap.edge_interdictable & edges_wanted & snap.edge_alive
    everyone = sorted([(v, "node") for v in np.asarray(snap.nodes, object)[node_ok]]
                      + [(e, "edge") for e in np.asarray(snap.edges, object)[edge_ok]])
    rank = {c: r for r, c in enumerate(everyone, start=1)}
    kept_edges = np.flatnonzero(keep[snap.edge_tail] & keep[snap.edge_head] & snap.edge_alive)
    cand_nodes = np.flatnonzero(keep & node_ok)
    cand_edges = kept_edges[edge_ok[kept_edges]]
    cands = sorted([(snap.nodes[i], "node", i) for i in cand_nodes] + [(snap.edges[i], "edge", i) for i in cand_edges])
    node_elem = np.full(n, -1, np.int64)
    edge_elem = np.full(len(snap.edges), -1, np.int64)
    for k, (_, kind, i) in enumerate(cands):
        (node_elem if kind == "node" else edge_elem)[i] = k
    split = np.isfinite(snap.node_capacity) | (node_elem >= 0) | (False if split is None else np.asarray(split, bool))
    order = np.flatnonzero(keep)
    vin, vout, count = split_vertices(order, split, n)
    split_nodes = order[split[order]]
    tail, head = split_arcs(vin, vout, snap.edge_tail, snap.edge_head, kept_edges, split_nodes)
    m_arcs = len(kept_edges)
    # Node arcs first, then edges: the order the model's rows take.
    tail = np.concatenate([tail[m_arcs:], tail[:m_arcs]])
    head = np.concatenate([head[m_arcs:], head[:m_arcs]])
    capacity = np.concatenate([snap.node_capacity[split_nodes], snap.edge_capacity[kept_edges]])
    element = np.concatenate([node_elem[split_nodes], edge_elem[kept_edges]])
    cost = np.array([(snap.node_cost if kind == "node" else snap.edge_cost)[i] for _, kind, i in cands], float)
    days = np.array([(snap.node_repair_days if kind == "node" else snap.edge_repair_days)[i] for _, kind, i in cands],
                    float)
    return SplitNetwork(
        n_vertices=count, tail=tail.astype(np.int64), head=head.astype(np.int64), capacity=capacity.astype(float),
        element=element, zero=np.unique(vin[snap.sources[keep[snap.sources]]]),
        one=np.unique(vout[snap.sinks[keep[snap.sinks]]]),
        candidates=tuple((kind, ident) for ident, kind, _ in cands), cost=cost, repair_days=days,
        rank=np.array([rank[(ident, kind)] for ident, kind, _ in cands], dtype=float),
        owner=np.concatenate([split_nodes, n + kept_edges]).astype(np.int64),
    )


# --- the model ---------------------------------------------------------------------------

@dataclass
class Model:
    """Objective, constraint rows and bounds of the interdiction program."""

    c: np.ndarray
    rows: list[sp.csr_array]
    lower: list[np.ndarray]
    upper: list[np.ndarray]
    lb: np.ndarray
    ub: np.ndarray
    integrality: np.ndarray
    gamma0: int
    n_cand: int

    def gamma_row(self, coef: np.ndarray) -> sp.csr_array:
        """Return a one-row matrix with ``coef`` on the gamma variables."""
        row = np.zeros(len(self.c))
        row[self.gamma0:] = coef
        return sp.csr_array(row.reshape(1, -1))

    def add(self, row: sp.csr_array, lo: float, hi: float) -> None:
        """Add the constraint ``lo <= row @ x <= hi``."""
        self.rows.append(row)
        self.lower.append(np.array([lo]))
        self.upper.append(np.array([hi]))


def _build(net: SplitNetwork, budget: float, periods: Sequence[Period]) -> Model:
    finite = np.isfinite(net.capacity)
    layout, offset = [], 0
    for period in periods:  # each copy: its vertices, then a beta per finite arc, in arc order
        if period.present is None:
            arcs, verts = np.arange(len(net.tail)), np.arange(net.n_vertices)
        else:
            arcs = np.flatnonzero(period.present)
            verts = np.unique(np.concatenate([net.tail[arcs], net.head[arcs]]))
        layout.append((arcs, verts, offset))
        offset += len(verts) + int(finite[arcs].sum())
    gamma0 = offset
    c = np.zeros(gamma0 + len(net.candidates))
    lb, ub = np.zeros(len(c)), np.ones(len(c))
    blocks = []
    for period, (arcs, verts, off) in zip(periods, layout):
        n_arc = len(arcs)
        fa = np.flatnonzero(finite[arcs])
        beta = off + len(verts) + np.arange(len(fa))
        element = net.element[arcs]
        ga = np.flatnonzero((element >= 0) & period.available[np.maximum(element, 0)])
        rows = np.concatenate([np.arange(n_arc), np.arange(n_arc), fa, ga])
        cols = np.concatenate([off + np.searchsorted(verts, net.head[arcs]), off + np.searchsorted(verts, net.tail[arcs]),
                               beta, gamma0 + element[ga]])
        vals = np.concatenate([np.ones(n_arc), -np.ones(n_arc), -np.ones(len(fa)), -np.ones(len(ga))])
        blocks.append(sp.csr_array((vals, (rows, cols)), shape=(n_arc, len(c))))
        c[beta] = period.weight * net.capacity[arcs[fa]]
        ub[off + np.searchsorted(verts, np.intersect1d(verts, net.zero))] = 0.0
        lb[off + np.searchsorted(verts, np.intersect1d(verts, net.one))] = 1.0
    usable = np.zeros(len(net.candidates), bool)
    for period in periods:
        usable |= period.available
    ub[gamma0:] = np.where(usable & (net.cost <= budget), 1.0, 0.0)
    integrality = np.zeros(len(c))
    integrality[gamma0:] = 1
    n_rows = sum(len(arcs) for arcs, _, _ in layout)
    model = Model(c, [sp.vstack(blocks, format="csr")] if blocks else [],
                  [np.full(n_rows, -np.inf)], [np.zeros(n_rows)], lb, ub, integrality, gamma0, len(net.candidates))
    model.add(model.gamma_row(net.cost), -np.inf, budget)
    return model


@dataclass(frozen=True)
class _Result:
    status: int
    gamma: np.ndarray | None
    fun: float | None
    bound: float | None


#: Share of the time left that HiGHS is given (it overruns its own limit; see :func:`_solve`).
HIGHS_SHARE = 0.85


def _solve(model: Model, c: np.ndarray, deadline: float | None) -> _Result:
    # HiGHS presolve spends far longer than the solve on these network matrices (32 s vs
    # 0.3 s at 5k nodes, see docs/benchmarks-plan.md): the model is already lean.
    options: dict = {"disp": False, "mip_rel_gap": 0.0, "presolve": False}
    if deadline is not None:
        # HiGHS checks its limit between steps of its own and overran it by about 6 s of 55 on
        # the 1,000-node, 30-period campaign (its root LP, docs/benchmarks-campaign.md): it is
        # given HIGHS_SHARE of what is left, so the whole run keeps to the caller's limit.
        options["time_limit"] = max(HIGHS_SHARE * (deadline - time.perf_counter()), 0.01)
    if np.any(model.lb > model.ub):
        return _Result(2, None, None, None)
    cons = LinearConstraint(sp.vstack(model.rows, format="csr"), np.concatenate(model.lower),
                            np.concatenate(model.upper))
    start = time.perf_counter()
    with native_output_to_log(logger, "HiGHS"):
        res = milp(c, integrality=model.integrality, bounds=Bounds(model.lb, model.ub),
                   constraints=cons, options=options)
    logger.debug("HiGHS: %d variables, %d rows, status %d in %.3f s", len(c), cons.A.shape[0],
                 res.status, time.perf_counter() - start)
    gamma = None if res.x is None else np.asarray(res.x[model.gamma0:]) > 0.5
    bound = getattr(res, "mip_dual_bound", None)
    bound = None if bound is None or not np.isfinite(bound) else float(bound)
    return _Result(int(res.status), gamma, None if res.x is None else float(res.fun), bound)


def _integral(values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    return bool(np.all(finite == np.round(finite)))


def solve_interdiction(
    net: SplitNetwork,
    *,
    budget: float,
    periods: Sequence[Period],
    evaluate: Callable[[tuple[int, ...]], float],
    time_limit: float | None = None,
) -> MilpOutcome:
    """Return the optimal plan of the interdiction program, canonicalised.

    The canonical plan among equal optima has the least cost, then the fewest elements,
    then (up to :data:`EXACT_TIES_MAX` candidates) the least sum of id ranks, then the
    ids first in sorted order. With whole-number capacities, weights and costs, cost and
    count ride on the first solve as a perturbation worth less than half a unit of flow
    (values are then integers, so it never trades flow); otherwise they take solves of
    their own, within ``tol`` of the optimum (0.5 for whole numbers, else 1e-6 relative).
    The rank sum takes one more solve and remaining ties are enumerated with no-good cuts.

    Parameters
    ----------
    net : SplitNetwork
    budget : float
    periods : sequence of Period
        One for the flow objective; one per restoration interval for flow-days.
    evaluate : callable
        Exact objective of a plan (candidate indices), used to pin the optimum.
    time_limit : float, optional
        Seconds for all solves together; canonicalisation stops when it runs out.
    """
    model = _build(net, budget, periods)
    whole = _integral(net.capacity) and _integral(np.array([p.weight for p in periods]))
    lead, span = _lead(net, model, budget)
    return solve_canonical(model, cost=net.cost, rank=net.rank, lead=lead, span=span, whole=whole,
                           evaluate=evaluate, time_limit=time_limit)


def solve_canonical(
    model: Model,
    *,
    cost: np.ndarray,
    rank: np.ndarray,
    lead: np.ndarray,
    span: float,
    whole: bool,
    evaluate: Callable[[tuple[int, ...]], float],
    time_limit: float | None = None,
) -> MilpOutcome:
    """Return the optimal choice of a cut model's integer variables, canonicalised.

    The canonicalisation of :func:`solve_interdiction`, for any :class:`Model` whose
    integer variables (``gamma``) are the candidates: least ``cost``, then fewest, then
    (up to :data:`EXACT_TIES_MAX` candidates) the least sum of ``rank``, then the
    candidates first in ``rank`` order. ``lead`` is ``cost * (kmax + 1) + 1`` and ``span``
    the most any feasible choice can total in it; ``whole`` says that the objective takes
    whole values only (the perturbation needs it). The campaign model
    (:mod:`supplynet.analysis.campaign`) uses it with strikes as candidates.
    """
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    perturb = whole and _integral(cost) and 1.0 / (2 * span + 1) >= _MIN_STEP
    c = model.c.copy()
    if perturb:
        c[model.gamma0:] = lead / (2 * span + 1)
    first = _solve(model, c, deadline)
    if first.status == 2:
        return MilpOutcome((), True, math.inf, True, True, 1)
    bound = first.bound if first.bound is None or not perturb else math.ceil(first.bound - 0.5 - 1e-9)
    if first.gamma is None or first.status != 0:
        plan = () if first.gamma is None else _indices(first.gamma)
        return MilpOutcome(plan, False, bound, False, False, 1)
    plan = _indices(first.gamma)
    best = evaluate(plan)
    model.add(sp.csr_array(model.c.reshape(1, -1)), -np.inf, best + (0.5 if whole else 1e-6 * max(1.0, abs(best))))
    stages: list[np.ndarray] = [] if perturb else [lead] if _integral(cost) else [cost, np.ones(len(lead))]
    if perturb:
        model.add(model.gamma_row(lead), -np.inf, float(lead[list(plan)].sum()) + 0.5)
    exact_ties = len(cost) <= EXACT_TIES_MAX
    plan, canonical, solves = _canonical(model, stages + ([rank] if exact_ties else []), plan, deadline)
    if canonical and exact_ties:
        plan, canonical, solves = _break_ties(model, plan, deadline, solves)
    return MilpOutcome(plan, True, float(best), False, canonical, 1 + solves)


def _lead(net: SplitNetwork, model: Model, budget: float) -> tuple[np.ndarray, float]:
    """Return the weights ``cost * (kmax + 1) + 1`` ordering plans by cost, then count,
    and the most any plan within budget can total (``kmax`` bounds the count)."""
    usable = model.ub[model.gamma0:] > 0
    paid = usable & (net.cost > 0)
    kmax = int(np.sum(usable & (net.cost <= 0))) + (int(budget // net.cost[paid].min()) if paid.any() else 0)
    kmax = min(kmax, int(usable.sum()))
    return net.cost * (kmax + 1) + 1, budget * (kmax + 1) + kmax


def _indices(gamma: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.flatnonzero(gamma))


def _canonical(
    model: Model, stages: Sequence[np.ndarray], plan: tuple[int, ...], deadline: float | None
) -> tuple[tuple[int, ...], bool, int]:
    """Minimise each stage's weights in turn, pinning each; return plan, completed, solves."""
    solves = 0
    for weights in stages:
        res = _solve(model, _objective(model, weights), deadline)
        solves += 1
        if res.status != 0 or res.gamma is None:
            # Any incumbent still leaves the optimum, and is no worse than the plan in hand.
            logger.info("canonicalisation stopped (solver status %d); keeping an equal optimum", res.status)
            better = res.gamma is not None and weights[list(_indices(res.gamma))].sum() < weights[list(plan)].sum()
            return (_indices(res.gamma) if better else plan), False, solves
        plan = _indices(res.gamma)
        total = float(weights[list(plan)].sum())
        model.add(model.gamma_row(weights), -np.inf, total + (0.5 if _integral(weights) else 1e-6 * max(1.0, total)))
    return plan, True, solves


def _objective(model: Model, weights: np.ndarray) -> np.ndarray:
    c = np.zeros(len(model.c))
    c[model.gamma0:] = weights
    return c


def _break_ties(
    model: Model, plan: tuple[int, ...], deadline: float | None, solves: int
) -> tuple[tuple[int, ...], bool, int]:
    """Enumerate plans equal on every criterion; return the one whose ranks sort first."""
    found = [plan]
    if len(plan) <= 1:  # count and rank sum are pinned: a single rank admits no tie
        return plan, True, solves
    zero = np.zeros(len(model.c))
    while len(found) <= MAX_TIES:
        cut = np.zeros(model.n_cand)
        cut[list(found[-1])] = 1.0
        model.add(model.gamma_row(cut), -np.inf, len(found[-1]) - 1)
        res = _solve(model, zero, deadline)
        solves += 1
        if res.status == 2:
            return min(found), True, solves
        if res.status != 0 or res.gamma is None:
            logger.info("tie enumeration stopped (solver status %d)", res.status)
            return min(found), False, solves
        found.append(_indices(res.gamma))
    logger.info("more than %d equal optimal plans; the first found in id order is kept", MAX_TIES)
    return min(found), False, solves


# --- one planning question --------------------------------------------------------------

class Problem:
    """One planning question: candidates, exact flow oracle, objective and its periods.

    Max flows come from a compiled :class:`~supplynet.engine.snapshot.Snapshot` (removal masks,
    warm starts) and are memoised per removal set, so curves and greedy runs that revisit
    a set pay once. ``left(R)`` is what a plan removing ``R`` leaves: the max flow, or for
    flow-days the flow-days delivered over the horizon.

    Parameters
    ----------
    G : networkx.MultiDiGraph or Snapshot
    sources, sinks : None, str or iterable of str
    targets : {"nodes", "edges", "both"}
    objective : {"flow", "flow-days"}
    horizon : float or None
        Days (flow-days only).
    """

    def __init__(self, G: nx.MultiDiGraph | Snapshot, sources: Any, sinks: Any, *, targets: str,
                 objective: str, horizon: float | None) -> None:
        self.targets, self.objective = targets, objective
        self.snap = compile_network(G, sources, sinks)
        self.sources, self.sinks = tuple(self.snap.source_ids), tuple(self.snap.sink_ids)
        self.net = split_network(self.snap, targets=targets)
        self.kinds = [k for k, _ in self.net.candidates]
        self.ids = [i for _, i in self.net.candidates]
        self.cost = self.net.cost
        self.index = np.array([(self.snap.node_index if k == "node" else self.snap.edge_index)[i]
                               for k, i in self.net.candidates], dtype=np.int64)
        self.is_node = np.array([k == "node" for k in self.kinds], dtype=bool)
        self._memo: dict[frozenset[int], float] = {}
        self._arrays: dict[frozenset[int], np.ndarray] = {}
        self._last: tuple[frozenset[int], Any, np.ndarray] | None = None
        self.scores: np.ndarray | None = None  # supply betweenness, filled on demand
        self.before = self.flow(frozenset())
        self.horizon = _horizon(objective, horizon, self.before)
        self.periods = self._periods()

    # flows ---------------------------------------------------------------------------
    def _removal(self, removed: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
        idx = np.fromiter(removed, dtype=np.int64)
        return self.index[idx[self.is_node[idx]]], self.index[idx[~self.is_node[idx]]]

    def flow(self, removed: frozenset[int]) -> float:
        """Return the max flow with the candidates ``removed`` taken out."""
        if removed not in self._memo:
            nodes, edges = self._removal(removed)
            self._memo[removed] = float(self.snap.max_flow_value(removed_nodes=nodes, removed_edges=edges))
        return self._memo[removed]

    def flows(self, sets: Sequence[frozenset[int]]) -> np.ndarray:
        """Return the max flow of each removal set, solving the new ones in one sweep."""
        new = list(dict.fromkeys(s for s in sets if s not in self._memo))
        if new:
            values = self.snap.max_flow_values([self._removal(s) for s in new])
            self._memo.update(zip(new, map(float, values)))
        return np.array([self._memo[s] for s in sets], dtype=float)

    def carried(self, removed: frozenset[int], which: Sequence[int]) -> np.ndarray:
        """Return an upper bound on the objective each candidate in ``which`` could still cut.

        Removing an element cuts at most the flow it carries in a maximum flow (a flow
        that avoids it survives its removal): for flow, its flow after ``removed``; for
        flow-days, the sum over periods where it is out of the period's length times its
        flow after the elements of ``removed`` still out then. Infinity when unbounded.
        """
        which = list(which)
        if self.objective == "flow":
            return self._carried(removed)[which]
        bound = np.zeros(len(which))
        for p in self.periods:
            still = frozenset(i for i in removed if p.available[i])
            bound += p.weight * p.available[which] * self._carried(still)[which]
        return bound

    def _carried(self, removed: frozenset[int]) -> np.ndarray:
        """Return each candidate's flow in a maximum flow after ``removed`` (inf: unbounded)."""
        if removed not in self._arrays and not self._has_state(removed):
            nodes, edges = self._removal(removed)
            arr = self.snap.max_flow_arrays(removed_nodes=nodes, removed_edges=edges)
            flow = np.where(self.is_node, arr.node_flow[self.index * self.is_node],
                            arr.edge_flow[self.index * ~self.is_node])
            self._arrays[removed] = flow if math.isfinite(arr.value) else np.full(len(flow), math.inf)
        if removed not in self._arrays:
            snap, where = self._state(removed)
            flow = np.zeros(len(self.ids))
            if snap is not None:
                arr = snap.max_flow_arrays()
                have = where >= 0
                flow[have] = np.where(self.is_node[have], arr.node_flow[where[have] * self.is_node[have]],
                                      arr.edge_flow[where[have] * ~self.is_node[have]])
                flow = flow if math.isfinite(arr.value) else np.full(len(flow), math.inf)
            self._arrays[removed] = flow
        return self._arrays[removed]

    def flows_after(self, removed: frozenset[int], extra: Sequence[int]) -> np.ndarray:
        """Return the max flow after ``removed`` plus each candidate of ``extra`` in turn.

        Solved on a snapshot of the network with ``removed`` already out, so each solve
        re-routes around one element only (a greedy step's questions).
        """
        todo = [e for e in extra if removed | {e} not in self._memo]
        if todo and len(todo) <= _FEW and not self._has_state(removed):
            self.flows([removed | {e} for e in todo])  # a few: warm starts from the intact flow
        elif todo:
            snap, where = self._state(removed)
            if snap is None:
                values = np.zeros(len(todo))
            else:
                groups = [([where[e]] if self.is_node[e] and where[e] >= 0 else [],
                           [where[e]] if not self.is_node[e] and where[e] >= 0 else []) for e in todo]
                values = snap.max_flow_values(groups)
            self._memo.update((removed | {e}, float(v)) for e, v in zip(todo, values))
        return np.array([self._memo[removed | {e}] for e in extra], dtype=float)

    def _has_state(self, removed: frozenset[int]) -> bool:
        return not removed or (self._last is not None and self._last[0] == removed)

    def _state(self, removed: frozenset[int]) -> tuple[Any, np.ndarray]:
        """Return the network with ``removed`` out (a what-if snapshot; None if no source or
        sink is left) and each candidate's index in it (-1 where gone); the last one is kept."""
        if self._last is None or self._last[0] != removed:
            if not removed:
                snap: Any = self.snap
            else:
                nodes, edges = self._removal(removed)
                snap = self.snap.after(nodes, edges)
                snap = snap if len(snap.sources) and len(snap.sinks) else None
            where = np.full(len(self.ids), -1, dtype=np.int64)
            if snap is not None:
                alive = np.where(self.is_node, snap.node_alive[self.index * self.is_node],
                                 snap.edge_alive[self.index * ~self.is_node])
                where[alive] = self.index[alive]
            self._last = (removed, snap, where)
        return self._last[1], self._last[2]

    # objective -----------------------------------------------------------------------
    def _periods(self) -> list[Period]:
        n = len(self.ids)
        if self.objective == "flow":
            return [Period(1.0, np.ones(n, dtype=bool))]
        days = np.where(np.isnan(self.net.repair_days), self.horizon,
                        np.minimum(self.net.repair_days, self.horizon))
        out, prev = [], 0.0
        for stop in sorted(set(days[days > 0].tolist())):
            out.append(Period(stop - prev, days >= stop))
            prev = stop
        return out

    def milp_value(self, plan: tuple[int, ...]) -> float:
        """Return the MILP objective of a plan: sum over periods of weight x flow left."""
        return sum(p.weight * self.flow(frozenset(i for i in plan if p.available[i]))
                   for p in self.periods)

    def left(self, removed: frozenset[int]) -> float:
        """Return the objective left: max flow, or flow-days delivered over the horizon."""
        if self.objective == "flow":
            return self.flow(removed)
        return self._days_left(removed)

    def lefts(self, sets: Sequence[frozenset[int]]) -> np.ndarray:
        """Return :meth:`left` of many removal sets, batching the max flows."""
        if self.objective == "flow":
            return self.flows(sets)
        parts = [frozenset(i for i in s if p.available[i]) for s in sets for p in self.periods]
        self.flows(parts)
        return np.array([self._days_left(s) for s in sets], dtype=float)

    def _days_left(self, removed: frozenset[int]) -> float:
        """Flow-days delivered: each period's flow with the elements still out, plus after."""
        return self.milp_value(tuple(removed)) + self.floor()

    def floor(self) -> float:
        """Return the least objective any plan could leave (0 flow; flow-days after repairs)."""
        if self.objective == "flow":
            return 0.0
        return self.before * (self.horizon - sum(p.weight for p in self.periods))


def _horizon(objective: str, horizon: float | None, before: float) -> float | None:
    if objective == "flow":
        return None
    if horizon is None or not (float(horizon) > 0) or not math.isfinite(float(horizon)):
        raise AnalysisError(f"objective 'flow-days' needs a positive, finite horizon in days; got {horizon!r}")
    if not math.isfinite(before):
        raise AnalysisError("objective 'flow-days' needs a finite max flow; this network's is unlimited")
    return float(horizon)
