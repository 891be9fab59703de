"""`ADD http://...` without a checksum blocks at release: remote content decides the image."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers import write_tree
from typer.testing import CliRunner

from pavedroad.cli import app
from pavedroad.findings import Severity
from pavedroad.scanners.dockerfile_checks import remote_adds
from pavedroad.scanners.hadolint import HadolintScanner
from pavedroad.scanners.interface import ScanTarget

PINNED = "ADD --checksum=sha256:" + "ab" * 32 + " https://example.invalid/x.tgz /x"


@pytest.mark.parametrize(
    "line",
    [
        "ADD http://example.invalid/x.tgz /x",
        "add HTTPS://example.invalid/x.tgz /x",
        'ADD ["https://example.invalid/x.tgz", "/x"]',
        "ADD --chown=10001 https://example.invalid/a local.txt /x/",
        "ADD \\\n    https://example.invalid/x.tgz \\\n    /x",
    ],
)
def test_unpinned_remote_add_is_found(line: str) -> None:
    found = remote_adds("hadolint", "Dockerfile", ["FROM scratch", *line.split("\n")])
    assert [(f.rule_id, f.severity, f.start_line) for f in found] == [
        ("PAVED_REMOTE_ADD", Severity.HIGH, 2)
    ]


@pytest.mark.parametrize(
    "line",
    [PINNED, "ADD local.tgz /x", "COPY https-proxy.conf /etc/", "# ADD http://x/y /z"],
)
def test_pinned_or_local_add_is_not_reported(line: str) -> None:
    assert remote_adds("hadolint", "Dockerfile", ["FROM scratch", line]) == []


def test_two_remote_adds_have_distinct_fingerprints(tmp_path: Path) -> None:
    dockerfile = "FROM scratch\nADD http://a.invalid/1 /1\nADD http://a.invalid/2 /2\n"
    write_tree(tmp_path, {"Dockerfile": dockerfile})
    found = HadolintScanner().scan(ScanTarget(root=tmp_path, files=("Dockerfile",)))
    own = [f for f in found if f.rule_id == "PAVED_REMOTE_ADD"]
    assert len({f.fingerprint for f in own}) == 2


@pytest.mark.slow
def test_release_gate_blocks_remote_add(tmp_path: Path) -> None:
    base = "FROM python:3.12-slim@sha256:" + "0" * 64 + "\nUSER 10001\nHEALTHCHECK CMD true\n"
    env = {"COLUMNS": "100", "XDG_CACHE_HOME": str(tmp_path / "xdg"), "PAVED_CACHE_DIR": ""}
    for name, line, code in (
        ("remote", "ADD http://a.invalid/x.tgz /x\n", 1),
        ("pinned", PINNED, 0),
    ):
        repo = write_tree(tmp_path / name, {"Dockerfile": base + line + "\n"})
        result = CliRunner().invoke(app, ["gate", str(repo), "--stage", "release"], env=env)
        assert result.exit_code == code, result.output
        assert ("PAVED_REMOTE_ADD" in result.stdout) is (code == 1)
