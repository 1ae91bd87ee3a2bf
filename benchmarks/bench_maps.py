"""How big a map is, how long it takes to write, to open and to pan, in headless Chromium.

Networks: the corridor with its real analysis, and seeded road-like networks
(``benchmarks/generate.py``) of 100,000 nodes (357,130 edges) and 280,000 nodes (999,619
edges, "a million") with synthetic analysis results of realistic shape (supply betweenness
from a seeded Pareto, flows on every edge, 40-edge and 30-node cuts, 10 ranked points), so
the figures measure the map alone; the 100,000-node network twice, with a source and a
sink in every twentieth node, and with ten sources far west and ten sinks far east (every
one of them labelled). Measured, run by run:

* **write**: :func:`supplynet.maps.render.write_map` end to end, wall and CPU time, with the
  seconds of each of its phases (``building layers``, ``encoding``, ``writing``) as its
  progress object reports them; the file size;
* **ready**: navigation start to ``window.supplynet.ready`` (set by the drawing code once every
  tile of the view and the overlay are drawn), with every request but the page blocked;
* **pan** and **zoom**: a step without animation (``panBy`` 300 px / ``setZoom`` one level),
  then animation frames until every tile is drawn; the figure is the longest gap between two
  frames (what a user sees as a stall), median and worst over the steps of a run;
* **heap**: the JS heap in use after opening (CDP ``JSHeapUsedSize``).

``--supercluster FILE`` also times the Supercluster library (its ``dist/supercluster.min.js``,
e.g. from ``npm pack supercluster@9.1.0``) indexing the same nodes in the page, the
alternative to the clusters supplynet computes in Python (``supplynet/maps/lod.py``).

Run ``python benchmarks/bench_maps.py`` (``--runs 3 --big-runs 2``; ``--sizes 100000`` to skip
the million); it adds its runs to ``docs/benchmarks-maps.md`` (``--output``) and prints them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import road_network  # noqa: E402

from supplynet.maps.render import MapResults, write_map  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}
MARK = "<!-- runs: the script adds a row per run above this line -->"

# One step, then frames until every tile is drawn: [longest frame gap, time to settle] in ms.
_STEP = """async ([kind, arg]) => {
    const sn = window.supplynet, map = sn.map, layer = sn.layer, frame = () => new Promise(r => requestAnimationFrame(r));
    await frame(); await frame();
    const t0 = performance.now();
    if (kind === 'pan') map.panBy(arg, {animate: false}); else map.setZoom(map.getZoom() + arg, {animate: false});
    let last = t0, worst = 0, n = 0;
    while (true) {
        await frame();
        const t = performance.now();
        worst = Math.max(worst, t - last); last = t; n++;
        if ((n >= 2 && layer.isIdle()) || t - t0 > 30000) break;
    }
    return [worst, last - t0];
}"""

_SUPERCLUSTER = """() => {
    const net = window.supplynet.layer.net, A = net.arrays, pts = [];
    for (let i = 0; i < net.n; i++) if (!(A.nflags[i] & 16))
        pts.push({type: 'Feature', properties: {i: i}, geometry: {type: 'Point', coordinates: [A.lon[i], A.lat[i]]}});
    const t0 = performance.now();
    new Supercluster({radius: 40, maxZoom: 11, minPoints: 3, extent: 256}).load(pts);
    return [pts.length, performance.now() - t0];
}"""


def synthetic_results(G: nx.MultiDiGraph, seed: int = 0) -> MapResults:
    """Return seeded analysis results shaped like real ones, for timing the map alone."""
    rng = np.random.default_rng(seed)
    nodes = list(G.nodes)
    edges = [k for *_, k in G.edges(keys=True)]
    return MapResults(
        sources=[n for n in nodes if G.nodes[n]["type"] == "manufacturing"],
        sinks=[n for n in nodes if G.nodes[n]["type"] == "assembly"],
        supply_betweenness=pd.Series(rng.pareto(2.0, len(nodes)), index=nodes),
        edge_flow=pd.Series(rng.integers(0, 50, len(edges)).astype(float), index=edges),
        min_edge_cut=list(rng.choice(edges, 40, replace=False)),
        min_node_cut=list(rng.choice(nodes, 30, replace=False)),
        top_points=list(rng.choice(nodes, 10, replace=False)),
        max_flow=1000.0,
    )


class _Phases:
    """A progress object that keeps how long each phase of a write took."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def phase(self, name: str, unit: str = "") -> Any:
        start = time.perf_counter()

        def tick(done: int, total: int) -> None:
            self.seconds[name] = time.perf_counter() - start

        return tick


def time_write(G: nx.MultiDiGraph, results: MapResults, path: Path) -> dict[str, Any]:
    """Return the wall and CPU seconds of one write, its phases and the file's size."""
    phases = _Phases()
    wall, cpu = time.perf_counter(), time.process_time()
    write_map(G, path, results, overwrite=True, progress=phases)
    return {"write": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "mb": path.stat().st_size / 1e6,
            "phases": {k: round(v, 2) for k, v in phases.seconds.items()}}


def _heap_mb(page: Any) -> float:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    cdp.detach()
    return metrics["JSHeapUsedSize"] / 1e6


def time_open(browser: Any, path: Path, *, steps: bool, supercluster: str | None = None) -> dict[str, Any]:
    """Open the map in a fresh page with every request blocked; return its figures."""
    page = browser.new_page(viewport=VIEWPORT)
    blocked: list[str] = []
    errors: list[str] = []
    page.route("**/*", lambda r: r.continue_() if r.request.url == path.as_uri()
               else (blocked.append(r.request.url), r.abort()))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri(), timeout=600_000)
    deadline = time.monotonic() + 600
    while not page.evaluate("!!(window.supplynet && (window.supplynet.ready || window.supplynet.error))"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} never finished drawing")
        time.sleep(0.02)
    sn = page.evaluate("({ready: window.supplynet.renderedAt, nodes: window.supplynet.nodes, "
                       "edges: window.supplynet.edges, error: window.supplynet.error || null})")
    if sn["error"]:
        raise RuntimeError(sn["error"])
    out: dict[str, Any] = {"ready": sn["ready"] / 1000, "nodes": sn["nodes"], "edges": sn["edges"],
                           "heap": _heap_mb(page)}
    if steps:
        pans = [page.evaluate(_STEP, ["pan", d]) for d in ([300, 0], [0, 200], [-300, 0], [0, -200]) * 2]
        zooms = [page.evaluate(_STEP, ["zoom", dz]) for dz in (1, 1, 1, -1, -1, -1)]
        out.update(pan=statistics.median(p[0] for p in pans), pan_max=max(p[0] for p in pans),
                   zoom=statistics.median(z[0] for z in zooms), zoom_max=max(z[0] for z in zooms),
                   settle=statistics.median(s[1] for s in pans + zooms))
    if supercluster:
        page.evaluate(Path(supercluster).read_text(encoding="utf-8"))  # a UMD bundle: defines Supercluster
        out["supercluster"] = page.evaluate(_SUPERCLUSTER)
    page.close()
    if blocked or errors:
        raise RuntimeError(f"the map tried to fetch {blocked[:3]} or failed: {errors[:3]}")
    return out


def _clusters_seconds(G: nx.MultiDiGraph) -> float:
    """Return how long supplynet's own clustering of every node takes (all zooms)."""
    from supplynet.maps.lod import mercator, node_clusters

    lon = np.array([d["x"] for _, d in G.nodes(data=True)])
    lat = np.array([d["y"] for _, d in G.nodes(data=True)])
    types = np.zeros(len(lon), np.int64)
    t0 = time.perf_counter()
    node_clusters(*mercator(lon, lat), types, 1)
    return time.perf_counter() - t0


def _network(size: str, seed: int) -> tuple[nx.MultiDiGraph, MapResults]:
    if size == "corridor":
        import supplynet
        from supplynet.maps.render import analyse_for_map

        G = supplynet.read_network(ROOT / "datasets" / "corridor.geojson")
        return G, analyse_for_map(G)
    count, _, shape = size.partition(":")
    G = road_network(int(count), seed=seed)
    results = synthetic_results(G, seed)
    if shape == "few":  # ten sources in the far west, ten sinks in the far east: long routes
        by_x = sorted(G.nodes, key=lambda n: (G.nodes[n]["x"], n))
        results = replace(results, sources=by_x[:10], sinks=by_x[-10:])
    return G, results


def measure(sizes: list[str], runs: int, big_runs: int, seed: int, supercluster: str | None) -> list[dict[str, Any]]:
    """Return one row of figures per run and network."""
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size in sizes:
            t0 = time.perf_counter()
            G, results = _network(size, seed)
            print(f"{size}: network in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
            cluster_s = _clusters_seconds(G) if size != "corridor" else None
            path = Path(tmp) / f"map-{size}.html"
            for run in range(runs if size in ("corridor", "100000") else big_runs):  # bigger or other shapes: fewer
                row: dict[str, Any] = {"network": size, "run": run + 1, "load": os.getloadavg()[0]}
                row.update(time_write(G, results, path))
                row.update(time_open(browser, path, steps=True, supercluster=supercluster if size != "corridor" else None))
                row["clusters_py"] = cluster_s
                row["load_after"] = os.getloadavg()[0]
                rows.append(row)
                print(json.dumps(row), file=sys.stderr)
        browser.close()
    return rows


def _machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    import folium

    return (f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, folium {folium.__version__}, {chromium or 'Chromium'} headless")


_NAMES = {"corridor": "corridor (56 / 100)", "100000": "100,000 / 357,130", "280000": "280,000 / 999,619",
          "100000:few": "100,000 / 357,130, 10 sources and 10 sinks far apart"}


def to_rows(rows: list[dict[str, Any]], stamp: str) -> list[str]:
    """Return one Markdown table row per run."""
    out = []
    for r in rows:
        phases = ", ".join(f"{k} {v:.1f}" for k, v in r["phases"].items())
        sc = r.get("supercluster")
        clusters = (f"{r['clusters_py']:.2f} s" if r["clusters_py"] is not None else "-") + \
            (f" (Supercluster {sc[1] / 1000:.2f} s for {sc[0]:,})" if sc else "")
        out.append(
            f"| {stamp} | {_NAMES.get(r['network'], r['network'])} | {r['run']} | {r['load']:.1f}-{r['load_after']:.1f} "
            f"| {r['mb']:.1f} MB | {r['write']:.1f} s ({r['cpu']:.1f} s CPU; {phases}) | {r['ready']:.2f} s "
            f"| {r['pan']:.0f} ({r['pan_max']:.0f}) ms | {r['zoom']:.0f} ({r['zoom_max']:.0f}) ms | {r['settle']:.0f} ms "
            f"| {r['heap']:.0f} MB | {clusters} |")
    return out


_HEADER = """# Map benchmarks

How big `supplynet map` output is, how long it takes to write, to open and to pan. Produced
by `python benchmarks/bench_maps.py`, which adds a row per run to the table below (the
machine of each session is listed under it). Networks: the corridor with its real analysis,
and `benchmarks/generate.py` road-like networks (k nearest neighbours plus a spanning tree,
about 3.5 arcs per node) with synthetic analysis results (see the script), so the figures
are the map's alone. Every request but the page itself is blocked; none was attempted.

Targets (issue 14): at 100,000 nodes / 357,130 edges a file under 60 MB, written in under
15 s, all layers drawn under 8 s after opening, a pan or zoom frame under 100 ms, a JS heap
under 600 MB; a million edges opens and pans; the corridor opens in under 1 s.

- *load*: the machine's load average (1 minute) before and after the run: the machine is
  shared, and wall-clock figures grow with it (CPU time much less).
- *write*: `write_map` end to end, wall time, its CPU time and the wall seconds of its phases.
- *ready*: navigation start to `window.supplynet.ready`, which the drawing code sets once every
  tile of the opening view and the overlay (cuts, call-outs, labels) are drawn.
- *pan*, *zoom*: the longest gap between two animation frames after a pan of 300 or 200 px or a
  zoom of one level, until every tile is drawn: median of the run's steps (worst in brackets);
  *settle*: median time until every tile is drawn.
- *heap*: the JS heap in use once open (typed arrays and canvases live outside it).
- *clusters*: supplynet's own clustering of every node at every zoom, in Python at write time
  (part of the write), and, when measured, Supercluster 9.1.0 indexing the same nodes in the
  page, the library the prototype used.

| date | nodes / edges | run | load | file | write | ready | pan frame | zoom frame | settle | heap | clusters |
|---|---|---:|---|---:|---|---:|---:|---:|---:|---:|---|
"""


def update_doc(path: Path, rows: list[dict[str, Any]]) -> str:
    """Add the runs to the Markdown page (creating it), with this machine; return the page."""
    stamp = time.strftime("%Y-%m-%d")
    text = path.read_text(encoding="utf-8") if path.exists() and MARK in path.read_text(encoding="utf-8") \
        else _HEADER + MARK + "\n\nMachines:\n"
    table, tail = text.split(MARK, 1)
    machine = f"- {stamp}: {_machine()}."
    if machine not in tail:
        tail = tail.rstrip("\n") + "\n" + machine + "\n"
    text = table + "\n".join(to_rows(rows, stamp)) + "\n" + MARK + tail
    path.write_text(text, encoding="utf-8")
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["corridor", "100000", "100000:few", "280000"],
                        help="corridor, a node count, or COUNT:few (ten sources and ten sinks far apart)")
    parser.add_argument("--runs", type=int, default=3, help="runs of the corridor and 100k maps")
    parser.add_argument("--big-runs", type=int, default=2, help="runs of bigger maps")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--supercluster", default=None, metavar="FILE",
                        help="supercluster.min.js, to time it indexing the same nodes")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "docs" / "benchmarks-maps.md")
    args = parser.parse_args(argv)
    rows = measure(args.sizes, args.runs, args.big_runs, args.seed, args.supercluster)
    args.output.parent.mkdir(exist_ok=True)
    update_doc(args.output, rows)
    print("\n".join(to_rows(rows, time.strftime("%Y-%m-%d"))))


if __name__ == "__main__":
    main()
