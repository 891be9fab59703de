"""The scanner plug-in interface: every scanner turns a scan target into findings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pavedroad.findings import Finding


@dataclass(frozen=True)
class ScanTarget:
    """What to scan: a root directory and the repo-relative POSIX paths of files inside it.

    Every path is a regular file inside root (symlinks pointing outside root are never
    listed); scanners must not read anything else.
    """

    root: Path
    files: tuple[str, ...]


class Scanner(Protocol):
    """A security scanner adapter."""

    name: str

    def unavailable_reason(self) -> str | None:
        """Return why this scanner cannot run here, or None when it can."""
        ...

    def scan(self, target: ScanTarget) -> tuple[Finding, ...]:
        """Scan the target; raise ScannerError (fail closed) on any tool failure."""
        ...
