"""`paved baseline`: record the findings a repository already has, and show the record."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pavedroad.cli._common import QuietOption, handle_errors, progress_shown
from pavedroad.gate import baseline as gate_baseline
from pavedroad.scan.cache import ResultCache, default_directory

app = typer.Typer(
    help="Record today's findings so they are ticketed, not blocked, until an expiry.",
    no_args_is_help=True,
    add_completion=False,
)

PathArg = Annotated[
    Path,
    typer.Argument(help="Repository folder.", exists=True, file_okay=False, resolve_path=True),
]


@app.command("create")
@handle_errors
def create(
    path: PathArg = Path(),
    days: Annotated[
        int | None,
        typer.Option(help="Days until it expires (default and maximum: exceptions.max_days)."),
    ] = None,
    stage: Annotated[
        str | None,
        typer.Option(
            "--stage", "-s", help="Record only the findings this stage blocks (default: all)."
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Scan every file and write .pavedroad/baseline.json; commit it for review."""
    cache = ResultCache(default_directory())
    with progress_shown(quiet) as progress:
        done = gate_baseline.create(path, days=days, stage=stage, cache=cache, progress=progress)
    base = done.baseline
    excepted = f"; {done.excepted} excepted finding(s) left out" if done.excepted else ""
    typer.echo(
        f"Recorded {len(base.entries)} finding(s) in {done.path.relative_to(path).as_posix()} "
        f"until {base.expires}{excepted}. Commit it for review; from {base.expires} on they "
        "are gated again."
    )


@app.command("show")
@handle_errors
def show(path: PathArg = Path()) -> None:
    """Print the baseline's dates and the findings it records; nothing is scanned."""
    typer.echo(gate_baseline.show(path))
