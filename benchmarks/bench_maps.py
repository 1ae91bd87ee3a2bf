"""How long a big offline map takes to write, and to draw in Chromium.

For each size, a seeded road-like network (``benchmarks/generate.py``) gets synthetic
analysis results of realistic shape (supply betweenness from a seeded Pareto, flows on
every edge, 40-edge and 30-node cuts, 10 ranked points), so the figures measure the map
alone, not the kernels (see ``bench_kernels.py`` for those). Measured:

* write: :func:`supplynet.maps.render.write_map` (build the layers, folium, checks, atomic write);
* load: navigation start to ``window.supplynet.renderedAt``, two animation frames after
  Leaflet added the last layer and the canvas drew it, in headless Chromium with every
  network request blocked;
* zoom: one zoom step with every layer on, to the second frame after it;
* popup: a click on a node to its popup being open.

Run ``python benchmarks/bench_maps.py`` (``--sizes 10000 50000 --runs 3``); it writes the
table to ``docs/benchmarks-maps.md`` and prints it.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
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

_ZOOM = """async () => {
    const map = window.supplynet.map, frame = () => new Promise(r => requestAnimationFrame(r));
    const t0 = performance.now();
    map.setZoom(map.getZoom() + 1, {animate: false});
    await frame(); await frame();
    return performance.now() - t0;
}"""
_POPUP = """async () => {
    const entry = window.supplynet.layers.find(e => e.group === 'nodes');
    const node = entry.layer.getLayers()[0], frame = () => new Promise(r => requestAnimationFrame(r));
    const t0 = performance.now();
    node.fire('click', {latlng: node.getLatLng()}, true);
    await frame();
    const ok = entry.layer.getPopup().isOpen();
    return ok ? performance.now() - t0 : null;
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


def time_write(G: nx.MultiDiGraph, results: MapResults, path: Path, runs: int) -> list[float]:
    """Return the seconds each of ``runs`` writes of the map took."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        write_map(G, path, results, overwrite=True)
        times.append(time.perf_counter() - t0)
    return times


def time_load(browser: Any, path: Path) -> dict[str, float]:
    """Return load, zoom and popup times (s) and JS heap (MB) of one fresh page."""
    page = browser.new_page(viewport=VIEWPORT)
    blocked: list[str] = []
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
               else (blocked.append(r.request.url), r.abort()))
    page.goto(path.as_uri(), timeout=600_000)
    deadline = time.monotonic() + 600
    while not page.evaluate("!!(window.supplynet && window.supplynet.ready)"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} never finished drawing")
        time.sleep(0.02)
    out = {
        "load": page.evaluate("window.supplynet.renderedAt") / 1000.0,
        "zoom": page.evaluate(_ZOOM) / 1000.0,
        "popup": (page.evaluate(_POPUP) or float("nan")) / 1000.0,
        "heap": page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0") / 1e6,
    }
    page.close()
    if blocked:
        raise RuntimeError(f"the map tried to fetch {blocked[:3]}")
    return out


def measure(sizes: list[int], runs: int, seed: int) -> list[dict[str, Any]]:
    """Return one row of figures per network size."""
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for n in sizes:
            G = road_network(n, seed=seed)
            path = Path(tmp) / f"map{n}.html"
            writes = time_write(G, synthetic_results(G, seed), path, runs)
            loads = [time_load(browser, path) for _ in range(runs)]
            rows.append({
                "nodes": n, "edges": G.number_of_edges(), "mb": path.stat().st_size / 1e6,
                "write": statistics.median(writes),
                **{k: statistics.median(x[k] for x in loads) for k in loads[0]},
            })
            print(f"{n} nodes: {rows[-1]}", file=sys.stderr)
        browser.close()
    return rows


def _machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    import folium

    return (f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, folium {folium.__version__}, {chromium or 'Chromium'} headless")


def to_markdown(rows: list[dict[str, Any]], runs: int, seed: int) -> str:
    """Return the figures as the Markdown page ``docs/benchmarks-maps.md``."""
    lines = [
        "# Map benchmarks",
        "",
        "How long `supplynet map` output takes to write and to draw. Produced by "
        f"`python benchmarks/bench_maps.py` (median of {runs} runs, seed {seed}).",
        "",
        f"Machine: {_machine()}.",
        "",
        "Networks: `benchmarks/generate.py` road-like networks (k nearest neighbours plus a spanning "
        "tree, about 3.5 arcs per node); analysis results are synthetic (see the script), so the "
        "figures are the map's alone. Every layer is on, as a map opens.",
        "",
        "| nodes | edges | file | write | load (to all layers drawn) | zoom one step | open a popup | JS heap |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['nodes']:,} | {r['edges']:,} | {r['mb']:.0f} MB | {r['write']:.1f} s | "
                     f"{r['load']:.1f} s | {r['zoom'] * 1000:.0f} ms | {r['popup'] * 1000:.0f} ms | "
                     f"{r['heap']:.0f} MB |")
    lines += [
        "",
        "- *write*: `write_map` end to end: layers built and escaped, folium render (which "
        "re-parses every layer's script as a Jinja2 template), offline check, CSP, inlining, "
        "atomic write.",
        "- *load*: navigation start to two animation frames after the last layer was added, "
        "with every network request blocked (none was attempted).",
        "- *zoom*: one zoom step to the second frame after it, all layers on (the canvas redraws "
        "every feature).",
        "- *open a popup*: a click on a node to its popup being shown.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "docs" / "benchmarks-maps.md")
    args = parser.parse_args(argv)
    text = to_markdown(measure(args.sizes, args.runs, args.seed), args.runs, args.seed)
    args.output.parent.mkdir(exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
