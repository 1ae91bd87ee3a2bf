"""``supplynet template``: a small valid network that uses every property, to start from."""

from __future__ import annotations

import click

from supplynet.cli.options import note, plan_outputs, write_output

__all__ = ["template", "TEMPLATE"]

#: The network ``supplynet template`` writes: six places, seven edge features, every node
#: and edge property of docs/network-format.md at least once (a default edge id, a
#: bidirectional edge, ``length_km``, null geometries, unlimited capacities, a free
#: property), in [longitude, latitude]. It validates without a warning.
TEMPLATE = """\
{
  "type": "FeatureCollection",
  "name": "My network",
  "description": "A template from `supplynet template`: replace the places, roles and numbers with your own (docs/network-format.md lists every property).",
  "features": [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [44.0, 33.0]},
     "properties": {"id": "w1", "type": "manufacturing", "name": "Workshop 1", "capacity": 60, "cost": 4,
                    "repair_days": 60, "confidence": 0.8, "p_success": 0.9, "interdictable": true,
                    "storage": 100, "stock": 20, "operator": "unknown"}},
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [43.0, 36.0]},
     "properties": {"id": "w2", "type": "manufacturing", "name": "Workshop 2", "capacity": 30, "cost": 2}},
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [42.5, 34.5]},
     "properties": {"id": "hub", "type": "storage", "name": "Depot", "cost": 1, "repair_days": 7,
                    "storage": "unlimited"}},
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [44.2, 33.3]},
     "properties": {"id": "air", "type": "airfield", "name": "Airfield", "capacity": 15, "interdictable": false}},
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [41.1, 34.4]},
     "properties": {"id": "xing", "type": "border_crossing", "name": "Border crossing", "capacity": 35,
                    "cost": 2, "repair_days": 14}},
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [40.2, 35.3]},
     "properties": {"id": "asm", "type": "assembly", "name": "Assembly site", "cost": 6}},
    {"type": "Feature",
     "geometry": {"type": "LineString", "coordinates": [[44.0, 33.0], [43.3, 33.6], [42.5, 34.5]]},
     "properties": {"id": "e1", "source": "w1", "target": "hub", "mode": "road", "capacity": 50, "cost": 1,
                    "repair_days": 3, "confidence": 0.9, "p_success": 0.8, "interdictable": true,
                    "transit_days": 2}},
    {"type": "Feature", "geometry": null,
     "properties": {"source": "w2", "target": "hub", "mode": "track", "capacity": 25}},
    {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[42.5, 34.5], [41.1, 34.4]]},
     "properties": {"id": "e3", "source": "hub", "target": "xing", "mode": "road", "capacity": 40,
                    "bidirectional": true}},
    {"type": "Feature", "geometry": null,
     "properties": {"id": "e4", "source": "w1", "target": "air", "mode": "road", "length_km": 20}},
    {"type": "Feature", "geometry": null,
     "properties": {"id": "e5", "source": "air", "target": "asm", "mode": "air", "capacity": 10,
                    "confidence": 0.5, "interdictable": false}},
    {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[41.1, 34.4], [40.2, 35.3]]},
     "properties": {"id": "e6", "source": "xing", "target": "asm", "mode": "road", "capacity": 45, "cost": 3}}
  ]
}
"""


@click.command()
@click.option("-o", "--output", type=str, default=None, metavar="PATH",
              help="Write the template here (GeoJSON, e.g. network.geojson) instead of standard output.")
@click.option("--overwrite", is_flag=True, help="Replace an existing file.")
def template(output: str | None, overwrite: bool) -> None:
    """Write a small valid network that uses every node and edge property, to edit into your own.

    It is GeoJSON: six places (two workshops, a depot, an airfield, a border crossing and
    an assembly site) and the edges between them. `supplynet validate` passes it without a
    warning; docs/network-format.md explains every property.
    """
    if output is not None and output != "-":
        from pathlib import Path

        if Path(output).suffix.lower() not in (".geojson", ".json"):
            raise click.BadParameter(f"the template is GeoJSON: name it .geojson (got {output})",
                                     param_hint="-o/--output")
        plan_outputs([output], overwrite=overwrite)
    write_output(TEMPLATE, output, overwrite=overwrite)
    if output is not None and output != "-":
        note(f"wrote {output}; check it with `supplynet validate {output}`")
