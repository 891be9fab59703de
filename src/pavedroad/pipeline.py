"""Run the steps in order: scan a repository, load its policy and exceptions, gate."""

from __future__ import annotations

from pathlib import Path

from pavedroad import clock, exception_request, exceptions, gate, policy
from pavedroad.gate_types import GateResult
from pavedroad.rules import rule_severity
from pavedroad.scan import scan


def gate_repository(root: Path, stage: str, *, remember: bool = True) -> GateResult:
    """Scan root and gate its findings under the given stage of its own policy."""
    pol = policy.load(root)
    pol.stage(stage)  # fail on an unknown stage before spending time scanning
    records = exceptions.load(root, pol, rule_severity)
    report = scan(root)
    result = gate.evaluate(
        report.findings,
        pol,
        stage,
        root=str(root),
        files_scanned=report.files_scanned,
        scanners=report.scanners,
        exceptions=records,
        today=clock.today(),
    )
    if remember:
        exception_request.save_last_gate(root, result)
    return result
