"""scan(): every scanner at once over a real repository, failing closed."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from tests.scanners.helpers import (
    CRASH,
    IAC_FILES,
    SECRET_FILES,
    SECRET_VALUES,
    fake_tool,
    write_tree,
)

from pavedroad.errors import ScannerError, UserError
from pavedroad.findings import Finding, Severity
from pavedroad.scan import run as scan_module
from pavedroad.scan.cache import ResultCache
from pavedroad.scan.run import ScanReport, scan
from pavedroad.scanners import SCANNERS
from pavedroad.scanners.checkov import CheckovScanner
from pavedroad.scanners.hadolint import HadolintScanner
from pavedroad.scanners.interface import ScanTarget
from pavedroad.scanners.own_rules import NOT_SCANNED, paved_finding
from pavedroad.scanners.secrets import SecretsScanner


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_tree(tmp_path_factory.mktemp("repo"), {**IAC_FILES, **SECRET_FILES})
    write_tree(root, {"assets/logo.png": b"\x89PNG\x00\x00\x00", "big.log": "x" * 1_100_000})
    outside = write_tree(tmp_path_factory.mktemp("outside"), {"creds.env": "TOKEN=1\n"})
    (root / "linked.env").symlink_to(outside / "creds.env")
    return root


@pytest.fixture(scope="module")
def report(repo: Path) -> ScanReport:
    return scan(repo)


def _has(findings: tuple[Finding, ...], scanner: str, rule: str, path: str) -> Finding:
    hits = [f for f in findings if (f.scanner, f.rule_id, f.path) == (scanner, rule, path)]
    assert hits, f"no {scanner} {rule} on {path}"
    return hits[0]


@pytest.mark.slow
def test_runs_every_scanner(report: ScanReport, repo: Path) -> None:
    assert report.scanners == ("checkov", "hadolint", "secrets")
    assert report.root == repo.resolve()
    # big.log (over 1 MB) is read by the secrets scanner only, and counts as scanned
    assert report.files_scanned == len(IAC_FILES) + len(SECRET_FILES) + 1
    assert (
        _has(report.findings, "checkov", "CKV_K8S_16", "deploy/web.yaml").severity
        == Severity.CRITICAL
    )
    assert _has(report.findings, "hadolint", "DL3007", "Dockerfile").severity == Severity.MEDIUM
    assert (
        _has(report.findings, "secrets", "AWSKeyDetector", "config/creds.env").severity
        == Severity.CRITICAL
    )


@pytest.mark.slow
def test_findings_are_sorted_deterministically(report: ScanReport) -> None:
    keys = [(f.path, f.start_line, f.rule_id) for f in report.findings]
    assert keys == sorted(keys)


@pytest.mark.slow
def test_skipped_files_are_info_findings(report: ScanReport) -> None:
    assert {(s.path, s.reason) for s in report.skipped} == {
        ("assets/logo.png", "binary"),
        ("linked.env", "symlink outside root"),
    }
    assert (
        _has(report.findings, "pavedroad", "PAVED_NOT_SCANNED", "assets/logo.png").severity
        == Severity.INFO
    )
    # Unscanned is not clean: a large text file is still searched for secrets, and says so.
    partial = _has(report.findings, "pavedroad", "PAVED_NOT_FULLY_SCANNED", "big.log")
    assert partial.severity == Severity.LOW and "secrets only (over 1 MB)" in partial.message
    link = _has(report.findings, "pavedroad", "PAVED_SYMLINK_OUTSIDE", "linked.env")
    assert link.severity == Severity.INFO


@pytest.mark.slow
def test_no_secret_value_in_the_report(report: ScanReport) -> None:
    text = repr(report)
    assert all(value not in text for value in SECRET_VALUES)


def test_only_given_files(repo: Path) -> None:
    result = scan(repo, files=["Dockerfile", "config/creds.env"], scanners=["hadolint", "secrets"])
    assert {f.path for f in result.findings} == {"Dockerfile", "config/creds.env"}
    assert result.files_scanned == 2


def test_empty_repository(tmp_path: Path) -> None:
    result = scan(tmp_path)
    assert (result.findings, result.files_scanned, result.skipped) == ((), 0, ())


def test_unknown_scanner_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="unknown 'trivy'"):
        scan(tmp_path, scanners=["trivy"])


def test_unavailable_scanner_fails_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.executable", str(tmp_path / "bin" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ScannerError) as caught:
        scan(tmp_path, scanners=["secrets", "hadolint"])
    assert caught.value.scanner == "hadolint" and caught.value.exit_code == 3


def test_crashing_scanner_fails_the_scan(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash = fake_tool(tmp_path, "checkov", CRASH)
    monkeypatch.setitem(SCANNERS, "checkov", lambda: CheckovScanner(executable=crash))
    with pytest.raises(ScannerError) as caught:
        scan(repo, files=["infra/main.tf"], scanners=["checkov", "hadolint"])
    assert caught.value.scanner == "checkov"


def test_timeout_reaches_the_scanners(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeper = fake_tool(tmp_path, "hadolint", "exec sleep 30")
    monkeypatch.setitem(SCANNERS, "hadolint", lambda: HadolintScanner(executable=sleeper))
    with pytest.raises(ScannerError, match="timed out"):
        scan(repo, files=["Dockerfile"], scanners=["hadolint"], timeout=0.5)


class _Hanging:
    """A scanner that ignores its timeout, to test the backstop."""

    name = "hanging"

    def __init__(self) -> None:
        self.release = threading.Event()

    def unavailable_reason(self) -> str | None:
        return None

    def scan(self, target: ScanTarget) -> tuple[Finding, ...]:
        self.release.wait(10)
        return ()


class _Buggy(_Hanging):
    name = "buggy"

    def scan(self, target: ScanTarget) -> tuple[Finding, ...]:
        raise KeyError("check_id")


def test_a_bug_in_a_scanner_fails_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(SCANNERS, "buggy", _Buggy)
    with pytest.raises(ScannerError, match="internal error") as caught:
        scan(tmp_path, scanners=["buggy"])
    assert caught.value.scanner == "buggy"


def test_backstop_catches_a_scanner_that_hangs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hanging = _Hanging()
    monkeypatch.setitem(SCANNERS, "hanging", lambda: hanging)
    monkeypatch.setattr(scan_module, "GRACE_SECONDS", 0.2)
    try:
        with pytest.raises(ScannerError, match="did not finish"):
            scan(tmp_path, scanners=["hanging"], timeout=0.1)
    finally:
        hanging.release.set()


def test_terraform_siblings_join_a_changed_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {"infra/main.tf": "", "infra/vars.tf": "", "infra/notes.md": ""})
    result = scan(tmp_path, files=["infra/main.tf"], scanners=[])
    assert result.files_scanned == 2 and result.scanners == ()


# --- with a result cache ---------------------------------------------------------------------


def _entries(store: ResultCache) -> list[Path]:
    return sorted(store.directory.rglob("*.json"))


def test_a_failing_scanner_caches_nothing(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash = fake_tool(tmp_path / "bin", "hadolint", CRASH)
    monkeypatch.setitem(SCANNERS, "hadolint", lambda: HadolintScanner(executable=crash))
    store = ResultCache(tmp_path / "cache")
    with pytest.raises(ScannerError):
        scan(repo, files=["Dockerfile"], scanners=["hadolint"], cache=store)
    assert _entries(store) == []


def test_a_file_edited_during_the_scan_is_not_cached(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "repo", {"a.env": "A=1\n", "b.env": "B=2\n"})
    real = SecretsScanner.scan

    def edit_then_scan(self: SecretsScanner, target: ScanTarget) -> tuple[Finding, ...]:
        found = real(self, target)
        (root / "a.env").write_text("A=3\n")
        return found

    monkeypatch.setattr(SecretsScanner, "scan", edit_then_scan)
    store = ResultCache(tmp_path / "cache")
    scan(root, scanners=["secrets"], cache=store)
    assert len(_entries(store)) == 1  # b.env only


def test_findings_outside_the_scanned_units_cache_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "repo", {"a.env": "A=1\n"})
    real = SecretsScanner.scan
    stray = paved_finding(NOT_SCANNED, "elsewhere.env", "not from this scan")

    def with_stray(self: SecretsScanner, target: ScanTarget) -> tuple[Finding, ...]:
        return (*real(self, target), stray)

    monkeypatch.setattr(SecretsScanner, "scan", with_stray)
    store = ResultCache(tmp_path / "cache")
    assert scan(root, scanners=["secrets"], cache=store).findings == (stray,)
    assert _entries(store) == []


def test_partial_hits_scan_only_the_misses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path / "repo", {**SECRET_FILES, "notes.md": "# hi\n"})
    store = ResultCache(tmp_path / "cache")
    first = scan(root, scanners=["secrets"], cache=store)
    assert len(_entries(store)) == 3
    seen: list[tuple[str, ...]] = []
    real = SecretsScanner.scan

    def recording(self: SecretsScanner, target: ScanTarget) -> tuple[Finding, ...]:
        seen.append(target.files)
        return real(self, target)

    monkeypatch.setattr(SecretsScanner, "scan", recording)
    (root / "notes.md").write_text("# hello\n")
    again = scan(root, scanners=["secrets"], cache=store)
    assert seen == [("notes.md",)]
    assert again == first
    seen.clear()
    assert scan(root, scanners=["secrets"], cache=store) == first
    assert seen == []  # a scanner with nothing left to scan is not started
