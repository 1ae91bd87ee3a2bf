"""The documentation's promises, checked against the code.

- docs/network-format.md: its worked example is a valid network with exactly the figures
  the page states;
- docs/network.schema.json: the shipped networks pass it, and every file of tests/data/bad
  that is bad for a type, a missing property or a range fails it where the validator says;
- docs/design.md: its layout names every module of the package, and only modules that exist;
- docs/selectors.md: its tables, commands and Python examples give what the page shows;
- no file of the repository cites a Markdown file, a module or a doc that is not in it, and
  every link to a section of a page finds that section.
"""

from __future__ import annotations

import doctest
import fnmatch
import json
import os
import re
import shlex
import subprocess
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import supplynet
from supplynet.cli import main
from supplynet.network.selectors import resolve_endpoints, select_elements
from supplynet.render.validation import verdict

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PACKAGE = ROOT / "supplynet"
BAD = ROOT / "tests" / "data" / "bad"
CORRIDOR = ROOT / "datasets" / "corridor.geojson"


def _section(path: Path, heading: str) -> str:
    """Return the text of a page from ``heading`` up to the next heading of its level or above."""
    text = path.read_text(encoding="utf-8")
    level = len(heading) - len(heading.lstrip("#"))
    start = text.index(f"\n{heading}\n")
    rest = text[start + len(heading) + 2:]
    end = re.search(rf"^#{{1,{level}}} ", rest, re.M)
    return rest[: end.start()] if end else rest


def _blocks(text: str, lang: str) -> list[str]:
    """Return the fenced code blocks of ``lang`` in ``text``."""
    return re.findall(rf"^```{lang}\n(.*?)^```", text, re.M | re.S)


def _ids(items) -> str:
    return ", ".join(f"`{i}`" for i in items)


# -- docs/network-format.md: the worked example ------------------------------------------

@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    (block,) = _blocks(_section(DOCS / "network-format.md", "## Worked example"), "json")
    path = tmp_path_factory.mktemp("docs") / "example.geojson"
    path.write_text(block, encoding="utf-8")
    return path


def test_the_worked_example_is_valid_without_warnings(example: Path) -> None:
    report, G = supplynet.load_network(example)
    assert report.problems == [] and report.warnings == []
    text = (DOCS / "network-format.md").read_text(encoding="utf-8")
    assert f"`{verdict(report, 'example.geojson', G)}`" in text


def test_the_worked_example_has_the_figures_the_page_states(example: Path) -> None:
    G = supplynet.read_network(example)
    given = {f["properties"].get("id") for f in json.loads(example.read_text())["features"]}
    edges = {k: (u, v, d) for u, v, k, d in G.edges(keys=True, data=True)}
    defaulted = sorted(k for k, (_, _, d) in edges.items() if k not in given and "reverse_of" not in d)
    (rev,) = [k for k, (_, _, d) in edges.items() if d.get("reverse_of") == "e3"]
    countries = dict(G.nodes(data="country"))
    usual, _ = Counter(countries.values()).most_common(1)[0]
    src, snk = resolve_endpoints(G)
    snap = supplynet.compile_network(G)
    flow = supplynet.max_flow(snap)
    ecut, ncut = supplynet.min_edge_cut(snap), supplynet.min_node_cut(snap)
    loss = supplynet.flow_loss(snap)
    rows = {
        "nodes": f"{G.number_of_nodes()}: {_ids(sorted(G.nodes))}",
        "edges": f"{G.number_of_edges()}: {_ids(sorted(edges))}",
        "the edge without an id": _ids(defaulted),
        "the reverse of `e3`": f"`{rev}`, from `{edges[rev][0]}` to `{edges[rev][1]}`, capacity "
                               f"{edges[rev][2]['capacity']:g}, `reverse_of` `{edges[rev][2]['reverse_of']}`",
        "length of `e4` (`length_km` 20)": f"{edges['e4'][2]['length']} m",
        "length of `e3` (geodesic)": f"{edges['e3'][2]['length']} m",
        "country": "; ".join(f"`{v}` {c}" for v, c in sorted(countries.items()) if c != usual)
                   + f"; every other node {usual}",
        "edges with `crosses_border`": _ids(sorted(k for k, (_, _, d) in edges.items() if d["crosses_border"])),
        "name of `air` / of `w1`": f"`{G.nodes['air']['name']}` / `{G.nodes['w1']['name']}`",
        "cost of `air` (not given)": f"{G.nodes['air']['cost']:g}",
        "sources / sinks (the defaults)": f"{_ids(src)} / {_ids(snk)}",
        "`max_flow`": f"{flow.value:g}",
        "`min_edge_cut`": f"capacity {ecut.capacity:g}: {_ids(ecut.edges)}",
        "`bottleneck_nodes`": _ids(flow.bottleneck_nodes),
        "`min_node_cut`": f"cost {ncut.cost:g}: {_ids(ncut.nodes)}",
        "`flow_loss` of `xing`": f"{loss['xing']:g}",
        "`flow_loss` of `w1`": f"{loss['w1']:g}",
        "`flow_loss` of `w2`": f"{loss['w2']:g}",
        "`flow` through `w1` / `w2`": f"{flow.node_flow['w1']:g} / {flow.node_flow['w2']:g}",
    }
    table = _section(DOCS / "network-format.md", "## Worked example")
    missing = [f"| {k} | {v} |" for k, v in rows.items() if f"| {k} | {v} |" not in table]
    assert missing == []


def test_the_reference_tables_name_every_schema_property() -> None:
    from supplynet.io.validate import COMPUTED_FIELDS, EDGE_FIELDS, NODE_FIELDS

    text = (DOCS / "network-format.md").read_text(encoding="utf-8")
    nodes = _section(DOCS / "network-format.md", "### Node properties")
    edges = _section(DOCS / "network-format.md", "### Edge properties")
    assert [f for f in NODE_FIELDS if f"| `{f}` |" not in nodes] == []
    assert [f for f in EDGE_FIELDS if f"`{f}`" not in edges.split("**Bidirectional")[0]] == []
    added = _section(DOCS / "network-format.md", "### What supplynet adds")
    assert [f for f in COMPUTED_FIELDS if f"`{f}`" not in added] == []
    assert "`ID~rev`" in text and "`reverse_of`" in text and "`SOURCE->TARGET#k`" in text


# -- docs/network.schema.json -----------------------------------------------------------

#: Bad for a reason a JSON Schema can state: a type, a missing property, a range.
SCHEMA_BAD = (
    "bool_cost", "confidence_above_one", "edge_missing_target", "edge_polygon", "huge_integer_capacity",
    "huge_integer_coordinate", "interdictable_string", "lat_out_of_range", "list_repair_days",
    "lon_out_of_range", "missing_node_id", "missing_node_type", "negative_capacity", "negative_cost",
    "negative_length_km", "no_features", "node_without_geometry", "not_featurecollection", "polygon_node",
    "short_linestring", "string_capacity", "swapped_out_of_range", "whitespace_id", "nul_in_id", "long_id",
    "huge_length_km",
)
#: Not JSON at all (NaN and Infinity are not JSON): refused before any schema applies.
NOT_JSON = ("empty", "infinite_coordinate", "nan_capacity", "nan_coordinate", "not_json", "truncated")
#: Bad only by relations between values, which JSON Schema cannot express.
SEMANTIC = ("dangling_edge", "duplicate_edge_id", "duplicate_node_id", "self_loop")
#: Bad in ways a JSON Schema cannot see: a key given twice (a parser keeps the last), a lone
#: surrogate (a valid JSON escape), nesting past the depth limit, a CRS name.
UNSEEN = ("deep_property", "duplicate_key", "lone_surrogate", "unknown_crs")


@pytest.fixture(scope="module")
def schema() -> jsonschema.Draft202012Validator:
    doc = json.loads((DOCS / "network.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(doc)
    return jsonschema.Draft202012Validator(doc)


def _strict_json(path: Path):
    def refuse(name: str) -> float:
        raise ValueError(f"{name} is not JSON")

    return json.loads(path.read_bytes(), parse_constant=refuse)


def test_every_bad_file_is_classified() -> None:
    names = {p.stem for p in BAD.glob("*.geojson")}
    assert sorted(names) == sorted({*SCHEMA_BAD, *NOT_JSON, *SEMANTIC, *UNSEEN})


def test_the_shipped_networks_pass_the_schema(schema: jsonschema.Draft202012Validator, example: Path) -> None:
    for path in (CORRIDOR, example, *sorted((ROOT / "tests" / "data" / "warn").glob("*.geojson"))):
        assert [e.message for e in schema.iter_errors(_strict_json(path))] == [], path


@pytest.mark.parametrize("name", SCHEMA_BAD)
def test_the_schema_refuses_what_the_validator_refuses(schema: jsonschema.Draft202012Validator, name: str) -> None:
    path = BAD / f"{name}.geojson"
    errors = list(schema.iter_errors(_strict_json(path)))
    assert errors, f"{name} passes the schema"
    try:
        problems = supplynet.load_network(path)[0].problems
    except supplynet.NetworkValidationError as exc:  # the top level is no FeatureCollection
        problems = exc.problems
    assert problems
    named = {int(m) for p in problems for m in re.findall(r": feature (\d+)\b", p)}
    at = {e.absolute_path[1] for e in errors if len(e.absolute_path) > 1 and e.absolute_path[0] == "features"}
    assert at <= named, (at, report.problems)


@pytest.mark.parametrize("name", NOT_JSON)
def test_files_that_are_not_json_are_refused_by_a_strict_parser(name: str) -> None:
    with pytest.raises(ValueError):
        _strict_json(BAD / f"{name}.geojson")


@pytest.mark.parametrize("name", SEMANTIC + UNSEEN)
def test_relations_between_values_are_left_to_the_validator(schema: jsonschema.Draft202012Validator,
                                                           name: str) -> None:
    path = BAD / f"{name}.geojson"
    assert list(schema.iter_errors(_strict_json(path))) == []
    assert not supplynet.load_network(path)[0].valid


# -- docs/design.md: the layout ----------------------------------------------------------

def test_the_layout_names_every_module_and_only_modules_that_exist() -> None:
    layout = _section(DOCS / "design.md", "## Package layout")
    named = re.findall(r"^- `(supplynet/[\w/]+\.py)`", layout, re.M)
    assert len(named) == len(set(named)), "a module is listed twice"
    present = sorted(str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py"))
    assert sorted(named) == present


# -- citations ---------------------------------------------------------------------------

def _repository_files() -> list[str]:
    """Return the repository's files (git's view when there is one), relative to the root."""
    try:
        out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        out = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*")
               if p.is_file() and not any(part.startswith(".") or part.endswith(".egg-info")
                                          for part in p.relative_to(ROOT).parts)]
    return sorted(f for f in out if f and (ROOT / f).is_file())


_CITING = re.compile(r"(\.py|\.md|\.cfg|\.toml|\.yaml|\.yml|(^|/)Makefile)$")
_MD = re.compile(r"[\w.:/*+-]*[\w*+-]\.md\b")
_PATH = re.compile(r"(?<![\w./-])(?:supplynet|docs|tests|datasets|examples|benchmarks)/[\w./*-]*\w\.(?:py|md|json|yaml|geojson|txt)\b")


def _cited(token: str, citing: str, files: list[str]) -> bool:
    """Whether ``token`` names a file of the repository (relative to ``citing`` or the root)."""
    if token.startswith("../") or "/../" in token:
        target = os.path.normpath(os.path.join(os.path.dirname(citing), token))
        return not target.startswith("..") and target in files
    token = token.lstrip("./")
    here = os.path.normpath(os.path.join(os.path.dirname(citing), token))
    return any(fnmatch.fnmatchcase(f, pattern) for f in files
               for pattern in (token, here, f"*/{token}"))


def test_no_file_cites_a_file_that_is_not_in_the_repository() -> None:
    files = _repository_files()
    bad = []
    for name in files:
        if not _CITING.search(name):
            continue
        text = (ROOT / name).read_text(encoding="utf-8", errors="replace")
        for lineno, line in enumerate(text.splitlines(), start=1):
            tokens = {t for t in _MD.findall(line) if "://" not in t} | set(_PATH.findall(line))
            bad += [f"{name}:{lineno}: {t}" for t in sorted(tokens) if not _cited(t.split(":")[-1], name, files)]
    assert bad == []


def _slug(heading: str) -> str:
    """Return the anchor GitHub gives a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_links_to_a_section_find_it() -> None:
    bad = []
    for page in [ROOT / "README.md", ROOT / "datasets" / "README.md", *sorted(DOCS.glob("*.md"))]:
        for target, anchor in re.findall(r"\]\(([^)#\s]*)#([^)\s]+)\)", page.read_text(encoding="utf-8")):
            path = (page.parent / target).resolve() if target else page
            headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.M)
            if anchor not in {_slug(h) for h in headings}:
                bad.append(f"{page.relative_to(ROOT)}: {target}#{anchor}")
    assert bad == []


# -- docs/selectors.md ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def corridor():
    return supplynet.read_network(CORRIDOR)


def _picks(found) -> str:
    parts = [f"{kind}{'s' if len(ids) > 1 else ''} {_ids(ids)}"
             for kind, ids in (("node", found.nodes), ("edge", found.edges)) if ids]
    return "; ".join(parts)


def test_the_selector_table_shows_what_each_selector_picks(corridor) -> None:
    table = _section(DOCS / "selectors.md", "## Examples on the shipped corridor")
    rows = re.findall(r"^\| `([^`]+)` \| (.+?) \|$", table, re.M)
    assert len(rows) >= 8
    assert [(sel, shown) for sel, shown in rows if _picks(select_elements(corridor, sel)) != shown] == []


def _console_examples() -> list[tuple[str, list[str]]]:
    examples: list[tuple[str, list[str]]] = []
    for block in _blocks((DOCS / "selectors.md").read_text(encoding="utf-8"), "console"):
        for line in block.splitlines():
            if line.startswith("$ "):
                examples.append((line[2:], []))
            elif line.strip() != "...":
                examples[-1][1].append(line)
    return examples


def _normal(line: str) -> str:
    return " ".join(line.split())


@pytest.mark.parametrize("command, shown", _console_examples(), ids=lambda x: x if isinstance(x, str) else "")
def test_the_selector_commands_print_what_the_page_shows(command: str, shown: list[str],
                                                         tmp_path: Path) -> None:
    args = shlex.split(command)
    assert args[0] == "supplynet"
    (tmp_path / "datasets").symlink_to(ROOT / "datasets")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(main, args[1:])
    finally:
        os.chdir(cwd)
    expected = 1 if any(line.startswith("Error:") for line in shown) else 0
    assert result.exit_code == expected, result.output
    lines = {_normal(line) for line in result.output.splitlines()}
    assert [line for line in shown if _normal(line) not in lines] == [], result.output


def test_the_selector_python_examples_run() -> None:
    (block,) = _blocks((DOCS / "selectors.md").read_text(encoding="utf-8"), "python")
    test = doctest.DocTestParser().get_doctest(block, {}, "docs/selectors.md", "docs/selectors.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
