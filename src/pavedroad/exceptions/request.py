"""`paved exceptions request`: turn a finding from the last gate run into a new record."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
import yaml as yaml_safe

if TYPE_CHECKING:  # ruamel.yaml loads only when a record is appended
    from ruamel.yaml import YAML

from pavedroad import clock, confine
from pavedroad.errors import ConfigError, PavedError, UserError
from pavedroad.exceptions.records import EXCEPTIONS_PATH, approver_problem, parse
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
    hit = pick(entries, ref)
    if hit is None:
        raise UserError(
            f"no finding {ref!r} in the last gate run of {root}; copy the reference the gate "
            "printed (at least 6 characters) or run `paved gate` again"
        )
    return hit


def pick(entries: Sequence[GateEntry], ref: str) -> GateEntry | None:
    """Return the one finding whose fingerprint starts with ref (6+ characters), or None."""
    hits = [e for e in entries if e.fingerprint.startswith(ref.lower())] if len(ref) >= 6 else []
    if len({e.fingerprint for e in hits}) > 1:
        raise UserError(f"reference {ref!r} matches several findings; give more characters")
    return hits[0] if hits else None


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
    body, tail = split_trailing_comments(before)
    yaml = _yaml()
    try:
        doc = yaml.load(body) if body.strip() else None
    except YAMLError as exc:
        raise ConfigError(f"{EXCEPTIONS_PATH}: invalid YAML: {exc}; fix it first") from None
    doc = _with_list(doc)
    doc["exceptions"].append(record)
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    if not body.strip():  # no YAML yet: what the file holds is its header
        after = (tail or HEADER) + buffer.getvalue()
    else:
        after = buffer.getvalue() + tail
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


def split_trailing_comments(text: str) -> tuple[str, str]:
    """Split text into its YAML and the comment and blank lines that end the file.

    ruamel.yaml attaches a file's closing comments to the last list item, so an item appended
    after it would land below them; the closing block is put back after the new record.
    """
    lines = text.splitlines(keepends=True)
    end = len(lines)
    while end and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    tail = "".join(lines[end:])
    if tail and not tail.endswith("\n"):
        tail += "\n"
    return "".join(lines[:end]), tail


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
Find = Callable[[Path, str], GateEntry]
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class ExceptionRequest:
    """An exception asked for a finding of a gate run; a field left None is asked."""

    root: Path
    finding: str
    days: int | None = DEFAULT_DAYS  # None: ask (30, or the policy's cap if lower, unasked)
    owner: str | None = None
    justification: str | None = None
    approver: str | None = None
    controls: tuple[str, ...] = ()
    ticket: str | None = None
    ask: Ask | None = None  # None: nobody can answer, so a missing field is an error
    on_finding: Callable[[GateEntry], None] = lambda entry: None
    find: Find = find_entry  # where the finding is looked up: the last local gate run by default


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
    if request.days is not None:
        expiry(today, request.days, rules.policy)  # a wrong --days fails before any look-up
    entry = request.find(request.root, request.finding)
    request.on_finding(entry)  # shown before anything is asked, so the person knows what for
    fields = _fields(request, entry, rules.policy, today)
    record = build_record(entry, fields, today, [r.id for r in rules.exceptions])
    try:
        diff = append(request.root, record, rules.policy, rule_severity)
    except ConfigError as exc:
        raise flag_error(exc, str(record["id"])) from None
    return RequestResult(entry, str(record["id"]), diff)


# The option (or argument) of `paved exceptions request` that sets each field of a record.
FLAGS = {
    "rule": "FINDING",
    "paths": "FINDING",
    "resource": "FINDING",
    "fingerprint": "FINDING",
    "justification": "--justification",
    "owner": "--owner",
    "approver": "--approver",
    "created": "--days",
    "expires": "--days",
    "controls": "--control",
    "ticket": "--ticket",
}


def flag_error(exc: ConfigError, record_id: str) -> PavedError:
    """Reword a problem of the new record by the option that set it, not the YAML field."""
    match = re.search(rf"\({re.escape(record_id)}\)\.(\w+)[.\d]*: (.*)", str(exc), re.S)
    if match is None or match.group(1) not in FLAGS:
        return exc
    field, problem = match.groups()
    if field == "ticket":
        problem = "not a web address; pass the ticket's http(s) URL"
    return UserError(f"{FLAGS[field]}: {problem}")


def _fields(
    request: ExceptionRequest, entry: GateEntry, policy: Policy, today: dt.date
) -> RecordFields:
    """Collect who, why, for how long and with which controls; ask for what is missing."""
    owner = _answer(request, request.owner, "--owner", "Accountable owner (person or team)")
    justification = _answer(request, request.justification, "--justification", "Justification")
    approver = _answer(request, request.approver, "--approver", _approver_question(policy))
    problem = approver_problem(owner, approver, policy)
    if problem:
        raise UserError(f"--approver {approver}: {problem.split(': ', 1)[1]}")
    controls = _controls(request, entry, policy)
    days = _days(request, policy)
    return RecordFields(
        owner, justification, approver, expiry(today, days, policy), controls, request.ticket
    )


def _approver_question(policy: Policy) -> str:
    return f"Approver ({', '.join(policy.approvers)})" if policy.approvers else "Approver"


def _controls(request: ExceptionRequest, entry: GateEntry, policy: Policy) -> tuple[str, ...]:
    """Return the given controls; ask for them when the policy requires some and none were given."""
    severity = rule_severity(entry.rule_id)
    if request.controls or severity is None or severity < policy.controls_required_at:
        return request.controls
    need = (
        f"{entry.rule_id} is {severity.label} and the policy requires compensating controls "
        f"at {policy.controls_required_at.label} and above"
    )
    if request.ask is None:
        raise UserError(f"--control: {need}; pass --control TEXT for each control (repeatable)")
    answer = request.ask(f"Compensating controls, separated by ';' ({need})")
    controls = tuple(c.strip() for c in answer.split(";") if c.strip())
    if not controls:
        raise UserError(f"--control: {need}; name at least one, or pass --control TEXT")
    return controls


def _days(request: ExceptionRequest, policy: Policy) -> int:
    """Return the given --days, or ask (capped by the policy), or the default when nobody can."""
    if request.days is not None:
        return request.days
    default = min(DEFAULT_DAYS, policy.max_days)
    if request.ask is None:
        return default
    answer = request.ask(f"Days it lasts (1-{policy.max_days}, default {default})").strip()
    if not answer:
        return default
    if not answer.isdigit():
        raise UserError(f"--days {answer}: not a number of days; pass --days N")
    return int(answer)


def _answer(request: ExceptionRequest, value: str | None, option: str, question: str) -> str:
    """Return the given value, or ask for it; refuse when nobody can be asked."""
    if value is not None:
        return value
    if request.ask is None:
        raise UserError(f"{option} is required (no terminal to ask on); pass {option} VALUE")
    return request.ask(question)
