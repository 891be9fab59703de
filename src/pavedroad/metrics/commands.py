"""What `paved metrics` does: ingest reports or reactions into the store, report over it."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pavedroad import clock
from pavedroad.deliver import platform as platforms
from pavedroad.errors import UserError
from pavedroad.metrics import ingest as loader
from pavedroad.metrics import owners as owner_map
from pavedroad.metrics import reactions as feedback
from pavedroad.metrics.html import render_html
from pavedroad.metrics.render import render_json, render_text
from pavedroad.metrics.report import build
from pavedroad.metrics.store import guarded, open_store
from pavedroad.progress import Progress, Step, silent

Format = Literal["text", "json", "html"]
FORMATS: tuple[Format, ...] = ("text", "json", "html")


def expand(paths: Sequence[Path]) -> list[Path]:
    """Return the files given, with each folder replaced by the *.json files under it (sorted)."""
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.rglob("*.json")) if path.is_dir() else [path])
    return found


def ingest(paths: Sequence[Path], db: str | None, progress: Progress = silent) -> loader.Ingested:
    """Load gate reports into the store; reports already there are skipped."""
    batch = loader.read_reports(paths, progress)
    progress(Step(f"writing {len(batch.runs)} report(s) to the store"))
    with guarded():
        return loader.store(open_store(db), batch)


def ingest_reactions(db: str | None, platform: str | None, since: dt.date | None) -> int:
    """Read reactions on Paved Road's comments from the platform's API into the store."""
    name = platforms.parse_platform(platform)
    connection = platforms.connect(name)
    if connection.platform == "jira":
        raise UserError("--platform jira: Jira has no PR comments; use github or gitlab")
    repository = os.environ.get("CI_PROJECT_PATH") if connection.platform == "gitlab" else None
    start = _start(since)
    try:
        found = feedback.fetch(connection, start, repository)
    finally:
        connection.client.close()
    with guarded():
        return feedback.save(open_store(db), found)


def report(
    db: str | None,
    *,
    since: dt.date | None,
    until: dt.date | None,
    owners: Path | None,
    fmt: str,
) -> str:
    """Return the metrics report of the window [since, until] (whole days, UTC) in a format."""
    if fmt not in FORMATS:
        raise UserError(f"--format {fmt}: unknown; use one of {', '.join(FORMATS)}")
    if since and until and until < since:
        raise UserError(f"--until {until} is before --since {since}; swap them")
    teams = owner_map.load(owners)
    now = clock.now().replace(tzinfo=None)
    end = _start(until + dt.timedelta(days=1)) if until else None
    with guarded():
        result = build(open_store(db), since=_start(since), until=end, owners=teams, now=now)
    if fmt == "json":
        return render_json(result)
    if fmt == "html":
        return render_html(result)
    return render_text(result)


def _start(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time()) if day else None
