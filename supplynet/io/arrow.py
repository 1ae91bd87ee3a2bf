"""Arrow tables (from GDAL through pyogrio, or from GeoParquet) into a :class:`FeatureBlock`.

Properties stay Arrow arrays until validation reads them; geometries are decoded with
numpy, without a Python object per geometry: WKB Points and LineStrings (little-endian,
two-dimensional: what GDAL, geopandas and supplynet write) straight from the bytes, and
GeoArrow's native point and linestring layouts from their coordinate buffers. Anything
else (big-endian or three-dimensional WKB, other geometry types) goes through shapely,
for those rows only. Coordinates in another CRS are reprojected to EPSG:4326.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from supplynet.io.columns import (GEOM_LINE, GEOM_NULL, GEOM_OTHER, GEOM_POINT, Column, FeatureBlock)

__all__ = ["block_from_table", "reproject"]

_TYPE_NAMES = {1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
               6: "MultiPolygon", 7: "GeometryCollection"}
#: Lines decoded per numpy pass (bounds the index arrays).
_BATCH = 1 << 18


def block_from_table(table: Any, label: str, driver: str, geometry: str | None, *,
                     encoding: str = "WKB", crs: Any = None) -> FeatureBlock:
    """Return the :class:`FeatureBlock` of an Arrow table.

    Parameters
    ----------
    table : pyarrow.Table
    label : str
        How messages name it.
    driver : str
        Recorded on the block (``gpkg``, ``parquet`` ...).
    geometry : str or None
        The geometry column (None: no geometry; every row's is null).
    encoding : str
        ``WKB`` or a GeoArrow encoding (``point``, ``linestring``).
    crs : pyproj.CRS, optional
        The CRS of the coordinates; reprojected to EPSG:4326 when it differs.
    """
    import pyarrow.compute as pc

    n = table.num_rows
    columns: dict[str, Column] = {}
    every_row = np.arange(n, dtype=np.int64)  # shared, read-only, by the columns with no null
    every_row.setflags(write=False)
    for name in table.column_names:
        if name == geometry:
            continue
        col = table.column(name)
        if col.null_count == n:
            continue
        if col.null_count:
            valid = pc.is_valid(col)
            rows = np.flatnonzero(valid.to_numpy(zero_copy_only=False))
            values = col.filter(valid)
        else:
            rows = every_row
            values = col
        columns[str(name)] = Column(rows, values.combine_chunks() if hasattr(values, "combine_chunks") else values)
    block = FeatureBlock(label=label, count=n, index=np.arange(n, dtype=np.int64), columns=columns, driver=driver)
    geom = np.full(n, GEOM_NULL, np.int8)
    x = np.full(n, math.nan)
    y = np.full(n, math.nan)
    if geometry is not None:
        arr = table.column(geometry).combine_chunks()
        if encoding.upper() == "WKB":
            lines = _decode_wkb(arr, geom, x, y, block)
        else:
            lines = _decode_geoarrow(arr, encoding, geom, x, y, block)
        block.line_rows, block.line_ptr, block.line_xy = lines
    block.geom, block.x, block.y = geom, x, y
    if crs is not None:
        reproject(block, crs)
    bad = np.flatnonzero((geom == GEOM_POINT) & ~(np.isfinite(x) & np.isfinite(y)))
    for r in bad.tolist():
        block.raw_geometry[r] = [float(x[r]), float(y[r])]
    if len(block.line_xy):
        bad_pos = ~np.isfinite(block.line_xy).all(axis=1)
        if bad_pos.any():
            owner = np.repeat(np.arange(len(block.line_rows)), np.diff(block.line_ptr))
            for k in np.unique(owner[bad_pos]).tolist():
                lo, hi = block.line_ptr[k], block.line_ptr[k + 1]
                block.raw_geometry[int(block.line_rows[k])] = block.line_xy[lo:hi].tolist()
    return block


def reproject(block: FeatureBlock, crs: Any) -> bool:
    """Reproject a block's coordinates from ``crs`` to EPSG:4326 in place; return whether it did."""
    import pyproj

    crs = pyproj.CRS.from_user_input(crs)
    if _is_wgs84(crs):
        return False
    transform = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform
    pts = np.isfinite(block.x)
    if pts.any():
        block.x[pts], block.y[pts] = transform(block.x[pts], block.y[pts])
    if len(block.line_xy):
        lx, ly = transform(block.line_xy[:, 0], block.line_xy[:, 1])
        block.line_xy = np.column_stack([lx, ly])
    return True


def _is_wgs84(crs: Any) -> bool:
    import pyproj

    if crs.to_epsg() == 4326:
        return True
    try:
        return crs.equals(pyproj.CRS("OGC:CRS84"), ignore_axis_order=True)
    except pyproj.exceptions.CRSError:  # pragma: no cover
        return False


# --- WKB ---------------------------------------------------------------------------------

def _decode_wkb(arr: Any, geom: np.ndarray, x: np.ndarray, y: np.ndarray,
                block: FeatureBlock) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode a WKB column: Points into ``x``/``y``, LineStrings packed; codes into ``geom``."""
    import pyarrow as pa

    n = len(arr)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(1, np.int64), np.zeros((0, 2))
    if isinstance(arr.type, pa.ExtensionType):
        arr = arr.storage
    if arr.type not in (pa.binary(), pa.large_binary()):
        arr = arr.cast(pa.large_binary())
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], np.int64 if arr.type == pa.large_binary() else np.int32)
    offsets = offsets[arr.offset:arr.offset + n + 1].astype(np.int64)
    raw = np.frombuffer(buffers[2], np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    start = offsets[:-1]
    size = offsets[1:] - start
    # an empty blob is no geometry (GDAL's FlatGeobuf stream gives one for a null)
    valid = arr.is_valid().to_numpy(zero_copy_only=False) & (size > 0)
    ok = valid & (size >= 5)
    order = np.zeros(n, np.uint8)
    kind = np.zeros(n, np.uint32)
    order[ok] = raw[start[ok]]
    if ok.any():
        kind[ok] = _u32(raw, start[ok] + 1)
    little = ok & (order == 1)
    points = little & (kind == 1) & (size == 21)
    lines = little & (kind == 2) & (size >= 9)
    if lines.any():
        npts = _u32(raw, start[lines] + 5)
        lines_ok = size[lines] == 9 + 16 * npts
        idx = np.flatnonzero(lines)
        lines[idx[~lines_ok]] = False
    rest = valid & ~points & ~lines
    geom[points] = GEOM_POINT
    p_rows = np.flatnonzero(points)
    if len(p_rows):
        xy = _gather(raw, start[p_rows] + 5, np.ones(len(p_rows), np.int64))
        x[p_rows], y[p_rows] = xy[:, 0], xy[:, 1]
    l_rows = np.flatnonzero(lines)
    counts = _u32(raw, start[l_rows] + 5).astype(np.int64) if len(l_rows) else np.zeros(0, np.int64)
    l_xy = _gather(raw, start[l_rows] + 9, counts) if len(l_rows) else np.zeros((0, 2))
    geom[l_rows] = GEOM_LINE
    if rest.any():
        l_rows, counts, l_xy = _decode_rest(arr, np.flatnonzero(rest), geom, x, y, block, l_rows, counts, l_xy)
    ptr = np.zeros(len(l_rows) + 1, np.int64)
    np.cumsum(counts, out=ptr[1:])
    return l_rows, ptr, l_xy


def _u32(raw: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Return the little-endian uint32 at each byte offset ``at`` (each ``at + 4`` within
    ``raw``): four byte gathers, shifted and or-ed (3x faster than four strided gathers of
    whole words, one per offset modulo 4)."""
    out = raw[at].astype(np.uint32)
    for k in (1, 2, 3):
        out |= raw[at + k].astype(np.uint32) << np.uint32(8 * k)
    return out


def _uniform(raw: np.ndarray, first: np.ndarray, counts: np.ndarray, stride: int) -> np.ndarray | None:
    """Return the points of blobs laid end to end ``stride`` bytes apart, each ``counts[0]``
    points from ``first[k]``, as one reshaped copy (what a file of two-point lines is); None
    when the blobs are not so uniform."""
    if not len(first) or (counts != counts[0]).any() or (np.diff(first) != stride).any():
        return None
    c = int(counts[0])
    if first[-1] + 16 * c > len(raw):
        return None
    rows = np.lib.stride_tricks.as_strided(raw[first[0]:], shape=(len(first), 16 * c), strides=(stride, 1),
                                           writeable=False)
    return rows.copy().view("<f8").reshape(-1, 2)


def _gather(raw: np.ndarray, first: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Return the little-endian float64 pairs of ``counts[k]`` points from byte ``first[k]``.

    The bytes are read as float64 through eight views of the buffer, one per byte offset
    modulo 8, so every value is one gather of a float, not of eight bytes.
    """
    stride = int(first[1] - first[0]) if len(first) > 1 else 16 * int(counts[0]) if len(counts) else 0
    uniform = _uniform(raw, first, counts, stride) if stride >= 16 * (int(counts[0]) if len(counts) else 0) else None
    if uniform is not None:
        return uniform
    out = np.empty(2 * int(counts.sum()), np.float64)
    dest = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(2 * counts, out=dest[1:])
    buf = raw.tobytes() if not raw.flags.c_contiguous else raw
    for r in range(8):
        sel = np.flatnonzero(first % 8 == r)
        if not len(sel):
            continue
        view = np.frombuffer(buf, "<f8", count=(len(raw) - r) // 8, offset=r)
        for lo in range(0, len(sel), _BATCH):
            part = sel[lo:lo + _BATCH]
            nfloat = 2 * counts[part]
            total = int(nfloat.sum())
            if not total:
                continue
            within = np.arange(total) - np.repeat(np.cumsum(nfloat) - nfloat, nfloat)
            src = np.repeat((first[part] - r) // 8, nfloat) + within
            dst = np.repeat(dest[part], nfloat) + within
            out[dst] = view[src]
    return out.reshape(-1, 2)


def _decode_rest(arr: Any, rows: np.ndarray, geom: np.ndarray, x: np.ndarray, y: np.ndarray,
                 block: FeatureBlock, l_rows: np.ndarray, counts: np.ndarray,
                 l_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode the rows the fast path left (any WKB shapely reads) and merge their lines in."""
    import shapely

    blobs = np.array(arr.take(rows).to_pylist(), dtype=object)
    shapes = shapely.from_wkb(blobs, on_invalid="ignore")
    type_ids = shapely.get_type_id(shapes)
    new_rows, new_counts, new_xy = [], [], []
    for r, shape, tid in zip(rows.tolist(), shapes, type_ids.tolist()):
        if shape is None:
            geom[r] = GEOM_OTHER
            block.geom_name[r] = "unreadable WKB"
        elif tid == 0:
            geom[r] = GEOM_POINT
            coords = shapely.get_coordinates(shape)
            if len(coords):
                x[r], y[r] = coords[0]
            else:
                block.raw_geometry[r] = []
        elif tid == 1:
            geom[r] = GEOM_LINE
            coords = shapely.get_coordinates(shape)
            new_rows.append(r)
            new_counts.append(len(coords))
            new_xy.append(coords)
            if len(coords) < 2:
                block.raw_geometry[r] = coords.tolist()
        else:
            geom[r] = GEOM_OTHER
            block.geom_name[r] = _TYPE_NAMES.get(tid, "geometry")
    if not new_rows:
        return l_rows, counts, l_xy
    all_rows = np.concatenate([l_rows, np.array(new_rows, np.int64)])
    all_counts = np.concatenate([counts, np.array(new_counts, np.int64)])
    order = np.argsort(all_rows, kind="stable")
    parts = np.split(np.concatenate([l_xy, *new_xy]), np.cumsum(all_counts)[:-1])
    return all_rows[order], all_counts[order], np.concatenate([parts[k] for k in order])


# --- GeoArrow ----------------------------------------------------------------------------

def _xy(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return the x and y arrays of GeoArrow coordinates (struct or interleaved)."""
    import pyarrow as pa

    if pa.types.is_struct(values.type):
        return (values.field("x").to_numpy(zero_copy_only=False).astype(float),
                values.field("y").to_numpy(zero_copy_only=False).astype(float))
    size = values.type.list_size
    flat = values.flatten().to_numpy(zero_copy_only=False).astype(float).reshape(-1, size)
    return flat[:, 0], flat[:, 1]


def _decode_geoarrow(arr: Any, encoding: str, geom: np.ndarray, x: np.ndarray, y: np.ndarray,
                     block: FeatureBlock) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    valid = arr.is_valid().to_numpy(zero_copy_only=False)
    kind = encoding.lower()
    if hasattr(arr, "storage"):
        arr = arr.storage
    if kind == "point":
        px, py = _xy(arr)
        geom[valid] = GEOM_POINT
        x[valid], y[valid] = px[valid], py[valid]
        return np.zeros(0, np.int64), np.zeros(1, np.int64), np.zeros((0, 2))
    if kind == "linestring":
        offsets = arr.offsets.to_numpy().astype(np.int64)
        lx, ly = _xy(arr.values)
        rows = np.flatnonzero(valid)
        starts, ends = offsets[:-1][rows], offsets[1:][rows]
        counts = ends - starts
        keep = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts) + np.arange(counts.sum())
        xy = np.column_stack([lx, ly])[keep] if len(keep) else np.zeros((0, 2))
        geom[rows] = GEOM_LINE
        ptr = np.zeros(len(rows) + 1, np.int64)
        np.cumsum(counts, out=ptr[1:])
        return rows, ptr, xy
    name = {"multipoint": "MultiPoint", "multilinestring": "MultiLineString", "polygon": "Polygon",
            "multipolygon": "MultiPolygon"}.get(kind, kind)
    geom[valid] = GEOM_OTHER
    for r in np.flatnonzero(valid).tolist():
        block.geom_name[r] = name
    return np.zeros(0, np.int64), np.zeros(1, np.int64), np.zeros((0, 2))
