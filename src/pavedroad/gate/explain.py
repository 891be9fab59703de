"""`paved explain`: a rule's knowledge entry and, in a repository, why each finding of it gets
its verdict at a stage (threshold, severity override, exception, baseline/observe/pre-existing
hold), with the exact exception command.

The verdicts are the gate's own (gate_repository at that stage); the thresholds alone come
from gate.evaluate.tier, so nothing here re-derives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pavedroad import clock, knowledge
from pavedroad.errors import UserError
from pavedroad.findings import Finding, Severity
from pavedroad.gate.evaluate import tier
from pavedroad.gate.result import GatedFinding, Verdict
from pavedroad.gate.run import gate_repository
from pavedroad.knowledge import Entry
from pavedroad.policy.file import Policy, Stage
from pavedroad.policy.file import load as load_policy
from pavedroad.progress import Progress, silent
from pavedroad.scan.cache import ResultCache
from pavedroad.scanners.own_rules import RULES as OWN_RULES
from pavedroad.scanners.severities import rule_severity

EXCEPTION_COMMAND = "paved exceptions request"


@dataclass(frozen=True)
class RuleInfo:
    """What Paved Road knows about one rule: the entry plus the scanner's severity."""

    rule_id: str
    entry: Entry
    title: str
    severity: Severity | None
    fix: str  # the authored fix, or what the scanner says when none is authored


@dataclass(frozen=True)
class FindingWhy:
    """One finding of the rule, its verdict at the stage and why."""

    gated: GatedFinding
    thresholds: str  # what the stage's thresholds alone give, e.g. "block: high >= ..."
    override: str | None  # the policy's severity override of this rule, if any
    exception_command: str


@dataclass(frozen=True)
class Explanation:
    """A rule, and (with a repository) the verdict of each of its findings at one stage."""

    rule: RuleInfo
    root: str | None = None
    stage: str | None = None
    stage_summary: str | None = None  # "block >= high, ticket >= medium, warn >= low"
    findings: tuple[FindingWhy, ...] = ()


def rule_info(rule_id: str) -> RuleInfo:
    """Return what is known about a rule; raise UserError with close matches when unknown."""
    wanted = knowledge.canonical(rule_id)
    entry = knowledge.lookup(wanted)
    if entry is None:
        raise UserError(_unknown(wanted))
    own = OWN_RULES.get(wanted)
    title = entry.title or (own.title if own else wanted)
    fix = entry.fix or (own.fix if own else "") or _generic_fix(entry)
    return RuleInfo(wanted, entry, title, rule_severity(wanted), fix)


def _unknown(rule_id: str) -> str:
    close = knowledge.close_matches(rule_id)
    hint = f"did you mean {', '.join(close)}?" if close else "no known rule looks like it"
    return (
        f"{rule_id}: unknown rule id; {hint} Rule ids are what `paved gate` prints "
        "(CKV_K8S_20, DL3007, AWSKeyDetector, PAVED_PARSE_ERROR)"
    )


def _generic_fix(entry: Entry) -> str:
    return f"Change the resource so that it complies with the check; see {entry.docs_url}"


def explain(
    rule_id: str,
    root: Path | None = None,
    stage: str = "pr",
    *,
    cache: ResultCache | None = None,
    progress: Progress = silent,
) -> Explanation:
    """Explain a rule; with a repository, gate it at the stage and explain each finding."""
    rule = rule_info(rule_id)
    if root is None:
        return Explanation(rule)
    policy = load_policy(root)
    chosen = policy.stage(stage)
    result = gate_repository(root, stage, cache=cache, progress=progress)
    mine = tuple(g for g in result.findings if g.finding.rule_id == rule.rule_id)
    return Explanation(
        rule,
        root=str(root),
        stage=stage,
        stage_summary=stage_summary(chosen),
        findings=tuple(_why(g, chosen, policy) for g in mine),
    )


def _why(gated: GatedFinding, stage: Stage, policy: Policy) -> FindingWhy:
    verdict, reason = tier(gated.finding, stage)
    return FindingWhy(
        gated=gated,
        thresholds=f"{verdict.value}: {reason}",
        override=_override(gated.finding, policy),
        exception_command=exception_command(gated.finding),
    )


def _override(finding: Finding, policy: Policy) -> str | None:
    forced = policy.severity_overrides.get(finding.rule_id)
    if forced is None:
        return None
    graded = rule_severity(finding.rule_id)
    was = graded.label if graded is not None else "its scanner's"
    return f"the policy's severity_overrides grades {finding.rule_id} {forced.label} (not {was})"


def exception_command(finding: Finding) -> str:
    """Return the exact command that requests an exception for this finding."""
    return f"{EXCEPTION_COMMAND} {finding.short_ref}"


def stage_summary(stage: Stage) -> str:
    """Return a stage's thresholds in one phrase, with its observe mode if any."""
    parts = [
        f"{tier_name} >= {threshold.label}"
        for tier_name, threshold in (("block", stage.block), ("ticket", stage.ticket))
        if threshold is not None
    ]
    if stage.warn is not None:
        parts.append(f"warn >= {stage.warn.label}")
    text = ", ".join(parts) or "no thresholds"
    if stage.observing(clock.today()):
        text += f"; observe mode until {stage.enforce_from}"
    return f"{text}; {stage.scope} scope"


def held_back(why: FindingWhy) -> bool:
    """Return True when the verdict is not what the thresholds alone would give."""
    return why.gated.verdict is Verdict.EXCEPTED or why.gated.held is not None
