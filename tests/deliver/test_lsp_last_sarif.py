"""Every local `paved gate` writes .pavedroad/last.sarif for SARIF viewers, and never gates it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from tests.helpers import write_tree
from typer.testing import CliRunner

from pavedroad.cli import app

pytestmark = pytest.mark.slow

DOCKERFILE = "FROM ubuntu:latest\nUSER root\n"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Dev",
    "GIT_AUTHOR_EMAIL": "dev@example.invalid",
    "GIT_COMMITTER_NAME": "Dev",
    "GIT_COMMITTER_EMAIL": "dev@example.invalid",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV})  # fmt: skip
    return done.stdout


def gate(tmp_path: Path, repo: Path, *args: str) -> tuple[int, str]:
    env = {"COLUMNS": "100", "NO_COLOR": "1", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = CliRunner().invoke(app, ["gate", str(repo), *args], env=env)
    return result.exit_code, result.stdout + result.stderr


def sarif_rules(path: Path) -> set[str]:
    log = json.loads(path.read_text())
    assert log["version"] == "2.1.0"
    return {r["ruleId"] for run in log["runs"] for r in run["results"]}


def test_a_gate_in_git_writes_last_sarif_and_keeps_the_tree_clean(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"Dockerfile": DOCKERFILE})
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    code, out = gate(tmp_path, repo, "--stage", "release")
    assert code == 1, out
    last = repo / ".pavedroad/last.sarif"
    assert {"DL3007", "CKV_DOCKER_8"} <= sarif_rules(last)
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert "/.pavedroad/last.sarif" in (repo / ".git/info/exclude").read_text()

    (repo / "Dockerfile").write_text(DOCKERFILE.replace("latest", "24.04"))
    code, out = gate(tmp_path, repo, "--stage", "release", "--format", "json")
    findings = json.loads(out[: out.rindex("}") + 1])["findings"]
    assert not [f for f in findings if f["path"].startswith(".pavedroad")]
    assert "not gated" not in out
    assert "DL3007" not in sarif_rules(last), "the file follows the last run"
    excludes = (repo / ".git/info/exclude").read_text()
    assert excludes.count("last.sarif") == 1, "added once"


def test_outside_git_the_gate_never_scans_its_own_report(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "plain", {"Dockerfile": DOCKERFILE})
    gate(tmp_path, repo, "--stage", "release")
    assert (repo / ".pavedroad/last.sarif").is_file()
    code, out = gate(tmp_path, repo, "--stage", "release", "--format", "json")
    document = json.loads(out[: out.rindex("}") + 1])
    assert document["files_scanned"] == 1
    assert {f["path"] for f in document["findings"]} == {"Dockerfile"}


def test_a_pavedroad_link_out_of_the_repository_is_never_written_through(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = write_tree(tmp_path / "repo", {"Dockerfile": DOCKERFILE})
    (repo / ".pavedroad").symlink_to(outside)
    code, out = gate(tmp_path, repo, "--stage", "release")
    assert not (outside / "last.sarif").exists()
