"""GitLab: project issues as tickets, and the merge request's notes as its comment thread.

REST v4 endpoints (https://docs.gitlab.com/api/issues/, /api/notes/): list project issues with
`labels` (no `state`: every state); create; update with `state_event` close/reopen;
issue notes; merge request notes listed, created and updated.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pavedroad.deliver.interface import Comment, Ticket
from pavedroad.deliver.platform import Connection

NOTE_LIMIT = 1_000_000


class GitLabIssues:
    """GitLab issues of the project."""

    def __init__(self, conn: Connection) -> None:
        self._client = conn.client
        self._base = conn.project_path

    def list(self, label: str) -> list[Ticket]:
        """Return every issue with this label, opened or closed."""
        params = {"labels": label}  # no `state`: GitLab then lists opened and closed
        return [_ticket(i) for i in self._client.paginate(f"{self._base}/issues", params)]

    def create(self, title: str, body: str, labels: tuple[str, ...]) -> Ticket:
        """Create an open issue."""
        data = {"title": title, "description": body, "labels": ",".join(labels)}
        return _ticket(self._client.post(f"{self._base}/issues", data))

    def update(self, ticket: Ticket, title: str, body: str) -> None:
        """Replace an issue's title and description."""
        data = {"title": title, "description": body}
        self._client.put(f"{self._base}/issues/{ticket.key}", data)

    def close(self, ticket: Ticket, comment: str) -> None:
        """Add a note, then close."""
        self._note(ticket, comment)
        self._client.put(f"{self._base}/issues/{ticket.key}", {"state_event": "close"})

    def reopen(self, ticket: Ticket, comment: str) -> None:
        """Add a note, then reopen."""
        self._note(ticket, comment)
        self._client.put(f"{self._base}/issues/{ticket.key}", {"state_event": "reopen"})

    def _note(self, ticket: Ticket, body: str) -> None:
        self._client.post(f"{self._base}/issues/{ticket.key}/notes", {"body": body})


class GitLabMergeRequestNotes:
    """The notes of one merge request."""

    limit = NOTE_LIMIT

    def __init__(self, conn: Connection, iid: int) -> None:
        self._client = conn.client
        self._path = f"{conn.project_path}/merge_requests/{iid}/notes"

    def comments(self) -> Iterator[Comment]:
        """Yield every note of the merge request, oldest first."""
        params = {"sort": "asc", "order_by": "created_at"}
        for item in self._client.paginate(self._path, params):
            if not item.get("system"):
                yield _note(item)

    def create(self, body: str) -> Comment:
        """Post a new note."""
        return _note(self._client.post(self._path, {"body": body}))

    def update(self, comment: Comment, body: str) -> Comment:
        """Replace a note's body."""
        return _note(self._client.put(f"{self._path}/{comment.id}", {"body": body}))


def _ticket(item: Any) -> Ticket:
    return Ticket(
        key=str(item["iid"]),
        title=str(item.get("title") or ""),
        body=str(item.get("description") or ""),
        is_open=item.get("state") == "opened",
        url=str(item.get("web_url") or ""),
    )


def _note(item: Any) -> Comment:
    return Comment(str(item["id"]), str(item.get("body") or ""))
