"""Read 👍/👎 reactions on Paved Road's PR/MR comments through the platform's API.

Paved Road's comments carry a hidden marker (`<!-- pavedroad:gate ... -->`, see
reports/markdown.py). GitHub: the repository's issue comments (`since` the window start), then
GET /repos/{owner}/{repo}/issues/comments/{id}/reactions per marked comment (`+1`, `-1`).
GitLab: the project's merge requests updated since then, their notes, then
GET /projects/{id}/merge_requests/{iid}/notes/{note_id}/award_emoji (`thumbsup`, `thumbsdown`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from typing import Any

import sqlalchemy as sa

from pavedroad.deliver.platform import Connection
from pavedroad.metrics.ingest import parse_time
from pavedroad.metrics.schema import reactions

MARKER = "<!-- pavedroad:gate"
_UP = {"github": "+1", "gitlab": "thumbsup"}
_DOWN = {"github": "-1", "gitlab": "thumbsdown"}


@dataclass(frozen=True)
class Reaction:
    """The reactions on one Paved Road comment."""

    platform: str
    repository: str
    comment_id: str
    pull_request: int | None
    created_at: dt.datetime | None
    up: int
    down: int


def fetch(
    connection: Connection, since: dt.datetime | None, repository: str | None = None
) -> list[Reaction]:
    """Return the reactions on every Paved Road comment made since `since` (None: all).

    `repository` names the project as gate records do (GitLab: CI_PROJECT_PATH, where the API
    may know the project by its numeric id).
    """
    if connection.platform == "github":
        found = list(_github(connection, since))
    elif connection.platform == "gitlab":
        found = list(_gitlab(connection, since))
    else:
        return []
    if repository:
        found = [replace(r, repository=repository) for r in found]
    return found


def save(engine: sa.Engine, found: list[Reaction]) -> int:
    """Replace the stored reactions of these comments (counts change over time); return how many."""
    rows = [asdict(r) for r in found]
    with engine.begin() as conn:
        for row in rows:
            key = sa.and_(
                reactions.c.platform == row["platform"],
                reactions.c.repository == row["repository"],
                reactions.c.comment_id == row["comment_id"],
            )
            conn.execute(reactions.delete().where(key))
        if rows:
            conn.execute(reactions.insert(), rows)
    return len(rows)


def _github(connection: Connection, since: dt.datetime | None) -> Iterator[Reaction]:
    prefix = connection.project_path
    params = {"since": f"{since.isoformat()}Z"} if since else None
    for comment in connection.client.paginate(f"{prefix}/issues/comments", params):
        if MARKER not in str(comment.get("body") or ""):
            continue
        found = connection.client.paginate(f"{prefix}/issues/comments/{comment['id']}/reactions")
        up, down = _count(found, "content", "github")
        yield Reaction(
            platform="github",
            repository=connection.project,
            comment_id=str(comment["id"]),
            pull_request=_issue_number(str(comment.get("issue_url") or "")),
            created_at=_time(comment.get("created_at")),
            up=up,
            down=down,
        )


def _gitlab(connection: Connection, since: dt.datetime | None) -> Iterator[Reaction]:
    prefix = connection.project_path
    params: dict[str, Any] = {"scope": "all"}
    if since:
        params["updated_after"] = f"{since.isoformat()}Z"
    for request in connection.client.paginate(f"{prefix}/merge_requests", params):
        iid = int(request["iid"])
        for note in connection.client.paginate(f"{prefix}/merge_requests/{iid}/notes"):
            if MARKER not in str(note.get("body") or ""):
                continue
            path = f"{prefix}/merge_requests/{iid}/notes/{note['id']}/award_emoji"
            up, down = _count(connection.client.paginate(path), "name", "gitlab")
            yield Reaction(
                platform="gitlab",
                repository=connection.project,
                comment_id=str(note["id"]),
                pull_request=iid,
                created_at=_time(note.get("created_at")),
                up=up,
                down=down,
            )


def _count(items: Iterator[Any], key: str, platform: str) -> tuple[int, int]:
    up = down = 0
    for item in items:
        value = item.get(key) if isinstance(item, dict) else None
        up += value == _UP[platform]
        down += value == _DOWN[platform]
    return up, down


def _issue_number(url: str) -> int | None:
    tail = url.rstrip("/").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    return parse_time(value.replace("Z", "+00:00"), "API response")
