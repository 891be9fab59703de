"""`paved update`: copier's three-way update, made in a scratch clone and brought in whole.

The repository must be clean, so `git reset --hard HEAD && git clean -fd` undoes an update
exactly. copier runs in a temporary clone of HEAD, once per template the repository carries
(each records its own answers file); only when every one succeeded is the result applied to
the working tree, as one `git apply` that changes everything or nothing.
"""

from __future__ import annotations

import functools
import tempfile
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from jinja2 import TemplateError

from pavedroad.catalog import publish, store
from pavedroad.catalog import scratch as scratch_mod
from pavedroad.catalog.jinja_guard import run_copier, time_limit
from pavedroad.catalog.model import Catalog, Migration, Template
from pavedroad.catalog.model import load as load_catalog
from pavedroad.catalog.questions import TemplateConfig, load_config, resolve_answers
from pavedroad.catalog.render import Recorded, record_template, render_source
from pavedroad.catalog.scratch import copier_temp
from pavedroad.catalog.store import Source, git, git_ok
from pavedroad.errors import UserError
from pavedroad.gate.result import GateResult
from pavedroad.gate.run import gate_repository
from pavedroad.progress import Progress, Step, silent
from pavedroad.project import answers as answers_mod
from pavedroad.project import migrations, update_guard
from pavedroad.project.answers import Carried
from pavedroad.project.migrations import Moves
from pavedroad.project.update_guard import after_apply, check_killed_update, unverified
from pavedroad.project.update_result import (
    Change,
    TemplateUpdate,
    UpdateRequest,
    UpdateResult,
)
from pavedroad.scan.redact import redact

__all__ = ["Change", "TemplateUpdate", "UpdateRequest", "UpdateResult", "update"]

STAGE = "release"
ROLLBACK = update_guard.ROLLBACK
PIPELINE_PATHS = (".github/workflows", ".gitlab-ci.yml")
Gate = Callable[..., GateResult]


@dataclass(frozen=True)
class _Repo:
    root: Path  # the project (where the answers files are)
    top: Path  # the git work tree holding it
    rel: str  # root relative to top ("." when the same)
    head: str


@dataclass(frozen=True)
class _Plan:
    template: Template
    answers_file: str
    recorded: Recorded
    old: Source
    new: Source
    migrations: tuple[Migration, ...]
    answers: Mapping[str, Any]

    @property
    def moved(self) -> Moves:
        return migrations.moves(self.migrations)

    def summary(self, not_recreated: tuple[str, ...] = ()) -> TemplateUpdate:
        return TemplateUpdate(
            self.template.id,
            self.old.version,
            self.new.version,
            self.answers_file,
            migrations.describe(self.migrations),
            not_recreated,
            self.template.guarded,
        )


@dataclass(frozen=True)
class _Outcome:
    patch: Path
    changes: tuple[Change, ...]
    conflicts: tuple[str, ...]
    pipeline_diff: str
    not_recreated: tuple[tuple[str, ...], ...] = ()  # per plan, in plan order


def update(
    request: UpdateRequest, gate: Gate | None = None, progress: Progress = silent
) -> UpdateResult:
    """Update a project's templates (all, or request.template) to their latest versions."""
    gate = _reporting(gate or functools.partial(gate_repository, progress=progress), progress)
    repo = _repository(request.path)
    plans, current = _plans(repo.root, request)  # prompts, if any, come before progress
    if not plans:
        return UpdateResult(repo.root, current=current)
    what = "; ".join(p.summary().label for p in plans)
    progress(Step(f"updating {what} with copier"))
    with after_apply(repo.root, what):
        return _apply(repo, plans, gate, current)


def _reporting(gate: Gate, progress: Progress) -> Gate:
    """Return the gate, saying when it starts (it runs before and after the update)."""

    def run(root: Path, stage: str, **options: Any) -> GateResult:
        progress(Step(f"running the {stage} gate on {root}"))
        return gate(root, stage, **options)

    return run


def _plans(
    root: Path, request: UpdateRequest
) -> tuple[tuple[_Plan, ...], tuple[TemplateUpdate, ...]]:
    """Plan each chosen template's update; return the plans and the templates up to date."""
    chosen = answers_mod.select(root, request.template)
    if request.to and len(chosen) > 1:
        ids = ", ".join(c.template_id for c in chosen)
        raise UserError(
            f"--to {request.to}: {root} carries several templates ({ids}); "
            "pass --template ID to say which one goes to that version"
        )
    cat, st = load_catalog(request.catalog), store.resolve(request.store)
    plans, current, asked = [], [], set()
    for carried in chosen:
        template = _template(cat, carried)
        old, new = _versions(template, carried.recorded, st, request.to)
        config = _config(new)
        names = {q.name for q in config.questions}
        asked |= {q.name for q in config.questions if q.when is not False}
        data = {k: v for k, v in request.data.items() if len(chosen) == 1 or k in names}
        plan = _plan(template, carried, (old, new), config, data, request)
        if plan is None:
            current.append(TemplateUpdate(template.id, old.version, new.version))
        else:
            plans.append(plan)
    _check_asked(request.data, asked, chosen)
    return tuple(plans), tuple(current)


def _check_asked(data: Mapping[str, Any], asked: set[str], chosen: tuple[Carried, ...]) -> None:
    """Refuse --data that no chosen template asks (one template: resolve_answers says so)."""
    unknown = sorted(set(data) - asked)
    if unknown and len(chosen) > 1:
        ids = ", ".join(c.template_id for c in chosen)
        raise UserError(
            f"--data {unknown[0]}: none of the templates ({ids}) asks it; "
            f"they ask: {', '.join(sorted(asked))}"
        )


def _apply(
    repo: _Repo, plans: tuple[_Plan, ...], gate: Gate, current: tuple[TemplateUpdate, ...]
) -> UpdateResult:
    """Make the update in a scratch clone, bring it into the work tree, then verify it."""
    what = "; ".join(p.summary().label for p in plans)
    # Marked from here on: a run killed before the apply leaves a clean tree, which the next
    # run takes as "nothing happened"; killed after it, the next run says what is in the tree.
    with (
        unverified(repo.root, what),
        scratch_mod.scratch(Path(tempfile.gettempdir()), "paved-update-") as folder,
    ):
        outcome = _update_clone(repo, plans, folder)
        before = update_guard.gated_before(repo.root, gate, STAGE)
        _bring_in(repo, outcome.patch)
        result = UpdateResult(
            repo.root,
            tuple(p.summary(gone) for p, gone in zip(plans, outcome.not_recreated, strict=True)),
            current,
            changes=outcome.changes,
            conflicts=outcome.conflicts,
            before=before.result,
            before_error=before.error,
            policy_changes=update_guard.policy_changes(before.pol, repo.root),
            pipeline_diff=outcome.pipeline_diff,
        )
        return result if outcome.conflicts else update_guard.verified(result, gate, STAGE)


def _template(cat: Catalog, carried: Carried) -> Template:
    rec = carried.recorded
    if rec.template_id not in cat.ids:
        raise UserError(
            f"{carried.answers_file} records template {rec.template_id!r}, which this catalog "
            f"lacks (it has: {', '.join(cat.ids)}); pass --catalog (or set $PAVED_CATALOG) to "
            "the catalog the project came from"
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


def _config(new: Source) -> TemplateConfig:
    """Return the questions of the version to update to."""
    with store.checkout(new) as folder:
        return load_config(folder)


def _plan(
    template: Template,
    carried: Carried,
    versions: tuple[Source, Source],
    config: TemplateConfig,
    data: Mapping[str, Any],
    request: UpdateRequest,
) -> _Plan | None:
    """Choose the migrations and resolve the answers before touching anything.

    None when there is nothing to do: the latest version already, and no answer changes.
    """
    old, new = versions
    if old.version == new.version and not data:
        return None
    steps = migrations.between(template.migrations, old.version, new.version)
    renamed = migrations.rename_answers(carried.recorded.answers, steps)
    names = {q.name for q in config.questions}
    kept = {k: v for k, v in renamed.items() if k in names}
    try:
        answers = resolve_answers(config, kept | dict(data), request.prompt, request.on_invalid)
    except UserError as exc:
        raise UserError(f"updating to {new.template_id} {new.version}: {exc}") from None
    if old.version == new.version and all(answers.get(k) == kept.get(k) for k in data):
        return None  # the same answers at the same version: copier would change nothing
    return _Plan(template, carried.answers_file, carried.recorded, old, new, steps, answers)


def _update_clone(repo: _Repo, plans: tuple[_Plan, ...], scratch: Path) -> _Outcome:
    """Run copier's update and the migrations in a clone of HEAD; return the resulting patch."""
    clone = scratch / "clone"
    git_ok(["clone", "--quiet", "--no-checkout", str(repo.top), str(clone)], doing="cloning")
    git_ok(["checkout", "--quiet", "--detach", repo.head], cwd=clone, doing="checking out HEAD")
    project = clone / repo.rel
    for number, plan in enumerate(plans):
        work = scratch / f"template-{number}"
        work.mkdir()
        _update_one(project, plan, work)
        # copier refuses a dirty repository: the next template starts from this one's result.
        git_ok(["add", "--all"], cwd=clone, doing="staging the update")
        commit = ["commit", "--quiet", "--no-verify", "--allow-empty", "-m", plan.template.id]
        git_ok(commit, cwd=clone, doing="committing in the scratch clone")
    outcome = _collect(clone, repo, scratch / "update.patch")
    gone = []
    for number, plan in enumerate(plans):
        fresh = scratch / f"template-{number}" / "new"
        render_source(plan.new, dict(plan.answers), fresh, plan.answers_file)
        gone.append(_not_recreated(project, fresh))
    return replace(outcome, not_recreated=tuple(gone))


def _update_one(project: Path, plan: _Plan, work: Path) -> None:
    """Update one template in the clone: copier's merge, the migrations, the recorded version."""
    answers_mod.point_at_store(project, plan.answers_file, plan.old)
    listed = git_ok(["ls-files", "-z"], cwd=project, doing="listing files")
    tracked = frozenset(name for name in listed.split("\0") if name)
    keep = work / "yours"
    migrations.save_moved(project, tracked, plan.moved, keep)
    with copier_temp(work):
        _copier_update(project, plan)
    if plan.moved:
        base = work / "base"
        render_source(plan.old, dict(plan.recorded.answers), base, plan.answers_file)
        labels = (f"template {plan.old.version}", f"template {plan.new.version}")
        migrations.carry(project, keep, base, plan.moved, labels=labels, tracked=tracked)
    record_template(project, plan.new.template_id, plan.new.version, plan.answers_file)


def _not_recreated(project: Path, fresh: Path) -> tuple[str, ...]:
    """Return the new version's files the project lacks: copier never recreates deleted ones."""
    wanted = (p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file())
    return tuple(sorted(rel for rel in wanted if not (project / rel).exists()))


def _copier_update(project: Path, plan: _Plan) -> None:
    from copier.errors import CopierError  # deferred: copier costs ~0.3 s to import
    from plumbum import ProcessExecutionError

    try:
        with warnings.catch_warnings(), time_limit():
            warnings.simplefilter("ignore")
            run_copier(
                "update",
                dst_path=project,
                answers_file=plan.answers_file,
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


def _bring_in(repo: _Repo, patch: Path) -> None:
    if patch.stat().st_size == 0:
        return
    git_ok(
        ["apply", "--binary", "--whitespace=nowarn", str(patch)],
        cwd=repo.top,
        doing=f"bringing the update into {repo.root}",
        fix="nothing was changed; check that no other process is writing to the repository",
    )
