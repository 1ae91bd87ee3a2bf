"""Tests of supplynet.network.selectors: defaults, the selector grammar, and every error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supplynet._errors import SelectorError
from supplynet.analysis.flow import compile_network
from supplynet.network.selectors import (
    select_elements,
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
    ("manufacturing", "unknown node id 'manufacturing' \\(did you mean 'type=manufacturing'\\?\\)"),
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
    with pytest.raises(SelectorError, match="selects nothing.*type values present.*'assembly'"):
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


@pytest.fixture
def shared():
    """OpenStreetMap style: node 123 and way 123 share an id."""
    nodes = {"123": {"type": "manufacturing"}, "b": {"type": "storage"}, "c": {"type": "assembly"}}
    return network(nodes, [("123", "123", "b", {"mode": "road"}), ("e2", "b", "c", {"mode": "air"})])


def test_a_shared_id_is_refused_unless_its_kind_is_given(shared):
    with pytest.raises(SelectorError, match="'123' names both a node and an edge; write node:123 or edge:123"):
        select_elements(shared, "123")
    assert select_elements(shared, "node:123") == ([("123")], [])
    assert select_elements(shared, "edge:123") == ([], ["123"])
    assert select_elements(shared, "id=node:123,edge:e2") == (["123"], ["e2"])
    # Where only nodes can be chosen the id is the node's.
    assert select_nodes(shared, "123") == ["123"]


def test_comma_lists_and_every_key_in_one_grammar(shared):
    assert select_nodes(shared, "123,c") == ["123", "c"]
    assert select_elements(shared, "b,e2") == (["b"], ["e2"])
    assert resolve_endpoints(shared, "123", "c") == (["123"], ["c"])
    with pytest.raises(SelectorError, match="selects edges; only nodes"):
        select_nodes(shared, "mode=air", what="sources")
    with pytest.raises(SelectorError, match="'e2' is an edge; only nodes"):
        select_nodes(shared, "e2", what="sources")


def test_unknown_ids_get_a_suggestion(shared):
    with pytest.raises(SelectorError, match="no node or edge has the id 'e3' \\(did you mean 'e2'\\?\\)"):
        select_elements(shared, "e3")
    with pytest.raises(SelectorError, match="did you mean 'mode=air'"):
        select_elements(shared, "air")


def test_an_exact_id_wins_over_every_other_reading():
    nodes = {"Baghdad, Iraq": {"type": "manufacturing"}, "type=x": {"type": "assembly"}}
    G = network(nodes, [])
    assert select_nodes(G, "Baghdad, Iraq") == ["Baghdad, Iraq"]
    assert select_nodes(G, "type=x") == ["type=x"]
    assert select_nodes(G, "type=assembly") == ["type=x"]


def test_one_clause_per_selector(shared):
    with pytest.raises(SelectorError, match="mixes clauses \\('mode=air'\\)"):
        select_elements(shared, "type=storage,mode=air")


def test_a_kind_prefix_on_the_other_kind_says_so(shared):
    with pytest.raises(SelectorError, match="'e2' is an edge, not a node; write edge:e2"):
        select_elements(shared, "node:e2")


def test_default_endpoints_ignore_case_as_type_does():
    G = network({"f": {"type": "Manufacturing"}, "a": {"type": "ASSEMBLY"}}, [])
    assert resolve_endpoints(G) == (["f"], ["a"]) == (select_nodes(G, "type=manufacturing"),
                                                      select_nodes(G, "type=assembly"))


@given(st.lists(st.one_of(st.none(), st.sampled_from(["Depot", "depot", "DEPOT", "port", "ß", "SS"]),
                          st.integers(-2, 2), st.sampled_from([0.0, -0.0, 1.0]), st.booleans()),
                min_size=1, max_size=12),
       st.sampled_from(["depot", "1", "0.0", "-0.0", "true", "ss", "none"]))
def test_type_matching_is_casefolded_text_of_each_value(types, wanted):
    """``type=`` matches a node when the text of its value, case folded, is one wanted; the
    shortcut for texts (each distinct text folded once) must agree with the definition."""
    from supplynet.network.selectors import _matching

    ids = tuple(f"n{i:02d}" for i in range(len(types)))
    want = sorted(i for i, v in zip(ids, types) if v is not None and str(v).casefold() == wanted.casefold())
    assert _matching(ids, tuple(types), [wanted]) == want
    texts = tuple(None if v is None else str(v) for v in types)  # all texts: the shortcut
    assert _matching(ids, texts, [wanted]) == sorted(
        i for i, v in zip(ids, texts) if v is not None and v.casefold() == wanted.casefold())
