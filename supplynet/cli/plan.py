"""``supplynet plan``: with the means for a budget, which set of strikes cuts the most?

The command parses, calls :func:`supplynet.analysis.plan.compare_methods` once and writes
what :mod:`supplynet.render.plan` makes of the result.
"""

from __future__ import annotations

import click

from supplynet.cli.options import (check_outputs, edges_option, endpoint_options, format_option, network_argument,
                                   output_options, read, write_output)

__all__ = ["plan"]


@click.command()
@network_argument
@edges_option
@click.option("--budget", type=click.FloatRange(min=0), required=True,
              help="Most total interdiction cost the plan may spend.")
@click.option("--method", type=click.Choice(["optimal", "greedy", "centrality", "all"]), default="optimal",
              show_default=True, help="Planning method; 'all' runs the three side by side.")
@click.option("--targets", type=click.Choice(["both", "nodes", "edges"]), default="both", show_default=True,
              help="What may be interdicted.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              metavar="S", help="Seconds for the MILP of each plan (each budget step); on expiry the "
                                "best plan found and its gap.")
@click.option("--objective", type=click.Choice(["flow", "flow-days"]), default="flow", show_default=True,
              help="Minimise the max flow left, or maximise flow-days denied over --horizon.")
@click.option("--horizon", type=click.FloatRange(min=0, min_open=True), default=None, metavar="DAYS",
              help="Days over which flow-days are counted (with --objective flow-days).")
@endpoint_options
@click.option("--curve/--no-curve", default=True, show_default=True,
              help="Solve every whole budget from 0 to --budget for the curve.")
@click.option("--chart", type=click.Path(dir_okay=False, writable=True), default=None, metavar="PATH.svg",
              help="Also write the curve as an SVG chart.")
@format_option("text", "markdown", "json", "csv")
@output_options
def plan(network: str, edges: str | None, budget: float, method: str, targets: str, time_limit: float,
         objective: str, horizon: float | None, sources: str | None, sinks: str | None, curve: bool,
         chart: str | None, fmt: str, output: str | None, overwrite: bool) -> None:
    """Plan interdiction of NETWORK within --budget: the set that cuts the most flow."""
    from supplynet.analysis.plan import METHODS, compare_methods
    from supplynet.render.plan import format_plan, network_meta, plan_chart

    if objective == "flow-days" and horizon is None:
        raise click.BadParameter("--objective flow-days needs --horizon DAYS", param_hint="--horizon")
    if chart and not curve:
        raise click.BadParameter("--chart draws the curve; drop --no-curve", param_hint="--chart")
    inputs = (network, edges)
    check_outputs([p for p in (output, chart) if p], overwrite=overwrite, inputs=inputs)  # before the solve
    G = read(network, edges)
    comp = compare_methods(G, sources, sinks, budget=budget, targets=targets, time_limit=time_limit,
                           methods=METHODS if method == "all" else (method,), objective=objective,
                           horizon=horizon, curve=curve)
    meta = network_meta(G)
    if chart:
        write_output(plan_chart(comp, meta), chart, overwrite=overwrite, inputs=inputs)
    params = {"method": method, "time_limit": time_limit, "curve": curve}
    write_output(format_plan(comp, fmt, network=meta, chart=chart, parameters=params), output,
                 overwrite=overwrite, inputs=inputs)
