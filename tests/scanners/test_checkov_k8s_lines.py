"""Kubernetes findings point at the failing field (where the fix goes), not the object's top."""

from __future__ import annotations

from pathlib import Path

import pytest

from pavedroad.findings import Finding
from pavedroad.scan.workspace import collect
from pavedroad.scanners.checkov import CheckovScanner
from pavedroad.scanners.checkov_lines import field_lines

MULTI = """\
# A config map first, so the Deployment is the second document.
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: sidecar
          image: busybox:1.36
        - name: api
          image: nginx:1.25
          securityContext:
            # the fix goes on the next line
            privileged: true
"""


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _hits(findings: tuple[Finding, ...], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule_id == rule]


@pytest.mark.slow
def test_privileged_points_at_its_line(checkov_findings: tuple[Finding, ...]) -> None:
    (finding,) = [f for f in _hits(checkov_findings, "CKV_K8S_16") if f.path == "deploy/web.yaml"]
    assert (finding.start_line, finding.end_line) == (19, 19)  # `privileged: true`


@pytest.mark.slow
def test_second_document_and_second_container(tmp_path: Path) -> None:
    (tmp_path / "deploy.yaml").write_text(MULTI, encoding="utf-8")
    findings = CheckovScanner().scan(collect(tmp_path).target())
    (privileged,) = _hits(findings, "CKV_K8S_16")
    assert privileged.start_line == _line_of(MULTI, "privileged: true")
    # A setting the container lacks points at the container that lacks it (the sidecar first).
    lacking = _hits(findings, "CKV_K8S_22")  # readOnlyRootFilesystem
    assert {f.start_line for f in lacking} <= {
        _line_of(MULTI, "- name: sidecar"),
        _line_of(MULTI, "- name: api"),
        _line_of(MULTI, "securityContext:"),
    }
    # Nothing lands in the config map, whose lines are 2-7.
    assert all(f.start_line >= 9 for f in findings if f.resource.startswith("Deployment"))


def test_unlocatable_keys_keep_the_object_range(tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text("apiVersion: v1\nkind: Pod\nspec:\n  containers: []\n", encoding="utf-8")
    result = {"check_result": {"evaluated_keys": ["resource_type", "spec/template/spec"]}}
    assert field_lines(path, "CKV_K8S_14", result, (1, 4)) == (1, 4)


@pytest.mark.parametrize(
    ("rule", "name", "text"),
    [
        ("CKV_AWS_20", "pod.yaml", "spec:\n  a:\n    b: 1\n"),  # not a Kubernetes check
        ("CKV_K8S_16", "pod.json", "{}"),  # checkov reads JSON manifests too; left as is
        ("CKV_K8S_16", "pod.yaml", "spec: [unclosed\n"),  # does not parse
    ],
)
def test_other_inputs_are_left_alone(tmp_path: Path, rule: str, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = {"check_result": {"evaluated_keys": ["spec/a/b"]}}
    assert field_lines(path, rule, result, (1, 3)) == (1, 3)
