"""Bad input gets exit 2 naming the file and the fix, never an internal error (exit 70)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from tests.helpers import VULNERABLE_FILES, catalog_yaml, tiny_template_files, write_tree
from tests.update_helpers import Workbench, commit
from typer.testing import CliRunner

from pavedroad.catalog.scratch import remove_tree
from pavedroad.cli import app
from pavedroad.scan import workspace

ENV = {"COLUMNS": "100", "NO_COLOR": "1"}
BAD_DATES = ["2026-13-45", "2026-02-30"]


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={**ENV, **(env or {})})
    output = result.stdout + result.stderr
    assert "internal error" not in output, output
    return result.exit_code, output


def _record(created: str) -> str:
    return (
        "version: 1\nexceptions:\n  - id: EXC-0001\n    rule: CKV_AWS_20\n"
        "    paths: [main.tf]\n    owner: '@acme/app'\n    justification: because\n"
        f"    approver: '@acme/sec'\n    created: {created}\n    expires: 2026-12-01\n"
    )


@pytest.mark.parametrize("bad", BAD_DATES)
def test_invalid_date_in_exceptions_file(tmp_path: Path, bad: str) -> None:
    write_tree(tmp_path, {".pavedroad/exceptions.yaml": _record(bad)})
    code, output = invoke("exceptions", "list", str(tmp_path))
    assert code == 2, output
    assert "exceptions.yaml: exceptions[0] (EXC-0001).created" in output
    assert "YYYY-MM-DD" in output


@pytest.mark.parametrize("bad", BAD_DATES)
def test_invalid_date_in_catalog_file(tmp_path: Path, bad: str) -> None:
    root = tmp_path / "catalog"
    write_tree(root / "templates" / "tiny", tiny_template_files())
    (root / "catalog.yaml").write_text(catalog_yaml(version=bad), encoding="utf-8")
    code, output = invoke("catalog", "list", "--catalog", str(root))
    assert code == 2, output
    assert "catalog.yaml: templates[0].version" in output


@pytest.mark.parametrize("bad", BAD_DATES)
def test_invalid_date_in_data_file(tmp_path: Path, tiny_catalog: Path, bad: str) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text(f"name: {bad}\n", encoding="utf-8")
    dest = str(tmp_path / "svc")
    args = ["--defaults", "--data-file", str(answers), "--catalog", str(tiny_catalog)]
    code, output = invoke("new", "tiny", dest, *args)
    assert code == 2, output
    assert f"answer name: '{bad}' rejected" in output


@pytest.mark.parametrize("bad", BAD_DATES)
def test_invalid_date_in_answers_file_keeps_every_drift_row(tmp_path: Path, bad: str) -> None:
    bench = Workbench(tmp_path)
    bench.publish()
    good = bench.new_project("good")
    odd = bench.new_project("odd")
    answers = odd / ".copier-answers.yml"
    answers.write_text(answers.read_text() + f"created: {bad}\n", encoding="utf-8")
    commit(odd)
    args = ["drift", str(good), str(odd), "--format", "json", "--catalog", str(bench.root)]
    result = CliRunner().invoke(app, args, env=ENV)
    assert result.exit_code == 0, result.stdout + result.stderr
    rows = {r["path"]: r for r in json.loads(result.stdout)}
    assert rows[str(good)]["error"] is None
    assert rows[str(odd)]["error"] is None  # an impossible date is just text in an answer
    assert rows[str(odd)]["version"] == "1.0.0"


def test_deeply_nested_policy(tmp_path: Path) -> None:
    depth = 50_000
    write_tree(tmp_path, {".pavedroad/policy.yaml": "[" * depth + "]" * depth + "\n"})
    code, output = invoke("gate", str(tmp_path), "--stage", "release")
    assert code == 2, output
    assert ".pavedroad/policy.yaml: nested too deeply" in output


def test_deeply_nested_exceptions_record(tmp_path: Path) -> None:
    depth = 5_000
    text = "version: 1\nexceptions: " + "[" * depth + "]" * depth + "\n"
    write_tree(tmp_path, {".pavedroad/exceptions.yaml": text})
    code, output = invoke("exceptions", "list", str(tmp_path))
    assert code == 2, output
    assert "exceptions.yaml: nested too deeply" in output


@pytest.mark.slow
def test_request_with_absurd_days(tmp_path: Path) -> None:
    env = {"PAVED_TODAY": "2026-11-28", "PAVED_CACHE_DIR": str(tmp_path / "results")}
    repo = write_tree(tmp_path / "repo", {"config.py": VULNERABLE_FILES["config.py"]})
    code, output = invoke("gate", str(repo), "--stage", "pr", env=env)
    assert code == 1, output
    ref = re.findall(r"paved exceptions request ([0-9a-f]{12})", output)[0]
    args = ["exceptions", "request", ref, "--path", str(repo), "--owner", "@a/b"]
    args += ["--approver", "@a/c", "--justification", "x", "--days", "999999999"]
    code, output = invoke(*args, env=env)
    assert code == 2, output
    assert "--days 999999999: exceeds the policy cap of 90 days" in output
    assert "max_days" in output


def _deep(root: Path, levels: int = 1_100) -> Path:
    """Make root/a/a/.../a (levels deep) holding x.py; without recursion, as a user could."""
    root.mkdir(parents=True, exist_ok=True)
    here = str(root)
    for _ in range(levels):
        here += "/a"
        os.mkdir(here)  # noqa: PTH102 - Path.mkdir(parents=True) recurses per level
    Path(here, "x.py").write_text("x = 1\n", encoding="utf-8")
    return root


def test_deep_template_is_a_render_error(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    write_tree(root / "templates" / "tiny", tiny_template_files())
    (root / "catalog.yaml").write_text(catalog_yaml(), encoding="utf-8")
    _deep(root / "templates" / "tiny" / "template")
    dest = tmp_path / "out" / "svc"
    try:
        code, output = invoke("new", "tiny", str(dest), "--defaults", "--catalog", str(root))
        assert code == 2, output
        assert "folders nested more than 64 levels deep; flatten the template" in output
        assert not (tmp_path / "out").exists()
    finally:
        remove_tree(root)


def test_deep_folder_is_walked_and_gated_or_fails_closed(tmp_path: Path) -> None:
    repo = _deep(tmp_path / "repo")
    try:
        assert workspace.collect(repo).files == ("a/" * 1_100 + "x.py",)
        result = CliRunner().invoke(app, ["gate", str(repo), "--stage", "release"], env=ENV)
        output = result.stdout + result.stderr
        # Clean when every scanner read the file; a scanner that cannot is a failure (exit 3).
        assert result.exit_code in (0, 3), output
        assert result.exit_code == 0 or "scanner " in output
    finally:
        remove_tree(repo)
    assert not repo.exists(), "scratch removal copes with any depth"


@pytest.mark.parametrize("bad", BAD_DATES)
def test_invalid_date_in_answers_file_does_not_stop_an_update(tmp_path: Path, bad: str) -> None:
    bench = Workbench(tmp_path)
    bench.publish()
    project = bench.new_project()
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text() + f"created: {bad}\n", encoding="utf-8")
    commit(project)
    bench.edit({"template/NEW.md": "new\n"})
    bench.release("1.1.0")
    args = ["update", str(project), "--defaults", "--catalog", str(bench.root)]
    result = CliRunner().invoke(app, args, env=ENV)
    output = result.stdout + result.stderr
    assert result.exit_code == 0, output
    assert "copier could not update" not in output
    assert "Updated" in result.stdout, output
    assert (project / "NEW.md").is_file()
