"""The one escape helper of the maps, and the offline check: unit and property tests."""

from __future__ import annotations

import html
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supplynet.maps.escape import TEMPLATE_MARKERS, check_template_free, escape_text, format_value
from supplynet.maps.assets import MapSafetyError, check_offline, find_remote_references, tile_origin

DANGEROUS = "<>&\"'`$\\{}=()\u2028\u2029"


@pytest.mark.parametrize("char", list(DANGEROUS))
def test_every_dangerous_character_becomes_a_reference(char: str) -> None:
    out = escape_text(f"a{char}b")
    assert char == "&" or char not in out
    assert out.startswith("a&") and out.endswith(";b")
    assert html.unescape(out) == f"a{char}b"


@pytest.mark.parametrize("payload", [
    "{{ cycler.__init__.__globals__.os.system('id') }}",
    "{% for x in range(3) %}X{% endfor %}",
    "{# hidden #}",
    "${window.__pwned=1}",
    "`;window.__pwned=1;`",
    "\\`;window.__pwned=1;//",
    "</script><script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
])
def test_payloads_are_inert_in_every_context(payload: str) -> None:
    out = escape_text(payload)
    for marker in (*TEMPLATE_MARKERS, "${", "`", "\\", "<", ">", '"', "'"):
        assert marker not in out
    # Inside JSON (folium's tojson) nothing can end the string or the script element.
    assert json.loads(json.dumps(out)) == out and "</" not in json.dumps(out)
    assert html.unescape(out) == payload


@given(st.text())
def test_escape_round_trips_and_never_leaves_template_syntax(text: str) -> None:
    out = escape_text(text)
    assert html.unescape(out) == text
    assert not any(m in out for m in TEMPLATE_MARKERS)
    assert not any(c in out for c in "<>\"'`$\\{}")
    assert find_remote_references(out) == []


def test_escape_of_non_strings_formats_them() -> None:
    assert escape_text(3) == "3"
    assert escape_text(float("inf")) == "unlimited"
    assert escape_text({"k": "{{x}}"}) == "&#123;&quot;k&quot;: &quot;&#123;&#123;x&#125;&#125;&quot;&#125;"


def test_format_value() -> None:
    import numpy as np

    assert format_value(None) == "" and format_value(float("nan")) == ""
    assert format_value(np.int64(7)) == "7" and format_value(np.float64(0.5)) == "0.5"
    assert format_value(np.bool_(True)) == "true" and format_value(False) == "false"
    assert format_value([1, "a"]) == '[1, "a"]'


def test_format_value_reads_numbers_as_the_reports_do() -> None:
    """One number policy: the map writes a figure as the text report writes it."""
    from supplynet.numbers import format_number

    for x in (1234.5678, 320.0, 2 / 3, 12345.678, 0.000123, float("inf"), 7, -3.5):
        assert format_value(x) == format_number(x)
    assert format_value(1234.5678) == "1,235"


def test_check_template_free() -> None:
    check_template_free(escape_text("{{ 7*7 }} {% x %} {# y #}"), "test")
    for marker in TEMPLATE_MARKERS:
        with pytest.raises(MapSafetyError, match="template syntax"):
            check_template_free(f"a {marker} b", "test")


@pytest.mark.parametrize("page, found", [
    ('<script src="https://cdn.example/leaflet.js"></script>', ["https://cdn.example/leaflet.js"]),
    ("<link rel='stylesheet' href='http://x.example/a.css'/>", ["http://x.example/a.css"]),
    ('<link href="//x.example/a.css">', ["//x.example/a.css"]),
    ("<style>.a{background:url( 'https://x.example/i.png' )}</style>", ["https://x.example/i.png"]),
    ('<style>@import "https://x.example/b.css";</style>', ["https://x.example/b.css"]),
    ('<img SRC=https://x.example/p.gif>', ["https://x.example/p.gif"]),
    ('<img src="data:image/png;base64,AA">', []),
    ("<p>see https://example.org for details</p>", []),
    ('<a href="maps/other.html">', []),
])
def test_find_remote_references(page: str, found: list[str]) -> None:
    assert find_remote_references(page) == found


def test_check_offline_allows_only_the_given_prefixes() -> None:
    page = '<img src="https://tile.example.org/1/2/3.png"><script src="https://cdn.example/x.js"></script>'
    with pytest.raises(MapSafetyError, match="cdn.example"):
        check_offline(page, allowed=["https://tile.example.org/"])
    check_offline(page, allowed=["https://tile.example.org/", "https://cdn.example/"])


def test_tile_origin() -> None:
    assert tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"


# -- the data element: the one script element with attributes a page may hold ----------

def test_the_data_element_is_base64_and_fixed_keys_only() -> None:
    from supplynet.maps.blob import data_element

    payload = "</script><script>window.__pwned=1</script> {{ 7*7 }}".encode()
    element = data_element(payload * 50, compressed=False)
    body = element.split(">", 1)[1].rsplit("</script>", 1)[0]
    assert set(json.loads(body)) == {"enc", "b64"}
    assert all(c.isalnum() or c in '+/={}":,' for c in body)
    assert "<" not in body and "{{" not in body and find_remote_references(element) == []


def test_finish_page_allows_only_the_one_data_element() -> None:
    from supplynet.maps.assets import finish_page

    data = '<script type="application/json" id="sn-data">{"enc":"raw","b64":""}</script>'
    finish_page(f"<html><head></head><body>{data}</body></html>")
    for page in (f"<html><head></head><body>{data}{data}</body></html>",
                 '<html><head></head><body><script type="application/json" id="x">1</script></body></html>',
                 '<html><head></head><body><script nonce="a">1</script></body></html>'):
        with pytest.raises(MapSafetyError, match="script element with attributes"):
            finish_page(page)
