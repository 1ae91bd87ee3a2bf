"""Render what-if impacts side by side as text, Markdown, JSON or CSV.

Numbers are written by :mod:`supplynet.numbers` (10 significant digits in JSON and
CSV, as the report), keys are sorted and nothing depends on the clock, so equal inputs give
equal bytes. Unlimited and undefined figures are ``null`` in JSON, empty in CSV.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from supplynet._version import __version__
from supplynet.analysis.whatif import Impact, WhatIf
from supplynet.render.encode import dumps, json_ready
from supplynet.render.formats import pick_writer
from supplynet.numbers import format_number, format_percent
from supplynet.render.safe import terminal_text
from supplynet.render.tables import LIST_LIMIT, csv_text, markdown_table, md_cell, short_list, text_table

__all__ = ["FORMATS", "format_whatif", "whatif_dict", "impact_dict"]

#: Output formats of :func:`format_whatif`.
FORMATS = ("text", "markdown", "json", "csv")

_CSV_COLUMNS = ("name", "removed", "degraded", "max_flow_before", "max_flow_after", "flow_loss",
                "flow_loss_pct", "sinks_cut_off", "sources_stranded", "route_km_before", "route_km_after",
                "detour_km", "min_edge_cut_capacity", "min_edge_cut", "top_nodes", "flow_days_denied")


def impact_dict(impact: Impact) -> dict[str, Any]:
    """Return one scenario's JSON object: :meth:`Impact.to_dict`, made JSON-ready.

    The horizon is left out: the document gives it once, as ``horizon_days``.
    """
    doc = impact.to_dict()
    del doc["horizon_days"]
    return json_ready(doc)


def whatif_dict(w: WhatIf, impacts: Sequence[Impact]) -> dict[str, Any]:
    """Return the ``--format json`` object: provenance, endpoints and one entry per scenario."""
    G = w.graph
    return json_ready({
        "supplynet_version": __version__,
        "network": {"name": G.graph.get("name"), "source": G.graph.get("source"),
                    "sha256": G.graph.get("sha256"), "nodes": G.number_of_nodes(),
                    "edges": G.number_of_edges()},
        "sources": w.sources, "sinks": w.sinks, "horizon_days": w.horizon,
        "max_flow": w.max_flow,
        "scenarios": [impact_dict(i) for i in impacts],
    })


def _ids(ids: Sequence[str], limit: int | None = LIST_LIMIT) -> str:
    return short_list(list(ids), limit)


def _rows(impacts: Sequence[Impact]) -> list[list[str]]:
    """Return the side-by-side table: one row per figure, one column per scenario."""
    figures = [
        ("removed", lambda i: str(len(i.removed))),
        ("degraded", lambda i: str(len(i.degraded))),
        ("max flow before", lambda i: format_number(i.max_flow_before)),
        ("max flow after", lambda i: format_number(i.max_flow_after)),
        ("flow loss", lambda i: format_number(i.flow_loss)),
        ("flow loss %", lambda i: format_percent(i.flow_loss_pct, decimals=1)),
        ("sinks cut off", lambda i: str(len(i.sinks_cut_off))),
        ("sources stranded", lambda i: str(len(i.sources_stranded))),
        ("route km before", lambda i: format_number(i.route_km_before)),
        ("route km after", lambda i: format_number(i.route_km_after) if i.route_km_after is not None else "no route"),
        ("detour km", lambda i: format_number(i.detour_km)),
        ("min edge cut", lambda i: format_number(i.min_edge_cut.capacity)),
        ("flow-days denied", lambda i: format_number(i.flow_days_denied)),
    ]
    return [[label, *(get(i) for i in impacts)] for label, get in figures]


def _details(i: Impact, limit: int | None) -> list[str]:
    degraded = _ids([f"{i.label(k, ident)} x{format_number(v)}" for (k, ident), v in i.degraded.items()], limit)
    lines = [f"removed: {_ids(i.removed, limit)}"]
    if i.degraded:
        lines.append(f"degraded: {degraded}")
    lines += [f"sinks cut off: {_ids(i.sinks_cut_off, limit)}",
              f"sources stranded: {_ids(i.sources_stranded, limit)}",
              f"new min edge cut ({format_number(i.min_edge_cut.capacity)}): {_ids(i.min_edge_cut.edges, limit)}",
              "carrying most flow: " + (", ".join(f"{n} ({format_number(f)})" for n, f in i.top_nodes) or "none")]
    return lines + [f"note: {n}" for n in i.notes]


def _heading(w: WhatIf, limit: int | None) -> list[str]:
    G = w.graph
    name = G.graph.get("name") or G.graph.get("source") or "network"
    sha = str(G.graph.get("sha256") or "")
    lines = [f"supplynet {__version__} what-if: {name}",
             f"input: {G.graph.get('source') or '-'} (sha256 {sha[:16]}...), "
             f"{G.number_of_nodes()} nodes, {G.number_of_edges()} edges",
             f"sources ({len(w.sources)}): {_ids(w.sources, limit)}",
             f"sinks ({len(w.sinks)}): {_ids(w.sinks, limit)}"]
    if w.horizon is not None:
        lines.append(f"flow-days over a horizon of {format_number(w.horizon)} days")
    return lines


def to_text(w: WhatIf, impacts: Sequence[Impact], *, full: bool = False) -> str:
    """Return the impacts as terminal text: figures side by side, then each scenario's details.

    Lists show their first few (all with ``full``); control characters are escaped.
    """
    limit = None if full else LIST_LIMIT
    lines = _heading(w, limit) + [""]
    lines += text_table(["", *(i.name for i in impacts)], _rows(impacts), align="<>", rule=False)
    for i in impacts:
        lines += ["", f"{i.name.upper()}" + (f": {i.description}" if i.description else "")]
        lines += [f"  {d}" for d in _details(i, limit)]
    return terminal_text("\n".join(lines) + "\n")


def to_markdown(w: WhatIf, impacts: Sequence[Impact], *, full: bool = False) -> str:
    """Return the impacts as Markdown: a side-by-side table, then a section per scenario."""
    limit = None if full else LIST_LIMIT
    head = _heading(w, limit)
    lines = [f"# {md_cell(head[0])}", ""] + [f"{md_cell(h)}  " for h in head[1:]] + [""]
    lines += markdown_table(["", *(i.name for i in impacts)], _rows(impacts), align="<>")
    for i in impacts:
        lines += ["", f"## {md_cell(i.name)}", ""]
        if i.description:
            lines += [md_cell(i.description), ""]
        lines += [f"- {md_cell(d)}" for d in _details(i, limit)]
    return "\n".join(lines) + "\n"


def to_json(w: WhatIf, impacts: Sequence[Impact], *, full: bool = True) -> str:
    """Return the impacts as one JSON object (sorted keys, null for unlimited)."""
    return dumps(whatif_dict(w, impacts)) + "\n"


def to_csv(w: WhatIf, impacts: Sequence[Impact], *, full: bool = True) -> str:
    """Return one CSV row per scenario; lists are joined with ``;``."""
    return csv_text(_CSV_COLUMNS, [_csv_row(i) for i in impacts])


def _csv_row(impact: Impact) -> list[Any]:
    row = json_ready(impact.row())
    row["degraded"] = ";".join(f"{k}={v}" for k, v in row["degraded"].items())
    row["top_nodes"] = ";".join(f"{n}={f}" for n, f in row["top_nodes"])
    for key in ("removed", "sinks_cut_off", "sources_stranded", "min_edge_cut"):
        row[key] = ";".join(row[key])
    return [row[c] for c in _CSV_COLUMNS]


def format_whatif(w: WhatIf, impacts: Sequence[Impact], fmt: str = "text", *, full: bool = False) -> str:
    """Return the impacts in one of :data:`FORMATS`.

    ``full`` lists every id in text and Markdown (JSON and CSV always do).

    Raises
    ------
    supplynet.OutputError
        ``fmt`` is not one of :data:`FORMATS`.
    """
    return pick_writer(_WRITERS, fmt, "what-if")(w, impacts, full=full)


_WRITERS = {"text": to_text, "markdown": to_markdown, "json": to_json, "csv": to_csv}
