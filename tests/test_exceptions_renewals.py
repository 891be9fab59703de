"""`paved exceptions review` counts renewals from the exceptions file's real git history."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pavedroad.cli import app
from pavedroad.exceptions.renewals import renewals

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Dev",
    "GIT_AUTHOR_EMAIL": "dev@example.invalid",
    "GIT_COMMITTER_NAME": "Dev",
    "GIT_COMMITTER_EMAIL": "dev@example.invalid",
}


def record(rid: str, rule: str, path: str, created: str, expires: str) -> str:
    return (
        f"  - id: {rid}\n    rule: {rule}\n    paths: [{path}]\n    justification: later\n"
        f"    owner: '@acme/payments'\n    approver: '@acme/security'\n"
        f"    created: {created}\n    expires: {expires}\n    controls: [runs as uid 10001]\n"
    )


VERSIONS = [
    ("first term", [record("EXC-0001", "DL3007", "Dockerfile", "2026-01-01", "2026-03-01")]),
    ("broken in between", ["  - id: [unclosed\n"]),
    (  # expired, then excepted again by a new record
        "renew by a new record",
        [
            record("EXC-0002", "DL3007", "Dockerfile", "2026-03-10", "2026-06-01"),
            record("EXC-0003", "CKV_DOCKER_2", "Dockerfile", "2026-03-10", "2026-06-01"),
        ],
    ),
    (  # the same record's expiry moved again
        "renew in place",
        [
            record("EXC-0002", "DL3007", "Dockerfile", "2026-08-01", "2026-10-15"),
            record("EXC-0003", "CKV_DOCKER_2", "Dockerfile", "2026-03-10", "2026-06-01"),
        ],
    ),
]


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "svc-a"
    (root / ".pavedroad").mkdir(parents=True)
    git(root, "init", "-q")
    for message, records in VERSIONS:
        body = "version: 1\nexceptions:\n" + "".join(records)
        (root / ".pavedroad/exceptions.yaml").write_text(body)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", message)
    return root


def review(root: Path, fmt: str) -> str:
    env = {"PAVED_TODAY": "2026-09-01", "COLUMNS": "100", "NO_COLOR": "1"}
    result = CliRunner().invoke(app, ["exceptions", "review", str(root), "--format", fmt], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_renewals_come_from_every_committed_version(repo: Path) -> None:
    found = renewals("svc-a", repo)
    assert [(r.rule, r.path, r.count) for r in found] == [("DL3007", "Dockerfile", 2)]
    assert [d.isoformat() for d in found[0].expiries] == ["2026-03-01", "2026-06-01", "2026-10-15"]


def test_an_uncommitted_renewal_counts_too(repo: Path) -> None:
    body = (repo / ".pavedroad/exceptions.yaml").read_text()
    (repo / ".pavedroad/exceptions.yaml").write_text(body.replace("2026-06-01", "2026-07-01"))
    by_rule = {r.rule: r.count for r in renewals("svc-a", repo)}
    assert by_rule == {"DL3007": 2, "CKV_DOCKER_2": 1}


def test_review_shows_renewals_in_every_format(repo: Path) -> None:
    text = review(repo, "text")
    assert (
        "renewed: svc-a: DL3007 in Dockerfile renewed 2 time(s) "
        "(terms ending 2026-03-01, 2026-06-01, 2026-10-15)" in text
    )
    assert "CKV_DOCKER_2 in Dockerfile renewed" not in text
    data = json.loads(review(repo, "json"))
    assert data["renewals"] == [
        {
            "repo": "svc-a",
            "rule": "DL3007",
            "path": "Dockerfile",
            "resource": "",
            "renewals": 2,
            "expiries": ["2026-03-01", "2026-06-01", "2026-10-15"],
        }
    ]
    markdown = review(repo, "markdown")
    assert "### Renewals" in markdown
    assert "| svc-a | `DL3007` | Dockerfile | 2 | 2026-03-01, 2026-06-01, 2026-10-15 |" in markdown
    html = review(repo, "html")
    assert "<h2>Renewals</h2><ul><li>svc-a: DL3007 in Dockerfile renewed 2 time(s)" in html


def test_no_history_no_renewals(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    (root / ".pavedroad").mkdir(parents=True)
    body = "version: 1\nexceptions:\n" + VERSIONS[-1][1][0]
    (root / ".pavedroad/exceptions.yaml").write_text(body)
    assert renewals("plain", root) == ()
    assert "renewed" not in review(root, "text")
    assert json.loads(review(root, "json"))["renewals"] == []


def test_a_service_in_a_subfolder_of_a_monorepo(tmp_path: Path) -> None:
    mono = tmp_path / "mono"
    service = mono / "services" / "svc-b"
    (service / ".pavedroad").mkdir(parents=True)
    git(mono, "init", "-q")
    for _, records in VERSIONS[:1] + VERSIONS[2:3]:
        body = "version: 1\nexceptions:\n" + "".join(records)
        (service / ".pavedroad/exceptions.yaml").write_text(body)
        git(mono, "add", "-A")
        git(mono, "commit", "-q", "-m", "change")
    assert [(r.rule, r.count) for r in renewals("svc-b", service)] == [("DL3007", 1)]
