"""Observe mode: a stage reports what it would block, exits 0, and enforces from its date."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from tests.helpers import VULNERABLE_FILES, make_finding, write_tree
from typer.testing import CliRunner

from pavedroad.cli import app
from pavedroad.findings import Severity
from pavedroad.gate import evaluate as gate
from pavedroad.gate.result import Hold, Verdict
from pavedroad.policy import file as policy

RUNNER = CliRunner()
ENFORCE_FROM = "2027-01-15"
POLICY = f"""\
version: 1
stages:
  pr: {{scope: changed, block: high, ticket: medium, warn: low}}
  release: {{scope: full, block: high, ticket: medium, warn: low,
            mode: observe, enforce_from: {ENFORCE_FROM}}}
  nightly: {{scope: full, block: high, mode: observe, enforce_from: {ENFORCE_FROM}}}
"""


def _pol() -> policy.Policy:
    import yaml

    return policy.parse(yaml.safe_load(POLICY), "policy.yaml")


def _gate(stage: str, today: str, severity: Severity = Severity.HIGH) -> gate.GateResult:
    finding = make_finding(severity=severity)
    return gate.evaluate(
        [finding],
        _pol(),
        stage,
        root=".",
        files_scanned=1,
        scanners=("checkov",),
        today=dt.date.fromisoformat(today),
    )


def test_before_its_date_a_block_is_ticketed_and_held() -> None:
    result = _gate("release", "2027-01-14")
    [held] = result.findings
    assert (held.verdict, held.held) == (Verdict.TICKET, Hold.OBSERVE)
    assert held.reason == (
        f"would block: high >= block threshold high; held: observe mode until {ENFORCE_FROM}"
    )
    assert not result.blocked and result.observe_until == ENFORCE_FROM
    assert result.held_by(Hold.OBSERVE) == (held,)


def test_without_a_ticket_tier_a_held_block_is_a_warning() -> None:
    [held] = _gate("nightly", "2027-01-01").findings
    assert (held.verdict, held.held) == (Verdict.WARN, Hold.OBSERVE)


def test_from_its_date_the_stage_blocks() -> None:
    result = _gate("release", ENFORCE_FROM)
    assert [(g.verdict, g.held) for g in result.findings] == [(Verdict.BLOCK, None)]
    assert result.blocked and result.observe_until is None


def test_findings_below_the_block_threshold_are_not_held() -> None:
    [gated] = _gate("release", "2027-01-01", Severity.MEDIUM).findings
    assert (gated.verdict, gated.held) == (Verdict.TICKET, None)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed repository with real findings and a release stage in observe mode."""
    root = write_tree(tmp_path / "repo", {**VULNERABLE_FILES, ".pavedroad/policy.yaml": POLICY})
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "start"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
            cwd=root,
            check=True,
        )
    monkeypatch.setenv("PAVED_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(root)
    return root


def _run(today: str) -> tuple[int, str, dict[str, object]]:
    out = Path("..", "gate.json")  # outside the repository, or the next run would scan it
    args = ["gate", ".", "--stage", "release", "--format", "json", "--output", str(out)]
    result = RUNNER.invoke(app, args, env={"PAVED_TODAY": today, "COLUMNS": "100"})
    doc = json.loads(out.read_text(encoding="utf-8"))
    return result.exit_code, result.stdout + result.stderr, doc


def test_observe_mode_on_a_real_repository_before_and_after_its_date(repo: Path) -> None:
    code, out, doc = _run("2027-01-14")
    held = doc["held"]
    assert code == 0, out
    assert out.startswith(f"PASSED (observe mode until {ENFORCE_FROM}): stage release")
    assert isinstance(held, dict) and held["observe"] >= 2  # the root user, the AWS key
    assert f"Held back: {held['observe']} would block ({held['observe']} observe mode)" in out
    assert doc["blocked"] is False and doc["observe_until"] == ENFORCE_FROM

    code, out, doc = _run(ENFORCE_FROM)
    assert code == 1, out
    assert out.startswith("BLOCKED: stage release")
    summary = doc["summary"]
    assert isinstance(summary, dict) and summary["block"] == held["observe"]
    assert doc["held"] == {"observe": 0, "baseline": 0, "pre-existing": 0}
