"""The ``supplynet`` command line: one module per command, shared options in ``options``.

The group is where every run starts and ends, so what must hold for every command is done
here once:

* ``-v`` and ``-q`` work before or after the command name (``supplynet -q map ...`` and
  ``supplynet map ... -q``); every command registered gets them;
* ``--format`` follows the suffix of ``-o`` in every command that has both
  (:func:`supplynet.cli.outputs.output_format`);
* library errors become a one-paragraph message and exit 1, usage errors exit 2; an
  operating-system failure (disk full, broken pipe, permission denied) or running out of
  memory is an ordinary error too, and "internal error" is left for real bugs;
* messages are bounded (a message of 147,864 names is cut to its first lines) and their
  control characters escaped, like every text output;
* SIGTERM and SIGHUP stop the run as SIGINT does: every temporary file is removed before the
  process ends (by the same signal, so the caller sees how it ended);
* Python warnings (numpy's RuntimeWarnings, with source paths) go to the debug log, never
  before an error message;
* standard streams closed at start (``>&-``) are held open on /dev/null, so no file opened
  later takes their number, and writing results to a closed stdout is an error.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import logging
import os
import signal
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import click

from supplynet._version import __version__
from supplynet._errors import SupplynetError
from supplynet.cli.outputs import mark_stdout_closed, output_format, refuse_inputs
from supplynet.cli.campaign import campaign_command
from supplynet.cli.export import export
from supplynet.cli.info import info
from supplynet.cli.map import map_command
from supplynet.cli.plan import plan
from supplynet.cli.report import report
from supplynet.cli.template import template
from supplynet.cli.uncertainty import uncertainty
from supplynet.cli.validate import validate
from supplynet.cli.whatif import whatif

__all__ = ["main"]

#: Longest message printed: lines, and characters a line.
_MAX_LINES = 60
_MAX_LINE = 2000
#: Signals that end a run cleanly (temporary files removed), as SIGINT does.
_STOP_SIGNALS = tuple(s for s in (getattr(signal, n, None) for n in ("SIGTERM", "SIGHUP")) if s is not None)


class _Stopped(BaseException):
    """Raised in the main thread when SIGTERM or SIGHUP arrives: unwinds so every ``finally`` runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def bounded(message: str) -> str:
    """Return ``message`` with control characters escaped, at most 60 lines of 2,000 characters.

    Examples
    --------
    >>> bounded("x" * 2005).endswith("... (5 more characters)")
    True
    >>> bounded("\\n".join(str(k) for k in range(100))).splitlines()[-1]
    '... (40 more lines)'
    """
    from supplynet.render.safe import terminal_text

    lines = terminal_text(message).split("\n")
    out = [line if len(line) <= _MAX_LINE else f"{line[:_MAX_LINE]} ... ({len(line) - _MAX_LINE:,} more characters)"
           for line in lines[:_MAX_LINES]]
    if len(lines) > _MAX_LINES:
        out.append(f"... ({len(lines) - _MAX_LINES:,} more lines)")
    return "\n".join(out)


def _ordinary(exc: BaseException) -> str | None:
    """Return the message of a failure that is the environment's, not a bug (None for a bug)."""
    if isinstance(exc, MemoryError):
        return ("not enough memory for this input and these options (MemoryError); try a smaller network, "
                "--betweenness-k, or a machine with more memory")
    if isinstance(exc, OSError) and exc.errno is not None:
        where = f": {exc.filename}" if exc.filename else ""
        if exc.errno == errno.EPIPE:
            return "standard output was closed by the program reading it (broken pipe)"
        return f"{exc.strerror or os.strerror(exc.errno)}{where}"
    return None


class _Group(click.Group):
    """Turns library errors into a one-paragraph message and exit 1, without a traceback."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """Register ``cmd`` with ``-v`` and ``-q`` of its own (after the command name)."""
        present = {o for p in cmd.params for o in getattr(p, "opts", ())}
        if "-v" not in present:
            cmd.params.append(click.Option(["-v", "--verbose"], count=True, expose_value=False,
                                           callback=_more_verbose, help="More log output (-vv for debug); tracebacks."))
        if "-q" not in present:
            cmd.params.append(click.Option(["-q", "--quiet"], count=True, expose_value=False,
                                           callback=_more_quiet, help="Errors only: no progress, notes or warnings."))
        _resolve_format(cmd)
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except SupplynetError as exc:
            if ctx.obj and ctx.obj.get("verbose", 0) > 0:
                raise
            raise click.ClickException(bounded(str(exc))) from None
        except click.BadParameter as exc:
            exc.message = bounded(exc.message)
            raise
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if ctx.obj and ctx.obj.get("verbose", 0) > 0:
                raise
            message = _ordinary(exc)
            if message is not None:
                raise click.ClickException(bounded(message)) from None
            # a bug, not bad input: say so plainly
            raise click.ClickException(bounded(
                f"internal error ({type(exc).__name__}: {exc}); run with -v for the traceback "
                "and please report it")) from None

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Run the command line with signals, warnings and closed streams handled (see the module)."""
        with _streams_held(), _warnings_logged(), _stop_on_signals():
            try:
                return super().main(*args, **kwargs)
            except _Stopped as stop:
                from supplynet.io.write import remove_temporaries

                remove_temporaries()
                _die_by(stop.signum)


def _resolve_format(cmd: click.Command) -> None:
    """Make a command with ``--format`` (:class:`~supplynet.cli.options.FormatOption`) and ``-o``
    receive the format that :func:`supplynet.cli.outputs.output_format` resolves."""
    from supplynet.cli.options import FormatOption

    fmt = next((p for p in cmd.params if isinstance(p, FormatOption)), None)
    if fmt is None or cmd.callback is None or getattr(cmd.callback, "_formats_resolved", False):
        return
    choices = tuple(fmt.type.choices)  # type: ignore[attr-defined]
    has_output = any(p.name == "output" for p in cmd.params)
    callback = cmd.callback

    @functools.wraps(callback)
    def resolved(*args: Any, **kwargs: Any) -> Any:
        output = kwargs.get("output") if has_output else None
        refuse_inputs(output, [kwargs.get("network"), kwargs.get("edges")])  # the clearer message first
        kwargs["fmt"] = output_format(output, kwargs.get("fmt"), choices)
        return callback(*args, **kwargs)

    resolved._formats_resolved = True  # type: ignore[attr-defined]
    cmd.callback = resolved


@contextlib.contextmanager
def _streams_held() -> Iterator[None]:
    """Hold closed fds 0-2 open on /dev/null (note a closed stdout), for the run."""
    held = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            with contextlib.suppress(OSError):
                null = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)
                held.append(fd)
    before = mark_stdout_closed(1 in held or sys.stdout is None)
    try:
        yield
    finally:
        mark_stdout_closed(before)


@contextlib.contextmanager
def _warnings_logged() -> Iterator[None]:
    """Send Python warnings to the debug log, one line without source paths."""
    log = logging.getLogger("supplynet")
    old = warnings.showwarning

    def show(message: Any, category: type[Warning], filename: str, lineno: int, file: Any = None,
             line: Any = None) -> None:
        log.debug("%s: %s", category.__name__, message)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = old


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into :class:`_Stopped` in the main thread, for the run; SIGINT stays
    KeyboardInterrupt. Each waits while several outputs are being renamed into place."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    from supplynet.io.write import defer_signal

    def stop(signum: int, frame: Any) -> None:
        if not defer_signal(signum):  # several outputs being renamed: stop once they all are
            raise _Stopped(signum)

    def interrupt(signum: int, frame: Any) -> None:
        if not defer_signal(signum):  # as SIGINT always does, but never between two renames
            raise KeyboardInterrupt

    old = {}
    handlers = [(sig, stop) for sig in _STOP_SIGNALS]
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        handlers.append((signal.SIGINT, interrupt))
    for sig, handler in handlers:
        with contextlib.suppress(OSError, ValueError):
            old[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _die_by(signum: int) -> None:
    """End the process by ``signum`` with its default action, as if it had not been caught."""
    sys.stderr.flush()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    raise SystemExit(128 + signum)  # pragma: no cover - only if the signal did not end the process


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return bounded(f"{record.levelname.lower()}: {record.getMessage()}")


def _set_level(ctx: click.Context) -> None:
    obj = ctx.find_root().obj
    level = logging.WARNING - 10 * obj.get("verbose", 0) + 10 * obj.get("quiet", 0)
    logging.getLogger("supplynet").setLevel(max(logging.DEBUG, min(level, logging.ERROR)))


def _more_verbose(ctx: click.Context, param: click.Parameter, value: int) -> None:
    if value:
        ctx.find_root().obj["verbose"] += value
        _set_level(ctx)


def _more_quiet(ctx: click.Context, param: click.Parameter, value: int) -> None:
    if value:
        ctx.find_root().obj["quiet"] += value
        _set_level(ctx)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="supplynet")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug); shows tracebacks.")
@click.option("-q", "--quiet", count=True, help="Errors only: no progress, notes or warnings.")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: int) -> None:
    """Analyse supply networks drawn as GeoJSON: where is the pipeline weakest?

    -v and -q may also follow the command name.
    """
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    ctx.obj["quiet"] = quiet
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    root = logging.getLogger("supplynet")
    root.handlers[:] = [handler]
    root.propagate = False
    _set_level(ctx)


main.add_command(validate)
main.add_command(template)
main.add_command(info)
main.add_command(report)
main.add_command(map_command)
main.add_command(plan)
main.add_command(export)
main.add_command(whatif)
main.add_command(uncertainty)
main.add_command(campaign_command)
