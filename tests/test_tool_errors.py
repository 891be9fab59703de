"""One error path: proc raises a neutral ToolError; each caller says what it means there."""

from __future__ import annotations

import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.scanners.helpers import DOCKERFILE, write_tree

from pavedroad import proc
from pavedroad.catalog import store, workflow_audit
from pavedroad.errors import ScannerError, ToolError, UserError
from pavedroad.project import doctor
from pavedroad.scan import changes
from pavedroad.scan.workspace import collect
from pavedroad.scanners.checkov import CheckovScanner
from pavedroad.scanners.hadolint import HadolintScanner
from pavedroad.scanners.interface import Scanner


def _not_executable(folder: Path, name: str) -> str:
    """Return a file that exists but cannot be started (a broken install)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    return str(path)


def _git_repo(path: Path) -> Path:
    path.mkdir()
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


def test_a_missing_program_is_a_tool_error_not_a_scanner_failure(tmp_path: Path) -> None:
    with pytest.raises(ToolError) as caught:
        proc.run([str(tmp_path / "nowhere")], tool="thing")
    assert not isinstance(caught.value, ScannerError)
    assert caught.value.exit_code == 2
    assert caught.value.tool == "thing" and "not found" in caught.value.reason
    assert str(caught.value).startswith("thing ")


def test_a_program_that_cannot_start_is_a_tool_error(tmp_path: Path) -> None:
    exe = _not_executable(tmp_path / "bin", "thing")
    with pytest.raises(ToolError, match="could not start"):
        proc.run([exe], tool="thing")
    with pytest.raises(ToolError, match="^thing failed: "):  # not found: it cannot run
        proc.run([exe], tool="thing", memory_limit=1 << 30)


@pytest.mark.parametrize(
    ("name", "factory"), [("checkov", CheckovScanner), ("hadolint", HadolintScanner)]
)
def test_a_scanner_that_cannot_start_is_a_scanner_failure(
    tmp_path: Path, name: str, factory: type[Scanner]
) -> None:
    repo = write_tree(tmp_path / "repo", {"Dockerfile": DOCKERFILE})
    scanner = factory(executable=_not_executable(tmp_path / "bin", name))  # type: ignore[call-arg]
    with pytest.raises(ScannerError) as caught:
        scanner.scan(collect(repo).target())
    assert caught.value.scanner == name and caught.value.exit_code == 3


def test_doctor_shows_a_scanner_that_does_not_start(tmp_path: Path) -> None:
    exe = _not_executable(tmp_path / "bin", "hadolint")
    check = doctor.check("hadolint", HadolintScanner(executable=exe))
    assert check.problem is not None and "does not start" in check.problem


def test_zizmor_that_cannot_start_is_a_validation_problem(tmp_path: Path) -> None:
    workflows = write_tree(tmp_path / "repo", {".github/workflows/ci.yml": "on: push\n"})
    exe = _not_executable(tmp_path / "bin", "zizmor")
    with pytest.raises(ScannerError, match="zizmor"):
        workflow_audit.audit(workflows, exe)


def test_git_runs_with_one_set_of_hardening_settings(tmp_path: Path) -> None:
    repo = _git_repo(tmp_path / "repo")
    done = proc.git(["-c", "alias.showenv=!env", "showenv"], cwd=repo)
    env = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert env["GIT_OPTIONAL_LOCKS"] == "0"
    assert env["LC_ALL"] == "C"
    assert env["GIT_PAGER"] == "cat"
    for key, value in [("core.hooksPath", "/dev/null"), ("core.fsmonitor", "false")]:
        assert proc.git(["config", "--get", key], cwd=repo).stdout.strip() == value


def test_git_never_runs_the_repository_hooks(tmp_path: Path) -> None:
    repo = _git_repo(tmp_path / "repo")
    marker = tmp_path / "hook-ran"
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    (repo / "a.txt").write_text("a\n", encoding="utf-8")
    proc.git(["add", "a.txt"], cwd=repo)
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", **_committer()}
    done = proc.git(["commit", "-q", "-m", "a"], cwd=repo, env=env)
    assert done.returncode == 0, done.stderr
    assert not marker.exists()


def _committer() -> dict[str, str]:
    return {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}


def test_missing_git_is_a_tool_error_naming_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ToolError) as caught:
        proc.git(["status"], cwd=tmp_path)
    assert caught.value.tool == "git"


def test_every_git_caller_makes_missing_git_a_set_up_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _git_repo(tmp_path / "repo")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    callers: list[Callable[[], object]] = [
        lambda: store.git_ok(["status"], cwd=repo, doing="reading status"),
        lambda: changes.select(repo, "changed", "HEAD"),
        lambda: collect(repo),
    ]
    for call in callers:
        with pytest.raises(UserError, match="git") as caught:
            call()
        assert "install git" in str(caught.value) or "git is needed" in str(caught.value)
        assert not isinstance(caught.value, ScannerError)
