"""A branch's first push has no base to compare with: the `main` stage evaluates every file.

Reproduces issue 20 item 7 with real git repositories: a bare remote, a branch pushed with
blocking content, and the gate run as the pipeline templates run it (the CI's before-SHA in
PAVED_CHANGED_SINCE, all zeros for a new branch, or unset).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.scanners.helpers import CREDS, PRIVATE_KEY, write_tree
from tests.test_incremental import git, init_repo
from typer.testing import CliRunner

from pavedroad.cli import app
from pavedroad.scan.changes import select

ZERO_SHA = "0" * 40
ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
BLOCKING = {"config/creds.env": CREDS, "keys/deploy.pem": PRIVATE_KEY, "notes.txt": "hello\n"}


@pytest.fixture(autouse=True)
def _no_ci_target(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a push pipeline does: no merge request or pull request target branch."""
    monkeypatch.delenv("GITHUB_BASE_REF", raising=False)
    monkeypatch.delenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", raising=False)
    monkeypatch.delenv("PAVED_CHANGED_SINCE", raising=False)


@pytest.fixture
def pushed(tmp_path: Path) -> Path:
    """A new branch with blocking content, pushed to a bare remote; its upstream is HEAD."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    repo = init_repo(tmp_path / "repo", BLOCKING)
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "-u", "origin", "main")
    return repo


@pytest.fixture
def detached(pushed: Path, tmp_path: Path) -> Path:
    """A CI-style checkout (GitLab): the pushed commit, detached, no upstream, no origin/HEAD."""
    ci = tmp_path / "ci"
    ci.mkdir()
    git(ci, "init", "-q")
    git(ci, "fetch", "-q", str(pushed.parent / "remote.git"), "+refs/heads/*:refs/remotes/origin/*")
    git(ci, "checkout", "-q", "--detach", "refs/remotes/origin/main")
    return ci


def gate_main(repo: Path, **env: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["gate", str(repo), "--stage", "main", "--no-cache"], env={**ENV, **env}
    )
    return result.exit_code, result.stdout + result.stderr


def test_first_push_with_the_zero_sha_evaluates_everything_and_blocks(pushed: Path) -> None:
    code, out = gate_main(pushed, PAVED_CHANGED_SINCE=ZERO_SHA)
    assert code == 1, out
    assert "keys/deploy.pem" in out and "config/creds.env" in out
    assert "every file was evaluated: no previous commit" in out


def test_first_push_without_a_before_sha_evaluates_everything(pushed: Path) -> None:
    # The branch's upstream is the pushed commit itself: comparing with it shows nothing.
    code, out = gate_main(pushed)
    assert code == 1, out
    assert "keys/deploy.pem" in out
    assert "every file was evaluated" in out and "Scanned 0 files" not in out


def test_detached_ci_checkout_evaluates_everything(detached: Path) -> None:
    code, out = gate_main(detached)
    assert code == 1, out
    assert "keys/deploy.pem" in out and "every file was evaluated" in out


def test_zero_sha_of_any_length_means_no_base(pushed: Path) -> None:
    for zeros in (ZERO_SHA, "0" * 64):
        selection = select(pushed, "changed", zeros)
        assert selection.full
        assert selection.note is not None and "every file was evaluated" in selection.note


def test_a_second_push_still_gates_only_what_changed(pushed: Path) -> None:
    before = git(pushed, "rev-parse", "HEAD")
    write_tree(pushed, {"notes.txt": "edited\n"})
    git(pushed, "commit", "-q", "-am", "edit notes")
    selection = select(pushed, "changed", before)
    assert selection.paths == ("notes.txt",)
    code, out = gate_main(pushed, PAVED_CHANGED_SINCE=before)
    assert code == 0, out


def test_uncommitted_edits_on_an_up_to_date_branch_stay_incremental(pushed: Path) -> None:
    # pre-commit on a clean clone: HEAD is the upstream, the edits are what is checked.
    write_tree(pushed, {"notes.txt": "edited\n"})
    assert select(pushed, "changed", None).paths == ("notes.txt",)


def test_unrelated_history_evaluates_everything(pushed: Path, tmp_path: Path) -> None:
    other = init_repo(tmp_path / "other", {"x.txt": "x\n"})
    git(pushed, "fetch", "-q", str(other), "main:refs/heads/unrelated")
    selection = select(pushed, "changed", "unrelated")
    assert selection.full
    assert selection.note is not None and "no common ancestor" in selection.note
