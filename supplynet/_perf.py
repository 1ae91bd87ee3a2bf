"""Performance helpers shared by the readers and writers."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["paused_gc"]


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk build of many small objects.

    Parsing a 100,000-node network or writing its report allocates millions of dicts,
    lists and floats that hold no reference cycles; the collector's generational passes
    over them can cost more than the work itself (docs/benchmarks-kernels.md). Reference
    counting still frees everything; the collector is
    restored, as it was, on the way out, even on error.

    Examples
    --------
    >>> import gc
    >>> with paused_gc():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
