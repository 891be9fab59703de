"""Which files checkov reads, and which it must read together: Terraform modules, Kubernetes."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from pavedroad.scanners.own_rules import is_dockerfile

TERRAFORM_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")
YAML_SUFFIXES = (".yaml", ".yml")
MANIFEST_SUFFIXES = (*YAML_SUFFIXES, ".json")


def reads(rel: str) -> bool:
    """Return True for a file checkov reads: a Dockerfile, Terraform, YAML or JSON."""
    return is_dockerfile(rel) or rel.endswith((*TERRAFORM_SUFFIXES, *MANIFEST_SUFFIXES))


def select_files(files: Iterable[str]) -> tuple[str, ...]:
    """Return the files this adapter reads: Dockerfiles, Terraform, YAML and JSON."""
    return tuple(f for f in files if reads(f))


def cache_unit(root: Path, rel: str) -> str | None:
    """Group Terraform files by folder (a module) and Kubernetes manifests all together."""
    if not reads(rel):
        return None
    if rel.endswith(TERRAFORM_SUFFIXES):
        return f"module:{PurePosixPath(rel).parent.as_posix()}"
    if is_kubernetes_manifest(root, rel):
        return "kubernetes"
    return f"file:{rel}"


def terraform_context(root: Path, files: Iterable[str]) -> tuple[str, ...]:
    """Return the files plus the Terraform siblings checkov needs to resolve their variables."""
    out = dict.fromkeys(files)
    for rel in list(out):
        folder = (root / rel).parent
        if not rel.endswith(TERRAFORM_SUFFIXES) or not folder.is_dir():
            continue
        prefix = PurePosixPath(rel).parent
        for sibling in sorted(folder.iterdir()):
            if sibling.name.endswith(TERRAFORM_SUFFIXES):
                out.setdefault((prefix / sibling.name).as_posix())
    return tuple(out)


def is_kubernetes_manifest(root: Path, rel: str) -> bool:
    """Return True for a YAML or JSON file that may hold Kubernetes objects (errs towards yes)."""
    if not rel.endswith(MANIFEST_SUFFIXES):
        return False
    try:
        text = (root / rel).read_bytes()
    except OSError:
        return False
    return b"apiVersion" in text and b"kind" in text


def kubernetes_manifests(root: Path, files: Iterable[str]) -> tuple[str, ...]:
    """Return the files that may be Kubernetes manifests."""
    return tuple(f for f in files if is_kubernetes_manifest(root, f))
