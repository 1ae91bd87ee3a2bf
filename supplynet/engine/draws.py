"""Scenario outcomes: which elements exist and which strikes work, sampled by index or enumerated.

Elements are numbered nodes first, then edges (as in :mod:`supplynet.engine.scenarios`).
Each element belongs to one *existence group*, drawn once per scenario: a node or an edge
is a group of its own, except that the two directed edges of one bidirectional road
share a group (the road exists or it does not). Group ``g`` exists with probability
``q[g]``; a strike on element ``i`` works with probability ``p[i]``, drawn whether or not
the element is struck, so every plan meets the same coin (common random numbers).

**Sampled.** Scenario ``s`` of seed ``seed`` draws from
``numpy.random.default_rng([seed, s, stream])`` one uniform per group, in group order,
then one per element; group ``g`` exists when its uniform is below ``q[g]``, a strike on
``i`` works when its uniform is below ``p[i]``. A scenario depends on ``(seed, s,
stream)`` only, so any worker computing scenario ``s`` draws the same one, however the
scenarios are shared out, and the existence draws do not depend on the strikes.

**Exact.** The outcomes of the *enumerated* groups (existence) and of the *split*
elements (strike success, only where the element exists) are listed in the order of
``itertools.product`` over the groups, then the split elements of certain groups, each
with its probability; every other group exists (``q`` of 0 excepted: it never does)
and every other strike works exactly when ``p`` is 1. An absent group does not split on
the success of its members, since the outcome is the same.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Outcomes", "Factor", "ScenarioSet", "sampled", "enumerated", "outcome_count"]


@dataclass(frozen=True)
class Outcomes:
    """Scenarios ``start .. stop - 1`` as dense masks (scenarios x elements) and weights."""

    exists: np.ndarray
    success: np.ndarray
    weight: np.ndarray

    def absent(self, struck: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Return ragged ``(ptr, elements)`` of what is gone per scenario: absent, or struck with success."""
        gone = ~self.exists
        if struck is not None and struck.any():
            gone = gone | (self.success & struck)
        rows, cols = np.nonzero(gone)
        ptr = np.zeros(len(gone) + 1, np.int64)
        np.cumsum(np.bincount(rows, minlength=len(gone)), out=ptr[1:])
        return ptr, cols.astype(np.int64)


@dataclass(frozen=True)
class Factor:
    """One digit of an exact enumeration: the options of a group, or of one strike.

    ``members`` are the elements whose existence it sets (empty for a strike of a
    certain element); ``split`` the elements whose strike success it sets; option ``k``
    has probability ``weight[k]``, existence ``present[k]`` and successes ``success[k]``.
    """

    members: np.ndarray
    split: np.ndarray
    weight: np.ndarray
    present: np.ndarray
    success: np.ndarray


@dataclass(frozen=True, eq=False)
class ScenarioSet:
    """A set of scenarios, sampled by seed or enumerated exactly (plain arrays: it pickles).

    Attributes
    ----------
    group : numpy.ndarray of int64
        Existence group of each element.
    q : numpy.ndarray
        Probability that each group exists.
    p : numpy.ndarray
        Probability that a strike on each element works.
    count : int
        How many scenarios.
    seed : int or None
        The seed of a sampled set; None when enumerated.
    stream : int
        The random stream of a sampled set (sets on other streams are independent).
    factors : tuple of Factor
        The digits of an enumerated set (empty when sampled).
    """

    group: np.ndarray
    q: np.ndarray
    p: np.ndarray
    count: int
    seed: int | None = None
    stream: int = 0
    factors: tuple[Factor, ...] = field(default=())

    @property
    def exact(self) -> bool:
        """Whether the set enumerates every outcome (else it is sampled)."""
        return self.seed is None

    def outcomes(self, start: int, stop: int, *, strikes: bool = True) -> Outcomes:
        """Return scenarios ``start .. stop - 1``; ``strikes`` False skips drawing the strikes
        (``success`` is then all False; the existence draws are the same either way)."""
        if self.exact:
            return self._enumerated(start, stop)
        n = stop - start
        exists = np.empty((n, len(self.group)), bool)
        success = np.zeros((n, len(self.group)), bool)
        n_q = len(self.q)
        for k, s in enumerate(range(start, stop)):
            rng = np.random.default_rng([self.seed, s, self.stream])
            exists[k] = (rng.random(n_q) < self.q)[self.group]
            if strikes:  # the next uniforms of the same stream: one per element
                success[k] = rng.random(len(self.p)) < self.p
        return Outcomes(exists, success, np.ones(n))

    def weights(self, start: int, stop: int) -> np.ndarray:
        """Return the weights of scenarios ``start .. stop - 1`` (ones when sampled)."""
        weight = np.ones(stop - start)
        for factor, digit in self._digits(start, stop):
            weight *= factor.weight[digit]
        return weight

    def _digits(self, start: int, stop: int) -> Iterator[tuple[Factor, np.ndarray]]:
        """Yield each factor with its option in scenarios ``start .. stop - 1`` (enumerated sets)."""
        index = np.arange(start, stop, dtype=np.int64)
        stride = 1
        for factor in reversed(self.factors):  # the last factor varies fastest
            yield factor, (index // stride) % len(factor.weight)
            stride *= len(factor.weight)

    def _enumerated(self, start: int, stop: int) -> Outcomes:
        n = stop - start
        exists = np.broadcast_to(self.q[self.group] > 0, (n, len(self.group))).copy()
        success = np.broadcast_to(self.p >= 1, (n, len(self.group))).copy()
        for factor, digit in self._digits(start, stop):
            if len(factor.members):
                exists[:, factor.members] = factor.present[digit][:, None]
            if len(factor.split):
                success[:, factor.split] = factor.success[digit]
        return Outcomes(exists, success, self.weights(start, stop))


def sampled(group: np.ndarray, q: np.ndarray, p: np.ndarray, count: int, seed: int, stream: int = 0) -> ScenarioSet:
    """Return ``count`` scenarios sampled with ``seed`` (see the module notes).

    Examples
    --------
    >>> s = sampled(np.array([0, 1, 1]), np.array([1.0, 0.5]), np.ones(3), 4, seed=7)
    >>> out = s.outcomes(0, 4)
    >>> bool(out.exists[:, 0].all()), bool((out.exists[:, 1] == out.exists[:, 2]).all())
    (True, True)
    >>> bool((s.outcomes(2, 4).exists == out.exists[2:]).all())  # by index, not by order of work
    True
    """
    return ScenarioSet(np.asarray(group, np.int64), np.asarray(q, float), np.asarray(p, float), int(count),
                       seed=int(seed), stream=int(stream))


def _group_factor(members: np.ndarray, split: np.ndarray, q: float, p: np.ndarray) -> Factor:
    """Return the factor of one uncertain group: absent, or present with each pattern of successes."""
    patterns = np.array(list(np.ndindex(*(2,) * len(split))), bool).reshape(2 ** len(split), len(split))[::-1]
    chance = np.where(patterns, p[split], 1 - p[split]).prod(axis=1) if len(split) else np.ones(1)
    return Factor(members, split, np.concatenate([[1 - q], q * chance]),
                  np.concatenate([[False], np.ones(len(patterns), bool)]),
                  np.vstack([np.zeros((1, len(split)), bool), patterns]))


#: Past 2**_HUGE outcomes the count is infinite (no set that large is ever enumerated).
_HUGE = 62


def outcome_count(group: np.ndarray, q: np.ndarray, p: np.ndarray, groups: np.ndarray, split: np.ndarray) -> float:
    """Return how many outcomes :func:`enumerated` would list (``inf`` past 2**62).

    Examples
    --------
    >>> g, q, p = np.array([0, 1, 2]), np.array([0.5, 0.5, 1.0]), np.array([1.0, 0.5, 0.5])
    >>> outcome_count(g, q, p, np.array([0, 1]), np.array([1, 2]))  # (1 + 1) * (1 + 2) * 2
    12.0
    """
    split = _splits(p, split)
    per_group = {int(g): 1 for g in groups}
    extra = 0
    for i in split:
        if int(group[i]) in per_group:
            per_group[int(group[i])] += 1
        elif q[group[i]] > 0:
            extra += 1
    if extra > _HUGE:
        return math.inf  # far past anything enumerable
    total = 2.0 ** extra
    for k in per_group.values():
        total *= 1.0 + 2.0 ** min(k - 1, _HUGE)
        if total > 2.0 ** _HUGE:
            return math.inf
    return total


def _splits(p: np.ndarray, split: np.ndarray) -> np.ndarray:
    """Return the elements of ``split`` whose strike may go either way (0 < p < 1), sorted."""
    split = np.unique(np.asarray(split, np.int64))
    return split[(p[split] > 0) & (p[split] < 1)]


def enumerated(group: np.ndarray, q: np.ndarray, p: np.ndarray, groups: np.ndarray,
               split: np.ndarray | None = None) -> ScenarioSet:
    """Return every outcome of the existence ``groups`` and of the strikes on ``split``.

    Only strikes with ``0 < p < 1`` are split; groups with ``q`` 0 or 1 need no
    enumeration (pass the uncertain ones). Weights sum to 1.

    Examples
    --------
    Element 0 exists with probability 0.5; a strike on element 1 (certain) works with 0.8:

    >>> s = enumerated(np.array([0, 1]), np.array([0.5, 1.0]), np.array([1.0, 0.8]), np.array([0]), np.array([1]))
    >>> out = s.outcomes(0, s.count)
    >>> out.exists[:, 0].tolist(), out.success[:, 1].tolist(), out.weight.round(2).tolist()
    ([False, False, True, True], [True, False, True, False], [0.4, 0.1, 0.4, 0.1])
    """
    group, q, p = np.asarray(group, np.int64), np.asarray(q, float), np.asarray(p, float)
    split = _splits(p, np.zeros(0, np.int64) if split is None else split)
    groups = np.unique(np.asarray(groups, np.int64))
    enumerated_group = np.zeros(len(q), bool)
    enumerated_group[groups] = True
    factors = []
    for g in groups:
        members = np.flatnonzero(group == g)
        factors.append(_group_factor(members, split[group[split] == g], float(q[g]), p))
    for i in split[~enumerated_group[group[split]] & (q[group[split]] > 0)]:
        factors.append(Factor(np.zeros(0, np.int64), np.array([i]), np.array([p[i], 1 - p[i]]),
                              np.ones(2, bool), np.array([[True], [False]])))
    count = math.prod(len(f.weight) for f in factors)
    return ScenarioSet(group, q, p, int(count), seed=None, factors=tuple(factors))
