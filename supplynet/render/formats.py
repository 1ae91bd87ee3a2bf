"""Choosing a renderer by format name, with one error for a format that does not exist."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from supplynet._errors import FormatError

__all__ = ["pick_writer"]

W = TypeVar("W", bound=Callable[..., object])


def pick_writer(writers: Mapping[str, W], fmt: str, what: str) -> W:
    """Return the writer of format ``fmt`` among ``writers`` (named by format).

    Raises
    ------
    supplynet.FormatError
        ``fmt`` is none of them; the message names ``what`` is rendered and the formats
        there are (as :func:`supplynet.render.layers.export_format` does for an export).

    Examples
    --------
    >>> pick_writer({"text": str}, "text", "report") is str
    True
    >>> pick_writer({"text": str, "json": repr}, "xml", "report")
    Traceback (most recent call last):
    ...
    supplynet._errors.FormatError: unknown report format 'xml'; expected one of text, json
    """
    try:
        return writers[fmt]
    except (KeyError, TypeError):
        raise FormatError(f"unknown {what} format {fmt!r}; expected one of {', '.join(writers)}") from None
