"""Choose the sources and sinks of an analysis: defaults and ``--sources`` selectors.

A selector is one ``KEY=VALUE[,VALUE...]`` clause:

- ``type=manufacturing,smuggling``: nodes whose ``type`` is one of the values;
- ``country=Yemen``: nodes whose ``country`` is one of the values;
- ``id=A,B``: exactly these node ids (every one must exist).

Types and countries match case-insensitively (``type=Assembly`` finds ``assembly``);
ids match exactly. Every selection is returned as a sorted list of node ids, so the same
selector always gives the same analysis.

Examples
--------
>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("f1", type="manufacturing")
>>> G.add_node("w1", type="storage")
>>> G.add_node("a1", type="assembly")
>>> resolve_endpoints(G)
(['f1'], ['a1'])
>>> select_nodes(G, "type=storage,assembly")
['a1', 'w1']
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from typing import Any, Union

import numpy as np

from supplynet._errors import SelectorError

__all__ = [
    "SOURCE_TYPE",
    "SINK_TYPE",
    "ELEMENT_KEYS",
    "EndpointSpec",
    "default_sinks",
    "default_sources",
    "parse_selector",
    "resolve_endpoints",
    "select_elements",
    "select_nodes",
]

logger = logging.getLogger(__name__)

#: Node type of the default sources.
SOURCE_TYPE = "manufacturing"
#: Node type of the default sinks.
SINK_TYPE = "assembly"

#: What callers may pass as sources or sinks: None (default), a selector, or ids.
EndpointSpec = Union[None, str, Iterable[str]]

_KEYS = ("type", "id", "country")
_MAX_LISTED = 10


def _node_table(G: Any) -> Mapping[str, Mapping[str, Any]]:
    """Return ``{node id: attributes}`` for a graph or a compiled snapshot."""
    table = getattr(G, "node_table", None)
    return table if table is not None else G.nodes


def _listing(items: Iterable[Any]) -> str:
    """Return up to ``_MAX_LISTED`` items as a readable, sorted, quoted list."""
    items = sorted(map(str, items))
    shown = ", ".join(repr(i) for i in items[:_MAX_LISTED])
    more = len(items) - _MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def parse_selector(text: str) -> tuple[str, list[str]]:
    """Return the key and values of a selector such as ``"type=assembly,storage"``.

    Parameters
    ----------
    text : str
        One ``KEY=VALUE[,VALUE...]`` clause; ``KEY`` is ``type``, ``id`` or ``country``.

    Returns
    -------
    tuple of (str, list of str)
        The lower-cased key and the non-empty, stripped values in the order given.

    Raises
    ------
    SelectorError
        If there is no ``=``, the key is unknown or no value is given.

    Examples
    --------
    >>> parse_selector("id= a, b")
    ('id', ['a', 'b'])
    """
    key, sep, rest = text.partition("=")
    key = key.strip().lower()
    if not sep:
        raise SelectorError(
            f"selector {text!r} has no '='; expected KEY=VALUE[,VALUE...] "
            f"with KEY one of {', '.join(_KEYS)}"
        )
    if key not in _KEYS:
        raise SelectorError(
            f"selector {text!r} has unknown key {key!r}; expected one of {', '.join(_KEYS)}"
        )
    values = [v.strip() for v in rest.split(",") if v.strip()]
    if not values:
        raise SelectorError(f"selector {text!r} names no value after '{key}='")
    return key, values


def _by_attribute(
    table: Mapping[str, Mapping[str, Any]], attr: str, values: list[str]
) -> list[str]:
    """Return the sorted ids of nodes whose ``attr`` matches a value, ignoring case."""
    wanted = {v.casefold() for v in values}
    return sorted(
        node for node in table
        if str(table[node].get(attr, "")).casefold() in wanted
    )


def _by_id(table: Mapping[str, Mapping[str, Any]], ids: Iterable[Any], what: str) -> list[str]:
    """Return the sorted unique ``ids``, all of which must be nodes of ``table``."""
    ids = list(ids)
    unknown = [i for i in ids if i not in table]
    if unknown:
        raise SelectorError(f"{what}: unknown node id{'s' if len(unknown) > 1 else ''} "
                            f"{_listing(unknown)}")
    return sorted(set(ids))


def select_nodes(G: Any, selector: str | Iterable[str], *, what: str = "selection") -> list[str]:
    """Return the sorted ids of the nodes a selector or an id iterable picks.

    Parameters
    ----------
    G : networkx.MultiDiGraph or Snapshot
        The network.
    selector : str or iterable of str
        A ``KEY=VALUE[,VALUE...]`` selector, or node ids.
    what : str, default "selection"
        How error messages name the selection (e.g. ``"sources"``).

    Returns
    -------
    list of str
        Sorted, unique node ids; never empty.

    Raises
    ------
    SelectorError
        If the selector is malformed, names an unknown id or selects nothing.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("b", {"type": "smuggling"}), ("a", {"type": "smuggling"})])
    >>> select_nodes(G, ["b", "a", "b"])
    ['a', 'b']
    """
    table = _node_table(G)
    if isinstance(selector, str):
        key, values = parse_selector(selector)
        if key == "id":
            chosen = _by_id(table, values, f"{what} {selector!r}")
        else:
            chosen = _by_attribute(table, key, values)
            if not chosen:
                present = {str(table[n].get(key)) for n in table if table[n].get(key) is not None}
                raise SelectorError(
                    f"{what} {selector!r} selects no node; "
                    f"{key} values present: {_listing(present) or 'none'}"
                )
    else:
        chosen = _by_id(table, selector, what)
        if not chosen:
            raise SelectorError(f"{what}: the list of node ids is empty")
    return chosen


def default_sources(G: Any) -> list[str]:
    """Return the sorted ids of every ``manufacturing`` node (the default sources).

    Raises
    ------
    SelectorError
        If the network has no such node.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("m2", {"type": "manufacturing"}), ("m1", {"type": "manufacturing"})])
    >>> default_sources(G)
    ['m1', 'm2']
    """
    return _default(G, SOURCE_TYPE, "sources", "--sources")


def default_sinks(G: Any) -> list[str]:
    """Return the sorted ids of every ``assembly`` node (the default sinks).

    Raises
    ------
    SelectorError
        If the network has no such node.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a1", type="assembly")
    >>> default_sinks(G)
    ['a1']
    """
    return _default(G, SINK_TYPE, "sinks", "--sinks")


def _default(G: Any, node_type: str, what: str, option: str) -> list[str]:
    """Return the sorted ids of nodes of exactly ``node_type``."""
    table = _node_table(G)
    chosen = sorted(n for n in table if table[n].get("type") == node_type)
    if not chosen:
        raise SelectorError(
            f"no {what}: the network has no node of type {node_type!r}; "
            f"choose {what} with {option} (e.g. {option} type=NAME or id=A,B)"
        )
    return chosen


def resolve_endpoints(
    G: Any,
    sources: EndpointSpec = None,
    sinks: EndpointSpec = None,
    *,
    allow_overlap: bool = False,
) -> tuple[list[str], list[str]]:
    """Return the sorted source ids and sorted sink ids of an analysis.

    Parameters
    ----------
    G : networkx.MultiDiGraph or Snapshot
        The network.
    sources, sinks : None, str or iterable of str
        ``None`` for the defaults (``manufacturing`` / ``assembly`` nodes), a selector
        string, or node ids.
    allow_overlap : bool, default False
        Accept nodes that are both a source and a sink. Flows and cuts forbid it (such
        a node would be an unlimited supply at the sink); path counting allows it.

    Returns
    -------
    tuple of (list of str, list of str)
        Sources and sinks, each sorted and non-empty (disjoint unless
        ``allow_overlap``).

    Raises
    ------
    SelectorError
        If a selection is malformed, unknown or empty, or a node is both a source
        and a sink.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from(["x", "y", "z"], type="storage")
    >>> resolve_endpoints(G, "id=x", ["z", "y"])
    (['x'], ['y', 'z'])
    """
    src = default_sources(G) if sources is None else select_nodes(G, sources, what="sources")
    snk = default_sinks(G) if sinks is None else select_nodes(G, sinks, what="sinks")
    both = set(src) & set(snk)
    if both and not allow_overlap:
        raise SelectorError(
            f"node{'s' if len(both) > 1 else ''} {_listing(both)} "
            f"{'are' if len(both) > 1 else 'is'} both a source and a sink; "
            "choose disjoint --sources and --sinks"
        )
    logger.debug("%d sources, %d sinks", len(src), len(snk))
    return src, snk


# -- element selectors (what-if scenarios) ---------------------------------------------

#: Keys of :func:`select_elements`: node attributes, edge ``mode``, and places.
ELEMENT_KEYS = ("id", "type", "country", "mode", "bbox", "near")
_EARTH_RADIUS_KM = 6371.0088


def _numbers(text: str, values: list[str], count: int, form: str) -> list[float]:
    """Return ``count`` finite numbers from ``values`` or raise a SelectorError."""
    try:
        out = [float(v) for v in values]
    except ValueError:
        out = []
    if len(out) != count or not all(math.isfinite(x) for x in out):
        raise SelectorError(f"selector {text!r} needs {count} numbers: {form}")
    return out


def _node_xy(G: Any) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Return sorted node ids and their longitudes and latitudes (NaN where unknown)."""
    ids = sorted(G.nodes)
    xs = np.array([float(G.nodes[n].get("x", math.nan)) for n in ids])
    ys = np.array([float(G.nodes[n].get("y", math.nan)) for n in ids])
    return ids, xs, ys


def _in_bbox(G: Any, text: str, values: list[str]) -> list[str]:
    west, south, east, north = _numbers(text, values, 4, "bbox=WEST,SOUTH,EAST,NORTH (degrees)")
    if west > east or south > north:
        raise SelectorError(f"selector {text!r}: WEST must not exceed EAST nor SOUTH exceed NORTH")
    ids, xs, ys = _node_xy(G)
    inside = (xs >= west) & (xs <= east) & (ys >= south) & (ys <= north)
    return [ids[i] for i in np.flatnonzero(inside)]


def _near(G: Any, text: str, values: list[str]) -> list[str]:
    lon, lat, km = _numbers(text, values, 3, "near=LON,LAT,KM (degrees, kilometres)")
    if km < 0:
        raise SelectorError(f"selector {text!r}: the radius must not be negative")
    ids, xs, ys = _node_xy(G)
    lam1, phi1, lam2, phi2 = map(np.radians, (lon, lat, xs, ys))
    hav = np.sin((phi2 - phi1) / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2
    dist = 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(hav, 0.0, 1.0)))
    return [ids[i] for i in np.flatnonzero(dist <= km)]


def select_elements(G: Any, text: str, *, what: str = "selection") -> tuple[list[str], list[str]]:
    """Return the sorted node ids and edge ids an element selector picks.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The network (nodes need ``x`` / ``y`` for ``bbox`` and ``near``).
    text : str
        A node or edge id, or one clause:

        - ``id=A,B``: these nodes and/or edges (every one must exist);
        - ``type=T1,T2`` / ``country=C``: nodes, matched ignoring case;
        - ``mode=air,track``: edges by ``mode``, ignoring case;
        - ``bbox=WEST,SOUTH,EAST,NORTH``: nodes inside a box of degrees (edges ends
          included);
        - ``near=LON,LAT,KM``: nodes within KM kilometres (great circle) of a point.
    what : str, default "selection"
        How error messages name the selection.

    Returns
    -------
    tuple of (list of str, list of str)
        Node ids and edge ids, each sorted; never both empty.

    Raises
    ------
    SelectorError
        The clause is malformed, names an unknown id, or selects nothing.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", type="storage", x=44.0, y=33.0)
    >>> G.add_node("b", type="airfield", x=40.0, y=35.0)
    >>> G.add_edge("a", "b", key="ab", mode="air")
    'ab'
    >>> select_elements(G, "ab"), select_elements(G, "mode=AIR")
    (([], ['ab']), ([], ['ab']))
    >>> select_elements(G, "near=44,33.5,60"), select_elements(G, "bbox=39,34,41,36")
    ((['a'], []), (['b'], []))
    """
    text = str(text).strip()
    keys = {k: None for _, _, k in G.edges(keys=True)}
    if text in G:
        return [text], []
    if text in keys:
        return [], [text]
    key, sep, rest = text.partition("=")
    key = key.strip().lower()
    if not sep or key not in ELEMENT_KEYS:
        raise SelectorError(
            f"{what} {text!r} is neither a node or edge id nor a selector KEY=VALUE "
            f"with KEY one of {', '.join(ELEMENT_KEYS)}")
    values = [v.strip() for v in rest.split(",") if v.strip()]
    if not values:
        raise SelectorError(f"{what} {text!r} names no value after '{key}='")
    nodes: list[str] = []
    edges: list[str] = []
    if key == "id":
        unknown = [v for v in values if v not in G and v not in keys]
        if unknown:
            raise SelectorError(f"{what} {text!r}: no node or edge has the id {_listing(unknown)}")
        nodes = sorted({v for v in values if v in G})
        edges = sorted({v for v in values if v not in G})
    elif key in ("type", "country"):
        nodes = _by_attribute(_node_table(G), key, values)
    elif key == "mode":
        wanted = {v.casefold() for v in values}
        edges = sorted(k for _, _, k, m in G.edges(keys=True, data="mode")
                       if m is not None and str(m).casefold() in wanted)
    elif key == "bbox":
        nodes = _in_bbox(G, text, values)
    else:
        nodes = _near(G, text, values)
    if not nodes and not edges:
        raise SelectorError(f"{what} {text!r} selects nothing{_present(G, key)}")
    return nodes, edges


def _present(G: Any, key: str) -> str:
    """Return the values of ``key`` the network has, for an error message."""
    if key in ("type", "country"):
        values = {str(v) for _, v in G.nodes(data=key) if v is not None}
        return f"; {key} values present: {_listing(values) or 'none'}"
    if key == "mode":
        values = {str(v) for *_, v in G.edges(keys=True, data="mode") if v is not None}
        return f"; modes present: {_listing(values) or 'none'}"
    return ""
