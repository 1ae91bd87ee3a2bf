"""Output conventions of every command (issue 12): checked before the work, format by suffix,
one CSV table per file, charts by suffix, -q and -v anywhere, text that scales."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import supplynet
from supplynet.cli import main

ROOT = Path(__file__).resolve().parent.parent
DIAMOND = ROOT / "tests" / "data" / "diamond.geojson"
CORRIDOR = ROOT / "datasets" / "corridor.geojson"
SCENARIOS = ROOT / "datasets" / "corridor-scenarios.yaml"


def invoke(*args: str) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


# --- every output is checked before any work ----------------------------------------------

COMMANDS = {
    "report": ["report", DIAMOND],
    "whatif": ["whatif", DIAMOND, "--remove", "a"],
    "plan": ["plan", DIAMOND, "--budget", "1"],
    "plan --chart": ["plan", DIAMOND, "--budget", "1", "--chart", "{out}.svg", "-o", "{out}.fresh.txt"],
    "export": ["export", DIAMOND],
    "export --split": ["export", DIAMOND, "--split", "-o", "{out}.geojson"],
    "map": ["map", DIAMOND],
    "info": ["info", DIAMOND],
    "uncertainty": ["uncertainty", DIAMOND, "--samples", "10"],
    "campaign": ["campaign", DIAMOND, "--horizon", "5", "--budget", "1"],
}
_SUFFIX = {"export": ".geojson", "map": ".html"}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_an_existing_output_is_refused_before_reading(name: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import supplynet.network.graph

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("read the network although the output would be refused")

    monkeypatch.setattr(supplynet.network.graph, "read_network", fail)
    base = tmp_path / "out"
    args = [str(a).format(out=base) for a in COMMANDS[name]]
    if "-o" not in args:
        args += ["-o", f"{base}{_SUFFIX.get(args[0], '.txt')}"]
    existing = {
        "plan --chart": tmp_path / "out.svg",
        "export --split": tmp_path / "out.edges.geojson",
    }.get(name, Path(args[args.index("-o") + 1]))
    existing.write_text("keep")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and "--overwrite" in result.output, result.output
    assert existing.read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == [existing.name]  # nothing else written


# --- the format follows the suffix of -o -------------------------------------------------

@pytest.mark.parametrize("suffix, check", [
    (".json", lambda text: json.loads(text)["max_flow"] == 50),
    (".md", lambda text: text.startswith("# supplynet")),
    (".csv", lambda text: text.startswith("id,name,type")),
    (".txt", lambda text: "MAX FLOW  50 units per period" in text),
])
def test_the_format_follows_the_suffix(suffix: str, check, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / f"r{suffix}"
    result = invoke("report", DIAMOND, "-o", out)
    assert result.exit_code == 0, result.output
    assert check(out.read_text())


@pytest.mark.parametrize("args, words", [
    (["report", DIAMOND, "--format", "text", "-o", "r.json"], "text contradicts the suffix of r.json"),
    (["report", DIAMOND, "-o", "r.html"], "names an HTML map"),
    (["info", DIAMOND, "-o", "i.csv"], "names a csv file"),
    (["whatif", DIAMOND, "--remove", "a", "--format", "csv", "-o", "w.txt"], "csv contradicts"),
    (["export", DIAMOND, "--format", "geojson", "-o", "x.gpkg"], "contradicts the suffix of x.gpkg"),
    (["map", DIAMOND, "-o", "m.json"], "a map is an HTML page"),
    (["plan", DIAMOND, "--budget", "1", "--chart", "c.jpg"], "expected a file ending in .svg or .png"),
    (["report", DIAMOND, "--table", "edges"], "--table chooses the CSV table"),
])
def test_a_contradicting_suffix_is_refused(args: list, words: str, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2 and words in result.output, result.output
    assert list(tmp_path.iterdir()) == []


def test_plan_chart_by_suffix(tmp_path: Path) -> None:
    png, svg = tmp_path / "c.png", tmp_path / "c.svg"
    for chart in (png, svg):
        result = invoke("plan", CORRIDOR, "--budget", "3", "--method", "all", "--chart", chart,
                        "-o", tmp_path / f"{chart.stem}-{chart.suffix[1:]}.json")
        assert result.exit_code == 0, result.output
    assert svg.read_text().startswith("<svg")
    from PIL import Image

    raw = png.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(raw)).convert("RGB")
    assert image.size == (1280, 720)
    colours = {c for _, c in image.getcolors(1 << 20)}
    for hex_colour in ("#1b7837", "#d95f02", "#6a51a3"):  # the three methods' lines, as in the SVG
        rgb = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, hex_colour
    again = tmp_path / "again.png"
    invoke("plan", CORRIDOR, "--budget", "3", "--method", "all", "--chart", again, "-o", tmp_path / "p2.json")
    assert again.read_bytes() == raw  # byte-identical reruns


# --- CSV: one table per file ----------------------------------------------------------------

def test_csv_tables_are_never_mixed() -> None:
    tables = {}
    for table in ("nodes", "edges", "points", "provenance"):
        result = invoke("report", CORRIDOR, "--format", "csv", "--table", table)
        assert result.exit_code == 0, result.output
        tables[table] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tables["nodes"] == list(csv.DictReader(io.StringIO(invoke("report", CORRIDOR, "--format",
                                                                      "csv").stdout)))
    G = supplynet.read_network(CORRIDOR)
    assert sorted(r["id"] for r in tables["nodes"]) == sorted(G.nodes)
    assert sorted(r["id"] for r in tables["edges"]) == sorted(k for _, _, k in G.edges(keys=True))
    assert all(r["id"] != "supplynet_version" for r in tables["nodes"])  # no meta rows
    assert [r["rank"] for r in tables["points"]] == [str(k) for k in range(1, 11)]
    provenance = {r["key"]: r["value"] for r in tables["provenance"]}
    assert provenance["supplynet_version"] == supplynet.__version__ and len(provenance["input_sha256"]) == 64
    ranked = {r["id"]: r["rank"] for r in tables["points"]}
    assert all(r["rank"] == ranked.get(r["id"], "") for r in tables["nodes"] + tables["edges"]
               if r["id"] in ranked or r["rank"] == "")


# --- -q and -v, before or after the command name ----------------------------------------------

def test_quiet_map_prints_nothing(tmp_path: Path) -> None:
    for args in (["-q", "map", DIAMOND, "-o", tmp_path / "a.html"], ["map", DIAMOND, "-o", tmp_path / "b.html", "-q"],
                 ["export", DIAMOND, "-o", tmp_path / "c.gpkg", "-q"]):
        result = invoke(*args)
        assert result.exit_code == 0 and result.output == "", result.output
    loud = invoke("map", DIAMOND, "-o", tmp_path / "d.html")
    assert loud.output == f"wrote {tmp_path / 'd.html'}\n"


def test_quiet_still_shows_errors(tmp_path: Path) -> None:
    result = invoke("report", DIAMOND, "-o", tmp_path / "missing" / "r.txt", "-q")
    assert result.exit_code == 1 and "does not exist" in result.output


def test_verbose_after_the_command_name(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(DIAMOND), "-v", "--format", "json"])
    assert result.exit_code == 0 and "No such option" not in result.output
    for command in main.commands.values():
        opts = {o for p in command.params for o in getattr(p, "opts", ())}
        assert {"-v", "-q"} <= opts, command.name


# --- text that scales ----------------------------------------------------------------------

def _star(tmp_path: Path, sources: int = 30, sinks: int = 25) -> Path:
    """Many factories feed one hub, which feeds many assembly sites over thin edges."""
    feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [40.0, 33.0]},
              "properties": {"id": "hub", "type": "smuggling"}}]
    for k in range(sources):
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [41.0 + k / 100, 34.0]},
                      "properties": {"id": f"f{k:02d}", "type": "manufacturing"}})
        feats.append({"type": "Feature", "geometry": None,
                      "properties": {"id": f"in{k:02d}", "source": f"f{k:02d}", "target": "hub", "capacity": 100}})
    for k in range(sinks):
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [39.0 + k / 100, 32.0]},
                      "properties": {"id": f"a{k:02d}", "type": "assembly"}})
        feats.append({"type": "Feature", "geometry": None,
                      "properties": {"id": f"out{k:02d}", "source": "hub", "target": f"a{k:02d}", "capacity": 1}})
    path = tmp_path / "star.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "name": "star", "features": feats}))
    return path


def test_long_lists_end_with_a_count(tmp_path: Path) -> None:
    star = _star(tmp_path)
    text = invoke("report", star).stdout
    assert "sources (30): f00, f01, f02, f03, f04, f05, f06, f07, f08, f09 ... and 20 more" in text
    assert "sinks (25): a00," in text and "... and 15 more" in text
    assert "MIN EDGE CUT  capacity 25, 25 edge(s)" in text
    assert "  ... and 5 more (in JSON and CSV, or with --full)" in text
    assert max(len(line) for line in text.splitlines()) < 600
    full = invoke("report", star, "--full").stdout
    assert "f29" in full and "... and" not in full and all(f"out{k:02d}" in full for k in range(25))
    md = invoke("report", star, "--format", "markdown").stdout
    assert "... and 5 more" in md and "out24" not in md
    doc = json.loads(invoke("report", star, "--format", "json").stdout)
    assert len(doc["sources"]) == 30 and len(doc["min_edge_cut"]["edges"]) == 25  # JSON keeps everything
    info = invoke("info", star).stdout
    assert "... and 20 more" in info and "f29" in invoke("info", star, "--full").stdout
    what = invoke("whatif", star, "--remove", "hub").stdout
    assert "sinks cut off: a00," in what and "... and 15 more" in what


def test_a_nonzero_share_never_reads_zero(tmp_path: Path) -> None:
    net = json.loads(DIAMOND.read_text())
    net["features"] = [f for f in net["features"] if f["properties"]["id"] in ("s", "t")]
    for ident, capacity in (("thin", 1), ("wide", 2999)):
        net["features"].append({"type": "Feature", "geometry": None,
                                "properties": {"id": ident, "source": "s", "target": "t", "capacity": capacity}})
    path = tmp_path / "shares.geojson"
    path.write_text(json.dumps(net))
    text = invoke("report", path).stdout
    thin = next(line for line in text.splitlines() if line.startswith("4 ") and " thin " in line)
    assert "<0.1%" in thin and " 0%" not in thin and "0.0%" not in thin, thin


def test_the_centrality_curve_says_why_it_rises() -> None:
    text = invoke("plan", CORRIDOR, "--budget", "3", "--method", "all").stdout
    assert "CURVE" in text and "310" in text
    assert ("centrality: the curve rises from 215 at budget 2 to 320 at 3 (at 3 it buys smg-baghdad). "
            "It is not an error: centrality re-ranks at each budget") in text
    optimal_only = invoke("plan", CORRIDOR, "--budget", "3").stdout
    assert "rises" not in optimal_only


def test_the_public_api_is_clean() -> None:
    public = {n for n in dir(supplynet) if not n.startswith("_")}
    assert public <= set(supplynet.__all__), public - set(supplynet.__all__)  # no Any, annotations, importlib
    for name in ("write_map", "compare_methods", "export_layers", "write_layers"):
        assert name in supplynet.__all__ and callable(getattr(supplynet, name))
