"""Check features read into columns against the network schema, listing every problem at once.

A feature with Point geometry is a node; one with LineString (or null) geometry and
``source``/``target`` properties is an edge. Problems (which make the file invalid) and
warnings (which do not) name the file, the feature index, its id, the property, the bad
value and what was expected. Self-loops are rejected: a supply edge from a place to
itself carries nothing and would only distort centralities.

Every check runs on whole columns with numpy, pandas and pyarrow; only the values that
fail are looked at one by one, to word their message. Problems come in the order a
reader would meet them: each feature's (in file order, nodes and edges alike, for its
structure and its node properties), then repeated node ids, then each edge's properties,
then repeated edge ids. Warnings come one line per kind, with a count and the first
features (:data:`SHOWN`).
"""

from __future__ import annotations

import difflib
import math
import numbers
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from supplynet.geodesy import geodesic_distances_m
from supplynet.io.columns import GEOM_LINE, GEOM_NULL, GEOM_OTHER, GEOM_POINT, GEOM_SKIP, Column, FeatureBlock

__all__ = [
    "ValidationReport",
    "NetworkTable",
    "Limits",
    "check_blocks",
    "NODE_FIELDS",
    "EDGE_FIELDS",
    "COMPUTED_FIELDS",
    "EXPORT_FIELDS",
    "NODE_TYPES",
    "FAR_END_KM",
    "MAX_LENGTH_KM",
    "SHOWN",
]

#: Schema properties of a node, besides free ones.
NODE_FIELDS = ("id", "type", "name", "capacity", "cost", "repair_days", "confidence", "p_success",
               "interdictable", "storage", "stock")
#: Schema properties of an edge, besides free ones.
EDGE_FIELDS = (
    "id", "source", "target", "capacity", "length_km", "mode", "bidirectional",
    "cost", "repair_days", "confidence", "p_success", "interdictable", "transit_days",
)
#: Columns supplynet computes; in input they are ignored with a warning.
COMPUTED_FIELDS = ("x", "y", "length", "country", "crosses_border", "geometry")
#: Columns a supplynet export adds (its metrics); read back from a file that reads as an
#: export (``kind`` is ``node`` or ``edge`` on every feature), they are ignored with the
#: computed ones; elsewhere they are free properties.
EXPORT_FIELDS = ("kind", "flow", "betweenness", "supply_betweenness", "flow_loss", "flow_loss_pct",
                 "in_min_node_cut", "in_min_edge_cut", "interdiction_rank", "in_plan", "scenario_removed",
                 "scenario_factor", "scenario_flow")
#: Node types supplynet knows: the default sources and sinks, and the usual roles between
#: them. Any other type is a role of the file's own, and draws a warning.
NODE_TYPES = ("manufacturing", "assembly", "smuggling", "storage", "checkpoint", "border_crossing",
              "airfield", "launch", "hub", "depot", "port", "warehouse")
#: An edge geometry whose end lies further than this from its node draws a warning.
FAR_END_KM = 5.0
#: No edge is longer (two and a half times round the Earth).
MAX_LENGTH_KM = 100_000.0
#: Features named on a warning's line.
SHOWN = 3

_NON_NEGATIVE = ("capacity", "cost", "repair_days")
#: Characters of an id's repr a message shows (longer ids end in ...).
_ID_SHOWN = 80
#: Text properties with few distinct values (read as categories at scale).
_CATEGORIES = ("type", "mode")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NODE, _EDGE = 0, 1


@dataclass(frozen=True)
class Limits:
    """Sizes no network file needs, refused so that one cannot exhaust memory or recursion.

    Attributes
    ----------
    id_length : int
        Characters in an id (node, edge, ``source``, ``target``).
    text_length : int
        Characters in a text property, free properties included.
    depth : int
        Levels of nesting of lists and objects in a free property.
    items : int
        Values (at any depth) in one free property.
    """

    id_length: int = 1_000
    text_length: int = 100_000
    depth: int = 32
    items: int = 100_000


@dataclass
class NetworkTable:
    """A valid network as columns: nodes in file order, then edges in file order (each
    bidirectional edge followed by its reverse).

    Node numbers (``capacity``, ``repair_days``, ``confidence``, ``p_success``,
    ``storage``, ``stock``) and edge numbers (the same, with ``length_km`` and
    ``transit_days``) are float arrays, NaN where absent; ``cost`` is filled with its
    default 1. ``node_extra`` / ``edge_extra`` hold the free properties (None where
    absent) and ``*_keys`` the order each element had them in. Edge coordinates are
    packed: edge ``k``'s are ``edge_xy[edge_ptr[k]:edge_ptr[k + 1]]`` (a straight line
    between its nodes where the geometry was null). ``node_order`` / ``edge_order`` sort
    the ids (by code point), when validation had them sorted.
    """

    node_id: list[str]
    node_type: list[str]
    node_name: list[str | None]
    node_x: np.ndarray
    node_y: np.ndarray
    node_num: dict[str, np.ndarray]
    node_interdictable: np.ndarray
    node_extra: dict[str, list[Any]]
    node_keys: list[tuple[str, ...]] | None
    edge_id: list[str]
    edge_tail: np.ndarray
    edge_head: np.ndarray
    edge_mode: list[str | None]
    edge_num: dict[str, np.ndarray]
    edge_interdictable: np.ndarray
    edge_reverse_of: list[str | None]
    edge_ptr: np.ndarray
    edge_xy: np.ndarray
    edge_drawn: np.ndarray
    edge_extra: dict[str, list[Any]]
    edge_keys: list[tuple[str, ...]] | None
    node_order: np.ndarray | None = None
    edge_order: np.ndarray | None = None


@dataclass
class ValidationReport:
    """What :func:`check_blocks` found.

    Attributes
    ----------
    problems : list of str
        Errors: a non-empty list means the network is invalid.
    warnings : list of str
        Oddities that do not stop the analysis, one line per kind.
    meta : dict
        ``name``, ``description``, ``source`` and ``sha256`` of the input.
    table : NetworkTable or None
        The network's columns, when it is valid.
    """

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    table: NetworkTable | None = None

    @property
    def valid(self) -> bool:
        """True when no problem was found."""
        return not self.problems


# --- messages ------------------------------------------------------------------------------

def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Problems:
    """Problems keyed for ordering: (phase, global row, step), worded when found."""

    def __init__(self) -> None:
        self.items: list[tuple[int, int, float, str]] = []

    def add(self, phase: int, row: int, step: float, text: str) -> None:
        self.items.append((phase, row, step, text))

    def sorted(self) -> list[str]:
        return [t for *_, t in sorted(self.items, key=lambda item: item[:3])]


class _Warnings:
    """Warnings grouped by kind: one line each, with a count and the first features."""

    def __init__(self) -> None:
        self.groups: dict[Any, tuple[str, str, list[str], list[int]]] = {}
        self.lines: list[str] = []

    def add(self, key: Any, label: str, headline: str, refs: list[str], count: int | None = None) -> None:
        """Count ``count`` (default: ``len(refs)``) features under ``key``, naming the first."""
        group = self.groups.setdefault(key, (label, headline, [], [0]))
        group[2].extend(refs[:max(0, SHOWN - len(group[2]))])
        group[3][0] += len(refs) if count is None else count

    def line(self, text: str) -> None:
        self.lines.append(text)

    def render(self) -> list[str]:
        out = []
        for label, headline, refs, (count,) in self.groups.values():
            more = f", and {count - len(refs):,} more" if count > len(refs) else ""
            noun = "feature" if count == 1 else "features"
            out.append(f"{label}: {headline} ({count:,} {noun}: {', '.join(refs)}{more})")
        return out + self.lines


@dataclass
class _Block:
    """One block under validation: where its rows are and what they are."""

    block: FeatureBlock
    base: int                      # global row of its first row
    kind: np.ndarray               # _NODE, _EDGE or -1 per row
    fid: list[str | None]          # id per row (None: none or invalid)
    fid_given: np.ndarray          # whether the properties (or the Feature) give an id
    computed: dict[str, list[int]] = field(default_factory=dict)  # computed columns: their rows

    def where(self, row: int, kind: str = "") -> str:
        return f"{self.block.label}: {self.ref(row)}{kind}"

    def ref(self, row: int) -> str:
        fid = self.fid[row]
        ident = f" (id {_short(fid, _ID_SHOWN)})" if fid is not None else ""
        return f"feature {int(self.block.index[row])}{ident}"


def _say(b: _Block, row: int, kind: str, prop: str | None, msg: str) -> str:
    what = f" {kind}" if kind else ""
    where = f", property {prop!r}" if prop else ""
    return f"{b.where(row)}{what}{where}: {msg}"


# --- values --------------------------------------------------------------------------------

def _objects(values: Any) -> np.ndarray:
    """Return values (a list or a pyarrow array) as a 1-D object array."""
    if not isinstance(values, list):
        values = values.to_pylist()
    return np.fromiter(values, dtype=object, count=len(values))


def _column_objects(col: Column) -> np.ndarray:
    """Return a list column's values as an object array, made once per column."""
    cached = col.__dict__.get("_objects")
    if cached is None:
        cached = col.__dict__["_objects"] = _objects(col.values)
    return cached


def _subset(col: Column | None, mask: np.ndarray) -> tuple[np.ndarray, Any]:
    """Return the rows of ``col`` where ``mask`` (over the block's rows) holds, and their values."""
    if col is None or not len(col.rows):
        return np.zeros(0, np.int64), np.zeros(0, object)
    sel = mask[col.rows]
    if isinstance(col.values, list):
        return col.rows[sel], _column_objects(col)[sel]
    import pyarrow as pa

    if sel.all():
        return col.rows, col.values
    return col.rows[sel], col.values.filter(pa.array(sel))


def _is_real(value: Any) -> bool:
    kind = type(value)
    if kind is float or kind is int:
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _number_message(value: Any, lo: float | None, hi: float | None,
                    above: str | None = None) -> tuple[float | None, str | None]:
    """Return ``(number, None)`` for a good value, ``(None, message)`` for a bad one."""
    if not _is_real(value):
        return None, f"expected a number, got {type(value).__name__} {_short(value)}"
    try:
        number = float(value)
    except OverflowError:  # a whole number with hundreds of digits
        return None, f"is {_short(value, 20)}, too large for a number"
    if not math.isfinite(number):
        return None, f"expected a finite number, got {number}"
    if lo is not None and number < lo:
        return None, f"is {number:g}; it must not be below {lo:g}"
    if hi is not None and number > hi:
        return None, f"is {number:g}{above}" if above else f"is {number:g}; it must not be above {hi:g}"
    return number, None


def _numbers(values: Any, lo: float | None, hi: float | None, *, nan_absent: bool,
             special: Any = None, above: str | None = None) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Return the floats of ``values`` (NaN where absent or bad) and ``(position, message)`` of
    the bad ones. ``nan_absent``: a NaN counts as absent (columnar formats' nulls);
    ``special(value)`` may map a value to a number first (``"unlimited"`` storage)."""
    import pyarrow as pa

    n = len(values)
    if not isinstance(values, np.ndarray) and special is None:
        if pa.types.is_integer(values.type) or pa.types.is_floating(values.type) or pa.types.is_decimal(values.type):
            out = values.cast(pa.float64()).to_numpy(zero_copy_only=False).astype(float)
            return _ranged(out, lo, hi, nan_absent=True, raw=None, above=above)
    objs = values if isinstance(values, np.ndarray) else _objects(values)
    if special is None and n:
        kinds = set(map(type, objs))
        if kinds <= {int, float, type(None)}:
            try:
                out = np.array(objs.tolist(), dtype=float)
            except OverflowError:
                pass
            else:
                return _ranged(out, lo, hi, nan_absent=nan_absent, raw=objs, above=above)
    out = np.full(n, math.nan)
    bad = []
    for k, value in enumerate(objs.tolist()):
        if value is None:
            continue
        if special is not None:
            mapped = special(value)
            if mapped is not None:
                out[k] = mapped
                continue
        if nan_absent and isinstance(value, float) and math.isnan(value):
            continue
        number, msg = _number_message(value, lo, hi, above)
        if msg is None:
            out[k] = number
        else:
            bad.append((k, msg))
    return out, bad


def _ranged(out: np.ndarray, lo: float | None, hi: float | None, *, nan_absent: bool,
            raw: np.ndarray | None, above: str | None = None) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Check finite numbers against a range (``raw`` tells a JSON NaN from an absent value)."""
    bad: list[tuple[int, str]] = []
    finite = np.isfinite(out)
    if not finite.all():
        for k in np.flatnonzero(~finite).tolist():
            v = out[k]
            if math.isnan(v) and (nan_absent or raw is None or raw[k] is None):
                continue
            bad.append((k, f"expected a finite number, got {v}"))
            out[k] = math.nan
    with np.errstate(invalid="ignore"):
        for limit, test, word in ((lo, np.less, "below"), (hi, np.greater, "above")):
            if limit is None:
                continue
            for k in np.flatnonzero(test(out, limit)).tolist():
                text = f"is {out[k]:g}{above}" if above and word == "above" else \
                    f"is {out[k]:g}; it must not be {word} {limit:g}"
                bad.append((k, text))
                out[k] = math.nan
    return out, bad


def _as_id(value: Any) -> str | None:
    if type(value) is str:
        return value if value.strip() else None
    if isinstance(value, (bool, np.bool_)) or value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
        if abs(value) >= 2 ** 53:  # not a whole number a float holds exactly
            return None
        return str(int(value))
    return None


def _strings(values: Any) -> Any:
    """Return ``values`` as a pyarrow string array when every one is a string or null, else None."""
    import pyarrow as pa

    if isinstance(values, np.ndarray):
        values = values.tolist()
    if isinstance(values, list):
        try:
            return pa.array(values, pa.string())
        except (pa.ArrowException, TypeError, ValueError, UnicodeError):
            return None
    kind = values.type
    if pa.types.is_dictionary(kind):
        values, kind = values.dictionary_decode(), kind.value_type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return values
    return None


def _flags(mask: Any) -> np.ndarray:
    """Return a pyarrow boolean array as numpy, null as False."""
    import pyarrow.compute as pc

    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool)


def _blank(strings: Any) -> np.ndarray:
    """Return which strings are empty or only whitespace (null: False)."""
    import pyarrow.compute as pc

    return _flags(pc.equal(pc.utf8_trim_whitespace(strings), ""))


def _ids(values: Any) -> list[str | None]:
    """Return :func:`_as_id` of every value (strings through Arrow)."""
    strings = _strings(values)
    if strings is not None:
        out = strings.to_pylist()
        for k in np.flatnonzero(_blank(strings)).tolist():
            out[k] = None
        return out
    objs = values if isinstance(values, list) else (values.tolist() if isinstance(values, np.ndarray)
                                                     else values.to_pylist())
    return [_as_id(v) for v in objs]


def _text_ok(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --- the checks ----------------------------------------------------------------------------

def check_blocks(blocks: Sequence[FeatureBlock], meta: dict[str, Any] | None = None, *,
                 computed_ok: bool = False, limits: Limits | None = None) -> ValidationReport:
    """Return a :class:`ValidationReport` of every problem in the features of ``blocks``.

    Parameters
    ----------
    blocks : sequence of FeatureBlock
        The features of a file (or of a nodes file and an edges file, or of layers), as
        read by :mod:`supplynet.io.read`.
    meta : dict, optional
        ``name``, ``description``, ``source`` and ``sha256`` of the input.
    computed_ok : bool
        Accept computed columns (``x``, ``length`` ...) and export columns silently, as
        :func:`supplynet.network.graph.graph_to_gdfs` writes them; they are dropped either way.
    limits : Limits, optional

    Examples
    --------
    >>> from supplynet.io.geojson import parse_geojson
    >>> text = b'{"type": "FeatureCollection", "features": [{"type": "Feature", ' \\
    ...        b'"geometry": {"type": "Point", "coordinates": [44.4, 33.3]}, ' \\
    ...        b'"properties": {"id": "a", "type": "manufacturing"}}]}'
    >>> _, block = parse_geojson(text, "f", max_features=10, max_feature_bytes=1000)
    >>> report = check_blocks([block], {"source": "f"})
    >>> report.valid, report.table.node_id
    (True, ['a'])
    """
    meta = dict(meta or {})
    limits = limits or Limits()
    source = str(meta.get("source") or "input")
    report = ValidationReport(meta=meta)
    problems = _Problems()
    warnings = _Warnings()
    if not blocks or not sum(b.count for b in blocks):
        report.problems.append(f"{source}: the FeatureCollection has no features")
        return report
    ctxs = []
    base = 0
    for block in blocks:
        ctxs.append(_classify(block, base, problems, limits))
        base += block.count
    nodes = [_check_nodes(b, problems, warnings, computed_ok, limits) for b in ctxs]
    table_nodes = _unique_nodes(ctxs, nodes, problems)
    edges = [_check_edges(b, problems, warnings, computed_ok, limits, table_nodes) for b in ctxs]
    _computed_warning(ctxs, warnings, computed_ok, source)
    _type_warnings(ctxs, nodes, table_nodes, warnings, source)
    table = _expand(ctxs, edges, table_nodes, problems, warnings)
    report.problems = problems.sorted()
    if not table.node_id and not report.problems:
        report.problems.append(f"{source}: no node (Point feature) found")
    report.warnings = warnings.render()
    if report.valid:
        report.table = table
    return report


def _classify(block: FeatureBlock, base: int, problems: _Problems, limits: Limits) -> _Block:
    """Tell nodes from edges and check what makes a feature a feature; return the block's context."""
    n = block.count
    cols = block.columns
    if block.driver == "geojson":
        looks_edge = block.presence.get("source", np.zeros(n, bool)) | block.presence.get("target", np.zeros(n, bool))
        id_given = block.presence.get("id", np.zeros(n, bool)).copy()
    else:
        looks_edge = np.zeros(n, bool)
        for end in ("source", "target"):
            if end in cols:
                looks_edge[cols[end].rows] = True
        id_given = np.zeros(n, bool)
        if "id" in cols:
            id_given[cols["id"].rows] = True
    fid: list[str | None] = [None] * n
    if "id" in cols:
        col = cols["id"]
        if len(col.rows) == n and (not n or (col.rows[0] == 0 and (np.diff(col.rows) == 1).all())):
            fid = _ids(col.values)  # every row has one, in order
        else:
            for r, v in zip(col.rows.tolist(), _ids(col.values)):
                fid[r] = v
    if block.feature_id is not None:
        col = block.feature_id
        for r, v in zip(col.rows.tolist(), _ids(col.values)):
            fid[r] = v
        id_given[col.rows] = True
    geom = block.geom
    kind = np.full(n, -1, np.int8)
    kind[(geom == GEOM_POINT) & ~looks_edge] = _NODE
    kind[looks_edge & ((geom == GEOM_LINE) | (geom == GEOM_NULL))] = _EDGE
    b = _Block(block, base, kind, fid, id_given)
    for row, prop, msg in block.problems:
        ident = fid[row] if prop == "geometry" else None
        where = f"{block.label}: feature {int(block.index[row])}" + (f" (id {ident!r})" if ident else "")
        problems.add(1, base + row, 0, f"{where}{', property ' + repr(prop) if prop else ''}: {msg}")
    for row in np.flatnonzero((geom == GEOM_NULL) & ~looks_edge).tolist():
        problems.add(1, base + row, 0, _say(b, row, "", "geometry", "is missing (null); a node needs a Point geometry"))
    odd = np.flatnonzero((geom != GEOM_SKIP) & (geom != GEOM_NULL) & (kind < 0))
    for row in odd.tolist():
        gtype = {GEOM_POINT: "Point", GEOM_LINE: "LineString"}.get(int(geom[row])) or block.geom_name.get(row, "?")
        if looks_edge[row]:
            problems.add(1, base + row, 0, _say(b, row, "edge", "geometry",
                                                f"is a {gtype}; an edge needs a LineString or null geometry"))
        else:
            problems.add(1, base + row, 0, _say(
                b, row, "node", "geometry", f"is a {gtype}; a node needs a Point (an edge needs source and target)"))
    for row, keys in block.duplicates.items():
        if kind[row] < 0 and geom[row] == GEOM_SKIP:
            continue
        word = "edge" if kind[row] == _EDGE else ("node" if kind[row] == _NODE else "")
        for key in dict.fromkeys(keys):
            where, _, name = key.rpartition(".")
            prop = name if where == "properties" else (where.split(".")[0] if where else name)
            problems.add(1, base + row, 0.5, _say(b, row, word, prop, f"the key {name!r} is given twice"
                                                  + (f" in {where!r}" if where and where != "properties" else "")
                                                  + "; JSON keeps only the last value, so give it once"))
    return b


def _bad_text(v: str, long: int) -> str:
    if len(v) > long:
        return f"is {len(v):,} characters of text, more than the {long:,} a property may hold"
    bad = next(c for c in v if not _text_ok(c))
    return (f"holds a lone surrogate ({ascii(bad)[1:-1]}), which is not Unicode text and cannot be "
            "written out; fix the \\u escapes in the file")


def _id_problem(fid: str, limits: Limits, check_text: bool) -> str | None:
    """Return what is wrong with an id that is otherwise valid, or None."""
    if len(fid) > limits.id_length:
        return f"is {len(fid):,} characters long; an id may have at most {limits.id_length:,}"
    if check_text and not _text_ok(fid):
        return _bad_text(fid, limits.id_length)
    if fid != fid.strip():
        return (f"{_short(fid, _ID_SHOWN)} starts or ends with whitespace; ids must not (selectors and --remove "
                "strip it, so they could not tell it from the id without it)")
    if _CONTROL.search(fid):
        char = _CONTROL.search(fid).group()
        return f"{_short(fid)} holds a control character (U+{ord(char):04X}); ids must be printable text"
    return None


def _bad_ids(ids: Any, limits: Limits, check_text: bool) -> np.ndarray:
    """Return the positions of ids (a list with None, or a pyarrow string array with nulls)
    that :func:`_id_problem` refuses, read off the UTF-8 bytes with numpy: a control byte
    anywhere, a space first or last, more bytes than the length limit (then counted in
    characters); only ids that begin or end with a non-ASCII character are looked at in
    Python (Unicode has spaces of its own)."""
    import pyarrow as pa

    if check_text:
        objs = ids if isinstance(ids, list) else ids.to_pylist()
        return np.array([k for k, v in enumerate(objs) if v is not None and _id_problem(v, limits, True)], np.int64)
    arr = ids if not isinstance(ids, list) else pa.array(ids, pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    if not n:
        return np.zeros(0, np.int64)
    large = pa.types.is_large_string(arr.type)
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], np.int64 if large else np.int32)[arr.offset:arr.offset + n + 1].astype(np.int64)
    data = np.frombuffer(buffers[2], np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    valid = arr.is_valid().to_numpy(zero_copy_only=False) if arr.null_count else np.ones(n, bool)
    size = np.diff(offsets)
    bad = np.zeros(n, bool)
    span = data[offsets[0]:offsets[-1]]
    ctrl = np.flatnonzero((span < 32) | (span == 127)) + offsets[0]
    if len(ctrl):
        bad[np.searchsorted(offsets, ctrl, side="right") - 1] = True
    full = valid & (size > 0)
    first = np.zeros(n, np.uint8)
    last = np.zeros(n, np.uint8)
    first[full] = data[offsets[:-1][full]]
    last[full] = data[offsets[1:][full] - 1]
    bad |= full & ((first == 32) | (last == 32))
    odd = np.flatnonzero(full & ~bad & ((first >= 0x80) | (last >= 0x80) | (size > limits.id_length)))
    for k in odd.tolist():
        text = arr[k].as_py()
        if _id_problem(text, limits, False) is not None:
            bad[k] = True
    return np.flatnonzero(bad & valid)


def _check_nodes(b: _Block, problems: _Problems, warnings: _Warnings, computed_ok: bool,
                 limits: Limits) -> dict[str, Any]:
    """Check every node's properties; return the columns of the nodes that may be kept."""
    block, base = b.block, b.base
    mask = b.kind == _NODE
    rows = np.flatnonzero(mask)
    cols = block.columns
    pos = np.full(block.count, -1, np.int64)
    pos[rows] = np.arange(len(rows))

    def add(r: int, step: float, prop: str | None, msg: str) -> None:
        problems.add(1, base + r, step, _say(b, r, "node", prop, msg))

    # id
    ok = np.ones(len(rows), bool)
    node_ids = _take(b.fid, rows)
    none = [k for k, v in enumerate(node_ids) if v is None] if None in node_ids else []
    raw_ids = _raw_ids(block, mask, [int(rows[k]) for k in none]) if none else {}
    for k in none:
        r = int(rows[k])
        bad = raw_ids.get(r)
        add(r, 1, "id", "is missing; every node needs a unique id" if bad is None
            else f"must be a non-empty string or a whole number, got {_short(bad)}")
        ok[k] = False
    for k in _bad_ids(node_ids, limits, block.check_text).tolist():
        add(int(rows[k]), 1, "id", _id_problem(node_ids[k], limits, block.check_text))
    # text
    types = _texts(b, mask, "type", rows, pos, add, 2, limits, required=True)
    names = _texts(b, mask, "name", rows, pos, add, 3, limits)
    ok &= np.array([t is not None for t in types], bool)
    nums, interdictable = _common(b, mask, rows, pos, add)
    nums["storage"] = _field_numbers(b, mask, "storage", rows, pos, add, 10, lo=0.0, special=_unlimited)
    nums["stock"] = _field_numbers(b, mask, "stock", rows, pos, add, 11, lo=0.0)
    extra = _extras(b, mask, rows, pos, NODE_FIELDS, EDGE_FIELDS, "node", add, warnings, computed_ok, limits)
    # position
    x, y = block.x[rows].copy(), block.y[rows].copy()
    good = _check_points(b, rows, x, y, add)  # after the properties, as a reader meets them
    ok &= good
    return {"rows": rows, "ok": ok, "ids": node_ids, "type": types, "name": names, "x": x, "y": y,
            "num": nums, "interdictable": interdictable, "extra": extra,
            "keys": _row_keys(block, rows)}


def _common(b: _Block, mask: np.ndarray, rows: np.ndarray, pos: np.ndarray,
            add: Any) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Return the properties nodes and edges share: capacity, cost (default 1), repair_days,
    confidence, p_success, and interdictable (default true); steps 4 to 9 of a feature's checks."""
    nums = {}
    for step, name in enumerate(_NON_NEGATIVE, 4):
        nums[name] = _field_numbers(b, mask, name, rows, pos, add, step, lo=0.0)
    nums["cost"] = np.where(np.isnan(nums["cost"]), 1.0, nums["cost"])
    nums["confidence"] = _field_numbers(b, mask, "confidence", rows, pos, add, 7, lo=0.0, hi=1.0)
    nums["p_success"] = _field_numbers(b, mask, "p_success", rows, pos, add, 8, lo=0.0, hi=1.0)
    return nums, _booleans(b, mask, "interdictable", rows, pos, add, 9, True)


def _unlimited(value: Any) -> float | None:
    if isinstance(value, str) and value.strip().lower() in ("unlimited", "inf", "infinity"):
        return math.inf
    return None


def _row_keys(block: FeatureBlock, rows: np.ndarray) -> list[tuple[str, ...]] | None:
    """Return each row's property keys in file order, when they differ from the column order."""
    order = getattr(block, "key_order", None)
    if order is None:
        return None
    shapes, row_shape = order
    shapes = [*shapes, ()]  # -1: a feature without properties
    return [shapes[s] for s in row_shape[rows].tolist()]


def _texts(b: _Block, mask: np.ndarray, name: str, rows: np.ndarray, pos: np.ndarray, add: Any, step: float,
           limits: Limits, *, required: bool = False) -> list[str | None]:
    """Return a text property of ``rows`` (None where absent), with its problems."""
    out = np.full(len(rows), None, object)
    refused = np.zeros(len(rows), bool)
    crow, values = _subset(b.block.columns.get(name), mask)
    long = limits.text_length
    strings = _strings(values) if len(crow) else None
    if strings is not None:
        import pyarrow.compute as pc

        at = pos[crow]
        if name in _CATEGORIES and len(strings) > 1000:  # few distinct values: one Python string each
            codes = strings.dictionary_encode()
            words = np.array([None, *codes.dictionary.to_pylist()], object)
            out[at] = words[pc.fill_null(codes.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64) + 1]
        else:
            out[at] = np.fromiter(strings.to_pylist(), object, len(strings))
        out[at[_blank(strings)]] = None
        too_long = (pc.max(pc.utf8_length(strings)).as_py() or 0) > long
        if too_long or b.block.check_text:
            for r, v in zip(crow.tolist(), strings.to_pylist()):
                if v is not None and (len(v) > long or (b.block.check_text and not _text_ok(v))):
                    add(r, step, name, _bad_text(v, long))
                    out[pos[r]] = None
                    refused[pos[r]] = True
    else:
        objs = values.tolist() if isinstance(values, np.ndarray) else values.to_pylist()
        for r, v in zip(crow.tolist(), objs):
            if v is None or (isinstance(v, str) and not v.strip()):
                continue
            refused[pos[r]] = True
            if isinstance(v, (dict, list)):
                add(r, step, name, f"expected text, got {type(v).__name__}")
                continue
            text = str(v)
            if len(text) > long or (b.block.check_text and not _text_ok(text)):
                add(r, step, name, _bad_text(text, long))
                continue
            refused[pos[r]] = False
            out[pos[r]] = text
    if required:
        for k in np.flatnonzero(~refused & (out == None)).tolist():  # noqa: E711 (elementwise)
            add(int(rows[k]), step, name, "is missing; it is required")
    return out.tolist()


def _field_numbers(b: _Block, mask: np.ndarray, name: str, rows: np.ndarray, pos: np.ndarray, add: Any,
                   step: float, *, lo: float | None = None, hi: float | None = None,
                   special: Any = None, above: str | None = None) -> np.ndarray:
    out = np.full(len(rows), math.nan)
    crow, values = _subset(b.block.columns.get(name), mask)
    if not len(crow):
        return out
    got, bad = _numbers(values, lo, hi, nan_absent=b.block.driver != "geojson", special=special, above=above)
    out[pos[crow]] = got
    for k, msg in bad:
        add(int(crow[k]), step, name, msg)
    return out


def _booleans(b: _Block, mask: np.ndarray, name: str, rows: np.ndarray, pos: np.ndarray, add: Any,
              step: float, default: bool) -> np.ndarray:
    out = np.full(len(rows), default, bool)
    crow, values = _subset(b.block.columns.get(name), mask)
    if not len(crow):
        return out
    import pyarrow as pa

    if not isinstance(values, np.ndarray) and pa.types.is_boolean(values.type):
        out[pos[crow]] = values.to_numpy(zero_copy_only=False)
        return out
    objs = values.tolist() if isinstance(values, np.ndarray) else values.to_pylist()
    if set(map(type, objs)) == {bool}:
        out[pos[crow]] = np.array(objs, bool)
        return out
    for r, v in zip(crow.tolist(), objs):
        if v is None or (b.block.driver != "geojson" and isinstance(v, float) and math.isnan(v)):
            continue
        if isinstance(v, (bool, np.bool_)):
            out[pos[r]] = bool(v)
        elif isinstance(v, numbers.Integral) and int(v) in (0, 1):
            out[pos[r]] = bool(v)
        else:
            add(r, step, name, f"expected true or false, got {_short(v)}")
    return out


def _check_points(b: _Block, rows: np.ndarray, x: np.ndarray, y: np.ndarray, add: Any) -> np.ndarray:
    """Return which Point positions are valid, with the problem of each that is not."""
    ok = np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= 180.0) & (np.abs(y) <= 90.0)
    raw = b.block.raw_geometry
    for k in np.flatnonzero(~ok).tolist():
        r = int(rows[k])
        msg = _position_problem(raw[r] if r in raw else [float(x[k]), float(y[k])], "Point coordinates")
        add(r, 1000, "geometry", msg)
    return ok


def _position_problem(pos: Any, what: str) -> str:
    """Return the problem of a position that is not a valid [longitude, latitude]."""
    if not isinstance(pos, (list, tuple)) or len(pos) < 2:
        return f"{what} must be [longitude, latitude], got {_short(pos)}"
    x, y = pos[0], pos[1]
    if not (_is_real(x) and _is_real(y)):
        return f"{what} must hold numbers, got {_short(pos)}"
    try:
        x, y = float(x), float(y)
    except OverflowError:
        x, y = math.inf, math.inf
    if not (math.isfinite(x) and math.isfinite(y)):
        return f"{what} {_short(pos)} is not finite (NaN, infinite or too large)"
    hint = " (it looks like [latitude, longitude]: swap them)" if -90 <= x <= 90 and -180 <= y <= 180 else ""
    return f"{what} [{x:g}, {y:g}] is outside longitude [-180, 180] x latitude [-90, 90]{hint}"


def _extras(b: _Block, mask: np.ndarray, rows: np.ndarray, pos: np.ndarray, known: tuple[str, ...],
            other: tuple[str, ...], word: str, add: Any, warnings: _Warnings, computed_ok: bool,
            limits: Limits) -> dict[str, list[Any]]:
    """Return the free properties of ``rows`` (None where absent), with their problems and warnings."""
    block = b.block
    out: dict[str, list[Any]] = {}
    shapefile = block.driver == "shapefile"
    for step, (name, col) in enumerate(block.columns.items(), 100):
        if name in known:
            continue
        crow, values = _subset(col, mask)
        if not len(crow):
            continue
        if name in COMPUTED_FIELDS or (name in EXPORT_FIELDS and _exported(block)):
            b.computed.setdefault(name, []).extend(crow.tolist())
            continue
        objs = values.tolist() if isinstance(values, np.ndarray) else _arrow_objects(values)
        if not computed_ok:
            _name_warnings(b, name, word, known, other, crow, warnings, shapefile)
        column: list[Any] = [None] * len(rows)
        kinds = set(map(type, objs))
        simple = kinds <= {str, int, float, bool, type(None)}
        for k, (r, v) in enumerate(zip(crow.tolist(), objs)):
            if type(v) is float and not math.isfinite(v):
                if block.driver != "geojson" and math.isnan(v):
                    continue
                add(r, step, name, f"holds {v}, which is not a JSON value")
                continue
            if not simple:
                msg = _free_value_problem(v, limits, block.check_text)
                if msg is not None:
                    add(r, step, name, msg)
                    continue
            elif type(v) is str and (len(v) > limits.text_length or (block.check_text and not _text_ok(v))):
                add(r, step, name, _bad_text(v, limits.text_length))
                continue
            column[pos[r]] = v
        out[name] = column
    return out


def _exported(block: FeatureBlock) -> bool:
    """Whether a block reads as a supplynet export: ``kind`` says node or edge on every row,
    beside another of the export's columns. Only then are those columns dropped as results;
    elsewhere ``flow`` or ``kind`` are free properties like any other."""
    cached = block.__dict__.get("_exported")
    if cached is None:
        kind = block.columns.get("kind")
        cached = False
        if kind is not None and any(n in block.columns for n in EXPORT_FIELDS if n != "kind"):
            values = kind.values if isinstance(kind.values, list) else kind.values.to_pylist()
            cached = len(kind.rows) == block.count and set(values) <= {"node", "edge"}
        block.__dict__["_exported"] = cached
    return cached


def _arrow_objects(values: Any) -> list[Any]:
    """Return an Arrow column as Python values (times as ISO 8601 text, as GDAL prints them)."""
    import pyarrow as pa

    if pa.types.is_temporal(values.type):
        return [None if v is None else v.isoformat() for v in values.to_pylist()]
    return values.to_pylist()


def _free_value_problem(value: Any, limits: Limits, check_text: bool) -> str | None:
    """Return what makes a free property's value unusable (too deep, too big, bad text), or None.

    Walks the value with a stack, never by recursion: the depth is the input's.
    """
    stack = [(value, 0)]
    items = 0
    while stack:
        v, depth = stack.pop()
        items += 1
        if items > limits.items:
            return f"holds more than {limits.items:,} values; a free property may hold at most that many"
        if isinstance(v, dict):
            if depth >= limits.depth:
                return f"is nested more than {limits.depth} levels deep; a free property may nest at most that many"
            for key, inner in v.items():
                if not isinstance(key, str) or (check_text and not _text_ok(key)):
                    return _bad_text(str(key), limits.text_length)
                stack.append((inner, depth + 1))
        elif isinstance(v, list):
            if depth >= limits.depth:
                return f"is nested more than {limits.depth} levels deep; a free property may nest at most that many"
            stack.extend((inner, depth + 1) for inner in v)
        elif isinstance(v, str):
            if len(v) > limits.text_length or (check_text and not _text_ok(v)):
                return _bad_text(v, limits.text_length)
    return None


#: A Shapefile (dBase) cuts field names to 10 characters.
_DBF_NAME = 10


def _name_warnings(b: _Block, name: str, word: str, known: tuple[str, ...], other: tuple[str, ...],
                   crow: np.ndarray, warnings: _Warnings, shapefile: bool) -> None:
    """Warn about a free property whose name looks like a schema property mistyped."""
    label = b.block.label
    refs = [b.ref(r) for r in np.sort(crow)[:SHOWN].tolist()]
    if name in other:
        warnings.add(("other", label, word, name), label,
                     f"property {name!r} is an {('edge' if word == 'node' else 'node')} property; on a {word} "
                     "it is kept as a free property", refs, len(crow))
        return
    lower = name.lower()
    fields = [f for f in known if f != "id" or lower == "id"]
    match = next((f for f in fields if f.lower() == lower), None)
    if match is None:
        close = difflib.get_close_matches(lower, fields, n=1, cutoff=0.8)
        match = close[0] if close else None
    if match is None:
        return
    warnings.add(("name", label, word, name), label,
                 f"property {name!r} is not {'an' if word == 'edge' else 'a'} {word} property supplynet reads; "
                 f"did you mean {match!r}? "
                 f"It is kept as a free property, not read as {match!r}", refs, len(crow))


def _first_of(ids: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
    """Return, for each id, the position of its first occurrence, and the order that sorts the ids.

    Sorting (Arrow's, stable, by code point as ``sorted``) puts equal ids side by side with
    the first one first: cheaper than hashing them at millions of ids, and the compiled
    network needs the sorted order anyway. The order is None for text Arrow cannot hold
    (validation has refused it).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(ids)
    if not n:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    try:
        arr = pa.array(ids, pa.string())
    except (pa.ArrowException, UnicodeError):
        codes = pd.factorize(pd.Index(ids, dtype=object))[0]
        _, first = np.unique(codes, return_index=True)
        return first[codes], None
    order = pc.sort_indices(arr).to_numpy().astype(np.int64)
    ranked = arr.take(pa.array(order))
    start = np.ones(n, bool)
    if n > 1:
        start[1:] = ~_flags(pc.equal(ranked.slice(1), ranked.slice(0, n - 1)))
    first_sorted = order[np.flatnonzero(start)][np.cumsum(start) - 1]
    first = np.empty(n, np.int64)
    first[order] = first_sorted
    return first, order


def _unique_nodes(ctxs: list[_Block], nodes: list[dict[str, Any]], problems: _Problems) -> dict[str, Any]:
    """Keep the first node of each id; refuse the later ones. Return the kept nodes' columns."""
    keep_rows, keep_ids, owner = [], [], []
    for bi, (b, cols) in enumerate(zip(ctxs, nodes)):
        ok = cols["ok"]
        keep_rows.append(np.flatnonzero(ok))
        keep_ids.extend(cols["ids"] if ok.all() else (v for v, o in zip(cols["ids"], ok.tolist()) if o))
        owner.append(np.full(int(ok.sum()), bi, np.int64))
    owners = np.concatenate(owner) if owner else np.zeros(0, np.int64)
    local = np.concatenate(keep_rows) if keep_rows else np.zeros(0, np.int64)
    first_of, order = _first_of(keep_ids)
    dup = first_of != np.arange(len(first_of))
    for k in np.flatnonzero(dup).tolist():
        b, cols = ctxs[owners[k]], nodes[owners[k]]
        row = int(cols["rows"][local[k]])
        f = int(first_of[k])
        fb, fcols = ctxs[owners[f]], nodes[owners[f]]
        first_index = int(fb.block.index[int(fcols["rows"][local[f]])])
        problems.add(2, b.base + row, 0, _say(b, row, "node", "id", f"duplicates the id of node feature {first_index}"))
    keep = ~dup
    ids = [v for v, k in zip(keep_ids, keep.tolist()) if k] if dup.any() else keep_ids
    return {"owners": owners[keep], "local": local[keep], "ids": ids, "nodes": nodes,
            "order": _kept_order(order, keep)}


def _kept_order(order: np.ndarray | None, keep: np.ndarray) -> np.ndarray | None:
    """Return the sorting order of the kept elements, from the order of all of them."""
    if order is None or keep.all():
        return order
    new_pos = np.cumsum(keep) - 1
    return new_pos[order[keep[order]]]


def _check_edges(b: _Block, problems: _Problems, warnings: _Warnings, computed_ok: bool, limits: Limits,
                 table_nodes: dict[str, Any]) -> dict[str, Any]:
    """Check every edge's properties; return the columns of the edges that may be kept."""
    block, base = b.block, b.base
    mask = b.kind == _EDGE
    rows = np.flatnonzero(mask)
    pos = np.full(block.count, -1, np.int64)
    pos[rows] = np.arange(len(rows))
    cols = block.columns

    def add(r: int, step: float, prop: str | None, msg: str) -> None:
        problems.add(3, base + r, step, _say(b, r, "edge", prop, msg))

    import pyarrow as pa
    import pyarrow.compute as pc

    node_set = table_nodes.get("arrow")
    if node_set is None:
        node_set = table_nodes["arrow"] = pa.array(table_nodes["ids"], pa.string())
    node_ids = table_nodes["ids"]
    ends = {}
    ok = np.ones(len(rows), bool)
    parts = []
    for end in ("source", "target"):
        crow, values = _subset(cols.get(end), mask)
        strings = _strings(values)
        if strings is None:  # some are not strings: one by one
            raw = values.tolist() if isinstance(values, np.ndarray) else values.to_pylist()
            idents = [_as_id(v) for v in raw]
            strings = pa.array(idents, pa.string())
            present = np.array([v is not None for v in raw], bool)
            nulls = np.array([v is None for v in idents], bool) & present
        else:
            present = _flags(pc.is_valid(strings))
            nulls = _blank(strings)
        parts.append((end, crow, values, strings, present, nulls))
    # Both ends looked up at once: one hash table of the node ids.
    both = pa.chunked_array([p[3].cast(pa.large_string()) for p in parts], pa.large_string())
    hits = pc.index_in(both, value_set=node_set.cast(pa.large_string()))
    hits = pc.fill_null(hits, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    cut = len(parts[0][3])
    for step, (end, crow, values, strings, present, nulls) in enumerate(parts):
        at = pos[crow]
        found = np.full(len(rows), -1, np.int64)
        missing = np.ones(len(rows), bool)
        invalid = np.zeros(len(rows), bool)
        missing[at] = ~present
        invalid[at] = nulls
        bad_text = np.zeros(len(rows), bool)
        bad_text[at[_bad_ids(strings, limits, block.check_text)]] = True
        bad_text &= ~missing & ~invalid
        found[at] = hits[:cut] if step == 0 else hits[cut:]
        found[missing | invalid | bad_text] = -1
        where: dict[int, int] = {}
        for k in np.flatnonzero(missing | invalid | bad_text | (found < 0)).tolist():
            r = int(rows[k])
            ok[k] = False
            if missing[k]:
                add(r, step, end, "is missing; an edge needs both source and target node ids")
                continue
            if not where:
                where = dict(zip(crow.tolist(), range(len(crow))))
            value = _value_at(values, where[r])
            if invalid[k]:
                add(r, step, end, f"must be a node id (string or whole number), got {_short(value)}")
            elif bad_text[k]:
                add(r, step, end, _id_problem(_as_id(value), limits, block.check_text))
            else:
                add(r, step, end, f"names node {_as_id(value)!r}, which does not exist")
        ends[end] = found
    # id
    edge_ids = _take(b.fid, rows)
    given_id = b.fid_given[rows]
    none = [k for k, v in enumerate(edge_ids) if v is None and given_id[k]] if None in edge_ids else []
    raw_ids = _raw_ids(block, mask, [int(rows[k]) for k in none]) if none else {}
    for k in none:
        r = int(rows[k])
        if block.driver == "geojson" or raw_ids.get(r) is not None:
            add(r, 2, "id", f"must be a non-empty string or a whole number, got {_short(raw_ids.get(r))}")
    for k in _bad_ids(edge_ids, limits, block.check_text).tolist():
        add(int(rows[k]), 2, "id", _id_problem(edge_ids[k], limits, block.check_text))
    modes = _texts(b, mask, "mode", rows, pos, add, 3, limits)
    nums, interdictable = _common(b, mask, rows, pos, add)
    nums["length_km"] = _field_numbers(b, mask, "length_km", rows, pos, add, 10, lo=0.0, hi=MAX_LENGTH_KM,
                                       above=f" km, longer than any route on Earth (at most {MAX_LENGTH_KM:,.0f} km)")
    nums["transit_days"] = _field_numbers(b, mask, "transit_days", rows, pos, add, 11, lo=0.0)
    bidirectional = _booleans(b, mask, "bidirectional", rows, pos, add, 12, False)
    extra = _extras(b, mask, rows, pos, EDGE_FIELDS, NODE_FIELDS, "edge", add, warnings, computed_ok, limits)
    tail, head = ends["source"], ends["target"]
    loop = (tail >= 0) & (tail == head)
    for k in np.flatnonzero(loop).tolist():
        add(int(rows[k]), 1000, "target", f"equals source {node_ids[tail[k]]!r}: self-loops are not allowed")
    ok &= ~loop
    drawn, lines_ok = _check_lines(b, rows, ~loop, add)
    ok &= lines_ok
    return {"rows": rows, "ok": ok, "ids": edge_ids, "tail": tail, "head": head, "mode": modes, "num": nums, "interdictable": interdictable,
            "bidirectional": bidirectional, "extra": extra, "drawn": drawn, "keys": _row_keys(block, rows)}


def _raw_ids(block: FeatureBlock, mask: np.ndarray, rows: list[int]) -> dict[int, Any]:
    """Return the raw id values (properties, or the Feature's own) of ``rows``, looked up only for them."""
    out: dict[int, Any] = {}
    wanted = np.zeros(block.count, bool)
    wanted[np.asarray(rows, np.int64)] = True
    wanted &= mask
    for col in (block.columns.get("id"), block.feature_id):
        if col is None:
            continue
        sel = np.flatnonzero(wanted[col.rows])
        for k in sel.tolist():
            out[int(col.rows[k])] = _value_at(col.values, k)
    return out


def _value_at(values: Any, k: int) -> Any:
    """Return a column's ``k``-th value as Python."""
    v = values[k]
    return v.as_py() if hasattr(v, "as_py") else v


def _check_lines(b: _Block, rows: np.ndarray, check: np.ndarray, add: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return (has a LineString, geometry valid) for each edge row, with the problems of the bad ones."""
    block = b.block
    line_of = np.full(block.count, -1, np.int64)
    line_of[block.line_rows] = np.arange(len(block.line_rows))
    which = line_of[rows]
    drawn = which >= 0
    ok = np.ones(len(rows), bool)
    if not drawn.any():
        return drawn, ok
    counts = np.diff(block.line_ptr)
    xy = block.line_xy
    good_pt = np.isfinite(xy).all(axis=1) & (np.abs(xy[:, 0]) <= 180.0) & (np.abs(xy[:, 1]) <= 90.0)
    owner = np.repeat(np.arange(len(counts)), counts)
    bad_lines = np.zeros(len(counts), bool)
    bad_lines[owner[~good_pt]] = True
    bad_lines |= counts < 2
    raw = block.raw_geometry
    suspect = drawn & check
    suspect[drawn] &= bad_lines[which[drawn]]
    if raw:
        suspect |= drawn & check & np.isin(rows, np.fromiter(raw, np.int64, len(raw)))
    for k in np.flatnonzero(suspect).tolist():
        li = int(which[k])
        r = int(rows[k])
        coords = raw.get(r, xy[block.line_ptr[li]:block.line_ptr[li + 1]].tolist())
        msg = _line_problem(coords)
        if msg is not None:
            add(r, 1001, "geometry", msg)
            ok[k] = False
    ok[drawn & ~check] = True
    return drawn, ok


def _line_problem(coords: Any) -> str | None:
    if not isinstance(coords, (list, tuple)) or len(coords) < 2:
        return f"a LineString needs at least two positions, got {_short(coords)}"
    for i, pos in enumerate(coords):
        if (isinstance(pos, (list, tuple)) and len(pos) >= 2 and _is_real(pos[0]) and _is_real(pos[1])):
            try:
                x, y = float(pos[0]), float(pos[1])
            except OverflowError:
                return _position_problem(pos, f"LineString position {i}")
            if math.isfinite(x) and math.isfinite(y) and -180.0 <= x <= 180.0 and -90.0 <= y <= 90.0:
                continue
        return _position_problem(pos, f"LineString position {i}")
    return None


def _computed_warning(ctxs: list[_Block], warnings: _Warnings, computed_ok: bool, source: str) -> None:
    """One line for all the computed and export columns of the input: they are dropped."""
    if computed_ok or not any(b.computed for b in ctxs):
        return
    names = sorted({n for b in ctxs for n in b.computed})
    refs, count = [], 0
    for b in ctxs:
        if not b.computed:
            continue
        rows = np.unique(np.concatenate([np.array(r, np.int64) for r in b.computed.values()]))
        label = b.block.label
        tag = "" if len(ctxs) == 1 else (f"{label[len(source) + 1:]} " if label.startswith(f"{source}:")
                                         else f"{label}: ")
        refs += [f"{tag}{b.ref(r)}" for r in rows[:SHOWN].tolist()]
        count += len(rows)
    export = any(n in EXPORT_FIELDS for n in names)
    listed = ", ".join(repr(n) for n in names)
    verb = "is" if len(names) == 1 else "are"
    why = ("; this looks like a supplynet export read back: its results are dropped and its network is read"
           if export else "")
    warnings.add(("computed",), source,
                 f"{'property' if len(names) == 1 else 'properties'} {listed} {verb} computed by supplynet, so "
                 f"the values in the file are ignored{why}", refs[:SHOWN], count)


def _take(values: Any, idx: np.ndarray) -> Any:
    """Return ``values`` (a list or an array) at sorted, distinct positions ``idx``, as the same kind."""
    idx = np.asarray(idx, np.int64)
    if len(idx) == len(values) and (not len(idx) or idx[-1] == len(idx) - 1):
        return values  # sorted distinct positions, as many as there are values: all of them
    return _take_any(values, idx)


def _take_any(values: Any, idx: np.ndarray) -> Any:
    """Return ``values`` (a list or an array) at any positions ``idx``, as the same kind."""
    idx = np.asarray(idx, np.int64)
    if isinstance(values, np.ndarray):
        return values[idx]
    if len(idx) == 0:
        return []
    if len(idx) == 1:
        return [values[int(idx[0])]]
    return list(operator.itemgetter(*idx.tolist())(values))


def _gather(parts: list[dict[str, Any]], owners: np.ndarray, local: np.ndarray, key: str,
            sub: str | None = None) -> Any:
    """Return ``parts[owner][key][local]`` for every kept element (owners ascending)."""
    pieces = []
    for bi, cols in enumerate(parts):
        sel = owners == bi
        if not sel.any():
            continue
        values = cols[key] if sub is None else cols[key][sub]
        pieces.append(_take(values, local if sel.all() else local[sel]))
    if not pieces:
        return []
    if len(pieces) == 1:  # one block holds them all (a column taken whole is not copied)
        return pieces[0]
    if isinstance(pieces[0], np.ndarray):
        return np.concatenate(pieces)
    return [v for piece in pieces for v in piece]


def _expand(ctxs: list[_Block], edges: list[dict[str, Any]], table_nodes: dict[str, Any], problems: _Problems,
            warnings: _Warnings) -> NetworkTable:
    """Return the network's columns: the kept nodes, the kept edges with default ids and reverses."""
    nodes = table_nodes["nodes"]
    owners, local = table_nodes["owners"], table_nodes["local"]
    node_ids = table_nodes["ids"]
    x = np.asarray(_gather(nodes, owners, local, "x"), float)
    y = np.asarray(_gather(nodes, owners, local, "y"), float)
    node_num = {name: np.asarray(_gather(nodes, owners, local, "num", name), float)
                for name in ("capacity", "cost", "repair_days", "confidence", "p_success", "storage", "stock")}
    # edges: those kept, in file order
    e_owner, e_local = [], []
    for bi, cols in enumerate(edges):
        k = np.flatnonzero(cols["ok"])
        e_local.append(k)
        e_owner.append(np.full(len(k), bi, np.int64))
    eo = np.concatenate(e_owner) if e_owner else np.zeros(0, np.int64)
    el = np.concatenate(e_local) if e_local else np.zeros(0, np.int64)
    m = len(eo)
    tail = np.asarray(_gather(edges, eo, el, "tail"), np.int64).reshape(-1)
    head = np.asarray(_gather(edges, eo, el, "head"), np.int64).reshape(-1)
    given = list(_gather(edges, eo, el, "ids"))
    missing = [i for i, v in enumerate(given) if v is None] if None in given else []
    if missing:
        frame = pd.DataFrame({"s": tail[missing], "t": head[missing]})
        counts = frame.groupby(["s", "t"], sort=False).cumcount().tolist()
        for i, c in zip(missing, counts):
            given[i] = f"{node_ids[tail[i]]}->{node_ids[head[i]]}#{c}"
    bidir = np.asarray(_gather(edges, eo, el, "bidirectional"), bool).reshape(-1)
    # the sequence of edges: each kept edge, then its reverse
    reps = np.where(bidir, 2, 1)
    seq_src = np.repeat(np.arange(m), reps)
    is_rev = np.zeros(len(seq_src), bool)
    if bidir.any():
        starts = np.cumsum(reps) - reps
        is_rev[starts[bidir] + 1] = True
    if is_rev.any():
        ids = [given[i] + "~rev" if r else given[i] for i, r in zip(seq_src.tolist(), is_rev.tolist())]
    else:
        ids = given
    first_of, order = _first_of(ids)
    dup = first_of != np.arange(len(first_of))
    for k in np.flatnonzero(dup).tolist():
        i = int(seq_src[k])
        b = ctxs[eo[i]]
        row = int(edges[eo[i]]["rows"][el[i]])
        f = int(seq_src[first_of[k]])
        findex = int(ctxs[eo[f]].block.index[int(edges[eo[f]]["rows"][el[f]])])
        problems.add(4, b.base + row, k, _say(b, row, "edge", "id", f"edge id {ids[k]!r} is already used by edge "
                                              f"feature {findex}"))
    keep = ~dup
    edge_order = _kept_order(order, keep)
    seq = seq_src[keep]
    rev = is_rev[keep]
    if dup.any():
        ids = [v for v, k in zip(ids, keep.tolist()) if k]
    if len(seq) == m and not rev.any():
        e_tail, e_head = tail, head
    else:
        e_tail = np.where(rev, head[seq], tail[seq]) if len(seq) else np.zeros(0, np.int64)
        e_head = np.where(rev, tail[seq], head[seq]) if len(seq) else np.zeros(0, np.int64)
    same = len(seq) == m and not rev.any()
    edge_num = {name: _seq(np.asarray(_gather(edges, eo, el, "num", name), float), seq, same)
                for name in ("capacity", "cost", "repair_days", "confidence", "p_success", "length_km",
                             "transit_days")}
    drawn = np.asarray(_gather(edges, eo, el, "drawn"), bool).reshape(-1)
    ptr, xy = _edge_coords(ctxs, edges, eo, el, drawn, x, y, tail, head)
    _far_ends(ctxs, edges, eo, el, drawn, ptr, xy, x, y, tail, head, node_ids, warnings)
    ptr, xy = _sequence_coords(ptr, xy, seq, rev)
    node_keys = _gather_keys(nodes, owners, local)
    edge_keys = _gather_keys(edges, eo, el)
    return NetworkTable(
        node_id=node_ids, node_type=_gather(nodes, owners, local, "type"),
        node_name=_gather(nodes, owners, local, "name"), node_x=x, node_y=y, node_num=node_num,
        node_interdictable=np.asarray(_gather(nodes, owners, local, "interdictable"), bool).reshape(-1),
        node_extra=_gather_extra(nodes, owners, local, None), node_keys=node_keys,
        edge_id=ids, edge_tail=e_tail, edge_head=e_head,
        edge_mode=_seq(_gather(edges, eo, el, "mode"), seq, same), edge_num=edge_num,
        edge_interdictable=_seq(np.asarray(_gather(edges, eo, el, "interdictable"), bool).reshape(-1), seq, same),
        edge_reverse_of=[given[i] if r else None for i, r in zip(seq.tolist(), rev.tolist())] if rev.any()
        else [None] * len(seq),
        edge_ptr=ptr, edge_xy=xy, edge_drawn=_seq(drawn, seq, same),
        edge_extra=_gather_extra(edges, eo, el, None if same else seq),
        edge_keys=None if edge_keys is None else _seq(edge_keys, seq, same),
        node_order=table_nodes.get("order"), edge_order=edge_order,
    )


def _seq(values: list[Any], seq: np.ndarray, same: bool) -> list[Any]:
    """Return ``values`` along the edge sequence (unchanged when no edge was added or dropped)."""
    return values if same else _take_any(values, seq)


def _gather_extra(parts: list[dict[str, Any]], owners: np.ndarray, local: np.ndarray,
                  seq: np.ndarray | None) -> dict[str, list[Any]]:
    names = list(dict.fromkeys(k for cols in parts for k in cols["extra"]))
    out = {}
    for name in names:
        pieces = []
        for bi, cols in enumerate(parts):
            sel = owners == bi
            if not sel.any():
                continue
            values = cols["extra"].get(name)
            pieces.append(_take(values, local[sel]) if values is not None else [None] * int(sel.sum()))
        column = [v for piece in pieces for v in piece] if len(pieces) != 1 else pieces[0]
        if seq is not None:
            column = _take_any(column, seq)
        if any(v is not None for v in column):
            out[name] = column
    return out


def _gather_keys(parts: list[dict[str, Any]], owners: np.ndarray, local: np.ndarray) -> list[tuple[str, ...]] | None:
    if all(cols["keys"] is None for cols in parts):
        return None
    out = []
    for o, k in zip(owners.tolist(), local.tolist()):
        keys = parts[o]["keys"]
        out.append(keys[k] if keys is not None else tuple(parts[o]["extra"]))
    return out


def _edge_coords(ctxs: list[_Block], edges: list[dict[str, Any]], eo: np.ndarray, el: np.ndarray,
                 drawn: np.ndarray, x: np.ndarray, y: np.ndarray, tail: np.ndarray,
                 head: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the packed coordinates of the kept edges: their LineString, or the straight line."""
    m = len(eo)
    counts = np.full(m, 2, np.int64)
    pieces: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for bi, b in enumerate(ctxs):
        sel = np.flatnonzero((eo == bi) & drawn)
        if not len(sel):
            continue
        block = b.block
        line_of = np.full(block.count, -1, np.int64)
        line_of[block.line_rows] = np.arange(len(block.line_rows))
        li = line_of[edges[bi]["rows"][el[sel]]]
        if len(sel) == m and len(li) == len(block.line_rows) and (np.diff(li) == 1).all() and li[0] == 0:
            return block.line_ptr - block.line_ptr[0], block.line_xy  # every edge drawn, lines in order
        lo, hi = block.line_ptr[li], block.line_ptr[li + 1]
        counts[sel] = hi - lo
        pieces[bi] = (sel, _ranges(block.line_xy, lo, hi))
    ptr = np.zeros(m + 1, np.int64)
    np.cumsum(counts, out=ptr[1:])
    xy = np.empty((int(ptr[-1]), 2))
    straight = np.flatnonzero(~drawn)
    if len(straight):
        at = ptr[straight]
        xy[at, 0], xy[at, 1] = x[tail[straight]], y[tail[straight]]
        xy[at + 1, 0], xy[at + 1, 1] = x[head[straight]], y[head[straight]]
    for sel, coords in pieces.values():
        xy[_ranges_index(ptr[sel], counts[sel])] = coords
    return ptr, xy


def _ranges_index(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Return the concatenated ranges ``starts[k] .. starts[k] + counts[k]``."""
    total = int(counts.sum())
    return np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(total)


def _ranges(xy: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return xy[_ranges_index(lo, hi - lo)]


def _sequence_coords(ptr: np.ndarray, xy: np.ndarray, seq: np.ndarray, rev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the coordinates of the edge sequence: each kept edge's, reversed for a reverse edge."""
    if len(seq) == len(ptr) - 1 and not rev.any():
        return ptr, xy  # every kept edge once, none reversed
    counts = (ptr[1:] - ptr[:-1])[seq]
    out_ptr = np.zeros(len(seq) + 1, np.int64)
    np.cumsum(counts, out=out_ptr[1:])
    src = _ranges_index(ptr[:-1][seq], counts)
    if rev.any():
        within = np.arange(int(counts.sum())) - np.repeat(out_ptr[:-1], counts)
        flip = np.repeat(rev, counts)
        last = np.repeat(ptr[:-1][seq] + counts - 1, counts)
        src = np.where(flip, last - within, src)
    return out_ptr, xy[src]


def _far_ends(ctxs: list[_Block], edges: list[dict[str, Any]], eo: np.ndarray, el: np.ndarray, drawn: np.ndarray,
              ptr: np.ndarray, xy: np.ndarray, x: np.ndarray, y: np.ndarray, tail: np.ndarray, head: np.ndarray,
              node_ids: list[str], warnings: _Warnings) -> None:
    """Warn where a drawn edge's end lies far from its node (one geodesic call, only where an end is off)."""
    sel = np.flatnonzero(drawn)
    if not len(sel):
        return
    first = xy[ptr[sel]]
    last = xy[ptr[sel + 1] - 1]
    for end, pts, nodes in (("source", first, tail[sel]), ("target", last, head[sel])):
        off = (pts[:, 0] != x[nodes]) | (pts[:, 1] != y[nodes])
        if not off.any():
            continue
        idx = np.flatnonzero(off)
        dist = geodesic_distances_m(np.column_stack([x[nodes[idx]], y[nodes[idx]]]), pts[idx]) / 1000.0
        for k, d in zip(idx[dist > FAR_END_KM].tolist(), dist[dist > FAR_END_KM].tolist()):
            i = int(sel[k])
            b = ctxs[eo[i]]
            row = int(edges[eo[i]]["rows"][el[i]])
            warnings.add(("far",), b.block.label, f"an edge end lies more than {FAR_END_KM:g} km from its node",
                         [f"{b.ref(row)}: the {end} end lies {d:.1f} km from node {node_ids[nodes[k]]!r}"])


def _type_warnings(ctxs: list[_Block], nodes: list[dict[str, Any]], table_nodes: dict[str, Any],
                   warnings: _Warnings, source: str) -> None:
    """Warn about node types supplynet does not know, and about a network with no source or sink."""
    owners, local = table_nodes["owners"], table_nodes["local"]
    types = pd.Series(_gather(nodes, owners, local, "type"), dtype=object)
    if not len(types):
        return
    lower = types.str.lower()
    unknown = types[~lower.isin(NODE_TYPES)]
    for value, group in unknown.groupby(unknown, sort=False):
        close = difflib.get_close_matches(str(value).lower(), NODE_TYPES, n=1, cutoff=0.75)
        hint = f"did you mean {close[0]!r}? The " if close else "the "
        refs = []
        for i in group.index[:SHOWN].tolist():
            b = ctxs[owners[i]]
            refs.append(b.ref(int(nodes[owners[i]]["rows"][local[i]])))
        warnings.add(("type", value), source, f"node type {value!r} is not one supplynet knows; {hint}known "
                     f"types are {', '.join(NODE_TYPES)} (a role of your own is fine)", refs, len(group))
    for role, what, option in (("manufacturing", "sources", "--sources"), ("assembly", "sinks", "--sinks")):
        if not (lower == role).any():
            warnings.line(f"{source}: no node has type {role!r}, the default {what}: every analysis needs "
                          f"{option} (a selector: docs/selectors.md)")
