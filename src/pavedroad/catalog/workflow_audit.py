"""Audit rendered GitHub Actions files with zizmor (offline, pedantic) for `catalog validate`.

zizmor reads workflows, composite actions, Dependabot and pre-commit configuration. It knows
nothing of GitLab CI, so a `.gitlab-ci.yml` is checked by its schema only.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from pavedroad.errors import ScannerError
from pavedroad.scanners.running import run_scanner

NAME = "zizmor"
INPUTS = (
    ".github/workflows/*.yml",
    ".github/workflows/*.yaml",
    ".github/actions/*/action.yml",
    ".github/actions/*/action.yaml",
    ".github/dependabot.yml",
    ".github/dependabot.yaml",
    ".pre-commit-config.yaml",
)
# --offline: no network, ever. --no-config and --no-ignores: a template cannot switch audits
# off for itself (a zizmor.yml or an inline `zizmor: ignore` comment would). --strict-collection:
# a file zizmor cannot parse is a failure, never silently skipped.
OPTIONS = (
    "--offline",
    "--persona=pedantic",
    "--no-config",
    "--no-ignores",
    "--strict-collection",
    "--no-exit-codes",
    "--no-progress",
    "--color=never",
    "--format=json",
)
TIMEOUT = 120.0


def audit(root: Path, executable: str | None = None) -> tuple[str, ...]:
    """Return one problem line per zizmor finding in the GitHub Actions files under root."""
    files = inputs(root)
    if not files:
        return ()
    exe = executable or find_executable()
    if exe is None:
        raise ScannerError(NAME, "the zizmor executable was not found; install zizmor")
    done = run_scanner([exe, *OPTIONS, *files], tool=NAME, cwd=root, timeout=TIMEOUT)
    if done.returncode != 0:
        raise ScannerError(NAME, done.stderr.strip()[-500:] or f"exit code {done.returncode}")
    results = [r for r in _parse(done.stdout) if not _safe_workflow_run(root, r)]
    return tuple(_problems(results))


# zizmor flags every `workflow_run` trigger, yet it is the pattern GitHub documents for
# commenting on fork pull requests. Paved Road accepts it only in the shape that is safe: the
# workflow runs on nothing else and never checks out, or names, the triggering run's code.
_HEAD_REFS = ("workflow_run.head_sha", "workflow_run.head_branch", "workflow_run.head_repository")


def _safe_workflow_run(root: Path, result: dict[str, Any]) -> bool:
    """Return True for a dangerous-triggers finding on a workflow_run-only, checkout-free file."""
    path, _, _ = _where(result.get("locations") or [])
    if result.get("ident") != "dangerous-triggers" or path == "?":
        return False
    try:
        text = (root / path).read_text(encoding="utf-8")
        workflow = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    if not isinstance(workflow, dict):
        return False
    triggers = workflow.get("on", workflow.get(True))
    if not isinstance(triggers, dict) or set(triggers) != {"workflow_run"}:
        return False
    checks_out = "actions/checkout" in text
    return not checks_out and not any(ref in text for ref in _HEAD_REFS)


def inputs(root: Path) -> list[str]:
    """Return the root-relative files zizmor audits, sorted."""
    found = {p for pattern in INPUTS for p in root.glob(pattern) if p.is_file()}
    return sorted(p.relative_to(root).as_posix() for p in found)


def find_executable() -> str | None:
    """Return the zizmor binary: beside this Python (the zizmor wheel), else on PATH."""
    beside = Path(sys.executable).parent / NAME
    return str(beside) if beside.is_file() else shutil.which(NAME)


def _parse(stdout: str) -> list[dict[str, Any]]:
    try:
        results = json.loads(stdout)
    except json.JSONDecodeError as exc:
        raise ScannerError(NAME, f"unreadable JSON output: {exc}") from None
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise ScannerError(NAME, "unexpected JSON output: not a list of findings")
    return results


def _problems(results: Sequence[dict[str, Any]]) -> Iterator[str]:
    for result in results:
        path, line, note = _where(result.get("locations") or [])
        detail = f" ({note})" if note else ""
        yield f"zizmor: {result.get('ident')} {path}:{line} {result.get('desc')}{detail}"


def _where(locations: Sequence[dict[str, Any]]) -> tuple[str, int, str]:
    """Return (path, 1-based line, annotation) of the primary location (else the first)."""
    if not locations:
        return "?", 0, ""
    primary = next(
        (loc for loc in locations if loc.get("symbolic", {}).get("kind") == "Primary"),
        locations[0],
    )
    symbolic = primary.get("symbolic", {})
    key = symbolic.get("key", {}).get("Local", {})
    row = primary.get("concrete", {}).get("location", {}).get("start_point", {}).get("row", -1)
    return str(key.get("verbatim_path", "?")), int(row) + 1, str(symbolic.get("annotation", ""))
