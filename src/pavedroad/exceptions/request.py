"""`paved exceptions request`: turn a finding from the last gate run into a new record."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
import yaml as yaml_safe

if TYPE_CHECKING:  # ruamel.yaml loads only when a record is appended
    from ruamel.yaml import YAML

from pavedroad import clock, confine
from pavedroad.errors import ConfigError, UserError
from pavedroad.exceptions.records import EXCEPTIONS_PATH, parse
from pavedroad.exceptions.repository import load_rules
from pavedroad.policy.file import Policy
from pavedroad.scan.cache import write_private
from pavedroad.scan.redact import redact
from pavedroad.scanners.severities import rule_severity

HEADER = (
    "# Security exceptions, reviewed like code (see CODEOWNERS).\n"
    "# Add records with `paved exceptions request <finding>`.\n"
)


@dataclass(frozen=True)
class GateEntry:
    """What the last gate run knew about one finding."""

    fingerprint: str
    rule_id: str
    title: str
    severity: str
    path: str
    resource: str
    verdict: str
    stage: str


@dataclass(frozen=True)
class RecordFields:
    """Who asks for an exception, why and for how long."""

    owner: str
    justification: str
    approver: str
    expires: dt.date
    controls: tuple[str, ...]
    ticket: str | None


def cache_file(root: Path) -> Path:
    """Return where the last gate result for this repository is kept."""
    key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    base = Path(platformdirs.user_cache_dir("pavedroad"))
    return base / "last-gate" / f"{key}.json"


def save_last_gate(root: Path, entries: Sequence[GateEntry]) -> None:
    """Remember the findings of a gate run so a developer can request an exception."""
    path = cache_file(root)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{id(entries)}.tmp")
    write_private(tmp, json.dumps([asdict(e) for e in entries], indent=1))
    tmp.replace(path)


def find_entry(root: Path, ref: str) -> GateEntry:
    """Find a finding of the last gate run by fingerprint or short reference."""
    path = cache_file(root)
    if not path.is_file():
        raise UserError(f"no gate run recorded for {root}; run `paved gate` first")
    try:
        entries = [GateEntry(**e) for e in json.loads(path.read_text(encoding="utf-8"))]
    except (ValueError, TypeError):
        raise UserError(
            f"the last gate record is damaged; run `paved gate` again ({path})"
        ) from None
    hits = [e for e in entries if e.fingerprint.startswith(ref.lower())] if len(ref) >= 6 else []
    if not hits:
        raise UserError(
            f"no finding {ref!r} in the last gate run of {root}; copy the reference the gate "
            "printed (at least 6 characters) or run `paved gate` again"
        )
    if len({e.fingerprint for e in hits}) > 1:
        raise UserError(f"reference {ref!r} matches several findings; give more characters")
    return hits[0]


def expiry(today: dt.date, days: int, policy: Policy) -> dt.date:
    """Return the date days after today; UserError outside 1..the policy's max_days."""
    if days < 1:
        raise UserError(f"--days {days}: an exception must last at least one day")
    if days > policy.max_days:
        raise UserError(
            f"--days {days}: exceeds the policy cap of {policy.max_days} days "
            "(exceptions.max_days in .pavedroad/policy.yaml); pass --days "
            f"{policy.max_days} or less, and renew the exception when it expires"
        )
    return today + dt.timedelta(days=days)


def build_record(
    entry: GateEntry, request: RecordFields, today: dt.date, existing: list[str]
) -> dict[str, Any]:
    """Return the new record as plain data, with the next free EXC id."""
    if request.expires <= today:
        raise UserError(
            f"expiry {request.expires} is not in the future; an exception must end after today"
        )
    record: dict[str, Any] = {
        "id": next_id(existing),
        "rule": entry.rule_id,
        "paths": [entry.path],
        "resource": redact(entry.resource) or None,  # a record from before redaction
        "fingerprint": entry.fingerprint[:12],
        "justification": request.justification,
        "owner": request.owner,
        "approver": request.approver,
        "created": today,
        "expires": request.expires,
        "controls": list(request.controls),
        "ticket": request.ticket,
    }
    return {k: v for k, v in record.items() if v is not None}


def next_id(existing: list[str]) -> str:
    """Return EXC-NNNN one above the highest EXC number in use."""
    numbers = [int(i.split("-")[1]) for i in existing if i.startswith("EXC-")]
    return f"EXC-{max(numbers, default=0) + 1:04d}"


def _yaml() -> YAML:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    return yaml


def append(root: Path, record: dict[str, Any], policy: Policy, rule_severity: Any) -> str:
    """Validate and append a record, keeping comments and layout; return the unified diff."""
    confine.require_inside(root, EXCEPTIONS_PATH)  # never write through a link out
    path = root / EXCEPTIONS_PATH
    from ruamel.yaml.error import YAMLError

    before = path.read_text(encoding="utf-8") if path.is_file() else ""
    yaml = _yaml()
    try:
        doc = yaml.load(before) if before.strip() else None
    except YAMLError as exc:
        raise ConfigError(f"{EXCEPTIONS_PATH}: invalid YAML: {exc}; fix it first") from None
    doc = _with_list(doc)
    doc["exceptions"].append(record)
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    after = (HEADER if not before else "") + buffer.getvalue()
    check = yaml_safe.safe_load(after)
    parse(check, policy, rule_severity, EXCEPTIONS_PATH)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(after, encoding="utf-8")
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{EXCEPTIONS_PATH}",
            tofile=f"b/{EXCEPTIONS_PATH}",
        )
    )


def _with_list(doc: Any) -> Any:
    if doc is None:
        return {"version": 1, "exceptions": []}
    if not isinstance(doc, dict):
        raise ConfigError(f"{EXCEPTIONS_PATH}: expected a mapping; fix it first")
    if not doc.get("exceptions"):
        from ruamel.yaml.comments import CommentedSeq

        block = CommentedSeq()
        block.fa.set_block_style()
        doc["exceptions"] = block
    return doc


Ask = Callable[[str], str]


@dataclass(frozen=True)
class ExceptionRequest:
    """An exception asked for a finding of the last gate run; a field left None is asked."""

    root: Path
    finding: str
    days: int = 30
    owner: str | None = None
    justification: str | None = None
    approver: str | None = None
    controls: tuple[str, ...] = ()
    ticket: str | None = None
    ask: Ask | None = None  # None: nobody can answer, so a missing field is an error
    on_finding: Callable[[GateEntry], None] = lambda entry: None


@dataclass(frozen=True)
class RequestResult:
    """The record added for a finding, and the diff of the exceptions file."""

    entry: GateEntry
    record_id: str
    diff: str


def request_exception(request: ExceptionRequest) -> RequestResult:
    """Append a record for the finding to the repository's exceptions file."""
    today = clock.today()
    rules = load_rules(request.root)
    expires = expiry(today, request.days, rules.policy)
    entry = find_entry(request.root, request.finding)
    request.on_finding(entry)  # shown before anything is asked, so the person knows what for
    fields = RecordFields(
        owner=_answer(request, request.owner, "--owner", "Accountable owner (person or team)"),
        justification=_answer(request, request.justification, "--justification", "Justification"),
        approver=_answer(request, request.approver, "--approver", "Approver"),
        expires=expires,
        controls=request.controls,
        ticket=request.ticket,
    )
    record = build_record(entry, fields, today, [r.id for r in rules.exceptions])
    diff = append(request.root, record, rules.policy, rule_severity)
    return RequestResult(entry, str(record["id"]), diff)


def _answer(request: ExceptionRequest, value: str | None, option: str, question: str) -> str:
    """Return the given value, or ask for it; refuse when nobody can be asked."""
    if value is not None:
        return value
    if request.ask is None:
        raise UserError(f"{option} is required (no terminal to ask on); pass {option} VALUE")
    return request.ask(question)
