"""Benchmark interdiction plans: the MILP (optimal), greedy and centrality.

Measures (wall-clock, one process) the shipped corridor at budgets 1..5 and the curve
0..5; seeded road-like networks (``benchmarks/generate.py``) of growing size and budget;
and square grids (many near-equal cuts, where greedy falls short). Each plan has a time
limit; the tables say whether the MILP proved optimality within it and what greedy and
centrality achieve beside it. Results go to stdout as Markdown
(``docs/benchmarks-plan.md`` records a run; about 10 minutes on 2 cores).

Run ``python benchmarks/bench_plan.py`` (``--help`` for sizes, budgets and the limit).
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
from generate import grid_network, road_network  # noqa: E402

from supplynet import read_network  # noqa: E402
from supplynet.analysis.plan import compare_methods, plan_interdiction  # noqa: E402

CORRIDOR = HERE.parent / "datasets" / "corridor.geojson"


class _Solves(logging.Handler):
    """Collects the duration of every HiGHS solve from supplynet.analysis.milp's debug log."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seconds: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("HiGHS:"):
            self.seconds.append(float(record.args[-1]))


SOLVES = _Solves()


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.4g}"


def corridor_rows(budgets: range) -> list[str]:
    """Time one optimal plan per budget, greedy and centrality, and the full curve."""
    G = read_network(CORRIDOR)
    plan_interdiction(G, budget=1)  # warm numba's caches and HiGHS
    rows = ["| budget | optimal s | flow left (optimal) | greedy s | greedy left | centrality s | centrality left |",
            "|---|---|---|---|---|---|---|"]
    for b in budgets:
        opt, t_opt = _timed(plan_interdiction, G, budget=b)
        gre, t_gre = _timed(plan_interdiction, G, budget=b, method="greedy")
        cen, t_cen = _timed(plan_interdiction, G, budget=b, method="centrality")
        rows.append(f"| {b} | {t_opt:.2f} | {_fmt(opt.max_flow_after)} | {t_gre:.2f} | "
                    f"{_fmt(gre.max_flow_after)} | {t_cen:.2f} | {_fmt(cen.max_flow_after)} |")
    _, t_curve = _timed(compare_methods, G, budget=budgets[-1])
    rows.append("")
    rows.append(f"Whole `--method all` run with the curve 0..{budgets[-1]} (18+ MILP solves, greedy and "
                f"centrality at every step): {t_curve:.2f} s.")
    return rows


def synthetic_rows(cases: list[tuple[int, float]], limit: float, seed: int, centrality_max: int,
                   make=road_network) -> list[str]:
    """Time the three methods on generated networks, one row per (size, budget)."""
    rows = ["| nodes | budget | arcs | candidates | max flow | optimal s (first solve + rest) | proven | "
            "canonical | optimal left | greedy s | greedy left | centrality s | centrality left |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for n, budget in cases:
        G = make(n, seed=seed)
        SOLVES.seconds.clear()
        opt, t_opt = _timed(plan_interdiction, G, budget=budget, time_limit=limit)
        first = SOLVES.seconds[0] if SOLVES.seconds else 0.0
        gre, t_gre = _timed(plan_interdiction, G, budget=budget, method="greedy")
        cand = sum(bool(d.get("interdictable", True)) for _, d in G.nodes(data=True)) + G.number_of_edges()
        cen_s, cen_left = "-", "-"
        if n <= centrality_max:
            cen, t_cen = _timed(plan_interdiction, G, budget=budget, method="centrality")
            cen_s, cen_left = f"{t_cen:.1f}", _fmt(cen.max_flow_after)
        proven = "yes" if opt.optimal else f"no (gap {100 * opt.gap:.1f}%)" if opt.gap is not None else "no"
        canonical = "no" if opt.reason and "canonical" in opt.reason else "yes" if opt.optimal else "-"
        rows.append(f"| {G.number_of_nodes():,} | {_fmt(budget)} | {G.number_of_edges():,} | {cand:,} | {_fmt(opt.max_flow_before)} | "
                    f"{t_opt:.1f} ({first:.1f} + {t_opt - first:.1f}) | {proven} | {canonical} | "
                    f"{_fmt(opt.max_flow_after)} | {t_gre:.1f} | {_fmt(gre.max_flow_after)} | {cen_s} | {cen_left} |")
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def flow_days_rows(sizes: list[int], budget: float, horizon: float, limit: float, seed: int) -> list[str]:
    """Time optimal and greedy for flow-days on road networks given seeded repair times."""
    rows = ["| nodes | repair intervals | optimal s | proven | denied (optimal) | greedy s | denied (greedy) |",
            "|---|---|---|---|---|---|---|"]
    for n in sizes:
        G = road_network(n, seed=seed)
        rng = np.random.default_rng(seed)
        for data in [d for _, d in G.nodes(data=True)] + [d for _, _, d in G.edges(data=True)]:
            data["repair_days"] = float(rng.choice(_REPAIR_DAYS))
        kw = dict(budget=budget, objective="flow-days", horizon=horizon)
        opt, t_opt = _timed(plan_interdiction, G, time_limit=limit, **kw)
        gre, t_gre = _timed(plan_interdiction, G, method="greedy", **kw)
        periods = sum(d <= horizon for d in _REPAIR_DAYS)
        rows.append(f"| {n:,} | {periods} | {t_opt:.1f} | {'yes' if opt.optimal else 'no'} | "
                    f"{_fmt(opt.flow_days_denied)} | {t_gre:.1f} | {_fmt(gre.flow_days_denied)} |")
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


_REPAIR_DAYS = (2, 3, 5, 7, 10, 14, 21, 30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*",
                        default=[250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000])
    parser.add_argument("--budget", type=float, default=5.0)
    parser.add_argument("--sweep", nargs="*", default=["1000:10", "1000:20", "2000:40", "5000:20", "10000:50"],
                        help="More SIZE:BUDGET cases, to find where proofs stop.")
    parser.add_argument("--grids", nargs="*", default=["20:10", "40:10", "40:20", "60:40", "100:60"],
                        help="SIDE:BUDGET cases on square grids (SIDE x SIDE nodes).")
    parser.add_argument("--flow-days", type=int, nargs="*", default=[1000, 5000, 10000, 20000],
                        help="Road network sizes for the flow-days objective (horizon 30 days).")
    parser.add_argument("--skip-corridor", action="store_true")
    parser.add_argument("--time-limit", type=float, default=60.0, help="Seconds for the MILP of each plan.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--centrality-max", type=int, default=20000,
                        help="Skip centrality (networkx betweenness) above this many nodes.")
    parser.add_argument("-v", action="store_true", help="Log every MILP solve.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.v else logging.WARNING, format="%(message)s")
    milp_log = logging.getLogger("supplynet.analysis.milp")
    milp_log.setLevel(logging.DEBUG)
    milp_log.addHandler(SOLVES)
    milp_log.propagate = args.v
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    if not args.skip_corridor:
        print("## Corridor\n")
        print("\n".join(corridor_rows(range(1, 6))))
    cases = [(n, args.budget) for n in args.sizes]
    cases += [(int(n), float(b)) for n, b in (c.split(":") for c in args.sweep)]
    print(f"\n## Road-like networks, time limit {args.time_limit:g} s per plan\n")
    print("\n".join(synthetic_rows(cases, args.time_limit, args.seed, args.centrality_max)))
    if args.grids:
        grids = [(int(n), float(b)) for n, b in (c.split(":") for c in args.grids)]
        print(f"\n## Grids, time limit {args.time_limit:g} s per plan\n")
        print("\n".join(synthetic_rows(grids, args.time_limit, args.seed, args.centrality_max, grid_network)))
    if args.flow_days:
        print(f"\n## Flow-days denied over 30 days, road-like networks, budget {_fmt(args.budget)}\n")
        print("\n".join(flow_days_rows(args.flow_days, args.budget, 30.0, args.time_limit, args.seed)))


if __name__ == "__main__":
    main()
