"""Geodesic lengths on the WGS 84 ellipsoid: of segments, point pairs and polylines.

Lengths are what the network stores for every edge (integer metres, see
``docs/network-format.md``); pyproj's ``Geod.inv`` is vectorised over all segments at once.
"""

from __future__ import annotations

import numpy as np
import pyproj

__all__ = ["geodesic_distance_m", "geodesic_distances_m", "line_lengths_m", "packed_lengths_m"]

_GEOD = pyproj.Geod(ellps="WGS84")


def geodesic_distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the geodesic distance in metres between two (lon, lat) points on WGS 84.

    Examples
    --------
    >>> round(geodesic_distance_m((0.0, 0.0), (1.0, 0.0)))
    111319
    """
    return float(_GEOD.inv(a[0], a[1], b[0], b[1])[2])


def geodesic_distances_m(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the geodesic distances in metres between rows of two (n, 2) lon/lat arrays.

    Examples
    --------
    >>> geodesic_distances_m(np.array([[0.0, 0.0]]), np.array([[1.0, 0.0]])).round()
    array([111319.])
    """
    if len(a) == 0:
        return np.zeros(0)
    return np.asarray(_GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])[2], dtype=float)


def line_lengths_m(lines: list[np.ndarray]) -> np.ndarray:
    """Return the geodesic length in metres of each polyline (an (n, 2) lon/lat array).

    All segments of all lines go through pyproj in one vectorised call.

    Examples
    --------
    >>> line_lengths_m([np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]])]).round()
    array([221894.])
    """
    if not lines:
        return np.zeros(0)
    counts = np.fromiter((len(c) for c in lines), dtype=np.int64, count=len(lines))
    return packed_lengths_m(np.concatenate(lines), counts)


def packed_lengths_m(pts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Return polyline lengths from all their points in one (n, 2) array and per-line counts."""
    owner = np.repeat(np.arange(len(counts)), counts)
    same = owner[1:] == owner[:-1]
    a, b = pts[:-1][same], pts[1:][same]
    seg = _GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])[2] if len(a) else np.zeros(0)
    return np.bincount(owner[1:][same], weights=np.asarray(seg), minlength=len(counts))
