"""`paved exceptions list|review`: status of records in one or many repositories, and patterns."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pavedroad.exceptions import ExceptionRecord, Status

PATTERN_REPOS = 2
PATTERN_RECORDS = 3


@dataclass(frozen=True)
class Entry:
    """One record, where it lives and its status today."""

    repo: str
    record: ExceptionRecord
    status: Status


@dataclass(frozen=True)
class Pattern:
    """A rule excepted often enough that the policy or the tooling should change."""

    rule: str
    records: int
    repos: int
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Review:
    """Everything the monthly review looks at."""

    today: dt.date
    entries: tuple[Entry, ...]
    patterns: tuple[Pattern, ...]

    def by(self, status: Status) -> tuple[Entry, ...]:
        """Return the entries with this status."""
        return tuple(e for e in self.entries if e.status == status)


def build(
    repos: Sequence[tuple[str, Sequence[ExceptionRecord]]], today: dt.date, warn_days: int
) -> Review:
    """Collect every record of every repository and find repeated rules."""
    entries = tuple(
        Entry(repo, record, record.status(today, warn_days))
        for repo, records in repos
        for record in records
    )
    return Review(today=today, entries=entries, patterns=_patterns(entries))


def _patterns(entries: Sequence[Entry]) -> tuple[Pattern, ...]:
    grouped: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        grouped[entry.record.rule].append(entry)
    patterns = []
    for rule, group in sorted(grouped.items()):
        repos = {e.repo for e in group}
        if len(repos) >= PATTERN_REPOS or len(group) >= PATTERN_RECORDS:
            paths = tuple(sorted({p for e in group for p in e.record.paths}))
            patterns.append(Pattern(rule, len(group), len(repos), paths))
    return tuple(patterns)


def render_text(review: Review) -> str:
    """Render the review for a terminal."""
    lines = [f"Exception review on {review.today}: {len(review.entries)} record(s)"]
    lines += [f"  {s}: {len(review.by(s))}" for s in ("active", "expiring", "expired", "future")]
    lines += _counter_lines("by owner", Counter(e.record.owner for e in review.entries))
    lines += _counter_lines("by rule", Counter(e.record.rule for e in review.entries))
    for title, status in (("expired but still present", "expired"), ("expiring soon", "expiring")):
        picked = review.by(status)  # type: ignore[arg-type]
        if picked:
            lines.append(f"{title}:")
            lines += [f"  {_entry_line(e)}" for e in picked]
    lines += [_pattern_line(p) for p in review.patterns]
    return "\n".join(lines)


def _counter_lines(title: str, counts: Counter[str]) -> list[str]:
    if not counts:
        return []
    return [f"{title}:"] + [f"  {k}: {v}" for k, v in sorted(counts.items())]


def _entry_line(e: Entry) -> str:
    r = e.record
    return f"{e.repo}: {r.id} {r.rule} owner {r.owner} expires {r.expires} ({e.status})"


def _pattern_line(p: Pattern) -> str:
    return (
        f"pattern: {p.rule} is excepted {p.records} time(s) in {p.repos} repositor"
        f"{'y' if p.repos == 1 else 'ies'}; the policy or the tooling likely needs to change"
    )


def render_markdown(review: Review) -> str:
    """Render the review as Markdown for an issue or a wiki page."""
    lines = [f"## Exception review, {review.today}", ""]
    lines += ["| status | count |", "| --- | --- |"]
    lines += [f"| {s} | {len(review.by(s))} |" for s in ("active", "expiring", "expired")]
    lines += ["", "| repository | id | rule | owner | expires | status |"]
    lines += ["| --- | --- | --- | --- | --- | --- |"]
    for e in review.entries:
        r = e.record
        lines.append(f"| {e.repo} | {r.id} | `{r.rule}` | {r.owner} | {r.expires} | {e.status} |")
    if review.patterns:
        lines += ["", "### Patterns", ""] + [f"- {_pattern_line(p)}" for p in review.patterns]
    return "\n".join(lines) + "\n"


def render_json(review: Review) -> str:
    """Render the review as stable JSON."""
    data = {
        "schema": "pavedroad/exception-review/v1",
        "today": review.today.isoformat(),
        "totals": {s: len(review.by(s)) for s in ("active", "expiring", "expired", "future")},
        "by_owner": dict(sorted(Counter(e.record.owner for e in review.entries).items())),
        "by_rule": dict(sorted(Counter(e.record.rule for e in review.entries).items())),
        "records": [_entry_json(e) for e in review.entries],
        "patterns": [
            {"rule": p.rule, "records": p.records, "repos": p.repos, "paths": list(p.paths)}
            for p in review.patterns
        ],
    }
    return json.dumps(data, indent=2, sort_keys=True)


def _entry_json(e: Entry) -> dict[str, object]:
    r = e.record
    return {
        "repo": e.repo,
        "id": r.id,
        "rule": r.rule,
        "paths": list(r.paths),
        "owner": r.owner,
        "approver": r.approver,
        "created": r.created.isoformat(),
        "expires": r.expires.isoformat(),
        "status": e.status,
        "controls": list(r.controls),
        "ticket": r.ticket,
    }


def repo_name(root: Path) -> str:
    """Return a short display name for a repository folder."""
    return root.resolve().name
