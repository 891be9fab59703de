"""`paved new` end to end: real copier render, real scanners, real release gate, offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from tests.helpers import REPO, VULNERABLE_FILES, catalog_yaml, tiny_template_files, write_tree
from typer.testing import CliRunner

from pavedroad.catalog import model as catalog
from pavedroad.catalog.questions import ShownStep, load_config, next_steps, resolve_answers
from pavedroad.catalog.render import render
from pavedroad.cli import app
from pavedroad.errors import ConfigError

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
    steps = result.stdout.split("Next steps:\n", 1)[1].splitlines()
    runs = [line.strip() for line in steps if line.startswith("  ") and "#" not in line]
    assert runs[0] == f"cd {dest}"
    assert runs[1].startswith("git init -b main && ")
    install = runs.index(
        "python3 -m venv .venv && . .venv/bin/activate && python -m pip install pytest"
    )
    assert runs.index("python -m pytest -q") == install + 1  # pytest is installed first
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = (
        "paved new python-service orders --data service_name=orders --data owner=@acme/payments"
    )
    example = readme.split(f"$ {command} --quiet\n", 1)[1].split("\n$ ", 1)[0]
    printed = result.stdout.replace(str(dest), "orders")
    shown = re.sub(r"python-service \S+ \(", f"python-service {version} (", example)
    assert printed == shown + "\n"  # the README shows what it prints (but for the version)
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


def _steps(template_id: str, **given: object) -> tuple[ShownStep, ...]:
    template = catalog.load().get(template_id)
    answers = resolve_answers(load_config(template.directory), given)
    return next_steps(template.next_steps, answers)


@pytest.mark.parametrize(
    ("template_id", "expected"),
    [
        ("python-service", ["python -m pip install pytest", "python -m pytest -q"]),
        ("node-service", ["npm test"]),
        ("terraform-aws", ["terraform init -backend=false && terraform validate"]),
        ("dockerfile-python", ["docker build -t my-app ."]),
        ("dockerfile-node", ["docker build -t"]),
        ("dockerfile-go", ["docker build -t"]),
        ("k8s-workload", ["kubectl kustomize k8s/"]),
    ],
)
def test_next_steps_come_from_the_template(template_id: str, expected: list[str]) -> None:
    runs = " ; ".join(step.run for step in _steps(template_id))
    positions = [runs.find(part) for part in expected]
    assert -1 not in positions, runs
    assert positions == sorted(positions)


def test_next_steps_render_the_answers() -> None:
    runs = [step.run for step in _steps("node-service", service_name="billing-api")]
    assert "docker build -t billing-api:dev ." in runs


def test_a_missing_tool_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing to find
    (docker,) = [s for s in _steps("dockerfile-go") if s.run.startswith("docker ")]
    assert docker.missing == (
        "docker is not installed here; install Docker Engine from "
        "https://docs.docker.com/engine/install/"
    )
    monkeypatch.undo()
    tool = tmp_path / "docker"
    tool.write_text("#!/bin/sh\n", encoding="utf-8")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    (docker,) = [s for s in _steps("dockerfile-go") if s.run.startswith("docker ")]
    assert docker.missing is None


@pytest.mark.parametrize("template_id", ["python-service", "node-service"])
def test_git_init_branch_is_the_one_the_workflows_run_on(template_id: str, tmp_path: Path) -> None:
    template = catalog.load().get(template_id)
    answers = resolve_answers(load_config(template.directory), {})
    render(template, answers, tmp_path / "out")
    workflow = yaml.safe_load((tmp_path / "out" / ".github/workflows/ci.yml").read_text())
    branches = workflow[True]["push"]["branches"]  # PyYAML reads the key `on` as True
    (git_init,) = [s.run for s in next_steps(template.next_steps, answers) if "git init" in s.run]
    assert git_init.startswith(f"git init -b {branches[0]} && ")


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("{run: make, needs: make}", "needs 'make' but says no `get`; say how to install it"),
        ("{run: make, get: apt install make}", "has `get` but no `needs`"),
        (
            "{run: make, colour: red}",
            "next_steps[0].colour: Extra inputs are not permitted",
        ),
        ("{run: ''}", "templates[0].next_steps[0].run: "),
    ],
)
def test_next_steps_schema_is_strict(tmp_path: Path, step: str, message: str) -> None:
    root = tmp_path / "catalog"
    write_tree(root / "templates" / "tiny", tiny_template_files())
    text = catalog_yaml() + f"    next_steps: [{step}]\n"
    (root / "catalog.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        catalog.load(root)
    assert message in str(exc.value)
