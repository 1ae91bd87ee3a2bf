"""Read network files into plain GeoJSON-like features, without ever changing them.

The first stage of the data flow: bytes on disk (or stdin) become a list of feature
mappings and the collection's own members (``name``, ``description``), plus the SHA-256
of what was read. Validation and graph building come after, in :mod:`supplynet.io.validate`
and :mod:`supplynet.network.graph`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from supplynet._errors import NetworkReadError, NetworkValidationError

__all__ = ["RawNetwork", "read_raw", "DEFAULT_MAX_BYTES", "STDIN"]

logger = logging.getLogger(__name__)

#: Files larger than this are refused before they are read (override with the
#: ``SUPPLYNET_MAX_BYTES`` environment variable or the ``max_bytes`` argument).
DEFAULT_MAX_BYTES = 1 << 30

#: The path that means "read GeoJSON from standard input".
STDIN = "-"

_GEOJSON_SUFFIXES = {".json", ".geojson"}


@dataclass
class RawNetwork:
    """Features read from one network file (or a nodes file and an edges file).

    Attributes
    ----------
    features : list of (str, int, dict)
        ``(file label, index in that file, feature mapping)`` in file order.
    meta : dict
        Collection members worth keeping: ``name``, ``description``.
    source : str
        Human label of the input (paths joined with ``" + "``).
    sha256 : str
        SHA-256 of the bytes read (of both files, in order, for a pair).
    """

    features: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    sha256: str = ""


def read_raw(
    path: str | os.PathLike[str],
    edges: str | os.PathLike[str] | None = None,
    *,
    max_bytes: int | None = None,
) -> RawNetwork:
    """Return the raw features of a network file, or of a nodes file and an edges file.

    GeoJSON is parsed here; GeoPackage, Shapefile and other OGR formats are read through
    geopandas and reprojected to EPSG:4326. ``"-"`` reads GeoJSON from standard input.

    Parameters
    ----------
    path : path-like or "-"
        The network file, or the nodes file when ``edges`` is given.
    edges : path-like, optional
        A separate file holding the edges.
    max_bytes : int, optional
        Refuse larger inputs (default :data:`DEFAULT_MAX_BYTES`).

    Returns
    -------
    RawNetwork

    Raises
    ------
    NetworkReadError
        The file is missing, unreadable, too large, empty, or not JSON.
    NetworkValidationError
        The JSON is not a FeatureCollection.

    Examples
    --------
    >>> import json, tempfile, os
    >>> fc = {"type": "FeatureCollection", "features": []}
    >>> with tempfile.NamedTemporaryFile("w", suffix=".geojson", delete=False) as f:
    ...     json.dump(fc, f)
    >>> raw = read_raw(f.name)
    >>> len(raw.features)
    0
    >>> os.unlink(f.name)
    """
    limit = _max_bytes(max_bytes)
    first = _read_one(path, limit)
    if edges is None:
        return first
    second = _read_one(edges, limit)
    digest = hashlib.sha256((first.sha256 + second.sha256).encode()).hexdigest()
    return RawNetwork(
        features=first.features + second.features,
        meta=first.meta or second.meta,
        source=f"{first.source} + {second.source}",
        sha256=digest,
    )


def _max_bytes(max_bytes: int | None) -> int:
    if max_bytes is not None:
        return max_bytes
    env = os.environ.get("SUPPLYNET_MAX_BYTES")
    if env:
        try:
            return int(env)
        except ValueError:
            raise NetworkReadError(f"SUPPLYNET_MAX_BYTES must be a whole number of bytes, got {env!r}") from None
    return DEFAULT_MAX_BYTES


def _read_one(path: str | os.PathLike[str], limit: int) -> RawNetwork:
    label = "<stdin>" if str(path) == STDIN else str(path)
    if str(path) == STDIN:
        data = _read_limited(sys.stdin.buffer, limit, label)
        return _parse_geojson(data, label)
    p = Path(path)
    if not p.exists():
        raise NetworkReadError(f"{label}: no such file")
    if p.is_dir():
        raise NetworkReadError(f"{label}: is a directory, not a network file")
    size = p.stat().st_size
    if size > limit:
        raise NetworkReadError(
            f"{label}: {size:,} bytes is larger than the {limit:,}-byte limit for a network file "
            "(raise it with SUPPLYNET_MAX_BYTES if the file really is a network)"
        )
    if p.suffix.lower() in _GEOJSON_SUFFIXES or _looks_like_json(p):
        try:
            with p.open("rb") as fh:
                data = _read_limited(fh, limit, label)
        except OSError as exc:
            raise NetworkReadError(f"{label}: cannot be read ({exc.strerror or exc})") from None
        return _parse_geojson(data, label)
    return _read_ogr(p, label)


def _looks_like_json(p: Path) -> bool:
    try:
        with p.open("rb") as fh:
            head = fh.read(64).lstrip()
    except OSError as exc:
        raise NetworkReadError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    return not head or head[:1] in (b"{", b"[")


def _read_limited(fh: BinaryIO, limit: int, label: str) -> bytes:
    # One read of at most limit + 1 bytes: the file is held once, and a stream that
    # goes on past the limit is refused without being slurped whole.
    data = fh.read(limit + 1)
    if len(data) > limit:
        raise NetworkReadError(f"{label}: input is larger than the {limit:,}-byte limit for a network file")
    return data


def _reject_constant(name: str) -> float:
    # NaN and Infinity are not JSON (RFC 8259) but Python would accept them; keep them
    # as floats so that validation can name the feature and property that holds them.
    return math.nan if name == "NaN" else (math.inf if name == "Infinity" else -math.inf)


def _parse_geojson(data: bytes, label: str) -> RawNetwork:
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise NetworkReadError(f"{label}: the file is empty; expected a GeoJSON FeatureCollection")
    try:
        doc = json.loads(data, parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        raise NetworkReadError(f"{label}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        cut = exc.pos >= len(data.rstrip()) - 1 or exc.msg.startswith("Unterminated string")
        where = f"{exc.msg}; the file ends too early (truncated?)" if cut else exc.msg
        raise NetworkReadError(
            f"{label}: not valid JSON at line {exc.lineno}, column {exc.colno}: {where}"
        ) from None
    except RecursionError:
        raise NetworkReadError(f"{label}: JSON nested too deeply to be a network file") from None
    del data
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        kind = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise NetworkValidationError(
            [f"the top level is {kind!r}, expected a GeoJSON FeatureCollection"], source=label
        )
    feats = doc.get("features")
    if not isinstance(feats, list):
        raise NetworkValidationError(
            ["member 'features' must be a list of Features"], source=label
        )
    meta = {k: doc[k] for k in ("name", "description") if isinstance(doc.get(k), str)}
    features = [(label, i, f) for i, f in enumerate(feats)]
    return RawNetwork(features=features, meta=meta, source=label, sha256=sha)


def _read_ogr(p: Path, label: str) -> RawNetwork:
    import geopandas as gpd
    import pyogrio

    with p.open("rb") as fh:
        sha = _hash_stream(fh)
    try:
        layers = [name for name, _ in pyogrio.list_layers(p)]
    except Exception as exc:  # pyogrio raises several unrelated types for unreadable files
        raise NetworkReadError(f"{label}: not a GeoJSON file and GDAL cannot open it ({exc})") from None
    wanted = [n for n in ("nodes", "edges") if n in layers] or layers
    features: list[tuple[str, int, dict[str, Any]]] = []
    for layer in wanted:
        gdf = gpd.read_file(p, layer=layer, engine="pyogrio")
        if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
            logger.info("%s: reprojecting layer %r from %s to EPSG:4326", label, layer, gdf.crs)
            gdf = gdf.to_crs(4326)
        tag = label if len(wanted) == 1 else f"{label}:{layer}"
        for i, feat in enumerate(gdf.iterfeatures(na="null", drop_id=True)):
            features.append((tag, i, feat))
    return RawNetwork(features=features, meta={"name": p.stem}, source=label, sha256=sha)


def _hash_stream(fh: BinaryIO) -> str:
    h = hashlib.sha256()
    for chunk in iter(lambda: fh.read(1 << 20), b""):
        h.update(chunk)
    return h.hexdigest()
