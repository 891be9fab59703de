"""Gate findings as LSP diagnostics, and the code actions that request an exception for one."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any, assert_never

from lsprotocol import types

from pavedroad.findings import Severity
from pavedroad.gate.result import GatedFinding, Verdict
from pavedroad.reports._common import EXCEPTION_COMMAND, is_web_url, one_line

SOURCE = "paved"
SHOW_COMMAND = "paved.showExceptionRequest"
# Files whose line comments start with `//`; every other gated format comments with `#`
# (Dockerfile, YAML, Terraform, Python, shell, TOML, .env). JSON has no comments at all.
_SLASH_COMMENTS = frozenset({".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".go", ".java", ".kt"})
_NO_COMMENTS = frozenset({".json", ".ipynb"})


def lsp_severity(severity: Severity) -> types.DiagnosticSeverity:
    """Return the LSP severity a finding of this severity is shown with."""
    match severity:
        case Severity.CRITICAL | Severity.HIGH:
            return types.DiagnosticSeverity.Error
        case Severity.MEDIUM:
            return types.DiagnosticSeverity.Warning
        case Severity.LOW:
            return types.DiagnosticSeverity.Information
        case Severity.INFO:
            return types.DiagnosticSeverity.Hint
        case _:
            assert_never(severity)


def request_command(ref: str, path: str) -> str:
    """Return the shell command that requests an exception for the finding."""
    return f"{EXCEPTION_COMMAND} {ref} --path {shlex.quote(path)}"


def diagnostics(findings: Sequence[GatedFinding]) -> list[types.Diagnostic]:
    """Return one diagnostic per finding the gate did not except."""
    return [diagnostic(g) for g in findings if g.verdict is not Verdict.EXCEPTED]


def diagnostic(gated: GatedFinding) -> types.Diagnostic:
    """Return the diagnostic for one gated finding: where, how bad, the fix and the docs link."""
    f = gated.finding
    first = max(f.start_line, 1) - 1  # 0 means the whole file: shown on its first line
    last = max(f.end_line, f.start_line, 1) - 1
    fix = one_line(f.fix)
    message = f"{one_line(f.title) or f.rule_id} [{gated.verdict.value}, {f.severity.label}]"
    if fix:
        message += f"\nFix: {fix}"
    message += f"\nException: {request_command(f.short_ref, f.path)}"
    return types.Diagnostic(
        range=types.Range(types.Position(first, 0), types.Position(last + 1, 0)),
        message=message,
        severity=lsp_severity(f.severity),
        code=f.rule_id,
        code_description=types.CodeDescription(f.docs_url) if is_web_url(f.docs_url) else None,
        source=f"{SOURCE}/{f.scanner}",
        data={"ref": f.short_ref, "path": f.path, "line": first},
    )


def code_actions(uri: str, context: types.CodeActionContext) -> list[types.CodeAction]:
    """Return, for each Paved Road diagnostic in range, the exception-request actions."""
    actions: list[types.CodeAction] = []
    for diag in context.diagnostics:
        data = _data(diag)
        if data is None:
            continue
        command = request_command(data["ref"], data["path"])
        actions.append(_show_action(command, diag))
        comment = comment_edit(uri, data["path"], int(data.get("line", 0)), command)
        if comment is not None:
            actions.append(_comment_action(command, diag, comment))
    return actions


def _data(diag: types.Diagnostic) -> dict[str, Any] | None:
    data = diag.data
    if not (diag.source or "").startswith(SOURCE) or not isinstance(data, dict):
        return None
    if not isinstance(data.get("ref"), str) or not isinstance(data.get("path"), str):
        return None
    return data


def _show_action(command: str, diag: types.Diagnostic) -> types.CodeAction:
    return types.CodeAction(
        title=f"Paved Road: request an exception ({command})",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diag],
        command=types.Command(
            title="Show the exception request", command=SHOW_COMMAND, arguments=[command]
        ),
    )


def _comment_action(
    command: str, diag: types.Diagnostic, edit: types.WorkspaceEdit
) -> types.CodeAction:
    return types.CodeAction(
        title="Paved Road: write the exception request command above this line",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diag],
        edit=edit,
    )


def comment_edit(uri: str, path: str, line: int, command: str) -> types.WorkspaceEdit | None:
    """Return an edit inserting the command as a comment above the line (None: no comments)."""
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in _NO_COMMENTS:
        return None
    marker = "//" if suffix in _SLASH_COMMENTS else "#"
    start = types.Position(line, 0)
    text = f"{marker} TODO: run `{command}` (or fix the finding), then remove this line\n"
    return types.WorkspaceEdit(changes={uri: [types.TextEdit(types.Range(start, start), text)]})
