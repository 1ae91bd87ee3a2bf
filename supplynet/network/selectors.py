"""One selector grammar for every option and file that picks nodes and edges.

``--sources``, ``--sinks``, ``--remove`` (what-if and map), scenario files and the Python
API all read selectors the same way (``docs/selectors.md``). A selector is one of:

- an id: ``bc-alqaim``, an edge id ``e44``; ``node:ID`` or ``edge:ID`` says which kind
  (needed when a node and an edge share the id, as OpenStreetMap node 123 and way 123);
- a comma-separated list of ids: ``mfg-tehran,mfg-isfahan``;
- one clause ``KEY=VALUE[,VALUE...]``:

  - ``id=A,B``: these elements (each may carry ``node:``/``edge:``);
  - ``type=T1,T2``, ``country=C``: nodes whose type or country is one of the values;
  - ``mode=air,track``: edges whose mode is one of the values;
  - ``bbox=WEST,SOUTH,EAST,NORTH``: nodes inside a box of degrees;
  - ``near=LON,LAT,KM``: nodes within KM kilometres (great circle) of a point.

Types, countries and modes match ignoring case; ids match exactly. An exact id wins over
every other reading, so an id that contains ``,`` or ``=`` still selects itself. Where
only nodes make sense (sources and sinks) a selector that picks edges is refused.
Selections come back sorted, so the same selector always gives the same analysis.

Selectors read an :class:`ElementTable`: the ids and the few attributes they look at, in
the sorted order a compiled snapshot uses. A snapshot carries its own table; a graph's is
built on the spot.

Examples
--------
>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("f1", type="manufacturing", x=44.0, y=33.0)
>>> G.add_node("w1", type="storage", x=44.5, y=33.1)
>>> G.add_node("a1", type="assembly", x=40.0, y=35.0)
>>> G.add_edge("f1", "w1", key="e1", mode="road")
'e1'
>>> resolve_endpoints(G)
(['f1'], ['a1'])
>>> select_nodes(G, "type=storage,assembly"), select_nodes(G, "w1,f1")
(['a1', 'w1'], ['f1', 'w1'])
>>> select_elements(G, "mode=ROAD"), select_elements(G, "near=44,33,60")
(Selection(nodes=[], edges=['e1']), Selection(nodes=['f1', 'w1'], edges=[]))
"""

from __future__ import annotations

import difflib
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Any, NamedTuple, Union

import numpy as np

from supplynet._errors import SelectorError

__all__ = [
    "SOURCE_TYPE",
    "SINK_TYPE",
    "KEYS",
    "EndpointSpec",
    "ElementTable",
    "Selection",
    "element_table",
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
#: The clause keys of a selector, in the order the docs list them.
KEYS = ("id", "type", "country", "mode", "bbox", "near")
#: Prefixes that say which kind an id names.
KINDS = ("node", "edge")

#: What callers may pass as sources or sinks: None (default), a selector, or ids.
EndpointSpec = Union[None, str, Iterable[str]]

_NODE_KEYS = ("type", "country")
_MAX_LISTED = 10
_EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, eq=False)
class ElementTable:
    """What selectors look at: sorted node and edge ids and a few attributes of each.

    Attributes
    ----------
    node_ids, edge_ids : tuple of str
        Sorted ids (the order of a compiled snapshot).
    node_type, node_country : tuple
        Per node (None where absent).
    node_x, node_y : numpy.ndarray
        Longitude and latitude per node (NaN where unknown).
    edge_mode : tuple
        Per edge (None where absent).
    """

    node_ids: tuple[str, ...]
    edge_ids: tuple[str, ...]
    node_type: tuple[Any, ...]
    node_country: tuple[Any, ...]
    node_x: np.ndarray
    node_y: np.ndarray
    edge_mode: tuple[Any, ...]

    @classmethod
    def from_graph(cls, G: Any) -> ElementTable:
        """Return the table of a network graph (``networkx.MultiDiGraph``)."""
        nodes = tuple(sorted(G.nodes))
        data = G.nodes
        edges = sorted((str(k), d.get("mode")) for _, _, k, d in G.edges(keys=True, data=True))
        return cls(
            node_ids=nodes,
            edge_ids=tuple(k for k, _ in edges),
            node_type=tuple(data[v].get("type") for v in nodes),
            node_country=tuple(data[v].get("country") for v in nodes),
            node_x=np.array([float(data[v].get("x", math.nan)) for v in nodes], float),
            node_y=np.array([float(data[v].get("y", math.nan)) for v in nodes], float),
            edge_mode=tuple(m for _, m in edges),
        )

    @cached_property
    def node_index(self) -> Mapping[str, int]:
        """Position of each node id."""
        return MappingProxyType({v: i for i, v in enumerate(self.node_ids)})

    @cached_property
    def edge_index(self) -> Mapping[str, int]:
        """Position of each edge id."""
        return MappingProxyType({e: i for i, e in enumerate(self.edge_ids)})

    def node_values(self, key: str) -> tuple[Any, ...]:
        """Return the ``type`` or ``country`` of every node."""
        return self.node_type if key == "type" else self.node_country


def element_table(net: Any) -> ElementTable:
    """Return the :class:`ElementTable` of a snapshot, a graph, or a table itself."""
    if isinstance(net, ElementTable):
        return net
    table = getattr(net, "element_table", None)
    if isinstance(table, ElementTable):
        return table
    return ElementTable.from_graph(net)


class Selection(NamedTuple):
    """The nodes and edges a selector picks, each sorted."""

    nodes: list[str]
    edges: list[str]


def _listing(items: Iterable[Any]) -> str:
    """Return up to ``_MAX_LISTED`` items as a readable, sorted, quoted list."""
    items = sorted(map(str, items))
    shown = ", ".join(repr(i) for i in items[:_MAX_LISTED])
    more = len(items) - _MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def parse_selector(text: str) -> tuple[str, list[str]]:
    """Return the key and values of a clause such as ``"type=assembly,storage"``.

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
        raise SelectorError(f"selector {text!r} has no '='; expected KEY=VALUE[,VALUE...] "
                            f"with KEY one of {', '.join(KEYS)}")
    if key not in KEYS:
        raise SelectorError(f"selector {text!r} has unknown key {key!r}; expected one of {', '.join(KEYS)}")
    values = [v.strip() for v in rest.split(",") if v.strip()]
    if not values:
        raise SelectorError(f"selector {text!r} names no value after '{key}='")
    mixed = [v for v in values if v.partition("=")[1] and v.partition("=")[0].strip().lower() in KEYS]
    if mixed:
        raise SelectorError(f"selector {text!r} mixes clauses ({mixed[0]!r}): a selector is one KEY=VALUE[,VALUE...]; "
                            "give each clause as a selector of its own (repeat --remove, or list them in a scenario)")
    return key, values


# -- ids -----------------------------------------------------------------------------------

def _named(what: str, text: str) -> str:
    """Return how a message names a selector: ``--remove 'x'``, or just ``'x'``."""
    return f"{what} {text!r}" if what else repr(text)


def _suggest(table: ElementTable, word: str, kinds: str) -> str:
    """Return a "did you mean" hint for an unknown id (an id, or a type that was meant)."""
    lowered = word.casefold()
    if kinds != "edges":
        for key in _NODE_KEYS:
            if lowered in {str(v).casefold() for v in table.node_values(key) if v is not None}:
                return f" (did you mean '{key}={word}'?)"
    if kinds != "nodes" and lowered in {str(m).casefold() for m in table.edge_mode if m is not None}:
        return f" (did you mean 'mode={word}'?)"
    pool = [*(table.node_ids if kinds != "edges" else ()), *(table.edge_ids if kinds != "nodes" else ())]
    close = difflib.get_close_matches(word, pool, n=3, cutoff=0.5)
    return f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""


def _one_id(table: ElementTable, item: str, kinds: str, what: str, unknown: list[str]) -> tuple[str, str] | None:
    """Return ``(kind, id)`` of one id (``node:``/``edge:`` prefixes read), or record it unknown."""
    kind, sep, rest = item.partition(":")
    if sep and kind in KINDS and item not in table.node_index and item not in table.edge_index:
        index = table.node_index if kind == "node" else table.edge_index
        if rest not in index:
            other = "edge" if kind == "node" else "node"
            if rest in (table.edge_index if kind == "node" else table.node_index):
                raise SelectorError(f"{_named(what, item)}: {rest!r} is an {other}, not a {kind}; write {other}:{rest}")
            unknown.append(item)
            return None
        if kinds != "both" and f"{kind}s" != kinds:
            raise SelectorError(f"{_named(what, item)} names a {kind}; only {kinds} can be chosen here")
        return kind, rest
    is_node = item in table.node_index and kinds != "edges"
    is_edge = item in table.edge_index and kinds != "nodes"
    if is_node and is_edge:
        raise SelectorError(f"{_named(what, item)} names both a node and an edge; write node:{item} or "
                            f"edge:{item}")
    if is_node:
        return "node", item
    if is_edge:
        return "edge", item
    if kinds == "nodes" and item in table.edge_index:
        raise SelectorError(f"{_named(what, item)} is an edge; only nodes can be chosen here")
    unknown.append(item)
    return None


def _exact(table: ElementTable, text: str) -> bool:
    """Whether ``text`` is one id as it stands (with or without a kind prefix)."""
    if text in table.node_index or text in table.edge_index:
        return True
    kind, sep, rest = text.partition(":")
    return bool(sep) and (kind == "node" and rest in table.node_index or kind == "edge" and rest in table.edge_index)


def _ids(table: ElementTable, items: Sequence[str], kinds: str, what: str) -> Selection:
    """Return the elements of a list of ids, all of which must exist."""
    unknown: list[str] = []
    found = [_one_id(table, str(i), kinds, what, unknown) for i in items]
    if unknown:
        plural = "s" if len(set(unknown)) > 1 else ""
        hint = _suggest(table, unknown[0], kinds) if len(set(unknown)) == 1 else ""
        lead = f"{what}: " if what else ""
        if kinds == "both":
            raise SelectorError(f"{lead}no node or edge has the id{plural} {_listing(set(unknown))}{hint}")
        raise SelectorError(f"{lead}unknown {kinds[:-1]} id{plural} {_listing(set(unknown))}{hint}")
    return Selection(sorted({i for k, i in found if k == "node"}),  # type: ignore[misc]
                     sorted({i for k, i in found if k == "edge"}))  # type: ignore[misc]


# -- clauses -------------------------------------------------------------------------------

def _numbers(what: str, text: str, values: list[str], count: int, form: str) -> list[float]:
    """Return ``count`` finite numbers from ``values`` or raise a SelectorError."""
    try:
        out = [float(v) for v in values]
    except ValueError:
        out = []
    if len(out) != count or not all(math.isfinite(x) for x in out):
        raise SelectorError(f"{_named(what or 'selector', text)} needs {count} numbers: {form}")
    return out


def _in_bbox(table: ElementTable, what: str, text: str, values: list[str]) -> list[str]:
    west, south, east, north = _numbers(what, text, values, 4, "bbox=WEST,SOUTH,EAST,NORTH (degrees)")
    if west > east or south > north:
        raise SelectorError(f"{_named(what or 'selector', text)}: WEST must not exceed EAST nor SOUTH exceed NORTH")
    xs, ys = table.node_x, table.node_y
    inside = (xs >= west) & (xs <= east) & (ys >= south) & (ys <= north)
    return [table.node_ids[i] for i in np.flatnonzero(inside)]


def _near(table: ElementTable, what: str, text: str, values: list[str]) -> list[str]:
    lon, lat, km = _numbers(what, text, values, 3, "near=LON,LAT,KM (degrees, kilometres)")
    if km < 0:
        raise SelectorError(f"{_named(what or 'selector', text)}: the radius must not be negative")
    lam1, phi1, lam2, phi2 = map(np.radians, (lon, lat, table.node_x, table.node_y))
    hav = np.sin((phi2 - phi1) / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2
    dist = 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(hav, 0.0, 1.0)))
    return [table.node_ids[i] for i in np.flatnonzero(dist <= km)]


def _matching(ids: Sequence[str], values: Sequence[Any], wanted: Iterable[str]) -> list[str]:
    """Return the ids whose value matches one of ``wanted``, ignoring case, sorted."""
    keep = {w.casefold() for w in wanted}
    try:
        distinct = set(values)
    except TypeError:  # an unhashable value
        distinct = None
    if distinct is not None and all(v is None or type(v) is str for v in distinct):
        # Each distinct text folded once (a million nodes have a handful of types); equal
        # texts fold alike, which equal values of other types need not (0.0 and -0.0).
        hits = {v for v in distinct if v is not None and v.casefold() in keep}
        return sorted(i for i, v in zip(ids, values) if v in hits)
    return sorted(i for i, v in zip(ids, values) if v is not None and str(v).casefold() in keep)


def _present(table: ElementTable, key: str) -> str:
    """Return the values of ``key`` the network has, for an error message."""
    if key in _NODE_KEYS:
        values = {str(v) for v in table.node_values(key) if v is not None}
        return f"; {key} values present: {_listing(values) or 'none'}"
    if key == "mode":
        values = {str(v) for v in table.edge_mode if v is not None}
        return f"; modes present: {_listing(values) or 'none'}"
    return ""


def _clause(table: ElementTable, text: str, key: str, values: list[str], kinds: str, what: str) -> Selection:
    """Return what one ``KEY=VALUES`` clause picks (possibly nothing)."""
    if key == "id":
        return _ids(table, values, kinds, f"{_named(what, text)}")
    if key == "mode":
        if kinds == "nodes":
            raise SelectorError(f"{_named(what, text)} selects edges; only nodes can be chosen here")
        return Selection([], _matching(table.edge_ids, table.edge_mode, values))
    if kinds == "edges":
        raise SelectorError(f"{_named(what, text)} selects nodes; only edges can be chosen here")
    if key in _NODE_KEYS:
        return Selection(_matching(table.node_ids, table.node_values(key), values), [])
    return Selection(_in_bbox(table, what, text, values) if key == "bbox" else _near(table, what, text, values), [])


def select_elements(net: Any, text: str, *, kinds: str = "both", what: str = "selection") -> Selection:
    """Return the sorted node ids and edge ids a selector picks.

    Parameters
    ----------
    net : Snapshot, networkx.MultiDiGraph or ElementTable
    text : str
        A selector (see the module docstring).
    kinds : {"both", "nodes", "edges"}, default "both"
        What may be picked; a selector that picks another kind is refused.
    what : str, default "selection"
        How error messages name the selection (e.g. ``"--remove"``).

    Returns
    -------
    Selection
        ``(nodes, edges)``, each sorted; never both empty.

    Raises
    ------
    SelectorError
        The selector is malformed, names an unknown id (with a "did you mean"), names an id
        that is both a node and an edge without ``node:``/``edge:``, picks a kind not
        allowed, or selects nothing (listing the values present).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("123", "b", key="123")
    '123'
    >>> select_elements(G, "node:123"), select_elements(G, "edge:123")
    (Selection(nodes=['123'], edges=[]), Selection(nodes=[], edges=['123']))
    >>> select_elements(G, "123")
    Traceback (most recent call last):
    ...
    supplynet._errors.SelectorError: selection '123' names both a node and an edge; write node:123 or edge:123
    """
    table = element_table(net)
    raw = str(text)
    if _exact(table, raw):
        found = _ids(table, [raw], kinds, what)
    else:
        stripped = raw.strip()
        key, sep, _ = stripped.partition("=")
        if sep and key.strip().lower() in KEYS:
            key, values = parse_selector(stripped)
            found = _clause(table, stripped, key, values, kinds, what)
        elif sep and stripped not in table.node_index and stripped not in table.edge_index:
            raise SelectorError(f"{_named(what, stripped)} has unknown key {key.strip().lower()!r}; expected an id, "
                                f"a comma-separated list of ids, or KEY=VALUE with KEY one of {', '.join(KEYS)}")
        else:
            items = [i.strip() for i in stripped.split(",") if i.strip()]
            if not items:
                raise SelectorError(f"{_named(what, raw)} is empty; give an id or a selector")
            found = _ids(table, items, kinds, what)
        if not found.nodes and not found.edges:
            raise SelectorError(f"{_named(what, stripped)} selects nothing{_present(table, key.strip().lower())}")
    return found


def select_nodes(net: Any, selector: str | Iterable[str], *, what: str = "selection") -> list[str]:
    """Return the sorted ids of the nodes a selector or an iterable of ids picks.

    Raises
    ------
    SelectorError
        As :func:`select_elements` with nodes only; also for an empty iterable.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("b", {"type": "smuggling"}), ("a", {"type": "smuggling"})])
    >>> select_nodes(G, ["b", "a", "b"]), select_nodes(G, "b, a")
    (['a', 'b'], ['a', 'b'])
    """
    table = element_table(net)
    if isinstance(selector, str):
        return select_elements(table, selector, kinds="nodes", what=what).nodes
    ids = [str(i) for i in selector]
    if not ids:
        raise SelectorError(f"{what}: the list of node ids is empty")
    return _ids(table, ids, "nodes", what).nodes


# -- endpoints -----------------------------------------------------------------------------

def default_sources(net: Any) -> list[str]:
    """Return the sorted ids of every ``manufacturing`` node (the default sources; case ignored).

    Raises
    ------
    SelectorError
        If the network has no such node.
    """
    return _default(element_table(net), SOURCE_TYPE, "sources", "--sources")


def default_sinks(net: Any) -> list[str]:
    """Return the sorted ids of every ``assembly`` node (the default sinks; case ignored).

    Raises
    ------
    SelectorError
        If the network has no such node.
    """
    return _default(element_table(net), SINK_TYPE, "sinks", "--sinks")


def _default(table: ElementTable, node_type: str, what: str, option: str) -> list[str]:
    chosen = _matching(table.node_ids, table.node_type, [node_type])  # case ignored, as type= does
    if not chosen:
        raise SelectorError(f"no {what}: the network has no node of type {node_type!r}; "
                            f"choose {what} with {option} (e.g. {option} type=NAME or {option} ID,ID)")
    return chosen


def resolve_endpoints(net: Any, sources: EndpointSpec = None, sinks: EndpointSpec = None, *,
                      allow_overlap: bool = False) -> tuple[list[str], list[str]]:
    """Return the sorted source ids and sorted sink ids of an analysis.

    Parameters
    ----------
    net : Snapshot, networkx.MultiDiGraph or ElementTable
    sources, sinks : None, str or iterable of str
        None for the defaults (``manufacturing`` / ``assembly`` nodes), a selector, or ids.
    allow_overlap : bool, default False
        Accept nodes that are both a source and a sink (path counting allows it; flows and
        cuts do not: such a node would be an unlimited supply at the sink).

    Raises
    ------
    SelectorError
        A selection is malformed, unknown or empty, or a node is both a source and a sink.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from(["x", "y", "z"], type="storage")
    >>> resolve_endpoints(G, "id=x", ["z", "y"])
    (['x'], ['y', 'z'])
    """
    table = element_table(net)
    src = default_sources(table) if sources is None else select_nodes(table, sources, what="sources")
    snk = default_sinks(table) if sinks is None else select_nodes(table, sinks, what="sinks")
    both = set(src) & set(snk)
    if both and not allow_overlap:
        raise SelectorError(f"node{'s' if len(both) > 1 else ''} {_listing(both)} "
                            f"{'are' if len(both) > 1 else 'is'} both a source and a sink; "
                            "choose disjoint --sources and --sinks")
    logger.debug("%d sources, %d sinks", len(src), len(snk))
    return src, snk
