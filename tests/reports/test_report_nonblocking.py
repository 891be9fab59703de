"""A stage without a block threshold never reads as PASSED over critical findings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from tests.helpers import VULNERABLE_FILES, write_tree
from typer.testing import CliRunner

from pavedroad.cli import app
from pavedroad.findings import Finding, Severity
from pavedroad.gate.result import GatedFinding, GateResult, Verdict
from pavedroad.reports import markdown, text


def _nightly(finding_factory: Callable[..., Finding]) -> GateResult:
    critical = finding_factory(severity=Severity.CRITICAL)
    high = finding_factory(severity=Severity.HIGH, start_line=40)
    low = finding_factory(severity=Severity.LOW, start_line=50)
    gated = (
        GatedFinding(critical, Verdict.TICKET, "critical >= ticket threshold low"),
        GatedFinding(high, Verdict.TICKET, "high >= ticket threshold low"),
        GatedFinding(low, Verdict.TICKET, "low >= ticket threshold low"),
    )
    return GateResult("nightly", "/srv", gated, 3, ("checkov",), can_block=False)


def test_text_headline_says_the_stage_does_not_block(
    finding_factory: Callable[..., Finding],
) -> None:
    headline = text.render(_nightly(finding_factory)).splitlines()[0]
    assert "PASSED" not in headline
    assert headline.startswith("NOT BLOCKING: stage nightly does not block — ")
    assert "1 critical, 1 high ticketed; 0 warnings, 0 excepted" in headline


def test_markdown_title_says_the_stage_does_not_block(
    finding_factory: Callable[..., Finding],
) -> None:
    comment = markdown.MarkdownReporter().render(_nightly(finding_factory))
    assert "passed" not in comment.lower()
    assert "does not block" in comment and "**1 critical, 1 high ticketed**" in comment


def test_no_findings_at_a_non_blocking_stage(finding_factory: Callable[..., Finding]) -> None:
    empty = replace(_nightly(finding_factory), findings=())
    assert "PASSED" not in text.render(empty)
    assert "does not block" in markdown.MarkdownReporter().render(empty)


@pytest.mark.slow
def test_nightly_gate_over_a_critical_secret(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"config.py": VULNERABLE_FILES["config.py"]})
    env = {"COLUMNS": "100", "XDG_CACHE_HOME": str(tmp_path / "xdg"), "PAVED_CACHE_DIR": ""}
    result = CliRunner().invoke(app, ["gate", str(repo), "--stage", "nightly"], env=env)
    assert result.exit_code == 0, result.output
    assert "PASSED" not in result.stdout
    assert "stage nightly does not block — 1 critical, 0 high ticketed" in result.stdout
