"""checkov really evaluated what it was given: every file type, never an empty answer as a pass."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.scanners.helpers import fake_tool, write_tree

from pavedroad.errors import ScannerError
from pavedroad.scan import cache
from pavedroad.scan.cache import ResultCache, units
from pavedroad.scan.workspace import collect
from pavedroad.scanners import checkov
from pavedroad.scanners import checkov_coverage as coverage
from pavedroad.scanners.checkov import CheckovScanner

BUCKET_JSON = json.dumps(
    {"resource": {"aws_s3_bucket": {"data": {"bucket": "my-data", "acl": "public-read-write"}}}}
)
BUCKET_HCL = (
    'resource "aws_s3_bucket" "data" {\n  bucket = "my-data"\n  acl = "public-read-write"\n}\n'
)
DOCKERFILE = "FROM ubuntu:22.04\nRUN echo hi\n"
SUMMARY = '{"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0}'
# Stands in for checkov's package: the real console script imports it through PYTHONPATH.
FAKE_MAIN = """\
class Checkov:
    def run(self, argv=None):
        print("[]")
        return 0


def main():
    raise SystemExit(Checkov().run())
"""


def _gate(repo: Path, cache_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `paved gate --stage release` in a subprocess, cold (no warm checkov)."""
    full = {**os.environ, "PAVED_WARM_CHECKOV": "0", "PAVED_CACHE_DIR": str(cache_dir), **env}
    command = [sys.executable, "-m", "pavedroad", "gate", str(repo), "--stage", "release"]
    command += ["--format", "json", *args]
    return subprocess.run(
        command, capture_output=True, text=True, env=full, timeout=600, check=False
    )


def _rules(done: subprocess.CompletedProcess[str]) -> set[tuple[str, str]]:
    data: Any = json.loads(done.stdout)
    return {(f["path"], f["rule_id"]) for f in data["findings"]}


@pytest.mark.parametrize("name", ["main.tf.json", "main.tf"])
def test_public_bucket_blocks_the_release_gate_in_either_syntax(tmp_path: Path, name: str) -> None:
    body = BUCKET_JSON if name.endswith(".json") else BUCKET_HCL
    repo = write_tree(tmp_path / "repo", {f"infra/{name}": body})
    done = _gate(repo, tmp_path / "cache", "--no-cache")
    assert done.returncode == 1, done.stderr
    assert (f"infra/{name}", "CKV_AWS_57") in _rules(done)


def test_terraform_json_is_a_framework_and_variable_files_are_not_handed_over(
    tmp_path: Path,
) -> None:
    files = {
        "main.tf": BUCKET_HCL,
        "main.tf.json": BUCKET_JSON,
        "prod.tfvars": 'acl = "private"\n',
        "prod.tfvars.json": "{}",
        "config.yaml": "a: 1\n",
        "package.json": "{}",
        "Dockerfile": DOCKERFILE,
        ".gitlab-ci.yml": "build:\n  script: [echo]\n",
        ".github/workflows/ci.yml": "on: push\n",
        "deploy/pod.yaml": "apiVersion: v1\nkind: Pod\n",
    }
    root = write_tree(tmp_path, files)
    assert "terraform_json" in checkov.FRAMEWORKS
    got = coverage.checkov_inputs(root, sorted(files))
    assert set(got) == set(files) - {
        "prod.tfvars",
        "prod.tfvars.json",
        "config.yaml",
        "package.json",
    }
    assert {coverage.framework_of(root, f) for f in got} == {
        "terraform",
        "terraform_json",
        "dockerfile",
        "gitlab_ci",
        "github_actions",
        "kubernetes",
    }


@pytest.mark.parametrize("answer", ["[]", SUMMARY], ids=["empty-list", "nothing-matched"])
@pytest.mark.parametrize(
    "files",
    [
        {"Dockerfile": DOCKERFILE, "main.tf.json": BUCKET_JSON},
        {"null.tf": 'resource "null_resource" "x" {}\n'},  # nothing checkov would answer for
    ],
    ids=["checked-content", "unchecked-content"],
)
def test_an_empty_answer_is_a_scanner_failure(
    tmp_path: Path, answer: str, files: dict[str, str]
) -> None:
    repo = write_tree(tmp_path / "repo", files)
    fake = fake_tool(tmp_path / "bin", "checkov", f"echo '{answer}'\nexit 0")
    with pytest.raises(ScannerError) as caught:
        CheckovScanner(executable=fake).scan(collect(repo).target())
    assert "canary" in caught.value.reason and "not a pass" in caught.value.reason


EVADING_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: "web#1"
      image: nginx:1.25
      securityContext:
        privileged: true
"""
HELM_TEMPLATE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
"""


@pytest.mark.slow
def test_files_real_checkov_drops_silently_are_parse_errors(tmp_path: Path) -> None:
    repo = write_tree(
        tmp_path,
        {
            "deploy/pod.yaml": EVADING_POD,  # a privileged pod checkov passed over: exit 0 before
            "deploy/bare.yaml": "apiVersion: v1\nkind: Pod\nspec:\n  containers: []\n",
            "chart/templates/deploy.yaml": HELM_TEMPLATE,  # YAML only once rendered
            "empty/Dockerfile": "",
            "infra/vars.tf": 'variable "x" {}\n',
            "infra/null.tf": 'resource "null_resource" "x" {}\n',
        },
    )
    found = CheckovScanner().scan(collect(repo).target())
    assert {(f.path, f.rule_id) for f in found} == {
        ("deploy/pod.yaml", "PAVED_PARSE_ERROR"),
        ("deploy/bare.yaml", "PAVED_PARSE_ERROR"),
    }
    assert all("a Kubernetes Pod" in f.message for f in found)


def test_one_file_left_out_of_an_answer_is_a_parse_error(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"Dockerfile": DOCKERFILE, "infra/main.tf.json": BUCKET_JSON})
    report = {
        "check_type": "dockerfile",
        "results": {
            "passed_checks": [
                {"check_id": "CKV_DOCKER_1", "file_abs_path": str(root / "Dockerfile")}
            ],
            "failed_checks": [],
        },
    }
    found = list(coverage.unevaluated([report], root, ["Dockerfile", "infra/main.tf.json"]))
    assert [(f.path, f.rule_id) for f in found] == [("infra/main.tf.json", "PAVED_PARSE_ERROR")]
    assert "aws_s3_bucket" in found[0].message


def test_parsing_errors_count_as_answered(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"main.tf": BUCKET_HCL})
    report = {"check_type": "terraform", "results": {"parsing_errors": [str(root / "main.tf")]}}
    assert list(coverage.unevaluated([report], root, ["main.tf"])) == []


def _minimal_files() -> dict[str, str]:
    """One file per kind and resource type the adapter expects checkov always to answer for."""
    files = {
        f"k8s/{kind}.yaml": f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: x\n"
        for kind in sorted(coverage.CHECKED_KINDS)
    }
    files.update(
        {
            f"tf/{kind}/main.tf": f'resource "{kind}" "x" {{}}\n'
            for kind in sorted(coverage.CHECKED_RESOURCES)
        }
    )
    return files


@pytest.mark.slow
def test_the_installed_checkov_answers_for_every_kind_the_adapter_relies_on(
    tmp_path: Path,
) -> None:
    repo = write_tree(tmp_path, _minimal_files())
    found = CheckovScanner().scan(collect(repo).target())  # raises if it answered for none
    unevaluated = sorted(f.path for f in found if f.rule_id == "PAVED_PARSE_ERROR")
    assert unevaluated == []


def test_the_cache_key_names_the_checkov_really_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "repo", {"Dockerfile": DOCKERFILE})
    real = units(CheckovScanner(), root, ["Dockerfile"])
    fake = fake_tool(tmp_path / "bin", "checkov", "echo '[]'")
    other = units(CheckovScanner(executable=fake), root, ["Dockerfile"])
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "shadow"))
    shadowed = units(CheckovScanner(), root, ["Dockerfile"])
    assert real and other and shadowed
    assert len({real[0].key, other[0].key, shadowed[0].key}) == 3
    assert len(cache._installed("checkov")) == 64  # a digest of RECORD, not only the version


def _checkov_keys(repo: Path) -> list[str]:
    planned = units(CheckovScanner(), repo, ["Dockerfile", "infra/main.tf.json"])
    assert planned is not None
    return [u.key for u in planned]


def test_a_shadowing_fake_checkov_fails_the_gate_and_leaves_the_cache_to_the_real_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shadow = tmp_path / "shadow" / "checkov"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("", encoding="utf-8")
    (shadow / "main.py").write_text(FAKE_MAIN, encoding="utf-8")
    repo = write_tree(
        tmp_path / "repo", {"infra/main.tf.json": BUCKET_JSON, "Dockerfile": DOCKERFILE}
    )
    store = ResultCache(tmp_path / "cache")
    real_keys = _checkov_keys(repo)
    faked = _gate(repo, store.directory, PYTHONPATH=str(shadow.parent))
    assert faked.returncode == 3, faked.stdout + faked.stderr
    assert "not a pass" in faked.stderr
    with monkeypatch.context() as patch:
        patch.setenv("PYTHONPATH", str(shadow.parent))
        fake_keys = _checkov_keys(repo)
    assert not set(fake_keys) & set(real_keys)
    assert [store.get(k) for k in fake_keys + real_keys] == [None] * 4  # nothing was stored
    real = _gate(repo, store.directory)
    assert real.returncode == 1, real.stderr
    assert ("infra/main.tf.json", "CKV_AWS_57") in _rules(real)
    assert all(store.get(k) is not None for k in real_keys)  # the keys are the gate's own
