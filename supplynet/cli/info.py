"""``supplynet info``: the network at a glance."""

from __future__ import annotations

import click

from supplynet.cli.options import (edges_option, format_option, full_option, network_argument, output_options,
                                   phases, plan_outputs, read_shown, write_output)

__all__ = ["info"]


@click.command()
@network_argument
@edges_option
@format_option("text", "json")
@full_option
@output_options
def info(network: str, edges: str | None, fmt: str, full: bool, output: str | None, overwrite: bool) -> None:
    """Print NETWORK's nodes and edges by type and mode, countries, extent and connectivity."""
    from supplynet.analysis.summary import network_summary
    from supplynet.render.summary import format_summary

    plan_outputs([output], overwrite=overwrite, inputs=(network, edges))
    bars = phases()
    try:
        summary = network_summary(read_shown(bars, network, edges))
    finally:
        bars.close()
    write_output(format_summary(summary, fmt, full=full), output, overwrite=overwrite, inputs=(network, edges))
