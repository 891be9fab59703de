"""`paved lsp`: a language server over stdio that shows the gate's findings in the editor.

On open and on save it gates the one file (the stage's thresholds, the repository's policy and
exceptions, the result cache and the warm checkov server) and publishes the findings as
diagnostics. The file is read from disk, so what is shown is what was saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from pavedroad import __version__
from pavedroad.deliver.lsp_diagnostics import SHOW_COMMAND, code_actions, diagnostics
from pavedroad.errors import PavedError
from pavedroad.gate.run import gate_repository
from pavedroad.scan.cache import ResultCache, default_directory
from pavedroad.textsafe import printable_lines

DEFAULT_STAGE = "pre-commit"


@dataclass(frozen=True)
class LspSettings:
    """How the server gates a file."""

    stage: str = DEFAULT_STAGE
    cache: bool = True


def gate_document(path: Path, settings: LspSettings) -> tuple[Path, list[types.Diagnostic]]:
    """Gate one file in its repository; return the repository and the file's diagnostics."""
    root = repository_of(path)
    rel = path.resolve().relative_to(root).as_posix()
    cache = ResultCache(default_directory()) if settings.cache else None
    result = gate_repository(root, settings.stage, remember=False, cache=cache, only=(rel,))
    return root, diagnostics([g for g in result.findings if g.finding.path == rel])


def repository_of(path: Path) -> Path:
    """Return the nearest folder above path holding .git or .pavedroad, else its folder."""
    start = path.resolve().parent
    for folder in (start, *start.parents):
        if (folder / ".git").exists() or (folder / ".pavedroad").is_dir():
            return folder
    return start


def build_server(settings: LspSettings) -> LanguageServer:
    """Return the language server with its handlers registered."""
    server = LanguageServer("paved", __version__)

    def publish(ls: LanguageServer, uri: str) -> None:
        found = _gate_uri(ls, uri, settings)
        params = types.PublishDiagnosticsParams(uri=uri, diagnostics=found)
        ls.text_document_publish_diagnostics(params)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(ls: LanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return code_actions(params.text_document.uri, params.context)

    @server.command(SHOW_COMMAND)
    def show(ls: LanguageServer, *args: Any) -> str:
        command = str(args[0]) if args else ""
        ls.window_show_message(types.ShowMessageParams(types.MessageType.Info, command))
        return command

    return server


def _gate_uri(ls: LanguageServer, uri: str, settings: LspSettings) -> list[types.Diagnostic]:
    """Return the file's diagnostics; say why in the editor when it cannot be gated."""
    fs_path = to_fs_path(uri) if uri.startswith("file:") else None
    if fs_path is None or not Path(fs_path).is_file():
        return []
    try:
        return gate_document(Path(fs_path), settings)[1]
    except PavedError as exc:
        text = printable_lines(f"paved: {exc}")
        ls.window_show_message(types.ShowMessageParams(types.MessageType.Error, text))
        return []


def serve(settings: LspSettings) -> None:
    """Serve the Language Server Protocol on stdin and stdout until the client says exit."""
    build_server(settings).start_io()
