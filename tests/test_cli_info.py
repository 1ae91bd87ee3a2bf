"""``supplynet info``: the network at a glance, as text and as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from supplynet import read_network
from supplynet.cli import main


def test_info_json_corridor(corridor_path: Path) -> None:
    result = CliRunner().invoke(main, ["info", str(corridor_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    G = read_network(corridor_path)
    assert info["nodes"] == G.number_of_nodes() >= 40
    assert info["edges"] == G.number_of_edges() >= 80
    assert sum(info["node_types"].values()) == info["nodes"]
    assert {"manufacturing", "smuggling", "assembly"} <= set(info["node_types"])
    assert info["sources"] and info["sinks"] and info["source_reaches_sink"] is True
    assert {"Iran", "Iraq", "Syria"} <= set(info["countries"])
    west, south, east, north = info["bbox"]
    assert 30 < west < east < 60 and 25 < south < north < 40
    assert info["components"] >= 1
    assert "notional" in info["description"].lower()


def test_info_text_diamond(data_dir: Path) -> None:
    result = CliRunner().invoke(main, ["info", str(data_dir / "diamond.geojson")])
    assert result.exit_code == 0
    assert "nodes        4: assembly 1, border_crossing 1, manufacturing 1, smuggling 1" in result.output
    assert "connected    yes" in result.output


def test_info_no_path(tmp_path: Path, data_dir: Path) -> None:
    doc = json.loads((data_dir / "diamond.geojson").read_text())
    doc["features"] = [f for f in doc["features"] if f["properties"].get("target") != "t"]
    path = tmp_path / "cut.geojson"
    path.write_text(json.dumps(doc))
    result = CliRunner().invoke(main, ["info", str(path), "--format", "json"])
    assert json.loads(result.output)["source_reaches_sink"] is False
