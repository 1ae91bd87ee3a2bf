"""Render the network at a glance (:func:`supplynet.analysis.summary.network_summary`) for ``info``."""

from __future__ import annotations

from typing import Any

from supplynet.render.encode import dumps
from supplynet.render.formats import pick_writer
from supplynet.numbers import format_number
from supplynet.render.safe import terminal_text
from supplynet.render.tables import LIST_LIMIT, short_list

__all__ = ["FORMATS", "format_summary"]

#: Output formats of :func:`format_summary`.
FORMATS = ("text", "json")


def format_summary(summary: dict[str, Any], fmt: str = "text", *, full: bool = False) -> str:
    """Return the summary as ``"text"`` for a terminal or as ``"json"``.

    Text lists the first sources, sinks and countries, then how many more (all with
    ``full``; JSON always), with control characters escaped.

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
    return pick_writer(_WRITERS, fmt, "summary")(summary, None if full else LIST_LIMIT)


def _json(summary: dict[str, Any], limit: int | None = None) -> str:
    return dumps(summary) + "\n"


def _text(s: dict[str, Any], limit: int | None = LIST_LIMIT) -> str:
    lines = [f"network      {s['name'] or '(unnamed)'}  ({s['source']})"]
    if s["description"]:
        lines.append(f"description  {s['description']}")
    lines.append(f"nodes        {s['nodes']}: " + _counts(s["node_types"], limit))
    lines.append(f"edges        {s['edges']}: " + _counts(s["edge_modes"], limit))
    lines.append("countries    " + _counts(s["countries"], limit))
    lines.append(f"border edges {s['border_edges']}")
    lines.append(f"sources      {len(s['sources'])} (type=manufacturing): " + short_list(list(s["sources"]), limit))
    lines.append(f"sinks        {len(s['sinks'])} (type=assembly): " + short_list(list(s["sinks"]), limit))
    lines.append(f"length       {format_number(float(s['total_length_km']), ' km', decimals=1)} of edges")
    if s["bbox"]:
        w, so, e, n = (format_number(float(v), decimals=2) for v in s["bbox"])
        lines.append(f"extent       lon {w} .. {e}, lat {so} .. {n}")
    lines.append(f"components   {s['components']} weakly connected")
    reach = "yes" if s["source_reaches_sink"] else "NO: no source reaches any sink"
    lines.append(f"connected    {reach}")
    return terminal_text("\n".join(lines) + "\n")


def _counts(counter: dict[str, int], limit: int | None) -> str:
    return short_list([f"{k} {v}" for k, v in counter.items()], limit)


_WRITERS = {"text": _text, "json": _json}
