"""Interdiction plans under a budget: the set of strikes that cuts the most flow.

``optimal`` solves Wood's (1993) max-flow interdiction model with HiGHS
(:mod:`supplynet.analysis.milp`): the proven optimum, or the best plan and its gap when the time
limit stops it. ``greedy`` repeatedly removes the element with the largest flow loss per
unit cost that still fits (ties by id). ``centrality`` removes by supply betweenness,
highest first (ties by id), until the budget is spent. With ``objective="flow-days"``
each maximises the flow-days denied over a horizon instead. Candidates are the
interdictable nodes and/or edges on some source-to-sink path, sources and sinks
included. Results are deterministic: ties go to the smaller id and equal optima are
canonicalised. ``docs/plan.md`` gives the formulation and every rule precisely.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from supplynet._errors import AnalysisError
from supplynet._plain import plain
from supplynet._progress import Phases, Progress
from supplynet.analysis.milp import Problem, solve_interdiction
from supplynet.analysis.stochastic import EVALUATION_SAMPLES, PlanUncertainty, Sampling, SaaSolution, StochasticProblem
from supplynet.engine.snapshot import Snapshot

__all__ = [
    "METHODS",
    "TARGETS",
    "OBJECTIVES",
    "Plan",
    "Comparison",
    "plan_interdiction",
    "plan_curve",
    "compare_methods",
    "budget_steps",
]

logger = logging.getLogger(__name__)

#: Planning methods, in report order.
METHODS = ("optimal", "greedy", "centrality")
#: What may be interdicted.
TARGETS = ("nodes", "edges", "both")
#: What a plan minimises: max flow left, or flow-days delivered over a horizon.
OBJECTIVES = ("flow", "flow-days")

_EPS = 1e-9


@dataclass(frozen=True)
class Plan:
    """One interdiction plan and what it leaves.

    Attributes
    ----------
    method : str
        ``"optimal"``, ``"greedy"`` or ``"centrality"``.
    budget : float
    selected_nodes, selected_edges : tuple of str
        The ids chosen, each sorted.
    order : tuple of (kind, id)
        The elements in the order the method picked them (empty for ``optimal``).
    cost : float
        Total interdiction cost of the plan.
    max_flow_before, max_flow_after : float
        Max flow of the intact network and with the plan applied (``inf`` = unlimited).
    optimal : bool
        The plan is proven optimal for the objective.
    gap : float or None
        ``(left - bound) / left`` for the objective left, against the best proven bound;
        0 when optimal, None when no bound is known.
    lower_bound : float or None
        Proven lower bound on the objective left by any plan within the budget.
    steps : tuple of float
        Objective left after each pick of ``order``.
    targets, objective : str
    horizon : float or None
        Days, for ``objective="flow-days"``.
    flow_days_before, flow_days_denied : float or None
        Flow-days over the horizon with no strike, and those the plan denies.
    reason : str or None
        Why the plan is empty or stopped short of the budget.
    expected_flow_left, expected_flow_interval, p_any_flow_left : float, (float, float) or None
        Under uncertain intelligence (``samples``, docs/uncertainty.md): the expected max
        flow left, measured on a fresh sample, with its 95% interval (None when exact),
        and the probability that any flow still gets through. None otherwise.
    """

    method: str
    budget: float
    selected_nodes: tuple[str, ...]
    selected_edges: tuple[str, ...]
    order: tuple[tuple[str, str], ...]
    cost: float
    max_flow_before: float
    max_flow_after: float
    optimal: bool
    gap: float | None
    lower_bound: float | None = None
    steps: tuple[float, ...] = ()
    targets: str = "both"
    objective: str = "flow"
    horizon: float | None = None
    flow_days_before: float | None = None
    flow_days_denied: float | None = None
    reason: str | None = None
    expected_flow_left: float | None = None
    expected_flow_interval: tuple[float, float] | None = None
    p_any_flow_left: float | None = None

    @property
    def selected(self) -> tuple[str, ...]:
        """The ids of the plan: nodes then edges, each sorted."""
        return self.selected_nodes + self.selected_edges

    @property
    def left(self) -> float:
        """The objective left: max flow, or flow-days delivered over the horizon."""
        if self.objective == "flow":
            return self.max_flow_after
        return float(self.flow_days_before - self.flow_days_denied)  # type: ignore[operator]

    def to_dict(self) -> dict[str, Any]:
        """Return the plan as a JSON-ready dict (unlimited values are None)."""
        out = {
            "method": self.method, "budget": self.budget, "selected": list(self.selected),
            "selected_nodes": list(self.selected_nodes), "selected_edges": list(self.selected_edges),
            "order": [{"kind": k, "id": i, "left": s} for (k, i), s in zip(self.order, self.steps)],
            "cost": self.cost, "max_flow_before": self.max_flow_before,
            "max_flow_after": self.max_flow_after, "optimal": self.optimal, "gap": self.gap,
            "lower_bound": self.lower_bound, "reason": self.reason,
        }
        if self.objective == "flow-days":
            out.update(horizon=self.horizon, flow_days_before=self.flow_days_before,
                       flow_days_denied=self.flow_days_denied, flow_days_left=self.left)
        if self.expected_flow_left is not None:
            out.update(expected_flow_left=self.expected_flow_left, expected_flow_left_interval=self.expected_flow_interval,
                       p_any_flow_left=self.p_any_flow_left)
        return plain(out)


def _problem(G: nx.MultiDiGraph | Snapshot, sources: Any, sinks: Any, targets: str, objective: str,
             horizon: float | None) -> Problem:
    _check_choice(targets, TARGETS, "targets")
    _check_choice(objective, OBJECTIVES, "objective")
    return Problem(G, sources, sinks, targets=targets, objective=objective, horizon=horizon)


def _make_plan(ctx: Problem, method: str, budget: float, removed: Iterable[int], *,
               order: Sequence[int] = (), steps: Sequence[float] = (), optimal: bool = False,
               bound: float | None = None, reason: str | None = None) -> Plan:
    """Return the :class:`Plan` of a removal set, its figures computed exactly."""
    chosen = sorted(set(removed))
    after = ctx.flow(frozenset(chosen))
    left = ctx.left(frozenset(chosen))
    days = None if ctx.horizon is None else ctx.before * ctx.horizon
    return Plan(
        method=method, budget=float(budget),
        selected_nodes=tuple(sorted(ctx.ids[i] for i in chosen if ctx.is_node[i])),
        selected_edges=tuple(sorted(ctx.ids[i] for i in chosen if not ctx.is_node[i])),
        order=tuple((ctx.kinds[i], ctx.ids[i]) for i in order),
        cost=float(sum(ctx.cost[i] for i in chosen)), max_flow_before=ctx.before,
        max_flow_after=after, optimal=optimal or left == ctx.floor(),
        gap=_gap(left, bound, optimal or left == ctx.floor()),
        lower_bound=ctx.floor() if bound is None and left == ctx.floor() else bound,
        steps=tuple(float(s) for s in steps), targets=ctx.targets, objective=ctx.objective,
        horizon=ctx.horizon, flow_days_before=days,
        flow_days_denied=None if days is None else days - left, reason=reason,
    )


def _trivial(ctx: Problem, budget: float) -> str | None:
    """Return why no plan can help at this budget, or None."""
    if ctx.before == 0:
        return "no source reaches any sink: there is no flow to cut"
    if not ctx.ids:
        what = {"nodes": "nodes", "edges": "edges", "both": "nodes or edges"}[ctx.targets]
        stays = "; the flow stays unlimited" if math.isinf(ctx.before) else ""
        return f"no interdictable {what} lie on a path from a source to a sink{stays}"
    cheapest = int(np.argmin(ctx.cost))
    if not _fits(ctx.cost[cheapest], budget):
        return (f"the budget ({budget:g}) is below the cost of every candidate; the cheapest, "
                f"{ctx.kinds[cheapest]} {ctx.ids[cheapest]}, costs {ctx.cost[cheapest]:g}")
    return None


def _scores(ctx: Problem) -> np.ndarray:
    """Return the supply betweenness of every candidate (nodes and edges alike)."""
    if ctx.scores is None:
        from supplynet.analysis.centrality import edge_supply_betweenness, supply_betweenness

        # The problem's own snapshot: the node call computes the edge measure in the same pass.
        # Exact at any size: the plan ranks by it (sampling is the report's, past its limit).
        nodes, edges = supply_betweenness(ctx.snap, k="all"), edge_supply_betweenness(ctx.snap, k="all")
        ctx.scores = np.array([float((nodes if k == "node" else edges).get(i, 0.0))
                               for k, i in ctx.net.candidates], dtype=float)
    return ctx.scores


def _check_choice(value: str, choices: Sequence[str], what: str) -> None:
    if value not in choices:
        raise AnalysisError(f"{what} must be one of {', '.join(choices)}; got {value!r}")


def _fits(cost: float, budget: float) -> bool:
    return cost <= budget + _EPS * max(1.0, abs(budget))


def _gap(left: float, bound: float | None, optimal: bool) -> float | None:
    if optimal or left == 0:
        return 0.0
    if bound is None or not math.isfinite(left):
        return None
    return max(0.0, (left - bound) / left)


# --- the three methods -------------------------------------------------------------------

def _optimal(ctx: Problem, budget: float, time_limit: float | None) -> Plan:
    reason = _trivial(ctx, budget)
    if reason:
        return _make_plan(ctx, "optimal", budget, (), optimal=True, reason=reason)
    start = time.perf_counter()
    out = solve_interdiction(ctx.net, budget=budget, periods=ctx.periods, evaluate=ctx.milp_value,
                             time_limit=time_limit)
    logger.info("optimal plan for budget %g: %d MILP solve(s) in %.2f s%s", budget, out.solves,
                time.perf_counter() - start, "" if out.proven else " (time limit; not proven)")
    bound = out.bound
    if bound is not None and ctx.objective == "flow-days":
        bound += ctx.floor()  # the MILP counts only the restoration intervals
    if out.unlimited:
        reason = ("no plan within the budget makes the flow finite: every plan leaves a source-to-sink "
                  "path of unlimited capacity")
    elif not out.proven:
        reason = (f"time limit ({time_limit:g} s) reached: the best plan found, not proven optimal"
                  if out.selected else f"time limit ({time_limit:g} s) reached before any plan was found")
    elif not out.selected:
        reason = "no plan within the budget reduces the flow"
    elif not out.canonical:
        reason = "optimal, but the time limit stopped the search for the canonical plan among equal optima"
    return _make_plan(ctx, "optimal", budget, out.selected, optimal=out.proven, bound=bound, reason=reason)


def _gain(current: float, after: np.ndarray) -> np.ndarray:
    if math.isinf(current):
        return np.where(np.isfinite(after), math.inf, 0.0)
    return current - after


def _greedy(ctx: Problem, budget: float) -> Plan:
    reason = _trivial(ctx, budget)
    if reason:
        return _make_plan(ctx, "greedy", budget, (), reason=reason)
    removed: frozenset[int] = frozenset()
    order: list[int] = []
    steps: list[float] = []
    spent, current = 0.0, ctx.left(removed)
    while current > ctx.floor():
        step = _greedy_step(ctx, removed, spent, budget, current)
        if step is None:
            reason = _stopped(ctx, removed, budget - spent)
            break
        pick, current = step
        removed, spent = removed | {pick}, spent + ctx.cost[pick]
        order.append(pick)
        steps.append(current)
    return _make_plan(ctx, "greedy", budget, removed, order=order, steps=steps, reason=reason)


def _greedy_step(ctx: Problem, removed: frozenset[int], spent: float, budget: float,
                 current: float) -> tuple[int, float] | None:
    """Return the next pick and what it leaves, or None when nothing that fits cuts more.

    Candidates are tried in decreasing order of an upper bound on their ratio (the flow
    they carry now, per unit cost: removing an element loses at most that), a chunk at a
    time, until no bound left can beat, or tie with a smaller id, the best ratio found.
    """
    fits = [i for i in range(len(ctx.ids)) if i not in removed and _fits(spent + ctx.cost[i], budget)]
    bounds = _ratio(ctx.carried(removed, fits) * (1 + 1e-12), ctx.cost[fits])
    ranked = sorted((b, -i) for i, b in zip(fits, bounds) if b > 0)[::-1]  # bound down, id up
    best: tuple[float, int, float] | None = None  # (ratio, -id, left after)
    tried, start, size = 0, 0, _CHUNK
    while start < len(ranked):  # chunks of 8, 16, 32 ...: the winner is usually among the first
        chunk = [-j for b, j in ranked[start:start + size] if best is None or (b, j) > best[:2]]
        start, size = start + size, size * 2
        if not chunk:
            break
        after = ctx.flows_after(removed, chunk) if ctx.objective == "flow" else \
            ctx.lefts([removed | {i} for i in chunk])
        tried += len(chunk)
        ratios = _ratio(_gain(current, after), ctx.cost[chunk])
        for i, r, a in zip(chunk, ratios, after):
            if r > 0 and (best is None or (r, -i) > best[:2]):
                best = (float(r), -i, float(a))
    logger.debug("greedy step %d: %d of %d candidates tried", len(removed) + 1, tried, len(ranked))
    return None if best is None else (-best[1], best[2])


_CHUNK = 8


def _ratio(gain: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Return gain per unit cost; a free element that gains anything scores infinity."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(cost > 0, gain / np.where(cost > 0, cost, 1.0), np.where(gain > 0, math.inf, 0.0))


def _stopped(ctx: Problem, removed: frozenset[int], left: float) -> str | None:
    """Return why greedy stopped with budget left (None when it could buy nothing more)."""
    if not any(i not in removed and _fits(ctx.cost[i], left) for i in range(len(ctx.ids))):
        return None
    return f"stopped with {left:g} of the budget unspent: no candidate that fits cuts any further"


def _centrality(ctx: Problem, budget: float) -> Plan:
    reason = _trivial(ctx, budget)
    if reason:
        return _make_plan(ctx, "centrality", budget, (), reason=reason)
    scores = _scores(ctx)
    ranked = sorted((i for i in range(len(ctx.ids)) if scores[i] > 0), key=lambda i: (-scores[i], i))
    order: list[int] = []
    spent = 0.0
    for i in ranked:
        if _fits(spent + ctx.cost[i], budget):
            order.append(i)
            spent += ctx.cost[i]
    steps = [ctx.left(frozenset(order[:k + 1])) for k in range(len(order))]
    if not order:
        reason = "no candidate within the budget lies on a shortest source-to-sink route"
    return _make_plan(ctx, "centrality", budget, order, order=order, steps=steps, reason=reason)


def _run(ctx: Problem, method: str, budget: float, time_limit: float | None) -> Plan:
    _check_choice(method, METHODS, "method")
    if not (budget >= 0) or not math.isfinite(budget):
        raise AnalysisError(f"budget must be a finite number >= 0; got {budget!r}")
    if method == "optimal":
        return _optimal(ctx, budget, time_limit)
    return _greedy(ctx, budget) if method == "greedy" else _centrality(ctx, budget)


def _stochastic(ctx: Problem, budget: float, methods: Sequence[str], time_limit: float | None,
                sampling: Sampling) -> Comparison:
    """Return the stochastic plan beside the other methods' (``optimal`` is the deterministic
    optimum), every plan measured on one fresh sample (docs/uncertainty.md)."""
    if ctx.objective != "flow":
        raise AnalysisError("samples: plans under uncertainty minimise the expected max flow left; "
                            f"objective must be 'flow', not {ctx.objective!r}")
    sp = StochasticProblem(ctx.snap, ctx.net, targets=ctx.targets, p_success=sampling.p_success,
                           workers=sampling.workers, scheduler=sampling.scheduler, progress=sampling.progress)
    reason, solution = _trivial(ctx, budget), None
    if reason:
        plan = _make_plan(ctx, "stochastic", budget, (), optimal=True, reason=reason)
    else:
        solution = sp.solve(budget, samples=sampling.samples, seed=sampling.seed, method=sampling.method,
                            time_limit=time_limit)
        out = solution.outcome
        plan = replace(_make_plan(ctx, "stochastic", budget, out.selected), optimal=out.proven,
                       gap=_gap(solution.sample_mean, solution.bound, out.proven), lower_bound=solution.bound,
                       reason=_saa_reason(solution, time_limit))
    plans = {"stochastic": plan}
    for m in methods:
        plans["deterministic" if m == "optimal" else m] = replace(_run(ctx, m, budget, time_limit),
                                                                   method="deterministic" if m == "optimal" else m)
    before, estimates, differences, how = sp.evaluate(
        {name: _indices(ctx, p) for name, p in plans.items()}, samples=sampling.evaluation_samples,
        seed=sampling.seed, method=sampling.method, reference="stochastic")
    plans = {name: replace(p, expected_flow_left=estimates[name].expected_flow_left,
                           expected_flow_interval=estimates[name].interval,
                           p_any_flow_left=estimates[name].p_any_flow) for name, p in plans.items()}
    saa = {"method": None, "samples": sampling.samples, "seed": sampling.seed, "scenarios": 0, "blocks": 0,
           "variables": 0, "rows": 0, "sample_mean": None, "bound": None}
    if solution is not None:  # no timings here: equal inputs give equal outputs
        saa.update(method=solution.method, samples=None if solution.method == "exact" else solution.scenarios,
                   scenarios=solution.scenarios, blocks=solution.blocks, variables=solution.variables,
                   rows=solution.rows, sample_mean=solution.sample_mean, bound=solution.bound)
    uncertainty = PlanUncertainty(plan=saa, evaluation=how, uncertain=len(sp.els.uncertain),
                                  p_success=sampling.p_success, before=before, estimates=estimates,
                                  differences=differences)
    return Comparison(
        budget=budget, plans=plans, curve=None, curve_plans={}, sources=ctx.sources, sinks=ctx.sinks,
        targets=ctx.targets, objective="flow", horizon=None, labels=_labels(ctx),
        costs={c: float(x) for c, x in zip(ctx.net.candidates, ctx.cost)}, uncertainty=uncertainty,
    )


def _saa_reason(solution: SaaSolution, time_limit: float | None) -> str | None:
    """Return why the stochastic plan is what it is, when that needs saying."""
    out = solution.outcome
    if out.unlimited:
        return ("no plan within the budget makes the expected flow finite: some scenario keeps a "
                "source-to-sink path of unlimited capacity")
    if not out.proven:
        limit = "" if time_limit is None else f" ({time_limit:g} s)"
        return f"time limit{limit} reached: the best plan found for the sample, not proven optimal"
    if not out.selected:
        return "no plan within the budget lowers the expected flow"
    if not out.canonical:
        return "optimal, but the time limit stopped the search for the canonical plan among equal optima"
    return None


# --- public API --------------------------------------------------------------------------

def plan_interdiction(
    G: nx.MultiDiGraph | Snapshot,
    sources: Any = None,
    sinks: Any = None,
    *,
    budget: float,
    method: str = "optimal",
    targets: str = "both",
    time_limit: float | None = None,
    objective: str = "flow",
    horizon: float | None = None,
    samples: int | None = None,
    seed: int = 0,
    p_success: float = 1.0,
    evaluation_samples: int = EVALUATION_SAMPLES,
    workers: int | None = None,
    scheduler: str | None = None,
) -> Plan:
    """Return the interdiction plan of one method for a budget.

    Parameters
    ----------
    G : networkx.MultiDiGraph or Snapshot
        The network (graph contract); never changed.
    sources, sinks : None, str or iterable of str
        Defaults (``manufacturing`` / ``assembly`` nodes), a selector or node ids.
    budget : float
        Most total ``cost`` the plan may spend.
    method : {"optimal", "greedy", "centrality"}
    targets : {"both", "nodes", "edges"}
        What may be interdicted (only elements with ``interdictable`` true).
    time_limit : float, optional
        Seconds for the MILP (``optimal``); the best plan found and its gap on expiry.
    objective : {"flow", "flow-days"}
        Minimise the max flow left, or maximise flow-days denied over ``horizon``.
    horizon : float, optional
        Days; required for ``"flow-days"``.
    samples : int, optional
        Plan under uncertain intelligence (``confidence``, ``p_success``): the plan of
        least *expected* max flow left, by one sample-average MILP over this many
        scenarios (every outcome instead when they are fewer), measured on a fresh sample
        of ``evaluation_samples`` (docs/uncertainty.md). ``method`` must be ``optimal``;
        the plan's method reads ``stochastic``.
    seed, p_success, evaluation_samples, workers, scheduler
        With ``samples``: the seed of both samples; strike success where an element has
        none; the size of the fresh sample; threads, or a Dask scheduler's address.

    Returns
    -------
    Plan

    Raises
    ------
    AnalysisError
        Unknown method, targets or objective, a negative budget, or flow-days without a
        horizon or with an unlimited flow.
    SelectorError
        Bad sources or sinks.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("s", type="manufacturing"); G.add_node("t", type="assembly")
    >>> for n in "bcd": G.add_node(n, type="storage", interdictable=False)
    >>> for u, v, c in [("s", "b", 10), ("s", "c", 70), ("c", "b", 30), ("b", "t", 100),
    ...                 ("c", "d", 40), ("d", "t", 50)]:
    ...     _ = G.add_edge(u, v, key=u + v, capacity=float(c), length=1)
    >>> plan = plan_interdiction(G, "id=s", "id=t", budget=1, targets="edges")
    >>> plan.selected, plan.max_flow_before, plan.max_flow_after, plan.optimal
    (('sc',), 80.0, 10.0, True)
    """
    _check_budget(float(budget), time_limit)
    ctx = _problem(G, sources, sinks, targets, objective, horizon)
    if samples is not None:
        if method != "optimal":
            raise AnalysisError(f"samples: the stochastic plan is the optimal one (method 'optimal'); got {method!r}")
        sampling = Sampling(samples, seed, p_success, evaluation_samples, workers=workers, scheduler=scheduler)
        return _stochastic(ctx, float(budget), (), time_limit, sampling).plans["stochastic"]
    return _run(ctx, method, float(budget), time_limit)


#: Most points of a curve: past this many whole budgets the curve takes a coarser step.
MAX_CURVE_STEPS = 100


def budget_steps(budget: float, *, most: float | None = None) -> list[float]:
    """Return the budgets of a curve: every whole number from 0 to ``budget``, and ``budget``.

    ``most`` is the most any plan can spend (the total cost of every candidate): past it
    more budget changes nothing, so the curve stops there, then gives ``budget`` itself.
    Where that still leaves more than :data:`MAX_CURVE_STEPS` whole budgets, the curve
    steps by the smallest whole number that keeps it within that many points.

    Examples
    --------
    >>> budget_steps(3), budget_steps(2.5), budget_steps(1e6, most=4)
    ([0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 2.5], [0.0, 1.0, 2.0, 3.0, 4.0, 1000000.0])
    >>> len(budget_steps(1000.0)), budget_steps(1000.0)[:3]
    (101, [0.0, 10.0, 20.0])
    """
    top = budget if most is None else min(budget, most)
    whole = int(math.floor(top))
    step = max(1, math.ceil(whole / MAX_CURVE_STEPS))
    steps = [float(b) for b in range(0, whole + 1, step)]
    if steps[-1] != top:
        steps.append(float(top))
    return steps if steps[-1] == budget else steps + [float(budget)]


def _check_budget(budget: float, time_limit: float | None) -> None:
    """Raise AnalysisError for a budget or time limit no plan can use (NaN, infinite, negative)."""
    if not (isinstance(budget, (int, float)) and math.isfinite(budget) and budget >= 0):
        raise AnalysisError(f"budget must be a finite number >= 0; got {budget!r}")
    if time_limit is not None and not (math.isfinite(time_limit) and time_limit > 0):
        raise AnalysisError(f"time_limit must be a finite number of seconds above 0; got {time_limit!r}")


@dataclass(frozen=True)
class Comparison:
    """Plans of several methods for one budget, and optionally their curves.

    Attributes
    ----------
    budget : float
    plans : dict of str to Plan
        The plan of each method at ``budget``.
    curve : pandas.DataFrame or None
        Objective left (max flow, or flow-days delivered) by budget step (index
        ``budget``), one column per method.
    curve_plans : dict of str to tuple of Plan
        The plan behind every point of the curve.
    sources, sinks : tuple of str
    targets, objective : str
    horizon : float or None
    labels : dict of (kind, id) to str
        A readable name for every candidate.
    costs : dict of (kind, id) to float
        The interdiction cost of every candidate.
    uncertainty : PlanUncertainty or None
        Under uncertain intelligence: how the plans were chosen and measured, what no
        strike leaves, and each plan's paired difference from the stochastic one. Then
        ``plans`` holds ``stochastic``, ``deterministic`` (the optimal plan of the network
        as given) and any heuristic asked for, each with its ``expected_flow_left``.
    """

    budget: float
    plans: dict[str, Plan]
    curve: pd.DataFrame | None
    curve_plans: dict[str, tuple[Plan, ...]]
    sources: tuple[str, ...]
    sinks: tuple[str, ...]
    targets: str
    objective: str
    horizon: float | None
    labels: dict[tuple[str, str], str] = field(default_factory=dict)
    costs: dict[tuple[str, str], float] = field(default_factory=dict)
    uncertainty: PlanUncertainty | None = None

    def shortfall(self, method: str) -> float | None:
        """Return how much more objective ``method`` leaves than ``optimal`` (None if unknown).

        Under uncertainty: how much more expected max flow than the stochastic plan.
        """
        if self.uncertainty is not None:
            if method not in self.plans:
                return None
            a, b = self.plans[method].expected_flow_left, self.plans["stochastic"].expected_flow_left
            return None if not (math.isfinite(a) and math.isfinite(b)) else a - b  # type: ignore[arg-type]
        if "optimal" not in self.plans or method not in self.plans:
            return None
        a, b = self.plans[method].left, self.plans["optimal"].left
        return None if not (math.isfinite(a) and math.isfinite(b)) else a - b

    def to_dict(self) -> dict[str, Any]:
        """Return the comparison as a JSON-ready dict (unlimited values are None)."""
        methods = {}
        for name, plan in self.plans.items():
            methods[name] = dict(plan.to_dict(), shortfall=plain(self.shortfall(name)))
        curve = None
        if self.curve is not None:
            curve = [dict(budget=b, **{m: self.curve.at[b, m] for m in self.curve.columns},
                          selected={m: list(p[k].selected) for m, p in self.curve_plans.items()})
                     for k, b in enumerate(self.curve.index)]
        first = next(iter(self.plans.values()))
        extra = {} if self.uncertainty is None else {"uncertainty": self.uncertainty.to_dict()}
        return plain({
            "budget": self.budget, "targets": self.targets, "objective": self.objective,
            "horizon": self.horizon, "sources": list(self.sources), "sinks": list(self.sinks),
            "max_flow_before": first.max_flow_before, "flow_days_before": first.flow_days_before,
            "methods": methods, "curve": curve, **extra,
        })


def _labels(ctx: Problem) -> dict[tuple[str, str], str]:
    """Return a readable name for every candidate: a node's name, an edge's ``from -> to``."""
    snap = ctx.snap
    out = {}
    for kind, ident in ctx.net.candidates:
        if kind == "node":
            out[(kind, ident)] = str(snap.node_name[snap.node_index[ident]] or ident)
        else:
            i = snap.edge_index[ident]
            u, v = snap.edge_tail[i], snap.edge_head[i]
            out[(kind, ident)] = f"{snap.node_name[u] or snap.nodes[u]} -> {snap.node_name[v] or snap.nodes[v]}"
    return out


def compare_methods(
    G: nx.MultiDiGraph | Snapshot,
    sources: Any = None,
    sinks: Any = None,
    *,
    budget: float,
    methods: Sequence[str] = METHODS,
    targets: str = "both",
    time_limit: float | None = None,
    objective: str = "flow",
    horizon: float | None = None,
    curve: bool = True,
    samples: int | None = None,
    seed: int = 0,
    p_success: float = 1.0,
    evaluation_samples: int = EVALUATION_SAMPLES,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Phases | Progress | None = None,
) -> Comparison:
    """Return the plans of several methods side by side, with their curves.

    Takes the arguments of :func:`plan_interdiction`; ``methods`` lists the methods to run
    and ``curve`` asks for every budget step of :func:`budget_steps` (the MILP is solved
    once per step; ``time_limit`` applies to each step). When ``optimal`` is proven, a
    heuristic plan leaving as little is marked optimal too, and its gap is measured
    against the optimum. With ``samples`` (see :func:`plan_interdiction`), ``optimal``
    gives the stochastic plan and the deterministic optimum beside it, every plan is
    measured on one fresh sample, and there is no curve; ``progress`` reports the
    scenario phases.

    Examples
    --------
    >>> G = nx.MultiDiGraph([("s", "m", "a", {"capacity": 5.0, "length": 1}),
    ...                      ("m", "t", "b", {"capacity": 3.0, "length": 1})])
    >>> G.add_nodes_from([("s", {"type": "manufacturing"}), ("t", {"type": "assembly"})])
    >>> comp = compare_methods(G, budget=1, targets="edges", methods=("optimal", "greedy"))
    >>> comp.curve.to_dict(orient="list"), comp.plans["optimal"].selected
    ({'optimal': [3.0, 0.0], 'greedy': [3.0, 0.0]}, ('a',))
    """
    _check_budget(float(budget), time_limit)
    ctx = _problem(G, sources, sinks, targets, objective, horizon)
    methods = [m for m in METHODS if m in set(methods)] or list(methods)
    for m in methods:
        _check_choice(m, METHODS, "method")
    if samples is not None:
        sampling = Sampling(samples, seed, p_success, evaluation_samples, workers=workers, scheduler=scheduler,
                            progress=progress)
        return _stochastic(ctx, float(budget), methods, time_limit, sampling)
    steps = budget_steps(float(budget), most=float(np.sum(ctx.cost))) if curve else [float(budget)]
    runs: dict[str, list[Plan]] = {}
    for m in methods:
        runs[m] = _sweep(ctx, m, steps, time_limit)
    if "optimal" in runs and "greedy" in runs:
        runs["optimal"] = [_best_found(ctx, o, g, time_limit) for o, g in zip(runs["optimal"], runs["greedy"])]
    if "optimal" in runs:
        runs = {m: [_against(p, o) for p, o in zip(ps, runs["optimal"])] for m, ps in runs.items()}
    frame = None
    if curve:
        frame = pd.DataFrame({m: [p.left for p in ps] for m, ps in runs.items()},
                             index=pd.Index(steps, name="budget"))
    return Comparison(
        budget=float(budget), plans={m: ps[-1] for m, ps in runs.items()}, curve=frame,
        curve_plans={m: tuple(ps) for m, ps in runs.items()} if curve else {},
        sources=ctx.sources, sinks=ctx.sinks, targets=targets, objective=objective,
        horizon=ctx.horizon, labels=_labels(ctx),
        costs={c: float(x) for c, x in zip(ctx.net.candidates, ctx.cost)},
    )


def _sweep(ctx: Problem, method: str, steps: list[float], time_limit: float | None) -> list[Plan]:
    out: list[Plan] = []
    for b in steps:
        prev = out[-1] if out else None
        if method == "optimal" and prev is not None and prev.optimal and prev.left == ctx.floor():
            # Nothing can leave less; the canonical plan (least cost first) stays the same.
            out.append(_make_plan(ctx, "optimal", b, _indices(ctx, prev), optimal=True, reason=prev.reason))
            continue
        out.append(_run(ctx, method, b, time_limit))
    return out


def _best_found(ctx: Problem, opt: Plan, greedy: Plan, time_limit: float | None) -> Plan:
    """Return ``opt``, or greedy's plan when the MILP stopped unproven with a worse one.

    HiGHS cannot be seeded with a starting plan through scipy, so on networks too large to
    prove within the time limit its incumbent can be far worse than greedy's (measured in
    docs/benchmarks-plan.md). The better plan is the best found; the MILP's bound still
    measures the gap.
    """
    if opt.optimal or not greedy.left < opt.left:
        return opt
    limit = f" ({time_limit:g} s)" if time_limit is not None else ""
    plan = _make_plan(ctx, "optimal", greedy.budget, _indices(ctx, greedy), bound=opt.lower_bound)
    proven = "it leaves nothing, so it is optimal" if plan.optimal else "not proven optimal"
    reason = (f"time limit{limit} reached: the MILP's best plan left more than greedy's, so greedy's "
              f"plan is given as the best found; {proven}")
    return replace(plan, reason=reason)


def _indices(ctx: Problem, plan: Plan) -> list[int]:
    where = {c: i for i, c in enumerate(ctx.net.candidates)}
    return [where[c] for c in [("node", n) for n in plan.selected_nodes] + [("edge", e) for e in plan.selected_edges]]


def _against(plan: Plan, best: Plan) -> Plan:
    """Return ``plan`` with optimality and gap judged against the optimal plan."""
    bound = best.left if best.optimal else best.lower_bound
    if plan.method == "optimal" or plan.optimal or bound is None or not math.isfinite(plan.left):
        return plan
    if best.optimal and plan.left <= bound + 1e-9 * max(1.0, abs(bound)):
        return replace(plan, optimal=True, gap=0.0, lower_bound=bound)
    return replace(plan, gap=max(0.0, (plan.left - bound) / plan.left), lower_bound=bound)


def plan_curve(
    G: nx.MultiDiGraph | Snapshot,
    sources: Any = None,
    sinks: Any = None,
    *,
    budget: float,
    methods: Sequence[str] = METHODS,
    targets: str = "both",
    time_limit: float | None = None,
    objective: str = "flow",
    horizon: float | None = None,
) -> pd.DataFrame:
    """Return the objective left by each method at every budget step from 0 to ``budget``.

    Index ``budget`` (see :func:`budget_steps`), one column per method; values are the
    max flow left (``inf`` = unlimited), or flow-days delivered for ``"flow-days"``.

    Examples
    --------
    >>> G = nx.MultiDiGraph([("s", "m", "a", {"capacity": 5.0, "length": 1}),
    ...                      ("m", "t", "b", {"capacity": 3.0, "length": 1})])
    >>> G.add_nodes_from([("s", {"type": "manufacturing"}), ("t", {"type": "assembly"})])
    >>> plan_curve(G, budget=1, methods=["optimal"], targets="edges")["optimal"].tolist()
    [3.0, 0.0]
    """
    return compare_methods(G, sources, sinks, budget=budget, methods=methods, targets=targets,
                           time_limit=time_limit, objective=objective, horizon=horizon).curve
