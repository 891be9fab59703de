"""`paved comment` against fake GitHub and GitLab APIs: one comment, kept current."""

from __future__ import annotations

import json
from pathlib import Path

from tests.deliver.builders import result, write
from tests.deliver.conftest import Invoke
from tests.deliver.fakes import GitHubApi, GitLabApi, serve

from pavedroad.deliver.comment import Options, render, seen

FIRST = [("CKV_AWS_20", "infra/main.tf", "block", "high"), ("DL3007", "Dockerfile", "warn", "low")]
SECOND = [
    ("CKV_AWS_20", "infra/main.tf", "block", "high"),
    ("CKV_K8S_8", "k8s.yaml", "ticket", "medium"),
]


def _github_env(url: str, api: GitHubApi) -> dict[str, str]:
    return {"GITHUB_API_URL": url, "GITHUB_REPOSITORY": "acme/shop", "GITHUB_TOKEN": api.token}


def test_two_runs_give_one_comment_updated_in_place(tmp_path: Path, invoke: Invoke) -> None:
    api = GitHubApi()
    gate = write(tmp_path / "gate.json", FIRST, stage="pr")
    with serve(api) as url:
        env = _github_env(url, api)
        first = invoke("comment", "--from", str(gate), "--pr", "7", env=env)
        second = invoke("comment", "--from", str(gate), "--pr", "7", env=env)
    assert (first.exit_code, second.exit_code) == (0, 0), first.output + second.output
    assert "created the comment on #7" in first.stdout
    assert "updated the comment on #7 (0 new, 0 fixed)" in second.stdout
    assert api.count("POST", r"/issues/7/comments$") == 1
    assert api.count("PATCH", r"/issues/comments/\d+$") == 1
    [body] = api.issue_comments(7)
    assert body.startswith("<!-- pavedroad:comment stage=pr seen=")
    assert "Nothing new, nothing fixed." in body
    assert "paved exceptions request" in body and "--from gate.json" in body
    assert "👍" in body


def test_new_and_fixed_since_the_last_push(tmp_path: Path, invoke: Invoke) -> None:
    api = GitHubApi()
    with serve(api) as url:
        env = _github_env(url, api)
        invoke(
            "comment",
            "--from",
            str(write(tmp_path / "gate.json", FIRST, stage="pr")),
            "--pr",
            "3",
            env=env,
        )
        later = write(tmp_path / "gate.json", SECOND, stage="pr")
        done = invoke("comment", "--from", str(later), "--pr", "3", env=env)
    assert "(1 new, 1 fixed)" in done.stdout
    [body] = api.issue_comments(3)
    since = body.split("#### Since the last push", 1)[1]
    new_ref = result(SECOND).findings[1].finding.short_ref
    fixed_ref = result(FIRST).findings[1].finding.short_ref
    assert (
        "**New (1)**" in since and f"paved exceptions request {new_ref} --from gate.json" in since
    )
    assert "Fix CKV\\_K8S\\_8 like this." in since
    assert f"**Fixed (1)**: `{fixed_ref}`" in since


def test_a_new_block_offers_the_exception_in_githubs_editor(tmp_path: Path, invoke: Invoke) -> None:
    api = GitHubApi()
    with serve(api) as url:
        env = {**_github_env(url, api), "GITHUB_SERVER_URL": "https://github.example"}
        invoke(
            "comment",
            "--from",
            str(write(tmp_path / "g.json", FIRST, stage="pr")),
            "--pr",
            "4",
            env=env,
        )
        later = write(
            tmp_path / "g.json",
            [*SECOND, ("CKV_K8S_16", "k8s.yaml", "block", "critical")],
            stage="pr",
            ref="feature/x",
        )
        done = invoke("comment", "--from", str(later), "--pr", "4", env=env)
    assert done.exit_code == 0, done.output
    [body] = api.issue_comments(4)
    since = body.split("#### Since the last push", 1)[1]
    link = "(https://github.example/acme/shop/edit/feature/x/.pavedroad/exceptions.yaml)"
    assert since.count(f"[propose it in the editor]{link}") == 1  # the new block, not the ticket
    assert "rule: CKV_K8S_16" in since and "```yaml" in since
    assert api.token not in body


def test_the_comment_is_found_on_a_later_page(tmp_path: Path, invoke: Invoke) -> None:
    api = GitHubApi(page_cap=2)
    for n in range(5):  # people talked before the bot's first comment: it lands on page 3
        api.comments[100 + n] = {"id": 100 + n, "issue_number": 9, "body": f"lgtm {n}"}
    gate = write(tmp_path / "gate.json", FIRST, stage="pr")
    with serve(api) as url:
        env = _github_env(url, api)
        invoke("comment", "--from", str(gate), "--pr", "9", env=env)
        done = invoke("comment", "--from", str(gate), "--pr", "9", env=env)
    assert done.exit_code == 0, done.output
    assert api.count("POST", r"/comments$") == 1
    assert api.count("PATCH", r"/comments/1001$") == 1
    assert api.count("GET", r"/issues/9/comments$") == 3 + 3  # two runs, three pages each


def test_pr_number_from_the_workflow_run_event(tmp_path: Path, invoke: Invoke) -> None:
    api = GitHubApi()
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"workflow_run": {"pull_requests": [{"number": 21}]}}))
    gate = write(tmp_path / "gate.json", FIRST, stage="pr")
    with serve(api) as url:
        env = {**_github_env(url, api), "GITHUB_EVENT_PATH": str(event)}
        done = invoke("comment", "--from", str(gate), env=env)
    assert done.exit_code == 0, done.output
    assert len(api.issue_comments(21)) == 1


def test_a_fork_token_falls_back_to_annotations_and_the_summary(
    tmp_path: Path, invoke: Invoke
) -> None:
    api = GitHubApi()
    api.fail(403, method="POST", data={"message": "Resource not accessible by integration"})
    summary = tmp_path / "summary.md"
    gate = write(tmp_path / "gate.json", FIRST, stage="pr")
    with serve(api) as url:
        env = {**_github_env(url, api), "GITHUB_STEP_SUMMARY": str(summary)}
        done = invoke("comment", "--from", str(gate), "--pr", "4", env=env)
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("::error file=infra/main.tf,line=3")
    assert "::warning file=Dockerfile" in done.stdout
    assert "cannot comment on #4" in done.stderr and "HTTP 403" in done.stderr
    assert "job summary" in done.stderr
    written = summary.read_text(encoding="utf-8")
    assert "Paved Road: blocked at stage" in written
    assert api.token not in done.output and api.token not in written


def test_no_pr_number_is_a_usage_error(tmp_path: Path, invoke: Invoke) -> None:
    gate = write(tmp_path / "gate.json", FIRST, stage="pr")
    env = {"GITHUB_REPOSITORY": "a/b", "GITHUB_TOKEN": "tok"}
    done = invoke("comment", "--from", str(gate), env=env)
    assert done.exit_code == 2
    assert "no pull request number: pass --pr N" in done.stderr


def test_server_errors_exhaust_the_retries_with_exit_3(tmp_path: Path, invoke: Invoke) -> None:
    api = GitHubApi()
    api.fail(503, times=50)
    gate = write(tmp_path / "gate.json", FIRST, stage="pr")
    with serve(api) as url:
        done = invoke("comment", "--from", str(gate), "--pr", "2", env=_github_env(url, api))
    assert done.exit_code == 3
    assert "GET /repos/acme/shop/issues/2/comments: HTTP 503" in done.stderr
    assert "gave up after 5 attempt(s)" in done.stderr
    assert len(api.requests) == 5
    assert api.token not in done.output


def test_gitlab_merge_request_note_end_to_end(tmp_path: Path, invoke: Invoke) -> None:
    api = GitLabApi()
    gate = write(tmp_path / "gate.json", FIRST, stage="pr")
    with serve(api) as url:
        env = {
            "CI_API_V4_URL": url,
            "CI_PROJECT_ID": "acme/shop",
            "CI_MERGE_REQUEST_IID": "5",
            "PAVED_GITLAB_TOKEN": api.token,
        }
        invoke("comment", "--from", str(gate), env=env)
        done = invoke("comment", "--from", str(gate), env=env)
    assert done.exit_code == 0, done.output
    assert "updated the comment on #5" in done.stdout
    assert api.count("POST", r"/merge_requests/5/notes$") == 1
    assert api.count("PUT", r"/merge_requests/5/notes/\d+$") == 1
    assert api.requests[0].path == "/api/v4/projects/acme%2Fshop/merge_requests/5/notes"
    [note] = api.mr_notes.values()
    assert "Nothing new, nothing fixed." in note["body"]
    assert api.token not in api.bodies() and api.token not in done.output


def test_a_long_report_is_cut_to_the_limit_with_a_link() -> None:
    specs = [(f"CKV_AWS_{n}", f"infra/m{n}.tf", "block", "high") for n in range(400)]
    gate = result(specs, stage="pr")  # type: ignore[arg-type]
    options = Options("gate.json", "https://ci.example/run/1")
    body, truncated = render(gate, None, options, limit=8000)
    assert truncated and len(body) <= 8000
    assert "see [the full report](https://ci.example/run/1)" in body
    assert seen(body) == frozenset(g.finding.short_ref for g in gate.findings)
    whole, cut = render(gate, None, options, limit=1_000_000)
    assert not cut and len(whole) > 8000


def test_a_rate_limit_that_outlasts_the_retries_is_not_a_fork(
    tmp_path: Path, invoke: Invoke
) -> None:
    api = GitHubApi()
    api.fail(403, headers={"x-ratelimit-remaining": "0", "Retry-After": "0"}, times=50)
    summary = tmp_path / "summary.md"
    gate = write(tmp_path / "gate.json", FIRST, stage="pr")
    with serve(api) as url:
        env = {**_github_env(url, api), "GITHUB_STEP_SUMMARY": str(summary)}
        done = invoke("comment", "--from", str(gate), "--pr", "4", env=env)
    assert done.exit_code == 3
    assert "HTTP 403" in done.stderr and "gave up after 5 attempt(s)" in done.stderr
    assert not summary.exists() and "::error" not in done.stdout


def test_a_copied_marker_in_someone_elses_comment_cannot_silence_the_bot(
    tmp_path: Path, invoke: Invoke
) -> None:
    api = GitHubApi()
    gate = write(tmp_path / "gate.json", FIRST, stage="pr")
    with serve(api) as url:
        env = _github_env(url, api)
        invoke("comment", "--from", str(gate), "--pr", "8", env=env)
        [ours] = api.comments.values()
        api.comments[77] = {"id": 77, "issue_number": 8, "body": ours["body"]}  # a copy
        api.fail(403, method="PATCH", path=r"/comments/77$", times=5)  # not ours to edit
        second = invoke("comment", "--from", str(gate), "--pr", "8", env=env)
        third = invoke("comment", "--from", str(gate), "--pr", "8", env=env)
    assert "created the comment on #8 (0 new, 0 fixed)" in second.stdout, second.output
    assert "the comment on #8 is already current" in third.stdout  # ours, found again
    assert api.count("POST", r"/issues/8/comments$") == 2


def test_an_odd_artifact_name_never_reaches_the_markdown(tmp_path: Path, invoke: Invoke) -> None:
    api = GitHubApi()
    gate = write(tmp_path / "gate`@x $(id).json", FIRST, stage="pr")
    with serve(api) as url:
        done = invoke("comment", "--from", str(gate), "--pr", "6", env=_github_env(url, api))
    assert done.exit_code == 0, done.output
    [body] = api.issue_comments(6)
    assert "--from gate.json`" in body and "$(id)" not in body
