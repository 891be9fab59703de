"""`paved exceptions list|review`: status of records in one or many repositories, and patterns."""

from __future__ import annotations

import datetime as dt
import html
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pavedroad import clock
from pavedroad.errors import UserError
from pavedroad.exceptions.records import ExceptionRecord, Status
from pavedroad.exceptions.renewals import Renewal, renewals
from pavedroad.exceptions.repository import load_rules
from pavedroad.textsafe import md_code, md_text, printable

PATTERN_REPOS = 2
PATTERN_RECORDS = 3
DEFAULT_WARN_DAYS = 14
# The statuses the text review lists record by record, with their headings.
_ATTENTION: tuple[tuple[str, Status], ...] = (
    ("expired but still present", "expired"),
    ("expiring soon", "expiring"),
)


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
    renewals: tuple[Renewal, ...] = ()  # from each exceptions file's git history

    def by(self, status: Status) -> tuple[Entry, ...]:
        """Return the entries with this status."""
        return tuple(e for e in self.entries if e.status == status)


def build(
    repos: Sequence[tuple[str, Sequence[ExceptionRecord]]],
    today: dt.date,
    warn_days: int,
    renewed: Sequence[Renewal] = (),
) -> Review:
    """Collect every record of every repository and find repeated rules."""
    entries = tuple(
        Entry(repo, record, record.status(today, warn_days))
        for repo, records in repos
        for record in records
    )
    return Review(today, entries, _patterns(entries), tuple(renewed))


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
    for title, status in _ATTENTION:
        picked = review.by(status)
        if picked:
            lines.append(f"{title}:")
            lines += [f"  {_entry_line(e)}" for e in picked]
    lines += [_pattern_line(p) for p in review.patterns]
    lines += [f"renewed: {_renewal_line(r)}" for r in review.renewals]
    return "\n".join(printable(line) for line in lines)  # records may hold control characters


def _renewal_line(r: Renewal) -> str:
    where = f"{r.path} ({r.resource})" if r.resource else r.path
    ends = ", ".join(str(d) for d in r.expiries)
    return (
        f"{r.repo}: {r.rule} in {where} renewed {r.count} time(s) (terms ending {ends}); "
        "fix it or change the policy instead of renewing again"
    )


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
    lines += [_markdown_row(e) for e in review.entries]
    if review.patterns:
        lines += ["", "### Patterns", ""]
        lines += [f"- {md_text(_pattern_line(p))}" for p in review.patterns]
    if review.renewals:
        lines += ["", "### Renewals", "", "| repository | rule | path | renewals | terms ending |"]
        lines += ["| --- | --- | --- | --- | --- |"]
        lines += [_renewal_row(r) for r in review.renewals]
    return "\n".join(lines) + "\n"


def _renewal_row(r: Renewal) -> str:
    where = md_text(f"{r.path} ({r.resource})" if r.resource else r.path)
    ends = ", ".join(str(d) for d in r.expiries)
    return (
        f"| {md_text(r.repo)} | {md_code(r.rule, in_table=True)} | {where} | {r.count} | {ends} |"
    )


def _markdown_row(e: Entry) -> str:
    r = e.record
    cells = (md_text(e.repo), md_text(r.id), md_code(r.rule, in_table=True), md_text(r.owner))
    return f"| {' | '.join(cells)} | {r.expires} | {e.status} |"


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
        "renewals": [
            {
                "repo": r.repo,
                "rule": r.rule,
                "path": r.path,
                "resource": r.resource,
                "renewals": r.count,
                "expiries": [d.isoformat() for d in r.expiries],
            }
            for r in review.renewals
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


_HTML_STYLE = (
    "body{font:14px system-ui,sans-serif;margin:2em;max-width:60em}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}"
    ".expired{color:#b00020}.expiring{color:#a15c00}svg text{font:12px sans-serif}"
)


def render_html(review: Review) -> str:
    """Render the review as one self-contained HTML page with bar charts (no scripts)."""
    esc = html.escape
    rows = "".join(
        f"<tr class='{e.status}'><td>{esc(e.repo)}</td><td>{esc(e.record.id)}</td>"
        f"<td><code>{esc(e.record.rule)}</code></td><td>{esc(e.record.owner)}</td>"
        f"<td>{e.record.expires}</td><td>{e.status}</td></tr>"
        for e in review.entries
    )
    patterns = "".join(f"<li>{esc(_pattern_line(p))}</li>" for p in review.patterns)
    renewed = "".join(f"<li>{esc(_renewal_line(r))}</li>" for r in review.renewals)
    statuses = Counter({s: len(review.by(s)) for s in ("active", "expiring", "expired")})
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Exception review "
        f"{review.today}</title><style>{_HTML_STYLE}</style></head><body>"
        f"<h1>Exception review, {review.today}</h1>"
        f"<h2>By status</h2>{_bars(statuses)}"
        f"<h2>By owner</h2>{_bars(Counter(e.record.owner for e in review.entries))}"
        f"<h2>By rule</h2>{_bars(Counter(e.record.rule for e in review.entries))}"
        f"<h2>Patterns</h2><ul>{patterns or '<li>none</li>'}</ul>"
        f"<h2>Renewals</h2><ul>{renewed or '<li>none</li>'}</ul>"
        "<h2>Records</h2><table><tr><th>repository</th><th>id</th><th>rule</th><th>owner</th>"
        f"<th>expires</th><th>status</th></tr>{rows}</table></body></html>\n"
    )


def _bars(counts: Counter[str]) -> str:
    """Return an inline SVG horizontal bar chart of the counts."""
    if not counts:
        return "<p>none</p>"
    top = max(counts.values()) or 1
    items = sorted(counts.items())
    bars = "".join(
        f"<text x='0' y='{i * 22 + 15}'>{html.escape(label)}</text>"
        f"<rect x='200' y='{i * 22 + 3}' width='{int(300 * n / top)}' height='16' "
        f"fill='#3b6ea5'/><text x='{205 + int(300 * n / top)}' y='{i * 22 + 15}'>{n}</text>"
        for i, (label, n) in enumerate(items)
    )
    return f"<svg width='560' height='{len(items) * 22 + 6}' role='img'>{bars}</svg>"


def repo_name(root: Path) -> str:
    """Return a short display name for a repository folder."""
    return root.resolve().name


RENDERERS: Mapping[str, Callable[[Review], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
    "html": render_html,
}


@dataclass(frozen=True)
class ReviewRequest:
    """Which repositories to review, and in which format."""

    roots: tuple[Path, ...]
    format: str = "text"


def review_report(request: ReviewRequest) -> str:
    """Review the exceptions of every repository and render the review in the format asked."""
    if request.format not in RENDERERS:
        raise UserError(f"--format {request.format}: use one of {', '.join(RENDERERS)}")
    return RENDERERS[request.format](review_repositories(request.roots))


def review_repositories(roots: Sequence[Path], history: bool = True) -> Review:
    """Load each repository's policy and records and review them together, as of today.

    "Expiring soon" uses the warning window of the last repository's policy; with history,
    renewals are counted from each exceptions file's git history.
    """
    repos = []
    renewed: list[Renewal] = []
    warn_days = DEFAULT_WARN_DAYS
    for root in roots:
        rules = load_rules(root)
        warn_days = rules.policy.warn_expiring_within_days
        repos.append((repo_name(root), rules.exceptions))
        renewed += renewals(repo_name(root), root) if history else ()
    return build(repos, clock.today(), warn_days, renewed)


def list_entries(root: Path) -> tuple[Entry, ...]:
    """Return the records of one repository with their status today."""
    return review_repositories([root], history=False).entries


def render_list(entries: Sequence[Entry]) -> str:
    """Render one line per record (id, status, expiry, rule, owner, paths) for a terminal."""
    if not entries:
        return "no exceptions recorded"
    lines = [
        f"{e.record.id:<9} {e.status:<8} {e.record.expires}  {e.record.rule:<14} "
        f"{e.record.owner:<18} {', '.join(e.record.paths)}"
        for e in entries
    ]
    return "\n".join(printable(line) for line in lines)  # records may hold control characters
