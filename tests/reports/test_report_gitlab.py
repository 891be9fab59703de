"""GitLab Code Quality: the fields GitLab reads, with the mapped severity."""

from __future__ import annotations

import json
from typing import Any

from pavedroad.gate.result import GateResult
from pavedroad.reports.gitlab import GitlabReporter

REPORTER = GitlabReporter()


def _issues(result: GateResult) -> list[dict[str, Any]]:
    issues: list[dict[str, Any]] = json.loads(REPORTER.render(result))
    return issues


def test_each_issue_has_the_code_quality_fields(mixed: GateResult) -> None:
    issues = _issues(mixed)
    assert len(issues) == len(mixed.findings)
    for item in issues:
        assert set(item) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert item["description"] and item["check_name"]
        assert item["location"]["lines"]["begin"] >= 1
        assert not item["location"]["path"].startswith("/")
    assert len({item["fingerprint"] for item in issues}) == len(issues)


def test_severity_follows_the_finding_and_excepted_is_info(mixed: GateResult) -> None:
    by_rule = {item["check_name"]: item for item in _issues(mixed)}
    assert {rule: item["severity"] for rule, item in by_rule.items()} == {
        "CKV_AWS_20": "blocker",
        "SecretKeyword": "critical",
        "DL3008": "major",
        "DL3059": "minor",
        "CKV_DOCKER_2": "info",
        "CKV_AWS_18": "info",
    }
    assert "excepted: EXC-0042" in by_rule["CKV_AWS_18"]["description"]
    assert by_rule["CKV_AWS_20"]["description"].startswith("[block] S3 bucket ACL")
    assert "Fix: Remove the public-read ACL" in by_rule["CKV_AWS_20"]["description"]


def test_fingerprint_is_the_finding_fingerprint(mixed: GateResult) -> None:
    expected = {g.finding.fingerprint for g in mixed.findings}
    assert {item["fingerprint"] for item in _issues(mixed)} == expected


def test_whole_file_finding_begins_at_line_one(mixed: GateResult) -> None:
    item = next(i for i in _issues(mixed) if i["check_name"] == "CKV_DOCKER_2")
    assert item["location"] == {"path": "Dockerfile", "lines": {"begin": 1}}


def test_empty_result_is_an_empty_array(empty: GateResult) -> None:
    assert REPORTER.render(empty) == "[]"
