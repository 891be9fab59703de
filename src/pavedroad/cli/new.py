"""`paved new`: bootstrap a service from the catalog, verified by its release gate."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from pavedroad.catalog import model as catalog_mod
from pavedroad.catalog import publish, store
from pavedroad.catalog.questions import Question, load_config, resolve_answers
from pavedroad.catalog.render import Rendered, check_destination, render
from pavedroad.cli._common import CatalogOption, handle_errors
from pavedroad.edges import load_yaml
from pavedroad.errors import GateFailedError, UserError
from pavedroad.gate.result import GateResult
from pavedroad.gate.run import gate_repository
from pavedroad.reports import text

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
    st = store.resolve()
    earlier = _earlier_version(template, version, st)
    check_destination(dest)
    given = {**_read_data_file(data_file), **parse_data(data or [])}
    interactive = not defaults and is_terminal()
    with _questions_of(template, earlier) as directory:
        answers = resolve_answers(
            load_config(directory),
            given,
            prompt_answer if interactive else None,
            on_invalid=retry_message,
        )
    # Published lazily, once the answers are valid: `paved update` later reads the recorded
    # version back from the store, so the project must be rendered from it.
    source = earlier or publish.ensure_published(template, st)
    verdict: list[GateResult] = []
    rendered = render(
        template, answers, dest, verify=lambda out: _verify(out, verdict), source=source
    )
    _summary(rendered, verdict[0])


def retry_message(message: str) -> None:
    """Say why a typed answer was rejected before asking again."""
    typer.echo(f"  {message}; try again", err=True)


def is_terminal() -> bool:
    """Return True when a person can answer prompts."""
    return sys.stdin.isatty()


def _earlier_version(
    template: catalog_mod.Template, version: str | None, st: store.Store
) -> store.Source | None:
    """Return the published source of an explicitly requested earlier version."""
    if version is None or version == template.version:
        return None
    if version not in store.published_versions(st, template.id):
        raise UserError(
            f"--version {version}: {template.id} {version} is not published in {st.location} "
            f"(this catalog has {template.version}); publish that version with "
            "`paved catalog publish`, or drop --version"
        )
    return store.source(st, template.id, version)


@contextmanager
def _questions_of(template: catalog_mod.Template, earlier: store.Source | None) -> Iterator[Path]:
    """Yield the folder whose copier.yml asks the questions of the version to render."""
    if earlier is None:
        yield template.directory
        return
    with store.checkout(earlier) as folder:
        yield folder


def parse_data(items: list[str]) -> dict[str, str]:
    """Parse repeated --data KEY=VALUE options."""
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


def prompt_answer(question: Question, default: Any) -> str:
    """Ask one question on the terminal."""
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
