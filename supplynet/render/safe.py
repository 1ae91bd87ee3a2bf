"""Untrusted text made harmless for the tools that read supplynet's output.

Names, ids and descriptions come from the network file, and the network file is not
trusted. Three readers can be attacked through them, and each gets one function here:

* a terminal, through control characters (an ANSI escape ``\\x1b[2J`` clears the screen,
  others retitle the window or fake earlier output; bidirectional overrides reorder what
  is shown): :func:`terminal_text` writes every control character as a visible escape;
* a Markdown renderer, through markup (a name ``\\n# heading`` or ``<script>``):
  :func:`md_text` keeps a value on one line and escapes what would start a heading, a
  list, raw HTML, a link or a table cell;
* a spreadsheet, through formulas (a CSV cell ``=HYPERLINK(...)``): :func:`csv_cell`
  prefixes a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return with ``'``, as OWASP recommends.

JSON needs none of this: its encoder escapes control characters, and JSON readers do not
interpret markup.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["terminal_text", "md_text", "csv_cell"]

# C0 controls but tab and newline, DEL, C1 controls, lone surrogates, and the Unicode
# format characters that reorder or hide text (bidirectional embeddings, overrides and
# isolates, zero-width marks, the line and paragraph separators).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_MD_INLINE = re.compile(r"([\\`|<\[\]])")
# What opens a block at the start of a line: a heading, a quote, a list item, a setext
# underline or a thematic break (CommonMark 4.1-4.3, 5.1-5.2).
_MD_LEAD = re.compile(r"^(?:#{1,6}(?=[ \t]|$)|>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)|[=\-*_]+[ \t]*$)")
_MD_BREAK = re.compile("[\r\n\u2028\u2029]+")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str) -> str:
    r"""Return ``text`` with every control character but tab and newline written as an escape.

    Examples
    --------
    >>> terminal_text("red \x1b[31mALERT\x1b[0m\n")
    'red \\x1b[31mALERT\\x1b[0m\n'
    >>> terminal_text("abc\u202edef"), terminal_text("Iraq→Syria")
    ('abc\\u202edef', 'Iraq→Syria')
    """
    return _CONTROL.sub(_escape, text)


def md_text(value: Any, *, cell: bool = False) -> str:
    r"""Return ``value`` as Markdown text that shows literally, on one line, anywhere.

    Line breaks become spaces; ``\``, ``|``, backticks, ``<``, ``[`` and ``]`` are
    escaped (no raw HTML, link, code span or new table cell); what would open a heading,
    a list, a quote or a setext rule at the start is escaped too, and leading spaces (an
    indented code block) are dropped; control characters are escaped as in
    :func:`terminal_text`. A table ``cell`` cannot open a block, so only the escapes
    inside a line are made there.

    Examples
    --------
    >>> md_text("a|b\\c\nd")
    'a\\|b\\\\c d'
    >>> md_text("x\n# Owned <script>alert(1)</script>")
    'x # Owned \\<script>alert(1)\\</script>'
    >>> md_text("# heading"), md_text("1. first"), md_text("[click](http://x)"), md_text("32.8%")
    ('\\# heading', '1\\. first', '\\[click\\](http://x)', '32.8%')
    >>> md_text("---"), md_text("- item"), md_text("mfg-tehran -> e1"), md_text("#", cell=True)
    ('\\---', '\\- item', 'mfg-tehran -> e1', '#')
    """
    text = terminal_text(_MD_BREAK.sub(" ", str(value)))
    text = _MD_INLINE.sub(r"\\\1", text).lstrip(" \t")
    match = None if cell else _MD_LEAD.match(text)
    if match:
        lead = match.group()
        at = len(lead.rstrip(" \t")) - 1 if lead[0].isdigit() else 0  # a list number: escape its . or )
        text = text[:at] + "\\" + text[at:]
    return text


def csv_cell(value: Any) -> Any:
    """Return a CSV cell that no spreadsheet takes for a formula (text only; numbers stay).

    Examples
    --------
    >>> csv_cell("=1+1"), csv_cell("-x"), csv_cell("@SUM(A1)"), csv_cell("mfg-tehran"), csv_cell(-5.0)
    ("'=1+1", "'-x", "'@SUM(A1)", 'mfg-tehran', -5.0)
    """
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value
