"""What each command prints on a terminal 80 columns wide, pinned by snapshots.

Output is stdout and stderr as a person sees them, with this test's folder shown as <tmp>.
Scanning commands run with --quiet: the scanners finish in any order, and tests/cli/
test_progress.py pins their progress lines.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from tests.helpers import (
    REPO,
    TINY_COPIER,
    VULNERABLE_FILES,
    assert_snapshot,
    catalog_yaml,
    tiny_template_files,
    write_tree,
)
from tests.update_helpers import Workbench, fake_gate
from typer.testing import CliRunner

from pavedroad.cli import app
from pavedroad.reports import json as json_report

ENV = {"COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}
COMPUTED = """\
slug:
  type: str
  default: "{{ name }}-svc"
  when: false
"""


def terminal(tmp_path: Path, *args: str) -> tuple[int, str]:
    """Run paved in tmp_path; return its exit code and what a person would see there.

    Paths given relative to tmp_path print as given; any absolute one shows it as <tmp>.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = CliRunner().invoke(app, list(args), env=ENV)
    return result.exit_code, result.output.replace(str(tmp_path), "<tmp>")


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    write_tree(root / "templates" / "tiny", tiny_template_files(TINY_COPIER + COMPUTED))
    text = catalog_yaml() + (
        "    next_steps:\n"
        "      - run: git init -b main\n"
        "        why: the workflows run on main\n"
        "        needs: git\n"
        "        get: install git from https://git-scm.com/downloads\n"
        "      - run: echo {{ name }} has {{ replicas }} replicas\n"
    )
    (root / "catalog.yaml").write_text(text, encoding="utf-8")
    return root


def readme_example(command: str) -> list[str]:
    """Return the lines the README shows under `$ command`, up to the next prompt or block end."""
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index(f"$ {command}") + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith(("$ ", "```")))
    return lines[start:end]


def test_readme_catalog_list_is_what_it_prints() -> None:
    """The bundled catalog's list, columns apart; versions move with every release, ids don't."""
    result = CliRunner().invoke(app, ["catalog", "list"], env=ENV)
    assert result.exit_code == 0
    printed = result.stdout.splitlines()
    assert all(re.match(r"^\S+ {2,}\S+ {2,}\S+ {2,}\S", line) for line in printed)
    version = re.compile(r"\b\d+\.\d+\.\d+\b")
    shown = readme_example("paved catalog list")
    assert [version.sub("X.Y.Z", line) for line in shown] == [
        version.sub("X.Y.Z", line) for line in printed
    ]


def test_catalog_show(tmp_path: Path, catalog_dir: Path) -> None:
    code, out = terminal(tmp_path, "catalog", "show", "tiny", "--catalog", str(catalog_dir))
    assert code == 0
    assert_snapshot("output/catalog-show.txt", out)


@pytest.mark.slow
def test_catalog_validate(tmp_path: Path, catalog_dir: Path) -> None:
    code, out = terminal(tmp_path, "catalog", "validate", "-q", "--catalog", str(catalog_dir))
    assert code == 0
    assert_snapshot("output/catalog-validate.txt", out)


@pytest.mark.slow
def test_new(tmp_path: Path, catalog_dir: Path) -> None:
    args = ["new", "tiny", "svc", "--defaults", "-q", "-d", "name=orders"]
    code, out = terminal(tmp_path, *args, "--catalog", str(catalog_dir))
    assert code == 0
    assert_snapshot("output/new.txt", out)


@pytest.mark.slow
def test_scan_and_its_reports(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", VULNERABLE_FILES)
    report = tmp_path / "scan.json"
    code, out = terminal(
        tmp_path, "scan", str(repo), "-q", "--no-cache", "-f", "json", "-o", str(report)
    )
    assert code == 0
    assert_snapshot("output/scan.txt", out)
    result = json_report.read(report.read_text(encoding="utf-8"), str(report))
    assert result.stage == "scan"
    assert {g.verdict.value for g in result.findings} == {"info"}
    assert len(result.findings) == out.count("\n") - 2  # the header and the totals


@pytest.mark.slow
def test_gate(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", VULNERABLE_FILES)
    code, out = terminal(tmp_path, "gate", str(repo), "--stage", "release", "-q", "--no-cache")
    assert code == 1
    assert_snapshot("output/gate.txt", out)


def test_update(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pavedroad.project.update.gate_repository", fake_gate())
    bench = Workbench(tmp_path)
    bench.publish()
    project = bench.new_project()
    bench.edit({"template/NEW.md": "new\n"})
    bench.release("1.1.0")
    code, out = terminal(tmp_path, "update", project.name, "-q", "--catalog", str(bench.root))
    assert code == 0
    assert_snapshot("output/update.txt", out)


def test_drift(tmp_path: Path) -> None:
    bench = Workbench(tmp_path)
    bench.publish()
    project = bench.new_project()
    (project / ".pavedroad" / "policy.yaml").unlink(missing_ok=True)
    code, out = terminal(
        tmp_path, "drift", project.name, "gone", "-q", "--catalog", str(bench.root)
    )
    assert code == 2  # a repository that cannot be checked; the other keeps its row
    assert_snapshot("output/drift.txt", out)


def test_scan_json_to_stdout_moves_the_table_to_stderr(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["scan", str(tmp_path), "-q", "--no-cache", "--format", "json"], env=ENV
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["stage"] == "scan"
    assert result.stderr.startswith("No findings.")
