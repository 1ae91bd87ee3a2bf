"""The map's data in one inert element: typed arrays and a JSON header, gzipped, in base64.

The blob is ``b"SNP1"``, the header's length (u32), the header (JSON, UTF-8) padded to
8 bytes, then every array 8-byte aligned and little-endian; the header's ``arrays`` maps
each name to ``[dtype, byte offset, length]``. It is gzipped (the browser's
``DecompressionStream`` reads it) and base64-encoded into

``<script type="application/json" id="sn-data">{"enc":"gzip","b64":"..."}</script>``

a data block the browser never runs (the Content-Security-Policy does not even apply to
it). Only base64 characters and the fixed keys reach the HTML, so no string from the
network file is in the page's text at all: it cannot close the element, be parsed as
markup or reach folium's Jinja2 pass. In the page, names and values are read with
``JSON.parse`` and shown as text nodes or drawn with ``fillText``.

:func:`read_page_data` reads a finished page back, for tests and for anyone checking what
a map holds.
"""

from __future__ import annotations

import base64
import json
import re
import struct
import zlib
from typing import Any

import numpy as np

from supplynet.maps.assets import MapSafetyError

__all__ = ["encode_blob", "decode_blob", "data_element", "read_page_data", "DATA_ELEMENT_ID"]

#: The id of the data element in the page.
DATA_ELEMENT_ID = "sn-data"
_MAGIC = b"SNP1"
_DTYPES = {"f8": "<f8", "f4": "<f4", "u4": "<u4", "u2": "<u2", "u1": "u1", "i4": "<i4"}
_CODES = {np.dtype(v): k for k, v in _DTYPES.items()}
_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_ELEMENT = re.compile(r'<script type="application/json" id="sn-data">\{"enc":"(gzip|raw)","b64":"([A-Za-z0-9+/=]*)"\}'
                      r"</script>")


def encode_blob(header: dict[str, Any], arrays: dict[str, np.ndarray], *, compress: int = 1) -> bytes:
    """Return the blob of a header and arrays, gzipped at level ``compress`` (0: not at all).

    Examples
    --------
    >>> blob = encode_blob({"n": 2}, {"x": np.array([1.5, 2.0])})
    >>> header, arrays = decode_blob(blob)
    >>> header["n"], arrays["x"].tolist()
    (2, [1.5, 2.0])
    """
    body, table, offset = [], {}, 0
    for name, arr in arrays.items():
        arr = np.ascontiguousarray(arr)
        code = _CODES.get(arr.dtype.newbyteorder("<") if arr.dtype.byteorder == ">" else arr.dtype)
        if code is None:
            raise TypeError(f"array {name!r} has dtype {arr.dtype}, which the map cannot carry")
        raw = arr.astype(_DTYPES[code], copy=False).tobytes()
        table[name] = [code, offset, int(arr.size)]
        body.append(raw + b"\0" * (-len(raw) % 8))
        offset += len(raw) + (-len(raw) % 8)
    text = json.dumps({**header, "arrays": table}, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")
    blob = _MAGIC + struct.pack("<I", len(text)) + text + b" " * (-(8 + len(text)) % 8) + b"".join(body)
    if not compress:
        return blob
    # A gzip container (wbits 31) with a zero timestamp: the same input, the same bytes.
    packer = zlib.compressobj(compress, zlib.DEFLATED, 31)
    return packer.compress(blob) + packer.flush()


def decode_blob(blob: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Return the header and arrays of a blob (gzipped or not), as :func:`encode_blob` wrote them."""
    if blob[:2] == b"\x1f\x8b":
        blob = zlib.decompress(blob, 31)
    if blob[:4] != _MAGIC:
        raise MapSafetyError("not a supplynet map blob")
    (length,) = struct.unpack("<I", blob[4:8])
    header = json.loads(blob[8:8 + length].decode("utf-8"))
    start = 8 + length + (-(8 + length) % 8)
    arrays = {name: np.frombuffer(blob, _DTYPES[code], count, start + offset)
              for name, (code, offset, count) in header.pop("arrays").items()}
    return header, arrays


def data_element(blob: bytes, *, compressed: bool) -> str:
    """Return the page's data element holding ``blob``: base64 and fixed keys, nothing else.

    Examples
    --------
    >>> data_element(b"SNP1", compressed=False)
    '<script type="application/json" id="sn-data">{"enc":"raw","b64":"U05QMQ=="}</script>'
    """
    text = base64.b64encode(blob).decode("ascii")
    if not _B64.fullmatch(text):  # by construction; checked, since it lands inside <script>
        raise MapSafetyError("the map's data is not base64")
    enc = "gzip" if compressed else "raw"
    return f'<script type="application/json" id="{DATA_ELEMENT_ID}">{{"enc":"{enc}","b64":"{text}"}}</script>'


def read_page_data(html: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Return the header and arrays a finished map page carries.

    Raises
    ------
    MapSafetyError
        The page has no data element, or more than one.
    """
    found = _ELEMENT.findall(html)
    if len(found) != 1:
        raise MapSafetyError(f"a map page holds one data element; this one holds {len(found)}")
    return decode_blob(base64.b64decode(found[0][1]))
