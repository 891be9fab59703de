"""Dockerfiles checkov skips by name (Containerfile, *.Containerfile), checked under one it reads.

checkov's Dockerfile runner only reads files whose name matches its mask below; Paved Road also
treats Containerfiles as Dockerfiles, and without this they would silently get hadolint's checks
only. Each is copied into the scan's scratch folder as `Dockerfile`, and the paths and resource
names checkov reports for the copy are pointed back at the repository's file.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from pavedroad.errors import ScannerError
from pavedroad.scanners.own_rules import is_dockerfile

# checkov.common.util.dockerfile.DOCKERFILE_MASK (checkov 3.x), which decides what it reads.
CHECKOV_DOCKERFILE = re.compile(r"^(?:.+\.)?[Dd]ockerfile(?:\..+)?$")
_PATH_FIELDS = ("file_path", "file_abs_path", "resource")
_RESULT_KINDS = ("passed_checks", "failed_checks", "skipped_checks")


def needs_copy(rel: str) -> bool:
    """Return True for a Dockerfile that checkov would skip because of its name."""
    return is_dockerfile(rel) and not CHECKOV_DOCKERFILE.match(PurePosixPath(rel).name)


def copy_unreadable(root: Path, files: Iterable[str], folder: Path) -> dict[str, Path]:
    """Copy each Dockerfile checkov would skip to folder/<n>/Dockerfile; return rel -> copy."""
    copies: dict[str, Path] = {}
    for rel in (f for f in files if needs_copy(f)):
        copy = folder / str(len(copies)) / "Dockerfile"
        copy.parent.mkdir(parents=True)
        try:
            shutil.copyfile(root / rel, copy)
        except OSError as exc:  # unreadable: fail closed rather than skip it silently
            raise ScannerError("checkov", f"could not read {rel}: {exc.strerror}") from exc
        copies[rel] = copy
    return copies


def point_back(reports: Iterable[dict[str, Any]], originals: Mapping[str, str]) -> None:
    """Rewrite, in place, what checkov reported for copies to name the original files."""
    if not originals:
        return
    for report in reports:
        results = report["results"]
        for result in (r for kind in _RESULT_KINDS for r in results.get(kind) or []):
            for field in _PATH_FIELDS:
                if isinstance(result.get(field), str):
                    result[field] = _original(result[field], originals)
        errors = results.get("parsing_errors") or []
        results["parsing_errors"] = [_original(str(e), originals) for e in errors]


def _original(value: str, originals: Mapping[str, str]) -> str:
    """Return the value with a copy's path (alone, or before `.INSTRUCTION`) replaced."""
    for copy, original in originals.items():
        if value == copy or value.startswith(f"{copy}."):
            return original + value[len(copy) :]
    return value
