"""The network guard works, and the installed detect_secrets provider is the deliberate one."""

from __future__ import annotations

import importlib.metadata as metadata
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from tests.helpers import VULNERABLE_FILES, write_tree

from pavedroad.scan.run import scan


def test_guard_refuses_and_records_connections(network_guard: Path, tmp_path: Path) -> None:
    with pytest.raises(OSError, match="network blocked"):
        socket.create_connection(("192.0.2.1", 443), timeout=1)
    child = subprocess.run(
        [sys.executable, "-c", "import socket; socket.getaddrinfo('pypi.org', 443)"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode != 0
    log = network_guard.read_text()
    assert "create_connection" in log and "getaddrinfo 'pypi.org'" in log


def test_detect_secrets_comes_from_bc_detect_secrets_only() -> None:
    providers = metadata.packages_distributions()["detect_secrets"]
    assert providers == ["bc-detect-secrets"], (
        "Yelp's detect-secrets overwrites the module checkov relies on; uninstall it"
    )


@pytest.mark.slow
def test_checkov_secrets_framework_works(tmp_path: Path) -> None:
    repo = write_tree(tmp_path, {"config.py": VULNERABLE_FILES["config.py"]})
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"}
    checkov = Path(sys.executable).with_name("checkov")
    done = subprocess.run(
        [
            str(checkov),
            "-f",
            str(repo / "config.py"),
            "--framework",
            "secrets",
            "-o",
            "json",
            "--skip-download",
            "--compact",
            "--enable-secret-scan-all-files",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    report = json.loads(done.stdout)
    ids = {c["check_id"] for c in report["results"]["failed_checks"]}
    assert "CKV_SECRET_2" in ids, done.stderr[-2000:]


def test_paved_road_secret_scanner_works(tmp_path: Path) -> None:
    repo = write_tree(tmp_path, {"config.py": VULNERABLE_FILES["config.py"]})
    report = scan(repo, scanners=["secrets"])
    assert [f.rule_id for f in report.findings] == ["AWSKeyDetector"]
    assert "AKIA" not in repr(report.findings)
