"""The one JSON encoder: every JSON supplynet writes goes through here.

:func:`json_ready` turns results into plain Python (numbers by
:func:`supplynet.numbers.clean_number`: NaN and the infinities become ``null``);
:func:`dumps` writes them with the project's settings (sorted keys, UTF-8 text rather than
``\\u`` escapes, two-space indent, and ``allow_nan=False``, so a NaN that slipped past the
cleaning fails loudly instead of writing invalid JSON). Tables of 100,000 rows take the
fast path: :func:`row_texts` encodes a DataFrame column by column into one line per
record, and :func:`json_pieces` lays those lines out inside the document in pieces, so a
large report is never one string.

Examples
--------
>>> print(dumps({"b": float("nan"), "a": [1.0, 2 / 3]}))
{
  "a": [
    1,
    0.6666666667
  ],
  "b": null
}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from supplynet.numbers import clean_number, round_finite

__all__ = ["INDENT", "json_ready", "dumps", "encode_line", "records", "row_texts", "json_pieces"]

#: Indent of every multi-line JSON document.
INDENT = 2
#: Records per piece of :func:`json_pieces` output (pieces of a few hundred kB).
ROWS_PER_PIECE = 2048
#: Rows :func:`row_texts` encodes at a time: the text of every cell exists for one block
#: only (at a million nodes, all of them at once were gigabytes).
ROWS_PER_BLOCK = 65_536
_OPTS: dict[str, Any] = dict(sort_keys=True, ensure_ascii=False, allow_nan=False)
#: JSON text of a value already JSON-ready, on one line: every record of every table.
encode_line = json.JSONEncoder(separators=(", ", ": "), **_OPTS).encode
#: JSON text of a string exactly as :data:`encode_line` writes it (C when built).
_JSON_STR = json.encoder.encode_basestring


def json_ready(obj: Any) -> Any:
    """Return ``obj`` as plain Python that JSON can hold: numbers cleaned, keys as strings.

    Mappings become dicts with ``str`` keys, lists, tuples and numpy arrays become lists,
    numbers go through :func:`~supplynet.numbers.clean_number`, and None, NaN and
    pandas' NA become None.

    Examples
    --------
    >>> json_ready({"a": [float("nan"), 2.0], 1: (0.1 + 0.2,), "n": np.int64(3)})
    {'a': [None, 2], '1': [0.3], 'n': 3}
    """
    if isinstance(obj, Mapping):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, np.ndarray)):
        return [json_ready(v) for v in obj]
    if obj is pd.NA:
        return None
    return clean_number(obj)


def dumps(obj: Any, *, indent: int | None = INDENT) -> str:
    """Return ``obj`` as JSON text (made :func:`json_ready` first), without a final newline.

    ``indent=None`` writes it on one line, as :data:`encode_line` does.

    Examples
    --------
    >>> dumps({"b": 1, "a": "é"}, indent=None)
    '{"a": "é", "b": 1}'
    """
    ready = json_ready(obj)
    return encode_line(ready) if indent is None else json.dumps(ready, indent=indent, **_OPTS)


def _scalar(value: Any) -> Any:
    """Return one table cell JSON-ready (a faster :func:`json_ready` for scalars)."""
    kind = type(value)
    if kind is str or kind is bool or kind is int:
        return value
    if value is None or value is pd.NA:
        return None
    if kind is float:
        return None if value != value else clean_number(value)
    return json_ready(value)


#: Cell types :func:`_scalar` returns unchanged.
_READY = {str, bool, int}


def _cells(column: pd.Series) -> list[Any]:
    """Return a column's cells JSON-ready, as :func:`json_ready` makes each: whole numbers
    of a float column in one numpy pass, text, flags and ints as they are."""
    if column.dtype.kind != "f":
        cells = column.tolist()
        if set(map(type, cells)) <= _READY:  # text, flags and ints are JSON-ready as they are
            return cells
        return [_scalar(v) for v in cells]
    values = column.to_numpy(dtype=float)
    finite = np.isfinite(values)
    # Whole numbers of at most 10 digits are their own 10-significant-digit rounding;
    # longer ones are rounded like every other number (round_finite).
    whole = finite & (np.abs(values) < 1e10)
    whole[whole] = values[whole] == np.floor(values[whole])
    out: list[Any] = values.tolist()
    for i in np.flatnonzero(~finite).tolist():
        out[i] = None
    rest = np.flatnonzero(finite & ~whole)
    for i, v in zip(rest.tolist(), [round_finite(v) for v in values[rest].tolist()]):
        out[i] = v
    for i, v in zip(np.flatnonzero(whole).tolist(), values[whole].astype(np.int64).tolist()):
        out[i] = v
    return out


def _keys(df: pd.DataFrame, cols: tuple[str, ...]) -> list[str]:
    return ["id", *(c for c in cols if c in df.columns)]


def records(df: pd.DataFrame, cols: tuple[str, ...]) -> list[dict[str, Any]]:
    """Return the rows of ``df`` as JSON-ready dicts: ``id`` (the index) first, then ``cols``.

    Columns of ``cols`` that ``df`` lacks are left out. Whole columns go through ``tolist``
    (Python scalars) instead of row-wise pandas access, which at 100,000 nodes is the
    difference between seconds and a minute.

    Examples
    --------
    >>> df = pd.DataFrame({"x": [1.0, float("inf")]}, index=pd.Index(["a", "b"], name="id"))
    >>> records(df, ("x", "y"))
    [{'id': 'a', 'x': 1}, {'id': 'b', 'x': None}]
    """
    keys = _keys(df, cols)
    columns = [list(df.index)] + [_cells(df[c]) for c in keys[1:]]
    return [dict(zip(keys, row)) for row in zip(*columns)]


def _texts(values: list[Any]) -> list[str]:
    """Return the JSON text :data:`encode_line` writes for each cleaned cell."""
    kinds = set(map(type, values)) - {type(None)}
    if kinds <= {int, float}:  # finite after cleaning; str() is repr() for both
        return ["null" if v is None else str(v) for v in values]
    if kinds <= {str}:
        return ["null" if v is None else _JSON_STR(v) for v in values]
    if kinds <= {bool}:
        return ["null" if v is None else "true" if v else "false" for v in values]
    return [encode_line(v) for v in values]


def row_texts(df: pd.DataFrame, cols: tuple[str, ...]) -> list[str]:
    """Return :data:`encode_line` of each of :func:`records`, built column by column.

    Same bytes as encoding the records one by one (a test holds the two together), in
    about a third of the time at 100,000 rows: no dict per row, one ``%`` per row. A cell's
    text does not depend on the others, so long tables go :data:`ROWS_PER_BLOCK` rows at a
    time.

    Examples
    --------
    >>> df = pd.DataFrame({"x": [1.5], "name": ['q"uote']}, index=pd.Index(["a"], name="id"))
    >>> row_texts(df, ("x", "name"))
    ['{"id": "a", "name": "q\\\\"uote", "x": 1.5}']
    """
    if len(df) > ROWS_PER_BLOCK:  # a block at a time: a text per cell only for one block
        return [text for start in range(0, len(df), ROWS_PER_BLOCK)
                for text in row_texts(df.iloc[start:start + ROWS_PER_BLOCK], cols)]
    keys = _keys(df, cols)
    texts = {"id": _texts(list(df.index))}
    for c in keys[1:]:
        texts[c] = _texts(_cells(df[c]))
    order = sorted(keys)  # what sort_keys does to each record
    template = "{" + ", ".join(_JSON_STR(k).replace("%", "%%") + ": %s" for k in order) + "}"
    return [template % row for row in zip(*(texts[k] for k in order))]


def json_pieces(doc: dict[str, Any], rows: Mapping[str, list[str]]) -> list[str]:
    """Return the JSON object ``doc`` plus the encoded records ``rows`` (by key), in pieces.

    ``doc`` is made :func:`json_ready`; keys are sorted and the object indented as
    :func:`dumps` indents it, except that each record of ``rows`` sits on a line of its
    own. The records come in pieces of :data:`ROWS_PER_PIECE` lines, so a large document
    is written without ever being one string. The pieces end with a newline.

    Examples
    --------
    >>> print("".join(json_pieces({"b": 1}, {"nodes": ['{"id": "a"}']})), end="")
    {
      "b": 1,
      "nodes": [
        {"id": "a"}
      ]
    }
    """
    pieces = ["{\n"]
    keys = sorted({*doc, *rows})
    pad = " " * INDENT
    for n, key in enumerate(keys):
        name, end = _JSON_STR(str(key)), (",\n" if n < len(keys) - 1 else "\n")
        lines = rows.get(key)
        if lines:
            pieces.append(f"{pad}{name}: [\n")
            for i in range(0, len(lines), ROWS_PER_PIECE):
                block = lines[i:i + ROWS_PER_PIECE]
                last = i + ROWS_PER_PIECE >= len(lines)
                pieces.append(pad * 2 + f",\n{pad * 2}".join(block) + ("\n" if last else ",\n"))
            pieces.append(pad + "]" + end)
        else:
            text = dumps(doc.get(key, lines)).replace("\n", "\n" + pad)
            pieces.append(f"{pad}{name}: {text}{end}")
    pieces.append("}\n")
    return pieces
