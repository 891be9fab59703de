"""Verdicts the gate gives and the result it hands to reports."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from pavedroad.findings import Finding


class Verdict(enum.Enum):
    """What the gate does with one finding, most severe first."""

    BLOCK = "block"
    TICKET = "ticket"
    WARN = "warn"
    INFO = "info"
    EXCEPTED = "excepted"


class Hold(enum.Enum):
    """Why a finding that the stage's thresholds would block does not block this run."""

    OBSERVE = "observe"  # the stage is in observe mode until its enforce_from date
    BASELINE = "baseline"  # recorded in .pavedroad/baseline.json, not yet expired
    PRE_EXISTING = "pre-existing"  # present at the merge-base of a changed-scope stage


@dataclass(frozen=True)
class GatedFinding:
    """A finding with its verdict, the reason for it, and what held back a block."""

    finding: Finding
    verdict: Verdict
    reason: str
    held: Hold | None = None  # set only when the thresholds alone would have blocked it


@dataclass(frozen=True)
class Pipeline:
    """The CI run a gate ran in (None locally): provider, run id, triggering event, PR/MR."""

    provider: str  # github | gitlab
    run_id: str
    event: str
    pull_request: int | None = None


@dataclass(frozen=True)
class RunRecord:
    """When, where and how long a gate ran: what makes a result a record for metrics."""

    started_at: str  # UTC, ISO 8601 with a Z, whole seconds
    duration_s: float
    repository: str | None = None
    commit: str | None = None
    ref: str | None = None
    pipeline: Pipeline | None = None
    tool_versions: tuple[tuple[str, str], ...] = ()  # (tool, version), sorted by tool
    durations: tuple[tuple[str, float], ...] = ()  # (scanner, seconds), in registry order
    scope: str | None = None  # what was evaluated: "full" (every file) or "changed"


@dataclass(frozen=True)
class GateResult:
    """The outcome of one gate run over one repository for one stage."""

    stage: str
    root: str
    findings: tuple[GatedFinding, ...]
    files_scanned: int
    scanners: tuple[str, ...]
    notes: tuple[str, ...] = ()
    can_block: bool = True  # False for a stage without a `block` threshold (e.g. nightly)
    observe_until: str | None = None  # the stage's enforce_from (YYYY-MM-DD) while it observes
    # When, where and how long (set by a gate run; None for a bare evaluation). Not part of
    # equality: two runs with the same verdicts are the same result.
    record: RunRecord | None = field(default=None, compare=False)

    @property
    def blocked(self) -> bool:
        """Return True when any finding blocks."""
        return any(g.verdict is Verdict.BLOCK for g in self.findings)

    def with_verdict(self, verdict: Verdict) -> tuple[GatedFinding, ...]:
        """Return the findings that got this verdict."""
        return tuple(g for g in self.findings if g.verdict is verdict)

    def held_by(self, hold: Hold) -> tuple[GatedFinding, ...]:
        """Return the findings that would block but were held back for this reason."""
        return tuple(g for g in self.findings if g.held is hold)
