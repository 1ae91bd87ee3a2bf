"""The curve of a plan comparison as a chart: the objective left against budget, SVG or PNG.

Plain SVG 1.1, self-contained (no script, no external reference), one step line per
method; :mod:`supplynet.maps` inlines the same chart in the legend of a map. The PNG is the
same drawing (one layout, :func:`_layout`, for both), rasterised with Pillow at twice the
size for sharp text; :func:`chart_kind` tells the two apart by a file's suffix.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from supplynet._errors import FormatError
from supplynet.numbers import format_number

__all__ = ["CHART_KINDS", "chart_kind", "curve_chart", "curve_svg", "curve_png"]

#: Chart formats by file suffix.
CHART_KINDS = {".svg": "svg", ".png": "png"}

_STYLE = {"optimal": ("#1b7837", ""), "greedy": ("#d95f02", "7 4"), "centrality": ("#6a51a3", "2 4"),
          "launch-sites": ("#6a51a3", "2 4"), "no strikes": ("#737373", "1 3")}


def curve_svg(curve: pd.DataFrame, *, title: str | None = None, ylabel: str = "max flow left",
              xlabel: str = "budget (cost)", width: int = 640, height: int = 360) -> str:
    """Return the curve as a self-contained SVG document (step lines, one per method).

    Text is XML-escaped and braces are written as character references, so the SVG can
    be inlined in HTML and template engines alike. Unlimited values are not drawn. Tick
    labels follow :func:`supplynet.numbers.format_number`.

    Parameters
    ----------
    curve : pandas.DataFrame
        Indexed by budget, one column per method (:attr:`supplynet.analysis.plan.Comparison.curve`),
        or by any other step (a campaign's periods).
    title, ylabel, xlabel : str
    width, height : int
        Size in pixels.

    Examples
    --------
    >>> df = pd.DataFrame({"optimal": [80.0, 10.0, 0.0]}, index=pd.Index([0.0, 1.0, 2.0], name="budget"))
    >>> svg = curve_svg(df, title="classic {example}")
    >>> svg.startswith("<svg") and "classic &#123;example&#125;" in svg and "<script" not in svg
    True
    """
    lay = _layout(curve, title, width, height)
    left, top, pw, ph, xs, xmax, ymax, ystep, xstep = (lay.left, lay.top, lay.pw, lay.ph, lay.xs, lay.xmax, lay.ymax,
                                                       lay.ystep, lay.xstep)
    px, py = lay.px, lay.py

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" role="img">',
           f'<rect width="{width}" height="{height}" fill="#ffffff"/>']
    if title:
        out.append(f'<text x="{left}" y="22" font-size="14" font-weight="bold">{_text(title)}</text>')
    for k in range(int(round(ymax / ystep)) + 1):
        y = py(k * ystep)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#dddddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_text(format_number(k * ystep))}</text>')
    for k in range(int(xmax // xstep) + 1):
        x = px(k * xstep)
        out.append(f'<text x="{x:.1f}" y="{top + ph + 18}" text-anchor="middle">'
                   f'{_text(format_number(k * xstep))}</text>')
    out.append(f'<path d="M{left} {top}V{top + ph}H{left + pw}" fill="none" stroke="#333333"/>')
    out.append(f'<text x="{left + pw / 2:.1f}" y="{height - 8}" text-anchor="middle">{_text(xlabel)}</text>')
    out.append(f'<text transform="translate(14 {top + ph / 2:.1f}) rotate(-90)" text-anchor="middle">'
               f'{_text(ylabel)}</text>')
    for k, method in enumerate(curve.columns):
        out += _series(method, xs, curve[method].tolist(), px, py, k, left + pw + 12, top)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _series(method: str, xs: list[float], ys: list[float], px: Any, py: Any, k: int, lx: float,
            ly: float) -> list[str]:
    color, dash = _STYLE.get(str(method), ("#444444", "3 3"))
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    points = [(px(x), py(y)) for x, y in zip(xs, ys) if math.isfinite(y)]
    out = []
    if points:  # a step line: each budget's value holds until the next budget
        path = f"M{points[0][0]:.1f} {points[0][1]:.1f}" + "".join(f"H{x:.1f}V{y:.1f}" for x, y in points[1:])
        out.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="2"{dashed}/>')
    out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>' for x, y in points]
    y0 = ly + 8 + 18 * k
    out.append(f'<line x1="{lx}" y1="{y0}" x2="{lx + 22}" y2="{y0}" stroke="{color}" stroke-width="2"{dashed}/>')
    out.append(f'<text x="{lx + 28}" y="{y0 + 4}">{_text(str(method))}</text>')
    return out


@dataclass(frozen=True)
class _Layout:
    """Where everything goes on a chart of ``width`` x ``height`` pixels (shared by SVG and PNG)."""

    left: int
    right: int
    top: int
    bottom: int
    pw: int
    ph: int
    xs: list[float]
    xmax: float
    ymax: float
    ystep: float
    xstep: float

    def px(self, x: float) -> float:
        return self.left + self.pw * x / self.xmax

    def py(self, y: float) -> float:
        return self.top + self.ph * (1 - y / self.ymax)


def _layout(curve: pd.DataFrame, title: str | None, width: int, height: int) -> _Layout:
    left, right, top, bottom = 64, 120, 40 if title else 16, 44
    pw, ph = width - left - right, height - top - bottom
    xs = [float(b) for b in curve.index]
    ys = [float(v) for v in curve.to_numpy().ravel() if np.isfinite(v)]
    xmax, ymax = max(xs[-1] if xs else 1.0, 1e-9), max(max(ys, default=1.0), 1e-9)
    ystep, xstep = _tick(ymax), max(1.0, _tick(xmax))
    ymax = math.ceil(ymax / ystep - 1e-9) * ystep or ystep
    return _Layout(left, right, top, bottom, pw, ph, xs, xmax, ymax, ystep, xstep)


def chart_kind(path: str | Path) -> str:
    """Return the chart format a file's suffix asks for: ``"svg"`` or ``"png"``.

    Raises
    ------
    supplynet.FormatError
        Any other suffix.

    Examples
    --------
    >>> chart_kind("curve.svg"), chart_kind("out/Curve.PNG")
    ('svg', 'png')
    >>> chart_kind("curve.jpg")
    Traceback (most recent call last):
    ...
    supplynet._errors.FormatError: cannot tell a chart format from curve.jpg: give a file ending in .svg or .png
    """
    kind = CHART_KINDS.get(Path(path).suffix.lower())
    if kind is None:
        raise FormatError(f"cannot tell a chart format from {path}: give a file ending in .svg or .png")
    return kind


def curve_chart(curve: pd.DataFrame, kind: str = "svg", **kwargs: Any) -> str | bytes:
    """Return the curve as an SVG document (str) or a PNG image (bytes); ``kwargs`` as :func:`curve_svg`."""
    if kind == "svg":
        return curve_svg(curve, **kwargs)
    if kind == "png":
        return curve_png(curve, **kwargs)
    raise FormatError(f"unknown chart format {kind!r}; expected svg or png")


#: Pixels of the PNG per pixel of the layout (a 640 x 360 chart is a 1280 x 720 image).
PNG_SCALE = 2
#: Drawn this many times larger still, then reduced: smooth lines and circles.
_SUPERSAMPLE = 2


def curve_png(curve: pd.DataFrame, *, title: str | None = None, ylabel: str = "max flow left",
              xlabel: str = "budget (cost)", width: int = 640, height: int = 360) -> bytes:
    """Return the curve as a PNG image: the drawing of :func:`curve_svg`, at twice its size.

    Drawn with Pillow (its own font, so the image is the same on every machine with the
    same Pillow); the bytes are the same for the same curve. Text the font lacks shows as
    its boxes, as in any image.

    Examples
    --------
    >>> df = pd.DataFrame({"optimal": [80.0, 10.0, 0.0]}, index=pd.Index([0.0, 1.0, 2.0], name="budget"))
    >>> png = curve_png(df, title="classic")
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n", png == curve_png(df, title="classic")
    (True, True)
    """
    from PIL import Image, ImageDraw

    lay = _layout(curve, title, width, height)
    k = PNG_SCALE * _SUPERSAMPLE
    image = Image.new("RGB", (width * k, height * k), "#ffffff")
    draw = ImageDraw.Draw(image)
    fonts: dict[tuple[int, bool], Any] = {}

    def font(size: int, bold: bool = False) -> Any:
        return fonts.setdefault((size, bold), _font(size * k))

    def text(x: float, y: float, words: str, size: int = 12, anchor: str = "ls", fill: str = "#000000") -> None:
        draw.text((x * k, y * k), words, font=font(size), fill=fill, anchor=anchor)

    if title:
        text(lay.left, 22, title, 14)
        text(lay.left + 0.4, 22, title, 14)  # a bold face of the default font: drawn twice, a hair apart
    for i in range(int(round(lay.ymax / lay.ystep)) + 1):
        y = lay.py(i * lay.ystep)
        draw.line([(lay.left * k, y * k), ((lay.left + lay.pw) * k, y * k)], fill="#dddddd", width=k)
        text(lay.left - 6, y + 4, format_number(i * lay.ystep), anchor="rs")
    for i in range(int(lay.xmax // lay.xstep) + 1):
        text(lay.px(i * lay.xstep), lay.top + lay.ph + 18, format_number(i * lay.xstep), anchor="ms")
    axis = [(lay.left, lay.top), (lay.left, lay.top + lay.ph), (lay.left + lay.pw, lay.top + lay.ph)]
    draw.line([(x * k, y * k) for x, y in axis], fill="#333333", width=k)
    text(lay.left + lay.pw / 2, height - 8, xlabel, anchor="ms")
    _vertical_text(image, ylabel, font(12), (14 * k, (lay.top + lay.ph / 2) * k))
    for i, method in enumerate(curve.columns):
        _png_series(draw, text, str(method), lay, curve[method].tolist(), i, k)
    small = image.resize((width * PNG_SCALE, height * PNG_SCALE), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    small.save(buf, format="PNG", optimize=False, compress_level=9)
    return buf.getvalue()


def _font(size: int) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except (TypeError, ImportError, OSError):  # a Pillow without FreeType: its bitmap font
        return ImageFont.load_default()


def _vertical_text(image: Any, words: str, font: Any, centre: tuple[float, float]) -> None:
    """Draw ``words`` turned a quarter left (reading upwards), centred on ``centre``."""
    from PIL import Image, ImageDraw

    box = font.getbbox(words)
    w, h = max(1, box[2] - box[0]), max(1, box[3] - box[1])
    strip = Image.new("L", (w + 4, h + 4), 0)
    ImageDraw.Draw(strip).text((2 - box[0], 2 - box[1]), words, font=font, fill=255)
    turned = strip.rotate(90, expand=True)
    at = (int(centre[0] - turned.width / 2), int(centre[1] - turned.height / 2))
    image.paste(Image.new("RGB", turned.size, "#000000"), at, turned)


def _png_series(draw: Any, text: Callable[..., None], method: str, lay: _Layout, ys: list[float], i: int,
                k: int) -> None:
    color, dash = _STYLE.get(method, ("#444444", "3 3"))
    pattern = [float(d) for d in dash.split()] if dash else []
    points = [(lay.px(x), lay.py(y)) for x, y in zip(lay.xs, ys) if math.isfinite(y)]
    steps: list[tuple[float, float]] = points[:1]
    for x, y in points[1:]:  # a step line, as the SVG's H then V
        steps += [(x, steps[-1][1]), (x, y)]
    _dashed(draw, steps, color, 2 * k, pattern, k)
    for x, y in points:
        draw.ellipse([(x - 3) * k, (y - 3) * k, (x + 3) * k, (y + 3) * k], fill=color)
    lx, y0 = lay.left + lay.pw + 12, lay.top + 8 + 18 * i
    _dashed(draw, [(lx, y0), (lx + 22, y0)], color, 2 * k, pattern, k)
    text(lx + 28, y0 + 4, method)


def _dashed(draw: Any, points: list[tuple[float, float]], color: str, width: int, pattern: list[float],
            k: int) -> None:
    """Draw a polyline of layout points, dashed by ``pattern`` (SVG's stroke-dasharray) when given."""
    if len(points) < 2:
        return
    if not pattern:
        draw.line([(x * k, y * k) for x, y in points], fill=color, width=width, joint="curve")
        return
    on, phase = True, pattern[0]
    index = 0
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        length = math.hypot(x1 - x0, y1 - y0)
        at = 0.0
        while at < length:
            step = min(phase, length - at)
            if on and step > 0:
                a, b = at / length, (at + step) / length
                draw.line([((x0 + (x1 - x0) * a) * k, (y0 + (y1 - y0) * a) * k),
                           ((x0 + (x1 - x0) * b) * k, (y0 + (y1 - y0) * b) * k)], fill=color, width=width)
            at += step
            phase -= step
            if phase <= 1e-9:
                on = not on
                index = (index + 1) % len(pattern)
                phase = pattern[index]


def _tick(span: float) -> float:
    """Return a 1-2-5 step giving at most about six ticks over ``span``."""
    raw = span / 5
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)


def _text(value: str) -> str:
    return escape(value, quote=True).replace("{", "&#123;").replace("}", "&#125;")
