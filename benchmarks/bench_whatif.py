"""Benchmark what-if analysis: every single-node removal, and a list of scenarios.

On a seeded road-like network (``benchmarks/generate.py``, 10,000 nodes by default) it
times :meth:`supplynet.analysis.whatif.WhatIf.sweep_nodes` (max flow after, flow loss, sinks cut
off and sources stranded for every node removed alone) and
:meth:`~supplynet.analysis.whatif.WhatIf.evaluate` of random multi-element scenarios, each the
best of ``--repeat`` runs (other work on a shared machine only ever adds time). networkx
is timed on a sample of removals (a real copy without the node, max flow on the
node-split graph, reachability for the sinks cut off), checked equal to supplynet's
figures, and extrapolated to every node. Markdown goes to stdout
(``docs/benchmarks-whatif.md`` records a run).

Run ``python benchmarks/bench_whatif.py`` (``--help`` for the options).
"""

from __future__ import annotations

import argparse
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
from generate import road_network  # noqa: E402

from supplynet.network.scenarios import Scenario  # noqa: E402
from supplynet.analysis.whatif import WhatIf  # noqa: E402


def _best(fn, repeat: int):
    """Return ``(result, best seconds, first seconds)`` of ``repeat`` calls."""
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return out, min(times), times[0]


def _split(G: nx.MultiDiGraph, sources: list[str], sinks: list[str]) -> nx.DiGraph:
    """Return the node-split flow network of docs/design.md in networkx (each edge its own mid-vertex)."""
    H = nx.DiGraph()
    for v, d in G.nodes(data=True):
        H.add_edge((v, 0), (v, 1), **({"capacity": d["capacity"]} if "capacity" in d else {}))
    for u, v, k, d in G.edges(keys=True, data=True):
        H.add_edge((u, 1), k, **({"capacity": d["capacity"]} if "capacity" in d else {}))
        H.add_edge(k, (v, 0))
    for s in sources:
        H.add_edge("S", (s, 0))
    for t in sinks:
        H.add_edge((t, 1), "T")
    return H


def _nx_removal(G: nx.MultiDiGraph, node: str, sources: list[str], sinks: list[str]) -> tuple[float, int]:
    """Return networkx's max flow and number of sinks cut off with ``node`` really removed."""
    H = G.copy()
    H.remove_node(node)
    src = [s for s in sources if s in H]
    snk = [t for t in sinks if t in H]
    flow = 0.0
    if src and snk:
        flow = nx.maximum_flow_value(_split(H, src, snk), "S", "T",
                                     flow_func=nx.algorithms.flow.boykov_kolmogorov)

    def reached(graph: nx.MultiDiGraph, roots: list[str]) -> set[str]:
        ok = {n for n, d in graph.nodes(data=True) if d.get("capacity", math.inf) > 0}
        live = nx.DiGraph()
        live.add_nodes_from(ok)
        live.add_edges_from((u, v) for u, v, d in graph.edges(data=True)
                            if u in ok and v in ok and d.get("capacity", math.inf) > 0)
        out: set[str] = set()
        for r in roots:
            if r in live and r not in out:
                out |= nx.descendants(live, r) | {r}
        return out

    was, now = reached(G, sources), reached(H, src)
    before = {t for t in sinks if t in was}
    after = {t for t in snk if t in now}
    return float(flow), len(before - after)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timing; the best is kept")
    parser.add_argument("--sample", type=int, default=10, help="removals networkx is timed on")
    parser.add_argument("--scenarios", type=int, default=100, help="random multi-element scenarios")
    args = parser.parse_args()

    load = os.getloadavg()[0]
    G = road_network(args.nodes, seed=args.seed)
    (w, compile_s, _) = _best(lambda: WhatIf(G), 1)
    _, jit_s, _ = _best(lambda: WhatIf(road_network(200, seed=1)).sweep_nodes(), 1)  # compile kernels
    table, sweep_s, first_s = _best(w.sweep_nodes, args.repeat)
    carrying = int((table["flow_loss"] > 0).sum())

    rng = np.random.default_rng(args.seed)
    nodes, edges = list(w.snapshot.nodes), list(w.snapshot.edges)
    scenarios = [Scenario(f"s{i}", tuple(rng.choice(nodes, 3, replace=False)),
                          tuple(rng.choice(edges, 2, replace=False)),
                          tuple((str(n), 0.5) for n in rng.choice(nodes, 2, replace=False)))
                 for i in range(args.scenarios)]
    _, scen_s, _ = _best(lambda: w.sweep(scenarios), args.repeat)

    # networkx on a sample of nodes that carry flow (the expensive ones), checked equal.
    sample = [str(v) for v in rng.choice(table.index[table["flow_loss"] > 0].to_numpy(), args.sample,
                                         replace=False)]
    start = time.perf_counter()
    for v in sample:
        flow, cut = _nx_removal(G, v, w.sources, w.sinks)
        assert math.isclose(flow, table.at[v, "max_flow_after"]), (v, flow, table.at[v, "max_flow_after"])
        assert cut == table.at[v, "sinks_cut_off"], (v, cut, table.at[v, "sinks_cut_off"])
    nx_each = (time.perf_counter() - start) / len(sample)
    nx_all = nx_each * len(nodes)

    print(f"# What-if benchmarks\n\nGenerated by `python benchmarks/bench_whatif.py` "
          f"(--nodes {args.nodes} --seed {args.seed} --repeat {args.repeat}) on a road-like network from "
          f"`benchmarks/generate.py`: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges, "
          f"{len(w.sources)} sources, {len(w.sinks)} sinks, max flow {w.max_flow:g}.\n")
    print(f"- CPU: {platform.processor() or platform.machine()}, `nproc` = {os.cpu_count()}, "
          f"numba threads = {numba.get_num_threads()}")
    print(f"- Python {platform.python_version()}, numpy {np.__version__}, networkx {nx.__version__}, "
          f"numba {numba.__version__}")
    print(f"- load average at start {load:.2f}, at end {os.getloadavg()[0]:.2f} (other jobs share the "
          "machine; each supplynet time is the best of the runs)\n")
    print("| what | supplynet | networkx | speed-up | notes |\n|---|---:|---:|---:|---|")
    print(f"| compile once (`WhatIf(G)`) | {compile_s:.3g} s | | | snapshot, base max flow, base reachability "
          "and route |")
    print(f"| every single-node removal (`sweep_nodes`) | {sweep_s:.3g} s | {nx_all:,.0f} s | "
          f"{nx_all / sweep_s:,.0f}x | {len(nodes):,} nodes; {carrying:,} carry flow and are re-solved in "
          f"parallel from the base flow; first run {first_s:.3g} s; networkx: {len(sample)} removals timed "
          f"({nx_each:.3g} s each, max flow + sinks cut off, all equal to supplynet's) x {len(nodes):,} |")
    print(f"| {args.scenarios} scenarios, 3 nodes + 2 edges removed and 2 nodes at 50% each "
          f"(`sweep`) | {scen_s:.3g} s | | | {scen_s / args.scenarios * 1000:.3g} ms per scenario, every "
          "figure (max flow, reachability, route, new min edge cut, top nodes, flow-days) |")
    print(f"\nKernel compilation (numba, once per install, cached on disk) took {jit_s:.3g} s in this run.")


if __name__ == "__main__":
    main()
