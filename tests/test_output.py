"""Atomic writes: whole or nothing, and no silent replacement."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplynet import OutputError
from supplynet.io.write import atomic_path, write_atomic


def test_write_atomic_refuses_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(OutputError, match="already exists"):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    write_atomic(target, "new", overwrite=True)
    assert target.read_text() == "new"


def test_failure_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        write_atomic(tmp_path / "nope" / "out.txt", "x")


def test_pieces_are_written_in_order_as_utf8(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    write_atomic(target, ["{", '"é": ', "1}\n"])
    assert target.read_bytes() == '{"é": 1}\n'.encode()
    write_atomic(target, iter(["a", "b\r\n"]), overwrite=True)
    assert target.read_bytes() == b"ab\r\n"


# --- only regular files, short temporary names, nothing left behind ----------------------

import errno  # noqa: E402
import os  # noqa: E402
import stat  # noqa: E402

from supplynet.io import write as write_module  # noqa: E402
from supplynet.io.write import check_target, remove_temporaries, write_all_atomic  # noqa: E402


def _still_devnull() -> None:
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode), "/dev/null is no longer a character device"


def test_a_device_is_never_replaced(tmp_path: Path) -> None:
    link = tmp_path / "out.json"
    link.symlink_to("/dev/null")  # a device reached through a name in our own folder
    with pytest.raises(OutputError, match="character device, not a regular file"):
        write_atomic(link, "x", overwrite=True)
    assert link.is_symlink() and os.readlink(link) == "/dev/null"
    with pytest.raises(OutputError, match="character device"):
        check_target("/dev/null", overwrite=True)  # only looked at, never opened
    with pytest.raises(OutputError, match="it is in /dev"):
        # /dev/stdout is a link to fd 1, a regular file while pytest captures it: refused by
        # where it is, since a rename would replace the link in /dev (only looked at here)
        check_target("/dev/stdout", overwrite=True)
    with pytest.raises(OutputError, match="it is in /proc"):
        check_target("/proc/self/fd/1", overwrite=True)
    assert os.path.islink("/dev/stdout")
    _still_devnull()


def test_a_fifo_a_folder_and_a_trailing_slash_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="FIFO"):
        write_atomic(fifo, "x", overwrite=True)  # refused without opening it (which would block)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    with pytest.raises(OutputError, match="is a folder"):
        write_atomic(tmp_path, "x", overwrite=True)
    with pytest.raises(OutputError, match="ending in '/'"):
        write_atomic(f"{tmp_path}/new/", "x")
    assert not (tmp_path / "new").exists()
    afile = tmp_path / "maps"
    afile.write_text("not a folder")
    with pytest.raises(OutputError, match="is not a folder"):
        write_atomic(afile / "corridor.html", "x")


def test_a_legal_250_byte_name_works(tmp_path: Path) -> None:
    name = "r" * 245 + ".json"
    assert len(name.encode()) == 250
    write_atomic(tmp_path / name, "{}\n")
    assert [p.name for p in tmp_path.iterdir()] == [name]
    unicode = "é" * 120 + ".gpkg"  # 245 bytes in UTF-8
    with write_module.atomic_path(tmp_path / unicode, fresh=True) as tmp:
        assert len(tmp.parent.name.encode()) < 100 and tmp.suffix == ".gpkg"
        tmp.write_bytes(b"x")
    assert (tmp_path / unicode).read_bytes() == b"x"


def test_system_failures_are_output_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    for code, words in ((errno.ENOSPC, "No space left on device"), (errno.EFBIG, "File too large")):
        def full(tmp: Path, data: object, code: int = code) -> None:
            tmp.write_text("half")
            raise OSError(code, os.strerror(code))

        monkeypatch.setattr(write_module, "_write", full)
        with pytest.raises(OutputError, match=words):
            write_atomic(target, "new", overwrite=True)
        assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_several_files_appear_together_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nodes, edges = tmp_path / "r.nodes.geojson", tmp_path / "r.edges.geojson"
    write_all_atomic([(nodes, "N1"), (edges, "E1")])
    assert nodes.read_text() == "N1" and edges.read_text() == "E1"
    real = write_module._commit
    calls = []

    def second_fails(tmp: Path, target: Path, overwrite: bool) -> None:
        calls.append(target)
        if len(calls) == 2:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real(tmp, target, overwrite)

    monkeypatch.setattr(write_module, "_commit", second_fails)
    with pytest.raises(OSError):
        write_all_atomic([(nodes, "N2"), (edges, "E2")], overwrite=True)
    assert nodes.read_text() == "N1" and edges.read_text() == "E1"  # the first rename was undone
    calls.clear()
    fresh = [(tmp_path / "a.csv", "A"), (tmp_path / "b.csv", "B")]
    with pytest.raises(OSError):
        write_all_atomic(fresh)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.edges.geojson", "r.nodes.geojson"]


def test_an_existing_file_refuses_all_before_any_is_written(tmp_path: Path) -> None:
    (tmp_path / "b.csv").write_text("old")
    with pytest.raises(OutputError, match="already exists"):
        write_all_atomic([(tmp_path / "a.csv", "A"), (tmp_path / "b.csv", "B")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv"]


def test_temporaries_are_registered_until_removed(tmp_path: Path) -> None:
    target = tmp_path / "m.html"
    with pytest.raises(RuntimeError):
        with write_module.atomic_path(target) as tmp:
            tmp.write_text("half")
            assert tmp in write_module._LIVE
            assert remove_temporaries() == [tmp]  # what a signal handler does
            assert not tmp.exists()
            raise RuntimeError("stopped")
    assert list(tmp_path.iterdir()) == [] and not write_module._LIVE
    _still_devnull()
