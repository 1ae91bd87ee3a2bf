"""Hostile output cases (issue 16): where results go, what stops a write, what reads them.

Each case that needs a real process (signals, file-size limits, closed or broken standard
output) runs ``supplynet`` in a subprocess with a time limit and a memory limit of its
own, so a hang or a blow-up fails that case instead of the suite. Nothing here writes to a
real device: devices are reached through links in a temporary folder, and /dev/null is
checked to be a character device still at the end.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from supplynet.cli import bounded, main

DATA = Path(__file__).resolve().parent / "data"
DIAMOND = DATA / "diamond.geojson"
ROOT = Path(__file__).resolve().parent.parent
CORRIDOR = ROOT / "datasets" / "corridor.geojson"
SCENARIOS = ROOT / "datasets" / "corridor-scenarios.yaml"
#: Seconds and bytes of address space one subprocess case may use.
CASE_SECONDS = 120
CASE_MEMORY = 8 * 2**30


def _limits(file_size: int | None = None, close_stdout: bool = False):  # noqa: ANN202
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (CASE_MEMORY, CASE_MEMORY))
        if file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
        if close_stdout:
            os.close(1)
    return apply


def _run(args: list[str], *, script: str = "", cwd: Path | None = None, stdout: int | None = subprocess.PIPE,
         file_size: int | None = None, close_stdout: bool = False) -> subprocess.CompletedProcess[bytes]:
    """Run ``supplynet ARGS`` (after ``script``, which may patch the library) with the limits of a case."""
    code = f"{script}\nfrom supplynet.cli import main\nmain(prog_name='supplynet')"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, stdout=stdout, stderr=subprocess.PIPE,
                          timeout=CASE_SECONDS, preexec_fn=_limits(file_size, close_stdout), check=False)


def _ordinary(proc: subprocess.CompletedProcess[bytes], *words: str) -> str:
    """Assert an ordinary failure: exit 1, the words in one message, no traceback or internal error."""
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    assert "Traceback" not in err and "internal error" not in err and "Exception ignored" not in err, err
    for word in words:
        assert word in err, err
    return err


@pytest.fixture(autouse=True, scope="module")
def _devnull_stays_a_device():  # noqa: ANN202
    yield
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode), "/dev/null is no longer a character device"


# --- 1. devices, folders, "-": outputs go only to regular files or stdout -----------------

@pytest.mark.parametrize("command", [
    ["report", str(DIAMOND)],
    ["whatif", str(DIAMOND), "--remove", "a"],
    ["plan", str(DIAMOND), "--budget", "1"],
    ["info", str(DIAMOND)],
    ["export", str(DIAMOND)],
    ["map", str(DIAMOND)],
])
def test_a_device_is_refused_before_any_work(command: list[str], tmp_path: Path) -> None:
    suffix = {"export": ".geojson", "map": ".html"}.get(command[0], ".txt")
    link = tmp_path / f"out{suffix}"
    link.symlink_to("/dev/null")
    result = CliRunner().invoke(main, [*command, "-o", str(link), "--overwrite"])
    assert result.exit_code == 1 and "character device, not a regular file" in result.output, result.output
    assert link.is_symlink() and os.readlink(link) == "/dev/null"


@pytest.mark.parametrize("target, words", [("new/", "ending in '/'"), (".", "is a folder")])
def test_a_folder_is_never_written_as_a_file(target: str, words: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (["report", str(DIAMOND)], ["map", str(DIAMOND)], ["export", str(DIAMOND)]):
        result = CliRunner().invoke(main, [*command, "-o", target])
        assert result.exit_code == 1 and words in result.output, (command, result.output)
    assert list(tmp_path.iterdir()) == []


def test_dash_is_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["report", str(DIAMOND), "--format", "json", "-o", "-"])
    assert result.exit_code == 0 and json.loads(result.stdout)["max_flow"] == 50
    geo = CliRunner().invoke(main, ["export", str(DIAMOND), "-o", "-"])
    assert geo.exit_code == 0 and json.loads(geo.stdout)["type"] == "FeatureCollection"
    assert list(tmp_path.iterdir()) == []


def test_maps_being_a_file_is_an_ordinary_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "maps").write_text("a file, not a folder")
    result = CliRunner().invoke(main, ["map", str(DIAMOND)])
    assert result.exit_code == 1 and "maps is a file, not a folder" in result.output
    assert "internal error" not in result.output


def test_a_250_byte_output_name_works(tmp_path: Path) -> None:
    out = tmp_path / ("r" * 245 + ".json")
    result = CliRunner().invoke(main, ["report", str(DIAMOND), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["max_flow"] == 50 and len(list(tmp_path.iterdir())) == 1


# --- 4. half-written output: signals, multi-file outputs -----------------------------------

_STOP_IN_WRITE = """
import os, signal
import supplynet.io.write as w
_real, _calls = w._write, [0]
def _write(tmp, data):
    _calls[0] += 1
    if _calls[0] == {call}:
        tmp.write_text("half of it")
        os.kill(os.getpid(), signal.{sig})
    _real(tmp, data)
w._write = _write
"""

_STOP_IN_GPKG = """
import os, signal
import supplynet.io.layers as layers
_real = layers._write_gpkg
def _write_gpkg(layers_, path):
    _real(layers_, path)
    os.kill(os.getpid(), signal.{sig})
layers._write_gpkg = _write_gpkg
"""


def _killed_by(proc: subprocess.CompletedProcess[bytes], sig: str) -> None:
    if sig == "SIGINT":  # click's own ending for an interrupt
        assert proc.returncode == 1 and b"Aborted" in proc.stderr, proc.stderr
    else:
        assert proc.returncode == -getattr(signal, sig), (proc.returncode, proc.stderr)
    assert b"Traceback" not in proc.stderr


@pytest.mark.parametrize("sig, command, name", [  # every signal once, every kind of output once
    ("SIGTERM", ["report", str(DIAMOND), "--format", "json"], "r.json"),
    ("SIGHUP", ["report", str(DIAMOND), "--format", "json"], "r.json"),
    ("SIGINT", ["report", str(DIAMOND), "--format", "json"], "r.json"),
    ("SIGTERM", ["map", str(DIAMOND)], "m.html"),
])
def test_a_stop_during_a_write_leaves_nothing(sig: str, command: list[str], name: str, tmp_path: Path) -> None:
    proc = _run([*command, "-o", str(tmp_path / name)], script=_STOP_IN_WRITE.format(call=1, sig=sig))
    _killed_by(proc, sig)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("sig", ["SIGHUP"])
def test_a_stop_during_a_geopackage_leaves_no_folder(sig: str, tmp_path: Path) -> None:
    proc = _run(["export", str(DIAMOND), "-o", str(tmp_path / "x.gpkg")], script=_STOP_IN_GPKG.format(sig=sig))
    _killed_by(proc, sig)
    assert list(tmp_path.iterdir()) == []


def test_a_stopped_split_export_keeps_both_old_files(tmp_path: Path) -> None:
    out = tmp_path / "x.geojson"
    first = CliRunner().invoke(main, ["export", str(DIAMOND), "-o", str(out), "--split"])
    assert first.exit_code == 0, first.output
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert sorted(before) == ["x.edges.geojson", "x.nodes.geojson"]
    proc = _run(["export", str(DIAMOND), "-o", str(out), "--split", "--overwrite", "--top", "1"],
                script=_STOP_IN_WRITE.format(call=2, sig="SIGTERM"))  # the nodes file was written already
    _killed_by(proc, "SIGTERM")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_stop_during_the_renames_waits_for_both(tmp_path: Path) -> None:
    script = """
import os, signal
import supplynet.io.write as w
_real, _calls = w._commit, [0]
def _commit(tmp, target, overwrite):
    _calls[0] += 1
    if _calls[0] == 1:
        os.kill(os.getpid(), signal.SIGTERM)  # held back until both files are in place
    _real(tmp, target, overwrite)
w._commit = _commit
"""
    proc = _run(["export", str(DIAMOND), "-o", str(tmp_path / "x.geojson"), "--split"], script=script)
    _killed_by(proc, "SIGTERM")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.edges.geojson", "x.nodes.geojson"]
    for p in tmp_path.iterdir():
        assert json.loads(p.read_text())["type"] == "FeatureCollection"


def test_plan_with_a_chart_into_a_missing_folder_writes_neither(tmp_path: Path) -> None:
    chart = tmp_path / "c.svg"
    result = CliRunner().invoke(main, ["plan", str(DIAMOND), "--budget", "1", "--chart", str(chart),
                                       "-o", str(tmp_path / "missing" / "out.txt")])
    assert result.exit_code == 1 and "does not exist" in result.output
    assert list(tmp_path.iterdir()) == []


# --- 6. disk full, file too large, stdout closed, full or broken --------------------------

def test_file_too_large_is_an_ordinary_error(tmp_path: Path) -> None:
    old = tmp_path / "r.json"
    old.write_text("old")
    proc = _run(["report", str(CORRIDOR), "--format", "json", "-o", str(old), "--overwrite"], file_size=20_000)
    _ordinary(proc, "File too large")
    assert old.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_disk_full_is_an_ordinary_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import supplynet.io.write as w

    def full(tmp: Path, data: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(w, "_write", full)
    result = CliRunner().invoke(main, ["report", str(DIAMOND), "-o", str(tmp_path / "r.txt")])
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert "internal error" not in result.output and list(tmp_path.iterdir()) == []


def test_a_broken_pipe_is_an_ordinary_error() -> None:
    code = "from supplynet.cli import main\nmain(prog_name='supplynet')"
    with subprocess.Popen([sys.executable, "-c", code, "report", str(CORRIDOR), "--format", "json"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_limits()) as proc:
        proc.stdout.close()  # the reader goes away (`supplynet ... | true`) long before the report is written
        _, err = proc.communicate(timeout=CASE_SECONDS)
    _ordinary(subprocess.CompletedProcess(proc.args, proc.returncode, b"", err), "broken pipe")


def test_a_closed_stdout_is_an_error_not_silence() -> None:
    proc = _run(["info", str(DIAMOND)], stdout=None, close_stdout=True)
    _ordinary(proc, "standard output is closed")


def test_a_full_stdout_is_an_ordinary_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    from types import SimpleNamespace

    import supplynet.cli.outputs as outputs

    class Full:
        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def flush(self) -> None:
            return None

    monkeypatch.setattr(outputs, "_silence_stdout", lambda: None)
    monkeypatch.setattr(outputs, "sys", SimpleNamespace(stdout=SimpleNamespace(buffer=Full(), flush=lambda: None)))
    result = CliRunner().invoke(main, ["info", str(DIAMOND)])
    assert result.exit_code == 1 and "cannot write to standard output: No space left on device" in result.output


def test_warnings_never_print_before_the_error() -> None:
    script = """
import click, numpy as np
from supplynet.cli import main
from supplynet._errors import AnalysisError
@main.command("boom")
def boom():
    np.log(np.zeros(1))  # a RuntimeWarning, with this file's path
    raise AnalysisError("the analysis failed")
"""
    proc = _run(["boom"], script=script)
    assert proc.stderr.decode() == "Error: the analysis failed\n"
    verbose = _run(["boom", "-vv"], script=script.replace('raise AnalysisError("the analysis failed")', "pass"))
    assert "debug: RuntimeWarning: divide by zero" in verbose.stderr.decode() and ".py:" not in verbose.stderr.decode()


def test_map_and_export_pick_scenarios_alike(tmp_path: Path) -> None:
    results = {}
    for command in ("map", "export"):
        out = tmp_path / ("x.html" if command == "map" else "x.geojson")
        r = CliRunner().invoke(main, [command, str(CORRIDOR), "--scenario", str(SCENARIOS), "-o", str(out)])
        miss = CliRunner().invoke(main, [command, str(CORRIDOR), "--scenario", str(SCENARIOS), "--name", "nope",
                                         "-o", str(out)])
        results[command] = (r.exit_code, r.output.splitlines()[-1], miss.exit_code, miss.output.splitlines()[-1])
    assert results["map"] == results["export"]
    assert results["map"][0] == 1 and "holds 5 scenarios; choose one with --name" in results["map"][1]
    assert results["map"][2] == 1 and "no scenario named 'nope'" in results["map"][3]


def test_a_huge_scenario_file_gives_a_bounded_message(tmp_path: Path) -> None:
    many = tmp_path / "many.yaml"
    many.write_text("scenarios:\n" + "".join(f"  - name: s{k:05d}\n    remove: [bc-alqaim]\n" for k in range(3000)))
    for args in ([], ["--name", "nope"]):
        result = CliRunner().invoke(main, ["map", str(CORRIDOR), "--scenario", str(many), *args,
                                           "-o", str(tmp_path / "m.html")])
        assert result.exit_code == 1 and len(result.output) < 2_000, len(result.output)
        assert "3,000" in result.output and "... and 2,990 more" in result.output


def test_every_message_is_bounded() -> None:
    text = bounded("x" * 1_200_000)
    assert len(text) < 2_100 and text.endswith("(1,198,000 more characters)")
    assert bounded("red \x1b[31m") == "red \\x1b[31m"


# --- 7. what reads the output: terminals, spreadsheets, Markdown ---------------------------

def _hostile_network(tmp_path: Path) -> Path:
    net = json.loads(DIAMOND.read_text())
    net["name"] = "Net \x1b[2J\x1b]0;owned\x07"
    net["description"] = "line one\n# Injected heading\n<script>alert(1)</script>"
    for f in net["features"]:
        p = f["properties"]
        if p["id"] == "a":
            p["name"] = "=HYPERLINK(\"http://example.invalid\",\"click\")"
        if p["id"] == "b":
            p["name"] = "\x1b[31mRED\x1b[0m crossing\u202e"
    path = tmp_path / "hostile.geojson"
    path.write_text(json.dumps(net))
    return path


def test_terminal_text_carries_no_control_characters(tmp_path: Path) -> None:
    net = _hostile_network(tmp_path)
    for command in (["report", str(net)], ["info", str(net)], ["whatif", str(net), "--remove", "b"],
                    ["plan", str(net), "--budget", "2", "--method", "all"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout and "\u202e" not in result.stdout
        assert "\\x1b" in result.stdout, command


def test_csv_cells_are_no_formulas(tmp_path: Path) -> None:
    import csv
    import io

    net = _hostile_network(tmp_path)
    result = CliRunner().invoke(main, ["report", str(net), "--format", "csv"])
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["a"]["name"].startswith("'=HYPERLINK")
    for row in rows.values():
        for cell in row.values():
            assert not (cell or " ")[0] in "=+@", cell


def test_markdown_shows_names_literally(tmp_path: Path) -> None:
    net = _hostile_network(tmp_path)
    for command in (["report", str(net)], ["whatif", str(net), "--remove", "b"], ["plan", str(net), "--budget", "2"]):
        result = CliRunner().invoke(main, [*command, "--format", "markdown"])
        assert result.exit_code == 0, result.output
        md = result.stdout
        assert not any(line.startswith("# Injected") for line in md.splitlines())
        assert "<script>" not in md.replace("\\<script>", "") and "\x1b" not in md
