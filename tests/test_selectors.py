"""Tests of supplynet.network.selectors: defaults, the selector grammar, and every error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supplynet._errors import SelectorError
from supplynet.analysis.flow import compile_network
from supplynet.network.selectors import (
    default_sinks,
    default_sources,
    parse_selector,
    resolve_endpoints,
    select_nodes,
)
from tests.test_flow import network


@pytest.fixture
def G():
    nodes = {
        "f2": {"type": "manufacturing", "country": "Yemen"},
        "f1": {"type": "manufacturing", "country": "Oman"},
        "s1": {"type": "smuggling", "country": "Yemen"},
        "b1": {"type": "border_crossing"},
        "a1": {"type": "assembly", "country": "Oman"},
    }
    return network(nodes, [("e1", "f1", "s1", {}), ("e2", "s1", "a1", {})])


def test_defaults_are_sorted_by_type(G):
    assert default_sources(G) == ["f1", "f2"]
    assert default_sinks(G) == ["a1"]
    assert resolve_endpoints(G) == (["f1", "f2"], ["a1"])


@pytest.mark.parametrize("selector, expected", [
    ("type=smuggling", ["s1"]),
    ("type=smuggling,border_crossing", ["b1", "s1"]),
    ("type=Assembly", ["a1"]),  # types match case-insensitively
    (" type = smuggling , ", ["s1"]),
    ("id=s1,b1", ["b1", "s1"]),
    ("id=s1,s1", ["s1"]),
    ("country=yemen", ["f2", "s1"]),
    ("country=Oman,Yemen", ["a1", "f1", "f2", "s1"]),
])
def test_selectors_select_sorted_ids(G, selector, expected):
    assert select_nodes(G, selector) == expected


def test_iterables_of_ids(G):
    assert select_nodes(G, ["s1", "b1", "s1"]) == ["b1", "s1"]
    assert select_nodes(G, ("a1",)) == ["a1"]
    assert resolve_endpoints(G, ["s1"], "id=a1,b1") == (["s1"], ["a1", "b1"])


def test_parse_selector():
    assert parse_selector("TYPE=a,b") == ("type", ["a", "b"])


@pytest.mark.parametrize("selector, match", [
    ("manufacturing", "no '='"),
    ("kind=assembly", "unknown key 'kind'"),
    ("type=", "names no value"),
    ("id= , ", "names no value"),
])
def test_malformed_selectors(G, selector, match):
    with pytest.raises(SelectorError, match=match):
        select_nodes(G, selector)


def test_unknown_ids_are_named(G):
    with pytest.raises(SelectorError, match="unknown node ids 'x9', 'zz'"):
        select_nodes(G, "id=s1,zz,x9")
    with pytest.raises(SelectorError, match="unknown node id 'q'"):
        resolve_endpoints(G, ["q"])


def test_empty_selections(G):
    with pytest.raises(SelectorError, match="selects no node.*types? values present.*"
                                            "'assembly'"):
        select_nodes(G, "type=airfield", what="sources")
    with pytest.raises(SelectorError, match="empty"):
        select_nodes(G, [])
    with pytest.raises(SelectorError, match="country values present: 'Oman', 'Yemen'"):
        select_nodes(G, "country=Iraq")


def test_missing_defaults_explain_how_to_choose():
    G = network({"x": {"type": "storage"}}, [])
    with pytest.raises(SelectorError, match="no node of type 'manufacturing'.*--sources"):
        default_sources(G)
    with pytest.raises(SelectorError, match="--sinks"):
        default_sinks(G)


def test_overlap_is_an_error_unless_allowed(G):
    with pytest.raises(SelectorError, match="'s1' is both a source and a sink"):
        resolve_endpoints(G, "id=f1,s1", "type=smuggling")
    assert resolve_endpoints(G, "id=s1", "id=s1", allow_overlap=True) == (["s1"], ["s1"])


def test_snapshots_select_like_their_graph(G):
    snap = compile_network(G)
    assert select_nodes(snap, "country=yemen") == select_nodes(G, "country=yemen")
    assert resolve_endpoints(snap, "type=smuggling", "id=a1") == (["s1"], ["a1"])


def test_selection_does_not_touch_the_graph(G):
    before = dict(G.nodes(data=True))
    resolve_endpoints(G, "type=smuggling", ["a1"])
    assert dict(G.nodes(data=True)) == before


@given(st.lists(st.sampled_from(["a1", "b1", "f1", "f2", "s1"]), min_size=1))
def test_id_lists_round_trip_through_selectors(ids):
    nodes = {i: {"type": "storage"} for i in ["a1", "b1", "f1", "f2", "s1"]}
    G = network(nodes, [])
    assert select_nodes(G, ids) == select_nodes(G, "id=" + ",".join(ids)) == sorted(set(ids))
