"""``supplynet campaign``: which strikes, in which periods, deny the most delivery by a horizon?

The command parses, calls :func:`supplynet.analysis.campaign.campaign` once and writes what
:mod:`supplynet.render.campaign` makes of it: the report, the ``--chart`` of delivery per
period, and with ``--map`` an offline map with one layer per strike wave.
"""

from __future__ import annotations

import math

import click

from supplynet.cli.options import (Progress, check_suffix, edges_option, endpoint_options, format_option, network_argument, note,
                                   output_options, plan_outputs, read_shown, write_outputs)

__all__ = ["campaign_command"]


def _days(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise click.BadParameter(f"must be a positive, finite number of days; got {value!r}")
    return value


def _budget(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise click.BadParameter(f"must be a finite number >= 0; got {value!r}")
    return value


def _speeds(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> dict[str, float]:
    out = {}
    for item in value:
        mode, sep, km = item.partition("=")
        try:
            speed = float(km)
        except ValueError:
            speed = math.nan
        if not sep or not mode.strip() or not (math.isfinite(speed) and speed > 0):
            raise click.BadParameter(f"expected MODE=KM_PER_DAY with a positive speed, e.g. road=400; got {item!r}")
        out[mode.strip()] = speed
    return out


@click.command("campaign")
@network_argument
@edges_option
@click.option("--horizon", type=float, required=True, callback=_days, metavar="DAYS",
              help="Days the campaign runs: a whole number of periods.")
@click.option("--period-days", type=float, default=1.0, show_default=True, callback=_days, metavar="P",
              help="Length of a period in days; capacities are read as units per period.")
@click.option("--budget-per-period", type=float, default=None, callback=_budget, metavar="B",
              help="Most total cost struck in each period.")
@click.option("--budget", type=float, default=None, callback=_budget, metavar="B",
              help="Most total cost struck over the whole campaign (instead of --budget-per-period).")
@click.option("--targets", type=click.Choice(["both", "nodes", "edges"]), default="both", show_default=True,
              help="What may be struck.")
@click.option("--method", type=click.Choice(["optimal", "greedy", "launch-sites", "all"]), default="optimal",
              show_default=True, help="How the strikes are chosen; 'all' runs the three side by side.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              metavar="S", help="Seconds for the optimal schedule; on expiry the best found and its gap.")
@click.option("--default-repair-days", type=float, default=None, callback=_budget, metavar="DAYS",
              help="Repair time of elements without repair_days [default: never repaired].")
@click.option("--speed", "speed", multiple=True, callback=_speeds, metavar="MODE=KM",
              help="km per day of a mode, for edges without transit_days (repeat; defaults in docs/campaign.md).")
@endpoint_options
@click.option("--chart", type=click.Path(dir_okay=False, writable=True), default=None, metavar="PATH.svg|PATH.png",
              help="Also write the delivery per period of each method as a chart: SVG or PNG, by the suffix.")
@click.option("--map", "map_path", type=click.Path(dir_okay=False, writable=True), default=None,
              metavar="PATH.html", help="Also write an offline map with one layer per strike wave.")
@format_option("text", "markdown", "json", "csv")
@output_options
def campaign_command(network: str, edges: str | None, horizon: float, period_days: float,
                     budget_per_period: float | None, budget: float | None, targets: str, method: str,
                     time_limit: float, default_repair_days: float | None, speed: dict[str, float],
                     sources: str | None, sinks: str | None, chart: str | None, map_path: str | None, fmt: str,
                     output: str | None, overwrite: bool) -> None:
    """Plan strikes on NETWORK over --horizon days: the campaign that denies most delivery."""
    from supplynet.analysis.campaign import METHODS, campaign
    from supplynet.render.campaign import campaign_chart, format_campaign
    from supplynet.render.chart import CHART_KINDS
    from supplynet.render.plan import network_meta

    if (budget_per_period is None) == (budget is None):
        raise click.UsageError("give exactly one of --budget-per-period B and --budget B")
    if chart:
        check_suffix(chart, CHART_KINDS, option="--chart")  # refuse a chart it cannot write before the solve
    inputs = (network, edges)
    plan_outputs([output, chart, map_path], overwrite=overwrite, inputs=inputs)  # all of them, before the solve
    bars = Progress("campaign")
    try:
        G = read_shown(bars, network, edges)
        camp = campaign(G, sources, sinks, horizon_days=horizon, period_days=period_days,
                        budget_per_period=budget_per_period, budget=budget, targets=targets,
                        methods=METHODS if method == "all" else (method,), time_limit=time_limit,
                        default_repair_days=default_repair_days, speeds=speed or None, progress=bars)
        meta = network_meta(G)
        items: list = []
        if chart:
            items.append((chart, campaign_chart(camp, chart, meta)))
        if map_path:
            items.append((map_path, _map(G, camp, sources, sinks)))
    finally:
        bars.close()
    params = {"method": method, "time_limit": time_limit, "horizon_days": horizon, "period_days": period_days,
              "budget_per_period": budget_per_period, "budget": budget, "targets": targets,
              "default_repair_days": default_repair_days, "speeds": speed}
    items.append((output, format_campaign(camp, fmt, network=meta, chart=chart, parameters=params)))
    write_outputs(items, overwrite=overwrite, inputs=inputs)  # the report, chart and map appear together
    if map_path:
        note(f"wrote {map_path}")


def _map(G, camp, sources: str | None, sinks: str | None) -> str:  # noqa: ANN001  (click layer)
    """Return the map of the campaign: the network, and one layer per strike wave of the best method."""
    from supplynet.maps.render import analyse_for_map, render_map
    from supplynet.render.campaign import wave_layers

    method = next(m for m in ("optimal", "greedy", "launch-sites") if m in camp.schedules)
    results = analyse_for_map(G, sources, sinks)
    return render_map(G, results, extra_layers=wave_layers(camp, method))
