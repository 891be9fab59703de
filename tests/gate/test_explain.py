"""`paved explain`: the rule's entry, and why each finding gets its verdict at a stage."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pavedroad.cli import app
from pavedroad.errors import UserError
from pavedroad.findings import Finding, Severity, fingerprint
from pavedroad.gate import explain as core
from pavedroad.gate.evaluate import hold
from pavedroad.gate.explain_render import render
from pavedroad.gate.result import GatedFinding, Hold, Verdict
from pavedroad.policy.file import Policy, Stage

RUNNER = CliRunner()
ENV = {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"}
RELEASE = Stage("release", "full", Severity.HIGH, Severity.MEDIUM, Severity.LOW)


def _finding(rule_id: str = "CKV_DOCKER_8", severity: Severity = Severity.HIGH) -> Finding:
    return Finding(
        scanner="checkov",
        rule_id=rule_id,
        title="Ensure the last USER is not root",
        severity=severity,
        path="Dockerfile",
        start_line=2,
        end_line=2,
        resource="Dockerfile.USER",
        message="m",
        fix="f",
        docs_url="https://example.test/doc",
        fingerprint=fingerprint("checkov", rule_id, "Dockerfile", "Dockerfile.USER"),
    )


def test_rule_entry_has_severity_class_fix_and_snippet() -> None:
    info = core.rule_info("ckv_k8s_20")  # any case
    assert info.rule_id == "CKV_K8S_20" and info.severity is Severity.HIGH
    out = render(core.Explanation(info), "text", width=100)
    assert out.splitlines()[0] == (
        "CKV_K8S_20  Containers should not run with allowPrivilegeEscalation"
    )
    assert "class: privileged: CWE-250; OWASP A05:2021 Security Misconfiguration" in out
    assert "fix: Set securityContext.allowPrivilegeEscalation: false" in out
    assert "compliant example in the catalog (templates/k8s-workload/" in out
    assert all(len(line) <= 100 for line in out.splitlines() if not line.startswith("docs:"))


def test_own_rule_takes_title_and_fix_from_its_rule() -> None:
    info = core.rule_info("PAVED_REMOTE_ADD")
    assert info.title == "Remote file added to the image without a checksum"
    assert info.fix.startswith("Pin the download")


def test_unknown_rule_suggests_close_matches() -> None:
    with pytest.raises(UserError) as caught:
        core.rule_info("CKV_K8S_200")
    assert "did you mean CKV_K8S_20" in str(caught.value)
    result = RUNNER.invoke(app, ["explain", "DL9999"], env=ENV)
    assert result.exit_code == 2
    assert "unknown rule id" in result.stderr and "Traceback" not in result.output


def test_held_finding_says_what_the_thresholds_alone_would_do() -> None:
    finding = _finding()
    blocked = GatedFinding(finding, Verdict.BLOCK, "high >= block threshold high")
    observing = Stage(
        "release",
        "full",
        Severity.HIGH,
        Severity.MEDIUM,
        None,
        "observe",
        dt.date(2999, 1, 1),
    )
    held = hold(blocked, observing, None, dt.date(2026, 1, 1))
    assert held.held is Hold.OBSERVE
    policy = Policy(
        stages={"release": observing}, severity_overrides={"CKV_DOCKER_8": Severity.HIGH}
    )
    why = core._why(held, observing, policy)
    explanation = core.Explanation(
        core.rule_info("CKV_DOCKER_8"), "/repo", "release", core.stage_summary(observing), (why,)
    )
    out = render(explanation, "text", width=100)
    assert "TICKET   Dockerfile:2" in out
    assert "thresholds alone: block: high >= block threshold high" in out
    assert "held: observe" in out
    assert "severity_overrides grades CKV_DOCKER_8 high" in out
    assert f"exception: paved exceptions request {finding.short_ref}" in out
    data = json.loads(render(explanation, "json"))
    assert data["findings"][0]["held"] == "observe"
    assert data["findings"][0]["thresholds"].startswith("block:")
    assert "| ticket | `Dockerfile:2` |" in render(explanation, "markdown")


def _repo(root: Path) -> Path:
    root.mkdir()
    (root / "Dockerfile").write_text("FROM alpine:3.19\nUSER root\n", encoding="utf-8")
    git = ["git", "-c", "user.email=t@example.test", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    subprocess.run([*git, "-C", str(root), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(root), "commit", "-qm", "init"], check=True)
    return root


@pytest.mark.slow
def test_repository_findings_get_the_gates_verdict_and_exception_command(
    tmp_path: Path,
) -> None:
    repo = _repo(tmp_path / "svc")
    env = {**ENV, "PAVED_CACHE_DIR": str(tmp_path / "cache")}
    args = ["explain", "CKV_DOCKER_8", "--path", str(repo), "-q"]
    done = RUNNER.invoke(app, [*args, "--stage", "release"], env=env)
    assert done.exit_code == 0, done.output
    assert "BLOCK    Dockerfile:2" in done.stdout
    assert "why: high >= block threshold high at stage release" in done.stdout
    assert re.search(r"exception: paved exceptions request [0-9a-f]{12}\n", done.stdout)
    nightly = RUNNER.invoke(app, [*args, "--stage", "nightly", "-f", "json"], env=env)
    found = json.loads(nightly.stdout)["findings"]
    assert [(f["verdict"], f["reason"]) for f in found] == [
        ("ticket", "high >= ticket threshold low")
    ]
