"""Exception records in .pavedroad/exceptions.yaml: validate, match, expire."""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pavedroad import confine
from pavedroad.edges import describe, load_yaml
from pavedroad.errors import ConfigError
from pavedroad.findings import Finding, Severity
from pavedroad.policy.file import EXCEPTIONS_PATH as EXCEPTIONS_PATH
from pavedroad.policy.file import Policy

RECORD_ID = re.compile(r"^[A-Z][A-Z0-9]*-[0-9]{1,6}$")
# Wildcards, character classes and separators: a glob made only of these names no file.
_WILDCARDS = re.compile(r"\*|\?|\[!?\]?[^\]]*\]|/")
# One path of each kind a repository holds; a glob matching all of them matches every file.
_PROBES = (
    "Dockerfile",
    ".secrets.baseline",
    "main.tf",
    "a",
    "0",
    "~",
    "src/app.py",
    "deploy/k8s/app.yaml",
    ".github/workflows/ci.yml",
    "Z/9/_-.X",
)
RuleSeverity = Callable[[str], Severity | None]
Status = Literal["active", "expiring", "expired", "future"]


class RecordModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    rule: str = Field(min_length=1)
    paths: list[str] = Field(min_length=1)
    resource: str | None = None
    fingerprint: str | None = Field(default=None, pattern=r"^[0-9a-f]{12,64}$")
    justification: str
    owner: str
    approver: str
    created: dt.date
    expires: dt.date
    controls: list[str] = []
    ticket: str | None = Field(default=None, pattern=r"^https?://\S+$")

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not RECORD_ID.match(value):
            raise ValueError(f"{value!r} is not an exception id; use a form like EXC-0001")
        return value

    @field_validator("justification", "owner", "approver")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty; say who or why in words")
        return value.strip()


class FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    exceptions: list[RecordModel] = []


@dataclass(frozen=True)
class ExceptionRecord:
    """One validated exception."""

    id: str
    rule: str
    paths: tuple[str, ...]
    resource: str | None
    fingerprint: str | None
    justification: str
    owner: str
    approver: str
    created: dt.date
    expires: dt.date
    controls: tuple[str, ...]
    ticket: str | None

    def matches(self, finding: Finding) -> bool:
        """Return True when this record covers the finding."""
        return (
            finding.rule_id == self.rule
            and any(fnmatch.fnmatchcase(finding.path, glob) for glob in self.paths)
            and (self.resource is None or self.resource == finding.resource)
            and (self.fingerprint is None or finding.fingerprint.startswith(self.fingerprint))
        )

    def status(self, today: dt.date, warn_days: int) -> Status:
        """Return whether the record is active, expiring soon, expired or not yet valid."""
        if today < self.created:
            return "future"
        if today > self.expires:
            return "expired"
        return "expiring" if (self.expires - today).days <= warn_days else "active"


def load(root: Path, policy: Policy, rule_severity: RuleSeverity) -> tuple[ExceptionRecord, ...]:
    """Load and validate root/.pavedroad/exceptions.yaml (none when the file is absent)."""
    confine.require_inside(root, EXCEPTIONS_PATH)  # a link out of the repo is never read
    path = root / EXCEPTIONS_PATH
    if not path.is_file():
        return ()
    return parse(load_yaml(path, EXCEPTIONS_PATH), policy, rule_severity, EXCEPTIONS_PATH)


def parse(
    raw: object, policy: Policy, rule_severity: RuleSeverity, display: str
) -> tuple[ExceptionRecord, ...]:
    """Validate raw exceptions data; raise ConfigError naming the record and the fix."""
    try:
        model = FileModel.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        raise ConfigError(_describe_records(display, raw, exc)) from None
    records = tuple(_record(m) for m in model.exceptions)
    _check_unique(records, display)
    for index, record in enumerate(records):
        problem = check_record(record, policy, rule_severity)
        if problem:
            raise ConfigError(f"{display}: exceptions[{index}] ({record.id}).{problem}")
    return records


def _describe_records(display: str, raw: object, exc: ValidationError) -> str:
    text = describe(display, exc)
    items = raw.get("exceptions") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        return text.replace("Input should be a valid date", "use a date as YYYY-MM-DD")

    def named(match: re.Match[str]) -> str:
        index = int(match.group(1))
        item = items[index] if index < len(items) else None
        rid = item.get("id") if isinstance(item, dict) else None
        return f"exceptions[{index}]" + (f" ({rid})" if rid else "")

    text = re.sub(r"exceptions\[(\d+)\]", named, text)
    return re.sub(r"Input should be a valid date[^\n;]*", "not a date; use YYYY-MM-DD", text)


def _record(m: RecordModel) -> ExceptionRecord:
    return ExceptionRecord(
        id=m.id,
        rule=m.rule,
        paths=tuple(m.paths),
        resource=m.resource,
        fingerprint=m.fingerprint,
        justification=m.justification,
        owner=m.owner,
        approver=m.approver,
        created=m.created,
        expires=m.expires,
        controls=tuple(c for c in m.controls if c.strip()),
        ticket=m.ticket,
    )


def _check_unique(records: Iterable[ExceptionRecord], display: str) -> None:
    seen: dict[str, int] = {}
    for index, record in enumerate(records):
        if record.id in seen:
            raise ConfigError(
                f"{display}: exceptions[{index}] ({record.id}).id: duplicate of "
                f"exceptions[{seen[record.id]}]; give each record its own id"
            )
        seen[record.id] = index


def check_record(record: ExceptionRecord, policy: Policy, rule_severity: RuleSeverity) -> str:
    """Return `field: problem; fix` for the first policy violation, or '' when valid."""
    severity = rule_severity(record.rule)
    if severity is None:
        return f"rule: unknown rule id {record.rule!r}; copy the rule id from the gate output"
    if record.expires <= record.created:
        return "expires: must be after created; set a later expiry date"
    days = (record.expires - record.created).days
    if days > policy.max_days:
        return (
            f"expires: {days} days after created exceeds the policy cap of {policy.max_days}; "
            f"expire on or before {record.created + dt.timedelta(days=policy.max_days)}"
        )
    if severity >= policy.controls_required_at and not record.controls:
        return (
            f"controls: {record.rule} is {severity.label}, and the policy requires compensating "
            f"controls at {policy.controls_required_at.label} and above; list them under controls"
        )
    if severity is Severity.CRITICAL and any(is_catch_all(p) for p in record.paths):
        return (
            f"paths: a glob matching every file is not allowed for the critical rule "
            f"{record.rule}; name the files or folders it covers"
        )
    return approver_problem(record.owner, record.approver, policy)


def approver_problem(owner: str, approver: str, policy: Policy) -> str:
    """Return `approver: problem; fix` when the approver may not approve, or ''."""
    if approver.strip().casefold() == owner.strip().casefold():
        return f"approver: {approver} is also the owner; an exception needs a second person or team"
    allowed = policy.approvers
    if allowed and approver.strip().casefold() not in {a.casefold() for a in allowed}:
        return (
            f"approver: {approver} may not approve exceptions; the policy's approvers are "
            f"{', '.join(allowed)}"
        )
    return ""


def is_catch_all(glob: str) -> bool:
    """Return True for a glob with no literal path part, or one matching every kind of path."""
    pattern = glob.strip()
    if not pattern:
        return False
    if not _WILDCARDS.sub("", pattern):
        return True
    return all(fnmatch.fnmatchcase(probe, pattern) for probe in _PROBES)
