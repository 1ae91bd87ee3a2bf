"""Supply betweenness past its work limit: an estimate from sampled sources, said so.

The oracle is networkx's ``betweenness_centrality_subset`` from the sampled sources,
scaled by ``len(sources) / k``; the sample is ``random.Random(seed).sample`` of the
sources in id order. Unbiasedness is checked exhaustively: over every ``k``-subset of
the sources the scaled sums average to the exact figure.
"""

from __future__ import annotations

import itertools
import json
import random

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st, HealthCheck

from supplynet._errors import AnalysisError
from supplynet.analysis.centrality import SUPPLY_WORK_LIMIT, edge_supply_betweenness, supply_betweenness
from supplynet.analysis.flow import compile_network
from supplynet.analysis.report import analyse
from supplynet.cli import main
from supplynet.render.report import format_report, meta_items
from tests.test_centrality import _generated, assert_edges_equal, assert_nodes_equal, oracle_digraph
from tests.test_flow import networks


def _sample(sources, k, seed):
    return sorted(random.Random(seed).sample(sorted(sources), k))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(max_nodes=9, max_edges=24), st.data())
def test_sampled_estimate_is_networkx_from_the_sample_scaled(case, data):
    G, sources, sinks = case
    k = data.draw(st.integers(1, len(sources)))
    seed = data.draw(st.integers(0, 5))
    D = oracle_digraph(G)
    picked = _sample(sources, k, seed)
    scale = len(sources) / k
    nodes = nx.betweenness_centrality_subset(D, picked, sinks, normalized=False, weight="length")
    edges = nx.edge_betweenness_centrality_subset(D, picked, sinks, normalized=False, weight="length")
    got = supply_betweenness(G, sources, sinks, k=k, seed=seed)
    assert_nodes_equal(got, {v: x * scale for v, x in nodes.items()})
    assert_edges_equal(edge_supply_betweenness(G, sources, sinks, k=k, seed=seed),
                       {e: x * scale for e, x in edges.items()}, D, G)
    assert got.attrs == ({"sampled": k < len(sources), "k": k if k < len(sources) else None,
                          "seed": seed if k < len(sources) else None, "sources": len(sources)})


def test_the_estimate_is_unbiased_over_every_sample():
    G = _generated(120, 3)
    snap = compile_network(G)
    sources = list(snap.source_ids)[:6]
    sinks = list(snap.sink_ids)
    exact = supply_betweenness(G, sources, sinks)
    for k in (1, 2, 3):
        subsets = list(itertools.combinations(sources, k))
        total = sum(supply_betweenness(G, list(s), sinks) * (len(sources) / k) for s in subsets)
        mean = total / len(subsets)
        assert (mean - exact).abs().max() < 1e-9 * max(1.0, exact.abs().max())
        assert exact.max() > 0


def test_past_the_work_limit_it_samples_as_many_sources_as_fit(monkeypatch):
    import supplynet.analysis.centrality as centrality

    snap = compile_network(_generated(400, 2))
    count = len(snap.sources)
    size = len(snap.nodes) + int(snap.edge_alive.sum())
    exact = supply_betweenness(snap)
    assert not exact.attrs["sampled"] and exact.attrs["sources"] == count == 20
    assert supply_betweenness(snap, work_limit=count * size).equals(exact)  # at the limit: exact
    # Fewer than MIN_K (100) fit, but this network has only 20 sources: exact.
    assert supply_betweenness(snap, work_limit=7 * size).equals(exact)
    monkeypatch.setattr(centrality, "MIN_K", 5)
    est = supply_betweenness(snap, work_limit=7 * size + size - 1)
    assert est.attrs == {"sampled": True, "k": 7, "seed": 0, "sources": count}
    assert supply_betweenness(snap, work_limit=2 * size).attrs["k"] == 5  # the floor
    monkeypatch.setattr(centrality, "SUPPLY_WORK_LIMIT", 7 * size)  # the default limit
    assert supply_betweenness(compile_network(_generated(400, 2))).equals(est)
    again = supply_betweenness(compile_network(_generated(400, 2)), k=7, seed=0)
    assert again.equals(est)
    other = supply_betweenness(snap, k=7, seed=8)
    assert not other.equals(est) and other.attrs["seed"] == 8
    assert supply_betweenness(snap, k="all").equals(exact)
    assert supply_betweenness(snap, k=count).equals(exact)
    assert supply_betweenness(snap, k=count + 5).attrs["sampled"] is False


@pytest.mark.parametrize("k", [0, -3, "some", 2.5, True])
def test_bad_sample_sizes_raise(k):
    with pytest.raises(AnalysisError, match="k must be"):
        supply_betweenness(_generated(60, 1), k=k)


def test_report_says_supply_betweenness_was_sampled():
    G = _generated(300, 1)
    count = len(compile_network(G).sources)
    r = analyse(G, supply_k=3, seed=2)
    assert r.parameters["supply_betweenness"] == {"method": "sampled", "k": 3, "seed": 2, "sources": count}
    assert any(n.startswith(f"Supply betweenness is an estimate from 3 of the {count:,} sources (seed 2)")
               for n in r.notes)
    assert f"supply betweenness sampled from 3 of {count:,} sources (seed 2)" in format_report(r)
    assert ("supply_betweenness_k", "3") in meta_items(r)
    picked = _sample(compile_network(G).source_ids, 3, 2)
    D = oracle_digraph(G)
    expected = nx.betweenness_centrality_subset(D, picked, list(compile_network(G).sink_ids),
                                                normalized=False, weight="length")
    for v, x in expected.items():
        assert r.nodes.loc[v, "supply_betweenness"] == pytest.approx(x * count / 3, rel=1e-9, abs=1e-12)
    exact = analyse(G)
    assert "supply_betweenness" not in exact.parameters  # exact reports are unchanged
    assert not any("Supply betweenness is an estimate" in n for n in exact.notes)
    assert analyse(G, supply_k="all").nodes.equals(exact.nodes)


def _cli_report(path, *args):
    result = CliRunner().invoke(main, ["report", str(path), "--format", "json", *args])
    return result, (json.loads(result.stdout) if result.exit_code == 0 else None)


def test_cli_sample_sizes(corridor_path):
    from tests.test_schema import SCHEMA_PATH
    import jsonschema

    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    _, exact = _cli_report(corridor_path)
    count = len(exact["sources"])
    assert count >= 2 and "supply_betweenness" not in exact["parameters"]
    _, sampled = _cli_report(corridor_path, "--supply-betweenness-k", "1", "--seed", "3")
    validator.validate(sampled)
    assert sampled["parameters"]["supply_betweenness"] == {"method": "sampled", "k": 1, "seed": 3,
                                                           "sources": count}
    assert any("Supply betweenness is an estimate from 1 of the" in n for n in sampled["notes"])
    # the flows and losses are exact either way; only supply betweenness is estimated
    assert [n["flow_loss"] for n in sampled["nodes"]] == [n["flow_loss"] for n in exact["nodes"]]
    assert [n["supply_betweenness"] for n in sampled["nodes"]] != [n["supply_betweenness"] for n in exact["nodes"]]
    for k in ("all", "ALL", str(count), "999"):
        _, same = _cli_report(corridor_path, "--supply-betweenness-k", k, "--betweenness-k", "all")
        assert same == exact, k
    for bad in ("0", "-1", "many", "1.5"):
        result, _ = _cli_report(corridor_path, "--supply-betweenness-k", bad)
        assert result.exit_code == 2 and "--supply-betweenness-k" in result.output, bad
        assert "Traceback" not in result.output
    result, _ = _cli_report(corridor_path, "--betweenness-k", "none")
    assert result.exit_code == 2 and "--betweenness-k" in result.output


def test_export_metadata_says_so(corridor_path, tmp_path):
    from supplynet.network.graph import read_network
    from supplynet.render.layers import export_layers

    out = tmp_path / "layers.geojson"
    result = CliRunner().invoke(main, ["export", str(corridor_path), "-o", str(out),
                                       "--supply-betweenness-k", "2"])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    count = len(doc["sources"])
    assert doc["parameters"]["supply_betweenness"] == {"k": 2, "method": "sampled", "seed": 0, "sources": count}
    layers = export_layers(read_network(corridor_path), supply_k=2)
    assert f"Supply betweenness sampled from 2 of {count} sources (seed 0)" in layers.description("nodes")
    assert "Supply betweenness" not in export_layers(read_network(corridor_path)).description("nodes")


def test_help_states_the_limit():
    result = CliRunner().invoke(main, ["report", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert f"{SUPPLY_WORK_LIMIT // 1_000_000} million" in text
    assert "--supply-betweenness-k" in text and "'all'" in text


def test_large_betweenness_samples_fewer_sources_past_its_work_limit(monkeypatch):
    import supplynet.analysis.centrality as centrality
    from supplynet.analysis.centrality import betweenness

    G = _generated(300, 4)
    snap = compile_network(G)
    n, size = len(snap.nodes), len(snap.nodes) + int(snap.edge_alive.sum())
    monkeypatch.setattr(centrality, "MIN_K", 3)
    assert n == 300 and betweenness(G, exact_limit=10).attrs["sampled"] is False  # DEFAULT_K covers every node
    monkeypatch.setattr(centrality, "BETWEENNESS_WORK_LIMIT", 40 * size + 7)
    sampled = betweenness(G, exact_limit=10)
    assert sampled.attrs == {"sampled": True, "k": 40, "seed": 0}
    D = oracle_digraph(G)
    assert_nodes_equal(sampled, nx.betweenness_centrality(D, k=40, seed=0, weight="length"))
    monkeypatch.setattr(centrality, "BETWEENNESS_WORK_LIMIT", size)
    assert betweenness(G, exact_limit=10).attrs["k"] == 3  # the floor
    assert betweenness(G, k="all", exact_limit=10).equals(betweenness(G))
