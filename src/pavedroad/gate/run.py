"""Run the steps in order: scan a repository, load its policy and exceptions, gate."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pavedroad import clock
from pavedroad.exceptions import records as exceptions
from pavedroad.exceptions import request as exception_request
from pavedroad.gate import evaluate as gate
from pavedroad.gate.result import GateResult
from pavedroad.policy import file as policy
from pavedroad.scan import changes as incremental
from pavedroad.scan.cache import ResultCache
from pavedroad.scan.changes import Selection
from pavedroad.scan.run import ScanReport, restrict, scan
from pavedroad.scanners.severities import rule_severity


def gate_repository(
    root: Path,
    stage: str,
    *,
    remember: bool = True,
    changed_since: str | None = None,
    cache: ResultCache | None = None,
) -> GateResult:
    """Scan root and gate its findings under the given stage of its own policy.

    A `scope: changed` stage gates only what changed (see incremental.select); a
    `scope: full` stage ignores changed_since and gates every file.
    """
    pol = policy.load(root)
    chosen = pol.stage(stage)  # fail on an unknown stage before spending time scanning
    records = exceptions.load(root, pol, rule_severity)
    selection = incremental.select(root, chosen.scope, changed_since)
    report = scan_selection(root, selection, cache=cache)
    result = gate.evaluate(
        report.findings,
        _effective(pol, stage, selection),
        stage,
        root=str(root),
        files_scanned=report.files_scanned,
        scanners=report.scanners,
        exceptions=records,
        today=clock.today(),
    )
    if selection.note:
        result = replace(result, notes=(*result.notes, selection.note))
    if report.not_gated:
        result = replace(result, notes=(*result.notes, not_gated_note(report.not_gated)))
    if remember:
        exception_request.save_last_gate(root, result)
    return result


def not_gated_note(count: int) -> str:
    """Say how many paths were left out because git ignores them or they are vendored."""
    return (
        f"not gated: {count} git-ignored or vendored path(s) that are not committed "
        "(see README, What is gated)"
    )


def scan_selection(
    root: Path, selection: Selection, *, cache: ResultCache | None = None
) -> ScanReport:
    """Scan what the selection evaluates and keep only the findings in its files."""
    report = scan(root, files=selection.paths, cache=cache)
    return restrict(report, selection.paths)


def _effective(pol: policy.Policy, stage: str, selection: Selection) -> policy.Policy:
    """Return the policy with the stage's scope set to what was evaluated.

    gate.evaluate reports stale exceptions only for a full scope: a changed-scope stage that
    fell back to a full evaluation may report them, a partial evaluation never.
    """
    scope = "full" if selection.full else "changed"
    stages = {**pol.stages, stage: replace(pol.stages[stage], scope=scope)}
    return replace(pol, stages=stages)
