"""Atomic file output: a result appears whole or not at all, and never replaces a file unasked."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ._errors import OutputError

__all__ = ["atomic_path", "write_atomic"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, overwrite: bool = False, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it becomes ``path`` in one rename.

    On any error the temporary file is removed and ``path`` is left as it was. Without
    ``overwrite`` an existing ``path`` is refused, before and at the moment of the rename.

    Raises
    ------
    OutputError
        ``path`` exists and ``overwrite`` is false, or its folder is missing or unwritable.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise OutputError(f"{target} already exists; pass --overwrite to replace it")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: folder {folder} does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix or target.suffix, dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write in {folder}: {exc.strerror or exc}") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        _commit(tmp, target, overwrite)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _commit(tmp: Path, target: Path, overwrite: bool) -> None:
    os.chmod(tmp, 0o644)
    if overwrite:
        os.replace(tmp, target)
        return
    try:
        # link() fails if target appeared meanwhile, where rename would silently replace it.
        os.link(tmp, target)
    except FileExistsError:
        raise OutputError(f"{target} already exists; pass --overwrite to replace it") from None
    except OSError:
        if target.exists():
            raise OutputError(f"{target} already exists; pass --overwrite to replace it") from None
        os.replace(tmp, target)


def write_atomic(path: str | os.PathLike[str], data: str | bytes, *, overwrite: bool = False) -> None:
    """Write ``data`` to ``path`` atomically (text is written as UTF-8)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path, overwrite=overwrite) as tmp:
        tmp.write_bytes(payload)
