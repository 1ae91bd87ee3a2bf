"""Features read into columns: what every reader hands validation.

A :class:`FeatureBlock` holds the features of one file (or one layer) column by column:
each property as the rows that have it and their values (a Python list, or a pyarrow
array for the Arrow-based readers), Point coordinates as two float arrays, LineString
coordinates packed into one array, and the structural problems the reader found (a
feature that is not a Feature, a geometry that is not a geometry ...). Rows keep the
feature's index in its file, so every message can name it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from supplynet._errors import NetworkReadError

__all__ = ["Column", "FeatureBlock", "MemoryBudget", "GEOM_NULL", "GEOM_POINT", "GEOM_LINE", "GEOM_OTHER",
           "GEOM_SKIP"]

#: Geometry codes of a row.
GEOM_NULL, GEOM_POINT, GEOM_LINE, GEOM_OTHER, GEOM_SKIP = 0, 1, 2, 3, -1


@dataclass
class Column:
    """One property: the rows that hold it (sorted) and their values.

    ``values`` is a list of Python values or a pyarrow array, in ``rows`` order. A JSON
    ``null`` is a row with the value None (GeoJSON tells it from an absent key); the
    Arrow readers leave null rows out.
    """

    rows: np.ndarray
    values: Any

    def __len__(self) -> int:
        return len(self.rows)

    def objects(self) -> list[Any]:
        """Return the values as Python objects."""
        return self.values if isinstance(self.values, list) else self.values.to_pylist()


@dataclass
class FeatureBlock:
    """The features of one file or layer, as columns (see the module notes).

    Attributes
    ----------
    label : str
        How messages name the file (``x.gpkg:edges`` for a layer).
    count : int
        Rows (features, good and bad).
    index : numpy.ndarray
        Each row's feature index in its file or layer.
    columns : dict of str to Column
        Every property, in the order first seen.
    feature_id : Column or None
        GeoJSON: the Feature's own ``id`` member, for rows whose properties have none.
    geom : numpy.ndarray of int8
        ``GEOM_*`` code of each row; ``GEOM_SKIP`` rows have a problem already.
    geom_name : dict of int to str
        The geometry type of ``GEOM_OTHER`` rows (``Polygon`` ...).
    x, y : numpy.ndarray
        Point coordinates per row (NaN elsewhere).
    line_rows, line_ptr, line_xy : numpy.ndarray
        LineString rows, and their positions: those of ``line_rows[k]`` are
        ``line_xy[line_ptr[k]:line_ptr[k + 1]]``.
    raw_geometry : dict of int to object
        Coordinates exactly as read for rows whose positions are not plain finite
        numbers (validation words the problem from them).
    problems : list of (int, str or None, str)
        ``(row, property, message)`` found while reading (the row is skipped).
    duplicates : dict of int to list of str
        Keys given twice in a row's objects (GeoJSON), as ``"properties.capacity"``.
    presence : dict of str to numpy.ndarray
        Boolean masks of the rows whose properties *have* the key ``id``, ``source`` or
        ``target`` (even as null): how GeoJSON tells an edge from a node.
    driver : str
        ``geojson``, ``gpkg``, ``shapefile``, ``flatgeobuf``, ``parquet`` or ``frame``.
    check_text : bool
        Strings may hold lone surrogates (a ``\\ud800`` escape was read): validation
        checks every string.
    key_order : (list of tuple, numpy.ndarray) or None
        GeoJSON: the distinct orders of property keys, and each row's (-1: none), so that
        free properties keep the order the file gave them.
    """

    label: str
    count: int
    index: np.ndarray
    columns: dict[str, Column] = field(default_factory=dict)
    feature_id: Column | None = None
    geom: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    geom_name: dict[int, str] = field(default_factory=dict)
    x: np.ndarray = field(default_factory=lambda: np.zeros(0))
    y: np.ndarray = field(default_factory=lambda: np.zeros(0))
    line_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    line_ptr: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    line_xy: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    raw_geometry: dict[int, Any] = field(default_factory=dict)
    problems: list[tuple[int, str | None, str]] = field(default_factory=list)
    duplicates: dict[int, list[str]] = field(default_factory=dict)
    presence: dict[str, np.ndarray] = field(default_factory=dict)
    driver: str = "geojson"
    check_text: bool = False
    key_order: tuple[list[tuple[str, ...]], np.ndarray] | None = None


class MemoryBudget:
    """The memory a read may use: readers check it as they go, and stop with a clear error
    before the machine runs out (the process's resident memory, from ``/proc/self/statm``).

    ``limit`` is bytes; by default ``SUPPLYNET_MAX_MEMORY`` or 75% of the machine's memory.
    Where the resident memory cannot be read (not Linux) the budget never stops a read.

    Examples
    --------
    >>> MemoryBudget(1 << 40).check("x.geojson", 10)  # far below a terabyte: nothing happens
    """

    def __init__(self, limit: int | None = None) -> None:
        if limit is None:
            text = os.environ.get("SUPPLYNET_MAX_MEMORY")
            if text:
                try:
                    limit = int(text)
                except ValueError:
                    raise NetworkReadError(f"SUPPLYNET_MAX_MEMORY must be a whole number of bytes, got {text!r}") \
                        from None
            else:
                limit = int(0.75 * _physical_memory()) if _physical_memory() else 0
        self.limit = limit

    def used(self) -> int:
        """Return the resident memory of the process in bytes (0 when unknown)."""
        try:
            with open("/proc/self/statm", "rb") as fh:
                return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            return 0

    def check(self, label: str, features: int) -> None:
        """Raise a :class:`NetworkReadError` when the process uses more than the budget."""
        if self.limit <= 0:
            return
        used = self.used()
        if used > self.limit:
            raise NetworkReadError(
                f"{label}: reading it needs more memory than the {self.limit / 2**30:.1f} GiB allowed (it used "
                f"{used / 2**30:.1f} GiB after {features:,} features; reading takes about 1 KB per feature, more "
                "for features with many properties): raise SUPPLYNET_MAX_MEMORY (bytes) if the machine has the "
                "memory, or split the file")


def _physical_memory() -> int:
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 0
