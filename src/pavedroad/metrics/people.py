"""Exceptions (from what runs applied and reported) and satisfaction (reactions on comments).

An exception is tracked per repository and id across runs: active when its last run applied it
and it had not expired at the end of the window, else expired; renewed when a later run shows a
later expiry date than an earlier one; its age runs from the first run that showed it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from pavedroad.metrics.schema import exceptions, reactions, runs
from pavedroad.metrics.stats import Summary, summarise


@dataclass
class Tracked:
    """One exception of one repository as the runs showed it, oldest first."""

    first_seen: dt.datetime
    state: str = "active"
    expiries: list[dt.date] = field(default_factory=list)


@dataclass(frozen=True)
class Exceptions:
    """Exception figures of a group of repositories."""

    active: int
    expired: int
    renewed: int
    age_days: Summary


@dataclass(frozen=True)
class Satisfaction:
    """Reactions on Paved Road's PR/MR comments."""

    comments: int
    up: int
    down: int


def load_exceptions(
    conn: sa.Connection, until: dt.datetime | None
) -> dict[str, dict[str, Tracked]]:
    """Return each repository's exceptions as seen by runs before `until`."""
    query = (
        sa.select(
            runs.c.repository,
            runs.c.started_at,
            exceptions.c.exception_id,
            exceptions.c.state,
            exceptions.c.expires,
        )
        .select_from(exceptions.join(runs, exceptions.c.run_id == runs.c.id))
        .order_by(runs.c.started_at, runs.c.id)
    )
    if until is not None:
        query = query.where(runs.c.started_at < until)
    found: dict[str, dict[str, Tracked]] = defaultdict(dict)
    for repository, started_at, exception_id, state, expires in conn.execute(query):
        tracked = found[repository].setdefault(exception_id, Tracked(started_at))
        tracked.state = state
        if expires is not None:
            tracked.expiries.append(expires)
    return found


def summarise_exceptions(tracked: Iterable[Tracked], at: dt.datetime) -> Exceptions:
    """Count active, expired and renewed exceptions at `at`, and the age of the active ones."""
    active = expired = renewed = 0
    ages: list[float] = []
    for one in tracked:
        live = one.state == "active" and (not one.expiries or one.expiries[-1] >= at.date())
        if live:
            active += 1
            ages.append((at - one.first_seen).total_seconds() / 86400.0)
        else:
            expired += 1
        if any(later > earlier for earlier, later in itertools.pairwise(one.expiries)):
            renewed += 1
    return Exceptions(active, expired, renewed, summarise(ages))


def load_reactions(
    conn: sa.Connection, since: dt.datetime | None, until: dt.datetime | None
) -> dict[str, Satisfaction]:
    """Return each repository's reactions on comments made in the window."""
    query = sa.select(reactions.c.repository, reactions.c.up, reactions.c.down)
    if since is not None:
        query = query.where(reactions.c.created_at >= since)
    if until is not None:
        query = query.where(reactions.c.created_at < until)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for repository, up, down in conn.execute(query):
        row = totals[repository]
        row[0] += 1
        row[1] += up
        row[2] += down
    return {repo: Satisfaction(*counts) for repo, counts in totals.items()}


def add_satisfaction(parts: Iterable[Satisfaction]) -> Satisfaction:
    """Add several repositories' reactions together."""
    comments = up = down = 0
    for part in parts:
        comments += part.comments
        up += part.up
        down += part.down
    return Satisfaction(comments, up, down)
