"""``supplynet validate``: check a network file and list every problem."""

from __future__ import annotations

import click

from supplynet.cli.options import edges_option, network_argument

__all__ = ["validate"]


@click.command()
@network_argument
@edges_option
def validate(network: str, edges: str | None) -> None:
    """Check NETWORK against the schema: exit 0 when valid, 1 listing every problem."""
    from supplynet.network.graph import load_network

    report, G = load_network(network, edges)
    source = report.meta.get("source") or network
    for msg in report.warnings:
        click.echo(f"warning: {msg}", err=True)
    if G is None:
        count = len(report.problems)
        lines = [f"{source}: invalid, {count} problem{'s' if count != 1 else ''}:"]
        lines += [f"  - {p}" for p in report.problems]
        click.echo("\n".join(lines), err=True)
        raise SystemExit(1)
    warn = f", {len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}" if report.warnings else ""
    click.echo(f"{source}: valid, {G.number_of_nodes()} nodes and {G.number_of_edges()} edges{warn}")
