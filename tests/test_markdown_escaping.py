"""Drift and exception-review Markdown escape text exactly like the gate's Markdown report."""

from __future__ import annotations

import datetime as dt
import re

from pavedroad.exceptions import review
from pavedroad.exceptions.records import ExceptionRecord
from pavedroad.policy.compare import PolicyChange
from pavedroad.project import drift
from pavedroad.project.drift import DriftReport, GuardedFile
from pavedroad.textsafe import md_text

TODAY = dt.date(2026, 11, 28)
OWNER = "@acme/payments"
REPO = "svc|payments @acme/payments"
# A pipe not preceded by a backslash ends a table cell.
_CELL_BREAK = re.compile(r"(?<!\\)\|")


def _record(owner: str = OWNER, rule: str = "CKV_K8S_43") -> ExceptionRecord:
    return ExceptionRecord(
        id="EXC-0001",
        rule=rule,
        paths=("deploy/app.yaml",),
        resource=None,
        fingerprint=None,
        justification="digest set by release",
        owner=owner,
        approver="@acme/security",
        created=dt.date(2026, 11, 1),
        expires=dt.date(2027, 1, 20),
        controls=(),
        ticket=None,
    )


def _table_rows(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("|")]


def _cells(row: str) -> int:
    return len(_CELL_BREAK.findall(row)) - 1


def test_review_markdown_does_not_mention_the_owner() -> None:
    built = review.build([("svc-a", [_record()])], TODAY, 14)
    markdown = review.render_markdown(built)
    assert OWNER not in markdown
    assert md_text(OWNER) in markdown


def test_review_markdown_keeps_the_table_whole_with_a_pipe_in_a_name() -> None:
    built = review.build([(REPO, [_record(rule="RULE|X")])], TODAY, 14)
    rows = _table_rows(review.render_markdown(built))
    records = rows[rows.index("| repository | id | rule | owner | expires | status |") :]
    assert len(records) == 3
    assert {_cells(row) for row in records} == {6}
    assert "@acme/" not in review.render_markdown(built)


def test_drift_markdown_escapes_like_the_gate_report() -> None:
    reports = (
        DriftReport(
            path=REPO,
            template_id="svc",
            version="1.0.0",
            latest="1.1.0",
            behind=1,
            guarded=(GuardedFile("CODEOWNERS @acme/payments", "missing"),),
            gate_changes=(PolicyChange("stages.pr.block", "high", "critical", True),),
        ),
        DriftReport(path="broken|repo", error="broken|repo: owner @acme/payments is unknown"),
    )
    markdown = drift.to_markdown(reports)
    rows = _table_rows(markdown)
    assert len(rows) == 4
    assert {_cells(row) for row in rows} == {len(drift._COLUMNS)}
    assert "@acme/" not in markdown
    assert md_text(REPO) in markdown
