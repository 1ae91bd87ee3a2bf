"""supplynet: find where a supply network drawn as GeoJSON is weakest.

Read a network file into a :class:`networkx.MultiDiGraph`, analyse it for interdiction
points (max flow, min cuts, centralities, what-if removal, budgeted plans) and report on
it as text, JSON, maps and GIS layers. The heavier modules (maps, plans, export) are
imported on first use, so ``import supplynet`` and the command line stay quick.

The package is laid out as the data flow (``docs/design.md``): ``io`` (read, validate,
write) -> ``network`` (graph, geography, selectors, scenarios) -> ``engine`` (the compiled
snapshot and its kernels) -> ``analysis`` -> ``render`` -> ``maps`` -> ``cli``.
"""

import importlib as _importlib

from supplynet._errors import (
    AnalysisError,
    NetworkReadError,
    NetworkValidationError,
    OutputError,
    ScenarioError,
    SelectorError,
    SupplynetError,
)
from supplynet._version import __version__
from supplynet.analysis.centrality import (
    betweenness,
    edge_betweenness,
    edge_supply_betweenness,
    supply_betweenness,
)
from supplynet.analysis.flow import flow_loss, max_flow, min_edge_cut, min_node_cut
from supplynet.analysis.report import Report, analyse
from supplynet.analysis.summary import network_summary
from supplynet.analysis.whatif import Impact, WhatIf, sweep, sweep_nodes, what_if
from supplynet.engine.snapshot import Snapshot, compile_network
from supplynet.io.validate import ValidationReport
from supplynet.network.graph import graph_from_gdfs, graph_to_gdfs, load_network, read_gdfs, read_network
from supplynet.network.scenarios import Scenario, load_scenarios, make_scenario
from supplynet.render.report import format_report

# Public names that live in modules too heavy to import eagerly (folium, the MILP).
_LAZY = {
    "MapResults": "supplynet.maps.render",
    "write_map": "supplynet.maps.render",
    "render_map": "supplynet.maps.render",
    "Plan": "supplynet.analysis.plan",
    "Comparison": "supplynet.analysis.plan",
    "plan_interdiction": "supplynet.analysis.plan",
    "plan_curve": "supplynet.analysis.plan",
    "compare_methods": "supplynet.analysis.plan",
    "UncertaintyReport": "supplynet.analysis.uncertainty",
    "evaluate_uncertainty": "supplynet.analysis.uncertainty",
    "format_uncertainty": "supplynet.render.uncertainty",
    "Campaign": "supplynet.analysis.campaign",
    "campaign": "supplynet.analysis.campaign",
    "Layers": "supplynet.render.layers",
    "export_layers": "supplynet.render.layers",
    "result_layers": "supplynet.render.layers",
    "write_layers": "supplynet.render.layers",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'supplynet' has no attribute {name!r}")
    return getattr(_importlib.import_module(module), name)


__all__ = [
    "__version__",
    "AnalysisError",
    "Impact",
    "NetworkReadError",
    "NetworkValidationError",
    "OutputError",
    "Report",
    "Scenario",
    "ScenarioError",
    "SelectorError",
    "Snapshot",
    "SupplynetError",
    "ValidationReport",
    "WhatIf",
    "analyse",
    "betweenness",
    "compile_network",
    "edge_betweenness",
    "edge_supply_betweenness",
    "flow_loss",
    "format_report",
    "graph_from_gdfs",
    "graph_to_gdfs",
    "load_network",
    "load_scenarios",
    "make_scenario",
    "max_flow",
    "min_edge_cut",
    "min_node_cut",
    "network_summary",
    "read_gdfs",
    "read_network",
    "supply_betweenness",
    "sweep",
    "sweep_nodes",
    "what_if",
    *_LAZY,
]


def __dir__() -> list[str]:
    return sorted(__all__)
