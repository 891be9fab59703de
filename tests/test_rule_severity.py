"""The severity a rule gets is the same wherever it is asked for: gate and exceptions alike."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pavedroad.findings import Severity
from pavedroad.scanners import checkov, hadolint, secrets
from pavedroad.scanners import checkov_severity as severity
from pavedroad.scanners.own_rules import RULES, paved_finding
from pavedroad.scanners.severities import rule_severity

# Dockerfile lines that make hadolint report many of its rules at their default level.
NOISY_DOCKERFILE = """\
FROM ubuntu
MAINTAINER someone@example.invalid
WORKDIR app
RUN cd /tmp && sudo apt-get update && apt-get install curl
RUN apt install wget && wget https://example.invalid/x | sh
RUN pip install requests && npm install -g left-pad && gem install rails
RUN apk add --update bash
ADD local.txt /x
CMD echo one
CMD echo two
ENTRYPOINT ["a"]
ENTRYPOINT ["b"]
FROM debian:latest
USER root
"""


def test_every_checkov_check_is_graded_alike() -> None:
    root = Path("/repo")
    for check_id, expected in severity.checkov_map().items():
        result = {"check_id": check_id, "file_path": "/main.tf", "file_line_range": [1, 2]}
        graded = checkov.check_finding(result, root, suppressed=False).severity
        assert graded == expected == rule_severity(check_id), check_id


def test_every_secrets_detector_is_graded_alike() -> None:
    for rule, expected in secrets.SEVERITIES.items():
        hit = secrets.Hit("a.py", 1, "Secret Keyword", "0" * 40, False)
        graded = secrets._finding(hit, rule, "new").severity
        assert graded == expected == rule_severity(rule), rule


def test_every_own_rule_is_graded_alike() -> None:
    for rule_id, rule in RULES.items():
        assert paved_finding(rule, "a.txt", "m").severity == rule_severity(rule_id), rule_id


@pytest.mark.parametrize("code", sorted(hadolint.DEFAULT_LEVELS))
def test_every_hadolint_rule_is_graded_alike(code: str) -> None:
    level = hadolint.DEFAULT_LEVELS[code]
    result = {"code": code, "file": "Dockerfile", "line": 1, "level": level, "message": "m"}
    pragmas = {"Dockerfile": hadolint.Pragmas(("FROM x",), {}, frozenset())}
    graded = hadolint.to_finding(result, pragmas).severity
    assert graded == hadolint.LEVELS[level] == rule_severity(code)


def test_sudo_is_high_for_the_gate_and_for_exceptions() -> None:
    """DL3004 was high in the gate but medium when an exception for it was validated."""
    assert rule_severity("DL3004") == Severity.HIGH


def test_shellcheck_codes_are_graded_alike_whatever_level_hadolint_reports() -> None:
    pragmas = {"Dockerfile": hadolint.Pragmas(("RUN x",), {}, frozenset())}
    for level in hadolint.LEVELS:
        result = {"code": "SC2086", "file": "Dockerfile", "line": 1, "level": level}
        assert hadolint.to_finding(result, pragmas).severity == rule_severity("SC2086")


def test_the_table_covers_every_rule_of_the_installed_hadolint() -> None:
    exe = hadolint.find_executable()
    assert exe is not None
    codes = set(re.findall(rb"DL[0-9]{4}", Path(exe).read_bytes()))
    off_by_default = {b"DL1000", b"DL1001", b"DL3057"}  # parse error; rules hadolint ignores
    missing = sorted(
        c.decode() for c in codes - off_by_default if c.decode() not in hadolint.DEFAULT_LEVELS
    )
    assert missing == [], "add these to hadolint.DEFAULT_LEVELS with their default level"
    assert len(codes) > 60


@pytest.mark.slow
def test_installed_hadolint_reports_the_levels_of_the_table(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(NOISY_DOCKERFILE, encoding="utf-8")
    (tmp_path / "local.txt").write_text("x\n", encoding="utf-8")
    results = hadolint.HadolintScanner()._run(tmp_path, ["Dockerfile"], None)
    reported = {str(r["code"]): str(r["level"]) for r in results if str(r["code"]).startswith("DL")}
    assert len(reported) >= 15, reported
    drift = {c: lvl for c, lvl in reported.items() if hadolint.DEFAULT_LEVELS.get(c) != lvl}
    assert drift == {}, "update hadolint.DEFAULT_LEVELS for the installed hadolint"


def test_exception_for_sudo_needs_the_controls_of_a_blocking_finding() -> None:
    from pavedroad.errors import ConfigError
    from pavedroad.exceptions import records as exceptions
    from pavedroad.policy import file as policy

    record = {
        "id": "EXC-0001",
        "rule": "DL3004",
        "paths": ["Dockerfile"],
        "justification": "base image needs it",
        "owner": "@a",
        "approver": "@b",
        "created": "2026-11-01",
        "expires": "2026-12-01",
    }
    pol = policy.parse(policy.DEFAULT_POLICY, "policy.yaml")
    with pytest.raises(ConfigError, match="DL3004 is high"):
        exceptions.parse({"version": 1, "exceptions": [record]}, pol, rule_severity, "x.yaml")
