"""Shared fixtures; under CI a skipped test fails the run (nothing may hide a missing install)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CORRIDOR = ROOT / "datasets" / "corridor.geojson"
SYSTEM_PACKAGES = Path(__file__).resolve().parent / "system-packages.txt"


def system_programs() -> dict[str, str]:
    """Return ``{program: Debian package}`` of tests/system-packages.txt."""
    out = {}
    for line in SYSTEM_PACKAGES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            prog, pkg = line.split()
            out[prog] = pkg
    return out


def program(name: str) -> str:
    """Return the path of a system program a test runs; it must be listed and installed.

    ``make test`` installs every listed program (the Makefile's ``system`` target), so a
    missing one means an install step is missing: the test fails, it is never skipped.
    """
    packages = system_programs()
    if name not in packages:
        pytest.fail(f"{name} is not listed in tests/system-packages.txt; add it with its Debian package")
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: run `make system` (installs Debian package {packages[name]})")
    return path


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
