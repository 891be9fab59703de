"""The scanner plug-in interface: every scanner turns a scan target into findings.

A scanner adapter owns every fact about its tool, so the generic modules (the scan, its cache,
change sets, reports, exception checks) derive everything from the registry in __init__.py:
adding a scanner is one module plus one registry line. The registry is typed as Scanner, so
mypy rejects an adapter that lacks a fact, and tests/scanners/test_scanner_facts.py checks
each registered one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from pavedroad.findings import Finding, Severity


@dataclass(frozen=True)
class ScanTarget:
    """What to scan: a root directory and the repo-relative POSIX paths of files inside it.

    Every path is a regular file inside root (symlinks pointing outside root are never
    listed); scanners must not read anything else.
    """

    root: Path
    files: tuple[str, ...]


@dataclass(frozen=True)
class ToolInfo:
    """Facts about one scanner's tool that reports need and findings do not carry."""

    name: str
    information_uri: str
    distribution: str  # the Python distribution that installs the tool: its version and files
    # GitHub code scanning ranks results by precision: how often the rule is right.
    precision: str


@dataclass(frozen=True)
class CachePlan:
    """What a scanner's cached results depend on besides the files they are about.

    The cache adds the scanner's name, its distribution's version and installed files, and
    Paved Road's own version and code.
    """

    # The unit a file is scanned in (files of one unit are scanned together); None: not read.
    unit_of: Callable[[str], str | None]
    executable: str | None = None  # the program that runs; None: the tool runs in this process
    settings: tuple[str, ...] = ()  # environment settings that change results, as NAME=value
    config: tuple[str, ...] = ()  # repository files (root-relative) whose content changes results


@runtime_checkable
class Scanner(Protocol):
    """A security scanner adapter and every fact about its tool."""

    name: str
    tool: ToolInfo
    # Repository files the adapter reads as its tool's configuration: a change to one means a
    # full evaluation, and one that is a symlink out of the repository is a gating finding.
    config_files: tuple[str, ...]
    # The tool's own configuration files the adapter never lets it read (a change to one
    # still means a full evaluation).
    unread_config_files: tuple[str, ...]
    # True when it also reads what the others cannot parse (over 1 MB, UTF-16/32, NUL bytes)
    # and git-ignored files a Dockerfile copies into an image.
    reads_all_text: bool
    default_timeout: float  # seconds its tool gets when the scan sets no timeout
    timeout: float

    def with_timeout(self, seconds: float) -> Scanner:
        """Return a copy that gives its tool at most this many seconds."""
        ...

    def unavailable_reason(self) -> str | None:
        """Return why this scanner cannot run here, or None when it can."""
        ...

    def scan(self, target: ScanTarget) -> tuple[Finding, ...]:
        """Scan the target; raise ScannerError (fail closed) on any tool failure."""
        ...

    def rule_severity(self, rule_id: str) -> Severity | None:
        """Return the severity this scanner grades a rule id with, or None when not its own."""
        ...

    def cache_plan(self, root: Path) -> CachePlan | None:
        """Return how results for files under root are cached; None: they cannot be cached."""
        ...

    def context_files(
        self, target: ScanTarget, everything: Callable[[], Sequence[str]]
    ) -> tuple[str, ...]:
        """Return what it must also read when only target.files are scanned (never reported).

        everything lists every scannable file of the repository (it costs a walk: call it
        only when needed).
        """
        ...
