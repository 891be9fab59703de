"""File names and scanner text never inject CI workflow commands or terminal escapes."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.helpers import write_tree
from typer.testing import CliRunner

from pavedroad.cli import app
from pavedroad.findings import Finding
from pavedroad.gate.result import GatedFinding, GateResult, Verdict
from pavedroad.reports import junit, markdown, text
from pavedroad.textsafe import printable, printable_lines

INJECTED_NAME = "x\n::error file=fake.py,line=1::INJECTED\n.py"
ESCAPE_NAME = "\x1b[2K\x1b[1Aevil.py"
KEY = 'aws_access_key_id = "AKIAIOSFODNN7EXAMPLF"\n'


def _assert_inert(output: str) -> None:
    """No line reads as a workflow command and no control character but a newline is left."""
    for line in output.splitlines():
        assert not re.match(r"\s*(::|##\[)", line), line
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", output), repr(output)


def _hostile(finding_factory: Callable[..., Finding]) -> GateResult:
    findings = (
        finding_factory(path=INJECTED_NAME, title="t\x1b[31m red", rule_id="R\n::warning::x"),
        finding_factory(path=ESCAPE_NAME, message="m\n::error::y \u202e", resource="r\x1b]0;"),
    )
    gated = tuple(
        GatedFinding(f, v, "why\n::notice::z")
        for f, v in zip(findings, (Verdict.BLOCK, Verdict.WARN), strict=True)
    )
    return GateResult("pr\n::error::stage", "/srv", gated, 2, ("checkov",), notes=("n\n::x",))


@pytest.mark.parametrize(
    "render",
    [text.render, markdown.MarkdownReporter().render, junit.JunitReporter().render],
    ids=["text", "markdown", "junit"],
)
def test_reports_escape_control_characters(
    render: Callable[[GateResult], str], finding_factory: Callable[..., Finding]
) -> None:
    output = render(_hostile(finding_factory))
    _assert_inert(output)
    assert "INJECTED" in output  # escaped, not dropped: the reader sees the real name


def test_scan_table_escapes_control_characters(finding_factory: Callable[..., Finding]) -> None:
    output = text.render_scan([finding_factory(path=INJECTED_NAME, title="a\x1b[2Kb")])
    _assert_inert(output)
    assert "x\\n::error file=fake.py" in output and "a\\x1b[2Kb" in output


def test_printable_helpers() -> None:
    assert printable("a\nb\x1b[0m\u202ec\x00") == "a\\nb\\x1b[0m\\u202ec\\x00"
    assert printable("plain ünïcode — ok") == "plain ünïcode — ok"
    assert printable_lines("a: bad\n::error::x\n  ##[error]y") == (
        "a: bad\n\\::error::x\n  \\##[error]y"
    )


@pytest.mark.slow
def test_gate_output_with_hostile_file_names(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"README.md": "hi\n"})
    (repo / INJECTED_NAME).write_text(KEY, encoding="utf-8")
    (repo / ESCAPE_NAME).write_text(KEY, encoding="utf-8")
    env = {"COLUMNS": "100", "XDG_CACHE_HOME": str(tmp_path / "xdg"), "PAVED_CACHE_DIR": ""}
    for fmt in ("text", "markdown", "junit"):
        result = CliRunner().invoke(app, ["gate", str(repo), "-s", "release", "-f", fmt], env=env)
        assert result.exit_code == 1, result.output
        _assert_inert(result.stdout)
        assert "INJECTED" in result.stdout
