"""The gate: a pure function from findings, policy, stage and exceptions to verdicts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace

from pavedroad.exceptions import baseline as baseline_file
from pavedroad.exceptions.baseline import Baseline
from pavedroad.exceptions.records import ExceptionRecord
from pavedroad.findings import Finding
from pavedroad.gate.result import GatedFinding, GateResult, Hold, Verdict
from pavedroad.policy.file import Policy, Stage
from pavedroad.scanners.own_rules import NOT_SCANNED

_RANK = {Verdict.INFO: 0, Verdict.EXCEPTED: 0, Verdict.WARN: 1, Verdict.TICKET: 2, Verdict.BLOCK: 3}


def evaluate(
    findings: Iterable[Finding],
    policy: Policy,
    stage_name: str,
    *,
    root: str,
    files_scanned: int,
    scanners: tuple[str, ...],
    exceptions: Sequence[ExceptionRecord] = (),
    today: dt.date | None = None,
    baseline: Baseline | None = None,
) -> GateResult:
    """Give every finding its verdict under the named stage of the policy."""
    stage = policy.stage(stage_name)
    today = today or dt.date.today()
    gated = tuple(
        _gate_one(_override(f, policy), policy, stage, exceptions, today, baseline)
        for f in findings
    )
    notes = exception_notes(gated, exceptions, policy, today, stale=stage.scope == "full")
    expiry = baseline_file.note(baseline, today, policy.warn_expiring_within_days)
    notes += (expiry,) if expiry else ()
    observing = stage.observing(today) and stage.block is not None
    return GateResult(
        stage=stage.name,
        root=root,
        findings=gated,
        files_scanned=files_scanned,
        scanners=scanners,
        notes=notes,
        can_block=stage.block is not None,
        observe_until=str(stage.enforce_from) if observing else None,
    )


def _override(finding: Finding, policy: Policy) -> Finding:
    severity = policy.severity_overrides.get(finding.rule_id)
    return finding if severity is None else replace(finding, severity=severity)


def _gate_one(
    finding: Finding,
    policy: Policy,
    stage: Stage,
    exceptions: Sequence[ExceptionRecord],
    today: dt.date,
    baseline: Baseline | None = None,
) -> GatedFinding:
    matching = [r for r in exceptions if r.matches(finding)]
    live = [r for r in matching if r.status(today, 0) != "expired" and r.created <= today]
    if live:
        record = live[0]
        reason = (
            f"exception {record.id} (owner {record.owner}, expires {record.expires}): "
            f"{record.justification}"
        )
        return GatedFinding(finding, Verdict.EXCEPTED, reason)
    gated = hold(_by_policy(finding, policy, stage), stage, baseline, today)
    expired = [r for r in matching if r.status(today, 0) == "expired"]
    if expired:
        record = expired[0]
        note = f"exception {record.id} (owner {record.owner}) expired on {record.expires}"
        return replace(gated, reason=f"{gated.reason}; {note}")
    return gated


def hold(
    gated: GatedFinding, stage: Stage, baseline: Baseline | None, today: dt.date
) -> GatedFinding:
    """Hold back a block for a baselined finding or a stage in observe mode: ticket (or warn)."""
    if gated.verdict is not Verdict.BLOCK:
        return gated
    if baseline is not None and baseline.covers(gated.finding, today):
        why, held = f"in the baseline until {baseline.expires}", Hold.BASELINE
    elif stage.observing(today):
        why, held = f"observe mode until {stage.enforce_from}", Hold.OBSERVE
    else:
        return gated
    verdict = Verdict.TICKET if stage.ticket is not None else Verdict.WARN
    return GatedFinding(gated.finding, verdict, f"would block: {gated.reason}; held: {why}", held)


def _by_policy(finding: Finding, policy: Policy, stage: Stage) -> GatedFinding:
    verdict, reason = unscanned_floor(finding, policy, stage, tier(finding, stage))
    if not finding.inline_suppressed:
        return GatedFinding(finding, verdict, reason)
    mode = policy.inline_suppressions
    if mode == "allow":
        return GatedFinding(finding, Verdict.INFO, "inline suppression allowed by policy")
    if mode == "warn":
        return GatedFinding(finding, Verdict.WARN, "inline suppression (policy: warn)")
    return GatedFinding(
        finding,
        verdict,
        f"inline suppression without an exceptions.yaml record does not count; {reason}",
    )


def tier(finding: Finding, stage: Stage) -> tuple[Verdict, str]:
    """Return the tier a severity falls into for one stage, with the reason."""
    severity = finding.severity
    for verdict, threshold in (
        (Verdict.BLOCK, stage.block),
        (Verdict.TICKET, stage.ticket),
        (Verdict.WARN, stage.warn),
    ):
        if threshold is not None and severity >= threshold:
            return verdict, f"{severity.label} >= {verdict.value} threshold {threshold.label}"
    return Verdict.INFO, f"{severity.label} is below every threshold of stage {stage.name}"


def unscanned_floor(
    finding: Finding, policy: Policy, stage: Stage, tiered: tuple[Verdict, str]
) -> tuple[Verdict, str]:
    """Raise a file that could not be scanned to warn (or block) at stages that block.

    Unscanned is not clean: a binary or oversized file may hold anything.
    """
    verdict, _ = tiered
    if finding.rule_id != NOT_SCANNED.rule_id or stage.block is None:
        return tiered
    if policy.unscanned == "block":
        return Verdict.BLOCK, "the file could not be scanned (policy: unscanned: block)"
    if _RANK[verdict] < _RANK[Verdict.WARN]:
        return Verdict.WARN, "the file could not be scanned (policy: unscanned: warn)"
    return tiered


def exception_notes(
    gated: Sequence[GatedFinding],
    exceptions: Sequence[ExceptionRecord],
    policy: Policy,
    today: dt.date,
    *,
    stale: bool,
) -> tuple[str, ...]:
    """Describe expired, soon-expiring and (on full scans) stale exceptions."""
    notes = []
    for record in exceptions:
        status = record.status(today, policy.warn_expiring_within_days)
        used = any(record.matches(g.finding) for g in gated)
        if status == "expired" and used:
            notes.append(
                f"expired: exception {record.id} (owner {record.owner}) expired on "
                f"{record.expires}; its findings are gated again. Renew it or fix them"
            )
        elif status == "expiring":
            days = (record.expires - today).days
            notes.append(
                f"expiring: exception {record.id} (owner {record.owner}) expires in {days} "
                f"day(s) on {record.expires}"
            )
        if stale and not used:
            notes.append(f"stale: exception {record.id} matches no finding; remove it")
    return tuple(notes)
