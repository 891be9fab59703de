"""Where `paved exceptions request` finds its finding: a CI artifact, the last gate, a re-scan.

The pipeline uploads the gate's JSON report (`gate.json`) or its SARIF (`paved.sarif`); the
command printed in a pull-request comment names the finding by its reference, so it must work
on a clean clone that never ran a gate. Without an artifact the last local gate run is used, and
when neither knows the reference, the file named with `--path FILE` is scanned again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pavedroad.deliver.artifact import MAX_BYTES
from pavedroad.errors import ConfigError, UserError
from pavedroad.exceptions.request import (
    ExceptionRequest,
    GateEntry,
    RequestResult,
    find_entry,
    pick,
    request_exception,
)
from pavedroad.gate.run import gate_repository, last_gate_entries
from pavedroad.policy import file as policy_file
from pavedroad.reports import json as json_report
from pavedroad.reports.sarif import FINGERPRINT_KEY
from pavedroad.scan.cache import ResultCache, default_directory

RESCAN_STAGE = "pr"  # the stage a re-scan applies when the policy has it (else its first)


@dataclass(frozen=True)
class Sources:
    """Where to look for the finding besides the last local gate run."""

    artifact: Path | None = None  # --from gate.json | paved.sarif
    rescan: str | None = None  # --path FILE, relative to the repository


def request_from(request: ExceptionRequest, sources: Sources) -> RequestResult:
    """Request an exception for a finding looked up in the sources, in order."""
    return request_exception(replace(request, find=partial(find, sources)))


def find(sources: Sources, root: Path, ref: str) -> GateEntry:
    """Return the finding ref from the artifact (or the last gate run), else from a re-scan."""
    try:
        return _first_source(sources, root, ref)
    except UserError as missing:
        if sources.rescan is None:
            raise
        hit = pick(rescan_entries(root, sources.rescan), ref)
        if hit is None:
            raise UserError(
                f"{missing}; a new scan of {sources.rescan} does not report {ref!r} either "
                "(fixed, or excepted already?)"
            ) from None
        return hit


def _first_source(sources: Sources, root: Path, ref: str) -> GateEntry:
    if sources.artifact is None:
        return find_entry(root, ref)
    hit = pick(read_artifact(sources.artifact), ref)
    if hit is None:
        raise UserError(
            f"no finding {ref!r} in {sources.artifact}; copy the reference from that gate run "
            "(at least 6 characters), or add --path FILE to scan the file again"
        )
    return hit


def read_artifact(path: Path) -> list[GateEntry]:
    """Read the findings not yet excepted from a gate JSON report or a Paved Road SARIF log."""
    display = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UserError(f"--from {display}: larger than 64 MB; pass gate.json or paved.sarif")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"--from {display}: cannot read it ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise UserError(
            f"--from {display}: not UTF-8 text; pass gate.json or paved.sarif"
        ) from None
    try:
        raw = json.loads(text)
    except ValueError:
        raw = None
    if isinstance(raw, dict) and "runs" in raw:
        return sarif_entries(raw, display)
    return last_gate_entries(json_report.read(text, display))


def sarif_entries(log: Mapping[str, Any], display: str) -> list[GateEntry]:
    """Return the findings of a SARIF log that `paved gate` wrote, the excepted ones left out."""
    try:
        return [entry for run in log["runs"] for entry in _run_entries(run)]
    except (KeyError, TypeError, AttributeError, IndexError):
        raise ConfigError(
            f"{display}: runs: not a SARIF log Paved Road wrote; pass the file "
            "`paved gate --format sarif` (or sarif-upload) wrote"
        ) from None


def _run_entries(run: Mapping[str, Any]) -> list[GateEntry]:
    rules: Sequence[Mapping[str, Any]] = run["tool"]["driver"].get("rules") or []
    category = str((run.get("automationDetails") or {}).get("id", ""))
    stage = category.removeprefix("pavedroad/").rstrip("/")
    found = [_entry(result, rules, stage) for result in run.get("results") or []]
    return [entry for entry in found if entry is not None]


def _entry(
    result: Mapping[str, Any], rules: Sequence[Mapping[str, Any]], stage: str
) -> GateEntry | None:
    fingerprint = (result.get("partialFingerprints") or {}).get(FINGERPRINT_KEY)
    props = result.get("properties") or {}
    verdict = str(props.get("verdict", ""))
    if not fingerprint or verdict == "excepted" or result.get("suppressions"):
        return None
    index = result.get("ruleIndex")
    rule = rules[index] if isinstance(index, int) and 0 <= index < len(rules) else {}
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    return GateEntry(
        fingerprint=str(fingerprint),
        rule_id=str(result["ruleId"]),
        title=str((rule.get("shortDescription") or {}).get("text") or result["message"]["text"]),
        severity=str(props.get("severity", "")),
        path=unquote(str(location["uri"])),
        resource=str(props.get("resource", "")),
        verdict=verdict,
        stage=stage,
    )


def rescan_entries(root: Path, rel: str) -> list[GateEntry]:
    """Gate the one file again (result cache included) and return its findings."""
    stages = policy_file.load(root).stages
    stage = RESCAN_STAGE if RESCAN_STAGE in stages else next(iter(stages))
    cache = ResultCache(default_directory())
    result = gate_repository(root, stage, remember=False, cache=cache, only=(rel,))
    return last_gate_entries(result)


def locate(path: Path, repo: Path | None) -> tuple[Path, str | None]:
    """Return the repository and the file to re-scan that --path (and -C) name.

    `--path` names the repository (a folder, as before) or a file in it; the repository of a
    file is -C when given, else the nearest folder above it holding .git or .pavedroad.
    """
    if path.is_dir():
        return (repo or path), None
    if not path.is_file():
        raise UserError(f"--path {path}: no such file or folder; name a file in the repository")
    root = (repo or _enclosing_repository(path.parent)).resolve()
    try:
        rel = path.resolve().relative_to(root).as_posix()
    except ValueError:
        raise UserError(
            f"--path {path}: outside the repository {root}; pass -C REPOSITORY as well"
        ) from None
    return root, rel


def _enclosing_repository(start: Path) -> Path:
    for folder in (start.resolve(), *start.resolve().parents):
        if (folder / ".git").exists() or (folder / ".pavedroad").is_dir():
            return folder
    return start
