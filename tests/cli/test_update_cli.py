"""`paved update` on the command line: summary, exit codes, conflicts, rollback."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers import VULNERABLE_FILES, assert_snapshot
from tests.update_helpers import (
    COPIER_V1,
    Workbench,
    blocking_finding,
    commit,
    fake_gate,
    git,
    snapshot,
)
from typer.testing import CliRunner

from pavedroad.cli import app

ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
ROLLBACK = "git reset --hard HEAD && git clean -fd"


@pytest.fixture
def bench(tmp_path: Path) -> Workbench:
    bench = Workbench(tmp_path)
    bench.publish()
    return bench


def paved(bench: Workbench, project: Path, *args: str) -> tuple[int, str, str]:
    argv = ["update", str(project), "--catalog", str(bench.root), *args]
    result = CliRunner().invoke(app, argv, env=ENV)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("args", [["update"], ["drift"], ["catalog", "publish"]], ids="-".join)
def test_help_snapshots(args: list[str]) -> None:
    result = CliRunner().invoke(app, [*args, "--help"], env=ENV)
    assert result.exit_code == 0
    assert_snapshot(f"help/{'-'.join(args)}.txt", result.stdout)


def test_update_prints_the_security_summary(
    bench: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pavedroad.project.update.gate_repository", fake_gate())
    project = bench.new_project()
    bench.edit({"template/.github/workflows/ci.yml": "name: ci\non: [push]\njobs: {}\n"})
    bench.release("1.1.0")
    code, out, err = paved(bench, project)
    assert code == 0, err
    assert f"Updated {project}: tiny 1.0.0 -> 1.1.0" in out
    assert "findings before: PASSED" in out and "findings after:  PASSED" in out
    assert "policy (.pavedroad/policy.yaml): thresholds unchanged" in out
    assert "pipeline (.github/workflows/, .gitlab-ci.yml) changed:" in out
    assert "-permissions: {}" in out
    assert ROLLBACK in out
    code, out, _ = paved(bench, project)
    assert code == 2 and "uncommitted" in _, "the update is left for review, uncommitted"


def test_up_to_date_says_so(bench: Workbench, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pavedroad.project.update.gate_repository", fake_gate())
    project = bench.new_project()
    code, out, _ = paved(bench, project)
    assert code == 0 and "the latest published version; nothing to do" in out


def test_conflict_exits_1_listing_files(bench: Workbench, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pavedroad.project.update.gate_repository", fake_gate())
    project = bench.new_project()
    (project / "README.md").write_text("# svc\n\nOur own intro.\n\n## Usage\n\nRun it.\n")
    commit(project)
    bench.edit({"template/README.md.jinja": "# {{ name }}\n\nA better intro.\n\n## Usage\n"})
    bench.release("1.1.0")
    code, out, err = paved(bench, project)
    assert code == 1
    assert "CONFLICTS" in err and "  README.md" in err and ROLLBACK in err
    assert "Updated, WITH CONFLICTS," in out
    assert "findings after:  not gated" in out, "a conflicted update is never called a success"
    assert "Our own intro." in (project / "README.md").read_text()


def test_blocked_gate_exits_1_and_the_rollback_is_exact(
    bench: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "pavedroad.project.update.gate_repository", fake_gate((blocking_finding(),))
    )
    project = bench.new_project()
    before = snapshot(project)
    bench.edit({"template/extra.txt": "new file\n"}, remove=("template/config/app.toml.jinja",))
    bench.release("1.1.0")
    code, _, err = paved(bench, project)
    assert code == 1
    assert "BLOCKED: stage release" in err and "FAKE_1" in err and ROLLBACK in err
    assert (project / "extra.txt").is_file() and not (project / "config" / "app.toml").exists()
    git(project, "reset", "--quiet", "--hard", "HEAD")
    git(project, "clean", "-fdq")
    assert snapshot(project) == before


def test_required_question_with_defaults_names_it(bench: Workbench) -> None:
    project = bench.new_project()
    bench.edit({"copier.yml": COPIER_V1 + "region:\n  type: str\n"})
    bench.release("1.1.0")
    before = snapshot(project)
    code, _, err = paved(bench, project, "--defaults")
    assert code == 2
    assert "answer region: required and has no default; pass --data region=VALUE" in err
    assert snapshot(project) == before


def test_dirty_worktree_exits_2(bench: Workbench) -> None:
    project = bench.new_project()
    (project / "README.md").write_text("wip\n")
    code, _, err = paved(bench, project)
    assert code == 2 and "git stash" in err


@pytest.mark.slow
def test_real_release_gate_blocks_an_update_that_adds_a_secret(bench: Workbench) -> None:
    project = bench.new_project()
    before = snapshot(project)
    bench.edit({"template/config.py": VULNERABLE_FILES["config.py"]})
    bench.release("1.1.0")
    code, out, err = paved(bench, project)
    assert code == 1, out + err
    assert "findings before: PASSED" in out
    assert "findings after:  BLOCKED" in out and "config.py" in out
    assert "BLOCKED: stage release" in err and ROLLBACK in err
    git(project, "reset", "--quiet", "--hard", "HEAD")
    git(project, "clean", "-fdq")
    assert snapshot(project) == before


def test_new_question_is_prompted_on_a_terminal(
    bench: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pavedroad.project.update.gate_repository", fake_gate())
    monkeypatch.setattr("pavedroad.cli.prompts.is_terminal", lambda: True)
    project = bench.new_project()
    bench.edit(
        {
            "copier.yml": COPIER_V1 + "replicas:\n  type: int\n",
            "template/n.jinja": "{{ replicas }}\n",
        }
    )
    bench.release("1.1.0")
    argv = ["update", str(project), "--catalog", str(bench.root)]
    result = CliRunner().invoke(app, argv, input="many\n3\n", env=ENV)
    assert result.exit_code == 0, result.stderr
    assert "answer replicas: 'many' is not a valid int" in result.stderr
    assert (project / "n").read_text() == "3\n"
