"""JUnit XML: parses, counts are right, blocking findings fail with the fix in the body."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace

from pavedroad.findings import Finding
from pavedroad.gate.result import GatedFinding, GateResult, Verdict
from pavedroad.reports.junit import JunitReporter

REPORTER = JunitReporter()


def _parse(result: GateResult) -> ET.Element:
    return ET.fromstring(REPORTER.render(result))


def test_root_counts_match_verdicts(mixed: GateResult) -> None:
    root = _parse(mixed)
    assert root.tag == "testsuites"
    assert root.get("name") == "pavedroad gate pr"
    assert root.get("tests") == str(len(mixed.findings))
    assert root.get("failures") == str(len(mixed.with_verdict(Verdict.BLOCK))) == "2"
    assert root.get("skipped") == "1"
    assert root.get("errors") == "0"
    assert len(root.findall(".//failure")) == 2


def test_one_suite_per_scanner_with_its_own_counts(mixed: GateResult) -> None:
    suites = _parse(mixed).findall("testsuite")
    assert [s.get("name") for s in suites] == ["checkov", "hadolint", "detect-secrets"]
    for suite in suites:
        cases = suite.findall("testcase")
        assert suite.get("tests") == str(len(cases))
        assert suite.get("failures") == str(len(suite.findall("testcase/failure")))
        assert suite.get("skipped") == str(len(suite.findall("testcase/skipped")))
        assert all(c.get("classname") == suite.get("name") for c in cases)


def test_testcase_names_and_verdict_elements(mixed: GateResult) -> None:
    cases = {c.get("name"): c for c in _parse(mixed).iter("testcase")}
    assert set(cases) == {
        "CKV_AWS_20 infra/main.tf:12",
        "SecretKeyword config/dev settings.py:3",
        "DL3008 Dockerfile:5",
        "DL3059 Dockerfile:9",
        "CKV_DOCKER_2 Dockerfile",
        "CKV_AWS_18 infra/main.tf:12",
    }
    failure = cases["CKV_AWS_20 infra/main.tf:12"].find("failure")
    assert failure is not None and failure.get("type") == "block"
    assert failure.get("message") == "critical: S3 bucket ACL allows public READ access"
    body = failure.text or ""
    assert "fix: Remove the public-read ACL" in body
    assert "exception: paved exceptions request 28219321c0fa" in body
    skipped = cases["CKV_AWS_18 infra/main.tf:12"].find("skipped")
    assert skipped is not None and "EXC-0042" in (skipped.get("message") or "")
    out = cases["DL3008 Dockerfile:5"].find("system-out")
    assert out is not None and (out.text or "").startswith("verdict: ticket")
    assert cases["DL3008 Dockerfile:5"].find("failure") is None


def test_control_characters_do_not_break_the_xml(
    mixed: GateResult, finding_factory: Callable[..., Finding]
) -> None:
    nasty = finding_factory(message="bell \x07 and nul \x00 and <tag> & done")
    result = replace(mixed, findings=(GatedFinding(nasty, Verdict.BLOCK, "r\x1b"),))
    failure = _parse(result).find(".//failure")
    assert failure is not None
    assert "bell \\x07 and nul \\x00 and <tag> & done" in (failure.text or "")
    assert "blocks: r\\x1b" in (failure.text or "")


def test_empty_result_is_valid_with_zero_counts(empty: GateResult) -> None:
    root = _parse(empty)
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("0", "0", "0")
    assert len(root.findall("testsuite")) == 3


def test_no_scanner_still_gives_one_suite(empty: GateResult) -> None:
    root = _parse(replace(empty, scanners=()))
    assert [s.get("name") for s in root.findall("testsuite")] == ["pavedroad"]
