"""The baseline: findings a repository already had when it joined, held back until an expiry.

`.pavedroad/baseline.json` (written by `paved baseline create`, reviewed like code)::

    {
      "schema": "pavedroad/baseline/v1",
      "created": "2026-11-30",
      "expires": "2027-02-28",          # last day it covers; at most exceptions.max_days later
      "stage": null,                     # or the stage whose blocking findings were recorded
      "findings": [
        {"fingerprint": "<64 hex>", "rule_id": "DL3007", "path": "Dockerfile",
         "severity": "medium"}
      ]
    }

A finding is covered only by its exact fingerprint, so a finding introduced later never is.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from pavedroad import clock, confine, proc
from pavedroad.edges import validate_json
from pavedroad.errors import ConfigError, PavedError, ToolError
from pavedroad.findings import Finding
from pavedroad.policy import file as policy_file
from pavedroad.policy.compare import PolicyChange
from pavedroad.policy.file import BASELINE_PATH as BASELINE_PATH
from pavedroad.policy.file import Policy, SeverityName

SCHEMA = "pavedroad/baseline/v1"
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _EntryModel(_Strict):
    fingerprint: str
    rule_id: str
    path: str
    severity: SeverityName

    @field_validator("fingerprint")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not _FINGERPRINT.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a fingerprint (64 hex digits); restore the file from git"
            )
        return value


class _BaselineModel(_Strict):
    schema_name: Literal["pavedroad/baseline/v1"] = Field(alias="schema")
    created: dt.date
    expires: dt.date
    stage: str | None = None
    findings: list[_EntryModel]

    @model_validator(mode="after")
    def _ordered(self) -> _BaselineModel:
        if self.expires < self.created:
            raise ValueError("expires is before created; record a new baseline")
        return self


@dataclass(frozen=True)
class BaselineEntry:
    """One recorded finding: its fingerprint, and what it was for a reader of the file."""

    fingerprint: str
    rule_id: str
    path: str
    severity: str


@dataclass(frozen=True)
class Baseline:
    """The findings a repository had on `created`, covered until `expires` (inclusive)."""

    created: dt.date
    expires: dt.date
    entries: tuple[BaselineEntry, ...]
    stage: str | None = None

    @property
    def fingerprints(self) -> frozenset[str]:
        """Return the recorded fingerprints."""
        return frozenset(e.fingerprint for e in self.entries)

    def expired(self, today: dt.date) -> bool:
        """Return True once the last covered day has passed."""
        return today > self.expires

    def covers(self, finding: Finding, today: dt.date) -> bool:
        """Return True when the finding was recorded and the baseline has not expired."""
        return not self.expired(today) and finding.fingerprint in self.fingerprints


def from_findings(
    findings: Iterable[Finding], today: dt.date, days: int, stage: str | None
) -> Baseline:
    """Record the findings (one entry per fingerprint, in a stable order) for `days` days."""
    unique = {f.fingerprint: f for f in findings}
    entries = sorted(
        (
            BaselineEntry(f.fingerprint, f.rule_id, f.path, f.severity.label)
            for f in unique.values()
        ),
        key=lambda e: (e.path, e.rule_id, e.fingerprint),
    )
    return Baseline(today, today + dt.timedelta(days=days), tuple(entries), stage)


def to_json(baseline: Baseline) -> str:
    """Render the file's text (sorted keys, one trailing newline)."""
    doc = {
        "schema": SCHEMA,
        "created": baseline.created.isoformat(),
        "expires": baseline.expires.isoformat(),
        "stage": baseline.stage,
        "findings": [
            {
                "fingerprint": e.fingerprint,
                "rule_id": e.rule_id,
                "path": e.path,
                "severity": e.severity,
            }
            for e in baseline.entries
        ],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def parse(text: str, policy: Policy, display: str = BASELINE_PATH) -> Baseline:
    """Validate the file's text; ConfigError naming the field, or a span over max_days."""
    fix = "restore it from git or run `paved baseline create`"
    model = validate_json(text, _BaselineModel, display, fix)
    span = (model.expires - model.created).days
    if span > policy.max_days:
        raise ConfigError(
            f"{display}: expires: {model.expires} is {span} days after created, more than "
            f"exceptions.max_days ({policy.max_days}); a baseline is not extended by hand, "
            "fix the findings or request exceptions"
        )
    entries = tuple(
        BaselineEntry(e.fingerprint, e.rule_id, e.path, e.severity) for e in model.findings
    )
    return Baseline(model.created, model.expires, entries, model.stage)


def load(root: Path, policy: Policy) -> Baseline | None:
    """Load root/.pavedroad/baseline.json, or None when the repository has none."""
    confine.require_inside(root, BASELINE_PATH)  # a link out of the repo is never read
    path = root / BASELINE_PATH
    if not path.is_file():
        return None
    return parse(path.read_text(encoding="utf-8", errors="replace"), policy)


def write(root: Path, baseline: Baseline) -> Path:
    """Write the baseline file, refusing a link out of the repository."""
    confine.require_inside(root, BASELINE_PATH)
    path = root / BASELINE_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_json(baseline), encoding="utf-8")
    return path


def note(baseline: Baseline | None, today: dt.date, warn_days: int) -> str | None:
    """Say when a baseline has expired (it covers nothing) or expires soon."""
    if baseline is None:
        return None
    if baseline.expired(today):
        return (
            f"baseline: {BASELINE_PATH} expired on {baseline.expires} and covers nothing; "
            "its findings are gated again. Fix them or request exceptions"
        )
    days = (baseline.expires - today).days
    if days <= warn_days:
        return f"baseline: {BASELINE_PATH} expires in {days} day(s) on {baseline.expires}"
    return None


def drift(root: Path, today: dt.date | None = None) -> tuple[PolicyChange, ...]:
    """List what `paved drift` reports of a baseline: expired, grown or extended.

    Grown means it holds a fingerprint that the first committed version of the file did not
    (git history of the file): a baseline is recorded once, when a repository joins, and only
    shrinks from then on. Extended means a later expiry than that first version.
    """
    try:
        policy = policy_file.load(root)
        baseline = load(root, policy)
        first = _first_committed(root, policy) if baseline is not None else None
    except PavedError as exc:
        return (PolicyChange(BASELINE_PATH, "valid", f"invalid: {exc}", True),)
    if baseline is None:
        return ()
    changes = []
    if baseline.expired(today or clock.today()):
        changes.append(
            PolicyChange(
                BASELINE_PATH,
                f"expires {baseline.expires}",
                "expired: fix its findings or request exceptions, then delete it",
                True,
            )
        )
    if first is not None:
        added = len(baseline.fingerprints - first.fingerprints)
        if added:
            before = f"{len(first.entries)} findings first committed"
            now = f"{len(baseline.entries)} findings, {added} added since (a baseline only shrinks)"
            changes.append(PolicyChange(BASELINE_PATH, before, now, True))
        if baseline.expires > first.expires:
            changes.append(
                PolicyChange(
                    f"{BASELINE_PATH}: expires", str(first.expires), str(baseline.expires), True
                )
            )
    return tuple(changes)


def _first_committed(root: Path, policy: Policy) -> Baseline | None:
    """Return the file as first committed, or None outside git or before its first commit."""
    try:
        log = proc.git(
            ["log", "--format=%H", "--diff-filter=A", "--", BASELINE_PATH], cwd=root, timeout=60
        )
        commits = log.stdout.split() if log.returncode == 0 else []
        if not commits:
            return None
        shown = proc.git(["show", f"{commits[-1]}:{BASELINE_PATH}"], cwd=root, timeout=60)
    except ToolError:
        return None
    if shown.returncode != 0:
        return None
    return parse(shown.stdout, policy, f"{BASELINE_PATH} (first committed version)")
