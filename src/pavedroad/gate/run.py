"""Run the steps in order: scan a repository, load its policy and exceptions, gate."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pavedroad import clock
from pavedroad.exceptions import request as exception_request
from pavedroad.exceptions.repository import load_rules
from pavedroad.exceptions.request import GateEntry
from pavedroad.gate import evaluate as gate
from pavedroad.gate.result import GateResult, Verdict
from pavedroad.policy import file as policy
from pavedroad.scan import changes as incremental
from pavedroad.scan.cache import ResultCache
from pavedroad.scan.changes import Selection
from pavedroad.scan.run import ScanReport, restrict, scan


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
    rules = load_rules(root, stage)  # an unknown stage fails before any time is spent scanning
    pol, records = rules.policy, rules.exceptions
    chosen = pol.stage(stage)
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
        exception_request.save_last_gate(root, last_gate_entries(result))
    return result


def last_gate_entries(result: GateResult) -> list[GateEntry]:
    """Return what `paved exceptions request` needs to know of each finding not yet excepted."""
    return [
        GateEntry(
            fingerprint=g.finding.fingerprint,
            rule_id=g.finding.rule_id,
            title=g.finding.title,
            severity=g.finding.severity.label,
            path=g.finding.path,
            resource=g.finding.resource,
            verdict=g.verdict.value,
            stage=result.stage,
        )
        for g in result.findings
        if g.verdict is not Verdict.EXCEPTED
    ]


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
    scope: policy.Scope = "full" if selection.full else "changed"
    stages = {**pol.stages, stage: replace(pol.stages[stage], scope=scope)}
    return replace(pol, stages=stages)
