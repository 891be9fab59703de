"""`paved new`: bootstrap a service from the catalog, verified by its release gate."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer

from pavedroad.cli import prompts
from pavedroad.cli._common import (
    CatalogOption,
    QuietOption,
    handle_errors,
    parse_data,
    progress_shown,
)
from pavedroad.project.new import NewRequest, NewResult, RenderBlockedError, create
from pavedroad.reports import text


@handle_errors
def new(
    template_id: Annotated[str, typer.Argument(metavar="TEMPLATE", help="Template id.")],
    dest: Annotated[
        Path, typer.Argument(help="New folder to create (must not exist or be empty).")
    ],
    data: Annotated[
        list[str] | None, typer.Option("--data", "-d", help="Answer as KEY=VALUE (repeatable).")
    ] = None,
    data_file: Annotated[
        Path | None, typer.Option("--data-file", help="YAML file of answers.")
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Never prompt; use defaults for the rest.")
    ] = False,
    version: Annotated[
        str | None, typer.Option("--version", help="Template version (default: latest).")
    ] = None,
    catalog: CatalogOption = None,
    quiet: QuietOption = False,
) -> None:
    """Create a new project from a catalog template, verified by its release gate."""
    request = NewRequest(
        template_id,
        dest,
        data=parse_data(data or []),
        data_file=data_file,
        version=version,
        prompt=prompts.template_prompt(defaults),
        on_invalid=prompts.retry_message,
        catalog=catalog,
    )
    try:
        with progress_shown(quiet) as progress:
            result = create(request, progress=progress)
    except RenderBlockedError as exc:
        typer.echo(text.render(exc.result), err=True)  # why, before the error says what now
        raise
    _summary(result, dest)


def _summary(result: NewResult, dest: Path) -> None:
    """Say what was created (DEST as typed), the gate's verdict and the next steps."""
    rendered = result.rendered
    count = len(rendered.files)
    typer.echo(
        f"Created {dest} from {rendered.template_id} {rendered.version} "
        f"({count} {'file' if count == 1 else 'files'})."
    )
    typer.echo(text.render(result.gate))
    typer.echo("\nNext steps:")
    typer.echo(f"  cd {shlex.quote(str(dest))}")
    for step in result.next_steps:
        typer.echo(f"  {step.run}")
        for note in (step.why, step.missing):
            if note:
                typer.echo(f"      # {note}")
    typer.echo("  paved gate --stage pr")
    typer.echo("      # the gate your pull requests will run")
