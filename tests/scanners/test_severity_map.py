"""The severity map grades every check the installed checkov can emit, and only from the script."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from pavedroad.findings import Severity
from pavedroad.scanners import checkov as checkov_adapter
from pavedroad.scanners import checkov_severity as severity

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gen_severity.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_severity", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def installed() -> dict[str, set[str]]:
    """Every check id of the installed checkov in the scanned frameworks (+ secrets)."""
    checks: dict[str, set[str]] = _generator().installed_checks()
    return checks


@pytest.mark.slow
def test_severity_covers_every_check(installed: dict[str, set[str]]) -> None:
    missing = sorted(set(installed) - set(severity.checkov_map()))
    assert missing == []
    assert len(installed) > 1000


@pytest.mark.slow
def test_committed_map_is_the_generated_one() -> None:
    generator = _generator()
    committed = (
        SCRIPT.parents[1] / "src/pavedroad/scanners/checkov_severity/checkov.yaml"
    ).read_text("utf-8")
    assert committed == generator.generate(), "run python scripts/gen_severity.py"


def test_map_was_generated_for_the_installed_checkov() -> None:
    from checkov.version import version

    assert severity.checkov_version() == version


def test_frameworks_match_the_adapter() -> None:
    generator = _generator()
    assert set(checkov_adapter.FRAMEWORKS) | {"secrets"} == set(generator.FRAMEWORKS)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("CKV_K8S_16", Severity.CRITICAL),
        ("CKV_AWS_20", Severity.CRITICAL),
        ("CKV_GHA_2", Severity.CRITICAL),
        ("CKV_SECRET_2", Severity.CRITICAL),
        ("CKV_DOCKER_8", Severity.HIGH),
        ("CKV_AWS_18", Severity.MEDIUM),
        ("CKV_DOCKER_2", Severity.LOW),
        ("CKV_DOCKER_6", Severity.INFO),
    ],
)
def test_important_checks(rule: str, expected: Severity) -> None:
    assert severity.severity_for(rule) is expected


def test_unknown_ids_are_graded_high_and_flagged() -> None:
    assert severity.severity_for("CKV_NOT_A_CHECK_1") is Severity.HIGH
    assert severity.lookup("CKV_NOT_A_CHECK_1") is None
    assert not severity.is_known("CKV_NOT_A_CHECK_1")


def test_keyword_rules_order_most_severe_first() -> None:
    generator = _generator()
    assert (
        generator.classify("Ensure no security groups allow ingress from 0.0.0.0:0 to port 22")
        == "critical"
    )
    assert generator.classify("Ensure the EBS volume is encrypted") == "high"
    assert generator.classify("Ensure S3 bucket access logging is enabled") == "medium"
    assert generator.classify("Ensure the resource has a description") == "low"
