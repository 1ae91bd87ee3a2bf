"""Check raw features against the network schema, collecting every problem at once.

A feature with Point geometry is a node; one with LineString (or null) geometry and
``source``/``target`` properties is an edge. Problems (which make the file invalid) and
warnings (which do not) name the file, the feature index, its id, the property, the bad
value and what was expected. Self-loops are rejected: a supply edge from a place to
itself carries nothing and would only distort centralities.
"""

from __future__ import annotations

import math
import numbers
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from supplynet.geodesy import geodesic_distances_m
from supplynet.io.read import RawNetwork

__all__ = [
    "ValidationReport",
    "check_features",
    "NODE_FIELDS",
    "EDGE_FIELDS",
    "COMPUTED_FIELDS",
    "FAR_END_KM",
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
#: An edge geometry whose end lies further than this from its node draws a warning.
FAR_END_KM = 5.0

_NON_NEGATIVE = ("capacity", "cost", "repair_days")


@dataclass
class ValidationReport:
    """What :func:`check_features` found.

    Attributes
    ----------
    nodes, edges : list of dict
        Normalised records (ids as strings, numbers as floats, defaults filled in).
    problems : list of str
        Errors: a non-empty list means the network is invalid.
    warnings : list of str
        Oddities that do not stop the analysis.
    meta : dict
        ``name``, ``description``, ``source`` and ``sha256`` of the input.
    """

    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """True when no problem was found."""
        return not self.problems


class _Ctx:
    """Where a message points: file, feature index and id."""

    def __init__(self, report: ValidationReport, label: str, index: int, kind: str) -> None:
        self.report, self.label, self.index, self.kind = report, label, index, kind
        self.fid: str | None = None

    def _where(self) -> str:
        ident = f" (id {self.fid!r})" if self.fid is not None else ""
        return f"{self.label}: feature {self.index}{ident}"

    def problem(self, prop: str | None, msg: str) -> None:
        what = f" {self.kind}" if self.kind else ""
        field_ = f", property {prop!r}" if prop else ""
        self.report.problems.append(f"{self._where()}{what}{field_}: {msg}")

    def warn(self, prop: str | None, msg: str) -> None:
        field_ = f", property {prop!r}" if prop else ""
        self.report.warnings.append(f"{self._where()}{field_}: {msg}")


def check_features(raw: RawNetwork, *, computed_ok: bool = False) -> ValidationReport:
    """Return a :class:`ValidationReport` of every problem in ``raw``'s features.

    Parameters
    ----------
    raw : RawNetwork
        Features from :func:`supplynet.io.read.read_raw`.
    computed_ok : bool
        Accept computed columns (``x``, ``length`` ...) silently, as written by
        :func:`supplynet.network.graph.graph_to_gdfs`; they are dropped either way.

    Examples
    --------
    >>> from supplynet.io.read import RawNetwork
    >>> pt = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [44.4, 33.3]},
    ...       "properties": {"id": "a", "type": "manufacturing"}}
    >>> report = check_features(RawNetwork(features=[("f", 0, pt)]))
    >>> report.valid, report.nodes[0]["id"]
    (True, 'a')
    """
    report = ValidationReport(meta={**raw.meta, "source": raw.source, "sha256": raw.sha256})
    if not raw.features:
        report.problems.append(f"{raw.source or 'input'}: the FeatureCollection has no features")
        return report
    edge_feats: list[tuple[_Ctx, dict[str, Any], dict[str, Any] | None]] = []
    for label, index, feat in raw.features:
        ctx = _Ctx(report, label, index, "")
        kind, props, geom = _classify(ctx, feat)
        if kind == "node":
            ctx.kind = "node"
            rec = _check_node(ctx, props, geom, computed_ok)
            if rec is not None:
                report.nodes.append(rec)
        elif kind == "edge":
            ctx.kind = "edge"
            edge_feats.append((ctx, props, geom))
    node_pos = _unique_nodes(report)
    edges = [_check_edge(ctx, props, geom, node_pos, computed_ok) for ctx, props, geom in edge_feats]
    edges = [e for e in edges if e is not None]
    _check_far_ends(edges, node_pos)
    report.edges = _expand_and_name(report, edges)
    if not report.nodes and not report.problems:
        report.problems.append(f"{raw.source or 'input'}: no node (Point feature) found")
    return report


def _classify(ctx: _Ctx, feat: Any) -> tuple[str | None, dict[str, Any], dict[str, Any] | None]:
    if not isinstance(feat, dict) or feat.get("type") != "Feature":
        kind = feat.get("type") if isinstance(feat, dict) else type(feat).__name__
        ctx.problem(None, f"is {kind!r}, expected a GeoJSON Feature")
        return None, {}, None
    props = feat.get("properties")
    if props is None:
        props = {}
    if not isinstance(props, dict):
        ctx.problem("properties", f"must be an object, got {type(props).__name__}")
        return None, {}, None
    if "id" in props:
        ctx.fid = _as_id(props["id"])
    elif "id" in feat:
        props = {**props, "id": feat["id"]}
        ctx.fid = _as_id(feat["id"])
    geom = feat.get("geometry")
    looks_edge = "source" in props or "target" in props
    if geom is None:
        if looks_edge:
            return "edge", props, None
        ctx.problem("geometry", "is missing (null); a node needs a Point geometry")
        return None, props, None
    if not isinstance(geom, dict) or not isinstance(geom.get("type"), str):
        ctx.problem("geometry", f"is not a GeoJSON geometry object: {_short(geom)}")
        return None, props, None
    gtype = geom["type"]
    if gtype == "Point" and not looks_edge:
        return "node", props, geom
    if gtype == "LineString" and looks_edge:
        return "edge", props, geom
    if looks_edge:
        ctx.kind = "edge"
        ctx.problem("geometry", f"is a {gtype}; an edge needs a LineString or null geometry")
    else:
        ctx.kind = "node"
        ctx.problem("geometry", f"is a {gtype}; a node needs a Point (an edge needs source and target)")
    return None, props, None


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_real(value: Any) -> bool:
    """Return whether ``value`` is a real number and not a boolean (plain types checked first: fast)."""
    kind = type(value)
    if kind is float or kind is int:
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _as_id(value: Any) -> str | None:
    if type(value) is str:
        return value if value.strip() else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
        return str(int(value))
    return None


def _check_position(ctx: _Ctx, pos: Any, what: str) -> tuple[float, float] | None:
    if not isinstance(pos, (list, tuple)) or len(pos) < 2:
        ctx.problem("geometry", f"{what} must be [longitude, latitude], got {_short(pos)}")
        return None
    x, y = pos[0], pos[1]
    if not (_is_real(x) and _is_real(y)):
        ctx.problem("geometry", f"{what} must hold numbers, got {_short(pos)}")
        return None
    try:
        x, y = float(x), float(y)
    except OverflowError:  # whole numbers with hundreds of digits
        x, y = math.inf, math.inf
    if not (math.isfinite(x) and math.isfinite(y)):
        ctx.problem("geometry", f"{what} {_short(pos)} is not finite (NaN, infinite or too large)")
        return None
    if not (-180.0 <= x <= 180.0 and -90.0 <= y <= 90.0):
        hint = " (it looks like [latitude, longitude]: swap them)" if -90 <= x <= 90 and -180 <= y <= 180 else ""
        ctx.problem(
            "geometry",
            f"{what} [{x:g}, {y:g}] is outside longitude [-180, 180] x latitude [-90, 90]{hint}",
        )
        return None
    return x, y


def _number(ctx: _Ctx, props: dict[str, Any], name: str, *, lo: float | None = None,
            hi: float | None = None) -> float | None:
    value = props.get(name)
    if value is None:
        return None
    if not _is_real(value):
        ctx.problem(name, f"expected a number, got {type(value).__name__} {_short(value)}")
        return None
    try:
        value = float(value)
    except OverflowError:  # a whole number with hundreds of digits
        ctx.problem(name, f"is {_short(value, 20)}, too large for a number")
        return None
    if not math.isfinite(value):
        ctx.problem(name, f"expected a finite number, got {value}")
        return None
    if lo is not None and value < lo:
        ctx.problem(name, f"is {value:g}; it must not be below {lo:g}")
        return None
    if hi is not None and value > hi:
        ctx.problem(name, f"is {value:g}; it must not be above {hi:g}")
        return None
    return value


def _boolean(ctx: _Ctx, props: dict[str, Any], name: str, default: bool) -> bool:
    value = props.get(name)
    if value is None:
        return default
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral) and int(value) in (0, 1):
        return bool(value)
    ctx.problem(name, f"expected true or false, got {_short(value)}")
    return default


def _text(ctx: _Ctx, props: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = props.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            ctx.problem(name, "is missing; it is required")
        return None
    if isinstance(value, (dict, list)):
        ctx.problem(name, f"expected text, got {type(value).__name__}")
        return None
    return str(value)


def _common(ctx: _Ctx, props: dict[str, Any], rec: dict[str, Any]) -> None:
    for name in _NON_NEGATIVE:
        value = props.get(name)
        if value is None:
            rec[name] = None
        elif (type(value) is float or type(value) is int) and 0.0 <= value <= sys.float_info.max:
            rec[name] = float(value)  # the common case inline (NaN fails the comparison)
        else:
            rec[name] = _number(ctx, props, name, lo=0.0)
    if rec["cost"] is None:
        rec["cost"] = 1.0
    rec["confidence"] = _number(ctx, props, "confidence", lo=0.0, hi=1.0)
    rec["p_success"] = _number(ctx, props, "p_success", lo=0.0, hi=1.0)
    rec["interdictable"] = _boolean(ctx, props, "interdictable", True)


def _storage(ctx: _Ctx, props: dict[str, Any]) -> float | None:
    """Return a node's ``storage``: a number of units, or ``"unlimited"`` (inf); None when absent."""
    value = props.get("storage")
    if isinstance(value, str) and value.strip().lower() in ("unlimited", "inf", "infinity"):
        return math.inf
    return _number(ctx, props, "storage", lo=0.0)


def _extras(ctx: _Ctx, props: dict[str, Any], known: tuple[str, ...], computed_ok: bool) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    for key, value in props.items():
        if key in known:
            continue
        if key in COMPUTED_FIELDS:
            if not computed_ok:
                ctx.warn(key, "is computed by supplynet; the value in the file is ignored")
            continue
        if isinstance(value, float) and not math.isfinite(value):
            ctx.problem(key, f"holds {value}, which is not a JSON value")
            continue
        extras[str(key)] = value
    return extras


def _check_node(ctx: _Ctx, props: dict[str, Any], geom: dict[str, Any] | None,
                computed_ok: bool) -> dict[str, Any] | None:
    if "id" not in props or ctx.fid is None:
        bad = props.get("id")
        ctx.problem("id", "is missing; every node needs a unique id" if bad is None
                    else f"must be a non-empty string or a whole number, got {_short(bad)}")
    rec: dict[str, Any] = {"id": ctx.fid, "type": _text(ctx, props, "type", required=True),
                           "name": _text(ctx, props, "name")}
    _common(ctx, props, rec)
    rec["storage"] = _storage(ctx, props)
    rec["stock"] = _number(ctx, props, "stock", lo=0.0)
    rec["extra"] = _extras(ctx, props, NODE_FIELDS, computed_ok)
    pos = _check_position(ctx, (geom or {}).get("coordinates"), "Point coordinates")
    if pos is None or ctx.fid is None or rec["type"] is None:
        return None
    rec["x"], rec["y"] = pos
    rec["_where"] = ctx
    return rec


def _unique_nodes(report: ValidationReport) -> dict[str, tuple[float, float]]:
    pos: dict[str, tuple[float, float]] = {}
    first: dict[str, int] = {}
    keep = []
    for rec in report.nodes:
        ctx = rec.pop("_where")
        if rec["id"] in pos:
            ctx.problem("id", f"duplicates the id of node feature {first[rec['id']]}")
            continue
        pos[rec["id"]] = (rec["x"], rec["y"])
        first[rec["id"]] = ctx.index
        keep.append(rec)
    report.nodes = keep
    return pos


def _check_edge(ctx: _Ctx, props: dict[str, Any], geom: dict[str, Any] | None,
                node_pos: dict[str, tuple[float, float]], computed_ok: bool) -> dict[str, Any] | None:
    ends = {}
    for end in ("source", "target"):
        raw = props.get(end)
        ident = _as_id(raw)
        if raw is None:
            ctx.problem(end, "is missing; an edge needs both source and target node ids")
        elif ident is None:
            ctx.problem(end, f"must be a node id (string or whole number), got {_short(raw)}")
        elif ident not in node_pos:
            ctx.problem(end, f"names node {ident!r}, which does not exist")
            ident = None
        ends[end] = ident
    if "id" in props and ctx.fid is None:
        ctx.problem("id", f"must be a non-empty string or a whole number, got {_short(props['id'])}")
    rec: dict[str, Any] = {"id": ctx.fid, "source": ends["source"], "target": ends["target"],
                           "mode": _text(ctx, props, "mode")}
    _common(ctx, props, rec)
    rec["length_km"] = _number(ctx, props, "length_km", lo=0.0)
    rec["transit_days"] = _number(ctx, props, "transit_days", lo=0.0)
    rec["bidirectional"] = _boolean(ctx, props, "bidirectional", False)
    rec["extra"] = _extras(ctx, props, EDGE_FIELDS, computed_ok)
    if ends["source"] is not None and ends["source"] == ends["target"]:
        ctx.problem("target", f"equals source {ends['source']!r}: self-loops are not allowed")
        return None
    rec["coords"] = _check_line(ctx, geom)
    if rec["coords"] is False or None in ends.values():
        return None
    rec["_where"] = ctx
    return rec


def _check_line(ctx: _Ctx, geom: dict[str, Any] | None) -> list[tuple[float, float]] | None | bool:
    if geom is None:
        return None
    coords = geom.get("coordinates")
    if not isinstance(coords, (list, tuple)) or len(coords) < 2:
        ctx.problem("geometry", f"a LineString needs at least two positions, got {_short(coords)}")
        return False
    out = []
    for i, pos in enumerate(coords):
        # The common case inline (plain numbers in range; NaN fails the comparisons):
        # at 100k edges a call per position is a second of the read.
        if type(pos) is list and len(pos) >= 2:
            x, y = pos[0], pos[1]
            if ((type(x) is float or type(x) is int) and (type(y) is float or type(y) is int)
                    and -180.0 <= x <= 180.0 and -90.0 <= y <= 90.0):
                out.append((float(x), float(y)))
                continue
        checked = _check_position(ctx, pos, f"LineString position {i}")
        if checked is None:
            return False
        out.append(checked)
    return out


def _check_far_ends(edges: list[dict[str, Any]], node_pos: dict[str, tuple[float, float]]) -> None:
    """Warn, edge by edge, where a geometry's end lies far from its node (one geodesic call)."""
    drawn = [rec for rec in edges if rec["coords"] is not None]
    if not drawn:
        return
    node_xy = np.array([node_pos[rec[end]] for rec in drawn for end in ("source", "target")], dtype=float)
    end_xy = np.array([rec["coords"][i] for rec in drawn for i in (0, -1)], dtype=float)
    far = geodesic_distances_m(node_xy, end_xy) / 1000.0 > FAR_END_KM
    for k in np.flatnonzero(far):
        rec, end = drawn[k // 2], ("source", "target")[k % 2]
        dist_km = geodesic_distances_m(node_xy[k:k + 1], end_xy[k:k + 1])[0] / 1000.0
        rec["_where"].warn("geometry", f"the {end} end lies {dist_km:.1f} km from node {rec[end]!r} "
                                       f"(more than {FAR_END_KM:g} km)")


def _expand_and_name(report: ValidationReport, edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fill default ids, add reverse edges of bidirectional ones, reject duplicate ids."""
    seen: dict[str, int] = {}
    pair_count: dict[tuple[str, str], int] = {}
    out: list[dict[str, Any]] = []
    for rec in edges:
        ctx = rec.pop("_where")
        if rec["id"] is None:
            rec["id"] = _default_id(rec, pair_count)
        todo = [rec, _reverse(rec)] if rec.pop("bidirectional") else [rec]
        for e in todo:
            if e["id"] in seen:
                ctx.problem("id", f"edge id {e['id']!r} is already used by edge feature {seen[e['id']]}")
                continue
            seen[e["id"]] = ctx.index
            out.append(e)
    return out


def _default_id(rec: dict[str, Any], pair_count: dict[tuple[str, str], int]) -> str:
    pair = (rec["source"], rec["target"])
    k = pair_count.get(pair, 0)
    pair_count[pair] = k + 1
    return f"{pair[0]}->{pair[1]}#{k}"


def _reverse(rec: dict[str, Any]) -> dict[str, Any]:
    e = dict(rec)
    e["source"], e["target"] = rec["target"], rec["source"]
    e["id"] = f"{rec['id']}~rev"
    e["coords"] = None if rec["coords"] is None else list(reversed(rec["coords"]))
    e["reverse_of"] = rec["id"]
    e["extra"] = dict(rec["extra"])
    return e
