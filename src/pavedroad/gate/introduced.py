"""Diff-aware blocking on `scope: changed` stages: only what the change introduced blocks.

A finding the stage's thresholds would block is introduced by the change when its fingerprint
is absent at the merge-base, or when an exception record at the merge-base covered it and the
change removed or narrowed that record. Every other would-be block is pre-existing: it gets the
stage's ticket tier (warn without one) and `held=Hold.PRE_EXISTING`, so an old finding never
turns a pull request red. A change that weakens the policy does not pass its own new findings:
an introduced finding that the merge-base's policy would block, blocks.

The merge-base's findings come from scanning its version of the files that hold would-be blocks,
in a scratch worktree that is always removed (errors and Ctrl-C included); with a result cache,
a file whose content did not change is a cache hit. That scan fails closed like any scan. The
merge-base's policy and exceptions are read from the base commit itself.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from pavedroad import clock, proc
from pavedroad.edges import safe_load
from pavedroad.errors import ConfigError, ScannerError, ToolError
from pavedroad.exceptions import records as exception_records
from pavedroad.exceptions.records import ExceptionRecord
from pavedroad.findings import Finding
from pavedroad.gate import evaluate as gate
from pavedroad.gate.result import GatedFinding, GateResult, Hold, Verdict
from pavedroad.policy import file as policy_file
from pavedroad.policy.compare import PolicyChange, compare_policies
from pavedroad.policy.file import EXCEPTIONS_PATH, POLICY_PATH, Policy
from pavedroad.scan.cache import ResultCache
from pavedroad.scan.run import restrict, scan
from pavedroad.scanners import SCANNERS
from pavedroad.scanners.severities import rule_severity

# Who scans the merge-base: a scratch worktree must never download LFS objects (offline).
_GIT_ENV = {"GIT_LFS_SKIP_SMUDGE": "1"}
WORKTREE_PREFIX = "pavedroad-base-"


@dataclass(frozen=True)
class BaseRules:
    """The merge-base's own policy and exception records."""

    policy: Policy
    exceptions: tuple[ExceptionRecord, ...]


@dataclass(frozen=True)
class _Context:
    """What judging one finding needs to know about the merge-base."""

    base: str
    rules: BaseRules
    weakened: tuple[PolicyChange, ...]
    found: Mapping[str, Finding]  # the merge-base's findings by fingerprint
    held_verdict: Verdict
    today: dt.date


def judge(
    root: Path,
    result: GateResult,
    policy: Policy,
    base: str,
    *,
    cache: ResultCache | None = None,
    today: dt.date | None = None,
) -> GateResult:
    """Hold back every would-be block that was already there at the merge-base `base`."""
    today = today or clock.today()
    if all(g.verdict is Verdict.EXCEPTED for g in result.findings):
        return result
    try:
        rules = base_rules(root, base)
    except ConfigError as exc:
        return _noted(result, unreadable_note(base, exc))
    weakened = weakened_changes(rules.policy, policy, result.stage)
    candidates = [
        g for g in result.findings if _candidate(g, policy, rules, weakened, result.stage, today)
    ]
    if weakened:
        result = _noted(result, weakened_note(weakened))
    if not candidates:
        return result
    paths = {g.finding.path for g in candidates}
    # A fingerprint names its scanner: only the scanners that would block need to run.
    tools = sorted({g.finding.scanner for g in candidates} & set(SCANNERS))
    found = base_findings(root, base, paths, scanners=tools, cache=cache)
    stage = policy.stage(result.stage)
    held = Verdict.TICKET if stage.ticket is not None else Verdict.WARN
    context = _Context(base, rules, weakened, found, held, today)
    chosen = {id(g) for g in candidates}
    judged = tuple(
        _judge_one(g, context, result.stage, policy) if id(g) in chosen else g
        for g in result.findings
    )
    return replace(result, findings=judged)


def _candidate(
    gated: GatedFinding,
    policy: Policy,
    rules: BaseRules,
    weakened: Sequence[PolicyChange],
    stage: str,
    today: dt.date,
) -> bool:
    """Return True for a would-be block, or one the merge-base's policy would block."""
    if gated.verdict is Verdict.BLOCK:
        return True
    if gated.verdict is Verdict.EXCEPTED or not weakened:
        return False
    finding = _unoverridden(gated.finding, policy)
    return _base_policy_verdict(finding, rules.policy, stage, today).verdict is Verdict.BLOCK


def _judge_one(gated: GatedFinding, context: _Context, stage: str, policy: Policy) -> GatedFinding:
    """Keep a finding the change introduced blocking; hold back one that was already there."""
    before = context.found.get(gated.finding.fingerprint)
    record = None if before is None else covering(context.rules.exceptions, before, context.today)
    if before is not None and record is None:
        return _pre_existing(gated, context)
    why = (
        "new since the merge-base"
        if record is None
        else f"exception {record.id} covered it at the merge-base; this change removed or "
        "narrowed it"
    )
    if gated.verdict is Verdict.BLOCK:
        return replace(gated, reason=f"{gated.reason}; {why}")
    base_view = _base_policy_verdict(
        _unoverridden(gated.finding, policy), context.rules.policy, stage, context.today
    )
    fields = ", ".join(f"{c.field} {c.reference} -> {c.actual}" for c in context.weakened)
    reason = (
        f"{base_view.reason} under the merge-base's policy ({why}); this change weakened {fields}"
    )
    return GatedFinding(gated.finding, Verdict.BLOCK, reason)


def _pre_existing(gated: GatedFinding, context: _Context) -> GatedFinding:
    """Hold back a would-be block already present at the merge-base (see Hold)."""
    if gated.verdict is not Verdict.BLOCK:
        return gated
    reason = (
        f"would block: {gated.reason}; held: pre-existing at the merge-base {context.base[:12]}"
    )
    return GatedFinding(gated.finding, context.held_verdict, reason, Hold.PRE_EXISTING)


def covering(
    records: Iterable[ExceptionRecord], finding: Finding, today: dt.date
) -> ExceptionRecord | None:
    """Return the record that excepts the finding today, as the gate would, or None."""
    for record in records:
        if record.matches(finding) and record.status(today, 0) not in ("expired", "future"):
            return record
    return None


def _base_policy_verdict(
    finding: Finding, base: Policy, stage: str, today: dt.date
) -> GatedFinding:
    """Return the verdict the merge-base's policy gives a finding (no exceptions counted)."""
    if stage not in base.stages:
        return GatedFinding(
            finding, Verdict.INFO, f"stage {stage} is not in the merge-base's policy"
        )
    judged = gate.evaluate(
        [finding], base, stage, root="", files_scanned=0, scanners=(), today=today
    )
    return judged.findings[0]


def _unoverridden(finding: Finding, policy: Policy) -> Finding:
    """Undo this policy's severity override, so another policy can apply its own."""
    own = rule_severity(finding.rule_id)
    if finding.rule_id not in policy.severity_overrides or own is None:
        return finding
    return replace(finding, severity=own)


def weakened_changes(base: Policy, head: Policy, stage: str) -> tuple[PolicyChange, ...]:
    """Return the policy changes since the merge-base that let more of this stage through."""
    verdict_fields = ("exceptions.inline_suppressions", "unscanned")
    return tuple(
        c
        for c in compare_policies(base, head, observe_accepted=False)
        if c.weaker
        and (
            c.field == f"stages.{stage}"
            or c.field.startswith((f"stages.{stage}.", "severity_overrides."))
            or c.field in verdict_fields
        )
    )


def weakened_note(changes: Sequence[PolicyChange]) -> str:
    """Say that the change weakens the policy, and what that means for its new findings."""
    fields = ", ".join(f"{c.field} {c.reference} -> {c.actual}" for c in changes)
    return (
        f"this change weakens the policy ({fields}): a finding it introduces is also gated "
        "by the merge-base's policy"
    )


def unreadable_note(base: str, exc: ConfigError) -> str:
    """Say why no finding could be recognised as pre-existing."""
    first = str(exc).splitlines()[0] if str(exc) else "unreadable"
    return (
        f"the merge-base {base[:12]} has a policy or exceptions file that cannot be read "
        f"({first}): every finding was gated as new"
    )


def _noted(result: GateResult, note: str) -> GateResult:
    return replace(result, notes=(*result.notes, note))


# --- the merge-base's rules and findings ------------------------------------------------------


def base_rules(root: Path, base: str) -> BaseRules:
    """Read the policy and exception records at the base commit (defaults when absent)."""
    raw_policy = _yaml_at(root, base, POLICY_PATH)
    display = f"{POLICY_PATH} at the merge-base {base[:12]}"
    policy = policy_file.parse(
        policy_file.DEFAULT_POLICY if raw_policy is _ABSENT else raw_policy, display
    )
    raw_records = _yaml_at(root, base, EXCEPTIONS_PATH)
    if raw_records is _ABSENT:
        return BaseRules(policy, ())
    display = f"{EXCEPTIONS_PATH} at the merge-base {base[:12]}"
    return BaseRules(policy, exception_records.parse(raw_records, policy, rule_severity, display))


_ABSENT = object()


def _yaml_at(root: Path, base: str, path: str) -> object:
    """Return the parsed YAML of a file at a commit, or _ABSENT when the commit lacks it."""
    spec = f"{base}:./{path}"
    if _git(root, "cat-file", "-e", spec).returncode != 0:
        return _ABSENT
    shown = _git(root, "show", spec)
    display = f"{path} at the merge-base {base[:12]}"
    if shown.returncode != 0:
        raise ConfigError(f"{display}: cannot read: {shown.stderr.strip()}")
    try:
        return safe_load(shown.stdout)
    except (yaml.YAMLError, RecursionError) as exc:
        raise ConfigError(f"{display}: not valid YAML: {exc}") from None


def base_findings(
    root: Path,
    base: str,
    paths: Iterable[str],
    *,
    scanners: Sequence[str] | None = None,
    cache: ResultCache | None = None,
) -> dict[str, Finding]:
    """Scan the base commit's version of these root-relative files; return findings by fingerprint.

    Files the base commit does not have are not scanned: everything in them is new. Paved Road's
    own findings about files (not scanned, symlinks) come with every scan, whatever the scanners.
    """
    there = sorted(set(paths) & base_paths(root, base))
    if not there:
        return {}
    with worktree(root, base) as tree:
        report = restrict(scan(tree, files=there, scanners=scanners, cache=cache), there)
    return {f.fingerprint: f for f in report.findings}


def base_paths(root: Path, base: str) -> frozenset[str]:
    """Return the files of the base commit under root, relative to root."""
    done = _git(root, "ls-tree", "-r", "-z", "--name-only", base)
    if done.returncode != 0:
        raise ScannerError("git", f"cannot list the merge-base {base[:12]}: {_last(done)}")
    return frozenset(p for p in done.stdout.split("\0") if p)


@contextlib.contextmanager
def worktree(root: Path, base: str) -> Iterator[Path]:
    """Check the base commit out in a scratch worktree; yield root's folder in it; remove it.

    Removal runs on every exit, errors and Ctrl-C included.
    """
    scratch = Path(tempfile.mkdtemp(prefix=WORKTREE_PREFIX))
    tree = scratch / "tree"
    try:
        prefix = _git(root, "rev-parse", "--show-prefix").stdout.strip()
        added = _git(root, "worktree", "add", "--detach", "--quiet", str(tree), base)
        if added.returncode != 0:
            raise ScannerError(
                "git", f"cannot check out the merge-base {base[:12]}: {_last(added)}"
            )
        yield tree / prefix if prefix else tree
    finally:
        _remove(root, tree)
        shutil.rmtree(scratch, ignore_errors=True)


def _remove(root: Path, tree: Path) -> None:
    """Remove a scratch worktree and git's record of it; prune if git cannot remove it."""
    if not tree.exists():
        return
    try:
        removed = _git(root, "worktree", "remove", "--force", "--force", str(tree))
        if removed.returncode != 0:
            shutil.rmtree(tree, ignore_errors=True)
            _git(root, "worktree", "prune")
    finally:  # even when git itself fails or is interrupted, the files go
        shutil.rmtree(tree, ignore_errors=True)


def _git(root: Path, *args: str) -> proc.Completed:
    try:
        return proc.git(["-C", str(root), *args], env=_GIT_ENV, timeout=300)
    except ToolError as exc:
        raise ScannerError("git", exc.reason) from None


def _last(done: proc.Completed) -> str:
    lines = done.stderr.strip().splitlines()
    return lines[-1] if lines else f"exit code {done.returncode}"
