"""`paved update`: copier's three-way update, made in a scratch clone and brought in whole.

The repository must be clean, so `git reset --hard HEAD && git clean -fd` undoes an update
exactly. copier runs in a temporary clone of HEAD; only when it succeeded is its result
applied to the working tree, as one `git apply` that changes everything or nothing.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from jinja2 import TemplateError

from pavedroad.catalog import publish, store
from pavedroad.catalog import scratch as scratch_mod
from pavedroad.catalog.jinja_guard import run_copier, time_limit
from pavedroad.catalog.model import Migration, Template
from pavedroad.catalog.model import load as load_catalog
from pavedroad.catalog.questions import Prompt, load_config, resolve_answers
from pavedroad.catalog.render import (
    ANSWERS_FILE,
    Recorded,
    record_template,
    recorded,
    render_source,
)
from pavedroad.catalog.scratch import copier_temp
from pavedroad.catalog.store import Source, git, git_ok
from pavedroad.edges import safe_load
from pavedroad.errors import PavedError, ScannerError, UserError
from pavedroad.gate.result import GateResult
from pavedroad.gate.run import gate_repository
from pavedroad.policy import file as policy_file
from pavedroad.policy.compare import PolicyChange, compare_policies
from pavedroad.policy.file import Policy
from pavedroad.project import migrations, update_guard
from pavedroad.project.migrations import Moves
from pavedroad.project.update_guard import after_apply, check_killed_update, unverified
from pavedroad.scan.redact import redact

STAGE = "release"
ROLLBACK = update_guard.ROLLBACK
PIPELINE_PATHS = (".github/workflows", ".gitlab-ci.yml")
Gate = Callable[..., GateResult]


@dataclass(frozen=True)
class UpdateRequest:
    """What to update and how."""

    path: Path
    to: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    prompt: Prompt | None = None
    on_invalid: Callable[[str], None] = lambda message: None
    catalog: Path | None = None
    store: str | None = None


@dataclass(frozen=True)
class Change:
    """One file the update added (A), modified (M) or deleted (D)."""

    status: str
    path: str


@dataclass(frozen=True)
class UpdateResult:
    """What an update did, and what it means for security."""

    root: Path
    template_id: str
    from_version: str
    to_version: str
    changes: tuple[Change, ...] = ()
    conflicts: tuple[str, ...] = ()
    migrations: tuple[str, ...] = ()
    not_recreated: tuple[str, ...] = ()
    guarded: tuple[str, ...] = ()
    before: GateResult | None = None
    before_error: str | None = None
    after: GateResult | None = None
    policy_changes: tuple[PolicyChange, ...] = ()
    pipeline_diff: str = ""

    @property
    def up_to_date(self) -> bool:
        """Return True when there was nothing to update."""
        return self.from_version == self.to_version


@dataclass(frozen=True)
class _Repo:
    root: Path  # the project (where the answers file is)
    top: Path  # the git work tree holding it
    rel: str  # root relative to top ("." when the same)
    head: str


@dataclass(frozen=True)
class _Plan:
    recorded: Recorded
    old: Source
    new: Source
    migrations: tuple[Migration, ...]
    answers: Mapping[str, Any]

    @property
    def moved(self) -> Moves:
        return migrations.moves(self.migrations)


@dataclass(frozen=True)
class _Outcome:
    patch: Path
    changes: tuple[Change, ...]
    conflicts: tuple[str, ...]
    pipeline_diff: str
    not_recreated: tuple[str, ...] = ()


def update(request: UpdateRequest, gate: Gate | None = None) -> UpdateResult:
    """Update a project to the latest (or requested) published version of its template."""
    gate = gate or gate_repository
    repo = _repository(request.path)
    rec = recorded(repo.root)
    template = _template(request.catalog, rec)
    old, new = _versions(template, rec, store.resolve(request.store), request.to)
    if new.version == old.version:
        return UpdateResult(repo.root, rec.template_id, old.version, new.version)
    plan = _plan(template, rec, old, new, request)
    with after_apply(repo.root, f"{rec.template_id} {old.version} -> {new.version}"):
        return _apply(repo, plan, template, gate)


def _apply(repo: _Repo, plan: _Plan, template: Template, gate: Gate) -> UpdateResult:
    """Make the update in a scratch clone, bring it into the work tree, then verify it."""
    rec, old, new = plan.recorded, plan.old, plan.new
    what = f"{rec.template_id} {old.version} -> {new.version}"
    # Marked from here on: a run killed before the apply leaves a clean tree, which the next
    # run takes as "nothing happened"; killed after it, the next run says what is in the tree.
    with (
        unverified(repo.root, what),
        scratch_mod.scratch(Path(tempfile.gettempdir()), "paved-update-") as folder,
    ):
        outcome = _update_clone(repo, plan, folder)
        before = _before(repo.root, gate)
        _bring_in(repo, outcome.patch)
        result = UpdateResult(
            repo.root,
            rec.template_id,
            old.version,
            new.version,
            changes=outcome.changes,
            conflicts=outcome.conflicts,
            migrations=migrations.describe(plan.migrations),
            not_recreated=outcome.not_recreated,
            guarded=template.guarded,
            before=before.result,
            before_error=before.error,
            policy_changes=_policy_changes(before.pol, repo.root),
            pipeline_diff=outcome.pipeline_diff,
        )
        return result if outcome.conflicts else _verified(result, gate)


def _template(catalog: Path | None, rec: Recorded) -> Template:
    cat = load_catalog(catalog)
    if rec.template_id not in cat.ids:
        raise UserError(
            f"{ANSWERS_FILE} records template {rec.template_id!r}, which this catalog lacks "
            f"(it has: {', '.join(cat.ids)}); pass --catalog (or set $PAVED_CATALOG) to the "
            "catalog the project came from"
        )
    return cat.get(rec.template_id)


def _versions(
    template: Template, rec: Recorded, st: store.Store, to: str | None
) -> tuple[Source, Source]:
    """Return the recorded and the target version, publishing the catalog's one if needed."""
    if st.is_local:
        publish.publish_template(template, st)
    return store.source(st, rec.template_id, rec.version), _target(st, rec, to)


def _repository(path: Path) -> _Repo:
    """Locate the git work tree of path and refuse anything but a clean one."""
    root = path.absolute()
    if not root.is_dir():
        raise UserError(f"{path}: no such folder; pass the path of a project created by paved new")
    top = git(["rev-parse", "--show-toplevel"], cwd=root)
    head = git(["rev-parse", "--verify", "--quiet", "HEAD"], cwd=root)
    if top.returncode != 0 or head.returncode != 0:
        raise UserError(
            f"{path}: not a git repository with a commit; paved update merges with git and "
            "rolls back with git: run `git init && git add -A && git commit -m 'Before update'`"
        )
    status = git_ok(["status", "--porcelain"], cwd=root, doing="reading git status").splitlines()
    check_killed_update(root, dirty=bool(status))
    if status:
        raise UserError(
            f"{path}: {len(status)} uncommitted change(s) (e.g. {status[0][3:]}); commit them "
            "(`git add -A && git commit`) or stash them (`git stash -u`) first, so the "
            "update can be reviewed and rolled back exactly"
        )
    top_path = Path(top.stdout.strip())
    rel = root.resolve().relative_to(top_path.resolve()).as_posix()
    return _Repo(root, top_path, rel, head.stdout.strip())


def _target(st: store.Store, rec: Recorded, to: str | None) -> Source:
    versions = store.published_versions(st, rec.template_id)
    chosen = to or store.latest(versions) or rec.version
    if store.version_key(chosen) < store.version_key(rec.version):
        raise UserError(
            f"--to {chosen}: the project is at {rec.template_id} {rec.version}; "
            "downgrades are not supported (roll back with git instead)"
        )
    return store.source(st, rec.template_id, chosen)


def _plan(
    template: Template, rec: Recorded, old: Source, new: Source, request: UpdateRequest
) -> _Plan:
    """Choose the migrations and resolve the new version's answers before touching anything."""
    steps = migrations.between(template.migrations, old.version, new.version)
    renamed = migrations.rename_answers(rec.answers, steps)
    with store.checkout(new) as folder:
        config = load_config(folder)
    names = {q.name for q in config.questions}
    given = {k: v for k, v in renamed.items() if k in names} | dict(request.data)
    try:
        answers = resolve_answers(config, given, request.prompt, request.on_invalid)
    except UserError as exc:
        raise UserError(f"updating to {new.template_id} {new.version}: {exc}") from None
    return _Plan(rec, old, new, steps, answers)


def _update_clone(repo: _Repo, plan: _Plan, scratch: Path) -> _Outcome:
    """Run copier's update and the migrations in a clone of HEAD; return the resulting patch."""
    clone = scratch / "clone"
    git_ok(["clone", "--quiet", "--no-checkout", str(repo.top), str(clone)], doing="cloning")
    git_ok(["checkout", "--quiet", "--detach", repo.head], cwd=clone, doing="checking out HEAD")
    project = clone / repo.rel
    _point_at_store(project, plan.old)
    listed = git_ok(["ls-files", "-z"], cwd=project, doing="listing files")
    tracked = frozenset(name for name in listed.split("\0") if name)
    keep = scratch / "yours"
    migrations.save_moved(project, tracked, plan.moved, keep)
    with copier_temp(scratch):
        _copier_update(project, plan)
    if plan.moved:
        render_source(plan.old, dict(plan.recorded.answers), scratch / "base")
        labels = (f"template {plan.old.version}", f"template {plan.new.version}")
        migrations.carry(
            project, keep, scratch / "base", plan.moved, labels=labels, tracked=tracked
        )
    record_template(project, plan.new.template_id, plan.new.version)
    outcome = _collect(clone, repo, scratch / "update.patch")
    render_source(plan.new, dict(plan.answers), scratch / "new")
    return replace(outcome, not_recreated=_not_recreated(project, scratch / "new"))


def _not_recreated(project: Path, fresh: Path) -> tuple[str, ...]:
    """Return the new version's files the project lacks: copier never recreates deleted ones."""
    wanted = (p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file())
    return tuple(sorted(rel for rel in wanted if not (project / rel).exists()))


def _point_at_store(project: Path, old: Source) -> None:
    """Record this machine's store in the clone, so copier finds the old version here.

    Also rewrites an answer like `created: 2026-02-30` as quoted text: copier's own reader
    would crash on a date that does not exist.
    """
    path = project / ANSWERS_FILE
    text = path.read_text(encoding="utf-8")
    data = safe_load(text)
    pointed = data.get("_src_path") == old.url and data.get("_commit") == old.tag
    if pointed and data == _strict_yaml(text):
        return
    data.update({"_src_path": old.url, "_commit": old.tag})
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    git_ok(["commit", "--quiet", "-am", "Point at the store"], cwd=project, doing="committing")


def _strict_yaml(text: str) -> Any:
    """Return text as yaml.safe_load reads it (None when it cannot: an impossible date)."""
    try:
        return yaml.safe_load(text)
    except ValueError:
        return None


def _copier_update(project: Path, plan: _Plan) -> None:
    from copier.errors import CopierError  # deferred: copier costs ~0.3 s to import
    from plumbum import ProcessExecutionError

    try:
        with warnings.catch_warnings(), time_limit():
            warnings.simplefilter("ignore")
            run_copier(
                "update",
                dst_path=project,
                vcs_ref=plan.new.tag,
                data=dict(plan.answers),
                defaults=True,
                overwrite=True,
                conflict="inline",
                unsafe=False,
                skip_tasks=True,
                quiet=True,
            )
    except (
        CopierError,
        TemplateError,
        ValueError,
        OSError,
        OverflowError,
        ProcessExecutionError,
    ) as exc:
        raise UserError(
            f"copier could not update {plan.new.template_id} {plan.old.version} -> "
            f"{plan.new.version}: {exc}; nothing was changed"
        ) from None


def _collect(clone: Path, repo: _Repo, patch: Path) -> _Outcome:
    """Stage everything in the clone and describe it against HEAD."""
    git_ok(["add", "--all"], cwd=clone, doing="staging the update")
    base = ["diff", "--cached", "--no-renames", repo.head]
    names = git_ok([*base, "--name-status", "-z"], cwd=clone, doing="listing changes")
    fields = names.split("\0")
    changes = tuple(
        _change(s, p, repo.rel) for s, p in zip(fields[::2], fields[1::2], strict=False)
    )
    git_ok([*base, "--binary", f"--output={patch}"], cwd=clone, doing="writing the patch")
    scoped = [p if repo.rel == "." else f"{repo.rel}/{p}" for p in PIPELINE_PATHS]
    pipeline = git_ok([*base, "--", *scoped], cwd=clone, doing="diffing the pipeline")
    pipeline = redact(pipeline)  # the summary is printed and may land in a CI log
    project = clone / repo.rel
    conflicts = tuple(c.path for c in changes if _conflicted(project, c))
    return _Outcome(patch, changes, conflicts, pipeline)


def _change(status: str, path: str, rel: str) -> Change:
    prefix = "" if rel == "." else rel + "/"
    return Change(status[:1], path.removeprefix(prefix))


def _conflicted(project: Path, change: Change) -> bool:
    if change.status == "D":
        return False
    if change.path.endswith(".rej"):
        return True
    if not (project / change.path).is_file():
        return False
    lines = (project / change.path).read_bytes().splitlines()
    return any(x.startswith(b"<<<<<<<") for x in lines) and any(
        x.startswith(b">>>>>>>") for x in lines
    )


@dataclass(frozen=True)
class _Before:
    result: GateResult | None
    error: str | None
    pol: Policy | None


def _before(root: Path, gate: Gate) -> _Before:
    """Gate the project as it is now; a failure here only leaves the summary incomplete."""
    try:
        pol: Policy | None = policy_file.load(root)
    except PavedError:
        pol = None
    try:
        return _Before(gate(root, STAGE, remember=False), None, pol)
    except PavedError as exc:
        return _Before(None, f"not available: {exc}", pol)


def _bring_in(repo: _Repo, patch: Path) -> None:
    if patch.stat().st_size == 0:
        return
    git_ok(
        ["apply", "--binary", "--whitespace=nowarn", str(patch)],
        cwd=repo.top,
        doing=f"bringing the update into {repo.root}",
        fix="nothing was changed; check that no other process is writing to the repository",
    )


def _policy_changes(before: Policy | None, root: Path) -> tuple[PolicyChange, ...]:
    """Compare the policy before and after; an unreadable one is itself a weaker gate."""
    if before is None:
        return ()
    try:
        after = policy_file.load(root)
    except PavedError as exc:
        return (PolicyChange(policy_file.POLICY_PATH, "valid", f"unreadable: {exc}", True),)
    return compare_policies(before, after)


def _verified(result: UpdateResult, gate: Gate) -> UpdateResult:
    """Gate the updated project; on an error say where the update is and how to undo it."""
    hint = f"the update is in {result.root}, not verified; roll back with `{ROLLBACK}`"
    try:
        after = gate(result.root, STAGE, remember=False)
    except ScannerError as exc:
        raise ScannerError(exc.scanner, f"{exc.reason}; {hint}") from None
    except PavedError as exc:
        raise UserError(f"{exc}; {hint}") from None
    return replace(result, after=after)
