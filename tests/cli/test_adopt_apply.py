"""`paved adopt` never leaves half an adoption: failures mid-apply and in the gate undo it all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.update_helpers import commit, fake_gate, git, snapshot

from pavedroad.errors import ScannerError
from pavedroad.gate.result import GateResult
from pavedroad.project import adopt as adopt_mod
from pavedroad.project.adopt import AdoptRequest, adopt

LEGACY = {
    "Dockerfile": 'FROM python:3.12\nCMD ["python", "-m", "orders"]\n',
    ".github/workflows/ci.yml": "name: ci\non: [push]\njobs: {}\n",
    "src/orders/__main__.py": 'print("orders")\n',
}


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    repo = tmp_path / "orders"
    for rel, text in LEGACY.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    (repo / "run.sh").write_text("#!/bin/sh\n")
    (repo / "run.sh").chmod(0o755)
    git(repo, "init", "--quiet", "--initial-branch=main")
    commit(repo, "An existing service")
    return repo


def request(repo: Path, **options: Any) -> AdoptRequest:
    data = {"service_name": "orders"}
    return AdoptRequest("python-service", repo, data=data, **options)


def failing_at(rel: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make the apply fail when it reaches rel, after writing the files before it for real."""
    placed: list[str] = []
    real = adopt_mod._place

    def place(root: Path, item: Any, *rest: Any) -> None:
        if item.rel == rel:
            raise OSError(28, "No space left on device")
        real(root, item, *rest)
        placed.append(item.rel)

    monkeypatch.setattr(adopt_mod, "_place", place)
    return placed


@pytest.mark.parametrize(
    ("write_conflicts", "last"),
    [(False, "tests/test_app.py"), (True, "src/orders/__main__.py")],
    ids=["list", "write-conflicts"],
)
def test_failure_mid_apply_leaves_the_tree_byte_identical(
    legacy: Path, monkeypatch: pytest.MonkeyPatch, write_conflicts: bool, last: str
) -> None:
    before = snapshot(legacy)
    placed = failing_at(last, monkeypatch)

    with pytest.raises(OSError, match="No space left"):
        adopt(request(legacy, write_conflicts=write_conflicts), gate=fake_gate())

    assert len(placed) > 10, "the failure came in the middle of the apply"
    assert "deploy/k8s/service.yaml" in placed, "folders were created, and must go again"
    if write_conflicts:
        assert "Dockerfile" in placed, "a file of the repository was overwritten first"
    assert snapshot(legacy) == before
    assert git(legacy, "status", "--porcelain", "--untracked-files=all") == ""
    assert not (legacy / "deploy").exists() and not (legacy / ".pavedroad").exists()
    assert (legacy / "run.sh").stat().st_mode & 0o111, "modes are kept"


@pytest.mark.parametrize(
    "failure",
    [ScannerError("checkov", "crashed"), KeyboardInterrupt()],
    ids=["scanner-crash", "interrupt"],
)
def test_gate_failure_after_the_apply_undoes_it(legacy: Path, failure: BaseException) -> None:
    before = snapshot(legacy)
    seen: list[Path] = []

    def gate(root: Path, stage: str, **_options: Any) -> GateResult:
        seen.append(root)
        assert (root / ".pavedroad" / "policy.yaml").is_file(), "the gate sees the adoption"
        raise failure

    with pytest.raises(type(failure)):
        adopt(request(legacy), gate=gate)

    assert seen == [legacy.absolute()]
    assert snapshot(legacy) == before
    assert git(legacy, "status", "--porcelain", "--untracked-files=all") == ""


def test_written_conflicts_are_not_gated(legacy: Path) -> None:
    result = adopt(request(legacy, write_conflicts=True), gate=fake_gate())
    assert "Dockerfile" in result.written_conflicts
    assert result.gate is None, "conflict markers are not gated"
    assert "<<<<<<< ours" in (legacy / "Dockerfile").read_text()


def test_identical_files_are_neither_added_nor_conflicts(legacy: Path) -> None:
    first = adopt(request(legacy), gate=fake_gate())
    (legacy / ".copier-answers.python-service.yml").unlink()
    git(legacy, "add", "--all")
    git(legacy, "commit", "--quiet", "-m", "Keep the files, forget the answers")

    again = adopt(request(legacy), gate=fake_gate())

    assert again.added == (".copier-answers.python-service.yml",)
    assert set(again.unchanged) == set(first.added) - {".copier-answers.python-service.yml"}
    assert {c.path for c in again.conflicts} == {c.path for c in first.conflicts}
