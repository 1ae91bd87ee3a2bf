"""Assemble a map page: folium for the map and its layers, then supplynet's own parts.

folium is given only escaped text (checked again here with
:func:`supplynet.maps.escape.check_template_free`) and no CDN links; the title box, legend,
styles and page script are added after folium has rendered, and
:func:`supplynet.maps.assets.finish_page` checks the page and inlines the libraries.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping
from typing import Any

import folium
import networkx as nx
import numpy as np
import shapely
from branca.element import Element as BrancaElement
from folium.utilities import JsCode

from supplynet.maps.escape import check_template_free, escape_text
from supplynet.maps.assets import MapSafetyError, finish_page, tile_origin
from supplynet.maps.features import (EXTRA_COLORS, Context, LayerData, edge_layers, mode_style, node_layers,
                           overlay_layers, type_color)
from supplynet.maps.page import PAGE_CSS, RANK_JS, PageInfo, page_html, page_script
from supplynet.network.countries import countries_path, load_countries

__all__ = ["build_page"]

logger = logging.getLogger(__name__)

_NATURAL_EARTH = "Made with Natural Earth"
_POPUP_OPTIONS = {"max_width": 420}


def build_page(G: nx.MultiDiGraph, results: Any, ctx: Context, points: list[tuple[int, str, str]],
               extras: Mapping[str, list[tuple[str, str]]], *, name: str, online: bool) -> str:
    """Return the finished, checked HTML page of a map (see :func:`supplynet.maps.render.render_map`)."""
    layers = [*_basemap(online), *edge_layers(G, ctx), *node_layers(G, ctx),
              *overlay_layers(G, ctx, extras, points)]
    bounds = _bounds(G)
    m, added = _folium_map(layers, bounds)
    tiles = _tiles(m) if online else None
    folium.LayerControl(collapsed=False).add_to(m)
    _stable_ids(m.get_root())
    registry = [(layer, gj.get_name()) for layer, gj in added]
    html = m.get_root().render()
    html = _insert(html, "</head>", f"<title>{escape_text(name)}</title>\n<style>{PAGE_CSS}</style>\n")
    html = _insert(html, "</body>", page_html(_page_info(G, results, ctx, extras, name, layers)) + "\n")
    html = _insert(html, "</html>", f"<script>{page_script(m.get_name(), registry, bounds)}</script>\n")
    allowed = [tiles.tiles, *_urls_in(tiles.options.get("attribution", ""))] if tiles else []
    origins = [tile_origin(tiles.tiles)] if tiles else []
    return finish_page(html, allowed=allowed, image_origins=origins)


def _folium_map(layers: list[LayerData], bounds: list[list[float]]) -> tuple[folium.Map, list[Any]]:
    """Return a folium map with one GeoJson layer per ``LayerData`` (and those layers)."""
    # The page script fits the bounds once the boxes are laid out; folium's own
    # fit_bounds would start a zoom animation that is still running when that happens.
    centre = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    m = folium.Map(location=centre, zoom_start=4, tiles=None, prefer_canvas=True,
                   zoom_control="bottomright", zoom_snap=0.25, zoom_delta=0.5)
    # folium links Leaflet, jQuery, Bootstrap, Font Awesome and awesome-markers from CDNs;
    # the map uses none of the last three, and Leaflet and jQuery are inlined instead.
    m.default_js, m.default_css = [], []
    added = [(layer, _add_layer(m, layer)) for layer in layers]
    return m, added


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


def _basemap(online: bool) -> list[LayerData]:
    """Return the country layer (none when no boundaries are installed)."""
    if countries_path() is None:
        logger.warning("no country boundaries installed: the map has no basemap")
        return []
    world = load_countries()
    # Over tiles the countries are outlines only, so the tiles show through.
    style = {"color": "#8d8d8d", "weight": 0.8, "fillColor": "#f4f1ea", "fillOpacity": 0.0 if online else 1.0}
    geoms = shapely.transform(world.geometry.to_numpy(), lambda c: np.round(c, 3))
    features = [{"type": "Feature", "geometry": json.loads(shapely.to_geojson(g)), "properties": {"style": style}}
                for g in geoms if g is not None and not g.is_empty]
    data = {"type": "FeatureCollection", "features": features}
    return [LayerData("basemap", "basemap", "Countries", data, [])]


def _add_layer(m: folium.Map, layer: LayerData) -> folium.GeoJson:
    """Add one GeoJson layer to ``m`` and return it."""
    check_template_free(layer.title, "a layer name")
    for label in layer.labels:
        check_template_free(label, "a popup label")
    # json.dumps is what folium's tojson filter runs; its output must hold no Jinja2 tag.
    check_template_free(json.dumps(layer.data), f"the data of layer {layer.title}")
    kwargs: dict[str, Any] = {}
    if layer.group == "basemap":
        kwargs.update(interactive=False, attribution=_NATURAL_EARTH)
    elif layer.points == "rank":
        icon = folium.DivIcon(html="", class_name="sn-rank", icon_size=(24, 24))
        kwargs.update(marker=folium.Marker(icon=icon), on_each_feature=JsCode(RANK_JS))
    else:
        kwargs.update(marker=folium.CircleMarker(radius=5))
    gj = folium.GeoJson(layer.data, name=layer.title, show=layer.show, **kwargs)
    if layer.group != "basemap" and layer.count:
        fields = [f"f{i}" for i in range(len(layer.labels))]
        folium.GeoJsonPopup(fields=fields, aliases=layer.labels, localize=False, **_POPUP_OPTIONS).add_to(gj)
        folium.GeoJsonTooltip(fields=["t"], labels=False, sticky=True).add_to(gj)
    gj.add_to(m)
    return gj


def _bounds(G: nx.MultiDiGraph) -> list[list[float]]:
    if G.number_of_nodes() == 0:
        return [[-60.0, -170.0], [75.0, 170.0]]
    xs = [d["x"] for _, d in G.nodes(data=True)]
    ys = [d["y"] for _, d in G.nodes(data=True)]
    pad = 0.05 * max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    return [[min(ys) - pad, min(xs) - pad], [max(ys) + pad, max(xs) + pad]]


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


def _page_info(G: nx.MultiDiGraph, results: Any, ctx: Context, extras: Mapping[str, list[Any]], name: str,
               layers: list[LayerData]) -> PageInfo:
    types = sorted({str(d.get("type")) for _, d in G.nodes(data=True)})
    type_counts = {t: 0 for t in types}
    for _, d in G.nodes(data=True):
        type_counts[str(d.get("type"))] += 1
    mode_counts: dict[str, int] = {}
    for *_, d in G.edges(keys=True, data=True):
        mode = d.get("mode") or "(no mode)"
        mode_counts[mode] = mode_counts.get(mode, 0) + 1
    names = G.nodes
    return PageInfo(
        name=name,
        description=G.graph.get("description"),
        sources=[str(names[s].get("name", s)) for s in results.sources if s in names],
        sinks=[str(names[t].get("name", t)) for t in results.sinks if t in names],
        max_flow=results.max_flow,
        max_flow_before=results.max_flow_before,
        edge_cut_capacity=results.edge_cut_capacity,
        node_cut_cost=results.node_cut_cost,
        weight_by_flow=ctx.weight_by_flow,
        node_types=[(t, type_color(t, types), type_counts[t]) for t in types],
        edge_modes=[(m, *mode_style(m), n) for m, n in sorted(mode_counts.items())],
        extra=[(t, EXTRA_COLORS[i % len(EXTRA_COLORS)], len(ids)) for i, (t, ids) in enumerate(extras.items())],
        removed=(len(ctx.removed_nodes), len(ctx.removed_edges)),
        notes=list(results.notes),
        scenario=getattr(results, "scenario", None),
        degraded=_degraded_labels(dict(getattr(results, "degraded", None) or {}), G),
        plan=_plan_info(getattr(results, "plan", None), getattr(results, "plan_curve", None)),
    )


def _degraded_labels(degraded: Mapping[tuple[str, str], float], G: nx.MultiDiGraph) -> list[tuple[str, float]]:
    """Return ``(label, factor)`` of the degraded elements, sorted: the id, with its kind
    where a node and an edge of the network share it."""
    edges = {k for _, _, k in G.edges(keys=True)} if any(i in G for _, i in degraded) else set()
    return sorted((f"{kind}:{ident}" if ident in G and ident in edges else ident, f)
                  for (kind, ident), f in degraded.items())


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
