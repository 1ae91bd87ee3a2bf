"""Render a :class:`supplynet.analysis.report.Report` as text, Markdown, JSON or CSV.

Floats are rounded here and only here (10 significant digits in JSON and CSV), keys and
rows are sorted, and nothing depends on the clock (unless the report carries a
``generated_at`` time, which ``--timestamp`` asks for), so equal inputs give equal bytes.

Every format carries the report's provenance (:meth:`supplynet.analysis.report.Report.provenance`):
the supplynet version, the input's SHA-256, the sources and sinks used and the parameters.
JSON has them as top-level keys, text and Markdown in the heading, and CSV as ``meta``
rows at the top of the table (``kind`` = ``meta``, ``id`` = the key, ``name`` = the value),
so the file stays one rectangular table any CSV reader parses.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from supplynet._perf import paused_gc

if TYPE_CHECKING:
    from supplynet.analysis.report import Report

__all__ = ["to_text", "to_markdown", "to_json", "to_csv", "report_dict", "meta_items", "clean_number",
           "json_ready", "dumps_rows", "json_chunks"]

_NODE_COLS = ("name", "type", "country", "capacity", "cost", "interdictable", "flow", "betweenness",
              "supply_betweenness", "flow_loss", "flow_loss_pct")
_EDGE_COLS = ("source", "target", "mode", "country", "capacity", "length_km", "cost", "interdictable",
              "crosses_border", "flow", "betweenness", "supply_betweenness", "flow_loss", "flow_loss_pct")


def clean_number(value: Any) -> Any:
    """Return a JSON-safe scalar: NaN and infinities become None, floats get 10 significant digits.

    Examples
    --------
    >>> clean_number(float("inf")) is None, clean_number(20.0), clean_number(1 / 3)
    (True, 20, 0.3333333333)
    >>> clean_number(1.7976931348623157e308)  # would round up past the largest float
    1.7976931348623157e+308
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        rounded = float(f"{value:.10g}")
        if math.isinf(rounded):  # rounding up the largest floats overflows: keep them whole
            return value
        return int(rounded) if rounded.is_integer() and abs(rounded) < 2**53 else rounded
    return value


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if obj is pd.NA or (isinstance(obj, float) and math.isnan(obj)):
        return None
    return clean_number(obj)


def json_ready(obj: Any) -> Any:
    """Return ``obj`` with every number JSON-safe (see :func:`clean_number`) and keys as strings.

    Examples
    --------
    >>> json_ready({"a": [float("nan"), 2.0], 1: (0.1 + 0.2,)})
    {'a': [None, 2], '1': [0.3]}
    """
    return _clean(obj)


def _scalar(value: Any) -> Any:
    """Return one table cell JSON-ready (a faster :func:`_clean` for scalars)."""
    kind = type(value)
    if kind is str or kind is bool or kind is int:
        return value
    if value is None or value is pd.NA:
        return None
    if kind is float:
        return None if value != value else clean_number(value)
    return _clean(value)


def _records(df: pd.DataFrame, cols: tuple[str, ...]) -> list[dict[str, Any]]:
    """Return the rows of ``df`` as JSON-ready dicts with ``id`` first, column by column.

    Whole columns go through ``tolist`` (Python scalars) instead of row-wise pandas access,
    which at 100,000 nodes is the difference between seconds and a minute.
    """
    keys = ["id", *(c for c in cols if c in df.columns)]
    columns = [list(df.index)] + [_cells(df[c]) for c in keys[1:]]
    return [dict(zip(keys, row)) for row in zip(*columns)]


def _cells(column: pd.Series) -> list[Any]:
    """Return a column's cells JSON-ready; whole numbers of a float column in one numpy pass."""
    if column.dtype.kind != "f":
        return [_scalar(v) for v in column.tolist()]
    values = column.to_numpy(dtype=float)
    whole = np.isfinite(values) & (np.abs(values) < 2**53)
    whole[whole] = values[whole] == np.floor(values[whole])
    out: list[Any] = values.tolist()
    for i in np.flatnonzero(~whole).tolist():
        out[i] = _scalar(out[i])
    for i, v in zip(np.flatnonzero(whole).tolist(), values[whole].astype(np.int64).tolist()):
        out[i] = v
    return out


#: Report keys holding one record per node, edge or point: written one record per line.
_ROW_KEYS = ("edges", "interdiction_points", "nodes")
#: Records per piece of :func:`json_chunks` output (pieces of a few hundred kB).
_ROWS_PER_PIECE = 2048
_OPTS: dict[str, Any] = dict(sort_keys=True, ensure_ascii=False, allow_nan=False)
#: The encoder of one record: every record of every table goes through this one.
_ROW_ENCODE = json.JSONEncoder(separators=(", ", ": "), **_OPTS).encode
#: JSON text of a string exactly as the encoder writes it (ensure_ascii=False; C when built).
_JSON_STR = json.encoder.encode_basestring


def _head(r: Report) -> dict[str, Any]:
    """Return the report's keys other than the tables, JSON-ready."""
    return _clean({
        **r.provenance(),
        "max_flow": r.max_flow,
        "unlimited_path": r.unlimited_path,
        "bottleneck_nodes": r.bottleneck_nodes,
        "min_edge_cut": r.min_edge_cut,
        "min_node_cut": r.min_node_cut,
        "notes": r.notes,
    })


def _tables(r: Report) -> dict[str, tuple[pd.DataFrame, tuple[str, ...]]]:
    """Return each row key's table and the columns it writes."""
    points = r.points.set_index("id")
    return {"interdiction_points": (points, tuple(points.columns)),
            "nodes": (r.nodes, _NODE_COLS), "edges": (r.edges, _EDGE_COLS)}


def report_dict(r: Report) -> dict[str, Any]:
    """Return the report as a JSON-ready dict (the ``--format json`` object)."""
    doc = _head(r)
    for key, (df, cols) in _tables(r).items():
        doc[key] = _records(df, cols)
    return doc


def _texts(values: list[Any]) -> list[str]:
    """Return the JSON text the record encoder writes for each cleaned cell."""
    kinds = set(map(type, values)) - {type(None)}
    if kinds <= {int, float}:  # finite after cleaning; str() is repr() for both
        return ["null" if v is None else str(v) for v in values]
    if kinds <= {str}:
        return ["null" if v is None else _JSON_STR(v) for v in values]
    if kinds <= {bool}:
        return ["null" if v is None else "true" if v else "false" for v in values]
    return [_ROW_ENCODE(v) for v in values]


def _row_texts(df: pd.DataFrame, cols: tuple[str, ...]) -> list[str]:
    """Return ``_ROW_ENCODE`` of each of :func:`_records`, built column by column.

    Same bytes as encoding the records one by one (a test holds the two together), in
    about a third of the time at 100,000 rows: no dict per row, one ``%`` per row.
    """
    keys = ["id", *(c for c in cols if c in df.columns)]
    texts = {"id": _texts(list(df.index))}
    for c in keys[1:]:
        texts[c] = _texts(_cells(df[c]))
    order = sorted(keys)  # what sort_keys does to each record
    template = "{" + ", ".join(_JSON_STR(k).replace("%", "%%") + ": %s" for k in order) + "}"
    return [template % row for row in zip(*(texts[k] for k in order))]


def _layout(doc: dict[str, Any], rows: dict[str, list[str]]) -> list[str]:
    """Return the pieces of the JSON object ``doc`` plus the encoded records ``rows``.

    Keys are sorted, the object is indented by two spaces, and each record of ``rows`` sits
    on a line of its own; the records come in pieces of :data:`_ROWS_PER_PIECE` lines, so
    a large report is written without ever being one string.
    """
    pieces = ["{\n"]
    keys = sorted({*doc, *rows})
    for n, key in enumerate(keys):
        name, end = json.dumps(key, ensure_ascii=False), (",\n" if n < len(keys) - 1 else "\n")
        lines = rows.get(key)
        if lines:
            pieces.append(f"  {name}: [\n")
            for i in range(0, len(lines), _ROWS_PER_PIECE):
                block = lines[i:i + _ROWS_PER_PIECE]
                last = i + _ROWS_PER_PIECE >= len(lines)
                pieces.append("    " + ",\n    ".join(block) + ("\n" if last else ",\n"))
            pieces.append("  ]" + end)
        else:
            value = doc.get(key, lines)
            text = json.dumps(value, indent=2, **_OPTS).replace("\n", "\n  ")
            pieces.append(f"  {name}: {text}{end}")
    pieces.append("}\n")
    return pieces


def dumps_rows(doc: dict[str, Any], row_keys: tuple[str, ...] = _ROW_KEYS) -> str:
    """Return ``doc`` as indented JSON with sorted keys, each record of ``row_keys`` on one line.

    Large reports stay readable line by line (one node per line) and are written by the C
    encoder: ``json.dumps(indent=...)`` falls back to pure Python, several times slower.

    Examples
    --------
    >>> print(dumps_rows({"b": 1, "nodes": [{"id": "a", "x": 2}]}), end="")
    {
      "b": 1,
      "nodes": [
        {"id": "a", "x": 2}
      ]
    }
    """
    rows = {k: [_ROW_ENCODE(rec) for rec in v] for k, v in doc.items()
            if k in row_keys and isinstance(v, list)}
    return "".join(_layout({k: v for k, v in doc.items() if k not in rows}, rows))


def json_chunks(r: Report) -> list[str]:
    """Return :func:`to_json` in pieces, for writing a large report without joining it."""
    with paused_gc():
        rows = {key: _row_texts(df, cols) for key, (df, cols) in _tables(r).items()}
        return _layout(_head(r), rows)


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
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for key, value in meta_items(r):
        writer.writerow(["meta", key, value] + [""] * (len(cols) - 3))
    for kind, df in (("node", r.nodes), ("edge", r.edges)):
        for rec in _records(df, tuple(cols)):
            rec.update(kind=kind, rank=ranks.get((kind, rec["id"])))
            writer.writerow(["" if rec.get(c) is None else rec[c] for c in cols])
    return buf.getvalue()


# --- text and Markdown -------------------------------------------------------------------

def _label(value: Any) -> str:
    """Return text for a table cell: ``-`` for a missing value (None, NaN, NA)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return str(value)


def _num(value: Any, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float) and math.isinf(value):
        return "unlimited"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}{unit}"
    if isinstance(value, float):
        return f"{value:,.4g}{unit}"
    return f"{value}{unit}"


def _summary(r: Report) -> str:
    n_src, n_snk = len(r.sources), len(r.sinks)
    if math.isinf(r.max_flow):
        return (f"From {n_src} source(s) to {n_snk} sink(s) the flow is unlimited: "
                + " ".join(n for n in r.notes if "unlimited" in n))
    if r.max_flow == 0:
        return f"No flow reaches any of the {n_snk} sink(s) from the {n_src} source(s); there is nothing to cut."
    text = (f"From {n_src} source(s) to {n_snk} sink(s) the network moves at most {_num(r.max_flow)} units "
            f"per period. Cutting the {len(r.min_edge_cut['edges'])} edge(s) of the min edge cut "
            f"(capacity {_num(r.min_edge_cut['capacity'])}) severs every route")
    if r.min_node_cut["nodes"]:
        text += (f"; interdicting {len(r.min_node_cut['nodes'])} node(s) ({', '.join(r.min_node_cut['nodes'])}) "
                 f"at a cost of {_num(r.min_node_cut['cost'])} does the same")
    text += "."
    if not r.points.empty:
        best = r.points.iloc[0]
        text += (f" The single most damaging point is {best['name']} ({best['kind']} {best['id']}, "
                 f"{best['type']}): {best['reason']}.")
    return text


def _point_rows(r: Report) -> list[list[str]]:
    return [[str(p["rank"]), p["kind"], p["id"], _label(p["name"]), _label(p["type"]), _label(p["country"]),
             _num(p["flow_loss"]), _num(p["flow_loss_pct"], "%"), _num(p["supply_betweenness"]), p["reason"]]
            for _, p in r.points.iterrows()]


_POINT_HEAD = ["rank", "kind", "id", "name", "type", "country", "flow loss", "loss %", "supply btw", "why"]


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(head)]
    widths[-1] = len(head[-1])  # the last column runs free
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*head).rstrip(), fmt.format(*("-" * w for w in widths)).rstrip()]
    lines += [fmt.format(*row).rstrip() for row in rows]
    return lines


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
    lines = _heading(r) + ["", f"MAX FLOW  {_num(r.max_flow)} units per period"]
    ecut = r.min_edge_cut
    lines += ["", f"MIN EDGE CUT  capacity {_num(ecut['capacity'])}, {len(ecut['edges'])} edge(s)"]
    lines += [f"  {e['id']:<14} {e['source']} -> {e['target']}  capacity {_num(e['capacity'])}" for e in ecut["edges"]]
    ncut = r.min_node_cut
    lines += ["", f"MIN NODE CUT  cost {_num(ncut['cost'])}, {len(ncut['nodes'])} node(s)"]
    lines += [f"  {n:<14} {_label(r.nodes.at[n, 'name'])} ({_label(r.nodes.at[n, 'type'])}, "
              f"{_label(r.nodes.at[n, 'country'])})" for n in ncut["nodes"]]
    lines += ["", f"TOP {len(r.points)} INTERDICTION POINTS"] + _table(_POINT_HEAD, _point_rows(r))
    lines += ["", "SUMMARY", _summary(r)]
    if r.notes:
        lines += ["", "NOTES"] + [f"- {n}" for n in r.notes]
    return "\n".join(lines) + "\n"


def _md_cell(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return out


def to_markdown(r: Report) -> str:
    """Return the report as Markdown, for pasting into a document."""
    head = _heading(r)
    lines = [f"# {_md_cell(head[0])}", ""]
    if r.network.get("description"):
        lines += [_md_cell(head.pop(1)), ""]
    for line in head[1:]:
        key, _, value = line.partition(": ")
        lines.append(f"- **{_md_cell(key)}:** {_md_cell(value)}")
    lines += ["", "## Summary", "", _summary(r), "", f"**Max flow:** {_num(r.max_flow)} units per period", ""]
    ecut = r.min_edge_cut
    lines += [f"## Min edge cut (capacity {_num(ecut['capacity'])})", ""]
    lines += _md_table(["edge", "from", "to", "capacity"],
                       [[e["id"], e["source"], e["target"], _num(e["capacity"])] for e in ecut["edges"]])
    ncut = r.min_node_cut
    lines += ["", f"## Min node cut (cost {_num(ncut['cost'])})", ""]
    lines += _md_table(["node", "name", "type", "country"],
                       [[n, _label(r.nodes.at[n, "name"]), _label(r.nodes.at[n, "type"]),
                         _label(r.nodes.at[n, "country"])] for n in ncut["nodes"]])
    lines += ["", "## Top interdiction points", ""] + _md_table(_POINT_HEAD, _point_rows(r))
    if r.notes:
        lines += ["", "## Notes", ""] + [f"- {_md_cell(n)}" for n in r.notes]
    return "\n".join(lines) + "\n"
