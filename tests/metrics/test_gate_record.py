"""Every gate result is a record: when, where, how long, in which CI run, with which tools."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pavedroad.cli import app
from pavedroad.gate import record
from pavedroad.gate.result import GateResult, Pipeline, RunRecord
from pavedroad.reports import json as gate_json

GITHUB_PR = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_RUN_ID": "9001",
    "GITHUB_EVENT_NAME": "pull_request",
    "GITHUB_REF": "refs/pull/42/merge",
    "GITHUB_HEAD_REF": "feature/login",
    "GITHUB_REF_NAME": "42/merge",
    "GITHUB_REPOSITORY": "acme/orders",
    "GITHUB_SHA": "a" * 40,
}
GITLAB_MR = {
    "GITLAB_CI": "true",
    "CI_PIPELINE_ID": "777",
    "CI_PIPELINE_SOURCE": "merge_request_event",
    "CI_MERGE_REQUEST_IID": "5",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "fix/tls",
    "CI_COMMIT_REF_NAME": "fix/tls",
    "CI_PROJECT_PATH": "acme/billing",
    "CI_COMMIT_SHA": "b" * 40,
}
START = dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "orders"
    root.mkdir()
    git(root, "init", "-q", "-b", "trunk")
    git(root, "remote", "add", "origin", "git@github.com:acme/orders.git")
    (root / "README.md").write_text("hello\n", encoding="utf-8")
    git(root, "add", ".")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "init")
    return root


def test_pipeline_from_github_and_gitlab_variables_and_none_locally() -> None:
    assert record.pipeline(GITHUB_PR) == Pipeline("github", "9001", "pull_request", 42)
    assert record.pipeline(GITLAB_MR) == Pipeline("gitlab", "777", "merge_request_event", 5)
    push = {**GITHUB_PR, "GITHUB_REF": "refs/heads/main", "GITHUB_EVENT_NAME": "push"}
    assert record.pipeline(push) == Pipeline("github", "9001", "push", None)
    assert record.pipeline({}) is None


def test_record_from_git_locally_and_from_the_ci_variables(repo: Path) -> None:
    local = record.build(
        repo,
        started=START,
        duration_s=1.23456,
        scanners=["hadolint"],
        durations={"hadolint": 0.5},
        full=True,
        env={},
    )
    assert local.started_at == "2026-01-15T09:30:00Z"
    assert (local.repository, local.ref) == ("acme/orders", "trunk")
    assert local.commit == git(repo, "rev-parse", "HEAD")
    assert (local.duration_s, local.durations, local.scope) == (1.235, (("hadolint", 0.5),), "full")
    assert dict(local.tool_versions)["pavedroad"]
    assert local.pipeline is None
    ci = record.build(
        repo, started=START, duration_s=1, scanners=[], durations={}, full=False, env=GITLAB_MR
    )
    assert (ci.repository, ci.commit, ci.ref) == ("acme/billing", "b" * 40, "fix/tls")
    assert ci.scope == "changed"


def test_outside_git_the_repository_is_the_folder_name(tmp_path: Path) -> None:
    plain = tmp_path / "plain-folder"
    plain.mkdir()
    found = record.build(
        plain, started=START, duration_s=0, scanners=[], durations={}, full=True, env={}
    )
    assert (found.repository, found.commit, found.ref) == ("plain-folder", None, None)


def test_json_report_writes_the_record_and_reads_it_back() -> None:
    run = RunRecord(
        started_at="2026-01-15T09:30:00Z",
        duration_s=12.5,
        repository="acme/orders",
        commit="c" * 40,
        ref="main",
        pipeline=Pipeline("github", "1", "push", None),
        tool_versions=(("checkov", "3.2.0"), ("pavedroad", "0.1.0")),
        durations=(("checkov", 9.0), ("hadolint", 0.5)),
        scope="full",
    )
    result = GateResult("nightly", "/r", (), 3, ("checkov", "hadolint"), record=run)
    text = gate_json.JsonReporter().render(result)
    doc = json.loads(text)
    assert doc["pipeline"] == {
        "provider": "github",
        "run_id": "1",
        "event": "push",
        "pull_request": None,
    }
    assert doc["durations"] == {"checkov": 9.0, "hadolint": 0.5}
    assert gate_json.read(text, "gate.json").record == run
    bare = GateResult("nightly", "/r", (), 3, ("checkov",))
    assert "started_at" not in gate_json.document(bare)  # no run, no record
    assert gate_json.read(gate_json.JsonReporter().render(bare), "g").record is None


def test_paved_gate_json_carries_the_record_with_a_fixed_clock(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "gate.json"
    env = {"PAVED_NOW": "2026-01-15T09:30:00Z", "GITHUB_ACTIONS": "", "GITLAB_CI": ""}
    args = ["gate", str(repo), "--stage", "nightly", "--no-cache", "-f", "json", "-o", str(out)]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code in (0, 1), result.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["started_at"] == "2026-01-15T09:30:00Z"
    assert (doc["repository"], doc["ref"], doc["scope"]) == ("acme/orders", "trunk", "full")
    assert doc["commit"] == git(repo, "rev-parse", "HEAD")
    assert set(doc["durations"]) == set(doc["scanners"])
    assert all(seconds >= 0 for seconds in doc["durations"].values())
    assert doc["duration_s"] >= max(doc["durations"].values())
    assert {"pavedroad", *doc["scanners"]} == set(doc["tool_versions"])
    assert doc["pipeline"] is None
