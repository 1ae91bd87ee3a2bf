"""Render a :class:`supplynet.analysis.report.Report` as text, Markdown, JSON or CSV.

Numbers are written by :mod:`supplynet.numbers` (10 significant digits in JSON and
CSV), keys and rows are sorted, and nothing depends on the clock (unless the report carries a
``generated_at`` time, which ``--timestamp`` asks for), so equal inputs give equal bytes.

Every format carries the report's provenance (:meth:`supplynet.analysis.report.Report.provenance`):
the supplynet version, the input's SHA-256, the sources and sinks used and the parameters.
JSON has them as top-level keys and text and Markdown in the heading. CSV is one plain
table a spreadsheet opens as it is, chosen by ``table`` (:data:`CSV_TABLES`): the nodes,
the edges, the ranked interdiction points, or the provenance as ``key,value`` rows.

Text and Markdown stay readable on any network: lists that grow with it (sources, sinks,
cut edges and nodes) show their first few and ``... and N more`` (all of them with
``full``); JSON and CSV hold everything.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from supplynet._perf import paused_gc
from supplynet.render.encode import json_pieces, records, row_texts
from supplynet.render.formats import pick_writer
from supplynet.numbers import MISSING, format_number, format_percent
from supplynet.render.safe import terminal_text
from supplynet.render.tables import (LINES_LIMIT, LIST_LIMIT, csv_text, markdown_table, md_cell, short_list, short_runs,
                                     text_table)

if TYPE_CHECKING:
    from supplynet.analysis.report import Report

__all__ = ["FORMATS", "CSV_TABLES", "format_report", "report_pieces", "to_text", "to_markdown", "to_json",
           "to_csv", "json_chunks", "meta_items"]

#: Output formats of :func:`format_report`.
FORMATS = ("text", "markdown", "json", "csv")
#: The tables ``csv`` can hold, one at a time.
CSV_TABLES = ("nodes", "edges", "points", "provenance")

_NODE_COLS = ("name", "type", "country", "capacity", "cost", "interdictable", "flow", "betweenness",
              "supply_betweenness", "flow_loss", "flow_loss_pct", "flow_loss_reason")
_EDGE_COLS = ("source", "target", "mode", "country", "capacity", "length_km", "cost", "interdictable",
              "crosses_border", "flow", "betweenness", "supply_betweenness", "flow_loss", "flow_loss_pct",
              "flow_loss_reason")


def format_report(report: Report, fmt: str = "text", *, full: bool = False, table: str = "nodes") -> str:
    """Return the report rendered as ``text``, ``markdown``, ``json`` or ``csv``.

    Parameters
    ----------
    report : Report
    fmt : str
        One of :data:`FORMATS`.
    full : bool
        Text and Markdown: list every source, sink and cut element (default: the first
        few, then how many more).
    table : str
        CSV: which table (:data:`CSV_TABLES`).

    Raises
    ------
    supplynet.OutputError
        ``fmt`` is not one of :data:`FORMATS`, or ``table`` not one of :data:`CSV_TABLES`.
    """
    return "".join(report_pieces(report, fmt, full=full, table=table))


def report_pieces(report: Report, fmt: str = "text", *, full: bool = False, table: str = "nodes") -> list[str]:
    """Return :func:`format_report` in pieces, to write a large report without joining it.

    JSON comes in many pieces (:func:`json_chunks`: 100 MB at 100,000 nodes); the other
    formats in one.
    """
    if fmt == "json":
        return json_chunks(report)
    if fmt == "csv":
        return [to_csv(report, pick_writer({t: t for t in CSV_TABLES}, table, "report CSV table"))]
    return [pick_writer(_WRITERS, fmt, "report")(report, full=full)]


def _head(r: Report) -> dict[str, Any]:
    """Return the report's keys other than the tables (made JSON-ready by the encoder)."""
    return {
        **r.provenance(),
        "max_flow": r.max_flow,
        "unlimited_path": r.unlimited_path,
        "bottleneck_nodes": r.bottleneck_nodes,
        "min_edge_cut": r.min_edge_cut,
        "min_node_cut": r.min_node_cut,
        "notes": r.notes,
    }


def _tables(r: Report) -> dict[str, tuple[pd.DataFrame, tuple[str, ...]]]:
    """Return each row key's table and the columns it writes."""
    points = r.points.set_index("id")
    return {"interdiction_points": (points, tuple(points.columns)),
            "nodes": (r.nodes, _NODE_COLS), "edges": (r.edges, _EDGE_COLS)}


def json_chunks(r: Report) -> list[str]:
    """Return :func:`to_json` in pieces, for writing a large report without joining it."""
    with paused_gc():
        rows = {key: row_texts(df, cols) for key, (df, cols) in _tables(r).items()}
        return json_pieces(_head(r), rows)


def to_json(r: Report) -> str:
    """Return the report as one JSON object (sorted keys, null for unlimited, a record a line)."""
    return "".join(json_chunks(r))


def meta_items(r: Report) -> list[tuple[str, str]]:
    """Return the report's provenance as flat ``(key, text)`` pairs, in a fixed order.

    Lists are joined with commas; missing values are empty strings.
    """
    bet = r.parameters["betweenness"]
    items = [
        ("supplynet_version", r.version),
        ("input", r.network.get("source")),
        ("input_sha256", r.network.get("sha256")),
        ("sources", ",".join(r.sources)),
        ("sinks", ",".join(r.sinks)),
        ("source_selector", r.parameters.get("source_selector")),
        ("sink_selector", r.parameters.get("sink_selector")),
        ("top", r.parameters["top"]),
        ("betweenness_method", bet["method"]),
        ("betweenness_k", bet.get("k")),
        ("betweenness_seed", bet.get("seed")),
    ]
    supply = r.parameters.get("supply_betweenness")
    if supply:  # only when sampled, as in the JSON
        items += [("supply_betweenness_method", supply["method"]), ("supply_betweenness_k", supply["k"]),
                  ("supply_betweenness_seed", supply["seed"]),
                  ("supply_betweenness_sources", supply["sources"])]
    if r.generated_at is not None:
        items.append(("generated_at", r.generated_at))
    return [(k, "" if v is None else str(v)) for k, v in items]


#: Columns of the CSV node and edge tables (``rank``: among the interdiction points, else empty).
_CSV_NODE_COLS = ("id", "name", "type", "country", "capacity", "cost", "interdictable", "flow", "betweenness",
                  "supply_betweenness", "flow_loss", "flow_loss_pct", "rank")
_CSV_EDGE_COLS = ("id", "source", "target", "mode", "country", "capacity", "length_km", "cost", "interdictable",
                  "flow", "betweenness", "supply_betweenness", "flow_loss", "flow_loss_pct", "rank")


def to_csv(r: Report, table: str = "nodes") -> str:
    """Return one table of the report as CSV: ``nodes``, ``edges``, ``points`` or ``provenance``.

    Each is a plain rectangle, one header line then one row per node, edge, point or
    provenance item (``key,value``), so a spreadsheet or ``pandas.read_csv`` reads it as
    it is; the nodes and edges tables carry each element's ``rank`` among the
    interdiction points (empty when unranked).
    """
    with paused_gc():
        if table == "provenance":
            return csv_text(["key", "value"], meta_items(r))
        if table == "points":
            cols = ("rank", "kind", *(c for c in r.points.columns if c not in ("rank", "kind", "id")))
            head = ["rank", "kind", "id", *cols[2:]]
            return csv_text(head, ([rec[c] for c in head] for rec in records(r.points.set_index("id"), cols)))
        kind, df, cols = {"nodes": ("node", r.nodes, _CSV_NODE_COLS),
                          "edges": ("edge", r.edges, _CSV_EDGE_COLS)}[table]
        ranks = {i: n for k, i, n in zip(r.points["kind"], r.points["id"], r.points["rank"]) if k == kind}

        def rows() -> Any:
            for rec in records(df, cols):
                rec["rank"] = ranks.get(rec["id"])
                yield [rec.get(c) for c in cols]

        return csv_text(cols, rows())


# --- text and Markdown -------------------------------------------------------------------

def _label(value: Any) -> str:
    """Return text for a table cell: ``-`` for a missing value (None, NaN, NA)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return str(value)


def _cut_nodes(r: Report, limit: int | None = None) -> list[list[str]]:
    """Return id, name, type and country of each node of the min node cut (the first ``limit``)."""
    ids = list(r.min_node_cut["nodes"])[:limit]
    table = r.nodes.reindex(ids)[["name", "type", "country"]]
    return [[n, *map(_label, row)] for n, row in zip(ids, table.itertuples(index=False))]


def _summary(r: Report, full: bool = False) -> str:
    n_src, n_snk = len(r.sources), len(r.sinks)
    if math.isinf(r.max_flow):
        return (f"From {n_src} source(s) to {n_snk} sink(s) the flow is unlimited: "
                + " ".join(n for n in r.notes if "unlimited" in n))
    if r.max_flow == 0:
        return f"No flow reaches any of the {n_snk} sink(s) from the {n_src} source(s); there is nothing to cut."
    text = (f"From {n_src} source(s) to {n_snk} sink(s) the network moves at most "
            f"{format_number(r.max_flow)} units "
            f"per period. Cutting the {len(r.min_edge_cut['edges'])} edge(s) of the min edge cut "
            f"(capacity {format_number(r.min_edge_cut['capacity'])}) severs every route")
    if r.min_node_cut["nodes"]:
        text += (f"; interdicting {len(r.min_node_cut['nodes'])} node(s) "
                 f"({short_list(r.min_node_cut['nodes'], None if full else LIST_LIMIT)}) "
                 f"at a cost of {format_number(r.min_node_cut['cost'])} does the same")
    text += "."
    if not r.points.empty:
        best = r.points.iloc[0]
        text += (f" The single most damaging point is {best['name']} ({best['kind']} {best['id']}, "
                 f"{best['type']}): {best['reason']}.")
    return text


def _point_rows(r: Report) -> list[list[str]]:
    return [[str(p["rank"]), p["kind"], p["id"], _label(p["name"]), _label(p["type"]), _label(p["country"]),
             format_number(p["flow_loss"]), format_percent(p["flow_loss_pct"], decimals=1),
             format_number(p["supply_betweenness"]), p["reason"]]
            for _, p in r.points.iterrows()]


_POINT_HEAD = ["rank", "kind", "id", "name", "type", "country", "flow loss", "loss %", "supply btw", "why"]


def _parameters(r: Report) -> str:
    bet = r.parameters["betweenness"]
    words = [f"top {r.parameters['top']}"]
    for key in ("source_selector", "sink_selector"):
        if r.parameters.get(key):
            words.append(f"--{key.split('_')[0]}s {r.parameters[key]}")
    if bet["method"] == "sampled":
        words.append(f"betweenness sampled from {bet['k']} sources (seed {bet['seed']})")
    else:
        words.append("betweenness exact")
    supply = r.parameters.get("supply_betweenness")
    if supply:
        words.append(f"supply betweenness sampled from {supply['k']:,} of {supply['sources']:,} sources "
                     f"(seed {supply['seed']})")
    return "; ".join(words)


def _heading(r: Report, full: bool = False) -> list[str]:
    limit = None if full else LIST_LIMIT
    net = r.network
    lines = [f"supplynet {r.version} interdiction report: {net['name'] or net['source']}"]
    if net.get("description"):
        lines.append(net["description"])
    lines.append(f"input: {net['source']}, {net['nodes']} nodes, {net['edges']} edges")
    lines.append(f"sha256: {net['sha256'] or '-'}")
    lines.append(f"sources ({len(r.sources)}): {short_list(r.sources, limit)}")
    lines.append(f"sinks ({len(r.sinks)}): {short_list(r.sinks, limit)}")
    lines.append(f"parameters: {_parameters(r)}")
    if r.generated_at is not None:
        lines.append(f"generated: {r.generated_at}")
    return lines


def _cut_edges(r: Report, limit: int | None) -> list[dict[str, Any]]:
    return r.min_edge_cut["edges"][:limit]


def to_text(r: Report, *, full: bool = False) -> str:
    """Return the report as terminal text: heading, cuts, ranked points, summary, notes.

    Control characters from the input are written as escapes
    (:func:`~supplynet.render.safe.terminal_text`).
    """
    limit = None if full else LINES_LIMIT
    lines = _heading(r, full) + ["", f"MAX FLOW  {format_number(r.max_flow)} units per period"]
    ecut = r.min_edge_cut
    lines += ["", f"MIN EDGE CUT  capacity {format_number(ecut['capacity'])}, {len(ecut['edges'])} edge(s)"]
    lines += _more([f"  {e['id']:<14} {e['source']} -> {e['target']}  capacity {format_number(e['capacity'])}"
                    for e in _cut_edges(r, limit)], len(ecut["edges"]), limit)
    ncut = r.min_node_cut
    lines += ["", f"MIN NODE CUT  cost {format_number(ncut['cost'])}, {len(ncut['nodes'])} node(s)"]
    lines += _more([f"  {n:<14} {name} ({kind}, {country})" for n, name, kind, country in _cut_nodes(r, limit)],
                   len(ncut["nodes"]), limit)
    lines += ["", f"TOP {len(r.points)} INTERDICTION POINTS"]
    lines += text_table(_POINT_HEAD, _point_rows(r), free_last=True)
    lines += ["", "SUMMARY", _summary(r, full)]
    if r.notes:
        lines += ["", "NOTES"] + [f"- {short_runs(n, None if full else LIST_LIMIT)}" for n in r.notes]
    return terminal_text("\n".join(lines) + "\n")


def _more(lines: list[str], total: int, limit: int | None) -> list[str]:
    """Return ``lines`` (the first ``limit`` of ``total``), then ``... and N more`` if some were left out."""
    if limit is None or total <= limit:
        return lines
    return lines[:limit] + [f"  ... and {total - limit:,} more (in JSON and CSV, or with --full)"]


def to_markdown(r: Report, *, full: bool = False) -> str:
    """Return the report as Markdown, for pasting into a document (every input string escaped)."""
    limit = None if full else LINES_LIMIT
    head = _heading(r, full)
    lines = [f"# {md_cell(head[0])}", ""]
    if r.network.get("description"):
        lines += [md_cell(head.pop(1)), ""]
    for line in head[1:]:
        key, _, value = line.partition(": ")
        lines.append(f"- **{md_cell(key)}:** {md_cell(value)}")
    lines += ["", "## Summary", "", md_cell(_summary(r, full)), "",
              f"**Max flow:** {format_number(r.max_flow)} units per period", ""]
    ecut = r.min_edge_cut
    lines += [f"## Min edge cut (capacity {format_number(ecut['capacity'])})", ""]
    lines += markdown_table(["edge", "from", "to", "capacity"],
                            [[e["id"], e["source"], e["target"], format_number(e["capacity"])]
                             for e in _cut_edges(r, limit)])
    lines += _md_more(len(ecut["edges"]), limit)
    ncut = r.min_node_cut
    lines += ["", f"## Min node cut (cost {format_number(ncut['cost'])})", ""]
    lines += markdown_table(["node", "name", "type", "country"], _cut_nodes(r, limit))
    lines += _md_more(len(ncut["nodes"]), limit)
    lines += ["", "## Top interdiction points", ""] + markdown_table(_POINT_HEAD, _point_rows(r))
    if r.notes:
        lines += ["", "## Notes", ""] + [f"- {md_cell(short_runs(n, None if full else LIST_LIMIT))}" for n in r.notes]
    return "\n".join(lines) + "\n"


def _md_more(total: int, limit: int | None) -> list[str]:
    if limit is None or total <= limit:
        return []
    return ["", f"... and {total - limit:,} more (in JSON and CSV, or with --full)"]


_WRITERS = {"text": to_text, "markdown": to_markdown}
