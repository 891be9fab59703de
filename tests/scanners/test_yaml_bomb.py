"""A YAML bomb is refused before any parser expands it; every run here is memory-capped."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from tests.scanners.helpers import AWS_KEY_ID, write_tree

from pavedroad.scanners import yaml_guard

LEVELS = "abcdefghi"
# The 457-byte classic, dressed as a Kubernetes manifest so checkov would take it.
BOMB = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n" + "".join(
    f"  {name}: &{name} [{','.join([f'*{LEVELS[i - 1]}' if i else 'lol'] * 9)}]\n"
    for i, name in enumerate(LEVELS)
)
# Kept far below what the machine has; a regression dies here instead of taking it down.
MEMORY_CAP = 3 * 1024**3
SCAN_SECRETS = """\
import json, sys
from pathlib import Path
from pavedroad.scanners.interface import ScanTarget
from pavedroad.scanners.secrets import SecretsScanner
found = SecretsScanner(timeout=60).scan(ScanTarget(Path(sys.argv[1]), ("bomb.yaml",)))
print(json.dumps([[f.path, f.rule_id] for f in found]))
"""


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _run(command: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PAVED_WARM_CHECKOV": "0"}
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        preexec_fn=_capped,  # noqa: PLW1509 - a memory cap needs it; no threads spawn here
        check=False,
    )


def test_the_bomb_is_refused_in_a_blink() -> None:
    assert len(BOMB.encode()) < 600
    why = yaml_guard.problem(BOMB)
    assert why is not None and "alias bomb" in why


@pytest.mark.parametrize(
    "text",
    [
        "defaults: &d {image: alpine, tags: [a, b]}\njob1: {<<: *d, script: [x]}\n"
        "job2: {<<: *d, script: [y]}\n",
        "\n".join(f"key{i}: value{i}" for i in range(20_000)),
        "a: [" * 50 + "]" * 50,
        "a: : : not yaml",  # syntax errors are the parsers' to report
    ],
    ids=["anchors", "large", "nested", "syntax-error"],
)
def test_ordinary_yaml_passes(text: str) -> None:
    assert yaml_guard.problem(text) is None


def test_extreme_nesting_is_refused() -> None:
    why = yaml_guard.problem("[" * 5000 + "]" * 5000)
    assert why is not None and "deeper than" in why


def test_secrets_scan_reads_a_bomb_raw_without_expanding_it(tmp_path: Path) -> None:
    write_tree(tmp_path, {"bomb.yaml": BOMB + f"aws_access_key_id: {AWS_KEY_ID}\n"})
    done = _run([sys.executable, "-c", SCAN_SECRETS, str(tmp_path)], timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert ["bomb.yaml", "AWSKeyDetector"] in json.loads(done.stdout)


def test_the_gate_blocks_on_a_bomb_and_still_finds_the_secret_in_it(tmp_path: Path) -> None:
    repo = write_tree(
        tmp_path / "repo",
        {
            "deploy/bomb.yaml": BOMB + f"  key: {AWS_KEY_ID}\n",
            "Dockerfile": "FROM alpine:3.19\nUSER 10001\nHEALTHCHECK CMD true\n",
        },
    )
    command = [sys.executable, "-m", "pavedroad", "gate", str(repo), "--stage", "release"]
    command += ["--no-cache", "--format", "json"]
    done = _run(command, timeout=300)
    assert done.returncode == 1, done.stderr[-2000:]
    found = {(f["path"], f["rule_id"]) for f in json.loads(done.stdout)["findings"]}
    assert ("deploy/bomb.yaml", "PAVED_PARSE_ERROR") in found
    assert ("deploy/bomb.yaml", "AWSKeyDetector") in found
