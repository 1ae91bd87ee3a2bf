"""Conversions a snapshot needs: integer units, capacity scales, element selections.

See :mod:`supplynet.engine.snapshot` for the conventions these implement.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from supplynet._errors import AnalysisError

__all__ = [
    "MAX_UNITS",
    "Scales",
    "Selection",
    "check_values",
    "frozen",
    "indices",
    "integer_scale",
    "number",
    "multipliers",
    "scaled_units",
    "units",
]

logger = logging.getLogger(__name__)

#: Kernel totals must stay below this (INF, the solver's sentinel, is 2**62).
MAX_UNITS = 2**61
_MAX_DECIMALS = 6

#: Removed elements: index array, boolean mask, or ids.
Selection = Any
#: Capacity multipliers in [0, 1]: a full-length array or ``{id or index: scale}``.
Scales = Any


def integer_scale(values: np.ndarray, what: str) -> int:
    """Return the smallest ``10**d`` (``d <= 6``) making every value whole."""
    for d in range(_MAX_DECIMALS + 1):
        x = values * 10.0**d
        if np.all(np.abs(x - np.rint(x)) <= 1e-9 * np.maximum(1.0, np.abs(x))):
            return 10**d
    logger.info("%s have more than %d decimals; rounded to 1e-%d", what, _MAX_DECIMALS,
                _MAX_DECIMALS)
    return 10**_MAX_DECIMALS


def units(values: np.ndarray, what: str) -> tuple[np.ndarray, int, int]:
    """Return ``(int64 units with unlimited marked, scale, unlimited)`` for values."""
    finite = np.isfinite(values)
    scale = integer_scale(values[finite], what)
    total = float(values[finite].sum()) * scale
    if total + 1 >= MAX_UNITS:
        raise AnalysisError(
            f"{what} sum to {total / scale:g}, which in steps of 1/{scale} exceeds the "
            f"2**61 units the flow kernels count in; rescale them (e.g. to thousands)"
        )
    units = np.zeros(len(values), np.int64)
    units[finite] = np.rint(values[finite] * scale).astype(np.int64)
    unlimited = int(units[finite].sum()) + 1
    units[~finite] = unlimited
    return units, scale, unlimited


def check_values(values: np.ndarray, names: Sequence[str], what: str, kind: str) -> None:
    """Raise AnalysisError naming the first elements with a negative or NaN value."""
    bad = np.flatnonzero(~(values >= 0))
    if len(bad):
        shown = ", ".join(f"{names[i]!r} ({values[i]})" for i in bad[:5])
        raise AnalysisError(f"{len(bad)} {kind}(s) have a negative or missing {what}: {shown}")


def number(value: Any, default: float) -> float:
    """Return ``value`` as a float; None means ``default``."""
    return default if value is None else float(value)


def frozen(array: np.ndarray) -> np.ndarray:
    """Return ``array`` made read-only (a snapshot never changes)."""
    array.setflags(write=False)
    return array


def indices(selection: Selection, index: Mapping[str, int], what: str) -> np.ndarray:
    """Return int64 indices for an index array, a boolean mask or ids."""
    if selection is None:
        return np.zeros(0, np.int64)
    arr = np.asarray(selection if not isinstance(selection, str) else [selection])
    if arr.size == 0:
        return np.zeros(0, np.int64)
    if arr.dtype == bool:
        if arr.shape != (len(index),):
            raise AnalysisError(f"{what}: a mask needs {len(index)} entries, got {arr.shape}")
        return np.flatnonzero(arr).astype(np.int64)
    if arr.dtype.kind in "iu":
        if arr.min() < 0 or arr.max() >= len(index):
            raise AnalysisError(f"{what}: index out of range 0..{len(index) - 1}")
        return arr.astype(np.int64).ravel()
    unknown = [str(x) for x in arr.ravel() if str(x) not in index]
    if unknown:
        raise AnalysisError(f"{what}: unknown id(s) {', '.join(map(repr, unknown[:10]))}")
    return np.array([index[str(x)] for x in arr.ravel()], np.int64)


def multipliers(given: Scales, index: Mapping[str, int], what: str) -> np.ndarray | None:
    """Return a full-length array of multipliers in [0, 1] (None if no scaling)."""
    if given is None:
        return None
    if isinstance(given, Mapping):
        out = np.ones(len(index))
        for key, value in given.items():
            if not isinstance(key, (int, np.integer)) and key not in index:
                raise AnalysisError(f"{what}: unknown id {key!r}")
            out[key if isinstance(key, (int, np.integer)) else index[key]] = value
    else:
        out = np.asarray(given, float)
        if out.shape != (len(index),):
            raise AnalysisError(f"{what} needs {len(index)} entries, got shape {out.shape}")
    if not np.all((out >= 0) & (out <= 1)):
        raise AnalysisError(f"{what}: multipliers must lie in [0, 1]")
    return out


def scaled_units(base: np.ndarray, unlimited: int, factors: np.ndarray | None) -> np.ndarray:
    """Return capacities in (possibly fractional) units after multipliers."""
    out = base.astype(float)
    if factors is None:
        return out
    finite = base < unlimited
    out[finite] = base[finite] * factors[finite]
    out[~finite & (factors == 0)] = 0.0
    return out
