"""Findings as LSP diagnostics and code actions, without a server."""

from __future__ import annotations

import pytest
from lsprotocol import types
from tests.helpers import make_finding

from pavedroad.deliver.lsp_diagnostics import (
    code_actions,
    comment_edit,
    diagnostic,
    diagnostics,
    lsp_severity,
    request_command,
)
from pavedroad.findings import Severity
from pavedroad.gate.result import GatedFinding, Verdict

EXPECTED = {
    Severity.CRITICAL: types.DiagnosticSeverity.Error,
    Severity.HIGH: types.DiagnosticSeverity.Error,
    Severity.MEDIUM: types.DiagnosticSeverity.Warning,
    Severity.LOW: types.DiagnosticSeverity.Information,
    Severity.INFO: types.DiagnosticSeverity.Hint,
}


@pytest.mark.parametrize("severity", list(Severity))
def test_every_severity_maps(severity: Severity) -> None:
    assert lsp_severity(severity) is EXPECTED[severity]


def test_a_diagnostic_carries_place_fix_docs_and_command() -> None:
    gated = GatedFinding(make_finding(), Verdict.BLOCK, "critical >= block threshold high")
    diag = diagnostic(gated)
    assert (diag.range.start.line, diag.range.end.line) == (11, 20)  # lines 12-20, 0-based
    assert diag.code == "CKV_AWS_20" and diag.source == "paved/checkov"
    assert diag.code_description is not None
    assert diag.code_description.href.startswith("https://docs.prismacloud.io/")
    ref = gated.finding.short_ref
    assert diag.message.splitlines() == [
        "S3 bucket ACL allows public READ access [block, critical]",
        "Fix: Remove the public-read ACL and enable the bucket's public access block.",
        f"Exception: paved exceptions request {ref} --path infra/main.tf",
    ]


def test_excepted_findings_and_non_web_links_are_left_out() -> None:
    excepted = GatedFinding(make_finding(), Verdict.EXCEPTED, "EXC-0001")
    local = GatedFinding(
        make_finding(docs_url="file:///etc/passwd", start_line=0), Verdict.WARN, ""
    )
    found = diagnostics([excepted, local])
    assert len(found) == 1 and found[0].code_description is None
    assert found[0].range.start.line == 0, "line 0 (the whole file) shows on the first line"


def test_paths_with_spaces_are_quoted_for_the_shell() -> None:
    assert request_command("abc123abc123", "my dir/a b.tf") == (
        "paved exceptions request abc123abc123 --path 'my dir/a b.tf'"
    )


def test_the_comment_follows_the_file_type() -> None:
    command = request_command("abc123abc123", "x")
    js = comment_edit("file:///r/app.js", "app.js", 3, command)
    assert js is not None and js.changes is not None
    assert js.changes["file:///r/app.js"][0].new_text.startswith("// TODO: run `paved")
    assert comment_edit("file:///r/p.json", "p.json", 0, command) is None


def test_code_actions_only_for_paved_diagnostics() -> None:
    ours = diagnostic(GatedFinding(make_finding(), Verdict.BLOCK, ""))
    other = types.Diagnostic(types.Range(types.Position(0, 0), types.Position(1, 0)), "x",
                             source="pyright", data={"ref": "r", "path": "p"})  # fmt: skip
    context = types.CodeActionContext(diagnostics=[ours, other])
    actions = code_actions("file:///r/infra/main.tf", context)
    assert [a.kind for a in actions] == [types.CodeActionKind.QuickFix] * 2
    shown, written = actions
    assert shown.command is not None and shown.command.command == "paved.showExceptionRequest"
    assert written.edit is not None and written.edit.changes is not None
    edit = written.edit.changes["file:///r/infra/main.tf"][0]
    assert edit.range.start.line == 11 and edit.new_text.startswith("# TODO: run `paved")
