"""Did checkov evaluate what it was given? Which files go to it, and which must get an answer.

checkov prints nothing for a file without checked content and silently drops some files it
cannot read, and a broken or fake checkov can print an empty answer with exit 0. So every run
carries a canary Dockerfile it always evaluates, and each file that declares something its
checks always evaluate must show a result (or a parsing error).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pavedroad.errors import ScannerError
from pavedroad.findings import Finding
from pavedroad.scanners.checkov_files import is_kubernetes_manifest
from pavedroad.scanners.own_rules import PARSE_ERROR, is_dockerfile, paved_finding

NAME = "checkov"
_YAML = (".yaml", ".yml")
_RESULTS = ("passed_checks", "failed_checks", "skipped_checks")

WORKFLOW = re.compile(r"^\.github/workflows/[^/]+\.ya?ml$")
UNEVALUATED_WORKFLOW = (
    "checkov evaluated no check on this workflow: it drops files that fail its GitHub workflow "
    "schema without a word. Validate the file (check-jsonschema --builtin-schema "
    "vendor.github-workflows) and fix what it reports."
)


# Added to every run: checkov always evaluates a Dockerfile, so no result for it means no
# working checkov (an empty list or "nothing matched" from a broken or fake one).
CANARY = "FROM scratch\n"
# Kinds and resource types that every checkov check run evaluates with at least one check,
# verified against the installed checkov by tests/scanners/test_checkov_coverage.py.
CHECKED_KINDS = frozenset(
    "Pod Deployment StatefulSet DaemonSet ReplicaSet ReplicationController Job CronJob "
    "Service ConfigMap".split()
)
CHECKED_RESOURCES = frozenset(
    """aws_s3_bucket aws_security_group aws_instance aws_db_instance aws_lambda_function
    aws_kms_key aws_eks_cluster aws_ecr_repository aws_sqs_queue aws_sns_topic aws_cloudtrail
    aws_dynamodb_table aws_ebs_volume aws_lb_listener aws_iam_policy google_storage_bucket
    google_compute_instance google_container_cluster google_sql_database_instance
    azurerm_storage_account azurerm_key_vault azurerm_kubernetes_cluster""".split()
)
_KIND = re.compile(r"^kind:[ \t]*[\"']?([A-Za-z]+)", re.MULTILINE)
_TF_RESOURCE = re.compile(r"^[ \t]*resource[ \t]+\"?([\w-]+)\"?", re.MULTILINE)


def framework_of(root: Path, rel: str) -> str | None:
    """Return the checkov framework that evaluates this file, or None when none does."""
    if is_dockerfile(rel):
        return "dockerfile"
    if rel.endswith(".tf"):
        return "terraform"
    if rel.endswith(".tf.json"):
        return "terraform_json"
    if rel.endswith(_YAML) and ".github/workflows/" in f"/{rel}":
        return "github_actions"
    if rel.endswith((".gitlab-ci.yml", ".gitlab-ci.yaml")):
        return "gitlab_ci"
    if is_kubernetes_manifest(root, rel):
        return "kubernetes"
    return None


def checkov_inputs(root: Path, files: Iterable[str]) -> tuple[str, ...]:
    """Return the files to hand checkov: only those one of its frameworks evaluates.

    Variable files (.tfvars) and plain YAML/JSON are read by none of them, so handing them
    over would only look like coverage.
    """
    return tuple(f for f in files if framework_of(root, f) is not None)


def without_canary(reports: list[dict[str, Any]], canary: set[str]) -> list[dict[str, Any]]:
    """Return the reports minus the canary's results; raise ScannerError when it has none.

    No result for a file checkov always evaluates means checkov is not working (broken,
    shadowed or fake), whatever it said about the repository's files.
    """
    kept: list[dict[str, Any]] = []
    seen = False
    for report in reports:
        results = dict(report["results"])
        for key in _RESULTS:
            records = results.get(key) or []
            ours = [r for r in records if r.get("file_abs_path") in canary]
            seen = seen or bool(ours)
            results[key] = [r for r in records if r.get("file_abs_path") not in canary]
        kept.append({**report, "results": results})
    if not seen:
        raise ScannerError(
            NAME,
            "printed no result for the Dockerfile Paved Road adds to every run as a canary, so "
            "its answer about the repository cannot be trusted either; an empty answer is not a "
            "pass. Check the installation with `paved doctor` and reinstall checkov",
        )
    return kept


def evaluated(reports: Iterable[dict[str, Any]], root: Path) -> set[str]:
    """Return the files checkov printed a check result or a parsing error for."""
    seen = {
        relpath(str(r.get("file_abs_path") or r.get("file_path") or ""), root)
        for report in reports
        for key in _RESULTS
        for r in report["results"].get(key) or []
    }
    return seen | {relpath(str(raw), root) for r in reports for raw in _parse_errors(r)}


def _parse_errors(report: dict[str, Any]) -> list[Any]:
    return list(report["results"].get("parsing_errors") or [])


def unevaluated(
    reports: list[dict[str, Any]], root: Path, files: Iterable[str]
) -> Iterator[Finding]:
    """Report files checkov must have answered for but did not (it drops some silently).

    checkov prints nothing for a file without checked content, so only files that declare
    something its checks always evaluate count (see must_answer). It drops GitHub workflows
    its schema rejects and Kubernetes objects without metadata or with `#`, `{` or `}` in any
    name, without a word.
    """
    seen = evaluated(reports, root)
    for rel in files:
        what = must_answer(root, rel)
        if what is None or rel in seen:
            continue
        yield paved_finding(PARSE_ERROR, rel, _unevaluated_message(rel, what), scanner=NAME)


def _unevaluated_message(rel: str, what: str) -> str:
    if WORKFLOW.match(rel):
        return UNEVALUATED_WORKFLOW
    return (
        f"checkov evaluated no check on this file although it declares {what}, so it is not "
        "clean: checkov silently drops what it cannot read (for Kubernetes: objects without "
        "metadata, names holding #, { or }). Make it valid for its tool and run the gate again."
    )


def must_answer(root: Path, rel: str) -> str | None:
    """Return what this file declares that checkov's checks always evaluate, or None."""
    framework = framework_of(root, rel)
    if framework == "github_actions":
        return "a GitHub workflow"
    if framework not in ("dockerfile", "terraform", "terraform_json", "kubernetes"):
        return None
    text = _read(root / rel)
    if framework == "dockerfile":
        return "a Dockerfile" if text.strip() else None  # an empty one holds nothing to check
    if framework == "kubernetes":
        if "{{" in text:  # a template (Helm, ...): YAML only after rendering, checkov may drop it
            return None
        kinds = [k for k in _KIND.findall(text) if k in CHECKED_KINDS]
        return f"a Kubernetes {kinds[0]}" if kinds else None
    types = _TF_RESOURCE.findall(text) if framework == "terraform" else _json_resources(text)
    checked = [t for t in types if t in CHECKED_RESOURCES]
    return f"resource {checked[0]}" if checked else None


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _json_resources(text: str) -> list[str]:
    """Return the resource types a Terraform JSON file declares (object or list form)."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    blocks = data.get("resource") if isinstance(data, dict) else None
    items = blocks if isinstance(blocks, list) else [blocks]
    return [str(t) for item in items if isinstance(item, dict) for t in item]


def relpath(raw: str, root: Path) -> str:
    """Return a repo-relative POSIX path for a path checkov printed."""
    path = Path(raw)
    if path.is_absolute() and path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    return raw.lstrip("/")
