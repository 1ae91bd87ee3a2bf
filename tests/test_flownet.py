"""Tests of the kernels' residual layout (:func:`supplynet.engine.flownet.paired_csr`)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from supplynet.engine.flownet import paired_csr


def sorted_layout(n_vertices: int, tail: np.ndarray, head: np.ndarray) -> dict[str, np.ndarray]:
    """The layout as its definition states it: the 2m positions (arcs, then their mates)
    stably sorted by tail."""
    m = len(tail)
    tails = np.concatenate([tail, head]).astype(np.int64)
    heads = np.concatenate([head, tail]).astype(np.int64)
    order = np.argsort(tails, kind="stable")
    pos_of = np.empty(2 * m, np.int64)
    pos_of[order] = np.arange(2 * m)
    mate_of = np.concatenate([np.arange(m, 2 * m), np.arange(m)])
    return {
        "ptr": np.concatenate([[0], np.cumsum(np.bincount(tails, minlength=n_vertices))]),
        "head": heads[order],
        "mate": pos_of[mate_of[order]],
        "is_fwd": order < m,
        "fwd_pos": pos_of[:m],
    }


@st.composite
def arc_lists(draw):
    n = draw(st.integers(1, 12))
    m = draw(st.integers(0, 40))
    ends = st.lists(st.integers(0, n - 1), min_size=m, max_size=m)
    return n, np.array(draw(ends), np.int64), np.array(draw(ends), np.int64)


@settings(max_examples=200, deadline=None)
@given(arc_lists())
def test_layout_is_the_stable_sort_by_tail(case):
    n, tail, head = case
    got = paired_csr(n, tail, head)
    want = sorted_layout(n, tail, head)
    assert set(got) == set(want)
    for key, value in want.items():
        assert np.array_equal(got[key], value), key
    assert got["ptr"].dtype == got["head"].dtype == got["mate"].dtype == np.int32
    assert got["is_fwd"].dtype == np.bool_ and got["fwd_pos"].dtype == np.int64
    # What the kernels rely on: mates pair up, and a mate runs head -> tail.
    mate, heads = got["mate"], got["head"]
    assert np.array_equal(mate[mate], np.arange(2 * len(tail)))
    row = np.repeat(np.arange(n), np.diff(got["ptr"]))
    assert np.array_equal(heads[mate], row)
    assert np.array_equal(heads[got["fwd_pos"]], head) and np.array_equal(row[got["fwd_pos"]], tail)


def test_large_random_layout():
    rng = np.random.default_rng(7)
    n, m = 5_000, 40_000
    tail, head = rng.integers(0, n, m), rng.integers(0, n, m)
    got, want = paired_csr(n, tail, head), sorted_layout(n, tail, head)
    for key, value in want.items():
        assert np.array_equal(got[key], value), key
