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
from collections.abc import Iterable, Mapping
from typing import Any, Union

from supplynet._errors import SelectorError

__all__ = [
    "SOURCE_TYPE",
    "SINK_TYPE",
    "EndpointSpec",
    "default_sinks",
    "default_sources",
    "parse_selector",
    "resolve_endpoints",
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
