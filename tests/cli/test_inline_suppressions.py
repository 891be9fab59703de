"""Inline suppressions are never silent: the policy decides what they are worth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.helpers import VULNERABLE_FILES, write_tree
from typer.testing import CliRunner

from pavedroad.cli import app

SUPPRESSED = VULNERABLE_FILES["config.py"].rstrip("\n") + "  # pragma: allowlist secret\n"
POLICY = (
    "version: 1\nstages:\n  pr: {{scope: full, block: high}}\n"
    "exceptions: {{inline_suppressions: {mode}}}\n"
)
RECORD = """\
version: 1
exceptions:
  - id: EXC-0001
    rule: AWSKeyDetector
    paths: [config.py]
    justification: Documented example key from the AWS docs
    owner: "@acme/payments"
    approver: "@acme/security"
    created: 2026-11-01
    expires: 2026-12-31
    controls: [key never valid in any account]
"""


def _gate(tmp_path: Path, mode: str, record: bool = False) -> tuple[int, dict[str, object]]:
    files = {"config.py": SUPPRESSED, ".pavedroad/policy.yaml": POLICY.format(mode=mode)}
    if record:
        files[".pavedroad/exceptions.yaml"] = RECORD
    repo = write_tree(tmp_path / f"{mode}-{record}", files)
    env = {
        "PAVED_TODAY": "2026-11-28",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PAVED_CACHE_DIR": str(tmp_path / "results"),
    }
    result = CliRunner().invoke(
        app, ["gate", str(repo), "--stage", "pr", "--format", "json"], env=env
    )
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize(
    ("mode", "record", "code", "verdict"),
    [
        ("require-exception", False, 1, "block"),
        ("require-exception", True, 0, "excepted"),
        ("warn", False, 0, "warn"),
        ("allow", False, 0, "info"),
    ],
)
def test_allowlisted_secret_follows_policy(
    tmp_path: Path, mode: str, record: bool, code: int, verdict: str
) -> None:
    exit_code, report = _gate(tmp_path, mode, record)
    (finding,) = report["findings"]  # type: ignore[misc]
    assert finding["inline_suppressed"] is True
    assert finding["verdict"] == verdict
    assert exit_code == code
