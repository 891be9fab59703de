"""`paved lsp`: the language server for editors (stdio)."""

from __future__ import annotations

from typing import Annotated

import typer

from pavedroad.cli._common import handle_errors
from pavedroad.deliver.lsp import DEFAULT_STAGE, LspSettings, serve


@handle_errors
def lsp(
    stage: Annotated[
        str, typer.Option("--stage", "-s", help="Policy stage whose verdicts are shown.")
    ] = DEFAULT_STAGE,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the cache.")
    ] = False,
) -> None:
    """Serve the editor (LSP on stdio): the gate's findings for each file opened or saved.

    Start it from the editor, not by hand: see the README, "Findings in your editor".
    """
    serve(LspSettings(stage=stage, cache=not no_cache))
