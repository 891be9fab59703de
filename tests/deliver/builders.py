"""Gate results written as `pavedroad/gate/v1` JSON files, as a pipeline job leaves them."""

from __future__ import annotations

from pathlib import Path

from pavedroad.findings import Finding, Severity, fingerprint
from pavedroad.gate.result import GatedFinding, GateResult, Pipeline, RunRecord, Verdict
from pavedroad.reports.json import JsonReporter

Spec = tuple[str, str, str, str]  # rule id, path, verdict, severity


def gated(rule: str, path: str, verdict: str = "ticket", severity: str = "medium") -> GatedFinding:
    """Return one gated finding whose fingerprint follows from rule and path."""
    finding = Finding(
        scanner="checkov",
        rule_id=rule,
        title=f"{rule} title",
        severity=Severity.parse(severity),
        path=path,
        start_line=3,
        end_line=4,
        resource="aws_s3_bucket.data",
        message=f"{rule} message",
        fix=f"Fix {rule} like this.",
        docs_url=f"https://docs.example/{rule}",
        fingerprint=fingerprint("checkov", rule, path, "aws_s3_bucket.data"),
    )
    return GatedFinding(finding, Verdict(verdict), f"{severity} >= threshold")


def result(
    specs: list[Spec],
    *,
    scope: str | None = "full",
    stage: str = "nightly",
    pr: int | None = None,
    ref: str | None = None,
) -> GateResult:
    """Return a gate result with a run record that says which scope was evaluated."""
    pipeline = Pipeline("github", "1", "pull_request", pr) if pr else None
    record = RunRecord("2026-11-30T08:00:00Z", 1.0, ref=ref, scope=scope, pipeline=pipeline)
    return GateResult(
        stage=stage,
        root="",
        findings=tuple(gated(*spec) for spec in specs),
        files_scanned=7,
        scanners=("checkov",),
        record=record,
    )


def write(path: Path, specs: list[Spec], **options: object) -> Path:
    """Write the gate's JSON report for these findings; return the path."""
    path.write_text(JsonReporter().render(result(specs, **options)), encoding="utf-8")  # type: ignore[arg-type]
    return path
