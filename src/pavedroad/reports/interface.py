"""The report plug-in interface: every report turns one gate result into text."""

from __future__ import annotations

from typing import Protocol

from pavedroad.gate.result import GateResult


class Reporter(Protocol):
    """One output format for a gate result.

    Implementations are frozen dataclasses, so the attributes are read-only here.
    `render` is pure and deterministic (no clock, no environment) except where a
    module says otherwise, and returns text without a trailing newline: the caller
    adds one when it prints or writes the report.
    """

    @property
    def name(self) -> str:
        """Return the format name used by `--format` and the REPORTERS key."""
        ...

    @property
    def default_filename(self) -> str:
        """Return the file name to use when the caller picks none."""
        ...

    def render(self, result: GateResult) -> str:
        """Render the gate result in this format."""
        ...
