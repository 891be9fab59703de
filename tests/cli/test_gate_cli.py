"""`paved gate` and `paved scan` end to end: real files, real scanners, every report format."""

from __future__ import annotations

import json
import os
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import tool_of
from tests.scanners.helpers import CRASH, IAC_FILES, SECRET_FILES, fake_tool, write_tree
from typer.testing import CliRunner

from pavedroad import proc
from pavedroad.cli import app
from pavedroad.scanners import SCANNERS
from pavedroad.scanners.hadolint import HadolintScanner

RUNNER = CliRunner()
ENV = {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"}
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
}
CLEAN_DOCKERFILE = """\
FROM python:3.12-slim@sha256:5e5bb86fd4a4b6e53dc2b5ff5ae6ef2bd7fea4a5c3b0c97b2cbe5e43e0b1d1d0
RUN useradd --create-home --uid 10001 app
WORKDIR /home/app
COPY --chown=10001 app.py .
USER 10001
HEALTHCHECK CMD ["python", "-c", "print('ok')"]
CMD ["python", "app.py"]
"""
# Each format, and how to prove the file it wrote is what it claims to be.
PARSERS: dict[str, Callable[[str], Any]] = {
    "sarif": json.loads,
    "sarif-upload": json.loads,
    "junit": ET.fromstring,
    "markdown": str,
    "json": json.loads,
    "github": str.splitlines,
    "gitlab": json.loads,
}
SUFFIX = {"junit": "xml", "markdown": "md", "github": "txt"}


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, list(args), env={**ENV, **(env or {})})
    return result.exit_code, result.stdout, result.stderr


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=GIT_ENV)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _own_cache(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every gate here shares one cache of this module's, never the user's."""
    monkeypatch.setenv("PAVED_CACHE_DIR", str(cache_dir))


@pytest.fixture(scope="module")
def vulnerable(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository with one empty commit and vulnerable files not yet committed."""
    root = tmp_path_factory.mktemp("vulnerable")
    git(root, "init", "-q", "-b", "main")
    git(root, "commit", "-q", "--allow-empty", "-m", "start")
    return write_tree(root, {**IAC_FILES, **SECRET_FILES})


@pytest.fixture(scope="module")
def release_gate(
    vulnerable: Path, cache_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[int, str, str, Path]:
    """One real release gate with every report format written to its own file."""
    out = tmp_path_factory.mktemp("reports")
    args = ["gate", str(vulnerable), "--stage", "release"]
    for fmt in PARSERS:
        args += ["--format", fmt, "--output", str(out / f"report.{SUFFIX.get(fmt, fmt)}")]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAVED_CACHE_DIR", str(cache_dir))
        code, stdout, stderr = run(*args)
    return code, stdout, stderr, out


@pytest.mark.slow
def test_vulnerable_repo_blocks(release_gate: tuple[int, str, str, Path]) -> None:
    code, stdout, _, _ = release_gate
    assert code == 1
    assert stdout.startswith("BLOCKED: stage release")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", PARSERS)
def test_each_format_is_written_and_parses(
    release_gate: tuple[int, str, str, Path], fmt: str
) -> None:
    out = release_gate[3] / f"report.{SUFFIX.get(fmt, fmt)}"
    text = out.read_text(encoding="utf-8")
    assert PARSERS[fmt](text)
    assert "CKV_K8S_16" in text  # the privileged container is in every report


@pytest.mark.slow
def test_report_contents_agree(release_gate: tuple[int, str, str, Path]) -> None:
    out = release_gate[3]
    document = json.loads((out / "report.json").read_text())
    blocking = [f for f in document["findings"] if f["verdict"] == "block"]
    assert document["blocked"] and blocking
    sarif = json.loads((out / "report.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert sum(len(r["results"]) for r in sarif["runs"]) == len(document["findings"])
    junit = ET.fromstring((out / "report.xml").read_text())
    assert int(junit.get("failures", "0")) == len(blocking)
    gitlab = json.loads((out / "report.gitlab").read_text())
    assert {i["fingerprint"] for i in gitlab} == {f["fingerprint"] for f in document["findings"]}
    errors = [line for line in (out / "report.txt").read_text().splitlines() if "::error" in line]
    assert len(errors) == len(blocking)


@pytest.mark.slow
def test_text_names_the_exception_command_of_each_blocking_finding(
    release_gate: tuple[int, str, str, Path], tmp_path: Path
) -> None:
    files = {**SECRET_FILES, "deploy/web.yaml": IAC_FILES["deploy/web.yaml"]}
    root = write_tree(tmp_path / "repo", files)  # cached by the release gate: same contents
    report = tmp_path / "gate.json"
    code, stdout, _ = run(
        "gate", str(root), "--stage", "pre-commit", "-f", "json", "-o", str(report)
    )
    assert code == 1
    blocking = [f for f in json.loads(report.read_text())["findings"] if f["verdict"] == "block"]
    assert 0 < len(blocking) <= 8  # all fit on the screen
    for finding in blocking:
        assert f"exception: paved exceptions request {finding['short_ref']}" in stdout


@pytest.mark.slow
def test_rerun_with_nothing_changed_starts_no_scanner(
    vulnerable: Path, release_gate: tuple[int, str, str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[str] = []
    real = proc.run

    def spy(command: list[str], **kwargs: Any) -> proc.Completed:
        started.append(tool_of(command))
        return real(command, **kwargs)

    monkeypatch.setattr(proc, "run", spy)
    code, stdout, _ = run("gate", str(vulnerable), "--stage", "release")
    assert code == 1
    assert "checkov" not in started and "hadolint" not in started
    assert stdout.splitlines()[0] == release_gate[1].splitlines()[0]


@pytest.mark.slow
def test_scanner_failure_exits_3_naming_the_scanner(
    vulnerable: Path,
    release_gate: tuple[int, str, str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crash = fake_tool(tmp_path, "hadolint", CRASH)
    monkeypatch.setitem(SCANNERS, "hadolint", lambda: HadolintScanner(executable=crash))
    for stage in ("release", "nightly"):  # nightly blocks nothing, yet a crash never passes
        code, _, stderr = run("gate", str(vulnerable), "--stage", stage)
        assert code == 3
        assert "scanner hadolint failed" in stderr


def test_missing_scanner_exits_3(
    vulnerable: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.executable", str(tmp_path / "bin" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, _, stderr = run("gate", str(vulnerable), "--stage", "nightly", "--no-cache")
    assert code == 3
    assert "scanner checkov failed: the checkov executable was not found" in stderr


@pytest.mark.slow
def test_clean_repo_passes(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "clean", {"Dockerfile": CLEAN_DOCKERFILE, "app.py": "print(1)\n"})
    code, stdout, stderr = run("gate", str(root), "--stage", "release", "--quiet")
    assert (code, stderr) == (0, "")  # no note, no warning (and no progress: --quiet)
    assert stdout.startswith("PASSED: stage release")


def test_malformed_policy_exits_2(vulnerable: Path, tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {".pavedroad/policy.yaml": "version: 1\nstages: []\n"})
    code, _, stderr = run("gate", str(root), "--stage", "pr")
    assert code == 2
    assert stderr.startswith("error: .pavedroad/policy.yaml: stages")


def test_changed_since_needs_git(tmp_path: Path) -> None:
    code, _, stderr = run("gate", str(tmp_path), "--stage", "pr", "--changed-since", "main")
    assert code == 2
    assert "--changed-since needs a git repository" in stderr


def test_unknown_ref_exits_2(vulnerable: Path) -> None:
    code, _, stderr = run("gate", str(vulnerable), "--changed-since", "origin/nope")
    assert code == 2
    assert "--changed-since origin/nope: unknown revision" in stderr


def test_changed_scope_gates_only_changed_files(tmp_path: Path, cache_dir: Path) -> None:
    root = write_tree(tmp_path / "repo", {**SECRET_FILES, "notes.md": "# notes\n"})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    (root / "notes.md").write_text("# notes\nmore\n")
    code, stdout, _ = run("gate", str(root), "--stage", "pr", "--changed-since", "HEAD")
    assert code == 0
    assert stdout.startswith("PASSED: stage pr — no findings")
    assert "note: evaluated 1 changed file since HEAD" in stdout
    code, stdout, _ = run("gate", str(root), "--stage", "release", "--changed-since", "HEAD")
    assert code == 1  # a full-scope stage ignores the change set


def test_no_cache_reads_and_writes_nothing(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"notes.md": "# notes\n"})
    empty = tmp_path / "cache"
    args = ("gate", str(root), "--stage", "release", "--cache-dir", str(empty))
    code, _, _ = run(*args, "--no-cache")
    assert code == 0 and not empty.exists()
    code, _, _ = run(*args)
    assert code == 0 and list(empty.rglob("*.json"))


def test_gate_prunes_cache_entries_unused_for_a_month(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"notes.md": "# notes\n"})
    folder = tmp_path / "cache"
    args = ("gate", str(root), "--stage", "release", "--cache-dir", str(folder))
    assert run(*args)[0] == 0
    entries = list(folder.rglob("*.json"))
    stale = folder / "ab" / ("ab" * 32 + ".json")
    stale.parent.mkdir(exist_ok=True)
    stale.write_text("{}")
    month_ago = time.time() - 31 * 86400
    for path in [stale, folder / "last-pruned"]:
        os.utime(path, (month_ago, month_ago))
    assert run(*args)[0] == 0
    assert not stale.exists()
    assert entries and all(p.exists() for p in entries)


def test_scan_changed_since_lists_only_changed_files(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {**SECRET_FILES, "notes.md": "# notes\n"})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    (root / "keys/deploy.pem").write_text(SECRET_FILES["keys/deploy.pem"] + "# moved\n")
    code, stdout, stderr = run("scan", str(root), "--changed-since", "HEAD")
    assert code == 0
    assert "keys/deploy.pem" in stdout and "config/creds.env" not in stdout
    assert stderr.startswith("note: evaluated 1 changed file since HEAD")
    code, stdout, _ = run("scan", str(root))
    assert "config/creds.env" in stdout
