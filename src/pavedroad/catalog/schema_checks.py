"""Validate rendered YAML against its schema: CI workflows, dependabot, Kubernetes objects."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from pavedroad.errors import ScannerError
from pavedroad.scanners.running import run_scanner

K8S_VERSION = "1.30.0"
# builtin schema of check-jsonschema -> glob of files it applies to, relative to the repo root
BUILTIN = {
    "vendor.github-workflows": (".github/workflows/*.yml", ".github/workflows/*.yaml"),
    "vendor.dependabot": (".github/dependabot.yml", ".github/dependabot.yaml"),
    "vendor.gitlab-ci": (".gitlab-ci.yml",),
}
NOT_K8S_KINDS = {"Kustomization", "Component"}
# Custom resources of the operators the service templates' secrets_backend targets: their
# schemas ship with the operators, not with Kubernetes, so kubernetes-validate has none. The
# template tests (tests/templates/test_guidance.py) check their fields instead.
OPERATOR_KINDS = {
    ("external-secrets.io/v1", "ExternalSecret"),
    ("secrets-store.csi.x-k8s.io/v1", "SecretProviderClass"),
}


def validate(root: Path) -> tuple[str, ...]:
    """Return one problem line per schema violation under root (empty when valid)."""
    return (*_builtin_problems(root), *_k8s_problems(root))


def _builtin_problems(root: Path) -> Iterator[str]:
    for schema, globs in BUILTIN.items():
        files = sorted({p for g in globs for p in root.glob(g) if p.is_file()})
        if files:
            yield from _check_jsonschema(root, schema, files)


def _check_jsonschema(root: Path, schema: str, files: Sequence[Path]) -> Iterator[str]:
    rels = [f.relative_to(root).as_posix() for f in files]
    done = run_scanner(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *rels],
        tool="check-jsonschema",
        cwd=root,
        timeout=120,
    )
    if done.returncode == 0:
        return
    if done.returncode != 1:
        raise ScannerError("check-jsonschema", done.stderr.strip()[-500:] or "crashed")
    text = (done.stdout + done.stderr).strip()
    yield f"{schema}: {text[-1500:]}"


def _k8s_problems(root: Path) -> Iterator[str]:
    import kubernetes_validate  # deferred: loading its schemas is slow

    for path in sorted(root.rglob("*.y*ml")):
        rel = path.relative_to(root).as_posix()
        for doc in _k8s_documents(path):
            try:
                kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
            except kubernetes_validate.ValidationError as exc:
                yield f"{rel}: {doc.get('kind')}: {exc.message}"
            except (
                kubernetes_validate.SchemaNotFoundError,
                kubernetes_validate.InvalidSchemaError,
            ):
                kind = f"{doc.get('kind')} {doc.get('apiVersion')}"
                yield f"{rel}: {kind}: no schema in Kubernetes {K8S_VERSION}"


def _k8s_documents(path: Path) -> Iterator[dict[str, Any]]:
    if ".git" in path.parts or ".github" in path.parts:
        return
    try:
        docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, UnicodeDecodeError):
        return  # the scanners report unparsable YAML as a finding
    for doc in docs:
        if isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc:
            custom = (doc["apiVersion"], doc["kind"]) in OPERATOR_KINDS
            if doc["kind"] not in NOT_K8S_KINDS and not custom:
                yield doc
