"""``supplynet report``: where is this pipeline weakest?

NETWORK ``-`` reads GeoJSON from stdin; the report goes to stdout unless ``-o``, which
refuses to replace a file without ``--overwrite`` and writes atomically.
"""

from __future__ import annotations

import click

from supplynet.cli.options import (betweenness_options, edges_option, endpoint_options, format_option, full_option,
                                   network_argument, output_options, phases, plan_outputs, read_shown,
                                   timestamp_option, write_output)

__all__ = ["report"]


@click.command()
@network_argument
@edges_option
@endpoint_options
@click.option("--top", type=click.IntRange(0), default=10, show_default=True,
              help="How many interdiction points to rank.")
@betweenness_options
@format_option("text", "markdown", "json", "csv")
@click.option("--table", type=click.Choice(["nodes", "edges", "points", "provenance"]), default=None,
              help="CSV: which table to write, one per file [default: nodes].")
@full_option
@output_options
@timestamp_option
def report(network: str, edges: str | None, sources: str | None, sinks: str | None, top: int,
           betweenness_k: int | str | None, supply_k: int | str | None, seed: int, fmt: str, table: str | None, full: bool, output: str | None,
           overwrite: bool, timestamp: bool) -> None:
    """Report NETWORK's max flow, min edge and node cuts, centralities and top interdiction points.

    NETWORK may be - for GeoJSON on standard input. The same command on the same input
    gives byte-identical output; --timestamp adds the time of the run. CSV holds one
    table (--table nodes, edges, points or provenance); JSON holds them all.
    """
    from supplynet.analysis.report import analyse
    from supplynet.io.write import utc_timestamp
    from supplynet.render.report import report_pieces

    if table is not None and fmt != "csv":
        raise click.BadParameter(f"--table chooses the CSV table; the format is {fmt}", param_hint="--table")
    plan_outputs([output], overwrite=overwrite, inputs=(network, edges))  # refuse before the analysis
    bars = phases()
    try:
        G = read_shown(bars, network, edges)
        result = analyse(G, sources, sinks, top=top, betweenness_k=betweenness_k, supply_k=supply_k, seed=seed,
                         progress=bars)
    finally:
        bars.close()
    if timestamp:
        result.generated_at = utc_timestamp()
    write_output(report_pieces(result, fmt, full=full, table=table or "nodes"), output, overwrite=overwrite,
                 inputs=(network, edges))
