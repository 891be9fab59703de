"""A small real catalog with versions, a store and git projects, for publish/update/drift tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import yaml
from tests.helpers import make_finding, write_tree

from pavedroad.catalog import model as catalog
from pavedroad.catalog import publish, store
from pavedroad.catalog.render import render
from pavedroad.findings import Severity
from pavedroad.gate.result import GatedFinding, GateResult, Verdict

COPIER_V1 = """\
_subdirectory: template
name:
  type: str
  default: demo
flavour:
  type: str
  choices: [plain, fancy]
  default: plain
"""

POLICY = """\
version: 1
stages:
  pr:      {scope: changed, block: high, ticket: medium, warn: low}
  release: {scope: full, block: high, ticket: medium, warn: low}
exceptions:
  max_days: 90
"""

CI = """\
name: ci
on: [push]
permissions: {}
concurrency:
  group: ci
jobs:
  gate:
    name: gate
    runs-on: ubuntu-24.04
    steps:
      - name: Gate
        run: paved gate --stage pr
"""

FILES_V1 = {
    "copier.yml": COPIER_V1,
    "template/README.md.jinja": "# {{ name }}\n\nIntro.\n\n## Usage\n\nRun it.\n",
    "template/config/app.toml.jinja": 'name = "{{ name }}"\nport = 8080\nlog = "info"\n',
    "template/.pavedroad/policy.yaml": POLICY,
    "template/.github/workflows/ci.yml": CI,
    "template/{{_copier_conf.answers_file}}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
}

GUARDED = [".pavedroad/policy.yaml", ".github/workflows/ci.yml"]


def git(repo: Path, *args: str) -> str:
    """Run git in repo with a fixed identity; return stdout, fail loudly."""
    env = {**os.environ, **store.IDENTITY}
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def snapshot(repo: Path) -> dict[str, bytes]:
    """Return every file of a work tree outside .git, to prove nothing changed."""
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }


class Workbench:
    """One template `tiny` in a catalog folder; versions are made by editing its files."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.root = tmp_path / "catalog"
        self.template = self.root / "templates" / "tiny"
        self.version = "1.0.0"
        self.migrations: list[dict[str, Any]] = []
        write_tree(self.template, FILES_V1)
        self._write_catalog()

    def _write_catalog(self) -> None:
        entry = {
            "id": "tiny",
            "title": "Tiny",
            "description": "A tiny template for update tests",
            "kind": "service",
            "version": self.version,
            "path": "templates/tiny",
            "owners": ["@acme/platform"],
            "guarded": GUARDED,
            "scenarios": {"default": {}},
            "migrations": self.migrations,
        }
        text = yaml.safe_dump({"version": "1.0.0", "templates": [entry]}, sort_keys=False)
        (self.root / "catalog.yaml").write_text(text, encoding="utf-8")

    def edit(self, files: dict[str, str], remove: tuple[str, ...] = ()) -> None:
        """Change template files (paths relative to the template folder)."""
        write_tree(self.template, files)
        for rel in remove:
            (self.template / rel).unlink()

    def release(self, version: str, **migration: Any) -> None:
        """Set a new version (with an optional migration) and publish it."""
        self.version = version
        if migration:
            self.migrations.append({"version": version, **migration})
        self._write_catalog()
        self.publish()

    def catalog(self) -> catalog.Catalog:
        """Load the catalog as it is now."""
        return catalog.load(self.root)

    def publish(self) -> tuple[publish.Published, ...]:
        """Put every template into the test's store ($PAVED_STORE) as `paved new` does.

        Unvalidated, like the automatic publish into a folder store: update and drift tests
        need versions that fail their own gate in the store. `paved catalog publish`
        (publish.publish_catalog) validates; tests/test_publish.py covers that.
        """
        return tuple(publish.publish_template(t, store.resolve()) for t in self.catalog().templates)

    def new_project(self, name: str = "svc", **answers: Any) -> Path:
        """Render the current version from the store into a committed git repository."""
        template = self.catalog().get("tiny")
        source = publish.ensure_published(template, store.resolve())
        dest = self.tmp / name
        render(template, {"name": name, **answers}, dest, source=source)
        git(dest, "init", "--quiet", "--initial-branch=main")
        commit(dest, "Start from the paved road")
        return dest


def commit(repo: Path, message: str = "edit") -> None:
    """Commit everything in repo."""
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--allow-empty", "-m", message)


def fake_gate(findings: tuple[GatedFinding, ...] = ()) -> Any:
    """Return a stand-in for gate.run.gate_repository (real scanners take seconds)."""

    def gate(root: Path, stage: str, *, remember: bool = True, **_options: Any) -> GateResult:
        return GateResult(stage, str(root), findings, files_scanned=1, scanners=("fake",))

    return gate


def blocking_finding(path: str = "config/app.toml") -> GatedFinding:
    """Return a gated finding that blocks."""
    finding = make_finding(
        rule_id="FAKE_1", path=path, severity=Severity.HIGH, title="Something dangerous"
    )
    return GatedFinding(finding, Verdict.BLOCK, "high >= block threshold high")
