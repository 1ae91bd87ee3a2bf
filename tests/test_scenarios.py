"""Tests of supplynet.network.scenarios and the element selectors: the file schema and every error."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pytest
import yaml

import supplynet
from supplynet import ScenarioError, SelectorError
from supplynet.network.scenarios import Scenario, load_scenarios, make_scenario, parse_scenarios, pick_scenarios
from supplynet.network.selectors import select_elements
from supplynet.analysis.whatif import WhatIf
from tests.test_whatif import check_against_oracle

DATA = Path(__file__).resolve().parent / "data"
SCENARIOS = DATA / "scenarios"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def diamond() -> nx.MultiDiGraph:
    return supplynet.read_network(DATA / "diamond.geojson")


@pytest.fixture(scope="module")
def corridor() -> nx.MultiDiGraph:
    return supplynet.read_network(ROOT / "datasets" / "corridor.geojson")


def test_diamond_file_by_hand(diamond: nx.MultiDiGraph) -> None:
    scenarios = load_scenarios(SCENARIOS / "diamond.yaml", diamond)
    assert [s.name for s in scenarios] == ["hub-a", "crossing-b-by-type", "hub-a-half", "slow-roads",
                                           "everything-east", "a-then-track"]
    by_name = {s.name: s for s in scenarios}
    assert by_name["crossing-b-by-type"].removed == ("b",)
    assert by_name["slow-roads"].edge_factors == (("ab", 0.5), ("ab~rev", 0.5), ("at", 0.5), ("sa", 0.5))
    assert by_name["everything-east"].removed == ("a", "s")
    assert by_name["everything-east"].description.startswith("Every node east")
    assert by_name["a-then-track"].removed == ("a", "sb")
    w = WhatIf(diamond)
    after = {s.name: w.evaluate(s).max_flow_after for s in scenarios}
    assert after == {"hub-a": 20.0, "crossing-b-by-type": 25.0, "hub-a-half": 35.0, "slow-roads": 37.5,
                     "everything-east": 0.0, "a-then-track": 0.0}
    for s in scenarios:
        check_against_oracle(diamond, ["s"], ["t"], s, w.evaluate(s))


@pytest.mark.parametrize("name, pattern", [
    ("unknown-id.yaml", r"scenario 'strike', remove entry 2: .*'no-such-place'"),
    ("empty-selector.yaml", r"scenario 'airfields', remove entry 1: 'type=airfield' selects nothing"),
    ("empty-selector.yaml", r"scenario 'blank', remove entry 1: selector 'mode=' names no value"),
    ("bad-factor.yaml", r"scenario 'squeeze', degrade entry 1 \('a'\): the factor must be a number from 0 to 1, got 1.3"),
    ("bad-factor.yaml", r"scenario 'squeeze-text', degrade entry 'b': the factor .* got 'half'"),
    ("malformed.yaml", r"malformed.yaml is not valid YAML: .*line 4"),
    ("duplicate.yaml", r"scenario 'strike', name: the name is used twice"),
])
def test_bad_files_name_the_scenario_and_entry(diamond: nx.MultiDiGraph, name: str, pattern: str) -> None:
    with pytest.raises(ScenarioError, match=pattern):
        load_scenarios(SCENARIOS / name, diamond)


def test_every_problem_in_one_message(diamond: nx.MultiDiGraph) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenarios(SCENARIOS / "bad-factor.yaml", diamond)
    assert str(info.value).startswith("2 problems with the scenarios in ")
    assert "squeeze'" in str(info.value) and "squeeze-text" in str(info.value)


@pytest.mark.parametrize("data, pattern", [
    (None, "non-empty list of scenarios"),
    ({"scenario": []}, "unknown top-level key"),
    ([], "non-empty list"),
    (["just text"], "scenario 1: expected a mapping"),
    ([{"remove": ["a"]}], "scenario 1: needs a non-empty 'name'"),
    ([{"name": "x", "remove": ["a"], "degrades": {}}], "scenario 'x', keys: unknown key.*'degrades'"),
    ([{"name": "x"}], "scenario 'x', remove/degrade: the scenario removes and degrades nothing"),
    ([{"name": "x", "remove": "a"}], "scenario 'x', remove: expected a list"),
    ([{"name": "x", "remove": [{"a": 1}]}], "scenario 'x', remove entry 1: expected a node or edge id"),
    ([{"name": "x", "degrade": [{"select": "a", "factor": -0.1}]}], "factor must be a number from 0 to 1"),
    ([{"name": "x", "degrade": [{"select": "a", "factor": True}]}], "factor must be a number"),
    ([{"name": "x", "degrade": [["a"]]}], "scenario 'x', degrade entry 1: expected"),
    ([{"name": "x", "after": ["y"]}], "scenario 'x', after entry 1 \\('y'\\): no scenario has that name"),
    ([{"name": "x", "after": ["y"]}, {"name": "y", "after": ["x"]}], "composes itself: x -> y -> x"),
    ([{"name": "x", "after": {"y": 1}}], "expected a list of scenario names"),
    ([{"name": "x", "remove": ["near=1,2"]}], "needs 3 numbers: near=LON,LAT,KM"),
    ([{"name": "x", "remove": ["bbox=50,30,44,36"]}], "WEST must not exceed EAST"),
    ([{"name": "x", "remove": ["colour=red"]}], "'colour=red' has unknown key 'colour'"),
])
def test_schema_errors(diamond: nx.MultiDiGraph, data: object, pattern: str) -> None:
    with pytest.raises(ScenarioError, match=pattern):
        parse_scenarios(diamond, data)


def test_a_bare_list_and_numbers_as_ids() -> None:
    G = nx.MultiDiGraph()
    G.add_edge("1", "2", key="7")
    scenarios = parse_scenarios(G, yaml.safe_load("- {name: 3, remove: [1, 7]}"))
    assert scenarios == [Scenario("3", ("1",), ("7",))]


def test_unreadable_files(diamond: nx.MultiDiGraph, tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read the scenario file"):
        load_scenarios(tmp_path / "missing.yaml", diamond)
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenarios(tmp_path / "bin.yaml", diamond)


def test_removal_wins_and_factors_multiply(diamond: nx.MultiDiGraph) -> None:
    s = make_scenario(diamond, "x", remove=["a"], degrade=[("a", 0.5), ("sb", 0.5), ("mode=track", 0.5)])
    assert s.node_factors == () and s.edge_factors == (("sb", 0.25),)
    assert s.degraded == {("edge", "sb"): 0.25} and not s.is_empty and Scenario("y").is_empty
    with pytest.raises(ScenarioError, match="non-empty name"):
        Scenario(" ")


def test_pick_scenarios() -> None:
    s = [Scenario("a", ("x",)), Scenario("b", ("y",))]
    assert pick_scenarios(s, []) == s
    assert pick_scenarios(s, ["b", "a"]) == [s[1], s[0]]
    with pytest.raises(ScenarioError, match="no scenario named 'c'; it has 2: 'a', 'b'"):
        pick_scenarios(s, ["c"])
    many = [Scenario(f"s{i}") for i in range(147)]
    with pytest.raises(ScenarioError, match=r"no scenario named 'x' in f.yaml; it has 147: 's0', .* 's9' \.\.\. "
                                            r"and 137 more$"):
        pick_scenarios(many, ["x"], "f.yaml")


def test_element_selectors(corridor: nx.MultiDiGraph) -> None:
    assert select_elements(corridor, "bc-alqaim") == (["bc-alqaim"], [])
    assert select_elements(corridor, "e44") == ([], ["e44"])
    assert select_elements(corridor, "id=e44,chk-qaim") == (["chk-qaim"], ["e44"])
    nodes, edges = select_elements(corridor, "mode=air")
    assert nodes == [] and edges == ["e21", "e22", "e23", "e24", "e25", "e26"]
    assert select_elements(corridor, "country=syria")[0] == sorted(
        n for n, c in corridor.nodes(data="country") if c == "Syria")
    assert select_elements(corridor, "type=Assembly")[0] == ["asm-albukamal", "asm-deir", "asm-mayadin",
                                                             "asm-palmyra"]
    # Al-Qaim checkpoint (41.09, 34.37) and crossing (41.00, 34.40) are 9 km apart; Albu Kamal
    # depot (40.87, 34.52) is 26 km from the checkpoint.
    assert select_elements(corridor, "near=41.09,34.37,10")[0] == ["bc-alqaim", "chk-qaim"]
    assert "sto-albukamal" in select_elements(corridor, "near=41.09,34.37,30")[0]
    box = select_elements(corridor, "bbox=40.9,34.3,41.1,34.5")[0]
    assert box == sorted(n for n, d in corridor.nodes(data=True)
                         if 40.9 <= d["x"] <= 41.1 and 34.3 <= d["y"] <= 34.5)
    with pytest.raises(SelectorError, match="selects nothing"):
        select_elements(corridor, "near=0,0,10")
    with pytest.raises(SelectorError, match="selects nothing; type values present: .*assembly"):
        select_elements(corridor, "type=factory")
    with pytest.raises(SelectorError, match="no node or edge has the id 'zz'"):
        select_elements(corridor, "id=zz")


def test_near_is_great_circle() -> None:
    G = nx.MultiDiGraph()
    G.add_node("equator", x=1.0, y=0.0)  # 111.2 km from (0, 0)
    G.add_node("north", x=0.0, y=60.0)
    assert select_elements(G, "near=0,0,111.3")[0] == ["equator"]
    assert select_elements(G, "near=1,60,56")[0] == ["north"]  # 1 degree of longitude at 60 N: 55.6 km
    assert math.isclose(6371.0088 * math.radians(1), 111.19, abs_tol=0.01)


def test_shipped_corridor_scenarios(corridor: nx.MultiDiGraph) -> None:
    scenarios = load_scenarios(ROOT / "datasets" / "corridor-scenarios.yaml", corridor)
    assert len(scenarios) == 5 and len({s.name for s in scenarios}) == 5
    assert any(s.node_factors or s.edge_factors for s in scenarios)
    composed = {s.name: s for s in scenarios}["border-and-north"]
    assert {"bc-alqaim", "smg-mosul", "e21"} <= set(composed.removed)
