"""Verdicts the gate gives and the result it hands to reports."""

from __future__ import annotations

import enum
from dataclasses import dataclass

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
class GateResult:
    """The outcome of one gate run over one repository for one stage."""

    stage: str
    root: str
    findings: tuple[GatedFinding, ...]
    files_scanned: int
    scanners: tuple[str, ...]
    notes: tuple[str, ...] = ()
    can_block: bool = True  # False for a stage without a `block` threshold (e.g. nightly)

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
