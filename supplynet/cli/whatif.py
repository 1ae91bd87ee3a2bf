"""``supplynet whatif``: what is left of the pipeline after these strikes, side by side?"""

from __future__ import annotations

import click

from supplynet.cli.options import (edges_option, endpoint_options, format_option, full_option,
                                   network_argument, output_options, phases, plan_outputs, read_shown, write_output)

__all__ = ["whatif"]


@click.command("whatif")
@network_argument
@edges_option
@click.option("--remove", multiple=True, metavar="ID",
              help="Remove this node or edge, or what a selector picks (type=, country=, mode=, "
                   "bbox=W,S,E,N, near=LON,LAT,KM); repeat for more. One scenario.")
@click.option("--scenario", "scenario_file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="A YAML scenario file (docs/scenarios.md): its scenarios side by side.")
@click.option("--name", "names", multiple=True, metavar="S",
              help="Only the scenario named S from --scenario FILE (repeat for more).")
@endpoint_options
@click.option("--horizon", type=click.FloatRange(0, min_open=False), default=None, metavar="DAYS",
              help="Count flow-days denied over this many days [default: until all is repaired].")
@click.option("--top", type=click.IntRange(0), default=5, show_default=True,
              help="How many nodes carrying the most flow to list per scenario.")
@format_option("text", "markdown", "json", "csv")
@full_option
@output_options
def whatif(network: str, edges: str | None, remove: tuple[str, ...], scenario_file: str | None,
           names: tuple[str, ...], sources: str | None, sinks: str | None, horizon: float | None, top: int,
           fmt: str, full: bool, output: str | None, overwrite: bool) -> None:
    """Remove or degrade pieces of NETWORK and compare max flow, cut-off sinks, detours and flow-days."""
    if bool(remove) == bool(scenario_file):
        raise click.UsageError("give either --remove ID ... or --scenario FILE (not both)")
    if names and not scenario_file:
        raise click.UsageError("--name picks scenarios from --scenario FILE")
    from supplynet.render.whatif import format_whatif
    from supplynet.network.scenarios import load_scenarios, pick_scenarios
    from supplynet.analysis.whatif import WhatIf

    inputs = (network, edges, scenario_file)
    plan_outputs([output], overwrite=overwrite, inputs=inputs)  # refuse before the work
    bars = phases()
    try:
        G = read_shown(bars, network, edges)
        if scenario_file:
            scenarios = pick_scenarios(load_scenarios(scenario_file, G), names, scenario_file)
        else:
            from supplynet.network.scenarios import make_scenario

            scenarios = [make_scenario(G, "remove " + " ".join(remove), remove=list(remove))]
        w = WhatIf(G, sources, sinks, top=top, horizon=horizon)
        tick = bars.phase("what-if", "scenarios")
        impacts = []
        for k, s in enumerate(scenarios):
            tick(k, len(scenarios))
            impacts.append(w.evaluate(s))
        tick(len(impacts), len(impacts))
    finally:
        bars.close()
    write_output(format_whatif(w, impacts, fmt, full=full), output, overwrite=overwrite, inputs=inputs)

