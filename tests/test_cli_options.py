"""The shared CLI helpers: the progress bar over several phases."""

from __future__ import annotations

import io

import pytest

from supplynet.cli.options import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal() -> _Terminal:
    return _Terminal()


def test_each_phase_gets_its_own_bar(terminal: _Terminal) -> None:
    bar = Progress("analysing", terminal)
    for total in (300, 500):  # two phases, each counting from 0 to its own total
        for done in range(0, total + 1, 50):
            bar(done, total)
    text = terminal.getvalue()
    assert "analysing" in text and "analysing (2)" in text and "100%" in text
    assert bar._bar is None  # both finished


def test_a_phase_restarting_midway_closes_the_old_bar(terminal: _Terminal) -> None:
    bar = Progress("work", terminal)
    bar(0, 400)
    bar(200, 400)
    bar(10, 300)  # a new phase before the first one reported its end
    bar(300, 300)
    assert "work (2)" in terminal.getvalue() and bar._bar is None


def test_silent_off_a_terminal_and_for_short_work(terminal: _Terminal) -> None:
    out = io.StringIO()  # not a terminal
    bar = Progress("x", out)
    for done in range(0, 1001, 100):
        bar(done, 1000)
    quick = Progress("y", terminal)
    quick(0, 10)
    quick(10, 10)
    assert out.getvalue() == "" and terminal.getvalue() == ""
