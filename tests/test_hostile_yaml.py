"""Hostile scenario files: each case is a real ``supplynet whatif`` in a process of its own
with a memory and a time limit (:func:`tests.test_hostile_output._run`), and must end in an
ordinary exit 1 naming the cause, without a traceback, in well under its time limit."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.test_hostile_input import _limited
from tests.test_hostile_output import DIAMOND, _ordinary

#: A few hundred bytes that expand to 9**9 (387 million) values if aliases were followed.
LAUGHS = "\n".join(["a0: &a0 [x, x, x, x, x, x, x, x, x]"] +
                   [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]) + "\nscenarios: []\n"


def _whatif(path: Path, memory: int = 1 << 30):  # noqa: ANN202
    start = time.monotonic()
    proc = _limited(["whatif", str(DIAMOND), "--scenario", str(path)], memory=memory)
    return proc, time.monotonic() - start


@pytest.mark.parametrize("name, text, words", [
    ("laughs.yaml", LAUGHS, ["expands to more than 1,000,000 values"]),
    ("deep.yaml", "scenarios: " + "[" * 5000 + "]" * 5000 + "\n", ["nested"]),
    ("deep-map.yaml", "scenarios:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 400)) + " " * 400 + "x\n",
     ["nested more than 100 levels deep"]),
    ("python.yaml", "scenarios:\n  - name: !!python/object/apply:os.system ['touch pwned']\n    remove: [a]\n",
     ["is not valid YAML", "python/object/apply"]),
    ("twice.yaml", "scenarios:\n  - name: x\n    remove: [a]\n    remove: [b]\n", ["'remove'", "twice"]),
    ("not-yaml.yaml", "scenarios: [\n", ["is not valid YAML"]),
    ("binary.yaml", "\x00\x01\x02", ["YAML"]),
])
def test_a_hostile_scenario_file_is_refused_at_once(tmp_path: Path, name: str, text: str, words: list[str]) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    proc, seconds = _whatif(path)
    _ordinary(proc, str(path), *words)
    assert seconds < 30, seconds
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()
    assert path.read_text(encoding="utf-8") == text  # the input is never changed


def test_a_long_chain_of_after_is_composed_in_linear_time(tmp_path: Path) -> None:
    """2,000 scenarios each ``after`` the one before: the last one removes every edge the
    chain removes, each base once; quadratic composition would take minutes here."""
    edges = ["sa", "sb", "at", "bt", "ab"]
    n = 2000
    scenarios = [{"name": "s0", "remove": ["sa"]}]
    for i in range(1, n):
        scenarios.append({"name": f"s{i}", "after": [f"s{i - 1}"], "remove": [edges[i % len(edges)]]})
    path = tmp_path / "chain.yaml"
    path.write_text(json.dumps({"scenarios": scenarios}), encoding="utf-8")  # JSON is YAML
    start = time.monotonic()
    proc = _limited(["whatif", str(DIAMOND), "--scenario", str(path), "--name", f"s{n - 1}", "--format", "json"])
    seconds = time.monotonic() - start
    assert proc.returncode == 0, proc.stderr.decode()
    (row,) = json.loads(proc.stdout)["scenarios"]
    assert sorted(row["removed_edges"]) == sorted(edges) and row["max_flow_after"] == 0
    assert seconds < 60, seconds


def test_a_diamond_of_after_applies_each_base_once(tmp_path: Path) -> None:
    """``top`` is after ``left`` and ``right``, both after ``base`` (halving hub a): ``base``
    counts once, so a is at half capacity, not a quarter."""
    doc = {"scenarios": [
        {"name": "base", "degrade": [{"select": "a", "factor": 0.5}]},
        {"name": "left", "after": ["base"]},
        {"name": "right", "after": ["base"]},
        {"name": "top", "after": ["left", "right"]},
    ]}
    path = tmp_path / "diamond-after.yaml"
    path.write_text(json.dumps(doc), encoding="utf-8")
    proc = _limited(["whatif", str(DIAMOND), "--scenario", str(path), "--format", "json"])
    assert proc.returncode == 0, proc.stderr.decode()
    after = {r["name"]: r["max_flow_after"] for r in json.loads(proc.stdout)["scenarios"]}
    assert after == {"base": 35, "left": 35, "right": 35, "top": 35}  # a halved once: test_scenarios' 35


def test_a_device_or_an_endless_file_is_not_read_as_a_scenario_file(tmp_path: Path) -> None:
    from supplynet.network.scenarios import _MAX_FILE_BYTES

    proc, seconds = _whatif(Path("/dev/zero"), memory=1 << 30)
    _ordinary(proc, "/dev/zero", "not a regular file")
    assert seconds < 30
    big = tmp_path / "big.yaml"
    with big.open("w") as fh:
        fh.write("scenarios:\n")
        fh.write("# padding\n" * (_MAX_FILE_BYTES // 10 + 1))
    proc, seconds = _whatif(big)
    _ordinary(proc, str(big), "scenario file larger than")
