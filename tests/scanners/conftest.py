"""Shared real-scanner runs: checkov costs seconds, so each repository is scanned once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.scanners.helpers import BROKEN_FILES, IAC_FILES, SITECUSTOMIZE, shifted, write_tree

from pavedroad.findings import Finding
from pavedroad.scan.workspace import collect
from pavedroad.scanners.checkov import CheckovScanner


@dataclass(frozen=True)
class GuardedRun:
    """A checkov scan made while every network call was recorded and refused."""

    findings: tuple[Finding, ...]
    log: Path
    guard: Path


@pytest.fixture(scope="session")
def iac_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with vulnerable, suppressed and broken IaC files."""
    return write_tree(tmp_path_factory.mktemp("iac"), {**IAC_FILES, **BROKEN_FILES})


@pytest.fixture(scope="session")
def checkov_findings(iac_repo: Path) -> tuple[Finding, ...]:
    """One real checkov scan of iac_repo."""
    return CheckovScanner().scan(collect(iac_repo).target())


@pytest.fixture(scope="session")
def guarded_shifted_run(tmp_path_factory: pytest.TempPathFactory) -> GuardedRun:
    """A real checkov scan of iac_repo with lines inserted on top, under the network guard."""
    repo = write_tree(tmp_path_factory.mktemp("shifted"), shifted({**IAC_FILES, **BROKEN_FILES}))
    guard = tmp_path_factory.mktemp("guard")
    (guard / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = guard / "network.log"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", str(guard))
        patch.setenv("NETGUARD_LOG", str(log))
        findings = CheckovScanner().scan(collect(repo).target())
    return GuardedRun(findings, log, guard)
