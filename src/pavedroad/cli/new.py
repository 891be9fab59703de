"""`paved new`: bootstrap a service from the catalog, verified by its release gate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from pavedroad import catalog as catalog_mod
from pavedroad.cli._common import CatalogOption, handle_errors
from pavedroad.errors import GateFailedError, UserError
from pavedroad.gate_types import GateResult
from pavedroad.pipeline import gate_repository
from pavedroad.questions import Question, load_config, resolve_answers
from pavedroad.render import Rendered, check_destination, render
from pavedroad.reports import text
from pavedroad.schema import load_yaml

VERIFY_STAGE = "release"


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
    template = catalog_mod.load(catalog).get(template_id)
    _check_version(template, version)
    check_destination(dest)
    given = {**_read_data_file(data_file), **_parse_data(data or [])}
    interactive = not defaults and is_terminal()
    answers = resolve_answers(
        load_config(template.directory),
        given,
        _prompt if interactive else None,
        on_invalid=lambda message: typer.echo(f"  {message}; try again", err=True),
    )
    verdict: list[GateResult] = []
    rendered = render(template, answers, dest, verify=lambda out: _verify(out, verdict))
    _summary(rendered, verdict[0])


def is_terminal() -> bool:
    """Return True when a person can answer prompts."""
    return sys.stdin.isatty()


def _check_version(template: catalog_mod.Template, version: str | None) -> None:
    if version is not None and version != template.version:
        raise UserError(
            f"--version {version}: {template.id} has version {template.version} in this "
            "catalog; publish the catalog to keep earlier versions, or drop --version"
        )


def _parse_data(items: list[str]) -> dict[str, str]:
    parsed = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--data {item!r}: expected KEY=VALUE, e.g. --data service_name=orders")
        parsed[key.strip()] = value
    return parsed


def _read_data_file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    raw = load_yaml(path, str(path))
    if not isinstance(raw, dict):
        raise UserError(f"{path}: expected a mapping of question: answer")
    return {str(k): v for k, v in raw.items()}


def _prompt(question: Question, default: Any) -> str:
    if question.type == "bool":
        return str(typer.confirm(question.help, default=bool(default)))
    shown = None if default is None else str(default)
    return str(typer.prompt(question.help, default=shown, hide_input=question.secret))


def _verify(out: Path, verdict: list[GateResult]) -> None:
    result = gate_repository(out, VERIFY_STAGE, remember=False)
    verdict.append(result)
    if result.blocked:
        typer.echo(text.render(result), err=True)
        raise GateFailedError(
            f"the rendered project does not pass its {VERIFY_STAGE} gate; nothing was written. "
            "This is a bug in the template: report it to the catalog owners"
        )


def _summary(rendered: Rendered, result: GateResult) -> None:
    typer.echo(
        f"Created {rendered.dest} from {rendered.template_id} {rendered.version} "
        f"({len(rendered.files)} files)."
    )
    typer.echo(text.render(result))
    typer.echo("\nNext steps:")
    typer.echo(f"  cd {rendered.dest}")
    typer.echo("  git init && git add -A && git commit -m 'Start from the paved road'")
    typer.echo("  python -m pytest                # the service's own tests")
    typer.echo("  paved gate --stage pr           # the gate your pull requests will run")
