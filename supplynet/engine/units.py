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
    "decimal_places",
    "multipliers",
    "refinement",
    "scaled_units",
    "units",
]

logger = logging.getLogger(__name__)

#: Kernel totals must stay below this (INF, the solver's sentinel, is 2**62).
MAX_UNITS = 2**61
#: Most decimals a scale keeps: a float has about 17 significant digits.
MAX_DECIMALS = 18

#: Removed elements: index array, boolean mask, or ids.
Selection = Any
#: Capacity multipliers in [0, 1]: a full-length array or ``{id or index: scale}``.
Scales = Any


def decimal_places(values: np.ndarray) -> int | None:
    """Return the fewest decimals ``d <= 18`` that hold every finite value exactly (None if none do).

    A value "holds" at ``d`` decimals when rounding it to ``d`` decimals gives the same
    float back, which is how a number written with ``d`` decimals in a file reads back.

    Examples
    --------
    >>> decimal_places(np.array([1.0, 2.5, 0.25, np.inf])), decimal_places(np.array([0.3, 7.0]))
    (2, 1)
    >>> decimal_places(np.array([1 / 3]))
    16
    """
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if not v.size or np.all(v == np.rint(v)):
        return 0
    for d in range(1, MAX_DECIMALS + 1):
        if np.all(np.round(v, d) == v):
            return d
    return None


def _fitting_decimals(total: float) -> int:
    """Return the most decimals whose units keep ``total`` (and twice it) below the kernel limit."""
    if total <= 0:
        return MAX_DECIMALS
    return max(0, min(MAX_DECIMALS, int(np.floor(np.log10(MAX_UNITS / (2.0 * total))))))


def units(values: np.ndarray, what: str) -> tuple[np.ndarray, int, int, bool]:
    """Return ``(int64 units with unlimited marked, scale, unlimited, rounded)`` for values.

    The scale is ``10**d`` for the fewest decimals ``d`` that hold every value exactly, so
    the kernels' integer answers are exact; where those units would not fit the kernels'
    64-bit totals (or no ``d <= 18`` holds them, as for 1/3), the most decimals that fit are
    kept and ``rounded`` is True: each value is then off by at most half a unit, a
    relative error far below 1e-9 unless values span more than nine orders of magnitude.

    Examples
    --------
    >>> units(np.array([2.5, np.inf, 1.0]), "capacities")[1:]
    (10, 36, False)
    >>> cap = units(np.full(3, 1 / 3), "capacities")
    >>> cap[1:], bool(abs(cap[0].sum() / cap[1] - 1.0) < 1e-15)
    ((10000000000000000, 10000000000000000, False), True)
    """
    finite = np.isfinite(values)
    total = float(values[finite].sum())
    if total + 1 >= MAX_UNITS:
        raise AnalysisError(f"{what} sum to {total:g}, which exceeds the 2**61 units the flow kernels count in; "
                            "rescale them (e.g. to thousands)")
    wanted, fit = decimal_places(values), _fitting_decimals(total)
    rounded = wanted is None or wanted > fit
    d = fit if rounded else wanted
    if rounded:
        logger.info("%s have more decimals than the kernels hold at this total; rounded to 1e-%d", what, d)
    scale = 10**d
    out = np.zeros(len(values), np.int64)
    out[finite] = np.rint(values[finite] * float(scale)).astype(np.int64)
    unlimited = int(out[finite].sum()) + 1
    out[~finite] = unlimited
    return out, scale, unlimited, rounded


def check_values(values: np.ndarray, names: Sequence[str], what: str, kind: str) -> None:
    """Raise AnalysisError naming the first elements with a negative or NaN value."""
    bad = np.flatnonzero(~(values >= 0))
    if len(bad):
        shown = ", ".join(f"{names[i]!r} ({values[i]})" for i in bad[:5])
        raise AnalysisError(f"{len(bad)} {kind}(s) have a negative or missing {what}: {shown}")


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


def scaled_units(base: np.ndarray, unlimited: int, factors: np.ndarray | None,
                 refine: int, *, exact: bool = True) -> np.ndarray:
    """Return capacities in units refined by ``refine`` after multipliers, exactly.

    ``refine`` is ``10**d`` for the decimals of the multipliers (see :func:`refinement`),
    so ``base * factor * refine`` is a whole number, computed in integers: 7 units at
    0.3 is 21 tenths, never 20.999. An unlimited capacity stays unlimited (``unlimited *
    refine``) under any multiplier above 0. With ``exact`` False (see :func:`refinement`)
    scaled capacities are rounded to the nearest refined unit instead.
    """
    out = base.astype(np.int64) * refine
    if factors is None:
        return out
    finite = base < unlimited
    if exact:
        whole = np.rint(factors * refine).astype(np.int64)  # the multipliers in 1/refine steps
        out[finite] = base[finite] * whole[finite]
    else:  # the multipliers' decimals would overflow: the finest unit that fits, rounded
        out[finite] = np.rint(base[finite] * factors[finite] * refine).astype(np.int64)
    out[~finite & (factors == 0)] = 0
    return out


def refinement(unlimited: int, *factors: np.ndarray | None) -> tuple[int, bool]:
    """Return ``(10**d, rounded)``: the unit refinement that keeps scaled capacities exact.

    ``d`` is the decimals of the multipliers; where refining by that much would overflow
    the kernels' totals, the unit is refined as far as the totals allow and scaled
    capacities are rounded to it (``rounded`` True).
    """
    present = [f for f in factors if f is not None]
    if not present:
        return 1, False
    d = decimal_places(np.concatenate(present))
    if d is not None and unlimited * 10**d < MAX_UNITS:
        return 10**d, False
    # The finest unit that still fits: a multiplier of 0.005 then keeps 0.005 of a unit
    # instead of rounding to nothing at whole units.
    finest = next(k for k in range(MAX_DECIMALS if d is None else d, -1, -1) if unlimited * 10**k < MAX_UNITS)
    logger.info("scaled capacities rounded to %d decimals of a unit (a finer unit would overflow)", finest)
    return 10**finest, True
