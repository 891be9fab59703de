"""Compare two policies: what changed, and which changes let more findings through.

Drift compares a repository's policy with its template's; `paved update` compares the policy
before and after an update.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def compare_policies(reference: Policy, actual: Policy) -> tuple[PolicyChange, ...]:
    """List every difference; `weaker` marks those that let more findings through."""
    return (
        *_stage_changes(reference, actual),
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


def _stage_changes(reference: Policy, actual: Policy) -> list[PolicyChange]:
    changes = []
    for name in dict.fromkeys([*reference.stages, *actual.stages]):
        ref, act = reference.stages.get(name), actual.stages.get(name)
        if act is None:
            changes.append(PolicyChange(f"stages.{name}", "present", "removed", True))
        elif ref is None:
            changes.append(PolicyChange(f"stages.{name}", "absent", "added", False))
        else:
            changes += _one_stage(name, ref, act)
    return changes


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
