"""Native libraries' console output kept off the user's stdout and stderr.

HiGHS (through scipy) sometimes prints a C-level debug line even with ``disp=False``
(about one plan in 900 printed ``HighsMipSolverData::transformNewIntegerFeasibleSolution
tmpSolver.run();`` before the JSON). Such output bypasses Python's ``sys.stdout``, so the
file descriptors themselves are pointed at a temporary file around the call, C's stdio
buffers are flushed before they are put back, and whatever was written goes to the
debug log instead.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import sys
import tempfile
from collections.abc import Iterator

__all__ = ["native_output_to_log"]

_FDS = (1, 2)


def _flush_c_stdio() -> None:
    """Flush every C stdio stream (``fflush(NULL)``), so buffered native output lands now."""
    with contextlib.suppress(Exception):  # no libc to load: nothing buffered by it either
        ctypes.CDLL(None).fflush(None)


@contextlib.contextmanager
def native_output_to_log(logger: logging.Logger, what: str) -> Iterator[None]:
    """Send everything written to file descriptors 1 and 2 inside the block to ``logger``.

    Examples
    --------
    >>> import logging, os
    >>> with native_output_to_log(logging.getLogger("demo"), "a test"):
    ...     _ = os.write(1, b"from C, or anything below Python\\n")
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    saved: dict[int, int] = {}
    with tempfile.TemporaryFile() as sink:
        for fd in _FDS:
            try:
                saved[fd] = os.dup(fd)
            except OSError:  # closed (``>&-``): nothing to protect
                continue
            os.dup2(sink.fileno(), fd)
        try:
            yield
        finally:
            _flush_c_stdio()
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)
            sink.seek(0)
            text = sink.read().decode("utf-8", "replace").strip()
            if text:
                logger.debug("%s wrote to the console (kept off it): %s", what, text)
