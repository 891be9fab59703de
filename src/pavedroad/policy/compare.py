"""Compare two policies: what changed, and which changes let more findings through.

Drift compares a repository's policy with its template's; `paved update` compares the policy
before and after an update.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pavedroad import clock
from pavedroad.findings import Severity
from pavedroad.policy.file import InlineMode, Policy, Stage
from pavedroad.scanners.severities import rule_severity

# Strictest first: a mode further down the list lets more through.
INLINE_MODES: tuple[InlineMode, ...] = ("require-exception", "warn", "allow")


@dataclass(frozen=True)
class PolicyChange:
    """One difference between a reference policy and the actual one."""

    field: str
    reference: str
    actual: str
    weaker: bool


def compare_policies(
    reference: Policy,
    actual: Policy,
    *,
    today: dt.date | None = None,
    observe_accepted: bool = True,
) -> tuple[PolicyChange, ...]:
    """List every difference; `weaker` marks those that let more findings through.

    A stage in observe mode is accepted until its enforce_from date and weaker from then on,
    so a rollout cannot quietly become permanent. With observe_accepted=False (a change judged
    against its merge-base), a stage that observes today where the reference does not is weaker.
    """
    accept = observe_accepted
    return (
        *_stage_changes(reference, actual, today or clock.today(), accept),
        *_exception_changes(reference, actual),
        *_override_changes(reference, actual),
        *_unscanned_change(reference, actual),
    )


def _unscanned_change(reference: Policy, actual: Policy) -> list[PolicyChange]:
    """Report `unscanned`; block -> warn lets unscannable files through."""
    if reference.unscanned == actual.unscanned:
        return []
    weaker = reference.unscanned == "block"
    return [PolicyChange("unscanned", reference.unscanned, actual.unscanned, weaker)]


def _stage_changes(
    reference: Policy, actual: Policy, today: dt.date, accept: bool
) -> list[PolicyChange]:
    changes = []
    for name in dict.fromkeys([*reference.stages, *actual.stages]):
        ref, act = reference.stages.get(name), actual.stages.get(name)
        if act is None:
            changes.append(PolicyChange(f"stages.{name}", "present", "removed", True))
        elif ref is None:
            changes.append(PolicyChange(f"stages.{name}", "absent", "added", False))
        else:
            changes += _one_stage(name, ref, act)
            changes += _mode_change(name, ref, act, today, accept)
    return changes


def _mode_label(stage: Stage) -> str:
    return f"observe until {stage.enforce_from}" if stage.mode == "observe" else stage.mode


def _mode_change(
    name: str, ref: Stage, act: Stage, today: dt.date, accept: bool
) -> list[PolicyChange]:
    """Report observe mode: weaker once its date has come, or once the reference's has."""
    if (ref.mode, ref.enforce_from) == (act.mode, act.enforce_from):
        return []
    label = _mode_label(act)
    weaker = False
    if act.mode == "observe" and act.enforce_from is not None:
        late = not ref.observing(today) and (ref.mode == "observe" or not accept)
        weaker = today >= act.enforce_from or late
        if today >= act.enforce_from:
            label += " (date passed; set mode: enforce)"
    return [PolicyChange(f"stages.{name}.mode", _mode_label(ref), label, weaker)]


def _one_stage(name: str, ref: Stage, act: Stage) -> list[PolicyChange]:
    changes = []
    if ref.scope != act.scope:
        weaker = ref.scope == "full" and act.scope == "changed"
        changes.append(PolicyChange(f"stages.{name}.scope", ref.scope, act.scope, weaker))
    for tier in ("block", "ticket", "warn"):
        before, after = getattr(ref, tier), getattr(act, tier)
        if before != after:
            changes.append(
                PolicyChange(
                    f"stages.{name}.{tier}", _label(before), _label(after), _raised(before, after)
                )
            )
    return changes


def _label(level: Severity | None) -> str:
    return level.label if level is not None else "none"


def _raised(before: Severity | None, after: Severity | None) -> bool:
    """Return True when a tier threshold went up or away (fewer findings reach it)."""
    if before is None:
        return False
    return after is None or after > before


def _exception_changes(reference: Policy, actual: Policy) -> list[PolicyChange]:
    ranks = {mode: i for i, mode in enumerate(INLINE_MODES)}
    pairs = (
        ("max_days", reference.max_days, actual.max_days, actual.max_days > reference.max_days),
        (
            "controls_required_at",
            reference.controls_required_at.label,
            actual.controls_required_at.label,
            actual.controls_required_at > reference.controls_required_at,
        ),
        (
            "inline_suppressions",
            reference.inline_suppressions,
            actual.inline_suppressions,
            ranks[actual.inline_suppressions] > ranks[reference.inline_suppressions],
        ),
        (
            "warn_expiring_within_days",
            reference.warn_expiring_within_days,
            actual.warn_expiring_within_days,
            actual.warn_expiring_within_days < reference.warn_expiring_within_days,
        ),
    )
    return [
        PolicyChange(f"exceptions.{name}", str(ref), str(act), weaker)
        for name, ref, act, weaker in pairs
        if ref != act
    ]


def _override_changes(reference: Policy, actual: Policy) -> list[PolicyChange]:
    changes = []
    rules = sorted({*reference.severity_overrides, *actual.severity_overrides})
    for rule in rules:
        ref = reference.severity_overrides.get(rule)
        act = actual.severity_overrides.get(rule)
        if ref == act:
            continue
        # Severity.INFO is 0, so "is None" (never "or") picks the rule's own severity.
        ref_level = rule_severity(rule) if ref is None else ref
        act_level = rule_severity(rule) if act is None else act
        # An override dropped for a rule of unknown default severity may lower it: fail closed.
        weaker = act_level is None or (ref_level is not None and act_level < ref_level)
        changes.append(PolicyChange(f"severity_overrides.{rule}", _label(ref), _label(act), weaker))
    return changes
