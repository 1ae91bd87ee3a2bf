"""Options and helpers shared by the commands: the options, reading, picking a scenario.

Outputs (checks, formats by suffix, atomic writes, stdout) live in
:mod:`supplynet.cli.outputs` and progress bars in :mod:`supplynet.cli.progress`; the names
the commands use are re-exported here.
"""

from __future__ import annotations

import os
from typing import Any, Callable

import click

from supplynet.cli.outputs import (STDOUT, check_outputs, check_suffix, note, output_format, plan_outputs, quiet,
                                   write_output, write_outputs)
from supplynet.cli.progress import Bars

__all__ = ["network_argument", "strict_option", "edges_option", "format_option", "output_options", "write_output",
           "write_outputs", "read", "timestamp_option", "check_outputs", "plan_outputs", "output_format",
           "check_suffix", "endpoint_options", "SampleSize", "betweenness_options", "samples_options", "full_option", "FormatOption", "pick_scenario",
           "phases", "read_shown", "busy", "note", "STDOUT", "Bars", "Progress"]



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


class FormatOption(click.Option):
    """The ``--format`` of :func:`format_option`: the command group resolves it against ``-o``.

    A command with this option and ``-o`` gets ``fmt`` already resolved by
    :func:`supplynet.cli.outputs.output_format` (the suffix of ``-o`` when ``--format`` is
    absent; a contradiction refused), whatever the command.
    """


def format_option(*choices: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--format`` with the given choices; absent, the suffix of ``-o`` decides, else the first."""
    return click.option(
        "--format", "fmt", cls=FormatOption, type=click.Choice(choices), default=None,
        help=f"Output format [default: from the suffix of -o (.txt, .md, .json, .csv), else {choices[0]}].",
    )


def output_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``-o/--output PATH`` (stdout when absent or ``-``) and ``--overwrite``."""
    f = click.option("--overwrite", is_flag=True, help="Replace an existing output file.")(f)
    return click.option(
        "-o", "--output", type=str, default=None, metavar="PATH",
        help="Write to this file (a regular file; - for standard output, the default).",
    )(f)


def full_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--full``: list everything in text and Markdown, not the first few and a count."""
    return click.option(
        "--full", is_flag=True,
        help="Text and Markdown: list every source, sink and element, not the first few and '... and N more'.",
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


def timestamp_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--timestamp``: add the UTC time of the run (absent otherwise, for byte-identical reruns)."""
    return click.option(
        "--timestamp", is_flag=True,
        help="Record when the output was generated (UTC); without it, reruns are byte-identical.",
    )(f)


def endpoint_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--sources SEL`` and ``--sinks SEL`` (``type=NAME[,NAME]``, ``id=A,B``, ``country=NAME``)."""
    f = click.option("--sinks", default=None, metavar="SEL",
                     help="Sink selector, e.g. type=assembly or id=a,b [default: type=assembly].")(f)
    return click.option("--sources", default=None, metavar="SEL",
                        help="Source selector, e.g. type=manufacturing or id=a,b [default: type=manufacturing].")(f)


class SampleSize(click.ParamType):
    """A number of sampled sources (1 or more), or ``all`` for the exact figure."""

    name = "K|all"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | str:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif str(value).strip().lower() == "all":
            return "all"
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self.fail(f"{value!r} is neither a number of sources nor 'all'", param, ctx)
        if number < 1:
            self.fail(f"{number} is not a number of sources (at least 1), nor 'all'", param, ctx)
        return number


def betweenness_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--betweenness-k``, ``--supply-betweenness-k`` (``K`` or ``all``) and ``--seed N``:
    how the two betweenness measures are sampled."""
    f = click.option("--seed", type=int, default=0, show_default=True,
                     help="Seed of the betweenness samples.")(f)
    f = click.option(
        "--supply-betweenness-k", "supply_k", type=SampleSize(), default=None,
        help="Estimate supply betweenness from K sampled sources, or 'all' for the exact figure "
             "(default: exact up to 250 million sources x (nodes + arcs), e.g. 540 sources at 100,000 "
             "road nodes; past that, as many sampled sources as fit in it).",
    )(f)
    return click.option(
        "--betweenness-k", type=SampleSize(), default=None,
        help="Estimate betweenness from K sampled sources, or 'all' for the exact figure (default: "
             "exact on networks up to 20,000 nodes, 500 sampled sources above, fewer past 1,000 million "
             "sources x (nodes + arcs): 217 at a million nodes).",
    )(f)


def samples_options(adds: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--samples N`` and ``--sample-seed S``: also evaluate uncertain intelligence (the
    evaluation of ``supplynet uncertainty``) for a command's output; ``adds`` says what it adds."""

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        f = click.option("--sample-seed", type=click.IntRange(0), default=0, show_default=True, metavar="S",
                         help="Seed of the --samples draws.")(f)
        return click.option("--samples", type=click.IntRange(1, 100_000), default=None, metavar="N",
                            help="Also evaluate uncertain intelligence (confidence) over N scenarios (every "
                                 f"outcome when few elements are uncertain): {adds} (docs/uncertainty.md).")(f)

    return decorate


#: Inputs from this size on show their "reading" line at once (they take seconds to read).
SHOW_READING_FROM = 10_000_000
#: Networks from this many nodes and edges show a line at once for a phase that cannot count.
SHOW_BUSY_FROM = 20_000


def _input_bytes(*paths: str | None) -> int:
    size = 0
    for path in paths:
        if path and path != STDOUT:
            try:
                size += os.path.getsize(path)
            except OSError:
                pass  # the reader says what is wrong with it
    return size


def read_shown(bars: Bars, network: str, edges: str | None):  # noqa: ANN201  (the reader's graph)
    """Return :func:`read` of NETWORK with its ``reading  123.0 MB ...`` line on ``bars``."""
    size = _input_bytes(network, edges)
    with bars.step("reading", size, "bytes", show=size >= SHOW_READING_FROM):
        return read(network, edges)


def busy(bars: Bars, name: str, G: Any) -> Any:
    """Return the :meth:`Bars.step` of work on ``G`` that reports no progress of its own
    (shown at once on a large network: ``analysing 40,000 nodes, 81,000 edges ...``)."""
    n, m = G.number_of_nodes(), G.number_of_edges()
    return bars.step(f"{name} {n:,} nodes, {m:,} edges", show=n + m >= SHOW_BUSY_FROM)


def phases() -> Bars:
    """Return the progress bars of a command: on stderr when it is a terminal, never with ``-q``."""
    return Bars(enabled=None if not quiet() else False)


def Progress(name: str, unit: str = "") -> Bars:  # noqa: N802 (a type's name, kept for its callers)
    """Return progress bars whose plain ``progress(done, total)`` calls report the phase ``name``.

    Named phases (``.phase(name, unit)``) still get their own names, so it serves work of
    one phase and pipelines alike; ``.close()`` ends the last line.
    """
    return Bars(enabled=None if not quiet() else False, name=name, unit=unit)


def pick_scenario(G: Any, path: str, name: str | None) -> Any:
    """Return the scenario ``name`` of the scenario file ``path`` (its only one when ``name`` is None).

    ``map`` and ``export`` share it, so the same mistake gives the same message and exit
    code, 1 (a :class:`~supplynet.ScenarioError`: what the file holds decides): a file of
    several scenarios without ``--name``, or a name the file lacks
    (:func:`~supplynet.network.scenarios.pick_scenarios`). Either lists the first few names only.
    """
    from supplynet._errors import ScenarioError
    from supplynet.network.scenarios import load_scenarios, pick_scenarios
    from supplynet.numbers import short_list

    scenarios = load_scenarios(path, G)
    if name is not None:
        return pick_scenarios(scenarios, [name], path)[0]
    if len(scenarios) != 1:
        raise ScenarioError(f"{path} holds {len(scenarios):,} scenarios; choose one with --name "
                            f"({short_list([s.name for s in scenarios])})")
    return scenarios[0]
