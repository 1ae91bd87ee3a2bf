"""The ``supplynet`` command line: one module per command, shared options in ``options``."""

from __future__ import annotations

import logging
import sys

import click

from supplynet._version import __version__
from supplynet._errors import SupplynetError
from supplynet.cli.campaign import campaign_command
from supplynet.cli.export import export
from supplynet.cli.info import info
from supplynet.cli.map import map_command
from supplynet.cli.plan import plan
from supplynet.cli.report import report
from supplynet.cli.uncertainty import uncertainty
from supplynet.cli.validate import validate
from supplynet.cli.whatif import whatif

__all__ = ["main"]


class _Group(click.Group):
    """Turns library errors into a one-paragraph message and exit 1, without a traceback."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except SupplynetError as exc:
            if ctx.obj and ctx.obj.get("verbose", 0) > 0:
                raise
            raise click.ClickException(str(exc)) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug, not bad input: say so plainly
            if ctx.obj and ctx.obj.get("verbose", 0) > 0:
                raise
            raise click.ClickException(
                f"internal error ({type(exc).__name__}: {exc}); run with -v for the traceback "
                "and please report it"
            ) from None


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="supplynet")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug); shows tracebacks.")
@click.option("-q", "--quiet", count=True, help="Less log output: errors only.")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: int) -> None:
    """Analyse supply networks drawn as GeoJSON: where is the pipeline weakest?"""
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    level = logging.WARNING - 10 * verbose + 10 * quiet
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    root = logging.getLogger("supplynet")
    root.handlers[:] = [handler]
    root.setLevel(max(logging.DEBUG, min(level, logging.ERROR)))
    root.propagate = False


main.add_command(validate)
main.add_command(info)
main.add_command(report)
main.add_command(map_command)
main.add_command(plan)
main.add_command(export)
main.add_command(whatif)
main.add_command(uncertainty)
main.add_command(campaign_command)
