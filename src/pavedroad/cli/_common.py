"""What every command shares: the error handler, common options and their parsing."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer

from pavedroad.errors import PavedError, UserError
from pavedroad.textsafe import printable_lines

INTERRUPTED = 130
P = ParamSpec("P")
R = TypeVar("R")

CatalogOption = Annotated[
    Path | None,
    typer.Option(
        "--catalog",
        envvar="PAVED_CATALOG",
        help="Catalog folder holding catalog.yaml (default: the bundled catalog).",
        show_default=False,
    ),
]


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn Paved Road errors into a message on stderr and the documented exit code."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except PavedError as exc:
            raise typer.Exit(report_error(exc)) from None
        except (KeyboardInterrupt, typer.Abort):
            raise typer.Exit(report_interrupt()) from None

    return wrapper


def report_error(exc: PavedError) -> int:
    """Print a Paved Road error (its message only, control characters escaped); return its code."""
    if str(exc):
        typer.echo(f"error: {printable_lines(str(exc))}", err=True)
    return exc.exit_code


def report_interrupt() -> int:
    """Say that Ctrl-C (also at a prompt, where click turns it into Abort) stopped the command."""
    typer.echo("interrupted; nothing was changed", err=True)
    return INTERRUPTED


def parse_data(items: list[str]) -> dict[str, str]:
    """Parse repeated --data KEY=VALUE options."""
    parsed = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--data {item!r}: expected KEY=VALUE, e.g. --data service_name=orders")
        parsed[key.strip()] = value
    return parsed


def debug() -> bool:
    """Return True when PAVED_DEBUG asks for tracebacks of unexpected errors."""
    return os.environ.get("PAVED_DEBUG", "") not in ("", "0")
