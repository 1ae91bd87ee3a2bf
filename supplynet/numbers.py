"""The number policy: how every figure supplynet writes is spelled.

Two audiences, one function each:

* people (text, Markdown, SVG labels, map popups) read :func:`format_number`: thousands
  separators, four significant digits, ``unlimited`` for an infinite value and ``-`` for a
  missing one; shares are :func:`format_percent`, where a nonzero share never reads 0%;
* programs (JSON, CSV) read :func:`clean_number`: ten significant digits, and None (JSON
  ``null``, an empty CSV cell) for NaN and the infinities, which JSON cannot hold.

Floats are rounded here and only here, so an analysis keeps its full precision. Lists of
names that grow with the network are cut here too (:func:`short_list`: the first few, then
``... and N more``), for every layer's messages and reports.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

__all__ = ["LIST_LIMIT", "short_list", "MISSING", "UNLIMITED", "format_number", "format_percent", "format_share", "clean_number", "clean_real", "round_finite"]

#: Items of a list written on one line of text or Markdown before "... and N more".
LIST_LIMIT = 10
#: What a missing figure (None, NaN, NA) reads as.
MISSING = "-"
#: What an infinite figure reads as: an unlimited capacity or flow.
UNLIMITED = "unlimited"
#: Significant digits shown to people (JSON and CSV keep 10: see clean_number).
_SHOWN_DIGITS = 4
#: From here on four significant digits would switch to exponent notation: show the integer.
_WHOLE_FROM = 10.0 ** (_SHOWN_DIGITS - 1)


def _real(value: Any) -> float | int | None:
    """Return ``value`` as a Python int or float, or None when it is no number (bools are not)."""
    kind = type(value)
    if kind is float or kind is int:  # the common case, without the slower ABC checks below
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    return float(value)


def format_number(value: Any, unit: str = "", *, decimals: int | None = None) -> str:
    """Return a figure as people read it: ``1,235``, ``0.6667``, ``unlimited``, ``-``.

    A float is written whole when it is whole, else with four significant digits (from
    1,000 on, rounded to a whole number rather than written as an exponent), both with
    thousands separators; ``decimals`` asks for exactly that many decimals instead
    (lengths). An int is written as it is, without separators: figures are floats, and
    an int is more often a year, a code or an id from the input. Anything that is not a
    number is written as ``str`` does.

    Parameters
    ----------
    value : number, None or any
    unit : str
        Appended to a number (``"%"``, ``" km"``), not to ``unlimited`` or ``-``.
    decimals : int, optional

    Examples
    --------
    >>> format_number(1234.5678), format_number(320.0), format_number(2 / 3), format_number(12345.0)
    ('1,235', '320', '0.6667', '12,345')
    >>> format_number(2023), format_number(1 / 3, " km")
    ('2023', '0.3333 km')
    >>> format_number(float("inf")), format_number(None), format_number(float("nan"))
    ('unlimited', '-', '-')
    >>> format_number(32.8125, "%"), format_number(98765.4321), format_number(687.734, decimals=1)
    ('32.81%', '98,765', '687.7')
    """
    number = _real(value)
    if number is None:
        return MISSING if value is None or _is_na(value) else f"{value}{unit}"
    if isinstance(number, float):
        if math.isnan(number):
            return MISSING
        if math.isinf(number):
            return UNLIMITED if number > 0 else f"-{UNLIMITED}"
        if decimals is not None:
            return f"{number:,.{decimals}f}{unit}"
        if number.is_integer() or abs(number) >= _WHOLE_FROM:
            return f"{round(number):,}{unit}"
        return f"{number:,.{_SHOWN_DIGITS}g}{unit}"
    return f"{number}{unit}" if decimals is None else f"{number:,.{decimals}f}{unit}"


def format_percent(value: Any, *, decimals: int = 0, fixed: bool = False) -> str:
    """Return a percentage (``value`` is already in percent) rounded to ``decimals``.

    A share that rounds to zero but is not zero reads ``<1%`` (``<0.1%`` with one
    decimal): the reader learns it is small, not that it is nothing. Trailing zeros are
    dropped (``50%``) unless ``fixed``.

    Examples
    --------
    >>> format_percent(32.8125), format_percent(32.8125, decimals=1), format_percent(50.0, decimals=1)
    ('33%', '32.8%', '50%')
    >>> format_percent(0.34), format_percent(0.04, decimals=1), format_percent(0.0), format_percent(None)
    ('<1%', '<0.1%', '0%', '-')
    >>> format_percent(16.24, decimals=1, fixed=True), format_percent(0.0, decimals=1, fixed=True)
    ('16.2%', '0.0%')
    """
    number = _real(value)
    if number is None or not math.isfinite(number):
        return format_number(value, "%")
    rounded = round(number, decimals)
    if number != 0 and rounded == 0:
        step = format_number(10.0 ** -decimals)
        return f"<{step}%" if number > 0 else f">-{step}%"
    return format_number(rounded, "%", decimals=decimals if fixed else None)


def format_share(part: float, whole: float, *, decimals: int = 0) -> str:
    """Return ``part`` as a percentage of ``whole`` (``-`` when that has no finite value).

    Examples
    --------
    >>> format_share(165, 320), format_share(1, 320), format_share(0, 320), format_share(5, 0)
    ('52%', '<1%', '0%', '-')
    """
    if not (math.isfinite(part) and math.isfinite(whole)) or whole <= 0:
        return MISSING
    return format_percent(100.0 * part / whole, decimals=decimals)


def clean_number(value: Any) -> Any:
    """Return a JSON-safe scalar: NaN and infinities become None, floats get 10 significant digits.

    Whole floats become ints (``20.0`` -> ``20``); numpy scalars become Python ones;
    anything else is returned as it is. (It runs once a cell of a 100,000-row table: keep
    it lean.)

    Examples
    --------
    >>> clean_number(float("inf")) is None, clean_number(20.0), clean_number(1 / 3)
    (True, 20, 0.3333333333)
    >>> clean_number(1.7976931348623157e308)  # would round up past the largest float
    1.7976931348623157e+308
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return round_finite(value)
    return value


def round_finite(value: float) -> float | int:
    """Return a finite float at 10 significant digits, whole ones as ints: the core of
    :func:`clean_number`, for callers that have already sorted out NaN and infinities.

    Examples
    --------
    >>> round_finite(2 / 3), round_finite(20.0), round_finite(1e20), round_finite(0.1 + 0.2)
    (0.6666666667, 20, 1e+20, 0.3)
    """
    rounded = float(f"{value:.10g}")  # a constant spec: a third faster than a computed one
    if rounded == _INF or rounded == -_INF:  # rounding up the largest floats overflows: keep them whole
        return value
    return int(rounded) if rounded.is_integer() and -_WHOLE < rounded < _WHOLE else rounded


_INF = math.inf
_WHOLE = 2.0**53


def clean_real(value: Any) -> float | None:
    """Return :func:`clean_number` of a number, kept a float (``20.0`` stays ``20.0``).

    For a GIS column whose type must not depend on its values (GDAL types a field by
    them: all whole numbers would make an Integer field).

    Examples
    --------
    >>> clean_real(20.0), clean_real(1 / 3), clean_real(float("nan")) is None
    (20.0, 0.3333333333, True)
    """
    number = clean_number(value)
    return None if number is None else float(number) if isinstance(number, int) and abs(number) < 2**53 else number


def _is_na(value: Any) -> bool:
    """Return whether ``value`` is pandas' missing-value marker (without importing pandas)."""
    return type(value).__name__ == "NAType"


def short_list(items: Sequence[str], limit: int | None = LIST_LIMIT, *, empty: str = "none",
               sep: str = ", ") -> str:
    """Return ``items`` joined by ``sep``, the first ``limit`` of them then ``... and N more``.

    ``limit`` None writes them all (``--full``).

    Examples
    --------
    >>> short_list(["a", "b", "c"], 2), short_list(["a", "b"], 2), short_list([]), short_list(list("abc"), None)
    ('a, b ... and 1 more', 'a, b', 'none', 'a, b, c')
    """
    items = list(items)
    if not items:
        return empty
    if limit is None or len(items) <= limit:
        return sep.join(items)
    return f"{sep.join(items[:limit])} ... and {len(items) - limit:,} more"
