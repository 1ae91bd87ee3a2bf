"""What-if scenarios: what to remove and what to degrade, by id or selector, and their files.

A :class:`Scenario` is resolved: it holds node and edge ids, never selectors, so it can
be evaluated many times and composed (:meth:`Scenario.then`). :func:`make_scenario`
resolves ids and selectors (see :func:`supplynet.network.selectors.select_elements`) against a
network; :func:`load_scenarios` reads a YAML scenario file (schema in
``docs/scenarios.md``) and checks every entry, reporting every problem at once, each
naming its scenario and entry.

Rules, shared by every scenario:

- removing a node removes the edges at it; removal wins over degradation;
- a degradation multiplies a capacity by a factor in [0, 1] (an unlimited capacity stays
  unlimited under any factor above 0); two degradations of one element multiply;
- composing ``a.then(b)`` removes what either removes and multiplies their factors;
- in a file, a scenario ``after:`` others is its own entries plus those of every scenario
  it builds on, directly or through others, each counted once (a scenario named twice,
  or reached along two paths, is not applied twice).

Nodes and edges are separate id spaces: factors are kept per kind, so a node and an edge
sharing an id never merge.

Examples
--------
>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("f", type="manufacturing")
>>> G.add_node("x", type="border_crossing", capacity=10.0)
>>> G.add_node("a", type="assembly")
>>> G.add_edge("f", "x", key="fx", mode="road")
'fx'
>>> G.add_edge("x", "a", key="xa", mode="air")
'xa'
>>> s = make_scenario(G, "slow crossing", degrade={"type=border_crossing": 0.3})
>>> s.node_factors
(('x', 0.3),)
>>> t = s.then(make_scenario(G, "no flights", remove=["mode=air"]))
>>> t.name, t.removed, t.node_factors
('slow crossing + no flights', ('xa',), (('x', 0.3),))
"""

from __future__ import annotations

import logging
import math
import os
import reprlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supplynet.numbers import short_list
from supplynet._errors import ScenarioError, SelectorError
from supplynet.network.selectors import ElementTable, element_table, select_elements

__all__ = ["Scenario", "make_scenario", "parse_scenarios", "load_scenarios", "pick_scenarios"]

logger = logging.getLogger(__name__)

_SCENARIO_KEYS = ("name", "description", "remove", "degrade", "after")
_DEGRADE_KEYS = ("select", "factor")
_MAX_FILE_BYTES = 10_000_000
#: A scenario file may expand (aliases counted as often as they are used) to at most this
#: many YAML nodes, nested at most this deep: an 857-byte file of nested aliases would
#: otherwise expand to gigabytes.
_MAX_YAML_NODES = 1_000_000
_MAX_YAML_DEPTH = 100
#: Problems listed in one error; the rest are counted.
_MAX_PROBLEMS = 50

Factors = tuple[tuple[str, float], ...]


def _merge(*groups: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Return ``{id: product of its factors}`` over every group.

    The product is taken in decimal, as the factors were written: 0.1 twice is 0.01, not
    the float product 0.010000000000000002, whose 18 decimals no capacity unit could
    hold exactly (docs/design.md, exact capacity units).

    Examples
    --------
    >>> _merge([("e", 0.1), ("e", 0.1)], [("e", 0.3)])
    {'e': 0.003}
    """
    from decimal import Decimal

    out: dict[str, Decimal] = {}
    for group in groups:
        for ident, factor in group:
            out[ident] = out.get(ident, Decimal(1)) * Decimal(repr(float(factor)))
    return {k: float(v) for k, v in out.items()}


@dataclass(frozen=True)
class Scenario:
    """One what-if: elements removed and capacities degraded, by id.

    Attributes
    ----------
    name : str
    remove_nodes, remove_edges : tuple of str
        Sorted ids of what is taken out (edges at a removed node go with it).
    node_factors, edge_factors : tuple of (str, float)
        Sorted ``(id, factor)``: capacity multiplied by ``factor`` in [0, 1].
    description : str
    """

    name: str
    remove_nodes: tuple[str, ...] = ()
    remove_edges: tuple[str, ...] = ()
    node_factors: Factors = ()
    edge_factors: Factors = ()
    description: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ScenarioError("a scenario needs a non-empty name")
        for attr in ("remove_nodes", "remove_edges"):
            object.__setattr__(self, attr, tuple(sorted({str(i) for i in getattr(self, attr)})))
        for attr, gone in (("node_factors", self.remove_nodes), ("edge_factors", self.remove_edges)):
            merged = _merge(getattr(self, attr))
            bad = {i: f for i, f in merged.items() if not 0.0 <= f <= 1.0}
            if bad:
                raise ScenarioError(f"scenario {self.name!r}: degradation factors must lie in 0..1, "
                                    f"not {', '.join(f'{i!r}: {f:g}' for i, f in sorted(bad.items()))}")
            kept = tuple(sorted((i, f) for i, f in merged.items() if i not in set(gone)))
            object.__setattr__(self, attr, kept)

    @property
    def removed(self) -> tuple[str, ...]:
        """The removed ids: nodes, then edges, each sorted."""
        return self.remove_nodes + self.remove_edges

    @property
    def removed_elements(self) -> tuple[tuple[str, str], ...]:
        """The removed ``(kind, id)``: nodes, then edges, each sorted."""
        return tuple(("node", i) for i in self.remove_nodes) + tuple(("edge", i) for i in self.remove_edges)

    @property
    def degraded(self) -> dict[tuple[str, str], float]:
        """``{(kind, id): factor}`` of every degraded node and edge (nodes first)."""
        return {**{("node", i): f for i, f in self.node_factors}, **{("edge", i): f for i, f in self.edge_factors}}

    @property
    def is_empty(self) -> bool:
        """Whether the scenario changes nothing."""
        return not (self.removed or self.node_factors or self.edge_factors)

    def then(self, other: Scenario, *, name: str | None = None) -> Scenario:
        """Return this scenario followed by ``other``: removals joined, factors multiplied.

        Examples
        --------
        >>> a = Scenario("a", remove_nodes=("x",), edge_factors=(("e", 0.5),))
        >>> b = Scenario("b", edge_factors=(("e", 0.5), ("f", 0.2)))
        >>> c = a.then(b)
        >>> c.name, c.remove_nodes, c.edge_factors
        ('a + b', ('x',), (('e', 0.25), ('f', 0.2)))
        """
        return Scenario(
            name or f"{self.name} + {other.name}",
            self.remove_nodes + other.remove_nodes,
            self.remove_edges + other.remove_edges,
            self.node_factors + other.node_factors,
            self.edge_factors + other.edge_factors,
            description="; ".join(d for d in (self.description, other.description) if d),
        )

    __add__ = then


def _factor(value: Any) -> float | None:
    """Return ``value`` as a factor in [0, 1], or None if it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) and 0.0 <= value <= 1.0 else None


class _Problems:
    """Collects problems, each naming its scenario and entry, for one error."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, scenario: str, where: str, text: str) -> None:
        self.items.append(f"scenario {scenario!r}, {where}: {text}")

    def raise_if_any(self, source: str | None) -> None:
        if not self.items:
            return
        where = f" in {source}" if source else ""
        count = len(self.items)
        head = f"{count} problem{'s' if count != 1 else ''} with the scenarios{where}:"
        shown = [f"  - {p}" for p in self.items[:_MAX_PROBLEMS]]
        if count > _MAX_PROBLEMS:
            shown.append(f"  ... and {count - _MAX_PROBLEMS} more")
        raise ScenarioError("\n".join([head, *shown]))


def _short(value: Any, limit: int = 80) -> str:
    """Return ``repr(value)`` cut to ``limit`` characters (entries can be huge)."""
    text = reprlib.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _select(net: ElementTable, entry: Any, name: str, where: str,
            problems: _Problems) -> tuple[list[str], list[str]]:
    """Return the nodes and edges an entry picks, or record why it picks none."""
    if isinstance(entry, bool) or not isinstance(entry, (str, int, float)) or not str(entry).strip():
        problems.add(name, where, f"expected a node or edge id or a selector, got {entry!r}")
        return [], []
    try:
        return select_elements(net, str(entry), what="")
    except SelectorError as exc:
        problems.add(name, where, str(exc))
        return [], []


def _degrade_items(degrade: Any, name: str, problems: _Problems) -> list[tuple[str, Any, Any]]:
    """Return ``(where, entry, factor)`` of each degradation, in any accepted form."""
    if degrade is None:
        return []
    if isinstance(degrade, Mapping):
        return [(f"degrade entry {entry!r}", entry, factor) for entry, factor in degrade.items()]
    if isinstance(degrade, (str, bytes)) or not isinstance(degrade, Iterable):
        problems.add(name, "degrade", "expected a list of {select: ID or SELECTOR, factor: 0..1}")
        return []
    out = []
    for k, item in enumerate(degrade, start=1):
        where = f"degrade entry {k}"
        if isinstance(item, Mapping) and set(item) == set(_DEGRADE_KEYS):
            out.append((f"{where} ({item['select']!r})", item["select"], item["factor"]))
        elif isinstance(item, Mapping) and len(item) == 1 and not set(item) & set(_DEGRADE_KEYS):
            (entry, factor), = item.items()
            out.append((f"{where} ({entry!r})", entry, factor))
        elif isinstance(item, Sequence) and not isinstance(item, (str, bytes)) and len(item) == 2:
            out.append((f"{where} ({item[0]!r})", item[0], item[1]))
        else:
            problems.add(name, where, f"expected {{select: ID or SELECTOR, factor: 0..1}}, got {item!r}")
    return out


def _resolve(net: ElementTable, name: str, remove: Any, degrade: Any, description: str,
             problems: _Problems) -> Scenario | None:
    """Return the resolved scenario, recording every bad entry in ``problems``."""
    before = len(problems.items)
    nodes: list[str] = []
    edges: list[str] = []
    if remove is not None and (isinstance(remove, (str, bytes)) or not isinstance(remove, Iterable)):
        problems.add(name, "remove", f"expected a list of ids or selectors, got {remove!r}")
        remove = None
    for k, entry in enumerate(remove or (), start=1):
        n, e = _select(net, entry, name, f"remove entry {k}", problems)
        nodes += n
        edges += e
    nf: list[tuple[str, float]] = []
    ef: list[tuple[str, float]] = []
    for where, entry, value in _degrade_items(degrade, name, problems):
        factor = _factor(value)
        if factor is None:
            problems.add(name, where, f"the factor must be a number from 0 to 1, got {value!r}")
            continue
        n, e = _select(net, entry, name, where, problems)
        nf += [(i, factor) for i in n]
        ef += [(i, factor) for i in e]
    if len(problems.items) > before:
        return None
    return Scenario(name, tuple(nodes), tuple(edges), tuple(nf), tuple(ef), description=description)


def make_scenario(
    G: Any,
    name: str,
    *,
    remove: Iterable[str] = (),
    degrade: Mapping[str, float] | Iterable[tuple[str, float]] | None = None,
    description: str = "",
) -> Scenario:
    """Return a scenario resolved against ``G`` from ids and selectors.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The network the ids and selectors refer to; never changed.
    name : str
    remove : iterable of str
        Node or edge ids, or selectors (``type=``, ``country=``, ``mode=``, ``id=``,
        ``bbox=W,S,E,N``, ``near=LON,LAT,KM``).
    degrade : mapping or iterable of (str, float), optional
        ``{id or selector: factor}``: capacities multiplied by the factor (0..1).
    description : str

    Raises
    ------
    ScenarioError
        An unknown id, a selector that selects nothing, or a factor outside 0..1; the
        message names the scenario and every bad entry.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("a", "b", key="ab")
    'ab'
    >>> make_scenario(G, "cut", remove=["ab", "a"]).removed
    ('a', 'ab')
    >>> make_scenario(G, "bad", remove=["zz"])
    Traceback (most recent call last):
    ...
    supplynet._errors.ScenarioError: 1 problem with the scenarios:
      - scenario 'bad', remove entry 1: no node or edge has the id 'zz'
    """
    problems = _Problems()
    if isinstance(remove, str):
        remove = [remove]
    scenario = _resolve(element_table(G), name, list(remove), degrade, description, problems)
    problems.raise_if_any(None)
    assert scenario is not None
    return scenario


def _entries(data: Any, problems: _Problems) -> list[Any]:
    """Return the list of scenario mappings of a parsed file."""
    if isinstance(data, Mapping):
        extra = sorted(set(map(str, data)) - {"scenarios", "version"})
        if extra:
            problems.items.append(f"unknown top-level key(s) {', '.join(map(repr, extra))}; "
                                  "expected 'scenarios' (and optionally 'version')")
        data = data.get("scenarios")
    if not isinstance(data, list) or not data:
        problems.items.append("expected a non-empty list of scenarios (a list, or 'scenarios:' holding one)")
        return []
    return data


def _names(entries: list[Any], problems: _Problems) -> dict[str, Mapping[str, Any]]:
    """Return ``{name: entry}``, recording entries without a usable name and duplicates."""
    out: dict[str, Mapping[str, Any]] = {}
    for k, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping):
            problems.items.append(f"scenario {k}: expected a mapping with 'name', got {_short(entry)}")
            continue
        name = entry.get("name")
        if not isinstance(name, (str, int)) or isinstance(name, bool) or not str(name).strip():
            problems.items.append(f"scenario {k}: needs a non-empty 'name'")
            continue
        name = str(name).strip()
        unknown = sorted(set(map(str, entry)) - set(_SCENARIO_KEYS))
        if unknown:
            problems.add(name, "keys", f"unknown key(s) {', '.join(map(repr, unknown))}; "
                         f"expected {', '.join(_SCENARIO_KEYS)}")
        if name in out:
            problems.add(name, "name", f"the name is used twice (scenario {k} repeats it)")
            continue
        out[name] = entry
    return out


def _after(name: str, entry: Mapping[str, Any], entries: Mapping[str, Any], problems: _Problems) -> list[str] | None:
    """Return the names a scenario's ``after`` lists (None, recorded, when it is malformed)."""
    after = entry.get("after") or []
    if isinstance(after, (str, int)) and not isinstance(after, bool):
        after = [after]
    if not isinstance(after, list):
        problems.add(name, "after", f"expected a list of scenario names, got {_short(after)}")
        return None
    unknown = [(k, other) for k, other in enumerate(after, start=1) if str(other) not in entries]
    for k, other in unknown:
        problems.add(name, f"after entry {k} ({_short(other)})", "no scenario has that name")
    return None if unknown else list(dict.fromkeys(str(a) for a in after))


def _closures(direct: Mapping[str, list[str] | None], problems: _Problems) -> dict[str, tuple[str, ...] | None]:
    """Return, per scenario, the scenarios it is made of: those it builds on, then itself.

    Depth first with an explicit stack, each scenario finished once: time linear in the
    file, whatever the chains and diamonds, and no recursion however long a chain is.
    None marks a scenario that cannot be composed (a cycle, or a malformed ``after``).
    """
    closure: dict[str, tuple[str, ...] | None] = {}
    for start in direct:
        if start in closure:
            continue
        stack = [(start, iter(direct[start] or ()))]
        on_stack = {start}
        while stack:
            name, deps = stack[-1]
            dep = next(deps, None)
            if dep is not None:
                if dep in on_stack:
                    cycle = [n for n, _ in stack][[n for n, _ in stack].index(dep):] + [dep]
                    problems.add(cycle[0], "after", f"composes itself: {' -> '.join(cycle)}")
                    closure.update(dict.fromkeys(cycle))
                elif dep not in closure:
                    stack.append((dep, iter(direct[dep] or ())))
                    on_stack.add(dep)
                continue
            stack.pop()
            on_stack.discard(name)
            parts = direct[name]
            if name in closure or parts is None or any(closure.get(d) is None for d in parts):
                closure[name] = None
                continue
            bases: dict[str, None] = {}
            for d in parts:
                bases.update(dict.fromkeys(closure[d] or ()))
            bases[name] = None
            closure[name] = tuple(bases)
    return closure


def _compose_all(own: dict[str, Scenario], entries: Mapping[str, Mapping[str, Any]],
                 problems: _Problems) -> dict[str, Scenario]:
    """Return every scenario with what it builds on (``after``), each base counted once."""
    direct = {name: _after(name, entry, entries, problems) for name, entry in entries.items()}
    out = {}
    for name, bases in _closures(direct, problems).items():
        if bases is None or any(b not in own for b in bases):
            continue
        parts = [own[b] for b in bases]
        out[name] = Scenario(
            name, tuple(i for p in parts for i in p.remove_nodes), tuple(i for p in parts for i in p.remove_edges),
            tuple(f for p in parts for f in p.node_factors), tuple(f for p in parts for f in p.edge_factors),
            description=own[name].description)
    return out


def parse_scenarios(G: Any, data: Any, *, source: str | None = None) -> list[Scenario]:
    """Return the scenarios of parsed scenario-file data, in file order.

    Parameters
    ----------
    G : networkx.MultiDiGraph
    data : list or mapping
        What ``yaml.safe_load`` returns for a scenario file (schema: ``docs/scenarios.md``).
    source : str, optional
        The file, named in error messages.

    Raises
    ------
    ScenarioError
        Every problem found, each naming its scenario and entry.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("a", "b", key="ab")
    'ab'
    >>> data = [{"name": "x", "remove": ["a"]}, {"name": "y", "degrade": {"ab": 0.5}, "after": ["x"]}]
    >>> [(s.name, s.removed, s.edge_factors) for s in parse_scenarios(G, data)]
    [('x', ('a',), ()), ('y', ('a',), (('ab', 0.5),))]
    """
    problems = _Problems()
    table = element_table(G)
    entries = _names(_entries(data, problems), problems)
    own: dict[str, Scenario] = {}
    for name, entry in entries.items():
        description = entry.get("description") or ""
        if not isinstance(description, str):
            problems.add(name, "description", f"expected text, got {description!r}")
            description = ""
        empty = not any(entry.get(k) for k in ("remove", "degrade", "after"))
        if empty:
            problems.add(name, "remove/degrade", "the scenario removes and degrades nothing")
            continue
        scenario = _resolve(table, name, entry.get("remove"), entry.get("degrade"), description, problems)
        if scenario is not None:
            own[name] = scenario
    composed = _compose_all(own, entries, problems)
    problems.raise_if_any(source)
    return [composed[name] for name in entries if name in composed]


def load_scenarios(path: str | os.PathLike[str], G: Any) -> list[Scenario]:
    """Return the scenarios of a YAML scenario file, checked against ``G``.

    Raises
    ------
    ScenarioError
        The file is missing, unreadable, not YAML, or breaks the schema; the message
        names the file, and the scenario and entry of each problem.
    """

    import stat

    p = Path(path)
    too_big = f"{p}: scenario file larger than {_MAX_FILE_BYTES // 1_000_000} MB"
    try:
        mode = p.stat().st_mode
        if stat.S_ISDIR(mode):
            raise ScenarioError(f"{p}: is a directory, not a scenario file")
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):  # /dev/zero would never end
            raise ScenarioError(f"{p}: not a regular file; a scenario file is a YAML file")
        with p.open("rb") as fh:  # counted as it is read: a pipe has no size to check first
            raw = fh.read(_MAX_FILE_BYTES + 1)
        if len(raw) > _MAX_FILE_BYTES:
            raise ScenarioError(too_big)
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read the scenario file {p}: {exc}") from None
    data = _load_yaml(text, str(p))
    return parse_scenarios(G, data, source=str(p))


def _load_yaml(text: str, source: str) -> Any:
    """Return the data of a YAML document, refusing one that expands past the limits.

    Safe loading only (no tags that build Python objects), duplicate keys refused, and the
    composed document checked before it is constructed: an alias counts as often as it
    is used, so a few hundred bytes of nested aliases cannot expand to gigabytes, and
    nesting deeper than :data:`_MAX_YAML_DEPTH` is refused before anything recurses.
    """
    import yaml

    loader = None
    try:
        loader = yaml.SafeLoader(text)  # reads the first characters: a NUL is refused here already
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node, source)
        _check_duplicates(node, source)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{source} is not valid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise ScenarioError(f"{source}: the YAML is nested too deeply to be a scenario file") from None
    finally:
        if loader is not None:
            loader.dispose()


def _check_size(root: Any, source: str) -> None:
    """Raise ScenarioError when the node graph, aliases expanded, is too large or too deep."""
    import yaml

    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    # Post-order over the node graph (aliases are shared nodes), without recursion.
    stack: list[tuple[Any, bool]] = [(root, False)]
    active: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = []
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        if not done:
            if key in size:
                continue
            if key in active:
                raise ScenarioError(f"{source}: a YAML alias refers to itself; scenario files cannot be recursive")
            active.add(key)
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in size)
            if len(active) > _MAX_YAML_DEPTH:
                raise ScenarioError(f"{source}: the YAML is nested more than {_MAX_YAML_DEPTH} levels deep")
            continue
        active.discard(key)
        size[key] = 1 + sum(size[id(c)] for c in children)
        depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
        if size[key] > _MAX_YAML_NODES:
            raise ScenarioError(f"{source}: the YAML expands to more than {_MAX_YAML_NODES:,} values (aliases "
                                "counted each time they are used); that is not a scenario file")
        if depth[key] > _MAX_YAML_DEPTH:
            raise ScenarioError(f"{source}: the YAML is nested more than {_MAX_YAML_DEPTH} levels deep")


def _check_duplicates(root: Any, source: str) -> None:
    """Raise ScenarioError naming the first mapping key given twice (YAML would keep the last)."""
    import yaml

    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: dict[Any, Any] = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    if k.value in keys:
                        line = k.start_mark.line + 1
                        raise ScenarioError(f"{source}, line {line}: key {k.value!r} is given twice "
                                            f"(first on line {keys[k.value].start_mark.line + 1})")
                    keys[k.value] = k
                stack += [k, v]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value


def pick_scenarios(scenarios: Sequence[Scenario], names: Iterable[str], path: Any = None) -> list[Scenario]:
    """Return the scenarios with these names, in the order given (all when none given).

    Raises
    ------
    ScenarioError
        A name matches no scenario; the message names the file (``path``) and lists the
        first few names it has, not all 147,864 of them.

    Examples
    --------
    >>> s = [Scenario("a", ("x",)), Scenario("b", ("y",))]
    >>> [x.name for x in pick_scenarios(s, ["b"])]
    ['b']
    >>> pick_scenarios(s, ["c"], "s.yaml")
    Traceback (most recent call last):
    ...
    supplynet._errors.ScenarioError: no scenario named 'c' in s.yaml; it has 2: 'a', 'b'
    """
    names = list(names)
    if not names:
        return list(scenarios)
    by_name = {s.name: s for s in scenarios}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        where = f" in {path}" if path is not None else ""
        raise ScenarioError(f"no scenario named {short_list([repr(n) for n in unknown])}{where}; "
                            f"it has {len(by_name):,}: {short_list([repr(n) for n in by_name])}")
    return [by_name[n] for n in names]
