"""Options and helpers shared by the commands."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable

import click

from supplynet._errors import OutputError
from supplynet.io.write import write_atomic

__all__ = ["network_argument", "strict_option", "edges_option", "format_option", "output_options", "write_output",
           "read", "timestamp_option", "check_outputs", "endpoint_options", "betweenness_options", "Progress"]


def network_argument(f: Callable[..., Any]) -> Callable[..., Any]:
    """NETWORK: a GeoJSON / GeoPackage / GeoParquet / Shapefile / FlatGeobuf file, or ``-``
    for GeoJSON on stdin; with it, ``--strict`` (:func:`strict_option`)."""
    return strict_option(click.argument("network", metavar="NETWORK", type=str)(f))


def strict_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--strict``: a network that draws any warning is refused (exit 1), as if invalid.

    Read by :func:`read` from the context, so a command only needs the option.
    """

    def remember(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        ctx.ensure_object(dict)
        ctx.obj["strict"] = bool(value) or bool(ctx.obj.get("strict"))
        return value

    return click.option("--strict", is_flag=True, expose_value=False, callback=remember, is_eager=True,
                        help="Refuse the network if it draws any warning (typos, unknown types, swapped "
                             "coordinates ...).")(f)


def edges_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--edges FILE``: the edges in a file of their own (NETWORK then holds the nodes)."""
    return click.option(
        "--edges", "edges", type=click.Path(dir_okay=False), default=None,
        help="Edges in a separate file; NETWORK then holds the nodes.",
    )(f)


def format_option(*choices: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--format`` with the given choices, the first being the default."""
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True,
        help="Output format.",
    )


def output_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``-o/--output PATH`` (stdout when absent) and ``--overwrite``."""
    f = click.option("--overwrite", is_flag=True, help="Replace an existing output file.")(f)
    return click.option(
        "-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
        help="Write to this file instead of standard output.",
    )(f)


def read(network: str, edges: str | None):
    """Return the network of NETWORK (errors reach the group handler as SupplynetError).

    A frozen :class:`~supplynet.network.graph.NetworkGraph`: the commands compile it from
    the columns it was read into, and its nodes and edges are built only for the commands
    that draw them (map, export). ``--strict`` (:func:`strict_option`) refuses warnings.
    """
    import networkx as nx

    from supplynet.network.graph import read_network

    ctx = click.get_current_context(silent=True)
    strict = bool(ctx is not None and (ctx.obj or {}).get("strict"))
    return nx.freeze(read_network(network, edges, strict=strict))


def write_output(text: str | bytes | list[str], output: str | None, *, overwrite: bool,
                 inputs: tuple[str | None, ...] = ()) -> None:
    """Write ``text`` (or its pieces, in order) to ``output`` atomically, or to stdout when
    ``output`` is None."""
    if output is None:
        if isinstance(text, bytes):
            sys.stdout.flush()  # click's get_binary_stream is deprecated (8.5)
            sys.stdout.buffer.write(text)
            sys.stdout.buffer.flush()
        else:
            for piece in [text] if isinstance(text, str) else text:
                click.echo(piece, nl=False)
        return
    for src in inputs:
        if src and src != "-" and os.path.exists(src) and Path(src).resolve() == Path(output).resolve():
            raise OutputError(f"refusing to write over the input file {src}")
    write_atomic(output, text, overwrite=overwrite)


def timestamp_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--timestamp``: add the UTC time of the run (absent otherwise, for byte-identical reruns)."""
    return click.option(
        "--timestamp", is_flag=True,
        help="Record when the output was generated (UTC); without it, reruns are byte-identical.",
    )(f)


def check_outputs(outputs: list[str], *, overwrite: bool, inputs: tuple[str | None, ...] = ()) -> None:
    """Refuse, before any work, outputs that are an input or exist without ``overwrite``."""
    for out in outputs:
        for src in inputs:
            if src and src != "-" and os.path.exists(src) and Path(src).resolve() == Path(out).resolve():
                raise OutputError(f"refusing to write over the input file {src}")
        if not overwrite and os.path.exists(out):
            raise OutputError(f"{out} already exists; pass --overwrite to replace it")


def endpoint_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--sources SEL`` and ``--sinks SEL`` (``type=NAME[,NAME]``, ``id=A,B``, ``country=NAME``)."""
    f = click.option("--sinks", default=None, metavar="SEL",
                     help="Sink selector, e.g. type=assembly or id=a,b [default: type=assembly].")(f)
    return click.option("--sources", default=None, metavar="SEL",
                        help="Source selector, e.g. type=manufacturing or id=a,b [default: type=manufacturing].")(f)


def betweenness_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--betweenness-k K`` and ``--seed N``: how all-pairs betweenness is sampled."""
    f = click.option("--seed", type=int, default=0, show_default=True, help="Seed of the betweenness sample.")(f)
    return click.option(
        "--betweenness-k", type=click.IntRange(1), default=None,
        help="Estimate betweenness from this many sampled sources (default: exact on networks up to "
             "the exact limit, sampled above it).",
    )(f)


class Progress:
    """A progress bar on stderr for long loops, silent when stderr is not a terminal.

    Called as ``progress(done, total)``. A call whose ``done`` goes back (a new phase of the
    work, counted from 0 again) closes the bar and starts the next one, numbered.
    """

    def __init__(self, label: str, stream: Any = None) -> None:
        self.label = label
        self._stream = stream  # default: stderr, looked up when the bar starts
        self._bar: Any = None
        self._done = 0
        self._phase = 0

    def __call__(self, done: int, total: int) -> None:
        if self._bar is not None and done < self._done:
            self.close()
        if self._bar is None:
            stream = self._stream or sys.stderr
            if done >= total or total < 200 or not stream.isatty():
                return
            self._phase += 1
            label = self.label if self._phase == 1 else f"{self.label} ({self._phase})"
            self._bar = click.progressbar(length=total, label=label, file=stream)
            self._bar.__enter__()
            self._done = 0
        self._bar.update(done - self._done)
        self._done = done
        if done >= total:
            self.close()

    def close(self) -> None:
        """Finish the bar on screen (safe to call twice)."""
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
        self._done = 0
