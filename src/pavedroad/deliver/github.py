"""GitHub: issues as tickets, and the pull request's issue comments as its comment thread.

REST endpoints (https://docs.github.com/rest/issues): list repository issues with `labels` and
`state=all`; create an issue; update title, body and state; issue comments (a pull request is
an issue here) listed, created and updated.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pavedroad.deliver.interface import Comment, Ticket
from pavedroad.deliver.platform import Connection

COMMENT_LIMIT = 65_536


class GitHubIssues:
    """GitHub issues of the repository."""

    def __init__(self, conn: Connection) -> None:
        self._client = conn.client
        self._base = conn.project_path

    def list(self, label: str) -> list[Ticket]:
        """Return every issue with this label (pull requests excluded), open or closed."""
        params = {"labels": label, "state": "all"}
        items = self._client.paginate(f"{self._base}/issues", params)
        return [_ticket(i) for i in items if "pull_request" not in i]

    def create(self, title: str, body: str, labels: tuple[str, ...]) -> Ticket:
        """Create an open issue."""
        data = {"title": title, "body": body, "labels": list(labels)}
        return _ticket(self._client.post(f"{self._base}/issues", data))

    def update(self, ticket: Ticket, title: str, body: str) -> None:
        """Replace an issue's title and body."""
        self._client.patch(f"{self._base}/issues/{ticket.key}", {"title": title, "body": body})

    def close(self, ticket: Ticket, comment: str) -> None:
        """Comment, then close as completed."""
        self._comment(ticket, comment)
        data = {"state": "closed", "state_reason": "completed"}
        self._client.patch(f"{self._base}/issues/{ticket.key}", data)

    def reopen(self, ticket: Ticket, comment: str) -> None:
        """Comment, then reopen."""
        self._comment(ticket, comment)
        self._client.patch(f"{self._base}/issues/{ticket.key}", {"state": "open"})

    def _comment(self, ticket: Ticket, body: str) -> None:
        self._client.post(f"{self._base}/issues/{ticket.key}/comments", {"body": body})


class GitHubPullComments:
    """The issue comments of one pull request."""

    limit = COMMENT_LIMIT

    def __init__(self, conn: Connection, number: int) -> None:
        self._client = conn.client
        self._base = conn.project_path
        self._number = number

    def comments(self) -> Iterator[Comment]:
        """Yield every comment of the pull request, oldest first."""
        for item in self._client.paginate(f"{self._base}/issues/{self._number}/comments"):
            yield _comment(item)

    def create(self, body: str) -> Comment:
        """Post a new comment."""
        path = f"{self._base}/issues/{self._number}/comments"
        return _comment(self._client.post(path, {"body": body}))

    def update(self, comment: Comment, body: str) -> Comment:
        """Replace a comment's body."""
        path = f"{self._base}/issues/comments/{comment.id}"
        return _comment(self._client.patch(path, {"body": body}))


def _ticket(item: Any) -> Ticket:
    return Ticket(
        key=str(item["number"]),
        title=str(item.get("title") or ""),
        body=str(item.get("body") or ""),
        is_open=item.get("state") == "open",
        url=str(item.get("html_url") or ""),
    )


def _comment(item: Any) -> Comment:
    return Comment(str(item["id"]), str(item.get("body") or ""), str(item.get("html_url") or ""))
