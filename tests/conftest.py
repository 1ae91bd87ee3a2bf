"""Shared fixtures; under CI a skipped test fails the run (nothing may hide a missing install)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CORRIDOR = ROOT / "datasets" / "corridor.geojson"


@pytest.fixture
def data_dir() -> Path:
    """The folder of small hand-made networks."""
    return DATA


@pytest.fixture
def corridor_path() -> Path:
    """The shipped notional scenario."""
    return CORRIDOR


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI", "").lower() not in ("1", "true", "yes"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        reporter.write_line(f"CI: {skipped} test(s) skipped; under CI every test must run", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
