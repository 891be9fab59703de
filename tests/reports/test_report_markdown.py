"""The PR comment: outcome first, sections by verdict, escaped text, capped lists."""

from __future__ import annotations

import re
from dataclasses import replace

from pavedroad.gate.result import GateResult
from pavedroad.reports.markdown import MarkdownReporter

REPORTER = MarkdownReporter()
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def test_headline_gives_outcome_stage_and_counts(mixed: GateResult) -> None:
    lines = REPORTER.render(mixed).split("\n")
    assert lines[0] == "<!-- pavedroad:gate stage=pr -->"
    assert lines[1] == "### ❌ Paved Road: blocked at stage `pr`"
    assert lines[3] == "**2 blocking** · 1 to ticket · 1 warning · 1 info · 1 excepted"


def test_gate_notes_come_right_after_the_headline(mixed: GateResult) -> None:
    text = REPORTER.render(mixed)
    assert text.index("**Gate notes**") < text.index("#### Blocking")
    assert "- expiring: exception EXC-0042 (owner @&#8203;sec) expires in 5 day(s)" in text


def test_sections_in_order_with_excepted_apart_and_info_only_counted(mixed: GateResult) -> None:
    text = REPORTER.render(mixed)
    positions = [
        text.index(heading)
        for heading in (
            "#### Blocking (2)",
            "#### To ticket (1)",
            "#### Warnings (1)",
            "<details><summary>Excepted (1)</summary>",
        )
    ]
    assert positions == sorted(positions)
    assert "CKV_DOCKER_2" not in text
    assert "_1 info finding not listed._" in text
    assert "EXC-0042: logs go to the org trail, owner @&#8203;sec" in text


def test_blocking_rows_carry_fix_docs_and_exception_command(mixed: GateResult) -> None:
    row = next(line for line in REPORTER.render(mixed).split("\n") if "CKV_AWS_20" in line)
    assert "**critical**" in row
    assert "`infra/main.tf:12`" in row
    assert "Remove the public-read ACL" in row
    assert "[docs](https://docs.prismacloud.io/" in row
    assert "`paved exceptions request 28219321c0fa`" in row


def _tables(text: str) -> list[list[str]]:
    tables: list[list[str]] = []
    previous = ""
    for line in text.split("\n"):
        if line.startswith("|"):
            if not previous.startswith("|"):
                tables.append([])
            tables[-1].append(line)
        previous = line
    return tables


def test_hostile_text_cannot_break_the_table_or_inject_markup(mixed: GateResult) -> None:
    text = REPORTER.render(mixed)
    row = next(line for line in text.split("\n") if "DL3059" in line)
    assert "Merge \\| \\*these\\* RUNs: 100% of layers \\<b\\>count\\</b\\>" in row
    assert "\\[x\\](javascript:alert(1))" in row
    assert "Then rebuild." in row and "\r" not in text
    tables = _tables(text)
    assert len(tables) == 4
    for table in tables:
        cells = {len(UNESCAPED_PIPE.findall(line)) for line in table}
        assert len(cells) == 1, table


def test_long_sections_are_capped(many_blocking: GateResult) -> None:
    text = REPORTER.render(many_blocking)
    rows = [line for line in text.split("\n") if line.startswith("| **critical**")]
    assert len(rows) == 20
    assert "_…and 10 more, not shown; see the JSON or SARIF report._" in text
    assert "#### Blocking (30)" in text


def test_passed_result_has_a_green_headline(passed: GateResult) -> None:
    text = REPORTER.render(passed)
    assert "### ✅ Paved Road: passed at stage `main`" in text
    assert "#### Blocking" not in text


def test_empty_result_says_so(empty: GateResult) -> None:
    text = REPORTER.render(empty)
    assert "✅" in text and "No findings." in text
    assert "Scanned 42 files with checkov, hadolint, detect-secrets." in text
    assert "no scanner" in REPORTER.render(replace(empty, scanners=()))
