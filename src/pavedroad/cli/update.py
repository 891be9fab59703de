"""`paved update`: bring a project to a newer template version, keep its edits, gate it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pavedroad.cli import prompts
from pavedroad.cli._common import (
    CatalogOption,
    QuietOption,
    handle_errors,
    parse_data,
    progress_shown,
)
from pavedroad.errors import GateFailedError
from pavedroad.gate.result import GateResult
from pavedroad.project.update import STAGE, UpdateRequest, UpdateResult
from pavedroad.project.update import update as update_project
from pavedroad.project.update_guard import ROLLBACK, after_apply
from pavedroad.reports import text
from pavedroad.reports._common import count_phrase, counts
from pavedroad.textsafe import printable_lines

MAX_NEW_FINDINGS = 5
MAX_DIFF_LINES = 40


@handle_errors
def update(
    path: Annotated[Path, typer.Argument(help="Project to update.")] = Path(),
    to: Annotated[
        str | None, typer.Option("--to", help="Version to update to (default: the latest).")
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Never prompt; new questions take their default.")
    ] = False,
    data: Annotated[
        list[str] | None, typer.Option("--data", "-d", help="Answer as KEY=VALUE (repeatable).")
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(
            "--template", help="Update only this template (default: every template it carries)."
        ),
    ] = None,
    catalog: CatalogOption = None,
    quiet: QuietOption = False,
) -> None:
    """Update a project to newer template versions, keeping your edits, then gate it."""
    request = UpdateRequest(
        path,
        to=to,
        data=parse_data(data or []),
        prompt=prompts.template_prompt(defaults),
        on_invalid=prompts.retry_message,
        catalog=catalog,
        template=template,
    )
    with progress_shown(quiet) as progress:
        result = update_project(request, progress=progress)
    with after_apply(result.root, result.what):
        _report(result)


def _report(result: UpdateResult) -> None:
    """Print what the update did and what its verification gate decided."""
    if result.up_to_date:
        at = ", ".join(f"{c.template_id} {c.to_version}" for c in result.current)
        typer.echo(
            f"{result.root} is at {at}, the latest published version; nothing to do "
            "(to change an answer: --data KEY=VALUE)."
        )
        return
    typer.echo(printable_lines("\n".join(_summary(result))))  # names and diff are untrusted
    if result.conflicts:
        typer.echo(printable_lines("\n".join(_conflicts(result))), err=True)
        raise GateFailedError("")
    _verdict(result)


def _summary(result: UpdateResult) -> list[str]:
    tally = {s: sum(1 for c in result.changes if c.status == s) for s in "AMD"}
    verb = "Updated, WITH CONFLICTS," if result.conflicts else "Updated"
    lines = [
        f"{verb} {result.root}: {result.what} "
        f"({tally['A']} added, {tally['M']} modified, {tally['D']} deleted)"
    ]
    lines += [
        f"Already at the latest version: {c.template_id} {c.to_version}" for c in result.current
    ]
    if result.migrations:
        lines += ["Migrations:", *(f"  {m}" for m in result.migrations)]
    for rel in result.not_recreated:
        guarded = " (GUARDED: restore it)" if rel in result.guarded else ""
        lines.append(f"Not recreated (you deleted it; the template still has it): {rel}{guarded}")
    return lines + ["Security summary:", *_security(result)]


def _security(result: UpdateResult) -> list[str]:
    before = result.before_error or (_headline(result.before) if result.before else "not run")
    lines = [f"  findings before: {before}"]
    if result.after is None:
        lines.append("  findings after:  not gated until the conflicts are resolved")
    else:
        lines.append(f"  findings after:  {_headline(result.after)}")
        lines += _new_findings(result.before, result.after)
    lines += _policy(result)
    return lines + _pipeline(result.pipeline_diff)


def _headline(result: GateResult) -> str:
    outcome = "BLOCKED" if result.blocked else "PASSED"
    phrases = [count_phrase(v, n) for v, n in counts(result).items() if n]
    return f"{outcome} — " + (", ".join(phrases) or "no findings")


def _new_findings(before: GateResult | None, after: GateResult) -> list[str]:
    known = {g.finding.fingerprint for g in before.findings} if before else set()
    new = [g for g in after.findings if g.finding.fingerprint not in known]
    current = {g.finding.fingerprint for g in after.findings}
    fixed = sum(1 for g in before.findings if g.finding.fingerprint not in current) if before else 0
    lines = [f"  new findings: {len(new)}; resolved: {fixed}"]
    for g in new[:MAX_NEW_FINDINGS]:
        f = g.finding
        lines.append(f"    {g.verdict.value:<8} {f.rule_id} {f.path}:{f.start_line}  {f.title}")
    return lines


def _policy(result: UpdateResult) -> list[str]:
    if not result.policy_changes:
        return ["  policy (.pavedroad/policy.yaml): thresholds unchanged"]
    lines = ["  policy (.pavedroad/policy.yaml):"]
    for c in result.policy_changes:
        flag = "  WEAKER: lets more through" if c.weaker else ""
        lines.append(f"    {c.field}: {c.reference} -> {c.actual}{flag}")
    return lines


def _pipeline(diff: str) -> list[str]:
    if not diff.strip():
        return ["  pipeline (.github/workflows/, .gitlab-ci.yml): unchanged"]
    body = diff.splitlines()
    lines = ["  pipeline (.github/workflows/, .gitlab-ci.yml) changed:"]
    lines += [f"    {line}" for line in body[:MAX_DIFF_LINES]]
    if len(body) > MAX_DIFF_LINES:
        lines.append(
            f"    … {len(body) - MAX_DIFF_LINES} more lines: git diff -- .github .gitlab-ci.yml"
        )
    return lines


def _conflicts(result: UpdateResult) -> list[str]:
    return [
        f"CONFLICTS: the update could not merge your edits in {len(result.conflicts)} "
        f"{'file' if len(result.conflicts) == 1 else 'files'}:",
        *(f"  {rel}" for rel in result.conflicts),
        "Nothing is lost: each conflict shows your lines and the template's between <<<<<<< "
        "and >>>>>>> markers, and HEAD still has your version.",
        "Resolve the markers, run `paved gate --stage release`, then commit; "
        f"or undo the whole update with `{ROLLBACK}`.",
    ]


def _verdict(result: UpdateResult) -> None:
    assert result.after is not None  # set whenever there are no conflicts
    if result.after.blocked:
        typer.echo(text.render(result.after), err=True)
        typer.echo(
            f"The updated project does not pass its {STAGE} gate (above). Nothing "
            "is committed: fix the findings, or undo the whole update with "
            f"`{ROLLBACK}`.",
            err=True,
        )
        raise GateFailedError("")
    typer.echo(text.render(result.after))
    typer.echo(f"\nReview with `git diff`, then commit. To undo the update: {ROLLBACK}")
