"""Security outcomes from full-scope runs: open findings, introduced and fixed, time to fix.

A repository's full-scope runs (whatever their stage) form its timeline. A finding (by
fingerprint) is introduced at the first full run that has it and fixed at the first later full
run that no longer has it; time to fix is the time between the two. The first full run of a
repository is its baseline: what it finds is open, not introduced. Open findings are those of the
repository's last full run before the end of the window.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from pavedroad.metrics.schema import findings, runs

DAY_S = 86400.0


@dataclass(frozen=True)
class FullRun:
    """One full-scope run of a repository and what it found: fingerprint -> (severity, layer)."""

    started_at: dt.datetime
    found: dict[str, tuple[str, str]]


@dataclass
class RepoOutcome:
    """What a repository's timeline says within the window."""

    open_severity: Counter[str] = field(default_factory=Counter)
    open_layer: Counter[str] = field(default_factory=Counter)
    introduced: int = 0
    fixed: int = 0
    fix_days: list[float] = field(default_factory=list)
    fixed_on: list[dt.date] = field(default_factory=list)
    introduced_on: list[dt.date] = field(default_factory=list)


def load_timelines(conn: sa.Connection, until: dt.datetime | None) -> dict[str, list[FullRun]]:
    """Return each repository's full-scope runs before `until`, oldest first."""
    cond = runs.c.scope == "full"
    if until is not None:
        cond = sa.and_(cond, runs.c.started_at < until)
    ordered = conn.execute(
        sa.select(runs.c.id, runs.c.repository, runs.c.started_at)
        .where(cond)
        .order_by(runs.c.repository, runs.c.started_at, runs.c.id)
    ).all()
    by_id = {row.id: FullRun(row.started_at, {}) for row in ordered}
    query = sa.select(
        findings.c.run_id, findings.c.fingerprint, findings.c.severity, findings.c.layer
    ).select_from(findings.join(runs, findings.c.run_id == runs.c.id))
    for run_id, fingerprint, severity, layer in conn.execute(query.where(cond)):
        by_id[run_id].found[fingerprint] = (severity, layer)
    timelines: dict[str, list[FullRun]] = defaultdict(list)
    for row in ordered:
        timelines[row.repository].append(by_id[row.id])
    return timelines


def outcome(
    timeline: Sequence[FullRun], since: dt.datetime | None, until: dt.datetime | None
) -> RepoOutcome:
    """Return a repository's outcome in the window [since, until) from its full-run timeline."""
    result = RepoOutcome()
    first_seen: dict[str, dt.datetime] = {}
    for index, run in enumerate(timeline):
        inside = since is None or run.started_at >= since
        for fingerprint in [fp for fp in first_seen if fp not in run.found]:
            seen = first_seen.pop(fingerprint)
            if inside:
                _fixed(result, run.started_at, seen)
        for fingerprint in run.found:
            if fingerprint not in first_seen:
                first_seen[fingerprint] = run.started_at
                if index and inside:
                    result.introduced += 1
                    result.introduced_on.append(run.started_at.date())
    if timeline and (until is None or timeline[-1].started_at < until):
        last = timeline[-1].found.values()
        result.open_severity.update(severity for severity, _ in last)
        result.open_layer.update(layer for _, layer in last)
    return result


def _fixed(result: RepoOutcome, at: dt.datetime, seen: dt.datetime) -> None:
    result.fixed += 1
    result.fix_days.append((at - seen).total_seconds() / DAY_S)
    result.fixed_on.append(at.date())


def merge(outcomes: Iterable[RepoOutcome]) -> RepoOutcome:
    """Add several repositories' outcomes together (a team's, the fleet's)."""
    total = RepoOutcome()
    for one in outcomes:
        total.open_severity.update(one.open_severity)
        total.open_layer.update(one.open_layer)
        total.introduced += one.introduced
        total.fixed += one.fixed
        total.fix_days.extend(one.fix_days)
        total.fixed_on.extend(one.fixed_on)
        total.introduced_on.extend(one.introduced_on)
    return total
