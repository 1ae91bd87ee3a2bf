"""``supplynet uncertainty``: what does the network deliver when its links may not exist?

The command parses, calls :func:`supplynet.analysis.uncertainty.evaluate_uncertainty` once
and writes what :mod:`supplynet.render.uncertainty` makes of it. :func:`sampling_options`
are the options it shares with ``supplynet plan --samples``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from supplynet.cli.options import (edges_option, endpoint_options, format_option, full_option, network_argument,
                                   output_options, phases, plan_outputs, read, write_output)

__all__ = ["uncertainty", "sampling_options"]

#: The library's limits, repeated here so that the command line stays quick to start
#: (tests/test_uncertainty_cli.py checks they agree).
MAX_SAMPLES = 1_000_000
MAX_PLAN_SAMPLES = 10_000


def sampling_options(most: int, default: int | None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--samples``, ``--seed``, ``--p-success``, ``--workers`` and ``--scheduler``."""

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        f = click.option("--scheduler", default=None, metavar="ADDRESS",
                         help="Run the scenarios on this Dask distributed scheduler (e.g. tcp://10.0.0.5:8786); "
                              "needs supplynet[distributed].")(f)
        f = click.option("--workers", type=click.IntRange(1), default=None, metavar="N",
                         help="Threads on this machine [default: every core].")(f)
        f = click.option("--p-success", type=click.FloatRange(0, 1), default=1.0, show_default=True, metavar="P",
                         help="Probability that a strike works, where an element has no p_success.")(f)
        f = click.option("--seed", type=click.IntRange(0), default=0, show_default=True, metavar="S",
                         help="Seed of the scenario draws (scenario s depends on the seed and s only).")(f)
        return click.option("--samples", type=click.IntRange(1, most), default=default, show_default=default is not None,
                            metavar="N", help=f"Scenarios to draw (at most {most:,}); every outcome instead when "
                                              "few elements are uncertain.")(f)

    return decorate


@click.command("uncertainty")
@network_argument
@edges_option
@sampling_options(MAX_SAMPLES, 1000)
@click.option("--method", type=click.Choice(["auto", "exact", "monte-carlo"]), default="auto", show_default=True,
              help="auto: every outcome with at most 16 uncertain elements, sampled above.")
@click.option("--losses", type=click.Choice(["all", "uncertain", "none"]), default="all", show_default=True,
              help="Whose expected flow loss to measure (the collection ranking needs the uncertain ones).")
@endpoint_options
@click.option("--top", type=click.IntRange(0), default=10, show_default=True,
              help="How many elements each ranking lists in text and Markdown.")
@format_option("text", "markdown", "json", "csv")
@full_option
@output_options
def uncertainty(network: str, edges: str | None, samples: int, seed: int, p_success: float, workers: int | None,
                scheduler: str | None, method: str, losses: str, sources: str | None, sinks: str | None, top: int,
                fmt: str, full: bool, output: str | None, overwrite: bool) -> None:
    """What NETWORK delivers when each element exists only with its confidence.

    The expected max flow, its 10th, 50th and 90th percentiles and the chance that any
    flow gets through; per node and edge the expected flow loss and the chance it lies in
    a minimum cut; and what to collect next: the uncertain elements whose existence,
    known for sure, would move the expected max flow most.
    """
    from supplynet.analysis.uncertainty import evaluate_uncertainty
    from supplynet.render.uncertainty import format_uncertainty

    inputs = (network, edges)
    plan_outputs([output], overwrite=overwrite, inputs=inputs)  # refuse before the work, not after it
    bars = phases()
    try:
        G = read(network, edges)
        rep = evaluate_uncertainty(G, sources, sinks, samples=samples, seed=seed, method=method, p_success=p_success,
                                   losses=losses, workers=workers, scheduler=scheduler, progress=bars)
    finally:
        bars.close()
    write_output(format_uncertainty(rep, fmt, top=top, full=full), output, overwrite=overwrite, inputs=inputs)
