"""Maps in a real browser (Playwright driving Debian's Chromium), with the network cut off.

Every http(s) request is blocked and recorded; a page error, a console error (a refused
Content-Security-Policy counts) or any attempted request fails the test. Chromium must be
installed (``make browser``): without it these tests fail, they do not skip.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
import pytest

import supplynet
from tests.conftest import program
from supplynet.maps.render import MapResults, analyse_for_map, write_map

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}
SCREENSHOT = ROOT / "docs" / "map-screenshot.png"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium for the whole module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=program("chromium"), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class MapPage:
    """An open map, with every request it attempted and every error it raised."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def js(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)


def _open(browser: Any, path: Path) -> MapPage:
    page = browser.new_page(viewport=VIEWPORT)
    opened = MapPage(page)

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("file:", "data:")):
            r.continue_()
        else:
            opened.requests.append(url)
            r.abort()

    page.route("**/*", route)
    def console(msg: Any) -> None:
        if msg.type == "error":  # a refused Content-Security-Policy lands here too
            opened.errors.append(f"console {msg.type}: {msg.text}")

    page.on("console", console)
    page.on("pageerror", lambda e: opened.errors.append(f"page error: {e}"))
    page.goto(path.as_uri())
    # Polled from Python: the page's CSP forbids the eval that wait_for_function needs.
    deadline = time.monotonic() + 30
    while not opened.js("!!(window.supplynet && window.supplynet.ready)"):
        assert time.monotonic() < deadline, f"map never finished drawing: {opened.errors}"
        time.sleep(0.02)
    return opened


@pytest.fixture(scope="module")
def corridor() -> nx.MultiDiGraph:
    return supplynet.read_network(ROOT / "datasets" / "corridor.geojson")


@pytest.fixture(scope="module")
def corridor_results(corridor: nx.MultiDiGraph) -> MapResults:
    return analyse_for_map(corridor)


@pytest.fixture(scope="module")
def corridor_map(browser: Any, corridor: nx.MultiDiGraph, corridor_results: MapResults,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[MapPage]:
    path = tmp_path_factory.mktemp("maps") / "corridor.html"
    write_map(corridor, path, corridor_results)
    opened = _open(browser, path)
    yield opened
    opened.page.close()


@pytest.fixture(scope="module")
def xss() -> nx.MultiDiGraph:
    return supplynet.read_network(DATA / "xss.geojson")


@pytest.fixture(scope="module")
def xss_map(browser: Any, xss: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MapPage]:
    nodes, edges = list(xss.nodes), [k for *_, k in xss.edges(keys=True)]
    # Every element in every slot: cuts, ranks, an extra layer, flows, a removal.
    results = MapResults(sources=[nodes[0]], sinks=[nodes[-1]], supply_betweenness=pd.Series(1.0, index=nodes),
                         edge_flow=pd.Series(2.0, index=edges), min_edge_cut=edges, min_node_cut=nodes,
                         top_points=[*nodes, *[("edge", e) for e in edges]], max_flow=5.0,
                         max_flow_before=8.0, notes=["${window.__pwned=1} {{ 7*7 }}"])
    path = tmp_path_factory.mktemp("maps") / "xss.html"
    write_map(xss, path, results, extra_layers={"<b>{{ 7*7 }}</b> ${window.__pwned=1}": nodes + edges},
              removed_edges=[edges[0]])
    opened = _open(browser, path)
    yield opened
    opened.page.close()


def _layer_counts(m: MapPage) -> dict[str, int]:
    """Return, per group, the features Leaflet has on the map (counted in the GeoJson layers)."""
    return m.js("""() => {
        const out = {};
        for (const e of window.supplynet.layers) {
            const drawn = e.layer.getLayers().filter(l => window.supplynet.map.hasLayer(l)).length;
            out[e.group] = (out[e.group] || 0) + drawn;
        }
        return out;
    }""")


def test_offline_page_loads_cleanly(corridor_map: MapPage) -> None:
    assert corridor_map.js("typeof window.L === 'object' && L.version") == "1.9.3"
    assert corridor_map.js("typeof window.jQuery") == "function"
    assert corridor_map.requests == []
    assert corridor_map.errors == []


def test_every_node_and_edge_is_drawn(corridor_map: MapPage, corridor: nx.MultiDiGraph) -> None:
    counts = _layer_counts(corridor_map)
    assert counts["nodes"] == corridor.number_of_nodes()
    assert counts["edges"] == corridor.number_of_edges()
    assert counts["basemap"] > 100


def test_cuts_and_ranked_points_are_drawn(corridor_map: MapPage, corridor_results: MapResults) -> None:
    layers = {e["key"]: e["count"] for e in corridor_map.js(
        "window.supplynet.layers.map(e => ({key: e.key, count: e.layer.getLayers().length}))")}
    assert layers["cut/edges"] == len(corridor_results.min_edge_cut) > 0
    assert layers["cut/nodes"] == len(corridor_results.min_node_cut) > 0
    assert layers["points"] == len(corridor_results.top_points) == 10
    badges = corridor_map.js(
        "[...document.querySelectorAll('.leaflet-marker-pane .sn-rank')].map(e => e.textContent)")
    assert sorted(badges, key=int) == [str(i) for i in range(1, 11)]


def _centre_on(m: MapPage, node: dict[str, float]) -> None:
    m.js("([lat, lon]) => { window.supplynet.map.setView([lat, lon], 9, {animate: false}); }",
         [node["y"], node["x"]])
    m.page.wait_for_timeout(100)  # the canvas redraws on the next frame


def _quiet_node(G: nx.MultiDiGraph, results: MapResults) -> str:
    """Return a node with no rank badge or cut ring drawn over it."""
    busy = set(results.min_node_cut) | {p[1] if isinstance(p, tuple) else p for p in results.top_points}
    return next(n for n in G.nodes if n not in busy)


def test_popup_opens_on_click_and_names_the_node(corridor_map: MapPage, corridor: nx.MultiDiGraph,
                                                 corridor_results: MapResults) -> None:
    node = _quiet_node(corridor, corridor_results)
    _centre_on(corridor_map, corridor.nodes[node])
    corridor_map.page.mouse.move(VIEWPORT["width"] / 2, VIEWPORT["height"] / 2)
    tooltip = corridor_map.page.locator(".leaflet-tooltip")
    tooltip.wait_for(timeout=5000)
    assert tooltip.inner_text().strip() == corridor.nodes[node]["name"]
    corridor_map.page.mouse.click(VIEWPORT["width"] / 2, VIEWPORT["height"] / 2)
    popup = corridor_map.page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    text = popup.inner_text()
    assert corridor.nodes[node]["name"] in text and node in text and "supply betweenness" in text
    corridor_map.js("() => { window.supplynet.map.closePopup(); }")


def test_layer_control_hides_and_shows_a_layer(corridor_map: MapPage) -> None:
    index = corridor_map.js("""() => {
        const entry = window.supplynet.layers.find(e => e.group === 'nodes');
        const inputs = [...document.querySelectorAll('.leaflet-control-layers-selector')];
        return inputs.findIndex(i => i.layerId === L.stamp(entry.layer));
    }""")
    assert index >= 0
    state = """() => {
        const entry = window.supplynet.layers.find(e => e.group === 'nodes');
        const map = window.supplynet.map;
        return [map.hasLayer(entry.layer), entry.layer.getLayers().filter(l => map.hasLayer(l)).length];
    }"""
    shown = corridor_map.js(state)
    assert shown[0] and shown[1] > 0
    checkbox = corridor_map.page.locator(".leaflet-control-layers-selector").nth(index)
    checkbox.click()
    assert corridor_map.js(state) == [False, 0]
    checkbox.click()
    assert corridor_map.js(state) == shown
    assert corridor_map.errors == []


def test_readme_screenshot(browser: Any, corridor: nx.MultiDiGraph, corridor_results: MapResults,
                           tmp_path: Path) -> None:
    path = tmp_path / "corridor.html"
    write_map(corridor, path, corridor_results)
    opened = _open(browser, path)
    opened.page.wait_for_timeout(200)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    opened.page.screenshot(path=str(SCREENSHOT))
    opened.page.close()
    assert SCREENSHOT.stat().st_size > 20_000 and opened.errors == [] and opened.requests == []


# Opens every feature's popup and tooltip the way a click and a hover do (an event
# propagated from the feature to its GeoJson layer) and returns the texts shown.
_OPEN_ALL = """() => {
    const map = window.supplynet.map, popups = [], tooltips = [];
    for (const entry of window.supplynet.layers) {
        if (entry.group === 'basemap') continue;
        for (const f of entry.layer.getLayers()) {
            const latlng = f.getLatLng ? f.getLatLng() : f.getCenter();
            f.fire('click', {latlng: latlng}, true);
            const p = entry.layer.getPopup();  // a closed popup lingers in the DOM while it fades
            popups.push(p.isOpen() ? p.getElement().innerText : null);
            map.closePopup();
            f.fire('mouseover', {latlng: latlng}, true);
            const t = entry.layer.getTooltip();
            tooltips.push(t.isOpen() ? t.getElement().innerText : null);
            f.fire('mouseout', {latlng: latlng}, true);
        }
    }
    return {popups, tooltips};
}"""


def test_payloads_never_run_and_show_literally(xss_map: MapPage, xss: nx.MultiDiGraph) -> None:
    shown = xss_map.js(_OPEN_ALL)
    xss_map.page.wait_for_timeout(300)  # any injected image error handler would have fired by now
    assert xss_map.js("window.__pwned") is None
    assert xss_map.requests == [] and xss_map.errors == []
    popups, tooltips = "\n".join(shown["popups"]), "\n".join(shown["tooltips"])
    assert None not in shown["popups"] and None not in shown["tooltips"]
    for n, d in xss.nodes(data=True):
        assert n in popups and d["name"] in popups and d["type"] in popups
        assert d["name"] in tooltips, tooltips
        for key, value in d.items():
            if isinstance(value, str):
                assert value in popups, key
    for *_, k, d in xss.edges(keys=True, data=True):
        assert k in popups and d["mode"] in popups and d["remark"] in popups
    assert "{{ 7*7 }}<i>key</i>" in popups and "49" not in popups


def test_page_text_is_literal_too(xss_map: MapPage, xss: nx.MultiDiGraph) -> None:
    title = xss_map.js("document.getElementById('sn-title').innerText")
    assert xss.graph["name"] in title and xss.graph["description"] in title
    legend = xss_map.js("document.getElementById('sn-legend').innerText")
    assert "${window.__pwned=1} {{ 7*7 }}" in legend
    labels = xss_map.js("document.querySelector('.leaflet-control-layers').innerText")
    for d in xss.nodes.values():
        assert d["type"] in labels
    assert "<b>{{ 7*7 }}</b> ${window.__pwned=1}" in labels
    assert xss_map.js("window.__pwned") is None and xss_map.errors == []


def test_clicking_a_hostile_node(xss_map: MapPage, xss: nx.MultiDiGraph) -> None:
    node = list(xss.nodes)[0]
    xss_map.js("window.supplynet.layers.filter(e => e.group !== 'nodes' && e.group !== 'basemap')"
               ".forEach(e => window.supplynet.map.removeLayer(e.layer))")
    _centre_on(xss_map, xss.nodes[node])
    xss_map.page.mouse.click(VIEWPORT["width"] / 2, VIEWPORT["height"] / 2)
    popup = xss_map.page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert xss.nodes[node]["name"] in popup.inner_text()
    assert xss_map.js("window.__pwned") is None and xss_map.errors == []


def test_scenario_greying_and_plan_layer(browser: Any, corridor: nx.MultiDiGraph,
                                         tmp_path_factory: pytest.TempPathFactory) -> None:
    from dataclasses import replace

    from supplynet.analysis.plan import plan_interdiction
    from supplynet.network.scenarios import load_scenarios, pick_scenarios

    (scenario,) = pick_scenarios(load_scenarios(ROOT / "datasets" / "corridor-scenarios.yaml", corridor),
                                 ["border-and-north"])
    plan = plan_interdiction(corridor, budget=3, method="greedy")
    results = replace(analyse_for_map(corridor, scenario=scenario), plan=plan)
    path = tmp_path_factory.mktemp("maps") / "scenario.html"
    write_map(corridor, path, results)
    m = _open(browser, path)
    try:
        assert m.requests == [] and m.errors == []
        grey = m.js("""() => {
            let n = 0;
            for (const e of window.supplynet.layers) {
                if (e.group !== 'nodes' && e.group !== 'edges') continue;
                for (const l of e.layer.getLayers()) {
                    if (l.options.fillColor === '#9e9e9e' || l.options.color === '#9e9e9e') n++;
                }
            }
            return n;
        }""")
        at_removed = {k for u, v, k in corridor.edges(keys=True)
                      if u in scenario.remove_nodes or v in scenario.remove_nodes}
        assert grey == len(scenario.remove_nodes) + len(set(scenario.remove_edges) | at_removed)
        plan_layer = m.js("""() => {
            const e = window.supplynet.layers.find(x => x.group === 'extra');
            return e && {title: e.title, drawn: e.layer.getLayers().length,
                         shown: window.supplynet.map.hasLayer(e.layer)};
        }""")
        assert plan_layer["title"].startswith("Plan: greedy, budget 3")
        assert plan_layer["drawn"] == len(plan.selected) > 0 and plan_layer["shown"]
        legend = m.page.inner_text("#sn-legend")
        assert "What-if: border-and-north" in legend and "Interdiction plan (greedy, both)" in legend
        assert f"{results.max_flow_before:g} before, {results.max_flow:g} after" in legend
        # The plan layer toggles from the layer control like every other layer.
        index = m.js("""() => {
            const e = window.supplynet.layers.find(x => x.group === 'extra');
            return [...document.querySelectorAll('.leaflet-control-layers-selector')]
                .findIndex(i => i.layerId === L.stamp(e.layer));
        }""")
        m.page.locator(".leaflet-control-layers-selector").nth(index).click()
        assert m.js("window.supplynet.map.hasLayer(window.supplynet.layers.find(x => x.group === 'extra').layer)") \
            is False
    finally:
        m.page.close()
