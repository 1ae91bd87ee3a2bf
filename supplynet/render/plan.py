"""Render a plan :class:`~supplynet.analysis.plan.Comparison` as text, Markdown, JSON or CSV.

Pure functions: equal inputs give equal bytes. JSON also carries the supplynet version,
the input (with its SHA-256, in ``network``) and the command's ``parameters``, so a result
can be traced to what produced it; CSV has one row per budget step and method.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx

from supplynet._version import __version__
from supplynet.render.chart import curve_chart
from supplynet.render.encode import dumps
from supplynet.render.formats import pick_writer
from supplynet.numbers import clean_number, format_number, format_percent, format_share
from supplynet.render.safe import terminal_text
from supplynet.render.tables import LINES_LIMIT, LIST_LIMIT, csv_text, markdown_table, md_cell, short_list, text_table

__all__ = ["FORMATS", "format_plan", "plan_chart", "network_meta"]

#: Output formats of :func:`format_plan`.
FORMATS = ("text", "markdown", "json", "csv")

_TARGET_WORDS = {"nodes": "nodes", "edges": "edges", "both": "nodes and edges"}


def network_meta(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Return what a plan says of its input: ``name``, ``description``, ``source``, ``sha256``,
    ``nodes`` and ``edges`` (counts)."""
    keys = ("name", "description", "source", "sha256")
    return {**{k: G.graph.get(k) for k in keys}, "nodes": G.number_of_nodes(), "edges": G.number_of_edges()}


def format_plan(comp: Any, fmt: str = "text", *, network: dict[str, Any] | None = None, chart: str | None = None,
                parameters: dict[str, Any] | None = None, full: bool = False) -> str:
    """Return a :class:`~supplynet.analysis.plan.Comparison` as ``text``, ``markdown``, ``json`` or ``csv``.

    Parameters
    ----------
    comp : Comparison
    fmt : str
        One of :data:`FORMATS`.
    network : dict, optional
        The input, as :func:`network_meta` gives it.
    chart : str, optional
        Where the curve's chart was written (Markdown links to it).
    parameters : dict, optional
        How the plans were asked for (JSON records them).
    full : bool
        Text and Markdown: every source, sink, pick and budget step (default: the first
        few, then how many more; JSON and CSV always hold all).

    Raises
    ------
    supplynet.OutputError
        ``fmt`` is not one of :data:`FORMATS`.
    """
    if getattr(comp, "uncertainty", None) is not None:  # plans under uncertain intelligence (--samples)
        from supplynet.render.uncertainty import format_stochastic_plan

        return format_stochastic_plan(comp, fmt, network=network, parameters=parameters, full=full)
    writer = pick_writer(_WRITERS, fmt, "plan")
    return writer(comp, network or {}, chart, parameters or {}, None if full else LIST_LIMIT)


def plan_chart(comp: Any, network: dict[str, Any] | None = None, *, kind: str = "svg") -> str | bytes:
    """Return the curve of ``comp`` as a chart titled by the network: SVG text or PNG bytes
    (see :func:`~supplynet.render.chart.curve_chart`)."""
    network = network or {}
    return curve_chart(comp.curve, kind, title=f"{network.get('name') or network.get('source')}: plans by budget",
                       ylabel=_measure(comp))


# --- numbers and words ---------------------------------------------------------------------

def _measure(comp: Any) -> str:
    if comp.objective == "flow":
        return "max flow left"
    return f"flow-days delivered over {format_number(comp.horizon)} days"


def _goal(comp: Any) -> str:
    if comp.objective == "flow":
        return "least max flow left"
    return f"most flow-days denied over {format_number(comp.horizon)} days ('left' = flow-days still delivered)"


def _denied(p: Any) -> float:
    """What the plan takes away: flow cut, or flow-days denied."""
    if p.objective == "flow":
        inf = math.isinf(p.max_flow_before)
        if inf:
            return math.inf if math.isfinite(p.max_flow_after) else 0.0
        return p.max_flow_before - p.max_flow_after
    return p.flow_days_denied


def _before(p: Any) -> float:
    return p.max_flow_before if p.objective == "flow" else p.flow_days_before


def _gap(gap: float | None) -> str:
    return "-" if gap is None else format_percent(100 * gap, decimals=1, fixed=True)


def _status(comp: Any, p: Any) -> str:
    best = comp.plans.get("optimal")
    if p.optimal:
        return "yes"
    return "no" if p is not best and best is not None and best.optimal else "not proven"


def _state(comp: Any, p: Any) -> str:
    status, short = _status(comp, p), comp.shortfall(p.method)
    if status == "yes":
        return "proven optimal"
    if status == "no" and short is not None:
        return f"not optimal: {format_number(short)} more left than the optimum"
    return "not proven optimal" + (f", gap {_gap(p.gap)}" if p.gap else "")


def _summary(comp: Any) -> list[str]:
    best = comp.plans.get("optimal")
    if best is None or len(comp.plans) == 1:
        return []
    unit = "units of flow" if comp.objective == "flow" else "flow-days"
    verb = "The optimum" if best.optimal else "The best plan found (not proven optimal)"
    parts = []
    for name, p in comp.plans.items():
        short = comp.shortfall(name)
        if name == "optimal" or short is None:
            continue
        if short <= 1e-9 * max(1.0, abs(best.left)):
            parts.append(f"{name} does as well")
        else:
            parts.append(f"{name} leaves {format_number(short)} more {unit} "
                         f"({format_share(_denied(p), _denied(best))} of the optimum's cut)")
    return [f"{verb} cuts {format_number(_denied(best))} of {format_number(_before(best))} {unit} "
            f"({format_share(_denied(best), _before(best))}) for a cost of {format_number(best.cost)}; "
            + "; ".join(parts) + "."]


_REPLANS = {"centrality": "spends each budget down the supply-betweenness ranking on whatever still fits",
            "greedy": "picks by flow loss per unit cost afresh at each budget"}


def _rises(comp: Any) -> list[str]:
    """Return a note for each method whose curve rises with the budget somewhere, saying why."""
    if comp.curve is None or comp.objective != "flow":
        return []
    notes = []
    budgets = list(comp.curve.index)
    for method in comp.curve.columns:
        values = comp.curve[method].tolist()
        for k in range(1, len(values)):
            before, after = values[k - 1], values[k]
            if not (math.isfinite(before) and math.isfinite(after)) or after <= before + 1e-9 * max(1.0, abs(before)):
                continue
            plans = comp.curve_plans.get(method) or ()
            bought = f" (at {format_number(budgets[k])} it buys {short_list(list(plans[k].selected))})" \
                if k < len(plans) and plans[k].selected else ""
            why = _REPLANS.get(str(method), "plans afresh at each budget")
            notes.append(f"{method}: the curve rises from {format_number(before)} at budget "
                         f"{format_number(budgets[k - 1])} to {format_number(after)} at {format_number(budgets[k])}"
                         f"{bought}. It is not an error: {method} re-ranks at each budget ({why}), so its plans "
                         "are not nested and a larger budget can buy a set that cuts less.")
            break
    return notes


def _notes(comp: Any) -> list[str]:
    notes = [f"{name}: {p.reason}" for name, p in comp.plans.items() if p.reason]
    notes += _rises(comp)
    if "optimal" in comp.plans:
        notes.append("Among equal optima the plan of least cost, then fewest elements, is reported; "
                     "then ids first in sorted order (exactly up to 1,000 candidates; see docs/plan.md).")
    if comp.objective == "flow-days":
        notes.append("Flow-days denied: each removed element returns after its repair_days (absent: "
                     "not within the horizon); see docs/plan.md.")
    return notes


# --- tables ----------------------------------------------------------------------------------

_HEAD = ["method", "cost", "left", "cut", "cut %", "optimal", "gap", "shortfall", "selected"]


def _rows(comp: Any, limit: int | None = None) -> list[list[str]]:
    rows = []
    for name, p in comp.plans.items():
        short = comp.shortfall(name)
        rows.append([name, format_number(p.cost), format_number(p.left), format_number(_denied(p)),
                     format_share(_denied(p), _before(p)), _status(comp, p), _gap(p.gap),
                     format_number(short), short_list(list(p.selected), limit, empty="(none)")])
    return rows


def _picks(comp: Any, p: Any, limit: int | None = None) -> tuple[list[str], list[list[str]]]:
    """Return the head and rows of a plan's table: picks in order, with what each leaves (the first ``limit``)."""
    ordered = bool(p.order)
    order = list(p.order) or [("node", i) for i in p.selected_nodes] + [("edge", i) for i in p.selected_edges]
    head = ["#", "kind", "id", "name", "cost"] + (["left after"] if ordered else [])
    rows = []
    for k, (kind, ident) in enumerate(order[:limit]):
        row = [str(k + 1), kind, ident, comp.labels.get((kind, ident), ident),
               format_number(comp.costs.get((kind, ident)))]
        rows.append(row + ([format_number(p.steps[k])] if ordered else []))
    return head, rows


def _curve_table(comp: Any, limit: int | None = None) -> tuple[list[str], list[list[str]]]:
    rows = [[format_number(b)] + [format_number(comp.curve.at[b, m]) for m in comp.curve.columns]
            for b in comp.curve.index[:limit]]
    return ["budget", *comp.curve.columns], rows


def _more(total: int, limit: int | None, indent: str = "") -> list[str]:
    """Return the line that says how many rows a table left out (none when it left none)."""
    if limit is None or total <= limit:
        return []
    return [f"{indent}... and {total - limit:,} more (in JSON and CSV, or with --full)"]


def _order_len(p: Any) -> int:
    return len(p.order) if p.order else len(p.selected_nodes) + len(p.selected_edges)


def _after_words(parameters: dict[str, Any]) -> str | None:
    """Return what a plan made after a what-if was made for (None for the intact network)."""
    after = parameters.get("after_whatif")
    if not after:
        return None
    if "scenario" in after:
        return f"the network after scenario '{after['scenario']}' of {after.get('file')}"
    return f"the network after removing {short_list(list(after.get('remove') or ()))}"


def _heading(comp: Any, network: dict[str, Any], limit: int | None = None,
             parameters: dict[str, Any] | None = None) -> list[str]:
    first = next(iter(comp.plans.values()))
    lines = [f"supplynet {__version__} interdiction plan: {network.get('name') or network.get('source') or '-'}"]
    if network.get("description"):
        lines.append(str(network["description"]))
    lines += [f"input: {network.get('source')}, {network.get('nodes')} nodes, {network.get('edges')} edges",
              f"sources ({len(comp.sources)}): {short_list(list(comp.sources), limit)}",
              f"sinks ({len(comp.sinks)}): {short_list(list(comp.sinks), limit)}",
              f"budget {format_number(comp.budget)}; targets: {_TARGET_WORDS[comp.targets]}; objective: "
              f"{_goal(comp)}; max flow before: {format_number(first.max_flow_before)} units per period"]
    if comp.objective == "flow-days":
        lines.append(f"flow-days over the horizon with no strike: {format_number(first.flow_days_before)}")
    after = _after_words(parameters or {})
    if after:
        lines.append(f"planned for {after}: where to strike next, given what is already struck "
                     "('before' is that network)")
    return lines


# --- the formats -----------------------------------------------------------------------------

def _text(comp: Any, network: dict[str, Any], chart: str | None, parameters: dict[str, Any],
          limit: int | None) -> str:
    rows_limit = None if limit is None else LINES_LIMIT
    lines = _heading(comp, network, limit, parameters) + [""] + text_table(_HEAD, _rows(comp, limit))
    summary = _summary(comp)
    if summary:
        lines += ["", *summary]
    for name, p in comp.plans.items():
        lines += ["", f"{name.upper()} PLAN  cost {format_number(p.cost)} of {format_number(p.budget)}, "
                      f"leaves {format_number(p.left)} ({_state(comp, p)})"]
        if p.selected:
            lines += ["  " + r for r in text_table(*_picks(comp, p, rows_limit))]
            lines += _more(_order_len(p), rows_limit, "  ")
        else:
            lines += ["  (nothing selected)"]
    if comp.curve is not None:
        lines += ["", f"CURVE  {_measure(comp)} by budget"] + text_table(*_curve_table(comp, rows_limit))
        lines += _more(len(comp.curve.index), rows_limit)
    notes = _notes(comp)
    return terminal_text("\n".join(lines + (["", "NOTES"] + [f"- {n}" for n in notes] if notes else [])) + "\n")


def _markdown(comp: Any, network: dict[str, Any], chart: str | None, parameters: dict[str, Any],
              limit: int | None) -> str:
    rows_limit = None if limit is None else LINES_LIMIT
    head = _heading(comp, network, limit, parameters)
    lines = [f"# {md_cell(head[0])}", ""] + [f"{md_cell(h)}  " for h in head[1:]] + ["", "## Plans", ""]
    lines += markdown_table(_HEAD, _rows(comp, limit)) + [x for s in _summary(comp) for x in ("", md_cell(s))]
    for name, p in comp.plans.items():
        lines += ["", f"## {name.capitalize()} plan (cost {format_number(p.cost)}, leaves {format_number(p.left)})",
                  ""]
        if p.selected:
            lines += markdown_table(*_picks(comp, p, rows_limit)) + [x for m in _more(_order_len(p), rows_limit)
                                                                      for x in ("", m)]
        else:
            lines += ["Nothing selected."]
    if comp.curve is not None:
        lines += ["", f"## Curve: {_measure(comp)} by budget", ""] + markdown_table(*_curve_table(comp, rows_limit))
        lines += [x for m in _more(len(comp.curve.index), rows_limit) for x in ("", m)]
        if chart:
            lines += ["", f"![{md_cell(_measure(comp))} by budget](<{_md_link(chart)}>)"]
    notes = _notes(comp)
    if notes:
        lines += ["", "## Notes", ""] + [f"- {md_cell(n)}" for n in notes]
    return "\n".join(lines) + "\n"


def _md_link(path: str) -> str:
    """Return a file name fit for a Markdown link target between ``<`` and ``>``."""
    return "".join(f"%{ord(c):02X}" if c in "<>\n\r" or ord(c) < 0x20 else c for c in path)


def _json(comp: Any, network: dict[str, Any], chart: str | None, parameters: dict[str, Any],
          limit: int | None = None) -> str:
    doc = dict(comp.to_dict(), network=network, supplynet_version=__version__, notes=_notes(comp),
               parameters=parameters)
    return dumps(doc) + "\n"


_CSV_HEAD = ["budget", "method", "cost", "max_flow_before", "max_flow_after", "flow_days_denied", "optimal", "gap",
             "selected"]


def _csv(comp: Any, network: dict[str, Any], chart: str | None, parameters: dict[str, Any],
         limit: int | None = None) -> str:
    """Return one row per budget step and method (the curve, with each step's plan)."""
    series = comp.curve_plans or {m: (p,) for m, p in comp.plans.items()}
    rows = []
    for method, plans in series.items():
        for p in plans:
            row = p.to_dict()
            cells = [row["budget"], method, row["cost"], row["max_flow_before"], row["max_flow_after"],
                     row.get("flow_days_denied"), str(row["optimal"]).lower(), row["gap"], ";".join(row["selected"])]
            rows.append([clean_number(c) for c in cells])
    return csv_text(_CSV_HEAD, rows)


_WRITERS = {"text": _text, "markdown": _markdown, "json": _json, "csv": _csv}
