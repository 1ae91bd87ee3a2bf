"""Offline HTML maps without a browser: the packed data, self-containment, escaping, the CLI.

What a page shows is read back from its one data element (``supplynet.maps.popups.MapData``)
and checked against the network and its analysis directly: every popup row of every node
and edge, the cuts, the ranks, what a what-if struck, the highlight layers. The browser
tests (``test_maps_browser.py``) check the page draws and shows exactly these.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import re
from pathlib import Path
from typing import Any

import click
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import supplynet
from supplynet import OutputError, ScenarioError
from supplynet.cli.map import map_command
from supplynet.maps import lod
from supplynet.maps.assets import LICENSE_DIR, MapSafetyError, find_remote_references, finish_page
from supplynet.maps.blob import decode_blob, encode_blob, read_page_data
from supplynet.maps.escape import format_value
from supplynet.maps.pack import ARC_FLAGS, EDGE_SCHEMA, NODE_FLAGS, NODE_SCHEMA, column
from supplynet.maps.popups import MapData
from supplynet.maps.render import MapResults, analyse_for_map, render_map, resolve_elements, write_map

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SCENARIO_FILE = ROOT / "datasets" / "corridor-scenarios.yaml"
CDN_MARKERS = ("cdn.jsdelivr", "cdnjs.cloudflare", "code.jquery.com", "bootstrapcdn", "fontawesome",
               "awesome-markers", "bootstrap.min", "unpkg.com")
LEAFLET_PREFIX_LINK = "https://leafletjs.com"
DATA_ELEMENT = re.compile(r'<script type="application/json" id="sn-data">\{"enc":"gzip","b64":"[A-Za-z0-9+/]*={0,2}"\}'
                          r"</script>")


def _cli() -> click.Group:
    """Return the ``supplynet`` group with ``map`` registered, leaving the real one untouched."""
    from supplynet.cli import _Group, main

    return _Group(name="supplynet", callback=main.callback, params=main.params,
                  commands={**main.commands, "map": map_command})


@pytest.fixture(scope="module")
def corridor() -> nx.MultiDiGraph:
    return supplynet.read_network(ROOT / "datasets" / "corridor.geojson")


@pytest.fixture(scope="module")
def corridor_results(corridor: nx.MultiDiGraph) -> MapResults:
    return analyse_for_map(corridor)


@pytest.fixture(scope="module")
def corridor_page(corridor: nx.MultiDiGraph, corridor_results: MapResults) -> str:
    return render_map(corridor, corridor_results)


@pytest.fixture(scope="module")
def xss() -> nx.MultiDiGraph:
    return supplynet.read_network(DATA / "xss.geojson")


def _xss_results(G: nx.MultiDiGraph) -> MapResults:
    """Put every element of the XSS network in every slot: cuts, ranks, flows."""
    nodes = list(G.nodes)
    edges = [k for *_, k in G.edges(keys=True)]
    return MapResults(sources=[nodes[0]], sinks=[nodes[-1]], supply_betweenness=pd.Series(1.0, index=nodes),
                      edge_flow=pd.Series(2.0, index=edges), min_edge_cut=edges, min_node_cut=nodes,
                      top_points=[*[("node", n) for n in nodes], *[("edge", e) for e in edges]],
                      max_flow=5.0, max_flow_before=8.0, notes=["note {{ 7*7 }} ${x}"])


def _plain(page: str) -> str:
    """Return the page with references decoded, as the browser shows its text."""
    return html.unescape(page)


def _strings(value: Any) -> list[str]:
    """Return every string inside a JSON-like value (keys too)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


# -- the oracle: what a popup must say, from the network and its analysis directly -------

def _text(value: Any) -> str | None:
    return None if value is None else format_value(value) or None


def _marks(kind: str, ident: str, results: MapResults, removed: set[str], extras: dict[str, list[Any]],
           in_cut: bool) -> list[tuple[str, str | None]]:
    ranks = [tuple(p) for p in results.top_points]
    rank = next((r for r, e in enumerate(ranks, start=1) if e == (kind, ident)), None)
    factor = dict(results.degraded).get((kind, ident))
    what_if = "removed" if ident in removed else None if factor is None else f"capacity \u00d7{format_value(factor)}"
    layers = [t for t, members in extras.items() if (kind, ident) in members]
    return [("in the min node cut" if kind == "node" else "in the min edge cut", "yes" if in_cut else None),
            ("interdiction rank", f"#{rank}" if rank else None), ("what-if", what_if),
            ("highlighted in", ", ".join(layers) or None)]


def oracle_node_rows(G: nx.MultiDiGraph, n: str, results: MapResults, removed: set[str] = frozenset(),
                     extras: dict[str, list[Any]] | None = None) -> list[tuple[str, str]]:
    d = G.nodes[n]
    rows: list[tuple[str, str | None]] = [("id", n)]
    rows += [(k, _text(d.get(k, math.inf if k == "capacity" else None))) for k in NODE_SCHEMA]
    rows.append(("latitude, longitude", f"{d['y']:.5f}, {d['x']:.5f}"))
    free = sorted(set(d) - set(NODE_SCHEMA) - {"x", "y", "geometry", "length"}, key=str)
    rows += [(str(k), _text(d[k])) for k in free]
    role = [r for r, s in (("source", results.sources), ("sink", results.sinks)) if n in s]
    rows.append(("role", " and ".join(role) or None))
    for label, series in (("supply betweenness", results.supply_betweenness),
                          ("flow through it at max flow", results.node_flow)):
        rows.append((label, _text(float(series[n])) if series is not None and n in series.index else None))
    rows += _marks("node", n, results, removed, extras or {}, n in set(results.min_node_cut))
    return [(k, v) for k, v in rows if v]


def oracle_edge_rows(G: nx.MultiDiGraph, u: str, v: str, k: str, results: MapResults, removed: set[str] = frozenset(),
                     extras: dict[str, list[Any]] | None = None) -> list[tuple[str, str]]:
    d = G.edges[u, v, k]
    name = lambda x: format_value(G.nodes[x].get("name", x)) or x  # noqa: E731
    rows: list[tuple[str, str | None]] = [("id", k), ("source", f"{name(u)} ({u})"), ("target", f"{name(v)} ({v})")]
    for key in EDGE_SCHEMA:
        if key == "length":
            rows.append(("length (km)", _text(d["length"] / 1000.0) if "length" in d else None))
        else:
            rows.append((key, _text(d.get(key, math.inf if key == "capacity" else None))))
    free = sorted(set(d) - set(EDGE_SCHEMA) - {"x", "y", "geometry", "id", "source", "target"}, key=str)
    rows += [(str(key), _text(d[key])) for key in free]
    flow = results.edge_flow
    rows.append(("flow at max flow", _text(float(flow[k])) if flow is not None and k in flow.index else None))
    rows += _marks("edge", k, results, removed, extras or {}, k in set(results.min_edge_cut))
    return [(a, b) for a, b in rows if b]


# -- the page: one file, one data element, nothing from the input in its text -----------

def _leaflet() -> str:
    from xstatic.pkg import leaflet

    return (Path(leaflet.BASE_DIR) / "leaflet.js").read_text(encoding="utf-8")


def test_corridor_map_is_self_contained(corridor_page: str) -> None:
    page = corridor_page
    assert page.count(_leaflet()) == 1
    own = page.replace(_leaflet(), "")
    for marker in CDN_MARKERS:
        assert marker not in page, marker
    assert "jQuery" not in page and "jquery" not in own
    assert find_remote_references(own) == []
    # The one URL in the inlined Leaflet is its attribution link, which the page replaces.
    assert find_remote_references(page) == [LEAFLET_PREFIX_LINK]
    assert 'setPrefix("Leaflet")' in own
    assert "<script src" not in own and "<link" not in own and "url(images" not in own
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "BSD 2-Clause License" in page
    assert MapData.from_page(page).header["basemap"]["attribution"] == "Made with Natural Earth"


def test_the_data_is_one_inert_element_of_base64(corridor_page: str) -> None:
    assert len(DATA_ELEMENT.findall(corridor_page)) == 1
    tagged = re.findall(r"<script\s[^>]*>", corridor_page)
    assert tagged == ['<script type="application/json" id="sn-data">']
    # Every other script is allowed by its hash, and only those.
    scripts = re.findall(r"<script>(.*?)</script>", corridor_page, re.S)
    policy = re.search(r'script-src ([^;"]+)', corridor_page).group(1).split()
    import base64
    import hashlib

    hashes = {f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts}
    assert set(policy) == hashes and len(scripts) >= 5


def test_every_node_and_edge_is_packed(corridor: nx.MultiDiGraph, corridor_page: str) -> None:
    data = MapData.from_page(corridor_page)
    h, a = data.header, data.arrays
    assert (h["n"], h["m"]) == (corridor.number_of_nodes(), corridor.number_of_edges())
    assert sorted(h["node_ids"]) == sorted(corridor.nodes)
    assert sorted(h["arc_ids"]) == sorted(k for *_, k in corridor.edges(keys=True))
    # Every arc belongs to exactly one drawn segment, which joins its two nodes.
    off = a["seg_arc_off"]
    assert off[0] == 0 and off[-1] == h["m"] and np.all(np.diff(off) >= 1)
    for s in range(h["nseg"]):
        ends = {int(a["seg_a"][s]), int(a["seg_b"][s])}
        for j in range(off[s], off[s + 1]):
            assert {int(a["arc_u"][j]), int(a["arc_v"][j])} == ends
    ids = h["node_ids"]
    for j, k in enumerate(h["arc_ids"]):
        u, v = ids[a["arc_u"][j]], ids[a["arc_v"][j]]
        assert corridor.has_edge(u, v, k)
    assert np.allclose(a["lon"], [corridor.nodes[n]["x"] for n in ids])
    # Small networks are drawn whole: no thinning, no clusters, every node a key node.
    assert not h["thinned"] and not h["clusters"]["on"] and np.all(a["seg_minz"] == 0)
    assert np.all(a["nflags"] & NODE_FLAGS["key"])


def test_popups_list_every_property_and_metric(corridor: nx.MultiDiGraph, corridor_results: MapResults,
                                               corridor_page: str) -> None:
    data = MapData.from_page(corridor_page)
    for n in corridor.nodes:
        assert data.node_rows(n) == oracle_node_rows(corridor, n, corridor_results), n
    for u, v, k in corridor.edges(keys=True):
        assert data.edge_rows(k) == oracle_edge_rows(corridor, u, v, k, corridor_results), k
    labels = {label for n in corridor.nodes for label, _ in data.node_rows(n)}
    labels |= {label for *_, k in corridor.edges(keys=True) for label, _ in data.edge_rows(k)}
    for key in ("repair_days", "confidence", "capacity", "country", "supply betweenness", "flow at max flow",
                "in the min edge cut", "in the min node cut", "interdiction rank", "length (km)"):
        assert key in labels, key


def test_the_analysis_is_drawn(corridor: nx.MultiDiGraph, corridor_results: MapResults, corridor_page: str) -> None:
    data = MapData.from_page(corridor_page)
    h, a = data.header, data.arrays
    cut = {h["arc_ids"][j] for j in np.flatnonzero(a["arc_flags"] & ARC_FLAGS["cut"])}
    assert cut == set(corridor_results.min_edge_cut)
    ncut = {h["node_ids"][i] for i in np.flatnonzero(a["nflags"] & NODE_FLAGS["cut"])}
    assert ncut == set(corridor_results.min_node_cut)
    ranked = [("node", h["node_ids"][i]) if k == "n" else ("edge", h["arc_ids"][i]) for _, k, i, *_ in h["ranks"]]
    assert ranked == list(corridor_results.top_points) and [r[0] for r in h["ranks"]] == list(range(1, 11))
    # An edge's call-out points halfway along it.
    for _, kind, i, lon, lat in h["ranks"]:
        if kind == "a":
            u, v = a["arc_u"][i], a["arc_v"][i]
            assert min(a["lon"][u], a["lon"][v]) <= lon <= max(a["lon"][u], a["lon"][v])
    sources = {h["node_ids"][i] for i in np.flatnonzero(a["nflags"] & NODE_FLAGS["source"])}
    assert sources == set(corridor_results.sources)
    # Every source and sink must be labelled; ranked nodes are named by their call-out.
    must = {h["node_ids"][i] for i in h["labels"][:h["label_must"]]}
    ranked_nodes = {i for k, i in corridor_results.top_points if k == "node"}
    assert must == (set(corridor_results.sources) | set(corridor_results.sinks)) - ranked_nodes
    names = data.layer_names()
    assert "Edges: road (68)" in names and "Nodes: smuggling (13)" in names and "Labels" in names
    assert "Min edge cut (10 edges)" in names and "Top interdiction points (10)" in names
    assert "Shade by confidence" in names  # every corridor element has a confidence below 1
    conf = {n: round(d["confidence"] * 100) for n, d in corridor.nodes(data=True)}
    assert [int(c) for c in a["nconf"]] == [conf[n] for n in h["node_ids"]]


def test_licences_ship_with_the_package() -> None:
    leaflet = (LICENSE_DIR / "LEAFLET-LICENSE.txt").read_text()
    assert "BSD 2-Clause" in leaflet and "Vladimir Agafonkin" in leaflet
    assert sorted(p.name for p in LICENSE_DIR.glob("*.txt")) == ["LEAFLET-LICENSE.txt"]


def test_same_input_same_bytes(corridor: nx.MultiDiGraph, corridor_results: MapResults, corridor_page: str) -> None:
    assert render_map(corridor, corridor_results) == corridor_page


def test_template_payloads_never_run(xss: nx.MultiDiGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flag = tmp_path / "PWNED"
    monkeypatch.setenv("SUPPLYNET_PWN_FILE", str(flag))
    # The payload would create the file if Jinja2 evaluated it; check the payload can run.
    from jinja2 import Template

    payload = json.loads((DATA / "xss.geojson").read_text())["features"][0]["properties"]["jinja"]
    Template(payload).render()
    assert flag.exists()
    flag.unlink()
    page = render_map(xss, _xss_results(xss), extra_layers={"{{ 7*7 }} <b>plan</b>": list(xss.nodes)},
                      removed_nodes=[list(xss.nodes)[1]])
    assert not flag.exists()
    assert not any(m in page for m in ("{{", "{%", "{#"))


def test_no_input_string_is_in_the_page_text(xss: nx.MultiDiGraph) -> None:
    """The data element is base64; the side panel's text is escaped: no payload is there raw."""
    page = render_map(xss, _xss_results(xss), extra_layers={"<b>{{ 7*7 }}</b>": list(xss.nodes)})
    raw = json.loads((DATA / "xss.geojson").read_text())
    dangerous = [s for s in _strings(raw) if re.search(r"[<>{}`$\\]", s)]
    assert len(dangerous) > 10
    for s in dangerous:
        assert s not in page, s
    assert "${" not in DATA_ELEMENT.sub("", page)


def test_text_survives_packing_literally(xss: nx.MultiDiGraph) -> None:
    page = render_map(xss, _xss_results(xss), extra_layers={"<b>{{ 7*7 }}</b> ${x}": list(xss.nodes)})
    data = MapData.from_page(page)
    assert data.header["extra"] == ["<b>{{ 7*7 }}</b> ${x}"]
    for n, d in xss.nodes(data=True):
        rows = dict(data.node_rows(n))
        assert rows["id"] == n and rows["name"] == d["name"]
        for key, value in d.items():
            if isinstance(value, str) and key not in ("x", "y"):
                assert rows[str(key)] == value, key
    for u, v, k, d in xss.edges(keys=True, data=True):
        rows = dict(data.edge_rows(k))
        assert rows["id"] == k and rows["remark"] == d["remark"]
    assert "{{ cycler.__init__.__globals__.os.mknod(" in json.dumps(data.header, ensure_ascii=False)
    # The side panel shows the title, the notes and the layer titles escaped, literally.
    assert xss.graph["name"] in _plain(page) and "note {{ 7*7 }} ${x}" in _plain(page)


def test_a_leftover_remote_reference_fails_loudly(corridor: nx.MultiDiGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    import supplynet.maps.build as mapbuild

    monkeypatch.setattr(mapbuild, "PAGE_CSS", "@import url(https://cdn.example/x.css);")
    with pytest.raises(MapSafetyError, match="cdn.example"):
        render_map(corridor)
    with pytest.raises(MapSafetyError, match="references the network"):
        finish_page('<html><head><script src="https://cdn.example/l.js"></script></head></html>')
    with pytest.raises(MapSafetyError, match="script element with attributes"):
        finish_page('<html><head></head><body><script type="module">x</script></body></html>')


def test_online_adds_only_the_tile_server(corridor: nx.MultiDiGraph) -> None:
    page = render_map(corridor, online=True)
    assert "tile.openstreetmap.org/{z}/{x}/{y}.png" in page
    assert "img-src data: https://tile.openstreetmap.org" in page
    assert "OpenStreetMap" in page and "tile.openstreetmap" not in render_map(corridor)
    # Over tiles the countries are outlines only, so the tiles show through.
    assert MapData.from_page(page).header["basemap"]["fill"] is False


def test_removed_elements_are_struck(corridor: nx.MultiDiGraph) -> None:
    results = analyse_for_map(corridor, remove=["mfg-tehran", "e93"])
    assert results.max_flow_before is not None and results.max_flow <= results.max_flow_before
    assert "mfg-tehran" in results.removed_nodes and "e93" in results.removed_edges
    page = render_map(corridor, results)
    assert "before" in page and "after" in page and "What-if" in page
    data = MapData.from_page(page)
    h, a = data.header, data.arrays
    at_node = {k for u, v, k in corridor.edges(keys=True) if "mfg-tehran" in (u, v)}
    struck_arcs = {h["arc_ids"][j] for j in np.flatnonzero(a["arc_flags"] & ARC_FLAGS["removed"])}
    struck_nodes = {h["node_ids"][i] for i in np.flatnonzero(a["nflags"] & NODE_FLAGS["removed"])}
    assert struck_nodes == {"mfg-tehran"} and struck_arcs == at_node | {"e93"}
    assert dict(data.node_rows("mfg-tehran"))["what-if"] == "removed"
    assert any(name.startswith("Struck in the what-if (1 nodes") for name in data.layer_names())


def test_extra_layers_and_hooks(corridor: nx.MultiDiGraph) -> None:
    page = render_map(corridor, extra_layers={"Plan A": ["mfg-tehran", "e93"]}, removed_edges=["e94"])
    data = MapData.from_page(page)
    assert "Plan A (2)" in data.layer_names() and "Plan A (2)" in _plain(page)
    assert dict(data.node_rows("mfg-tehran"))["highlighted in"] == "Plan A"
    assert dict(data.edge_rows("e94"))["what-if"] == "removed"
    with pytest.raises(ScenarioError, match="nowhere"):
        render_map(corridor, extra_layers={"Plan": ["nowhere"]})


def test_many_highlight_layers_scale(corridor: nx.MultiDiGraph) -> None:
    """A campaign draws one layer per strike wave: 200 waves, an element in several."""
    nodes = sorted(corridor.nodes)
    edges = sorted(k for *_, k in corridor.edges(keys=True))
    waves = {f"Wave {w + 1}": [nodes[w % len(nodes)], ("edge", edges[w % len(edges)]), nodes[(w * 7) % len(nodes)]]
             for w in range(200)}
    page = render_map(corridor, extra_layers=waves)
    data = MapData.from_page(page)
    assert data.header["extra"] == list(waves)
    assert len(set(data.header["palette"]["extra"])) > 5  # an ordered ramp, not four colours in turn
    names = data.layer_names()
    assert sum(n.startswith("Wave ") for n in names) == 200 and "Wave 200 (3)" in names
    for title, members in list(waves.items())[:20]:
        for m in members:
            rows = dict(data.edge_rows(m[1])) if isinstance(m, tuple) else dict(data.node_rows(m))
            assert title in rows["highlighted in"].split(", ")
    legend = _plain(page)
    assert "Highlighted (200 layers)" in legend and "and 192 more, up to Wave 200" in legend


def test_resolve_elements(corridor: nx.MultiDiGraph) -> None:
    assert resolve_elements(corridor, ["mfg-tehran", "e93", ("edge", "e94")]) == [
        ("node", "mfg-tehran"), ("edge", "e93"), ("edge", "e94")]
    with pytest.raises(ScenarioError, match="'zz'"):
        resolve_elements(corridor, ["zz"])


def test_bare_network_and_empty_cuts() -> None:
    G = nx.MultiDiGraph(crs="EPSG:4326", name="two")
    G.add_node("a", type="storage", name="A", x=40.0, y=30.0, cost=1.0, interdictable=True)
    G.add_node("b", type="storage", name="B", x=41.0, y=31.0, cost=1.0, interdictable=True)
    G.add_edge("a", "b", key="e", length=1000, geometry=None)
    page = render_map(G)
    assert "Min edge cut (0 edges)" in MapData.from_page(page).layer_names() and "Sources</b> (0): none" in page


def test_empty_network() -> None:
    page = render_map(nx.MultiDiGraph(crs="EPSG:4326", name="nothing"))
    data = MapData.from_page(page)
    assert (data.header["n"], data.header["m"], data.header["nseg"]) == (0, 0, 0)


def test_plan_made_before_or_after_the_whatif(corridor: nx.MultiDiGraph) -> None:
    from dataclasses import replace

    from supplynet.analysis.plan import plan_interdiction

    plan = plan_interdiction(corridor, budget=2, method="greedy")
    results = analyse_for_map(corridor, remove=["bc-alqaim"])
    before = _plain(render_map(corridor, replace(results, plan=plan)))
    assert "The plan is made for the intact network, before the what-if." in before
    after = _plain(render_map(corridor, replace(results, plan=plan, plan_after_whatif=True)))
    assert "The plan is made for the network after the what-if." in after
    alone = _plain(render_map(corridor, replace(analyse_for_map(corridor), plan=plan)))
    assert "The plan is made for" not in alone


def test_write_map_is_atomic_and_refuses_to_overwrite(corridor: nx.MultiDiGraph, tmp_path: Path) -> None:
    out = tmp_path / "m.html"
    write_map(corridor, out)
    first = out.read_bytes()
    with pytest.raises(OutputError, match="--overwrite"):
        write_map(corridor, out, extra_layers={"x": ["e93"]})
    assert out.read_bytes() == first
    write_map(corridor, out, extra_layers={"x": ["e93"]}, overwrite=True)
    assert out.read_bytes() != first
    assert [p.name for p in tmp_path.iterdir()] == ["m.html"]


def test_write_map_reports_its_phases(corridor: nx.MultiDiGraph, tmp_path: Path) -> None:
    seen: dict[str, list[tuple[int, int, str]]] = {}

    class Record:
        def phase(self, name: str, unit: str = "") -> Any:
            return lambda done, total: seen.setdefault(name, []).append((done, total, unit))

    write_map(corridor, tmp_path / "m.html", progress=Record())
    assert list(seen) == ["building layers", "encoding", "writing"]
    total = corridor.number_of_nodes() + corridor.number_of_edges()
    assert seen["building layers"][-1] == (total, total, "elements")
    size = (tmp_path / "m.html").stat().st_size
    assert seen["writing"][-1] == (size, size, "bytes")
    for steps in seen.values():
        assert all(0 <= d <= t for d, t, _ in steps) and [d for d, *_ in steps] == sorted(d for d, *_ in steps)


def test_results_from_a_report(corridor: nx.MultiDiGraph) -> None:
    from types import SimpleNamespace

    report = SimpleNamespace(
        sources=["mfg-tehran"], sinks=["asm-deir"], max_flow=7.0, notes=["n"],
        nodes=pd.DataFrame({"supply_betweenness": [1.0], "flow": [7.0]}, index=["mfg-tehran"]),
        edges=pd.DataFrame({"flow": [7.0]}, index=["e93"]),
        min_edge_cut={"capacity": 7.0, "edges": [{"id": "e93"}]}, min_node_cut={"cost": 5.0, "nodes": ["mfg-tehran"]},
        points=pd.DataFrame({"rank": [1], "kind": ["edge"], "id": ["e93"]}),
    )
    results = MapResults.from_report(report, removed_nodes=["asm-deir"])
    assert results.top_points == [("edge", "e93")] and results.min_edge_cut == ["e93"]
    assert results.removed_nodes == ["asm-deir"] and results.max_flow == 7.0
    assert "Top interdiction points (1)" in MapData.from_page(render_map(corridor, results)).layer_names()


# -- the command line ------------------------------------------------------------------

def test_cli_default_output(corridor_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(_cli(), ["map", str(corridor_path)])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "maps" / "corridor.html").read_text()
    assert "NOTIONAL AND ILLUSTRATIVE" in page and "min node cut" in page
    again = CliRunner().invoke(_cli(), ["map", str(corridor_path)])
    assert again.exit_code == 1 and "--overwrite" in again.output
    assert CliRunner().invoke(_cli(), ["map", str(corridor_path), "--overwrite"]).exit_code == 0


def test_cli_options(corridor_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "w.html"
    args = ["map", str(corridor_path), "-o", str(out), "--remove", "mfg-tehran", "--remove", "e93",
            "--sinks", "type=assembly", "--top", "3", "--online"]
    result = CliRunner().invoke(_cli(), args)
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert "Top interdiction points (3)" in MapData.from_page(page).layer_names()
    assert "What-if" in page and "openstreetmap" in page


@pytest.mark.parametrize("args, code, text", [
    (["--remove", "nowhere"], 1, "nowhere"),
    (["--sources", "id=nowhere"], 1, "nowhere"),
    (["--top", "-1"], 2, "--top"),
])
def test_cli_errors(corridor_path: Path, tmp_path: Path, args: list[str], code: int, text: str) -> None:
    result = CliRunner().invoke(_cli(), ["map", str(corridor_path), "-o", str(tmp_path / "x.html"), *args])
    assert result.exit_code == code, result.output
    assert text in result.output
    assert not (tmp_path / "x.html").exists()


def test_cli_refuses_to_write_over_its_input(tmp_path: Path) -> None:
    net = tmp_path / "d.geojson"
    net.write_bytes((DATA / "diamond.geojson").read_bytes())
    result = CliRunner().invoke(_cli(), ["map", str(net), "-o", str(net), "--overwrite"])
    assert result.exit_code == 1 and "input file" in result.output


# -- what-if scenarios and interdiction plans on the map ---------------------------------

def test_scenario_on_the_map_matches_whatif(corridor: nx.MultiDiGraph) -> None:
    from supplynet.analysis.whatif import WhatIf
    from supplynet.network.scenarios import load_scenarios, pick_scenarios

    w = WhatIf(corridor)
    for name in ("border-and-north", "qaim-checkpoints-30pct"):
        (s,) = pick_scenarios(load_scenarios(SCENARIO_FILE, corridor), [name])
        results = analyse_for_map(corridor, scenario=s)
        impact = w.evaluate(s)
        assert (results.max_flow_before, results.max_flow) == (impact.max_flow_before, impact.max_flow_after)
        assert results.scenario == name and dict(results.degraded) == s.degraded
        page = render_map(corridor, results)
        text = _plain(page)
        assert f"What-if: {name}" in text
        assert f"{impact.max_flow_before:g} before, {impact.max_flow_after:g} after" in text
        data = MapData.from_page(page)
        at_removed = {k for u, v, k in corridor.edges(keys=True) if u in s.remove_nodes or v in s.remove_nodes}
        struck = np.count_nonzero(data.arrays["nflags"] & NODE_FLAGS["removed"])
        struck += np.count_nonzero(data.arrays["arc_flags"] & ARC_FLAGS["removed"])
        assert struck == len(s.remove_nodes) + len(set(s.remove_edges) | at_removed)
        removed = set(s.remove_nodes) | set(s.remove_edges) | at_removed
        for n in corridor.nodes:
            assert data.node_rows(n) == oracle_node_rows(corridor, n, results, removed), n
        for u, v, k in corridor.edges(keys=True):
            assert data.edge_rows(k) == oracle_edge_rows(corridor, u, v, k, results, removed), k
    assert "capacity degraded: bc-qaim-desert \u00d70.5, chk-qaim \u00d70.3" in text
    assert dict(data.node_rows("chk-qaim"))["what-if"] == "capacity \u00d70.3"
    assert nx.utils.graphs_equal(corridor, supplynet.read_network(SCENARIO_FILE.parent / "corridor.geojson"))


def test_plan_layer(corridor: nx.MultiDiGraph) -> None:
    from dataclasses import replace

    from supplynet.analysis.plan import plan_interdiction

    plan = plan_interdiction(corridor, budget=3, method="greedy", targets="nodes")
    page = render_map(corridor, replace(analyse_for_map(corridor), plan=plan))
    text = _plain(page)
    data = MapData.from_page(page)
    title = "Plan: greedy, budget 3"
    assert f"{title} ({len(plan.selected)})" in data.layer_names()
    assert "Interdiction plan (greedy, nodes)" in text
    assert f"cost {plan.cost:g} of budget 3" in text
    assert f"{plan.max_flow_before:g} before, {plan.max_flow_after:g} after" in text
    a = data.arrays
    members = [data.header["node_ids"][i] for i in a["ex_nodes"][a["ex_noff"][0]:a["ex_noff"][1]]]
    assert sorted(members) == sorted(plan.selected_nodes) and len(members) == len(plan.selected) > 0


def test_cli_scenario_and_plan(corridor_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.html"
    args = ["map", str(corridor_path), "-o", str(out), "--scenario", str(SCENARIO_FILE), "--name",
            "close-alqaim", "--plan-budget", "2", "--plan-method", "optimal", "--plan-targets", "edges"]
    result = CliRunner().invoke(_cli(), args)
    assert result.exit_code == 0, result.output
    page = out.read_text()
    text = _plain(page)
    assert "What-if: close-alqaim" in text and "320 before, 215 after" in text
    assert any(n.startswith("Plan: optimal, budget 2") for n in MapData.from_page(page).layer_names())
    assert "Interdiction plan (optimal, edges)" in text
    assert "proven optimal" in text and "made for the intact network" in text
    chart = page[page.index('id="sn-plan-curve"'):]
    chart = chart[:chart.index("</svg>")]
    assert "<svg" in chart and "max flow left" in chart and "<script" not in chart


def test_cli_plan_after_the_whatif(corridor_path: Path, tmp_path: Path) -> None:
    """Where to strike next, given what the scenario struck: the plan starts from its max flow."""
    out = tmp_path / "next.html"
    args = ["map", str(corridor_path), "-o", str(out), "--scenario", str(SCENARIO_FILE), "--name", "close-alqaim",
            "--plan-budget", "1", "--plan-method", "greedy", "--plan-after-whatif"]
    result = CliRunner().invoke(_cli(), args)
    assert result.exit_code == 0, result.output
    text = _plain(out.read_text())
    assert "The plan is made for the network after the what-if." in text
    plan = text[text.index("Interdiction plan (greedy"):]
    assert "Max flow: 215 before" in plan and "320 before, 215 after" in text


@pytest.mark.parametrize("args, code, text", [
    (["--scenario", str(SCENARIO_FILE)], 1, "holds 5 scenarios; choose one with --name"),
    (["--scenario", str(SCENARIO_FILE), "--name", "nope"], 1, "no scenario named 'nope'"),
    (["--name", "close-alqaim"], 2, "--name picks"),
    (["--plan-budget", "-1"], 2, "--plan-budget"),
    (["--plan-budget", "1", "--plan-method", "magic"], 2, "--plan-method"),
    (["--scenario", str(DATA / "scenarios" / "unknown-id.yaml")], 1, "remove entry"),
])
def test_cli_scenario_errors(corridor_path: Path, tmp_path: Path, args: list[str], code: int, text: str) -> None:
    out = tmp_path / "x.html"
    result = CliRunner().invoke(_cli(), ["map", str(corridor_path), "-o", str(out), *args])
    assert result.exit_code == code, result.output
    assert text in result.output and not out.exists()


def test_write_map_takes_the_graph_first(corridor: nx.MultiDiGraph, tmp_path: Path) -> None:
    from supplynet import SupplynetError

    with pytest.raises(SupplynetError, match="write_map\\(G, path\\)"):
        write_map(str(tmp_path / "x.html"), corridor)  # type: ignore[arg-type]
    assert not (tmp_path / "x.html").exists()


# -- the encoding: columns, the blob, the level of detail --------------------------------

_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10 ** 18, 10 ** 18), st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-1e4, 1e4).map(lambda x: round(x, 3)), st.text(max_size=8), st.sampled_from(["a", "b", "{{x}}"]),
    st.lists(st.integers(0, 3), max_size=2),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_VALUES, min_size=1, max_size=12), st.sampled_from(["mixed", "floats", "ints", "strings"]))
def test_a_column_shows_what_format_value_shows(values: list[Any], kind: str) -> None:
    if kind != "mixed":  # columns of one kind take the typed paths
        keep = {"floats": float, "ints": int, "strings": str}[kind]
        values = [v for v in values if type(v) is keep] or [None]
    entry, arr = column(values)
    entry["name"] = "x"
    arrays = {} if arr is None else {"c": arr}
    if arr is not None:
        entry["a"] = "c"
    header = {"node_cols": [entry]}
    # Through the blob, as a page carries it.
    header, arrays = decode_blob(encode_blob(header, arrays))
    data = MapData(header, arrays)
    for i, v in enumerate(values):
        want = None if v is None else format_value(v) or None
        assert data.value("node_cols", 0, i) == want, (values, i)


def test_the_blob_is_deterministic_and_refuses_strange_dtypes() -> None:
    arrays = {"a": np.arange(5, dtype=np.uint32), "b": np.array([0.5, 1.5])}
    assert encode_blob({"x": 1}, arrays) == encode_blob({"x": 1}, arrays)
    with pytest.raises(TypeError, match="dtype"):
        encode_blob({}, {"c": np.array(["s"])})
    with pytest.raises(MapSafetyError, match="one data element"):
        read_page_data("<html></html>")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 256), st.floats(0, 256), st.floats(0, 10)), min_size=1, max_size=60))
def test_edge_thinning_keeps_the_most_important_per_cell(points: list[tuple[float, float, float]]) -> None:
    x, y, imp = (np.array(c) for c in zip(*points))
    minzoom = lod.edge_minzoom(x, y, imp)
    for z in range(lod.MAX_ZOOM):
        size = lod.EDGE_CELL_PX / 2.0 ** z
        cells: dict[tuple[int, int], list[int]] = {}
        for i in range(len(x)):
            cells.setdefault((math.floor(x[i] / size), math.floor(y[i] / size)), []).append(i)
        shown = minzoom <= z
        for members in cells.values():
            # At most EDGES_PER_CELL new ones per cell, and a hidden one never outranks a shown one.
            fresh = [i for i in members if minzoom[i] == z]
            assert len(fresh) <= lod.EDGES_PER_CELL
            best = sorted(members, key=lambda i: (-imp[i], i))[:lod.EDGES_PER_CELL]
            assert all(shown[i] for i in best)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(100, 100.5), st.floats(100, 100.5), st.integers(0, 2)), min_size=1, max_size=80))
def test_clusters_are_exactly_the_crowded_cells(points: list[tuple[float, float, int]]) -> None:
    x, y, t = (np.array(c) for c in zip(*points))
    minzoom, cl = lod.node_clusters(x, y, t.astype(np.int64), 3)
    for z in range(lod.CLUSTER_MAX_ZOOM + 1):
        size = lod.CLUSTER_CELL_PX / 2.0 ** z
        cells: dict[tuple[int, int], list[int]] = {}
        for i in range(len(x)):
            cells.setdefault((math.floor(x[i] / size), math.floor(y[i] / size)), []).append(i)
        crowded = sorted((sorted(m) for m in cells.values() if len(m) >= lod.CLUSTER_MIN_NODES), key=lambda m: m[0])
        lo, hi = cl["cl_zoff"][z], cl["cl_zoff"][z + 1]
        assert hi - lo == len(crowded)
        got = sorted(zip(cl["cl_count"][lo:hi].tolist(), cl["cl_x"][lo:hi].astype(float).tolist(),
                         cl["cl_y"][lo:hi].astype(float).tolist()))
        want = sorted((len(m), float(np.mean(x[m])), float(np.mean(y[m]))) for m in crowded)
        assert [g[0] for g in got] == [w[0] for w in want]
        assert np.allclose([g[1:] for g in got], [w[1:] for w in want], atol=1e-4) if got else not want
        types = cl["cl_types"].reshape(-1, 3)[lo:hi]
        assert types.sum() == sum(len(m) for m in crowded)
        alone = {i for m in cells.values() if len(m) < lod.CLUSTER_MIN_NODES for i in m}
        assert alone == {i for i in range(len(x)) if minzoom[i] <= z}


def test_a_big_network_is_thinned_and_clustered() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import road_network

    G = road_network(6000, seed=3)
    nodes = list(G.nodes)
    results = MapResults(sources=nodes[:40], sinks=nodes[-40:], top_points=nodes[100:110],
                         supply_betweenness=pd.Series(np.linspace(0, 1, len(nodes)), index=nodes),
                         edge_flow=pd.Series(1.0, index=[k for *_, k in G.edges(keys=True)]), max_flow=10.0)
    data = MapData.from_page(render_map(G, results))
    h, a = data.header, data.arrays
    assert h["thinned"] and h["clusters"]["on"] and h["nseg"] > 10_000
    key = a["nflags"] & NODE_FLAGS["key"] > 0
    assert key.sum() >= 200 + 10 and np.all(key[[data.node_position[n] for n in nodes[100:110]]])
    assert np.all(a["nminz"][key] == 0) and a["cl_count"].sum() > 0
    # Every segment shows by the deepest zoom, few at the widest.
    assert a["seg_minz"].max() < lod.MAX_ZOOM and (a["seg_minz"] == 0).mean() < 0.5


# -- the palette -------------------------------------------------------------------------

# Machado, Oliveira and Fernandes (2009), severity 1: linear-RGB simulation matrices.
_CVD = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}


def _lab(hex_color: str, matrix: np.ndarray) -> np.ndarray:
    rgb = np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) \
        @ np.clip(matrix @ linear, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> float:
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    cbar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(cbar ** 7 / (cbar ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1, h2 = math.degrees(math.atan2(b1, a1p)) % 360, math.degrees(math.atan2(b2, a2p)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    dl, dc, dhh = l2 - l1, c2 - c1, 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    lbar, cp = (l1 + l2) / 2, (c1 + c2) / 2
    hbar = (h1 + h2) / 2 + (180 if c1 * c2 != 0 and abs(h1 - h2) > 180 else 0)
    t = (1 - 0.17 * math.cos(math.radians(hbar - 30)) + 0.24 * math.cos(math.radians(2 * hbar))
         + 0.32 * math.cos(math.radians(3 * hbar + 6)) - 0.2 * math.cos(math.radians(4 * hbar - 63)))
    rc = 2 * math.sqrt(cp ** 7 / (cp ** 7 + 25 ** 7))
    sl = 1 + 0.015 * (lbar - 50) ** 2 / math.sqrt(20 + (lbar - 50) ** 2)
    sc, sh = 1 + 0.045 * cp, 1 + 0.015 * cp * t
    rt = -math.sin(math.radians(60 * math.exp(-(((hbar - 275) / 25) ** 2)))) * rc
    return math.sqrt((dl / sl) ** 2 + (dc / sc) ** 2 + (dhh / sh) ** 2 + rt * (dc / sc) * (dhh / sh))


def test_the_palette_is_safe_for_colour_blind_readers() -> None:
    from supplynet.maps import style

    types = list(style.TYPE_COLORS.values())
    marks = [style.CUT_COLOR, *style.EXTRA_COLORS]
    ground = [style.LAND_COLOR, style.SEA_COLOR]
    assert ground[0] == style.palette([], [], 0)["land"]
    for vision, matrix in _CVD.items():
        labs = {c: _lab(c, matrix) for c in {*types, *marks, *ground}}
        # Node types: every pair apart; marks: apart from each other, every type and the ground.
        for a, b in itertools.combinations(types, 2):
            assert _ciede2000(labs[a], labs[b]) >= 10, (vision, a, b)
        for a in marks:
            for b in [*types, *ground, *(m for m in marks if m != a)]:
                assert _ciede2000(labs[a], labs[b]) >= 10, (vision, a, b)
    # Unknown types take colours no known type present uses, as long as they last.
    present = ["assembly", "storage", "depot", "port", "quay"]
    colors = [style.type_color(t, present) for t in present]
    assert len(set(colors)) == len(colors)
