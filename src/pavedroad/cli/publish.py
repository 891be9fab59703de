"""`paved catalog publish`: turn each template into a versioned git repository in the store."""

from __future__ import annotations

from typing import Annotated

import typer

from pavedroad.catalog import publish as publish_mod
from pavedroad.catalog import store
from pavedroad.catalog.model import load as load_catalog
from pavedroad.cli._common import CatalogOption, QuietOption, handle_errors, progress_shown

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--to",
        help="Store: a folder or a git URL (default: $PAVED_STORE, else a per-user folder).",
        show_default=False,
    ),
]


@handle_errors
def publish(
    to: StoreOption = None, catalog: CatalogOption = None, quiet: QuietOption = False
) -> None:
    """Validate each template to publish like `catalog validate`, then tag it in the store."""
    cat = load_catalog(catalog)
    st = store.resolve(to)
    with progress_shown(quiet) as progress:
        published = publish_mod.publish_catalog(cat, st, progress=progress)
    for done in published:
        status = "published" if done.created else "unchanged"
        typer.echo(f"{status:<9}  {done.template_id} {done.version}  {done.repo} ({done.tag})")
