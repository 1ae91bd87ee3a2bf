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
