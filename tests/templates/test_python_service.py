"""Render the python-service template with pytest-copie and check what each scenario produces."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.templates.helpers import assert_security_files, render_template

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "templates" / "python-service"

# The catalog's answer sets for this template (catalog.yaml `scenarios`).
SCENARIOS: dict[str, dict[str, Any]] = {
    "default": {},
    "no-kubernetes": {"include_kubernetes": False},
    "py311": {"service_name": "billing-api", "python_version": "3.11", "port": 9000},
    "with-deployment": {
        "image_digest": "sha256:6ca60be4b257355efc1adf63e141bd5bf953d2afc9a565a7f5b5eac414320e3e"
    },
    "secret-files": {
        "secrets_backend": "kubernetes-secret-files",
        "image_digest": "sha256:6ca60be4b257355efc1adf63e141bd5bf953d2afc9a565a7f5b5eac414320e3e",
    },
    "external-secrets": {
        "secrets_backend": "external-secrets",
        "cluster_store": "vault-backend",
        "security_reviewers": "@acme/appsec",
        "image_digest": "sha256:6ca60be4b257355efc1adf63e141bd5bf953d2afc9a565a7f5b5eac414320e3e",
    },
    "csi-secrets-store": {
        "secrets_backend": "csi-secrets-store",
        "image_digest": "sha256:6ca60be4b257355efc1adf63e141bd5bf953d2afc9a565a7f5b5eac414320e3e",
    },
}
DEFAULTS: dict[str, Any] = {
    "service_name": "my-service",
    "description": "A service on the paved road",
    "owner": "@acme/platform",
    "python_version": "3.12",
    "port": 8080,
    "include_kubernetes": True,
    "image_registry": "ghcr.io/acme",
}
# A syntactically valid digest for render tests only: it names no image and ships nowhere.
FIXTURE_DIGEST = "sha256:" + hashlib.sha256(b"paved-road test fixture, not an image").hexdigest()

ALWAYS = (
    ".copier-answers.yml",
    ".dockerignore",
    ".gitignore",
    ".hadolint.yaml",
    ".pre-commit-config.yaml",
    ".secrets.baseline",
    ".pavedroad/policy.yaml",
    ".pavedroad/exceptions.yaml",
    ".github/CODEOWNERS",
    ".github/dependabot.yml",
    ".github/workflows/ci.yml",
    "Dockerfile",
    "README.md",
    "SECURITY.md",
    "pyproject.toml",
    "tests/test_app.py",
)
K8S = tuple(
    f"deploy/k8s/{name}.yaml"
    for name in ("kustomization", "namespace", "serviceaccount", "service", "networkpolicy", "pdb")
)
DEPLOYMENT = "deploy/k8s/deployment.yaml"


def render(copie: Any, answers: dict[str, Any]) -> Path:
    return render_template(copie, TEMPLATE, answers)


def files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_scenarios_match_the_catalog() -> None:
    catalog = yaml.safe_load((REPO / "catalog.yaml").read_text(encoding="utf-8"))
    entry = next(t for t in catalog["templates"] if t["id"] == "python-service")
    assert entry["scenarios"] == SCENARIOS


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_scenario_renders_the_expected_files(copie: Any, scenario: str) -> None:
    answers = {**DEFAULTS, **SCENARIOS[scenario]}
    project = render(copie, SCENARIOS[scenario])
    rendered = files(project)
    module = answers["service_name"].replace("-", "_")

    expected = {*ALWAYS, *(f"src/{module}/{n}" for n in ("__init__.py", "__main__.py", "app.py"))}
    assert expected <= rendered, sorted(expected - rendered)
    if answers["include_kubernetes"]:
        assert set(K8S) <= rendered
    else:
        assert not (project / "deploy").exists()
    # No digest is known before the first build, so no Deployment can reference one yet.
    assert (DEPLOYMENT in rendered) == bool(answers.get("image_digest"))
    assert not any("{" in path or path.endswith(".jinja") for path in rendered)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_answers_file_records_the_answers(copie: Any, scenario: str) -> None:
    project = render(copie, SCENARIOS[scenario])
    text = (project / ".copier-answers.yml").read_text(encoding="utf-8")
    assert text.startswith("# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n")
    recorded = yaml.safe_load(text)
    for name, value in {**DEFAULTS, **SCENARIOS[scenario]}.items():
        assert recorded[name] == value, name
    assert "module_name" not in recorded, "computed values are not answers"
    assert recorded["_src_path"]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_rendered_project_test_suite_passes(copie: Any, scenario: str) -> None:
    project = render(copie, SCENARIOS[scenario])
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " passed" in proc.stdout


def test_answers_reach_code_image_and_manifests(copie: Any) -> None:
    project = render(copie, SCENARIOS["py311"])
    app = (project / "src/billing_api/app.py").read_text(encoding="utf-8")
    assert 'SERVICE_NAME = "billing-api"' in app
    assert "DEFAULT_PORT = 9000" in app
    dockerfile = (project / "Dockerfile").read_text(encoding="utf-8")
    froms = [line for line in dockerfile.splitlines() if line.startswith("FROM ")]
    assert len(froms) == 2
    assert all(line.startswith("FROM python:3.11-slim@sha256:") for line in froms)
    assert "USER 10001:10001" in dockerfile
    assert 'CMD ["python", "-m", "billing_api.healthcheck"]' in dockerfile
    assert 'requires-python = ">=3.11"' in (project / "pyproject.toml").read_text(encoding="utf-8")
    ci = yaml.safe_load((project / ".github/workflows/ci.yml").read_text(encoding="utf-8"))
    assert ci["env"]["PYTHON_VERSION"] == "3.11"
    netpol = list(yaml.safe_load_all((project / K8S[4]).read_text(encoding="utf-8")))
    assert netpol[1]["spec"]["ingress"][0]["ports"] == [{"port": 9000, "protocol": "TCP"}]
    assert all(doc["metadata"]["namespace"] == "billing-api" for doc in netpol)


def test_workflow_keeps_github_expressions_and_pins_actions(copie: Any) -> None:
    project = render(copie, {})
    text = (project / ".github/workflows/paved-gate.yml").read_text(encoding="utf-8")
    assert "changed-since: origin/${{ github.base_ref }}" in text
    assert "{% raw" not in text and "{%" not in text
    workflow = yaml.safe_load(text)
    assert workflow["permissions"] == {}
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    for step in steps:
        if "uses" in step:
            ref = step["uses"].split("@", 1)[1]
            assert len(ref) == 40 and all(c in "0123456789abcdef" for c in ref), step["uses"]
        assert "${{" not in step.get("run", ""), "pass event data to run: via env"


def test_digest_answer_renders_the_deployment(copie: Any) -> None:
    project = render(copie, {"image_digest": FIXTURE_DIGEST})
    deployment = yaml.safe_load((project / DEPLOYMENT).read_text(encoding="utf-8"))
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["image"] == f"ghcr.io/acme/my-service@{FIXTURE_DIGEST}"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert pod["securityContext"]["runAsUser"] == 10001
    assert pod["automountServiceAccountToken"] is False
    kustomization = yaml.safe_load((project / K8S[0]).read_text(encoding="utf-8"))
    assert "deployment.yaml" in kustomization["resources"]
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["image_digest"] == (
        FIXTURE_DIGEST
    )


def test_two_renders_are_identical(copie: Any) -> None:
    first, second = render(copie, {}), render(copie, {})
    assert files(first) == files(second)
    for rel in files(first):
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_security_files_are_consistent(copie: Any) -> None:
    assert_security_files(render(copie, {}), "@acme/platform", ("*", "/.pavedroad/", "/.github/"))


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("service_name", "../x"),
        ("service_name", "Bad Name"),
        ("service_name", ""),
        ("service_name", "a/b"),
        ("service_name", "double--hyphen"),
        ("service_name", "trailing-"),
        ("description", "costs $5"),
        ("owner", "acme/platform"),
        ("port", 80),
        ("image_registry", "ghcr.io/acme/"),
        ("image_digest", "sha256:abc"),
        ("image_digest", "latest"),
    ],
)
def test_invalid_answer_is_rejected(copie: Any, question: str, value: Any) -> None:
    result = copie.copy(extra_answers={question: value}, template_dir=TEMPLATE)
    assert result.exit_code != 0
    assert result.exception is not None
    assert f"Validation error for question {question!r}" in str(result.exception)
    project = result.project_dir
    assert project is None or not any(Path(project).iterdir())
