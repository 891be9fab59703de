"""`paved catalog`: list and show the templates of a catalog."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from pavedroad.catalog.model import Template
from pavedroad.catalog.model import load as load_catalog
from pavedroad.catalog.questions import Question, computed_from, load_config
from pavedroad.cli._common import CatalogOption, QuietOption, handle_errors, progress_shown
from pavedroad.cli.publish import publish
from pavedroad.errors import GateFailedError

app = typer.Typer(
    help="Browse, validate and publish the template catalog.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command("list")
@handle_errors
def list_templates(
    catalog: CatalogOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """List the templates of the catalog."""
    cat = load_catalog(catalog)
    if as_json:
        typer.echo(json.dumps([_summary(t) for t in cat.templates], indent=2, sort_keys=True))
        return
    rows = [("ID", "VERSION", "KIND", "TITLE")]
    rows += [(t.id, t.version, t.kind, t.title) for t in cat.templates]
    typer.echo(columns(rows))


def columns(rows: Sequence[tuple[str, ...]]) -> str:
    """Lay rows out in columns two spaces apart, however wide a value is."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _summary(t: Template) -> dict[str, Any]:
    return {
        "id": t.id,
        "title": t.title,
        "description": t.description,
        "kind": t.kind,
        "version": t.version,
        "tags": list(t.tags),
        "owners": list(t.owners),
        "scenarios": sorted(t.scenarios),
    }


@app.command("show")
@handle_errors
def show(
    template_id: Annotated[str, typer.Argument(metavar="ID", help="Template id.")],
    catalog: CatalogOption = None,
) -> None:
    """Show a template: version, questions with types and defaults, scenarios."""
    template = load_catalog(catalog).get(template_id)
    config = load_config(template.directory)
    typer.echo(f"{template.id} {template.version} ({template.kind}): {template.title}")
    typer.echo(template.description.strip())
    tags = f"   tags: {', '.join(template.tags)}" if template.tags else ""
    typer.echo(f"owners: {', '.join(template.owners)}{tags}")
    typer.echo("\nquestions:")
    for question in config.questions:
        if not question.computed:
            typer.echo(_question_line(question))
    computed = [q for q in config.questions if q.computed]
    if computed:
        typer.echo("\ncomputed by the template (not answerable):")
        for question in computed:
            typer.echo(_computed_line(question))
    typer.echo("\nscenarios:")
    for name, answers in template.scenarios.items():
        shown = ", ".join(f"{k}={v}" for k, v in answers.items()) or "(all defaults)"
        typer.echo(f"  {name}: {shown}")


def _question_line(q: Question) -> str:
    default = "" if q.default is None else f" = {q.default!r}"
    choices = f", one of: {', '.join(str(v) for _, v in q.choices)}" if q.choices else ""
    return f"  {q.name} ({q.type}){default}{choices}\n      {q.help.strip()}"


def _computed_line(q: Question) -> str:
    sources = computed_from(q)
    origin = f"from {', '.join(sources)}" if sources else f"always {q.default!r}"
    return f"  {q.name} ({q.type}) {origin}"


@app.command("validate")
@handle_errors
def validate(
    template_ids: Annotated[
        list[str] | None, typer.Argument(metavar="[ID]...", help="Templates (default: all).")
    ] = None,
    catalog: CatalogOption = None,
    quiet: QuietOption = False,
) -> None:
    """Render every scenario, require zero findings at the release gate, check schemas."""
    cat = load_catalog(catalog)
    from pavedroad.catalog import validate as catalog_validate  # deferred: it loads the renderer

    with progress_shown(quiet) as progress:
        results = catalog_validate.validate(cat, template_ids or (), progress=progress)
    typer.echo(catalog_validate.render_text(results))
    if not all(r.ok for r in results):
        raise GateFailedError("")


app.command("publish")(publish)
