"""`paved drift`: how far repositories are from the paved road."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated

import typer

from pavedroad.catalog import store
from pavedroad.catalog.model import load as load_catalog
from pavedroad.cli._common import CatalogOption, QuietOption, handle_errors, progress_shown
from pavedroad.project import drift as drift_mod


class DriftFormat(enum.StrEnum):
    """Output formats of `paved drift`."""

    TABLE = "table"
    MARKDOWN = "markdown"
    JSON = "json"


RENDERERS: dict[DriftFormat, Callable[[Sequence[drift_mod.DriftReport]], str]] = {
    DriftFormat.TABLE: drift_mod.to_table,
    DriftFormat.MARKDOWN: drift_mod.to_markdown,
    DriftFormat.JSON: drift_mod.to_json,
}


@handle_errors
def drift(
    paths: Annotated[list[Path], typer.Argument(help="Repositories to check.")],
    output_format: Annotated[
        DriftFormat, typer.Option("--format", help="Output format.")
    ] = DriftFormat.TABLE,
    template: Annotated[
        str | None,
        typer.Option("--template", help="Check only this template (default: every one found)."),
    ] = None,
    catalog: CatalogOption = None,
    quiet: QuietOption = False,
) -> None:
    """Report versions behind, missing guarded files and weaker gates; exit 1 on drift."""
    cat = load_catalog(catalog)
    with progress_shown(quiet) as progress:
        reports = drift_mod.check(paths, cat, store.resolve(), progress=progress, template=template)
    typer.echo(RENDERERS[output_format](reports).rstrip("\n"))
    code = drift_mod.exit_code(reports)
    if code:
        raise typer.Exit(code)
