"""Progress on long work: reported by core functions, plain lines when piped, none with --quiet."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers import VULNERABLE_FILES, write_tree
from tests.update_helpers import Workbench, fake_gate, git
from typer.testing import CliRunner

from pavedroad.cli import app
from pavedroad.cli._common import plain_progress, progress_shown
from pavedroad.progress import Step, silent
from pavedroad.scan.cache import ResultCache
from pavedroad.scan.run import scan

ENV = {"COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=ENV)
    return result.exit_code, result.stdout, result.stderr


def test_a_step_is_one_plain_line() -> None:
    assert Step("rendering tiny 1.2.3").line() == "rendering tiny 1.2.3"
    assert Step("hadolint finished", done=2, total=3).line() == "hadolint finished (2/3)"


def test_quiet_drops_reports_and_a_pipe_gets_plain_lines() -> None:
    with progress_shown(quiet=True) as progress:
        assert progress is silent
    with progress_shown(quiet=False) as progress:  # pytest's stderr is not a terminal
        assert progress is plain_progress


@pytest.mark.slow
def test_scan_reports_each_scanner_once_and_nothing_when_cached(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", VULNERABLE_FILES)
    cache = ResultCache(tmp_path / "cache")
    steps: list[Step] = []
    scan(repo, cache=cache, progress=steps.append)
    assert steps[0].message == "scanning with checkov, hadolint, secrets"
    finished = steps[1:]
    assert sorted(s.message for s in finished) == [
        "checkov finished",
        "hadolint finished",
        "secrets finished",
    ]
    assert [(s.done, s.total) for s in finished] == [(1, 3), (2, 3), (3, 3)]
    again: list[Step] = []
    scan(repo, cache=cache, progress=again.append)
    assert again == []  # every result came from the cache: no scanner started


@pytest.mark.slow
def test_full_gate_shows_scanners_on_stderr_and_quiet_shows_none(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", VULNERABLE_FILES)
    report = tmp_path / "gate.json"
    args = ["gate", str(repo), "--stage", "release", "--no-cache", "-f", "json", "-o", str(report)]
    code, out, err = invoke(*args)
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == "scanning with checkov, hadolint, secrets"
    assert {line.rsplit(" ", 1)[1] for line in lines[1:4]} == {"(1/3)", "(2/3)", "(3/3)"}
    assert "finished" not in out
    code, out, err = invoke(*args, "--quiet")
    assert code == 1
    assert err == ""
    assert out.startswith("BLOCKED: stage release")


@pytest.mark.slow
def test_a_changed_files_gate_shows_no_scanner_progress(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"README.md": "hello\n"})
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "start"]):
        git(repo, *args)
    write_tree(repo, VULNERABLE_FILES)  # untracked: the changed files
    code, out, err = invoke("gate", str(repo), "--stage", "pr", "--changed-since", "HEAD")
    assert "scanning with" not in err and "finished (" not in err
    assert "evaluated 2 changed files since HEAD" in out + err


@pytest.mark.slow
def test_catalog_validate_reports_each_scenario(tiny_catalog: Path) -> None:
    code, out, err = invoke("catalog", "validate", "--catalog", str(tiny_catalog))
    assert code == 0, out + err
    assert err.splitlines() == [
        "validating 1 scenario of 1 template",
        "ok tiny [default] (1/1)",
    ]
    assert out == "ok   tiny 1.2.3 [default]\n1/1 scenario of 1 template passed\n"
    code, out, err = invoke("catalog", "validate", "--catalog", str(tiny_catalog), "-q")
    assert (code, err) == (0, "")


@pytest.mark.slow
def test_catalog_publish_reports_validation_and_each_template(
    tiny_catalog: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    code, out, err = invoke(
        "catalog", "publish", "--catalog", str(tiny_catalog), "--to", str(store)
    )
    assert code == 0, out + err
    assert err.splitlines() == [
        f"comparing the catalog with {store}",
        "validating 1 scenario of 1 template",
        "ok tiny [default] (1/1)",
        "published tiny (1/1)",
    ]
    code, out, err = invoke(
        "catalog", "publish", "--catalog", str(tiny_catalog), "--to", str(store)
    )
    assert err.splitlines()[-1] == "unchanged tiny (1/1)"  # nothing left to validate


def test_drift_reports_each_repository_and_names_a_missing_path(tmp_path: Path) -> None:
    gone, file = tmp_path / "gone", tmp_path / "file.txt"
    file.write_text("x", encoding="utf-8")
    code, out, err = invoke("drift", str(gone), str(file))
    assert code == 2
    assert f"checked {gone} (1/2)" in err and f"checked {file} (2/2)" in err
    assert f"error: {gone}: does not exist; pass the folder of a repository" in out
    assert f"error: {file}: is not a folder;" in out
    code, out, err = invoke("drift", str(gone), "--quiet")
    assert "checked" not in err


def test_update_says_what_it_does_before_the_gates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pavedroad.project.update.gate_repository", fake_gate())
    bench = Workbench(tmp_path)
    bench.publish()
    project = bench.new_project()
    bench.edit({"template/NEW.md": "new\n"})
    bench.release("1.1.0")
    code, out, err = invoke("update", str(project), "--catalog", str(bench.root))
    assert code == 0, out + err
    steps = err.splitlines()
    assert steps[0] == "updating tiny 1.0.0 -> 1.1.0 with copier"
    assert steps.count(f"running the release gate on {project}") == 2  # before and after
