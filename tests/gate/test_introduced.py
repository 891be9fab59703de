"""Diff-aware PR gates: only what a change introduced blocks (real git, real scanners)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import make_finding, tool_of
from tests.scanners.helpers import AWS_KEY_ID, AWS_SECRET, write_tree
from typer.testing import CliRunner

from pavedroad import clock, proc
from pavedroad.cli import app
from pavedroad.errors import ScannerError
from pavedroad.findings import Severity
from pavedroad.gate import introduced
from pavedroad.gate.result import GatedFinding, GateResult, Hold, Verdict
from pavedroad.gate.run import gate_repository
from pavedroad.policy.file import load
from pavedroad.reports.json import read as read_report
from pavedroad.scan.cache import ResultCache
from pavedroad.scan.run import scan

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
}
# CKV_DOCKER_8 (high: blocks at `pr`), plus medium/low hadolint findings that only ticket or warn.
ROOT_DOCKERFILE = 'FROM python:3.12-slim\nUSER root\nCMD ["python"]\n'
SECRET_ENV = f"AWS_ACCESS_KEY_ID={AWS_KEY_ID}\nAWS_SECRET_ACCESS_KEY={AWS_SECRET}\n"
ROOT_RULE = "CKV_DOCKER_8"
EXCEPTION = textwrap.dedent(
    """\
    version: 1
    exceptions:
      - id: EXC-1
        rule: {rule}
        paths: [Dockerfile]
        justification: the base image needs root until the migration lands
        owner: "@team"
        approver: "@security"
        created: {created}
        expires: {expires}
        controls: [read-only root filesystem]
    """
)


def exception_file(rule: str) -> str:
    today = clock.today()
    created, expires = today - dt.timedelta(days=10), today + dt.timedelta(days=60)
    return EXCEPTION.format(rule=rule, created=created, expires=expires)


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV},
    )
    return done.stdout.strip()


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


def repository(root: Path, files: dict[str, str]) -> Path:
    """Make a repository whose `main` holds files, with a `feature` branch checked out."""
    write_tree(root, files)
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    git(root, "checkout", "-q", "-b", "feature")
    return root


@pytest.fixture(autouse=True)
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give scratch worktrees their own temporary folder, to prove they are removed."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def assert_no_worktree(root: Path, scratch: Path) -> None:
    assert git(root, "worktree", "list", "--porcelain").count("worktree ") == 1
    assert not list(scratch.glob(f"{introduced.WORKTREE_PREFIX}*"))


def fingerprints(result: GateResult, verdict: Verdict) -> set[str]:
    return {g.finding.fingerprint for g in result.with_verdict(verdict)}


def rules_of(result: GateResult, verdict: Verdict) -> set[str]:
    return {g.finding.rule_id for g in result.with_verdict(verdict)}


def test_new_finding_blocks_and_old_one_in_a_touched_file_does_not(
    tmp_path: Path, scratch: Path
) -> None:
    root = repository(tmp_path / "repo", {"Dockerfile": ROOT_DOCKERFILE})
    write_tree(root, {"Dockerfile": "# app image\n" + ROOT_DOCKERFILE, "app.env": SECRET_ENV})
    commit(root, "touch the Dockerfile, add a secret")

    pr = gate_repository(root, "pr", changed_since="main", remember=False)

    assert pr.blocked
    assert rules_of(pr, Verdict.BLOCK) == {"AWSKeyDetector"}
    (old,) = pr.held_by(Hold.PRE_EXISTING)
    assert old.finding.rule_id == ROOT_RULE
    assert old.verdict is Verdict.TICKET  # the pr stage has a ticket tier
    assert old.reason.startswith("would block: high >= block threshold high; held: pre-existing")
    assert_no_worktree(root, scratch)

    # The same as a full scan at HEAD, restricted to the fingerprints the merge-base lacks.
    full = gate_repository(root, "release", remember=False)
    assert full.blocked and not full.held_by(Hold.PRE_EXISTING)  # full scope: unchanged
    git(root, "checkout", "-q", "main")
    before = gate_repository(root, "release", remember=False)
    base_prints = {g.finding.fingerprint for g in before.findings}
    assert fingerprints(pr, Verdict.BLOCK) == fingerprints(full, Verdict.BLOCK) - base_prints
    assert {g.finding.fingerprint for g in pr.held_by(Hold.PRE_EXISTING)} == (
        fingerprints(full, Verdict.BLOCK) & base_prints
    )


def test_paved_gate_passes_a_pull_request_that_touches_an_old_finding(
    tmp_path: Path, scratch: Path
) -> None:
    root = repository(tmp_path / "repo", {"Dockerfile": ROOT_DOCKERFILE})
    write_tree(root, {"Dockerfile": "# app image\n" + ROOT_DOCKERFILE})
    commit(root, "touch the Dockerfile")
    report = tmp_path / "gate.json"
    args = ["gate", str(root), "--stage", "pr", "--changed-since", "main", "--no-cache"]
    args += ["--format", "json", "--output", str(report)]

    done = CliRunner().invoke(app, args, env={"COLUMNS": "100", "NO_COLOR": "1"})

    assert done.exit_code == 0, done.output
    assert "pre-existing" in done.output
    result = read_report(report.read_text(), "gate.json")
    assert not result.blocked
    assert [g.finding.rule_id for g in result.held_by(Hold.PRE_EXISTING)] == [ROOT_RULE]
    assert_no_worktree(root, scratch)


def test_removing_an_exception_makes_its_finding_block(tmp_path: Path, scratch: Path) -> None:
    exceptions = exception_file(ROOT_RULE)
    root = repository(
        tmp_path / "repo",
        {"Dockerfile": ROOT_DOCKERFILE, ".pavedroad/exceptions.yaml": exceptions},
    )
    assert not gate_repository(root, "pr", changed_since="main", remember=False).blocked

    write_tree(root, {".pavedroad/exceptions.yaml": "version: 1\nexceptions: []\n"})
    commit(root, "drop the exception")
    pr = gate_repository(root, "pr", changed_since="main", remember=False)

    assert rules_of(pr, Verdict.BLOCK) == {ROOT_RULE}
    (blocking,) = pr.with_verdict(Verdict.BLOCK)
    assert "exception EXC-1 covered it at the merge-base" in blocking.reason
    assert not pr.held_by(Hold.PRE_EXISTING)
    assert_no_worktree(root, scratch)


def test_a_change_that_only_adds_an_exception_record_still_passes(
    tmp_path: Path, scratch: Path
) -> None:
    root = repository(tmp_path / "repo", {"Dockerfile": ROOT_DOCKERFILE, "README.md": "# app\n"})
    write_tree(root, {"README.md": "# app\n\nHow to run it.\n"})
    commit(root, "docs")
    assert not gate_repository(root, "pr", changed_since="main", remember=False).blocked

    write_tree(root, {".pavedroad/exceptions.yaml": exception_file("DL3002")})
    commit(root, "except DL3002")
    pr = gate_repository(root, "pr", changed_since="main", remember=False)

    assert any("every file was evaluated" in note for note in pr.notes)  # the full evaluation
    assert not pr.blocked
    assert [g.finding.rule_id for g in pr.held_by(Hold.PRE_EXISTING)] == [ROOT_RULE]
    assert rules_of(pr, Verdict.EXCEPTED) == {"DL3002"}
    assert_no_worktree(root, scratch)


def test_a_change_that_weakens_the_policy_cannot_pass_its_own_new_finding(
    tmp_path: Path, scratch: Path
) -> None:
    policy = "version: 1\nstages:\n  pr: {{scope: changed, block: {block}, warn: low}}\n"
    root = repository(
        tmp_path / "repo",
        {"Dockerfile": ROOT_DOCKERFILE, ".pavedroad/policy.yaml": policy.format(block="high")},
    )
    write_tree(root, {".pavedroad/policy.yaml": policy.format(block="critical")})
    write_tree(root, {"worker/Dockerfile": ROOT_DOCKERFILE})  # a new high finding
    commit(root, "relax the gate and add an image that runs as root")

    pr = gate_repository(root, "pr", changed_since="main", remember=False)

    (blocking,) = pr.with_verdict(Verdict.BLOCK)
    assert (blocking.finding.rule_id, blocking.finding.path) == (ROOT_RULE, "worker/Dockerfile")
    assert "under the merge-base's policy" in blocking.reason
    assert "stages.pr.block high -> critical" in blocking.reason
    assert any(note.startswith("this change weakens the policy") for note in pr.notes)
    old = [
        g for g in pr.findings if (g.finding.rule_id, g.finding.path) == (ROOT_RULE, "Dockerfile")
    ]
    assert [g.verdict for g in old] == [Verdict.WARN]  # already there: the new policy's verdict
    assert_no_worktree(root, scratch)


def test_switching_the_stage_to_observe_mode_cannot_pass_its_own_new_finding(
    tmp_path: Path, scratch: Path
) -> None:
    enforce = "version: 1\nstages:\n  pr: {scope: changed, block: high, warn: low}\n"
    observe = (
        "version: 1\nstages:\n  pr: {scope: changed, block: high, warn: low, "
        "mode: observe, enforce_from: '2999-01-01'}\n"
    )
    root = repository(
        tmp_path / "repo", {"Dockerfile": ROOT_DOCKERFILE, ".pavedroad/policy.yaml": enforce}
    )
    write_tree(root, {".pavedroad/policy.yaml": observe, "worker/Dockerfile": ROOT_DOCKERFILE})
    commit(root, "observe the pr stage and add an image that runs as root")

    pr = gate_repository(root, "pr", changed_since="main", remember=False)

    (blocking,) = pr.with_verdict(Verdict.BLOCK)
    assert (blocking.finding.rule_id, blocking.finding.path) == (ROOT_RULE, "worker/Dockerfile")
    assert "stages.pr.mode" in blocking.reason
    assert_no_worktree(root, scratch)


def test_lowering_a_severity_does_not_pass_a_new_finding(
    tmp_path: Path, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = "version: 1\nstages:\n  pr: {scope: changed, block: medium, warn: low}\n"
    root = repository(tmp_path / "repo", {".pavedroad/policy.yaml": policy})
    lowered = policy + "severity_overrides: {DL3002: low}\n"
    write_tree(root, {".pavedroad/policy.yaml": lowered, "Dockerfile": ROOT_DOCKERFILE})
    commit(root, "lower DL3002, add a Dockerfile")
    # As the gate gives it under the lowered policy: low, so only a warning.
    finding = make_finding(
        scanner="hadolint", rule_id="DL3002", severity=Severity.LOW, path="Dockerfile"
    )
    warned = GatedFinding(finding, Verdict.WARN, "low >= warn threshold low")
    result = GateResult("pr", str(root), (warned,), 1, ("hadolint",))
    monkeypatch.setattr(introduced, "scan", pytest.fail)  # the merge-base has no Dockerfile

    judged = introduced.judge(root, result, load(root), git(root, "rev-parse", "main"))

    (blocking,) = judged.findings
    assert blocking.verdict is Verdict.BLOCK
    assert blocking.reason == (
        "medium >= block threshold medium under the merge-base's policy (new since the "
        "merge-base); this change weakened severity_overrides.DL3002 none -> low"
    )
    assert_no_worktree(root, scratch)


@pytest.mark.parametrize("failure", [ScannerError("checkov", "crashed"), KeyboardInterrupt()])
def test_the_scratch_worktree_goes_even_when_the_base_scan_fails(
    tmp_path: Path, scratch: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    root = repository(tmp_path / "repo", {"Dockerfile": ROOT_DOCKERFILE})
    base = git(root, "rev-parse", "main")
    seen: list[Path] = []

    def failing_scan(tree: Path, **_: object) -> None:
        seen.append(tree)
        assert (tree / "Dockerfile").read_text() == ROOT_DOCKERFILE
        raise failure

    monkeypatch.setattr(introduced, "scan", failing_scan)
    with pytest.raises(type(failure)):
        introduced.base_findings(root, base, ["Dockerfile"])
    assert seen and not seen[0].exists()
    assert_no_worktree(root, scratch)


def test_the_merge_base_scan_of_unchanged_content_comes_from_the_cache(
    tmp_path: Path, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = repository(tmp_path / "repo", {"svc/Dockerfile": ROOT_DOCKERFILE, "svc/a.md": "a\n"})
    write_tree(repo, {"svc/a.md": "b\n"})
    commit(repo, "docs")
    root = repo / "svc"  # a gate on a folder of the repository
    store = ResultCache(tmp_path / "cache")
    at_head = scan(root, files=["Dockerfile"], cache=store)
    started: list[str] = []
    real = proc.run

    def spy(command: list[str], **kwargs: Any) -> proc.Completed:
        started.append(tool_of(command))
        return real(command, **kwargs)

    monkeypatch.setattr(proc, "run", spy)
    found = introduced.base_findings(
        root, git(repo, "rev-parse", "main"), ["Dockerfile"], cache=store
    )

    assert set(found) == {f.fingerprint for f in at_head.findings}
    assert ROOT_RULE in {f.rule_id for f in found.values()}
    assert set(started) == {"git"}  # no scanner ran: every unit was a cache hit
    assert_no_worktree(repo, scratch)


def test_files_the_merge_base_lacks_are_not_scanned_there(
    tmp_path: Path, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repository(tmp_path / "repo", {"Dockerfile": ROOT_DOCKERFILE})
    write_tree(root, {"app.env": SECRET_ENV})
    commit(root, "add")
    monkeypatch.setattr(introduced, "scan", pytest.fail)
    assert introduced.base_findings(root, git(root, "rev-parse", "main"), ["app.env"]) == {}
    assert_no_worktree(root, scratch)


def test_a_merge_base_with_an_unreadable_policy_gates_every_finding_as_new(
    tmp_path: Path, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repository(
        tmp_path / "repo",
        {"Dockerfile": ROOT_DOCKERFILE, ".pavedroad/policy.yaml": "version: 1\nstages: [\n"},
    )
    write_tree(root, {".pavedroad/policy.yaml": "version: 1\nstages:\n  pr: {scope: changed}\n"})
    commit(root, "fix the policy")
    finding = make_finding(path="Dockerfile")
    blocking = GatedFinding(finding, Verdict.BLOCK, "critical >= block threshold high")
    result = GateResult("pr", str(root), (blocking,), 1, ("checkov",))
    monkeypatch.setattr(introduced, "scan", pytest.fail)

    judged = introduced.judge(root, result, load(root), git(root, "rev-parse", "main"))

    assert judged.findings == (blocking,)
    (note,) = judged.notes
    assert "policy.yaml at the merge-base" in note
    assert note.endswith("every finding was gated as new")
    assert_no_worktree(root, scratch)
