"""The stable machine-readable gate report, `pavedroad/gate/v1`.

Format (UTF-8 JSON, keys sorted, findings in a stable order)::

    {
      "schema": "pavedroad/gate/v1",
      "stage": "pr",                  # the policy stage that was applied
      "blocked": true,                # true when any finding has verdict "block"
      "files_scanned": 42,
      "scanners": ["checkov", "hadolint", "detect-secrets"],
      "summary": {"block": 2, "ticket": 1, "warn": 1, "info": 1, "excepted": 1},
      "held": {"observe": 0, "baseline": 1, "pre-existing": 0},  # would block, held back
      "observe_until": null,          # the stage's enforce_from while it observes
      "notes": ["expiring: exception EXC-7 (owner @team) expires in 5 day(s) on ..."],
      "findings": [
        {
          "scanner": "checkov",
          "rule_id": "CKV_AWS_20",
          "title": "S3 bucket ACL allows public READ access",
          "severity": "critical",     # info | low | medium | high | critical
          "path": "infra/main.tf",    # repo-relative, POSIX separators
          "start_line": 12,           # 1-based; 0 means the whole file
          "end_line": 20,
          "resource": "aws_s3_bucket.data",
          "message": "...",
          "fix": "...",
          "docs_url": "https://...",
          "fingerprint": "<64 hex digits>",   # stable across unrelated line shifts
          "short_ref": "<first 12 hex digits of fingerprint>",
          "inline_suppressed": false, # an inline skip comment is present
          "verdict": "block",         # block | ticket | warn | info | excepted
          "reason": "...",            # why the gate gave this verdict
          "held": null                # observe | baseline | pre-existing: would block, held back
        }
      ],
      "started_at": "2026-01-15T09:30:00Z",   # the run record (below), UTC
      "duration_s": 12.4,
      "repository": "acme/orders",
      "commit": "<40 hex>",
      "ref": "feature/login",
      "scope": "changed",             # full | changed: what was evaluated
      "pipeline": {"provider": "github", "run_id": "123", "event": "pull_request",
                   "pull_request": 42},
      "tool_versions": {"checkov": "3.2.1", "pavedroad": "0.1.0", ...},
      "durations": {"checkov": 9.1, "hadolint": 0.4, "detect-secrets": 1.2}
    }

The run record (`started_at` to `durations`) is written for every result of a gate run;
`repository`, `commit` and `ref` come from the CI's variables, else from git (origin's
owner/name, else the folder name), and are null when unknown; `pipeline` is null outside CI.

`summary` always holds all five verdicts; `held` counts, per reason, the findings the stage
would block that were held back (their verdict is ticket or warn; each finding says why in
`held`). `notes` are the gate's remarks about exceptions (expired, expiring, stale) and the
baseline, in the gate's order. Findings are ordered by verdict (block, ticket, warn, info,
excepted), then severity (most severe first), path, start line, rule id and fingerprint.
`read()` turns such a document (a CI artifact) back into a gate result for commands that run
in another job (comments, tickets, exception requests). Within `pavedroad/gate/v1`, fields
are only ever added; a removal or a change of meaning gets a new schema name.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pavedroad.edges import validate_json
from pavedroad.findings import Finding, Severity
from pavedroad.gate.result import GatedFinding, GateResult, Hold, Pipeline, RunRecord, Verdict
from pavedroad.reports._common import counts, held_counts, ordered

SCHEMA = "pavedroad/gate/v1"
FINDING_KEYS = (
    "scanner",
    "rule_id",
    "title",
    "severity",
    "path",
    "start_line",
    "end_line",
    "resource",
    "message",
    "fix",
    "docs_url",
    "fingerprint",
    "short_ref",
    "inline_suppressed",
    "verdict",
    "reason",
    "held",
)


def document(result: GateResult) -> dict[str, Any]:
    """Build the `pavedroad/gate/v1` document for a gate result."""
    return {
        "schema": SCHEMA,
        "stage": result.stage,
        "blocked": result.blocked,
        "files_scanned": result.files_scanned,
        "scanners": list(result.scanners),
        "summary": {verdict.value: n for verdict, n in counts(result).items()},
        "held": {hold.value: n for hold, n in held_counts(result).items()},
        "observe_until": result.observe_until,
        "notes": list(result.notes),
        "findings": [_finding(g) for g in ordered(result.findings)],
        **_record(result.record),
    }


def _record(record: RunRecord | None) -> dict[str, Any]:
    """Return the run record's fields; none for a result that no gate run made."""
    if record is None:
        return {}
    pipe = record.pipeline
    return {
        "started_at": record.started_at,
        "duration_s": record.duration_s,
        "repository": record.repository,
        "commit": record.commit,
        "ref": record.ref,
        "scope": record.scope,
        "pipeline": None if pipe is None else asdict(pipe),
        "tool_versions": dict(record.tool_versions),
        "durations": dict(record.durations),
    }


def _finding(gated: GatedFinding) -> dict[str, Any]:
    f = gated.finding
    return {
        "scanner": f.scanner,
        "rule_id": f.rule_id,
        "title": f.title,
        "severity": f.severity.label,
        "path": f.path,
        "start_line": f.start_line,
        "end_line": f.end_line,
        "resource": f.resource,
        "message": f.message,
        "fix": f.fix,
        "docs_url": f.docs_url,
        "fingerprint": f.fingerprint,
        "short_ref": f.short_ref,
        "inline_suppressed": f.inline_suppressed,
        "verdict": gated.verdict.value,
        "reason": gated.reason,
        "held": gated.held.value if gated.held else None,
    }


@dataclass(frozen=True)
class JsonReporter:
    """The documented `pavedroad/gate/v1` JSON document."""

    name: str = "json"
    default_filename: str = "pavedroad-gate.json"

    def render(self, result: GateResult) -> str:
        """Render the document as indented JSON with sorted keys."""
        return json.dumps(document(result), indent=2, sort_keys=True, ensure_ascii=False)


class _Read(BaseModel):
    # Fields are only ever added within gate/v1: a reader keeps what it knows and ignores the rest.
    model_config = ConfigDict(extra="ignore", frozen=True)


class _FindingModel(_Read):
    scanner: str
    rule_id: str
    title: str
    severity: Literal["critical", "high", "medium", "low", "info"]
    path: str
    start_line: int
    end_line: int
    resource: str = ""
    message: str = ""
    fix: str = ""
    docs_url: str = ""
    fingerprint: str
    inline_suppressed: bool = False
    verdict: Literal["block", "ticket", "warn", "info", "excepted"]
    reason: str = ""
    held: Literal["observe", "baseline", "pre-existing"] | None = None


class _PipelineModel(_Read):
    provider: str
    run_id: str
    event: str = ""
    pull_request: int | None = None


class _DocumentModel(_Read):
    schema_name: Literal["pavedroad/gate/v1"] = Field(alias="schema")
    stage: str
    files_scanned: int = 0
    scanners: list[str] = []
    notes: list[str] = []
    findings: list[_FindingModel]
    observe_until: str | None = None
    started_at: str | None = None  # the run record: absent from results no gate run made
    duration_s: float = 0.0
    repository: str | None = None
    commit: str | None = None
    ref: str | None = None
    scope: str | None = None
    pipeline: _PipelineModel | None = None
    tool_versions: dict[str, str] = {}
    durations: dict[str, float] = {}


def read(text: str, display: str) -> GateResult:
    """Read a `pavedroad/gate/v1` document back into a gate result; ConfigError if it is not one."""
    fix = "pass the file `paved gate --format json` wrote"
    doc = validate_json(text, _DocumentModel, display, fix)
    return GateResult(
        stage=doc.stage,
        root="",
        findings=tuple(_gated(f) for f in doc.findings),
        files_scanned=doc.files_scanned,
        scanners=tuple(doc.scanners),
        notes=tuple(doc.notes),
        observe_until=doc.observe_until,
        record=_read_record(doc),
    )


def _read_record(doc: _DocumentModel) -> RunRecord | None:
    if doc.started_at is None:
        return None
    pipe = doc.pipeline
    return RunRecord(
        started_at=doc.started_at,
        duration_s=doc.duration_s,
        repository=doc.repository,
        commit=doc.commit,
        ref=doc.ref,
        pipeline=None if pipe is None else Pipeline(**pipe.model_dump()),
        tool_versions=tuple(sorted(doc.tool_versions.items())),
        durations=tuple(doc.durations.items()),
        scope=doc.scope,
    )


def _gated(model: _FindingModel) -> GatedFinding:
    finding = Finding(
        scanner=model.scanner,
        rule_id=model.rule_id,
        title=model.title,
        severity=Severity.parse(model.severity),
        path=model.path,
        start_line=model.start_line,
        end_line=model.end_line,
        resource=model.resource,
        message=model.message,
        fix=model.fix,
        docs_url=model.docs_url,
        fingerprint=model.fingerprint,
        inline_suppressed=model.inline_suppressed,
    )
    held = Hold(model.held) if model.held else None
    return GatedFinding(finding, Verdict(model.verdict), model.reason, held)
