"""The map's palette and symbols, chosen to stay readable for colour-blind readers.

One home for every colour and dash pattern a map uses: the legend (:mod:`supplynet.maps.page`)
draws its swatches from here, and the drawing code in the browser receives the same values
in the map's data (:func:`palette`), so the two cannot drift apart.

* Node types take the Okabe-Ito palette (Okabe and Ito, *Color Universal Design*, 2008),
  with a dark grey in place of its black: under simulated protanopia, deuteranopia and
  tritanopia (Machado, Oliveira and Fernandes 2009, full severity) every pair of type
  colours stays at least 10 CIEDE2000 units apart (``tests/test_maps.py`` checks it).
* What a map marks on top of the network is told by **shape** as well as colour, so it
  reads without colour at all: the min cuts are dashed lines with a white casing and
  dashed rings in a deep violet (the colour farthest from every type colour under all
  three simulations); elements struck in a what-if are hollow and crossed out in black;
  ranked points are numbered white call-outs with a leader line.
* Edge modes differ by dash pattern first, colour second.
* Highlight layers (a plan, a campaign's strike waves) take three dark colours picked,
  like the cut colour, to stay apart from the type colours under every simulation; past
  three layers they take an ordered ramp (cividis, designed for colour-blind readers), as
  waves of a campaign are ordered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "TYPE_COLORS", "FALLBACK_COLORS", "MODE_STYLES", "NO_MODE", "CUT_COLOR", "STRUCK_COLOR",
    "EXTRA_COLORS", "CLUSTER_COLOR", "LAND_COLOR", "SEA_COLOR", "BORDER_COLOR", "CONFIDENCE",
    "type_color", "mode_style", "extra_colors", "palette",
]

#: Colours of the known node roles (Okabe-Ito, dark grey for its black).
TYPE_COLORS = {
    "manufacturing": "#D55E00", "assembly": "#0072B2", "smuggling": "#56B4E9", "storage": "#009E73",
    "border_crossing": "#E69F00", "airfield": "#CC79A7", "launch": "#F0E442", "checkpoint": "#666666",
}
#: Colours of other node types (the same eight), those no known role present uses first.
FALLBACK_COLORS = ("#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442", "#666666")
#: Edges without a mode are grouped under this name.
NO_MODE = "(no mode)"
#: Line colour and dash pattern (pixels, dash and gap in turn; empty: solid) of each mode.
MODE_STYLES: dict[str, tuple[str, tuple[float, ...]]] = {
    "road": ("#4D4D4D", ()), "convoy": ("#2F4F4F", (14, 3)), "track": ("#8A6D3B", (6, 3)),
    "rail": ("#3D3D3D", (12, 3, 2, 3)), "air": ("#1F5FA8", (9, 6)), "sea": ("#1F8FA8", (2, 5)),
}
_OTHER_MODE = ("#6B6B6B", ())
#: The min edge cut and min node cut (with a white casing and dashes).
CUT_COLOR = "#33004D"
#: The cross over what a what-if struck.
STRUCK_COLOR = "#000000"
#: Highlight layers, the first three (a plan is the first).
EXTRA_COLORS = ("#772200", "#1111BB", "#004444")
#: Cividis at 9 steps, for more than three highlight layers (ordered, like strike waves).
_RAMP = ("#00224E", "#123570", "#3B496C", "#575D6D", "#707173", "#8A8779", "#A69D75", "#C4B56C", "#E4CF5B")
#: Node clusters where no type makes up most of their nodes.
CLUSTER_COLOR = "#8A94A6"
LAND_COLOR = "#F4F1EA"
SEA_COLOR = "#C9DBE6"
BORDER_COLOR = "#8D8D8D"
#: How uncertain elements are drawn: opacity ``min_alpha + (1 - min_alpha) * confidence``,
#: and a dashed outline below ``dashed_below``.
CONFIDENCE = {"min_alpha": 0.3, "dashed_below": 0.5}


def type_color(node_type: str, types: Sequence[str]) -> str:
    """Return the colour of a node type: known roles fixed, others in sorted order.

    Other types take the palette's colours that no known role of ``types`` uses first,
    so a network of known and unknown types keeps them apart as long as colours last.

    Examples
    --------
    >>> type_color("assembly", ["assembly", "depot"]), type_color("depot", ["assembly", "depot"])
    ('#0072B2', '#56B4E9')
    >>> type_color("depot", ["depot", "smuggling"])
    '#E69F00'
    """
    if node_type in TYPE_COLORS:
        return TYPE_COLORS[node_type]
    used = {TYPE_COLORS[t] for t in types if t in TYPE_COLORS}
    free = [c for c in FALLBACK_COLORS if c not in used] or list(FALLBACK_COLORS)
    others = sorted(t for t in set(types) if t not in TYPE_COLORS)
    position = others.index(node_type) if node_type in others else 0
    return free[position % len(free)]


def mode_style(mode: str) -> tuple[str, tuple[float, ...]]:
    """Return the line colour and dash pattern of an edge mode.

    Examples
    --------
    >>> mode_style("air"), mode_style("hovercraft")
    (('#1F5FA8', (9, 6)), ('#6B6B6B', ()))
    """
    return MODE_STYLES.get(mode, _OTHER_MODE)


def extra_colors(count: int) -> list[str]:
    """Return the colours of ``count`` highlight layers: three fixed ones, else a ramp.

    Examples
    --------
    >>> extra_colors(2)
    ['#772200', '#1111BB']
    >>> extra_colors(5)[0], extra_colors(5)[-1], len(extra_colors(30))
    ('#00224E', '#E4CF5B', 30)
    """
    if count <= len(EXTRA_COLORS):
        return list(EXTRA_COLORS[:count])
    steps = len(_RAMP) - 1
    return [_RAMP[round(i * steps / (count - 1))] for i in range(count)]


def palette(types: Sequence[str], modes: Sequence[str], extras: int) -> dict[str, Any]:
    """Return every colour the drawing code needs, as the map's data carries it.

    Examples
    --------
    >>> p = palette(["assembly"], ["road"], 1)
    >>> p["types"], p["modes"], p["extra"], p["cut"]
    (['#0072B2'], [['#4D4D4D', []]], ['#772200'], '#33004D')
    """
    return {
        "types": [type_color(t, types) for t in types],
        "modes": [[color, list(dash)] for color, dash in (mode_style(m) for m in modes)],
        "extra": extra_colors(extras),
        "cut": CUT_COLOR, "struck": STRUCK_COLOR, "cluster": CLUSTER_COLOR, "land": LAND_COLOR, "sea": SEA_COLOR, "border": BORDER_COLOR,
        "confidence": dict(CONFIDENCE),
    }
