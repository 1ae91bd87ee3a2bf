"""The README's examples work for a newcomer: after ``make demo``'s commands, every
``supplynet`` example of the README runs, in the order the README gives them, in a fresh
folder holding what a clone holds (``datasets/``, ``maps/``), each exiting 0."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from supplynet.cli import main
from tests.conftest import program

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(text: str) -> list[list[str]]:
    """Return the example command lines of the ``sh`` blocks: continuations joined, comments
    dropped, synopsis lines (``NETWORK``, ``[...]``) and ``make`` left out."""
    out = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] in ("supplynet", "ogrinfo") and "NETWORK" not in words \
                    and not any(w.startswith("[") for w in words):
                out.append(words)
    return out


def _demo() -> list[list[str]]:
    """Return ``make demo``'s supplynet commands with the Makefile's variables filled in."""
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = make[make.index("\ndemo:") + 1:].split("\n\n")[0].splitlines()[1:]
    out = []
    for line in recipe:
        line = line.strip().replace("$(BIN)/", "").replace("$(NETWORK)", "datasets/corridor.geojson")
        line = line.replace("$(basename $(notdir datasets/corridor.geojson))", "corridor")
        assert "$(" not in line, line
        out.append(shlex.split(line))
    return out


@pytest.fixture
def clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "datasets", tmp_path / "datasets")
    (tmp_path / "maps").mkdir()
    shutil.copy(ROOT / "maps" / "README.md", tmp_path / "maps" / "README.md")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(words: list[str]) -> str:
    if words[0] == "ogrinfo":
        done = subprocess.run([program("ogrinfo"), *words[1:]], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout
    result = CliRunner().invoke(main, words[1:])
    assert result.exit_code == 0, f"{shlex.join(words)}\n{result.output}"
    return result.output


def test_the_readme_examples_run_in_order_after_make_demo(clone: Path) -> None:
    demo, examples = _demo(), _commands(README)
    assert [w[:2] for w in demo] == [["supplynet", c] for c in ("validate", "info", "report", "plan", "whatif", "map")]
    assert len(examples) >= 20, "the README's examples were not found"
    for words in demo + examples:
        _run(words)
    for name in ("demo-corridor", "corridor", "without-alqaim", "next-strike", "close-alqaim", "my-network"):
        page = clone / "maps" / f"{name}.html"
        assert page.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html"), name
    assert json.loads((clone / "corridor-report.json").read_text())["max_flow"] == 320
    assert (clone / "corridor.gpkg").stat().st_size > 0


def test_the_first_network_walkthrough_says_what_the_commands_print(clone: Path) -> None:
    """The figures of the walk-through are what the template gives, and the typo warning
    is word for word what validate prints."""
    _run(["supplynet", "template", "-o", "my-network.geojson"])
    assert "my-network.geojson: valid, 6 nodes and 7 edges" in _run(["supplynet", "validate", "my-network.geojson"])
    report = json.loads(_run(["supplynet", "report", "my-network.geojson", "--format", "json"]))
    assert report["max_flow"] == 45
    section = README[README.index("## Your first network"):README.index("## Documentation")]
    shown = re.search(r"```\n(warning: .*)\n```", section).group(1)
    text = Path("my-network.geojson").read_text(encoding="utf-8")
    assert text.count('"capacity": 25') == 1
    Path("my-network.geojson").write_text(text.replace('"capacity": 25', '"capcity": 25'), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "my-network.geojson"])
    assert result.exit_code == 0 and shown in result.output, result.output
    strict = CliRunner().invoke(main, ["validate", "--strict", "my-network.geojson"])
    assert strict.exit_code == 1 and "capcity" in strict.output
