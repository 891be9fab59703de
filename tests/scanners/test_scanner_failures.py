"""Fail closed: a missing, crashing, babbling or hanging tool raises ScannerError naming it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.scanners.helpers import (
    BUCKET,
    CRASH,
    DOCKERFILE,
    GARBAGE,
    SLEEPER,
    fake_tool,
    write_tree,
)

from pavedroad.errors import ScannerError
from pavedroad.scan.workspace import collect
from pavedroad.scanners.checkov import CheckovScanner
from pavedroad.scanners.hadolint import HadolintScanner
from pavedroad.scanners.interface import Scanner

Factory = Callable[..., Scanner]
TOOLS: list[tuple[str, Factory]] = [("checkov", CheckovScanner), ("hadolint", HadolintScanner)]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo", {"Dockerfile": DOCKERFILE, "main.tf": BUCKET})


def _fails(scanner: Scanner, repo: Path) -> ScannerError:
    with pytest.raises(ScannerError) as caught:
        scanner.scan(collect(repo).target())
    return caught.value


@pytest.mark.parametrize(("name", "factory"), TOOLS)
def test_missing_executable(name: str, factory: Factory, repo: Path, tmp_path: Path) -> None:
    scanner = factory(executable=str(tmp_path / "nowhere" / name))
    assert name in (scanner.unavailable_reason() or "")
    error = _fails(scanner, repo)
    assert error.scanner == name and "not found" in error.reason


@pytest.mark.parametrize(("name", "factory"), TOOLS)
def test_missing_from_path_and_python_bin(
    name: str, factory: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.executable", str(tmp_path / "bin" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert "not found" in (factory().unavailable_reason() or "")


@pytest.mark.parametrize(("name", "factory"), TOOLS)
def test_crash_reports_stderr(name: str, factory: Factory, repo: Path, tmp_path: Path) -> None:
    error = _fails(factory(executable=fake_tool(tmp_path / "bin", name, CRASH)), repo)
    assert error.scanner == name
    assert "code 2" in error.reason and "something broke inside the tool" in error.reason


@pytest.mark.parametrize(("name", "factory"), TOOLS)
def test_garbage_output(name: str, factory: Factory, repo: Path, tmp_path: Path) -> None:
    error = _fails(factory(executable=fake_tool(tmp_path / "bin", name, GARBAGE)), repo)
    assert error.scanner == name and "not JSON" in error.reason


@pytest.mark.parametrize(("name", "factory"), TOOLS)
def test_timeout(name: str, factory: Factory, repo: Path, tmp_path: Path) -> None:
    scanner = factory(executable=fake_tool(tmp_path / "bin", name, SLEEPER), timeout=0.5)
    error = _fails(scanner, repo)
    assert error.scanner == name and "timed out" in error.reason
