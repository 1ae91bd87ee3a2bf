"""Atomic file output: a result appears whole or not at all, and never replaces a file unasked."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from supplynet._errors import OutputError

__all__ = ["atomic_path", "write_atomic", "utc_timestamp"]


@contextlib.contextmanager
def atomic_path(
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    suffix: str | None = None,
    fresh: bool = False,
) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it becomes ``path`` in one rename.

    On any error the temporary file is removed and ``path`` is left as it was. Without
    ``overwrite`` an existing ``path`` is refused, before and at the moment of the rename.

    Parameters
    ----------
    path : path-like
        The file to write.
    overwrite : bool
        Replace ``path`` if it exists.
    suffix : str, optional
        Suffix of the temporary file (default: that of ``path``).
    fresh : bool
        Yield a path that does not exist yet (in a private folder beside ``path``), for
        writers such as GDAL that add to an existing file or leave journal files beside it.

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
    >>> with atomic_path(target, overwrite=True, fresh=True) as tmp:
    ...     print(tmp.exists())
    ...     _ = tmp.write_text("again")
    False
    >>> target.read_text()
    'again'
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise OutputError(f"{target} already exists; pass --overwrite to replace it")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: folder {folder} does not exist")
    private: Path | None = None
    try:
        if fresh:
            private = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=folder))
            tmp = private / f"{target.stem}{suffix or target.suffix}"
        else:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix or target.suffix,
                                            dir=folder)
            os.close(fd)
            tmp = Path(tmp_name)
    except OSError as exc:
        raise OutputError(f"cannot write in {folder}: {exc.strerror or exc}") from None
    try:
        yield tmp
        if not tmp.is_file():
            raise OutputError(f"cannot write {target}: nothing was written")
        _commit(tmp, target, overwrite)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        if private is not None:
            shutil.rmtree(private, ignore_errors=True)


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


def write_atomic(path: str | os.PathLike[str], data: str | bytes | Iterable[str], *,
                 overwrite: bool = False) -> None:
    """Write ``data`` to ``path`` atomically (text is written as UTF-8).

    ``data`` may be pieces of text, written one after the other: a large output need never
    be one string (joining 100 MB costs more than writing it).
    """
    with atomic_path(path, overwrite=overwrite) as tmp:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
            return
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            if isinstance(data, str):
                fh.write(data)
            else:
                fh.writelines(data)


def utc_timestamp(now: dt.datetime | None = None) -> str:
    """Return a UTC time (default: now) as ISO 8601 to the second, e.g. ``2024-05-01T12:00:00Z``.

    Examples
    --------
    >>> utc_timestamp(dt.datetime(2024, 5, 1, 14, 0, 5, 999, tzinfo=dt.timezone(dt.timedelta(hours=2))))
    '2024-05-01T12:00:05Z'
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    return now.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
