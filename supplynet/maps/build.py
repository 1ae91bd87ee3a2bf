"""Assemble a map page: folium's shell, then the data, the side panel and the drawing code.

folium makes the page's shell (the Leaflet map, its zoom control, the layer control and the
optional online tiles) and is given no string from the input at all. Everything
network-sized is added after folium has rendered, so none of it passes through Jinja2: the
data element (:mod:`supplynet.maps.blob`), the title box and legend
(:mod:`supplynet.maps.page`), and the static drawing code with a one-line start whose only
inputs are folium's variable names and numbers. :func:`supplynet.maps.assets.finish_page`
then checks the page and inlines Leaflet.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import folium
import numpy as np
from branca.element import Element as BrancaElement

from supplynet._progress import Phases, Progress, phase
from supplynet.maps.assets import MapSafetyError, finish_page, map_scripts, tile_origin
from supplynet.maps.blob import data_element, encode_blob
from supplynet.maps.escape import escape_text
from supplynet.maps.pack import ARC_FLAGS, NODE_FLAGS, Drawing, pack_network
from supplynet.maps.page import PAGE_CSS, PageInfo, page_html
from supplynet.maps.popups import MapData

__all__ = ["build_page"]

logger = logging.getLogger(__name__)

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def build_page(G: Any, results: Any, drawing: Drawing, *, name: str, online: bool,
               progress: Phases | Progress | None = None) -> str:
    """Return the finished, checked HTML page of a map (see :func:`supplynet.maps.render.render_map`)."""
    header, arrays = pack_network(G, drawing, progress=progress, basemap_fill=not online)
    if "basemap" not in header:
        logger.warning("no country boundaries installed: the map has no basemap")
    tick = phase(progress, "encoding", "bytes")
    blob = encode_blob(header, arrays, compress=1)
    if tick is not None:
        tick(len(blob), len(blob))
    bounds = _bounds(arrays["lon"], arrays["lat"])
    m, control = _folium_map(bounds)
    tiles = _tiles(m) if online else None
    _stable_ids(m.get_root())
    html = m.get_root().render()
    html = _insert(html, "</head>", f"<title>{escape_text(name)}</title>\n<style>{PAGE_CSS}</style>\n")
    about = G.graph.get("description")
    side = page_html(_page_info(header, arrays, results, drawing, name, None if about is None else str(about)))
    html = _insert(html, "</body>", f"{side}\n{data_element(blob, compressed=True)}\n")
    scripts = [*map_scripts(), _start_script(m.get_name(), control.get_name(), bounds)]
    html = _insert(html, "</html>", "".join(f"<script>{s}</script>\n" for s in scripts))
    allowed = [tiles.tiles, *_urls_in(tiles.options.get("attribution", ""))] if tiles else []
    origins = [tile_origin(tiles.tiles)] if tiles else []
    return finish_page(html, allowed=allowed, image_origins=origins)


def _folium_map(bounds: list[list[float]]) -> tuple[folium.Map, folium.LayerControl]:
    """Return folium's map and its (collapsed) layer control, with no library links."""
    centre = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    m = folium.Map(location=centre, zoom_start=4, tiles=None, zoom_control="bottomright", zoom_snap=0.25,
                   zoom_delta=0.5)
    # folium links Leaflet, jQuery, Bootstrap, Font Awesome and awesome-markers from CDNs;
    # the map needs Leaflet alone, which is inlined instead.
    m.default_js, m.default_css = [], []
    control = folium.LayerControl(collapsed=True)
    control.add_to(m)
    return m, control


def _start_script(map_var: str, control_var: str, bounds: list[list[float]]) -> str:
    """Return the page's one script of its own: folium's variable names and numbers only."""
    if not (_NAME.fullmatch(map_var) and _NAME.fullmatch(control_var)):
        raise MapSafetyError(f"unexpected folium variable names {map_var!r}, {control_var!r}")
    return f"SN.start({{map: {map_var}, control: {control_var}, bounds: {json.dumps(bounds)}}});"


def _insert(html: str, anchor: str, text: str) -> str:
    """Return ``html`` with ``text`` right before its one ``anchor``."""
    if html.count(anchor) != 1:
        raise MapSafetyError(f"unexpected page layout from folium: {anchor!r} found {html.count(anchor)} times")
    return html.replace(anchor, text + anchor)


def _urls_in(text: str) -> list[str]:
    """Return the URLs in a tile layer's attribution (links the page may carry)."""
    return re.findall(r"https?://[^\s\"'<>]+", text)


def _tiles(m: folium.Map) -> folium.TileLayer:
    """Add OpenStreetMap tiles to ``m`` (the one thing a map may fetch) and return the layer."""
    layer = folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)", overlay=False, control=True)
    layer.add_to(m)
    return layer


def _bounds(lon: np.ndarray, lat: np.ndarray) -> list[list[float]]:
    if not len(lon):
        return [[-60.0, -170.0], [75.0, 170.0]]
    x0, x1, y0, y1 = float(lon.min()), float(lon.max()), float(lat.min()), float(lat.max())
    pad = 0.02 * max(x1 - x0, y1 - y0, 1.0)
    return [[y0 - pad, x0 - pad], [y1 + pad, x1 + pad]]


def _walk(element: BrancaElement) -> Iterator[BrancaElement]:
    yield element
    for attr in ("header", "html", "script"):
        part = getattr(element, attr, None)
        if isinstance(part, BrancaElement) and part is not element:
            yield from _walk(part)
    for child in list(element._children.values()):
        yield from _walk(child)


def _stable_ids(root: BrancaElement) -> None:
    """Give every element a counter id, so the same input always gives the same page."""
    for i, element in enumerate(_walk(root)):
        element._id = f"{i:04x}"


def _page_info(header: dict[str, Any], arrays: dict[str, np.ndarray], results: Any, drawing: Drawing,
               name: str, description: str | None) -> PageInfo:
    """Return what the title box and legend say, from the packed data and the results."""
    data = MapData(header, arrays)
    names = data.node_position
    pal = header["palette"]
    types = np.bincount(arrays["ntype"], minlength=len(header["types"]))
    modes = np.bincount(arrays["arc_mode"], minlength=len(header["modes"]))
    extras = np.diff(arrays["ex_noff"]) + np.diff(arrays["ex_aoff"])
    removed = (int(np.count_nonzero(arrays["nflags"] & NODE_FLAGS["removed"])),
               int(np.count_nonzero(arrays["arc_flags"] & ARC_FLAGS["removed"])))
    return PageInfo(
        name=name,
        description=description,
        sources=[data.node_name(names[s]) for s in results.sources if s in names],
        sinks=[data.node_name(names[t]) for t in results.sinks if t in names],
        max_flow=results.max_flow,
        max_flow_before=results.max_flow_before,
        edge_cut_capacity=results.edge_cut_capacity,
        node_cut_cost=results.node_cut_cost,
        weight_by_flow=drawing.weight_by_flow,
        node_types=[(t, pal["types"][j], int(types[j])) for j, t in enumerate(header["types"])],
        edge_modes=[(md, pal["modes"][j][0], pal["modes"][j][1], int(modes[j])) for j, md in enumerate(header["modes"])],
        extra=[(t, int(extras[j])) for j, t in enumerate(header["extra"])],
        removed=removed,
        notes=list(results.notes),
        scenario=getattr(results, "scenario", None),
        degraded=_degraded_labels(drawing, set(names), set(header["arc_ids"])),
        plan=_plan_info(getattr(results, "plan", None), getattr(results, "plan_curve", None)),
        plan_after_whatif=bool(getattr(results, "plan_after_whatif", False)),
        uncertain=bool((arrays["nconf"] < 100).any() or (arrays["seg_conf"] < 100).any()),
        clustered=bool(header["clusters"]["on"]),
    )


def _degraded_labels(drawing: Drawing, nodes: set[str], edges: set[str]) -> list[tuple[str, float]]:
    """Return ``(label, factor)`` of the degraded elements, sorted: the id, with its kind where
    a node and an edge of the network share it."""
    return sorted((f"{kind}:{ident}" if ident in nodes and ident in edges else ident, f)
                  for (kind, ident), f in drawing.degraded.items())


def _plan_info(plan: Any, curve: Any = None) -> dict[str, Any] | None:
    """Return what the legend says of an interdiction plan (None without one).

    The curve becomes an inline SVG of numbers and fixed words only (no input text), which
    :func:`supplynet.render.chart.curve_svg` writes without template syntax.
    """
    if plan is None:
        return None
    chart = None
    if curve is not None and len(curve) > 1:
        from supplynet.render.chart import curve_svg

        ylabel = "flow-days left" if plan.objective == "flow-days" else "max flow left"
        chart = curve_svg(curve, ylabel=ylabel, width=330, height=190)
    return {"method": plan.method, "budget": plan.budget, "cost": plan.cost, "targets": plan.targets,
            "before": plan.max_flow_before, "after": plan.max_flow_after, "optimal": plan.optimal,
            "selected": len(plan.selected), "reason": plan.reason, "chart": chart}
