"""What-if analysis: remove and degrade pieces of a network, and measure what is left.

Compile once (:class:`WhatIf`), then evaluate any number of :class:`~supplynet.network.scenarios.Scenario`
objects as masks over the compiled snapshot: the graph is never copied or changed.

Definitions (``G'`` is the network with the scenario applied: removed nodes and edges
taken out, edges at a removed node with them, degraded capacities multiplied by their
factor; an unlimited capacity stays unlimited under any factor above 0):

- ``max_flow_before`` / ``max_flow_after``: the max flow of ``G`` and ``G'`` (docs/design.md).
- ``flow_loss`` = before - after; ``flow_loss_pct`` = 100 * loss / before (None when
  before is 0 or unlimited). An unlimited flow made finite loses ``inf``; one that stays
  unlimited has no defined loss (NaN; ``null`` in JSON).
- *live* elements: not removed and with capacity above 0 after the scenario (unlimited
  counts); an edge is live only when both its ends are.
- ``sinks_cut_off``: sinks some source reaches over live elements of ``G`` but none
  reaches in ``G'`` (a removed sink counts). ``sources_stranded``: likewise, sources that
  reached some sink and reach none.
- ``route_km_before`` / ``route_km_after``: the shortest source-to-sink route over live
  elements, by the integer-metre ``length`` of its edges, in km (None: no route);
  ``detour_km`` is after - before (None if either is None).
- ``min_edge_cut``: :func:`supplynet.analysis.flow.min_edge_cut` of ``G'``.
- ``top_nodes``: the nodes carrying the most flow in the maximum flow of ``G'`` the
  kernel finds (max flows are not unique; this one is deterministic), ``(id, flow)``
  by flow, then id; nodes carrying nothing left out.
- ``flow_days_denied``: each removed or degraded element (a *piece*; edges at a removed
  node come back with it) is restored to full capacity after its ``repair_days``,
  ``d_e = min(repair_days, horizon)`` (no ``repair_days``: never, or the horizon). With
  ``0 = t_0 < t_1 < ... < t_k`` the distinct ``d_e``::

      flow_days_denied = sum_j (t_j - t_{j-1}) * (before - F({pieces with d_e >= t_j}))

  where ``F(S)`` is the max flow with only the pieces ``S`` applied: the pieces come
  back one by one in ``repair_days`` order, and each interval counts the flow lost
  during it times its length (the rule of ``docs/plan.md``). Without a horizon, pieces
  never repaired whose loss stays above 0 make it ``inf`` (``null`` in JSON).

Examples
--------
>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("f", type="manufacturing")
>>> G.add_node("x", type="storage", repair_days=10)
>>> G.add_node("y", type="storage", repair_days=4)
>>> G.add_node("a", type="assembly")
>>> for u, v, c, km in [("f", "x", 5.0, 1), ("f", "y", 3.0, 2), ("x", "a", 5.0, 1), ("y", "a", 3.0, 2)]:
...     _ = G.add_edge(u, v, key=u + v, capacity=c, length=km * 1000)
>>> w = WhatIf(G)
>>> impact = w.evaluate(w.scenario("strike x", remove=["x"]))
>>> impact.max_flow_before, impact.max_flow_after, impact.flow_loss_pct
(8.0, 3.0, 62.5)
>>> impact.route_km_before, impact.route_km_after, impact.detour_km
(2.0, 4.0, 2.0)
>>> impact.flow_days_denied  # 5 units lost for 10 days
50.0
>>> both = w.evaluate(w.scenario("x and y", remove=["x", "y"]))
>>> both.sinks_cut_off, both.flow_days_denied  # 8 lost for 4 days, then 5 for 6 more
(['a'], 62.0)
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from supplynet._errors import AnalysisError, ScenarioError
from supplynet._plain import plain
from supplynet._progress import Progress
from supplynet.analysis.flow import EdgeCut, flow_loss
from supplynet.engine import impact as _impact
from supplynet.engine.snapshot import Snapshot, compile_network
from supplynet.network.scenarios import Scenario, make_scenario
from supplynet.network.selectors import EndpointSpec

__all__ = ["Impact", "WhatIf", "what_if", "sweep", "sweep_nodes", "IMPACT_COLUMNS", "NODE_SWEEP_COLUMNS"]

logger = logging.getLogger(__name__)

#: Columns of :meth:`WhatIf.sweep`, in order (one row per scenario).
IMPACT_COLUMNS = (
    "name", "removed", "degraded", "max_flow_before", "max_flow_after", "flow_loss", "flow_loss_pct",
    "sinks_cut_off", "sources_stranded", "route_km_before", "route_km_after", "detour_km",
    "min_edge_cut_capacity", "min_edge_cut", "top_nodes", "flow_days_denied",
)
#: Columns of :meth:`WhatIf.sweep_nodes` (indexed by node id).
NODE_SWEEP_COLUMNS = ("name", "type", "max_flow_after", "flow_loss", "flow_loss_pct", "sinks_cut_off",
                      "sources_stranded")


@dataclass(frozen=True)
class Impact:
    """What one scenario does to the network (see the module for each definition).

    Attributes
    ----------
    name : str
    removed_nodes, removed_edges : list of str
    degraded_nodes, degraded_edges : dict of str to float
        ``{id: factor}`` of degraded nodes and of degraded edges.
    max_flow_before, max_flow_after, flow_loss, flow_loss_pct : float
    sinks_cut_off, sources_stranded : list of str
    route_km_before, route_km_after, detour_km : float or None
    min_edge_cut : EdgeCut
    top_nodes : list of (str, float)
    flow_days_denied : float
    horizon : float or None
    notes : list of str
    description : str
    shared_ids : frozenset of str
        Ids of the scenario that name both a node and an edge of the network: shown with
        their kind (:meth:`label`).
    """

    name: str
    removed_nodes: list[str]
    removed_edges: list[str]
    degraded_nodes: dict[str, float]
    degraded_edges: dict[str, float]
    max_flow_before: float
    max_flow_after: float
    flow_loss: float
    flow_loss_pct: float
    sinks_cut_off: list[str]
    sources_stranded: list[str]
    route_km_before: float | None
    route_km_after: float | None
    detour_km: float | None
    min_edge_cut: EdgeCut
    top_nodes: list[tuple[str, float]]
    flow_days_denied: float
    horizon: float | None = None
    notes: list[str] = field(default_factory=list)
    description: str = ""
    shared_ids: frozenset[str] = frozenset()

    @property
    def removed(self) -> list[str]:
        """The removed ids: nodes, then edges, each sorted."""
        return self.removed_nodes + self.removed_edges

    @property
    def degraded(self) -> dict[tuple[str, str], float]:
        """``{(kind, id): factor}`` of every degraded node and edge (nodes first)."""
        return {**{("node", i): f for i, f in self.degraded_nodes.items()},
                **{("edge", i): f for i, f in self.degraded_edges.items()}}

    def label(self, kind: str, ident: str) -> str:
        """Return how to show an element: its id, or ``kind:id`` where the id names both kinds."""
        return f"{kind}:{ident}" if ident in self.shared_ids else ident

    def row(self) -> dict[str, Any]:
        """Return the impact as one flat row (the columns :data:`IMPACT_COLUMNS`)."""
        return {
            "name": self.name, "removed": self.removed,
            "degraded": {self.label(k, i): f for (k, i), f in self.degraded.items()},
            "max_flow_before": self.max_flow_before, "max_flow_after": self.max_flow_after,
            "flow_loss": self.flow_loss, "flow_loss_pct": self.flow_loss_pct,
            "sinks_cut_off": list(self.sinks_cut_off), "sources_stranded": list(self.sources_stranded),
            "route_km_before": self.route_km_before, "route_km_after": self.route_km_after,
            "detour_km": self.detour_km, "min_edge_cut_capacity": self.min_edge_cut.capacity,
            "min_edge_cut": list(self.min_edge_cut.edges), "top_nodes": list(self.top_nodes),
            "flow_days_denied": self.flow_days_denied,
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the impact as plain values (unlimited and undefined figures None).

        ``degraded`` is a list of ``{"kind", "id", "factor"}``: nodes and edges are separate
        id spaces, so a mapping by id alone could merge two elements.
        """
        return plain({
            "name": self.name, "description": self.description, "removed": self.removed,
            "removed_nodes": self.removed_nodes, "removed_edges": self.removed_edges,
            "degraded": [{"kind": k, "id": i, "factor": f} for (k, i), f in self.degraded.items()],
            "degraded_nodes": self.degraded_nodes, "degraded_edges": self.degraded_edges,
            "max_flow_before": self.max_flow_before, "max_flow_after": self.max_flow_after,
            "flow_loss": self.flow_loss, "flow_loss_pct": self.flow_loss_pct,
            "sinks_cut_off": self.sinks_cut_off, "sources_stranded": self.sources_stranded,
            "route_km_before": self.route_km_before, "route_km_after": self.route_km_after,
            "detour_km": self.detour_km, "min_edge_cut": self.min_edge_cut.to_dict(),
            "top_nodes": [{"id": i, "flow": f} for i, f in self.top_nodes],
            "flow_days_denied": self.flow_days_denied, "horizon_days": self.horizon, "notes": self.notes,
        })


def _loss(before: float, after: float) -> tuple[float, float]:
    """Return ``(loss, loss %)`` with the module's rules for unlimited flows."""
    if math.isinf(before):
        return (math.nan if math.isinf(after) else math.inf), math.nan
    loss = before - after
    return loss, (100.0 * loss / before if before > 0 else math.nan)


def _km(metres: int | None) -> float | None:
    return None if metres is None else metres / 1000.0


class WhatIf:
    """A network compiled once for what-if questions about its sources and sinks.

    Parameters
    ----------
    G : networkx.MultiDiGraph or Snapshot
        The network; never changed.
    sources, sinks : None, str or iterable of str
        As for :func:`supplynet.analysis.flow.max_flow` (a snapshot's own by default).
    top : int, default 5
        How many nodes :attr:`Impact.top_nodes` lists.
    horizon : float, optional
        Days over which flow-days are counted (default: until everything is repaired).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("f", type="manufacturing"); G.add_node("a", type="assembly")
    >>> G.add_edge("f", "a", key="r1", capacity=4.0, length=1000, mode="road")
    'r1'
    >>> G.add_edge("f", "a", key="r2", capacity=6.0, length=3000, mode="track")
    'r2'
    >>> w = WhatIf(G)
    >>> w.sweep([w.scenario("r1", remove=["r1"]), w.scenario("slow", degrade={"mode=track": 0.5})]
    ...         )[["name", "max_flow_after", "flow_loss", "detour_km"]]
       name  max_flow_after  flow_loss  detour_km
    0    r1             6.0        4.0        2.0
    1  slow             7.0        3.0        0.0
    """

    def __init__(self, G: nx.MultiDiGraph | Snapshot, sources: EndpointSpec = None,
                 sinks: EndpointSpec = None, *, top: int = 5, horizon: float | None = None) -> None:
        if horizon is not None and not (horizon >= 0 and math.isfinite(horizon)):
            raise AnalysisError(f"horizon must be a finite number of days >= 0, not {horizon!r}")
        self.snapshot = compile_network(G, sources, sinks)
        self.top = int(top)
        self.horizon = horizon
        self.sources = list(self.snapshot.source_ids)
        self.sinks = list(self.snapshot.sink_ids)
        snap = self.snapshot
        node_ok, edge_ok = _impact.live(snap)
        self._base_sinks, self._base_sources = _impact.reached(snap, snap.sources, snap.sinks, node_ok, edge_ok)
        self._base_route = _impact.route_length(snap, snap.sources, snap.sinks, node_ok, edge_ok)
        self._shared = frozenset(snap.nodes) & frozenset(snap.edges)
        self.max_flow = snap.max_flow_value()

    @property
    def graph(self) -> nx.MultiDiGraph | None:
        """The graph the network was compiled from (None for a snapshot built from arrays)."""
        return self.snapshot.graph

    # -- building scenarios ---------------------------------------------------------

    def scenario(self, name: str, *, remove: Iterable[str] = (),
                 degrade: Mapping[str, float] | Iterable[tuple[str, float]] | None = None,
                 description: str = "") -> Scenario:
        """Return a scenario of this network from ids and selectors (see
        :func:`supplynet.network.scenarios.make_scenario`)."""
        return make_scenario(self.snapshot, name, remove=remove, degrade=degrade, description=description)

    def after(self, scenario: Scenario) -> Snapshot:
        """Return the network after ``scenario`` as a snapshot (see :meth:`Snapshot.after`).

        Raises
        ------
        ScenarioError
            The scenario names elements this network does not have.
        """
        try:
            return self.snapshot.after(list(scenario.remove_nodes), list(scenario.remove_edges),
                                       dict(scenario.node_factors) or None, dict(scenario.edge_factors) or None)
        except AnalysisError as exc:
            raise ScenarioError(f"scenario {scenario.name!r}: {exc}") from None

    # -- evaluating -----------------------------------------------------------------

    def _pieces(self, s: Scenario) -> tuple[list[tuple[str, str, float]], list[float | None]]:
        """Return the pieces of a scenario as ``(kind, id, factor)`` and their repair days."""
        snap = self.snapshot
        pieces = ([("node", n, 0.0) for n in s.remove_nodes] + [("edge", e, 0.0) for e in s.remove_edges]
                  + [("node", n, f) for n, f in s.node_factors] + [("edge", e, f) for e, f in s.edge_factors])
        days = [(snap.node_repair_days[snap.node_index[i]] if kind == "node"
                 else snap.edge_repair_days[snap.edge_index[i]]) for kind, i, _ in pieces]
        return pieces, [None if math.isnan(d) else float(d) for d in days]

    def _flow_days(self, s: Scenario, before: float) -> float:
        pieces, days = self._pieces(s)

        def flow_with(out: np.ndarray) -> float:
            chosen = [p for p, keep in zip(pieces, out) if keep]
            return self.snapshot.max_flow_value(
                [i for kind, i, f in chosen if kind == "node" and f == 0.0 and i in s.remove_nodes],
                [i for kind, i, f in chosen if kind == "edge" and f == 0.0 and i in s.remove_edges],
                {i: f for kind, i, f in chosen if kind == "node" and i not in s.remove_nodes} or None,
                {i: f for kind, i, f in chosen if kind == "edge" and i not in s.remove_edges} or None)

        return _impact.flow_days(before, days, flow_with, self.horizon)

    def evaluate(self, scenario: Scenario | Iterable[str]) -> Impact:
        """Return the :class:`Impact` of one scenario (or of removing these ids or selectors).

        Raises
        ------
        ScenarioError
            The scenario names elements this network does not have.
        """
        s = scenario if isinstance(scenario, Scenario) else self.scenario("what-if", remove=scenario)
        snap = self.snapshot
        after_snap = self.after(s)
        arrays = after_snap.max_flow()
        before, after = self.max_flow, arrays.value
        loss, pct = _loss(before, after)
        node_ok, edge_ok = _impact.live(after_snap)
        sinks_now, sources_now = _impact.reached(after_snap, snap.sources, snap.sinks, node_ok, edge_ok)
        route = _impact.route_length(after_snap, snap.sources, snap.sinks, node_ok, edge_ok)
        detour = None if route is None or self._base_route is None else (route - self._base_route) / 1000.0
        cut = after_snap.edge_cut()
        flows = arrays.node_flow
        order = sorted((i for i in np.flatnonzero(flows > 0)), key=lambda i: (-flows[i], snap.nodes[i]))
        return Impact(
            name=s.name, removed_nodes=list(s.remove_nodes), removed_edges=list(s.remove_edges),
            degraded_nodes=dict(s.node_factors), degraded_edges=dict(s.edge_factors),
            max_flow_before=before, max_flow_after=after, flow_loss=loss, flow_loss_pct=pct,
            sinks_cut_off=[snap.sink_ids[k] for k in np.flatnonzero(self._base_sinks & ~sinks_now)],
            sources_stranded=[snap.source_ids[k] for k in np.flatnonzero(self._base_sources & ~sources_now)],
            route_km_before=_km(self._base_route), route_km_after=_km(route), detour_km=detour,
            min_edge_cut=EdgeCut(cut.value, [snap.edges[i] for i in cut.members]),
            top_nodes=[(snap.nodes[i], float(flows[i])) for i in order[:self.top]],
            flow_days_denied=self._flow_days(s, before), horizon=self.horizon, notes=self._notes(s),
            description=s.description,
            shared_ids=self._shared & (frozenset(s.remove_nodes + s.remove_edges)
                                       | {i for i, _ in s.node_factors + s.edge_factors}),
        )

    def _notes(self, s: Scenario) -> list[str]:
        """Return caveats: degradations that change nothing because the capacity is unlimited."""
        snap = self.snapshot
        idle = [i for i, f in s.node_factors if f > 0 and math.isinf(snap.node_capacity[snap.node_index[i]])]
        idle += [i for i, f in s.edge_factors if f > 0 and math.isinf(snap.edge_capacity[snap.edge_index[i]])]
        if not idle:
            return []
        return [f"degrading {', '.join(idle)} changes nothing: the capacity is unlimited"]

    def sweep(self, scenarios: Iterable[Scenario], *, progress: Progress | None = None) -> pd.DataFrame:
        """Return one row per scenario, columns :data:`IMPACT_COLUMNS`."""
        scenarios = list(scenarios)
        rows = []
        for k, s in enumerate(scenarios, start=1):
            rows.append(self.evaluate(s).row())
            if progress is not None:
                progress(k, len(scenarios))
        return pd.DataFrame(rows, columns=list(IMPACT_COLUMNS))

    def sweep_nodes(self, *, progress: Progress | None = None) -> pd.DataFrame:
        """Return the impact of removing each node alone, indexed by node id.

        Columns :data:`NODE_SWEEP_COLUMNS`; ``sinks_cut_off`` and ``sources_stranded`` are
        counts. Max flows come from the snapshot's batched, parallel sweep (nodes that
        carry no flow lose nothing and are not re-solved); cut-off counts from one
        dominator tree each way.
        """
        snap = self.snapshot
        loss = flow_loss(snap, elements="nodes", progress=progress)
        node_ok, edge_ok = _impact.live(snap)
        sinks, sources = _impact.dominated_counts(snap, node_ok, edge_ok)
        before = self.max_flow
        lost = loss.to_numpy()
        if math.isfinite(before):
            after = before - lost
        else:  # unlimited: the few removals that make it finite are solved one by one
            after = np.full(len(lost), math.inf)
            for i in np.flatnonzero(np.isinf(lost)):
                after[i] = snap.max_flow_value(removed_nodes=np.array([i]))
        pct = 100.0 * lost / before if math.isfinite(before) and before > 0 else np.nan
        return pd.DataFrame({
            "name": list(snap.node_name), "type": list(snap.node_type),
            "max_flow_after": after, "flow_loss": lost, "flow_loss_pct": pct,
            "sinks_cut_off": sinks, "sources_stranded": sources,
        }, index=pd.Index(list(snap.nodes), name="node"))


def what_if(G: nx.MultiDiGraph | Snapshot, remove: Iterable[str] = (), *,
            degrade: Mapping[str, float] | None = None, sources: EndpointSpec = None,
            sinks: EndpointSpec = None, name: str = "what-if", horizon: float | None = None) -> Impact:
    """Return the impact of one scenario given as ids or selectors (compiles ``G`` each call).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("f", type="manufacturing"); G.add_node("a", type="assembly")
    >>> G.add_edge("f", "a", key="r", capacity=4.0, length=1000)
    'r'
    >>> what_if(G, degrade={"r": 0.25}).max_flow_after
    1.0
    """
    w = WhatIf(G, sources, sinks, horizon=horizon)
    return w.evaluate(w.scenario(name, remove=remove, degrade=degrade))


def sweep(G: nx.MultiDiGraph | Snapshot, scenarios: Sequence[Scenario], *, sources: EndpointSpec = None,
          sinks: EndpointSpec = None, horizon: float | None = None) -> pd.DataFrame:
    """Return :meth:`WhatIf.sweep` of ``scenarios`` over ``G``."""
    return WhatIf(G, sources, sinks, horizon=horizon).sweep(scenarios)


def sweep_nodes(G: nx.MultiDiGraph | Snapshot, *, sources: EndpointSpec = None, sinks: EndpointSpec = None,
                progress: Progress | None = None) -> pd.DataFrame:
    """Return :meth:`WhatIf.sweep_nodes` of ``G``: every node removed alone."""
    return WhatIf(G, sources, sinks).sweep_nodes(progress=progress)
