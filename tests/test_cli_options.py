"""The shared CLI helpers: named, counted progress phases on a terminal, and nothing elsewhere."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from supplynet.cli import main
from supplynet.cli.options import Progress, phases
from supplynet.cli.progress import DELAY, KEEP, Bars


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Clock:
    """A clock that moves one second every time it is read: every call is slow enough to draw."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@pytest.fixture
def terminal() -> _Terminal:
    return _Terminal()


def test_each_phase_is_named_and_counted(terminal: _Terminal) -> None:
    bars = Bars(terminal, clock=_Clock())
    sweep = bars.phase("flow-loss sweep", "elements")
    for done in range(0, 301, 100):
        sweep(done, 300)
    sbc = bars.phase("supply betweenness", "sources")
    sbc(0, 5000)
    sbc(1200, 5000)
    bars.close()
    text = terminal.getvalue()
    assert "flow-loss sweep  100 / 300 elements (33%)" in text
    assert "flow-loss sweep: 300 elements in" in text  # a slow phase leaves a line saying what it did
    assert "supply betweenness  1,200 / 5,000 sources (24%)" in text
    assert "analysing" not in text


def test_bytes_read_for_people(terminal: _Terminal) -> None:
    tick = Bars(terminal, clock=_Clock()).phase("reading", "bytes")
    tick(0, 123_000_000)
    tick(45_100_000, 123_000_000)
    assert "reading  45.1 MB of 123.0 MB (36%)" in terminal.getvalue()


def test_quick_phases_leave_nothing(terminal: _Terminal) -> None:
    now = [0.0]
    bars = Bars(terminal, clock=lambda: now[0])
    tick = bars.phase("quick", "steps")
    for done in range(11):
        now[0] += DELAY / 20  # the whole phase takes half of DELAY
        tick(done, 10)
    assert terminal.getvalue() == ""
    slow = bars.phase("slow", "steps")
    now[0] += DELAY * 2
    slow(1, 10)
    now[0] += 0.1
    slow(10, 10)  # shown, but shorter than KEEP: erased at the end
    assert DELAY * 2 + 0.1 < KEEP
    assert terminal.getvalue().endswith("\r")
    assert "slow  1 / 10 steps" in terminal.getvalue()


def test_silent_off_a_terminal() -> None:
    out = io.StringIO()  # not a terminal
    bars = Bars(out, clock=_Clock())
    tick = bars.phase("supply betweenness", "sources")
    for done in range(0, 1001, 100):
        tick(done, 1000)
    bars(5, 10)
    bars.close()
    assert out.getvalue() == "" and not bars.enabled


def test_one_phase_callable_for_single_phase_work(terminal: _Terminal) -> None:
    bar = Bars(terminal, clock=_Clock(), name="scenarios", unit="scenarios")
    bar(0, 50)
    bar(20, 50)
    bar.close()
    assert "scenarios  20 / 50 scenarios (40%)" in terminal.getvalue()


def test_quiet_turns_progress_off(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = {}

    import click

    @click.command("probe")
    def probe() -> None:
        seen["phases"] = phases().enabled
        seen["progress"] = Progress("x").enabled

    group = type(main)(name="supplynet", callback=main.callback, params=main.params, commands=dict(main.commands))
    group.add_command(probe)
    monkeypatch.setattr("sys.stderr", _Terminal())
    assert CliRunner().invoke(group, ["-q", "probe"]).exit_code == 0
    assert seen == {"phases": False, "progress": False}
    assert CliRunner().invoke(group, ["probe", "-q"]).exit_code == 0  # after the command name too
    assert seen == {"phases": False, "progress": False}


def test_the_report_pipeline_names_its_phases(terminal: _Terminal, corridor_path) -> None:  # noqa: ANN001
    import supplynet

    G = supplynet.read_network(corridor_path)
    bars = Bars(terminal, clock=_Clock())
    supplynet.analyse(G, progress=bars)
    bars.close()
    text = terminal.getvalue()
    for name, unit in (("flow-loss sweep", "elements"), ("supply betweenness", "sources"), ("betweenness", "sources")):
        assert f"{name}: " in text and unit in text, name
