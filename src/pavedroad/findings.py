"""Normalised findings shared by every scanner, the gate and every report."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass


class Severity(enum.IntEnum):
    """Ordered severities: a larger value is more severe."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Parse a case-insensitive severity name."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"unknown severity {text!r}; use one of: {names}") from None

    @property
    def label(self) -> str:
        """Return the lower-case name used in files and reports."""
        return self.name.lower()


@dataclass(frozen=True)
class Finding:
    """One problem one scanner found at one place."""

    scanner: str
    rule_id: str
    title: str
    severity: Severity
    path: str
    start_line: int
    end_line: int
    resource: str
    message: str
    fix: str
    docs_url: str
    fingerprint: str
    inline_suppressed: bool = False

    @property
    def short_ref(self) -> str:
        """Return the short reference printed by the gate (first 12 hex digits)."""
        return self.fingerprint[:12]


def fingerprint(scanner: str, rule_id: str, path: str, anchor: str) -> str:
    """Return a stable fingerprint that survives unrelated line shifts.

    The anchor is what identifies the place without its line number: a resource
    name, the normalised text of the offending line, or a secret's hash.
    """
    normalised = " ".join(anchor.split())
    digest = hashlib.sha256("\x1f".join((scanner, rule_id, path, normalised)).encode())
    return digest.hexdigest()
