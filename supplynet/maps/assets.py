"""What makes a map one offline file: inlined Leaflet and drawing code, licences, checks, CSP.

folium links Leaflet, jQuery, Bootstrap, Font Awesome and awesome-markers from CDNs. A
map must render on an air-gapped workstation, so :mod:`supplynet.maps.build` drops every one
of those links, and this module

* inlines Leaflet (JS and CSS, its control images as ``data:`` URIs) from the
  ``xstatic-leaflet`` wheel, with its licence text, and supplynet's own drawing code
  (``supplynet/maps/js/``, static files: their hashes never change);
* refuses a page that still references anything on the network
  (:func:`find_remote_references`), apart from an opted-in tile server;
* adds a Content-Security-Policy that lets only the page's own scripts run (by hash) and
  nothing be fetched, so that even a missed escape could neither run nor phone home. The
  one script element with attributes a page may hold is its data block
  (:mod:`supplynet.maps.blob`), which the browser never runs.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from supplynet._errors import OutputError

__all__ = [
    "MapSafetyError",
    "find_remote_references",
    "check_offline",
    "finish_page",
    "tile_origin",
    "licence_texts",
    "map_scripts",
    "LICENSE_DIR",
    "JS_DIR",
]

#: Where the licence texts of the inlined libraries ship.
LICENSE_DIR = Path(__file__).resolve().parents[1] / "licenses"
_LICENCES = ("LEAFLET-LICENSE.txt",)
#: supplynet's drawing code, inlined in this order (see each file's first comment).
JS_DIR = Path(__file__).resolve().parent / "js"
_SCRIPTS = ("core.js", "draw.js", "overlay.js", "interact.js")


class MapSafetyError(OutputError):
    """A map would not be safe to open offline: a remote reference or template syntax is left."""


# A URL (absolute or protocol-relative: from a file:// page those become UNC paths on
# Windows) counts when src=/href=/url()/@import comes right before it. Maps run to tens of
# megabytes, so the scan anchors on "//" and looks back, rather than trying every position.
_URL = re.compile(r"(?:https?:)?//[^\s\"'<>)\\]*", re.I)
_LEAD = re.compile(
    r"""(?ix)
    (?: \b(?:src|href|srcset|poster|action|formaction|background|xlink:href)\s*=\s*["']?\s*
      | \burl\(\s*["']?\s*
      | @import\s+(?:url\(\s*)?["']?\s* )$
    """
)
_LOOKBACK = 64


def find_remote_references(html: str, allowed: Iterable[str] = ()) -> list[str]:
    """Return every URL the page would fetch from the network, except the ``allowed`` prefixes.

    Looks at ``src``/``href``-like attributes, CSS ``url()`` and ``@import``.

    Examples
    --------
    >>> find_remote_references('<script src="https://cdn.example/x.js"></script>')
    ['https://cdn.example/x.js']
    >>> find_remote_references("<style>a{background:url(//cdn.example/i.png)}</style>")
    ['//cdn.example/i.png']
    >>> find_remote_references('<a href="https://osm.org/c">', allowed=["https://osm.org/"])
    []
    """
    allow = tuple(a for a in allowed if a)
    found = []
    for m in _URL.finditer(html):
        if _LEAD.search(html, max(0, m.start() - _LOOKBACK), m.start()) and not m.group().startswith(allow):
            found.append(m.group())
    return found


def check_offline(html: str, allowed: Iterable[str] = ()) -> None:
    """Raise :class:`MapSafetyError` when the page still references the network.

    Examples
    --------
    >>> check_offline('<img src="data:image/png;base64,AAAA">')
    >>> check_offline('<link rel="stylesheet" href="https://cdn.example/a.css"/>')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    supplynet.maps.assets.MapSafetyError: the map still references the network (https://cdn.example/a.css); ...
    """
    found = find_remote_references(html, allowed)
    if found:
        shown = ", ".join(sorted(set(found))[:5])
        raise MapSafetyError(f"the map still references the network ({shown}); it would not render offline")


@functools.lru_cache(maxsize=1)
def _vendor() -> tuple[str, str]:
    """Return Leaflet's CSS (images inlined) and JS."""
    from xstatic.pkg import leaflet

    ldir = Path(leaflet.BASE_DIR)
    css = (ldir / "leaflet.css").read_text(encoding="utf-8")
    css = re.sub(r"url\((images/[\w.-]+\.png)\)", lambda m: _data_uri(ldir / m.group(1)), css)
    script = (ldir / "leaflet.js").read_text(encoding="utf-8")
    for name, text in (("leaflet.css", css), ("leaflet.js", script)):
        _check_inlinable(name, text)
    return css, script


def _check_inlinable(name: str, text: str) -> None:
    # Either would end the inline element early and spill the rest into the page.
    if re.search(r"</(script|style)|<!--|<script", text, re.I):
        raise MapSafetyError(f"{name} cannot be inlined: it contains a script/style tag or a comment opener")


@functools.lru_cache(maxsize=1)
def map_scripts() -> tuple[str, ...]:
    """Return supplynet's drawing code, one script per file of ``supplynet/maps/js``."""
    texts = tuple((JS_DIR / name).read_text(encoding="utf-8") for name in _SCRIPTS)
    for name, text in zip(_SCRIPTS, texts):
        _check_inlinable(name, text)
    return texts


def _data_uri(path: Path) -> str:
    return "url(data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii") + ")"


def licence_texts() -> str:
    """Return the licence texts of the inlined libraries, one after the other."""
    return "\n\n".join((LICENSE_DIR / name).read_text(encoding="utf-8").strip() for name in _LICENCES)


def finish_page(html: str, *, allowed: Iterable[str] = (), image_origins: Iterable[str] = ()) -> str:
    """Return the page, checked to be offline, with its CSP, Leaflet and licences inlined.

    Parameters
    ----------
    html : str
        The page as folium and :mod:`supplynet.maps.build` made it, without Leaflet.
    allowed : iterable of str
        URL prefixes the page may reference (an opted-in tile server).
    image_origins : iterable of str
        CSP sources images may come from besides ``data:`` (that tile server).

    Raises
    ------
    MapSafetyError
        The page references the network, holds a script element with attributes other
        than its one data block, or its layout is not what folium makes.
    """
    check_offline(html, allowed)
    tags = _TAGGED.findall(html)
    if tags and (len(tags) > 1 or tags[0] != _DATA_TAG):
        raise MapSafetyError("unexpected script element with attributes in the page")
    css, leaflet_js = _vendor()
    notice = licence_texts().replace("--", "- -")  # "--" has no place inside a comment
    head = (
        _csp([*_SCRIPT.findall(html), leaflet_js], image_origins)
        + f"\n<!--\nThis map inlines the following library.\n\n{notice}\n-->\n"
        + f"<style>{css}</style>\n<script>{leaflet_js}</script>\n"
    )
    return _insert_once(html, "<head>", head)


_TAGGED = re.compile(r"<script\s[^>]*>")
_DATA_TAG = '<script type="application/json" id="sn-data">'


def _insert_once(html: str, anchor: str, text: str) -> str:
    """Return ``html`` with ``text`` inserted right after its one ``anchor``."""
    if html.count(anchor) != 1:
        raise MapSafetyError(f"unexpected page layout from folium: {anchor!r} found {html.count(anchor)} times")
    return html.replace(anchor, anchor + text)


# Only the page's own scripts are matched with this: Leaflet is hashed as a whole.
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def _csp(scripts: list[str], image_origins: Iterable[str]) -> str:
    """Return a CSP meta element allowing exactly these scripts (by SHA-256) and no fetches.

    A script element or event handler that an unescaped string managed to inject would
    be refused by the browser; nothing may be fetched but ``data:`` images and the
    ``image_origins``.
    """
    hashes = sorted({_sha256(body) for body in scripts})
    policy = "; ".join([
        "default-src 'none'",
        "script-src " + " ".join(f"'sha256-{h}'" for h in hashes),
        "style-src 'unsafe-inline'",
        "img-src " + " ".join(["data:", *image_origins]),
        "base-uri 'none'",
        "form-action 'none'",
    ])
    return f'\n<meta http-equiv="Content-Security-Policy" content="{policy}">'


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def tile_origin(url_template: str) -> str:
    """Return the CSP source of a tile URL template (``{s}`` subdomains become ``*``).

    Examples
    --------
    >>> tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png")
    'https://*.tile.example.org'
    """
    parts = urlsplit(url_template.replace("{s}.", "__sub__."))
    return f"{parts.scheme}://{parts.netloc}".replace("__sub__.", "*.")
