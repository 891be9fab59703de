"""How long work reports progress: one callback, rendered (or not) by the command line.

Core functions take an optional `progress` and call it as each unit of work starts or ends;
they never print. The default, `silent`, drops every report, so a library caller pays nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Step:
    """One report: what is happening, and how far the work is when it is counted."""

    message: str
    done: int | None = None
    total: int | None = None

    def line(self) -> str:
        """Return the report as one plain line, e.g. 'scanned with hadolint (2/3)'."""
        if self.total is None:
            return self.message
        return f"{self.message} ({self.done or 0}/{self.total})"


class Progress(Protocol):
    """Receives a report whenever a unit of work starts or finishes."""

    def __call__(self, step: Step) -> None:
        """Take one report."""


def silent(step: Step) -> None:
    """Drop a report: the default for callers that show no progress."""
