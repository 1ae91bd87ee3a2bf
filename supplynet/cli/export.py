"""``supplynet export``: the network and every metric as GIS layers (GeoPackage, GeoParquet or GeoJSON)."""

from __future__ import annotations

import click

from supplynet._errors import OutputError
from supplynet.cli.options import (STDOUT, betweenness_options, edges_option, endpoint_options, network_argument, note,
                                   phases, pick_scenario, plan_outputs, read_shown, samples_options, timestamp_option,
                                   write_output)

__all__ = ["export"]


@click.command()
@network_argument
@edges_option
@endpoint_options
@click.option("-o", "--output", type=str, default=None, metavar="PATH",
              help="Write here: .gpkg for a GeoPackage (layers nodes and edges), .parquet for GeoParquet, "
                   ".geojson for GeoJSON. Without it (or with -), GeoJSON goes to standard output.")
@click.option("--format", "fmt", type=click.Choice(["gpkg", "parquet", "geojson"]), default=None,
              help="Output format [default: from the suffix of -o; geojson on standard output].")
@click.option("--split", is_flag=True,
              help="GeoJSON and GeoParquet: write NAME.nodes.SUFFIX and NAME.edges.SUFFIX instead of one file.")
@click.option("--overwrite", is_flag=True, help="Replace existing output files.")
@click.option("--top", type=click.IntRange(0), default=10, show_default=True,
              help="How many interdiction points get an interdiction_rank.")
@betweenness_options
@click.option("--plan-budget", type=click.FloatRange(min=0), default=None, metavar="B",
              help="Also plan interdiction within budget B and add an in_plan column.")
@click.option("--plan-method", type=click.Choice(["optimal", "greedy", "centrality"]), default="optimal",
              show_default=True, help="Planning method for --plan-budget.")
@click.option("--plan-targets", type=click.Choice(["both", "nodes", "edges"]), default="both",
              show_default=True, help="What the plan may interdict.")
@click.option("--plan-time-limit", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              metavar="S", help="Seconds for the optimal plan's MILP; on expiry the best plan found.")
@click.option("--scenario", "scenario_file", type=click.Path(exists=True, dir_okay=False), default=None,
              metavar="FILE", help="A what-if scenario file (YAML, docs/scenarios.md): add the after-state of "
                                   "scenario --name (scenario_removed, scenario_factor, scenario_flow).")
@click.option("--name", "scenario_name", default=None, metavar="S",
              help="Which scenario of --scenario FILE (not needed when it holds just one).")
@samples_options("adds expected_flow_loss, p_in_min_cut and collect_rank")
@click.option("--campaign-horizon", type=click.FloatRange(0, min_open=True), default=None, metavar="DAYS",
              help="Also plan a campaign over DAYS (with --campaign-budget-per-period or --campaign-budget) "
                   "and add its schedule: campaign_first_period, campaign_back_at_period, campaign_strikes, "
                   "campaign_periods (docs/campaign.md).")
@click.option("--campaign-period-days", type=click.FloatRange(0, min_open=True), default=1.0, show_default=True,
              metavar="P", help="Length of a campaign period in days.")
@click.option("--campaign-budget-per-period", type=click.FloatRange(0), default=None, metavar="B",
              help="Most cost the campaign strikes in each period.")
@click.option("--campaign-budget", type=click.FloatRange(0), default=None, metavar="B",
              help="Most cost the campaign strikes over the whole horizon.")
@click.option("--campaign-method", type=click.Choice(["optimal", "greedy", "launch-sites"]), default="optimal",
              show_default=True, help="How the campaign is planned.")
@timestamp_option
def export(network: str, edges: str | None, sources: str | None, sinks: str | None, output: str | None,
           fmt: str | None, split: bool, overwrite: bool, top: int, betweenness_k: int | str | None,
           supply_k: int | str | None, seed: int,
           plan_budget: float | None, plan_method: str, plan_targets: str, plan_time_limit: float,
           scenario_file: str | None, scenario_name: str | None, samples: int | None, sample_seed: int,
           campaign_horizon: float | None, campaign_period_days: float, campaign_budget_per_period: float | None,
           campaign_budget: float | None, campaign_method: str, timestamp: bool) -> None:
    """Export NETWORK with every metric as GIS layers for QGIS or ArcGIS.

    NETWORK may be - for GeoJSON on standard input. Columns: the network's own properties,
    then betweenness, supply_betweenness, flow, flow_loss, flow_loss_pct, in_min_node_cut /
    in_min_edge_cut and interdiction_rank (empty when unranked); with --plan-budget,
    --scenario, --samples or --campaign-horizon, their columns too (docs/export.md). The same
    command on the same input gives byte-identical files; --timestamp records the time of
    the run.
    """
    from supplynet.io.write import utc_timestamp
    from supplynet.render.layers import export_format, export_layers, geojson_text, split_paths, write_layers

    if output == STDOUT:
        output = None
    if campaign_horizon is None and (campaign_budget is not None or campaign_budget_per_period is not None):
        raise click.BadParameter("a campaign budget needs --campaign-horizon DAYS", param_hint="--campaign-horizon")
    if campaign_horizon is not None and (campaign_budget is None) == (campaign_budget_per_period is None):
        raise click.BadParameter("give exactly one of --campaign-budget-per-period B and --campaign-budget B",
                                 param_hint="--campaign-horizon")
    if output is None:
        if fmt in ("gpkg", "parquet"):
            raise click.BadParameter(f"a {'GeoPackage' if fmt == 'gpkg' else 'GeoParquet file'} cannot go to "
                                     f"standard output; give -o PATH.{'gpkg' if fmt == 'gpkg' else 'parquet'}",
                                     param_hint="--format")
        if split:
            raise click.BadParameter("--split writes two files; give -o PATH.geojson", param_hint="--split")
    else:
        from supplynet.io.write import check_target

        check_target(output, overwrite=True)  # a folder, a name ending in /, a device: refused first
        try:
            fmt = export_format(output, fmt)
        except OutputError as exc:
            raise click.BadParameter(str(exc), param_hint="-o/--output") from None
        if split and fmt == "gpkg":
            raise click.BadParameter("--split applies to GeoJSON and GeoParquet; a GeoPackage holds both layers "
                                     "already", param_hint="--split")
        targets = [str(p) for p in split_paths(output)] if split else [output]
        plan_outputs(targets, overwrite=overwrite, inputs=(network, edges, scenario_file))  # before the analysis
    if scenario_name is not None and scenario_file is None:
        raise click.BadParameter("--name picks a scenario of --scenario FILE; give the file", param_hint="--name")
    bars = phases()
    try:
        G = read_shown(bars, network, edges)
        scenario = pick_scenario(G, scenario_file, scenario_name) if scenario_file else None
        uncertainty = camp = None
        if samples is not None:
            from supplynet.analysis.uncertainty import evaluate_uncertainty

            uncertainty = evaluate_uncertainty(G, sources, sinks, samples=samples, seed=sample_seed, progress=bars)
        if campaign_horizon is not None:
            from supplynet.analysis.campaign import campaign

            camp = campaign(G, sources, sinks, horizon_days=campaign_horizon, period_days=campaign_period_days,
                            budget_per_period=campaign_budget_per_period, budget=campaign_budget,
                            methods=(campaign_method,), time_limit=plan_time_limit, progress=bars)
        layers = export_layers(G, sources, sinks, top=top, betweenness_k=betweenness_k, supply_k=supply_k, seed=seed,
                               plan_budget=plan_budget, plan_method=plan_method, plan_targets=plan_targets,
                               plan_time_limit=plan_time_limit, scenario=scenario, scenario_file=scenario_file,
                               uncertainty=uncertainty, campaign=camp, generated_at=utc_timestamp() if timestamp else None, progress=bars)
        if output is None:
            text = geojson_text(layers)
        else:
            bars.phase("writing " + {"gpkg": "GeoPackage", "parquet": "GeoParquet"}.get(fmt, "GeoJSON"), "files")(0, 1)
            written = write_layers(layers, output, fmt=fmt, split=split, overwrite=overwrite)
    finally:
        bars.close()
    if output is None:
        write_output(text, None, overwrite=overwrite)
        return
    for path in written:
        note(f"wrote {path}")
