"""The report: hand-worked figures on the diamond, the corridor against networkx, formats."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supplynet import read_network
from supplynet.analysis.report import analyse
from supplynet.render import encode
from supplynet.render.report import format_report, json_chunks


def _split_max_flow(G: nx.MultiDiGraph, sources: list[str], sinks: list[str]) -> float:
    """networkx oracle: max flow with node capacities by node splitting."""
    D = nx.DiGraph()
    for n, d in G.nodes(data=True):
        D.add_edge(("in", n), ("out", n), **({"capacity": d["capacity"]} if "capacity" in d else {}))
    for u, v, d in G.edges(data=True):
        cap = d.get("capacity", math.inf)
        prev = D.get_edge_data(("out", u), ("in", v))
        if prev is None:
            D.add_edge(("out", u), ("in", v), capacity=cap)
        else:
            prev["capacity"] += cap
    for data in D.edges.values():
        if data.get("capacity") == math.inf:
            del data["capacity"]
    for s in sources:
        D.add_edge("S", ("in", s))
    for t in sinks:
        D.add_edge(("out", t), "T")
    return nx.maximum_flow_value(D, "S", "T")


@pytest.fixture(scope="module")
def diamond() -> nx.MultiDiGraph:
    return read_network(Path(__file__).parent / "data" / "diamond.geojson")


def test_diamond_hand_worked(diamond: nx.MultiDiGraph) -> None:
    r = analyse(diamond)
    assert r.sources == ["s"] and r.sinks == ["t"]
    assert r.max_flow == 50  # node a (capacity 30) binds: 30 via a, 20 via s->b
    assert r.bottleneck_nodes == ["a"]
    assert r.min_edge_cut["capacity"] == 55  # node capacities ignored: sb + at + ab
    assert [e["id"] for e in r.min_edge_cut["edges"]] == ["ab", "at", "sb"]
    assert r.min_node_cut == {"cost": 2.5, "nodes": ["a", "b"]}
    assert r.nodes["flow_loss"].to_dict() == {"a": 30, "b": 25, "s": 50, "t": 50}
    assert r.edges["flow_loss"].to_dict() == {"ab": 5, "ab~rev": 0, "at": 20, "bt": 25, "sa": 30, "sb": 20}
    assert r.nodes.at["a", "flow_loss_pct"] == pytest.approx(60.0)
    # ranking: flow loss first, then supply betweenness, then id
    assert list(r.points["id"][:4]) == ["s", "t", "a", "sa"]
    assert r.points.iloc[0]["sinks_cut_off"] == 1
    assert r.points.iloc[0]["reason"].endswith("it is the only source; the only sink depends on it")
    sink = r.points.set_index("id").loc["t", "reason"]
    assert "it is the only sink" in sink and "depend" not in sink


def test_no_path_gives_zero_and_empty_cuts(tmp_path: Path) -> None:
    doc = json.loads((Path(__file__).parent / "data" / "diamond.geojson").read_text())
    doc["features"] = [f for f in doc["features"] if f["properties"].get("target") != "t"]
    path = tmp_path / "cut.geojson"
    path.write_text(json.dumps(doc))
    r = analyse(read_network(path))
    assert r.max_flow == 0 and r.min_edge_cut["edges"] == [] and r.min_node_cut["nodes"] == []
    assert any("No source reaches any sink" in n for n in r.notes)
    assert "nothing to cut" in format_report(r, "text")


def test_unlimited_path_is_null_in_json(tmp_path: Path) -> None:
    doc = json.loads((Path(__file__).parent / "data" / "diamond.geojson").read_text())
    for f in doc["features"]:
        if f["properties"]["id"] in ("sb", "bt"):
            f["properties"].pop("capacity")
    path = tmp_path / "open.geojson"
    path.write_text(json.dumps(doc))
    r = analyse(read_network(path))
    assert math.isinf(r.max_flow) and r.unlimited_path == ["s", "b", "t"]
    out = json.loads(format_report(r, "json"))
    assert out["max_flow"] is None and out["min_edge_cut"]["capacity"] is None
    assert "Infinity" not in format_report(r, "json")
    assert any("unlimited capacity (s -> b -> t)" in n for n in r.notes)
    # No element's flow has a value (it was written 0), and the two kinds of null loss differ.
    nodes = {n["id"]: n for n in out["nodes"]}
    edges = {e["id"]: e for e in out["edges"]}
    assert all(n["flow"] is None for n in nodes.values()) and all(e["flow"] is None for e in edges.values())
    assert nodes["b"]["flow_loss"] is None and edges["sb"]["flow_loss"] is None
    assert nodes["b"]["flow_loss_reason"] == "removing it makes the unlimited flow finite"
    assert edges["sb"]["flow_loss_reason"] == "removing it makes the unlimited flow finite"
    stays = [e for e in edges.values() if e["id"] not in ("sb", "bt")]
    assert stays and all(e["flow_loss_reason"] == "the flow stays unlimited without it" for e in stays)


def test_corridor_matches_networkx(corridor_path: Path) -> None:
    G = read_network(corridor_path)
    r = analyse(G)
    assert r.max_flow == pytest.approx(_split_max_flow(G, r.sources, r.sinks))
    H = G.copy()
    H.remove_edges_from([(e["source"], e["target"], e["id"]) for e in r.min_edge_cut["edges"]])
    assert not any(nx.has_path(H, s, t) for s in r.sources for t in r.sinks)
    assert r.min_edge_cut["capacity"] == pytest.approx(sum(e["capacity"] for e in r.min_edge_cut["edges"]))
    H = G.copy()
    H.remove_nodes_from(r.min_node_cut["nodes"])
    assert not any(nx.has_path(H, s, t) for s in r.sources if s in H for t in r.sinks if t in H)
    assert all(G.nodes[n]["interdictable"] for n in r.min_node_cut["nodes"])
    top = r.points.iloc[0]
    H = G.copy()
    if top["kind"] == "node":
        H.remove_node(top["id"])
    else:
        H.remove_edges_from([(u, v, k) for u, v, k in G.edges(keys=True) if k == top["id"]])
    assert r.max_flow - _split_max_flow(H, r.sources, r.sinks) == pytest.approx(top["flow_loss"])


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "csv"])
def test_formats_are_deterministic(diamond: nx.MultiDiGraph, fmt: str) -> None:
    assert format_report(analyse(diamond), fmt) == format_report(analyse(diamond), fmt)


def test_json_contract(diamond: nx.MultiDiGraph) -> None:
    out = json.loads(format_report(analyse(diamond), "json"))
    assert out["network"] == {"name": "diamond", "description": out["network"]["description"], "nodes": 4,
                              "edges": 6, "source": out["network"]["source"], "sha256": out["network"]["sha256"]}
    assert out["max_flow"] == 50
    assert out["min_edge_cut"]["edges"][0] == {"id": "ab", "source": "a", "target": "b", "capacity": 10}
    assert out["min_node_cut"] == {"cost": 2.5, "nodes": ["a", "b"]}
    node = {n["id"]: n for n in out["nodes"]}["a"]
    assert {"id", "name", "type", "betweenness", "supply_betweenness", "flow_loss"} <= set(node)
    assert node["name"] == "Hub A" and node["flow_loss"] == 30
    assert out["supplynet_version"] and len(out["network"]["sha256"]) == 64
    assert out["parameters"] == {"top": 10, "source_selector": None, "sink_selector": None,
                                 "betweenness": {"method": "exact", "k": None, "seed": None}}
    assert "generated_at" not in out
    assert {e["id"]: e["country"] for e in out["edges"]}["sa"] == "Iran→Iraq"


def test_generated_at_only_when_set(diamond: nx.MultiDiGraph) -> None:
    r = analyse(diamond)
    plain = {fmt: format_report(r, fmt) for fmt in ("text", "markdown", "json", "csv")}
    assert all("2024-05-01" not in text for text in plain.values())
    r.generated_at = "2024-05-01T12:00:00Z"
    assert json.loads(format_report(r, "json"))["generated_at"] == "2024-05-01T12:00:00Z"
    assert "generated: 2024-05-01T12:00:00Z" in format_report(r, "text")
    assert "**generated:** 2024-05-01T12:00:00Z" in format_report(r, "markdown")
    rows = {row["key"]: row["value"]
            for row in csv.DictReader(io.StringIO(format_report(r, "csv", table="provenance")))}
    assert rows["generated_at"] == "2024-05-01T12:00:00Z"


def test_provenance_in_every_format(diamond: nx.MultiDiGraph) -> None:
    r = analyse(diamond, "id=s", None, betweenness_k=2, seed=3)
    sha = r.network["sha256"]
    assert r.provenance()["parameters"]["source_selector"] == "id=s"
    text, md = format_report(r, "text"), format_report(r, "markdown")
    for out in (text, md):
        assert sha in out and r.version in out and "betweenness sampled from 2 sources (seed 3)" in out
        assert "--sources id=s" in out
    meta = {row["key"]: row["value"]
            for row in csv.DictReader(io.StringIO(format_report(r, "csv", table="provenance")))}
    assert meta["input_sha256"] == sha and meta["sources"] == "s" and meta["sinks"] == "t"
    assert (meta["betweenness_method"], meta["betweenness_k"], meta["betweenness_seed"]) == ("sampled", "2", "3")
    assert meta["supplynet_version"] == r.version and meta["source_selector"] == "id=s"


def test_corridor_reads_well(corridor_path: Path) -> None:
    r = analyse(read_network(corridor_path))
    outputs = {fmt: format_report(r, fmt) for fmt in ("text", "markdown", "csv")}
    outputs["csv edges"] = format_report(r, "csv", table="edges")
    for fmt, out in outputs.items():
        assert not re.search(r"\b(nan|NaN|None)\b", out), fmt  # missing values read "-" or stay empty
    points = r.points.set_index("id")
    assert points.loc["e70", "country"] == "Iraq→Syria" and points.loc["e69", "country"] == "Iraq"
    assert "Iraq→Syria" in outputs["text"] and "| Iraq→Syria |" in outputs["markdown"]
    assert points.loc["asm-albukamal", "reason"].endswith("it is one of the 4 sinks")
    assert "sinks depends on it" not in outputs["text"]
    edge_rows = list(csv.DictReader(io.StringIO(outputs["csv edges"])))
    assert {row["id"]: row["country"] for row in edge_rows}["e70"] == "Iraq→Syria"


def test_csv_has_every_node_and_edge(diamond: nx.MultiDiGraph) -> None:
    r = analyse(diamond)
    nodes = list(csv.DictReader(io.StringIO(format_report(r, "csv"))))  # the nodes table by default
    edges = list(csv.DictReader(io.StringIO(format_report(r, "csv", table="edges"))))
    assert sorted(row["id"] for row in nodes) == ["a", "b", "s", "t"] and "source" not in nodes[0]
    assert len(edges) == 6 and {"source", "target", "mode"} <= set(edges[0])
    assert {row["id"]: row["flow_loss"] for row in nodes}["a"] == "30"
    meta = list(csv.DictReader(io.StringIO(format_report(r, "csv", table="provenance"))))
    assert len(meta) == 11 and list(meta[0]) == ["key", "value"]


def test_text_and_markdown_read_well(diamond: nx.MultiDiGraph) -> None:
    r = analyse(diamond)
    text = format_report(r, "text")
    for part in ("MAX FLOW  50 units", "MIN EDGE CUT  capacity 55, 3 edge(s)", "MIN NODE CUT  cost 2.5",
                 "TOP", "SUMMARY", "Node capacities bind the max flow at a"):
        assert part in text
    md = format_report(r, "markdown")
    assert md.startswith("# supplynet") and "| rank | kind | id |" in md


# --- the JSON record writer ------------------------------------------------------------

_CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(-2**60, 2**60),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
)


@st.composite
def _tables(draw: st.DrawFn) -> pd.DataFrame:
    """Tables with the awkward cells a network can bring: NaN, None, inf, quotes, escapes."""
    n = draw(st.integers(0, 6))
    ids = draw(st.lists(st.text(min_size=1, max_size=6), min_size=n, max_size=n, unique=True))
    names = draw(st.lists(st.sampled_from(["name", "type", "x %s", 'q"uote', "{brace}", "é"]),
                          unique=True, max_size=4))
    data = {}
    for name in names:
        kind = draw(st.sampled_from(["float", "bool", "object"]))
        if kind == "float":
            data[name] = draw(st.lists(st.floats(allow_nan=True, allow_infinity=True),
                                       min_size=n, max_size=n))
        elif kind == "bool":
            data[name] = pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
        else:
            data[name] = pd.Series(draw(st.lists(_CELLS, min_size=n, max_size=n)), dtype=object)
    return pd.DataFrame(data, index=pd.Index(ids, name="id", dtype=object))


@settings(max_examples=150, deadline=None)
@given(_tables())
def test_record_texts_match_the_encoder(df: pd.DataFrame) -> None:
    """The column-wise record writer gives the bytes of encoding each record dict."""
    cols = tuple(df.columns)
    expected = [encode.encode_line(rec) for rec in encode.records(df, cols)]
    assert encode.row_texts(df, cols) == expected
    saved = encode.ROWS_PER_BLOCK
    encode.ROWS_PER_BLOCK = 2  # long tables go a block at a time: the same bytes
    try:
        assert encode.row_texts(df, cols) == expected
    finally:
        encode.ROWS_PER_BLOCK = saved
    for text, rec in zip(expected, encode.records(df, cols)):
        assert json.loads(text) == rec


def test_json_pieces_join_to_the_dict_layout(diamond: nx.MultiDiGraph, monkeypatch) -> None:
    """Records split into pieces (two per piece here) still lay out as one JSON object."""
    r = analyse(diamond)
    whole = format_report(r, "json")
    monkeypatch.setattr(encode, "ROWS_PER_PIECE", 2)
    pieces = json_chunks(r)
    assert len(pieces) > 6 and "".join(pieces) == whole
    expected = encode.json_ready(r.to_dict())  # the column-wise writer says what to_dict says
    assert json.loads(whole) == expected
    records = [line for line in whole.splitlines() if line.startswith('    {"')]
    assert len(records) == sum(len(expected[k]) for k in ("nodes", "edges", "interdiction_points"))


def test_sinks_cut_off_matches_networkx(corridor_path: Path) -> None:
    """The ranking's cut-off counts, from the snapshot's arrays, against networkx on the graph."""
    import networkx as nx

    from supplynet.analysis.ranking import rank_points, sinks_cut_off

    G = read_network(corridor_path)
    r = analyse(G, top=25)
    again = rank_points(G, r.nodes, r.edges, top=25)
    pd.testing.assert_frame_equal(r.points, again)
    every = [("node", v) for v in G.nodes] + [("edge", k) for _, _, k in G.edges(keys=True)]
    got = sinks_cut_off(G, every)

    def reached(H: nx.MultiDiGraph) -> set[str]:
        out = set()
        for s in r.sources:
            if s in H:
                out |= nx.descendants(H, s) | {s}
        return out & set(r.sinks)

    base = reached(G)
    ends = {k: (u, v) for u, v, k in G.edges(keys=True)}
    for kind, ident in every:
        H = G.copy()
        if kind == "node":
            H.remove_node(ident)
        else:
            H.remove_edge(*ends[ident], ident)
        assert got[(kind, ident)] == len(base - reached(H)), (kind, ident)


def test_a_network_without_edges_reports_plainly(tmp_path: Path) -> None:
    """Two nodes and no edge: every surface says nothing flows (it was a KeyError)."""
    net = tmp_path / "bare.geojson"
    point = lambda i, t, x: {"type": "Feature", "properties": {"id": i, "type": t},  # noqa: E731
                             "geometry": {"type": "Point", "coordinates": [x, 33.0]}}
    net.write_text(json.dumps({"type": "FeatureCollection",
                               "features": [point("a", "manufacturing", 44.0), point("b", "assembly", 45.0)]}))
    r = analyse(read_network(net))
    assert r.max_flow == 0 and r.edges.empty and list(r.nodes.index) == ["a", "b"]
    assert any("No source reaches any sink" in n for n in r.notes)


@settings(max_examples=150, deadline=None)
@given(_tables(), st.lists(st.integers(-2**62, 2**62), min_size=6, max_size=6),
       st.lists(st.floats(min_value=-1e300, max_value=1e300), min_size=6, max_size=6))
def test_cells_are_json_ready_value_by_value(df: pd.DataFrame, ints: list[int], floats: list[float]) -> None:
    """The column-wise cell cleaner (whole numbers in one numpy pass, text as it is)
    gives, value for value and type for type, what json_ready gives each cell alone."""
    n = len(df)
    df = df.assign(_int=pd.Series(ints[:n], index=df.index, dtype="int64"),
                   _text=pd.Series([str(i) for i in ints[:n]], index=df.index, dtype="string"),
                   _big=pd.Series(floats[:n], index=df.index,
                                  dtype=float))
    for col in df.columns:
        got = encode._cells(df[col])
        want = [encode.json_ready(v) for v in df[col].tolist()]
        assert [(type(v), v) for v in got] == [(type(v), v) for v in want], col
