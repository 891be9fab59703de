from __future__ import annotations

from pathlib import Path

import pytest

from pavedroad.errors import ConfigError, UserError
from pavedroad.findings import Severity
from pavedroad.policy import file as policy


def _write(root: Path, text: str) -> Path:
    (root / ".pavedroad").mkdir(parents=True, exist_ok=True)
    (root / policy.POLICY_PATH).write_text(text)
    return root


def test_default_policy_when_absent(tmp_path: Path) -> None:
    pol = policy.load(tmp_path)
    assert set(pol.stages) == set(policy.STANDARD_STAGES)
    assert pol.stage("pr").block is Severity.HIGH
    assert pol.stage("nightly").block is None


def test_full_policy_parses(tmp_path: Path) -> None:
    pol = policy.load(
        _write(
            tmp_path,
            "version: 1\nstages:\n  pr: {scope: changed, block: critical, warn: low}\n"
            "severity_overrides: {CKV_DOCKER_2: high}\n"
            "exceptions: {max_days: 30, inline_suppressions: warn}\n",
        )
    )
    assert pol.stage("pr").scope == "changed"
    assert pol.severity_overrides == {"CKV_DOCKER_2": Severity.HIGH}
    assert pol.max_days == 30 and pol.inline_suppressions == "warn"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 1\nstages:\n  pr: {scope: all}\n", "stages.pr.scope: Input should be"),
        ("version: 1\nstages:\n  pr: {scope: full, block: severe}\n", "stages.pr.block"),
        ("version: 1\nstages:\n  pr: {scope: full, blok: high}\n", "stages.pr.blok: Extra inputs"),
        ("version: 2\nstages:\n  pr: {scope: full}\n", "version: Input should be 1"),
        ("stages:\n  pr: {scope: full}\n", "version: Field required; add it"),
        (
            "version: 1\nstages:\n  pr: {scope: full, block: low, ticket: high}\n",
            "stages.pr: block (low) is below ticket (high)",
        ),
        ("version: 1\nstages: {pr: {scope: full}}\nexceptions: {max_days: 0}\n", "max_days"),
        ("version: 1\nstages: [\n", "invalid YAML"),
    ],
)
def test_malformed_policy_names_the_field(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        policy.load(_write(tmp_path, text))
    assert str(info.value).startswith(".pavedroad/policy.yaml: ")
    assert expected in str(info.value)


def test_unknown_stage_lists_stages(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="unknown stage 'prod'; .* defines: pre-commit, pr"):
        policy.load(tmp_path).stage("prod")
