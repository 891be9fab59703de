"""One pull-request comment (merge-request note) per stage, found again and updated in place.

The body is the gate's Markdown report, then what is new and what was fixed since the last
push, then an invitation to react. A hidden marker on the first line names the stage and the
findings this comment reported (their 12-hex short references, compressed), so the next push
finds the comment among all pages and compares against it. A body over the platform's limit is
cut at a line, with a link to the full report. When the token may not comment (a fork's pull
request gets a read-only token), the caller falls back to workflow annotations and the job
summary instead.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from pavedroad import clock
from pavedroad.deliver import artifact, targets
from pavedroad.deliver.http import ApiError
from pavedroad.deliver.interface import Comment, Thread
from pavedroad.deliver.platform import Connection, connect, parse_platform, pull_request_number
from pavedroad.errors import UserError
from pavedroad.gate.result import GatedFinding, GateResult, Verdict
from pavedroad.policy.file import EXCEPTIONS_PATH
from pavedroad.reports.github import GithubReporter
from pavedroad.reports.markdown import MarkdownReporter
from pavedroad.textsafe import md_code, md_text

MARKER = "<!-- pavedroad:comment"
MAX_LISTED = 20
MAX_REMEMBERED = 2000  # findings whose references fit in the marker (~16 KB)
_TRACKED = (Verdict.BLOCK, Verdict.TICKET, Verdict.WARN)
_REF = re.compile(r"[0-9a-f]{12}")
_MARKER_LINE = re.compile(r"<!-- pavedroad:comment stage=([\w.-]+) seen=([\w=-]*|overflow) -->")
_REQUEST = re.compile(r"(paved exceptions request [0-9a-f]{12})(?! --from)")
_MARGIN = 64  # characters kept free under the platform's limit

Action = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class Posted:
    """What `post` did with the comment."""

    action: Action
    url: str
    new: tuple[str, ...]  # short references new since the last push
    fixed: tuple[str, ...]  # short references the last push had and this one has not
    first: bool  # no earlier comment to compare with
    truncated: bool


@dataclass(frozen=True)
class Options:
    """How the comment refers to the outside: the artifact's name and the full report's URL."""

    artifact: str = "gate.json"
    report_url: str = ""
    edit_url: str = ""  # GitHub's web editor on .pavedroad/exceptions.yaml in the PR's branch


def post(result: GateResult, thread: Thread, options: Options) -> Posted:
    """Create the stage's comment, or update the one an earlier push left."""
    stage = _stage(result.stage)
    existing = find(thread, stage)
    previous = seen(existing.body) if existing else None
    current = _refs(result)
    body, truncated = render(result, previous, options, limit=thread.limit)
    new, fixed = _diff(previous, current)
    if existing is None:
        made = thread.create(body)
        return Posted("created", made.url, new, fixed, True, truncated)
    if existing.body == body:
        return Posted("unchanged", existing.url, new, fixed, False, truncated)
    try:
        updated = thread.update(existing, body)
    except ApiError as exc:  # someone else's comment carrying our marker: post our own
        if not (is_forbidden(exc) or exc.status == 404):
            raise
        made = thread.create(body)
        return Posted("created", made.url, new, fixed, False, truncated)
    return Posted("updated", updated.url or existing.url, new, fixed, False, truncated)


def find(thread: Thread, stage: str) -> Comment | None:
    """Return the latest comment whose marker names this stage."""
    found = None
    for comment in thread.comments():
        match = _MARKER_LINE.search(comment.body[:20_000])
        if match and match.group(1) == stage:
            found = comment
    return found


def seen(body: str) -> frozenset[str] | None:
    """Return the references an earlier comment recorded; None if it recorded none we can read."""
    match = _MARKER_LINE.search(body[:20_000])
    if not match or match.group(2) == "overflow":
        return None
    try:
        packed = zlib.decompressobj().decompress(
            base64.urlsafe_b64decode(match.group(2)), MAX_REMEMBERED * 6
        )
    except (binascii.Error, ValueError, zlib.error):
        return None
    return frozenset(packed[i : i + 6].hex() for i in range(0, len(packed) - 5, 6))


def render(
    result: GateResult, previous: frozenset[str] | None, options: Options, *, limit: int
) -> tuple[str, bool]:
    """Return the comment body and whether the report part had to be cut to fit `limit`."""
    suffix = f" --from {options.artifact}"
    report = _REQUEST.sub(lambda m: m.group(1) + suffix, MarkdownReporter().render(result))
    head = marker(result)
    tail = "\n\n".join([_since(result, previous, options), _invite()])
    room = limit - _MARGIN - len(head) - len(tail) - 4
    cut = report if len(report) <= room else _cut(report, room, options)
    return "\n".join([head, cut, "", tail]), cut is not report


def marker(result: GateResult) -> str:
    """Return the hidden first line: the stage and the references of what this run reported."""
    refs = sorted(_refs(result))
    if len(refs) > MAX_REMEMBERED:
        packed = "overflow"
    else:
        raw = zlib.compress(b"".join(bytes.fromhex(r) for r in refs), 9)
        packed = base64.urlsafe_b64encode(raw).decode("ascii")
    return f"{MARKER} stage={_stage(result.stage)} seen={packed} -->"


def fallback(result: GateResult, options: Options, summary: Path | None) -> str:
    """Append the report to the job summary (if any); return annotation lines for stdout."""
    if summary is not None:
        body, _ = render(result, None, options, limit=1_000_000)
        with summary.open("a", encoding="utf-8") as handle:
            handle.write(body + "\n")
    return GithubReporter().render(result)


def is_forbidden(exc: ApiError) -> bool:
    """Return True when the platform refused the token (a fork's read-only token).

    A rate limit that outlasted the retries is a 403 too, but not a refusal: it fails (exit 3).
    """
    return exc.status == 403 and not exc.retried


def _refs(result: GateResult) -> frozenset[str]:
    tracked = (g.finding.short_ref for g in result.findings if g.verdict in _TRACKED)
    return frozenset(r for r in tracked if _REF.fullmatch(r))


def _diff(
    previous: frozenset[str] | None, current: frozenset[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if previous is None:
        return (), ()
    return tuple(sorted(current - previous)), tuple(sorted(previous - current))


def _stage(stage: str) -> str:
    return re.sub(r"[^\w.-]", "-", stage)[:40] or "-"


def _since(result: GateResult, previous: frozenset[str] | None, options: Options) -> str:
    if previous is None:
        return "#### Since the last push\n\nFirst report on this change: nothing to compare with."
    new, fixed = _diff(previous, _refs(result))
    if not new and not fixed:
        return "#### Since the last push\n\nNothing new, nothing fixed."
    by_ref = {g.finding.short_ref: g for g in result.findings}
    parts = ["#### Since the last push"]
    if new:
        lines = [_new_line(by_ref[r], options) for r in new[:MAX_LISTED]]
        parts.append(f"**New ({len(new)})**\n\n" + "\n".join(lines) + _more(len(new)))
    if fixed:
        refs = ", ".join(md_code(r) for r in fixed[:MAX_LISTED])
        parts.append(f"**Fixed ({len(fixed)})**: {refs}{_more(len(fixed))}")
    return "\n\n".join(parts)


def _new_line(gated: GatedFinding, options: Options) -> str:
    f = gated.finding
    where = f"{f.path}:{f.start_line}" if f.start_line > 0 else f.path
    command = f"paved exceptions request {f.short_ref} --from {options.artifact}"
    head = f"- {gated.verdict.value}, {f.severity.label}: {md_code(f.rule_id)} {md_text(f.title)}"
    fix = f"Fix: {md_text(f.fix)}<br>" if f.fix.strip() else ""
    line = f"{head} at {md_code(where)}<br>{fix}Exception: {md_code(command)}"
    url = _safe_url(options.edit_url)
    if not url or gated.verdict is not Verdict.BLOCK:
        return line
    return f"{line} or [propose it in the editor]({url})\n{_record_stub(gated)}"


def _record_stub(gated: GatedFinding) -> str:
    """Return the record to paste into the exceptions file, in a collapsed block."""
    f = gated.finding
    stub = "\n".join(
        [
            "  - id: EXC-NNNN  # the next free number",
            f"    rule: {f.rule_id}",
            f"    paths: [{json.dumps(f.path)}]",
            f"    fingerprint: {f.short_ref}",
            '    justification: "why the risk is acceptable for now"',
            '    owner: "@your-team"',
            '    approver: "@a-team-in-exceptions.approvers"',
            f"    created: {clock.today().isoformat()}",
            "    expires: YYYY-MM-DD  # within the policy's max_days",
            "    controls: []  # required at the policy's controls_required_at",
        ]
    )
    return (
        "\n  <details><summary>Record to add under <code>exceptions:</code></summary>\n\n"
        f"  ```yaml\n{_indent(stub.replace('```', ''))}\n  ```\n  </details>"
    )


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


def edit_url(conn: Connection, result: GateResult, env: Mapping[str, str]) -> str:
    """Return GitHub's web editor on the exceptions file in the PR's branch ("" elsewhere)."""
    branch = result.record.ref if result.record else None
    if conn.platform != "github" or not branch:
        return ""
    server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    repo = quote(conn.project, safe="/")
    return f"{server}/{repo}/edit/{quote(branch, safe='/')}/{EXCEPTIONS_PATH}"


def _more(total: int) -> str:
    return f"\n\n_…and {total - MAX_LISTED} more._" if total > MAX_LISTED else ""


def _invite() -> str:
    return (
        "---\n<sub>Was this comment useful? React with 👍 or 👎: the platform team "
        "counts the reactions to tune the gates.</sub>"
    )


def _cut(report: str, room: int, options: Options) -> str:
    url = _safe_url(options.report_url)
    where = (
        f"[the full report]({url})"
        if url
        else f"the {md_code(options.artifact)} artifact of this pipeline"
    )
    notice = f"\n\n_…truncated to fit the comment size limit; see {where}._"
    keep = report[: max(0, room - len(notice) - len("\n\n</details>"))]
    keep = keep[: keep.rfind("\n")] if "\n" in keep else ""
    if keep.count("<details>") > keep.count("</details>"):
        keep += "\n\n</details>"
    return keep + notice


def _safe_url(url: str) -> str:
    if not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
        return ""
    return url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def forbidden_note(number: int, exc: ApiError) -> str:
    """Say why the comment fell back, for stderr."""
    return (
        f"cannot comment on #{number} ({exc}); the token is read-only here (a fork's pull "
        "request?): wrote workflow annotations and the job summary instead"
    )


def describe(posted: Posted, number: int) -> str:
    """Return the one-line summary the CLI prints."""
    counts = "" if posted.first else f" ({len(posted.new)} new, {len(posted.fixed)} fixed)"
    cut = "; the report was truncated to fit" if posted.truncated else ""
    where = f": {posted.url}" if posted.url else ""
    if posted.action == "unchanged":
        return f"the comment on #{number} is already current{counts}{cut}{where}"
    return f"{posted.action} the comment on #{number}{counts}{cut}{where}"


@dataclass(frozen=True)
class Delivered:
    """What `paved comment` tells the user, and the annotations it prints when it fell back."""

    message: str
    annotations: str = ""
    fell_back: bool = False


def comment_from(
    gate_json: Path,
    *,
    number: int | None = None,
    platform: str | None = None,
    report_url: str = "",
    env: Mapping[str, str] | None = None,
) -> Delivered:
    """Post (or update) the PR / MR comment for the gate result in `gate_json`."""
    env = os.environ if env is None else env
    result = artifact.load(gate_json)
    conn = connect(parse_platform(platform), env)
    known = (number, pull_request_number(env), artifact.recorded_pull_request(result))
    chosen = next((n for n in known if n is not None), None)
    if chosen is None:
        raise UserError(
            "no pull request number: pass --pr N, or run in a pull_request or workflow_run "
            "event (GITHUB_EVENT_PATH) or a merge request pipeline (CI_MERGE_REQUEST_IID)"
        )
    options = Options(artifact.command_name(gate_json), report_url, edit_url(conn, result, env))
    try:
        posted = post(result, targets.thread(conn, chosen), options)
    except ApiError as exc:
        if not is_forbidden(exc):
            raise
        summary = env.get("GITHUB_STEP_SUMMARY", "").strip()
        lines = fallback(result, options, Path(summary) if summary else None)
        return Delivered(forbidden_note(chosen, exc), lines, fell_back=True)
    finally:
        conn.client.close()
    return Delivered(describe(posted, chosen))
