"""Maps in a real browser (Playwright driving Debian's Chromium), with the network cut off.

Every request other than the page itself is blocked and recorded; a page error, a console
error (a refused Content-Security-Policy counts) or any attempted request fails the test.
What the page reports it drew (``window.supplynet``, counted by the drawing code) and what
it shows (call-outs, labels, popups, the legend) are checked against the network and
against ``supplynet.maps.popups.MapData``. Chromium must be installed (``make system``):
without it these tests fail, they do not skip.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import supplynet
from supplynet.maps.popups import MapData
from supplynet.maps.render import MapResults, analyse_for_map, write_map
from supplynet.numbers import format_number
from tests.conftest import program

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}
LAPTOP = {"width": 1366, "height": 768}
SCREENSHOT = ROOT / "docs" / "map-screenshot.png"
SCREENSHOT_BIG = ROOT / "docs" / "map-100k.png"
# Every box a call-out, label or popup must keep clear of.
CONTROLS = "#sn-title, #sn-legend, .leaflet-control"


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
    path: Path
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def js(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)

    def wait_drawn(self, timeout: float = 60) -> None:
        """Wait until the layer has drawn every tile of the view and the overlay."""
        deadline = time.monotonic() + timeout
        while not self.js("window.supplynet.layer.isIdle() && !window.supplynet.map._animatingZoom"
                          " && !window.supplynet.map._panAnim?._inProgress"):
            assert time.monotonic() < deadline, "the map never settled"
            time.sleep(0.02)
        self.page.wait_for_timeout(50)

    @property
    def clean(self) -> bool:
        return self.requests == [] and self.errors == []


# Records what a hostile page would try: a dialog, an injected handler, a CSP refusal.
_GUARD = """
window.__snErrors = [];
document.addEventListener('securitypolicyviolation', e => window.__snErrors.push('CSP ' + e.violatedDirective));
window.alert = window.confirm = window.prompt = () => { window.__pwned = 'dialog'; };
"""


def _open(browser: Any, path: Path, viewport: dict[str, int] = VIEWPORT, timeout: float = 60) -> MapPage:
    page = browser.new_page(viewport=viewport)
    opened = MapPage(page, path)

    def route(r: Any) -> None:
        url = r.request.url
        if url == path.as_uri() or url.startswith("data:"):
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
    page.on("dialog", lambda d: (opened.errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.add_init_script(_GUARD)
    page.goto(path.as_uri())
    # Polled from Python: the page's CSP forbids the eval that wait_for_function needs.
    deadline = time.monotonic() + timeout
    while not opened.js("!!(window.supplynet && (window.supplynet.ready || window.supplynet.error))"):
        assert time.monotonic() < deadline, f"map never finished drawing: {opened.errors}"
        time.sleep(0.02)
    assert opened.js("window.supplynet.error || null") is None
    return opened


@pytest.fixture(scope="module")
def corridor() -> nx.MultiDiGraph:
    return supplynet.read_network(ROOT / "datasets" / "corridor.geojson")


@pytest.fixture(scope="module")
def corridor_results(corridor: nx.MultiDiGraph) -> MapResults:
    return analyse_for_map(corridor)


@pytest.fixture(scope="module")
def corridor_file(corridor: nx.MultiDiGraph, corridor_results: MapResults,
                  tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("maps") / "corridor.html"
    write_map(corridor, path, corridor_results)
    return path


@pytest.fixture(scope="module")
def corridor_data(corridor_file: Path) -> MapData:
    return MapData.from_page(corridor_file.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def corridor_map(browser: Any, corridor_file: Path) -> Iterator[MapPage]:
    opened = _open(browser, corridor_file)
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


def _boxes(m: MapPage, selector: str = CONTROLS) -> list[list[float]]:
    """Return the container-pixel boxes of the elements a selector finds (empty ones left out)."""
    return m.js("""(sel) => {
        const r = window.supplynet.map.getContainer().getBoundingClientRect();
        return [...document.querySelectorAll(sel)].map(e => e.getBoundingClientRect())
            .filter(b => b.width && b.height)
            .map(b => [b.left - r.left, b.top - r.top, b.right - r.left, b.bottom - r.top]);
    }""", selector)


def _meet(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]


def _placed(m: MapPage) -> list[dict[str, Any]]:
    return m.js("window.supplynet.layer.overlay.placedBoxes()")


# -- loading, counting, what is drawn ---------------------------------------------------

def test_offline_page_loads_cleanly(corridor_map: MapPage) -> None:
    assert corridor_map.js("typeof window.L === 'object' && L.version") == "1.9.3"
    assert corridor_map.js("typeof window.jQuery") == "undefined"
    assert corridor_map.js("window.__snErrors") == []
    assert corridor_map.clean


def test_the_drawing_code_counts_every_node_and_edge(corridor_map: MapPage, corridor: nx.MultiDiGraph,
                                                     corridor_data: MapData, corridor_results: MapResults) -> None:
    sn = corridor_map.js("({ready: window.supplynet.ready, nodes: window.supplynet.nodes, "
                         "edges: window.supplynet.edges, drawn: window.supplynet.drawn})")
    assert sn["ready"] is True
    assert (sn["nodes"], sn["edges"]) == (corridor.number_of_nodes(), corridor.number_of_edges())
    # The corridor is drawn whole at the opening zoom: every segment, every node on the overlay.
    drawn = sn["drawn"]
    assert drawn["segments"] == corridor_data.header["nseg"] and drawn["arcs"] == corridor.number_of_edges()
    assert drawn["keyNodes"] == corridor.number_of_nodes() and drawn["clusters"] == 0
    assert drawn["cutEdges"] == len(corridor_results.min_edge_cut) > 0


def test_every_source_sink_and_top_point_is_labelled(corridor_map: MapPage, corridor: nx.MultiDiGraph,
                                                     corridor_results: MapResults) -> None:
    placed = _placed(corridor_map)
    data_ids = corridor_map.js("window.supplynet.layer.net.node_ids")
    labelled = {data_ids[p["i"]] for p in placed if p["what"] == "n"}
    for n in [*corridor_results.sources, *corridor_results.sinks]:
        assert n in labelled, n
    callouts = [p for p in placed if p["kind"] == "callout"]
    assert sorted(p["rank"] for p in callouts) == list(range(1, 11))
    for p in callouts:
        kind, ident = corridor_results.top_points[p["rank"] - 1]
        if kind == "node":
            assert data_ids[p["i"]] == ident and p["text"].rstrip("\u2026") in corridor.nodes[ident]["name"]
    for p in placed:
        if p["what"] == "n" and p["kind"] == "label":
            assert p["text"].rstrip("\u2026") in corridor.nodes[data_ids[p["i"]]]["name"]


def test_no_two_rank_markers_or_labels_meet(corridor_map: MapPage) -> None:
    placed = _placed(corridor_map)
    markers = [p["box"] for p in placed if p["kind"] == "callout"]
    assert len(markers) == 10
    for a, b in itertools.combinations(markers, 2):
        assert not _meet(a, b), (a, b)
    for a, b in itertools.combinations([p["box"] for p in placed], 2):
        assert not _meet(a, b), (a, b)
    # None sits under the title box, the legend or a control, and all are inside the view.
    blocked = _boxes(corridor_map)
    for p in placed:
        assert all(not _meet(p["box"], b) for b in blocked), p
        assert 0 <= p["box"][0] and p["box"][2] <= VIEWPORT["width"] and p["box"][3] <= VIEWPORT["height"]
    # Each marker is drawn where it says: its badge's dark ink is on the overlay there.
    for p in [p for p in placed if p["kind"] == "callout"]:
        x, y = p["box"][0] + 5, (p["box"][1] + p["box"][3]) / 2
        assert max(_pixel(corridor_map, x, y)[:3]) < 60, p


def _pixel(m: MapPage, x: float, y: float) -> list[int]:
    """Return the overlay canvas' RGBA at a container pixel."""
    return m.js("""([x, y]) => {
        const o = window.supplynet.layer.overlay, c = o._canvas, r = window.devicePixelRatio || 1, tr = o._tr;
        return [...c.getContext('2d').getImageData(Math.round((x - tr.cx) * r), Math.round((y - tr.cy) * r), 1, 1).data];
    }""", [x, y])


def test_markers_stay_apart_at_every_zoom(corridor_map: MapPage) -> None:
    try:
        for dz in (-1, 1, 2, 3):
            corridor_map.js("(dz) => { const m = window.supplynet.map; m.setZoom(m.getZoom() + dz, {animate: false}); }",
                            dz)
            corridor_map.wait_drawn()
            boxes = [p["box"] for p in _placed(corridor_map)]
            for a, b in itertools.combinations(boxes, 2):
                assert not _meet(a, b)
            corridor_map.js("(dz) => { const m = window.supplynet.map; m.setZoom(m.getZoom() - dz, {animate: false}); }",
                            dz)
            corridor_map.wait_drawn()
    finally:
        assert corridor_map.clean


def test_the_layer_control_is_collapsed_and_toggles_layers(corridor_map: MapPage, corridor: nx.MultiDiGraph) -> None:
    m = corridor_map
    assert m.js("!!document.querySelector('.leaflet-control-layers')") is True
    assert m.js("document.querySelector('.leaflet-control-layers').classList"
                ".contains('leaflet-control-layers-expanded')") is False
    assert m.js("document.querySelector('.leaflet-control-layers').getBoundingClientRect().width") < 60
    m.page.hover(".leaflet-control-layers")
    names = m.js("[...document.querySelectorAll('.leaflet-control-layers-overlays label')].map(l => l.innerText.trim())")
    index = next(i for i, n in enumerate(names) if n.startswith("Nodes: smuggling"))
    smuggling = sum(1 for d in corridor.nodes.values() if d["type"] == "smuggling")
    before = m.js("window.supplynet.layer.visibleCounts().keyNodes")
    checkbox = m.page.locator(".leaflet-control-layers-overlays input").nth(index)
    checkbox.click()
    m.wait_drawn()
    assert m.js("window.supplynet.layer.visibleCounts().keyNodes") == before - smuggling
    checkbox.click()
    m.wait_drawn()
    assert m.js("window.supplynet.layer.visibleCounts().keyNodes") == before
    m.page.mouse.move(600, 400)
    assert m.clean


# -- popups and tooltips ---------------------------------------------------------------

def _popups(m: MapPage) -> dict[str, dict[str, list[list[str]]]]:
    """Return every popup's rows as the page builds them: ``{"nodes": {id: rows}, "edges": ...}``."""
    return m.js("""() => {
        const net = window.supplynet.layer.net, out = {nodes: {}, edges: {}};
        const text = el => [...el.querySelectorAll('tr')].map(tr => [tr.cells[0].textContent, tr.cells[1].textContent]);
        net.node_ids.forEach((id, i) => { out.nodes[id] = text(SN.popupContent(net, {kind: 'n', id: i})); });
        net.arc_ids.forEach((id, a) => { out.edges[id] = text(SN.popupContent(net, {kind: 'a', id: a})); });
        return out;
    }""")


def test_every_popup_shows_the_rows_the_data_holds(corridor_map: MapPage, corridor: nx.MultiDiGraph,
                                                   corridor_data: MapData) -> None:
    shown = _popups(corridor_map)
    for n in corridor.nodes:
        assert [tuple(r) for r in shown["nodes"][n]] == corridor_data.node_rows(n), n
    for *_, k in corridor.edges(keys=True):
        assert [tuple(r) for r in shown["edges"][k]] == corridor_data.edge_rows(k), k


def _quiet_node(G: nx.MultiDiGraph, results: MapResults) -> str:
    """Return a node with no call-out or cut ring drawn over it."""
    busy = set(results.min_node_cut) | {p[1] for p in results.top_points}
    return next(n for n in sorted(G.nodes) if n not in busy)


def _container_point(m: MapPage, node: dict[str, float]) -> tuple[float, float]:
    p = m.js("([lat, lon]) => { const p = window.supplynet.map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
             [node["y"], node["x"]])
    return p[0], p[1]


def test_a_click_opens_the_popup_and_a_hover_names_the_node(corridor_map: MapPage, corridor: nx.MultiDiGraph,
                                                            corridor_results: MapResults) -> None:
    m = corridor_map
    node = _quiet_node(corridor, corridor_results)
    m.js("([lat, lon]) => { window.supplynet.map.setView([lat, lon], 8, {animate: false}); }",
         [corridor.nodes[node]["y"], corridor.nodes[node]["x"]])
    m.wait_drawn()
    x, y = _container_point(m, corridor.nodes[node])
    m.page.mouse.move(x, y)
    tooltip = m.page.locator(".leaflet-tooltip")
    tooltip.wait_for(timeout=5000)
    assert tooltip.inner_text().strip() == corridor.nodes[node]["name"]
    m.page.mouse.click(x, y)
    popup = m.page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    text = popup.inner_text()
    assert corridor.nodes[node]["name"] in text and node in text and "supply betweenness" in text
    m.js("() => { window.supplynet.map.closePopup(); }")
    assert m.clean


def test_popups_never_open_under_a_control(browser: Any, corridor_file: Path, corridor: nx.MultiDiGraph) -> None:
    """Nodes at every edge of the view, smg-baghdad (whose popup the layer list once covered) too."""
    m = _open(browser, corridor_file)
    try:
        xs = {n: d["x"] for n, d in corridor.nodes(data=True)}
        ys = {n: d["y"] for n, d in corridor.nodes(data=True)}
        picks = {"smg-baghdad", min(xs, key=xs.get), max(xs, key=xs.get), min(ys, key=ys.get), max(ys, key=ys.get)}
        for node in sorted(picks):
            m.js("(i) => { const s = window.supplynet, net = s.layer.net;"
                 " s.layer.openPopup({kind: 'n', id: i}, [net.arrays.lat[i], net.arrays.lon[i]]); }",
                 m.js("(id) => window.supplynet.layer.net.node_ids.indexOf(id)", node))
            m.page.wait_for_timeout(400)  # the popup pans the map clear, animated
            m.wait_drawn()
            popup = _boxes(m, ".leaflet-popup")[0]
            for b in _boxes(m):
                assert not _meet(popup, b), (node, popup, b)
            assert 0 <= popup[0] and popup[2] <= VIEWPORT["width"] and 0 <= popup[1] and popup[3] <= VIEWPORT["height"]
            assert node in m.page.inner_text(".leaflet-popup-content")
            m.js("() => { window.supplynet.map.closePopup(); }")
        assert m.clean
    finally:
        m.page.close()


# -- the legend ------------------------------------------------------------------------

def test_the_legend_fits_a_laptop_screen_by_folding(browser: Any, corridor: nx.MultiDiGraph,
                                                   tmp_path: Path) -> None:
    from supplynet.analysis.plan import compare_methods
    from supplynet.network.scenarios import load_scenarios, pick_scenarios

    (s,) = pick_scenarios(load_scenarios(ROOT / "datasets" / "corridor-scenarios.yaml", corridor), ["border-and-north"])
    comp = compare_methods(corridor, budget=3, methods=("greedy",))
    results = replace(analyse_for_map(corridor, scenario=s), plan=comp.plans["greedy"], plan_curve=comp.curve)
    path = tmp_path / "full.html"
    write_map(corridor, path, results)
    m = _open(browser, path, LAPTOP)
    try:
        state = """() => {
            const l = document.getElementById('sn-legend'), b = l.getBoundingClientRect();
            return {scroll: l.scrollHeight, client: l.clientHeight, bottom: b.bottom, tight: l.classList.contains('sn-tight'),
                    open: [...l.querySelectorAll('details.sn-sec')].map(d => [d.id, d.open])};
        }"""
        first = m.js(state)
        assert first["scroll"] <= first["client"] + 1 and first["bottom"] <= LAPTOP["height"] and not first["tight"]
        opened = dict(first["open"])
        # The what-if and the plan (with its whole curve) stay open; less important parts fold.
        assert opened["sn-leg-cut"] and opened["sn-whatif"] and opened["sn-plan"] and not all(opened.values())
        curve = _boxes(m, "#sn-plan-curve svg")[0]
        assert curve[3] <= _boxes(m, "#sn-legend")[0][3]
        # Opening a folded section keeps it open and folds others instead: still no scrolling.
        folded = next(k for k, v in first["open"] if not v)
        m.page.click(f"#{folded} > summary")
        m.page.wait_for_timeout(100)
        after = m.js(state)
        assert dict(after["open"])[folded] and after["scroll"] <= after["client"] + 1
        assert sum(v for _, v in after["open"]) >= 1
        assert m.clean
    finally:
        m.page.close()


# -- struck, uncertain and highlighted elements -----------------------------------------

def test_struck_elements_are_crossed_out(browser: Any, corridor: nx.MultiDiGraph, tmp_path: Path) -> None:
    from supplynet.analysis.plan import plan_interdiction
    from supplynet.network.scenarios import load_scenarios, pick_scenarios

    (scenario,) = pick_scenarios(load_scenarios(ROOT / "datasets" / "corridor-scenarios.yaml", corridor),
                                 ["border-and-north"])
    plan = plan_interdiction(corridor, budget=3, method="greedy")
    results = replace(analyse_for_map(corridor, scenario=scenario), plan=plan)
    path = tmp_path / "scenario.html"
    write_map(corridor, path, results)
    m = _open(browser, path)
    try:
        drawn = m.js("window.supplynet.drawn")
        at_removed = {k for u, v, k in corridor.edges(keys=True)
                      if u in scenario.remove_nodes or v in scenario.remove_nodes}
        assert drawn["struckNodes"] == len(scenario.remove_nodes)
        assert drawn["struckEdges"] == len(set(scenario.remove_edges) | at_removed)
        # The cross is black ink right over each struck node.
        for n in scenario.remove_nodes:
            x, y = _container_point(m, corridor.nodes[n])
            assert max(_pixel(m, x, y)[:3]) < 40, n
        legend = m.page.inner_text("#sn-legend")
        assert "What-if: border-and-north" in legend and "Interdiction plan (greedy, both)" in legend
        assert f"{results.max_flow_before:g} before, {results.max_flow:g} after" in legend
        assert "struck nodes: 2, crossed out" in legend
        # The plan is a layer of its own, switched from the layer control like every other.
        m.page.hover(".leaflet-control-layers")
        names = m.js("[...document.querySelectorAll('.leaflet-control-layers-overlays label')].map(l => l.innerText.trim())")
        index = next(i for i, n in enumerate(names) if n.startswith("Plan: greedy, budget 3"))
        assert names[index] == f"Plan: greedy, budget 3 ({len(plan.selected)})"
        assert m.js("window.supplynet.layer.state.extraOn[0]") is True
        m.page.locator(".leaflet-control-layers-overlays input").nth(index).click()
        assert m.js("window.supplynet.layer.state.extraOn[0]") is False
        struck = next(i for i, n in enumerate(names) if n.startswith("Struck in the what-if"))
        m.page.locator(".leaflet-control-layers-overlays input").nth(struck).click()
        m.wait_drawn()
        assert m.js("window.supplynet.layer.visibleCounts().struckNodes") == 0
        assert m.clean
    finally:
        m.page.close()


def test_uncertain_elements_are_drawn_fainter(browser: Any, tmp_path: Path) -> None:
    G = nx.MultiDiGraph(crs="EPSG:4326", name="doubt")
    for n, x, conf in (("sure", 40.0, 1.0), ("doubtful", 42.0, 0.3), ("hub", 41.0, 1.0)):
        G.add_node(n, type="storage", name=n, x=x, y=33.0, cost=1.0, interdictable=True, confidence=conf)
    G.add_edge("sure", "hub", key="e1", length=90_000, capacity=5.0, mode="road")
    G.add_edge("hub", "doubtful", key="e2", length=90_000, capacity=5.0, mode="road")
    path = tmp_path / "doubt.html"
    write_map(G, path, MapResults(supply_betweenness=pd.Series(1.0, index=list(G.nodes))))
    m = _open(browser, path)
    try:
        def ink(node: str) -> int:
            x, y = _container_point(m, G.nodes[node])
            return sum(255 - c for c in _pixel(m, x, y)[:3]) * _pixel(m, x, y)[3] // 255

        assert ink("doubtful") < 0.6 * ink("sure")
        m.page.hover(".leaflet-control-layers")
        m.page.get_by_text("Shade by confidence").click()
        m.wait_drawn()
        assert abs(ink("doubtful") - ink("sure")) < 0.05 * ink("sure")
        assert "less sure to exist" in m.page.inner_text("#sn-legend")
        assert m.clean
    finally:
        m.page.close()


def test_many_highlight_layers_are_drawn(browser: Any, corridor: nx.MultiDiGraph, tmp_path: Path) -> None:
    nodes = sorted(corridor.nodes)
    waves = {f"Wave {w + 1}": [nodes[w % len(nodes)]] for w in range(120)}
    path = tmp_path / "waves.html"
    write_map(corridor, path, extra_layers=waves)
    m = _open(browser, path, LAPTOP)
    try:
        assert m.js("window.supplynet.layer.state.extraOn.length") == 120
        names = m.js("[...document.querySelectorAll('.leaflet-control-layers-overlays label')].map(l => l.innerText.trim())")
        assert sum(n.startswith("Wave ") for n in names) == 120
        assert m.js("(() => { const l = document.getElementById('sn-legend'); return l.scrollHeight <= l.clientHeight + 1; })()")
        assert m.clean
    finally:
        m.page.close()


# -- numbers, hostile text -------------------------------------------------------------

_SPECIAL = [0.0, -0.0, 0.5, 1.5, 2.5, 999.95, 999.5, 1000.5, 1001.5, 1234.5678, -1234.5, 0.00012345, 1.0625,
            0.125, 2 / 3, 1 / 3, 12345.678, 1e21, 1.7976931348623157e308, 5e-324, 9.9995, 99.995, 0.00099995,
            123456789012345.6, -0.3, 35.015625, 0.0001, 1e-5, 7.0, -2.0, 1e16 + 2]


@settings(max_examples=5, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=True, width=64), min_size=200, max_size=200),
       st.lists(st.floats(-200, 200), min_size=50, max_size=50))
def test_the_page_writes_numbers_as_the_reports_do(corridor_map: MapPage, values: list[float],
                                                   coords: list[float]) -> None:
    values = values + _SPECIAL + [round(v, 2) for v in values[:50]] + [float(int(v)) for v in coords]
    shown = corridor_map.js("(vs) => vs.map(v => SN.fmtNum(v, false))", values)
    assert shown == [format_number(v) for v in values]
    ints = [int(v) for v in coords] + [2023, -7, 2 ** 53 - 1]
    assert corridor_map.js("(vs) => vs.map(v => SN.fmtNum(v, true))", ints) == [format_number(v) for v in ints]
    fixed = coords + [35.015625, -0.0, 0.000005, 12.345675]
    assert corridor_map.js("(vs) => vs.map(v => SN.fixed(v, 5))", fixed) == [f"{v:.5f}" for v in fixed]


def test_payloads_never_run_and_show_literally(xss_map: MapPage, xss: nx.MultiDiGraph) -> None:
    shown = xss_map.js("""() => {
        const net = window.supplynet.layer.net;
        const all = [...net.node_ids.map((_, i) => SN.popupContent(net, {kind: 'n', id: i})),
                     ...net.arc_ids.map((_, a) => SN.popupContent(net, {kind: 'a', id: a}))];
        return {text: all.map(el => el.textContent).join('\\n'),
                elements: all.map(el => el.querySelectorAll('*:not(div):not(h4):not(table):not(tbody):not(tr):not(th):not(td)').length)};
    }""")
    xss_map.page.wait_for_timeout(300)  # any injected image error handler would have fired by now
    assert xss_map.js("window.__pwned") is None and xss_map.js("window.__snErrors") == []
    assert xss_map.clean and set(shown["elements"]) == {0}
    popups = shown["text"]
    for n, d in xss.nodes(data=True):
        assert n in popups and d["name"] in popups and d["type"] in popups
        for key, value in d.items():
            if isinstance(value, str):
                assert value in popups, key
    for *_, k, d in xss.edges(keys=True, data=True):
        assert k in popups and d["mode"] in popups and d["remark"] in popups
    assert "{{ 7*7 }}<i>key</i>" in popups and "49" not in popups


def test_page_text_is_literal_too(xss_map: MapPage, xss: nx.MultiDiGraph) -> None:
    title = xss_map.js("document.getElementById('sn-title').innerText")
    assert xss.graph["name"] in title
    assert xss.graph["description"] in xss_map.js("document.getElementById('sn-title').textContent")
    legend = xss_map.js("document.getElementById('sn-legend').textContent")
    assert "${window.__pwned=1} {{ 7*7 }}" in legend
    labels = xss_map.js("document.querySelector('.leaflet-control-layers').textContent")
    for d in xss.nodes.values():
        assert d["type"] in labels
    assert "<b>{{ 7*7 }}</b> ${window.__pwned=1}" in labels
    assert xss_map.js("document.querySelectorAll('.leaflet-control-layers b, .leaflet-control-layers i, "
                      ".leaflet-control-layers svg, .leaflet-control-layers img').length") == 0
    # Canvas labels are drawn text: a name is shown as it is, and nothing is parsed.
    texts = [p["text"] for p in _placed(xss_map)]
    assert any("<img" in t for t in texts)
    assert xss_map.js("window.__pwned") is None and xss_map.clean


def test_clicking_a_hostile_node(xss_map: MapPage, xss: nx.MultiDiGraph) -> None:
    node = list(xss.nodes)[0]
    x, y = _container_point(xss_map, xss.nodes[node])
    xss_map.page.mouse.click(x, y)
    popup = xss_map.page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert xss.nodes[node]["name"] in popup.inner_text()
    assert xss_map.js("document.querySelectorAll('.leaflet-popup-content script, .leaflet-popup-content img, "
                      ".leaflet-popup-content svg').length") == 0
    assert xss_map.js("window.__pwned") is None and xss_map.clean


# -- big networks and the screenshots ----------------------------------------------------

def _road(n: int, seed: int = 1) -> nx.MultiDiGraph:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import road_network

    return road_network(n, seed=seed)


def _synthetic(G: nx.MultiDiGraph) -> MapResults:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_maps import synthetic_results

    return synthetic_results(G, 1)


def test_a_big_map_clusters_and_a_click_zooms_in(browser: Any, tmp_path: Path) -> None:
    G = _road(8000, seed=2)
    path = tmp_path / "big.html"
    write_map(G, path, _synthetic(G))
    m = _open(browser, path)
    try:
        sn = m.js("({nodes: window.supplynet.nodes, edges: window.supplynet.edges, drawn: window.supplynet.drawn})")
        assert (sn["nodes"], sn["edges"]) == (G.number_of_nodes(), G.number_of_edges())
        drawn = sn["drawn"]
        assert drawn["clusters"] > 0 and drawn["clusteredNodes"] + drawn["nodes"] + drawn["keyNodes"] == 8000
        assert drawn["segments"] < m.js("window.supplynet.layer.net.nseg")  # thinned at the opening zoom
        zoom = m.js("window.supplynet.map.getZoom()")
        xy = m.js("""() => { const l = window.supplynet.layer, A = l.net.arrays, z = Math.round(l._map.getZoom());
            const b = l._map.getPixelBounds(), s = Math.pow(2, l._map.getZoom());
            for (let c = A.cl_zoff[z]; c < A.cl_zoff[z + 1]; c++) {
                const x = A.cl_x[c] * s - b.min.x, y = A.cl_y[c] * s - b.min.y;
                const hit = x > 400 && x < 1100 && y > 100 && y < 700 ? l.hitTest(L.point(x, y)) : null;
                if (hit && hit.kind === 'c') return [x, y];
            }
            return null; }""")
        assert xy is not None
        m.page.mouse.click(*xy)
        m.page.wait_for_timeout(400)
        m.wait_drawn()
        assert m.js("window.supplynet.map.getZoom()") > zoom
        assert m.clean
    finally:
        m.page.close()


def _screenshot(m: MapPage, path: Path) -> None:
    m.page.mouse.move(VIEWPORT["width"] - 5, VIEWPORT["height"] // 2)
    m.page.wait_for_timeout(200)
    path.parent.mkdir(exist_ok=True)
    m.page.screenshot(path=str(path))


def test_readme_screenshots(browser: Any, corridor_file: Path, tmp_path: Path) -> None:
    m = _open(browser, corridor_file)
    _screenshot(m, SCREENSHOT)
    m.page.close()
    assert SCREENSHOT.stat().st_size > 50_000 and m.clean
    G = _road(100_000)
    path = tmp_path / "big.html"
    write_map(G, path, _synthetic(G))
    assert path.stat().st_size < 60e6
    big = _open(browser, path, timeout=120)
    try:
        assert big.js("window.supplynet.nodes") == 100_000 and big.js("window.supplynet.edges") == 357_130
        _screenshot(big, SCREENSHOT_BIG)
        assert SCREENSHOT_BIG.stat().st_size > 50_000 and big.clean
    finally:
        big.page.close()


# -- uncertain intelligence (map --samples) ----------------------------------------------

def test_uncertainty_popups_show_what_the_uncertainty_command_reports(browser: Any, corridor: nx.MultiDiGraph,
                                                                      tmp_path: Path) -> None:
    """``map --samples``: the page's popups (as the browser builds them) hold each element's
    expected flow loss, min-cut probability and collection rank, as ``supplynet uncertainty``
    reports them with the same samples and seed."""
    import json

    from click.testing import CliRunner

    from supplynet.cli import main
    from supplynet.maps.escape import format_value

    path = tmp_path / "uncertain.html"
    corridor_path = ROOT / "datasets" / "corridor.geojson"
    made = CliRunner().invoke(main, ["map", str(corridor_path), "-o", str(path), "--samples", "200",
                                     "--sample-seed", "5"])
    assert made.exit_code == 0, made.output
    report = json.loads(CliRunner().invoke(main, ["uncertainty", str(corridor_path), "--samples", "200", "--seed",
                                                  "5", "--format", "json"]).output)
    m = _open(browser, path)
    try:
        assert m.errors == [] and m.requests == []
        shown = _popups(m)
        legend = m.page.inner_text("body")
    finally:
        m.page.close()
    ranks = {(c["kind"], i): c["rank"] for c in report["collect_next"] for i in c["members"]}
    for kind, key in (("node", "nodes"), ("edge", "edges")):
        for element in report[key]:
            rows = dict(shown[key][element["id"]])
            assert rows["expected flow loss (uncertain intelligence)"] == format_value(element["expected_flow_loss"])
            assert rows["probability it lies in a min cut"] == format_value(element["p_in_min_cut"])
            assert rows.get("collect next: rank") == (str(ranks[(kind, element["id"])])
                                                      if (kind, element["id"]) in ranks else None)
    assert "Uncertain intelligence: expected max flow" in legend and "200 scenarios sampled, seed 5" in legend
