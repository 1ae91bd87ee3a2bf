"""Render results under uncertain intelligence as text, Markdown, JSON or CSV.

:func:`format_uncertainty` writes an :class:`~supplynet.analysis.uncertainty.UncertaintyReport`
(``supplynet uncertainty``); :func:`format_stochastic_plan` a plan comparison made with
``samples`` (``supplynet plan --samples``). Pure functions: equal inputs give equal bytes.
Numbers go through :mod:`supplynet.numbers`; every interval is 95% and shown
as ``[low, high]``, or not at all where the figures are exact. Text from the network file
is made harmless as in every renderer (:mod:`supplynet.render.safe`), and text and
Markdown list the first few sources, sinks and strikes unless ``full``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from supplynet._version import __version__
from supplynet.render.encode import dumps
from supplynet.render.formats import pick_writer
from supplynet.numbers import clean_number, format_number, format_percent, format_share
from supplynet.render.safe import terminal_text
from supplynet.render.tables import LIST_LIMIT, csv_text, markdown_table, md_cell, short_list, text_table

__all__ = ["FORMATS", "format_uncertainty", "format_stochastic_plan"]

#: Output formats of both writers.
FORMATS = ("text", "markdown", "json", "csv")

_TARGET_WORDS = {"nodes": "nodes", "edges": "edges", "both": "nodes and edges"}


def _interval(iv: Any) -> str:
    """Return ``[low, high]`` as people read it, or an empty string when there is none."""
    if iv is None:
        return ""
    lo, hi = iv
    if isinstance(lo, float) and math.isnan(lo):
        return ""
    return f"[{format_number(lo)}, {format_number(hi)}]"


def _share(p: Any) -> str:
    return format_percent(None if p is None else 100 * p, decimals=1)


def _share_interval(iv: Any) -> str:
    if iv is None or (isinstance(iv[0], float) and math.isnan(iv[0])):
        return ""
    return f"[{_share(iv[0])}, {_share(iv[1])}]"


def _sampling(rep: Any) -> str:
    if rep.method == "exact":
        return (f"exact: every one of the {rep.scenarios:,} outcomes of {rep.uncertain} uncertain element(s), "
                "weighted by its probability")
    return f"monte-carlo: {rep.scenarios:,} scenarios (seed {rep.seed}); {rep.uncertain:,} uncertain elements"


# --- supplynet uncertainty ---------------------------------------------------------------------

def format_uncertainty(report: Any, fmt: str = "text", *, top: int = 10, full: bool = False) -> str:
    """Return an uncertainty report as ``text``, ``markdown``, ``json`` or ``csv``.

    Text and Markdown list the ``top`` elements of each ranking, and the first few
    sources and sinks unless ``full``; JSON and CSV every one.

    Raises
    ------
    supplynet.OutputError
        ``fmt`` is not one of :data:`FORMATS`.

    Examples
    --------
    >>> import networkx as nx
    >>> from supplynet.analysis.uncertainty import evaluate_uncertainty
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("s", type="manufacturing"); G.add_node("t", type="assembly")
    >>> _ = G.add_edge("s", "t", key="a", length=1, capacity=4.0, confidence=0.25)
    >>> print(format_uncertainty(evaluate_uncertainty(G), "csv").splitlines()[-1])
    edge,a,,,,s,t,0.25,1,4,1,,,1,0.25,,,1,1.5
    """
    return pick_writer(_REPORT_WRITERS, fmt, "uncertainty")(report, top, None if full else LIST_LIMIT)


def _heading(rep: Any, limit: int | None) -> list[str]:
    net = rep.network
    lines = [f"supplynet {rep.version} uncertainty: {net.get('name') or net.get('source') or '-'}"]
    if net.get("description"):
        lines.append(str(net["description"]))
    return lines + [f"input: {net.get('source')}, {net.get('nodes')} nodes, {net.get('edges')} edges",
                    f"sources ({len(rep.sources)}): {short_list(rep.sources, limit)}",
                    f"sinks ({len(rep.sinks)}): {short_list(rep.sinks, limit)}",
                    f"method: {_sampling(rep)}"]


def _distribution(rep: Any) -> tuple[list[str], list[list[str]]]:
    q, qi = rep.max_flow_quantiles, rep.max_flow_quantile_intervals
    rows = [["max flow as given (every element present)", format_number(rep.max_flow), ""],
            ["expected max flow", format_number(rep.expected_max_flow), _interval(rep.expected_max_flow_interval)]]
    rows += [[f"{key} of the max flow", format_number(q[key]), _interval(qi[key])] for key in ("p10", "p50", "p90")]
    rows.append(["probability that any flow gets through", _share(rep.p_any_flow),
                 _share_interval(rep.p_any_flow_interval)])
    if rep.p_unlimited > 0:
        rows.append(["probability of an unlimited flow", _share(rep.p_unlimited), ""])
    return ["figure", "value", "95% interval"], rows


def _summary(rep: Any) -> str:
    if not math.isfinite(rep.max_flow) or not math.isfinite(rep.expected_max_flow):
        return (f"Taking each confidence as the probability that the element exists, the expected max flow is "
                f"{format_number(rep.expected_max_flow)}.")
    return (f"Taking each confidence as the probability that the element exists, the network delivers "
            f"{format_number(rep.expected_max_flow)} units per period on average, against "
            f"{format_number(rep.max_flow)} if every element exists "
            f"({format_share(rep.expected_max_flow, rep.max_flow, decimals=1)}); some flow gets through in "
            f"{_share(rep.p_any_flow)} of scenarios.")


def _element_rows(rep: Any, column: str, top: int) -> list[list[str]]:
    rows = []
    for kind, df in (("node", rep.nodes), ("edge", rep.edges)):
        for ident, r in df.iterrows():
            value = r[column]
            if isinstance(value, float) and (math.isnan(value) or value <= 0):
                continue
            name = r["name"] if kind == "node" else f"{r['source']} -> {r['target']}"
            rows.append((-value, kind, ident, [kind, str(ident), str(name), format_number(r["confidence"]),
                                               format_number(r["flow_loss"]), format_number(r["expected_flow_loss"]),
                                               _interval((r["expected_flow_loss_low"], r["expected_flow_loss_high"])),
                                               _share(r["p_in_min_cut"]),
                                               _share_interval((r["p_in_min_cut_low"], r["p_in_min_cut_high"]))]))
    rows.sort(key=lambda x: (x[0], x[2], x[1]))
    return [[str(k + 1), *row[3]] for k, row in enumerate(rows[:top])]


_ELEMENT_HEAD = ["#", "kind", "id", "name", "confidence", "flow loss as given", "expected flow loss", "95% interval",
                 "P(in a min cut)", "95% interval"]
_COLLECT_HEAD = ["#", "kind", "id", "name", "confidence", "E[max flow] if present", "if absent",
                 "expected revision", "95% interval"]


def _collect_rows(rep: Any, top: int) -> list[list[str]]:
    rows = []
    for r in rep.collect.head(top).to_dict("records"):
        rows.append([str(r["rank"]), r["kind"], r["id"], r["name"], format_number(r["confidence"]),
                     format_number(r["if_present"]), format_number(r["if_absent"]), format_number(r["expected_revision"]),
                     _interval((r["expected_revision_low"], r["expected_revision_high"]))])
    return rows


_SECTIONS = (
    ("expected_flow_loss", "MOST EXPECTED FLOW LOSS", "Most expected flow loss",
     "the max flow lost on average if the element is removed as well"),
    ("p_in_min_cut", "MOST OFTEN IN A MINIMUM CUT", "Most often in a minimum cut",
     "the probability that the element lies in some minimum cut of the network that exists"),
)
_COLLECT_WORDS = ("how far learning for sure whether the element exists would move the expected max flow, on "
                  "average: 2 (1 - confidence) x its expected flow loss")


def _report_text(rep: Any, top: int, limit: int | None) -> str:
    lines = _heading(rep, limit) + ["", "MAX FLOW UNDER UNCERTAINTY"] + text_table(*_distribution(rep), align="<>>")
    lines += ["", _summary(rep)]
    for column, title, _, words in _SECTIONS:
        rows = _element_rows(rep, column, top)
        if rows:
            lines += ["", f"{title} (top {len(rows)}; {words})"] + text_table(_ELEMENT_HEAD, rows)
    rows = _collect_rows(rep, top)
    if rows:
        lines += ["", f"WHAT TO COLLECT NEXT (top {len(rows)}; {_COLLECT_WORDS})"] + text_table(_COLLECT_HEAD, rows)
    if rep.notes:
        lines += ["", "NOTES"] + [f"- {n}" for n in rep.notes]
    return terminal_text("\n".join(lines) + "\n")


def _report_markdown(rep: Any, top: int, limit: int | None) -> str:
    head = _heading(rep, limit)
    lines = [f"# {md_cell(head[0])}", ""] + [f"{md_cell(h)}  " for h in head[1:]]
    lines += ["", "## Max flow under uncertainty", ""] + markdown_table(*_distribution(rep), align="<>>")
    lines += ["", md_cell(_summary(rep))]
    for column, _, title, words in _SECTIONS:
        rows = _element_rows(rep, column, top)
        if rows:
            lines += ["", f"## {title}", "", f"Top {len(rows)}: {words}.", ""] + markdown_table(_ELEMENT_HEAD, rows)
    rows = _collect_rows(rep, top)
    if rows:
        lines += ["", "## What to collect next", "", f"Top {len(rows)}: {_COLLECT_WORDS}.", ""]
        lines += markdown_table(_COLLECT_HEAD, rows)
    if rep.notes:
        lines += ["", "## Notes", ""] + [f"- {md_cell(n)}" for n in rep.notes]
    return "\n".join(lines) + "\n"


def _report_json(rep: Any, top: int, limit: int | None) -> str:
    return dumps(rep.to_dict()) + "\n"


_CSV_HEAD = ["kind", "id", "name", "type", "mode", "source", "target", "confidence", "p_success", "flow_loss",
             "expected_flow_loss", "expected_flow_loss_low", "expected_flow_loss_high", "expected_strike_loss",
             "p_in_min_cut", "p_in_min_cut_low", "p_in_min_cut_high", "collect_rank", "expected_revision"]


def _report_csv(rep: Any, top: int, limit: int | None) -> str:
    """Return one row per node and edge (``kind``), after ``meta`` rows of how it was made."""
    collect = {(r["kind"], r["id"]): r for r in rep.collect.to_dict("records")}
    member_of = {(k, m): key for key, r in collect.items() for k in (key[0],) for m in r["members"]}
    meta = [("supplynet_version", rep.version), ("input", rep.network.get("source")),
            ("input_sha256", rep.network.get("sha256")), ("sources", ",".join(rep.sources)),
            ("sinks", ",".join(rep.sinks)), ("method", rep.method), ("scenarios", rep.scenarios),
            ("seed", rep.seed), ("expected_max_flow", clean_number(rep.expected_max_flow)),
            ("p_any_flow", clean_number(rep.p_any_flow))]
    rows: list[list[Any]] = [["meta", k, "" if v is None else str(v)] + [None] * (len(_CSV_HEAD) - 3) for k, v in meta]
    for kind, df in (("node", rep.nodes), ("edge", rep.edges)):
        for ident, r in zip(df.index, df.to_dict("records")):
            group = collect.get(member_of.get((kind, ident), ("", "")))
            cells = [kind, ident, r.get("name"), r.get("type"), r.get("mode"), r.get("source"), r.get("target")]
            cells += [r[c] for c in _CSV_HEAD[7:17]]
            cells += [None, None] if group is None else [group["rank"], group["expected_revision"]]
            rows.append([clean_number(c) for c in cells])
    return csv_text(_CSV_HEAD, rows)


_REPORT_WRITERS: dict[str, Callable[[Any, int, int | None], str]] = {
    "text": _report_text, "markdown": _report_markdown, "json": _report_json, "csv": _report_csv}


# --- supplynet plan --samples ------------------------------------------------------------------

def format_stochastic_plan(comp: Any, fmt: str = "text", *, network: dict[str, Any] | None = None,
                           parameters: dict[str, Any] | None = None, full: bool = False) -> str:
    """Return a plan comparison made under uncertainty as ``text``, ``markdown``, ``json`` or ``csv``.

    ``comp`` is a :class:`~supplynet.analysis.plan.Comparison` with ``uncertainty`` set;
    ``network`` describes the input (as :func:`supplynet.render.plan.network_meta` gives it)
    and ``parameters`` how the plans were asked for (JSON records them); ``full`` lists
    every source, sink and strike in text and Markdown.

    Raises
    ------
    supplynet.OutputError
        ``fmt`` is not one of :data:`FORMATS`.
    """
    return pick_writer(_PLAN_WRITERS, fmt, "plan")(comp, network or {}, parameters or {}, None if full else LIST_LIMIT)


def _plan_heading(comp: Any, network: dict[str, Any], limit: int | None) -> list[str]:
    u = comp.uncertainty
    lines = [f"supplynet {__version__} interdiction plan under uncertainty: "
             f"{network.get('name') or network.get('source') or '-'}"]
    if network.get("description"):
        lines.append(str(network["description"]))
    saa, ev = u.plan, u.evaluation
    if saa["method"] == "exact":
        chosen = f"every one of the {saa['scenarios']:,} outcomes"
    elif saa["method"] is None:
        chosen = "no scenario (nothing to plan)"
    else:
        chosen = f"{saa['scenarios']:,} scenarios (seed {saa['seed']})"
    measured = (f"every one of the {ev['scenarios']:,} outcomes" if ev["method"] == "exact" else
                f"a fresh sample of {ev['scenarios']:,} scenarios (seed {ev['seed']}, stream {ev['stream']})")
    lines += [f"input: {network.get('source')}, {network.get('nodes')} nodes, {network.get('edges')} edges",
              f"sources ({len(comp.sources)}): {short_list(list(comp.sources), limit)}",
              f"sinks ({len(comp.sinks)}): {short_list(list(comp.sinks), limit)}",
              f"budget {format_number(comp.budget)}; targets: {_TARGET_WORDS[comp.targets]}; objective: least "
              f"expected max flow left; {u.uncertain:,} uncertain elements; strikes without p_success work with "
              f"probability {format_number(u.p_success)}",
              f"stochastic plan chosen on {chosen}; every plan measured on {measured}"]
    return lines


_PLAN_HEAD = ["method", "cost", "expected left", "95% interval", "any flow", "more than stochastic", "95% interval",
              "left as given", "selected"]


def _plan_rows(comp: Any, limit: int | None) -> list[list[str]]:
    u = comp.uncertainty
    rows = [["no strike", "0", format_number(u.before.expected_flow_left), _interval(u.before.interval),
             _share(u.before.p_any_flow), "", "", format_number(next(iter(comp.plans.values())).max_flow_before), ""]]
    for name, p in comp.plans.items():
        diff, iv = u.differences.get(name, (None, None))
        rows.append([name, format_number(p.cost), format_number(p.expected_flow_left), _interval(p.expected_flow_interval),
                     _share(p.p_any_flow_left), "-" if diff is None else format_number(diff), _interval(iv),
                     format_number(p.max_flow_after), short_list(list(p.selected), limit, empty="(none)")])
    return rows


def _plan_summary(comp: Any) -> list[str]:
    u, best = comp.uncertainty, comp.plans["stochastic"]
    before = u.before.expected_flow_left
    text = (f"The stochastic plan leaves {format_number(best.expected_flow_left)} of the "
            f"{format_number(before)} units expected with no strike ({format_share(before - best.expected_flow_left, before)} "
            "cut)")
    det = comp.plans.get("deterministic")
    if det is not None and "deterministic" in u.differences:
        diff, iv = u.differences["deterministic"]
        if det.selected == best.selected:
            text += "; the deterministic plan, made as if every element existed, is the same plan"
        else:
            text += (f"; the deterministic plan, made as if every element existed, leaves {format_number(det.expected_flow_left)}: "
                     f"{format_number(diff)} more {_interval(iv)}".rstrip())
    return [text + "."]


def _plan_notes(comp: Any) -> list[str]:
    u = comp.uncertainty
    notes = [f"{name}: {p.reason}" for name, p in comp.plans.items() if p.reason]
    notes.append("Expected figures are measured on scenarios the plans were not chosen on (the sample-average "
                 "objective itself is optimistic), every plan on the same ones; 'more than stochastic' is the paired "
                 "difference, scenario by scenario. 'left as given' is what each plan leaves if every element exists "
                 "and every strike works.")
    if u.plan.get("sample_mean") is not None:
        notes.append(f"The sample-average MILP held {u.plan['blocks']:,} distinct scenario(s) after pruning and merging "
                     f"({u.plan['variables']:,} variables, {u.plan['rows']:,} rows); the stochastic plan's mean over "
                     f"that sample is {format_number(u.plan['sample_mean'])}.")
    notes.append("Among equal optima the plan of least cost, then fewest elements, is reported; then ids first in "
                 "sorted order (see docs/plan.md); docs/uncertainty.md gives the model.")
    return notes


def _picks(comp: Any, p: Any) -> tuple[list[str], list[list[str]]]:
    order = [("node", i) for i in p.selected_nodes] + [("edge", i) for i in p.selected_edges]
    rows = [[str(k + 1), kind, ident, comp.labels.get((kind, ident), ident),
             format_number(comp.costs.get((kind, ident)))] for k, (kind, ident) in enumerate(order)]
    return ["#", "kind", "id", "name", "cost"], rows


def _state(p: Any) -> str:
    if p.method != "stochastic":
        return "proven optimal as given" if p.method == "deterministic" and p.optimal else p.method
    return "proven optimal for its sample" if p.optimal else "not proven optimal"


def _plan_text(comp: Any, network: dict[str, Any], parameters: dict[str, Any], limit: int | None) -> str:
    lines = _plan_heading(comp, network, limit) + [""] + text_table(_PLAN_HEAD, _plan_rows(comp, limit))
    lines += ["", *_plan_summary(comp)]
    for name, p in comp.plans.items():
        lines += ["", f"{name.upper()} PLAN  cost {format_number(p.cost)} of {format_number(p.budget)}, expected "
                      f"left {format_number(p.expected_flow_left)} ({_state(p)})"]
        lines += ["  " + r for r in text_table(*_picks(comp, p))] if p.selected else ["  (nothing selected)"]
    return terminal_text("\n".join(lines + ["", "NOTES"] + [f"- {n}" for n in _plan_notes(comp)]) + "\n")


def _plan_markdown(comp: Any, network: dict[str, Any], parameters: dict[str, Any], limit: int | None) -> str:
    head = _plan_heading(comp, network, limit)
    lines = [f"# {md_cell(head[0])}", ""] + [f"{md_cell(h)}  " for h in head[1:]] + ["", "## Plans", ""]
    lines += markdown_table(_PLAN_HEAD, _plan_rows(comp, limit)) + ["", *map(md_cell, _plan_summary(comp))]
    for name, p in comp.plans.items():
        lines += ["", f"## {name.capitalize()} plan (cost {format_number(p.cost)}, expected left "
                      f"{format_number(p.expected_flow_left)}; {_state(p)})", ""]
        lines += markdown_table(*_picks(comp, p)) if p.selected else ["Nothing selected."]
    return "\n".join(lines + ["", "## Notes", ""] + [f"- {md_cell(n)}" for n in _plan_notes(comp)]) + "\n"


def _plan_json(comp: Any, network: dict[str, Any], parameters: dict[str, Any], limit: int | None) -> str:
    doc = dict(comp.to_dict(), network=network, supplynet_version=__version__, notes=_plan_notes(comp),
               parameters=parameters)
    return dumps(doc) + "\n"


_PLAN_CSV = ["method", "cost", "expected_flow_left", "expected_flow_left_low", "expected_flow_left_high",
             "p_any_flow_left", "difference", "difference_low", "difference_high", "max_flow_after", "optimal",
             "selected"]


def _plan_csv(comp: Any, network: dict[str, Any], parameters: dict[str, Any], limit: int | None) -> str:
    """Return one row for no strike and one per plan."""
    u = comp.uncertainty
    lo, hi = u.before.interval or (None, None)
    rows = [["none", 0, u.before.expected_flow_left, lo, hi, u.before.p_any_flow, None, None, None,
             next(iter(comp.plans.values())).max_flow_before, None, ""]]
    for name, p in comp.plans.items():
        lo, hi = p.expected_flow_interval or (None, None)
        diff, iv = u.differences.get(name, (None, None))
        dlo, dhi = iv or (None, None)
        rows.append([name, p.cost, p.expected_flow_left, lo, hi, p.p_any_flow_left, diff, dlo, dhi, p.max_flow_after,
                     str(p.optimal).lower(), ";".join(p.selected)])
    return csv_text(_PLAN_CSV, [[clean_number(c) for c in row] for row in rows])


_PLAN_WRITERS: dict[str, Callable[[Any, dict[str, Any], dict[str, Any], int | None], str]] = {
    "text": _plan_text, "markdown": _plan_markdown, "json": _plan_json, "csv": _plan_csv}
