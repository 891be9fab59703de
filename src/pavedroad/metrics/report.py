"""Build the metrics report for a window: per repository, team and stage."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from pavedroad.metrics import friction as fr
from pavedroad.metrics import outcomes as oc
from pavedroad.metrics import people
from pavedroad.metrics.ingest import LAYERS
from pavedroad.metrics.owners import Owners
from pavedroad.metrics.stats import Summary, histogram, summarise

SEVERITIES = ("critical", "high", "medium", "low", "info")
SCHEMA = "pavedroad/metrics/v1"


@dataclass(frozen=True)
class Outcomes:
    """Security outcomes of a group of repositories."""

    open_by_severity: dict[str, int]
    open_by_layer: dict[str, int]
    introduced: int
    fixed: int
    time_to_fix_days: Summary


@dataclass(frozen=True)
class Figures:
    """Everything measured for one group: the fleet, a team or a repository."""

    name: str
    repositories: int
    outcomes: Outcomes
    exceptions: people.Exceptions
    friction: fr.Friction
    satisfaction: people.Satisfaction


@dataclass(frozen=True)
class Day:
    """One day of the trend."""

    date: str
    runs: int
    blocked: int
    introduced: int
    fixed: int


@dataclass(frozen=True)
class Report:
    """The metrics report of one window."""

    since: str | None  # the first day of the window (UTC), None: from the first run
    until: str | None  # the last day, included; None: up to now
    overall: Figures
    stages: dict[str, fr.Friction]
    teams: tuple[Figures, ...]
    repositories: tuple[Figures, ...]
    trend: tuple[Day, ...]
    fix_histogram: tuple[tuple[str, int], ...]

    def document(self) -> dict[str, Any]:
        """Return the report as JSON-ready data (`pavedroad/metrics/v1`)."""
        return {"schema": SCHEMA, **asdict(self)}


@dataclass(frozen=True)
class _Data:
    runs: list[fr.Run]
    outcomes: dict[str, oc.RepoOutcome]
    exceptions: dict[str, dict[str, people.Tracked]]
    reactions: dict[str, people.Satisfaction]
    at: dt.datetime


def build(
    engine: sa.Engine,
    *,
    since: dt.datetime | None,
    until: dt.datetime | None,
    owners: Owners,
    now: dt.datetime,
) -> Report:
    """Read the window's runs from the store and compute every figure."""
    data = _load(engine, since, until, now)
    repos = {r.repository for r in data.runs} | set(data.outcomes) | set(data.reactions)
    team_of = owners.mapping(repos)
    members: dict[str, list[str]] = defaultdict(list)
    for repo in sorted(repos):
        members[team_of[repo]].append(repo)
    overall = _figures("all", sorted(repos), data, data.runs)
    runs_of = fr.by(data.runs, lambda r: r.repository)
    runs_by_team = fr.by(data.runs, lambda r: team_of[r.repository])
    fixes = oc.merge(data.outcomes.values())
    return Report(
        since=since.date().isoformat() if since else None,
        until=(until - dt.timedelta(days=1)).date().isoformat() if until else None,
        overall=overall,
        stages={s: fr.friction(g) for s, g in fr.by(data.runs, lambda r: r.stage).items()},
        teams=tuple(
            _figures(t, members[t], data, runs_by_team.get(t, [])) for t in sorted(members)
        ),
        repositories=tuple(_figures(r, [r], data, runs_of.get(r, [])) for r in sorted(repos)),
        trend=_trend(data.runs, fixes),
        fix_histogram=histogram(fixes.fix_days),
    )


def _load(
    engine: sa.Engine, since: dt.datetime | None, until: dt.datetime | None, now: dt.datetime
) -> _Data:
    with engine.connect() as conn:
        timelines = oc.load_timelines(conn, until)
        return _Data(
            runs=fr.load_runs(conn, since, until),
            outcomes={repo: oc.outcome(t, since, until) for repo, t in timelines.items()},
            exceptions=people.load_exceptions(conn, until),
            reactions=people.load_reactions(conn, since, until),
            at=min(until, now) if until else now,
        )


def _figures(name: str, repos: Sequence[str], data: _Data, group: Sequence[fr.Run]) -> Figures:
    merged = oc.merge(data.outcomes[r] for r in repos if r in data.outcomes)
    tracked = [t for r in repos for t in data.exceptions.get(r, {}).values()]
    return Figures(
        name=name,
        repositories=len(repos),
        outcomes=_outcomes(merged),
        exceptions=people.summarise_exceptions(tracked, data.at),
        friction=fr.friction(group),
        satisfaction=people.add_satisfaction(
            data.reactions[r] for r in repos if r in data.reactions
        ),
    )


def _outcomes(merged: oc.RepoOutcome) -> Outcomes:
    return Outcomes(
        open_by_severity=_ordered(merged.open_severity, SEVERITIES),
        open_by_layer=_ordered(merged.open_layer, LAYERS),
        introduced=merged.introduced,
        fixed=merged.fixed,
        time_to_fix_days=summarise(merged.fix_days),
    )


def _ordered(counts: Mapping[str, int], keys: Sequence[str]) -> dict[str, int]:
    return {key: counts.get(key, 0) for key in keys}


def _trend(runs: Sequence[fr.Run], fixes: oc.RepoOutcome) -> tuple[Day, ...]:
    total: Counter[dt.date] = Counter(r.started_at.date() for r in runs)
    blocked: Counter[dt.date] = Counter(r.started_at.date() for r in runs if r.blocked)
    introduced = Counter(fixes.introduced_on)
    fixed = Counter(fixes.fixed_on)
    days = sorted(set(total) | set(introduced) | set(fixed))
    return tuple(Day(d.isoformat(), total[d], blocked[d], introduced[d], fixed[d]) for d in days)
