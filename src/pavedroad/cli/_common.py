"""What every command shares: the error handler and common options."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer

from pavedroad.errors import PavedError

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
            if str(exc):
                typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("interrupted; nothing was changed", err=True)
            raise typer.Exit(130) from None

    return wrapper


def is_terminal() -> bool:
    """Return True when a person can answer prompts."""
    import sys

    return sys.stdin.isatty()


def debug() -> bool:
    """Return True when PAVED_DEBUG asks for tracebacks of unexpected errors."""
    return os.environ.get("PAVED_DEBUG", "") not in ("", "0")
