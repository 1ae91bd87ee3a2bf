"""``supplynet plan``: with the means for a budget, which set of strikes cuts the most?

The command parses, calls :func:`supplynet.analysis.plan.compare_methods` once and writes
what :mod:`supplynet.render.plan` makes of the result.
"""

from __future__ import annotations

import click

from supplynet.cli.options import (Progress, check_suffix, edges_option, endpoint_options, format_option, full_option,
                                   network_argument, output_options, phases, pick_scenario, plan_outputs, read,
                                   read_shown,
                                   write_output, write_outputs)
from supplynet.cli.uncertainty import MAX_PLAN_SAMPLES, sampling_options

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
@click.option("--remove", multiple=True, metavar="ID",
              help="Plan for the network after removing this node or edge, or what a selector picks "
                   "(repeat for more): where to strike next, given what is already struck.")
@click.option("--scenario", "scenario_file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Plan for the network after a scenario of this YAML file (docs/scenarios.md).")
@click.option("--name", "scenario_name", default=None, metavar="S",
              help="Which scenario of --scenario FILE (needed when it holds several).")
@click.option("--curve/--no-curve", default=True, show_default=True,
              help="Solve every whole budget from 0 to --budget for the curve.")
@click.option("--chart", type=str, default=None, metavar="PATH.svg|PATH.png",
              help="Also write the curve as a chart: SVG or PNG, by the suffix.")
@sampling_options(MAX_PLAN_SAMPLES, None)
@click.option("--evaluation-samples", type=click.IntRange(1, 1_000_000), default=10_000, show_default=True,
              metavar="M", help="With --samples: the fresh scenarios every plan is measured on.")
@format_option("text", "markdown", "json", "csv")
@full_option
@output_options
def plan(network: str, edges: str | None, budget: float, method: str, targets: str, time_limit: float,
         objective: str, horizon: float | None, sources: str | None, sinks: str | None, remove: tuple[str, ...],
         scenario_file: str | None, scenario_name: str | None, curve: bool,
         chart: str | None, samples: int | None, seed: int, p_success: float, workers: int | None,
         scheduler: str | None, evaluation_samples: int, fmt: str, full: bool, output: str | None,
         overwrite: bool) -> None:
    """Plan interdiction of NETWORK within --budget: the set that cuts the most flow.

    With --samples N, plan under uncertain intelligence (confidence, p_success): the
    stochastic plan of least expected max flow left, beside the deterministic one, each
    measured on a fresh sample (docs/uncertainty.md). With --remove or --scenario, plan for
    the network after that what-if: where to strike next, given what is already struck.
    """
    from supplynet.analysis.plan import METHODS, compare_methods
    from supplynet.render.chart import CHART_KINDS
    from supplynet.render.plan import format_plan, network_meta, plan_chart

    kind = check_suffix(chart, CHART_KINDS, option="--chart") if chart else None
    if objective == "flow-days" and horizon is None:
        raise click.BadParameter("--objective flow-days needs --horizon DAYS", param_hint="--horizon")
    if chart and not curve:
        raise click.BadParameter("--chart draws the curve; drop --no-curve", param_hint="--chart")
    if scenario_name is not None and scenario_file is None:
        raise click.BadParameter("--name picks a scenario of --scenario FILE; give the file", param_hint="--name")
    if remove and scenario_file:
        raise click.UsageError("give either --remove ID ... or --scenario FILE (not both)")
    if samples is not None:
        if remove or scenario_file:
            raise click.BadParameter("--samples plans for the intact network; drop --remove / --scenario",
                                     param_hint="--samples")
        if objective != "flow":
            raise click.BadParameter("--samples plans for the expected max flow; drop --objective flow-days",
                                     param_hint="--samples")
        if chart:
            raise click.BadParameter("--samples draws no curve; drop --chart", param_hint="--chart")
        return _plan_uncertain(network, edges, budget, method, targets, time_limit, sources, sinks, samples, seed,
                               p_success, workers, scheduler, evaluation_samples, fmt, output, overwrite, full)
    inputs = (network, edges, scenario_file)
    plan_outputs([output, chart], overwrite=overwrite, inputs=inputs)  # both, before the solve
    bars = phases()
    after = None
    try:
        G = read_shown(bars, network, edges)
        planned = G
        if remove or scenario_file:  # the network after the what-if, as `supplynet whatif` makes it
            from supplynet.analysis.whatif import WhatIf
            from supplynet.network.scenarios import make_scenario

            if scenario_file:
                scenario = pick_scenario(G, scenario_file, scenario_name)
                after = {"scenario": scenario.name, "file": scenario_file}
            else:
                scenario = make_scenario(G, "remove " + " ".join(remove), remove=list(remove))
                after = {"remove": list(remove)}
            planned = WhatIf(G, sources, sinks).after(scenario)
        comp = compare_methods(planned, sources, sinks, budget=budget, targets=targets, time_limit=time_limit,
                               methods=METHODS if method == "all" else (method,), objective=objective,
                               horizon=horizon, curve=curve, progress=bars)
    finally:
        bars.close()
    meta = network_meta(G)
    params = {"method": method, "time_limit": time_limit, "curve": curve}
    if after is not None:
        params["after_whatif"] = after
    items: list = [(output, format_plan(comp, fmt, network=meta, chart=chart, parameters=params, full=full))]
    if chart:  # the chart and the plan appear together or not at all
        items.insert(0, (chart, plan_chart(comp, meta, kind=kind or "svg")))
    write_outputs(items, overwrite=overwrite, inputs=inputs)


def _plan_uncertain(network: str, edges: str | None, budget: float, method: str, targets: str, time_limit: float,
                    sources: str | None, sinks: str | None, samples: int, seed: int, p_success: float,
                    workers: int | None, scheduler: str | None, evaluation_samples: int, fmt: str,
                    output: str | None, overwrite: bool, full: bool = False) -> None:
    """``plan --samples``: the stochastic plan beside the deterministic one, measured on a fresh sample."""
    from supplynet.analysis.plan import METHODS, compare_methods
    from supplynet.render.plan import format_plan, network_meta

    inputs = (network, edges)
    plan_outputs([output], overwrite=overwrite, inputs=inputs)
    G = read(network, edges)
    bar = Progress("scenarios")
    try:
        comp = compare_methods(G, sources, sinks, budget=budget, targets=targets, time_limit=time_limit,
                               methods=METHODS if method == "all" else (method,), curve=False, samples=samples,
                               seed=seed, p_success=p_success, evaluation_samples=evaluation_samples,
                               workers=workers, scheduler=scheduler, progress=bar)
    finally:
        bar.close()
    params = {"method": method, "time_limit": time_limit, "samples": samples, "seed": seed, "p_success": p_success,
              "evaluation_samples": evaluation_samples}
    write_output(format_plan(comp, fmt, network=network_meta(G), parameters=params, full=full), output,
                 overwrite=overwrite, inputs=inputs)
