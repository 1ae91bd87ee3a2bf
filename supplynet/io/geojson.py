"""GeoJSON through a C parser (orjson), a few megabytes of features at a time, into columns.

A small document is parsed whole. A large one is never held as Python objects all at
once: its ``features`` array is cut where an item can begin (a ``{`` after a comma) into
pieces of about :data:`CHUNK_BYTES`, and each piece is parsed, walked into columns and
freed. A cut that falls inside a feature (a ``,{`` inside a property) makes the piece fail
to parse; it is then joined to the next one, so a piece that parses is proof that its
cuts were true item boundaries. Where orjson refuses something Python's own parser takes
(``NaN``, integers beyond 64 bits, a lone surrogate) that piece is parsed by Python, so
validation can name the feature; a JSON syntax error is reported at its line and column.

Duplicate keys are found without slowing the common case: a piece's text has as many
colons outside strings as its objects have keys, so when orjson's re-encoding of the piece
has fewer colons than the text (and the text escapes no colon), some key was given twice,
and the piece is parsed again by Python to find which.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Iterator
from itertools import chain
from typing import Any

import numpy as np

from supplynet._errors import NetworkReadError
from supplynet.io.columns import (GEOM_LINE, GEOM_NULL, GEOM_OTHER, GEOM_POINT, GEOM_SKIP, Column,
                                  FeatureBlock, MemoryBudget)

__all__ = ["CHUNK_BYTES", "WHOLE_BYTES", "parse_geojson", "parse_json"]

#: Documents up to this size are parsed whole.
WHOLE_BYTES = 16 << 20
#: Text per piece of a large document.
CHUNK_BYTES = 8 << 20

_FEATURES_KEY = re.compile(rb'"features"\s*:\s*\[')
#: An escaped colon (``\u003a``) would hide a key from the colon count.
_ESCAPED_COLON = re.compile(rb"\\u003[aA]")
#: A surrogate escape: lone ones are not Unicode and must be checked for.
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
_WS = b" \t\r\n"
#: Text after the features array (the collection's other members) searched for its end.
_SUFFIX_LIMIT = 1 << 20
_NUMBER = (int, float)


class _Dup(dict):
    """A JSON object in which some key was given twice (``dups`` lists them)."""

    __slots__ = ("dups",)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) == len(pairs):
        return out
    seen: set[str] = set()
    dup = _Dup(out)
    dup.dups = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
    return dup


def _constant(name: str) -> float:
    # NaN and Infinity are not JSON (RFC 8259); keep them as floats so that validation
    # can name the feature and property that holds them.
    return math.nan if name == "NaN" else (math.inf if name == "Infinity" else -math.inf)


def _python(text: bytes) -> Any:
    """Parse with Python's json, objects with a repeated key as :class:`_Dup`."""
    return json.loads(text, parse_constant=_constant, object_pairs_hook=_pairs)


def _fast(text: bytes) -> tuple[Any, bool]:
    """Return ``(value, exact)``: orjson's parse, or Python's where orjson cannot be exact.

    Raises ValueError (json.JSONDecodeError, UnicodeDecodeError) for text neither parses,
    RecursionError for nesting too deep for Python.
    """
    import orjson

    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return _python(text), True
    return value, _keys_once(text, value)


def _keys_once(text: bytes, value: Any) -> bool:
    """Return True when no object of ``value`` repeats a key (see the module notes)."""
    import orjson

    if b"\\u003" in text and _ESCAPED_COLON.search(text):
        return False
    try:
        again = orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return False
    return again.count(b":") == text.count(b":")


def parse_json(data: bytes, label: str) -> Any:
    """Return a JSON document parsed exactly (objects with a repeated key as ``_Dup``).

    Raises
    ------
    NetworkReadError
        Not UTF-8, not JSON (with the line and column), or nested too deeply.
    """
    try:
        value, exact = _fast(data)
        return value if exact else _python(data)
    except (ValueError, RecursionError) as exc:
        raise _json_error(exc, data, label, 0) from None


def _has_dups(value: Any) -> bool:
    """Return whether any object in ``value`` is a ``_Dup`` (iteratively: depth is the input's)."""
    stack = [value]
    while stack:
        obj = stack.pop()
        if type(obj) is _Dup:
            return True
        if isinstance(obj, dict):
            stack.extend(v for v in obj.values() if isinstance(v, (dict, list)))
        elif isinstance(obj, list):
            stack.extend(v for v in obj if isinstance(v, (dict, list)))
    return False


def _json_error(exc: BaseException, data: bytes, label: str, offset: int, text: bytes | None = None,
                shift: int = 0) -> NetworkReadError:
    """Return the read error of a parse that failed on ``text`` (by default ``data``).

    ``text`` starts at byte ``offset`` of ``data``, after ``shift`` bytes of our own.
    """
    if isinstance(exc, RecursionError):
        return NetworkReadError(f"{label}: JSON nested too deeply to be a network file")
    if isinstance(exc, UnicodeDecodeError):
        return NetworkReadError(f"{label}: not UTF-8 text ({exc.reason} at byte {offset + exc.start - shift})")
    if not isinstance(exc, json.JSONDecodeError):
        return NetworkReadError(f"{label}: not valid JSON ({exc})")
    chars = (text if text is not None else data).decode("utf-8", "surrogatepass")
    at = offset + max(0, len(chars[:exc.pos].encode("utf-8", "surrogatepass")) - shift)
    at = min(at, len(data))
    line = data.count(b"\n", 0, at) + 1
    column = len(data[data.rfind(b"\n", 0, at) + 1:at].decode("utf-8", "replace")) + 1
    cut = at >= len(data.rstrip()) - 1 or exc.msg.startswith("Unterminated string")
    where = f"{exc.msg}; the file ends too early (truncated?)" if cut else exc.msg
    return NetworkReadError(f"{label}: not valid JSON at line {line}, column {column}: {where}")


def parse_geojson(data: bytes, label: str, *, max_features: int, max_feature_bytes: int,
                  budget: MemoryBudget | None = None) -> tuple[Any, Any]:
    """Return ``(top, features)``: the document without its features, and a :class:`FeatureBlock`.

    ``top`` is the parsed document (a ``_Dup`` when a top-level key repeats) with
    ``features`` emptied, or whatever the document is when it is not an object;
    ``features`` is None when the document has no ``features`` array.

    Raises
    ------
    NetworkReadError
        The text is not JSON, holds more than ``max_features`` features, a feature is
        longer than ``max_feature_bytes``, or reading passes the memory ``budget``.
    """
    check_text = b"\\u" in data and _SURROGATE.search(data) is not None
    if len(data) <= WHOLE_BYTES:
        doc = parse_json(data, label)
        feats = doc.get("features") if isinstance(doc, dict) else None
        if not isinstance(feats, list):
            return doc, None
        doc["features"] = []
        _limit(len(feats), max_features, label)
        walker = _Walker(label, check_text, budget)
        walker.walk(feats)
        if _has_dups(feats):
            walker.mark_duplicates(0, feats)
        return doc, walker.block()
    return _parse_large(data, label, check_text, max_features, max_feature_bytes, budget)


def _limit(count: int, max_features: int, label: str) -> None:
    if count > max_features:
        raise NetworkReadError(
            f"{label}: holds {count:,} features, more than the limit of {max_features:,} for one network "
            "(raise it with SUPPLYNET_MAX_FEATURES if this machine has the memory: see docs/network-format.md)")


def _skip_ws(data: bytes, i: int, end: int) -> int:
    while i < end and data[i] in _WS:
        i += 1
    return i


def _parse_large(data: bytes, label: str, check_text: bool, max_features: int,
                 max_feature_bytes: int, budget: MemoryBudget | None) -> tuple[Any, Any]:
    n = len(data)
    opened = None
    for match in _FEATURES_KEY.finditer(data):
        # The key is the collection's own when the text up to it is a well-formed
        # object start: `{... "features": []}` parses.
        try:
            head = _python(data[:match.end()] + b"]}")
        except (ValueError, RecursionError):
            continue
        if isinstance(head, dict):
            opened = match.end() - 1
            break
    if opened is None:
        first = data.lstrip()[:1]
        if first != b"{":
            return parse_json(data, label), None
        raise NetworkReadError(f"{label}: no top-level \"features\" array found; expected a GeoJSON "
                               "FeatureCollection")
    starts = _item_starts(data, opened)
    _limit(len(starts), max_features, label)
    walker = _Walker(label, check_text, budget)
    closed = opened + 1
    if starts:
        closed = _walk_pieces(data, label, opened, starts, walker, max_feature_bytes)
    else:
        closed = _skip_ws(data, opened + 1, n)
        if closed >= n or data[closed] != ord("]"):
            raise _json_error(json.JSONDecodeError("Expecting value", data[opened:].decode("utf-8", "replace"), 1),
                              data, label, opened)
    _limit(walker.count, max_features, label)
    rest = data[:opened + 1] + data[closed:]
    try:
        top = _python(rest) if check_text else _fast(rest)[0]
        if not check_text and not _keys_once(rest, top):
            top = _python(rest)
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, json.JSONDecodeError) and exc.pos > opened:
            raise _json_error(exc, data, label, closed, rest, opened + 1) from None
        raise _json_error(exc, data, label, 0, rest) from None
    return top, walker.block()


def _item_starts(data: bytes, opened: int) -> list[int]:
    """Return where items of the array opened at ``opened`` may begin: its first value, and
    every ``{`` after a comma (some may lie inside a feature: pieces verify them)."""
    a = np.frombuffer(data, np.uint8)
    first = _skip_ws(data, opened + 1, len(data))
    if first >= len(data) or data[first] == ord("]"):
        return []
    brace = np.flatnonzero(a[first + 1:] == ord("{")) + first + 1
    prev = brace - 1
    for _ in range(64):  # look back over whitespace
        ws = np.isin(a[prev], (32, 9, 10, 13))
        if not ws.any():
            break
        prev[ws] -= 1
    starts = brace[a[prev] == ord(",")]
    return [first, *starts.tolist()]


def _walk_pieces(data: bytes, label: str, opened: int, starts: list[int], walker: _Walker,
                 max_feature_bytes: int) -> int:
    """Parse the items from ``starts`` piece by piece into ``walker``; return the array's end."""
    closes = _closes(data, opened, starts[0])
    close = next(closes, None)
    if close is None:
        _raise_at(data, label, starts[-1], len(data), walker.count, max_feature_bytes)
    k = 0
    while True:
        m = bisect.bisect_left(starts, close)
        nxt = starts[k + 1] if k + 1 < m else close
        if nxt - starts[k] > max_feature_bytes:
            _too_large(label, walker.count, nxt - starts[k], max_feature_bytes)
        j = k + 1
        # grow the piece to about CHUNK_BYTES, but stop before an item past the feature limit
        while j < m and starts[j] - starts[k] < CHUNK_BYTES and \
                (starts[j + 1] if j + 1 < m else close) - starts[j] <= max_feature_bytes:
            j += 1
        while True:
            final = j >= m
            text = data[starts[k]:close if final else starts[j]].rstrip()
            if not final:
                text = text[:-1] if text.endswith(b",") else b"]"  # `]`: never parses
            parsed, checked = _piece(text)
            if parsed is not None:
                break
            if final:  # that bracket did not close the array: the next one to the left
                close = next(closes, None)
                if close is None or close <= starts[k]:
                    _raise_at(data, label, starts[k], len(data), walker.count, max_feature_bytes)
                m = bisect.bisect_left(starts, close)
                j = min(j, m)
                continue
            if starts[j] - starts[k] > max_feature_bytes + CHUNK_BYTES:
                _raise_at(data, label, starts[k], starts[j], walker.count, max_feature_bytes)
            j += 1  # a cut inside a feature: join the next piece
        first = walker.count
        keys = walker.walk(parsed)
        if checked:
            walker.mark_duplicates(first, parsed)
        elif not _counted(text, parsed, keys):  # a key given twice somewhere: find it
            walker.mark_duplicates(first, _python(b"[" + text + b"]"))
        k = j
        if final:
            return close


def _closes(data: bytes, opened: int, lowest: int) -> Iterator[int]:
    """Yield, from the end of the text, the brackets that may close the array opened at ``opened``:
    those after which the rest of the text completes the top-level object."""
    prefix = data[:opened + 1]
    hi = len(data)
    while (close := data.rfind(b"]", lowest, hi)) >= 0:
        if len(data) - close > _SUFFIX_LIMIT:
            return
        try:
            top = _fast(prefix + data[close:])[0]
        except (ValueError, RecursionError):
            top = None
        if isinstance(top, dict):
            yield close
        hi = close


def _too_large(label: str, index: int, size: int, limit: int) -> None:
    raise NetworkReadError(
        f"{label}: feature {index} is {size:,} bytes of text or more, more than the {limit:,} bytes one feature "
        "may hold (raise it with SUPPLYNET_MAX_FEATURE_BYTES)")


def _piece(text: bytes) -> tuple[list[Any] | None, bool]:
    """Return the items of ``text`` (items separated by commas), or None when it does not
    parse, and whether Python parsed them (objects with a repeated key are then ``_Dup``)."""
    import orjson

    wrapped = b"[" + text + b"]"
    try:
        return orjson.loads(wrapped), False
    except orjson.JSONDecodeError:
        pass
    try:
        return _python(wrapped), True
    except (ValueError, RecursionError):
        return None, True


def _counted(text: bytes, value: Any, keys: int) -> bool:
    """Return True when no object parsed from ``text`` repeats a key; ``keys`` is the number of
    keys of its objects.

    When every colon in the text follows a quote, every key ends in ``":`` and the text
    holds at most as many keys as ``":``; the objects cannot have as many keys as that if
    one was given twice. Otherwise orjson's re-encoding is counted (:func:`_keys_once`).
    """
    pairs = text.count(b'":')
    if pairs == text.count(b":"):
        return pairs == keys
    return _keys_once(text, value)


def _raise_at(data: bytes, label: str, start: int, end: int, index: int, max_feature_bytes: int) -> None:
    """Raise the read error of the items from ``start`` to ``end``, which do not parse."""
    text = b"[" + data[start:end]
    try:
        json.loads(text.decode("utf-8"), parse_constant=_constant)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.decode("utf-8")) - 1 and end < len(data):
            # It parses up to where we stopped: one feature runs on past the limit.
            _too_large(label, index, end - start, max_feature_bytes)
        raise _json_error(exc, data, label, start, text, 1) from None
    except (ValueError, RecursionError) as exc:
        raise _json_error(exc, data, label, start, text, 1) from None
    raise NetworkReadError(f"{label}: not valid JSON after byte {start:,}")


class _Walker:
    """Walks parsed features into the columns of a :class:`FeatureBlock`."""

    def __init__(self, label: str, check_text: bool, budget: MemoryBudget | None = None) -> None:
        self.label = label
        self.check_text = check_text
        self.budget = budget
        self.count = 0
        # Rows by the keys of their properties, in order: a file has few such shapes.
        self.shapes: dict[tuple[str, ...], tuple[list[int], list[tuple[Any, ...]]]] = {}
        self.fid_rows: list[int] = []
        self.fid_values: list[Any] = []
        self.geom = bytearray()
        self.geom_name: dict[int, str] = {}
        self.px: list[np.ndarray] = []
        self.py: list[np.ndarray] = []
        self.prow: list[np.ndarray] = []
        self.lrow: list[np.ndarray] = []
        self.lcount: list[np.ndarray] = []
        self.lxy: list[np.ndarray] = []
        self.raw: dict[int, Any] = {}
        self.problems: list[tuple[int, str | None, str]] = []
        self.duplicates: dict[int, list[str]] = {}

    def walk(self, feats: list[Any]) -> int:
        """Add ``feats`` (parsed Features) as rows; return the keys of their feature,
        properties and geometry objects."""
        shapes = self.shapes
        keys_seen = 0
        geom = self.geom
        prow, pts, lrow, lines = [], [], [], []
        row = self.count
        for f in feats:
            t = type(f)
            if (t is dict or t is _Dup) and f.get("type") == "Feature":
                keys_seen += len(f)
                p = f.get("properties")
                tp = type(p)
                if tp is dict or tp is _Dup or p is None:
                    g = f.get("geometry")
                    tg = type(g)
                    if g is None:
                        geom.append(GEOM_NULL)
                    elif (tg is dict or tg is _Dup) and type(kind := g.get("type")) is str:
                        keys_seen += len(g)
                        if kind == "Point":
                            geom.append(GEOM_POINT)
                            prow.append(row)
                            pts.append(g.get("coordinates"))
                        elif kind == "LineString":
                            geom.append(GEOM_LINE)
                            lrow.append(row)
                            lines.append(g.get("coordinates"))
                        else:
                            geom.append(GEOM_OTHER)
                            self.geom_name[row] = kind
                    else:
                        geom.append(255)  # GEOM_SKIP as a byte
                        self.problems.append((row, "geometry", f"is not a GeoJSON geometry object: {_short(g)}"))
                    if p:
                        keys_seen += len(p)
                        keys = tuple(p)
                        shape = shapes.get(keys)
                        if shape is None:
                            shape = shapes[keys] = ([], [])
                        shape[0].append(row)
                        shape[1].append(tuple(p.values()))
                    if "id" in f and not (p and "id" in p):
                        self.fid_rows.append(row)
                        self.fid_values.append(f["id"])
                    row += 1
                    continue
                geom.append(255)  # GEOM_SKIP as a byte
                self.problems.append((row, "properties", f"must be an object, got {type(p).__name__}"))
            else:
                kind = f.get("type") if isinstance(f, dict) else type(f).__name__
                geom.append(255)  # GEOM_SKIP as a byte
                self.problems.append((row, None, f"is {kind!r}, expected a GeoJSON Feature"))
            row += 1
        self.count = row
        self._points(prow, pts)
        self._lines(lrow, lines)
        if self.budget is not None:
            self.budget.check(self.label, row)
        return keys_seen

    def mark_duplicates(self, first: int, feats: list[Any]) -> None:
        """Record the keys given twice in ``feats`` (parsed by Python), rows from ``first``."""
        for row, f in enumerate(feats, first):
            stack = [("", f)]
            while stack:
                where, obj = stack.pop()
                if isinstance(obj, dict):
                    if type(obj) is _Dup:
                        self._dups(row, where, obj)
                    stack.extend((f"{where}.{k}" if where else k, v) for k, v in obj.items()
                                 if isinstance(v, (dict, list)))
                elif isinstance(obj, list):
                    stack.extend((where, v) for v in obj if isinstance(v, (dict, list)))

    def _dups(self, row: int, where: str, obj: _Dup) -> None:
        prefix = f"{where}." if where else ""
        self.duplicates.setdefault(row, []).extend(f"{prefix}{k}" for k in obj.dups)

    def _points(self, rows: list[int], coords: list[Any]) -> None:
        if not rows:
            return
        xy = _positions(coords)
        if xy is None:  # something is not [number, number]: one by one
            xy = np.full((len(coords), 2), math.nan)
            for k, c in enumerate(coords):
                pos = _position(c)
                if pos is None:
                    self.raw[rows[k]] = c
                else:
                    xy[k] = pos
        bad = np.flatnonzero(~np.isfinite(xy).all(axis=1))
        for k in bad.tolist():
            self.raw.setdefault(rows[k], coords[k])
        self.prow.append(np.array(rows, np.int64))
        self.px.append(xy[:, 0].copy())
        self.py.append(xy[:, 1].copy())

    def _lines(self, rows: list[int], lines: list[Any]) -> None:
        if not rows:
            return
        counts = None
        if all(type(c) is list for c in lines):
            counts = np.fromiter(map(len, lines), np.int64, len(lines))
            flat = list(chain.from_iterable(lines))
            xy = _positions(flat) if (counts >= 2).all() else None
        else:
            xy = None
        keep_rows, keep_counts, parts = [], [], []
        if xy is not None:
            bad_pos = np.flatnonzero(~np.isfinite(xy).all(axis=1))
            if len(bad_pos):
                owner = np.repeat(np.arange(len(lines)), counts)
                for k in np.unique(owner[bad_pos]).tolist():
                    self.raw[rows[k]] = lines[k]
            self.lrow.append(np.array(rows, np.int64))
            self.lcount.append(counts)
            self.lxy.append(xy)
            return
        for r, c in zip(rows, lines):
            pts = _line(c)
            if pts is None:
                self.raw[r] = c
                pts = np.zeros((0, 2))
            elif not np.isfinite(pts).all():
                self.raw[r] = c
            keep_rows.append(r)
            keep_counts.append(len(pts))
            parts.append(pts)
        self.lrow.append(np.array(keep_rows, np.int64))
        self.lcount.append(np.array(keep_counts, np.int64))
        self.lxy.append(np.concatenate(parts) if parts else np.zeros((0, 2)))

    def block(self) -> FeatureBlock:
        """Return the columns walked so far."""
        n = self.count
        columns = _columns(self.shapes)
        presence = {}
        for key in ("id", "source", "target"):
            mask = np.zeros(n, bool)
            if key in columns:
                mask[columns[key].rows] = True
            presence[key] = mask
        x = np.full(n, math.nan)
        y = np.full(n, math.nan)
        if self.prow:
            prow = np.concatenate(self.prow)
            x[prow] = np.concatenate(self.px)
            y[prow] = np.concatenate(self.py)
        if self.lrow:
            lrow = np.concatenate(self.lrow)
            counts = np.concatenate(self.lcount)
            lxy = np.concatenate(self.lxy)
        else:
            lrow, counts, lxy = np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 2))
        ptr = np.zeros(len(counts) + 1, np.int64)
        np.cumsum(counts, out=ptr[1:])
        fid = Column(np.array(self.fid_rows, np.int64), self.fid_values) if self.fid_rows else None
        row_shape = np.full(n, -1, np.int64)
        for k, (shape_rows, _) in enumerate(self.shapes.values()):
            row_shape[shape_rows] = k
        return FeatureBlock(
            label=self.label, count=n, index=np.arange(n, dtype=np.int64), columns=columns, feature_id=fid,
            geom=np.frombuffer(bytes(self.geom), np.int8).copy(), geom_name=self.geom_name, x=x, y=y,
            line_rows=lrow, line_ptr=ptr, line_xy=lxy, raw_geometry=self.raw, problems=self.problems,
            duplicates=self.duplicates, presence=presence, driver="geojson", check_text=self.check_text,
            key_order=(list(self.shapes), row_shape),
        )


def _columns(shapes: dict[tuple[str, ...], tuple[list[int], list[tuple[Any, ...]]]]) -> dict[str, Column]:
    """Return each property's column from the rows grouped by shape (rows in no set order)."""
    rows: dict[str, list[np.ndarray]] = {}
    values: dict[str, list[Any]] = {}
    for keys, (shape_rows, shape_values) in shapes.items():
        at = np.array(shape_rows, np.int64)
        for key, column in zip(keys, zip(*shape_values)):
            rows.setdefault(key, []).append(at)
            values.setdefault(key, []).extend(column)
    return {k: Column(np.concatenate(rows[k]) if len(rows[k]) > 1 else rows[k][0], values[k]) for k in rows}


def _positions(coords: list[Any]) -> np.ndarray | None:
    """Return [x, y] positions as an (n, 2) float array, or None when any is not plain numbers."""
    if not coords:
        return np.zeros((0, 2))
    if not all(type(c) is list for c in coords):
        return None
    sizes = set(map(len, coords))
    if len(sizes) != 1 or min(sizes) < 2:
        return None
    flat = list(chain.from_iterable(coords))
    if not set(map(type, flat)) <= {int, float}:
        return None
    try:
        xy = np.array(flat, dtype=float).reshape(len(coords), -1)
    except OverflowError:
        return None
    return xy[:, :2] if xy.shape[1] > 2 else xy


def _position(c: Any) -> tuple[float, float] | None:
    if not isinstance(c, (list, tuple)) or len(c) < 2:
        return None
    x, y = c[0], c[1]
    if type(x) not in _NUMBER or type(y) not in _NUMBER:
        return None
    try:
        return float(x), float(y)
    except OverflowError:
        return math.inf, math.inf


def _line(c: Any) -> np.ndarray | None:
    if not isinstance(c, (list, tuple)) or len(c) < 2:
        return None
    out = []
    for pos in c:
        p = _position(pos)
        if p is None:
            return None
        out.append(p)
    return np.array(out, dtype=float)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
