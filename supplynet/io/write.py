"""Atomic file output: a result appears whole or not at all, and never replaces a file unasked.

Every output is written to a temporary file beside its target and renamed into place, so
a reader never sees half a file. The rules, in one place for every writer:

* only regular files are written or replaced: a device (``/dev/null``), a FIFO, a socket,
  a folder, or a name ending in ``/`` is refused, as is a target whose folder is missing
  or is not a folder (``maps`` being a file), and any name in /dev (but /dev/shm), /proc
  or /sys, even one that is a regular file for now (``/dev/stdout`` while stdout is
  redirected to a file: the rename would replace the link in /dev);
* an existing file is replaced only with ``overwrite``, checked before the work and again
  at the moment of the rename;
* temporary names stay short (``.`` + at most 48 bytes of the target's name + a random
  part), so that any legal output name works;
* every temporary file or folder is registered while it exists: :func:`remove_temporaries`
  removes them (the command line calls it when SIGTERM or SIGHUP arrives), and each is
  removed on any error anyway;
* several outputs of one command (:func:`write_all_atomic`, :func:`atomic_paths`) are
  renamed together, with SIGINT, SIGTERM and SIGHUP held back meanwhile, and the ones
  already renamed are put back if a later one fails: they appear together or not at all;
* an operating-system failure (disk full, file too large, permission denied) becomes an
  :class:`~supplynet.OutputError` naming the file and the cause.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import secrets
import shutil
import signal
import stat
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from supplynet._errors import OutputError

__all__ = ["atomic_path", "atomic_paths", "check_target", "write_atomic", "write_all_atomic",
           "remove_temporaries", "defer_signal", "utc_timestamp"]

#: Bytes of the target's name kept in a temporary name (names may be 255 bytes long).
_NAME_BYTES = 48
#: Longest suffix of the target a temporary file keeps (writers such as GDAL need it).
_SUFFIX_BYTES = 16
#: Trees of special files: nothing is written there, even where a name in them is a regular
#: file for now (``/dev/stdout`` while stdout is redirected to a file: replacing it would
#: replace the link in /dev).
_SYSTEM_TREES = tuple(f"{os.sep}{d}{os.sep}" for d in ("dev", "proc", "sys"))
#: ... except shared memory, a file system of ordinary files.
_SHARED_MEMORY = f"{os.sep}dev{os.sep}shm{os.sep}"
#: Temporary files and folders that exist now, removed by :func:`remove_temporaries`.
_LIVE: set[Path] = set()
_LIVE_LOCK = threading.Lock()
_HELD_SIGNALS = {s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGHUP")) if s is not None}


def check_target(path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Return ``path`` as a :class:`~pathlib.Path` if a result may be written there.

    Raises
    ------
    OutputError
        ``path`` names a folder (or ends in ``/``), exists and is no regular file (a
        device, a FIFO, a socket), exists without ``overwrite``, or its folder is missing
        or not a folder.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> check_target(folder / "r.json").name
    'r.json'
    >>> check_target(folder)
    Traceback (most recent call last):
    ...
    supplynet._errors.OutputError: cannot write ... is a folder; give a file name
    >>> check_target("/dev/null", overwrite=True)
    Traceback (most recent call last):
    ...
    supplynet._errors.OutputError: cannot write /dev/null: it is a character device, not a regular file (for standard output, give no file or -)
    """
    text = os.fspath(path)
    if not text:
        raise OutputError("cannot write to an empty file name")
    if text.endswith(("/", os.sep)) or (os.altsep and text.endswith(os.altsep)):
        raise OutputError(f"cannot write {text}: a name ending in '/' is a folder; give a file name")
    target = Path(text)
    try:
        st = os.stat(target)  # follows links: /dev/stdout is a link to a device or a pipe
    except (FileNotFoundError, NotADirectoryError):
        st = None  # the folder check below says why
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(f"cannot write {target}: it is a folder; give a file name")
        if not stat.S_ISREG(st.st_mode):
            raise OutputError(f"cannot write {target}: it is a {_kind(st.st_mode)}, not a regular file "
                              "(for standard output, give no file or -)")
    for where in sorted({os.path.abspath(target), os.path.realpath(target)}):
        if where.startswith(_SYSTEM_TREES) and not where.startswith(_SHARED_MEMORY):
            raise OutputError(f"cannot write {target}: it is in /{where.split(os.sep)[1]}, where files stand for "
                              "devices and processes (for standard output, give no file or -)")
    if st is not None:
        if not overwrite:
            raise OutputError(f"{target} already exists; pass --overwrite to replace it")
    elif not overwrite and _lexists(target):  # a dangling link
        raise OutputError(f"{target} already exists (a link to nothing); pass --overwrite to replace it")
    folder = target.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise OutputError(f"cannot write {target}: folder {folder} {what}")
    return target


def _lexists(path: Path) -> bool:
    try:
        os.lstat(path)
    except OSError:
        return False
    return True


def _kind(mode: int) -> str:
    for test, word in ((stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"),
                       (stat.S_ISFIFO, "FIFO (named pipe)"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return word
    return "special file"


def _short(text: str, limit: int) -> str:
    """Return the longest start of ``text`` that is at most ``limit`` bytes in UTF-8."""
    raw = text.encode("utf-8", "surrogateescape")[:limit]
    return raw.decode("utf-8", "ignore")


def _temp_names(target: Path, suffix: str | None) -> tuple[str, str]:
    """Return the prefix and suffix of a temporary name beside ``target`` (short enough always)."""
    suffix = target.suffix if suffix is None else suffix
    if len(suffix.encode("utf-8", "surrogateescape")) > _SUFFIX_BYTES:
        suffix = ""
    return f".{_short(target.name, _NAME_BYTES)}.", f".tmp{suffix}"


def _track(path: Path) -> None:
    with _LIVE_LOCK:
        _LIVE.add(path)


def _untrack(path: Path) -> None:
    with _LIVE_LOCK:
        _LIVE.discard(path)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError):
            path.unlink()
    _untrack(path)


def remove_temporaries() -> list[Path]:
    """Remove every temporary file and folder being written now; return them.

    For signal handlers: a process told to stop (SIGTERM, SIGHUP) calls it so that no
    ``.NAME.XXXX.tmp`` is left behind, whatever it was writing.
    """
    with _LIVE_LOCK:
        live = sorted(_LIVE)
    for path in live:
        _remove(path)
    return live


def _new_temp(target: Path, suffix: str | None, fresh: bool) -> tuple[Path, Path]:
    """Create and register a temporary beside ``target``; return it and what to remove after."""
    folder = target.parent
    prefix, tail = _temp_names(target, suffix)
    for _ in range(100):
        name = folder / f"{prefix}{secrets.token_hex(4)}{'' if fresh else tail}"
        try:
            if fresh:  # a private folder; the file inside it does not exist yet
                os.mkdir(name, 0o700)
                _track(name)
                return name / f"{_short(target.stem, _NAME_BYTES)}{suffix or target.suffix}", name
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            _track(name)
            os.close(fd)
            return name, name
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(f"cannot write in {folder}: {exc.strerror or exc}") from None
    raise OutputError(f"cannot write in {folder}: no free temporary name")  # pragma: no cover


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
    See the module docstring for what else is refused.

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
        ``path`` cannot be written (see :func:`check_target`), or the system refused the
        write (disk full, file too large ...).

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
    with atomic_paths([path], overwrite=overwrite, suffix=suffix, fresh=fresh) as (tmp,):
        yield tmp


@contextlib.contextmanager
def atomic_paths(
    paths: Sequence[str | os.PathLike[str]],
    *,
    overwrite: bool = False,
    suffix: str | None = None,
    fresh: bool = False,
) -> Iterator[list[Path]]:
    """Yield one temporary path per target; on success all are renamed into place together.

    Every target is checked (:func:`check_target`) before anything is created. The renames
    happen one after the other with SIGINT, SIGTERM and SIGHUP held back, and if one fails
    the targets already renamed get their old content back (or are removed), so the files
    appear together or not at all.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_paths([folder / "a.txt", folder / "b.txt"]) as (a, b):
    ...     _ = a.write_text("A"), b.write_text("B")
    >>> sorted(p.name for p in folder.iterdir())
    ['a.txt', 'b.txt']
    """
    targets = [check_target(p, overwrite=overwrite) for p in paths]
    if len({os.path.abspath(t) for t in targets}) != len(targets):
        raise OutputError(f"two outputs name the same file: {', '.join(map(str, targets))}")
    made: list[tuple[Path, Path]] = []
    try:
        for target in targets:
            made.append(_new_temp(target, suffix, fresh))
        try:
            yield [tmp for tmp, _ in made]
        except OSError as exc:
            if isinstance(exc, OutputError):
                raise
            raise _os_error(exc, targets) from None
        for (tmp, _), target in zip(made, targets):
            if not tmp.is_file():
                raise OutputError(f"cannot write {target}: nothing was written")
        _commit_all([tmp for tmp, _ in made], targets, overwrite)
    finally:
        for _, remove in made:
            _remove(remove)


def _os_error(exc: OSError, targets: Sequence[Path]) -> OutputError:
    """Return the :class:`OutputError` of a failed write: the file and the system's reason."""
    names = ", ".join(map(str, targets))
    why = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        why += "; nothing was replaced"
    return OutputError(f"cannot write {names}: {why}")


#: Signals that arrived while outputs were being renamed, delivered again afterwards.
_DEFERRED: list[int] = []
_HOLDING = [0]


def defer_signal(signum: int) -> bool:
    """Return whether a stop signal must wait because outputs are being renamed (and keep it).

    A signal handler calls it first: while :func:`atomic_paths` renames several files
    into place, a stop would leave some renamed and some not, so the signal is kept and
    sent again once they all are.
    """
    if _HOLDING[0] > 0:
        _DEFERRED.append(signum)
        return True
    return False


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back while the renames run; deliver them after.

    The main thread's mask holds the signals the kernel would hand it; a signal handed
    to another thread reaches the handler anyway, which asks :func:`defer_signal`.
    """
    masked = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS) if masked else None
    _HOLDING[0] += 1
    try:
        yield
    finally:
        _HOLDING[0] -= 1
        if masked:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        if _HOLDING[0] == 0 and _DEFERRED:
            pending = sorted(set(_DEFERRED))
            _DEFERRED.clear()
            for signum in pending:
                signal.raise_signal(signum)


def _commit_all(temps: Sequence[Path], targets: Sequence[Path], overwrite: bool) -> None:
    """Rename each temporary onto its target; on a failure put the earlier ones back."""
    done: list[tuple[Path, Path | None]] = []
    with _signals_held():
        try:
            for tmp, target in zip(temps, targets):
                backup = _backup(target) if overwrite and len(targets) > 1 else None
                try:
                    _commit(tmp, target, overwrite)
                except BaseException:
                    if backup is not None:
                        _remove(backup)
                    raise
                done.append((target, backup))
        except BaseException:
            for target, backup in reversed(done):
                if backup is not None:
                    os.replace(backup, target)
                    _untrack(backup)
                else:
                    with contextlib.suppress(FileNotFoundError):
                        target.unlink()
            raise
        finally:
            for _, backup in done:
                if backup is not None:
                    _remove(backup)


def _backup(target: Path) -> Path | None:
    """Return a hard link to the current ``target`` (None if there is none or links fail)."""
    if not target.is_file():
        return None
    prefix, _ = _temp_names(target, "")
    backup = target.parent / f"{prefix}{secrets.token_hex(4)}.old"
    try:
        os.link(target, backup)
    except OSError:
        return None
    _track(backup)
    return backup


def _commit(tmp: Path, target: Path, overwrite: bool) -> None:
    try:
        os.chmod(tmp, 0o644)
        if overwrite:
            check_target(target, overwrite=True)  # a device may have appeared meanwhile
            os.replace(tmp, target)
            return
        try:
            # link() fails if target appeared meanwhile, where rename would silently replace it.
            os.link(tmp, target)
        except FileExistsError:
            raise OutputError(f"{target} already exists; pass --overwrite to replace it") from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
                raise
            if os.path.lexists(target):
                raise OutputError(f"{target} already exists; pass --overwrite to replace it") from None
            os.replace(tmp, target)  # a file system without hard links
    except OutputError:
        raise
    except OSError as exc:
        raise _os_error(exc, [target]) from None


def _write(tmp: Path, data: str | bytes | Iterable[str]) -> None:
    if isinstance(data, bytes):
        tmp.write_bytes(data)
        return
    # A lone surrogate from the input cannot be UTF-8: it is written as its escape, \udXXXX
    # (inside a JSON string, the escape of the same code point), not as a crash.
    with tmp.open("w", encoding="utf-8", errors="backslashreplace", newline="") as fh:
        if isinstance(data, str):
            fh.write(data)
        else:
            fh.writelines(data)


def write_atomic(path: str | os.PathLike[str], data: str | bytes | Iterable[str], *,
                 overwrite: bool = False) -> None:
    """Write ``data`` to ``path`` atomically (text is written as UTF-8).

    ``data`` may be pieces of text, written one after the other: a large output need never
    be one string (joining 100 MB costs more than writing it).

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "out.txt"
    >>> write_atomic(target, ["a", "b"]); target.read_text()
    'ab'
    """
    with atomic_path(path, overwrite=overwrite) as tmp:
        _write(tmp, data)


def write_all_atomic(items: Sequence[tuple[str | os.PathLike[str], str | bytes | Iterable[str]]], *,
                     overwrite: bool = False) -> list[Path]:
    """Write several files together (see :func:`atomic_paths`); return their paths.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> [p.name for p in write_all_atomic([(folder / "n.csv", "a\\n"), (folder / "e.csv", b"b\\n")])]
    ['n.csv', 'e.csv']
    """
    paths = [p for p, _ in items]
    with atomic_paths(paths, overwrite=overwrite) as temps:
        for tmp, (_, data) in zip(temps, items):
            _write(tmp, data)
    return [Path(p) for p in paths]


def utc_timestamp(now: dt.datetime | None = None) -> str:
    """Return a UTC time (default: now) as ISO 8601 to the second, e.g. ``2024-05-01T12:00:00Z``.

    Examples
    --------
    >>> utc_timestamp(dt.datetime(2024, 5, 1, 14, 0, 5, 999, tzinfo=dt.timezone(dt.timedelta(hours=2))))
    '2024-05-01T12:00:05Z'
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    return now.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
