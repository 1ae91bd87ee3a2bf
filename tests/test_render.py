"""The render layer: one number policy, one encoder, one table writer, one format error."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supplynet import SupplynetError, read_network
from supplynet.render.encode import dumps, json_ready
from supplynet.numbers import clean_number, format_number, format_percent, format_share
from supplynet.render.tables import csv_text, markdown_table, text_table


# --- numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value, text", [
    (1234.5678, "1,235"), (12345.678, "12,346"), (320.0, "320"), (1e6, "1,000,000"), (2 / 3, "0.6667"),
    (0.000123456, "0.0001235"), (-3.5, "-3.5"), (float("inf"), "unlimited"), (float("-inf"), "-unlimited"),
    (None, "-"), (float("nan"), "-"), (pd.NA, "-"), (np.float64(1234.5678), "1,235"), (np.int64(7), "7"),
    (2023, "2023"), ("text", "text"),
])
def test_format_number(value: object, text: str) -> None:
    assert format_number(value) == text


def test_format_number_never_writes_an_exponent_at_or_above_one() -> None:
    for x in (999.96, 9999.6, 12345.678, 98765432.1):
        assert "e" not in format_number(x)


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_format_number_keeps_four_significant_digits(x: float) -> None:
    text = format_number(x)
    assert "e" not in text or abs(x) < 1e-4
    if "e" not in text:
        assert math.isclose(float(text.replace(",", "")), x, rel_tol=5e-4, abs_tol=5e-5)


def test_clean_number_is_for_json_and_csv() -> None:
    assert clean_number(float("nan")) is None and clean_number(float("-inf")) is None
    assert clean_number(np.float64(2.0)) == 2 and type(clean_number(np.float64(2.0))) is int
    assert clean_number(1 / 3) == 0.3333333333
    assert clean_number(np.int64(5)) == 5 and type(clean_number(np.int64(5))) is int


# --- the <1% rule ----------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0, max_value=100), st.sampled_from([0, 1]))
def test_a_nonzero_share_never_reads_zero(pct: float, decimals: int) -> None:
    text = format_percent(pct, decimals=decimals)
    if pct > 0:
        assert text not in ("0%", "0.0%")
    else:
        assert text == "0%"
    assert format_share(pct, 100.0, decimals=decimals) == text


def test_small_shares_read_as_less_than() -> None:
    assert format_percent(0.34) == "<1%" and format_percent(0.049, decimals=1) == "<0.1%"
    assert format_percent(0.5) == "<1%"  # rounds half to even: 0, and it is not nothing
    assert format_percent(0.6) == "1%" and format_percent(0.06, decimals=1) == "0.1%"
    assert format_percent(1e-12, decimals=1, fixed=True) == "<0.1%"
    assert format_percent(float("nan")) == "-" and format_share(1, 0) == "-"


def test_plan_text_says_less_than_one_percent(corridor_path: Path) -> None:
    """A plan that cuts a sliver prints <1%, where it used to print 0%."""
    from supplynet.analysis.plan import compare_methods
    from supplynet.render.plan import format_plan

    comp = compare_methods(read_network(corridor_path), budget=1, methods=("optimal", "greedy"), curve=False)
    tiny = {name: replace(p, max_flow_after=p.max_flow_before - 0.5) for name, p in comp.plans.items()}
    text = format_plan(replace(comp, plans=tiny), "text")
    row = next(line for line in text.splitlines() if line.startswith("optimal "))
    assert "<1%" in row.split() and " 0% " not in text
    assert "(<1%)" in text


def test_whatif_text_says_less_than_a_tenth(data_dir: Path) -> None:
    """A what-if that costs a sliver of the flow prints <0.1%, not 0%."""
    from supplynet.analysis.whatif import WhatIf
    from supplynet.render.whatif import format_whatif

    G = read_network(data_dir / "diamond.geojson")
    w = WhatIf(G)
    impact = w.evaluate(["ab"])
    sliver = replace(impact, flow_loss=0.01, flow_loss_pct=0.02, max_flow_after=impact.max_flow_before - 0.01)
    for fmt in ("text", "markdown"):
        out = format_whatif(w, [sliver], fmt)
        line = next(line for line in out.splitlines() if "flow loss %" in line)
        assert "<0.1%" in line, line


# --- the encoder -----------------------------------------------------------------------------

def test_json_ready_gives_plain_python() -> None:
    doc = json_ready({1: np.float64(0.1) + np.float64(0.2), "a": (np.int64(2), np.bool_(True)), "n": pd.NA,
                      "x": np.array([1.5, np.inf]), "s": "é"})
    assert doc == {"1": 0.3, "a": [2, True], "n": None, "x": [1.5, None], "s": "é"}
    assert all(type(v) is not np.bool_ for v in doc["a"])


def test_dumps_settings() -> None:
    text = dumps({"b": float("nan"), "a": "é", "c": [float("inf")]})
    assert text == '{\n  "a": "é",\n  "b": null,\n  "c": [\n    null\n  ]\n}'
    assert dumps({"b": 1, "a": [2.5]}, indent=None) == '{"a": [2.5], "b": 1}'


# --- tables ----------------------------------------------------------------------------------

def test_text_table_aligns_and_trims() -> None:
    lines = text_table(["id", "why"], [["a", "a long reason"], ["bcd", "x"]], free_last=True)
    assert lines == ["id   why", "---  ---", "a    a long reason", "bcd  x"]
    assert text_table(["", "s1"], [["flow", "5"], ["loss %", "12.5%"]], align="<>", rule=False) == \
        ["           s1", "flow        5", "loss %  12.5%"]


def test_markdown_table_escapes_every_cell() -> None:
    lines = markdown_table(["a|b", "c"], [["x\ny", "\\"]], align="<>")
    assert lines == ["| a\\|b | c |", "|---|---:|", "| x y | \\\\ |"]


def test_csv_text_writes_none_empty() -> None:
    assert csv_text(["a", "b"], [[None, 1.5], ["x,y", 2]]) == 'a,b\n,1.5\n"x,y",2\n'


# --- unknown formats -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def diamond() -> nx.MultiDiGraph:
    return read_network(Path(__file__).parent / "data" / "diamond.geojson")


def test_unknown_formats_raise_supplynet_errors(diamond: nx.MultiDiGraph) -> None:
    from supplynet import format_report
    from supplynet.analysis.plan import compare_methods
    from supplynet.analysis.report import analyse
    from supplynet.analysis.summary import network_summary
    from supplynet.analysis.whatif import WhatIf
    from supplynet.render.plan import format_plan
    from supplynet.render.report import report_pieces
    from supplynet.render.summary import format_summary
    from supplynet.render.whatif import format_whatif

    w = WhatIf(diamond)
    calls = {
        "report": lambda: format_report(analyse(diamond), "xml"),
        "report pieces": lambda: report_pieces(analyse(diamond), "xml"),
        "what-if": lambda: format_whatif(w, [w.evaluate(["ab"])], "xml"),
        "plan": lambda: format_plan(compare_methods(diamond, budget=1, methods=("greedy",)), "xml"),
        "summary": lambda: format_summary(network_summary(diamond), "xml"),
    }
    for what, call in calls.items():
        with pytest.raises(SupplynetError, match=r"unknown .*format 'xml'; expected one of text, "):
            call()
