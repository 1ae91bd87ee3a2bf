"""Render a :class:`supplynet.analysis.report.Report` as text, Markdown, JSON or CSV.

Numbers are written by :mod:`supplynet.render.numbers` (10 significant digits in JSON and
CSV), keys and rows are sorted, and nothing depends on the clock (unless the report carries a
``generated_at`` time, which ``--timestamp`` asks for), so equal inputs give equal bytes.

Every format carries the report's provenance (:meth:`supplynet.analysis.report.Report.provenance`):
the supplynet version, the input's SHA-256, the sources and sinks used and the parameters.
JSON has them as top-level keys, text and Markdown in the heading, and CSV as ``meta``
rows at the top of the table (``kind`` = ``meta``, ``id`` = the key, ``name`` = the value),
so the file stays one rectangular table any CSV reader parses.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from supplynet._perf import paused_gc
from supplynet.render.encode import json_pieces, records, row_texts
from supplynet.render.formats import pick_writer
from supplynet.render.numbers import MISSING, format_number
from supplynet.render.tables import csv_text, markdown_table, md_cell, text_table

if TYPE_CHECKING:
    from supplynet.analysis.report import Report

__all__ = ["FORMATS", "format_report", "report_pieces", "to_text", "to_markdown", "to_json", "to_csv",
           "json_chunks", "meta_items"]

#: Output formats of :func:`format_report`.
FORMATS = ("text", "markdown", "json", "csv")

_NODE_COLS = ("name", "type", "country", "capacity", "cost", "interdictable", "flow", "betweenness",
              "supply_betweenness", "flow_loss", "flow_loss_pct", "flow_loss_reason")
_EDGE_COLS = ("source", "target", "mode", "country", "capacity", "length_km", "cost", "interdictable",
              "crosses_border", "flow", "betweenness", "supply_betweenness", "flow_loss", "flow_loss_pct",
              "flow_loss_reason")


def format_report(report: Report, fmt: str = "text") -> str:
    """Return the report rendered as ``text``, ``markdown``, ``json`` or ``csv``.

    Raises
    ------
    supplynet.OutputError
        ``fmt`` is not one of :data:`FORMATS`.
    """
    return "".join(report_pieces(report, fmt))


def report_pieces(report: Report, fmt: str = "text") -> list[str]:
    """Return :func:`format_report` in pieces, to write a large report without joining it.

    JSON comes in many pieces (:func:`json_chunks`: 100 MB at 100,000 nodes); the other
    formats in one.
    """
    if fmt == "json":
        return json_chunks(report)
    return [pick_writer(_WRITERS, fmt, "report")(report)]


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
    if r.generated_at is not None:
        items.append(("generated_at", r.generated_at))
    return [(k, "" if v is None else str(v)) for k, v in items]


def to_csv(r: Report) -> str:
    """Return one CSV table of every node and edge (``kind`` tells which) with its metrics.

    The provenance comes first as ``meta`` rows (see the module docstring).
    """
    with paused_gc():
        return _csv(r)


def _csv(r: Report) -> str:
    cols = ["kind", "id", "name", "type", "mode", "source", "target", "country", "capacity", "cost",
            "interdictable", "length_km", "flow", "betweenness", "supply_betweenness", "flow_loss",
            "flow_loss_pct", "rank"]
    ranks = {(k, i): n for k, i, n in zip(r.points["kind"], r.points["id"], r.points["rank"])}

    def rows() -> Any:
        for key, value in meta_items(r):
            yield ["meta", key, value] + [None] * (len(cols) - 3)
        for kind, df in (("node", r.nodes), ("edge", r.edges)):
            for rec in records(df, tuple(cols)):
                rec.update(kind=kind, rank=ranks.get((kind, rec["id"])))
                yield [rec.get(c) for c in cols]

    return csv_text(cols, rows())


# --- text and Markdown -------------------------------------------------------------------

def _label(value: Any) -> str:
    """Return text for a table cell: ``-`` for a missing value (None, NaN, NA)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return str(value)


def _cut_nodes(r: Report) -> list[list[str]]:
    """Return id, name, type and country of each node of the min node cut (one lookup, not one a cell)."""
    ids = list(r.min_node_cut["nodes"])
    table = r.nodes.reindex(ids)[["name", "type", "country"]]
    return [[n, *map(_label, row)] for n, row in zip(ids, table.itertuples(index=False))]


def _summary(r: Report) -> str:
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
        text += (f"; interdicting {len(r.min_node_cut['nodes'])} node(s) ({', '.join(r.min_node_cut['nodes'])}) "
                 f"at a cost of {format_number(r.min_node_cut['cost'])} does the same")
    text += "."
    if not r.points.empty:
        best = r.points.iloc[0]
        text += (f" The single most damaging point is {best['name']} ({best['kind']} {best['id']}, "
                 f"{best['type']}): {best['reason']}.")
    return text


def _point_rows(r: Report) -> list[list[str]]:
    return [[str(p["rank"]), p["kind"], p["id"], _label(p["name"]), _label(p["type"]), _label(p["country"]),
             format_number(p["flow_loss"]), format_number(p["flow_loss_pct"], "%"),
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
    return "; ".join(words)


def _heading(r: Report) -> list[str]:
    net = r.network
    lines = [f"supplynet {r.version} interdiction report: {net['name'] or net['source']}"]
    if net.get("description"):
        lines.append(net["description"])
    lines.append(f"input: {net['source']}, {net['nodes']} nodes, {net['edges']} edges")
    lines.append(f"sha256: {net['sha256'] or '-'}")
    lines.append(f"sources ({len(r.sources)}): {', '.join(r.sources) or 'none'}")
    lines.append(f"sinks ({len(r.sinks)}): {', '.join(r.sinks) or 'none'}")
    lines.append(f"parameters: {_parameters(r)}")
    if r.generated_at is not None:
        lines.append(f"generated: {r.generated_at}")
    return lines


def to_text(r: Report) -> str:
    """Return the report as terminal text: heading, cuts, ranked points, summary, notes."""
    lines = _heading(r) + ["", f"MAX FLOW  {format_number(r.max_flow)} units per period"]
    ecut = r.min_edge_cut
    lines += ["", f"MIN EDGE CUT  capacity {format_number(ecut['capacity'])}, {len(ecut['edges'])} edge(s)"]
    lines += [f"  {e['id']:<14} {e['source']} -> {e['target']}  capacity {format_number(e['capacity'])}"
              for e in ecut["edges"]]
    ncut = r.min_node_cut
    lines += ["", f"MIN NODE CUT  cost {format_number(ncut['cost'])}, {len(ncut['nodes'])} node(s)"]
    lines += [f"  {n:<14} {name} ({kind}, {country})" for n, name, kind, country in _cut_nodes(r)]
    lines += ["", f"TOP {len(r.points)} INTERDICTION POINTS"]
    lines += text_table(_POINT_HEAD, _point_rows(r), free_last=True)
    lines += ["", "SUMMARY", _summary(r)]
    if r.notes:
        lines += ["", "NOTES"] + [f"- {n}" for n in r.notes]
    return "\n".join(lines) + "\n"


def to_markdown(r: Report) -> str:
    """Return the report as Markdown, for pasting into a document."""
    head = _heading(r)
    lines = [f"# {md_cell(head[0])}", ""]
    if r.network.get("description"):
        lines += [md_cell(head.pop(1)), ""]
    for line in head[1:]:
        key, _, value = line.partition(": ")
        lines.append(f"- **{md_cell(key)}:** {md_cell(value)}")
    lines += ["", "## Summary", "", _summary(r), "",
              f"**Max flow:** {format_number(r.max_flow)} units per period", ""]
    ecut = r.min_edge_cut
    lines += [f"## Min edge cut (capacity {format_number(ecut['capacity'])})", ""]
    lines += markdown_table(["edge", "from", "to", "capacity"],
                            [[e["id"], e["source"], e["target"], format_number(e["capacity"])] for e in ecut["edges"]])
    ncut = r.min_node_cut
    lines += ["", f"## Min node cut (cost {format_number(ncut['cost'])})", ""]
    lines += markdown_table(["node", "name", "type", "country"], _cut_nodes(r))
    lines += ["", "## Top interdiction points", ""] + markdown_table(_POINT_HEAD, _point_rows(r))
    if r.notes:
        lines += ["", "## Notes", ""] + [f"- {md_cell(n)}" for n in r.notes]
    return "\n".join(lines) + "\n"


_WRITERS = {"text": to_text, "markdown": to_markdown, "json": to_json, "csv": to_csv}
