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
    tree = shapely.STRtree(geoms)
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
    return [names[i] if i >= 0 else None for i in found]
