"""The one table writer: text tables, Markdown tables and CSV, for every renderer.

Cells come in as text already (see :mod:`supplynet.numbers`), except in CSV, where
numbers are written as Python writes them (``repr``: round-trip exact, after
:func:`~supplynet.numbers.clean_number`) and None is an empty cell. Untrusted text is
neutralised here for every renderer (:mod:`supplynet.render.safe`): Markdown cells are
escaped, and a CSV text cell that a spreadsheet would take for a formula is prefixed.

Lists that grow with the network (sources, cut edges, selected elements) are cut by
:func:`short_list` and :func:`short_lines` in text and Markdown: the first few, then
``... and N more``; JSON and CSV always hold them all.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from supplynet.numbers import LIST_LIMIT, short_list
from supplynet.render.safe import csv_cell, md_text

__all__ = ["LIST_LIMIT", "LINES_LIMIT", "md_cell", "text_table", "markdown_table", "csv_text", "short_list",
           "short_lines", "short_runs"]

#: Lines of a list (one item a line) before "... and N more".
LINES_LIMIT = 20


def md_cell(value: str) -> str:
    r"""Return text that stays literal inside one Markdown line or table cell (:func:`~supplynet.render.safe.md_text`).

    Examples
    --------
    >>> md_cell("a|b\\c\nd")
    'a\\|b\\\\c d'
    """
    return md_text(value)


_ID_RUN = re.compile(r"(?:[^\s,;()]+, ){%d,}[^\s,;()]+")


def short_runs(text: str, limit: int | None = LIST_LIMIT) -> str:
    """Return ``text`` with every run of more than ``limit`` comma-separated ids cut to ``... and N more``.

    For sentences that carry a list (an analysis note naming every bottleneck node).

    Examples
    --------
    >>> short_runs("binds at a, b, c, d, e; the cut is larger", 2)
    'binds at a, b ... and 3 more; the cut is larger'
    """
    if limit is None:
        return text
    pattern = re.compile(_ID_RUN.pattern % limit)

    def cut(match: re.Match[str]) -> str:
        return short_list(match.group().split(", "), limit)

    return pattern.sub(cut, text)


def short_lines(lines: Sequence[str], limit: int | None = LINES_LIMIT, *, indent: str = "  ",
                where: str = "JSON and CSV, or --full") -> list[str]:
    """Return the first ``limit`` of ``lines``, then one line ``... and N more (in WHERE)``.

    Examples
    --------
    >>> short_lines(["x1", "x2", "x3"], 2)
    ['x1', 'x2', '  ... and 1 more (in JSON and CSV, or --full)']
    """
    lines = list(lines)
    if limit is None or len(lines) <= limit:
        return lines
    return lines[:limit] + [f"{indent}... and {len(lines) - limit:,} more (in {where})"]


def _aligns(align: str, n: int) -> list[str]:
    """Return one of ``<`` (left) and ``>`` (right) per column; the last given goes on."""
    return [align[min(i, len(align) - 1)] for i in range(n)]


def text_table(head: Sequence[str], rows: Sequence[Sequence[str]], *, align: str = "<", rule: bool = True,
               free_last: bool = False) -> list[str]:
    """Return the lines of a plain-text table: columns two spaces apart, no trailing spaces.

    Parameters
    ----------
    head : sequence of str
        The column names (the first line).
    rows : sequence of sequences of str
    align : str
        ``<`` (left) or ``>`` (right) per column; the last one holds for the columns after.
    rule : bool
        Draw a line of dashes under the head.
    free_last : bool
        The last column runs free: its width (and rule) is its name's, so a long last cell
        (a sentence) does not push the rule out.

    Examples
    --------
    >>> print("\\n".join(text_table(["id", "flow"], [["a", "5"], ["bb", "120"]], align="<>")))
    id  flow
    --  ----
    a      5
    bb   120
    """
    aligns = _aligns(align, len(head))
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(head)]
    if free_last and widths:
        widths[-1] = len(head[-1])

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if a == "<" else c.rjust(w)
                         for c, w, a in zip(cells, widths, aligns)).rstrip()

    lines = [line(head)]
    if rule:
        lines.append(line(["-" * w for w in widths]))
    return lines + [line(r) for r in rows]


def markdown_table(head: Sequence[str], rows: Iterable[Sequence[str]], *, align: str = "<") -> list[str]:
    """Return the lines of a Markdown table; every cell escaped (:func:`~supplynet.render.safe.md_text`).

    ``align`` is as for :func:`text_table` (``>`` right-aligns a column).

    Examples
    --------
    >>> print("\\n".join(markdown_table(["", "a|b"], [["flow", "5"]], align="<>")))
    |  | a\\|b |
    |---|---:|
    | flow | 5 |
    """
    rule = "".join("---:|" if a == ">" else "---|" for a in _aligns(align, len(head)))
    lines = ["| " + " | ".join(md_text(c, cell=True) for c in head) + " |", "|" + rule]
    return lines + ["| " + " | ".join(md_text(c, cell=True) for c in row) + " |" for row in rows]


def csv_text(head: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Return a CSV table (``\\n`` line ends, minimal quoting); None is an empty cell.

    A text cell that starts with ``=``, ``+``, ``-`` or ``@`` gets a ``'`` before it
    (:func:`~supplynet.render.safe.csv_cell`), so no spreadsheet runs it as a formula.

    Examples
    --------
    >>> print(csv_text(["id", "flow", "name"], [["a", 2.5, None], ["b", 3, "x, y"]]), end="")
    id,flow,name
    a,2.5,
    b,3,"x, y"
    >>> print(csv_text(["id"], [["=cmd()"], [-1.5]]), end="")
    id
    '=cmd()
    -1.5
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")  # the csv module writes None as ""
    writer.writerow([csv_cell(h) for h in head])
    writer.writerows([csv_cell(c) if c.__class__ is str else c for c in row] for row in rows)
    return buf.getvalue()
