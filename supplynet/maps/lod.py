"""Level of detail of a big map: which edges show at each zoom, and how nodes cluster.

Both are computed once, when the map is written, so the browser only looks them up:

* **Edges thinned by flow.** At every zoom 0 to :data:`MAX_ZOOM`, the screen is cut into
  cells of :data:`EDGE_CELL_PX` pixels, and a segment shows from the first zoom at which it
  is among the :data:`EDGES_PER_CELL` most important segments of the cell its midpoint falls
  in (importance: the flow it carries, or its capacity). A cell's children are parts of it,
  so a segment shown at one zoom stays shown at every zoom above: zooming in only adds lines.
* **Nodes clustered on a nested grid.** At every zoom 0 to :data:`CLUSTER_MAX_ZOOM`, a screen
  cell of :data:`CLUSTER_CELL_PX` pixels holding at least :data:`CLUSTER_MIN_NODES` nodes
  becomes one cluster at its nodes' centroid, with a count per node type (so switching a type
  off in the layer control takes its nodes out of every cluster). A node is drawn on its own
  from the first zoom at which its cell holds fewer; cells nest, so it stays on its own above.

Why in Python rather than in the page (Supercluster): the grid needs no library in the map,
is deterministic, and costs a fraction of a second when the map is written, where building
Supercluster's index took the page 0.6 s at 100,000 nodes and 1.9 s at 280,000 (measured in
``docs/benchmarks-maps.md``).

Positions are Web Mercator in zoom-0 pixels (0 to 256), as Leaflet projects them.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["MAX_ZOOM", "EDGE_CELL_PX", "EDGES_PER_CELL", "CLUSTER_CELL_PX", "CLUSTER_MIN_NODES",
           "CLUSTER_MAX_ZOOM", "mercator", "edge_minzoom", "node_clusters"]

#: Highest zoom the level of detail is computed for (every segment shows from here on).
MAX_ZOOM = 18
#: Edge thinning: the cell size in screen pixels, and how many segments each cell keeps.
EDGE_CELL_PX = 32
EDGES_PER_CELL = 4
#: Node clusters: the cell size in screen pixels, the fewest nodes a cluster holds, and the
#: last zoom with clusters.
CLUSTER_CELL_PX = 64
CLUSTER_MIN_NODES = 3
CLUSTER_MAX_ZOOM = 11
_MAX_LAT = 85.0511287798


def mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return Web Mercator positions in zoom-0 pixels, as Leaflet's EPSG:3857 computes them.

    Examples
    --------
    >>> x, y = mercator(np.array([0.0, 180.0]), np.array([0.0, 0.0]))
    >>> x.tolist(), y.tolist()
    ([128.0, 256.0], [128.0, 128.0])
    """
    s = np.sin(np.radians(np.clip(lat, -_MAX_LAT, _MAX_LAT)))
    return (lon + 180.0) / 360.0 * 256.0, 128.0 - 256.0 / (4 * math.pi) * np.log((1 + s) / (1 - s))


def _cells(x: np.ndarray, y: np.ndarray, size: float) -> np.ndarray:
    """Return one integer key per point: the cell of ``size`` zoom-0 pixels it falls in."""
    cx = np.floor(x / size).astype(np.int64)
    cy = np.floor(y / size).astype(np.int64)
    return cx * (1 << 31) + cy


def edge_minzoom(x: np.ndarray, y: np.ndarray, importance: np.ndarray) -> np.ndarray:
    """Return the zoom from which each segment (midpoint ``x``, ``y``) is drawn.

    Ties of importance go to the earlier segment, so the result is deterministic.

    Examples
    --------
    >>> x = np.array([10.0, 10.001, 10.002, 10.003, 10.004, 200.0])
    >>> edge_minzoom(x, np.full(6, 50.0), np.array([5.0, 4, 3, 2, 1, 0])).tolist()
    [0, 0, 0, 0, 13, 0]
    """
    n = len(x)
    minzoom = np.full(n, MAX_ZOOM, np.uint8)
    todo = np.ones(n, bool)
    order = np.argsort(-importance, kind="stable")
    for z in range(MAX_ZOOM):
        if not todo.any():
            break
        cell = _cells(x, y, EDGE_CELL_PX / 2.0 ** z)[order]
        srt = np.argsort(cell, kind="stable")  # stable: importance order within each cell
        sorted_cells = cell[srt]
        starts = np.r_[0, np.flatnonzero(sorted_cells[1:] != sorted_cells[:-1]) + 1]
        rank = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))
        kept = order[srt[rank < EDGES_PER_CELL]]
        fresh = kept[todo[kept]]
        minzoom[fresh] = z
        todo[fresh] = False
    return minzoom


def node_clusters(x: np.ndarray, y: np.ndarray, types: np.ndarray,
                  ntypes: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Return each node's first zoom on its own, and the clusters of every zoom.

    Parameters
    ----------
    x, y : numpy.ndarray
        Zoom-0 pixel positions of the nodes to cluster.
    types : numpy.ndarray
        Their type codes, 0 to ``ntypes - 1``.

    Returns
    -------
    minzoom : numpy.ndarray of uint8
        The first zoom at which each node is drawn on its own (``CLUSTER_MAX_ZOOM + 1`` at most).
    clusters : dict of str to numpy.ndarray
        ``cl_zoff`` (clusters of zoom ``z`` are ``cl_zoff[z]:cl_zoff[z + 1]``), ``cl_x`` and
        ``cl_y`` (centroids), ``cl_count``, and ``cl_types`` (``ntypes`` counts per cluster).

    Examples
    --------
    >>> x = np.array([100.0, 100.01, 100.02, 150.0])
    >>> minzoom, cl = node_clusters(x, np.full(4, 90.0), np.array([0, 0, 1, 1]), 2)
    >>> minzoom.tolist(), cl["cl_count"][:2].tolist(), cl["cl_types"][:4].tolist()
    ([12, 12, 12, 0], [3, 3], [2, 1, 2, 1])
    """
    n = len(x)
    minzoom = np.full(n, CLUSTER_MAX_ZOOM + 1, np.uint8)
    alone = np.zeros(n, bool)
    offsets, parts = [0], []
    for z in range(CLUSTER_MAX_ZOOM + 1):
        keys, inverse, counts = np.unique(_cells(x, y, CLUSTER_CELL_PX / 2.0 ** z), return_inverse=True,
                                          return_counts=True)
        clustered = counts[inverse] >= CLUSTER_MIN_NODES
        fresh = ~clustered & ~alone
        minzoom[fresh] = z
        alone |= fresh
        big = np.flatnonzero(counts >= CLUSTER_MIN_NODES)
        if len(big):
            slot = np.full(len(keys), -1, np.int64)
            slot[big] = np.arange(len(big))
            member = slot[inverse]
            inside = member >= 0
            count = np.bincount(member[inside], minlength=len(big))
            cx = np.bincount(member[inside], x[inside], minlength=len(big)) / count
            cy = np.bincount(member[inside], y[inside], minlength=len(big)) / count
            by_type = np.bincount(member[inside] * ntypes + types[inside], minlength=len(big) * ntypes)
            parts.append((cx, cy, count, by_type))
        offsets.append(offsets[-1] + len(big))
    if parts:
        cx, cy, count, by_type = (np.concatenate(p) for p in zip(*parts))
    else:
        cx = cy = np.zeros(0)
        count = by_type = np.zeros(0, np.int64)
    wide = np.uint32 if count.size and count.max() >= 1 << 16 else np.uint16
    return minzoom, {
        "cl_zoff": np.array(offsets, np.uint32),
        "cl_x": cx.astype(np.float32), "cl_y": cy.astype(np.float32),
        "cl_count": count.astype(np.uint32), "cl_types": by_type.astype(wide),
    }
