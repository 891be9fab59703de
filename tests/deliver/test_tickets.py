"""`paved tickets sync` against fake GitHub, GitLab and Jira APIs."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.deliver.builders import result, write
from tests.deliver.conftest import Invoke
from tests.deliver.fakes import GitHubApi, GitLabApi, JiraApi, serve

from pavedroad.deliver import codeowners, tickets

BUCKET = ("CKV_AWS_20", "infra/main.tf", "ticket", "high")
PODS = ("CKV_K8S_8", "deploy/app.yaml", "ticket", "medium")
NOISE = ("DL3007", "Dockerfile", "warn", "low")


def _github_env(url: str, api: GitHubApi) -> dict[str, str]:
    return {"GITHUB_API_URL": url, "GITHUB_REPOSITORY": "acme/shop", "GITHUB_TOKEN": api.token}


def _sync(invoke: Invoke, gate: Path, env: dict[str, str], *extra: str) -> tuple[int, str]:
    done = invoke("tickets", "sync", "--from", str(gate), *extra, env=env)
    return done.exit_code, done.output


def test_dry_run_prints_the_plan_and_changes_nothing(tmp_path: Path, invoke: Invoke) -> None:
    api = GitHubApi()
    gate = write(tmp_path / "gate.json", [BUCKET, PODS, NOISE])
    with serve(api) as url:
        code, out = _sync(invoke, gate, _github_env(url, api))
    assert code == 0, out
    assert "Plan for github acme/shop (dry run; pass --apply" in out
    assert "  create  [pavedroad] high: CKV_AWS_20 CKV_AWS_20 title in infra/main.tf" in out
    assert "2 to create, 0 to update, 0 to close, 0 to reopen, 0 unchanged" in out
    assert {r.method for r in api.requests} == {"GET"}
    assert api.requests[0].query == {"labels": "pavedroad", "state": "all", "per_page": "100"}


def test_fixed_closes_only_after_a_full_scope_run_and_a_regression_reopens(
    tmp_path: Path, invoke: Invoke
) -> None:
    api = GitHubApi()
    gate = tmp_path / "gate.json"
    with serve(api) as url:
        env = _github_env(url, api)
        assert _sync(invoke, write(gate, [BUCKET, PODS]), env, "--apply")[0] == 0
        assert [i["state"] for i in api.issues.values()] == ["open", "open"]
        # the bucket is fixed, but an incremental run cannot know: nothing is closed
        code, out = _sync(invoke, write(gate, [PODS], scope="changed"), env, "--apply")
        assert code == 0, out
        assert "1 open issue(s) of findings not seen by this incremental run left open" in out
        assert [i["state"] for i in api.issues.values()] == ["open", "open"]
        # a full-scope run closes it, with a comment
        code, out = _sync(invoke, write(gate, [PODS]), env, "--apply")
        assert "closed #1 [pavedroad] high: CKV_AWS_20" in out
        assert api.issues[1]["state"] == "closed"
        assert "no longer finds this" in api.issue_comments(1)[0]
        # the bucket comes back: the same issue reopens, no new one
        code, out = _sync(invoke, write(gate, [BUCKET, PODS], scope="changed"), env, "--apply")
        assert "reopened #1" in out, out
    assert api.issues[1]["state"] == "open" and len(api.issues) == 2
    assert "a regression" in api.issue_comments(1)[1]
    assert api.count("POST", r"/issues$") == 2
    assert api.token not in api.bodies() and api.token not in out


def test_a_changed_finding_updates_its_issue_once(tmp_path: Path, invoke: Invoke) -> None:
    api = GitHubApi()
    gate = tmp_path / "gate.json"
    with serve(api) as url:
        env = _github_env(url, api)
        _sync(invoke, write(gate, [BUCKET]), env, "--apply")
        _, again = _sync(invoke, write(gate, [BUCKET]), env, "--apply")
        _, worse = _sync(invoke, write(gate, [(*BUCKET[:3], "critical")]), env, "--apply")
    assert "0 created, 0 updated, 0 closed, 0 reopened, 1 unchanged" in again
    assert "updated #1 [pavedroad] critical: CKV_AWS_20" in worse
    assert api.count("PATCH", r"/issues/1$") == 1


def test_issue_body_carries_owner_fix_and_exception_command(tmp_path: Path) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github/CODEOWNERS").write_text("* @acme/platform\n/infra/ @acme/payments\n")
    context = tickets.Context("nightly", codeowners.load(tmp_path), "gate.json")
    gate = result([BUCKET, PODS, NOISE])  # type: ignore[list-item]
    wanted = {w.title: w for w in tickets.wanted_issues(gate, context, "finding")}
    body = wanted["[pavedroad] high: CKV_AWS_20 CKV_AWS_20 title in infra/main.tf"].body
    ref = gate.findings[0].finding
    assert body.startswith(f"<!-- pavedroad:ticket id={ref.fingerprint} -->")
    assert "- Owner: @acme/payments" in body
    assert "- Severity: high" in body and "- Fix: Fix CKV\\_AWS\\_20 like this." in body
    assert f"`paved exceptions request {ref.short_ref} --from gate.json`" in body
    other = wanted["[pavedroad] medium: CKV_K8S_8 CKV_K8S_8 title in deploy/app.yaml"].body
    assert "- Owner: @acme/platform" in other


def test_group_by_rule_and_file(tmp_path: Path) -> None:
    context = tickets.Context("nightly", codeowners.Owners(fallback=("@team",)))
    two = [BUCKET, ("CKV_AWS_20", "infra/other.tf", "ticket", "low"), PODS]
    gate = result(two)  # type: ignore[arg-type]
    by_rule = sorted(w.title for w in tickets.wanted_issues(gate, context, "rule"))
    assert by_rule == [
        "[pavedroad] high: CKV_AWS_20 CKV_AWS_20 title (2 finding(s))",
        "[pavedroad] medium: CKV_K8S_8 CKV_K8S_8 title (1 finding(s))",
    ]
    by_file = tickets.wanted_issues(gate, context, "file")
    assert len(by_file) == 3 and all(w.id.startswith("file-") for w in by_file)


def test_an_unknown_group_by_is_a_usage_error(tmp_path: Path, invoke: Invoke) -> None:
    gate = write(tmp_path / "gate.json", [BUCKET])
    env = {"GITHUB_REPOSITORY": "a/b", "GITHUB_TOKEN": "t"}
    code, out = _sync(invoke, gate, env, "--group-by", "team")
    assert code == 2 and "--group-by 'team': use one of finding, rule, file" in out


def test_rate_limit_then_5xx_stops_with_exit_3_saying_what_was_done(
    tmp_path: Path, invoke: Invoke
) -> None:
    api = GitHubApi()
    api.fail(429, method="POST", headers={"Retry-After": "1"})  # retried, then created
    api.fail(500, method="POST", times=20, skip=1)  # the second create never succeeds
    gate = write(tmp_path / "gate.json", [BUCKET, PODS, NOISE])
    with serve(api) as url:
        code, out = _sync(invoke, gate, _github_env(url, api), "--apply")
    assert code == 3
    assert "created #1" in out
    assert "POST /repos/acme/shop/issues: HTTP 500" in out
    assert "stopped after 1 of 2 change(s), listed above; not done: create [pavedroad]" in out
    assert "2 created" not in out and len(api.issues) == 1


def test_gitlab_issues_end_to_end(tmp_path: Path, invoke: Invoke) -> None:
    api = GitLabApi()
    gate = tmp_path / "gate.json"
    with serve(api) as url:
        env = {"CI_API_V4_URL": url, "CI_PROJECT_ID": "42", "GITLAB_TOKEN": api.token}
        _sync(invoke, write(gate, [BUCKET, PODS]), env, "--apply")
        code, out = _sync(invoke, write(gate, [PODS]), env, "--apply")
        assert code == 0, out
        assert api.issues[1]["state"] == "closed" and api.issues[2]["state"] == "opened"
        code, out = _sync(invoke, write(gate, [BUCKET, PODS]), env, "--apply")
    assert "reopened #1" in out and api.issues[1]["state"] == "opened"
    assert api.issues[1]["labels"] == ["pavedroad"]
    assert len(api.issue_notes[1]) == 2
    assert api.token not in api.bodies()


def test_jira_end_to_end(tmp_path: Path, invoke: Invoke) -> None:
    api = JiraApi()
    gate = tmp_path / "gate.json"
    with serve(api) as url:
        env = {"JIRA_URL": url, "JIRA_USER": api.user, "JIRA_TOKEN": api.token}
        env["JIRA_PROJECT"] = "SEC"
        code, out = _sync(invoke, write(gate, [BUCKET, PODS]), env, "--platform", "jira", "--apply")
        assert code == 0, out
        _sync(invoke, write(gate, [PODS]), env, "--platform", "jira", "--apply")
        assert api.issues["SEC-1"]["fields"]["status"]["name"] == "Done"
        code, out = _sync(invoke, write(gate, [BUCKET, PODS]), env, "--platform", "jira", "--apply")
    assert "reopened SEC-1" in out
    assert api.issues["SEC-1"]["fields"]["status"]["statusCategory"]["key"] == "new"
    assert api.issues["SEC-1"]["fields"]["labels"] == ["pavedroad"]
    assert len(api.comments["SEC-1"]) == 2
    assert api.token not in api.bodies() and api.token not in out


@pytest.mark.parametrize("scope", [None, "changed"])
def test_unknown_or_changed_scope_never_closes(scope: str | None) -> None:
    context = tickets.Context("pr", codeowners.Owners())
    old = tickets.wanted_issues(result([BUCKET]), context, "finding")[0]  # type: ignore[list-item]
    existing = [tickets.Ticket("1", old.title, old.body, True)]
    empty = result([], scope=scope)
    plan = tickets.plan(empty, existing, context, full_scope=False)
    assert plan.steps == () and plan.left_open == 1
