"""One core: report, what-if, map, export and the Python API give the same numbers.

Every surface answers from one pipeline over one snapshot, so for each scenario the
what-if JSON, the map's embedded figures, the export's columns and the API must agree,
figure for figure, on the corridor's scenarios and on a network where a node and an edge
share an id (as OpenStreetMap node 123 and way 123 do). networkx, on a real copy of the
network with the scenario applied, is the oracle for the what-if figures.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

import supplynet
from supplynet.analysis.whatif import WhatIf
from supplynet.cli import main
from supplynet.network.scenarios import load_scenarios
from supplynet.numbers import format_number
from tests.test_whatif import oracle_impact, same

ROOT = Path(__file__).resolve().parent.parent
CORRIDOR = ROOT / "datasets" / "corridor.geojson"
CORRIDOR_SCENARIOS = ROOT / "datasets" / "corridor-scenarios.yaml"


def _feature(props: dict[str, Any], geometry: dict[str, Any] | None) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _point(ident: str, kind: str, x: float, **props: Any) -> dict[str, Any]:
    return _feature({"id": ident, "type": kind, **props}, {"type": "Point", "coordinates": [x, 33.0]})


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A network whose node 123 and edge 123 differ in capacity and repair days, and scenarios on both."""
    folder = tmp_path_factory.mktemp("shared")
    net = folder / "shared.geojson"
    features = [
        _point("s", "manufacturing", 44.0),
        _point("123", "smuggling", 44.5, capacity=6, repair_days=10),
        _point("t", "assembly", 45.0),
        _feature({"id": "123", "source": "s", "target": "123", "capacity": 10, "repair_days": 4}, None),
        _feature({"id": "e2", "source": "123", "target": "t", "capacity": 10}, None),
        _feature({"id": "e3", "source": "s", "target": "t", "capacity": 2, "repair_days": 2}, None),
    ]
    net.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    scenarios = folder / "shared.yaml"
    scenarios.write_text(yaml.safe_dump({"scenarios": [
        {"name": "both-slowed", "degrade": [{"select": "node:123", "factor": 0.5},
                                            {"select": "edge:123", "factor": 0.2}]},
        {"name": "edge-cut", "remove": ["edge:123"]},
        {"name": "node-gone", "remove": ["node:123", "e3"]},
    ]}))
    return net, scenarios


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _map_layers(html: str) -> dict[str, list[dict[str, Any]]]:
    """Return each map layer's elements as ``{popup label: shown value}`` rows, by layer title.

    Read from the page's one data element: the rows are those the page's popups show.
    """
    from supplynet.maps.pack import ARC_FLAGS, NODE_FLAGS
    from supplynet.maps.popups import MapData

    data = MapData.from_page(html)
    h, a = data.header, data.arrays
    offsets = {"extra": (a["ex_noff"], a["ex_nodes"], a["ex_aoff"], a["ex_arcs"])}
    out: dict[str, list[dict[str, Any]]] = {}
    for title, what, j in h["toggles"]:
        if what == "mode":
            arcs, nodes = [p for p in range(h["m"]) if a["arc_mode"][p] == j], []
        elif what == "type":
            arcs, nodes = [], [i for i in range(h["n"]) if a["ntype"][i] == j]
        elif what == "edge_cut":
            arcs, nodes = [int(p) for p in np.flatnonzero(a["arc_flags"] & ARC_FLAGS["cut"])], []
        elif what == "node_cut":
            arcs, nodes = [], [int(i) for i in np.flatnonzero(a["nflags"] & NODE_FLAGS["cut"])]
        elif what == "extra":
            noff, nodes_at, aoff, arcs_at = offsets["extra"]
            arcs = [int(p) for p in arcs_at[aoff[j]:aoff[j + 1]]]
            nodes = [int(i) for i in nodes_at[noff[j]:noff[j + 1]]]
        else:
            continue
        out[title] = ([dict(data.edge_rows(h["arc_ids"][p])) for p in arcs]
                      + [dict(data.node_rows(h["node_ids"][i])) for i in nodes])
    return out


def _map_figures(html: str) -> dict[str, Any]:
    """Return what a map shows: max flow before and after, the cuts, and every edge's flow."""
    impact = re.search(r'sn-impact">Max flow: ([^ ]+) before, ([^ ]+) after', html)
    layers = _map_layers(html)
    edge_flow = {row["id"]: row.get("flow at max flow") for title, rows in layers.items()
                 if title.startswith("Edges:") for row in rows}
    cut = next(rows for title, rows in layers.items() if title.startswith("Min edge cut"))
    return {"before": impact and impact.group(1), "after": impact and impact.group(2),
            "edge_cut": sorted(row["id"] for row in cut), "edge_flow": edge_flow}


def _export_rows(text: str) -> tuple[dict[str, Any], dict[tuple[str, str], dict[str, Any]]]:
    doc = json.loads(text)
    rows = {(f["properties"]["kind"], f["properties"]["id"]): f["properties"] for f in doc["features"]}
    return doc, rows


def _check(network: Path, scenario_file: Path, tmp_path: Path) -> int:
    """Check every scenario of a file through every surface; return how many were checked."""
    G = supplynet.read_network(network)
    w = WhatIf(G)
    report = json.loads(_cli("report", str(network), "--format", "json"))
    whatif = {s["name"]: s for s in json.loads(_cli("whatif", str(network), "--scenario", str(scenario_file),
                                                    "--format", "json"))["scenarios"]}
    scenarios = load_scenarios(scenario_file, G)
    for s in scenarios:
        api = w.evaluate(s)
        after = w.after(s)
        flow = after.max_flow()
        oracle = oracle_impact(G, w.sources, w.sinks, s)
        # The Python API against networkx on a real copy.
        for key in ("max_flow_before", "max_flow_after", "flow_loss", "min_edge_cut_capacity", "flow_days_denied"):
            mine = api.min_edge_cut.capacity if key == "min_edge_cut_capacity" else getattr(api, key)
            assert same(mine, oracle[key]), (s.name, key, mine, oracle[key])
        assert same(supplynet.analyse(after).max_flow, api.max_flow_after)
        # The what-if JSON and the report JSON.
        cli = whatif[s.name]
        assert same(cli["max_flow_before"], api.max_flow_before) and same(report["max_flow"], api.max_flow_before)
        assert same(cli["max_flow_after"], api.max_flow_after)
        assert same(cli["flow_days_denied"], api.flow_days_denied)
        assert cli["min_edge_cut"]["edges"] == api.min_edge_cut.edges
        assert {d["kind"] + ":" + d["id"]: d["factor"] for d in cli["degraded"]} == \
            {f"{k}:{i}": f for (k, i), f in api.degraded.items()}
        assert [(t["id"], t["flow"]) for t in cli["top_nodes"]] == [(i, pytest.approx(f)) for i, f in api.top_nodes]
        # The map's embedded figures.
        html_path = tmp_path / f"{s.name}.html"
        _cli("map", str(network), "--scenario", str(scenario_file), "--name", s.name, "-o", str(html_path))
        shown = _map_figures(html_path.read_text(encoding="utf-8"))
        assert shown["before"] == format_number(api.max_flow_before)
        assert shown["after"] == format_number(api.max_flow_after)
        assert shown["edge_cut"] == sorted(api.min_edge_cut.edges)
        live = {e: float(f) for e, f, ok in zip(after.edges, flow.edge_flow, after.edge_alive) if ok}
        assert {e: v for e, v in shown["edge_flow"].items() if v} == \
            {e: format_number(f) for e, f in live.items() if e in shown["edge_flow"]}
        # The export's columns.
        doc, rows = _export_rows(_cli("export", str(network), "--scenario", str(scenario_file), "--name", s.name))
        assert same(doc["scenario"]["max_flow_after"], api.max_flow_after)
        assert same(doc["max_flow"], api.max_flow_before)
        for i, e in enumerate(after.edges):
            row = rows[("edge", e)]
            assert row["scenario_removed"] == (not after.edge_alive[i])
            assert same(row["scenario_flow"], float(flow.edge_flow[i]) if after.edge_alive[i] else 0.0), e
        for i, v in enumerate(after.nodes):
            factor = dict(s.node_factors).get(v, 0.0 if v in s.remove_nodes else 1.0)
            assert same(rows[("node", v)]["scenario_factor"], factor), v
            assert same(rows[("node", v)]["scenario_flow"], float(flow.node_flow[i]) if after.node_alive[i] else 0.0)
    return len(scenarios)


def test_the_corridor_scenarios_agree_everywhere(tmp_path: Path) -> None:
    assert _check(CORRIDOR, CORRIDOR_SCENARIOS, tmp_path) == 5


def test_a_node_and_an_edge_sharing_an_id_agree_everywhere(shared: tuple[Path, Path], tmp_path: Path) -> None:
    network, scenarios = shared
    assert _check(network, scenarios, tmp_path) == 3


def test_shared_ids_keep_their_own_factors_and_repair_days(shared: tuple[Path, Path]) -> None:
    """By hand: node 123 (capacity 6, repaired in 10 days) and edge 123 (10, 4 days) stay apart."""
    network, scenarios = shared
    G = supplynet.read_network(network)
    w = WhatIf(G)
    both, cut, gone = (w.evaluate(s) for s in load_scenarios(scenarios, G))
    assert w.max_flow == 8.0  # min(10, 6, 10) through 123, plus 2 on e3
    # Edge 123 at 2, node 123 at 3: 2 through them, 2 on e3.
    assert both.max_flow_after == 4.0 and both.degraded == {("node", "123"): 0.5, ("edge", "123"): 0.2}
    # 4 lost while both are slowed (4 days), then 3 while the node alone is (6 more days).
    assert both.flow_days_denied == 4 * 4 + 3 * 6
    assert cut.max_flow_after == 2.0 and cut.flow_days_denied == 6 * 4
    assert gone.max_flow_after == 0.0 and gone.removed_nodes == ["123"] and gone.removed_edges == ["e3"]
    # All 8 lost until e3 is back (2 days), then the 6 through node 123 until day 10.
    assert gone.flow_days_denied == 8 * 2 + 6 * 8


def test_selectors_refuse_a_shared_id_without_its_kind(shared: tuple[Path, Path]) -> None:
    network, _ = shared
    result = CliRunner().invoke(main, ["whatif", str(network), "--remove", "123"])
    assert result.exit_code == 1
    assert "'123' names both a node and an edge; write node:123 or edge:123" in result.output
