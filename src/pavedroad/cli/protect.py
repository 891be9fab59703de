"""`paved protect`: print or apply the platform settings that make the gate required."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from pavedroad.cli._common import handle_errors
from pavedroad.deliver import platform as platform_mod
from pavedroad.deliver import protect as protect_mod
from pavedroad.errors import UserError


@handle_errors
def protect(
    path: Annotated[
        Path,
        typer.Argument(
            help="Repository whose .pavedroad/policy.yaml sets the threshold.",
            exists=True,
            file_okay=False,
            resolve_path=True,
        ),
    ] = Path(),
    print_only: Annotated[
        bool,
        typer.Option("--print", help="Print the requests --apply would send (no network)."),
    ] = False,
    do_apply: Annotated[
        bool,
        typer.Option("--apply", help="Send them with the platform's REST API."),
    ] = False,
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform",
            help="github or gitlab (default: detected from the CI's variables, else github).",
            show_default=False,
        ),
    ] = None,
    stage: Annotated[
        str, typer.Option("--stage", help="Policy stage whose block threshold applies.")
    ] = "pr",
    branch: Annotated[
        str | None,
        typer.Option(
            "--branch",
            help="Branch to protect (default: the repository's default branch).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Require the Paved Road gate before a merge: a GitHub ruleset or GitLab settings.

    Exit codes: 0 done, 2 usage or config error, 3 the platform's API failed.
    """
    if print_only == do_apply:
        raise UserError("choose one of --print or --apply")
    chosen = protect_mod.protect_platform(_platform(platform))
    protection, done = protect_mod.run(path, chosen, stage=stage, branch=branch, do_apply=do_apply)
    if print_only:
        typer.echo(protection.render())
        return
    for line in done:
        typer.echo(line)


def _platform(value: str | None) -> platform_mod.PlatformName:
    parsed = platform_mod.parse_platform(value)
    if parsed is not None:
        return parsed
    try:
        return platform_mod.detect(os.environ)
    except UserError:
        return "github"
