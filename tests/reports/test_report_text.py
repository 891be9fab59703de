"""Terminal output: one screen, blocking findings first with fix and exception command."""

from __future__ import annotations

from dataclasses import replace

from pavedroad.findings import Finding
from pavedroad.gate.result import GateResult
from pavedroad.reports import text
from pavedroad.reports.text import render, render_scan

SCREEN = 25


def test_headline_matches_the_documented_shape(mixed: GateResult, passed: GateResult) -> None:
    assert render(mixed).split("\n")[0] == (
        "BLOCKED: stage pr — 2 blocking, 1 to ticket, 1 warning, 1 excepted"
    )
    assert render(passed).split("\n")[0] == (
        "PASSED: stage main — 0 blocking, 1 to ticket, 1 warning, 1 excepted"
    )


def test_blocking_findings_show_place_fix_and_exception(mixed: GateResult) -> None:
    lines = render(mixed).split("\n")
    assert lines[1] == (
        "  CRITICAL CKV_AWS_20 infra/main.tf:12  S3 bucket ACL allows public READ access"
    )
    assert lines[2].strip().startswith("fix: Remove the public-read ACL")
    assert lines[3].strip() == "exception: paved exceptions request 28219321c0fa"
    assert lines[-4].startswith("note: expired: exception EXC-0007 (owner @platform)")
    assert lines[-3].startswith("note: expiring: exception EXC-0042")
    assert lines[-2] == (
        "Not blocking: 1 to ticket, 1 warning, 1 info (see --format markdown for the list)"
    )
    assert lines[-1] == "Scanned 42 files with checkov, hadolint, detect-secrets."


def test_fits_one_screen_however_many_block(many_blocking: GateResult) -> None:
    lines = render(many_blocking).split("\n")
    assert len(lines) <= SCREEN
    assert "  … and 23 more blocking (see --format markdown)" in lines
    assert all(len(line) <= text.WIDTH for line in lines)


def test_notes_shrink_the_list_but_not_past_one_screen(many_blocking: GateResult) -> None:
    notes = tuple(f"expiring: exception EXC-{i} expires soon" for i in range(5))
    lines = render(replace(many_blocking, notes=notes)).split("\n")
    assert len(lines) <= SCREEN
    assert "note: … and 3 more (see --format markdown)" in lines
    assert "  … and 24 more blocking (see --format markdown)" in lines


def test_eight_blocking_fit_when_nothing_else_is_shown(
    many_blocking: GateResult,
) -> None:
    few = replace(many_blocking, findings=many_blocking.findings[:7])
    lines = render(few).split("\n")
    assert len(lines) == 1 + 7 * 3 + 1
    assert not any("more blocking" in line for line in lines)


def test_no_colour_codes(mixed: GateResult) -> None:
    assert "\x1b" not in render(mixed)


def test_empty_result(empty: GateResult) -> None:
    assert render(empty) == (
        "PASSED: stage pr — no findings\nScanned 42 files with checkov, hadolint, detect-secrets."
    )


def test_reporter_matches_module_function(mixed: GateResult) -> None:
    assert text.TextReporter().render(mixed) == render(mixed)


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
