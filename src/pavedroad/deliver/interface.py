"""What a delivery target implements: an issue tracker, and a PR/MR comment thread.

One module per platform (github.py, gitlab.py, jira.py) implements these; `targets.py`
registers them in one dict each, so adding a platform is one module plus one line there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Ticket:
    """An issue as the tracker returned it."""

    key: str  # GitHub number, GitLab iid, Jira key
    title: str
    body: str
    is_open: bool
    url: str = ""


@dataclass(frozen=True)
class Comment:
    """A PR comment or MR note."""

    id: str
    body: str
    url: str = ""


class Tracker(Protocol):
    """Issues of one project: listed by label (every state, all pages), created, kept current."""

    def list(self, label: str) -> list[Ticket]:
        """Return every issue with this label, open or closed."""
        ...

    def create(self, title: str, body: str, labels: tuple[str, ...]) -> Ticket:
        """Create an open issue."""
        ...

    def update(self, ticket: Ticket, title: str, body: str) -> None:
        """Replace an issue's title and body."""
        ...

    def close(self, ticket: Ticket, comment: str) -> None:
        """Comment on an issue, then close it."""
        ...

    def reopen(self, ticket: Ticket, comment: str) -> None:
        """Comment on an issue, then reopen it."""
        ...


class Thread(Protocol):
    """The comments of one pull request (GitHub) or merge request (GitLab)."""

    limit: int  # the platform's largest comment body, in characters

    def comments(self) -> Iterator[Comment]:
        """Yield every comment, oldest first, across all pages."""
        ...

    def create(self, body: str) -> Comment:
        """Post a new comment."""
        ...

    def update(self, comment: Comment, body: str) -> Comment:
        """Replace a comment's body."""
        ...
