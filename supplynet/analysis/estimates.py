"""95% intervals of estimates from scenarios: means, proportions and percentiles.

The one home of the statistics that uncertain intelligence reports
(:mod:`supplynet.analysis.uncertainty`, :mod:`supplynet.analysis.stochastic`): a mean +- Z
standard errors (kept inside ``[0, bound]`` for bounded figures, and Wilson's interval of the
share of the bound where the samples did not vary), Wilson's score interval for a
proportion, and distribution-free order-statistic intervals for percentiles. Weighted
figures (every outcome enumerated, with its probability) are exact and get no interval.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["Z", "mean_interval", "bounded_interval", "wilson", "quantiles"]

#: The normal quantile of every 95% interval.
Z = 1.959963984540054


def mean_interval(values: np.ndarray, weight: np.ndarray, exact: bool,
                  bound: float = math.inf) -> tuple[float, tuple[float, float] | None]:
    """Return the weighted mean and, when sampled, its 95% interval (mean +- Z standard errors).

    For values known to lie in ``[0, bound]`` (a finite ``bound``) the interval stays inside
    it, and where every sample is the same (the normal interval would be a point although
    a rarer value may have been missed) it is Wilson's for the share ``mean / bound``,
    times ``bound``: a run of zeros gives ``[0, about 3.8 bound / n]``.

    Examples
    --------
    >>> mean_interval(np.array([1.0, 3.0]), np.array([0.25, 0.75]), exact=True)
    (2.5, None)
    >>> m, (lo, hi) = mean_interval(np.array([0.0, 2.0, 4.0]), np.ones(3), exact=False)
    >>> m, round(lo, 3), round(hi, 3)
    (2.0, -0.263, 4.263)
    >>> tuple(round(x, 3) for x in mean_interval(np.zeros(100), np.ones(100), exact=False, bound=10.0)[1])
    (0.0, 0.37)
    """
    total = float(weight.sum())
    if not np.all(np.isfinite(values)):
        return math.inf, None
    mean = float(np.dot(values, weight) / total)
    if exact:
        return mean, None
    n = len(values)
    sd = float(np.std(values, ddof=1)) if n > 1 else math.inf
    lo, hi = bounded_interval(np.array([mean]), np.array([sd]), n, np.array([bound]))
    return mean, (float(lo[0]), float(hi[0]))


def bounded_interval(mean: np.ndarray, sd: np.ndarray, n: int, bound: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return 95% intervals of sample means: normal, or Wilson's (scaled) where the samples did not vary.

    Means of values known to lie in ``[0, bound]`` (a finite bound) keep their interval inside it.
    """
    half = Z * sd / math.sqrt(n)
    lo, hi = mean - half, mean + half
    known = np.isfinite(bound)
    lo[known], hi[known] = np.maximum(lo[known], 0.0), np.minimum(hi[known], bound[known])
    flat = (sd == 0) & known & (bound > 0)
    for i in np.flatnonzero(flat):
        w_lo, w_hi = wilson(min(1.0, mean[i] / bound[i]) * n, n)
        lo[i], hi[i] = w_lo * bound[i], w_hi * bound[i]
    return lo, hi


def wilson(k: float, n: int) -> tuple[float, float]:
    """Return Wilson's 95% score interval of a proportion ``k / n``.

    Examples
    --------
    >>> tuple(round(x, 4) for x in wilson(0, 100)), tuple(round(x, 4) for x in wilson(50, 100))
    ((0.0, 0.037), (0.4038, 0.5962))
    """
    p, z2 = k / n, Z * Z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # At k = 0 (k = n) the bound is 0 (1) exactly; rounding would leave 1e-19 there.
    return (0.0 if k <= 0 else max(0.0, centre - half)), (1.0 if k >= n else min(1.0, centre + half))


def _quantile(order: np.ndarray, cum: np.ndarray, level: float) -> float:
    """Return the smallest value whose cumulative probability reaches ``level``."""
    at = int(np.searchsorted(cum, level * cum[-1] * (1 - 1e-12), side="left"))
    return float(order[min(at, len(order) - 1)])


def quantiles(values: np.ndarray, weight: np.ndarray, exact: bool) -> tuple[dict[str, float], dict[str, Any]]:
    """Return p10, p50 and p90 of the values and, when sampled, their order-statistic intervals."""
    sort = np.argsort(values, kind="stable")
    order, cum = values[sort], np.cumsum(weight[sort])
    out, intervals = {}, {}
    n = len(values)
    for level in (0.1, 0.5, 0.9):
        key = f"p{round(100 * level)}"
        out[key] = _quantile(order, cum, level)
        if exact:
            intervals[key] = None
            continue
        spread = Z * math.sqrt(n * level * (1 - level))
        lo = max(1, math.floor(n * level - spread))
        hi = min(n, math.ceil(n * level + spread))
        intervals[key] = (float(order[lo - 1]), float(order[hi - 1]))
    return out, intervals
