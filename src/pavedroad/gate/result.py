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


@dataclass(frozen=True)
class GatedFinding:
    """A finding with its verdict and the reason for it."""

    finding: Finding
    verdict: Verdict
    reason: str


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
