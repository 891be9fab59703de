"""Hand-made gate results for report tests, and the snapshot helper."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.helpers import make_finding

from pavedroad.findings import Finding, Severity
from pavedroad.gate.result import GatedFinding, GateResult, Hold, Verdict

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE_ENV = "PAVED_UPDATE_SNAPSHOTS"
ROOT = "/srv/checkout"
SCANNERS = ("checkov", "hadolint", "detect-secrets")
NOTES = (
    "expired: exception EXC-0007 (owner @platform) expired on 2025-01-31; "
    "its findings are gated again. Renew it or fix them",
    "expiring: exception EXC-0042 (owner @sec) expires in 5 day(s) on 2025-03-31",
)

FindingFactory = Callable[..., Finding]
Snapshot = Callable[[str, str], None]


@pytest.fixture(autouse=True)
def _fixed_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """The text report wraps to COLUMNS: the tests' width never comes from the shell's."""
    monkeypatch.delenv("COLUMNS", raising=False)


def _mixed_findings() -> tuple[GatedFinding, ...]:
    """One finding per verdict plus the awkward cases every report must survive."""
    blocked_secret = make_finding(
        scanner="detect-secrets",
        rule_id="SecretKeyword",
        title="Secret Keyword",
        severity=Severity.HIGH,
        path="config/dev settings.py",
        start_line=3,
        end_line=3,
        resource="",
        message="A secret-looking value is assigned to `db_password`.",
        fix="Move the value to the secret store and rotate it.",
        docs_url="https://github.com/bridgecrewio/detect-secrets#plugins",
    )
    ticket = make_finding(
        scanner="hadolint",
        rule_id="DL3008",
        title="Pin versions in apt-get install: use <package>=<version>, e.g. curl=7.88.1-10",
        severity=Severity.MEDIUM,
        path="Dockerfile",
        start_line=5,
        end_line=5,
        resource="",
        message="Pin versions in apt get install.",
        fix="Write `apt-get install curl=<version>` instead of `apt-get install curl`.",
        docs_url="https://github.com/hadolint/hadolint/wiki/DL3008",
    )
    hostile = make_finding(
        scanner="hadolint",
        rule_id="DL3059",
        title="Multiple consecutive RUN instructions",
        severity=Severity.LOW,
        path="Dockerfile",
        start_line=9,
        end_line=10,
        resource="",
        message=(
            "Merge | *these* RUNs: 100% of\nlayers <b>count</b> [x](javascript:alert(1)) `tick`"
        ),
        fix="Join the commands with `&&` in one RUN.\r\nThen rebuild.",
        docs_url="https://github.com/hadolint/hadolint/wiki/DL3059",
    )
    whole_file = make_finding(
        rule_id="CKV_DOCKER_2",
        title="Ensure that HEALTHCHECK instructions have been added to container images",
        severity=Severity.INFO,
        path="Dockerfile",
        start_line=0,
        end_line=0,
        resource="Dockerfile.",
        message="Ensure that HEALTHCHECK instructions have been added to container images",
        fix="Add a HEALTHCHECK instruction.",
        docs_url="https://docs.prismacloud.io/en/enterprise-edition/policy-reference/docker-policies/docker-policy-index/ensure-that-healthcheck-instructions-have-been-added-to-container-images",
    )
    excepted = make_finding(
        rule_id="CKV_AWS_18",
        title="Ensure the S3 bucket has access logging enabled",
        severity=Severity.HIGH,
        message="Access logging is disabled for aws_s3_bucket.data.",
        fix="Add a logging block that targets the central log bucket.",
        inline_suppressed=True,
    )
    return (
        GatedFinding(hostile, Verdict.WARN, "low >= warn threshold low"),
        GatedFinding(whole_file, Verdict.INFO, "info is below every threshold of stage pr"),
        GatedFinding(excepted, Verdict.EXCEPTED, "EXC-0042: logs go to the org trail, owner @sec"),
        GatedFinding(ticket, Verdict.TICKET, "medium >= ticket threshold medium"),
        GatedFinding(blocked_secret, Verdict.BLOCK, "high >= block threshold high"),
        GatedFinding(make_finding(), Verdict.BLOCK, "critical >= block threshold high"),
    )


@pytest.fixture
def mixed() -> GateResult:
    """A blocked result with one finding per verdict (deliberately out of order)."""
    return GateResult("pr", ROOT, _mixed_findings(), 42, SCANNERS, notes=NOTES)


@pytest.fixture
def empty() -> GateResult:
    """A passing result with no findings at all."""
    return GateResult("pr", ROOT, (), files_scanned=42, scanners=SCANNERS)


@pytest.fixture
def passed() -> GateResult:
    """A passing result: the mixed findings without the blocking ones."""
    kept = tuple(g for g in _mixed_findings() if g.verdict is not Verdict.BLOCK)
    return GateResult("main", ROOT, kept, files_scanned=7, scanners=SCANNERS)


def _held_findings() -> tuple[GatedFinding, ...]:
    """The mixed findings with both blocking ones held back: one by observe mode, one baseline."""
    held = []
    for gated in _mixed_findings():
        if gated.verdict is not Verdict.BLOCK:
            held.append(gated)
            continue
        kind = Hold.BASELINE if gated.finding.scanner == "detect-secrets" else Hold.OBSERVE
        why = "in the baseline until 2025-04-30" if kind is Hold.BASELINE else OBSERVING
        reason = f"would block: {gated.reason}; held: {why}"
        held.append(GatedFinding(gated.finding, Verdict.TICKET, reason, kind))
    return tuple(held)


OBSERVING = "observe mode until 2025-04-01"


@pytest.fixture
def held() -> GateResult:
    """A pass in observe mode: two findings would block, one held by observe, one by baseline."""
    return GateResult(
        "pr", ROOT, _held_findings(), 42, SCANNERS, notes=NOTES, observe_until="2025-04-01"
    )


@pytest.fixture
def many_blocking() -> GateResult:
    """A result with 30 blocking findings, more than any report lists."""
    findings = tuple(
        GatedFinding(make_finding(start_line=i, resource=f"r{i}"), Verdict.BLOCK, "critical")
        for i in range(1, 31)
    )
    return GateResult("release", ROOT, findings, files_scanned=3, scanners=("checkov",))


@pytest.fixture
def finding_factory() -> FindingFactory:
    """Return the finding builder, for tests that need their own findings."""
    return make_finding


@pytest.fixture
def snapshot() -> Snapshot:
    """Compare text with tests/reports/snapshots/<name>; rewrite it when PAVED_UPDATE_SNAPSHOTS=1.

    The file holds the text plus one final newline, so editors and end-of-file fixers
    leave it alone; the comparison is otherwise byte for byte.
    """

    def check(name: str, text: str) -> None:
        path = SNAPSHOTS / name
        expected_bytes = (text + "\n").encode("utf-8")
        if os.environ.get(UPDATE_ENV) == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(expected_bytes)
            return
        if not path.exists():
            pytest.fail(f"missing snapshot {path}; run with {UPDATE_ENV}=1 to create it")
        stored = path.read_bytes().decode("utf-8")
        assert text + "\n" == stored, f"{name} changed; rerun with {UPDATE_ENV}=1 if intended"

    return check
