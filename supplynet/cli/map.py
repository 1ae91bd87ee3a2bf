"""``supplynet map``: one offline HTML map of the network, its cuts and its weak points."""

from __future__ import annotations

from pathlib import Path

import click

from supplynet._errors import OutputError
from supplynet.cli.options import (STDOUT, busy, edges_option, endpoint_options, network_argument, note, phases,
                                   pick_scenario, plan_outputs, read_shown, samples_options, write_output)
from supplynet.cli.outputs import refuse_inputs

__all__ = ["map_command"]

_DEFAULT_DIR = Path("maps")
#: Suffixes a map may have (any other known suffix names something a map is not).
_MAP_SUFFIXES = (".html", ".htm")


@click.command("map")
@network_argument
@edges_option
@endpoint_options
@click.option("-o", "--output", type=str, default=None, metavar="PATH",
              help="Write the map here (- for standard output) [default: maps/<NETWORK file name>.html].")
@click.option("--remove", multiple=True, metavar="ID",
              help="Remove this node or edge (repeat for more): what-if, drawn greyed out.")
@click.option("--scenario", "scenario_file", type=click.Path(exists=True, dir_okay=False), default=None,
              metavar="FILE", help="Draw a scenario of this YAML scenario file (docs/scenarios.md).")
@click.option("--name", default=None, metavar="S",
              help="Which scenario of --scenario FILE to draw (needed when it holds several).")
@click.option("--plan-budget", type=click.FloatRange(0), default=None, metavar="B",
              help="Draw the interdiction plan of this budget on a layer of its own.")
@click.option("--plan-method", type=click.Choice(["optimal", "greedy", "centrality"]), default="optimal",
              show_default=True, help="How --plan-budget chooses the plan.")
@click.option("--plan-targets", type=click.Choice(["nodes", "edges", "both"]), default="both",
              show_default=True, help="What the plan may interdict.")
@click.option("--plan-after-whatif", is_flag=True,
              help="Make the --plan-budget plan for the network after the what-if (--remove or --scenario): "
                   "where to strike next, given what is already struck [default: the intact network].")
@samples_options("each popup gives the expected flow loss, the probability of lying in a min cut and the rank "
                 "in what to collect next")
@click.option("--top", type=click.IntRange(0), default=10, show_default=True,
              help="How many interdiction points to number.")
@click.option("--online", is_flag=True,
              help="Add an OpenStreetMap tile layer (fetched from the internet when shown).")
@click.option("--overwrite", is_flag=True, help="Replace an existing output file.")
def map_command(network: str, edges: str | None, sources: str | None, sinks: str | None,
                output: str | None, remove: tuple[str, ...], scenario_file: str | None, name: str | None,
                plan_budget: float | None, plan_method: str, plan_targets: str, plan_after_whatif: bool,
                samples: int | None, sample_seed: int, top: int, online: bool, overwrite: bool) -> None:
    """Write an HTML map of NETWORK that works offline: cuts, top interdiction points, what-if, plan."""
    if name is not None and scenario_file is None:
        raise click.BadParameter("--name picks a scenario of --scenario FILE; give the file", param_hint="--name")
    from dataclasses import replace

    from supplynet.maps.render import analyse_for_map, render_map

    inputs = (network, edges, scenario_file)
    path = output or str(_default_output(network))
    if path != STDOUT:
        refuse_inputs(path, inputs)
        _check_suffix(path)
        if output is not None or _DEFAULT_DIR.is_dir():  # a missing default folder is made at the end
            plan_outputs([path], overwrite=overwrite, inputs=inputs)  # before the work: a map can take a minute
    bars = phases()
    try:
        G = read_shown(bars, network, edges)
        scenario = pick_scenario(G, scenario_file, name) if scenario_file else None
        with busy(bars, "analysing", G):
            results = analyse_for_map(G, sources, sinks, remove=remove, top=top, scenario=scenario)
        if plan_budget is not None:
            from supplynet.analysis.plan import compare_methods
            from supplynet.maps.render import whatif_snapshot

            network_planned = (whatif_snapshot(G, sources, sinks, remove=remove, scenario=scenario)
                               if plan_after_whatif else G)
            with bars.step(f"planning ({plan_method}, budget {plan_budget:g})", show=False):
                comp = compare_methods(network_planned, sources, sinks, budget=plan_budget,
                                       methods=(plan_method,), targets=plan_targets, progress=bars)
            results = replace(results, plan=comp.plans[plan_method], plan_curve=comp.curve,
                              plan_after_whatif=plan_after_whatif)
        if samples is not None:
            from supplynet.analysis.uncertainty import evaluate_uncertainty
            from supplynet.maps.render import whatif_snapshot, uncertainty_note

            drawn = whatif_snapshot(G, sources, sinks, remove=remove, scenario=scenario) if remove or scenario else G
            unc = evaluate_uncertainty(drawn, sources, sinks, samples=samples, seed=sample_seed, progress=bars)
            results = replace(results, uncertainty=unc, notes=[*results.notes, uncertainty_note(unc)])
        html = render_map(G, results, online=online, progress=bars)
    finally:
        bars.close()
    if path != STDOUT and output is None:
        _DEFAULT_DIR.mkdir(exist_ok=True)  # only the default folder is made, and only now
    write_output(html, path, overwrite=overwrite, inputs=inputs)
    if path != STDOUT:
        note(f"wrote {path}")


def _check_suffix(path: str) -> None:
    """Refuse a map file named as something else (``-o map.json``); any other name is fine."""
    from supplynet.cli.outputs import FORMAT_SUFFIXES

    suffix = Path(path).suffix.lower()
    if suffix not in _MAP_SUFFIXES and (suffix in FORMAT_SUFFIXES or suffix in (".svg", ".png", ".geojson", ".gpkg")):
        raise click.BadParameter(f"{path}: a map is an HTML page; give a file ending in .html",
                                 param_hint="-o/--output")


def _default_output(network: str) -> Path:
    """Return ``maps/<stem>.html``; ``maps`` must be a folder or not exist yet (it is made at the end)."""
    stem = "stdin" if network == "-" else Path(network).stem
    if _DEFAULT_DIR.exists() and not _DEFAULT_DIR.is_dir():
        raise OutputError(f"cannot write the map to {_DEFAULT_DIR / (stem + '.html')}: {_DEFAULT_DIR} is a file, "
                          "not a folder; give -o PATH")
    return _DEFAULT_DIR / f"{stem}.html"
