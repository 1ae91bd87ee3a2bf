"""The read path at scale: read, validate and compile from GeoJSON, GeoPackage and GeoParquet,
step by step with the peak memory of each run, and write ``docs/benchmarks-read.md``.

Usage::

    python benchmarks/bench_read.py [--sizes 100000 1000000] [--shapes spread,random] [--runs 3]
                                    [--before REV] [--keep DIR] [-o docs/benchmarks-read.md]

For each shape and size the network is generated as columns (``benchmarks/generate.py``,
no graph built) and written as GeoJSON (one FeatureCollection, the layout of
``generate.write_geojson``), a GeoPackage (layers ``nodes`` and ``edges``, as
``ogr2ogr`` writes them), and GeoParquet (one file of WKB geometries, as geopandas'
``to_parquet`` writes them, and a nodes file and an edges file in GeoArrow encoding).
GeoJSON and GeoPackage are written at the first size only unless ``--all-formats``: at a
million nodes the GeoJSON is past the 1 GiB input limit. Then, each run in a fresh
process:

- ``read`` (``read_raw``: the file into columns), ``validate`` (``check_blocks``),
  ``countries and lengths``, ``compile`` (``compile_network``: the snapshot, never the
  graph), and their total, the figure the targets are about (100k nodes: under 4 s from
  GeoPackage or GeoParquet, under 8 s from GeoJSON);
- ``graph`` : building the networkx graph afterwards, what the Python API pays on its
  first look at the nodes (the command line never does, for a report).

``--before REV`` also times the same files with supplynet at git revision ``REV`` (a
temporary worktree; its ``read_network`` then ``compile_network``), for the record of
what changed. The load average is taken before every run: the machine is shared.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_kernels import machine, speed_probe  # noqa: E402
from generate import Columns, shaped_columns  # noqa: E402

TARGETS = {"geojson": 8.0, "gpkg": 4.0, "parquet": 4.0, "geoarrow": 4.0}

_CHILD = """
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
import supplynet
from supplynet.engine.snapshot import compile_network
steps = [("imports", time.perf_counter() - t0)]
def step(name, run):
    start = time.perf_counter()
    out = run()
    steps.append((name, time.perf_counter() - start))
    return out
nodes, edges = {nodes!r}, {edges!r}
if {before!r}:
    G = step("read and validate (read_network)", lambda: supplynet.read_network(nodes, edges))
    snap = step("compile", lambda: compile_network(G))
else:
    from supplynet.io.read import read_raw
    from supplynet.io.validate import check_blocks
    from supplynet.network.graph import NetworkGraph, _compute
    raw = step("read", lambda: read_raw(nodes, edges))
    meta = {{**raw.meta, "source": raw.source, "sha256": raw.sha256}}
    report = step("validate", lambda: check_blocks(raw.blocks, meta))
    assert report.valid, report.problems[:3]
    del raw
    columns = step("countries and lengths", lambda: _compute(report))
    G = NetworkGraph.from_columns(columns)
    snap = step("compile", lambda: compile_network(G))
    step("graph", lambda: G.nodes)
print(json.dumps({{"steps": steps, "nodes": len(snap.nodes), "edges": len(snap.edges)}}))
"""


def write_geojson_columns(cols: Columns, path: Path) -> None:
    """Write generated columns as GeoJSON (``generate.write_geojson``'s layout, no graph built)."""
    import orjson

    feats = []
    for i, ident in enumerate(cols.node_id):
        props = {"id": ident, "type": str(cols.node_type[i]), "name": cols.node_name[i],
                 "cost": float(cols.node_cost[i]), "interdictable": bool(cols.node_interdictable[i])}
        if cols.node_capacity[i] == cols.node_capacity[i]:
            props["capacity"] = float(cols.node_capacity[i])
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [cols.lon[i], cols.lat[i]]},
                      "properties": props})
    for j, ident in enumerate(cols.edge_id):
        u, v = int(cols.tail[j]), int(cols.head[j])
        props = {"id": ident, "source": cols.node_id[u], "target": cols.node_id[v], "mode": str(cols.edge_mode[j]),
                 "length_km": float(cols.length[j]) / 1000.0}
        if cols.edge_capacity[j] == cols.edge_capacity[j]:
            props["capacity"] = float(cols.edge_capacity[j])
        coords = [[cols.lon[u], cols.lat[u]], [cols.lon[v], cols.lat[v]]]
        feats.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
                      "properties": props})
    path.write_bytes(orjson.dumps({"type": "FeatureCollection", "features": feats}, option=orjson.OPT_SERIALIZE_NUMPY))


def frames(cols: Columns):  # noqa: ANN201
    import geopandas as gpd
    import numpy as np
    import shapely

    nodes = gpd.GeoDataFrame(
        {"id": cols.node_id, "type": cols.node_type.astype(str), "name": cols.node_name, "cost": cols.node_cost,
         "interdictable": cols.node_interdictable.astype(bool), "capacity": cols.node_capacity},
        geometry=shapely.points(cols.lon, cols.lat), crs="EPSG:4326")
    ends = np.stack([np.column_stack([cols.lon[cols.tail], cols.lat[cols.tail]]),
                     np.column_stack([cols.lon[cols.head], cols.lat[cols.head]])], axis=1)
    ids = np.array(cols.node_id, dtype=object)
    edges = gpd.GeoDataFrame(
        {"id": cols.edge_id, "source": ids[cols.tail], "target": ids[cols.head], "mode": cols.edge_mode.astype(str),
         "length_km": cols.length / 1000.0, "capacity": cols.edge_capacity},
        geometry=shapely.linestrings(ends), crs="EPSG:4326")
    return nodes, edges


def write_files(cols: Columns, stem: Path, formats: tuple[str, ...]) -> dict[str, tuple[str, str | None, int]]:
    """Write ``cols`` in ``formats``; return ``{format: (path, edges path or None, bytes)}``."""
    import geopandas as gpd
    import pandas as pd
    import pyogrio

    out: dict[str, tuple[str, str | None, int]] = {}
    nodes, edges = frames(cols)
    if "geojson" in formats:
        path = stem.with_suffix(".geojson")
        write_geojson_columns(cols, path)
        out["geojson"] = (str(path), None, path.stat().st_size)
    if "gpkg" in formats:
        path = stem.with_suffix(".gpkg")
        pyogrio.write_dataframe(nodes, path, layer="nodes", driver="GPKG")
        pyogrio.write_dataframe(edges, path, layer="edges", driver="GPKG")
        out["gpkg"] = (str(path), None, path.stat().st_size)
    if "parquet" in formats:
        path = stem.with_suffix(".parquet")
        both = gpd.GeoDataFrame(pd.concat([nodes, edges], ignore_index=True), geometry="geometry", crs="EPSG:4326")
        both.to_parquet(path, index=False)
        out["parquet"] = (str(path), None, path.stat().st_size)
    if "geoarrow" in formats:
        n_path, e_path = stem.with_suffix(".nodes.parquet"), stem.with_suffix(".edges.parquet")
        nodes.to_parquet(n_path, index=False, geometry_encoding="geoarrow")
        edges.to_parquet(e_path, index=False, geometry_encoding="geoarrow")
        out["geoarrow"] = (str(n_path), str(e_path), n_path.stat().st_size + e_path.stat().st_size)
    return out


def run_child(code: str, env: dict[str, str] | None = None) -> tuple[float, dict, float]:
    """Run ``code`` in a fresh Python; return (wall seconds, its JSON, peak GB)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=out, stderr=err, text=True, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(err.read()[-2000:])
        return seconds, json.loads(out.read().strip().splitlines()[-1]), usage.ru_maxrss / 2**20


def worktree(rev: str) -> Path:
    """Return a checkout of ``rev`` in a temporary folder (git worktree)."""
    folder = Path(tempfile.mkdtemp(prefix="supplynet-before-"))
    subprocess.run(["git", "worktree", "add", "--detach", str(folder), rev], cwd=ROOT, check=True,
                   capture_output=True)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--shapes", default="spread,random")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--all-formats", action="store_true", help="GeoJSON and GeoPackage at every size too")
    parser.add_argument("--before", metavar="REV", help="also time supplynet at this git revision")
    parser.add_argument("--keep", help="write the files here and keep them (default: a temporary folder)")
    parser.add_argument("-o", "--output", default=str(ROOT / "docs" / "benchmarks-read.md"))
    args = parser.parse_args()
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    started = datetime.datetime.now(datetime.timezone.utc)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="supplynet-read-"))
    folder.mkdir(parents=True, exist_ok=True)
    before = worktree(args.before) if args.before else None
    rows = []
    try:
        for n in args.sizes:
            for shape in args.shapes.split(","):
                if shape != args.shapes.split(",")[0] and n != args.sizes[0]:
                    continue  # the read path does not care about the shape: one at the larger sizes
                formats = ("geojson", "gpkg", "parquet", "geoarrow") if (n == args.sizes[0] or args.all_formats) \
                    else ("parquet", "geoarrow")
                stem = folder / f"{shape}-{n}"
                start = time.perf_counter()
                files = write_files(shaped_columns(shape, n, seed=0), stem, formats)
                log(f"{shape} {n:,}: written in {time.perf_counter() - start:.0f} s")
                for fmt, (path, edges, size) in files.items():
                    for k in range(args.runs):
                        for rev, root in (("now", ROOT), *((("before", before),) if before else ())):
                            load = os.getloadavg()[0]
                            code = _CHILD.format(root=str(root), nodes=path, edges=edges, before=rev == "before")
                            try:
                                wall, out, peak = run_child(code)
                            except RuntimeError as exc:
                                log(f"  {fmt} {rev}: failed: {str(exc).strip().splitlines()[-1]}")
                                rows.append({"shape": shape, "n": n, "format": fmt, "rev": rev, "run": k + 1,
                                             "failed": str(exc).strip().splitlines()[-1].split(": ")[-1][:80], "load": load,
                                             "bytes": size})
                                continue
                            steps = dict(out["steps"])
                            total = sum(v for name, v in out["steps"] if name not in ("imports", "graph"))
                            rows.append({"shape": shape, "n": n, "format": fmt, "rev": rev, "run": k + 1,
                                         "steps": steps, "total": total, "peak": peak, "load": load, "bytes": size,
                                         "nodes": out["nodes"], "edges": out["edges"]})
                            log(f"  {fmt} {rev} run {k + 1}: {total:.2f} s, peak {peak:.2f} GB (load {load:.1f})")
    finally:
        if before is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT, check=False,
                           capture_output=True)
    write_page(Path(args.output), rows, started, args)


def write_page(path: Path, rows: list[dict], started: datetime.datetime, args: argparse.Namespace) -> None:
    names = {"geojson": "GeoJSON", "gpkg": "GeoPackage", "parquet": "GeoParquet (WKB, one file)",
             "geoarrow": "GeoParquet (GeoArrow, two files)"}
    lines = [
        "# Benchmarks: the read path",
        "",
        "Written by `benchmarks/bench_read.py` (`python benchmarks/bench_read.py "
        + " ".join(f"--sizes {' '.join(map(str, args.sizes))}".split()) + f" --shapes {args.shapes} --runs {args.runs}"
        + (f" --before {args.before}" if args.before else "") + "`); every figure is measured, each run in a "
        "fresh process. The targets (issue 13): at 100,000 nodes read + validate + compile under 4 s from "
        "GeoPackage or GeoParquet and under 8 s from GeoJSON; at a million nodes from GeoParquet the read must "
        "leave room in the 60 s of the whole pipeline (docs/benchmarks-scale.md times it end to end), in 8 GB.",
        "",
        f"Run started {started:%Y-%m-%d %H:%M} UTC on:",
        "",
        *machine(),
        f"- speed probe (a fixed numpy workload, lower is faster): {speed_probe():.2f} s",
        "",
        "The networks are `benchmarks/generate.py`'s road-like ones (`spread`: 5 % sources and 5 % sinks; "
        "`random`: 50 and 50 at 100k), about 3.6 arcs per node, each edge a two-point LineString with "
        "`length_km`. Steps: `read` the file into columns; `validate` every check; `countries and lengths`; "
        "`compile` the snapshot. `total` is their sum, what a command pays before its analysis; `graph` is "
        "building the networkx graph afterwards, which the command line never does for a report and the "
        "Python API does on its first look at the nodes. `before` is supplynet at the revision named, which "
        "read every format through a list of feature dicts and a networkx graph. `peak` is the process's "
        "maximum resident set; `load` the 1-minute load average when the run started (2 cores, shared).",
        "",
        "| nodes | shape | format | file MB | code | run | read | validate | countries, lengths | compile | "
        "**total** | target | graph | peak GB | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        head = (f"| {r['n']:,} | {r['shape']} | {names[r['format']]} | {r['bytes'] / 1e6:,.0f} | {r['rev']} | "
                f"{r['run']} |")
        if "failed" in r:
            lines.append(f"{head} failed: {r['failed']} | | | | | | | | {r['load']:.1f} |")
            continue
        s = r["steps"]
        if r["rev"] == "before":
            cells = f" {s['read and validate (read_network)']:.2f} (with validate) | | | {s['compile']:.2f} |"
        else:
            cells = (f" {s['read']:.2f} | {s['validate']:.2f} | {s['countries and lengths']:.2f} | "
                     f"{s['compile']:.2f} |")
        target = TARGETS[r["format"]] if r["n"] <= 100_000 else None
        mark = "" if target is None else (f"{target:g} s" + (" met" if r["total"] < target else " **missed**"))
        graph = f"{s['graph']:.2f}" if "graph" in s else "-"
        lines.append(f"{head}{cells} **{r['total']:.2f}** | {mark} | {graph} | {r['peak']:.2f} | {r['load']:.1f} |")
    lines.append("")
    path.write_text("\n".join(lines))
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
