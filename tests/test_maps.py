"""Offline HTML maps without a browser: self-containment, escaping, atomic writes, the CLI."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import click
import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

import supplynet
from supplynet import OutputError, ScenarioError
from supplynet.maps.assets import LICENSE_DIR, MapSafetyError, find_remote_references, finish_page
from supplynet.cli.map import map_command
from supplynet.maps.render import MapResults, analyse_for_map, render_map, resolve_elements, write_map

DATA = Path(__file__).resolve().parent / "data"
CDN_MARKERS = ("cdn.jsdelivr", "cdnjs.cloudflare", "code.jquery.com", "bootstrapcdn", "fontawesome",
               "awesome-markers", "bootstrap.min", "unpkg.com")
LEAFLET_PREFIX_LINK = "https://leafletjs.com"


def _cli() -> click.Group:
    """Return the ``supplynet`` group with ``map`` registered, leaving the real one untouched."""
    from supplynet.cli import _Group, main

    return _Group(name="supplynet", callback=main.callback, params=main.params,
                  commands={**main.commands, "map": map_command})


@pytest.fixture(scope="module")
def corridor() -> nx.MultiDiGraph:
    return supplynet.read_network(Path(__file__).resolve().parent.parent / "datasets" / "corridor.geojson")


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
    return html.unescape(page.replace("\\u0026", "&"))


def _data_blocks(page: str) -> list[dict]:
    """Return the GeoJSON handed to each folium layer, parsed back from the page."""
    return [json.loads(m) for m in re.findall(r"_add\((\{\"features\".*?\})\);\n", page)]


def _vendor_texts() -> list[str]:
    from xstatic.pkg import jquery, leaflet

    return [(Path(leaflet.BASE_DIR) / "leaflet.js").read_text(encoding="utf-8"),
            (Path(jquery.BASE_DIR) / "jquery.min.js").read_text(encoding="utf-8")]


def test_corridor_map_is_self_contained(corridor: nx.MultiDiGraph) -> None:
    page = render_map(corridor, analyse_for_map(corridor))
    for lib in _vendor_texts():
        assert page.count(lib) == 1
    own = page
    for lib in _vendor_texts():
        own = own.replace(lib, "")
    for marker in CDN_MARKERS:
        assert marker not in page, marker
    assert find_remote_references(own) == []
    # The one URL in the inlined Leaflet is its attribution link, which the page replaces.
    assert find_remote_references(page) == [LEAFLET_PREFIX_LINK]
    assert 'setPrefix("Leaflet")' in own
    assert "<script src" not in own and "<link" not in own and "url(images" not in own
    assert '"preferCanvas": true' in page
    assert "Made with Natural Earth" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "BSD 2-Clause License" in page and "Permission is hereby granted" in page


def test_one_geojson_layer_per_group(corridor: nx.MultiDiGraph) -> None:
    page = render_map(corridor, analyse_for_map(corridor))
    types = {d["type"] for _, d in corridor.nodes(data=True)}
    modes = {d.get("mode") or "(no mode)" for *_, d in corridor.edges(data=True)}
    layers = 1 + len(types) + len(modes) + 3  # countries, nodes, edges, two cuts and the ranks
    assert page.count("L.geoJson(") == layers
    blocks = _data_blocks(page)
    assert len(blocks) == layers
    node_feats = sum(len(b["features"]) for b in blocks[1 + len(modes):1 + len(modes) + len(types)])
    edge_feats = sum(len(b["features"]) for b in blocks[1:1 + len(modes)])
    assert (node_feats, edge_feats) == (corridor.number_of_nodes(), corridor.number_of_edges())


def test_popups_list_every_property(corridor: nx.MultiDiGraph) -> None:
    page = _plain(render_map(corridor, analyse_for_map(corridor)))
    for key in ("repair_days", "confidence", "capacity", "country", "supply betweenness", "flow at max flow",
                "in the min edge cut", "in the min node cut", "interdiction rank", "length (km)"):
        assert f'"{key}"' in page, key


def test_licences_ship_with_the_package() -> None:
    leaflet = (LICENSE_DIR / "LEAFLET-LICENSE.txt").read_text()
    jquery = (LICENSE_DIR / "JQUERY-LICENSE.txt").read_text()
    assert "BSD 2-Clause" in leaflet and "Vladimir Agafonkin" in leaflet
    assert "Permission is hereby granted" in jquery and "OpenJS Foundation" in jquery


def test_same_input_same_page(corridor: nx.MultiDiGraph) -> None:
    results = analyse_for_map(corridor)
    assert render_map(corridor, results) == render_map(corridor, results)


def test_template_payloads_never_run(xss: nx.MultiDiGraph, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
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


def test_text_survives_escaping_literally(xss: nx.MultiDiGraph) -> None:
    page = render_map(xss, _xss_results(xss))
    strings = {html.unescape(v) for b in _data_blocks(page) for f in b["features"]
               for k, v in f["properties"].items() if isinstance(v, str)}
    for n, d in xss.nodes(data=True):
        assert n in strings and d["name"] in strings
    for *_, k, d in xss.edges(keys=True, data=True):
        assert k in strings and d["remark"] in strings
    assert "{{ cycler.__init__.__globals__.os.mknod(" in _plain(page)


def test_input_never_reaches_folium_unescaped(xss: nx.MultiDiGraph) -> None:
    page = render_map(xss, _xss_results(xss))
    for block in _data_blocks(page):
        text = json.dumps(block)
        assert "<" not in text and "`" not in text and "${" not in text and "{{" not in text


def test_a_leftover_remote_reference_fails_loudly(corridor: nx.MultiDiGraph,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import supplynet.maps.build as mapbuild

    monkeypatch.setattr(mapbuild, "PAGE_CSS", "@import url(https://cdn.example/x.css);")
    with pytest.raises(MapSafetyError, match="cdn.example"):
        render_map(corridor)
    with pytest.raises(MapSafetyError, match="references the network"):
        finish_page('<html><head><script src="https://cdn.example/l.js"></script></head></html>')


def test_online_adds_only_the_tile_server(corridor: nx.MultiDiGraph) -> None:
    page = render_map(corridor, online=True)
    assert "tile.openstreetmap.org/{z}/{x}/{y}.png" in page
    assert "img-src data: https://tile.openstreetmap.org" in page
    assert "OpenStreetMap" in page and "tile.openstreetmap" not in render_map(corridor)


def test_removed_elements_and_impact(corridor: nx.MultiDiGraph) -> None:
    results = analyse_for_map(corridor, remove=["mfg-tehran", "e93"])
    assert results.max_flow_before is not None and results.max_flow <= results.max_flow_before
    assert "mfg-tehran" in results.removed_nodes and "e93" in results.removed_edges
    page = render_map(corridor, results)
    assert "before" in page and "after" in page and "What-if" in page
    edge_ids = [k for u, v, k in corridor.edges(keys=True) if "mfg-tehran" in (u, v)]
    removed = [f for b in _data_blocks(page) for f in b["features"] if f["properties"].get("style", {})
               .get("color") == "#9e9e9e" or f["properties"].get("style", {}).get("fillColor") == "#9e9e9e"]
    assert len(removed) == 1 + 1 + len(edge_ids)


def test_extra_layers_and_hooks(corridor: nx.MultiDiGraph) -> None:
    page = render_map(corridor, extra_layers={"Plan A": ["mfg-tehran", "e93"]}, removed_edges=["e94"])
    assert "Plan A (2)" in _plain(page)
    with pytest.raises(ScenarioError, match="nowhere"):
        render_map(corridor, extra_layers={"Plan": ["nowhere"]})


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
    assert "Min edge cut (0 edges)" in _plain(page) and "Sources</b> (0): none" in page


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


def test_cli_default_output(corridor_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(_cli(), ["map", str(corridor_path)])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "maps" / "corridor.html").read_text()
    assert "NOTIONAL AND ILLUSTRATIVE" in page and "Min node cut" in page
    again = CliRunner().invoke(_cli(), ["map", str(corridor_path)])
    assert again.exit_code == 1 and "--overwrite" in again.output
    assert CliRunner().invoke(_cli(), ["map", str(corridor_path), "--overwrite"]).exit_code == 0


def test_cli_options(corridor_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "w.html"
    args = ["map", str(corridor_path), "-o", str(out), "--remove", "mfg-tehran", "--remove", "e93",
            "--sinks", "type=assembly", "--top", "3", "--online"]
    result = CliRunner().invoke(_cli(), args)
    assert result.exit_code == 0, result.output
    page = _plain(out.read_text())
    assert "Top interdiction points (3)" in page and "What-if" in page and "openstreetmap" in page


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
    assert "Top interdiction points (1)" in _plain(render_map(corridor, results))


# -- what-if scenarios and interdiction plans on the map ---------------------------------

SCENARIO_FILE = Path(__file__).resolve().parent.parent / "datasets" / "corridor-scenarios.yaml"


def _greyed(page: str) -> list[dict]:
    return [f for b in _data_blocks(page) for f in b["features"]
            if "#9e9e9e" in (f["properties"].get("style", {}).get("color"),
                             f["properties"].get("style", {}).get("fillColor"))]


def test_scenario_on_the_map_matches_whatif(corridor: nx.MultiDiGraph) -> None:
    from supplynet.network.scenarios import load_scenarios, pick_scenarios
    from supplynet.analysis.whatif import WhatIf

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
        at_removed = {k for u, v, k in corridor.edges(keys=True) if u in s.remove_nodes or v in s.remove_nodes}
        assert len(_greyed(page)) == len(s.remove_nodes) + len(set(s.remove_edges) | at_removed)
    assert "capacity degraded: bc-qaim-desert \u00d70.5, chk-qaim \u00d70.3" in text
    assert nx.utils.graphs_equal(corridor, supplynet.read_network(SCENARIO_FILE.parent / "corridor.geojson"))


def test_plan_layer(corridor: nx.MultiDiGraph) -> None:
    from dataclasses import replace

    from supplynet.analysis.plan import plan_interdiction

    plan = plan_interdiction(corridor, budget=3, method="greedy", targets="nodes")
    page = render_map(corridor, replace(analyse_for_map(corridor), plan=plan))
    text = _plain(page)
    assert f"Plan: greedy, budget 3 ({len(plan.selected)})" in text
    assert "Interdiction plan (greedy, nodes)" in text
    assert f"cost {plan.cost:g} of budget 3" in text
    assert f"{plan.max_flow_before:g} before, {plan.max_flow_after:g} after" in text
    ringed = [f for b in _data_blocks(page) for f in b["features"]
              if f["properties"].get("style", {}).get("color") == "#00a6a6"]
    assert len(ringed) == len(plan.selected) > 0


def test_cli_scenario_and_plan(corridor_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.html"
    args = ["map", str(corridor_path), "-o", str(out), "--scenario", str(SCENARIO_FILE), "--name",
            "close-alqaim", "--plan-budget", "2", "--plan-method", "optimal", "--plan-targets", "edges"]
    result = CliRunner().invoke(_cli(), args)
    assert result.exit_code == 0, result.output
    text = _plain(out.read_text())
    assert "What-if: close-alqaim" in text and "320 before, 215 after" in text
    assert "Plan: optimal, budget 2" in text and "Interdiction plan (optimal, edges)" in text
    assert "proven optimal" in text and "made for the intact network" in text
    page = out.read_text()
    chart = page[page.index('id="sn-plan-curve"'):]
    chart = chart[:chart.index("</svg>")]
    assert "<svg" in chart and "max flow left" in chart and "<script" not in chart


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
