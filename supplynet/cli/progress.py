"""Progress on stderr: one line per named phase, with counts, for a person at a terminal.

:class:`Bars` is the command line's :class:`supplynet._progress.Phases`: the analyses call
``phases.phase("supply betweenness", "sources")`` and then the returned callable as
``progress(done, total)``; a terminal shows ``supply betweenness  1,200 / 5,000 sources
(24%)`` on one line, redrawn in place, and ``reading  45.1 / 123.0 MB`` for a phase counted
in bytes. Nothing is written when stderr is not a terminal or with ``-q``, and a phase
shows only once it has run for :data:`DELAY` seconds (quick phases would only flicker). A
phase that took longer than :data:`KEEP` seconds leaves one line saying what it did and how
long it took; the others are erased. At a terminal a small thread redraws the current line
with the seconds spent, so a phase that cannot count (joining results, writing a
GeoPackage) still shows that it runs.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from supplynet.numbers import format_number

__all__ = ["Bars", "DELAY", "KEEP"]

#: Seconds a phase runs before its line appears.
DELAY = 0.5
#: A phase that took at least this many seconds leaves its final line on screen.
KEEP = 2.0
#: Fewest seconds between two redraws of a line.
_REDRAW = 0.1
#: Seconds between two redraws by the ticking thread, when the work itself says nothing.
_TICK = 0.5


def _size(n: float) -> str:
    """Return a byte count for people: ``123.0 MB``."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{int(n)} bytes"


class _Phase:
    """The ``progress(done, total)`` callable of one named phase."""

    def __init__(self, bars: Bars, name: str, unit: str) -> None:
        self.bars, self.name, self.unit = bars, name, unit
        self.start = bars.clock()
        self.shown = False
        self.last_draw = -1e9
        self.done = 0
        self.total = 0
        self.label: str | None = None  # a step's fixed line (see Bars.step)

    def __call__(self, done: int, total: int) -> None:
        bars = self.bars
        with bars.lock:
            self.done, self.total = int(done), int(total)
            if bars.current is not self:
                bars.finish()
                bars.current = self
            now = bars.clock()
            if done >= total > 0:
                self.bars.finish()
                return
            if now - self.start < DELAY or now - self.last_draw < _REDRAW:
                return
            self.last_draw = now
            self.shown = True
            bars.draw(self.line())

    def line(self, final: bool = False) -> str:
        if self.label is not None and not final:
            return f"{self.label} {self.bars.clock() - self.start:.0f} s"
        if self.total == 0 and not final:
            return f"{self.name} ... {self.bars.clock() - self.start:.0f} s"
        if self.unit == "bytes":
            counts = _size(self.done) if final else f"{_size(self.done)} of {_size(self.total)}"
        elif final:
            counts = f"{format_number(float(self.total))} {self.unit}".rstrip()
        else:
            counts = f"{format_number(float(self.done))} / {format_number(float(self.total))} {self.unit}".rstrip()
        if final:
            took = f"in {self.bars.clock() - self.start:.1f} s"
            return f"{self.name}: {counts} {took}" if self.total or self.unit else f"{self.name}: done {took}"
        share = f" ({100 * self.done // self.total}%)" if self.total > 0 else ""
        return f"{self.name}  {counts}{share}"


class Bars:
    """Named, counted progress phases on one line of ``stream`` (a :class:`~supplynet._progress.Phases`).

    Parameters
    ----------
    stream : text stream, optional
        Where to draw (default: ``sys.stderr`` when it is a terminal).
    enabled : bool, optional
        Draw at all (default: whether ``stream`` is a terminal).
    clock : callable, optional
        Seconds, for tests (default: :func:`time.monotonic`).
    name, unit : str, optional
        The phase that calling the object itself reports: ``Bars(name="scenarios")`` is
        also a plain ``progress(done, total)`` for work of one phase.

    Examples
    --------
    >>> import io
    >>> out, now = io.StringIO(), [0.0]
    >>> bars = Bars(out, enabled=True, clock=lambda: now[0])
    >>> tick = bars.phase("supply betweenness", "sources")
    >>> tick(0, 5000); now[0] = 1.0; tick(1200, 5000)
    >>> out.getvalue().strip()
    'supply betweenness  1,200 / 5,000 sources (24%)'
    >>> now[0] = 3.0; tick(5000, 5000); out.getvalue().splitlines()[-1].strip()
    'supply betweenness: 5,000 sources in 3.0 s'
    """

    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None,
                 clock: Callable[[], float] = time.monotonic, name: str = "working", unit: str = "",
                 ticking: bool | None = None) -> None:
        import sys

        self.stream: Any = stream if stream is not None else sys.stderr
        at_terminal = enabled is None
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(self.stream is not None and callable(isatty) and _safe_isatty(self.stream))
        self.enabled = enabled
        self.lock = threading.RLock()
        self._ticking = enabled and (at_terminal if ticking is None else ticking)
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self.clock = clock
        self.current: _Phase | None = None
        self._width = 0
        self._default = (name, unit)
        self._own: _Phase | None = None

    def __call__(self, done: int, total: int) -> None:
        """Report the default phase (see ``name``)."""
        if not self.enabled:
            return
        if self._own is None or (self.current is not self._own and done < self._own.done):
            self._own = _Phase(self, *self._default)
        self._own(done, total)

    def phase(self, name: str, unit: str = "") -> Callable[[int, int], None]:
        """Return the ``progress(done, total)`` of the phase ``name``, counted in ``unit``."""
        if not self.enabled:
            return _silent
        with self.lock:
            self.finish()
            self.current = _Phase(self, name, unit)
            self._start_ticking()
            return self.current

    def _start_ticking(self) -> None:
        if self._ticking and self._ticker is None:
            self._ticker = threading.Thread(target=self._tick, name="supplynet-progress", daemon=True)
            self._ticker.start()

    def _tick(self) -> None:
        """Redraw the current line now and then, for work that reports nothing meanwhile."""
        while not self._stop.wait(_TICK):
            with self.lock:
                phase, now = self.current, self.clock()
                if phase is None or not self.enabled or now - phase.start < DELAY or now - phase.last_draw < _TICK:
                    continue
                phase.shown = True
                phase.last_draw = now
                self.draw(phase.line())

    @contextlib.contextmanager
    def step(self, name: str, total: int = 0, unit: str = "", *, show: bool = True) -> Iterator[_Phase]:
        r"""Run one phase that reports nothing while it works (a read, an analysis in a library
        call): its line, ``name  TOTAL UNIT ...``, is drawn at once when ``show``, and ends
        as every phase ends. The phase is yielded, for work that can report after all.

        Examples
        --------
        >>> import io
        >>> out, now = io.StringIO(), [0.0]
        >>> bars = Bars(out, enabled=True, clock=lambda: now[0])
        >>> with bars.step("reading", 123_000_000, "bytes"):
        ...     now[0] = 7.7
        >>> out.getvalue().split("\r")[1].strip(), out.getvalue().splitlines()[-1].split("\r")[-1]
        ('reading  123.0 MB ...', 'reading: 123.0 MB in 7.7 s')
        """
        phase = self.phase(name, unit)
        if isinstance(phase, _Phase):
            with self.lock:
                phase.done, phase.total = int(total), int(total)
                counts = (_size(total) if unit == "bytes" else f"{format_number(float(total))} {unit}") if total else ""
                phase.label = f"{name}  {counts} ...".replace("   ", " ")
                if show:
                    phase.shown = True
                    phase.last_draw = self.clock()
                    self.draw(phase.label)
        try:
            yield phase  # type: ignore[misc]
        finally:
            with self.lock:
                if self.current is phase:
                    self.finish()

    def draw(self, text: str) -> None:
        """Redraw the current line as ``text``."""
        pad = max(0, self._width - len(text))
        self._write("\r" + text + " " * pad)
        self._width = len(text)

    def finish(self) -> None:
        """End the current phase: leave its last line if it was long, else erase it."""
        with self.lock:
            phase, self.current = self.current, None
            if phase is None or not phase.shown:
                return
            if self.clock() - phase.start >= KEEP:
                self.draw(phase.line(final=True))
                self._write("\n")
            else:
                self._write("\r" + " " * self._width + "\r")
            self._width = 0

    def close(self) -> None:
        """End the current phase and stop redrawing (safe to call twice)."""
        self.finish()
        self._stop.set()
        ticker, self._ticker = self._ticker, None
        if ticker is not None and ticker is not threading.current_thread():
            ticker.join(timeout=1.0)
        self._stop = threading.Event()

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed terminal must not stop the work
            self.enabled = False


def _safe_isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (OSError, ValueError):
        return False


def _silent(done: int, total: int) -> None:
    return None
