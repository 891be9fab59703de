"""Render the k8s-workload template with pytest-copie and check what each scenario produces."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.templates.helpers import render_template

from pavedroad.exceptions import records as exceptions

from pavedroad.policy import file as policy

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "templates" / "k8s-workload"

# Real public images, pinned by the digests their tags pointed to (see the template README).
NGINX_128 = (
    "docker.io/nginxinc/nginx-unprivileged:1.28-alpine"
    "@sha256:7377697a821c131a924a7105fafbe7414db4e9fcc77a6f08f776f33f141ec3f8"
)
NGINX_129 = (
    "nginxinc/nginx-unprivileged:1.29-alpine"
    "@sha256:0c79d56aee561a1d81c63f00eee5fb5fe29279560cdc55e91425133104c7fbe6"
)
PODINFO = (
    "ghcr.io/stefanprodan/podinfo:6.7.1"
    "@sha256:862ca45e61b32392f7941a1bdfdbe5ff8b6899070135f1bdca1c287d0057fc94"
)

# The catalog's answer sets for this template (catalog.yaml `scenarios`).
SCENARIOS: dict[str, dict[str, Any]] = {
    "default": {},
    "autoscaled": {
        "app_name": "podinfo",
        "namespace": "demo-podinfo",
        "image": PODINFO,
        "port": 9898,
        "liveness_path": "/healthz",
        "readiness_path": "/readyz",
        "replicas": 3,
        "include_hpa": True,
        "hpa_max_replicas": 10,
        "allowed_namespace_label": "kubernetes.io/metadata.name=ingress-nginx",
    },
    "locked-down": {
        "app_name": "static-site",
        "image": NGINX_129,
        "replicas": 1,
        "run_as_user": 65532,
        "cpu_request": "50m",
        "cpu_limit": "1",
        "memory_request": "32Mi",
        "memory_limit": "64Mi",
        "allow_dns_egress": False,
    },
}
# Answers whose default is computed from earlier answers are filled in by answers_for().
DEFAULTS: dict[str, Any] = {
    "app_name": "my-app",
    "image": NGINX_128,
    "port": 8080,
    "liveness_path": "/",
    "run_as_user": 10001,
    "replicas": 2,
    "cpu_request": "100m",
    "cpu_limit": "500m",
    "memory_request": "64Mi",
    "memory_limit": "128Mi",
    "allowed_namespace_label": "",
    "allow_dns_egress": True,
    "include_hpa": False,
}
HPA_DEFAULTS = {"hpa_cpu_utilization": 70}
MANIFESTS = ("namespace", "serviceaccount", "deployment", "service", "networkpolicy", "pdb")
ALWAYS = {
    ".copier-answers.yml",
    ".pavedroad/exceptions.yaml",
    ".pavedroad/policy.yaml",
    "README.md",
    "k8s/kustomization.yaml",
    *(f"k8s/{name}.yaml" for name in MANIFESTS),
}


def answers_for(scenario: str) -> dict[str, Any]:
    """Return every answer a scenario records: defaults, computed defaults, its own answers."""
    answers = {**DEFAULTS, **SCENARIOS[scenario]}
    answers.setdefault("namespace", answers["app_name"])
    answers.setdefault("readiness_path", answers["liveness_path"])
    if answers["include_hpa"]:
        answers.setdefault("hpa_max_replicas", min(answers["replicas"] * 3, 100))
        answers = {**HPA_DEFAULTS, **answers}
    return answers


def render(copie: Any, answers: dict[str, Any]) -> Path:
    return render_template(copie, TEMPLATE, answers)


def files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def documents(project: Path) -> dict[str, list[dict[str, Any]]]:
    """Return the manifests by file stem (kustomization excluded), each as a list of objects."""
    return {
        path.stem: [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
        for path in sorted((project / "k8s").glob("*.yaml"))
        if path.name != "kustomization.yaml"
    }


def test_scenarios_match_the_catalog() -> None:
    catalog = yaml.safe_load((REPO / "catalog.yaml").read_text(encoding="utf-8"))
    entry = next((t for t in catalog["templates"] if t["id"] == "k8s-workload"), None)
    assert entry is not None, "catalog.yaml has no entry for k8s-workload"
    assert entry["kind"] == "kubernetes"
    assert entry["scenarios"] == SCENARIOS


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_scenario_renders_the_expected_files_and_answers(copie: Any, scenario: str) -> None:
    answers = answers_for(scenario)
    project = render(copie, SCENARIOS[scenario])

    expected = ALWAYS | ({"k8s/hpa.yaml"} if answers["include_hpa"] else set())
    assert files(project) == expected
    kustomization = yaml.safe_load((project / "k8s/kustomization.yaml").read_text())
    assert set(kustomization["resources"]) == {
        path.removeprefix("k8s/") for path in expected if path.startswith("k8s/")
    } - {"kustomization.yaml"}

    text = (project / ".copier-answers.yml").read_text(encoding="utf-8")
    assert text.startswith("# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n")
    recorded = yaml.safe_load(text)
    assert {k: v for k, v in recorded.items() if not k.startswith("_")} == answers


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_manifests_pass_strict_schema_validation(copie: Any, scenario: str) -> None:
    project = render(copie, SCENARIOS[scenario])
    manifests = sorted(
        str(p) for p in (project / "k8s").glob("*.yaml") if p.name != "kustomization.yaml"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "kubernetes_validate", "--strict", "--quiet", *manifests],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ERROR" not in proc.stdout + proc.stderr


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_pod_is_hardened(copie: Any, scenario: str) -> None:
    answers = answers_for(scenario)
    docs = documents(render(copie, SCENARIOS[scenario]))
    uid = answers["run_as_user"]

    for doc in (d for group in docs.values() for d in group if d["kind"] != "Namespace"):
        assert doc["metadata"]["namespace"] == answers["namespace"], doc["kind"]
    (namespace,) = docs["namespace"]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    (account,) = docs["serviceaccount"]
    assert account["automountServiceAccountToken"] is False

    (deployment,) = docs["deployment"]
    pod = deployment["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["serviceAccountName"] == account["metadata"]["name"]
    assert pod["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": uid,
        "fsGroup": uid,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert uid >= 10000
    assert ("replicas" in deployment["spec"]) is not answers["include_hpa"]
    (container,) = pod["containers"]
    assert container["image"] == answers["image"]
    assert "@sha256:" in container["image"]
    assert container["imagePullPolicy"] == "Always"
    assert container["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": uid,
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert container["resources"] == {
        "requests": {"cpu": answers["cpu_request"], "memory": answers["memory_request"]},
        "limits": {"cpu": answers["cpu_limit"], "memory": answers["memory_limit"]},
    }
    assert container["livenessProbe"]["httpGet"]["path"] == answers["liveness_path"]
    assert container["readinessProbe"]["httpGet"]["path"] == answers["readiness_path"]
    assert container["ports"] == [
        {"name": "http", "containerPort": answers["port"], "protocol": "TCP"}
    ]
    assert container["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
    assert pod["volumes"][0]["emptyDir"]["sizeLimit"]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_traffic_is_denied_unless_allowed(copie: Any, scenario: str) -> None:
    answers = answers_for(scenario)
    docs = documents(render(copie, SCENARIOS[scenario]))
    policies = {doc["metadata"]["name"]: doc["spec"] for doc in docs["networkpolicy"]}
    selector = {"matchLabels": {"app.kubernetes.io/name": answers["app_name"]}}

    assert policies.pop("default-deny-all") == {
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"],
    }
    allow = policies.pop(f"{answers['app_name']}-allow-http")
    assert allow["podSelector"] == selector
    (rule,) = allow["ingress"]
    assert rule["ports"] == [{"port": answers["port"], "protocol": "TCP"}]
    if answers["allowed_namespace_label"]:
        key, value = answers["allowed_namespace_label"].split("=", 1)
        assert rule["from"] == [{"namespaceSelector": {"matchLabels": {key: value}}}]
    else:
        assert "from" not in rule
    dns = policies.pop(f"{answers['app_name']}-allow-dns", None)
    assert (dns is not None) is answers["allow_dns_egress"]
    if dns:
        assert dns["policyTypes"] == ["Egress"]
        assert {p["port"] for p in dns["egress"][0]["ports"]} == {53}
    assert policies == {}, "no other policy opens traffic"

    (service,) = docs["service"]
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["selector"] == selector["matchLabels"]
    (budget,) = docs["pdb"]
    assert budget["spec"] == {"maxUnavailable": 1, "selector": selector}
    if answers["include_hpa"]:
        (hpa,) = docs["hpa"]
        assert hpa["spec"]["minReplicas"] == answers["replicas"]
        assert hpa["spec"]["maxReplicas"] == answers["hpa_max_replicas"]


def test_gate_files_are_valid(copie: Any) -> None:
    project = render(copie, {})
    loaded = policy.load(project)
    assert set(loaded.stages) == set(policy.STANDARD_STAGES)
    assert loaded.inline_suppressions == "require-exception"
    assert exceptions.load(project, loaded, lambda _rule: None) == ()


def test_default_hpa_ceiling_follows_replicas(copie: Any) -> None:
    project = render(copie, {"include_hpa": True, "replicas": 4})
    hpa = yaml.safe_load((project / "k8s/hpa.yaml").read_text(encoding="utf-8"))
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (4, 12)


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("app_name", ""),
        ("app_name", "../app"),
        ("app_name", "a/b"),
        ("app_name", "has space"),
        ("app_name", "Upper"),
        ("app_name", "x"),
        ("namespace", "default"),
        ("namespace", "kube-system"),
        ("image", "nginx:1.27"),
        ("image", "nginx:latest"),
        ("image", "nginx@sha256:abc"),
        ("image", "nginx@sha256:" + "A" * 64),
        ("image", "Nginx@sha256:" + "a" * 64),
        ("port", 80),
        ("run_as_user", 1000),
        ("liveness_path", "healthz"),
        ("cpu_limit", "lots"),
        ("memory_request", "64M"),
        ("allowed_namespace_label", "team"),
    ],
)
def test_invalid_answer_is_rejected(copie: Any, question: str, value: Any) -> None:
    result = copie.copy(extra_answers={question: value}, template_dir=TEMPLATE)
    assert result.exit_code != 0
    assert question in str(result.exception)


def test_autoscaler_ceiling_must_exceed_replicas(copie: Any) -> None:
    answers = {"include_hpa": True, "replicas": 3, "hpa_max_replicas": 3}
    result = copie.copy(extra_answers=answers, template_dir=TEMPLATE)
    assert result.exit_code != 0
    assert "hpa_max_replicas" in str(result.exception)
