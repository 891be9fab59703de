"""`paved exceptions review --post-issue`: one issue per month, kept current."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from tests.deliver.conftest import Invoke
from tests.deliver.fakes import GitHubApi, GitLabApi, serve

from pavedroad.deliver.review_issue import post_review


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def test_one_issue_per_month_created_once_then_updated(tmp_path: Path, invoke: Invoke) -> None:
    api = GitHubApi()
    repo = _repo(tmp_path)
    args = ("exceptions", "review", str(repo), "--format", "markdown", "--post-issue")
    with serve(api) as url:
        env = {"GITHUB_API_URL": url, "GITHUB_REPOSITORY": "acme/platform"}
        env["GITHUB_TOKEN"] = api.token
        first = invoke(*args, env={**env, "PAVED_TODAY": "2026-11-02"})
        same = invoke(*args, env={**env, "PAVED_TODAY": "2026-11-02"})
        later = invoke(*args, env={**env, "PAVED_TODAY": "2026-11-30"})
        december = invoke(*args, env={**env, "PAVED_TODAY": "2026-12-01"})
    assert first.exit_code == 0, first.output
    assert "created issue #1 'Exception review 2026-11'" in first.stdout
    assert "issue #1 'Exception review 2026-11' is already current" in same.stdout
    assert "updated issue #1 'Exception review 2026-11'" in later.stdout
    assert "created issue #2 'Exception review 2026-12'" in december.stdout
    assert api.issues[1]["body"].startswith("## Exception review, 2026-11-30")
    assert [x["name"] for x in api.issues[1]["labels"]] == ["pavedroad-review"]
    assert api.count("POST", r"/issues$") == 2 and api.count("PATCH", r"/issues/1$") == 1
    listed = [r for r in api.requests if r.method == "GET"]
    assert all(r.query["labels"] == "pavedroad-review" for r in listed)
    assert api.token not in api.bodies()


def test_post_issue_needs_markdown(tmp_path: Path, invoke: Invoke) -> None:
    done = invoke(
        "exceptions", "review", str(_repo(tmp_path)), "--post-issue",
        env={"GITHUB_REPOSITORY": "a/b", "GITHUB_TOKEN": "t"},
    )  # fmt: skip
    assert done.exit_code == 2
    assert "--post-issue: posts Markdown; pass --format markdown" in done.stderr


def test_gitlab_review_issue_and_a_long_review_is_cut() -> None:
    api = GitLabApi()
    body = "## Exception review\n" + "| row |\n" * 200_000
    with serve(api) as url:
        env = {"CI_API_V4_URL": url, "CI_PROJECT_ID": "7", "CI_JOB_TOKEN": api.token}
        said = post_review(body, "markdown", day=dt.date(2027, 1, 5), env=env)
    assert said == "created issue #1 'Exception review 2027-01'"
    issue = api.issues[1]
    assert issue["labels"] == ["pavedroad-review"]
    assert len(issue["description"]) < 1_000_000
    assert issue["description"].endswith("for all of it._")
    assert api.requests[0].headers["job-token"] == api.token
