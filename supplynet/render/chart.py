"""The curve of a plan comparison as an SVG chart: the objective left against budget.

Plain SVG 1.1, self-contained (no script, no external reference), one step line per
method; :mod:`supplynet.maps` inlines the same chart in the legend of a map.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from supplynet.render.numbers import format_number

__all__ = ["curve_svg"]

_STYLE = {"optimal": ("#1b7837", ""), "greedy": ("#d95f02", "7 4"), "centrality": ("#6a51a3", "2 4"),
          "launch-sites": ("#6a51a3", "2 4"), "no strikes": ("#737373", "1 3")}


def curve_svg(curve: pd.DataFrame, *, title: str | None = None, ylabel: str = "max flow left",
              xlabel: str = "budget (cost)", width: int = 640, height: int = 360) -> str:
    """Return the curve as a self-contained SVG document (step lines, one per method).

    Text is XML-escaped and braces are written as character references, so the SVG can
    be inlined in HTML and template engines alike. Unlimited values are not drawn. Tick
    labels follow :func:`supplynet.render.numbers.format_number`.

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
    left, right, top, bottom = 64, 120, 40 if title else 16, 44
    pw, ph = width - left - right, height - top - bottom
    xs = [float(b) for b in curve.index]
    ys = [float(v) for v in curve.to_numpy().ravel() if np.isfinite(v)]
    xmax, ymax = max(xs[-1] if xs else 1.0, 1e-9), max(max(ys, default=1.0), 1e-9)
    ystep, xstep = _tick(ymax), max(1.0, _tick(xmax))
    ymax = math.ceil(ymax / ystep - 1e-9) * ystep or ystep

    def px(x: float) -> float:
        return left + pw * x / xmax

    def py(y: float) -> float:
        return top + ph * (1 - y / ymax)

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


def _tick(span: float) -> float:
    """Return a 1-2-5 step giving at most about six ticks over ``span``."""
    raw = span / 5
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)


def _text(value: str) -> str:
    return escape(value, quote=True).replace("{", "&#123;").replace("}", "&#125;")
