"""``supplynet validate``: check a network file and list every problem."""

from __future__ import annotations

import click

from supplynet.cli.options import edges_option, network_argument

__all__ = ["validate"]


@click.command()
@network_argument
@edges_option
@click.pass_context
def validate(ctx: click.Context, network: str, edges: str | None) -> None:
    """Check NETWORK against the schema: exit 0 when valid, 1 listing every problem.

    Warnings (a property name close to a known one, an unknown node type, no source or no
    sink, coordinates that look swapped ...) go to stderr, one line per kind; --strict
    makes them problems.
    """
    from supplynet.network.graph import load_network
    from supplynet.render.validation import verdict, warning_lines

    strict = bool((ctx.obj or {}).get("strict"))
    report, G = load_network(network, edges, strict=strict)
    if not strict:
        for line in warning_lines(report):
            click.echo(line, err=True)
    click.echo(verdict(report, report.meta.get("source") or network, G), err=G is None)
    if G is None:
        raise SystemExit(1)
