"""Developer friction from every run in the window: blocks, durations, time to green, reruns.

- block rate: blocked runs / runs.
- time to green: from the first blocked run of a red streak to the next run that does not block,
  on the same repository, branch (ref) and stage; a streak still red at the end is not counted.
- reruns per PR: runs of a stage on a commit that already had a run of that stage in the same
  PR/MR, per PR/MR.
- attempts per block: excepted findings plus findings with an inline skip comment, per blocked run.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from pavedroad.metrics.schema import runs
from pavedroad.metrics.stats import Summary, rate, summarise

HOUR_S = 3600.0
Run = Any  # a row of `runs` (sqlalchemy.Row): attribute access by column name


@dataclass(frozen=True)
class Friction:
    """Friction figures of one group of runs (a stage, a team, a repository)."""

    runs: int
    blocked: int
    block_rate: float | None
    duration_s: Summary
    time_to_green_h: Summary
    still_red: int
    pull_requests: int
    reruns_per_pr: float | None
    attempts_per_block: float | None


def load_runs(
    conn: sa.Connection, since: dt.datetime | None, until: dt.datetime | None
) -> list[Run]:
    """Return every run in the window, oldest first."""
    query = sa.select(
        runs.c.repository,
        runs.c.ref,
        runs.c.stage,
        runs.c.commit,
        runs.c.started_at,
        runs.c.duration_s,
        runs.c.blocked,
        runs.c.pull_request,
        runs.c.excepted,
        runs.c.inline_suppressed,
    ).order_by(runs.c.started_at, runs.c.id)
    if since is not None:
        query = query.where(runs.c.started_at >= since)
    if until is not None:
        query = query.where(runs.c.started_at < until)
    return list(conn.execute(query).all())


def friction(group: Sequence[Run]) -> Friction:
    """Return the friction figures of a group of runs (ordered oldest first)."""
    blocked = sum(1 for r in group if r.blocked)
    green_h, still_red = time_to_green(group)
    prs, reruns = _reruns(group)
    attempts = sum(r.excepted + r.inline_suppressed for r in group)
    return Friction(
        runs=len(group),
        blocked=blocked,
        block_rate=rate(blocked, len(group)),
        duration_s=summarise([r.duration_s for r in group]),
        time_to_green_h=summarise(green_h),
        still_red=still_red,
        pull_requests=prs,
        reruns_per_pr=rate(reruns, prs),
        attempts_per_block=rate(attempts, blocked),
    )


def time_to_green(group: Iterable[Run]) -> tuple[list[float], int]:
    """Return the hours from each red streak's first block to the next green run, and how many
    streaks are still red."""
    red_since: dict[tuple[str, str, str], dt.datetime] = {}
    hours: list[float] = []
    for run in group:
        if run.ref is None:
            continue
        key = (run.repository, run.ref, run.stage)
        if run.blocked:
            red_since.setdefault(key, run.started_at)
        elif key in red_since:
            hours.append((run.started_at - red_since.pop(key)).total_seconds() / HOUR_S)
    return hours, len(red_since)


def _reruns(group: Iterable[Run]) -> tuple[int, int]:
    per_pr: dict[tuple[str, int], list[tuple[str, str | None]]] = defaultdict(list)
    for run in group:
        if run.pull_request is not None:
            per_pr[(run.repository, run.pull_request)].append((run.stage, run.commit))
    reruns = sum(len(seen) - len(set(seen)) for seen in per_pr.values())
    return len(per_pr), reruns


def by(group: Iterable[Run], key: Callable[[Run], str]) -> dict[str, list[Run]]:
    """Split runs into groups by key, keeping their order; groups sorted by name."""
    split: dict[str, list[Run]] = defaultdict(list)
    for run in group:
        split[key(run)].append(run)
    return dict(sorted(split.items()))
