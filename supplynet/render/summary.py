"""Render the network at a glance (:func:`supplynet.analysis.summary.network_summary`) for ``info``."""

from __future__ import annotations

from typing import Any

from supplynet.render.encode import dumps
from supplynet.render.formats import pick_writer
from supplynet.render.numbers import format_number

__all__ = ["FORMATS", "format_summary"]

#: Output formats of :func:`format_summary`.
FORMATS = ("text", "json")


def format_summary(summary: dict[str, Any], fmt: str = "text") -> str:
    """Return the summary as ``"text"`` for a terminal or as ``"json"``.

    Raises
    ------
    supplynet.OutputError
        ``fmt`` is not one of :data:`FORMATS`.

    Examples
    --------
    >>> s = {"name": None, "source": "x.geojson", "description": None, "nodes": 0, "edges": 0,
    ...      "node_types": {}, "edge_modes": {}, "countries": {}, "border_edges": 0, "sources": [],
    ...      "sinks": [], "total_length_km": 1234.56, "bbox": None, "components": 0,
    ...      "source_reaches_sink": False}
    >>> print(format_summary(s).splitlines()[7])
    length       1,234.6 km of edges
    """
    return pick_writer(_WRITERS, fmt, "summary")(summary)


def _json(summary: dict[str, Any]) -> str:
    return dumps(summary) + "\n"


def _text(s: dict[str, Any]) -> str:
    lines = [f"network      {s['name'] or '(unnamed)'}  ({s['source']})"]
    if s["description"]:
        lines.append(f"description  {s['description']}")
    lines.append(f"nodes        {s['nodes']}: " + _counts(s["node_types"]))
    lines.append(f"edges        {s['edges']}: " + _counts(s["edge_modes"]))
    lines.append("countries    " + _counts(s["countries"]))
    lines.append(f"border edges {s['border_edges']}")
    lines.append(f"sources      {len(s['sources'])} (type=manufacturing): " + (", ".join(s["sources"]) or "none"))
    lines.append(f"sinks        {len(s['sinks'])} (type=assembly): " + (", ".join(s["sinks"]) or "none"))
    lines.append(f"length       {format_number(float(s['total_length_km']), ' km', decimals=1)} of edges")
    if s["bbox"]:
        w, so, e, n = (format_number(float(v), decimals=2) for v in s["bbox"])
        lines.append(f"extent       lon {w} .. {e}, lat {so} .. {n}")
    lines.append(f"components   {s['components']} weakly connected")
    reach = "yes" if s["source_reaches_sink"] else "NO: no source reaches any sink"
    lines.append(f"connected    {reach}")
    return "\n".join(lines) + "\n"


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counter.items()) or "none"


_WRITERS = {"text": _text, "json": _json}
