"""`paved threatmodel check`: components the threat model does not know need a design review."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from tests.helpers import write_tree
from typer.testing import CliRunner

from pavedroad.cli import app
from pavedroad.errors import ConfigError
from pavedroad.project import threatmodel
from pavedroad.project.threatmodel_inventory import (
    action_name,
    egress_summary,
    kubernetes_components,
    terraform_components,
)

RUNNER = CliRunner()
ENV = {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"}

MODEL = """\
version: 1
service: shop
security_reviewers: "@acme/appsec"
components:
  - id: service
    name: shop
    covers: []
    threats: [{stride: spoofing, threat: x, guardrail: y}]
  - id: ci
    covers: ["action:acme/pavedroad"]
"""
CODEOWNERS = "*  @acme/shop\n/docs/threat-model.*  @acme/appsec\n"
WORKFLOW = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567
      - uses: github/codeql-action/upload-sarif@0123456789abcdef0123456789abcdef01234567
      - uses: ./local-action
      - uses: acme/pavedroad@0123456789abcdef0123456789abcdef01234567 # paved-road
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: shop, namespace: shop}
spec: {type: ClusterIP, ports: [{port: 80}]}
"""
INGRESS = """\
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
spec:
  rules: []
"""


def repo(tmp_path: Path, extra: dict[str, str] | None = None) -> Path:
    files = {
        "docs/threat-model.yaml": MODEL,
        ".github/CODEOWNERS": CODEOWNERS,
        ".github/workflows/ci.yml": WORKFLOW,
        "deploy/service.yaml": SERVICE,
        **(extra or {}),
    }
    return write_tree(tmp_path, files)


def run(*args: str) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, list(args), env=ENV)
    return result.exit_code, result.stdout, result.stderr


def test_a_repository_the_model_knows_passes(tmp_path: Path) -> None:
    result = threatmodel.check(repo(tmp_path))
    assert result.findings == ()
    assert [c.key for c in result.found] == ["action:acme/pavedroad"]
    assert result.exit_code == 0


def test_a_new_ingress_needs_a_design_review_by_the_named_team(tmp_path: Path) -> None:
    root = repo(tmp_path, {"deploy/ingress.yaml": INGRESS})
    code, out, _ = run("threatmodel", "check", str(root))
    assert code == 1
    assert (
        "deploy/ingress.yaml:2: PAVED_THREAT_MODEL Ingress shop/web is not in "
        "docs/threat-model.yaml: needs security design review by @acme/appsec."
    ) in out
    assert "1 finding needs a security design review by @acme/appsec." in out


def test_listing_the_identifier_under_covers_accepts_the_component(tmp_path: Path) -> None:
    model = MODEL.replace("    covers: []\n", '    covers: ["kubernetes:Ingress/shop/web"]\n', 1)
    root = repo(tmp_path, {"deploy/ingress.yaml": INGRESS, "docs/threat-model.yaml": model})
    code, out, _ = run("threatmodel", "check", str(root))
    assert code == 0, out
    assert "no design review needed" in out


def test_json_lists_every_component_and_the_findings(tmp_path: Path) -> None:
    tf = 'resource "aws_lb" "public" {\n  internal = false\n}\n'
    root = repo(tmp_path, {"infra/main.tf": tf})
    code, out, _ = run("threatmodel", "check", str(root), "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["schema"] == "pavedroad/threatmodel/v1"
    assert doc["security_reviewers"] == "@acme/appsec"
    known = {c["id"]: c["known"] for c in doc["components"]}
    assert known == {"action:acme/pavedroad": True, "terraform:aws_lb": False}
    [finding] = doc["findings"]
    assert finding["rule_id"] == "PAVED_THREAT_MODEL"
    assert (finding["path"], finding["line"], finding["severity"]) == ("infra/main.tf", 1, "medium")
    assert finding["component"] == "terraform:aws_lb"


def test_a_new_third_party_action_is_reported_and_github_own_are_not(tmp_path: Path) -> None:
    workflow = WORKFLOW + "      - uses: tj-actions/changed-files@v45\n"
    root = repo(tmp_path, {".github/workflows/ci.yml": workflow})
    result = threatmodel.check(root)
    assert [f.resource for f in result.findings] == ["action:tj-actions/changed-files"]
    assert result.findings[0].start_line == 10


def test_codeowners_must_route_the_model_to_the_reviewers(tmp_path: Path) -> None:
    root = repo(tmp_path, {".github/CODEOWNERS": "*  @acme/shop\n"})
    [finding] = threatmodel.check(root).findings
    assert finding.path == ".github/CODEOWNERS"
    assert "/docs/threat-model.* @acme/appsec" in finding.message


def test_the_last_matching_codeowners_line_wins() -> None:
    text = "/docs/threat-model.*  @acme/appsec\n/docs/  @acme/docs  # later, broader\n"
    assert threatmodel.codeowners_for("docs/threat-model.yaml", text) == ("@acme/docs",)
    assert threatmodel.codeowners_for("src/x.py", text) == ()


def test_a_missing_model_is_a_usage_error(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"README.md": "hi\n"})
    code, _, err = run("threatmodel", "check", str(root))
    assert code == 2
    assert "docs/threat-model.yaml: file not found" in err


def test_an_invalid_model_names_the_field(tmp_path: Path) -> None:
    root = repo(tmp_path, {"docs/threat-model.yaml": MODEL.replace('"@acme/appsec"', "appsec")})
    with pytest.raises(ConfigError, match=r"docs/threat-model.yaml: security_reviewers: "):
        threatmodel.check(root)


def test_another_model_path(tmp_path: Path) -> None:
    root = repo(tmp_path, {"security/model.yaml": MODEL, "deploy/ingress.yaml": INGRESS})
    (root / "docs/threat-model.yaml").unlink()
    code, out, _ = run("threatmodel", "check", str(root), "--model", "security/model.yaml")
    assert code == 1
    assert "Threat model security/model.yaml: 2 components" in out


def test_terraform_types_and_security_group_egress() -> None:
    text = """\
resource "aws_security_group" "web" {
  name = "web" # a { brace in a comment
  ingress {
    from_port = 443
  }
  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    protocol = "-1"
    cidr_blocks = [
      "10.0.0.0/8",
      "192.168.0.0/16", # a comment
    ]
  }
}
resource "aws_security_group_rule" "in" {
  type      = "ingress"
  from_port = 22
}
resource "aws_vpc_security_group_egress_rule" "out" {
  cidr_ipv4   = "10.0.0.0/8"
  ip_protocol = "-1"
}
data "aws_vpc" "main" {}
"""
    keys = [(c.key, c.line) for c in terraform_components("main.tf", text)]
    assert keys == [
        ("terraform:aws_security_group", 1),
        (
            "egress:aws_security_group.web: cidr_blocks=[0.0.0.0/0] from_port=443 "
            "protocol=tcp to_port=443",
            6,
        ),
        ("egress:aws_security_group.web: cidr_blocks=[10.0.0.0/8,192.168.0.0/16] protocol=-1", 12),
        ("terraform:aws_security_group_rule", 20),
        ("terraform:aws_vpc_security_group_egress_rule", 24),
        ("egress:aws_vpc_security_group_egress_rule.out: cidr_ipv4=10.0.0.0/8 ip_protocol=-1", 24),
    ]


def test_kubernetes_exposure_and_egress() -> None:
    text = """\
apiVersion: v1
kind: Service
metadata: {name: lb, namespace: shop}
spec: {type: LoadBalancer}
---
apiVersion: v1
kind: Service
metadata: {name: np}
spec: {type: NodePort}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: out, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]
      ports: [{port: 53, protocol: UDP}]
    - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]
---
: not yaml [
"""
    keys = [(c.key, c.line) for c in kubernetes_components("k8s.yaml", text)]
    assert keys == [
        ("kubernetes:Service/shop/lb:LoadBalancer", 1),
        ("kubernetes:Service/np:NodePort", 6),
        (
            "egress:NetworkPolicy/shop/out: to namespace(kubernetes.io/metadata.name=kube-system) "
            "on 53/UDP",
            11,
        ),
        ("egress:NetworkPolicy/shop/out: to 0.0.0.0/0 except 10.0.0.0/8 on any port", 11),
    ]


def test_a_changed_egress_rule_is_a_new_rule() -> None:
    dns = {"to": [{"podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}]}
    assert egress_summary(dns) == "to pod(k8s-app=kube-dns) on any port"
    wider = {**dns, "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53}]}
    assert egress_summary(wider) == "to pod(k8s-app=kube-dns) on 53/TCP, 53/UDP"
    assert egress_summary({}) == "to any on any port"


@pytest.mark.parametrize(
    ("ref", "name"),
    [
        ("actions/checkout@v4", None),
        ("github/codeql-action/upload-sarif@v3", None),
        ("./.github/actions/build", None),
        ("${{ matrix.action }}", None),
        ("Acme/PavedRoad@abc", "acme/pavedroad"),
        ("acme/workflows/.github/workflows/ci.yml@main", "acme/workflows/.github/workflows/ci.yml"),
        ("docker://alpine:3.20", "docker://alpine"),
        ("docker://ghcr.io/acme/tool@sha256:abc", "docker://ghcr.io/acme/tool"),
    ],
)
def test_action_names(ref: str, name: str | None) -> None:
    assert action_name(ref) == name


def test_gitignored_files_are_not_read(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitignore": "scratch/\n", "scratch/ingress.yaml": INGRESS})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    assert threatmodel.check(root).findings == ()


def test_the_model_is_read_from_inside_the_repository_only(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"model.yaml": MODEL})
    root = repo(tmp_path / "repo")
    (root / "docs/link.yaml").symlink_to(outside / "model.yaml")
    for model in ("../outside/model.yaml", str(outside / "model.yaml"), "docs/link.yaml"):
        code, _, err = run("threatmodel", "check", str(root), "--model", model)
        assert code == 2, model
        assert "inside the repository" in err or "outside the repository" in err
