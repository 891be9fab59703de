"""`paved protect`: the GitHub ruleset and GitLab settings that require the gate.

--apply runs against fake GitHub and GitLab REST APIs on 127.0.0.1 (tests/deliver/fakes.py)
that implement the documented endpoints: repository rulesets (list, create, update), protected
branches (get, protect, update) and project settings (edit).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from tests.deliver.conftest import Invoke
from tests.deliver.fakes import GitHubApi, GitLabApi, Reply, Request, Route, serve

from pavedroad.deliver import protect
from pavedroad.findings import Severity
from pavedroad.scanners import SCANNERS

GITHUB_TOKEN = "ghs_protecttoken0123456789"
GITLAB_TOKEN = "glpat-protecttoken0123456789"
_REPO = r"/repos/([^/]+/[^/]+)"
_PROJECT = r"/projects/([^/]+)"


class RulesetsApi(GitHubApi):
    """GitHub's repository rulesets endpoints."""

    def __init__(self) -> None:
        super().__init__(token=GITHUB_TOKEN, page_cap=1)
        self.rulesets: dict[int, dict[str, Any]] = {}
        self._ruleset_ids = itertools.count(42)

    def routes(self) -> list[Route]:
        return [
            ("GET", _REPO + r"/rulesets", self.list_rulesets),
            ("POST", _REPO + r"/rulesets", self.create_ruleset),
            ("PUT", _REPO + r"/rulesets/(\d+)", self.update_ruleset),
        ]

    def list_rulesets(self, request: Request, repo: str) -> Reply:
        return self.page(request, list(self.rulesets.values()))

    def create_ruleset(self, request: Request, repo: str) -> Reply:
        body = request.json()
        ruleset_id = next(self._ruleset_ids)
        self.rulesets[ruleset_id] = {**body, "id": ruleset_id}
        return Reply(201, self.rulesets[ruleset_id])

    def update_ruleset(self, request: Request, repo: str, ruleset_id: str) -> Reply:
        if int(ruleset_id) not in self.rulesets:
            return Reply(404, {"message": "Not Found"})
        self.rulesets[int(ruleset_id)] = {**request.json(), "id": int(ruleset_id)}
        return Reply(200, self.rulesets[int(ruleset_id)])


class ProtectionApi(GitLabApi):
    """GitLab's protected branches and project settings endpoints."""

    def __init__(self, default_branch: str = "trunk") -> None:
        super().__init__(token=GITLAB_TOKEN)
        self.project: dict[str, Any] = {"id": 7, "default_branch": default_branch}
        self.protected: dict[str, dict[str, Any]] = {}

    def routes(self) -> list[Route]:
        return [
            ("GET", _PROJECT, self.get_project),
            ("PUT", _PROJECT, self.edit_project),
            ("GET", _PROJECT + r"/protected_branches/([^/]+)", self.get_branch),
            ("POST", _PROJECT + r"/protected_branches", self.protect_branch),
            ("PATCH", _PROJECT + r"/protected_branches/([^/]+)", self.update_branch),
        ]

    def get_project(self, request: Request, project: str) -> Reply:
        return Reply(200, self.project)

    def edit_project(self, request: Request, project: str) -> Reply:
        self.project.update(request.json())
        return Reply(200, self.project)

    def get_branch(self, request: Request, project: str, name: str) -> Reply:
        if name not in self.protected:
            return Reply(404, {"message": "404 Not found"})
        return Reply(200, self.protected[name])

    def protect_branch(self, request: Request, project: str) -> Reply:
        body = request.json()
        if body["name"] in self.protected:
            return Reply(409, {"message": "Protected branch already exists"})
        self.protected[body["name"]] = body
        return Reply(201, body)

    def update_branch(self, request: Request, project: str, name: str) -> Reply:
        self.protected[name].update(request.json())
        return Reply(200, self.protected[name])


def write_policy(root: Path, pr_block: str = "high") -> Path:
    (root / ".pavedroad").mkdir()
    (root / ".pavedroad" / "policy.yaml").write_text(
        "version: 1\nstages:\n"
        f"  pr: {{scope: changed, block: {pr_block}, ticket: medium}}\n"
        "  release: {scope: full, block: critical}\n",
        encoding="utf-8",
    )
    return root


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        (None, "none"),
        (Severity.CRITICAL, "critical"),
        (Severity.HIGH, "high_or_higher"),
        (Severity.MEDIUM, "medium_or_higher"),
        (Severity.LOW, "all"),
        (Severity.INFO, "all"),
    ],
)
def test_every_block_threshold_maps_to_a_github_security_threshold(
    severity: Severity | None, expected: str
) -> None:
    assert protect.security_threshold(severity) == expected


def test_the_ruleset_requires_the_gate_check_and_every_scanner_at_the_threshold() -> None:
    ruleset = protect.github_ruleset(Severity.MEDIUM)
    assert ruleset["target"] == "branch" and ruleset["enforcement"] == "active"
    assert ruleset["conditions"]["ref_name"]["include"] == ["~DEFAULT_BRANCH"]
    checks, scanning = ruleset["rules"]
    assert checks["type"] == "required_status_checks"
    assert checks["parameters"]["required_status_checks"] == [{"context": "paved gate"}]
    assert scanning["type"] == "code_scanning"
    tools = scanning["parameters"]["code_scanning_tools"]
    assert [t["tool"] for t in tools] == list(SCANNERS)  # the SARIF runs' driver names
    assert {t["security_alerts_threshold"] for t in tools} == {"medium_or_higher"}
    assert {t["alerts_threshold"] for t in tools} == {"errors"}
    named = protect.github_ruleset(None, "release/2.x")
    assert named["conditions"]["ref_name"]["include"] == ["refs/heads/release/2.x"]


def test_the_gate_check_name_is_the_templates_gate_job() -> None:
    workflow = Path(__file__).resolve().parents[2] / (
        "templates/github-pipeline/template/.github/workflows/paved-gate.yml.jinja"
    )
    assert f"    name: {protect.GATE_CHECK}\n" in workflow.read_text(encoding="utf-8")


def test_print_shows_the_github_ruleset_at_the_policy_threshold(
    invoke: Invoke, tmp_path: Path
) -> None:
    root = write_policy(tmp_path, pr_block="critical")
    result = invoke("protect", str(root), "--print", "--platform", "github")
    assert result.exit_code == 0, result.output
    (request,) = json.loads(result.stdout)
    assert request["method"] == "POST" and request["path"] == "/repos/OWNER/NAME/rulesets"
    tools = request["body"]["rules"][1]["parameters"]["code_scanning_tools"]
    assert {t["security_alerts_threshold"] for t in tools} == {"critical"}
    release = invoke("protect", str(root), "--print", "--stage", "release", "--platform", "github")
    assert release.exit_code == 0


def test_print_shows_the_gitlab_settings(invoke: Invoke, tmp_path: Path) -> None:
    root = write_policy(tmp_path)
    result = invoke("protect", str(root), "--print", "--platform", "gitlab", "--branch", "trunk")
    assert result.exit_code == 0, result.output
    branch, project = json.loads(result.stdout)
    assert branch["path"] == "/projects/ID/protected_branches"
    assert branch["body"] == {
        "name": "trunk",
        "push_access_level": 0,
        "merge_access_level": 40,
        "allow_force_push": False,
    }
    assert project["method"] == "PUT" and project["path"] == "/projects/ID"
    assert project["body"]["only_allow_merge_if_pipeline_succeeds"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "choose one of --print or --apply"),
        (("--print", "--apply"), "choose one of --print or --apply"),
        (("--print", "--platform", "jira"), "Jira has no branches"),
        (("--print", "--platform", "bitbucket"), "unknown platform"),
        (("--print", "--stage", "nightly"), "unknown stage 'nightly'"),
    ],
)
def test_usage_errors_exit_2_with_a_fix(
    invoke: Invoke, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = invoke("protect", str(write_policy(tmp_path)), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_apply_creates_the_ruleset_once_then_updates_it(invoke: Invoke, tmp_path: Path) -> None:
    root = write_policy(tmp_path)
    api = RulesetsApi()
    with serve(api) as base:
        env = {"GITHUB_API_URL": base, "GITHUB_REPOSITORY": "acme/shop", "GITHUB_TOKEN": api.token}
        first = invoke("protect", str(root), "--apply", "--platform", "github", env=env)
        api.rulesets[99] = {"id": 99, "name": "someone else's"}  # forces a second page
        second = invoke("protect", str(root), "--apply", "--platform", "github", env=env)
    assert first.exit_code == 0, first.output
    assert "created ruleset 'Paved Road gate' (id 42)" in first.stdout
    assert second.exit_code == 0, second.output
    assert "updated ruleset 'Paved Road gate' (id 42)" in second.stdout
    assert api.count("POST", r"/rulesets$") == 1 and api.count("PUT", r"/rulesets/42$") == 1
    assert sorted(r["name"] for r in api.rulesets.values()) == [
        "Paved Road gate",
        "someone else's",
    ]
    assert api.token not in api.bodies() and api.token not in first.output + second.output


def test_apply_on_gitlab_protects_the_default_branch_and_requires_a_green_pipeline(
    invoke: Invoke, tmp_path: Path
) -> None:
    root = write_policy(tmp_path)
    api = ProtectionApi(default_branch="trunk")
    with serve(api) as base:
        env = {"CI_API_V4_URL": base, "CI_PROJECT_ID": "7", "PAVED_GITLAB_TOKEN": api.token}
        first = invoke("protect", str(root), "--apply", "--platform", "gitlab", env=env)
        api.protected["trunk"]["allow_force_push"] = True  # someone loosened it since
        second = invoke("protect", str(root), "--apply", "--platform", "gitlab", env=env)
    assert first.exit_code == 0, first.output
    assert "protected branch 'trunk'" in first.stdout
    assert api.protected["trunk"]["push_access_level"] == 0
    assert api.project["only_allow_merge_if_pipeline_succeeds"] is True
    assert api.project["allow_merge_on_skipped_pipeline"] is False
    assert second.exit_code == 0, second.output
    assert api.protected["trunk"]["allow_force_push"] is False
    assert api.count("POST", r"/protected_branches$") == 1
    assert api.token not in api.bodies() and api.token not in first.output + second.output


def test_apply_fails_with_exit_3_after_bounded_retries_and_no_token(
    invoke: Invoke, tmp_path: Path
) -> None:
    root = write_policy(tmp_path)
    api = RulesetsApi()
    api.fail(502, method="POST", path=r"/rulesets$", times=10)
    with serve(api) as base:
        env = {"GITHUB_API_URL": base, "GITHUB_REPOSITORY": "acme/shop", "GITHUB_TOKEN": api.token}
        result = invoke("protect", str(root), "--apply", "--platform", "github", env=env)
    assert result.exit_code == 3
    assert "POST /repos/acme/shop/rulesets" in result.stderr and "502" in result.stderr
    assert api.count("POST", r"/rulesets$") == 5  # the first try and 4 retries
    assert not api.rulesets
    assert api.token not in result.output


def test_apply_without_a_token_is_a_usage_error(invoke: Invoke, tmp_path: Path) -> None:
    root = write_policy(tmp_path)
    env = {"GITHUB_REPOSITORY": "acme/shop"}
    result = invoke("protect", str(root), "--apply", "--platform", "github", env=env)
    assert result.exit_code == 2
    assert "GITHUB_TOKEN" in result.stderr
