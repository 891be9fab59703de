"""The baseline: old findings are ticketed until an expiry, new ones are never covered."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from tests.helpers import VULNERABLE_FILES, write_tree
from typer.testing import CliRunner

from pavedroad.cli import app
from pavedroad.errors import ConfigError
from pavedroad.exceptions import baseline as baseline_file
from pavedroad.policy import file as policy
from pavedroad.scan import changes

RUNNER = CliRunner()
CREATED, EXPIRES, AFTER = "2026-11-30", "2026-12-30", "2026-12-31"
NEW_FILES = {"deploy/Dockerfile": "FROM python:3.12-slim\nUSER root\n"}


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed repository that already has findings (default policy: max_days 90)."""
    root = write_tree(tmp_path / "repo", dict(VULNERABLE_FILES))
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "start")
    monkeypatch.setenv("PAVED_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(root)
    return root


def paved(*args: str, today: str = CREATED) -> tuple[int, str]:
    result = RUNNER.invoke(app, list(args), env={"PAVED_TODAY": today, "COLUMNS": "100"})
    return result.exit_code, result.stdout + result.stderr


def _gate(today: str) -> tuple[int, str, dict[str, object]]:
    out = Path("..", "gate.json")  # outside the repository, or the next run would scan it
    code, text = paved(
        "gate", ".", "--stage", "release", "--format", "json", "--output", str(out), today=today
    )
    return code, text, json.loads(out.read_text(encoding="utf-8"))


def _blocking_paths(doc: dict[str, object]) -> set[str]:
    findings = doc["findings"]
    assert isinstance(findings, list)
    return {f["path"] for f in findings if f["verdict"] == "block"}


def test_baseline_covers_old_findings_never_new_ones_and_expires(repo: Path) -> None:
    code, _, before = _gate(CREATED)
    assert code == 1
    blocked = before["summary"]["block"]  # type: ignore[index]

    code, out = paved("baseline", "create", ".", "--days", "30")
    assert code == 0, out
    assert f"until {EXPIRES}" in out
    recorded = json.loads((repo / ".pavedroad/baseline.json").read_text(encoding="utf-8"))
    assert (recorded["created"], recorded["expires"]) == (CREATED, EXPIRES)
    entry = recorded["findings"][0]
    assert set(entry) == {"fingerprint", "rule_id", "path", "severity"}
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "baseline")

    code, out, doc = _gate(CREATED)
    assert code == 0, out
    assert doc["held"] == {"observe": 0, "baseline": blocked, "pre-existing": 0}
    findings = doc["findings"]
    assert isinstance(findings, list) and len(findings) == len(recorded["findings"])
    assert all(f["path"] != ".pavedroad/baseline.json" for f in findings)  # no secret to scanners
    assert f"Held back: {blocked} would block ({blocked} baseline)" in out

    write_tree(repo, NEW_FILES)  # introduced after the baseline: never covered
    code, out, doc = _gate(CREATED)
    assert code == 1, out
    assert _blocking_paths(doc) == {"deploy/Dockerfile"}
    assert doc["held"] == {"observe": 0, "baseline": blocked, "pre-existing": 0}

    code, out, doc = _gate(AFTER)  # expired: it covers nothing, and the gate says so
    assert code == 1
    assert _blocking_paths(doc) == {"deploy/Dockerfile", "Dockerfile", "config.py"}
    assert doc["held"] == {"observe": 0, "baseline": 0, "pre-existing": 0}
    notes = doc["notes"]
    assert isinstance(notes, list)
    assert any(f"baseline.json expired on {EXPIRES} and covers nothing" in n for n in notes)


def test_show_lists_what_was_recorded(repo: Path) -> None:
    assert paved("baseline", "show", ".")[1].startswith("no baseline:")
    code, out = paved("baseline", "create", ".", "--stage", "release")
    assert code == 0, out
    code, out = paved("baseline", "show", ".", today="2027-01-01")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(".pavedroad/baseline.json: ")
    assert "findings stage release blocked; expires 2027-02-28 (58 day(s) left)" in lines[0]
    assert any("AWSKeyDetector  config.py" in line for line in lines[1:])
    assert all("DL3007" not in line for line in lines)  # medium: release does not block it


def test_create_refuses_more_days_than_the_policy_and_a_second_baseline(repo: Path) -> None:
    code, out = paved("baseline", "create", ".", "--days", "91")
    assert code == 2
    assert "--days 91: must be between 1 and exceptions.max_days (90)" in out
    assert not (repo / ".pavedroad/baseline.json").exists()
    assert paved("baseline", "create", ".")[0] == 0
    code, out = paved("baseline", "create", ".")
    assert code == 2
    assert "a baseline exists (created 2026-11-30, expires 2027-02-28)" in out


def _baseline_text(expires: str = EXPIRES, **changes: object) -> str:
    doc = {
        "schema": "pavedroad/baseline/v1",
        "created": CREATED,
        "expires": expires,
        "stage": None,
        "findings": [
            {"fingerprint": "a" * 64, "rule_id": "DL3007", "path": "D", "severity": "low"}
        ],
    }
    return json.dumps({**doc, **changes})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_baseline_text("2027-03-30"), "expires: 2027-03-30 is 120 days after created, more than"),
        (_baseline_text("2026-11-01"), "expires is before created"),
        (
            _baseline_text(findings=[{"fingerprint": "x"}]),
            "findings[0].fingerprint: 'x' is not a fingerprint",
        ),
        (_baseline_text(schema="v2"), "schema"),
        (_baseline_text(owner="me"), "owner: Extra inputs"),
        ("{", "not JSON"),
    ],
)
def test_a_malformed_or_extended_baseline_names_the_field(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        baseline_file.parse(text, policy.parse(policy.DEFAULT_POLICY, "p"))
    assert str(info.value).startswith(".pavedroad/baseline.json: ")
    assert expected in str(info.value)


def test_a_changed_baseline_means_a_full_evaluation(repo: Path) -> None:
    baseline_file.write(repo, baseline_file.parse(_baseline_text(), policy.load(repo)))
    selection = changes.select(repo, "changed", "HEAD")
    assert selection.full
    assert selection.note == ".pavedroad/baseline.json changed since HEAD: every file was evaluated"


def test_drift_reports_a_baseline_that_grew_was_extended_or_expired(repo: Path) -> None:
    default = policy.parse(policy.DEFAULT_POLICY, "p")
    first = baseline_file.parse(_baseline_text(), default)
    baseline_file.write(repo, first)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "baseline")
    assert baseline_file.drift(repo, dt.date(2026, 12, 1)) == ()
    grown = _baseline_text(
        "2027-01-30",
        findings=[
            {"fingerprint": c * 64, "rule_id": "DL3007", "path": "D", "severity": "low"}
            for c in "ab"
        ],
    )
    (repo / ".pavedroad/baseline.json").write_text(grown, encoding="utf-8")
    changes_now = baseline_file.drift(repo, dt.date(2026, 12, 1))
    assert [(c.field, c.weaker) for c in changes_now] == [
        (".pavedroad/baseline.json", True),
        (".pavedroad/baseline.json: expires", True),
    ]
    assert changes_now[0].actual.startswith("2 findings, 1 added since")
    expired = baseline_file.drift(repo, dt.date(2027, 2, 1))
    assert expired[0].reference == "expires 2027-01-30" and expired[0].actual.startswith("expired")
