"""Scan a repository with every registered scanner at once, failing closed."""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from pavedroad.errors import PavedError, ScannerError, UserError
from pavedroad.findings import Finding
from pavedroad.scanners import SCANNERS
from pavedroad.scanners.checkov import terraform_context
from pavedroad.scanners.interface import Scanner, ScanTarget
from pavedroad.scanners.rules import NOT_SCANNED, SYMLINK_OUTSIDE, paved_finding
from pavedroad.workspace import SYMLINK_OUTSIDE as OUTSIDE_REASON
from pavedroad.workspace import SkippedFile, collect, normalise

DEFAULT_TIMEOUT = 900.0
# Scanners enforce the timeout themselves; this margin only catches one that does not.
GRACE_SECONDS = 30.0


@dataclass(frozen=True)
class ScanReport:
    """Everything one scan found, in a deterministic order."""

    root: Path
    findings: tuple[Finding, ...]
    files_scanned: int
    skipped: tuple[SkippedFile, ...]
    scanners: tuple[str, ...]


@runtime_checkable
class _Timed(Protocol):
    def with_timeout(self, seconds: float) -> Scanner: ...


def scan(
    root: Path,
    *,
    files: Iterable[str] | None = None,
    scanners: Sequence[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> ScanReport:
    """Scan root (or only the given repo-relative files) with the named scanners, concurrently.

    Fails closed: a scanner that is unavailable, crashes, times out or prints something
    unreadable raises ScannerError, and no report is returned.
    """
    chosen = _instantiate(scanners, timeout)
    only = None if files is None else terraform_context(root.resolve(), map(normalise, files))
    workspace = collect(root, only)
    found = _run_all(chosen, workspace.target(), timeout)
    found += [_skipped_finding(s) for s in workspace.skipped]
    return ScanReport(
        root=workspace.root,
        findings=tuple(sorted(found, key=sort_key)),
        files_scanned=len(workspace.files),
        skipped=workspace.skipped,
        scanners=tuple(s.name for s in chosen),
    )


def sort_key(finding: Finding) -> tuple[str, int, str, str, str]:
    """Order findings by path, line and rule (then scanner and fingerprint, for ties)."""
    return (finding.path, finding.start_line, finding.rule_id, finding.scanner, finding.fingerprint)


def _instantiate(names: Sequence[str] | None, timeout: float) -> list[Scanner]:
    """Build the named scanners; raise when one is unknown or cannot run here."""
    chosen = list(SCANNERS) if names is None else list(dict.fromkeys(names))
    unknown = [n for n in chosen if n not in SCANNERS]
    if unknown:
        raise UserError(f"scanners: unknown {unknown[0]!r}; choose from {', '.join(SCANNERS)}")
    built = []
    for name in chosen:
        scanner = SCANNERS[name]()
        if isinstance(scanner, _Timed):
            scanner = scanner.with_timeout(timeout)
        reason = scanner.unavailable_reason()
        if reason is not None:
            raise ScannerError(name, reason)
        built.append(scanner)
    return built


def _run_all(chosen: Sequence[Scanner], target: ScanTarget, timeout: float) -> list[Finding]:
    """Run every scanner in its own thread; re-raise the first failure in registry order."""
    if not chosen:
        return []
    pool = cf.ThreadPoolExecutor(max_workers=len(chosen), thread_name_prefix="pavedroad-scan")
    try:
        futures = [(s.name, pool.submit(s.scan, target)) for s in chosen]
        cf.wait([f for _, f in futures], timeout=timeout + GRACE_SECONDS)
        found: list[Finding] = []
        for name, future in futures:
            found += _result(name, future, timeout)
        return found
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _result(
    name: str, future: cf.Future[tuple[Finding, ...]], timeout: float
) -> tuple[Finding, ...]:
    """Return a scanner's findings; any failure, even a bug, fails the scan closed."""
    if not future.done():
        raise ScannerError(name, f"did not finish within {timeout:.0f}s")
    try:
        return future.result()
    except PavedError:
        raise
    except Exception as exc:  # a bug in an adapter must not look like a clean scan
        raise ScannerError(name, f"internal error: {exc!r}") from exc


def _skipped_finding(skipped: SkippedFile) -> Finding:
    """Make an unscanned file visible as an info finding."""
    if skipped.reason == OUTSIDE_REASON:
        message = "This symlink points outside the repository; it was not followed or scanned."
        return paved_finding(SYMLINK_OUTSIDE, skipped.path, message)
    return paved_finding(NOT_SCANNED, skipped.path, f"Not scanned: {skipped.reason}.")
