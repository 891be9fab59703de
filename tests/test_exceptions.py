"""Exception records: validation against the policy, matching, expiry (time injected)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from pavedroad.errors import ConfigError
from pavedroad.exceptions import records as exceptions
from pavedroad.findings import Finding, Severity, fingerprint
from pavedroad.gate import evaluate as gate
from pavedroad.gate.result import Verdict
from pavedroad.policy import file as policy

TODAY = dt.date(2026, 3, 1)
POLICY = policy.parse(policy.DEFAULT_POLICY, "policy.yaml")
SEVERITIES = {
    "CKV_K8S_43": Severity.MEDIUM,
    "CKV_AWS_20": Severity.HIGH,
    "SECRET_X": Severity.CRITICAL,
}


def severity_of(rule: str) -> Severity | None:
    return SEVERITIES.get(rule)


def record(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "EXC-0001",
        "rule": "CKV_K8S_43",
        "paths": ["deploy/*.yaml"],
        "justification": "image digest is set by the release pipeline",
        "owner": "@acme/payments",
        "approver": "@acme/security",
        "created": dt.date(2026, 2, 1),
        "expires": dt.date(2026, 4, 1),
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def load(*records: dict[str, Any]) -> tuple[exceptions.ExceptionRecord, ...]:
    return exceptions.parse(
        {"version": 1, "exceptions": list(records)}, POLICY, severity_of, "exceptions.yaml"
    )


def error(*records: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as info:
        load(*records)
    return str(info.value)


def test_valid_record_loads() -> None:
    (rec,) = load(record())
    assert rec.status(TODAY, 14) == "active"
    assert rec.status(dt.date(2026, 3, 25), 14) == "expiring"
    assert rec.status(dt.date(2026, 4, 2), 14) == "expired"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"justification": "  "}, "exceptions[0] (EXC-0001).justification: Value error, must not"),
        ({"owner": ""}, "exceptions[0] (EXC-0001).owner:"),
        ({"owner": None}, "exceptions[0] (EXC-0001).owner: Field required; add it"),
        ({"rule": "CKV_NOPE_1"}, "exceptions[0] (EXC-0001).rule: unknown rule id 'CKV_NOPE_1'"),
        ({"expires": dt.date(2026, 1, 1)}, "(EXC-0001).expires: must be after created"),
        ({"expires": dt.date(2026, 9, 1)}, "exceeds the policy cap of 90; expire on or before"),
        ({"expires": "01/04/2026"}, "(EXC-0001).expires: not a date; use YYYY-MM-DD"),
        (
            {"rule": "CKV_AWS_20"},
            "(EXC-0001).controls: CKV_AWS_20 is high, and the policy requires",
        ),
        (
            {"rule": "SECRET_X", "paths": ["**"], "controls": ["rotated"]},
            "(EXC-0001).paths: a glob matching every file is not allowed for the critical rule",
        ),
        ({"id": "exc 1"}, "exceptions[0] (exc 1).id: Value error, 'exc 1' is not an exception id"),
        ({"colour": "red"}, "exceptions[0] (EXC-0001).colour: Extra inputs are not permitted"),
    ],
)
def test_invalid_records_name_the_record_and_fix(overrides: dict[str, Any], expected: str) -> None:
    message = error(record(**overrides))
    assert message.startswith("exceptions.yaml: ")
    assert expected.replace("Value error, ", "") in message


def test_duplicate_ids() -> None:
    assert "exceptions[1] (EXC-0001).id: duplicate of exceptions[0]" in error(record(), record())


def test_yaml_syntax_error(tmp_path: Any) -> None:
    (tmp_path / ".pavedroad").mkdir()
    (tmp_path / exceptions.EXCEPTIONS_PATH).write_text("version: 1\nexceptions: [\n")
    with pytest.raises(ConfigError, match="exceptions.yaml: line .*invalid YAML"):
        exceptions.load(tmp_path, POLICY, severity_of)


def _finding(path: str = "deploy/app.yaml", rule: str = "CKV_K8S_43") -> Finding:
    return Finding(
        scanner="checkov",
        rule_id=rule,
        title="Image should use digest",
        severity=Severity.HIGH,
        path=path,
        start_line=3,
        end_line=9,
        resource="Deployment.default.app",
        message="m",
        fix="f",
        docs_url="https://x.invalid",
        fingerprint=fingerprint("checkov", rule, path, "Deployment.default.app"),
    )


def _gate(today: dt.date, *recs: exceptions.ExceptionRecord, stage: str = "pr") -> Any:
    return gate.evaluate(
        [_finding()],
        POLICY,
        stage,
        root=".",
        files_scanned=1,
        scanners=("checkov",),
        exceptions=recs,
        today=today,
    )


def test_active_exception_turns_block_into_excepted() -> None:
    result = _gate(TODAY, *load(record()))
    assert [g.verdict for g in result.findings] == [Verdict.EXCEPTED]
    assert "EXC-0001" in result.findings[0].reason
    assert not result.blocked


def test_expired_exception_reactivates_the_gate_and_names_owner() -> None:
    result = _gate(dt.date(2026, 4, 2), *load(record()))
    assert result.blocked
    assert "exception EXC-0001 (owner @acme/payments) expired on 2026-04-01" in (
        result.findings[0].reason
    )
    assert any(
        n.startswith("expired: exception EXC-0001 (owner @acme/payments)") for n in result.notes
    )


def test_expiring_soon_warns() -> None:
    result = _gate(dt.date(2026, 3, 25), *load(record()))
    assert any(n.startswith("expiring: exception EXC-0001") for n in result.notes)


def test_stale_exception_is_reported_on_full_scans() -> None:
    stale = load(record(paths=["infra/*.tf"]))
    assert any(
        n.startswith("stale: exception EXC-0001")
        for n in _gate(TODAY, *stale, stage="nightly").notes
    )


def test_resource_and_fingerprint_narrow_the_match() -> None:
    finding = _finding()
    (wrong_res,) = load(record(resource="Deployment.default.other"))
    (right_fp,) = load(record(fingerprint=finding.fingerprint[:12]))
    (wrong_fp,) = load(record(fingerprint="0" * 12))
    assert not wrong_res.matches(finding)
    assert right_fp.matches(finding)
    assert not wrong_fp.matches(finding)


def test_exception_does_not_cover_other_paths() -> None:
    (rec,) = load(record())
    assert not rec.matches(_finding(path="other/app.yaml"))


# Every spelling of "every file" (issue 20, item 8), and globs that name something real.
CATCH_ALLS = [
    "*",
    "**",
    "**/*",
    "*/**",
    "/**",
    "?*",
    "*/*",
    "[!.]*",
    " * ",
    "*?",
    "[a-z]*/**",
    "[!/]*",
    "**/**/*",
    "[]]*",
    "*[!~]",
]
NARROW = ["deploy/*.yaml", "*.tf", "src/**", "Dockerfile", "keys/deploy.pem", "*.*", "a*", ""]


@pytest.mark.parametrize("glob", CATCH_ALLS)
def test_every_catch_all_spelling_is_refused_for_a_critical_rule(glob: str) -> None:
    rec = record(rule="SECRET_X", paths=["keys/a.pem", glob], controls=["rotated"])
    assert "(EXC-0001).paths: a glob matching every file is not allowed" in error(rec)


@pytest.mark.parametrize("glob", CATCH_ALLS)
def test_catch_alls_are_recognised_by_what_they_match(glob: str) -> None:
    assert exceptions.is_catch_all(glob)


@pytest.mark.parametrize("glob", NARROW)
def test_globs_with_a_literal_part_are_not_catch_alls(glob: str) -> None:
    assert not exceptions.is_catch_all(glob)
    if glob:
        (rec,) = load(record(rule="SECRET_X", paths=[glob], controls=["rotated"]))
        assert rec.paths == (glob,)


@pytest.mark.parametrize("glob", ["?*", "*/*", "[!.]*", "**"])
def test_gate_refuses_a_catch_all_exception_end_to_end(tmp_path: Path, glob: str) -> None:
    from tests.scanners.helpers import SECRET_FILES, write_tree
    from typer.testing import CliRunner

    from pavedroad.cli import app

    today = dt.date.today()
    body = (
        "version: 1\nexceptions:\n  - id: EXC-0001\n    rule: AWSKeyDetector\n"
        f"    paths: [{json.dumps(glob)}]\n    justification: test key\n"
        "    owner: '@acme/a'\n    approver: '@acme/b'\n"
        f"    created: {today}\n    expires: {today + dt.timedelta(days=30)}\n"
        "    controls: [rotated]\n"
    )
    root = write_tree(tmp_path, {**SECRET_FILES, ".pavedroad/exceptions.yaml": body})
    result = CliRunner().invoke(app, ["gate", str(root), "--stage", "release", "--no-cache"])
    assert result.exit_code == 2, result.stdout
    assert result.stderr.startswith(
        "error: .pavedroad/exceptions.yaml: exceptions[0] (EXC-0001).paths: a glob matching"
    )
