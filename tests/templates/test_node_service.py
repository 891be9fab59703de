"""Render every scenario of the node-service template and check the project it produces.

The rendered service's own tests run with `node --test` inside the rendered folder. Scanners
(checkov, hadolint, detect-secrets) are wired into the suite elsewhere.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.templates.helpers import render_template

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "templates" / "node-service"
GITHUB_PIPELINE = REPO / "templates" / "github-pipeline"

# A real, public digest (node:20.20.2-bookworm-slim's multi-arch index) stands in for the
# service's own image, which has no digest before its first build.
REAL_DIGEST = "sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0"

# The scenarios given to catalog.yaml for this template.
SCENARIOS: dict[str, dict[str, Any]] = {
    "default": {},
    "pinned-image": {
        "service_name": "billing-api",
        "description": "Bills customers",
        "owner": "@acme/payments",
        "port": 9000,
        "replicas": 3,
        "image": f"docker.io/library/node@{REAL_DIGEST}",
    },
    "no-kubernetes": {
        "service_name": "edge-worker",
        "include_kubernetes": False,
        "include_template_update": False,
    },
    "secret-files": {
        "secrets_backend": "kubernetes-secret-files",
        "image": f"docker.io/library/node@{REAL_DIGEST}",
    },
    "external-secrets": {
        "secrets_backend": "external-secrets",
        "security_reviewers": "@acme/appsec",
        "image": f"docker.io/library/node@{REAL_DIGEST}",
    },
    "csi-secrets-store": {
        "secrets_backend": "csi-secrets-store",
        "image": f"docker.io/library/node@{REAL_DIGEST}",
    },
}
K8S_ALWAYS = {
    "kustomization.yaml",
    "namespace.yaml",
    "serviceaccount.yaml",
    "service.yaml",
    "networkpolicy.yaml",
    "pdb.yaml",
}
SHA_PIN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
BAD_NAMES = ["", "x", "../evil", "a/b", "has space", "Upper", "-lead", "trail-", "a--b", "a" * 41]


def render(copie: Any, answers: dict[str, Any]) -> Path:
    return render_template(copie, TEMPLATE, answers)


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def k8s_docs(project: Path) -> dict[tuple[str, str], dict[str, Any]]:
    docs = {}
    for path in sorted((project / "deploy" / "k8s").glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            docs[(doc["kind"], doc["metadata"].get("name", ""))] = doc
    return docs


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_scenario_renders_expected_files(copie: Any, scenario: str) -> None:
    answers = SCENARIOS[scenario]
    project = render(copie, answers)
    for rel in [
        ".copier-answers.yml",
        ".pavedroad/policy.yaml",
        ".pavedroad/exceptions.yaml",
        ".secrets.baseline",
        ".hadolint.yaml",
        ".pre-commit-config.yaml",
        ".github/CODEOWNERS",
        ".github/dependabot.yml",
        ".github/workflows/ci.yml",
        ".github/workflows/paved-gate.yml",
        ".dockerignore",
        ".gitignore",
        "Dockerfile",
        "README.md",
        "SECURITY.md",
        "package.json",
        "src/app.js",
        "src/server.js",
        "src/config.js",
        "src/healthcheck.js",
    ]:
        assert (project / rel).is_file(), rel
    update = project / ".github" / "workflows" / "template-update.yml"
    assert update.is_file() == answers.get("include_template_update", True)
    k8s = project / "deploy" / "k8s"
    if answers.get("include_kubernetes", True):
        expected = K8S_ALWAYS | ({"deployment.yaml"} if answers.get("image") else set())
        backend = {
            "external-secrets": "externalsecret.yaml",
            "csi-secrets-store": "secretproviderclass.yaml",
        }
        expected |= {backend[b] for b in [answers.get("secrets_backend")] if b in backend}
        assert {p.name for p in k8s.iterdir()} == expected
        kustomization = load(k8s / "kustomization.yaml")
        assert set(kustomization["resources"]) == expected - {"kustomization.yaml"}
    else:
        assert not (project / "deploy").exists()
    for path in project.rglob("*"):
        if path.is_file():
            assert "checkov:skip" not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_rendered_service_tests_pass(copie: Any, scenario: str) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed, so the rendered service's `node --test` cannot run")
    project = render(copie, SCENARIOS[scenario])
    proc = run(node, "--test", cwd=project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^# pass [1-9]\d*$", proc.stdout, re.M), proc.stdout
    assert re.search(r"^# fail 0$", proc.stdout, re.M), proc.stdout


def test_package_json_has_no_dependencies(copie: Any) -> None:
    answers = SCENARIOS["pinned-image"]
    package = json.loads((render(copie, answers) / "package.json").read_text(encoding="utf-8"))
    assert package["name"] == answers["service_name"]
    assert package["description"] == answers["description"]
    assert package["scripts"]["test"] == "node --test"
    assert not {"dependencies", "devDependencies", "optionalDependencies"} & set(package)


def test_dockerfile_is_hardened(copie: Any) -> None:
    project = render(copie, SCENARIOS["pinned-image"])
    text = (project / "Dockerfile").read_text(encoding="utf-8")
    froms = re.findall(r"^FROM (\S+)", text, re.M)
    assert len(froms) == 2
    assert all(f == f"node:20-bookworm-slim@{REAL_DIGEST}" for f in froms)
    assert not re.search(r"^ADD ", text, re.M)
    assert re.findall(r"^USER (\S+)$", text, re.M) == ["10001:10001"]
    assert 'CMD ["node", "src/healthcheck.js"]' in text
    assert re.search(r"^ENTRYPOINT \[\"node\", \"src/server.js\"\]$", text, re.M)
    assert "EXPOSE 9000" in text and "PORT=9000" in text
    assert load(project / ".hadolint.yaml")["failure-threshold"] == "style"
    assert (project / ".dockerignore").read_text(encoding="utf-8").splitlines()[1] == "*"


def test_workflows_are_shared_with_github_pipeline() -> None:
    ours = TEMPLATE / "template" / ".github"
    theirs = GITHUB_PIPELINE / "template" / ".github"
    names = sorted(p.relative_to(theirs) for p in theirs.rglob("*") if p.is_file())
    names.remove(Path("CODEOWNERS.jinja"))
    for rel in names:
        assert (ours / rel).read_bytes() == (theirs / rel).read_bytes(), rel
    for rel in [".pavedroad/policy.yaml.jinja", ".pavedroad/exceptions.yaml", ".secrets.baseline"]:
        ours_file = TEMPLATE / "template" / rel
        assert ours_file.read_bytes() == (GITHUB_PIPELINE / "template" / rel).read_bytes(), rel


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_workflows_are_pinned_and_valid(copie: Any, scenario: str) -> None:
    project = render(copie, SCENARIOS[scenario])
    files = sorted((project / ".github" / "workflows").glob("*.yml"))
    for path in files:
        workflow = load(path)
        assert workflow["permissions"] == {}, path.name
        for job in workflow["jobs"].values():
            assert isinstance(job["permissions"], dict) and job["timeout-minutes"] > 0
            for step in job["steps"]:
                assert "uses" not in step or SHA_PIN.match(step["uses"]), step["uses"]
    ci = load(project / ".github" / "workflows" / "ci.yml")
    assert set(ci["jobs"]) == {"test", "image"}
    assert ci["env"] == {"NODE_VERSION": "20"}
    proc = run(
        sys.executable,
        "-m",
        "check_jsonschema",
        "--builtin-schema",
        "vendor.github-workflows",
        *map(str, files),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    dependabot = project / ".github" / "dependabot.yml"
    proc = run(
        sys.executable,
        "-m",
        "check_jsonschema",
        "--builtin-schema",
        "vendor.dependabot",
        str(dependabot),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ecosystems = [u["package-ecosystem"] for u in load(dependabot)["updates"]]
    assert ecosystems == ["github-actions", "docker", "npm"]


def test_kubernetes_manifests_are_hardened_and_valid(copie: Any) -> None:
    answers = SCENARIOS["pinned-image"]
    project = render(copie, answers)
    k8s = project / "deploy" / "k8s"
    manifests = sorted(str(p) for p in k8s.glob("*.yaml") if p.name != "kustomization.yaml")
    proc = run(sys.executable, "-m", "kubernetes_validate", "--strict", *manifests)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    docs = k8s_docs(project)
    name = answers["service_name"]
    assert all(doc["metadata"].get("namespace", name) == name for doc in docs.values())
    assert docs[("ServiceAccount", name)]["automountServiceAccountToken"] is False
    deny = docs[("NetworkPolicy", "default-deny-all")]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    assert docs[("PodDisruptionBudget", name)]["spec"]["minAvailable"] == 1

    deployment = docs[("Deployment", name)]["spec"]
    assert deployment["replicas"] == 3
    pod = deployment["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] >= 10000
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    (container,) = pod["containers"]
    assert container["image"] == answers["image"]
    security = container["securityContext"]
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert security["seccompProfile"] == {"type": "RuntimeDefault"}
    assert set(container["resources"]) == {"requests", "limits"}
    for probe in ("livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"]["path"] == "/healthz"
    assert container["ports"][0]["containerPort"] == 9000


def test_answers_record_the_image(copie: Any) -> None:
    answers = load(render(copie, SCENARIOS["pinned-image"]) / ".copier-answers.yml")
    assert answers["image"] == SCENARIOS["pinned-image"]["image"]
    assert answers["_src_path"]
    assert "language" not in answers  # computed, never recorded


@pytest.mark.parametrize("bad", BAD_NAMES)
def test_rejects_invalid_service_names(copie: Any, bad: str) -> None:
    result = copie.copy(extra_answers={"service_name": bad}, template_dir=TEMPLATE)
    assert result.exit_code != 0
    assert "service_name must be" in str(result.exception)


@pytest.mark.parametrize(
    ("question", "bad"),
    [
        ("image", "ghcr.io/acme/svc:1.0.0"),
        ("image", "ghcr.io/acme/svc:latest@" + REAL_DIGEST),
        ("image", "ghcr.io/acme/svc@sha256:abc"),
        ("image", "ghcr.io/acme/svc@" + REAL_DIGEST.upper()),
        ("image", "ghcr.io/acme/svc@" + REAL_DIGEST + " "),
        ("port", 80),
        ("port", 70000),
        ("replicas", 1),
        ("description", ""),
        ("owner", "acme"),
    ],
)
def test_rejects_invalid_answers(copie: Any, question: str, bad: Any) -> None:
    result = copie.copy(extra_answers={question: bad}, template_dir=TEMPLATE)
    assert result.exit_code != 0, (question, bad)


def test_scenarios_match_the_catalog_entry() -> None:
    catalog = load(REPO / "catalog.yaml")
    entries = [t for t in catalog["templates"] if t["id"] == "node-service"]
    if not entries:
        pytest.skip("catalog.yaml has no node-service entry yet")
    assert entries[0]["scenarios"] == SCENARIOS
    assert entries[0]["path"] == "templates/node-service"
    assert entries[0]["kind"] == "service"
