"""CLI behaviour that needs no scanner: help, catalog, usage and input errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests.helpers import assert_snapshot, catalog_yaml, tiny_template_files, write_tree
from typer.testing import CliRunner

from pavedroad.catalog import store
from pavedroad.cli import app
from pavedroad.errors import UserError

RUNNER = CliRunner()
ENV = {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"}


def run(*args: str) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, list(args), env=ENV)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["new"],
        ["gate"],
        ["scan"],
        ["catalog"],
        ["exceptions"],
        ["exceptions", "request"],
        ["adopt"],
        ["lsp"],
        ["baseline"],
        ["baseline", "create"],
        ["catalog", "validate"],
        ["comment"],
        ["protect"],
        ["tickets", "sync"],
        ["metrics"],
        ["metrics", "ingest"],
        ["metrics", "report"],
        ["threatmodel"],
        ["threatmodel", "check"],
        ["explain"],
    ],
    ids=lambda a: "-".join(a) or "paved",
)
def test_help_snapshots(args: list[str]) -> None:
    code, out, _ = run(*args, "--help")
    assert code == 0
    assert_snapshot(f"help/{'-'.join(args) or 'paved'}.txt", out)


def test_gate_imports_only_what_it_uses() -> None:
    """Start-up of `paved gate` skips what only other commands need (copier, jinja, catalog)."""
    code = (
        "import sys\nfrom pavedroad.cli import load_command\nload_command('gate')\n"
        "print(' '.join(sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    assert "pavedroad.gate.run" in loaded
    heavy = {
        "copier",
        "jinja2",
        "questionary",
        "pavedroad.catalog.model",
        "pavedroad.catalog.render",
    }
    assert not heavy & loaded


def test_unknown_command_suggests_the_closest() -> None:
    code, _, err = run("gat")
    assert code == 2
    assert "Did you mean 'gate'?" in err


def test_catalog_list_table_and_json() -> None:
    code, out, _ = run("catalog", "list")
    assert code == 0
    assert out.splitlines()[0].split() == ["ID", "VERSION", "KIND", "TITLE"]
    assert any(line.startswith("python-service ") for line in out.splitlines())
    code, out, _ = run("catalog", "list", "--json")
    data = json.loads(out)
    assert {"id", "version", "kind", "scenarios"} <= set(data[0])


def test_catalog_list_columns_never_run_together(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    write_tree(root / "templates" / "tiny", tiny_template_files())
    long_kind = catalog_yaml(kind="dockerfile", id="a-rather-long-template-id")
    (root / "catalog.yaml").write_text(long_kind, encoding="utf-8")
    code, out, _ = run("catalog", "list", "--catalog", str(root))
    assert code == 0
    assert out.splitlines() == [
        "ID                         VERSION  KIND        TITLE",
        "a-rather-long-template-id  1.2.3    dockerfile  Tiny",
    ]


def test_a_store_without_the_template_says_so(tmp_path: Path) -> None:
    empty = store.Store(str(tmp_path / "store"))
    with pytest.raises(UserError) as exc:
        store.source(empty, "tiny", "1.0.0")
    assert str(exc.value).startswith(
        f"tiny 1.0.0: the store {empty.location} has no repository tiny.git with a published "
        f"version; publish the catalog into it with `paved catalog publish --to {empty.location}`"
    )


def test_catalog_show_lists_questions_and_scenarios() -> None:
    code, out, _ = run("catalog", "show", "python-service")
    assert code == 0
    assert "service_name (str)" in out
    assert "scenarios:" in out and "default:" in out


def test_unknown_template_exits_2_listing_ids(tmp_path: Path) -> None:
    code, _, err = run("new", "no-such", str(tmp_path / "x"), "--defaults")
    assert code == 2
    assert "unknown template 'no-such'; known templates: " in err
    assert "python-service" in err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("name", ["../evil", "a/b", "has space", "UPPER", ""])
def test_invalid_service_name_writes_nothing(tmp_path: Path, name: str) -> None:
    dest = tmp_path / "svc"
    code, _, err = run(
        "new", "python-service", str(dest), "--defaults", "--data", f"service_name={name}"
    )
    assert code == 2
    assert "answer service_name:" in err
    assert "Traceback" not in err
    assert not dest.exists()


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ("python_version=2.7", "answer python_version: '2.7' is not one of the choices"),
        ("port=http", "answer port: 'http' is not a valid int"),
        ("colour=red", "unknown question 'colour'"),
        ("novalue", "expected KEY=VALUE"),
    ],
)
def test_invalid_answers_name_the_question(tmp_path: Path, data: str, needle: str) -> None:
    code, _, err = run("new", "python-service", str(tmp_path / "svc"), "--defaults", "--data", data)
    assert code == 2
    assert needle in err
    assert not (tmp_path / "svc").exists()


def test_non_empty_destination_is_refused(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    code, _, err = run("new", "python-service", str(tmp_path), "--defaults")
    assert code == 2
    assert "exists and is not empty" in err
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_malformed_catalog_exits_2(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text("version: 1.0.0\ntemplates:\n  - id: x\n")
    code, _, err = run("catalog", "list", "--catalog", str(tmp_path))
    assert code == 2
    assert err.startswith("error: catalog.yaml: templates[0].title: Field required; add it")


def test_catalog_env_variable(tiny_catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = RUNNER.invoke(
        app, ["catalog", "list"], env={**ENV, "PAVED_CATALOG": str(tiny_catalog)}
    )
    assert result.exit_code == 0
    assert "tiny" in result.stdout and "python-service" not in result.stdout


def test_unknown_version_is_refused(tmp_path: Path) -> None:
    code, _, err = run(
        "new", "python-service", str(tmp_path / "s"), "--defaults", "--version", "9.9.9"
    )
    assert code == 2
    assert "--version 9.9.9" in err


def test_unknown_stage_exits_2(tmp_path: Path) -> None:
    code, _, err = run("gate", str(tmp_path), "--stage", "prod")
    assert code == 2
    assert "unknown stage 'prod'" in err


def test_malformed_policy_exits_2(tmp_path: Path) -> None:
    (tmp_path / ".pavedroad").mkdir()
    (tmp_path / ".pavedroad" / "policy.yaml").write_text("version: 1\nstages: {pr: {scope: x}}\n")
    code, _, err = run("gate", str(tmp_path), "--stage", "pr")
    assert code == 2
    assert "policy.yaml: stages.pr.scope" in err


def test_version_flag() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("paved ")
