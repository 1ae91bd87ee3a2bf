"""GIS layers written to files: GeoPackage, GeoParquet or GeoJSON, atomically.

What the layers hold and how each value is spelt is the render layer's business
(:mod:`supplynet.render.layers` builds them); this module puts them in files:

* a GeoPackage with layers ``nodes`` (Point) and ``edges`` (LineString), GeoPackage 1.2
  so that older GDAL and QGIS read it without a warning; the provenance is each layer's
  description (QGIS shows it as the layer's abstract) and GDAL metadata items
  (``ogrinfo`` lists them). A column GeoPackage cannot hold under its name (``fid`` and
  ``geom`` are its own, and its column names ignore case) is renamed, with a warning;
* GeoParquet 1.1: one file of nodes then edges (WKB geometries, Points and LineStrings,
  longitude/latitude), the provenance as the file's ``supplynet`` metadata; supplynet
  reads it back as a network;
* GeoJSON: one FeatureCollection, the text as rendered.

``split=True`` writes the nodes and the edges to ``<stem>.nodes<suffix>`` and
``<stem>.edges<suffix>`` instead (GeoJSON and GeoParquet), both or neither. Output is
deterministic: the same layers give byte-identical files (GDAL's GeoPackage timestamp is
pinned, ``OGR_CURRENT_DATE``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from supplynet._errors import FormatError, OutputError
from supplynet.io.write import atomic_path, check_target, write_all_atomic, write_atomic

__all__ = ["EXPORT_FORMATS", "LayerSource", "export_format", "split_paths", "write_layers", "gpkg_names"]

logger = logging.getLogger(__name__)

#: Output formats of :func:`write_layers`.
EXPORT_FORMATS = ("geojson", "gpkg", "parquet")
_SUFFIXES = {".gpkg": "gpkg", ".geojson": "geojson", ".json": "geojson", ".parquet": "parquet",
             ".geoparquet": "parquet"}
#: ``last_change`` GDAL writes into a GeoPackage when no ``generated_at`` time is asked for.
_FIXED_DATE = "1970-01-01T00:00:00.000Z"
#: Column names a GeoPackage layer keeps for itself (its FID and geometry columns).
_GPKG_RESERVED = ("fid", "geom")


class LayerSource(Protocol):
    """What :func:`write_layers` writes: the render layer's ``Layers``.

    ``nodes`` and ``edges`` are GeoDataFrames indexed by id; ``table(which)`` is one of
    them as columns a file can hold (``id`` first, each column of one type);
    ``geojson(which)`` the GeoJSON text of ``"nodes"``, ``"edges"`` or ``"both"``;
    ``metadata`` the provenance, ``metadata_items()`` it as flat text items and
    ``description(layer)`` as a paragraph.
    """

    nodes: Any
    edges: Any
    metadata: dict[str, Any]

    def table(self, which: str) -> Any: ...

    def geojson(self, which: str = "both") -> str: ...

    def metadata_items(self) -> dict[str, str]: ...

    def description(self, layer: str) -> str: ...


def export_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """Return the export format of ``path``: ``fmt`` if given, else from the suffix.

    Raises
    ------
    FormatError
        The suffix is not ``.gpkg``, ``.parquet``, ``.geojson`` or ``.json`` and no ``fmt``
        was given, or ``fmt`` contradicts the suffix (``r.gpkg`` with ``geojson``).

    Examples
    --------
    >>> export_format("out/results.GPKG"), export_format("r.json"), export_format("r.txt", "geojson")
    ('gpkg', 'geojson', 'geojson')
    >>> export_format("r.parquet")
    'parquet'
    >>> export_format("r.gpkg", "geojson")
    Traceback (most recent call last):
    ...
    supplynet._errors.FormatError: format geojson contradicts the suffix of r.gpkg (gpkg); drop one or make them agree
    """
    found = _SUFFIXES.get(Path(path).suffix.lower())
    if fmt is not None:
        if fmt not in EXPORT_FORMATS:
            raise FormatError(f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
        if found is not None and found != fmt:
            raise FormatError(f"format {fmt} contradicts the suffix of {path} ({found}); drop one or make them agree")
        return fmt
    if found is None:
        raise FormatError(f"cannot tell the format of {path} from its suffix; use .gpkg, .parquet or .geojson "
                          "(or give the format)")
    return found


def split_paths(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Return the nodes and edges files of a split export: ``<stem>.nodes<suffix>`` ...

    Examples
    --------
    >>> [p.name for p in split_paths("out/results.geojson")]
    ['results.nodes.geojson', 'results.edges.geojson']
    >>> [p.name for p in split_paths("results.parquet")]
    ['results.nodes.parquet', 'results.edges.parquet']
    """
    p = Path(path)
    suffix = p.suffix or ".geojson"
    return p.with_name(f"{p.stem}.nodes{suffix}"), p.with_name(f"{p.stem}.edges{suffix}")


def write_layers(
    layers: LayerSource,
    path: str | os.PathLike[str],
    *,
    fmt: str | None = None,
    split: bool = False,
    overwrite: bool = False,
) -> list[Path]:
    """Write result layers atomically as a GeoPackage, GeoParquet or GeoJSON; return the files written.

    Parameters
    ----------
    layers : LayerSource
        The render layer's ``Layers``.
    path : path-like
        The output file; its suffix picks the format unless ``fmt`` is given.
    fmt : {"gpkg", "parquet", "geojson"}, optional
    split : bool
        GeoJSON and GeoParquet: write the nodes and the edges to two files (:func:`split_paths`).
    overwrite : bool
        Replace existing files; without it an existing file is refused and nothing is written.

    Raises
    ------
    OutputError
        A file exists without ``overwrite``, is no regular file, the folder is missing, the
        writer failed (disk full ...), or ``split`` with a GeoPackage. Nothing is left
        half-written: the split files appear together or not at all.

    Examples
    --------
    >>> import tempfile, geopandas as gpd, pandas as pd, shapely
    >>> from supplynet.render.layers import Layers
    >>> pts = gpd.GeoDataFrame({"kind": ["node"]}, index=pd.Index(["a"], name="id"),
    ...                        geometry=[shapely.Point(44, 33)], crs="EPSG:4326")
    >>> out = Path(tempfile.mkdtemp()) / "r.geojson"
    >>> [p.name for p in write_layers(Layers(pts, pts.iloc[:0], {}), out, split=True)]
    ['r.nodes.geojson', 'r.edges.geojson']
    """
    fmt = export_format(path, fmt)
    if split and fmt == "gpkg":
        raise OutputError("a GeoPackage holds the nodes and the edges as two layers already; "
                          "split applies to GeoJSON and GeoParquet only")
    targets = list(split_paths(path)) if split else [Path(path)]
    for target in targets:  # refuse before writing any of them
        check_target(target, overwrite=overwrite)
    if fmt == "gpkg":
        with atomic_path(targets[0], overwrite=overwrite, fresh=True) as tmp:
            _write_gpkg(layers, tmp)
    elif fmt == "parquet":
        parts = [(targets[0], ("nodes", "edges"))] if not split else list(zip(targets, (("nodes",), ("edges",))))
        write_all_atomic([(target, _parquet_bytes(layers, which)) for target, which in parts], overwrite=overwrite)
    elif split:  # both files appear together or not at all
        write_all_atomic([(target, layers.geojson(which)) for target, which in zip(targets, ("nodes", "edges"))],
                         overwrite=overwrite)
    else:
        write_atomic(targets[0], layers.geojson(), overwrite=overwrite)
    logger.info("wrote %s", ", ".join(str(t) for t in targets))
    return targets


# --- GeoPackage ----------------------------------------------------------------------------

def gpkg_names(columns: list[str], geometry: str = "geometry") -> dict[str, str]:
    """Return new names for the columns a GeoPackage layer cannot hold as they are.

    ``fid`` and ``geom`` (GeoPackage's own columns) become ``fid_input`` / ``geom_input``;
    a name equal to an earlier one but for case (GeoPackage ignores case) gets ``_2``, ``_3``.

    Examples
    --------
    >>> gpkg_names(["id", "fid", "capacity", "Capacity", "GEOM", "geometry"])
    {'fid': 'fid_input', 'Capacity': 'Capacity_2', 'GEOM': 'GEOM_input'}
    """
    taken: set[str] = set()
    out: dict[str, str] = {}
    for name in columns:
        if name == geometry:
            continue
        new = f"{name}_input" if name.lower() in _GPKG_RESERVED else name
        k = 2
        base = new
        while new.lower() in taken or new.lower() in _GPKG_RESERVED:
            new = f"{base}_{k}"
            k += 1
        taken.add(new.lower())
        if new != name:
            out[name] = new
    return out


@contextlib.contextmanager
def _gdal_date(value: str) -> Iterator[None]:
    """Pin the timestamp GDAL writes into a GeoPackage (config option ``OGR_CURRENT_DATE``)."""
    import pyogrio

    old = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": value})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": old})


@contextlib.contextmanager
def _gdal_errors(path: Path) -> Iterator[None]:
    """Turn GDAL's failure to write (disk full, file too large) into an :class:`OutputError`."""
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        yield
    except (DataSourceError, DataLayerError) as exc:
        reason = str(exc).replace(str(path), "").strip(" :") or type(exc).__name__
        raise OutputError(f"cannot write the GeoPackage: {reason}") from None


def _write_gpkg(layers: LayerSource, path: Path) -> None:
    import pyogrio

    meta = layers.metadata
    stamp = meta.get("generated_at")
    date = f"{stamp[:19]}.000Z" if stamp else _FIXED_DATE
    items = layers.metadata_items()
    name = meta["network"].get("name") or meta["network"].get("source")
    with _gdal_date(date), _gdal_errors(path):
        for layer, geom_type in (("nodes", "Point"), ("edges", "LineString")):
            frame = layers.table(layer)
            renamed = gpkg_names(list(frame.columns), frame.geometry.name)
            if renamed:
                logger.warning("%s: GeoPackage columns renamed (GeoPackage keeps fid and geom, and ignores case): "
                               "%s", layer, ", ".join(f"{a!r} -> {b!r}" for a, b in renamed.items()))
                frame = frame.rename(columns=renamed)
            pyogrio.write_dataframe(
                frame, path, layer=layer, driver="GPKG", geometry_type=geom_type,
                dataset_options={"VERSION": "1.2"},
                layer_options={"IDENTIFIER": f"supplynet {layer}: {name}", "DESCRIPTION": layers.description(layer),
                               "SPATIAL_INDEX": "YES"},
                layer_metadata=items,
            )


# --- GeoParquet ----------------------------------------------------------------------------

def _parquet_bytes(layers: LayerSource, which: tuple[str, ...]) -> bytes:
    """Return a GeoParquet file of the layers ``which`` (nodes, edges or both), as bytes."""
    import io

    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq
    import shapely

    frames = [layers.table(w) for w in which]
    geoms = [f.geometry.values for f in frames]
    plain = [pd.DataFrame(f.drop(columns=f.geometry.name)) for f in frames]
    frame = pd.concat(plain, ignore_index=True, sort=False) if len(plain) > 1 else plain[0].reset_index(drop=True)
    for col in frame.columns:  # a column absent from one layer: nullable, of the other's type
        kinds = {str(p[col].dtype) for p in plain if col in p.columns}
        if kinds == {"bool"} or kinds == {"boolean"} or kinds == {"bool", "boolean"}:
            frame[col] = frame[col].astype("boolean")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    wkb = [shapely.to_wkb(g, byte_order=1, output_dimension=2) for g in geoms]
    blobs = pa.array([b for part in wkb for b in part.tolist()], pa.binary())
    table = table.append_column("geometry", blobs)
    types = sorted({t for w in which for t in (("Point",) if w == "nodes" else ("LineString",))})
    bounds = [shapely.total_bounds(g) for g in geoms if len(g)]
    bbox = ([min(b[0] for b in bounds), min(b[1] for b in bounds), max(b[2] for b in bounds),
             max(b[3] for b in bounds)] if bounds else None)
    column = {"encoding": "WKB", "geometry_types": types}
    if bbox is not None:
        column["bbox"] = [float(v) for v in bbox]
    geo = {"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": column}}
    own = {k: v for k, v in layers.metadata.items()}
    meta = {b"geo": json.dumps(geo, sort_keys=True).encode(),
            b"supplynet": json.dumps(own, sort_keys=True, ensure_ascii=False, allow_nan=False).encode()}
    table = table.replace_schema_metadata(meta)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()
