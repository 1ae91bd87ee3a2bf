"""Read network files into columns, from the path given and nothing else, never changing them.

The first stage of the data flow: bytes on disk (or stdin) become :class:`FeatureBlock`
columns, the collection's own members (``name``, ``description``) and the SHA-256 of
what was read. Validation and graph building come after, in :mod:`supplynet.io.validate`
and :mod:`supplynet.network.graph`.

What is read, and what is refused (docs/network-format.md, "Containers"):

* the format is told by the file's first bytes, never by GDAL's guess: GeoJSON (any file
  whose first character is ``{`` or ``[``, or named ``.geojson`` / ``.json``; parsed
  here, :mod:`supplynet.io.geojson`), GeoPackage, GeoParquet, Shapefile and FlatGeobuf.
  Nothing else is handed to GDAL, so formats that make GDAL open other files or fetch
  URLs (OGR VRT, GML with remote schemas, KML network links ...) and text formats
  (CSV) are refused with the formats that are read;
* only regular files (and stdin, or a pipe, read as GeoJSON): a device such as
  ``/dev/zero`` is refused before a byte is read;
* at most :data:`DEFAULT_MAX_BYTES` bytes, checked before reading (and while reading a
  stream), and at most :data:`DEFAULT_MAX_FEATURES` features, counted before they are
  parsed; and reading stops with a clear error when the process passes its memory budget
  (:class:`~supplynet.io.columns.MemoryBudget`), so that no file exhausts memory.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from supplynet._errors import NetworkReadError, NetworkValidationError
from supplynet._perf import paused_gc
from supplynet.io.columns import FeatureBlock, MemoryBudget

__all__ = ["RawNetwork", "read_raw", "DEFAULT_MAX_BYTES", "DEFAULT_MAX_FEATURES", "DEFAULT_MAX_FEATURE_BYTES",
           "STDIN", "FORMATS", "sniff"]

logger = logging.getLogger(__name__)

#: Files larger than this are refused before they are read (override with the
#: ``SUPPLYNET_MAX_BYTES`` environment variable or the ``max_bytes`` argument).
DEFAULT_MAX_BYTES = 1 << 30
#: Networks with more features than this are refused before their features are parsed
#: (``SUPPLYNET_MAX_FEATURES``): reading takes 0.6 to 1.2 KB per feature (measured, see
#: docs/network-format.md), so this many fit in about 6 GB.
DEFAULT_MAX_FEATURES = 6_000_000
#: A GeoJSON feature longer than this many bytes of text is refused before it is parsed
#: (``SUPPLYNET_MAX_FEATURE_BYTES``).
DEFAULT_MAX_FEATURE_BYTES = 64 << 20

#: The path that means "read GeoJSON from standard input".
STDIN = "-"
#: The formats read, by the name :func:`sniff` gives them.
FORMATS = {"geojson": "GeoJSON", "gpkg": "GeoPackage", "parquet": "GeoParquet", "shapefile": "Shapefile",
           "flatgeobuf": "FlatGeobuf"}

_GEOJSON_SUFFIXES = {".json", ".geojson"}
_READ = 1 << 20
#: GeoPackage application ids (SQLite header offset 68): "GPKG", "GP10", "GP11".
_GPKG_IDS = {b"GPKG", b"GP10", b"GP11"}
#: Layers of a GeoPackage, when it has them, that hold the network.
LAYERS = ("nodes", "edges")
#: Schema, computed and export column names a Shapefile (dBase) cuts to 10 characters.
_LONG_NAMES = ("repair_days", "bidirectional", "interdictable", "transit_days", "crosses_border",
               "supply_betweenness", "interdiction_rank", "in_min_node_cut", "in_min_edge_cut", "scenario_removed",
               "scenario_factor", "scenario_flow", "flow_loss_pct")


@dataclass
class RawNetwork:
    """Features read from one network file (or a nodes file and an edges file).

    Attributes
    ----------
    blocks : list of FeatureBlock
        The features of each file or layer, as columns, in reading order.
    meta : dict
        Collection members worth keeping: ``name``, ``description``.
    source : str
        Human label of the input (paths joined with ``" + "``).
    sha256 : str
        SHA-256 of the bytes read (of both files' hex digests, in order, for a pair).
    problems, warnings : list of str
        What the reader found beyond the features (a layer it will not read ...).
    """

    blocks: list[FeatureBlock] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    sha256: str = ""
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_raw(
    path: str | os.PathLike[str],
    edges: str | os.PathLike[str] | None = None,
    *,
    max_bytes: int | None = None,
    max_features: int | None = None,
) -> RawNetwork:
    """Return the features of a network file, or of a nodes file and an edges file, as columns.

    GeoJSON is parsed here; GeoPackage, GeoParquet, Shapefile and FlatGeobuf are read
    through Arrow and reprojected to EPSG:4326. ``"-"`` reads GeoJSON from standard input.

    Parameters
    ----------
    path : path-like or "-"
        The network file, or the nodes file when ``edges`` is given.
    edges : path-like, optional
        A separate file holding the edges.
    max_bytes : int, optional
        Refuse larger inputs (default :data:`DEFAULT_MAX_BYTES`, or ``SUPPLYNET_MAX_BYTES``).
    max_features : int, optional
        Refuse inputs with more features (default :data:`DEFAULT_MAX_FEATURES`, or
        ``SUPPLYNET_MAX_FEATURES``), counted over both files.

    Returns
    -------
    RawNetwork

    Raises
    ------
    NetworkReadError
        The file is missing, not a regular file, unreadable, too large, of a format not
        read, empty, or not JSON.
    NetworkValidationError
        The JSON is not a FeatureCollection.

    Examples
    --------
    >>> import json, tempfile, os
    >>> fc = {"type": "FeatureCollection", "features": []}
    >>> with tempfile.NamedTemporaryFile("w", suffix=".geojson", delete=False) as f:
    ...     json.dump(fc, f)
    >>> raw = read_raw(f.name)
    >>> sum(block.count for block in raw.blocks)
    0
    >>> os.unlink(f.name)
    """
    limit = _setting(max_bytes, "SUPPLYNET_MAX_BYTES", DEFAULT_MAX_BYTES, "bytes")
    features = _setting(max_features, "SUPPLYNET_MAX_FEATURES", DEFAULT_MAX_FEATURES, "features")
    feature_bytes = _setting(None, "SUPPLYNET_MAX_FEATURE_BYTES", DEFAULT_MAX_FEATURE_BYTES, "bytes")
    first = _read_one(path, limit, features, feature_bytes)
    if edges is None:
        return first
    left = features - sum(b.count for b in first.blocks)
    second = _read_one(edges, limit, left, feature_bytes)
    digest = hashlib.sha256((first.sha256 + second.sha256).encode()).hexdigest()
    return RawNetwork(
        blocks=first.blocks + second.blocks,
        meta=first.meta or second.meta,
        source=f"{first.source} + {second.source}",
        sha256=digest,
        problems=first.problems + second.problems,
        warnings=first.warnings + second.warnings,
    )


def _setting(value: int | None, env: str, default: int, unit: str) -> int:
    if value is not None:
        return value
    text = os.environ.get(env)
    if text:
        try:
            return int(text)
        except ValueError:
            raise NetworkReadError(f"{env} must be a whole number of {unit}, got {text!r}") from None
    return default


def sniff(head: bytes, path: Path | None = None) -> str | None:
    """Return the format of a file from its first bytes (and suffix), or None when it is not read.

    Examples
    --------
    >>> sniff(b'{"type": "FeatureCollection"'), sniff(b"PAR1...."), sniff(b"id,x,y\\n1,2,3")
    ('geojson', 'parquet', None)
    """
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg" if head[68:72] in _GPKG_IDS else None
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"fgb\x03"):
        return "flatgeobuf"
    if head[:4] == b"\x00\x00\x27\x0a":
        return "shapefile"
    if text[:1] in (b"{", b"[") or not text or _utf16_or_32(head):
        return "geojson"
    if path is not None and path.suffix.lower() in _GEOJSON_SUFFIXES:
        return "geojson"
    return None


def _utf16_or_32(head: bytes) -> bool:
    """A BOM, or the zero bytes of UTF-16/32 around an ASCII ``{`` or ``[``."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or head[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"):
        return True
    squeezed = head[:16].replace(b"\x00", b"")
    return b"\x00" in head[:4] and squeezed.lstrip()[:1] in (b"{", b"[")


def _refusal(label: str, head: bytes) -> str:
    kind = ""
    lowered = head[:512].lower()
    if b"<ogrvrtdatasource" in lowered:
        kind = ("an OGR VRT file, which makes GDAL read the files and URLs it names: supplynet reads only "
                "the file it is given; ")
    elif head.startswith(b"SQLite format 3\x00"):
        kind = "an SQLite database that is not a GeoPackage; "
    elif lowered.lstrip().startswith(b"<"):
        kind = "XML (GML, KML, GPX ...), whose readers may fetch what it links to; "
    elif head[:1] == b"\x00":
        kind = "binary data; "
    elif b"," in head[:256] or b";" in head[:256] or b"\t" in head[:256]:
        kind = "text such as CSV, which holds no geometry supplynet can trust; "
    formats = ", ".join(FORMATS.values())
    return (f"{label}: {kind}not a format supplynet reads ({formats}); convert it first, e.g. "
            "`ogr2ogr -f GPKG network.gpkg INPUT` (docs/network-format.md)")


def _read_one(path: str | os.PathLike[str], limit: int, max_features: int, feature_bytes: int) -> RawNetwork:
    label = "<stdin>" if str(path) == STDIN else str(path)
    if str(path) == STDIN:
        return _geojson(_read_stream(sys.stdin.buffer, limit, label), label, max_features, feature_bytes)
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise NetworkReadError(f"{label}: no such file") from None
    except OSError as exc:
        raise NetworkReadError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise NetworkReadError(f"{label}: is a directory, not a network file")
    if stat.S_ISFIFO(st.st_mode):  # a pipe (`<(cat x)`): a stream, as stdin
        return _geojson(_read_file(p, limit, label), label, max_features, feature_bytes)
    if not stat.S_ISREG(st.st_mode):
        kind = ("a character device" if stat.S_ISCHR(st.st_mode) else "a block device" if stat.S_ISBLK(st.st_mode)
                else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        raise NetworkReadError(f"{label}: is {kind}, not a network file; give a file")
    if st.st_size > limit:
        raise NetworkReadError(
            f"{label}: {st.st_size:,} bytes is larger than the {limit:,}-byte limit for a network file "
            "(raise it with SUPPLYNET_MAX_BYTES if the file really is a network)"
        )
    try:
        with p.open("rb") as fh:
            head = fh.read(100)
    except OSError as exc:
        raise NetworkReadError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    kind = sniff(head, p)
    if kind is None:
        raise NetworkReadError(_refusal(label, head))
    if kind == "geojson":
        return _geojson(_read_file(p, limit, label), label, max_features, feature_bytes)
    sha = _hash_file(p, limit, label)
    if kind == "parquet":
        raw = _read_parquet(p, label, max_features)
    else:
        raw = _read_gdal(p, label, kind, max_features)
    raw.sha256 = sha
    return raw


def _read_file(p: Path, limit: int, label: str) -> bytes:
    """Read a file or pipe whole, within the limit."""
    try:
        with p.open("rb") as fh:
            return _read_stream(fh, limit, label)
    except OSError as exc:
        raise NetworkReadError(f"{label}: cannot be read ({exc.strerror or exc})") from None


def _read_stream(fh: BinaryIO, limit: int, label: str) -> bytes:
    """Read a stream in pieces, refusing it as soon as it passes the limit."""
    parts = []
    total = 0
    while True:
        chunk = fh.read(min(_READ << 4, limit + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        if total > limit:
            raise NetworkReadError(f"{label}: input is larger than the {limit:,}-byte limit for a network file")
    return b"".join(parts)


def _hash_file(p: Path, limit: int, label: str) -> str:
    h = hashlib.sha256()
    total = 0
    try:
        with p.open("rb") as fh:
            while chunk := fh.read(_READ):
                total += len(chunk)
                if total > limit:
                    raise NetworkReadError(f"{label}: input is larger than the {limit:,}-byte limit for a network file")
                h.update(chunk)
    except OSError as exc:
        raise NetworkReadError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    return h.hexdigest()


def _text(data: bytes) -> bytes:
    """Return GeoJSON text as UTF-8: a UTF-8 BOM dropped, UTF-16 and UTF-32 converted."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:]
    if _utf16_or_32(data[:16]):
        import json

        try:
            return data.decode(json.detect_encoding(data)).lstrip("\ufeff").encode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            return data  # the parser words the error
    return data


def _geojson(data: bytes, label: str, max_features: int, feature_bytes: int) -> RawNetwork:
    from supplynet.io.geojson import parse_geojson

    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise NetworkReadError(f"{label}: the file is empty; expected a GeoJSON FeatureCollection")
    text = _text(data)
    del data
    with paused_gc():  # millions of small, acyclic objects: the collector's passes tripled the parse
        doc, block = parse_geojson(text, label, max_features=max_features, max_feature_bytes=feature_bytes,
                                   budget=MemoryBudget())
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        kind = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise NetworkValidationError([f"the top level is {kind!r}, expected a GeoJSON FeatureCollection"], source=label)
    if block is None:
        raise NetworkValidationError(["member 'features' must be a list of Features"], source=label)
    problems = []
    if getattr(doc, "dups", None):
        problems += [f"{label}: the collection's member {k!r} is given twice; JSON keeps only the last value, "
                     "so give it once" for k in dict.fromkeys(doc.dups)]
    crs = doc.get("crs")
    if crs is not None:
        problems += _geojson_crs(block, crs, label)
    meta = {k: doc[k] for k in ("name", "description") if isinstance(doc.get(k), str)}
    return RawNetwork(blocks=[block], meta=meta, source=label, sha256=sha, problems=problems)


def _geojson_crs(block: FeatureBlock, crs: Any, label: str) -> list[str]:
    """Reproject a block whose GeoJSON ``crs`` member (GeoJSON 2008) names a CRS; refuse one it cannot use."""
    import pyproj

    from supplynet.io.arrow import reproject

    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) and isinstance(crs.get("properties"),
                                                                                         dict) else None
    if not (isinstance(crs, dict) and crs.get("type") == "name" and isinstance(name, str)):
        return [f"{label}: the 'crs' member {str(crs)[:80]!r} is not a named CRS (GeoJSON 2008 "
                "{\"type\": \"name\", \"properties\": {\"name\": \"EPSG:...\"}}); remove it and give "
                "longitude/latitude in WGS 84, as RFC 7946 requires"]
    try:
        parsed = pyproj.CRS.from_user_input(name)
    except pyproj.exceptions.CRSError:
        return [f"{label}: the 'crs' member names {name!r}, a CRS supplynet does not know; give "
                "longitude/latitude in WGS 84, as RFC 7946 requires"]
    if reproject(block, parsed):
        logger.info("%s: coordinates reprojected from %s to EPSG:4326 (its 'crs' member)", label, name)
    return []


def _read_parquet(p: Path, label: str, max_features: int) -> RawNetwork:
    """Read a GeoParquet file: every row a feature, the primary geometry column decoded."""
    import json

    import pyarrow.parquet as pq

    from supplynet.io.arrow import block_from_table

    try:
        pf = pq.ParquetFile(p)
        rows = pf.metadata.num_rows
    except Exception as exc:  # pyarrow raises several types for files it cannot read
        raise NetworkReadError(f"{label}: not a Parquet file pyarrow can read ({exc})") from None
    _limit(rows, max_features, label)
    meta = pf.schema_arrow.metadata or {}
    geo = {}
    if b"geo" in meta:
        try:
            geo = json.loads(meta[b"geo"])
        except ValueError:
            raise NetworkReadError(f"{label}: its GeoParquet metadata ('geo') is not JSON") from None
    column = geo.get("primary_column")
    info = (geo.get("columns") or {}).get(column) or {} if column else {}
    if column is None or column not in pf.schema_arrow.names:
        raise NetworkReadError(f"{label}: a Parquet file without GeoParquet metadata (no geometry column); "
                               "write it with geopandas' to_parquet or supplynet export")
    try:
        table = pf.read()
    except Exception as exc:
        raise NetworkReadError(f"{label}: cannot be read ({exc})") from None
    crs = info.get("crs", "OGC:CRS84") if "crs" in info else "OGC:CRS84"
    if crs is None:
        crs = "OGC:CRS84"  # "unknown": taken as longitude/latitude, as GeoJSON and GDAL do
    try:
        block = block_from_table(table, label, "parquet", column, encoding=info.get("encoding", "WKB"),
                                 crs=json.dumps(crs) if isinstance(crs, dict) else crs)
    except Exception as exc:
        raise NetworkReadError(f"{label}: its geometry column {column!r} cannot be decoded ({exc})") from None
    MemoryBudget().check(label, block.count)
    names = {}
    own = meta.get(b"supplynet")  # a supplynet export's provenance: the network it was made from
    if own:
        try:
            network = json.loads(own).get("network") or {}
            names = {k: v for k, v in network.items() if k in ("name", "description") and isinstance(v, str)}
        except (ValueError, AttributeError):
            names = {}
    return RawNetwork(blocks=[block], meta=names or {"name": p.stem}, source=label)


def _limit(count: int, max_features: int, label: str) -> None:
    if count > max_features:
        raise NetworkReadError(
            f"{label}: holds {count:,} features, more than the limit of {max_features:,} for one network "
            "(raise it with SUPPLYNET_MAX_FEATURES if this machine has the memory: see docs/network-format.md)")


def _read_gdal(p: Path, label: str, kind: str, max_features: int) -> RawNetwork:
    """Read a GeoPackage, Shapefile or FlatGeobuf through pyogrio as Arrow tables."""
    import pyogrio
    from pyogrio.raw import read_arrow

    from supplynet.io.arrow import block_from_table

    target = str(p.resolve())  # absolute: GDAL never takes it for a connection string or a /vsi path
    try:
        layers = [(str(name), str(gtype) if gtype is not None else None) for name, gtype in pyogrio.list_layers(target)]
    except Exception as exc:  # pyogrio raises several unrelated types for unreadable files
        raise NetworkReadError(f"{label}: GDAL cannot open it as {FORMATS[kind]} ({exc})") from None
    problems, warnings = [], []
    names = [n for n, _ in layers]
    wanted = [n for n in LAYERS if n in names]
    if wanted:
        for name, gtype in layers:
            if name in LAYERS:
                continue
            if gtype and any(word in gtype for word in ("Point", "LineString")):
                problems.append(
                    f"{label}: layer {name!r} holds {gtype} features, but supplynet reads only the layers "
                    f"'nodes' and 'edges' of a file that has them; rename it (nodes are Points, edges "
                    "LineStrings) or move it to a file of its own")
            else:
                warnings.append(f"{label}: layer {name!r} ({gtype or 'no geometry'}) is not read; supplynet reads "
                                "the layers 'nodes' and 'edges'")
    else:
        wanted = names
    counts = []
    for name in wanted:
        try:
            counts.append(int(pyogrio.read_info(target, layer=name)["features"]))
        except Exception as exc:
            raise NetworkReadError(f"{label}: layer {name!r} cannot be read ({exc})") from None
    _limit(sum(counts), max_features, label)
    blocks = []
    for name in wanted:
        try:
            meta, table = read_arrow(target, layer=name, datetime_as_string=True)
        except Exception as exc:
            raise NetworkReadError(f"{label}: layer {name!r} cannot be read ({exc})") from None
        tag = label if len(wanted) == 1 else f"{label}:{name}"
        if kind == "shapefile":
            table, renamed = _dbf_names(table)
            warnings += [f"{tag}: field {short!r} is read as {full!r} (a Shapefile cuts field names to 10 "
                         "characters)" for short, full in renamed]
        geometry = meta.get("geometry_name") or ("wkb_geometry" if "wkb_geometry" in table.column_names else None)
        if geometry not in table.column_names:
            geometry = None
        else:
            table = _checked_geometry(table, geometry, target, name)
        try:
            block = block_from_table(table, tag, kind, geometry, crs=meta.get("crs"))
        except Exception as exc:
            raise NetworkReadError(f"{label}: layer {name!r}: its geometries cannot be decoded ({exc})") from None
        blocks.append(block)
        MemoryBudget().check(label, sum(b.count for b in blocks))
    return RawNetwork(blocks=blocks, meta={"name": p.stem}, source=label, problems=problems, warnings=warnings)


def _checked_geometry(table: Any, geometry: str, target: str, layer: str) -> Any:
    """Return the table with a valid geometry column: some drivers' Arrow streams come out
    malformed (FlatGeobuf with null geometries); then the geometries are read again without Arrow."""
    import pyarrow as pa
    from pyogrio.raw import read

    try:
        table.column(geometry).validate(full=True)
        return table
    except pa.ArrowException:
        pass
    blobs = read(target, layer=layer, columns=[], read_geometry=True)[2]
    index = table.column_names.index(geometry)
    return table.set_column(index, geometry, pa.array(list(blobs), pa.binary()))


def _dbf_names(table: Any) -> tuple[Any, list[tuple[str, str]]]:
    """Return the table with Shapefile-truncated names of known columns restored, and what was renamed."""
    names = list(table.column_names)
    renamed = []
    for i, name in enumerate(names):
        if len(name) != 10:
            continue
        full = [f for f in _LONG_NAMES if f[:10] == name]
        if len(full) == 1 and full[0] not in names:
            names[i] = full[0]
            renamed.append((name, full[0]))
    return (table.rename_columns(names) if renamed else table), renamed
