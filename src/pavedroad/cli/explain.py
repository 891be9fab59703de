"""`paved explain`: what a rule means, why it matters, how to fix it, and why it blocks here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pavedroad.cli._common import QuietOption, handle_errors, progress_shown
from pavedroad.errors import UserError
from pavedroad.gate import explain as core
from pavedroad.gate.explain_render import FORMATS, render
from pavedroad.reports.text import terminal_width
from pavedroad.scan.cache import ResultCache, default_directory


@handle_errors
def explain(
    rule: Annotated[
        str,
        typer.Argument(metavar="RULE", help="Rule id as `paved gate` prints it, e.g. CKV_K8S_20."),
    ],
    path: Annotated[
        Path | None,
        typer.Option(
            "--path",
            help="Repository: gate it and say why each finding of the rule gets its verdict.",
            exists=True,
            file_okay=False,
            resolve_path=True,
        ),
    ] = None,
    stage: Annotated[
        str, typer.Option("--stage", "-s", help="Policy stage to explain the verdicts at.")
    ] = "pr",
    fmt: Annotated[
        str, typer.Option("--format", "-f", help=f"Output format: {', '.join(FORMATS)}.")
    ] = "text",
    quiet: QuietOption = False,
) -> None:
    """Explain a rule: why it matters, its CWE, the fix, and why it blocks at a stage."""
    if fmt not in FORMATS:
        raise UserError(f"--format: unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    cache = ResultCache(default_directory()) if path is not None else None
    with progress_shown(quiet) as progress:
        explanation = core.explain(rule, path, stage, cache=cache, progress=progress)
    typer.echo(render(explanation, fmt, width=terminal_width()))
