"""The parts of a map page that supplynet writes itself: title box, legend, styles, script.

They are added to the page after folium has rendered it, so they never pass through
folium's Jinja2; every string from the network in them is escaped with
:func:`supplynet.maps.escape.escape_text` all the same.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from supplynet.maps.escape import escape_text, format_value
from supplynet.maps.features import CUT_COLOR, REMOVED_COLOR, LayerData

__all__ = ["PageInfo", "page_html", "page_script", "PAGE_CSS", "RANK_JS"]

_MAX_LISTED = 8

#: Styles of the title box, the legend, rank badges and popups.
PAGE_CSS = """
.leaflet-container { background: #c9dbe6; font: 13px/1.35 system-ui, sans-serif; }
.sn-box { position: absolute; z-index: 1000; background: rgba(255,255,255,0.94); padding: 8px 10px;
  border-radius: 6px; box-shadow: 0 1px 5px rgba(0,0,0,0.35); max-width: 330px;
  font: 12px/1.35 system-ui, sans-serif; }
.sn-title { top: 10px; left: 10px; }
.sn-legend { bottom: 24px; left: 10px; max-height: 46vh; overflow-y: auto; }
.sn-box summary { font-weight: 600; cursor: pointer; }
.sn-name { font-size: 15px; font-weight: 700; margin-bottom: 3px; }
.sn-note { font-size: 11px; color: #5d4037; background: #fff8e1; padding: 3px 5px; margin: 4px 0;
  max-height: 7.5em; overflow-y: auto; }
.sn-sec { font-weight: 600; margin-top: 6px; }
.sn-chart svg { width: 100%; height: auto; display: block; }
.sn-row { display: flex; align-items: center; gap: 6px; }
.sn-grid { display: grid; grid-template-columns: repeat(2, max-content); column-gap: 12px; }
.sn-row svg { flex: none; }
.sn-impact { font-weight: 600; color: #b71c1c; }
.sn-rank { background: #111; color: #fff; border: 2px solid #fff; border-radius: 50%;
  font: bold 12px/20px system-ui, sans-serif; text-align: center; box-shadow: 0 0 3px #000; }
.foliumpopup tr:has(> td:empty) { display: none; }
.foliumpopup th { color: #555; font-weight: 600; }
.foliumpopup { max-height: 60vh; overflow-y: auto; }
"""

#: Gives each rank badge its number: folium's DivIcon has one fixed html for all markers.
RANK_JS = """function (feature, layer) {
    var rank = Number(feature.properties.r);
    layer.setIcon(L.divIcon({className: "sn-rank", html: String(rank), iconSize: [24, 24]}));
}"""


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
    node_types: list[tuple[str, str, int]] = field(default_factory=list)   # type, colour, count
    edge_modes: list[tuple[str, str, str | None, int]] = field(default_factory=list)  # mode, colour, dash, n
    extra: list[tuple[str, str, int]] = field(default_factory=list)        # title, colour, count
    removed: tuple[int, int] = (0, 0)  # nodes, edges
    notes: list[str] = field(default_factory=list)
    scenario: str | None = None
    degraded: list[tuple[str, float]] = field(default_factory=list)  # id, factor
    plan: dict[str, Any] | None = None  # method, budget, cost, before, after, optimal, selected, reason


def _listing(names: Sequence[str]) -> str:
    shown = ", ".join(escape_text(n) for n in names[:_MAX_LISTED])
    more = len(names) - _MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "") if names else "none"


def _flow(value: float | None) -> str:
    if value is None:
        return "not computed"
    if isinstance(value, float) and math.isinf(value):
        return "unlimited (a source reaches a sink along unlimited capacities)"
    return escape_text(format_value(value)) + " units per period"


def _title_box(info: PageInfo) -> str:
    note = f'<div class="sn-note">{escape_text(info.description)}</div>' if info.description else ""
    return (
        '<div class="sn-box sn-title" id="sn-title"><details open><summary class="sn-name">'
        f"{escape_text(info.name)}</summary>{note}"
        f"<div><b>Sources</b> ({len(info.sources)}): {_listing(info.sources)}</div>"
        f"<div><b>Sinks</b> ({len(info.sinks)}): {_listing(info.sinks)}</div>"
        f"<div><b>Max flow</b>: {_flow(info.max_flow)}</div></details></div>"
    )


def _circle(color: str, *, fill: bool = True, dash: str | None = None) -> str:
    style = f'fill="{color}" stroke="#fff"' if fill else f'fill="none" stroke="{color}" stroke-width="2.5"'
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<svg width="18" height="18" aria-hidden="true"><circle cx="9" cy="9" r="6" {style}{dashed}/></svg>'


def _line(color: str, dash: str | None, width: float = 3) -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<svg width="30" height="12" aria-hidden="true"><line x1="1" y1="6" x2="29" y2="6" '
            f'stroke="{color}" stroke-width="{width}"{dashed}/></svg>')


def _row(symbol: str, text: str) -> str:
    return f'<div class="sn-row">{symbol}<span>{text}</span></div>'


def _legend(info: PageInfo) -> str:
    parts = ['<div class="sn-box sn-legend" id="sn-legend"><details open><summary>Legend</summary>',
             '<div class="sn-sec">Nodes (circle area: supply betweenness)</div>']
    parts += _grid([_row(_circle(c), f"{escape_text(t)} ({n})") for t, c, n in info.node_types])
    parts.append(_row(_circle("#111", fill=False), "source or sink (dark ring)"))
    width = "flow at max flow" if info.weight_by_flow else "capacity"
    parts.append(f'<div class="sn-sec">Edges (width: {width})</div>')
    parts += _grid([_row(_line(c, d), f"{escape_text(m)} ({n})") for m, c, d, n in info.edge_modes])
    parts.append('<div class="sn-sec">Where to cut</div>')
    parts.append(_row(_line(CUT_COLOR, "10 6", 5), "min edge cut" + _amount("capacity", info.edge_cut_capacity)))
    parts.append(_row(_circle(CUT_COLOR, fill=False), "min node cut" + _amount("cost", info.node_cut_cost)))
    parts.append(_row('<span class="sn-rank" style="display:inline-block;width:20px">1</span>',
                      "top interdiction points, by rank"))
    parts += [_row(_circle(c, fill=False), f"{escape_text(t)} ({n})") for t, c, n in info.extra]
    parts += _plan(info)
    parts += _what_if(info)
    parts += [f'<div class="sn-note">{escape_text(note)}</div>' for note in info.notes]
    parts.append("</details></div>")
    return "".join(parts)


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
    rows = [f'<div class="sn-sec" id="sn-plan">Interdiction plan ({escape_text(plan["method"])}, '
            f"{escape_text(plan['targets'])})</div>",
            f"<div>{plan['selected']} element{'s' if plan['selected'] != 1 else ''}, cost "
            f"{escape_text(format_value(plan['cost']))} of budget {escape_text(format_value(plan['budget']))}"
            f"{'; ' + proof if plan['method'] == 'optimal' else ''}</div>",
            _before_after(plan["before"], plan["after"])]
    if plan.get("reason"):
        rows.append(f'<div class="sn-note">{escape_text(plan["reason"])}</div>')
    if plan.get("chart"):
        rows.append(f'<div class="sn-chart" id="sn-plan-curve" title="left after the plan, by budget">'
                    f'{plan["chart"]}</div>')
    if info.max_flow_before is not None or info.degraded:
        rows.append('<div class="sn-note">The plan is made for the intact network, before the what-if.</div>')
    return rows


def _what_if(info: PageInfo) -> list[str]:
    nodes, edges = info.removed
    if not nodes and not edges and info.max_flow_before is None and not info.degraded:
        return []
    what = f"{nodes} node{'s' if nodes != 1 else ''} and {edges} edge{'s' if edges != 1 else ''}"
    title = f"What-if: {escape_text(info.scenario)}" if info.scenario else "What-if"
    rows = [f'<div class="sn-sec" id="sn-whatif">{title}</div>',
            _row(_circle(REMOVED_COLOR, dash="3 3"), f"removed, greyed out: {what}")]
    if info.degraded:
        shown = [f"{escape_text(i)} \u00d7{escape_text(format_value(f))}" for i, f in info.degraded[:_MAX_LISTED]]
        more = len(info.degraded) - _MAX_LISTED
        rows.append(f"<div>capacity degraded: {', '.join(shown)}{f' and {more} more' if more > 0 else ''}</div>")
    rows.append(_before_after(info.max_flow_before, info.max_flow))
    return rows


def page_html(info: PageInfo) -> str:
    """Return the title box and legend, to go at the end of ``<body>``."""
    return _title_box(info) + _legend(info)


def page_script(map_var: str, layers: Sequence[tuple[LayerData, str]], bounds: list[list[float]]) -> str:
    """Return the page's own script: a registry of its layers and a rendered-at timestamp.

    ``window.supplynet`` lets tests and benchmarks find each layer (``key``, ``group``,
    ``title``, ``count``, ``layer``) and tells when Leaflet has drawn them (``ready``).
    """
    entries = ",\n".join(
        "  {key: %s, group: %s, title: %s, count: %d, layer: %s}"
        % (json.dumps(d.key), json.dumps(d.group), json.dumps(d.title), d.count, var)
        for d, var in layers
    )
    return f"""(function () {{
"use strict";
var map = {map_var};
// Leaflet's default prefix links to its website; an offline page keeps the credit only.
map.attributionControl.setPrefix("Leaflet");
// Fit the network into the part of the window the title, legend and layer list leave free.
var wide = map.getSize().x >= 900;
function width(sel) {{ var el = document.querySelector(sel); return el ? el.offsetWidth : 0; }}
map.fitBounds({json.dumps(bounds)}, wide ? {{
  paddingTopLeft: [Math.max(width("#sn-title"), width("#sn-legend")) + 20, 20],
  paddingBottomRight: [width(".leaflet-control-layers") + 20, 20], animate: false
}} : {{padding: [10, 10], animate: false}});
L.control.scale({{imperial: false, position: "bottomright"}}).addTo(map);
window.supplynet = {{map: map, ready: false, layers: [
{entries}
]}};
// Two frames: the canvas renderer draws on the next animation frame after layers are added.
requestAnimationFrame(function () {{ requestAnimationFrame(function () {{
  window.supplynet.renderedAt = performance.now();
  window.supplynet.ready = true;
}}); }});
}})();"""
