"""``supplynet plan``: with the means for a budget, which set of strikes cuts the most?

The command parses, calls :func:`supplynet.analysis.plan.compare_methods` once and writes; the
renderers below turn its :class:`~supplynet.analysis.plan.Comparison` into text, Markdown, JSON or
CSV (pure functions: no click inside, equal inputs give equal bytes).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from typing import Any

import click

from supplynet._errors import OutputError
from supplynet.cli.options import edges_option, endpoint_options, format_option, network_argument, output_options, read
from supplynet.cli.options import write_output

__all__ = ["plan", "render"]

_TARGET_WORDS = {"nodes": "nodes", "edges": "edges", "both": "nodes and edges"}


@click.command()
@network_argument
@edges_option
@click.option("--budget", type=click.FloatRange(min=0), required=True,
              help="Most total interdiction cost the plan may spend.")
@click.option("--method", type=click.Choice(["optimal", "greedy", "centrality", "all"]), default="optimal",
              show_default=True, help="Planning method; 'all' runs the three side by side.")
@click.option("--targets", type=click.Choice(["both", "nodes", "edges"]), default="both", show_default=True,
              help="What may be interdicted.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              metavar="S", help="Seconds for the MILP of each plan (each budget step); on expiry the "
                                "best plan found and its gap.")
@click.option("--objective", type=click.Choice(["flow", "flow-days"]), default="flow", show_default=True,
              help="Minimise the max flow left, or maximise flow-days denied over --horizon.")
@click.option("--horizon", type=click.FloatRange(min=0, min_open=True), default=None, metavar="DAYS",
              help="Days over which flow-days are counted (with --objective flow-days).")
@endpoint_options
@click.option("--curve/--no-curve", default=True, show_default=True,
              help="Solve every whole budget from 0 to --budget for the curve.")
@click.option("--chart", type=click.Path(dir_okay=False, writable=True), default=None, metavar="PATH.svg",
              help="Also write the curve as an SVG chart.")
@format_option("text", "markdown", "json", "csv")
@output_options
def plan(network: str, edges: str | None, budget: float, method: str, targets: str, time_limit: float,
         objective: str, horizon: float | None, sources: str | None, sinks: str | None, curve: bool,
         chart: str | None, fmt: str, output: str | None, overwrite: bool) -> None:
    """Plan interdiction of NETWORK within --budget: the set that cuts the most flow."""
    from supplynet.analysis.plan import METHODS, compare_methods, curve_svg

    if objective == "flow-days" and horizon is None:
        raise click.BadParameter("--objective flow-days needs --horizon DAYS", param_hint="--horizon")
    if chart and not curve:
        raise click.BadParameter("--chart draws the curve; drop --no-curve", param_hint="--chart")
    for path in (output, chart):  # refuse before a long solve, not after it
        if path and not overwrite and os.path.exists(path):
            raise OutputError(f"{path} already exists; pass --overwrite to replace it")
    G = read(network, edges)
    comp = compare_methods(G, sources, sinks, budget=budget, targets=targets, time_limit=time_limit,
                           methods=METHODS if method == "all" else (method,), objective=objective,
                           horizon=horizon, curve=curve)
    meta = _network(G)
    if chart:
        svg = curve_svg(comp.curve, title=f"{meta['name'] or meta['source']}: plans by budget",
                        ylabel=_measure(comp))
        write_output(svg, chart, overwrite=overwrite, inputs=(network, edges))
    params = {"method": method, "time_limit": time_limit, "curve": curve}
    write_output(render(comp, fmt, network=meta, chart=chart, parameters=params), output,
                 overwrite=overwrite, inputs=(network, edges))


def _network(G: Any) -> dict[str, Any]:
    keys = ("name", "description", "source", "sha256")
    return {**{k: G.graph.get(k) for k in keys}, "nodes": G.number_of_nodes(), "edges": G.number_of_edges()}


def render(comp: Any, fmt: str, *, network: dict[str, Any] | None = None, chart: str | None = None,
           parameters: dict[str, Any] | None = None) -> str:
    """Return a :class:`~supplynet.analysis.plan.Comparison` as ``text``, ``markdown``, ``json`` or ``csv``.

    JSON also carries the supplynet version, the input's SHA-256 (in ``network``) and the
    command's ``parameters``, so a result can be traced to what produced it.
    """
    network = network or {}
    if fmt == "json":
        from supplynet._version import __version__

        doc = dict(comp.to_dict(), network=network, supplynet_version=__version__, notes=_notes(comp),
                   parameters=parameters or {})
        return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
    if fmt == "csv":
        return _csv(comp)
    return _markdown(comp, network, chart) if fmt == "markdown" else _text(comp, network)


# --- numbers and words ---------------------------------------------------------------------

def _num(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if math.isinf(value):
        return "unlimited"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"


def _pct(part: float, whole: float) -> str:
    if not (math.isfinite(part) and math.isfinite(whole)) or whole <= 0:
        return "-"
    return f"{100.0 * part / whole:.0f}%"


def _measure(comp: Any) -> str:
    return "max flow left" if comp.objective == "flow" else f"flow-days delivered over {_num(comp.horizon)} days"


def _goal(comp: Any) -> str:
    if comp.objective == "flow":
        return "least max flow left"
    return f"most flow-days denied over {_num(comp.horizon)} days ('left' = flow-days still delivered)"


def _denied(p: Any) -> float:
    """What the plan takes away: flow cut, or flow-days denied."""
    if p.objective == "flow":
        inf = math.isinf(p.max_flow_before)
        return math.inf if inf and math.isfinite(p.max_flow_after) else (0.0 if inf else p.max_flow_before - p.max_flow_after)
    return p.flow_days_denied


def _before(p: Any) -> float:
    return p.max_flow_before if p.objective == "flow" else p.flow_days_before


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
        return f"not optimal: {_num(short)} more left than the optimum"
    return "not proven optimal" + (f", gap {100 * p.gap:.1f}%" if p.gap else "")


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
            parts.append(f"{name} leaves {_num(short)} more {unit} ({_pct(_denied(p), _denied(best))} "
                         f"of the optimum's cut)")
    return [f"{verb} cuts {_num(_denied(best))} of {_num(_before(best))} {unit} "
            f"({_pct(_denied(best), _before(best))}) for a cost of {_num(best.cost)}; " + "; ".join(parts) + "."]


def _notes(comp: Any) -> list[str]:
    notes = [f"{name}: {p.reason}" for name, p in comp.plans.items() if p.reason]
    if "optimal" in comp.plans:
        notes.append("Among equal optima the plan of least cost, then fewest elements, is reported; "
                     "then ids first in sorted order (exactly up to 1,000 candidates; see docs/plan.md).")
    if comp.objective == "flow-days":
        notes.append("Flow-days denied: each removed element returns after its repair_days (absent: "
                     "not within the horizon); see docs/plan.md.")
    return notes


# --- text and Markdown -----------------------------------------------------------------------

_HEAD = ["method", "cost", "left", "cut", "cut %", "optimal", "gap", "shortfall", "selected"]


def _rows(comp: Any) -> list[list[str]]:
    rows = []
    for name, p in comp.plans.items():
        short = comp.shortfall(name)
        rows.append([name, _num(p.cost), _num(p.left), _num(_denied(p)), _pct(_denied(p), _before(p)),
                     _status(comp, p), "-" if p.gap is None else f"{100 * p.gap:.1f}%",
                     "-" if short is None else _num(short), ", ".join(p.selected) or "(none)"])
    return rows


def _picks(comp: Any, p: Any) -> tuple[list[str], list[list[str]]]:
    """Return the head and rows of a plan's table: picks in order, with what each leaves."""
    ordered = bool(p.order)
    order = list(p.order) or [("node", i) for i in p.selected_nodes] + [("edge", i) for i in p.selected_edges]
    head = ["#", "kind", "id", "name", "cost"] + (["left after"] if ordered else [])
    rows = []
    for k, (kind, ident) in enumerate(order):
        row = [str(k + 1), kind, ident, comp.labels.get((kind, ident), ident), _num(comp.costs.get((kind, ident)))]
        rows.append(row + ([_num(p.steps[k])] if ordered else []))
    return head, rows


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(head)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*head).rstrip(), fmt.format(*("-" * w for w in widths)).rstrip()] + \
        [fmt.format(*r).rstrip() for r in rows]


def _heading(comp: Any, network: dict[str, Any]) -> list[str]:
    from supplynet._version import __version__

    first = next(iter(comp.plans.values()))
    lines = [f"supplynet {__version__} interdiction plan: {network.get('name') or network.get('source') or '-'}"]
    if network.get("description"):
        lines.append(str(network["description"]))
    lines += [f"input: {network.get('source')}, {network.get('nodes')} nodes, {network.get('edges')} edges",
             f"sources ({len(comp.sources)}): {', '.join(comp.sources)}",
             f"sinks ({len(comp.sinks)}): {', '.join(comp.sinks)}",
             f"budget {_num(comp.budget)}; targets: {_TARGET_WORDS[comp.targets]}; objective: {_goal(comp)}; "
             f"max flow before: {_num(first.max_flow_before)} units per period"]
    if comp.objective == "flow-days":
        lines.append(f"flow-days over the horizon with no strike: {_num(first.flow_days_before)}")
    return lines


def _curve_rows(comp: Any) -> list[list[str]]:
    if comp.curve is None:
        return []
    return [[_num(b)] + [_num(comp.curve.at[b, m]) for m in comp.curve.columns] for b in comp.curve.index]


def _text(comp: Any, network: dict[str, Any]) -> str:
    lines = _heading(comp, network) + [""] + _table(_HEAD, _rows(comp))
    summary = _summary(comp)
    if summary:
        lines += ["", *summary]
    for name, p in comp.plans.items():
        lines += ["", f"{name.upper()} PLAN  cost {_num(p.cost)} of {_num(p.budget)}, leaves {_num(p.left)} "
                      f"({_state(comp, p)})"]
        lines += ["  " + r for r in _table(*_picks(comp, p))] if p.selected else ["  (nothing selected)"]
    if comp.curve is not None:
        lines += ["", f"CURVE  {_measure(comp)} by budget"] + _table(["budget", *comp.curve.columns], _curve_rows(comp))
    notes = _notes(comp)
    return "\n".join(lines + (["", "NOTES"] + [f"- {n}" for n in notes] if notes else [])) + "\n"


def _md(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] + \
        ["| " + " | ".join(_md(c) for c in r) + " |" for r in rows]


def _markdown(comp: Any, network: dict[str, Any], chart: str | None) -> str:
    head = _heading(comp, network)
    lines = [f"# {_md(head[0])}", ""] + [f"{_md(h)}  " for h in head[1:]] + ["", "## Plans", ""]
    lines += _md_table(_HEAD, _rows(comp)) + [x for s in _summary(comp) for x in ("", _md(s))]
    for name, p in comp.plans.items():
        lines += ["", f"## {name.capitalize()} plan (cost {_num(p.cost)}, leaves {_num(p.left)})", ""]
        lines += _md_table(*_picks(comp, p)) if p.selected else ["Nothing selected."]
    if comp.curve is not None:
        lines += ["", f"## Curve: {_measure(comp)} by budget", ""]
        lines += _md_table(["budget", *comp.curve.columns], _curve_rows(comp))
        if chart:
            lines += ["", f"![{_md(_measure(comp))} by budget](<{chart}>)"]
    notes = _notes(comp)
    if notes:
        lines += ["", "## Notes", ""] + [f"- {_md(n)}" for n in notes]
    return "\n".join(lines) + "\n"


# --- CSV -------------------------------------------------------------------------------------

def _csv(comp: Any) -> str:
    """Return one row per budget step and method (the curve, with each step's plan)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["budget", "method", "cost", "max_flow_before", "max_flow_after", "flow_days_denied",
                     "optimal", "gap", "selected"])
    series = comp.curve_plans or {m: (p,) for m, p in comp.plans.items()}
    for method, plans in series.items():
        for p in plans:
            row = p.to_dict()
            writer.writerow([_cell(row["budget"]), method, _cell(row["cost"]), _cell(row["max_flow_before"]),
                             _cell(row["max_flow_after"]), _cell(row.get("flow_days_denied")),
                             str(row["optimal"]).lower(), _cell(row["gap"]), ";".join(row["selected"])])
    return buf.getvalue()


def _cell(value: Any) -> str:
    return "" if value is None else str(value)
