"""The core functions behind `paved exceptions` and the one loader of a repository's rules."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from tests.helpers import write_tree
from typer.testing import CliRunner

from pavedroad.cli import app
from pavedroad.errors import ConfigError, UserError
from pavedroad.exceptions.repository import load_rules
from pavedroad.exceptions.request import (
    ExceptionRequest,
    GateEntry,
    request_exception,
    save_last_gate,
)
from pavedroad.exceptions.review import ReviewRequest, review_report

ENTRY = GateEntry(
    fingerprint="0123456789abcdef0123",
    rule_id="CKV_K8S_43",
    title="Image should use digest",
    severity="medium",
    path="deploy/app.yaml",
    resource="Deployment.default.app",
    verdict="block",
    stage="pr",
)
BROKEN_EXCEPTIONS = {".pavedroad/exceptions.yaml": "version: 1\nexceptions: [{id: nope}]\n"}


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PAVED_TODAY", "2026-11-28")


def test_load_rules_names_an_unknown_stage_before_a_broken_exceptions_file(
    tmp_path: Path,
) -> None:
    repo = write_tree(tmp_path / "repo", BROKEN_EXCEPTIONS)
    with pytest.raises(UserError, match="unknown stage 'nope'"):
        load_rules(repo, "nope")
    with pytest.raises(ConfigError, match="exceptions.yaml"):
        load_rules(repo, "pr")


def test_request_shows_the_finding_then_asks_for_what_is_missing(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"README.md": "hello\n"})
    save_last_gate(repo, [ENTRY])
    events: list[str] = []

    def ask(question: str) -> str:
        events.append(f"ask {question}")
        return "@acme/payments" if "owner" in question else "answered"

    result = request_exception(
        ExceptionRequest(
            repo,
            ENTRY.fingerprint[:8],
            owner=None,
            justification="digest set by release",
            approver=None,
            ask=ask,
            on_finding=lambda entry: events.append(f"show {entry.rule_id}"),
        )
    )
    assert events == ["show CKV_K8S_43", "ask Accountable owner (person or team)", "ask Approver"]
    assert result.record_id == "EXC-0001" and "+  - id: EXC-0001" in result.diff
    record = yaml.safe_load((repo / ".pavedroad/exceptions.yaml").read_text())["exceptions"][0]
    assert record["owner"] == "@acme/payments" and record["approver"] == "answered"
    assert record["expires"].isoformat() == "2026-12-28"


def test_request_without_anyone_to_ask_names_the_option_and_writes_nothing(
    tmp_path: Path,
) -> None:
    repo = write_tree(tmp_path / "repo", {"README.md": "hello\n"})
    save_last_gate(repo, [ENTRY])
    request = ExceptionRequest(repo, ENTRY.fingerprint, justification="why", approver="me")
    with pytest.raises(UserError, match="--owner is required"):
        request_exception(request)
    assert not (repo / ".pavedroad/exceptions.yaml").exists()


def test_review_refuses_an_unknown_format_before_reading_anything(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="--format pdf: use one of text, markdown, json, html"):
        review_report(ReviewRequest((tmp_path / "missing",), "pdf"))


def test_exceptions_list_escapes_control_characters(tmp_path: Path) -> None:
    record = {
        "id": "EXC-0001",
        "rule": "CKV_K8S_43",
        "paths": ["deploy/app.yaml"],
        "justification": "digest set by release",
        "owner": "team\x1b[2Jgone",
        "approver": "@sec",
        "created": "2026-11-01",
        "expires": "2027-01-20",
    }
    text = yaml.safe_dump({"version": 1, "exceptions": [record]})
    repo = write_tree(tmp_path / "repo", {".pavedroad/exceptions.yaml": text})
    result = CliRunner().invoke(app, ["exceptions", "list", str(repo)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "team\\x1b[2Jgone" in result.stdout
    assert result.stdout.startswith("EXC-0001  active")
