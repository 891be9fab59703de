"""Load `pavedroad/gate/v1` reports into the store: idempotent, many reports per transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import sqlalchemy as sa

from pavedroad.errors import ConfigError
from pavedroad.gate.result import GateResult, RunRecord, Verdict
from pavedroad.metrics.schema import exceptions, findings, runs
from pavedroad.progress import Progress, Step, silent
from pavedroad.reports import json as gate_json

LAYERS = ("Dockerfile", "Kubernetes", "Terraform", "pipeline", "secrets", "other")
_CHUNK = 500  # ids per IN (...) lookup; well under every driver's parameter limit
_EVERY = 1000  # reports read between two progress reports
_ACTIVE = re.compile(r"^exception (\S+) \(owner (.*?), expires (\d{4}-\d{2}-\d{2})\)")
_EXPIRED = re.compile(r"^expired: exception (\S+) \(owner (.*?)\) expired on (\d{4}-\d{2}-\d{2})")
_PIPELINE_FILES = (".gitlab-ci.yml", "bitbucket-pipelines.yml", "azure-pipelines.yml")


@dataclass
class Batch:
    """Rows of the reports read so far, and the files that could not be read."""

    runs: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    exceptions: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    repeated: int = 0  # reports given twice in this batch


@dataclass(frozen=True)
class Ingested:
    """What one ingest did: reports added, reports already in the store, unreadable files."""

    added: int
    already: int
    problems: tuple[str, ...]


def layer(scanner: str, path: str) -> str:
    """Return the layer a finding belongs to, from its scanner and its path."""
    if scanner in ("secrets", "detect-secrets"):
        return "secrets"
    if scanner == "hadolint":
        return "Dockerfile"
    posix = PurePosixPath(path)
    name = posix.name.lower()
    if name.startswith(("dockerfile", "containerfile")) or name.endswith(".dockerfile"):
        return "Dockerfile"
    if posix.suffix in (".tf", ".tfvars", ".hcl") or name.endswith(".tf.json"):
        return "Terraform"
    if path.startswith(".github/workflows/") or name in _PIPELINE_FILES:
        return "pipeline"
    if posix.suffix in (".yaml", ".yml", ".json"):
        return "Kubernetes"
    return "other"


def read_reports(paths: Sequence[Path], progress: Progress = silent) -> Batch:
    """Read every report into rows; a file that is not a recorded gate result is a problem."""
    batch = Batch()
    for done, path in enumerate(paths, start=1):
        if done % _EVERY == 0 or done == len(paths):
            progress(Step("reading reports", done=done, total=len(paths)))
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            batch.problems.append(f"{path}: cannot read it ({exc.__class__.__name__.lower()})")
            continue
        try:
            add_report(batch, text, str(path))
        except ConfigError as exc:
            batch.problems.append(str(exc))
    return batch


def add_report(batch: Batch, text: str, display: str) -> None:
    """Add one report's rows to the batch; ConfigError when it is not a recorded gate result."""
    result = gate_json.read(text, display)
    record = result.record
    if record is None:
        raise ConfigError(
            f"{display}: started_at: missing, so the run cannot be placed in time; "
            "write the report with `paved gate --format json` of this Paved Road version"
        )
    run_id = identity(text)
    if run_id in batch.seen:
        batch.repeated += 1
        return
    batch.seen.add(run_id)
    batch.runs.append(_run_row(run_id, result, record, display))
    batch.findings.extend(_finding_rows(run_id, result))
    batch.exceptions.extend(_exception_rows(run_id, result))


def identity(text: str) -> str:
    """Return a report's identity: the SHA-256 of its canonical JSON (key order, spacing aside)."""
    canonical = json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def store(engine: sa.Engine, batch: Batch) -> Ingested:
    """Insert the batch's new runs with their rows in one transaction; skip runs already stored."""
    with engine.begin() as conn:
        known = _existing(conn, [row["id"] for row in batch.runs])
        _insert(conn, runs, [r for r in batch.runs if r["id"] not in known])
        _insert(conn, findings, [r for r in batch.findings if r["run_id"] not in known])
        fresh = [r for r in _distinct(batch.exceptions) if r["run_id"] not in known]
        _insert(conn, exceptions, fresh)
    added = len(batch.runs) - len(known)
    return Ingested(added, len(known) + batch.repeated, tuple(batch.problems))


def _insert(conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    if rows:  # one executemany per table: thousands of rows per round trip
        conn.execute(table.insert(), list(rows))


def _existing(conn: sa.Connection, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        found.update(conn.execute(sa.select(runs.c.id).where(runs.c.id.in_(chunk))).scalars())
    return found


def _distinct(rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        key = (row["run_id"], row["exception_id"], row["state"])
        if key not in seen:
            seen.add(key)
            yield row


def _run_row(run_id: str, result: GateResult, record: RunRecord, display: str) -> dict[str, Any]:
    pipe = record.pipeline
    return {
        "id": run_id,
        "repository": record.repository or "(unknown)",
        "commit": record.commit,
        "ref": record.ref,
        "stage": result.stage,
        "scope": record.scope,
        "started_at": parse_time(record.started_at, display),
        "duration_s": record.duration_s,
        "blocked": result.blocked,
        "provider": pipe.provider if pipe else None,
        "pipeline_run": pipe.run_id if pipe else None,
        "event": pipe.event if pipe else None,
        "pull_request": pipe.pull_request if pipe else None,
        "files_scanned": result.files_scanned,
        "excepted": len(result.with_verdict(Verdict.EXCEPTED)),
        "inline_suppressed": sum(1 for g in result.findings if g.finding.inline_suppressed),
        "tool_versions": json.dumps(dict(record.tool_versions), sort_keys=True),
        "durations": json.dumps(dict(record.durations), sort_keys=True),
    }


def parse_time(text: str, display: str) -> dt.datetime:
    """Return an ISO 8601 instant as naive UTC; ConfigError naming the file when it is not one."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"{display}: started_at: {text!r} is not an ISO 8601 time; "
            "write the report with `paved gate --format json`"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _finding_rows(run_id: str, result: GateResult) -> Iterator[dict[str, Any]]:
    for gated in result.findings:
        f = gated.finding
        yield {
            "run_id": run_id,
            "fingerprint": f.fingerprint,
            "scanner": f.scanner,
            "rule_id": f.rule_id,
            "severity": f.severity.label,
            "layer": layer(f.scanner, f.path),
            "path": f.path,
            "verdict": gated.verdict.value,
            "inline_suppressed": f.inline_suppressed,
        }


def _exception_rows(run_id: str, result: GateResult) -> Iterator[dict[str, Any]]:
    """Read the exceptions a run used from its excepted findings' reasons and its notes."""
    for gated in result.with_verdict(Verdict.EXCEPTED):
        found = _ACTIVE.match(gated.reason)
        if found:
            yield _exception(run_id, found, "active")
    for note in result.notes:
        found = _EXPIRED.match(note)
        if found:
            yield _exception(run_id, found, "expired")


def _exception(run_id: str, found: re.Match[str], state: str) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "exception_id": found.group(1),
        "owner": found.group(2),
        "state": state,
        "expires": dt.date.fromisoformat(found.group(3)),
    }
