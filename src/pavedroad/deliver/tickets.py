"""Keep one issue per `ticket` finding (or per rule, or per file) in sync with the gate.

Identity: a hidden marker `<!-- pavedroad:ticket id=... -->` in the issue body (the finding's
fingerprint, or a hash of the rule id or path when grouped) plus the label `pavedroad`; issues
are found through the platform's list endpoint with that label, every state, every page.
A plan creates what is missing, updates what changed, reopens what came back, and, on a
full-scope run only, closes (with a comment) the issues whose findings are gone. An incremental
run never closes anything: a file it did not scan says nothing about its findings.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from pavedroad.deliver.codeowners import Owners
from pavedroad.deliver.http import ApiError
from pavedroad.deliver.interface import Ticket, Tracker
from pavedroad.errors import ServiceError
from pavedroad.gate.result import GatedFinding, GateResult, Verdict
from pavedroad.textsafe import md_code, md_text, one_line

LABEL = "pavedroad"
GroupBy = Literal["finding", "rule", "file"]
GROUPINGS: tuple[GroupBy, ...] = ("finding", "rule", "file")
Action = Literal["create", "update", "close", "reopen"]
MAX_LISTED = 50
TITLE_LIMIT = 250  # Jira's summary takes 255 characters
_MARKER = re.compile(r"<!-- pavedroad:ticket id=([0-9a-z-]{16,80}) -->")
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Wanted:
    """The issue one finding (or group of findings) should have."""

    id: str
    title: str
    body: str


@dataclass(frozen=True)
class Step:
    """One change the plan makes; `ticket` is the existing issue (None for a create)."""

    action: Action
    wanted: Wanted | None
    ticket: Ticket | None

    def label(self) -> str:
        """Return `#12 title` (or the new title) for plan and progress lines."""
        title = self.wanted.title if self.wanted else (self.ticket.title if self.ticket else "")
        if self.ticket is None:
            return title
        return f"{display_key(self.ticket.key)} {title}"


@dataclass(frozen=True)
class Plan:
    """What a sync would change, and what it deliberately leaves alone."""

    steps: tuple[Step, ...]
    unchanged: int
    left_open: int  # issues of findings an incremental run did not see; never closed by it
    full_scope: bool

    def count(self, action: Action) -> int:
        """Return how many steps do this action."""
        return sum(1 for s in self.steps if s.action == action)


@dataclass(frozen=True)
class Context:
    """What a ticket body says besides the finding: stage, owners, the artifact's name."""

    stage: str
    owners: Owners
    artifact: str = "gate.json"


def plan(
    result: GateResult,
    existing: Iterable[Ticket],
    context: Context,
    *,
    group_by: GroupBy = "finding",
    full_scope: bool,
) -> Plan:
    """Compare the wanted issues with the existing ones; return the changes to make."""
    wanted = {w.id: w for w in wanted_issues(result, context, group_by)}
    index = _index(existing)
    steps: list[Step] = []
    unchanged = 0
    for key, want in wanted.items():
        step = _step_for(want, index.get(key))
        if step is None:
            unchanged += 1
        else:
            steps.append(step)
    present = _present_ids(result)
    stale = [
        t for key, t in index.items() if t.is_open and key not in wanted and key not in present
    ]
    if full_scope:
        steps.extend(Step("close", None, t) for t in stale)
    return Plan(tuple(steps), unchanged, 0 if full_scope else len(stale), full_scope)


def _step_for(want: Wanted, ticket: Ticket | None) -> Step | None:
    if ticket is None:
        return Step("create", want, None)
    if not ticket.is_open:
        return Step("reopen", want, ticket)
    if ticket.title != want.title or ticket.body.strip() != want.body.strip():
        return Step("update", want, ticket)
    return None


def _index(existing: Iterable[Ticket]) -> dict[str, Ticket]:
    """Map marker ids to issues; of duplicates the open one (then the oldest) wins."""
    index: dict[str, Ticket] = {}
    for ticket in existing:
        match = _MARKER.search(ticket.body)
        if not match:
            continue
        held = index.get(match.group(1))
        if held is None or (ticket.is_open and not held.is_open):
            index[match.group(1)] = ticket
    return index


def apply(plan_: Plan, tracker: Tracker, context: Context, done: Callable[[str], None]) -> None:
    """Make the plan's changes in order, reporting each; ServiceError says what is not done."""
    for n, step in enumerate(plan_.steps):
        try:
            done(_perform(step, tracker, context))
        except ApiError as exc:
            rest = plan_.steps[n:]
            not_done = "; ".join(f"{s.action} {s.label()}" for s in rest[:10])
            more = f" and {len(rest) - 10} more" if len(rest) > 10 else ""
            raise ServiceError(
                f"{exc}\nstopped after {n} of {len(plan_.steps)} change(s), listed above; "
                f"not done: {not_done}{more}; run `paved tickets sync --apply` again"
            ) from None


def _perform(step: Step, tracker: Tracker, context: Context) -> str:
    want, ticket = step.wanted, step.ticket
    if step.action == "create" and want is not None:
        made = tracker.create(want.title, want.body, (LABEL,))
        return f"created {display_key(made.key)} {want.title}"
    if ticket is None:
        raise AssertionError("only a create has no issue")
    if step.action == "close":
        tracker.close(ticket, _closing_comment(context))
        return f"closed {step.label()}"
    if want is not None and (
        ticket.title != want.title or ticket.body.strip() != want.body.strip()
    ):
        tracker.update(ticket, want.title, want.body)
    if step.action == "reopen":
        tracker.reopen(ticket, _reopening_comment(context))
        return f"reopened {step.label()}"
    return f"updated {step.label()}"


def _closing_comment(context: Context) -> str:
    return (
        f"A full-scope gate (stage `{context.stage}`) no longer finds this. Closed by "
        "`paved tickets sync`; it reopens this issue if the finding comes back."
    )


def _reopening_comment(context: Context) -> str:
    return (
        f"Found again by the gate (stage `{context.stage}`): a regression. Reopened by "
        "`paved tickets sync`."
    )


def display_key(key: str) -> str:
    """Return `#12` for GitHub / GitLab numbers, the key itself for Jira (`SEC-3`)."""
    return f"#{key}" if key.isdigit() else key


def render_plan(plan_: Plan, where: str) -> list[str]:
    """Return the dry run's lines: each change, then the totals."""
    lines = [f"Plan for {where} (dry run; pass --apply to make these changes):"]
    lines.extend(f"  {s.action:<7} {s.label()}" for s in plan_.steps)
    if not plan_.steps:
        lines.append("  nothing to change")
    lines.append(totals(plan_))
    return lines


def totals(plan_: Plan, *, done: bool = False) -> str:
    """Return one line counting the plan's changes (or, once made, what was done)."""
    past = {"create": "created", "update": "updated", "close": "closed", "reopen": "reopened"}
    actions: tuple[Action, ...] = ("create", "update", "close", "reopen")
    if done:
        counted = ", ".join(f"{plan_.count(a)} {past[a]}" for a in actions)
    else:
        counted = ", ".join(f"{plan_.count(a)} to {a}" for a in actions)
    line = f"{counted}, {plan_.unchanged} unchanged"
    if plan_.left_open:
        line += (
            f"; {plan_.left_open} open issue(s) of findings not seen by this incremental run "
            "left open (only a full-scope run closes)"
        )
    return line


# --- what each issue says ---------------------------------------------------------------------


def wanted_issues(result: GateResult, context: Context, group_by: GroupBy) -> list[Wanted]:
    """Return the issues the `ticket` findings call for, one per finding, rule or file."""
    groups: dict[str, list[GatedFinding]] = {}
    for gated in result.findings:
        if gated.verdict is Verdict.TICKET:
            groups.setdefault(group_id(gated, group_by), []).append(gated)
    return [_wanted(key, members, context, group_by) for key, members in groups.items()]


def group_id(gated: GatedFinding, group_by: GroupBy) -> str:
    """Return the marker id: the fingerprint, or a hash of the rule id or of the path."""
    f = gated.finding
    if group_by == "rule":
        return "rule-" + _digest(f.rule_id)
    if group_by == "file":
        return "file-" + _digest(f.path)
    return f.fingerprint if _HEX64.fullmatch(f.fingerprint) else "finding-" + _digest(f.fingerprint)


def _present_ids(result: GateResult) -> set[str]:
    """Return the ids of every finding still reported, whatever its verdict or grouping."""
    return {group_id(g, by) for g in result.findings for by in GROUPINGS}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _wanted(key: str, members: list[GatedFinding], context: Context, by: GroupBy) -> Wanted:
    members = sorted(members, key=lambda g: (-int(g.finding.severity), g.finding.path))
    return Wanted(key, _title(members, by), _body(key, members, context))


def _title(members: list[GatedFinding], by: GroupBy) -> str:
    first = members[0].finding
    worst = first.severity.label
    if by == "rule":
        text = f"[pavedroad] {worst}: {first.rule_id} {first.title} ({len(members)} finding(s))"
    elif by == "file":
        text = f"[pavedroad] {worst}: {len(members)} finding(s) in {first.path}"
    else:
        text = f"[pavedroad] {worst}: {first.rule_id} {first.title} in {first.path}"
    text = one_line(text)
    return text if len(text) <= TITLE_LIMIT else text[: TITLE_LIMIT - 1] + "…"


def _body(key: str, members: list[GatedFinding], context: Context) -> str:
    parts = [f"<!-- pavedroad:ticket id={key} -->"]
    parts.extend(_describe(g, context) for g in members[:MAX_LISTED])
    if len(members) > MAX_LISTED:
        parts.append(f"_…and {len(members) - MAX_LISTED} more; see the gate's JSON report._")
    parts.append(
        f"_Kept in sync by `paved tickets sync` from the gate at stage {md_code(context.stage)}: "
        "closed when a full-scope run no longer finds this, reopened if it comes back. "
        "Edits to this description are overwritten._"
    )
    return "\n\n".join(parts)


def _describe(gated: GatedFinding, context: Context) -> str:
    f = gated.finding
    where = f"{f.path}:{f.start_line}" if f.start_line > 0 else f.path
    owners = " ".join(context.owners.of(f.path)) or "(no owner in CODEOWNERS)"
    docs = f" ([docs]({f.docs_url}))" if _plain_url(f.docs_url) else ""
    command = f"paved exceptions request {f.short_ref} --from {context.artifact}"
    lines = [
        f"**{md_code(f.rule_id)} {md_text(f.title)}**{docs}",
        f"- Severity: {f.severity.label}",
        f"- Location: {md_code(where)}" + (f" ({md_code(f.resource)})" if f.resource else ""),
        f"- Owner: {owners}",
        f"- Fix: {md_text(f.fix) or 'see the rule docs'}",
        f"- Exception: {md_code(command)}",
    ]
    return "\n".join(lines)


def _plain_url(url: str) -> bool:
    return url.startswith("https://") and re.fullmatch(r"[\w.~:/?#@!$&'*+,;=%-]+", url) is not None
