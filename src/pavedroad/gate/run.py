"""Run the steps in order: scan a repository, load its policy and exceptions, gate."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from pavedroad import clock
from pavedroad.exceptions import baseline as baseline_file
from pavedroad.exceptions import request as exception_request
from pavedroad.exceptions.repository import load_rules
from pavedroad.exceptions.request import GateEntry
from pavedroad.gate import evaluate as gate
from pavedroad.gate import introduced
from pavedroad.gate import record as run_record
from pavedroad.gate.result import GatedFinding, GateResult, Verdict
from pavedroad.policy import file as policy
from pavedroad.progress import Progress, silent
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
    progress: Progress = silent,
    only: tuple[str, ...] | None = None,
) -> GateResult:
    """Scan root and gate its findings under the given stage of its own policy.

    A `scope: changed` stage gates only what changed (see incremental.select); a
    `scope: full` stage ignores changed_since and gates every file.
    """
    started, ticking = clock.now(), time.monotonic()
    rules = load_rules(root, stage)  # an unknown stage fails before any time is spent scanning
    pol, records = rules.policy, rules.exceptions
    baseline = baseline_file.load(root, pol)  # a broken baseline fails before the scan too
    chosen = pol.stage(stage)
    selection = (
        incremental.select(root, chosen.scope, changed_since)
        if only is None  # else: these repo-relative files only (an editor's open file)
        else Selection(only, f"evaluated {len(only)} named file(s)")
    )
    # Progress per scanner on full scans only: a changed-files gate takes seconds.
    shown = progress if selection.full else silent
    report = scan_selection(root, selection, cache=cache, progress=shown)
    result = gate.evaluate(
        report.findings,
        _effective(pol, stage, selection),
        stage,
        root=str(root),
        files_scanned=report.files_scanned,
        scanners=report.scanners,
        exceptions=records,
        today=clock.today(),
        baseline=baseline,
    )
    if selection.base is not None:  # a changed-scope stage blocks only on what it introduced
        result = introduced.judge(root, result, pol, selection.base, cache=cache)
    if selection.note:
        result = replace(result, notes=(*result.notes, selection.note))
    if report.not_gated:
        result = replace(result, notes=(*result.notes, not_gated_note(report.not_gated)))
    record = run_record.build(
        root,
        started=started,
        duration_s=time.monotonic() - ticking,
        scanners=report.scanners,
        durations=dict(report.durations),
        full=selection.full,
    )
    result = replace(result, record=record)
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
        f"not gated: {count} git-ignored or vendored {'path' if count == 1 else 'paths'} "
        "that are not committed "
        "(see README, What is gated)"
    )


def scan_selection(
    root: Path,
    selection: Selection,
    *,
    cache: ResultCache | None = None,
    progress: Progress = silent,
) -> ScanReport:
    """Scan what the selection evaluates and keep only the findings in its files."""
    report = scan(root, files=selection.paths, cache=cache, progress=progress)
    return restrict(report, selection.paths)


def scan_result(report: ScanReport, notes: tuple[str, ...] = ()) -> GateResult:
    """Return a scan as a result every report format renders: stage `scan`, all info.

    A scan applies no policy, so no finding gets a verdict that gates (block, ticket, warn).
    """
    reason = "paved scan gives no verdicts; run paved gate for the stage's"
    return GateResult(
        stage="scan",
        root=str(report.root),
        findings=tuple(GatedFinding(f, Verdict.INFO, reason) for f in report.findings),
        files_scanned=report.files_scanned,
        scanners=report.scanners,
        notes=notes,
        can_block=False,
    )


def _effective(pol: policy.Policy, stage: str, selection: Selection) -> policy.Policy:
    """Return the policy with the stage's scope set to what was evaluated.

    gate.evaluate reports stale exceptions only for a full scope: a changed-scope stage that
    fell back to a full evaluation may report them, a partial evaluation never.
    """
    scope: policy.Scope = "full" if selection.full else "changed"
    stages = {**pol.stages, stage: replace(pol.stages[stage], scope=scope)}
    return replace(pol, stages=stages)
