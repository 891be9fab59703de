"""`paved threatmodel check`: route components the threat model does not know to a design review."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from pavedroad.cli._common import handle_errors
from pavedroad.project import threatmodel

app = typer.Typer(
    help="Compare the repository with its threat model (docs/threat-model.yaml).",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _group() -> None:
    """Compare the repository with its threat model (docs/threat-model.yaml)."""


class Format(enum.StrEnum):
    """Output formats of `paved threatmodel check`."""

    TEXT = "text"
    JSON = "json"


@app.command("check")
@handle_errors
def check(
    path: Annotated[
        Path,
        typer.Argument(help="Repository folder.", exists=True, file_okay=False, resolve_path=True),
    ] = Path(),
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="Output format.")
    ] = Format.TEXT,
    model: Annotated[
        str,
        typer.Option(help="The threat model, relative to the repository."),
    ] = threatmodel.MODEL_PATH,
) -> None:
    """Report components the threat model does not know; exit 1 when a design review is needed.

    A component is a Terraform resource type, an Ingress, Gateway or Service of type
    LoadBalancer or NodePort, a NetworkPolicy or security group egress rule, or a third-party
    action. Each one missing from the model's `covers` needs a security design review by the
    model's security_reviewers.
    """
    result = threatmodel.check(path, model)
    render = threatmodel.render_json if output_format is Format.JSON else threatmodel.render_text
    typer.echo(render(result))
    if result.exit_code:
        raise typer.Exit(result.exit_code)
