"""Render a :class:`~supplynet.analysis.campaign.Campaign` as text, Markdown, JSON, CSV or a chart.

Pure functions: equal inputs give equal bytes. JSON also carries the supplynet version, the
input (with its SHA-256, in ``network``) and the command's ``parameters``; CSV has one row
per method and period (the delivery in it, and what was struck then). The chart draws the
delivery per period of every method, and of the network without strikes, as SVG or PNG
(:func:`supplynet.render.chart.curve_chart`, as the plan's curve). Strike waves for a map come from
:func:`wave_layers`.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from supplynet._errors import OutputError
from supplynet._version import __version__
from supplynet.render.chart import chart_kind, curve_chart
from supplynet.render.encode import dumps
from supplynet.render.formats import pick_writer
from supplynet.numbers import clean_number, format_number, format_percent, format_share
from supplynet.render.tables import csv_text, markdown_table, md_cell, text_table

__all__ = ["FORMATS", "format_campaign", "campaign_chart", "delivery_frame",
           "wave_layers"]

#: Output formats of :func:`format_campaign`.
FORMATS = ("text", "markdown", "json", "csv")
#: Chart formats of :func:`campaign_chart`, by file suffix.

_NONE = "no strikes"
_TARGET_WORDS = {"nodes": "nodes", "edges": "edges", "both": "nodes and edges"}


def format_campaign(camp: Any, fmt: str = "text", *, network: dict[str, Any] | None = None,
                    chart: str | None = None, parameters: dict[str, Any] | None = None) -> str:
    """Return a campaign as ``text``, ``markdown``, ``json`` or ``csv``.

    Parameters
    ----------
    camp : Campaign
    fmt : str
        One of :data:`FORMATS`.
    network : dict, optional
        The input, as :func:`supplynet.render.plan.network_meta` gives it.
    chart : str, optional
        Where the chart was written (Markdown links to it).
    parameters : dict, optional
        How the campaign was asked for (JSON records them).

    Raises
    ------
    supplynet.OutputError
        ``fmt`` is not one of :data:`FORMATS`.
    """
    writer = pick_writer(_WRITERS, fmt, "campaign")
    return writer(camp, network or {}, chart, parameters or {})


def delivery_frame(camp: Any) -> pd.DataFrame:
    """Return the units delivered in each period (index ``period``), one column per method and ``no strikes``."""
    data = {_NONE: list(camp.per_period_without_strikes)}
    data.update({m: list(s.per_period) for m, s in camp.schedules.items()})
    return pd.DataFrame(data, index=pd.Index(range(camp.periods), name="period"), dtype=float)


def campaign_chart(camp: Any, path: str, network: dict[str, Any] | None = None) -> str | bytes:
    """Return the delivery curves of ``camp`` as a chart for ``path``: SVG text or PNG bytes,
    by its suffix (:func:`supplynet.render.chart.chart_kind`), drawn as the plan's curve is.

    Raises
    ------
    supplynet.OutputError
        ``path`` ends in neither ``.svg`` nor ``.png``.
    """
    network = network or {}
    name = network.get("name") or network.get("source")
    return curve_chart(delivery_frame(camp), chart_kind(path), title=f"{name}: delivery per period",
                       xlabel=_period_words(camp), ylabel="units delivered in the period")


def wave_layers(camp: Any, method: str) -> dict[str, list[tuple[str, str]]]:
    """Return one map layer per strike wave of ``method``: title -> ``(kind, id)`` of its strikes.

    A wave is the strikes of one period; the title gives the period, its day and when the
    strikes are repaired.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> s = NS(strikes=(NS(kind="edge", id="e1", period=0, back_at_period=2),
    ...                 NS(kind="node", id="n", period=3, back_at_period=None)))
    >>> wave_layers(NS(schedules={"optimal": s}, period_days=7.0), "optimal")
    {'Wave 1: optimal, period 0 (day 0), back by period 2': [('edge', 'e1')], 'Wave 2: optimal, period 3 (day 21), never repaired': [('node', 'n')]}
    """
    waves: dict[int, list[Any]] = {}
    for s in camp.schedules[method].strikes:
        waves.setdefault(s.period, []).append(s)
    out = {}
    for k, (period, strikes) in enumerate(sorted(waves.items()), start=1):
        backs = [s.back_at_period for s in strikes]
        back = "never repaired" if any(b is None for b in backs) else f"back by period {max(backs)}"
        title = f"Wave {k}: {method}, period {period} (day {format_number(period * camp.period_days)}), {back}"
        out[title] = [(s.kind, s.id) for s in strikes]
    return out


# --- words ----------------------------------------------------------------------------------

def _days(value: float) -> str:
    return f"{format_number(value)} day{'' if value == 1 else 's'}"


def _period_words(camp: Any) -> str:
    return f"period ({format_number(camp.period_days)} day{'s' if camp.period_days != 1 else ''} each)"


def _budget_words(camp: Any) -> str:
    if camp.budget_per_period is not None:
        return f"budget {format_number(camp.budget_per_period)} per period"
    return f"budget {format_number(camp.budget)} for the whole campaign"


def _status(camp: Any, s: Any) -> str:
    best = camp.schedules.get("optimal")
    if s.proven:
        return "yes"
    return "no" if best is not None and best.proven else "not proven"


def _gap(gap: float | None) -> str:
    return "-" if gap is None else format_percent(100 * gap, decimals=1, fixed=True)


def _heading(camp: Any, network: dict[str, Any]) -> list[str]:
    lines = [f"supplynet {__version__} campaign: {network.get('name') or network.get('source') or '-'}"]
    if network.get("description"):
        lines.append(str(network["description"]))
    fastest = camp.fastest_route_days
    route = "no source-to-sink route" if not math.isfinite(fastest) else (
        f"fastest route {_days(fastest)}, {format_number(camp.fastest_route_periods)} period(s) once each edge "
        "is rounded up")
    lines += [f"input: {network.get('source')}, {network.get('nodes')} nodes, {network.get('edges')} edges",
              f"sources ({len(camp.sources)}): {', '.join(camp.sources)}",
              f"sinks ({len(camp.sinks)}): {', '.join(camp.sinks)}",
              f"horizon {_days(camp.horizon_days)}: {camp.periods} period(s) of {_days(camp.period_days)}; "
              f"{_budget_words(camp)}; targets: {_TARGET_WORDS[camp.targets]}",
              f"delivered by the horizon without strikes: {format_number(camp.delivered_without_strikes)} units; {route}"]
    return lines


_HEAD = ["method", "delivered", "denied", "denied %", "strikes", "cost", "optimal", "gap"]


def _rows(camp: Any) -> list[list[str]]:
    before = camp.delivered_without_strikes
    return [[m, format_number(s.delivered), format_number(camp.denied(m)), format_share(camp.denied(m), before),
             str(len(s.strikes)), format_number(s.cost), _status(camp, s), _gap(s.gap)]
            for m, s in camp.schedules.items()]


def _summary(camp: Any) -> list[str]:
    if len(camp.schedules) < 2:
        return []
    before = camp.delivered_without_strikes
    parts = [f"{m} denies {format_number(camp.denied(m))} ({format_share(camp.denied(m), before)})"
             for m in camp.schedules]
    return [f"Of {format_number(before)} units delivered by the horizon without strikes, " + "; ".join(parts) + "."]


def _strike_table(camp: Any, s: Any) -> tuple[list[str], list[list[str]]]:
    head = ["period", "day", "kind", "id", "name", "cost", "back at period"]
    rows = [[str(x.period), format_number(x.period * camp.period_days), x.kind, x.id,
             camp.labels.get((x.kind, x.id), x.id), format_number(x.cost),
             "never" if x.back_at_period is None else str(x.back_at_period)] for x in s.strikes]
    return head, rows


def _delivery_table(camp: Any) -> tuple[list[str], list[list[str]]]:
    frame = delivery_frame(camp)
    rows = [[str(t)] + [format_number(frame.at[t, c]) for c in frame.columns] for t in frame.index]
    totals = ["total"] + [format_number(camp.delivered_without_strikes)] + \
        [format_number(s.delivered) for s in camp.schedules.values()]
    return ["period", *frame.columns], rows + [totals]


def _title(camp: Any, m: str, s: Any) -> str:
    status = _status(camp, s)
    state = "proven optimal" if status == "yes" else ("not optimal" if status == "no" else "not proven optimal") + \
        (f", gap {_gap(s.gap)}" if s.gap else "")
    return (f"{m.upper()} SCHEDULE  {len(s.strikes)} strike(s), cost {format_number(s.cost)}, delivers "
            f"{format_number(s.delivered)} ({state})")


# --- the formats ----------------------------------------------------------------------------

def _text(camp: Any, network: dict[str, Any], chart: str | None, parameters: dict[str, Any]) -> str:
    lines = _heading(camp, network) + [""] + text_table(_HEAD, _rows(camp), align="<>>>>>>>")
    summary = _summary(camp)
    if summary:
        lines += ["", *summary]
    for m, s in camp.schedules.items():
        lines += ["", _title(camp, m, s)]
        lines += ["  " + r for r in text_table(*_strike_table(camp, s))] if s.strikes else ["  (no strikes)"]
    lines += ["", f"DELIVERY PER PERIOD  units reaching the sinks in each period (earliest-arrival increments)"]
    lines += text_table(*_delivery_table(camp), align=">")
    notes = _notes(camp)
    return "\n".join(lines + (["", "NOTES"] + [f"- {n}" for n in notes] if notes else [])) + "\n"


def _markdown(camp: Any, network: dict[str, Any], chart: str | None, parameters: dict[str, Any]) -> str:
    head = _heading(camp, network)
    lines = [f"# {md_cell(head[0])}", ""] + [f"{md_cell(h)}  " for h in head[1:]] + ["", "## Methods", ""]
    lines += markdown_table(_HEAD, _rows(camp), align="<>>>>>>>") + [x for s in _summary(camp) for x in ("", md_cell(s))]
    for m, s in camp.schedules.items():
        lines += ["", f"## {m.capitalize()} schedule ({len(s.strikes)} strike(s), delivers {format_number(s.delivered)})",
                  ""]
        lines += markdown_table(*_strike_table(camp, s)) if s.strikes else ["No strikes."]
    lines += ["", "## Delivery per period", ""] + markdown_table(*_delivery_table(camp), align=">")
    if chart:
        lines += ["", f"![delivery per period](<{chart}>)"]
    notes = _notes(camp)
    if notes:
        lines += ["", "## Notes", ""] + [f"- {md_cell(n)}" for n in notes]
    return "\n".join(lines) + "\n"


def _notes(camp: Any) -> list[str]:
    return list(camp.notes)


def _json(camp: Any, network: dict[str, Any], chart: str | None, parameters: dict[str, Any]) -> str:
    doc = dict(camp.to_dict(), network=network, supplynet_version=__version__, notes=_notes(camp),
               parameters=parameters)
    return dumps(doc) + "\n"


_CSV_HEAD = ["method", "period", "day", "delivered", "delivered_by_then", "struck"]


def _csv(camp: Any, network: dict[str, Any], chart: str | None, parameters: dict[str, Any]) -> str:
    """Return one row per method (and ``no strikes``) and period: its delivery and its strikes."""
    series = {_NONE: (camp.per_period_without_strikes, ())}
    series.update({m: (s.per_period, s.strikes) for m, s in camp.schedules.items()})
    rows = []
    for name, (per_period, strikes) in series.items():
        total = 0.0
        for t, units in enumerate(per_period):
            total += units
            struck = ";".join(f"{x.kind}:{x.id}" for x in strikes if x.period == t)
            rows.append([clean_number(c) for c in (name, t, t * camp.period_days, units, total, struck)])
    return csv_text(_CSV_HEAD, rows)


_WRITERS = {"text": _text, "markdown": _markdown, "json": _json, "csv": _csv}
