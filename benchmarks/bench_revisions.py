"""Time the public kernels of two source trees of supplynet against each other, run for run.

Usage::

    git worktree add ../old 025c1f8
    python benchmarks/bench_revisions.py ../old [--new .] [--size 10000] [--rounds 3]
                                         [--variants spread,far-nc]

Each round runs one fresh process per tree, old then new, so the two see the same minute
of a shared machine; each process warms the kernels up on a small network, then times
every public kernel (``compile_network``, ``max_flow``, ``min_edge_cut``,
``min_node_cut``, ``flow_loss`` of nodes and edges, supply betweenness and betweenness,
node and edge measures) on fresh snapshots of the same network, best of three. Networks
come from this tree's ``benchmarks/generate.py`` for both (``road_network`` is the same
network as before the redesign). Prints a Markdown table: the fastest of the rounds for
each tree, their ratio, and every round.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_SNIPPET = """
import json, sys, time
sys.path[:0] = [{tree!r}, {bench!r}]
import supplynet as sn
from generate import shaped_network
def kernels(G):
    out = {{}}
    def best(name, run, setup=lambda: sn.compile_network(G), k=3):
        times = []
        for _ in range(k):
            arg = setup()
            start = time.perf_counter()
            run(arg)
            times.append(time.perf_counter() - start)
        out[name] = min(times)
    best("compile", lambda _: sn.compile_network(G), setup=lambda: None)
    best("max flow", sn.max_flow)
    best("min edge cut", sn.min_edge_cut)
    best("min node cut", sn.min_node_cut)
    best("flow-loss sweep (nodes and edges)", lambda s: sn.flow_loss(s, elements="both"))
    best("supply betweenness (nodes and edges)", lambda s: (sn.supply_betweenness(s), sn.edge_supply_betweenness(s)))
    best("betweenness (nodes and edges)", lambda s: (sn.betweenness(s), sn.edge_betweenness(s)), k=1)
    return out
kernels(shaped_network("spread", 300, seed=1))  # numba: load or compile every kernel
print(json.dumps(kernels(shaped_network({shape!r}, {n}, seed=0, node_capacities={caps!r}))))
"""


def run_tree(tree: Path, variant: str, n: int) -> dict[str, float]:
    shape, _, tag = variant.partition("-")
    code = _SNIPPET.format(tree=str(tree), bench=str(ROOT / "benchmarks"), shape=shape, n=n, caps=tag != "nc")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=str(tree))
    if done.returncode:
        raise SystemExit(f"{tree}: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("--new", type=Path, default=ROOT)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--variants", default="spread,far-nc")
    args = parser.parse_args()
    for variant in args.variants.split(","):
        rounds = []
        for k in range(args.rounds):
            load = os.getloadavg()[0]
            rounds.append((load, run_tree(args.old.resolve(), variant, args.size),
                           run_tree(args.new.resolve(), variant, args.size)))
            print(f"{variant} round {k + 1} done (load {load:.2f})", file=sys.stderr, flush=True)
        print(f"\n{variant}, {args.size:,} nodes; load average (1 min) before each round: "
              + ", ".join(f"{load:.2f}" for load, _, _ in rounds) + "\n")
        print("| kernel | before (fastest) | now (fastest) | now / before | every round, before -> now |")
        print("|---|---:|---:|---:|---|")
        for name in rounds[0][1]:
            old = min(r[1][name] for r in rounds)
            new = min(r[2][name] for r in rounds)
            every = "; ".join(f"{r[1][name] * 1000:.1f} -> {r[2][name] * 1000:.1f}" for r in rounds)
            print(f"| {name} | {old * 1000:.1f} ms | {new * 1000:.1f} ms | {new / old:.2f} | {every} ms |")


if __name__ == "__main__":
    main()
