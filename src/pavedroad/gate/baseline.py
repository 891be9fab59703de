"""Record a baseline: a full scan's findings today, held back (ticketed) until an expiry."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pavedroad import clock
from pavedroad.errors import UserError
from pavedroad.exceptions import baseline as baseline_file
from pavedroad.exceptions.baseline import BASELINE_PATH, Baseline
from pavedroad.exceptions.repository import load_rules
from pavedroad.gate import evaluate as gate
from pavedroad.gate.result import GatedFinding, Verdict
from pavedroad.gate.run import scan_selection
from pavedroad.policy.file import Policy
from pavedroad.progress import Progress, silent
from pavedroad.scan import changes as incremental
from pavedroad.scan.cache import ResultCache
from pavedroad.textsafe import printable


@dataclass(frozen=True)
class Created:
    """A baseline just written, and how many findings it left out because of exceptions."""

    baseline: Baseline
    path: Path
    excepted: int


def create(
    root: Path,
    *,
    days: int | None = None,
    stage: str | None = None,
    cache: ResultCache | None = None,
    progress: Progress = silent,
) -> Created:
    """Scan every file and record today's findings (all, or those `stage` blocks) in the file.

    Findings an exception already covers are left out. An existing baseline is never replaced:
    a baseline is recorded once, when a repository joins, and only shrinks from then on.
    """
    rules = load_rules(root, stage)
    span = _days(rules.policy, days)
    existing = baseline_file.load(root, rules.policy)
    if existing is not None:
        raise UserError(
            f"{BASELINE_PATH}: a baseline exists (created {existing.created}, expires "
            f"{existing.expires}); it is recorded once. Fix its findings or request exceptions; "
            "delete the file first only if the platform team agrees (drift reports it)"
        )
    today = clock.today()
    every = incremental.select(root, "full", None)
    report = scan_selection(root, every, cache=cache, progress=progress)
    result = gate.evaluate(
        report.findings,
        rules.policy,
        stage or next(iter(rules.policy.stages)),
        root=str(root),
        files_scanned=report.files_scanned,
        scanners=report.scanners,
        exceptions=rules.exceptions,
        today=today,
    )
    kept = [g.finding for g in result.findings if _recorded(g, stage)]
    baseline = baseline_file.from_findings(kept, today, span, stage)
    path = baseline_file.write(root, baseline)
    return Created(baseline, path, len(result.with_verdict(Verdict.EXCEPTED)))


def _days(policy: Policy, days: int | None) -> int:
    """Return the baseline's length: the given days, at most the policy's max_days."""
    if days is None:
        return policy.max_days
    if not 1 <= days <= policy.max_days:
        raise UserError(
            f"--days {days}: must be between 1 and exceptions.max_days ({policy.max_days}) "
            "of .pavedroad/policy.yaml; pass a shorter time"
        )
    return days


def _recorded(gated: GatedFinding, stage: str | None) -> bool:
    """Keep every finding not excepted, or with a stage only those it blocks (or would)."""
    if gated.verdict is Verdict.EXCEPTED:
        return False
    return stage is None or gated.verdict is Verdict.BLOCK or gated.held is not None


def show(root: Path) -> str:
    """Describe the repository's baseline: dates, then one line per recorded finding."""
    rules = load_rules(root)
    baseline = baseline_file.load(root, rules.policy)
    if baseline is None:
        return f"no baseline: {BASELINE_PATH} does not exist (record one: paved baseline create)"
    today = clock.today()
    if baseline.expired(today):
        state = "expired: it covers nothing"
    else:
        state = f"{(baseline.expires - today).days} day(s) left"
    scope = f", findings stage {baseline.stage} blocked" if baseline.stage else ""
    lines = [
        f"{BASELINE_PATH}: {len(baseline.entries)} finding(s) recorded {baseline.created}"
        f"{scope}; expires {baseline.expires} ({state})"
    ]
    lines += [
        f"  {e.severity:<8} {e.rule_id}  {e.path}  {e.fingerprint[:12]}" for e in baseline.entries
    ]
    return "\n".join(printable(line) for line in lines)
