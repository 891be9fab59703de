"""`paved adopt` end to end: an existing Python project joins the paved road.

Real git repositories, the bundled catalog rendered by copier, the real scanners, offline.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from tests.update_helpers import commit, git, snapshot
from typer.testing import CliRunner

from pavedroad.catalog import model as catalog
from pavedroad.cli import app

ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
DIGEST = "sha256:" + "0123456789abcdef" * 4
OWN_DOCKERFILE = 'FROM python:3.12\nCOPY . /app\nCMD ["python", "-m", "orders"]\n'
OWN_WORKFLOW = """\
name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python -m pytest
"""
LEGACY = {
    "pyproject.toml": '[project]\nname = "orders"\nversion = "0.3.0"\n',
    "src/orders/__main__.py": 'print("orders")\n',
    "Dockerfile": OWN_DOCKERFILE,
    ".github/workflows/ci.yml": OWN_WORKFLOW,
}


def paved(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=ENV)
    return result.exit_code, result.stdout, result.stderr


def version_of(template_id: str) -> str:
    return catalog.load().get(template_id).version


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    """An existing Python service with its own Dockerfile and workflow, committed."""
    repo = tmp_path / "orders"
    for rel, text in LEGACY.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    git(repo, "init", "--quiet", "--initial-branch=main")
    commit(repo, "An existing service")
    return repo


def answers(repo: Path, name: str) -> dict[str, object]:
    data = yaml.safe_load((repo / name).read_text())
    assert isinstance(data, dict)
    return data


@pytest.mark.slow
def test_existing_project_adopts_two_templates_then_updates_and_drifts(
    legacy: Path, network_guard: Path
) -> None:
    service = version_of("python-service")
    code, out, err = paved(
        "adopt", "python-service", str(legacy), "--defaults", "-d", "service_name=orders"
    )

    assert code == 1, "its own Dockerfile and workflow fail the release gate: " + err
    assert f"Adopted python-service {service} into {legacy}" in out
    assert "answers recorded in .copier-answers.python-service.yml" in out
    assert "  + .pavedroad/policy.yaml" in out and "  + src/orders/app.py" in out
    assert "Left alone (4): you have these files; the template's differ:" in out
    assert "--- a/Dockerfile (yours)" in out
    assert f"+++ b/Dockerfile (template {service})" in out
    assert "-FROM python:3.12\n" in out and "+USER 10001:10001\n" in out
    assert "--- a/.github/workflows/ci.yml (yours)" in out
    assert "BLOCKED: stage release" in err and "CKV_DOCKER_3 Dockerfile" in err
    assert "git reset --hard HEAD && git clean -fd" in err
    assert snapshot(legacy)["Dockerfile"] == OWN_DOCKERFILE.encode(), "left alone"
    recorded = answers(legacy, ".copier-answers.python-service.yml")
    assert recorded["_paved_template"] == "python-service"
    assert recorded["_paved_version"] == service and recorded["service_name"] == "orders"
    assert not (legacy / ".copier-answers.yml").exists()
    assert git(legacy, "log", "--oneline").count("\n") == 1, "nothing is committed"
    assert "?? .copier-answers.python-service.yml" in git(legacy, "status", "--porcelain")
    commit(legacy, "Adopt python-service")

    code, out, err = paved(
        "adopt", "github-pipeline", str(legacy), "--defaults", "-d", "project_name=orders"
    )
    assert code == 1, err
    assert "answers recorded in .copier-answers.github-pipeline.yml" in out
    assert "  + .copier-answers.github-pipeline.yml" in out
    assert (legacy / ".github" / "workflows" / "paved-gate.yml").is_file()
    assert "--- a/.github/CODEOWNERS (yours)" in out, "python-service's CODEOWNERS differs"
    pipeline = answers(legacy, ".copier-answers.github-pipeline.yml")
    assert pipeline["_paved_template"] == "github-pipeline" and pipeline["project_name"] == "orders"
    commit(legacy, "Adopt github-pipeline")

    code, out, err = paved("drift", str(legacy), "--format", "json")
    rows = json.loads(out)
    assert [(r["template_id"], r["behind"], r["error"]) for r in rows] == [
        ("github-pipeline", 0, None),
        ("python-service", 0, None),
    ]
    code, out, err = paved("update", str(legacy), "--defaults")
    assert code == 0, err
    assert f"is at github-pipeline {version_of('github-pipeline')}, python-service" in out
    assert "nothing to do" in out

    code, out, err = paved(
        "update", str(legacy), "--template", "python-service", "-d", f"image_digest={DIGEST}"
    )
    assert f"python-service {service} (new answers)" in out, err
    deployment = (legacy / "deploy" / "k8s" / "deployment.yaml").read_text()
    assert f"ghcr.io/acme/orders@{DIGEST}" in deployment
    recorded = answers(legacy, ".copier-answers.python-service.yml")
    assert recorded["image_digest"] == DIGEST and recorded["service_name"] == "orders"
    assert "findings after:" in out
    assert network_guard.read_text() == "", "nothing may touch the network"


def test_write_conflicts_puts_both_versions_between_markers(legacy: Path) -> None:
    code, out, err = paved(
        "adopt",
        "python-service",
        str(legacy),
        "--defaults",
        "--write-conflicts",
        "-d",
        "service_name=orders",
    )

    assert code == 1, err
    assert "Written with conflict markers (4)" in out and "  Dockerfile" in out
    assert "--- a/Dockerfile" not in out, "written files are reviewed in place, not as diffs"
    text = (legacy / "Dockerfile").read_text()
    assert text.count("<<<<<<< ours\n") >= 1 and "\n=======\n" in text
    assert ">>>>>>> template\n" in text
    assert "COPY . /app" in text and "USER 10001:10001" in text, "both versions are kept"
    assert "resolve the conflict markers" in err and "not gated until then" in err
    assert "BLOCKED" not in err, "conflict markers are not gated"
    changed = git(legacy, "status", "--porcelain")
    assert " M Dockerfile" in changed and " M .github/workflows/ci.yml" in changed


def test_dirty_tree_is_refused_naming_the_files(legacy: Path) -> None:
    (legacy / "Dockerfile").write_text(OWN_DOCKERFILE + "USER 1000\n")
    (legacy / "notes.txt").write_text("draft\n")
    before = snapshot(legacy)

    code, out, err = paved("adopt", "python-service", str(legacy), "--defaults")

    assert code == 2
    assert "2 uncommitted change(s): Dockerfile, notes.txt" in err
    assert "git stash -u" in err
    assert snapshot(legacy) == before


def test_not_a_repository_is_refused(tmp_path: Path) -> None:
    code, out, err = paved("adopt", "python-service", str(tmp_path), "--defaults")
    assert code == 2
    assert "not a git repository with a commit" in err and "git init" in err


def test_invalid_answer_is_refused_before_anything_is_written(legacy: Path) -> None:
    before = snapshot(legacy)
    code, out, err = paved("adopt", "python-service", str(legacy), "--defaults", "-d", "port=80")
    assert code == 2
    assert "answer port: 80 rejected: port must be between 1024 and 65535" in err
    assert snapshot(legacy) == before
