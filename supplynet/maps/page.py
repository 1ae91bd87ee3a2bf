"""The parts of a map page that supplynet writes as HTML: the title box, the legend, the styles.

They sit in one side panel on the left, added to the page after folium has rendered it, so
they never pass through folium's Jinja2; every string from the network in them is escaped
with :func:`supplynet.maps.escape.escape_text` all the same. The legend is made of sections
that fold (``<details>``): the page folds the least important ones until the legend fits
the window without scrolling (``data-rank``: 1 is kept longest), and opening one folds others
as needed. Its symbols are drawn from :mod:`supplynet.maps.style`, as the map's are.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from supplynet.maps.escape import escape_text, format_value
from supplynet.maps.style import CLUSTER_COLOR, CONFIDENCE, CUT_COLOR, STRUCK_COLOR, extra_colors

__all__ = ["PageInfo", "page_html", "PAGE_CSS"]

_MAX_LISTED = 8
_MAX_LAYERS_LISTED = 8

#: Styles of the side panel (title box and legend), call-outs, popups and tooltips.
PAGE_CSS = """
.leaflet-container { background: #c9dbe6; font: 13px/1.35 system-ui, sans-serif; }
.sn-side { position: absolute; z-index: 1000; top: 10px; left: 10px; width: 320px; bottom: 10px;
  display: flex; flex-direction: column; gap: 8px; pointer-events: none; }
.sn-side > * { pointer-events: auto; }
.sn-box { background: rgba(255,255,255,0.96); padding: 7px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.35); font: 12px/1.35 system-ui, sans-serif; color: #1a1a1a; }
.sn-title { flex: none; }
.sn-legend { flex: 0 1 auto; min-height: 0; overflow: hidden; }
.sn-legend.sn-tight { overflow-y: auto; }
.sn-name { font-size: 15px; font-weight: 700; margin-bottom: 3px; }
.sn-note { font-size: 11px; color: #4e342e; background: #fff8e1; padding: 3px 5px; margin: 4px 0; }
.sn-clamp { display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden;
  cursor: pointer; line-height: 1.35; padding-bottom: 0; border-bottom: 3px solid #fff8e1; }
.sn-clamp.sn-open { display: block; -webkit-line-clamp: none; }
.sn-sec { margin: 2px 0 4px; }
.sn-sec > summary { font-weight: 600; cursor: pointer; padding: 1px 0; }
.sn-sec > summary .sn-sub { font-weight: 400; color: #555; }
.sn-chart svg { width: 100%; height: auto; display: block; }
.sn-row { display: flex; align-items: center; gap: 6px; min-height: 18px; }
.sn-grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); column-gap: 10px; }
.sn-row svg { flex: none; }
.sn-impact { font-weight: 600; color: #1a1a1a; }
.sn-ramp { height: 10px; border-radius: 2px; margin: 3px 0; }
.sn-pop { overflow-y: auto; }
.sn-pop table { border-collapse: collapse; margin-bottom: 6px; }
.sn-pop th { color: #555; font-weight: 600; text-align: left; padding: 0 8px 0 0; vertical-align: top; }
.sn-pop td { overflow-wrap: anywhere; }
.sn-pop h4 { margin: 0 0 3px; font-size: 13px; }
@media (max-width: 720px) { .sn-side { width: 230px; } }
"""


@dataclass
class PageInfo:
    """Everything the title box and legend say; text fields are plain, escaped on output."""

    name: str
    description: str | None
    sources: list[str]
    sinks: list[str]
    max_flow: float | None
    max_flow_before: float | None = None
    edge_cut_capacity: float | None = None
    node_cut_cost: float | None = None
    weight_by_flow: bool = False
    node_types: list[tuple[str, str, int]] = field(default_factory=list)  # type, colour, count
    edge_modes: list[tuple[str, str, Sequence[float], int]] = field(default_factory=list)  # mode, colour, dash, n
    extra: list[tuple[str, int]] = field(default_factory=list)  # title, count
    removed: tuple[int, int] = (0, 0)  # nodes, edges
    notes: list[str] = field(default_factory=list)
    scenario: str | None = None
    degraded: list[tuple[str, float]] = field(default_factory=list)  # id, factor
    plan: dict[str, Any] | None = None  # method, budget, cost, before, after, optimal, selected, reason, chart
    plan_after_whatif: bool = False
    uncertain: bool = False
    clustered: bool = False


def _listing(names: Sequence[str]) -> str:
    shown = ", ".join(escape_text(n) for n in names[:_MAX_LISTED])
    more = len(names) - _MAX_LISTED
    return shown + (f" and {more:,} more" if more > 0 else "") if names else "none"


def _flow(value: float | None) -> str:
    if value is None:
        return "not computed"
    if isinstance(value, float) and math.isinf(value):
        return "unlimited (a source reaches a sink along unlimited capacities)"
    return escape_text(format_value(value)) + " units per period"


def _title_box(info: PageInfo) -> str:
    note = (f'<div class="sn-note sn-clamp" id="sn-about" title="Click to read it all">'
            f"{escape_text(info.description)}</div>") if info.description else ""
    return (
        f'<div class="sn-box sn-title" id="sn-title"><div class="sn-name">{escape_text(info.name)}</div>{note}'
        f"<div><b>Sources</b> ({len(info.sources):,}): {_listing(info.sources)}</div>"
        f"<div><b>Sinks</b> ({len(info.sinks):,}): {_listing(info.sinks)}</div>"
        f"<div><b>Max flow</b>: {_flow(info.max_flow)}</div></div>"
    )


def _svg(width: int, body: str) -> str:
    return f'<svg width="{width}" height="18" viewBox="0 0 {width} 18" aria-hidden="true">{body}</svg>'


def _dash(dash: Sequence[float]) -> str:
    return f' stroke-dasharray="{" ".join(format_value(float(d)) for d in dash)}"' if dash else ""


def _circle(color: str, *, opacity: float = 1.0, dashed: bool = False, ring: bool = False) -> str:
    outline = '#111111" stroke-width="2' if ring else '#333333" stroke-width="0.8'
    return _svg(18, f'<circle cx="9" cy="9" r="6" fill="{color}" fill-opacity="{opacity:g}" stroke="{outline}"'
                    f'{_dash([2, 2]) if dashed else ""}/>')


def _line(color: str, dash: Sequence[float], width: float = 3, opacity: float = 0.85) -> str:
    return _svg(30, f'<line x1="1" y1="9" x2="29" y2="9" stroke="{color}" stroke-width="{width:g}" '
                    f'stroke-opacity="{opacity:g}"{_dash(dash)}/>')


def _cut_line() -> str:
    return _svg(30, '<line x1="1" y1="9" x2="29" y2="9" stroke="#ffffff" stroke-width="5.5"/>'
                    f'<line x1="1" y1="9" x2="29" y2="9" stroke="{CUT_COLOR}" stroke-width="3"{_dash([8, 5])}/>')


def _cut_ring() -> str:
    return _svg(18, '<circle cx="9" cy="9" r="4" fill="#999999" stroke="#333333" stroke-width="0.8"/>'
                    f'<circle cx="9" cy="9" r="7.5" fill="none" stroke="{CUT_COLOR}" stroke-width="2"'
                    f'{_dash([3, 2])}/>')


def _callout() -> str:
    return _svg(44, '<line x1="3" y1="15" x2="14" y2="9" stroke="#333333" stroke-width="1"/>'
                    '<circle cx="3" cy="15" r="2.5" fill="#999999"/>'
                    '<rect x="14" y="1" width="28" height="16" rx="3" fill="#ffffff" stroke="#1a1a1a"/>'
                    '<text x="28" y="13" font-size="11" font-weight="700" text-anchor="middle">1</text>')


def _struck_node() -> str:
    return _svg(18, '<circle cx="9" cy="9" r="6" fill="#ffffff" stroke="#777777" stroke-width="1.2"/>'
                    f'<path d="M3 3L15 15M15 3L3 15" stroke="#ffffff" stroke-width="4"/>'
                    f'<path d="M3 3L15 15M15 3L3 15" stroke="{STRUCK_COLOR}" stroke-width="2"/>')


def _struck_edge() -> str:
    return _svg(30, '<line x1="1" y1="9" x2="29" y2="9" stroke="#ffffff" stroke-width="5"/>'
                    f'<line x1="1" y1="9" x2="29" y2="9" stroke="{STRUCK_COLOR}" stroke-width="2"{_dash([3, 3])}/>'
                    f'<path d="M11 4L19 14M19 4L11 14" stroke="{STRUCK_COLOR}" stroke-width="2"/>')


def _highlight(color: str) -> str:
    return _svg(30, f'<line x1="1" y1="9" x2="13" y2="9" stroke="{color}" stroke-width="6" stroke-opacity="0.75"/>'
                    f'<circle cx="21" cy="9" r="6" fill="none" stroke="{color}" stroke-width="2.5"/>')


def _row(symbol: str, text: str) -> str:
    return f'<div class="sn-row">{symbol}<span>{text}</span></div>'


def _section(ident: str, rank: int, summary: str, rows: Sequence[str]) -> str:
    """Return a legend section that folds; ``rank`` 1 is the last the page folds to make room."""
    return (f'<details class="sn-sec" id="{ident}" data-rank="{rank}" open><summary>{summary}</summary>'
            + "".join(rows) + "</details>")


def _legend(info: PageInfo) -> str:
    parts = ['<div class="sn-box sn-legend" id="sn-legend">', _where_to_cut(info), *_what_if(info), *_plan(info),
             _nodes(info), _edges(info), *_extra(info)]
    if info.notes:
        parts.append(_section("sn-leg-notes", 7, f"Notes ({len(info.notes)})",
                              [f'<div class="sn-note">{escape_text(note)}</div>' for note in info.notes]))
    parts.append("</div>")
    return "".join(parts)


def _where_to_cut(info: PageInfo) -> str:
    return _section("sn-leg-cut", 1, "Where to cut", [
        _row(_cut_line(), "min edge cut" + _amount("capacity", info.edge_cut_capacity)),
        _row(_cut_ring(), "min node cut" + _amount("cost", info.node_cut_cost)),
        _row(_callout(), "top interdiction points, by rank"),
    ])


def _nodes(info: PageInfo) -> str:
    rows = _grid([_row(_circle(c), f"{escape_text(t)} ({n:,})") for t, c, n in info.node_types])
    rows.append(_row(_circle("#ffffff", ring=True), "source or sink (dark ring)"))
    if info.clustered:
        rows.append(_row(_circle(CLUSTER_COLOR, opacity=0.55),
                         "cluster of nearby nodes (count; its type's colour when most are of one)"))
    if info.uncertain:
        low = CONFIDENCE["min_alpha"] + (1 - CONFIDENCE["min_alpha"]) * 0.4
        rows.append(_row(_circle("#666666", opacity=low, dashed=True),
                         f"fainter: less sure to exist (confidence); dashed below "
                         f"{format_value(CONFIDENCE['dashed_below'])}"))
    return _section("sn-leg-nodes", 4, 'Nodes <span class="sn-sub">(area: supply betweenness)</span>', rows)


def _edges(info: PageInfo) -> str:
    width = "flow at max flow" if info.weight_by_flow else "capacity"
    rows = _grid([_row(_line(c, d), f"{escape_text(m)} ({n:,})") for m, c, d, n in info.edge_modes])
    if info.weight_by_flow:
        rows.append(_row(_line("#4D4D4D", (), 1.5, 0.4), "pale: carries no flow at max flow"))
    if info.uncertain:
        rows.append(_row(_line("#4D4D4D", (), 3, 0.45), "fainter: less sure to exist (confidence)"))
    return _section("sn-leg-edges", 5, f'Edges <span class="sn-sub">(width: {width})</span>', rows)


def _extra(info: PageInfo) -> list[str]:
    if not info.extra:
        return []
    colors = extra_colors(len(info.extra))
    shown = info.extra[:_MAX_LAYERS_LISTED]
    rows = [_row(_highlight(c), f"{escape_text(t)} ({n:,})") for (t, n), c in zip(shown, colors)]
    if len(info.extra) > _MAX_LAYERS_LISTED:
        ramp = ", ".join(colors[:: max(1, len(colors) // 8)] + [colors[-1]])
        rows.append(f'<div class="sn-ramp" style="background: linear-gradient(to right, {ramp})"></div>')
        rows.append(f"<div>and {len(info.extra) - _MAX_LAYERS_LISTED:,} more, up to "
                    f"{escape_text(info.extra[-1][0])}; each has its entry in the layer control</div>")
    return [_section("sn-leg-extra", 6, f"Highlighted ({len(info.extra):,} layer{'s' if len(info.extra) != 1 else ''})",
                     rows)]


def _grid(rows: list[str]) -> list[str]:
    """Return the rows in two columns (a long list of types would fill the window)."""
    return ['<div class="sn-grid">', *rows, "</div>"]


def _amount(what: str, value: float | None) -> str:
    if value is None:
        return ""
    if math.isinf(value):
        return f" ({what}: none finite)"
    return f" ({what} {escape_text(format_value(value))})"


def _before_after(before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return ""
    change = ""
    if math.isfinite(before) and math.isfinite(after) and before > 0:
        change = f" ({100.0 * (after - before) / before:+.1f}%)"
    return (f'<div class="sn-impact">Max flow: {escape_text(format_value(before))} before, '
            f"{escape_text(format_value(after))} after{change}</div>")


def _plan(info: PageInfo) -> list[str]:
    plan = info.plan
    if plan is None:
        return []
    proof = "proven optimal" if plan["optimal"] else "not proven optimal"
    rows = [f"<div>{plan['selected']} element{'s' if plan['selected'] != 1 else ''}, cost "
            f"{escape_text(format_value(plan['cost']))} of budget {escape_text(format_value(plan['budget']))}"
            f"{'; ' + proof if plan['method'] == 'optimal' else ''}</div>",
            _before_after(plan["before"], plan["after"])]
    if info.max_flow_before is not None or info.degraded or any(info.removed):
        made_for = ("the network after the what-if" if info.plan_after_whatif
                    else "the intact network, before the what-if")
        rows.append(f'<div class="sn-note" id="sn-plan-for">The plan is made for {made_for}.</div>')
    if plan.get("reason"):
        rows.append(f'<div class="sn-note">{escape_text(plan["reason"])}</div>')
    if plan.get("chart"):
        rows.append(f'<div class="sn-chart" id="sn-plan-curve" title="left after the plan, by budget">'
                    f'{plan["chart"]}</div>')
    summary = f"Interdiction plan ({escape_text(plan['method'])}, {escape_text(plan['targets'])})"
    return [_section("sn-plan", 3, summary, rows)]


def _what_if(info: PageInfo) -> list[str]:
    nodes, edges = info.removed
    if not nodes and not edges and info.max_flow_before is None and not info.degraded:
        return []
    title = f"What-if: {escape_text(info.scenario)}" if info.scenario else "What-if"
    rows = [_row(_struck_node(), f"struck node{'s' if nodes != 1 else ''}: {nodes:,}, crossed out"),
            _row(_struck_edge(), f"struck edge{'s' if edges != 1 else ''}: {edges:,}, crossed out")]
    if info.degraded:
        shown = [f"{escape_text(i)} \u00d7{escape_text(format_value(f))}" for i, f in info.degraded[:_MAX_LISTED]]
        more = len(info.degraded) - _MAX_LISTED
        rows.append(f"<div>capacity degraded: {', '.join(shown)}{f' and {more} more' if more > 0 else ''}</div>")
    rows.append(_before_after(info.max_flow_before, info.max_flow))
    return [_section("sn-whatif", 2, title, rows)]


def page_html(info: PageInfo) -> str:
    """Return the side panel (title box and legend), to go at the end of ``<body>``."""
    return f'<div class="sn-side" id="sn-side">{_title_box(info)}{_legend(info)}</div>'
