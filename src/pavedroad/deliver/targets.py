"""The delivery targets, one registry line per platform."""

from __future__ import annotations

from collections.abc import Callable

from pavedroad.deliver.github import GitHubIssues, GitHubPullComments
from pavedroad.deliver.gitlab import GitLabIssues, GitLabMergeRequestNotes
from pavedroad.deliver.interface import Thread, Tracker
from pavedroad.deliver.jira import JiraIssues
from pavedroad.deliver.platform import Connection, PlatformName
from pavedroad.errors import UserError

TRACKERS: dict[PlatformName, Callable[[Connection], Tracker]] = {
    "github": GitHubIssues,
    "gitlab": GitLabIssues,
    "jira": JiraIssues,
}

THREADS: dict[PlatformName, Callable[[Connection, int], Thread]] = {
    "github": GitHubPullComments,
    "gitlab": GitLabMergeRequestNotes,
}


def tracker(conn: Connection) -> Tracker:
    """Return the issue tracker of a connection's project."""
    return TRACKERS[conn.platform](conn)


def thread(conn: Connection, number: int) -> Thread:
    """Return the comment thread of a pull / merge request; UserError where there is none."""
    make = THREADS.get(conn.platform)
    if make is None:
        names = ", ".join(THREADS)
        raise UserError(f"--platform {conn.platform}: cannot comment there; use one of {names}")
    return make(conn, number)
