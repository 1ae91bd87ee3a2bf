"""supplynet: find where a supply network drawn as GeoJSON is weakest.

Read a network file into a :class:`networkx.MultiDiGraph`, analyse it for interdiction
points (max flow, min cuts, centralities, what-if removal, budgeted plans) and report on
it as text, JSON, maps and GIS layers. The heavier modules (maps, plans) are imported on
first use, so ``import supplynet`` and the command line stay quick.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

from ._errors import (  # noqa: E402  (the version comes first: submodules read it)
    AnalysisError,
    NetworkReadError,
    NetworkValidationError,
    OutputError,
    ScenarioError,
    SelectorError,
    SupplynetError,
)
from .centrality import (  # noqa: E402
    betweenness,
    edge_betweenness,
    edge_supply_betweenness,
    supply_betweenness,
)
from .flow import compile_network, flow_loss, max_flow, min_edge_cut, min_node_cut  # noqa: E402
from .graph import graph_from_gdfs, graph_to_gdfs, load_network, read_gdfs, read_network  # noqa: E402
from .report import Report, analyse, format_report  # noqa: E402
from .scenarios import Scenario, load_scenarios, make_scenario  # noqa: E402
from .summary import network_summary  # noqa: E402
from .validate import ValidationReport  # noqa: E402
from .whatif import Impact, WhatIf, sweep, sweep_nodes, what_if  # noqa: E402

# Public names that live in modules too heavy to import eagerly (folium, the MILP).
_LAZY = {
    "write_map": "maps",
    "render_map": "maps",
    "plan_interdiction": "plan",
    "plan_curve": "plan",
    "compare_methods": "plan",
    "export_layers": "export",
    "result_layers": "export",
    "write_layers": "export",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'supplynet' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


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
