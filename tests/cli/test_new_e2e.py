"""`paved new` end to end: real copier render, real scanners, real release gate, offline."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from tests.helpers import VULNERABLE_FILES, catalog_yaml, tiny_template_files, write_tree
from typer.testing import CliRunner

from pavedroad.catalog import model as catalog
from pavedroad.cli import app

ENV = {"COLUMNS": "100", "NO_COLOR": "1"}
pytestmark = pytest.mark.slow


def test_new_bootstraps_python_service_offline(tmp_path: Path, network_guard: Path) -> None:
    dest = tmp_path / "services" / "orders"
    result = CliRunner().invoke(
        app,
        [
            "new",
            "python-service",
            str(dest),
            "--defaults",
            "--data",
            "service_name=orders",
            "--data",
            "owner=@acme/payments",
        ],
        env=ENV,
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    version = catalog.load().get("python-service").version
    assert f"Created {dest} from python-service {version}" in result.stdout
    assert "PASSED: stage release" in result.stdout
    assert "Next steps:" in result.stdout
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["_paved_template"] == "python-service"
    assert answers["_paved_version"] == version
    assert answers["service_name"] == "orders"
    for rel in (
        ".pavedroad/policy.yaml",
        ".pavedroad/exceptions.yaml",
        ".secrets.baseline",
        ".hadolint.yaml",
        ".pre-commit-config.yaml",
        ".github/CODEOWNERS",
        "SECURITY.md",
        "Dockerfile",
        ".github/workflows/ci.yml",
        "src/orders/app.py",
    ):
        assert (dest / rel).is_file(), rel
    assert "@acme/payments" in (dest / ".github" / "CODEOWNERS").read_text()
    assert network_guard.read_text() == "", "nothing may touch the network while rendering"
    assert not [p for p in dest.parent.iterdir() if ".paved-" in p.name]


@pytest.fixture
def vulnerable_catalog(tmp_path: Path) -> Path:
    """A catalog whose only template renders files the release gate blocks."""
    root = tmp_path / "catalog"
    files = tiny_template_files()
    files.update({f"template/{k}": v for k, v in VULNERABLE_FILES.items()})
    write_tree(root / "templates" / "tiny", files)
    (root / "catalog.yaml").write_text(catalog_yaml(), encoding="utf-8")
    return root


def test_render_that_fails_its_gate_is_not_written(
    tmp_path: Path, vulnerable_catalog: Path
) -> None:
    dest = tmp_path / "svc"
    result = CliRunner().invoke(
        app,
        ["new", "tiny", str(dest), "--defaults", "--catalog", str(vulnerable_catalog)],
        env=ENV,
    )
    assert result.exit_code == 1
    assert not dest.exists()
    assert "BLOCKED: stage release" in result.stderr
    assert "config.py" in result.stderr
    assert "does not pass its release gate; nothing was written" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["catalog"]


def test_prompts_on_a_terminal(
    tmp_path: Path, tiny_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pavedroad.cli.prompts.is_terminal", lambda: True)
    dest = tmp_path / "svc"
    result = CliRunner().invoke(
        app,
        ["new", "tiny", str(dest), "--catalog", str(tiny_catalog)],
        input="Bad Name\nnice-name\nfancy\n4\n",
        env=ENV,
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "rejected" in result.stderr
    assert (dest / "README.md").read_text() == "# nice-name (fancy, 4 replicas)\n"


def test_defaults_never_prompt(
    tmp_path: Path, tiny_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pavedroad.cli.prompts.is_terminal", lambda: True)
    dest = tmp_path / "svc"
    result = CliRunner().invoke(
        app,
        ["new", "tiny", str(dest), "--defaults", "--catalog", str(tiny_catalog)],
        input="",
        env=ENV,
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (dest / "README.md").read_text() == "# demo (plain, 2 replicas)\n"


def test_data_file_and_data_flags(tmp_path: Path, tiny_catalog: Path) -> None:
    answers = write_tree(tmp_path, {"answers.yml": "name: from-file\nreplicas: 7\n"})
    dest = tmp_path / "svc"
    result = CliRunner().invoke(
        app,
        [
            "new",
            "tiny",
            str(dest),
            "--defaults",
            "--catalog",
            str(tiny_catalog),
            "--data-file",
            str(answers / "answers.yml"),
            "--data",
            "replicas=9",
        ],
        env=ENV,
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (dest / "README.md").read_text() == "# from-file (plain, 9 replicas)\n"


def test_ctrl_c_exits_130_and_leaves_nothing(
    tmp_path: Path, tiny_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("pavedroad.catalog.render._copy", interrupted)
    dest = tmp_path / "svc"
    result = CliRunner().invoke(
        app, ["new", "tiny", str(dest), "--defaults", "--catalog", str(tiny_catalog)], env=ENV
    )
    assert result.exit_code == 130
    assert "interrupted; nothing was changed" in result.stderr
    assert not dest.exists()
    assert not [p for p in tmp_path.iterdir() if ".paved-" in p.name]
