"""Offline HTML maps: the network, its cuts, weak points, what-ifs and plans in one file."""

from supplynet.maps.render import MapResults, render_map, write_map

__all__ = ["MapResults", "render_map", "write_map"]
