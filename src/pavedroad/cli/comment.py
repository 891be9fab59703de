"""`paved comment`: keep one PR / MR comment current with the gate result of a CI job."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pavedroad.cli._common import handle_errors
from pavedroad.deliver import comment as comment_mod


@handle_errors
def comment(
    source: Annotated[
        Path,
        typer.Option(
            "--from",
            help="The gate's JSON report (`paved gate --format json --output gate.json`).",
            show_default=False,
        ),
    ],
    pr: Annotated[
        int | None,
        typer.Option(
            "--pr",
            min=1,
            help="Pull / merge request number (default: the CI event's, else the report's).",
            show_default=False,
        ),
    ] = None,
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform",
            help="github or gitlab (default: detected from the CI's variables).",
            show_default=False,
        ),
    ] = None,
    report_url: Annotated[
        str,
        typer.Option("--report-url", help="Link to the full report when the comment is cut."),
    ] = "",
) -> None:
    """Post the gate's findings as one PR / MR comment, updated in place on every push."""
    done = comment_mod.comment_from(source, number=pr, platform=platform, report_url=report_url)
    if done.annotations:
        typer.echo(done.annotations)
    typer.echo(done.message, err=done.fell_back)
