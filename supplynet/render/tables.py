"""The one table writer: text tables, Markdown tables and CSV, for every renderer.

Cells come in as text already (see :mod:`supplynet.render.numbers`), except in CSV, where
numbers are written as Python writes them (``repr``: round-trip exact, after
:func:`~supplynet.render.numbers.clean_number`) and None is an empty cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["md_cell", "text_table", "markdown_table", "csv_text"]


def md_cell(value: str) -> str:
    r"""Return text that stays inside one Markdown table cell (``|`` and ``\`` escaped, one line).

    Examples
    --------
    >>> md_cell("a|b\\c\nd")
    'a\\|b\\\\c d'
    """
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


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
    """Return the lines of a Markdown table; every cell escaped with :func:`md_cell`.

    ``align`` is as for :func:`text_table` (``>`` right-aligns a column).

    Examples
    --------
    >>> print("\\n".join(markdown_table(["", "a|b"], [["flow", "5"]], align="<>")))
    |  | a\\|b |
    |---|---:|
    | flow | 5 |
    """
    rule = "".join("---:|" if a == ">" else "---|" for a in _aligns(align, len(head)))
    lines = ["| " + " | ".join(md_cell(c) for c in head) + " |", "|" + rule]
    return lines + ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]


def csv_text(head: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Return a CSV table (``\\n`` line ends, minimal quoting); None is an empty cell.

    Examples
    --------
    >>> print(csv_text(["id", "flow", "name"], [["a", 2.5, None], ["b", 3, "x, y"]]), end="")
    id,flow,name
    a,2.5,
    b,3,"x, y"
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")  # the csv module writes None as ""
    writer.writerow(head)
    writer.writerows(rows)
    return buf.getvalue()
