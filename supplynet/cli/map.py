"""``supplynet map``: one offline HTML map of the network, its cuts and its weak points."""

from __future__ import annotations

from pathlib import Path

import click

from .options import edges_option, endpoint_options, network_argument, read, write_output

__all__ = ["map_command"]

_DEFAULT_DIR = Path("maps")


@click.command("map")
@network_argument
@edges_option
@endpoint_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the map here [default: maps/<NETWORK file name>.html].")
@click.option("--remove", multiple=True, metavar="ID",
              help="Remove this node or edge (repeat for more): what-if, drawn greyed out.")
@click.option("--top", type=click.IntRange(0), default=10, show_default=True,
              help="How many interdiction points to number.")
@click.option("--online", is_flag=True,
              help="Add an OpenStreetMap tile layer (fetched from the internet when shown).")
@click.option("--overwrite", is_flag=True, help="Replace an existing output file.")
def map_command(network: str, edges: str | None, sources: str | None, sinks: str | None,
                output: str | None, remove: tuple[str, ...], top: int, online: bool, overwrite: bool) -> None:
    """Write an HTML map of NETWORK that works offline: cuts, top interdiction points, what-if."""
    from ..maps import analyse_for_map, render_map

    G = read(network, edges)
    results = analyse_for_map(G, sources, sinks, remove=remove, top=top)
    html = render_map(G, results, online=online)
    path = output or str(_default_output(network))
    write_output(html, path, overwrite=overwrite, inputs=(network, edges))
    click.echo(f"wrote {path}", err=True)


def _default_output(network: str) -> Path:
    """Return ``maps/<stem>.html``, creating ``maps/`` (only the default folder is made)."""
    stem = "stdin" if network == "-" else Path(network).stem
    _DEFAULT_DIR.mkdir(exist_ok=True)
    return _DEFAULT_DIR / f"{stem}.html"
