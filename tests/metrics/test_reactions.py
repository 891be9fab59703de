"""`paved metrics ingest --reactions` against fake GitHub and GitLab APIs on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.deliver.fakes import GitHubApi, GitLabApi, Reply, Request, Route, serve
from typer.testing import CliRunner

from pavedroad.cli import app
from pavedroad.metrics import schema, store

RUNNER = CliRunner()
MARKED = "<!-- pavedroad:gate stage=pr -->\n### Paved Road gate: passed\nWas this useful? 👍 / 👎"
_REPO = r"/repos/([^/]+/[^/]+)"
_PROJECT = r"/projects/([^/]+)"


class ReactionsGitHub(GitHubApi):
    """Adds the repository-wide comment list (GET /repos/{owner}/{repo}/issues/comments)."""

    def routes(self) -> list[Route]:
        return [("GET", _REPO + r"/issues/comments", self.all_comments), *super().routes()]

    def all_comments(self, request: Request, repo: str) -> Reply:
        since = request.query.get("since", "")
        items = [c for c in self.comments.values() if c["created_at"] >= since]
        return self.page(request, items)

    def add(self, comment_id: int, body: str, reactions: list[str], pr: int = 7) -> None:
        self.comments[comment_id] = {
            "id": comment_id,
            "issue_number": pr,
            "issue_url": f"{self.base_url}/repos/acme/orders/issues/{pr}",
            "body": body,
            "created_at": "2026-03-02T10:00:00Z",
        }
        self.reactions[comment_id] = [{"id": i, "content": c} for i, c in enumerate(reactions)]


class ReactionsGitLab(GitLabApi):
    """Adds merge request listing and award emoji on notes."""

    def __init__(self) -> None:
        super().__init__()
        self.awards: dict[int, list[str]] = {}

    def routes(self) -> list[Route]:
        return [
            ("GET", _PROJECT + r"/merge_requests", self.list_mrs),
            ("GET", _PROJECT + r"/merge_requests/(\d+)/notes/(\d+)/award_emoji", self.award),
            *super().routes(),
        ]

    def list_mrs(self, request: Request, project: str) -> Reply:
        iids = sorted({n["noteable_iid"] for n in self.mr_notes.values()})
        return self.page(request, [{"iid": i} for i in iids], default=20)

    def award(self, request: Request, project: str, iid: str, note_id: str) -> Reply:
        names = self.awards.get(int(note_id), [])
        return self.page(request, [{"id": i, "name": n} for i, n in enumerate(names)])


def stored(db: Path) -> list[tuple[str, str, int | None, int, int]]:
    engine = store.open_store(str(db))
    r = schema.reactions.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(r.repository, r.comment_id, r.pull_request, r.up, r.down).order_by(
                r.comment_id
            )
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_github_reactions_on_marked_comments_only(tmp_path: Path) -> None:
    api = ReactionsGitHub(page_cap=2)  # forces pagination of comments and reactions
    db = tmp_path / "m.db"
    with serve(api) as base:
        api.add(11, MARKED, ["+1", "+1", "-1", "laugh", "+1"])
        api.add(12, "LGTM", ["+1"])
        api.add(13, MARKED, [])
        env = {
            "GITHUB_API_URL": base,
            "GITHUB_REPOSITORY": "acme/orders",
            "GITHUB_TOKEN": api.token,
            "GITHUB_ACTIONS": "true",
        }
        result = RUNNER.invoke(app, ["metrics", "ingest", "--reactions", "--db", str(db)], env=env)
        again = RUNNER.invoke(app, ["metrics", "ingest", "--reactions", "--db", str(db)], env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "recorded reactions on 2 Paved Road comment(s)\n"
    assert again.exit_code == 0
    assert stored(db) == [("acme/orders", "11", 7, 3, 1), ("acme/orders", "13", 7, 0, 0)]
    assert api.count("GET", r"/issues/comments/12/reactions") == 0
    assert api.token not in result.stdout + result.stderr


def test_gitlab_award_emoji_on_merge_request_notes(tmp_path: Path) -> None:
    api = ReactionsGitLab()
    db = tmp_path / "m.db"
    with serve(api) as base:
        api.mr_notes[5001] = {"id": 5001, "noteable_iid": 3, "body": MARKED, "system": False}
        api.mr_notes[5002] = {"id": 5002, "noteable_iid": 3, "body": "thanks", "system": False}
        api.awards[5001] = ["thumbsup", "thumbsdown", "thumbsdown", "tada"]
        env = {
            "CI_API_V4_URL": base,
            "CI_PROJECT_ID": "42",
            "CI_PROJECT_PATH": "acme/billing",
            "GITLAB_TOKEN": api.token,
            "GITLAB_CI": "true",
        }
        result = RUNNER.invoke(app, ["metrics", "ingest", "--reactions", "--db", str(db)], env=env)
    assert result.exit_code == 0, result.stderr
    assert stored(db) == [("acme/billing", "5001", 3, 1, 2)]
    assert api.token not in result.stdout + result.stderr


def test_api_failure_is_exit_3_without_the_token(tmp_path: Path) -> None:
    api = ReactionsGitHub()
    with serve(api) as base:
        api.fail(404, path="/issues/comments")  # not retried: fails at once
        env = {
            "GITHUB_API_URL": base,
            "GITHUB_REPOSITORY": "acme/orders",
            "GITHUB_TOKEN": api.token,
            "GITHUB_ACTIONS": "true",
        }
        result = RUNNER.invoke(
            app, ["metrics", "ingest", "--reactions", "--db", str(tmp_path / "m.db")], env=env
        )
    assert result.exit_code == 3
    assert "HTTP 404" in result.stderr
    assert api.token not in result.stdout + result.stderr


@pytest.mark.parametrize("platform", ["jira"])
def test_jira_has_no_comments_to_read(tmp_path: Path, platform: str) -> None:
    env = {"JIRA_URL": "http://127.0.0.1:9", "JIRA_PROJECT": "SEC", "JIRA_TOKEN": "t"}
    result = RUNNER.invoke(
        app,
        ["metrics", "ingest", "--reactions", "--platform", platform, "--db", str(tmp_path / "m")],
        env=env,
    )
    assert result.exit_code == 2
    assert "Jira has no PR comments" in result.stderr
