"""Service templates render a threat model, a secure-coding guide and a working secrets path."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml
from tests.templates.helpers import render_template

from pavedroad.project import threatmodel
from pavedroad.scanners.secrets import is_false_positive

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("python-service", "node-service")
STRIDE = {
    "spoofing",
    "tampering",
    "repudiation",
    "information-disclosure",
    "denial-of-service",
    "elevation-of-privilege",
}
BACKEND_FILES = {
    "external-secrets": "deploy/k8s/externalsecret.yaml",
    "csi-secrets-store": "deploy/k8s/secretproviderclass.yaml",
}


def _catalog_scenarios() -> list[tuple[str, str, dict[str, Any]]]:
    catalog = yaml.safe_load((REPO / "catalog.yaml").read_text(encoding="utf-8"))
    return [
        (t["id"], name, answers)
        for t in catalog["templates"]
        if t["id"] in SERVICES
        for name, answers in t["scenarios"].items()
    ]


SCENARIOS = _catalog_scenarios()


def render(copie: Any, template: str, answers: dict[str, Any]) -> Path:
    return render_template(copie, REPO / "templates" / template, answers)


def load_all(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def test_every_backend_has_a_scenario_in_each_service_template() -> None:
    for template in SERVICES:
        backends = {a.get("secrets_backend", "none") for t, _, a in SCENARIOS if t == template}
        assert backends == {"none", *BACKEND_FILES, "kubernetes-secret-files"}, template


@pytest.mark.parametrize(
    ("template", "answers"),
    [pytest.param(t, a, id=f"{t}-{n}") for t, n, a in SCENARIOS],
)
def test_scenario_renders_the_threat_model_guide_and_secrets_path(
    copie: Any, template: str, answers: dict[str, Any]
) -> None:
    project = render(copie, template, answers)
    model = _check_threat_model(project, answers)
    markdown = (project / "docs/threat-model.md").read_text(encoding="utf-8")
    for component in model["components"]:
        assert f"### {component['name']}" in markdown
        for threat in component["threats"]:
            assert (
                f"| {threat['stride']} | {threat['threat']} | {threat['guardrail']} |" in markdown
            )
    guide = (project / "docs/secure-coding.md").read_text(encoding="utf-8")
    assert ("`http.server`" if template == "python-service" else "`node:http`") in guide
    assert len(re.findall(r"^## \d+\. ", guide, flags=re.M)) >= 6
    _check_secrets_path(project, answers)
    # A fresh render is exactly what its model describes: nothing needs a design review.
    result = threatmodel.check(project)
    assert result.findings == (), [f.message for f in result.findings]


def _check_threat_model(project: Path, answers: dict[str, Any]) -> dict[str, Any]:
    model: dict[str, Any] = yaml.safe_load((project / "docs/threat-model.yaml").read_text())
    reviewers = answers.get("security_reviewers", "@acme/security")
    assert model["version"] == 1
    assert model["security_reviewers"] == reviewers
    ids = [c["id"] for c in model["components"]]
    assert len(ids) == len(set(ids))
    expected = {"service", "image", "ci"}
    if answers.get("include_kubernetes", True):
        expected |= {"namespace", "service-account", "k8s-service", "network-policies"}
    if (project / "deploy/k8s/deployment.yaml").is_file():
        expected.add("deployment")
    if answers.get("secrets_backend", "none") != "none":
        expected.add("secrets")
    assert expected <= set(ids), sorted(expected - set(ids))
    assert ("deployment" in ids) == (project / "deploy/k8s/deployment.yaml").is_file()
    for component in model["components"]:
        assert component["threats"], component["id"]
        for threat in component["threats"]:
            assert threat["stride"] in STRIDE and threat["guardrail"].strip()
    flows = {f["crosses"] for f in model["data_flows"]}
    assert flows <= {b["id"] for b in model["trust_boundaries"]}
    owners = (project / ".github/CODEOWNERS").read_text(encoding="utf-8")
    assert threatmodel.codeowners_for("docs/threat-model.yaml", owners) == (reviewers,)
    assert threatmodel.codeowners_for("docs/threat-model.md", owners) == (reviewers,)
    return model


def _check_secrets_path(project: Path, answers: dict[str, Any]) -> None:
    backend = answers.get("secrets_backend", "none")
    helper = "src/secrets.js" if (project / "package.json").is_file() else None
    assert helper is None or (project / helper).is_file()
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "## Secrets" in readme
    deployment = project / "deploy/k8s/deployment.yaml"
    for name, rel in BACKEND_FILES.items():
        assert (project / rel).is_file() is (backend == name), rel
    if backend == "none" or not deployment.is_file():
        return
    pod = load_all(deployment)[0]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    assert mounts["secrets"]["readOnly"] is True
    env = {e["name"]: e for e in container["env"]}
    assert env["SECRETS_DIR"]["value"] == mounts["secrets"]["mountPath"]
    assert env["API_TOKEN_FILE"]["value"].startswith(mounts["secrets"]["mountPath"] + "/")
    assert all("valueFrom" not in e for e in container["env"]), "secrets are files, not env"
    volume = {v["name"]: v for v in pod["volumes"]}["secrets"]
    if backend == "csi-secrets-store":
        assert volume["csi"]["readOnly"] is True
        spc = load_all(project / BACKEND_FILES[backend])[0]
        assert volume["csi"]["volumeAttributes"]["secretProviderClass"] == spc["metadata"]["name"]
    else:
        assert volume["secret"]["defaultMode"] == 0o440
        assert volume["secret"]["secretName"].endswith("-secrets")
    if backend == "external-secrets":
        eso = load_all(project / BACKEND_FILES[backend])[0]
        assert eso["spec"]["target"]["name"] == volume["secret"]["secretName"]
        assert eso["spec"]["secretStoreRef"]["name"] == answers.get(
            "cluster_store", "platform-secrets"
        )
    kustomization = load_all(project / "deploy/k8s/kustomization.yaml")[0]
    manifests = {p.name for p in (project / "deploy/k8s").glob("*.yaml")}
    assert set(kustomization["resources"]) == manifests - {"kustomization.yaml"}
    commands = readme.split("Add a secret `db-password` in three commands", 1)[1]
    block = commands.split("```sh\n", 1)[1].split("```", 1)[0]
    assert len(block.strip().splitlines()) == 3


INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: {ns}
spec:
  ingressClassName: nginx
  rules:
    - host: api.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {{name: {ns}, port: {{number: 80}}}}
"""


def test_a_render_that_gains_an_ingress_needs_a_design_review(copie: Any) -> None:
    project = render(copie, "python-service", {"security_reviewers": "@acme/appsec"})
    assert threatmodel.check(project).findings == ()
    (project / "deploy/k8s/ingress.yaml").write_text(INGRESS.format(ns="my-service"))
    [finding] = threatmodel.check(project).findings
    assert finding.rule_id == "PAVED_THREAT_MODEL"
    assert (finding.path, finding.start_line) == ("deploy/k8s/ingress.yaml", 1)
    assert finding.resource == "kubernetes:Ingress/my-service/web"
    assert "needs security design review by @acme/appsec" in finding.message
    # After the review the model lists it, and the check passes again.
    model = project / "docs/threat-model.yaml"
    text = model.read_text(encoding="utf-8")
    marker = "not reachable from outside the cluster.\n    covers: []\n"
    assert text.count(marker) == 1
    reviewed = marker.replace("[]", '["kubernetes:Ingress/my-service/web"]')
    model.write_text(text.replace(marker, reviewed), encoding="utf-8")
    assert threatmodel.check(project).findings == ()


def test_a_node_render_that_gains_an_egress_rule_needs_a_design_review(copie: Any) -> None:
    project = render(copie, "node-service", {})
    policy = project / "deploy/k8s/networkpolicy.yaml"
    policy.write_text(
        policy.read_text(encoding="utf-8")
        + "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        + "metadata: {name: to-payments, namespace: my-service}\n"
        + "spec:\n  podSelector: {}\n  policyTypes: [Egress]\n"
        + "  egress:\n    - to: [{ipBlock: {cidr: 203.0.113.0/24}}]\n"
        + "      ports: [{port: 443, protocol: TCP}]\n"
    )
    workflow = project / ".github/workflows/ci.yml"
    workflow.write_text(
        workflow.read_text(encoding="utf-8").replace(
            "    steps:\n", "    steps:\n      - uses: someone/setup-thing@v1\n", 1
        )
    )
    keys = sorted(f.resource for f in threatmodel.check(project).findings)
    assert keys == [
        "action:someone/setup-thing",
        "egress:NetworkPolicy/my-service/to-payments: to 203.0.113.0/24 on 443/TCP",
    ]


def _code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.M | re.S)


def test_python_secure_coding_examples_compile(copie: Any) -> None:
    guide = (render(copie, "python-service", {}) / "docs/secure-coding.md").read_text()
    blocks = _code_blocks(guide, "python")
    assert len(blocks) >= 7
    for block in blocks:
        # Snippets are method bodies and module fragments: compile each inside a function.
        compile("def _snippet():\n" + textwrap.indent(block, "    "), "<guide>", "exec")


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_secure_coding_examples_parse(copie: Any, tmp_path: Path) -> None:
    guide = (render(copie, "node-service", {}) / "docs/secure-coding.md").read_text()
    blocks = _code_blocks(guide, "js")
    assert len(blocks) >= 7
    for index, block in enumerate(blocks):
        script = tmp_path / f"snippet{index}.js"
        script.write_text(f"async function snippet() {{\n{block}\n}}\n", encoding="utf-8")
        done = subprocess.run(
            ["node", "--check", str(script)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, block + done.stderr


def test_rendered_python_secrets_helper_and_its_tests_pass(copie: Any) -> None:
    project = render(copie, "python-service", {"secrets_backend": "kubernetes-secret-files"})
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_secret_files.py",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b1[0-9] passed\b", done.stdout), done.stdout


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_rendered_node_secrets_helper_and_its_tests_pass(copie: Any) -> None:
    project = render(copie, "node-service", {"secrets_backend": "csi-secrets-store"})
    done = subprocess.run(
        ["node", "--test", "test/secrets.test.js"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^# pass 6$", done.stdout, flags=re.M), done.stdout


TF = REPO / "templates" / "terraform-aws"
ROTATED = {
    "include_app_secret": True,
    "secret_rotation_days": 30,
    "rotation_lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:rotate-app-secret",
}


def _hcl(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        parsed: dict[str, Any] = hcl2.load(handle)
    return parsed


def test_terraform_app_secret_is_encrypted_with_the_module_key_and_rotated(copie: Any) -> None:
    project = render_template(copie, TF, ROTATED)
    main = _hcl(project / "modules/app-secret/main.tf")
    resources = {k: v for block in main["resource"] for k, v in block.items()}
    secret = resources["aws_secretsmanager_secret"]["this"]
    assert secret["kms_key_id"] == ["${var.kms_key_arn}"]  # bc-python-hcl2 wraps values
    rotation = resources["aws_secretsmanager_secret_rotation"]["this"]
    assert rotation["rotation_rules"][0]["automatically_after_days"] == ["${var.rotation_days}"]
    example = _hcl(project / "examples/complete/main.tf")
    modules = {k: v for block in example["module"] for k, v in block.items()}
    assert modules["app_secret"]["kms_key_arn"] == ["${module.kms_primary.key_arn}"]
    variables = {
        k: v
        for b in _hcl(project / "examples/complete/variables.tf")["variable"]
        for k, v in b.items()
    }
    assert variables["secret_rotation_days"]["default"] == [30]
    assert variables["secret_rotation_lambda_arn"]["default"] == [ROTATED["rotation_lambda_arn"]]


def test_terraform_app_secret_is_off_by_default_and_rotation_is_optional(copie: Any) -> None:
    assert not (render_template(copie, TF, {}) / "modules/app-secret").exists()
    project = render_template(copie, TF, {"include_app_secret": True})
    main = (project / "modules/app-secret/main.tf").read_text(encoding="utf-8")
    assert "aws_secretsmanager_secret_rotation" not in main
    assert "CKV2_AWS_57" in (project / "modules/app-secret/README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("line", "value", "hidden"),
    [
        ("secrets_backend: external-secrets", "external-secrets", True),
        ("              secretProviderClass: my-service", "my-service", True),
        ("secrets_backend: hunter2-correct-horse", "hunter2-correct-horse", False),
        ("secretProviderClass: S3cr3t!", "S3cr3t!", False),
        ("client_secret: external-secrets", "external-secrets", False),
    ],
)
def test_only_names_of_secret_mechanisms_pass_the_keyword_detector(
    line: str, value: str, hidden: bool
) -> None:
    assert is_false_positive("Secret Keyword", value, line) is hidden
