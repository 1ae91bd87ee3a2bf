"""``supplynet report``: where is this pipeline weakest?

NETWORK ``-`` reads GeoJSON from stdin; the report goes to stdout unless ``-o``, which
refuses to replace a file without ``--overwrite`` and writes atomically.
"""

from __future__ import annotations

import click

from supplynet.cli.options import (Progress, check_outputs, edges_option, endpoint_options, format_option, network_argument,
                      output_options, read, timestamp_option, write_output)

__all__ = ["report"]


@click.command()
@network_argument
@edges_option
@endpoint_options
@click.option("--top", type=click.IntRange(0), default=10, show_default=True,
              help="How many interdiction points to rank.")
@click.option("--betweenness-k", type=click.IntRange(1), default=None,
              help="Estimate betweenness from this many sampled sources (default: exact on networks "
                   "up to the exact limit, sampled above it).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the betweenness sample.")
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
    from supplynet.render.report import json_chunks
    from supplynet.io.write import utc_timestamp
    from supplynet.analysis.report import analyse, format_report

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
    text = json_chunks(result) if fmt == "json" else format_report(result, fmt)  # JSON: 100 MB at 100k
    write_output(text, output, overwrite=overwrite, inputs=(network, edges))
