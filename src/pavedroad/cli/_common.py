"""What every command shares: the error handler, common options and their parsing."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer

from pavedroad.errors import PavedError, UserError
from pavedroad.progress import Progress, Step, silent
from pavedroad.textsafe import printable_lines

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

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

QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="Show no progress, only the result.")
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


@contextmanager
def progress_shown(quiet: bool) -> Iterator[Progress]:
    """Yield where core functions report progress: rich on a terminal, plain lines otherwise.

    Progress goes to stderr, so stdout keeps only the result (a report, a table, JSON).
    """
    if quiet:
        yield silent
    elif not sys.stderr.isatty():
        yield plain_progress
    else:
        live = _LiveProgress()
        try:
            yield live
        finally:
            live.stop()


def plain_progress(step: Step) -> None:
    """Print one report as a plain line on stderr (logs, pipes, CI)."""
    typer.echo(printable_lines(step.line()), err=True)


class _LiveProgress:
    """A spinner line on the terminal, started at the first report (after any prompt)."""

    def __init__(self) -> None:
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None

    def __call__(self, step: Step) -> None:
        bar = self._start(step)
        if step.done is not None:  # a counted unit finished: keep a line for it
            bar.console.print(printable_lines(step.line()), markup=False, highlight=False)
        assert self._task is not None  # set with the bar
        count = "" if step.total is None else f"{step.done or 0}/{step.total}"
        bar.update(self._task, description=printable_lines(step.message), count=count)

    def _start(self, first: Step) -> RichProgress:
        if self._bar is None:
            from rich.console import Console  # deferred: only a terminal needs it
            from rich.progress import Progress as RichProgress
            from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

            bar = RichProgress(
                SpinnerColumn(),
                TextColumn("{task.description}", markup=False),
                TextColumn("{task.fields[count]}", markup=False),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._task = bar.add_task(printable_lines(first.message), total=None, count="")
            bar.start()
            self._bar = bar
        return self._bar

    def stop(self) -> None:
        """Remove the spinner line; the lines of finished units stay."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
