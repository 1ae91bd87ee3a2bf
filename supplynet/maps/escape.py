"""The one escape for text from a network file on its way into an HTML map.

A string read from the input (a name, a type, a free property, even a property *name*)
can reach five contexts in a folium map, and :func:`escape_text` makes it inert in all
of them at once:

* HTML, through ``innerHTML`` (popups, tooltips, the layer control, the legend):
  ``< > & " '`` become character references;
* JavaScript template literals, where folium puts popup and tooltip text: a backtick,
  ``${`` or a backslash would end or bend the literal, so `````, ``$`` and ``\\``
  become references too;
* JSON inside ``<script>``: nothing left can close the element or the string;
* Jinja2: folium 0.20 renders each element's output *again* as a template, so a
  ``{{ ... }}`` in a property would run Python on the analyst's machine. ``{`` and
  ``}`` become ``&#123;`` and ``&#125;``, so no ``{{``, ``{%`` or ``{#`` survives;
* the offline check of :mod:`supplynet.maps.assets`, which looks for ``src=``/``href=``/
  ``url(`` references to the network: ``=``, ``(`` and ``)`` become references so that
  text which merely *mentions* a URL is never mistaken for one.

Every reference decodes to the original character, so the text still shows literally.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from supplynet.maps.assets import MapSafetyError
from supplynet.numbers import format_number

__all__ = ["escape_text", "format_value", "check_template_free", "TEMPLATE_MARKERS"]

#: Sequences that open a Jinja2 tag; none may reach folium from the input.
TEMPLATE_MARKERS = ("{{", "{%", "{#")

_TABLE = str.maketrans({
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "`": "&#96;",
    "$": "&#36;",
    "\\": "&#92;",
    "{": "&#123;",
    "}": "&#125;",
    "=": "&#61;",
    "(": "&#40;",
    ")": "&#41;",
    # JavaScript once treated these as line ends inside string literals.
    "\u2028": "&#8232;",
    "\u2029": "&#8233;",
})


def escape_text(value: Any) -> str:
    """Return ``value`` as text that is inert in HTML, JS template literals, JSON and Jinja2.

    Non-strings are formatted with :func:`format_value` first.

    Examples
    --------
    >>> escape_text("<b>Ali's</b> {{ 7*7 }} ${x} `y`")
    '&lt;b&gt;Ali&#39;s&lt;/b&gt; &#123;&#123; 7*7 &#125;&#125; &#36;&#123;x&#125; &#96;y&#96;'
    >>> import html
    >>> html.unescape(escape_text("a\\\\`b")) == "a\\\\`b"
    True
    """
    text = value if isinstance(value, str) else format_value(value)
    return text.translate(_TABLE)


def format_value(value: Any) -> str:
    """Return a plain-text rendering of a property value (not yet escaped).

    Numbers read as in every report (:func:`supplynet.numbers.format_number`:
    ``1,235``, ``0.3333``, ``unlimited``); NaN and None read as an empty string, which
    leaves the popup row out; mappings and lists are shown as JSON.

    Examples
    --------
    >>> format_value(2.0), format_value(1 / 3), format_value(float("inf")), format_value(True)
    ('2', '0.3333', 'unlimited', 'true')
    >>> format_value(1234.5678), format_value(2023)
    ('1,235', '2023')
    >>> format_value({"a": [1, 2]})
    '{"a": [1, 2]}'
    """
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer, float, np.floating)):
        return "" if isinstance(value, (float, np.floating)) and math.isnan(value) else format_number(value)
    if isinstance(value, (Mapping, list, tuple)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def check_template_free(text: str, where: str) -> None:
    """Raise when ``text``, about to be handed to folium, holds Jinja2 tag syntax.

    Raises
    ------
    supplynet.maps.assets.MapSafetyError
        ``text`` contains ``{{``, ``{%`` or ``{#``.

    Examples
    --------
    >>> check_template_free('{"a": "&#123;&#123;"}', "data")
    >>> check_template_free("{{ x }}", "layer name")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    supplynet.maps.assets.MapSafetyError: template syntax '{{' in layer name would be run by folium's ...
    """
    for marker in TEMPLATE_MARKERS:
        if marker in text:
            raise MapSafetyError(
                f"template syntax {marker!r} in {where} would be run by folium's Jinja2 pass; "
                "it must be escaped first"
            )
