"""`paved tickets sync`: one issue per `ticket` finding, kept in sync with the gate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pavedroad.cli._common import handle_errors
from pavedroad.deliver import sync as sync_mod

app = typer.Typer(
    help="Keep issues (GitHub, GitLab, Jira) in sync with the gate's ticket findings.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _tickets() -> None:
    """Keep issues (GitHub, GitLab, Jira) in sync with the gate's ticket findings."""


@app.command("sync")
@handle_errors
def sync(
    source: Annotated[
        Path,
        typer.Option(
            "--from",
            help="The gate's JSON report (`paved gate --format json --output gate.json`).",
            show_default=False,
        ),
    ],
    apply: Annotated[
        bool, typer.Option("--apply", help="Make the changes (default: print the plan).")
    ] = False,
    group_by: Annotated[
        str,
        typer.Option("--group-by", help="One issue per finding, per rule or per file."),
    ] = "finding",
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform",
            help="github, gitlab or jira (default: detected from the CI's variables).",
            show_default=False,
        ),
    ] = None,
    root: Annotated[
        Path,
        typer.Option("--root", help="Repository whose CODEOWNERS names the owners."),
    ] = Path(),
) -> None:
    """Create, update, close and reopen one issue per finding whose verdict is ticket."""
    sync_mod.sync_from(
        source, apply=apply, group_by=group_by, platform=platform, root=root, say=typer.echo
    )
