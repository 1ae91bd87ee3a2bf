"""Benchmark uncertain intelligence: scenario sweeps, the sample-average plan, and the Dask path.

Measures, on a seeded road-like network (``benchmarks/generate.py``, 10,000 nodes by
default) with confidence U(0.5, 1) on a seeded 10 % of its elements:

- 1,000 scenarios of :func:`supplynet.analysis.uncertainty.evaluate_uncertainty`: the max
  flow's distribution and every element's ``p_in_min_cut`` (``losses="none"``), on 1 and
  on 2 threads, for two shapes: sources and sinks everywhere (5 % each), and ten
  sources at the western edge with ten sinks at the eastern one (long routes);
- the same with the collection ranking (``losses="uncertain"``) and with every
  element's expected flow loss (``losses="all"``, fewer scenarios);
- the per-scenario cost of repairing the intact maximum flow against solving from zero,
  by number of absent arcs (the rule behind ``REPAIR_POSITIONS``);
- the corridor: ``uncertainty`` with 10,000 scenarios, and the sample-average plan with
  200 scenarios at budget 3 (the file's confidences, and pulled towards 1, which is harder);
- a Dask ``LocalCluster`` of two worker processes: start-up, the 1,000 scenarios on it,
  and the round trip of an empty task.

Wall-clock and CPU seconds (``time.process_time``, this process only) are both given: the
machine is shared, and two threads often get one core. Markdown goes to stdout
(``docs/benchmarks-uncertainty.md`` records a run; about 5 minutes on 2 cores).

Run ``python benchmarks/bench_uncertainty.py`` (``--help`` for the options).
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import networkx as nx  # noqa: E402
import numba  # noqa: E402
import numpy as np  # noqa: E402
import scipy  # noqa: E402
from generate import road_network  # noqa: E402

from supplynet import read_network  # noqa: E402
from supplynet.analysis.milp import Problem  # noqa: E402
from supplynet.analysis.plan import compare_methods  # noqa: E402
from supplynet.analysis.stochastic import StochasticProblem  # noqa: E402
from supplynet.analysis.uncertainty import evaluate_uncertainty, scenario_set, uncertain_elements  # noqa: E402
from supplynet.engine.runners import run_scenarios  # noqa: E402
from supplynet.engine.scenarios import run_blocks, scenario_net  # noqa: E402
from supplynet.engine.snapshot import compile_network  # noqa: E402

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
    """Return ``(result, wall seconds, CPU seconds)``."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def with_doubts(G: nx.MultiDiGraph, share: float, seed: int) -> nx.MultiDiGraph:
    """Give a seeded ``share`` of the nodes and edges a confidence drawn from U(0.5, 1)."""
    rng = np.random.default_rng(seed)
    for d in [G.nodes[v] for v in sorted(G)] + [d for *_, d in sorted(G.edges(keys=True, data=True),
                                                                       key=lambda e: e[2])]:
        if rng.random() < share:
            d["confidence"] = float(rng.uniform(0.5, 1.0))
    return G


def far_apart(G: nx.MultiDiGraph, k: int = 10) -> tuple[list[str], list[str]]:
    """Return the ``k`` westernmost nodes as sources and the ``k`` easternmost as sinks."""
    order = sorted(G, key=lambda v: G.nodes[v]["x"])
    return sorted(order[:k]), sorted(order[-k:])


def sweep_rows(G: nx.MultiDiGraph, shapes: dict, samples: int, all_samples: int) -> list[str]:
    rows = ["| shape | losses | scenarios | threads | wall s | CPU s | E[max flow] (as given) | P(any flow) | "
            "elements ever in a min cut |", "|---|---|---:|---:|---:|---:|---|---:|---:|"]
    for name, (src, snk) in shapes.items():
        evaluate_uncertainty(G, src, snk, samples=20, losses="none")  # warm the kernels and the caches
        cases = [("none", samples, 1), ("none", samples, 2), ("uncertain", samples, 2), ("all", all_samples, 2)]
        for losses, n, threads in cases:
            rep, wall, cpu = _timed(evaluate_uncertainty, G, src, snk, samples=n, losses=losses, workers=threads)
            ever = int((rep.nodes["p_in_min_cut"] > 0).sum() + (rep.edges["p_in_min_cut"] > 0).sum())
            rows.append(f"| {name} | {losses} | {n:,} | {threads} | {wall:.2f} | {cpu:.2f} | "
                        f"{rep.expected_max_flow:,.1f} ({rep.max_flow:,.0f}) | {rep.p_any_flow:.3f} | {ever:,} |")
            print(rows[-1], file=sys.stderr, flush=True)
    return rows


def breakdown_rows(G: nx.MultiDiGraph, samples: int) -> list[str]:
    """CPU seconds of each part of one ``losses="none"`` evaluation (sources and sinks everywhere)."""
    els, t_compile, c_compile = _timed(uncertain_elements, G)
    net, q = els.net()
    scen = scenario_set(els, q, samples=samples, seed=0)
    _, _, c_draw = _timed(lambda: [scen.outcomes(a, min(samples, a + 256), strikes=False)
                                   for a in range(0, samples, 256)])
    rows = ["| part | CPU s | wall s |", "|---|---:|---:|",
            f"| compile the snapshot, read confidences, existence groups | {c_compile:.2f} | {t_compile:.2f} |",
            f"| draw {samples:,} scenarios | {c_draw:.2f} | |"]
    for threads in (1, 2):
        _, wall, cpu = _timed(run_scenarios, net, scen, cuts=True, workers=threads)
        rows.append(f"| solve {samples:,} scenarios (with the draws), max flow and some-min-cut, {threads} "
                    f"thread(s) | {cpu:.2f} | {wall:.2f} |")
    _, wall, cpu = _timed(els.snap.removal_losses, "both")
    rows.append(f"| flow loss of every element as given | {cpu:.2f} | {wall:.2f} |")
    return rows


def crossover_rows(nets: dict, ks: tuple[int, ...], seed: int) -> list[str]:
    """Per-scenario CPU cost of repair from the intact flow against a cold solve, by absent arcs."""
    rows = ["| network | residual positions | absent arcs | cold solve, us | repair, us |", "|---|---:|---:|---:|---:|"]
    rng = np.random.default_rng(seed)
    for name, G in nets.items():
        net = scenario_net(compile_network(G))
        count = 200 if net.n_elements < 1000 else 30
        for k in ks:
            if k > net.n_elements // 2:
                break
            sets = [np.sort(rng.choice(net.n_elements, k, replace=False)) for _ in range(count)]
            ptr = np.zeros(count + 1, np.int64)
            ptr[1:] = np.cumsum([len(s) for s in sets])
            absent = np.concatenate(sets)
            cost = {}
            for limit in (-1, 10**9):
                run_blocks(net, ptr[:2], absent[:ptr[1]], np.ones(1), cuts=False, threads=1, repair_max=limit)
                _, _, cpu = _timed(run_blocks, net, ptr, absent, np.ones(count), cuts=False, threads=1,
                                   repair_max=limit)
                cost[limit] = 1e6 * cpu / count
            rows.append(f"| {name} | {len(net.head):,} | {k} | {cost[-1]:,.1f} | {cost[10**9]:,.1f} |")
    return rows


def stressed(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Pull every confidence towards 1: q' = 1 - (1 - q) / 3 (a harder sample-average problem)."""
    H = G.copy()
    for d in [d for _, d in H.nodes(data=True)] + [d for *_, d in H.edges(keys=True, data=True)]:
        if "confidence" in d:
            d["confidence"] = 1 - (1 - d["confidence"]) / 3
    return H


def corridor_rows() -> list[str]:
    G = read_network(CORRIDOR)
    evaluate_uncertainty(G, samples=50)
    rep, wall, cpu = _timed(evaluate_uncertainty, G, samples=10_000)
    lo, hi = rep.expected_max_flow_interval
    rows = [f"`uncertainty` on the corridor, 10,000 scenarios, every element's expected loss: {wall:.2f} s wall, "
            f"{cpu:.2f} s CPU; E[max flow] {rep.expected_max_flow:.2f} [{lo:.2f}, {hi:.2f}] of {rep.max_flow:.0f}, "
            f"P(any flow) {rep.p_any_flow:.3f}, p10/p50/p90 "
            f"{'/'.join(f'{rep.max_flow_quantiles[k]:g}' for k in ('p10', 'p50', 'p90'))}.", "",
            "| confidences | p_success | SAA plan s (200 scenarios) = first MILP + the rest | distinct scenarios | "
            "MILP variables | stochastic plan | whole `plan --samples 200` s | E[left] stochastic | "
            "E[left] deterministic |",
            "|---|---|---:|---:|---:|---|---:|---:|---:|"]
    for label, H in (("as in the file", G), ("pulled towards 1", stressed(G))):
        for p in (1.0, 0.8):
            ctx = Problem(H, None, None, targets="both", objective="flow", horizon=None)
            sp = StochasticProblem(ctx.snap, ctx.net, targets="both", p_success=p)
            SOLVES.seconds.clear()
            sol, wall, _ = _timed(sp.solve, 3, samples=200, seed=0, time_limit=60)
            first = SOLVES.seconds[0] if SOLVES.seconds else 0.0
            picked = ", ".join(sorted(ctx.ids[i] for i in sol.outcome.selected))
            comp, whole, _ = _timed(compare_methods, H, budget=3, samples=200, p_success=p, methods=("optimal",),
                                    time_limit=60)
            rows.append(f"| {label} | {p:g} | {wall:.2f}: {first:.2f} + {wall - first:.2f} | {sol.blocks:,} | "
                        f"{sol.variables:,} | {picked} | "
                        f"{whole:.2f} | {comp.plans['stochastic'].expected_flow_left:.2f} | "
                        f"{comp.plans['deterministic'].expected_flow_left:.2f} |")
            print(rows[-1], file=sys.stderr, flush=True)
    return rows


def dask_rows(G: nx.MultiDiGraph, samples: int) -> list[str]:
    from distributed import Client, LocalCluster

    start = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, worker_dashboard_address=None)
    up = time.perf_counter() - start
    rows = [f"LocalCluster of 2 worker processes up in {up:.2f} s.", "",
            "| where | scenarios | wall s | identical to 2 local threads |", "|---|---:|---:|---|"]
    try:
        local = evaluate_uncertainty(G, samples=samples, losses="none", workers=2)
        evaluate_uncertainty(G, samples=40, losses="none", scheduler=cluster.scheduler_address)  # warm the workers
        for label, kw in (("this machine, 2 threads", {"workers": 2}),
                          ("Dask, 2 workers", {"scheduler": cluster.scheduler_address})):
            rep, wall, _ = _timed(evaluate_uncertainty, G, samples=samples, losses="none", **kw)
            rows.append(f"| {label} | {samples:,} | {wall:.2f} | {'yes' if rep.to_dict() == local.to_dict() else 'NO'} |")
        with Client(cluster.scheduler_address) as client:
            client.gather([client.submit(math.sqrt, float(i), pure=False) for i in range(20)])
            t = time.perf_counter()
            client.gather([client.submit(math.sqrt, float(i), pure=False) for i in range(200)])
            rows += ["", f"Round trip of an empty Dask task: {1e3 * (time.perf_counter() - t) / 200:.2f} ms "
                         "(200 tasks)."]
    finally:
        cluster.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--all-samples", type=int, default=100, help="scenarios of the losses='all' run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--only", choices=["sweeps", "crossover", "corridor", "dask"], action="append",
                        help="run only these parts (repeat for more)")
    args = parser.parse_args()
    parts = set(args.only or ["sweeps", "crossover", "corridor", "dask"]) - ({"dask"} if args.no_dask else set())
    milp_log = logging.getLogger("supplynet.analysis.milp")
    milp_log.setLevel(logging.DEBUG)
    milp_log.addHandler(SOLVES)
    load = os.getloadavg()[0]
    G = with_doubts(road_network(args.nodes, seed=args.seed), 0.10, seed=7)
    uncertain = sum("confidence" in d for _, d in G.nodes(data=True)) + \
        sum("confidence" in d for *_, d in G.edges(keys=True, data=True))
    print("# Uncertainty benchmarks\n")
    print(f"Generated by `python benchmarks/bench_uncertainty.py` (--nodes {args.nodes} --samples {args.samples} "
          f"--seed {args.seed}) on `road_network({args.nodes})`: {G.number_of_nodes():,} nodes, "
          f"{G.number_of_edges():,} edges, {uncertain:,} elements with a confidence U(0.5, 1).\n")
    print(f"- CPU: {platform.machine()}, `nproc` = {os.cpu_count()}, numba threads = {numba.get_num_threads()}")
    print(f"- Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"networkx {nx.__version__}, numba {numba.__version__}")
    print(f"- load average at start {load:.2f}\n")
    shapes = {"sources and sinks everywhere": (None, None), "10 sources west, 10 sinks east": far_apart(G)}
    if "sweeps" in parts:
        print(f"## {args.samples:,} scenarios of a {args.nodes:,}-node network\n")
        print("\n".join(sweep_rows(G, shapes, args.samples, args.all_samples)) + "\n")
        print("Where the time of one `losses=\"none\"` evaluation (sources and sinks everywhere) goes:\n")
        print("\n".join(breakdown_rows(G, args.samples)) + "\n")
    if "crossover" in parts:
        print("## Repair from the intact flow, or solve from zero\n")
        nets = {"corridor": read_network(CORRIDOR), f"road_network({args.nodes})": G}
        print("\n".join(crossover_rows(nets, (1, 4, 16, 64, 128, 256, 512), args.seed)) + "\n")
    if "corridor" in parts:
        print("## The corridor\n")
        print("\n".join(corridor_rows()) + "\n")
    if "dask" in parts:
        print("## Dask\n")
        print("\n".join(dask_rows(G, args.samples)) + "\n")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
