"""Country boundaries: the offline basemap, and which country each node stands in.

The boundaries are Natural Earth's 1:110m countries (public domain), shipped as
``datasets/countries.geojson``. At that scale borders are drawn to within a few
kilometres, so a node just outside every polygon (a border crossing, a port) takes the
nearest country within :data:`NEAR_DEGREES`.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from pathlib import Path

import numpy as np
import shapely

__all__ = ["countries_path", "load_countries", "locate_countries", "NEAR_DEGREES"]

logger = logging.getLogger(__name__)

#: A node this close (in degrees, about 25 km) to a country counts as in it.
NEAR_DEGREES = 0.25

_FILE = "countries.geojson"


def countries_path() -> Path | None:
    """Return the path of the country boundaries file, or None when none is installed.

    Looked for in ``$SUPPLYNET_COUNTRIES``, then the source tree's ``datasets/``, then
    ``<prefix>/share/supplynet/`` where a wheel install puts it.
    """
    env = os.environ.get("SUPPLYNET_COUNTRIES")
    candidates = [Path(env)] if env else []
    candidates += [
        Path(__file__).resolve().parents[2] / "datasets" / _FILE,
        Path(sys.prefix) / "share" / "supplynet" / _FILE,
    ]
    for path in candidates:
        if path.is_file():
            return path
    return None


@functools.lru_cache(maxsize=4)
def _load(path: str) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray]:
    with open(path, "rb") as fh:
        doc = json.load(fh)
    names, isos, geoms = [], [], []
    for feat in doc["features"]:
        props = feat.get("properties") or {}
        names.append(str(props.get("name", "")))
        isos.append(str(props.get("iso_a3", "")))
        geoms.append(shapely.from_geojson(json.dumps(feat["geometry"])))
    return tuple(names), tuple(isos), np.asarray(geoms, dtype=object)


def load_countries(path: str | os.PathLike[str] | None = None):  # -> GeoDataFrame
    """Return the country boundaries as a GeoDataFrame (columns ``name``, ``iso_a3``).

    Examples
    --------
    >>> world = load_countries()
    >>> "Iraq" in set(world["name"])
    True
    """
    import geopandas as gpd

    names, isos, geoms = _load(str(path or _require_path()))
    return gpd.GeoDataFrame({"name": names, "iso_a3": isos}, geometry=list(geoms), crs="EPSG:4326")


def _require_path() -> Path:
    path = countries_path()
    if path is None:
        from supplynet._errors import SupplynetError

        raise SupplynetError("no country boundaries found: set SUPPLYNET_COUNTRIES to a countries GeoJSON file")
    return path


def locate_countries(x: np.ndarray, y: np.ndarray, *, path: str | os.PathLike[str] | None = None,
                     near: float = NEAR_DEGREES) -> list[str | None]:
    """Return the country name of each point (None at sea or with no boundaries installed).

    A point strictly inside one country's polygon is in it (on a shared border, the first
    in file order); a point in none takes the nearest country within ``near`` degrees.
    Most points are answered from a grid of :data:`GRID_DEGREES` cells, each known to lie
    inside exactly one country or far from every one; only points in cells a border
    crosses are tested against the polygons. The answer is the same either way.

    Examples
    --------
    >>> locate_countries([44.37], [33.31])
    ['Iraq']
    """
    source = path or countries_path()
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if source is None:
        logger.warning("no country boundaries installed; nodes get no country")
        return [None] * len(x)
    names, _, geoms = _load(str(source))
    found = np.full(len(x), -1, dtype=np.int64)
    todo = np.arange(len(x))
    if len(x) >= _GRID_FROM and np.isfinite(x).any():
        fin = np.isfinite(x) & np.isfinite(y)
        lo_x, hi_x = float(x[fin].min()), float(x[fin].max())
        lo_y, hi_y = float(y[fin].min()), float(y[fin].max())
        cell = _cell_size((hi_x - lo_x) * (hi_y - lo_y))
        cx0, cy0 = int(np.floor((lo_x + 180.0) / cell)), int(np.floor((lo_y + 90.0) / cell))
        cx1, cy1 = int(np.floor((hi_x + 180.0) / cell)), int(np.floor((hi_y + 90.0) / cell))
        codes = _grid(str(source), near, cell, cx0, cx1, cy0, cy1)
        ix = np.floor((x + 180.0) / cell)
        iy = np.floor((y + 90.0) / cell)
        ok = fin & (ix >= cx0) & (ix <= cx1) & (iy >= cy0) & (iy <= cy1)
        ix = np.where(ok, ix, cx0).astype(np.int64)
        iy = np.where(ok, iy, cy0).astype(np.int64)
        x0, y0 = ix * cell - 180.0, iy * cell - 90.0
        # the point must lie in its cell as the cell's box was drawn (float rounding aside)
        ok &= (x >= x0) & (x <= x0 + cell) & (y >= y0) & (y <= y0 + cell)
        code = np.where(ok, codes[iy - cy0, ix - cx0], _EXACT)
        found = np.where(code >= 0, code, -1)
        todo = np.flatnonzero(code == _EXACT)
    if len(todo):
        found[todo] = _exact(geoms, x[todo], y[todo], near)
    return [names[i] if i >= 0 else None for i in found.tolist()]


#: Cells of the lookup grid over the points' extent, about.
GRID_CELLS = 40_000
#: Fewer points than this are tested against the polygons directly.
_GRID_FROM = 2_000
_EXACT, _NONE = -1, -2


def _cell_size(area: float) -> float:
    """Return a cell size (a power of two of a degree, exact in binary) giving about
    :data:`GRID_CELLS` cells over ``area`` square degrees."""
    size = 1.0 / 16
    while size < 1.0 and area / (size * size) > GRID_CELLS:
        size *= 2
    return size


def _exact(geoms: np.ndarray, x: np.ndarray, y: np.ndarray, near: float) -> np.ndarray:
    """Return the country index of each point by the polygons themselves (-1: none)."""
    tree = _tree(geoms)
    points = shapely.points(x, y)
    found = np.full(len(points), -1, dtype=np.int64)
    pt_idx, geom_idx = tree.query(points, predicate="within")
    # A point on a shared border lies in two polygons: keep the first in file order.
    order = np.lexsort((geom_idx, pt_idx))
    pt_idx, geom_idx = pt_idx[order], geom_idx[order]
    first = np.unique(pt_idx, return_index=True)[1]
    found[pt_idx[first]] = geom_idx[first]
    missing = np.flatnonzero(found < 0)
    if len(missing):
        m_idx, g_idx = tree.query_nearest(points[missing], max_distance=near, all_matches=False)
        found[missing[m_idx]] = g_idx
    return found


_TREES: dict[int, shapely.STRtree] = {}


def _tree(geoms: np.ndarray) -> shapely.STRtree:
    key = id(geoms)
    if key not in _TREES:
        _TREES[key] = shapely.STRtree(geoms)
    return _TREES[key]


@functools.lru_cache(maxsize=8)
def _grid(path: str, near: float, cell: float, cx0: int, cx1: int, cy0: int, cy1: int) -> np.ndarray:
    """Return the lookup grid of cells ``cx0..cx1`` x ``cy0..cy1``: per cell the country it lies
    strictly inside (no other polygon touching it), :data:`_NONE` when no country lies within
    ``near`` of it, else :data:`_EXACT`."""
    _, _, geoms = _load(path)
    ix, iy = np.meshgrid(np.arange(cx0, cx1 + 1), np.arange(cy0, cy1 + 1))
    x0, y0 = ix.ravel() * cell - 180.0, iy.ravel() * cell - 90.0
    boxes = shapely.box(x0, y0, x0 + cell, y0 + cell)
    tree = _tree(geoms)
    codes = np.full(len(boxes), _EXACT, np.int64)
    box_idx, geom_idx = tree.query(boxes, predicate="intersects")
    hits = np.bincount(box_idx, minlength=len(boxes))
    single = np.flatnonzero(hits[box_idx] == 1)
    inside = shapely.contains_properly(geoms[geom_idx[single]], boxes[box_idx[single]])
    codes[box_idx[single][inside]] = geom_idx[single][inside]
    empty = np.flatnonzero(hits == 0)
    if len(empty):
        close, _ = tree.query(boxes[empty], predicate="dwithin", distance=near)
        far = np.ones(len(empty), bool)
        far[close] = False
        codes[empty[far]] = _NONE
    return codes.reshape(cy1 - cy0 + 1, cx1 - cx0 + 1)
