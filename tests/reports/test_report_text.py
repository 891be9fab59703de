"""Terminal output: every blocking finding with why it blocks, its fix and exception command,
wrapped to the terminal width and never cut."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pavedroad.findings import Finding
from pavedroad.gate.result import GateResult, Verdict
from pavedroad.reports import text
from pavedroad.reports.text import render, render_scan


def test_headline_matches_the_documented_shape(mixed: GateResult, passed: GateResult) -> None:
    assert render(mixed).split("\n")[0] == (
        "BLOCKED: stage pr — 2 blocking, 1 to ticket, 1 warning, 1 excepted"
    )
    assert render(passed).split("\n")[0] == (
        "PASSED: stage main — 0 blocking, 1 to ticket, 1 warning, 1 excepted"
    )


def test_blocking_findings_show_place_why_fix_and_exception(mixed: GateResult) -> None:
    lines = render(mixed, width=100).split("\n")
    assert lines[1] == (
        "  CRITICAL CKV_AWS_20 infra/main.tf:12  S3 bucket ACL allows public READ access"
    )
    assert lines[2].strip() == "blocks: critical >= block threshold high at stage pr"
    assert lines[3].strip().startswith("fix: Remove the public-read ACL")
    assert lines[4].strip() == "exception: paved exceptions request 28219321c0fa"
    assert lines[-5].startswith("note: expired: exception EXC-0007 (owner @platform)")
    assert lines[-4] == "  again. Renew it or fix them"  # wrapped, not cut
    assert lines[-3].startswith("note: expiring: exception EXC-0042")
    assert lines[-2] == (
        "Not blocking: 1 to ticket, 1 warning, 1 info (see --format markdown for the list)"
    )
    assert lines[-1] == "Scanned 42 files with checkov, hadolint, detect-secrets."


def test_lists_every_blocking_finding_compactly_past_a_screen(
    many_blocking: GateResult,
) -> None:
    out = render(many_blocking, width=100)
    refs = [g.finding.short_ref for g in many_blocking.findings]
    assert all(ref in out for ref in refs)  # all 30, none sent to another format
    lines = out.split("\n")
    head = lines.index("  22 more blocking at stage release (why; exception ref):")
    assert head == 1 + text.MAX_BLOCKING * text._LINES_PER_FINDING  # about a screenful first
    compact = lines[head + 1 : -1]
    assert len(compact) == 22 and all("; ref " in line for line in compact)
    assert "see --format markdown" not in out


def test_notes_are_capped_but_blocking_findings_never(many_blocking: GateResult) -> None:
    notes = tuple(f"expiring: exception EXC-{i} expires soon" for i in range(5))
    out = render(replace(many_blocking, notes=notes), width=100)
    assert "note: … and 3 more (see --format markdown)" in out.split("\n")
    assert all(g.finding.short_ref in out for g in many_blocking.findings)


def test_up_to_eight_blocking_all_get_full_detail(many_blocking: GateResult) -> None:
    few = replace(many_blocking, findings=many_blocking.findings[:8])
    lines = render(few, width=100).split("\n")
    assert len(lines) == 1 + 8 * text._LINES_PER_FINDING + 1
    assert not any("more blocking" in line for line in lines)


def test_long_fix_wraps_to_the_width_and_is_never_cut(mixed: GateResult) -> None:
    fix = "Do this first, then " + " ".join(f"step{i}" for i in range(60)) + " END."
    result = replace(
        mixed,
        findings=tuple(
            replace(g, finding=replace(g.finding, fix=fix)) if g.verdict is Verdict.BLOCK else g
            for g in mixed.findings
        ),
    )
    for width in (60, 100, 200):
        lines = render(result, width=width).split("\n")
        assert all(len(line) <= width for line in lines)
        joined = " ".join(line.strip() for line in lines)
        assert "step59 END." in joined and "…" not in joined


def test_width_follows_columns_else_100_when_piped(
    mixed: GateResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    assert text.terminal_width() == 60
    assert max(len(line) for line in render(mixed).split("\n")) <= 60
    monkeypatch.delenv("COLUMNS")
    assert text.terminal_width() == text.WIDTH  # pytest captures stdout: not a terminal


def test_no_colour_codes(mixed: GateResult) -> None:
    assert "\x1b" not in render(mixed)


def test_empty_result(empty: GateResult) -> None:
    assert render(empty) == (
        "PASSED: stage pr — no findings\nScanned 42 files with checkov, hadolint, detect-secrets."
    )


def test_reporter_matches_module_function(mixed: GateResult) -> None:
    assert text.TextReporter().render(mixed) == render(mixed, width=text.WIDTH)


def test_report_file_does_not_depend_on_the_terminal(
    mixed: GateResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    assert text.TextReporter().render(mixed) == render(mixed, width=100)


def test_scan_table_lists_most_severe_first_with_totals(mixed: GateResult) -> None:
    findings: list[Finding] = [g.finding for g in mixed.findings]
    lines = render_scan(findings).split("\n")
    assert lines[0].split() == ["SEVERITY", "RULE", "LOCATION", "TITLE"]
    assert lines[1].startswith("critical  CKV_AWS_20")
    assert [line.split()[0] for line in lines[1:-1]] == [
        "critical",
        "high",
        "high",
        "medium",
        "low",
        "info",
    ]
    assert any("Dockerfile  " in line and "CKV_DOCKER_2" in line for line in lines)
    assert lines[-1] == "6 findings: 1 critical, 2 high, 1 medium, 1 low, 1 info"
    header_title = lines[0].index("TITLE")
    assert all(line[header_title - 2 : header_title] == "  " for line in lines[1:-1])


def test_scan_with_no_findings() -> None:
    assert render_scan([]) == "No findings."
