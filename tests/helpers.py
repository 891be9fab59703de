"""Helpers shared by tests: small real copier templates and catalogs."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pavedroad.findings import Finding, Severity, fingerprint

REPO = Path(__file__).resolve().parents[1]

TINY_COPIER = """\
_subdirectory: template
name:
  type: str
  help: Service name
  default: demo
  validator: >-
    {% if not (name | regex_search('^[a-z][a-z0-9-]{1,39}$')) %}lowercase letters,
    digits and hyphens{% endif %}
flavour:
  type: str
  choices: [plain, fancy]
  default: plain
replicas:
  type: int
  default: 2
"""


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write a dict of relative path -> text under root."""
    for rel, body in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body), encoding="utf-8")
    return root


def tiny_template_files(copier_yml: str = TINY_COPIER) -> dict[str, str]:
    """Return the files of a small template that renders a README and the answers file."""
    return {
        "copier.yml": copier_yml,
        "template/README.md.jinja": "# {{ name }} ({{ flavour }}, {{ replicas }} replicas)\n",
        "template/{{_copier_conf.answers_file}}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    }


def catalog_yaml(template_path: str = "templates/tiny", **overrides: str) -> str:
    """Return a valid catalog.yaml with one template; overrides replace top-level lines."""
    fields = {
        "id": "tiny",
        "title": "Tiny",
        "description": "A tiny template for tests",
        "kind": "service",
        "version": "1.2.3",
        "path": template_path,
    }
    fields.update(overrides)
    lines = "".join(f"    {k}: {v}\n" for k, v in fields.items())
    return (
        "version: 1.0.0\ntemplates:\n  - "
        + lines.lstrip()
        + "    owners: ['@acme/platform']\n    scenarios:\n      default: {}\n"
    )


SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def assert_snapshot(name: str, actual: str) -> None:
    """Compare text to tests/snapshots/<name>; PAVED_UPDATE_SNAPSHOTS=1 rewrites it."""
    import os

    path = SNAPSHOTS / name
    if os.environ.get("PAVED_UPDATE_SNAPSHOTS") == "1" or not path.exists():
        if os.environ.get("CI") and not path.exists():
            raise AssertionError(f"snapshot {name} is missing; generate it and commit it")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"snapshot {name} differs"


NETWORK_GUARD = """\
import os, socket

_LOG = os.environ["NETGUARD_LOG"]


def _record(kind, detail):
    with open(_LOG, "a", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()} {kind} {detail!r}\\n")
    raise OSError(f"network blocked by the test guard: {kind} {detail!r}")


_connect = socket.socket.connect


def _guarded_connect(self, address):
    if self.family == getattr(socket, "AF_UNIX", None):
        return _connect(self, address)
    _record("connect", address)


socket.socket.connect = _guarded_connect
socket.create_connection = lambda address, *a, **k: _record("create_connection", address)
socket.getaddrinfo = lambda host, *a, **k: _record("getaddrinfo", host)
"""

MINIMAL_WORKFLOW = """\
name: ok
on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    steps:
      - run: echo hi
"""

VULNERABLE_FILES = {
    "Dockerfile": "FROM ubuntu:latest\nUSER root\nADD http://example.invalid/x.tgz /x\n",
    "config.py": 'aws_access_key_id = "AKIAIOSFODNN7EXAMPLF"\n',
}


def make_finding(**overrides: Any) -> Finding:
    """Return a plausible checkov finding with the given fields replaced."""
    base = Finding(
        scanner="checkov",
        rule_id="CKV_AWS_20",
        title="S3 bucket ACL allows public READ access",
        severity=Severity.CRITICAL,
        path="infra/main.tf",
        start_line=12,
        end_line=20,
        resource="aws_s3_bucket.data",
        message="Bucket aws_s3_bucket.data grants READ to AllUsers.",
        fix="Remove the public-read ACL and enable the bucket's public access block.",
        docs_url="https://docs.prismacloud.io/en/enterprise-edition/policy-reference/aws-policies/s3-policies/s3-1-acl-read-permissions-everyone",
        fingerprint="",
    )
    finding = replace(base, **overrides)
    if finding.fingerprint:
        return finding
    anchor = finding.resource or f"{finding.start_line}"
    fp = fingerprint(finding.scanner, finding.rule_id, finding.path, anchor)
    return replace(finding, fingerprint=fp)


def tool_of(command: Sequence[str]) -> str:
    """Name the scanner a command starts, seeing through checkov's launcher (`python -c ...`)."""
    from pavedroad.scanners.checkov import LAUNCHER

    if list(command[1:3]) == ["-c", LAUNCHER]:
        return "checkov"
    return Path(command[0]).name
