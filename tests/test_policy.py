from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pavedroad.errors import ConfigError, UserError
from pavedroad.findings import Severity
from pavedroad.policy import file as policy
from pavedroad.policy.compare import compare_policies


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


OBSERVE = "version: 1\nstages:\n  pr: {scope: changed, block: high, mode: observe, %s}\n"


def test_observe_mode_until_its_date(tmp_path: Path) -> None:
    stage = policy.load(_write(tmp_path, OBSERVE % "enforce_from: 2027-01-15")).stage("pr")
    assert (stage.mode, stage.enforce_from) == ("observe", dt.date(2027, 1, 15))
    assert stage.observing(dt.date(2027, 1, 14))
    assert not stage.observing(dt.date(2027, 1, 15))  # the date itself enforces
    assert policy.load(tmp_path / "none").stage("pr").mode == "enforce"  # the default


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "version: 1\nstages:\n  pr: {scope: changed, mode: observe}\n",
            "stages.pr: mode: observe needs enforce_from; add enforce_from: YYYY-MM-DD",
        ),
        (
            "version: 1\nstages:\n  pr: {scope: changed, enforce_from: 2027-01-15}\n",
            "stages.pr: enforce_from is only read with mode: observe; remove it or set",
        ),
        (OBSERVE % "enforce_from: next spring", "stages.pr.enforce_from: 'next spring' is not a"),
        (OBSERVE % "enforce_from: 2027-13-01", "write it as YYYY-MM-DD"),
        (
            "version: 1\nstages:\n  pr: {scope: changed, mode: watch}\n",
            "stages.pr.mode: Input should be 'enforce' or 'observe'",
        ),
    ],
)
def test_malformed_observe_mode_names_the_field(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        policy.load(_write(tmp_path, text))
    assert str(info.value).startswith(".pavedroad/policy.yaml: ")
    assert expected in str(info.value)


def _stage(**extra: str) -> policy.Policy:
    pr = {"scope": "changed", "block": "high", "ticket": "medium", **extra}
    return policy.parse({"version": 1, "stages": {"pr": pr}}, "policy.yaml")


@pytest.mark.parametrize(
    ("reference", "today", "weaker"),
    [
        ({}, dt.date(2027, 1, 14), False),  # a rollout in progress is accepted
        ({}, dt.date(2027, 1, 15), True),  # from its date, still saying observe is drift
        ({"mode": "observe", "enforce_from": "2027-01-01"}, dt.date(2027, 1, 10), True),
        ({"mode": "observe", "enforce_from": "2027-02-01"}, dt.date(2027, 1, 10), False),
    ],
    ids=["before-date", "after-date", "later-than-template", "earlier-than-template"],
)
def test_drift_accepts_observe_until_its_date(
    reference: dict[str, str], today: dt.date, weaker: bool
) -> None:
    actual = _stage(mode="observe", enforce_from="2027-01-15")
    changes = compare_policies(_stage(**reference), actual, today=today)
    assert [(c.field, c.weaker) for c in changes] == [("stages.pr.mode", weaker)]
    assert changes[0].actual.startswith("observe until 2027-01-15")


def test_enforcing_where_the_template_observes_is_not_weaker() -> None:
    template = _stage(mode="observe", enforce_from="2027-01-15")
    changes = compare_policies(template, _stage(), today=dt.date(2027, 2, 1))
    assert [(c.field, c.actual, c.weaker) for c in changes] == [
        ("stages.pr.mode", "enforce", False)
    ]


def test_a_change_that_starts_observing_is_weaker_than_its_merge_base() -> None:
    head = _stage(mode="observe", enforce_from="2027-01-15")
    changes = compare_policies(_stage(), head, today=dt.date(2027, 1, 1), observe_accepted=False)
    assert [(c.field, c.weaker) for c in changes] == [("stages.pr.mode", True)]
