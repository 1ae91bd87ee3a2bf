"""``supplynet report``: where is this pipeline weakest?

NETWORK ``-`` reads GeoJSON from stdin; the report goes to stdout unless ``-o``, which
refuses to replace a file without ``--overwrite`` and writes atomically.
"""

from __future__ import annotations

import click

from supplynet.cli.options import (Progress, betweenness_options, check_outputs, edges_option, endpoint_options,
                                   format_option, network_argument, output_options, read, timestamp_option,
                                   write_output)

__all__ = ["report"]


@click.command()
@network_argument
@edges_option
@endpoint_options
@click.option("--top", type=click.IntRange(0), default=10, show_default=True,
              help="How many interdiction points to rank.")
@betweenness_options
@format_option("text", "markdown", "json", "csv")
@output_options
@timestamp_option
def report(network: str, edges: str | None, sources: str | None, sinks: str | None, top: int,
           betweenness_k: int | None, seed: int, fmt: str, output: str | None, overwrite: bool,
           timestamp: bool) -> None:
    """Report NETWORK's max flow, min edge and node cuts, centralities and top interdiction points.

    NETWORK may be - for GeoJSON on standard input. The same command on the same input
    gives byte-identical output; --timestamp adds the time of the run.
    """
    from supplynet.analysis.report import analyse
    from supplynet.io.write import utc_timestamp
    from supplynet.render.report import report_pieces

    if output:  # refuse before the analysis, not after it
        check_outputs([output], overwrite=overwrite, inputs=(network, edges))
    G = read(network, edges)
    bar = Progress("analysing")
    try:
        result = analyse(G, sources, sinks, top=top, betweenness_k=betweenness_k, seed=seed, progress=bar)
    finally:
        bar.close()
    if timestamp:
        result.generated_at = utc_timestamp()
    write_output(report_pieces(result, fmt), output, overwrite=overwrite, inputs=(network, edges))
