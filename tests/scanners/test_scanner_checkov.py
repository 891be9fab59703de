"""checkov adapter: real scans of small vulnerable repositories, plus output parsing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from tests.scanners.conftest import GuardedRun
from tests.scanners.helpers import SITECUSTOMIZE

from pavedroad import proc
from pavedroad.errors import ScannerError
from pavedroad.findings import Finding, Severity
from pavedroad.scan.workspace import collect
from pavedroad.scanners import checkov, checkov_names
from pavedroad.scanners.checkov import CheckovScanner
from pavedroad.scanners.interface import ScanTarget


def _one(findings: tuple[Finding, ...], rule: str, path: str) -> Finding:
    hits = [f for f in findings if f.rule_id == rule and f.path == path]
    assert len(hits) == 1, [(f.rule_id, f.path) for f in findings]
    return hits[0]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("rule", "path", "severity", "resource"),
    [
        ("CKV_K8S_16", "deploy/web.yaml", Severity.CRITICAL, "Deployment.default.web"),
        ("CKV_AWS_20", "infra/main.tf", Severity.CRITICAL, "aws_s3_bucket.data"),
        ("CKV_GHA_2", ".github/workflows/triage.yml", Severity.CRITICAL, "jobs(echo).steps[1]"),
        ("CKV_DOCKER_8", "Dockerfile", Severity.HIGH, "Dockerfile.USER"),
        ("CKV_DOCKER_7", "Dockerfile", Severity.MEDIUM, "Dockerfile.FROM"),
    ],
)
def test_finds_known_issue(
    checkov_findings: tuple[Finding, ...], rule: str, path: str, severity: Severity, resource: str
) -> None:
    finding = _one(checkov_findings, rule, path)
    assert (finding.scanner, finding.severity, finding.resource) == ("checkov", severity, resource)
    assert not finding.inline_suppressed
    assert finding.start_line >= 1 and finding.end_line >= finding.start_line
    assert finding.title and finding.fix and finding.docs_url.startswith("https://")


@pytest.mark.slow
def test_paths_and_resources_are_repo_relative(
    checkov_findings: tuple[Finding, ...], iac_repo: Path
) -> None:
    for finding in checkov_findings:
        assert not finding.path.startswith("/") and (iac_repo / finding.path).is_file()
        assert str(iac_repo) not in finding.resource + finding.message


@pytest.mark.slow
def test_inline_skip_is_reported_as_suppressed(checkov_findings: tuple[Finding, ...]) -> None:
    finding = _one(checkov_findings, "CKV_AWS_20", "infra/site.tf")
    assert finding.inline_suppressed
    assert "public website assets" in finding.message
    assert finding.severity is Severity.CRITICAL


@pytest.mark.slow
@pytest.mark.parametrize("path", ["broken/main.tf", "broken/pod.yaml"])
def test_unparsable_files_are_parse_error_findings(
    checkov_findings: tuple[Finding, ...], path: str
) -> None:
    finding = _one(checkov_findings, "PAVED_PARSE_ERROR", path)
    assert finding.severity is Severity.HIGH
    assert finding.scanner == "checkov"


@pytest.mark.slow
def test_fingerprints_survive_inserted_lines(
    checkov_findings: tuple[Finding, ...], guarded_shifted_run: GuardedRun
) -> None:
    before = {(f.rule_id, f.path, f.fingerprint): f.start_line for f in checkov_findings}
    after = {(f.rule_id, f.path, f.fingerprint): f.start_line for f in guarded_shifted_run.findings}
    assert before.keys() == after.keys()
    moved = [key for key in before if after[key] != before[key]]
    assert any(rule == "CKV_K8S_16" for rule, _, _ in moved)


@pytest.mark.slow
def test_checkov_stays_offline(guarded_shifted_run: GuardedRun) -> None:
    assert not guarded_shifted_run.log.exists(), guarded_shifted_run.log.read_text()
    assert any(f.rule_id == "CKV_AWS_20" for f in guarded_shifted_run.findings)


def test_network_guard_records_attempts(tmp_path: Path) -> None:
    """The guard the offline test relies on does catch a lookup in a child process."""
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = tmp_path / "net.log"
    env = {"PYTHONPATH": str(tmp_path), "NETGUARD_LOG": str(log)}
    code = "import socket\ntry:\n    socket.getaddrinfo('pypi.org', 443)\nexcept OSError:\n    pass"
    proc.run([sys.executable, "-c", code], tool="python", env=env)
    assert "pypi.org" in log.read_text(encoding="utf-8")


def test_offline_settings_are_passed() -> None:
    for key in ("CKV_SKIP_PACKAGE_UPDATE_CHECK", "BC_SKIP_MAPPING", "BC_API_KEY"):
        assert key in checkov.OFFLINE_ENV
    args = checkov.command("checkov", Path("/repo"), ["a.tf"])
    assert "--skip-download" in args and "secrets" not in args
    assert args[-2:] == ["--file", "/repo/a.tf"]


def test_no_checkov_files_means_no_run(tmp_path: Path) -> None:
    scanner = CheckovScanner(executable="/nonexistent/checkov")
    assert scanner.scan(ScanTarget(tmp_path, ("README.md", "src/app.py"))) == ()


def test_selects_iac_files_only() -> None:
    files = ("Dockerfile", "web.Dockerfile", "a.tf", "b.tfvars", "k.yaml", "x.json", "app.py")
    assert checkov.select_files(files) == files[:-1]


def test_terraform_context_adds_module_siblings(tmp_path: Path) -> None:
    for name in ("main.tf", "variables.tf", "prod.tfvars", "README.md"):
        (tmp_path / "infra").mkdir(exist_ok=True)
        (tmp_path / "infra" / name).write_text("", encoding="utf-8")
    got = checkov.terraform_context(tmp_path, ["infra/main.tf", "app.py"])
    assert set(got) == {"infra/main.tf", "app.py", "infra/variables.tf", "infra/prod.tfvars"}


def _done(stdout: str, code: int = 1, stderr: str = "") -> proc.Completed:
    return proc.Completed(("checkov",), code, stdout, stderr)


def test_parses_single_report_and_summary_only_outputs() -> None:
    report = {"check_type": "terraform", "results": {"failed_checks": []}, "summary": {}}
    assert checkov.parse_output(_done(json.dumps(report))) == [report]
    summary = {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0}
    assert checkov.parse_output(_done(json.dumps(summary), code=0)) == []
    assert checkov.parse_output(_done(json.dumps([report, summary]))) == [report]


@pytest.mark.parametrize(
    ("done", "needle"),
    [
        (_done("", code=2, stderr="Traceback\nValueError: boom"), "ValueError: boom"),
        (_done("Checks passed, hooray"), "not JSON"),
        (_done('{"unexpected": true}'), "without results"),
        (_done("[1, 2]"), "unexpected JSON"),
    ],
)
def test_bad_output_fails_closed(done: proc.Completed, needle: str) -> None:
    with pytest.raises(ScannerError) as caught:
        checkov.parse_output(done)
    assert caught.value.scanner == "checkov" and needle in caught.value.reason


def test_unmapped_check_is_graded_high_and_flagged(tmp_path: Path) -> None:
    result = {
        "check_id": "CKV_FUTURE_999",
        "check_name": "A check newer than the map",
        "file_abs_path": str(tmp_path / "main.tf"),
        "file_line_range": [0, 0],
        "resource": "aws_thing.x",
    }
    finding = checkov.check_finding(result, tmp_path, suppressed=False)
    assert (
        finding.severity is Severity.HIGH and "not in Paved Road's severity map" in finding.message
    )
    assert (finding.path, finding.start_line, finding.end_line) == ("main.tf", 1, 1)
    assert finding.docs_url == checkov.DEFAULT_DOCS


def test_ckv_check_in_environment_makes_checkov_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CKV_CHECK", "CKV_AWS_1")
    assert "CKV_CHECK" in (CheckovScanner().unavailable_reason() or "")


def test_helm_templates_are_not_yaml_checked(tmp_path: Path) -> None:
    chart = tmp_path / "chart" / "templates"
    chart.mkdir(parents=True)
    (chart / "deploy.yaml").write_text("replicas: {{ .Values.replicas }\n  bad: [", "utf-8")
    (tmp_path / "tags.yaml").write_text("a: !Ref Thing\nb: !reference [x, y]\n", "utf-8")
    files = ["chart/templates/deploy.yaml", "tags.yaml"]
    assert list(checkov.yaml_parse_errors(tmp_path, files)) == []


@pytest.mark.slow
def test_launcher_finds_exactly_what_the_console_script_finds(
    iac_repo: Path, checkov_findings: tuple[Finding, ...]
) -> None:
    beside = Path(sys.executable).parent / "checkov"
    script = CheckovScanner(executable=str(beside)).scan(collect(iac_repo).target())
    assert sorted(script, key=repr) == sorted(checkov_findings, key=repr)
    assert len(checkov_findings) > 10


def test_checkov_beside_this_python_starts_through_the_launcher(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[list[str]] = []

    def fake_run(argv: list[str], **_: object) -> proc.Completed:
        seen.append(argv)
        return proc.Completed(tuple(argv), 0, "[]", "")

    monkeypatch.setattr(proc, "run", fake_run)
    monkeypatch.setenv("PAVED_WARM_CHECKOV", "0")
    (tmp_path / "main.tf").write_text("")
    target = ScanTarget(tmp_path, ("main.tf",))
    for scanner in (CheckovScanner(), CheckovScanner(executable=sys.executable)):
        with pytest.raises(ScannerError, match="canary"):  # "[]" answers nothing: never a pass
            scanner.scan(target)  # an explicit program runs as is
    assert seen[0][:3] == [sys.executable, "-c", checkov.LAUNCHER]
    assert seen[1][0] == sys.executable and seen[1][1] == "--framework"
    assert seen[0][3:-1] == seen[1][1:-1]  # the last argument: each run's own canary


@pytest.mark.parametrize(
    ("name", "copied"),
    [
        ("Containerfile", True),
        ("sub/api.Containerfile", True),
        ("Containerfile.prod", True),
        ("Dockerfile", False),
        ("api.dockerfile", False),
        ("Dockerfile.prod", False),
        ("main.tf", False),
    ],
)
def test_only_names_checkov_skips_are_copied(name: str, copied: bool) -> None:
    assert checkov_names.needs_copy(name) is copied


@pytest.mark.slow
def test_containerfiles_get_checkovs_dockerfile_checks(tmp_path: Path) -> None:
    body = "FROM ubuntu:latest\nRUN echo hi\n"
    files = {"Containerfile": body, "sub/api.Containerfile": body, "Dockerfile": body}
    root = tmp_path / "repo"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    found = CheckovScanner().scan(collect(root).target())
    for rel in files:
        latest = _one(found, "CKV_DOCKER_7", rel)
        assert latest.resource == f"{rel}.FROM" and latest.start_line == 1
        assert _one(found, "CKV_DOCKER_3", rel).severity is Severity.HIGH
    assert len({f.fingerprint for f in found}) == len(found)


def test_unreadable_containerfile_fails_closed(tmp_path: Path) -> None:
    (tmp_path / "Containerfile").mkdir()  # a folder where a file should be: unreadable
    with pytest.raises(ScannerError, match="could not read Containerfile"):
        checkov_names.copy_unreadable(tmp_path, ["Containerfile"], tmp_path / "copies")
