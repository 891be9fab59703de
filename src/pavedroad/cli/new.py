"""`paved new`: bootstrap a service from the catalog, verified by its release gate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pavedroad.cli import prompts
from pavedroad.cli._common import CatalogOption, handle_errors, parse_data
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
        result = create(request)
    except RenderBlockedError as exc:
        typer.echo(text.render(exc.result), err=True)  # why, before the error says what now
        raise
    _summary(result)


def _summary(result: NewResult) -> None:
    rendered = result.rendered
    typer.echo(
        f"Created {rendered.dest} from {rendered.template_id} {rendered.version} "
        f"({len(rendered.files)} files)."
    )
    typer.echo(text.render(result.gate))
    typer.echo("\nNext steps:")
    typer.echo(f"  cd {rendered.dest}")
    typer.echo("  git init && git add -A && git commit -m 'Start from the paved road'")
    typer.echo("  python -m pytest                # the service's own tests")
    typer.echo("  paved gate --stage pr           # the gate your pull requests will run")
