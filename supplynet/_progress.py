"""How long work reports its progress: one callable type, and one for named phases.

Kernels and single analyses take ``progress(done, total)``. Pipelines made of several
phases (reading, compiling, the flow-loss sweep, supply betweenness ...) take a
:class:`Phases` object, which the command line turns into a named, counted bar.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

__all__ = ["Progress", "Phases", "phase"]

#: ``progress(done, total)``: called as work advances (``done`` from 0 to ``total``).
Progress = Callable[[int, int], object]


class Phases(Protocol):
    """Reports a pipeline's phases: ``phases.phase(name, unit)`` returns a :data:`Progress`."""

    def phase(self, name: str, unit: str = "") -> Progress:  # pragma: no cover - a protocol
        ...


def phase(progress: Phases | Progress | None, name: str, unit: str = "") -> Progress | None:
    """Return the :data:`Progress` of one named phase of ``progress`` (None stays None).

    A plain ``progress(done, total)`` callable serves every phase as it is.

    Examples
    --------
    >>> seen = []
    >>> class Log:
    ...     def phase(self, name, unit=""):
    ...         return lambda done, total: seen.append((name, done, total, unit))
    >>> phase(Log(), "sweep", "elements")(3, 10); seen
    [('sweep', 3, 10, 'elements')]
    >>> phase(None, "sweep") is None
    True
    """
    if progress is None:
        return None
    named = getattr(progress, "phase", None)
    return named(name, unit) if callable(named) else progress  # type: ignore[return-value]
