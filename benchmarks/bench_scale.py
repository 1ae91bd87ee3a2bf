"""One million nodes on one machine: read, validate, solve, sweep and report, with the
peak memory of each run, and write ``docs/benchmarks-scale.md``.

Usage::

    python benchmarks/bench_scale.py [--nodes 1000000] [--variants spread,random-nc]
                                     [--runs 2] [--report-variants random-nc] [--keep DIR]
                                     [-o docs/benchmarks-scale.md]

For each variant (a shape of ``benchmarks/generate.py``; ``-nc``: no node capacities) the
network is generated as columns and written as GeoParquet (a nodes file and an edges
file, no graph built). Then, each in a fresh process, run after run:

- the pipeline: ``read_network`` (read and validate), ``compile_network``,
  ``Snapshot.solve()`` (the max flow and both cuts side by side), the three results as the
  API returns them, and ``flow_loss`` of every node, each step timed;
- the same from ``NetworkArrays`` built in memory (no file read), for comparison;
- ``supplynet report NODES --edges EDGES --format json`` end to end (``--report-variants``),
  sampled betweenness as the report does past 20,000 nodes.

Peak memory is the process's maximum resident set (``wait4``'s ``ru_maxrss``), the load
average is taken before every run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_kernels import machine, speed_probe, variant_columns  # noqa: E402
from generate import write_geoparquet  # noqa: E402

TARGET_PIPELINE_S = 60.0  # issue 13: read, validate, max flow, both cuts, flow loss of every node
TARGET_REPORT_S = 180.0  # the full report, sampled betweenness
TARGET_PEAK_GB = 8.0

_PIPELINE = """
import json, sys, time
t0 = time.perf_counter()
sys.path[:0] = [{root!r}, {bench!r}]
import supplynet
from supplynet.analysis.flow import compile_network, flow_loss, max_flow, min_edge_cut, min_node_cut
steps = []
def step(name, run):
    start = time.perf_counter()
    out = run()
    steps.append((name, time.perf_counter() - start))
    return out
steps.append(("imports", time.perf_counter() - t0))
if {from_arrays!r}:
    from generate import to_arrays
    from bench_kernels import variant_columns
    from supplynet.engine.snapshot import Snapshot
    arrays = to_arrays(variant_columns({variant!r}, {n}, 0))
    t1 = time.perf_counter()
    snap = step("compile from NetworkArrays", lambda: Snapshot.from_arrays(arrays))
else:
    t1 = time.perf_counter()
    G = step("read and validate (read_network)", lambda: supplynet.read_network({nodes!r}, {edges!r}))
    snap = step("compile (compile_network)", lambda: compile_network(G))
step("max flow and both cuts (Snapshot.solve)", lambda: snap.solve())
step("their results (max_flow, min_edge_cut, min_node_cut)",
     lambda: (max_flow(snap), min_edge_cut(snap), min_node_cut(snap)))
loss = step("flow loss of every node (flow_loss)", lambda: flow_loss(snap, elements="nodes"))
total = time.perf_counter() - t1
print(json.dumps({{"steps": steps, "total": total, "max_flow": snap.max_flow_value(),
                  "carrying": int((loss > 0).sum()), "nodes": len(snap.nodes), "edges": len(snap.edges),
                  "counts": getattr(snap, "_sweep_counts", {{}})}}))
"""


def run_child(cmd: list[str], env: dict | None = None) -> tuple[float, float, int, str, str]:
    """Return ``(seconds, peak GB, exit code, stdout, stderr)`` of a fresh process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return seconds, usage.ru_maxrss / 2**20, proc.returncode, out.read(), err.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--variants", default="spread,random-nc")
    parser.add_argument("--report-variants", default="random-nc")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--keep", help="write the files here and keep them (default: a temporary folder)")
    parser.add_argument("-o", "--output", default=str(ROOT / "docs" / "benchmarks-scale.md"))
    args = parser.parse_args()
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    started = datetime.datetime.now(datetime.timezone.utc)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="supplynet-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    exe = shutil.which("supplynet", path=str(Path(sys.executable).parent)) or "supplynet"
    pipeline_rows, report_rows, files = [], [], {}
    try:
        for variant in args.variants.split(","):
            nodes, edges = folder / f"{variant}-{args.nodes}.nodes.parquet", folder / f"{variant}-{args.nodes}.edges.parquet"
            if not (nodes.exists() and edges.exists()):
                start = time.perf_counter()
                write_geoparquet(variant_columns(variant, args.nodes, 0), nodes, edges)
                log(f"{variant}: generated and written in {time.perf_counter() - start:.0f} s")
            files[variant] = (nodes.stat().st_size + edges.stat().st_size) / 1e6
            for k in range(args.runs):
                for from_arrays in (False, True):
                    code = _PIPELINE.format(root=str(ROOT), bench=str(ROOT / "benchmarks"), from_arrays=from_arrays,
                                            variant=variant, n=args.nodes, nodes=str(nodes), edges=str(edges))
                    load = os.getloadavg()
                    probe = speed_probe()
                    seconds, peak, rc, out, err = run_child([sys.executable, "-c", code])
                    result = json.loads(out.strip().splitlines()[-1]) if rc == 0 else {"error": err.strip()[-400:]}
                    pipeline_rows.append((variant, k + 1, from_arrays, load, probe, seconds, peak, result))
                    log(f"{variant} run {k + 1} {'arrays' if from_arrays else 'file'}: {seconds:.1f} s, "
                        f"peak {peak:.2f} GB, exit {rc}")
            if variant in args.report_variants.split(","):
                for k in range(args.runs):
                    cmd = [exe, "report", str(nodes), "--edges", str(edges), "--format", "json", "-o",
                           str(folder / "report.json"), "--overwrite"]
                    load = os.getloadavg()
                    probe = speed_probe()
                    seconds, peak, rc, _, err = run_child(cmd)
                    report_rows.append((variant, k + 1, load, probe, seconds, peak, rc, err.strip()[-300:]))
                    log(f"report {variant} run {k + 1}: {seconds:.1f} s, peak {peak:.2f} GB, exit {rc}")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    write_page(args, started, pipeline_rows, report_rows, files)
    log(f"wrote {args.output}")


def write_page(args, started, pipeline_rows, report_rows, files) -> None:
    command = " ".join(["python", "benchmarks/bench_scale.py", *sys.argv[1:]])
    lines = ["# Benchmarks: one million nodes on one machine", "",
             f"Measured {started:%Y-%m-%d %H:%M} UTC by `{command}`. Networks from `benchmarks/generate.py` at "
             f"{args.nodes:,} nodes (shapes as in [benchmarks.md](benchmarks.md)), written as GeoParquet (a nodes "
             "file and an edges file): " + ", ".join(f"{v} {mb:.0f} MB" for v, mb in files.items()) + ".", "",
             *machine(), "", "## Targets (issue 13)", ""]
    for variant in dict.fromkeys(r[0] for r in pipeline_rows):
        done = [r for r in pipeline_rows if r[0] == variant and not r[2] and "error" not in r[7]]
        if done:
            best = min(r[7]["total"] for r in done)
            peak = max(r[6] for r in done)
            ok = "PASS" if best < TARGET_PIPELINE_S else "FAIL"
            every = ", ".join(f"{r[7]['total']:.1f}" for r in done)
            lines.append(f"- **{ok}** {variant}: read, validate, compile, max flow, both cuts and the flow loss of "
                         f"every node: {best:.1f} s in the fastest of {len(done)} runs "
                         f"({every} s; target < {TARGET_PIPELINE_S:.0f} s)")
            ok = "PASS" if peak < TARGET_PEAK_GB else "FAIL"
            lines.append(f"- **{ok}** {variant}: peak memory of that process {peak:.2f} GB (target < {TARGET_PEAK_GB:.0f} GB)")
    for variant in dict.fromkeys(r[0] for r in report_rows):
        done = [r for r in report_rows if r[0] == variant and r[6] == 0]
        if done:
            best, peak = min(r[4] for r in done), max(r[5] for r in done)
            ok = "PASS" if best < TARGET_REPORT_S else "FAIL"
            lines.append(f"- **{ok}** {variant}: `supplynet report` end to end {best:.0f} s fastest of {len(done)} "
                         f"(target < {TARGET_REPORT_S:.0f} s); **{'PASS' if peak < TARGET_PEAK_GB else 'FAIL'}** "
                         f"peak {peak:.2f} GB")
        else:
            lines.append(f"- **FAIL** {variant}: `supplynet report` did not finish")
    lines += ["", "## The pipeline, run by run", "",
              "Each run is a fresh process; `file` reads the GeoParquet files, `arrays` compiles the same network "
              "from `NetworkArrays` built in memory (the steps before compiling not counted). Seconds; the total "
              "excludes the imports.", "",
              "| variant | run | input | load (1, 5, 15 min) | speed probe | steps (s) | total | peak memory | "
              "max flow | nodes carrying flow |", "|---|---:|---|---|---:|---|---:|---:|---:|---:|"]
    for variant, k, arrays, load, probe, seconds, peak, result in pipeline_rows:
        if "error" in result:
            lines.append(f"| {variant} | {k} | {'arrays' if arrays else 'file'} | {load[0]:.2f}, {load[1]:.2f}, "
                         f"{load[2]:.2f} | {probe * 1000:.0f} ms | failed: {result['error'][-200:]} | | {peak:.2f} GB | | |")
            continue
        steps = "; ".join(f"{name} {t:.2f}" for name, t in result["steps"])
        lines.append(f"| {variant} | {k} | {'arrays' if arrays else 'file'} | {load[0]:.2f}, {load[1]:.2f}, "
                     f"{load[2]:.2f} | {probe * 1000:.0f} ms | {steps} | {result['total']:.1f} s | {peak:.2f} GB | "
                     f"{result['max_flow']:,.0f} | {result['carrying']:,} |")
    counts = next((r[7].get("counts") for r in pipeline_rows if "counts" in r[7]), None)
    if counts:
        lines += ["", "Work of the flow-loss sweep (first variant, exact counts, the same on every run): "
                  + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + "."]
    if report_rows:
        lines += ["", "## The report end to end", "",
                  "`supplynet report NODES --edges EDGES --format json -o OUT` in a fresh process.", "",
                  "| variant | run | load (1, 5, 15 min) | speed probe | wall clock | peak memory | exit |",
                  "|---|---:|---|---:|---:|---:|---|"]
        for variant, k, load, probe, seconds, peak, rc, err in report_rows:
            lines.append(f"| {variant} | {k} | {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} | {probe * 1000:.0f} ms | "
                         f"{seconds:.1f} s | {peak:.2f} GB | {rc}{'' if rc == 0 else ': ' + err[-200:]} |")
    Path(args.output).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
