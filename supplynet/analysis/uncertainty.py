"""Uncertain intelligence: what a network delivers when its elements may not exist.

The model (docs/uncertainty.md gives it in full):

- ``confidence`` (0..1, absent = 1) on a node or an edge is the probability that it
  exists; ``p_success`` (0..1, absent = the ``p_success`` argument, default 1) the
  probability that a strike on it removes it. The two directions of one bidirectional
  road (``reverse_of``) exist together or not at all.
- A *scenario* draws every element independently (a road once). Every figure is the
  deterministic one (docs/design.md) applied to each scenario: an absent node takes
  everything through it, its own supply or intake included.
- With at most :data:`EXACT_MAX` uncertain elements (confidence strictly between 0 and 1,
  on some source-to-sink path) every outcome is enumerated and weighted by its
  probability (``method`` ``"exact"``); above that, ``samples`` scenarios are drawn
  (``"monte-carlo"``) with common random numbers: scenario ``s`` depends on ``(seed, s)``
  only, so every element's removal is compared on the very same scenarios, and results
  do not depend on the number of workers.

Figures (``F`` is a scenario's max flow, ``F - e`` the same with element ``e`` removed too):

- ``expected_max_flow`` = E[F]; ``max_flow_quantiles`` p10, p50, p90 of F (the smallest
  value whose probability of not being exceeded reaches the level); ``p_any_flow`` = P(F > 0).
- ``expected_flow_loss`` of an element = E[F - (F - e)] (0 where it is absent);
  ``expected_strike_loss`` = ``p_success`` x that: what a strike on it is worth.
- ``p_in_min_cut`` = P(the element lies in some minimum cut of the scenario's flow
  network), the cut of edges and nodes that the max flow saturates; an element in one
  costs its full capacity when removed.
- **What to collect next**: for each uncertain element (a road counts once), how far
  learning for sure whether it exists would move the estimate of E[F] on average:
  ``expected_revision`` = E|E[F | it exists or not] - E[F]| = 2 (1 - q) L, where ``q`` is its
  confidence and ``L`` its expected flow loss; ``if_present`` and ``if_absent`` are E[F]
  given that it exists, and given that it does not.

Where sampled, each figure comes with a 95% interval: mean +- 1.96 standard errors,
Wilson's interval for probabilities, and distribution-free order statistics for the
quantiles. Where enumerated, figures are exact and carry no interval.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from supplynet._errors import AnalysisError
from supplynet._plain import plain
from supplynet._progress import Phases, Progress, phase
from supplynet._version import __version__
from supplynet.analysis.estimates import bounded_interval, mean_interval, quantiles, wilson
from supplynet.analysis.report import _network_info
from supplynet.engine import reach
from supplynet.engine.draws import ScenarioSet, enumerated, outcome_count, sampled
from supplynet.engine.runners import Totals, check_workers, run_scenarios
from supplynet.engine.scenarios import ScenarioNet, scenario_net
from supplynet.engine.snapshot import Snapshot, compile_network

__all__ = [
    "EXACT_MAX",
    "MAX_SAMPLES",
    "LOSSES",
    "METHODS",
    "UncertainElements",
    "UncertaintyReport",
    "uncertain_elements",
    "scenario_set",
    "evaluate_uncertainty",
    "check_samples",
    "check_seed",
]

logger = logging.getLogger(__name__)

#: Most uncertain elements whose every outcome is enumerated (2**16 outcomes).
EXACT_MAX = 16
#: Most scenarios one evaluation may sample.
MAX_SAMPLES = 1_000_000
#: How scenarios are chosen.
METHODS = ("auto", "exact", "monte-carlo")
#: Whose expected flow loss is measured: every element, the uncertain ones, or none.
LOSSES = ("all", "uncertain", "none")
#: Below this share of the max flow as given, the report says plainly how little is left.
_LITTLE = 0.25


@dataclass(frozen=True, eq=False)
class UncertainElements:
    """The elements of a network with what is known of them, nodes first, then edges.

    Attributes
    ----------
    snap : Snapshot
    kind, ids : tuple of str
        ``"node"`` or ``"edge"``, and the id, of each element.
    q, p : numpy.ndarray
        Confidence (1 where absent) and strike success of each element.
    group : numpy.ndarray of int64
        Existence group of each element (a bidirectional road's two edges share one).
    group_q : numpy.ndarray
        Confidence of each group.
    relevant : numpy.ndarray of bool
        The element lies on some source-to-sink path of the network as given.
    uncertain : numpy.ndarray of int64
        The groups with ``0 < q < 1`` that have a relevant member: what can change a flow.
    """

    snap: Snapshot
    kind: tuple[str, ...]
    ids: tuple[str, ...]
    q: np.ndarray
    p: np.ndarray
    group: np.ndarray
    group_q: np.ndarray
    relevant: np.ndarray
    uncertain: np.ndarray

    def members(self, g: int) -> np.ndarray:
        """Return the elements of group ``g``."""
        return np.flatnonzero(self.group == g)

    def index(self, kind: str, ident: str) -> int:
        """Return the element number of a node or an edge."""
        n = len(self.snap.nodes)
        return self.snap.node_index[ident] if kind == "node" else n + self.snap.edge_index[ident]

    def net(self) -> tuple[ScenarioNet, np.ndarray]:
        """Return the kernels' network and the group confidences to draw with.

        Elements of confidence 0 are taken out of the network once (they exist in no
        scenario, and the draws say so too), and groups that cannot change a flow are
        drawn as present: neither changes any figure, and it keeps scenarios small.
        """
        gone = self.q == 0
        n = len(self.snap.nodes)
        snap = self.snap.after(np.flatnonzero(gone[:n]), np.flatnonzero(gone[n:])) if gone.any() else self.snap
        q = np.ones(len(self.group_q))
        q[self.uncertain] = self.group_q[self.uncertain]
        q[self.group_q == 0] = 0.0
        return scenario_net(snap), q


def _check_probabilities(values: np.ndarray, what: str, kind: tuple[str, ...], ids: tuple[str, ...]) -> None:
    bad = np.flatnonzero(~((values >= 0) & (values <= 1)))
    if len(bad):
        shown = ", ".join(f"{kind[i]} {ids[i]!r} ({values[i]:g})" for i in bad[:5])
        raise AnalysisError(f"{len(bad)} element(s) have a {what} outside 0..1: {shown}")


def _groups(snap: Snapshot, n: int) -> np.ndarray:
    """Return each element's representative: itself, or for a reverse edge the edge it was reversed from."""
    rep = np.arange(n + len(snap.edges))
    columns = getattr(snap.graph, "columns", None)
    if columns is not None:  # read from a file: its columns, without building the graph
        t = columns.table
        reverse = {str(e): of for e, of in zip(t.edge_id, t.edge_reverse_of) if of is not None}
    elif snap.graph is not None:
        reverse = {str(k): of for _, _, k, of in snap.graph.edges(keys=True, data="reverse_of") if of is not None}
    else:  # arrays alone: the validator's naming, ID~rev for the reverse of ID
        reverse = {e: e[:-4] for e in snap.edges if e.endswith("~rev")}
    for e, of in reverse.items():
        if of is not None and of in snap.edge_index:
            rep[n + snap.edge_index[e]] = n + snap.edge_index[of]
    return rep


def uncertain_elements(G: nx.MultiDiGraph | Snapshot, sources: Any = None, sinks: Any = None, *,
                       p_success: float = 1.0) -> UncertainElements:
    """Return the elements of ``G`` with their confidence, strike success and existence groups.

    Raises
    ------
    AnalysisError
        A confidence or p_success outside 0..1 (naming the elements), the two directions
        of a road with different confidences, or a bad ``p_success``.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("s", type="manufacturing"); G.add_node("t", type="assembly")
    >>> G.add_edge("s", "t", key="a", length=1, capacity=2.0, confidence=0.5)
    'a'
    >>> G.add_edge("t", "s", key="a~rev", length=1, capacity=2.0, confidence=0.5, reverse_of="a")
    'a~rev'
    >>> els = uncertain_elements(G)
    >>> els.ids, els.group.tolist(), els.uncertain.tolist()
    (('s', 't', 'a', 'a~rev'), [0, 1, 2, 2], [2])
    """
    if isinstance(p_success, bool) or not isinstance(p_success, (int, float)) or not 0 <= p_success <= 1:
        raise AnalysisError(f"p_success must be a number from 0 to 1; got {p_success!r}")
    snap = compile_network(G, sources, sinks)
    n, m = len(snap.nodes), len(snap.edges)
    kind = ("node",) * n + ("edge",) * m
    ids = tuple(snap.nodes) + tuple(snap.edges)
    q = np.concatenate([snap.node_confidence, snap.edge_confidence])
    q = np.where(np.isnan(q), 1.0, q)
    p = np.concatenate([snap.column("node", "p_success", float(p_success)),
                        snap.column("edge", "p_success", float(p_success))])
    _check_probabilities(q, "confidence", kind, ids)
    _check_probabilities(p, "p_success", kind, ids)
    rep = _groups(snap, n)
    differ = np.flatnonzero(q != q[rep])
    if len(differ):
        e = differ[0]
        raise AnalysisError(f"edge {ids[e]!r} has confidence {q[e]:g} but the edge it is the reverse of, "
                            f"{ids[rep[e]]!r}, has {q[rep[e]]:g}: the two directions of a road exist together")
    reps, group = np.unique(rep, return_inverse=True)
    live = snap.edge_alive
    ahead, behind = reach.reached_both_ways(n, snap.edge_tail[live], snap.edge_head[live], snap.sources, snap.sinks)
    relevant = np.concatenate([ahead & behind & snap.node_alive,
                               ahead[snap.edge_tail] & behind[snap.edge_head] & live])
    group_q = q[reps]
    open_ = (group_q > 0) & (group_q < 1)
    has_relevant = np.zeros(len(reps), bool)
    has_relevant[group[relevant]] = True
    return UncertainElements(snap, kind, ids, q, p, group.astype(np.int64), group_q, relevant,
                             np.flatnonzero(open_ & has_relevant))


def check_samples(samples: Any, most: int = MAX_SAMPLES, what: str = "samples") -> int:
    """Return ``samples`` as an int, or raise AnalysisError unless it is a whole number from 1 to ``most``."""
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or not 1 <= samples <= most:
        raise AnalysisError(f"{what} must be a whole number from 1 to {most:,}; got {samples!r}")
    return int(samples)


def check_seed(seed: Any) -> int:
    """Return ``seed`` as an int, or raise AnalysisError unless it is a whole number >= 0."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise AnalysisError(f"seed must be a whole number >= 0; got {seed!r}")
    return int(seed)


def scenario_set(els: UncertainElements, q: np.ndarray, *, samples: int, seed: int, method: str = "auto",
                 split: np.ndarray | None = None, stream: int = 0, limit: float | None = None) -> ScenarioSet:
    """Return the scenarios to evaluate: every outcome when few, else ``samples`` drawn with ``seed``.

    ``split`` are struck elements whose strike success is enumerated too; ``limit`` the
    most outcomes an exact set may have (default ``2**EXACT_MAX``). ``method`` forces
    one way (``"exact"`` beyond the limit is refused).
    """
    if method not in METHODS:
        raise AnalysisError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    split = np.zeros(0, np.int64) if split is None else np.asarray(split, np.int64)
    limit = 2.0 ** EXACT_MAX if limit is None else limit
    uncertain = np.flatnonzero((q > 0) & (q < 1))
    count = outcome_count(els.group, q, els.p, uncertain, split)
    if method == "exact" and count > 2.0 ** EXACT_MAX:
        raise AnalysisError(f"method 'exact' enumerates at most 2**{EXACT_MAX} outcomes; this network has "
                            f"{len(uncertain)} uncertain elements ({count:,.0f} outcomes): use 'monte-carlo'")
    if method == "exact" or (method == "auto" and count <= limit):
        return enumerated(els.group, q, els.p, uncertain, split)
    return sampled(els.group, q, els.p, samples, seed, stream=stream)


# --- the report ---------------------------------------------------------------------------

@dataclass
class UncertaintyReport:
    """What a network delivers under uncertain intelligence (see the module notes).

    Attributes
    ----------
    network : dict
        ``name``, ``description``, ``source``, ``sha256``, ``nodes``, ``edges``.
    sources, sinks : list of str
    method : str
        ``"exact"`` or ``"monte-carlo"``.
    samples : int or None
        Scenarios sampled (None when exact).
    scenarios : int
        Scenarios evaluated: the samples, or the outcomes enumerated.
    seed : int
    uncertain : int
        Uncertain elements that can change a flow (a road counts once).
    max_flow : float
        The max flow of the network as given: every element present.
    expected_max_flow : float
        ``inf`` when some scenario of positive probability has an unlimited flow.
    expected_max_flow_interval : (float, float) or None
    max_flow_quantiles, max_flow_quantile_intervals : dict
        ``p10``, ``p50``, ``p90``, and their intervals (None when exact).
    p_any_flow : float
    p_any_flow_interval : (float, float) or None
    p_unlimited : float
        Probability of an unlimited flow.
    nodes, edges : pandas.DataFrame
        Per element, indexed by id: ``confidence``, ``p_success``, ``flow_loss`` (as
        given), ``expected_flow_loss`` with ``_low`` / ``_high``, ``expected_strike_loss``,
        ``p_in_min_cut`` with ``_low`` / ``_high`` (intervals NaN when exact).
    collect : pandas.DataFrame
        The uncertain elements, most worth collecting first: ``rank``, ``kind``, ``id``,
        ``name``, ``members``, ``confidence``, ``expected_flow_loss``, ``if_present``,
        ``if_absent``, ``expected_revision`` with ``_low`` / ``_high``.
    parameters : dict
    notes : list of str
    version : str
    """

    network: dict[str, Any]
    sources: list[str]
    sinks: list[str]
    method: str
    samples: int | None
    scenarios: int
    seed: int
    uncertain: int
    max_flow: float
    expected_max_flow: float
    expected_max_flow_interval: tuple[float, float] | None
    max_flow_quantiles: dict[str, float]
    max_flow_quantile_intervals: dict[str, Any]
    p_any_flow: float
    p_any_flow_interval: tuple[float, float] | None
    p_unlimited: float
    nodes: pd.DataFrame
    edges: pd.DataFrame
    collect: pd.DataFrame
    parameters: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    version: str = __version__

    def collect_ranks(self, kind: str) -> dict[str, int]:
        """Return ``{id: rank in what to collect next}`` of the ``"node"`` or ``"edge"`` elements
        ranked; the members of one ranked element (a road's two directions) share its rank."""
        ranks: dict[str, int] = {}
        c = self.collect
        for r, k, members in zip(c["rank"].tolist(), c["kind"].tolist(), c["members"].tolist()):
            if k == kind:
                for ident in members:
                    ranks.setdefault(str(ident), int(r))
        return ranks

    def to_dict(self) -> dict[str, Any]:
        """Return the report as plain values (the keys of ``uncertainty --format json``)."""
        tables = {}
        for key, df in (("nodes", self.nodes), ("edges", self.edges)):
            tables[key] = [{"id": i, **_intervals(row)} for i, row in zip(df.index, df.to_dict("records"))]
        collect = [_intervals(row, ("expected_revision",)) for row in self.collect.to_dict("records")]
        return plain({
            "supplynet_version": self.version, "network": dict(self.network), "sources": self.sources,
            "sinks": self.sinks, "parameters": dict(self.parameters), "method": self.method,
            "samples": self.samples, "scenarios": self.scenarios, "seed": self.seed,
            "uncertain_elements": self.uncertain, "max_flow": self.max_flow,
            "expected_max_flow": self.expected_max_flow, "expected_max_flow_interval": self.expected_max_flow_interval,
            "max_flow_quantiles": self.max_flow_quantiles,
            "max_flow_quantile_intervals": self.max_flow_quantile_intervals, "p_any_flow": self.p_any_flow,
            "p_any_flow_interval": self.p_any_flow_interval, "p_unlimited": self.p_unlimited,
            "collect_next": collect, "notes": self.notes, **tables,
        })


def _intervals(row: dict[str, Any], keys: tuple[str, ...] = ("expected_flow_loss", "p_in_min_cut")) -> dict[str, Any]:
    """Return a table row with each ``key_low`` / ``key_high`` pair as one ``key_interval`` (None if NaN)."""
    out = dict(row)
    for key in keys:
        lo, hi = out.pop(f"{key}_low", math.nan), out.pop(f"{key}_high", math.nan)
        out[f"{key}_interval"] = None if math.isnan(lo) or math.isnan(hi) else [lo, hi]
    return out


def _flips(els: UncertainElements, losses: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the flip groups (ptr, elements), the flip of each element (-1: none) and of each uncertain group."""
    if losses not in LOSSES:
        raise AnalysisError(f"losses must be one of {', '.join(LOSSES)}; got {losses!r}")
    n_el = len(els.ids)
    if losses == "none":
        return np.zeros(1, np.int64), np.zeros(0, np.int64), np.full(n_el, -1), np.full(len(els.uncertain), -1)
    singles = np.arange(n_el) if losses == "all" else np.flatnonzero(np.isin(els.group, els.uncertain))
    groups: list[np.ndarray] = [np.array([i]) for i in singles]
    of_element = np.full(n_el, -1, np.int64)
    of_element[singles] = np.arange(len(singles))
    of_group = np.empty(len(els.uncertain), np.int64)
    for k, g in enumerate(els.uncertain):
        members = els.members(g)
        if len(members) == 1:
            of_group[k] = of_element[members[0]]
        else:
            of_group[k] = len(groups)
            groups.append(members)
    ptr = np.zeros(len(groups) + 1, np.int64)
    np.cumsum([len(g) for g in groups], out=ptr[1:])
    return ptr, np.concatenate(groups).astype(np.int64), of_element, of_group


def evaluate_uncertainty(
    G: nx.MultiDiGraph | Snapshot,
    sources: Any = None,
    sinks: Any = None,
    *,
    samples: int = 1000,
    seed: int = 0,
    method: str = "auto",
    p_success: float = 1.0,
    losses: str = "all",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Phases | Progress | None = None,
) -> UncertaintyReport:
    """Return what ``G`` delivers when its elements exist only with their confidence.

    Parameters
    ----------
    G : networkx.MultiDiGraph or Snapshot
        The network (never changed).
    sources, sinks : None, str or iterable of str
        Defaults (``manufacturing`` / ``assembly``), a selector, or node ids.
    samples : int, default 1000
        Scenarios to draw when there are too many outcomes to enumerate.
    seed : int, default 0
        Seed of the draws (scenario ``s`` depends on ``(seed, s)`` only).
    method : {"auto", "exact", "monte-carlo"}
        ``auto`` enumerates up to :data:`EXACT_MAX` uncertain elements, samples beyond.
    p_success : float, default 1
        Strike success where an element has no ``p_success`` (for ``expected_strike_loss``).
    losses : {"all", "uncertain", "none"}
        Whose expected flow loss to measure; the collection ranking needs the uncertain ones.
    workers : int, optional
        Threads on this machine (default: every core).
    scheduler : str, optional
        Address of a Dask scheduler to run the scenarios on instead.
    progress : Phases or callable, optional
        Progress of the scenario phase (``"scenarios"``) and the losses as given.

    Returns
    -------
    UncertaintyReport

    Raises
    ------
    AnalysisError
        Bad samples, seed, method, losses or workers; probabilities outside 0..1; an
        unreachable scheduler.

    Examples
    --------
    One certain arc of capacity 8 beside two doubtful arcs in series (20 each, confidence 0.5):

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("s", type="manufacturing"); G.add_node("m", type="storage"); G.add_node("t", type="assembly")
    >>> _ = G.add_edge("s", "t", key="a", length=1, capacity=8.0)
    >>> _ = G.add_edge("s", "m", key="b1", length=1, capacity=20.0, confidence=0.5)
    >>> _ = G.add_edge("m", "t", key="b2", length=1, capacity=20.0, confidence=0.5)
    >>> rep = evaluate_uncertainty(G)
    >>> rep.method, rep.max_flow, rep.expected_max_flow, rep.max_flow_quantiles
    ('exact', 28.0, 13.0, {'p10': 8.0, 'p50': 8.0, 'p90': 28.0})
    >>> rep.edges["expected_flow_loss"].to_dict()
    {'a': 8.0, 'b1': 5.0, 'b2': 5.0}
    >>> rep.collect[["id", "if_present", "if_absent", "expected_revision"]].values.tolist()
    [['b1', 18.0, 8.0, 5.0], ['b2', 18.0, 8.0, 5.0]]
    """
    samples, seed = check_samples(samples), check_seed(seed)
    check_workers(workers)
    els = uncertain_elements(G, sources, sinks, p_success=p_success)
    flip_ptr, flip_el, of_element, of_group = _flips(els, losses)
    net, q = els.net()
    scen = scenario_set(els, q, samples=samples, seed=seed, method=method)
    logger.info("%s: %d scenarios of %d uncertain elements", "exact" if scen.exact else "monte-carlo",
                scen.count, len(els.uncertain))
    totals = run_scenarios(net, scen, flips=(flip_ptr, flip_el), cuts=True, workers=workers,
                           scheduler=scheduler, progress=phase(progress, "scenarios", "scenarios"))
    as_given = els.snap.removal_losses("both", progress=phase(progress, "flow losses as given", "elements"))
    return _report(els, scen, totals, of_element, of_group, as_given, losses,
                   {"samples": samples, "seed": seed, "method": method, "p_success": p_success, "losses": losses,
                    "source_selector": sources if isinstance(sources, str) else None,
                    "sink_selector": sinks if isinstance(sinks, str) else None})


@dataclass(frozen=True)
class _Estimates:
    """Per element or group: the mean of a weighted sum and its interval bounds (NaN when exact)."""

    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray


def _loss_estimates(totals: Totals, flips: np.ndarray, exact: bool, finite: bool, bound: np.ndarray) -> _Estimates:
    """Return the expected loss of each flip listed (-1: not measured, NaN) and its interval.

    ``bound`` is the most any one scenario's loss can be (see :func:`~supplynet.analysis.estimates.mean_interval`).
    """
    n = len(totals.values)
    total = float(totals.weight.sum())
    have = flips >= 0
    mean, low, high = (np.full(len(flips), math.nan) for _ in range(3))
    if not finite:
        return _Estimates(mean, low, high)
    s, s2 = totals.loss[flips[have]], totals.loss_sq[flips[have]]
    mean[have] = s / total
    if not exact and n > 1:
        sd = np.sqrt(np.maximum(s2 - n * mean[have] ** 2, 0.0) / (n - 1))
        sd[sd < 1e-9 * np.maximum(1.0, np.abs(mean[have]))] = 0.0  # rounding, not variation
        low[have], high[have] = bounded_interval(mean[have], sd, n, bound[have])
    return _Estimates(mean, low, high)


def _report(els: UncertainElements, scen: ScenarioSet, totals: Totals, of_element: np.ndarray,
            of_group: np.ndarray, as_given: np.ndarray, losses: str, parameters: dict[str, Any]) -> UncertaintyReport:
    snap, exact = els.snap, scen.exact
    values, weight = totals.values, totals.weight
    total = float(weight.sum())
    unlimited = float(weight[np.isinf(values)].sum()) / total
    given = snap.max_flow_value()
    mean, mean_iv = mean_interval(values, weight, exact, given)
    levels, q_iv = quantiles(values, weight, exact)
    p_any = float(weight[values > 0].sum()) / total
    n = len(values)
    capacity = np.concatenate([snap.node_capacity, snap.edge_capacity])
    loss = _loss_estimates(totals, of_element, exact, unlimited == 0, np.minimum(capacity, given))
    p_cut = totals.cut / total
    cut_iv = np.full((len(p_cut), 2), math.nan) if exact else np.array([wilson(k, n) for k in totals.cut])
    n_nodes = len(snap.nodes)
    table = pd.DataFrame({
        "confidence": els.q, "p_success": els.p, "flow_loss": as_given, "expected_flow_loss": loss.mean,
        "expected_flow_loss_low": loss.low, "expected_flow_loss_high": loss.high,
        "expected_strike_loss": els.p * loss.mean, "p_in_min_cut": p_cut, "p_in_min_cut_low": cut_iv[:, 0],
        "p_in_min_cut_high": cut_iv[:, 1],
    })
    nodes = table.iloc[:n_nodes].set_axis(pd.Index(snap.nodes, name="id"))
    nodes.insert(0, "type", list(snap.node_type))
    nodes.insert(0, "name", [str(x) for x in snap.node_name])
    edges = table.iloc[n_nodes:].set_axis(pd.Index(snap.edges, name="id"))
    edges.insert(0, "mode", list(snap.edge_mode))
    edges.insert(0, "target", [snap.nodes[v] for v in snap.edge_head])
    edges.insert(0, "source", [snap.nodes[u] for u in snap.edge_tail])
    group_loss = _loss_estimates(totals, of_group, exact, unlimited == 0, np.full(len(of_group), given))
    collect = _collect(els, group_loss if losses != "none" else None, mean)
    report = UncertaintyReport(
        network=_network_info(snap), sources=list(snap.source_ids), sinks=list(snap.sink_ids),
        method="exact" if exact else "monte-carlo", samples=None if exact else scen.count, scenarios=scen.count,
        seed=parameters["seed"], uncertain=len(els.uncertain), max_flow=given,
        expected_max_flow=mean, expected_max_flow_interval=mean_iv, max_flow_quantiles=levels,
        max_flow_quantile_intervals=q_iv, p_any_flow=p_any,
        p_any_flow_interval=None if exact else wilson(float(weight[values > 0].sum()), n), p_unlimited=unlimited,
        nodes=nodes, edges=edges, collect=collect, parameters=parameters,
    )
    report.notes = _notes(report, els, losses)
    return report


_COLLECT = ["rank", "kind", "id", "name", "members", "confidence", "expected_flow_loss", "if_present", "if_absent",
            "expected_revision", "expected_revision_low", "expected_revision_high"]


def _collect(els: UncertainElements, loss: _Estimates | None, mean: float) -> pd.DataFrame:
    """Return the uncertain elements ranked by expected revision, largest first, then by id."""
    if loss is None or not len(els.uncertain):
        return pd.DataFrame(columns=_COLLECT)
    rows = []
    snap = els.snap
    for k, g in enumerate(els.uncertain):
        members = els.members(g)
        first = members[0]
        q, lost = float(els.group_q[g]), float(loss.mean[k])
        kind, ident = els.kind[first], els.ids[first]
        if kind == "node":
            name = str(snap.node_name[first])
        else:
            e = first - len(snap.nodes)
            name = f"{snap.node_name[snap.edge_tail[e]]} -> {snap.node_name[snap.edge_head[e]]}"
        rows.append({"kind": kind, "id": ident, "name": name, "members": [els.ids[i] for i in members],
                     "confidence": q, "expected_flow_loss": lost, "if_present": mean - lost + lost / q,
                     "if_absent": mean - lost, "expected_revision": 2 * (1 - q) * lost,
                     "expected_revision_low": 2 * (1 - q) * float(loss.low[k]),
                     "expected_revision_high": 2 * (1 - q) * float(loss.high[k])})
    frame = pd.DataFrame(rows)
    key = frame["expected_revision"].fillna(-math.inf)
    frame = frame.assign(_key=-key).sort_values(["_key", "id", "kind"], kind="stable").drop(columns="_key")
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame.reset_index(drop=True)[_COLLECT]


def _notes(rep: UncertaintyReport, els: UncertainElements, losses: str) -> list[str]:
    notes = []
    if rep.method == "exact":
        notes.append(f"Every one of the {rep.scenarios:,} outcomes of the {rep.uncertain} uncertain element(s) "
                     "was enumerated and weighted by its probability: the figures are exact.")
    else:
        notes.append(f"{rep.scenarios:,} scenarios were drawn (seed {rep.seed}) over {rep.uncertain:,} uncertain "
                     "elements; intervals are 95% (normal for means, Wilson for probabilities, order statistics "
                     "for the percentiles).")
    if math.isfinite(rep.max_flow) and rep.max_flow > 0 and rep.expected_max_flow < _LITTLE * rep.max_flow:
        share = 100 * rep.expected_max_flow / rep.max_flow
        notes.append(f"The confidences leave little expected flow: {rep.expected_max_flow:.4g} of the "
                     f"{rep.max_flow:.4g} the network carries as given ({share:.2g}%), and some flow gets through "
                     f"in {100 * rep.p_any_flow:.2g}% of scenarios. Confidence is read as the probability that an "
                     "element exists, and a route exists only if every element on it does, so a route of many "
                     "doubtful hops is very likely broken somewhere.")
    certain_gone = int(np.sum(els.q == 0))
    if certain_gone:
        notes.append(f"{certain_gone} element(s) have confidence 0 and are absent from every scenario.")
    idle = int(np.sum((els.group_q > 0) & (els.group_q < 1))) - rep.uncertain
    if idle:
        notes.append(f"{idle} uncertain element(s) lie on no source-to-sink path and cannot change any flow.")
    if rep.p_unlimited > 0:
        notes.append(f"With probability {rep.p_unlimited:.4g} a source-to-sink path of unlimited capacity exists, so "
                     "the expected max flow is unlimited and expected flow losses are undefined.")
    if losses == "none":
        notes.append("Expected flow losses were not measured (losses='none'), so there is no collection ranking.")
    elif losses == "uncertain":
        notes.append("Expected flow losses were measured for the uncertain elements only.")
    return notes
