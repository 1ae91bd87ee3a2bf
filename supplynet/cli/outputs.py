"""Where a command's results go: checked before any work, written whole, named honestly.

One helper for every command (as rasterio's ``resolve_inout``): :func:`plan_outputs`
checks every output a command will write before it reads the network, and
:func:`write_outputs` writes them all at the end, together. The rules:

* ``-o -`` (or no ``-o``) is standard output; ``-o PATH`` must name a regular file: a
  folder, a name ending in ``/``, a device such as ``/dev/null`` or a FIFO is refused, as
  is a missing folder, an input file, or an existing file without ``--overwrite``
  (:func:`supplynet.io.write.check_target`);
* the format follows the suffix of ``-o`` (``.txt``, ``.md``, ``.json``, ``.csv``) unless
  ``--format`` says otherwise, and a suffix that contradicts ``--format`` is refused;
* several outputs of one command (a report and its chart, the two files of a split
  export) appear together or not at all (:func:`supplynet.io.write.write_all_atomic`);
* standard output that is closed, full (``/dev/full``) or a broken pipe (``| head``) is an
  ordinary error, exit 1, never a traceback.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import click

from supplynet._errors import OutputError
from supplynet.io.write import check_target, write_all_atomic

__all__ = ["STDOUT", "FORMAT_SUFFIXES", "output_format", "check_suffix", "plan_outputs", "write_outputs",
           "write_stdout", "note", "quiet", "check_outputs", "write_output", "refuse_inputs",
           "mark_stdout_closed"]

#: What ``-o`` takes for standard output.
STDOUT = "-"
#: The suffixes that name a text format.
FORMAT_SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
                   ".json": "json", ".csv": "csv"}
#: Suffixes of what other commands write: never right for a command that writes none of them.
_OTHER_SUFFIXES = {".html": "an HTML map", ".htm": "an HTML map", ".svg": "an SVG chart", ".png": "a PNG image",
                   ".geojson": "GeoJSON layers", ".gpkg": "a GeoPackage", ".yaml": "a YAML file",
                   ".yml": "a YAML file", ".xlsx": "a spreadsheet", ".pdf": "a PDF"}

#: Set by the command group when the process started with standard output closed (``>&-``).
STDOUT_CLOSED = False


def mark_stdout_closed(closed: bool) -> bool:
    """Record whether standard output was closed when the process started; return the old value."""
    global STDOUT_CLOSED
    old, STDOUT_CLOSED = STDOUT_CLOSED, closed
    return old


def quiet() -> bool:
    """Return whether ``-q`` asked for errors only."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return bool(obj and obj.get("quiet", 0) > obj.get("verbose", 0))


def note(message: str) -> None:
    """Tell the user something on stderr (``wrote ...``), unless ``-q``."""
    if not quiet():
        from supplynet.render.safe import terminal_text

        click.echo(terminal_text(message), err=True)


def output_format(output: str | None, fmt: str | None, choices: Sequence[str], *, option: str = "-o/--output") -> str:
    """Return the format of an output: ``--format`` if given, else the suffix of ``-o``, else the first choice.

    Raises
    ------
    click.BadParameter
        ``--format`` contradicts the suffix, or the suffix names a format the command
        cannot write (``report -o r.html``).

    Examples
    --------
    >>> output_format("r.json", None, ("text", "json")), output_format(None, None, ("text", "json"))
    ('json', 'text')
    >>> output_format("r.out", "json", ("text", "json"))
    'json'
    """
    by_suffix = None
    if output and output != STDOUT:
        suffix = Path(output).suffix.lower()
        by_suffix = FORMAT_SUFFIXES.get(suffix)
        if by_suffix is not None and by_suffix not in choices:
            raise click.BadParameter(f"{output} names a {by_suffix} file, which this command does not write; "
                                     f"it writes {', '.join(choices)}", param_hint=option)
        if suffix in _OTHER_SUFFIXES:
            raise click.BadParameter(f"{output} names {_OTHER_SUFFIXES[suffix]}, which this command does not "
                                     f"write; it writes {', '.join(choices)} ({_suffixes(choices)})", param_hint=option)
    if fmt is not None:
        if by_suffix is not None and by_suffix != fmt:
            raise click.BadParameter(f"{fmt} contradicts the suffix of {output} ({by_suffix}); "
                                     "drop --format or make the two agree", param_hint="--format")
        return fmt
    return by_suffix or choices[0]


def _suffixes(choices: Sequence[str]) -> str:
    return ", ".join(s for s, f in FORMAT_SUFFIXES.items() if f in choices)


def check_suffix(path: str, allowed: dict[str, str], *, option: str) -> str:
    """Return the kind ``allowed`` gives the suffix of ``path`` (``{".svg": "svg", ".png": "png"}``).

    Raises
    ------
    click.BadParameter
        The suffix is none of them.

    Examples
    --------
    >>> check_suffix("curve.PNG", {".svg": "svg", ".png": "png"}, option="--chart")
    'png'
    """
    kind = allowed.get(Path(path).suffix.lower())
    if kind is None:
        raise click.BadParameter(f"{path}: expected a file ending in {' or '.join(allowed)}", param_hint=option)
    return kind


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def plan_outputs(outputs: Iterable[str | None], *, overwrite: bool, inputs: Iterable[str | None] = ()) -> list[str]:
    """Check, before any work, every file output of a command; return them (stdout left out).

    ``None`` and ``-`` are standard output and need no check.

    Raises
    ------
    OutputError
        An output is an input, is not a regular file, exists without ``overwrite``, or
        its folder is missing (:func:`supplynet.io.write.check_target`); two outputs
        name the same file.
    """
    files = [o for o in outputs if o is not None and o != STDOUT]
    inputs = list(inputs)
    for out in files:
        refuse_inputs(out, inputs)
        check_target(out, overwrite=overwrite)
    for i, a in enumerate(files):
        for b in files[i + 1:]:
            if os.path.abspath(a) == os.path.abspath(b):
                raise OutputError(f"two outputs name the same file: {a}")
    return files


def refuse_inputs(output: str | None, inputs: Iterable[str | None]) -> None:
    """Refuse an output that is one of the inputs (the same file by any name).

    Raises
    ------
    OutputError
    """
    if output is None or output == STDOUT:
        return
    for src in inputs:
        if src and src != STDOUT and os.path.exists(src) and _same_file(src, output):
            raise OutputError(f"refusing to write over the input file {src}")


def check_outputs(outputs: list[str], *, overwrite: bool, inputs: tuple[str | None, ...] = ()) -> None:
    """Refuse, before any work, outputs that cannot be written (see :func:`plan_outputs`)."""
    plan_outputs(outputs, overwrite=overwrite, inputs=inputs)


def write_outputs(items: Sequence[tuple[str | None, str | bytes | list[str]]], *, overwrite: bool,
                  inputs: Iterable[str | None] = ()) -> list[str]:
    """Write every ``(path, data)`` of a command: files together and atomically, then stdout.

    A path of None or ``-`` is standard output. Returns the files written.
    """
    inputs = list(inputs)
    files = [(p, d) for p, d in items if p is not None and p != STDOUT]
    plan_outputs([p for p, _ in files], overwrite=overwrite, inputs=inputs)  # again: time has passed
    if files:
        write_all_atomic(files, overwrite=overwrite)
    for path, data in items:
        if path is None or path == STDOUT:
            write_stdout(data)
    return [p for p, _ in files]


def write_output(text: str | bytes | list[str], output: str | None, *, overwrite: bool,
                 inputs: tuple[str | None, ...] = ()) -> None:
    """Write one output (see :func:`write_outputs`): to ``output``, or stdout for None or ``-``."""
    write_outputs([(output, text)], overwrite=overwrite, inputs=inputs)


def write_stdout(data: str | bytes | list[str]) -> None:
    """Write to standard output as UTF-8, turning a closed, full or broken stdout into an OutputError.

    Text is encoded with ``backslashreplace``: a lone surrogate from the input is written
    as ``\\udXXX`` (in JSON, the escape of the same code point) instead of failing.
    """
    stream = sys.stdout
    if STDOUT_CLOSED or stream is None:
        raise OutputError("standard output is closed; give -o PATH to write to a file")
    pieces = [data] if isinstance(data, (str, bytes)) else data
    try:
        stream.flush()
        buffer = getattr(stream, "buffer", None)
        for piece in pieces:
            raw = piece if isinstance(piece, bytes) else piece.encode("utf-8", "backslashreplace")
            if buffer is not None:
                buffer.write(raw)
            else:  # a text-only stream (a test's): decode what was encoded
                stream.write(raw.decode("utf-8"))
        (buffer or stream).flush()
    except OSError as exc:
        _silence_stdout()
        if exc.errno == errno.EPIPE or isinstance(exc, BrokenPipeError):
            raise OutputError("standard output was closed by the program reading it (broken pipe); "
                              "the output is incomplete") from None
        raise OutputError(f"cannot write to standard output: {exc.strerror or exc}") from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's last flush cannot fail again."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):
        pass

