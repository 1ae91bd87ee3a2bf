"""``supplynet campaign`` on the corridor: formats, chart, map layers, bad input, and the doc's example."""

from __future__ import annotations

import doctest
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from supplynet.cli import main

ROOT = Path(__file__).resolve().parent.parent
NET = str(ROOT / "datasets" / "corridor.geojson")
WEEKS = ["--horizon", "56", "--period-days", "7"]


def _run(*args: str) -> object:
    return CliRunner().invoke(main, ["campaign", NET, *args])


def test_json_carries_the_keys_the_issue_lists() -> None:
    result = _run(*WEEKS, "--budget-per-period", "1", "--method", "all", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["horizon_days"] == 56 and doc["period_days"] == 7 and doc["periods"] == 8
    assert set(doc["methods"]) == {"optimal", "greedy", "launch-sites"}
    for m in doc["methods"].values():
        assert {"delivered", "schedule", "per_period", "proven", "gap"} <= set(m)
        assert len(m["per_period"]) == 8 and sum(m["per_period"]) == m["delivered"]
        for strike in m["schedule"]:
            assert {"kind", "id", "period", "back_at_period"} <= set(strike)
    assert doc["network"]["sha256"] and doc["supplynet_version"]
    assert doc["delivered_without_strikes"] == sum(doc["per_period_without_strikes"])


def test_text_markdown_and_csv_reruns_are_byte_identical(tmp_path: Path) -> None:
    for fmt in ("text", "markdown", "csv"):
        a, b = (_run(*WEEKS, "--budget", "3", "--method", "all", "--format", fmt) for _ in range(2))
        assert a.exit_code == 0, a.output
        assert a.stdout == b.stdout
    csv = _run(*WEEKS, "--budget", "3", "--method", "greedy", "--format", "csv").stdout.splitlines()
    assert csv[0] == "method,period,day,delivered,delivered_by_then,struck"
    assert len(csv) == 1 + 2 * 8  # no strikes and greedy, 8 periods each


def test_the_chart_is_svg_or_png_by_its_suffix_and_nothing_else(tmp_path: Path) -> None:
    from PIL import Image

    chart = tmp_path / "curves.svg"
    result = _run(*WEEKS, "--budget", "2", "--method", "all", "--chart", str(chart), "-o", str(tmp_path / "c.txt"))
    assert result.exit_code == 0, result.output
    svg = chart.read_text()
    assert svg.startswith("<svg") and "no strikes" in svg and "launch-sites" in svg and "<script" not in svg
    png = tmp_path / "curves.png"
    result = _run(*WEEKS, "--budget", "2", "--method", "all", "--chart", str(png), "-o", str(tmp_path / "d.txt"))
    assert result.exit_code == 0, result.output
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(png) as image:
        assert image.size == (1280, 720)
        # Drawn, not blank: the curves' colours are in it (no strikes grey, optimal green).
        colours = {c for _, c in image.convert("RGB").getcolors(1 << 20)}
        assert (0x1b, 0x78, 0x37) in colours and (0x73, 0x73, 0x73) in colours
    result = _run(*WEEKS, "--budget", "2", "--chart", str(tmp_path / "curves.jpg"))
    assert result.exit_code == 2 and ".svg" in result.output
    assert not (tmp_path / "curves.jpg").exists()


def test_the_map_has_one_layer_per_strike_wave(tmp_path: Path) -> None:
    out = tmp_path / "campaign.html"
    result = _run(*WEEKS, "--budget-per-period", "1", "--method", "greedy", "--map", str(out), "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    periods = sorted({s["period"] for s in doc["methods"]["greedy"]["schedule"]})
    html = out.read_text()
    for k, period in enumerate(periods, start=1):
        assert f"Wave {k}: greedy, period {period} " in html
    assert "http://" not in html.replace("http://www.w3.org", "")


@pytest.mark.parametrize("args, code, message", [
    ([*WEEKS], 2, "exactly one of --budget-per-period"),
    ([*WEEKS, "--budget", "1", "--budget-per-period", "1"], 2, "exactly one of --budget-per-period"),
    (["--horizon", "10", "--period-days", "7", "--budget", "1"], 1, "whole number of periods"),
    ([*WEEKS, "--budget", "nan"], 2, "finite number >= 0"),
    ([*WEEKS, "--budget", "-2"], 2, "finite number >= 0"),
    (["--horizon", "inf", "--budget", "1"], 2, "positive, finite"),
    (["--horizon", "900000", "--budget", "1"], 1, "periods is more than"),
    (["--horizon", "90000", "--budget", "1"], 1, "use longer periods"),
    ([*WEEKS, "--budget", "1", "--speed", "road"], 2, "MODE=KM_PER_DAY"),
])
def test_bad_input_gets_a_clear_message(args: list[str], code: int, message: str) -> None:
    result = _run(*args)
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output


def test_the_docs_worked_example_runs() -> None:
    (block,) = re.findall(r"^```python\n(.*?)^```", (ROOT / "docs" / "campaign.md").read_text(), re.M | re.S)
    test = doctest.DocTestParser().get_doctest(block, {}, "docs/campaign.md", "docs/campaign.md", 0)
    runner = doctest.DocTestRunner()
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_the_readme_shows_what_the_command_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Campaigns over time"):readme.index("### What-if")]
    command = re.search(r"^supplynet (campaign .+)$", section, re.M).group(1).split()
    shown = re.findall(r"^```\n(.*?)^```", section, re.M | re.S)[0].splitlines()
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 0, result.output
    printed = result.stdout.splitlines()
    assert [line for line in shown if line.strip() and line not in printed] == []
