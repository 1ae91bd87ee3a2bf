"""What a map's popups say, read back from the data the page carries.

The page builds each popup on click from the columns of :mod:`supplynet.maps.pack`; this
module builds the same rows in Python from the same data (:meth:`MapData.node_rows`,
:meth:`MapData.edge_rows`), so a test can read what a map shows without a browser, and the
browser tests check the page shows exactly these rows.

Examples
--------
>>> import networkx as nx
>>> from supplynet.maps.render import render_map
>>> G = nx.MultiDiGraph(crs="EPSG:4326", name="tiny")
>>> G.add_node("f", type="manufacturing", name="F", x=44.0, y=33.0, cost=1.0, interdictable=True)
>>> G.add_node("a", type="assembly", name="A", x=40.0, y=35.0, cost=1.0, interdictable=True)
>>> _ = G.add_edge("f", "a", key="e1", length=400_000, mode="road", capacity=5.0)
>>> data = MapData.from_page(render_map(G))
>>> data.edge_rows("e1")[:4]
[('id', 'e1'), ('source', 'F (f)'), ('target', 'A (a)'), ('mode', 'road')]
>>> dict(data.node_rows("a"))["latitude, longitude"]
'35.00000, 40.00000'
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from supplynet.maps.blob import read_page_data
from supplynet.maps.escape import format_value
from supplynet.maps.pack import ARC_FLAGS, NODE_FLAGS

__all__ = ["MapData"]

Row = tuple[str, str]


@dataclass
class MapData:
    """The header and arrays of a map page, with the popup rows of every node and edge."""

    header: dict[str, Any]
    arrays: dict[str, np.ndarray]

    @classmethod
    def from_page(cls, html: str) -> MapData:
        """Return the data of a finished map page."""
        return cls(*read_page_data(html))

    @functools.cached_property
    def node_position(self) -> dict[str, int]:
        """Return each node id's index in the data."""
        return {v: i for i, v in enumerate(self.header["node_ids"])}

    @functools.cached_property
    def arc_position(self) -> dict[str, int]:
        """Return each edge id's position in the data (edges are grouped by drawn segment)."""
        return {k: j for j, k in enumerate(self.header["arc_ids"])}

    def value(self, table: str, c: int, i: int) -> str | None:
        """Return the text of column ``c`` of ``table`` (``node_cols`` or ``arc_cols``) at row ``i``."""
        col = self.header[table][c]
        kind = col["k"]
        if kind == "none":
            return None
        if kind == "str":
            return col["values"][i] or None
        code = self.arrays[col["a"]][i]
        if kind == "dict":
            return col["values"][code - 1] or None if code else None
        if kind == "bool":
            return None if code == 2 else format_value(bool(code))
        if np.isnan(code):
            return None
        return format_value(int(code) if col["int"] else float(code))

    def node_name(self, i: int) -> str:
        """Return what a node is called on the map: its name, else its id."""
        return self.value("node_cols", 0, i) or self.header["node_ids"][i]

    def _marks(self, kind: str, i: int, cut: bool, removed: bool) -> list[tuple[str, str | None]]:
        rank = next((r for r, k, j, *_ in self.header["ranks"] if k == kind and j == i), None)
        factor = next((f for k, j, f in self.header["degraded"] if k == kind and j == i), None)
        what_if = "removed" if removed else None if factor is None else f"capacity \u00d7{format_value(factor)}"
        off, items = ("ex_noff", "ex_nodes") if kind == "n" else ("ex_aoff", "ex_arcs")
        offsets, members = self.arrays[off], self.arrays[items]
        layers = [t for t, title in enumerate(self.header["extra"])
                  if i in members[offsets[t]:offsets[t + 1]]]
        label = "in the min node cut" if kind == "n" else "in the min edge cut"
        return [(label, "yes" if cut else None), ("interdiction rank", f"#{rank}" if rank else None),
                ("what-if", what_if),
                ("highlighted in", ", ".join(self.header["extra"][t] for t in layers) or None)]

    def node_rows(self, ident: str) -> list[Row]:
        """Return the rows of a node's popup, as (label, text), absent values left out."""
        i = self.node_position[ident]
        cols = self.header["node_cols"]
        fixed, metrics = self.header["node_fixed"], self.header["node_metrics"]
        flags = int(self.arrays["nflags"][i])
        rows: list[tuple[str, str | None]] = [("id", ident)]
        rows += [(cols[c]["name"], self.value("node_cols", c, i)) for c in range(fixed)]
        rows.append(("latitude, longitude", f"{self.arrays['lat'][i]:.5f}, {self.arrays['lon'][i]:.5f}"))
        rows += [(cols[c]["name"], self.value("node_cols", c, i)) for c in range(fixed, len(cols) - metrics)]
        role = [r for r in ("source", "sink") if flags & NODE_FLAGS[r]]
        rows.append(("role", " and ".join(role) or None))
        rows += [(cols[c]["name"], self.value("node_cols", c, i)) for c in range(len(cols) - metrics, len(cols))]
        rows += self._marks("n", i, bool(flags & NODE_FLAGS["cut"]), bool(flags & NODE_FLAGS["removed"]))
        return [(label, text) for label, text in rows if text]

    def edge_rows(self, ident: str) -> list[Row]:
        """Return the rows of an edge's popup, as (label, text), absent values left out."""
        j = self.arc_position[ident]
        u, v = int(self.arrays["arc_u"][j]), int(self.arrays["arc_v"][j])
        ids = self.header["node_ids"]
        flags = int(self.arrays["arc_flags"][j])
        rows: list[tuple[str, str | None]] = [
            ("id", ident), ("source", f"{self.node_name(u)} ({ids[u]})"), ("target", f"{self.node_name(v)} ({ids[v]})")]
        rows += [(col["name"], self.value("arc_cols", c, j)) for c, col in enumerate(self.header["arc_cols"])]
        rows += self._marks("a", j, bool(flags & ARC_FLAGS["cut"]), bool(flags & ARC_FLAGS["removed"]))
        return [(label, text) for label, text in rows if text]

    def edge_tip(self, ident: str) -> str:
        """Return an edge's tooltip: where it runs from and to, and its mode."""
        j = self.arc_position[ident]
        u, v = int(self.arrays["arc_u"][j]), int(self.arrays["arc_v"][j])
        mode = self.value("arc_cols", 0, j)
        return f"{self.node_name(u)} \u2192 {self.node_name(v)}" + (f" ({mode})" if mode else "")

    def layer_names(self) -> list[str]:
        """Return the names the layer control lists, in order."""
        return [name for name, *_ in self.header["toggles"]]
