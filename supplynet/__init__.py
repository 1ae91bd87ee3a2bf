"""supplynet: find where a supply network drawn as GeoJSON is weakest.

Read a network file into a :class:`networkx.MultiDiGraph`, analyse it for interdiction
points (max flow, min cuts, centralities, what-if removal) and report on it.
"""

from __future__ import annotations

from ._errors import (
    AnalysisError,
    NetworkReadError,
    NetworkValidationError,
    OutputError,
    ScenarioError,
    SelectorError,
    SupplynetError,
)
from .graph import graph_from_gdfs, graph_to_gdfs, load_network, read_gdfs, read_network
from .summary import network_summary
from .validate import ValidationReport

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "AnalysisError",
    "NetworkReadError",
    "NetworkValidationError",
    "OutputError",
    "ScenarioError",
    "SelectorError",
    "SupplynetError",
    "ValidationReport",
    "graph_from_gdfs",
    "graph_to_gdfs",
    "load_network",
    "network_summary",
    "read_gdfs",
    "read_network",
]
