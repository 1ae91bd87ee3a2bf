"""Render what ``supplynet validate`` found: one line per warning, then the verdict.

Both are terminal text: control characters from the file are escaped
(:func:`~supplynet.render.safe.terminal_text`).
"""

from __future__ import annotations

from typing import Any

from supplynet.render.safe import terminal_text

__all__ = ["warning_lines", "verdict"]


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def warning_lines(report: Any) -> list[str]:
    """Return each warning of a :class:`~supplynet.io.validate.ValidationReport` as a line."""
    return [terminal_text(f"warning: {msg}") for msg in report.warnings]


def verdict(report: Any, source: str, graph: Any = None) -> str:
    """Return the verdict on a network: valid with its size, or invalid with every problem.

    Parameters
    ----------
    report : ValidationReport
    source : str
        How to name the input.
    graph : networkx.MultiDiGraph, optional
        The network read, when it is valid.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> print(verdict(NS(problems=["feature 0: no id"], warnings=[]), "x.geojson"))
    x.geojson: invalid, 1 problem:
      - feature 0: no id
    """
    if graph is None:
        lines = [f"{source}: invalid, {_count(len(report.problems), 'problem')}:"]
        return terminal_text("\n".join(lines + [f"  - {p}" for p in report.problems]))
    warn = f", {_count(len(report.warnings), 'warning')}" if report.warnings else ""
    return terminal_text(f"{source}: valid, {graph.number_of_nodes()} nodes and {graph.number_of_edges()} edges{warn}")
