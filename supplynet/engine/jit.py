"""numba compilation with an on-disk cache that degrades quietly where it cannot write.

First calls compile (seconds); ``cache=True`` keeps the machine code next to the module
(``__pycache__``) or, where the package directory is read-only, in numba's user-wide
cache directory (``NUMBA_CACHE_DIR`` overrides both). Where no cache directory is
writable at all numba refuses ``cache=True`` with a ``RuntimeError``; we then compile
without a cache (every process pays the compile again) instead of failing to import.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import numba

__all__ = ["njit"]

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def njit(*, parallel: bool = False) -> Callable[[F], F]:
    """Return a decorator compiling a function in nopython mode, cached when possible.

    Parameters
    ----------
    parallel : bool, default False
        Compile ``numba.prange`` loops to run on numba's thread pool.

    Returns
    -------
    callable
        The decorator.

    Examples
    --------
    >>> @njit()
    ... def add(a, b):
    ...     return a + b
    >>> add(2, 3)
    5
    """

    def decorate(func: F) -> F:
        try:
            return numba.njit(cache=True, nogil=True, parallel=parallel)(func)
        except RuntimeError as exc:  # no writable cache directory anywhere
            logger.debug("numba cache disabled for %s: %s", func.__qualname__, exc)
            return numba.njit(cache=False, nogil=True, parallel=parallel)(func)

    return decorate
