"""The stochastic interdiction plan: least *expected* max flow left under uncertain intelligence.

Cormican, Morton and Wood (1998) by sample-average approximation, in Wood's cut
formulation (:mod:`supplynet.analysis.milp`): one copy of the cut model per scenario,
all sharing the strike variables ``gamma``, solved as one MILP by HiGHS::

    minimise   sum_s w_s sum_{a in A_s, u_a finite} u_a beta_{a,s}
    subject to p_{head(a),s} - p_{tail(a),s} - beta_{a,s} - Z_{s,e(a)} gamma_{e(a)} <= 0   s, a in A_s
               sum_e c_e gamma_e <= B;  p = 0 at source inputs, 1 at sink outputs;  0 <= p, beta <= 1

Scenario ``s`` (weight ``w_s``: 1 per sampled scenario, or its probability when every
outcome is enumerated) keeps the arcs ``A_s`` of the elements that exist in it, and
``Z_{s,e}`` says whether a strike on ``e`` would work there. Both are data drawn before
solving, so the product ``Z gamma`` is linear: ``gamma_e`` simply leaves the rows of a
scenario where its strike fails. For a fixed ``gamma`` the program splits into one
min-cut LP per scenario, each with an integral optimum, so the MILP minimises
``sum_s w_s F_s(gamma)`` exactly. Each copy keeps only the arcs on a source-to-sink path
of its own scenario, and equal copies are merged (their weights added): on the corridor
that takes 200 scenarios from about 30,000 variables to under 2,000.

The sample objective is optimistic (the plan was chosen on that very sample), so a plan's
``expected_flow_left`` is measured afresh on an independent sample (other random streams,
common to every plan compared), or exactly when few outcomes exist; see
docs/uncertainty.md.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from supplynet._errors import AnalysisError
from supplynet._progress import Phases, Progress, phase
from supplynet.analysis.milp import MilpOutcome, Period, SplitNetwork, solve_interdiction, split_network
from supplynet.analysis.estimates import mean_interval, wilson
from supplynet.analysis.uncertainty import MAX_SAMPLES, check_samples, check_seed, scenario_set, uncertain_elements
from supplynet.engine import reach
from supplynet.engine.draws import ScenarioSet
from supplynet.engine.runners import check_workers, run_plans, run_scenarios
from supplynet.engine.snapshot import Snapshot

__all__ = ["MAX_PLAN_SAMPLES", "EVALUATION_SAMPLES", "Sampling", "SaaSolution", "PlanEstimate", "PlanUncertainty",
           "StochasticProblem"]

logger = logging.getLogger(__name__)

#: Most scenarios a sample-average MILP may hold (its size grows with each one).
MAX_PLAN_SAMPLES = 10_000
#: Scenarios of the fresh sample every plan is measured on, by default.
EVALUATION_SAMPLES = 10_000
#: Random stream of the fresh sample: independent of the plan's own (stream 0).
EVALUATION_STREAM = 1


@dataclass(frozen=True)
class Sampling:
    """How a plan under uncertainty is chosen and measured.

    Attributes
    ----------
    samples : int
        Scenarios of the sample-average MILP (every outcome instead, when fewer).
    seed : int
        Seed of both samples (the fresh one uses other random streams).
    p_success : float
        Strike success where an element has none.
    evaluation_samples : int
        Scenarios of the fresh sample every plan is measured on.
    method : {"auto", "exact", "monte-carlo"}
    workers, scheduler, progress
        Where the scenarios run (:func:`supplynet.engine.runners.run_scenarios`).
    """

    samples: int
    seed: int = 0
    p_success: float = 1.0
    evaluation_samples: int = EVALUATION_SAMPLES
    method: str = "auto"
    workers: int | None = None
    scheduler: str | None = None
    progress: Phases | Progress | None = None

    def __post_init__(self) -> None:
        check_samples(self.samples, MAX_PLAN_SAMPLES, "samples")
        check_samples(self.evaluation_samples, MAX_SAMPLES, "evaluation samples")
        check_seed(self.seed)
        check_workers(self.workers)


@dataclass(frozen=True)
class SaaSolution:
    """The sample-average MILP's answer and what it took.

    Attributes
    ----------
    outcome : MilpOutcome
        Candidate indices of the plan, proof and bound, as for the deterministic MILP.
    sample_mean : float
        The plan's mean max flow left over the sample (what the MILP minimised, per
        scenario): optimistic, never the expected flow left.
    bound : float or None
        Proven lower bound on the sample mean of any plan (None when unknown).
    method : str
        ``"exact"`` (every outcome, weighted) or ``"monte-carlo"``.
    scenarios, blocks, variables, rows : int
        Scenarios, distinct copies of the cut model after pruning and merging, MILP size.
    seconds : float
    """

    outcome: MilpOutcome
    sample_mean: float
    bound: float | None
    method: str
    scenarios: int
    blocks: int
    variables: int
    rows: int
    seconds: float


@dataclass(frozen=True)
class PlanEstimate:
    """What one plan leaves under uncertainty: expected max flow and chance of any flow.

    Intervals are 95% and None when the figures are exact.
    """

    expected_flow_left: float
    interval: tuple[float, float] | None
    p_any_flow: float
    p_any_flow_interval: tuple[float, float] | None


@dataclass(frozen=True)
class PlanUncertainty:
    """How plans were chosen and measured under uncertainty.

    Attributes
    ----------
    plan : dict
        The sample-average MILP: ``method``, ``samples``, ``seed``, ``scenarios``,
        ``blocks``, ``variables``, ``rows``, ``sample_mean`` and ``bound``.
    evaluation : dict
        The fresh sample every plan was measured on: ``method``, ``samples``, ``seed``,
        ``stream``, ``scenarios``.
    uncertain : int
        Uncertain elements that can change a flow.
    p_success : float
        Strike success where an element has none.
    before : PlanEstimate
        No strike at all, on the same fresh sample.
    estimates : dict of str to PlanEstimate
        Each plan, by method.
    differences : dict of str to (float, interval)
        Each plan's expected flow left minus the stochastic plan's, scenario by scenario
        (paired, so far tighter than the difference of the two intervals).
    """

    plan: dict[str, Any]
    evaluation: dict[str, Any]
    uncertain: int
    p_success: float
    before: PlanEstimate
    estimates: dict[str, PlanEstimate] = field(default_factory=dict)
    differences: dict[str, tuple[float, tuple[float, float] | None]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return plain values (JSON-ready but unrounded)."""
        return {
            "plan": dict(self.plan), "evaluation": dict(self.evaluation), "uncertain_elements": self.uncertain,
            "p_success": self.p_success, "expected_flow_before": self.before.expected_flow_left,
            "expected_flow_before_interval": self.before.interval, "p_any_flow_before": self.before.p_any_flow,
            "p_any_flow_before_interval": self.before.p_any_flow_interval,
            "differences": {k: {"expected_flow_left": m, "interval": iv} for k, (m, iv) in self.differences.items()},
        }


class StochasticProblem:
    """One network and its candidates, ready for sample-average plans and their measurement.

    Parameters
    ----------
    snap : Snapshot
        The network with its sources and sinks.
    net : SplitNetwork
        The deterministic model's split network: its candidates, in its order, are the
        candidates here too.
    targets : {"nodes", "edges", "both"}
    p_success : float
        Strike success where an element has none.
    workers, scheduler, progress
        As for :func:`supplynet.engine.runners.run_scenarios`.

    Examples
    --------
    The classic lesson: a certain arc ``a`` (8) beside two doubtful arcs in series (20 each,
    confidence 0.5); one strike. Every outcome is used (4 of them), and ``a`` is struck:

    >>> import networkx as nx
    >>> from supplynet.analysis.milp import Problem
    >>> G = nx.MultiDiGraph()
    >>> for v, t in (("s", "manufacturing"), ("m", "storage"), ("t", "assembly")):
    ...     G.add_node(v, type=t, interdictable=False)
    >>> _ = G.add_edge("s", "t", key="a", length=1, capacity=8.0)
    >>> _ = G.add_edge("s", "m", key="b1", length=1, capacity=20.0, confidence=0.5)
    >>> _ = G.add_edge("m", "t", key="b2", length=1, capacity=20.0, confidence=0.5)
    >>> ctx = Problem(G, None, None, targets="edges", objective="flow", horizon=None)
    >>> sol = StochasticProblem(ctx.snap, ctx.net, targets="edges").solve(1, samples=100, seed=0)
    >>> [ctx.ids[i] for i in sol.outcome.selected], sol.method, sol.scenarios, sol.sample_mean
    (['a'], 'exact', 4, 5.0)
    """

    def __init__(self, snap: Snapshot, net: SplitNetwork, *, targets: str, p_success: float = 1.0,
                 workers: int | None = None, scheduler: str | None = None,
                 progress: Phases | Progress | None = None) -> None:
        self.els = uncertain_elements(snap, p_success=p_success)
        self.p_success = float(p_success)
        self.workers, self.scheduler, self.progress = check_workers(workers), scheduler, progress
        self.kernel, self.q = self.els.net()
        n = len(snap.nodes)
        self.split = split_network(snap, targets=targets, split=self.els.q[:n] < 1)
        if self.split.candidates != net.candidates:
            raise AnalysisError("internal: the stochastic model's candidates differ from the deterministic ones")
        self.cand_el = np.array([self.els.index(kind, ident) for kind, ident in net.candidates], np.int64)

    def _struck(self, plan: Sequence[int]) -> np.ndarray:
        mask = np.zeros(len(self.els.ids), bool)
        mask[self.cand_el[list(plan)]] = True
        return mask

    def values(self, scen: ScenarioSet, plan: Sequence[int], what: str = "plan") -> np.ndarray:
        """Return the max flow left by a plan (candidate indices) in each scenario of ``scen``."""
        totals = run_scenarios(self.kernel, scen, struck=self._struck(plan), cuts=False, workers=self.workers,
                               scheduler=self.scheduler, progress=phase(self.progress, what, "scenarios"))
        return totals.values

    def blocks(self, scen: ScenarioSet) -> list[Period]:
        """Return one copy of the cut model per distinct scenario: its arcs on a source-to-sink path, merged."""
        net = self.split
        out = scen.outcomes(0, scen.count)
        merged: dict[tuple[bytes, bytes], list[Any]] = {}
        for s in range(scen.count):
            arcs = np.flatnonzero(out.exists[s, net.owner])
            ahead, behind = reach.reached_both_ways(net.n_vertices, net.tail[arcs], net.head[arcs], net.zero, net.one)
            kept = arcs[ahead[net.tail[arcs]] & behind[net.head[arcs]]]
            if not len(kept):
                continue  # nothing gets through: this scenario adds nothing to any plan
            present = np.zeros(len(net.tail), bool)
            present[kept] = True
            touched = np.zeros(len(self.cand_el), bool)
            touched[net.element[kept][net.element[kept] >= 0]] = True
            available = out.success[s, self.cand_el] & touched
            key = (present.tobytes(), available.tobytes())
            if key in merged:
                merged[key][0] += out.weight[s]
            else:
                merged[key] = [out.weight[s], available, present]
        return [Period(float(w), avail, present) for w, avail, present in merged.values()]

    def scenarios(self, *, samples: int, seed: int, method: str = "auto", stream: int = 0,
                  strikes: np.ndarray | None = None, limit: float | None = None) -> ScenarioSet:
        """Return the scenario set: every outcome when they number at most ``limit``, else sampled."""
        return scenario_set(self.els, self.q, samples=samples, seed=seed, method=method, split=strikes,
                            stream=stream, limit=limit)

    def solve(self, budget: float, *, samples: int, seed: int, method: str = "auto",
              time_limit: float | None = None) -> SaaSolution:
        """Return the plan of least mean max flow left over the scenarios, by one MILP.

        Every outcome (of existence, and of every candidate's strike) is used instead of
        a sample when they number at most ``samples``: never dearer than sampling.
        """
        samples = check_samples(samples, MAX_PLAN_SAMPLES, "samples")
        seed = check_seed(seed)
        start = time.perf_counter()
        scen = self.scenarios(samples=samples, seed=seed, method=method, strikes=self.cand_el, limit=samples)
        periods = self.blocks(scen)
        total = float(scen.weights(0, scen.count).sum())
        if not periods:  # no scenario carries any flow: every plan leaves nothing
            outcome = MilpOutcome((), True, 0.0, False, True, 0)
            return SaaSolution(outcome, 0.0, 0.0, "exact" if scen.exact else "monte-carlo", scen.count, 0, 0, 0,
                               time.perf_counter() - start)
        memo: dict[tuple[int, ...], float] = {}

        def evaluate(plan: tuple[int, ...]) -> float:
            if plan not in memo:
                values = self.values(scen, plan, "sample-average check")
                memo[plan] = float(np.dot(values, scen.weights(0, scen.count)))
            return memo[plan]

        outcome = solve_interdiction(self.split, budget=budget, periods=periods, evaluate=evaluate,
                                     time_limit=time_limit)
        seconds = time.perf_counter() - start
        variables = sum(len(np.unique(np.concatenate([self.split.tail[p.present], self.split.head[p.present]])))
                        + int(np.isfinite(self.split.capacity[p.present]).sum()) for p in periods)
        rows = sum(int(p.present.sum()) for p in periods)
        mean = math.inf if outcome.unlimited else evaluate(outcome.selected) / total
        bound = None if outcome.bound is None or not math.isfinite(outcome.bound) else outcome.bound / total
        logger.info("sample-average plan: %d scenarios, %d blocks, %d variables; %.2f s", scen.count, len(periods),
                    variables + len(self.cand_el), seconds)
        return SaaSolution(outcome, mean, bound, "exact" if scen.exact else "monte-carlo", scen.count, len(periods),
                           variables + len(self.cand_el), rows + 1, seconds)

    def evaluate(self, plans: Mapping[str, Sequence[int]], *, samples: int = EVALUATION_SAMPLES, seed: int = 0,
                 method: str = "auto", reference: str | None = None) -> tuple[PlanEstimate, dict[str, PlanEstimate],
                                                                               dict[str, Any], dict[str, Any]]:
        """Return what no strike and each plan leave on one fresh sample, and paired differences.

        Every plan meets the same scenarios (common random numbers). Exact when the
        outcomes of existence and of every plan's strikes number at most 2**16.

        Returns
        -------
        (before, estimates by plan, differences from ``reference`` by plan, how measured)
        """
        samples = check_samples(samples, MAX_SAMPLES, "evaluation samples")
        seed = check_seed(seed)
        strikes = np.unique(np.concatenate([self.cand_el[list(p)] for p in plans.values()] + [np.zeros(0, np.int64)]))
        scen = self.scenarios(samples=samples, seed=seed, method=method, stream=EVALUATION_STREAM,
                              strikes=strikes.astype(np.int64))
        weight = scen.weights(0, scen.count)
        names = ["", *plans]
        totals = run_plans(self.kernel, scen, [self._struck(plans[k]) if k else None for k in names], cuts=False,
                           workers=self.workers, scheduler=self.scheduler,
                           progress=phase(self.progress, "plans on a fresh sample", "scenarios"))
        values = {name: t.values for name, t in zip(names, totals)}
        estimates = {name: _estimate(v, weight, scen.exact) for name, v in values.items()}
        differences = {}
        if reference is not None:
            for name, v in values.items():
                if name not in ("", reference):
                    diff = v - values[reference]
                    differences[name] = (math.nan, None) if not np.all(np.isfinite(diff)) else \
                        mean_interval(diff, weight, scen.exact)
        how = {"method": "exact" if scen.exact else "monte-carlo", "samples": None if scen.exact else scen.count,
               "seed": seed, "stream": EVALUATION_STREAM, "scenarios": scen.count}
        before = estimates.pop("")
        return before, estimates, differences, how


def _estimate(values: np.ndarray, weight: np.ndarray, exact: bool) -> PlanEstimate:
    mean, interval = mean_interval(values, weight, exact)
    hit = float(weight[values > 0].sum())
    p_any = hit / float(weight.sum())
    return PlanEstimate(mean, interval, p_any, None if exact else wilson(hit, len(values)))
