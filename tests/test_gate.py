"""Unit tests of the pure gate function, on hand-made findings (no scanner involved)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pavedroad.findings import Finding, Severity, fingerprint
from pavedroad.gate import evaluate as gate
from pavedroad.gate.result import Verdict
from pavedroad.policy import file as policy


def _finding(severity: Severity, rule: str = "CKV_X_1", inline: bool = False) -> Finding:
    return Finding(
        scanner="checkov",
        rule_id=rule,
        title="t",
        severity=severity,
        path="a.tf",
        start_line=1,
        end_line=1,
        resource="r",
        message="m",
        fix="f",
        docs_url="https://example.invalid",
        fingerprint=fingerprint("checkov", rule, "a.tf", "r"),
        inline_suppressed=inline,
    )


def _run(pol: policy.Policy, stage: str, *findings: Finding) -> list[Verdict]:
    result = gate.evaluate(findings, pol, stage, root=".", files_scanned=1, scanners=("checkov",))
    return [g.verdict for g in result.findings]


@pytest.mark.parametrize(
    ("severity", "stage", "verdict"),
    [
        (Severity.CRITICAL, "pr", Verdict.BLOCK),
        (Severity.HIGH, "pr", Verdict.BLOCK),
        (Severity.MEDIUM, "pr", Verdict.TICKET),
        (Severity.LOW, "pr", Verdict.WARN),
        (Severity.INFO, "pr", Verdict.INFO),
        (Severity.HIGH, "pre-commit", Verdict.INFO),
        (Severity.CRITICAL, "pre-commit", Verdict.BLOCK),
        (Severity.CRITICAL, "nightly", Verdict.TICKET),
        (Severity.INFO, "nightly", Verdict.WARN),
    ],
)
def test_tiers(tmp_path: Path, severity: Severity, stage: str, verdict: Verdict) -> None:
    assert _run(policy.load(tmp_path), stage, _finding(severity)) == [verdict]


def test_every_verdict_is_reachable(tmp_path: Path) -> None:
    pol = policy.load(tmp_path)
    seen = {v for s in Severity for v in _run(pol, "pr", _finding(s))}
    assert seen == {Verdict.BLOCK, Verdict.TICKET, Verdict.WARN, Verdict.INFO}


def test_blocked_property(tmp_path: Path) -> None:
    pol = policy.load(tmp_path)
    result = gate.evaluate(
        [_finding(Severity.HIGH)], pol, "pr", root=".", files_scanned=1, scanners=()
    )
    assert result.blocked
    assert not gate.evaluate([], pol, "pr", root=".", files_scanned=0, scanners=()).blocked


def test_severity_override_applies(tmp_path: Path) -> None:
    pol = policy.parse(
        {
            "version": 1,
            "stages": {"pr": {"scope": "changed", "block": "high"}},
            "severity_overrides": {"CKV_X_1": "critical", "CKV_Y_1": "info"},
        },
        "policy.yaml",
    )
    assert _run(pol, "pr", _finding(Severity.LOW), _finding(Severity.CRITICAL, "CKV_Y_1")) == [
        Verdict.BLOCK,
        Verdict.INFO,
    ]


@pytest.mark.parametrize(
    ("mode", "verdict"),
    [("allow", Verdict.INFO), ("warn", Verdict.WARN), ("require-exception", Verdict.BLOCK)],
)
def test_inline_suppressions_follow_policy(mode: str, verdict: Verdict) -> None:
    pol = policy.parse(
        {
            "version": 1,
            "stages": {"pr": {"scope": "changed", "block": "high"}},
            "exceptions": {"inline_suppressions": mode},
        },
        "policy.yaml",
    )
    assert _run(pol, "pr", _finding(Severity.HIGH, inline=True)) == [verdict]
