"""``supplynet map``: one offline HTML map of the network, its cuts and its weak points."""

from __future__ import annotations

from pathlib import Path

import click

from supplynet.cli.options import edges_option, endpoint_options, network_argument, read, write_output

__all__ = ["map_command"]

_DEFAULT_DIR = Path("maps")


@click.command("map")
@network_argument
@edges_option
@endpoint_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the map here [default: maps/<NETWORK file name>.html].")
@click.option("--remove", multiple=True, metavar="ID",
              help="Remove this node or edge (repeat for more): what-if, drawn greyed out.")
@click.option("--scenario", "scenario_file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Draw a scenario of this YAML scenario file (docs/scenarios.md).")
@click.option("--name", default=None, metavar="S",
              help="Which scenario of --scenario FILE to draw (needed when it holds several).")
@click.option("--plan-budget", type=click.FloatRange(0), default=None, metavar="B",
              help="Draw the interdiction plan of this budget on a layer of its own.")
@click.option("--plan-method", type=click.Choice(["optimal", "greedy", "centrality"]), default="optimal",
              show_default=True, help="How --plan-budget chooses the plan.")
@click.option("--plan-targets", type=click.Choice(["nodes", "edges", "both"]), default="both",
              show_default=True, help="What the plan may interdict.")
@click.option("--top", type=click.IntRange(0), default=10, show_default=True,
              help="How many interdiction points to number.")
@click.option("--online", is_flag=True,
              help="Add an OpenStreetMap tile layer (fetched from the internet when shown).")
@click.option("--overwrite", is_flag=True, help="Replace an existing output file.")
def map_command(network: str, edges: str | None, sources: str | None, sinks: str | None,
                output: str | None, remove: tuple[str, ...], scenario_file: str | None, name: str | None,
                plan_budget: float | None, plan_method: str, plan_targets: str, top: int, online: bool,
                overwrite: bool) -> None:
    """Write an HTML map of NETWORK that works offline: cuts, top interdiction points, what-if, plan."""
    if name is not None and scenario_file is None:
        raise click.UsageError("--name picks a scenario of --scenario FILE")
    from dataclasses import replace

    from supplynet.maps.render import analyse_for_map, render_map

    G = read(network, edges)
    scenario = _scenario(G, scenario_file, name) if scenario_file else None
    results = analyse_for_map(G, sources, sinks, remove=remove, top=top, scenario=scenario)
    if plan_budget is not None:
        from supplynet.analysis.plan import compare_methods

        comp = compare_methods(G, sources, sinks, budget=plan_budget, methods=(plan_method,),
                               targets=plan_targets)
        results = replace(results, plan=comp.plans[plan_method], plan_curve=comp.curve)
    html = render_map(G, results, online=online)
    path = output or str(_default_output(network))
    write_output(html, path, overwrite=overwrite, inputs=(network, edges, scenario_file))
    click.echo(f"wrote {path}", err=True)


def _scenario(G, path: str, name: str | None):  # noqa: ANN001, ANN202  (click layer)
    """Return the scenario of ``path`` named ``name`` (the only one when ``name`` is None)."""
    from supplynet._errors import ScenarioError
    from supplynet.network.scenarios import load_scenarios, pick_scenarios

    scenarios = load_scenarios(path, G)
    if name is None:
        if len(scenarios) != 1:
            raise ScenarioError(f"{path} holds {len(scenarios)} scenarios; choose one with --name "
                                f"({', '.join(s.name for s in scenarios)})")
        return scenarios[0]
    return pick_scenarios(scenarios, [name])[0]


def _default_output(network: str) -> Path:
    """Return ``maps/<stem>.html``, creating ``maps/`` (only the default folder is made)."""
    stem = "stdin" if network == "-" else Path(network).stem
    _DEFAULT_DIR.mkdir(exist_ok=True)
    return _DEFAULT_DIR / f"{stem}.html"
