"""Scan a repository with every registered scanner at once, failing closed.

With a result cache, each scanner only scans the units (files, Terraform module folders) the
cache has no entry for, in one run per scanner; a scanner with nothing left to scan is not
started at all. Results are stored only after a scanner succeeded, and only for units whose
files did not change while it ran.
"""

from __future__ import annotations

import concurrent.futures as cf
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pavedroad.errors import PavedError, ScannerError, ToolError, UserError
from pavedroad.findings import Finding
from pavedroad.progress import Progress, Step, silent
from pavedroad.scan import redact
from pavedroad.scan.cache import ResultCache, Unit, units
from pavedroad.scan.redact import redact_finding
from pavedroad.scan.workspace import SYMLINK_OUTSIDE as OUTSIDE_REASON
from pavedroad.scan.workspace import SkippedFile, Workspace, collect, normalise
from pavedroad.scanners import SCANNERS, config_files
from pavedroad.scanners.checkov_files import terraform_context
from pavedroad.scanners.interface import Scanner, ScanTarget
from pavedroad.scanners.own_rules import (
    NOT_FULLY_SCANNED,
    NOT_SCANNED,
    SYMLINK_OUTSIDE,
    config_link_finding,
    paved_finding,
)

DEFAULT_TIMEOUT = 900.0
# Scanners enforce the timeout themselves; this margin only catches one that does not.
GRACE_SECONDS = 30.0
# Never read through a link out of the repository; such a link is a gating finding.
_CONFIG_FILES = config_files()


@dataclass(frozen=True)
class ScanReport:
    """Everything one scan found, in a deterministic order."""

    root: Path
    findings: tuple[Finding, ...]
    files_scanned: int
    skipped: tuple[SkippedFile, ...]
    scanners: tuple[str, ...]
    not_gated: int = 0  # git-ignored paths and untracked vendored files (Workspace.not_gated)
    # (scanner, seconds it ran; 0 when all cached): how long, not what was found, so two scans
    # of the same files still compare equal
    durations: tuple[tuple[str, float], ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class _Job:
    """One scanner's share of a scan: cached findings, and what it still has to scan."""

    scanner: Scanner
    hits: tuple[Finding, ...]
    missed: tuple[Unit, ...]
    target: ScanTarget | None


def scan(
    root: Path,
    *,
    files: Iterable[str] | None = None,
    scanners: Sequence[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    cache: ResultCache | None = None,
    progress: Progress = silent,
) -> ScanReport:
    """Scan root (or only the given repo-relative files) with the named scanners, concurrently.

    Fails closed: a scanner that is unavailable, crashes, times out or prints something
    unreadable raises ScannerError, and no report is returned.
    """
    chosen = _instantiate(scanners, timeout)
    only = None if files is None else terraform_context(root.resolve(), map(normalise, files))
    workspace = collect(root, only)
    seen: dict[str, str] = {}
    jobs = [_plan(s, _target(s, workspace, only is not None), cache, seen) for s in chosen]
    timings = {s.name: 0.0 for s in chosen}
    found = _run_all(jobs, timeout, cache, progress, timings=timings)
    if cache is not None:
        cache.prune_if_due()
    if only is not None:  # files read only as context are checked, not reported
        requested = frozenset(workspace.secrets_target().files)
        found = [f for f in found if f.path in requested]
    found = [_shipped(f) if f.path in workspace.shipped else f for f in found]
    found += [_skipped_finding(s) for s in workspace.skipped]
    found += [_partial_finding(p) for p in workspace.partial]
    return ScanReport(
        root=workspace.root,
        findings=tuple(sorted(found, key=_total_order)),
        files_scanned=len(workspace.secrets_target().files),
        skipped=workspace.skipped,
        scanners=tuple(s.name for s in chosen),
        not_gated=workspace.not_gated,
        durations=tuple(timings.items()),
    )


def restrict(report: ScanReport, paths: Iterable[str] | None) -> ScanReport:
    """Keep only the findings and skipped files at the given paths (None keeps everything)."""
    if paths is None:
        return report
    keep = frozenset(paths)
    return replace(
        report,
        findings=tuple(f for f in report.findings if f.path in keep),
        skipped=tuple(s for s in report.skipped if s.path in keep),
    )


def sort_key(finding: Finding) -> tuple[str, int, str, str, str]:
    """Order findings by path, line and rule (then scanner and fingerprint, for ties)."""
    return (finding.path, finding.start_line, finding.rule_id, finding.scanner, finding.fingerprint)


def _total_order(finding: Finding) -> tuple[object, ...]:
    """Break the last ties on every field, so cached and fresh scans list findings alike."""
    f = finding
    return (
        *sort_key(f),
        f.end_line,
        f.severity,
        f.inline_suppressed,
        f.title,
        f.resource,
        f.message,
    )


def _instantiate(names: Sequence[str] | None, timeout: float) -> list[Scanner]:
    """Build the named scanners; raise when one is unknown or cannot run here."""
    chosen = list(SCANNERS) if names is None else list(dict.fromkeys(names))
    unknown = [n for n in chosen if n not in SCANNERS]
    if unknown:
        raise UserError(f"scanners: unknown {unknown[0]!r}; choose from {', '.join(SCANNERS)}")
    built = []
    for name in chosen:
        scanner = SCANNERS[name]()
        if isinstance(scanner, Scanner):  # one put in SCANNERS at run time may lack facts
            scanner = scanner.with_timeout(timeout)
        reason = scanner.unavailable_reason()
        if reason is not None:
            raise ScannerError(name, reason)
        built.append(scanner)
    return built


def _target(scanner: Scanner, workspace: Workspace, partial: bool) -> ScanTarget:
    """Return what a scanner reads, and in a partial scan the context files it needs with it.

    A scanner that reads all text also gets what the others cannot parse (over 1 MB,
    UTF-16/32, NUL bytes) and git-ignored files that ship in an image.
    """
    if not isinstance(scanner, Scanner):  # lacks facts (put in SCANNERS at run time): as is
        return workspace.target()
    target = workspace.secrets_target() if scanner.reads_all_text else workspace.target()
    if not partial:
        return target
    context = scanner.context_files(target, lambda: collect(workspace.root).files)
    if not context:
        return target
    return replace(target, files=tuple(sorted({*target.files, *context})))


def _plan(
    scanner: Scanner, target: ScanTarget, cache: ResultCache | None, seen: dict[str, str]
) -> _Job:
    """Split a scanner's work into cache hits and the units it still has to scan."""
    planned = None if cache is None else units(scanner, target.root, target.files, seen)
    if cache is None or planned is None:
        return _Job(scanner, (), (), target)
    hits: list[Finding] = []
    missed: list[Unit] = []
    for unit in planned:
        cached = cache.get(unit.key)
        if cached is None:
            missed.append(unit)
        else:
            hits += cached
    files = tuple(sorted(f for unit in missed for f in unit.files))
    rest = ScanTarget(root=target.root, files=files) if files else None
    return _Job(scanner, tuple(hits), tuple(missed), rest)


def _run_all(
    jobs: Sequence[_Job],
    timeout: float,
    cache: ResultCache | None,
    progress: Progress = silent,
    *,
    timings: dict[str, float] | None = None,
) -> list[Finding]:
    """Run every scanner with work left in its own thread; re-raise the first failure in order."""
    found = [f for job in jobs for f in job.hits]
    todo = [(job, job.target) for job in jobs if job.target is not None]
    if not todo:
        return found
    progress(Step(f"scanning with {', '.join(job.scanner.name for job, _ in todo)}"))
    redact.prepare()  # detect-secrets is imported here, never first by two threads at once
    pool = cf.ThreadPoolExecutor(max_workers=len(todo), thread_name_prefix="pavedroad-scan")
    try:
        futures = {
            pool.submit(_scan_redacted, job.scanner, target, timings): job for job, target in todo
        }
        _store_as_completed(futures, timeout + GRACE_SECONDS, cache, progress)
        for future, job in futures.items():  # registry order: the first failure wins
            found += _result(job.scanner.name, future, timeout)
        return found
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _scan_redacted(
    scanner: Scanner, target: ScanTarget, timings: dict[str, float] | None = None
) -> tuple[Finding, ...]:
    """Run one scanner and redact secret values from its findings before anything keeps them."""
    started = time.monotonic()
    try:
        return tuple(redact_finding(f) for f in scanner.scan(target))
    finally:  # recorded before the future completes, so the scan's caller sees it
        if timings is not None:
            timings[scanner.name] = time.monotonic() - started


def _store_as_completed(
    futures: Mapping[cf.Future[tuple[Finding, ...]], _Job],
    timeout: float,
    cache: ResultCache | None,
    progress: Progress = silent,
) -> None:
    """Wait for the scanners, caching each success while slower ones still run."""
    try:
        for done, future in enumerate(cf.as_completed(futures, timeout=timeout), start=1):
            name = futures[future].scanner.name
            outcome = "failed" if future.exception() is not None else "finished"
            progress(Step(f"{name} {outcome}", done=done, total=len(futures)))
            if cache is not None and future.exception() is None:
                _store(futures[future], future.result(), cache)
    except cf.TimeoutError:
        return  # _result reports the scanner that did not finish


def _store(job: _Job, findings: Sequence[Finding], cache: ResultCache) -> None:
    """Cache a successful run per unit; store nothing if a finding lies outside its units."""
    if not job.missed or job.target is None:
        return
    root = job.target.root
    here = f"{root.as_posix().rstrip('/')}/"
    unit_of = {path: unit.key for unit in job.missed for path in unit.files}
    grouped: dict[str, list[Finding]] = {unit.key: [] for unit in job.missed}
    for finding in findings:
        key = unit_of.get(finding.path)
        if key is None or here in repr(finding):  # not attributable, or tied to this checkout
            return
        grouped[key].append(finding)

    def put(unit: Unit) -> None:
        if unit.unchanged(root):  # a file edited during the scan keeps no entry
            cache.put(unit.key, grouped[unit.key])

    # Re-hashing and writing ~1,000 small entries is I/O: a few threads keep it off the clock.
    with cf.ThreadPoolExecutor(max_workers=4, thread_name_prefix="pavedroad-cache") as writers:
        list(writers.map(put, job.missed))


def _result(
    name: str, future: cf.Future[tuple[Finding, ...]], timeout: float
) -> tuple[Finding, ...]:
    """Return a scanner's findings; any failure, even a bug, fails the scan closed."""
    if not future.done():
        raise ScannerError(name, f"did not finish within {timeout:.0f}s")
    try:
        return future.result()
    except ToolError as exc:  # an adapter that forgot run_scanner: still a scanner failure
        raise ScannerError(name, exc.reason) from exc
    except PavedError:
        raise
    except Exception as exc:  # a bug in an adapter must not look like a clean scan
        raise ScannerError(name, f"internal error: {exc!r}") from exc


def _skipped_finding(skipped: SkippedFile) -> Finding:
    """Make an unscanned file visible as an info finding."""
    if skipped.reason == OUTSIDE_REASON and skipped.path in _CONFIG_FILES:
        return config_link_finding(skipped.path)
    if skipped.reason == OUTSIDE_REASON:
        message = "This symlink points outside the repository; it was not followed or scanned."
        return paved_finding(SYMLINK_OUTSIDE, skipped.path, message)
    return paved_finding(NOT_SCANNED, skipped.path, f"Not scanned: {skipped.reason}.")


def _partial_finding(partial: SkippedFile) -> Finding:
    """Say that a text file was only searched for secrets, and why."""
    message = (
        f"Scanned for secrets only ({partial.reason}): the infrastructure and Dockerfile "
        "checks did not read it."
    )
    return paved_finding(NOT_FULLY_SCANNED, partial.path, message)


def _shipped(finding: Finding) -> Finding:
    """Say why a git-ignored file is gated at all: a Dockerfile copies it into an image."""
    return replace(
        finding,
        message=f"{finding.message} The file is ignored by git, but a Dockerfile's COPY/ADD "
        "puts it into the image.",
        fix="Keep the file out of the image (list it in .dockerignore) and rotate the secret: "
        "every image built with it holds it.",
    )
