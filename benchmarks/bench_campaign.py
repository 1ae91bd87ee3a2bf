"""Benchmark campaigns over time: optimal (MILP), greedy and launch-sites.

Measures (wall-clock, one process, after a warm-up that compiles the kernels):

- the shipped corridor over 26 weekly periods, ``--method all``, end to end through the
  command line (reading the file included), with a budget of 1 per period and a total
  budget of 6: the target is under 5 s;
- seeded road-like networks of 1,000 nodes (``benchmarks/generate.py``) over 30 weekly
  periods, with repair times of 2-90 days and storage at one node in ten, in two shapes:
  sources and sinks scattered (5 % each), and three sources in the far west with three
  sinks in the far east (long routes). Targets: a proven optimum or a stated gap within
  a 60 s limit, and greedy under 10 s.

Results go to stdout as Markdown (``docs/benchmarks-campaign.md`` records a run).
Run ``python benchmarks/bench_campaign.py`` (``--help`` for sizes, periods and the limit).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from generate import road_network  # noqa: E402

import supplynet  # noqa: E402
from supplynet.analysis.campaign import campaign  # noqa: E402
from supplynet.cli import main  # noqa: E402

CORRIDOR = HERE.parent / "datasets" / "corridor.geojson"


def campaign_network(n: int, *, shape: str, seed: int = 0) -> nx.MultiDiGraph:
    """Return road_network(n) with repair times (2-90 days), storage at one node in ten and,
    for ``shape="far"``, three sources in the far west and three sinks in the far east."""
    G = road_network(n, seed=seed)
    rng = np.random.default_rng(seed + 1)
    for _, d in G.nodes(data=True):
        d["repair_days"] = float(rng.integers(2, 91))
        if rng.random() < 0.1:
            d["storage"] = float(rng.integers(50, 500))
            d["stock"] = float(rng.integers(0, 100))
    for _, _, d in G.edges(data=True):
        d["repair_days"] = float(rng.integers(2, 91))
    if shape == "far":
        by_x = sorted(G.nodes, key=lambda v: (G.nodes[v]["x"], v))
        for v, d in G.nodes(data=True):
            if d["type"] in ("manufacturing", "assembly"):
                d["type"] = "storage"
        for v in by_x[:3]:
            G.nodes[v].update(type="manufacturing", capacity=300.0, interdictable=True)
        for v in by_x[-3:]:
            G.nodes[v].update(type="assembly", capacity=300.0, interdictable=True)
    return G


def _corridor_cli(args: list[str]) -> float:
    start = time.perf_counter()
    result = CliRunner().invoke(main, ["campaign", str(CORRIDOR), *args, "--format", "json"])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return time.perf_counter() - start


def _row(label: str, c: Any, seconds: dict[str, tuple[float, float]]) -> list[str]:
    rows = []
    for m, s in c.schedules.items():
        status = "proven" if s.proven else ("gap " + (f"{100 * s.gap:.1f}%" if s.gap is not None else "unknown"))
        wall, cpu = seconds[m]
        rows.append(f"| {label} | {m} | {c.arcs:,} | {c.delivered_without_strikes:,.0f} | {s.delivered:,.0f} | "
                    f"{len(s.strikes)} | {status} | {wall:.1f} | {cpu:.1f} |")
    return rows


def main_(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nodes", type=int, default=1000)
    ap.add_argument("--periods", type=int, default=30)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--skip-road", action="store_true")
    args = ap.parse_args(argv)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f} at start\n")
    _corridor_cli(["--horizon", "28", "--period-days", "7", "--budget-per-period", "1", "--method", "all"])  # warm-up
    print("## The corridor, 26 weekly periods, `--method all` (command line, end to end)\n")
    print("| budget | seconds |\n|---|---:|")
    for b in (["--budget-per-period", "1"], ["--budget", "6"]):
        sec = _corridor_cli(["--horizon", "182", "--period-days", "7", *b, "--method", "all"])
        print(f"| `{' '.join(b)}` | {sec:.2f} |")
    if args.skip_road:
        return
    print(f"\n## road_network({args.nodes}) over {args.periods} weekly periods, {args.time_limit:g} s limit\n")
    print("| network | method | arcs over time | delivered without strikes | delivered | strikes | optimal | "
          "wall s | CPU s |")
    print("|---|---|---:|---:|---:|---:|---|---:|---:|")
    for shape in ("scattered", "far"):
        G = campaign_network(args.nodes, shape=shape)
        for kw in ({"budget_per_period": 1.0}, {"budget": 6.0}):
            label = f"{shape}, " + ("1 per period" if "budget_per_period" in kw else "total 6")
            seconds = {}
            for m in ("greedy", "launch-sites", "optimal"):
                start, cpu = time.perf_counter(), time.process_time()
                c = campaign(G, horizon_days=7.0 * args.periods, period_days=7.0, methods=(m,),
                             time_limit=args.time_limit, **kw)
                seconds[m] = (time.perf_counter() - start, time.process_time() - cpu)
                for line in _row(label, c, seconds):
                    print(line, flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main_()
