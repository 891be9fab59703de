"""The `paved` command line: parses arguments, calls the library, prints and exits."""

from __future__ import annotations

import sys

import typer

from pavedroad import __version__
from pavedroad.cli import catalog, drift, exceptions, new, scan, update
from pavedroad.cli._common import debug

app = typer.Typer(
    name="paved",
    help="Paved Road: start services on hardened templates and gate them by risk.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(catalog.app, name="catalog")
app.add_typer(exceptions.app, name="exceptions")
app.command("new")(new.new)
app.command("scan")(scan.scan)
app.command("gate")(scan.gate)
app.command("update")(update.update)
app.command("drift")(drift.drift)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"paved {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Paved Road: start services on hardened templates and gate them by risk."""


def main() -> None:
    """Run the CLI; unexpected errors print one line unless PAVED_DEBUG is set."""
    try:
        app()
    except KeyboardInterrupt:
        print("interrupted; nothing was changed", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # the last line of defence: never a traceback for users
        if debug():
            raise
        print(f"internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("please report this; rerun with PAVED_DEBUG=1 for details", file=sys.stderr)
        sys.exit(70)
