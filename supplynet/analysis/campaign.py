"""Campaigns over time: which strikes, in which periods, deny the most delivery by a horizon.

The network is expanded over time (:mod:`supplynet.engine.timeexpand`): periods of
``period_days`` days up to ``horizon_days``, transit times rounded up to whole periods,
capacities per period, storage carrying stock from one period to the next. A strike on
an element at period ``t`` removes its copies in periods ``t .. t + r - 1``, ``r`` being
its ``repair_days`` in periods (rounded up; absent: ``default_repair_days``; with no
default, never repaired). The figure of a campaign is the **flow over time**: the most
units that reach the sinks by the end of the horizon.

Three methods choose the strikes, within a budget for each period or one for the whole
campaign (costs as in plans):

- ``optimal``: Wood's cut model on the time-expanded network, one binary per (element,
  period), solved with HiGHS and canonicalised as plans are
  (:func:`supplynet.analysis.milp.solve_canonical`); proven, or the best schedule found
  and its gap when the time limit stops it. Greedy runs beside it, and its schedule is
  the best found when the MILP stops with a worse one;
- ``greedy``: each period in turn, the strike that cuts the most flow over time per unit
  cost, again while the period's budget (or what is left of the total) allows;
- ``launch-sites``: each period, strike the sinks and ``launch`` nodes not already down,
  most flow carried per unit cost first: the strategy of "temporary relief".

``docs/campaign.md`` gives the model, a worked example and every rule.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from supplynet._errors import AnalysisError
from supplynet._plain import plain
from supplynet._progress import Phases, Progress, phase
from supplynet.analysis.milp import Model, solve_canonical
from supplynet.engine import timeexpand as tx
from supplynet.engine.snapshot import Snapshot, compile_network

__all__ = ["METHODS", "TARGETS", "MAX_PERIODS", "Strike", "Schedule", "Campaign", "campaign"]

logger = logging.getLogger(__name__)

#: Campaign methods, in report order.
METHODS = ("optimal", "greedy", "launch-sites")
#: What may be struck.
TARGETS = ("nodes", "edges", "both")
#: Most periods of a campaign (the network's size caps it further: ``timeexpand.MAX_ARCS``).
MAX_PERIODS = 100_000
#: Most nonzeros of the campaign MILP (about 40 bytes each in HiGHS). An element never
#: repaired within a long horizon puts up to ``T`` strikes in each of its arcs' rows, so
#: the model grows with the square of the periods; past this, ``optimal`` gives greedy's
#: schedule and says why.
MILP_MAX_NONZEROS = 20_000_000
_EPS = 1e-9
_CHUNK = 8


@dataclass(frozen=True)
class Strike:
    """One strike of a schedule.

    Attributes
    ----------
    kind, id : str
        ``"node"`` or ``"edge"``, and its id.
    period : int
        The period it lands in (from 0).
    back_at_period : int or None
        The first period it works again (``period`` + its repair in periods, which may lie
        past the horizon); None when it is never repaired.
    cost : float
    """

    kind: str
    id: str
    period: int
    back_at_period: int | None
    cost: float

    def to_dict(self) -> dict[str, Any]:
        """Return the strike as builtins."""
        return plain({"kind": self.kind, "id": self.id, "period": self.period,
                      "back_at_period": self.back_at_period, "cost": self.cost})


@dataclass(frozen=True)
class Schedule:
    """One method's campaign and what it leaves.

    Attributes
    ----------
    method : str
    strikes : tuple of Strike
        By period, then id.
    delivered : float
        Units reaching the sinks by the horizon under the schedule (``inf``: unlimited).
    per_period : tuple of float
        Units delivered in each period: the earliest-arrival increments (unique).
    cost : float
        Total cost of the strikes.
    proven : bool
        No schedule within the budget leaves less.
    gap : float or None
        ``(delivered - lower_bound) / delivered``; 0 when proven, None when unknown.
    lower_bound : float or None
        Proven lower bound on what any schedule within the budget leaves.
    reason : str or None
        Why the schedule is empty, stopped short or is not proven.
    """

    method: str
    strikes: tuple[Strike, ...]
    delivered: float
    per_period: tuple[float, ...]
    cost: float
    proven: bool
    gap: float | None
    lower_bound: float | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the schedule as builtins (unlimited values are None)."""
        return plain({"method": self.method, "schedule": [s.to_dict() for s in self.strikes],
                      "delivered": self.delivered, "per_period": list(self.per_period), "cost": self.cost,
                      "proven": self.proven, "gap": self.gap, "lower_bound": self.lower_bound,
                      "reason": self.reason})


@dataclass(frozen=True)
class Campaign:
    """Campaigns of several methods over one horizon, side by side.

    Attributes
    ----------
    horizon_days, period_days : float
    periods : int
        ``horizon_days / period_days``.
    budget_per_period, budget : float or None
        Exactly one is set.
    targets : str
    sources, sinks : tuple of str
    delivered_without_strikes : float
        The flow over time of the intact network.
    per_period_without_strikes : tuple of float
    schedules : dict of str to Schedule
        By method, in :data:`METHODS` order.
    default_repair_days : float or None
    speeds : dict of str to float
        km per day by mode, for edges without ``transit_days``.
    fastest_route_days : float
        The fastest source-to-sink route, in days (``inf`` when no route).
    fastest_route_periods : float
        The same route measure once each edge's transit is rounded up to whole periods.
    arcs : int
        Arcs of the time-expanded network after pruning.
    notes : tuple of str
        Warnings and explanations the reports print.
    labels : dict of (kind, id) to str
        A readable name per element struck.
    """

    horizon_days: float
    period_days: float
    periods: int
    budget_per_period: float | None
    budget: float | None
    targets: str
    sources: tuple[str, ...]
    sinks: tuple[str, ...]
    delivered_without_strikes: float
    per_period_without_strikes: tuple[float, ...]
    schedules: dict[str, Schedule]
    default_repair_days: float | None
    speeds: dict[str, float]
    fastest_route_days: float
    fastest_route_periods: float
    arcs: int
    notes: tuple[str, ...] = ()
    labels: dict[tuple[str, str], str] = field(default_factory=dict)

    def denied(self, method: str) -> float:
        """Return the units ``method``'s schedule denies by the horizon (None-safe for unlimited)."""
        before, after = self.delivered_without_strikes, self.schedules[method].delivered
        if math.isinf(before):
            return math.inf if math.isfinite(after) else 0.0
        return before - after

    def to_dict(self) -> dict[str, Any]:
        """Return the campaign as builtins (unlimited values are None)."""
        methods = {}
        for name, s in self.schedules.items():
            before = self.delivered_without_strikes
            share = None if not math.isfinite(before) or before <= 0 else self.denied(name) / before
            methods[name] = {**s.to_dict(), "denied": self.denied(name), "share_denied": share}
        return plain({
            "horizon_days": self.horizon_days, "period_days": self.period_days, "periods": self.periods,
            "budget_per_period": self.budget_per_period, "budget": self.budget, "targets": self.targets,
            "sources": list(self.sources), "sinks": list(self.sinks),
            "delivered_without_strikes": self.delivered_without_strikes,
            "per_period_without_strikes": list(self.per_period_without_strikes),
            "default_repair_days": self.default_repair_days, "speeds_km_per_day": dict(sorted(self.speeds.items())),
            "fastest_route_days": self.fastest_route_days, "fastest_route_periods": self.fastest_route_periods,
            "time_expanded_arcs": self.arcs, "methods": methods,
        })


# --- the problem -----------------------------------------------------------------------------

class _Problem:
    """The time-expanded network of one campaign question, its candidates and its oracle."""

    def __init__(self, snap: Snapshot, *, horizon_days: float, period_days: float, per_period: float | None,
                 total: float | None, targets: str, default_repair_days: float | None,
                 speeds: Mapping[str, float] | None) -> None:
        self.snap = snap
        self.P = period_days
        self.T = _periods(horizon_days, period_days)
        self.per_period, self.total = per_period, total
        self.cap = per_period if per_period is not None else total
        self.speeds = {**tx.SPEEDS, **dict(speeds or {})}
        days = tx.transit_days(snap, speeds)
        self.transit_days = days
        self.tau = tx.periods_of(days, period_days).astype(np.int64)
        storage = snap.column("node", "storage", 0.0)
        stock = snap.column("node", "stock", 0.0)
        self.te = tx.expand(snap, periods=self.T, transit=self.tau, storage=storage, stock=stock)
        self.fot = tx.FlowOverTime(self.te)
        n, m = len(snap.nodes), len(snap.edges)
        self.n = n
        self.kinds = ["node"] * n + ["edge"] * m
        self.ids = list(snap.nodes) + list(snap.edges)
        self.cost = np.concatenate([snap.node_cost, snap.edge_cost]).astype(float)
        repair_days = np.concatenate([snap.node_repair_days, snap.edge_repair_days])
        self.r = tx.repair_periods(repair_days, period_days, self.T, default_repair_days)
        full = np.where(np.isnan(repair_days), np.nan if default_repair_days is None else default_repair_days,
                        repair_days)
        self.back = tx.periods_of(full, period_days)  # uncapped, NaN: never
        alive = np.concatenate([snap.node_alive, snap.edge_alive])
        interdictable = np.concatenate([snap.node_interdictable, snap.edge_interdictable])
        wanted = np.array([targets in ("nodes", "both")] * n + [targets in ("edges", "both")] * m, bool)
        self.eligible = alive & interdictable & wanted
        everyone = sorted(zip(self.ids, self.kinds, range(n + m)))
        self.order = np.empty(n + m, np.int64)  # position by (id, kind): every tie-break
        self.order[[i for _, _, i in everyone]] = np.arange(n + m)
        eligible_rank = np.cumsum(self.eligible[[i for _, _, i in everyone]])
        self.rank = np.zeros(n + m)
        self.rank[[i for _, _, i in everyone]] = eligible_rank  # plan's rank: among the eligible
        owns = np.zeros(self.te.n_elements * self.T, bool)
        owns[self.te.owner[self.te.owner >= 0]] = True
        self.owns = owns.reshape(-1, self.T)
        self.candidate = self.eligible & (self.r >= 1) & self.owns.any(axis=1) & _fits(self.cost, self.cap)
        launch = np.array([isinstance(t, str) and t.strip().lower() == "launch" for t in snap.node_type], bool)
        sinks = np.zeros(n, bool)
        sinks[snap.sinks] = True
        self.launch = np.concatenate([launch | sinks, np.zeros(m, bool)]) & self.eligible & (self.r >= 1) & \
            _fits(self.cost, self.cap)
        self.before, self._base = self.fot.solve()
        self._values: dict[tuple[tuple[int, int], ...], float] = {(): self.before}
        self._curves: dict[tuple[tuple[int, int], ...], tuple[float, ...]] = {}

    def down(self, strikes: Sequence[tuple[int, int]]) -> np.ndarray:
        """Return the copies down under ``strikes`` ((element, period) pairs)."""
        parts = [self.te.copies_of(e, t, int(self.r[e])) for e, t in strikes]
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)

    def value(self, strikes: Sequence[tuple[int, int]]) -> float:
        """Return the flow over time left by ``strikes`` (kept per schedule)."""
        key = tuple(sorted(strikes))
        if key not in self._values:
            self._values[key] = self.fot.value(self.down(strikes))
        return self._values[key]

    def per_period_of(self, strikes: Sequence[tuple[int, int]]) -> tuple[float, ...]:
        """Return the earliest-arrival increments under ``strikes`` (kept per schedule)."""
        key = tuple(sorted(strikes))
        if key not in self._curves:
            cum = self.fot.arrivals(self.down(strikes))
            with np.errstate(invalid="ignore"):
                inc = np.diff(np.concatenate([[0.0], cum]))
            self._curves[key] = tuple(float(x) if math.isfinite(c) else math.inf for x, c in zip(inc, cum))
        return self._curves[key]


def _periods(horizon_days: float, period_days: float) -> int:
    for name, value in (("horizon", horizon_days), ("period", period_days)):
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise AnalysisError(f"campaign {name} must be a positive, finite number of days; got {value!r}")
    ratio = horizon_days / period_days
    T = int(round(ratio))
    if T < 1 or abs(T - ratio) > 1e-9 * max(1.0, ratio):
        raise AnalysisError(f"campaign horizon ({horizon_days:g} days) must be a whole number of periods of "
                            f"{period_days:g} days; {ratio:.4g} is not")
    if T > MAX_PERIODS:
        raise AnalysisError(f"campaign horizon of {T:,} periods is more than the {MAX_PERIODS:,} supported; "
                            "use longer periods (--period-days)")
    return T


def _fits(cost: Any, budget: float) -> Any:
    return cost <= budget + _EPS * max(1.0, abs(budget))


# --- greedy and launch-sites -------------------------------------------------------------------

class _State:
    """A schedule being built: strikes, copies down, and the current maximum flow."""

    def __init__(self, pb: _Problem) -> None:
        self.pb = pb
        self.value, self.res = pb.before, None if pb._base is None else pb._base.copy()
        self.down = np.zeros(pb.te.n_elements * pb.T, bool)
        self.strikes: list[tuple[int, int]] = []
        self.what_ifs = 0

    def window(self, e: int, t: int) -> np.ndarray:
        return self.pb.te.copies_of(e, t, int(self.pb.r[e]))

    def fresh(self, e: int, t: int) -> bool:
        """Whether a strike on ``e`` at ``t`` downs any copy not down already."""
        return not self.down[self.window(e, t)].all()

    def carried(self, els: np.ndarray, t: int) -> np.ndarray:
        """Return the flow each element's window from ``t`` carries now (an upper bound on its cut)."""
        if self.res is None:
            return np.full(len(els), math.inf)
        T = self.pb.T
        flow = self.pb.fot.copy_flow(self.res).reshape(-1, T)
        prefix = np.concatenate([np.zeros((flow.shape[0], 1)), np.cumsum(flow, axis=1)], axis=1)
        stop = np.minimum(T, t + self.pb.r[els])
        return prefix[els, stop] - prefix[els, t]

    def after(self, els: Sequence[int], t: int) -> np.ndarray:
        """Return the flow over time after adding each strike ``(e, t)`` alone."""
        self.what_ifs += len(els)
        if self.res is not None:
            return self.pb.fot.sweep(self.res, [self.window(e, t) for e in els])
        base = np.flatnonzero(self.down)
        return np.array([self.pb.fot.value(np.concatenate([base, self.window(e, t)])) for e in els])

    def strike(self, e: int, t: int) -> None:
        copies = self.window(e, t)
        self.down[copies] = True
        self.strikes.append((int(e), int(t)))
        if self.res is not None:
            self.value = self.pb.fot.lower(self.res, copies)
        else:
            self.value, self.res = self.pb.fot.solve(np.flatnonzero(self.down))


def _ratio(gain: np.ndarray, cost: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(cost > 0, gain / np.where(cost > 0, cost, 1.0), np.where(gain > 0, math.inf, 0.0))


def _gain(current: float, after: np.ndarray) -> np.ndarray:
    if math.isinf(current):
        return np.where(np.isfinite(after), math.inf, 0.0)
    return current - after


def _run_periods(pb: _Problem, mask: np.ndarray, pick: Any, progress: Progress | None) -> _State:
    """Spend each period's budget (or what is left of the total) on ``pick``'s choices."""
    state = _State(pb)
    left = pb.total
    if progress:
        progress(0, pb.T)
    for t in range(pb.T):
        budget = pb.per_period if pb.per_period is not None else left
        while state.value > 0:
            els = np.flatnonzero(mask & _fits(pb.cost, budget))
            els = np.array([e for e in els if state.fresh(e, t)], np.int64)
            if not len(els):
                break
            e = pick(state, els, t)
            if e is None:
                break
            state.strike(e, t)
            budget -= pb.cost[e]
            if pb.total is not None:
                left -= pb.cost[e]
        if progress:
            progress(t + 1, pb.T)
    return state


def _greedy_pick(state: _State, els: np.ndarray, t: int) -> int | None:
    """Return the strike at ``t`` that cuts most per unit cost (ties by id), or None if none cuts."""
    pb = state.pb
    bounds = _ratio(state.carried(els, t) * (1 + 1e-12), pb.cost[els])
    ranked = sorted((-b, pb.order[e], e) for e, b in zip(els, bounds) if b > 0)
    best: tuple[float, int, int] | None = None  # (ratio, -order, element)
    start, size = 0, _CHUNK
    while start < len(ranked):  # chunks of 8, 16, 32 ...: the winner is usually among the first
        chunk = [e for nb, o, e in ranked[start:start + size] if best is None or (-nb, -o) > best[:2]]
        start, size = start + size, size * 2
        if not chunk:
            break
        ratios = _ratio(_gain(state.value, state.after(chunk, t)), pb.cost[chunk])
        for e, r in zip(chunk, ratios):
            if r > 0 and (best is None or (r, -pb.order[e]) > best[:2]):
                best = (float(r), -int(pb.order[e]), int(e))
    return None if best is None else best[2]


def _launch_pick(state: _State, els: np.ndarray, t: int) -> int:
    """Return the sink or launch node carrying most flow per unit cost (ties by id)."""
    pb = state.pb
    ratios = _ratio(state.carried(els, t), pb.cost[els])
    return int(min(zip(-ratios, pb.order[els], els))[2])


# --- optimal -----------------------------------------------------------------------------------

class _TooLarge(Exception):
    """The MILP would exceed :data:`MILP_MAX_NONZEROS`."""


@dataclass
class _Milp:
    model: Model
    pairs: np.ndarray  # (n_x, 2): element, period of each strike variable
    cost: np.ndarray
    rank: np.ndarray
    lead: np.ndarray
    span: float
    whole: bool


def _milp(pb: _Problem) -> _Milp:
    """Return Wood's model on the time-expanded network, every window's strikes substituted.

    Rows ``p_head - p_tail - beta_a - sum_{t in W(c(a))} x[e(a), t] <= 0`` for every arc
    (no ``beta`` on an unlimited arc, no ``x`` on an arc no candidate owns), with the
    budget rows; see docs/campaign.md for why only ``x`` need be integer.
    """
    te, T = pb.te, pb.T
    cand = np.flatnonzero(pb.candidate)
    local = np.full(te.n_elements, -1, np.int64)
    local[cand] = np.arange(len(cand))
    # x[e, t] exists when some copy in its window owns an arc.
    owned = np.concatenate([np.zeros((len(cand), 1), np.int64), np.cumsum(pb.owns[cand], axis=1)], axis=1)
    t_all = np.arange(T)
    stop = np.minimum(T, t_all[None, :] + pb.r[cand][:, None])
    useful = owned[np.arange(len(cand))[:, None], stop] - owned[:, :T] > 0
    xi, xt = np.nonzero(useful)
    xid = np.full((len(cand), T), -1, np.int64)
    xid[xi, xt] = np.arange(len(xi))
    verts, inv = np.unique(np.concatenate([te.tail, te.head]), return_inverse=True)
    na, nv = len(te.tail), len(verts)
    finite = np.isfinite(te.capacity)
    nb = int(finite.sum())
    x0 = nv + nb
    n_var = x0 + len(xi)
    rows = [np.arange(na), np.arange(na), np.flatnonzero(finite)]
    cols = [inv[na:], inv[:na], nv + np.arange(nb)]
    vals = [np.ones(na), -np.ones(na), -np.ones(nb)]
    own = te.owner
    arcs = np.flatnonzero((own >= 0) & (local[np.maximum(own, 0) // T] >= 0))
    el, tp = own[arcs] // T, own[arcs] % T
    span_r = np.minimum(pb.r[el], tp + 1)
    if int(span_r.sum()) + 3 * na > MILP_MAX_NONZEROS:
        raise _TooLarge(int(span_r.sum()) + 3 * na)
    a = np.repeat(arcs, span_r)
    k = np.arange(len(a)) - np.repeat(np.cumsum(span_r) - span_r, span_r)
    t = np.repeat(tp, span_r) - k
    ok = t >= 0
    a, t, e = a[ok], t[ok], np.repeat(local[el], span_r)[ok]
    x = xid[e, t]
    ok = x >= 0
    rows.append(a[ok])
    cols.append(x0 + x[ok])
    vals.append(-np.ones(int(ok.sum())))
    A = sp.csr_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(na, n_var))
    c = np.zeros(n_var)
    c[nv:x0] = te.capacity[finite]
    lb, ub = np.zeros(n_var), np.ones(n_var)
    ub[np.searchsorted(verts, te.source)] = 0.0
    lb[np.searchsorted(verts, te.sink)] = 1.0
    integrality = np.zeros(n_var)
    integrality[x0:] = 1
    model = Model(c, [A], [np.full(na, -np.inf)], [np.zeros(na)], lb, ub, integrality, x0, len(xi))
    elem = cand[xi]
    cost = pb.cost[elem]
    if pb.per_period is not None:
        for period in range(T):
            model.add(model.gamma_row(np.where(xt == period, cost, 0.0)), -np.inf, pb.per_period)
    else:
        model.add(model.gamma_row(cost), -np.inf, pb.total)
    kmax, most = _most(pb, cost, xt)
    lead = cost * (kmax + 1) + 1
    n_eligible = max(1.0, float(pb.eligible.sum()))
    rank = xt * n_eligible + pb.rank[elem]
    whole = _whole(te.capacity)
    return _Milp(model, np.column_stack([elem, xt]), cost, rank, lead, most * (kmax + 1) + kmax, whole)


def _most(pb: _Problem, cost: np.ndarray, period: np.ndarray) -> tuple[int, float]:
    """Return a bound on the strikes of any schedule within budget, and on its total cost."""
    def count(costs: np.ndarray, budget: float) -> int:
        paid = costs[costs > 0]
        k = int(np.sum(costs <= 0)) + (int(budget // paid.min()) if len(paid) else 0)
        return min(k, len(costs))

    if pb.per_period is not None:
        kmax = sum(count(cost[period == t], pb.per_period) for t in range(pb.T))
        return kmax, pb.per_period * pb.T
    return count(cost, pb.total), float(pb.total)  # type: ignore[arg-type]


def _whole(values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    return bool(np.all(finite == np.round(finite)))


def _optimal(pb: _Problem, time_limit: float | None,
             left: float | None) -> tuple[list[tuple[int, int]], bool, float | None, str | None]:
    """Return the optimal strikes, whether proven, the lower bound and a reason.

    ``left`` is what remains of ``time_limit`` (greedy ran first).
    """
    start = time.perf_counter()
    try:
        milp = _milp(pb)
    except _TooLarge as big:
        return [], False, None, (f"the MILP would have {big.args[0]:,} nonzeros, more than the "
                                 f"{MILP_MAX_NONZEROS:,} it may hold in memory (long horizons with long repairs); "
                                 "not solved")
    logger.info("campaign MILP: %d strike variables, %d rows, %d nonzeros (built in %.2f s)", milp.model.n_cand,
                milp.model.rows[0].shape[0], milp.model.rows[0].nnz, time.perf_counter() - start)
    left = None if left is None else max(0.01, left - (time.perf_counter() - start))

    def evaluate(chosen: tuple[int, ...]) -> float:
        return pb.value([tuple(milp.pairs[i]) for i in chosen])

    out = solve_canonical(milp.model, cost=milp.cost, rank=milp.rank, lead=milp.lead, span=milp.span,
                          whole=milp.whole, evaluate=evaluate, time_limit=left)
    logger.info("campaign MILP: %d solve(s) in %.2f s%s", out.solves, time.perf_counter() - start,
                "" if out.proven else " (time limit; not proven)")
    strikes = [(int(milp.pairs[i][0]), int(milp.pairs[i][1])) for i in out.selected]
    reason = None
    if out.unlimited:
        reason = ("no schedule within the budget makes the flow over time finite: a path of unlimited capacity "
                  "survives every one")
        return [], True, math.inf, reason
    if not out.proven:
        reason = (f"time limit ({time_limit:g} s) reached: the best schedule found, not proven optimal"
                  if strikes else f"time limit ({time_limit:g} s) reached before any schedule was found")
    elif not out.canonical:
        reason = "optimal, but the time limit stopped the search for the canonical schedule among equal optima"
    return strikes, out.proven, out.bound, reason


# --- public API --------------------------------------------------------------------------------

def campaign(
    G: nx.MultiDiGraph | Snapshot,
    sources: Any = None,
    sinks: Any = None,
    *,
    horizon_days: float,
    period_days: float = 1.0,
    budget_per_period: float | None = None,
    budget: float | None = None,
    targets: str = "both",
    methods: Sequence[str] = METHODS,
    time_limit: float | None = 60.0,
    default_repair_days: float | None = None,
    speeds: Mapping[str, float] | None = None,
    progress: Phases | Progress | None = None,
) -> Campaign:
    """Return the campaigns of ``methods`` over ``horizon_days``, side by side.

    Parameters
    ----------
    G : networkx.MultiDiGraph or Snapshot
        The network (graph contract); never changed.
    sources, sinks : None, str or iterable of str
        Defaults (``manufacturing`` / ``assembly`` nodes), a selector or node ids.
    horizon_days : float
        A whole number of periods.
    period_days : float
        Length of a period; capacities are read as units per period.
    budget_per_period, budget : float
        Exactly one: the most cost struck in each period, or in the whole campaign.
    targets : {"both", "nodes", "edges"}
    methods : sequence of {"optimal", "greedy", "launch-sites"}
    time_limit : float or None
        Seconds for ``optimal`` (its MILP and canonicalisation together).
    default_repair_days : float, optional
        Repair time of elements without ``repair_days`` (default: never repaired).
    speeds : mapping of str to float, optional
        km per day by mode, overriding :data:`supplynet.engine.timeexpand.SPEEDS`.
    progress : Phases or callable, optional
        Reports the greedy and launch-sites periods and the delivery curves.

    Returns
    -------
    Campaign

    Raises
    ------
    AnalysisError
        A horizon that is not a whole number of periods, both budgets or neither, a
        negative or NaN budget, an unknown method or targets, or a network too large for
        the horizon.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("s", type="manufacturing", capacity=10.0)
    >>> G.add_node("d", type="storage", storage=50.0)
    >>> G.add_node("t", type="assembly")
    >>> G.add_edge("s", "d", key="a", length=1, capacity=10.0, transit_days=0.0, repair_days=1.0)
    'a'
    >>> G.add_edge("d", "t", key="b", length=1, capacity=20.0, transit_days=1.0, repair_days=1.0)
    'b'
    >>> c = campaign(G, horizon_days=4, budget=1, targets="edges", methods=("optimal",))
    >>> c.delivered_without_strikes, c.per_period_without_strikes
    (30.0, (0.0, 10.0, 10.0, 10.0))
    >>> opt = c.schedules["optimal"]  # striking b in period 0 would deny nothing: d stores and catches up
    >>> opt.delivered, [(s.id, s.period, s.back_at_period) for s in opt.strikes], opt.proven
    (20.0, [('a', 0, 1)], True)
    """
    if targets not in TARGETS:
        raise AnalysisError(f"campaign targets must be one of {', '.join(TARGETS)}; got {targets!r}")
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        raise AnalysisError(f"campaign methods must be among {', '.join(METHODS)}; got {', '.join(map(str, methods))}")
    per_period, total = _budgets(budget_per_period, budget)
    if default_repair_days is not None and not (math.isfinite(default_repair_days) and default_repair_days >= 0):
        raise AnalysisError(f"default repair days must be a finite number >= 0; got {default_repair_days!r}")
    if time_limit is not None and not (time_limit > 0):
        raise AnalysisError(f"campaign time limit must be a positive number of seconds; got {time_limit!r}")
    snap = compile_network(G, sources, sinks)
    expand = phase(progress, "expanding over time")
    if expand:
        expand(0, 1)
    pb = _Problem(snap, horizon_days=float(horizon_days), period_days=float(period_days), per_period=per_period,
                  total=total, targets=targets, default_repair_days=default_repair_days, speeds=speeds)
    if expand:
        expand(1, 1)
    logger.info("campaign: %d periods, %d arcs over time (of %d before pruning), flow over time %g",
                pb.T, len(pb.te.tail), pb.te.arcs_before_pruning, pb.before)
    ordered = [m for m in METHODS if m in set(methods)]
    found: dict[str, tuple[list[tuple[int, int]], bool, float | None, str | None]] = {}
    trivial = _trivial(pb)
    started = time.perf_counter()  # the time limit covers greedy's run and the curves too
    base = pb.per_period_of([])
    curve_seconds = time.perf_counter() - started
    if "greedy" in ordered or "optimal" in ordered:
        state = _run_periods(pb, pb.candidate, _greedy_pick, phase(progress, "greedy campaign", "periods")) \
            if trivial is None else None
        logger.info("greedy campaign: %d strikes, %d what-ifs", 0 if state is None else len(state.strikes),
                    0 if state is None else state.what_ifs)
        found["greedy"] = ([], pb.before == 0, None, trivial) if state is None else \
            (state.strikes, state.value == 0, 0.0 if state.value == 0 else None, _stopped(pb, state))
    if "optimal" in ordered:
        # Keep back the time of the two delivery curves still to come (the MILP's schedule, and
        # greedy's when it is the best found).
        left = None if time_limit is None else time_limit - (time.perf_counter() - started) - 2 * curve_seconds
        found["optimal"] = ([], True, pb.before, trivial) if trivial is not None else _optimal(pb, time_limit, left)
    if "launch-sites" in ordered:
        reason = _launch_trivial(pb)
        state = None if reason else _run_periods(pb, pb.launch, _launch_pick,
                                                 phase(progress, "launch-sites campaign", "periods"))
        found["launch-sites"] = ([], pb.before == 0, None, reason) if state is None else \
            (state.strikes, state.value == 0, 0.0 if state.value == 0 else None, None)
    curves = phase(progress, "delivery per period", "schedules")
    schedules: dict[str, Schedule] = {}
    todo = [m for m in ordered]
    if curves:
        curves(0, len(todo) + 1)
    for k, m in enumerate(todo):
        schedules[m] = _schedule(pb, m, *found[m])
        if curves:
            curves(k + 1, len(todo) + 1)
    if "optimal" in schedules:
        schedules["optimal"] = _best_found(pb, schedules["optimal"], found.get("greedy"), time_limit)
        schedules = {m: _against(s, schedules["optimal"]) for m, s in schedules.items()}
    if curves:
        curves(len(todo) + 1, len(todo) + 1)
    fastest_days = tx.fastest_route(snap, pb.transit_days)
    fastest_periods = tx.fastest_route(snap, pb.tau.astype(float))
    return Campaign(
        horizon_days=float(horizon_days), period_days=float(period_days), periods=pb.T,
        budget_per_period=per_period, budget=total, targets=targets, sources=tuple(snap.source_ids),
        sinks=tuple(snap.sink_ids), delivered_without_strikes=pb.before, per_period_without_strikes=base,
        schedules=schedules, default_repair_days=default_repair_days, speeds=dict(pb.speeds),
        fastest_route_days=fastest_days, fastest_route_periods=fastest_periods, arcs=len(pb.te.tail),
        notes=tuple(_notes(pb, fastest_days, fastest_periods, schedules)),
        labels=_labels(pb, schedules),
    )


def _budgets(per_period: float | None, total: float | None) -> tuple[float | None, float | None]:
    if (per_period is None) == (total is None):
        raise AnalysisError("a campaign needs exactly one budget: budget per period or budget for the whole "
                            f"campaign; got {'both' if per_period is not None else 'neither'}")
    which, value = ("budget per period", per_period) if per_period is not None else ("budget", total)
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise AnalysisError(f"campaign {which} must be a finite number >= 0; got {value!r}")
    return (None if per_period is None else float(per_period)), (None if total is None else float(total))


def _trivial(pb: _Problem) -> str | None:
    """Return why no schedule can deny anything, or None."""
    if pb.before == 0:
        return "nothing reaches a sink by the horizon: there is no delivery to deny"
    if not pb.candidate.any():
        if not (pb.eligible & pb.owns.any(axis=1)).any():
            return "no interdictable element of the chosen targets lies on a route that delivers by the horizon"
        if not (pb.eligible & pb.owns.any(axis=1) & (pb.r >= 1)).any():
            return "every element that could be struck has repair_days 0: a strike removes nothing"
        return f"the budget ({pb.cap:g}) is below the cost of every element that could be struck"
    return None


def _launch_trivial(pb: _Problem) -> str | None:
    if pb.before == 0:
        return "nothing reaches a sink by the horizon: there is no delivery to deny"
    if not pb.launch.any():
        return ("no sink or launch node within the budget can be struck (targets, interdictable, cost or "
                "repair_days 0)")
    return None


def _stopped(pb: _Problem, state: _State) -> str | None:
    if state.value == 0:
        return None
    if not state.strikes:
        return "no strike within the budget reduces delivery by the horizon"
    return None


def _schedule(pb: _Problem, method: str, strikes: list[tuple[int, int]], proven: bool, bound: float | None,
              reason: str | None) -> Schedule:
    """Return the :class:`Schedule` of ``strikes``, its figures computed exactly."""
    strikes = sorted(strikes, key=lambda s: (s[1], pb.order[s[0]]))
    delivered = pb.value(strikes)
    items = tuple(Strike(pb.kinds[e], pb.ids[e], t, None if np.isnan(pb.back[e]) else int(t + pb.back[e]),
                         float(pb.cost[e])) for e, t in strikes)
    if method == "launch-sites" and items and delivered == pb.before and reason is None:
        reason = ("its strikes deny nothing by the horizon: what they hold up is stored and delivered later, or "
                  "they lie off every route that delivers")
    proven = proven or delivered == 0
    return Schedule(method, items, delivered, pb.per_period_of(strikes), float(sum(s.cost for s in items)),
                    proven, _gap(delivered, bound, proven), 0.0 if delivered == 0 else bound, reason)


def _gap(left: float, bound: float | None, proven: bool) -> float | None:
    if proven or left == 0:
        return 0.0
    if bound is None or not math.isfinite(left):
        return None
    return max(0.0, (left - bound) / left)


def _best_found(pb: _Problem, opt: Schedule, greedy: Any, time_limit: float | None) -> Schedule:
    """Return ``opt``, or greedy's schedule when the MILP stopped unproven with a worse one.

    HiGHS cannot be seeded through scipy, and on large campaigns its incumbent at the time
    limit can be far worse than greedy's (docs/benchmarks-campaign.md).
    """
    if opt.proven or greedy is None:
        return opt
    strikes = greedy[0]
    if not pb.value(strikes) < opt.delivered:
        return opt
    best = _schedule(pb, "optimal", strikes, False, opt.lower_bound, None)
    limit = f" ({time_limit:g} s)" if time_limit is not None else ""
    proven = "it delivers nothing, so it is optimal" if best.proven else "not proven optimal"
    why = opt.reason if opt.reason and opt.reason.startswith("the MILP would") else \
        f"time limit{limit} reached: the MILP's best schedule left more than greedy's"
    return replace(best, reason=f"{why}; greedy's schedule is given as the best found; {proven}")


def _against(s: Schedule, best: Schedule) -> Schedule:
    """Return ``s`` with optimality and gap judged against the optimal schedule."""
    bound = best.delivered if best.proven else best.lower_bound
    if s.method == "optimal" or s.proven or bound is None or not math.isfinite(s.delivered):
        return s
    if best.proven and s.delivered <= bound + 1e-9 * max(1.0, abs(bound)):
        return replace(s, proven=True, gap=0.0, lower_bound=bound)
    return replace(s, gap=max(0.0, (s.delivered - bound) / s.delivered), lower_bound=bound)


def _notes(pb: _Problem, fastest_days: float, fastest_periods: float, schedules: dict[str, Schedule]) -> list[str]:
    notes = [f"{m}: {s.reason}" for m, s in schedules.items() if s.reason]
    P = pb.P
    if math.isfinite(fastest_days) and fastest_periods * P - fastest_days > P + 1e-9:
        whole = max(1, math.ceil(fastest_days / P - 1e-9)) if fastest_days > 0 else 0
        msg = (f"transit times are rounded up to whole periods edge by edge: the fastest source-to-sink route "
               f"takes {fastest_days:.3g} days ({whole} period(s) of {P:g} day(s)), but {fastest_periods:g} periods "
               f"once each edge is rounded, so deliveries start later and the flow over time is understated; "
               + ("shorter periods (--period-days 1) round less" if P > 1 else
                  "every edge with a transit time takes at least one period"))
        logger.warning(msg)
        notes.append(msg)
    notes.append(f"capacities are read as units per period of {P:g} day(s), as the file gives them (not rescaled)")
    if "optimal" in schedules:
        notes.append("among equal optima the schedule of least cost, then fewest strikes, is reported; then the "
                     "earliest periods and ids first (see docs/campaign.md)")
    return notes


def _labels(pb: _Problem, schedules: dict[str, Schedule]) -> dict[tuple[str, str], str]:
    snap = pb.snap
    out: dict[tuple[str, str], str] = {}
    for s in schedules.values():
        for strike in s.strikes:
            key = (strike.kind, strike.id)
            if strike.kind == "node":
                out[key] = str(snap.node_name[snap.node_index[strike.id]] or strike.id)
            else:
                i = snap.edge_index[strike.id]
                u, v = snap.edge_tail[i], snap.edge_head[i]
                out[key] = f"{snap.node_name[u] or snap.nodes[u]} -> {snap.node_name[v] or snap.nodes[v]}"
    return out
