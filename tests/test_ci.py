"""The tests' own install steps: every program a test runs is installed by the project's files."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import program, system_programs

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def _program_calls() -> list[tuple[str, int, str]]:
    """Return ``(file, line, name)`` of every ``program("NAME")`` call in the tests."""
    found = []
    for path in sorted(TESTS.glob("test_*.py")):
        if path.name == "test_ci.py":  # its own calls test the helper itself
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "program"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.append((path.name, node.lineno, node.args[0].value))
    return found


def test_tests_name_programs_only_through_the_table() -> None:
    # A hard-coded path to a system program in a test is how a missing install step hid once.
    offenders = [f"{p.name}:{n}" for p in sorted(TESTS.glob("*.py")) if p.name not in ("conftest.py", "test_ci.py")
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"/usr/(local/)?bin/", line)]
    assert offenders == [], "run system programs through tests.conftest.program(): " + ", ".join(offenders)


def test_every_program_a_test_runs_is_listed() -> None:
    listed = system_programs()
    calls = _program_calls()
    assert {name for *_, name in calls} <= set(listed), calls
    assert {name for *_, name in calls} == set(listed), "tests/system-packages.txt lists a program no test runs"


def test_the_makefile_installs_the_listed_packages() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "tests/system-packages.txt" in makefile
    test_rule = re.search(r"^test:(.*)$", makefile, re.M)
    assert test_rule is not None and "system" in test_rule.group(1).split()


def test_every_listed_program_is_installed() -> None:
    missing = [f"{prog} ({pkg})" for prog, pkg in system_programs().items() if shutil.which(prog) is None]
    assert missing == [], "make system did not install: " + ", ".join(missing)


def test_a_missing_program_fails_and_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match="make system.*gdal-bin"):
        program("ogrinfo")
    with pytest.raises(pytest.fail.Exception, match="not listed"):
        program("no-such-program")
