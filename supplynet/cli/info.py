"""``supplynet info``: the network at a glance."""

from __future__ import annotations

import click

from supplynet.cli.options import edges_option, format_option, network_argument, read

__all__ = ["info"]


@click.command()
@network_argument
@edges_option
@format_option("text", "json")
def info(network: str, edges: str | None, fmt: str) -> None:
    """Print NETWORK's nodes and edges by type and mode, countries, extent and connectivity."""
    from supplynet.analysis.summary import network_summary
    from supplynet.render.summary import format_summary

    click.echo(format_summary(network_summary(read(network, edges)), fmt), nl=False)
