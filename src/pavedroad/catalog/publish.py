"""Publish catalog templates into the store: one git repository each, one tag per version.

`paved catalog publish` validates every template version it is about to publish (the checks of
`paved catalog validate`) and publishes nothing when one fails. The automatic publish of
`paved new`, `update` and `drift` into a folder store does not: see ensure_published.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

from pavedroad.catalog.model import Catalog, Template
from pavedroad.catalog.questions import load_config
from pavedroad.catalog.store import (
    Source,
    Store,
    git,
    git_ok,
    source,
    tag_for,
    version_key,
    versions_of_tags,
)
from pavedroad.errors import GateFailedError, UserError
from pavedroad.progress import Progress, Step, silent

BRANCH = "main"
# Never published: caches a template folder picks up while it is being worked on.
_EXCLUDE = (":(exclude,glob)**/__pycache__/**", ":(exclude,glob)**/*.pyc")


@dataclass(frozen=True)
class Published:
    """The outcome of publishing one template version."""

    template_id: str
    version: str
    tag: str
    repo: str
    created: bool


def publish_catalog(
    catalog: Catalog, store: Store, progress: Progress = silent
) -> tuple[Published, ...]:
    """Check and validate every template to publish, then publish each; nothing on a failure."""
    for template in catalog.templates:
        load_config(template.directory)
        version_key(template.version)
    progress(Step(f"comparing the catalog with {store.location}"))
    pending = [t for t in catalog.templates if not _already_published(t, store)]
    _require_valid(catalog, pending, progress)
    done: list[Published] = []
    for template in catalog.templates:
        done.append(published := publish_template(template, store))
        what = f"{'published' if published.created else 'unchanged'} {template.id}"
        progress(Step(what, done=len(done), total=len(catalog.templates)))
    return tuple(done)


def _require_valid(
    catalog: Catalog, templates: list[Template], progress: Progress = silent
) -> None:
    """Raise GateFailedError naming every failing scenario unless all of them pass."""
    if not templates:
        return
    from pavedroad.catalog import (
        validate as catalog_validate,  # deferred: it loads the renderer and the scanners
    )

    results = catalog_validate.validate(catalog, [t.id for t in templates], progress=progress)
    if not all(r.ok for r in results):
        raise GateFailedError(
            "nothing was published: a template to publish fails the checks of "
            "`paved catalog validate` (zero findings at the release gate, schemas, zizmor); "
            "fix it and publish again\n" + catalog_validate.render_text(results)
        )


def ensure_published(template: Template, store: Store) -> Source:
    """Return the store's source of the catalog version, publishing it first to a local store.

    No validation here: a folder store is this machine's copy of the catalog, not a release,
    and `paved new` and `paved update` gate the render they make from it. Validating every
    scenario would add most of a minute to a first `paved new`.
    """
    if store.is_local:
        publish_template(template, store)
    return source(store, template.id, template.version)


def publish_template(template: Template, store: Store) -> Published:
    """Publish one template version, unvalidated; a no-op when the same files are published."""
    version_key(template.version)
    repo = _target(store, template.id)
    tag = tag_for(template.version)
    with tempfile.TemporaryDirectory(prefix="paved-publish-") as scratch:
        work, tree, published_tree = _stage(template, repo, Path(scratch))
        if published_tree is not None:
            return Published(template.id, template.version, tag, repo, created=False)
        commit = _commit(work, tree, template)
        _push(work, repo, commit, tag, newest=_is_newest(template, work))
    return Published(template.id, template.version, tag, repo, created=True)


def _already_published(template: Template, store: Store) -> bool:
    """Return True when this version is in the store with the same files (refuse other files)."""
    repo = store.repo(template.id)
    if store.is_local and not Path(repo).is_dir():
        return False  # never create a repository before validation has passed
    with tempfile.TemporaryDirectory(prefix="paved-publish-") as scratch:
        return _stage(template, repo, Path(scratch))[2] is not None


def _stage(template: Template, repo: str, scratch: Path) -> tuple[Path, str, str | None]:
    """Fetch repo into scratch; return the work repo, the template's tree and the published one."""
    work = scratch / "work.git"
    git_ok(["init", "--quiet", "--bare", str(work)], doing="preparing to publish")
    _fetch(work, repo)
    tree = _tree(work, template.directory, scratch / "index")
    published_tree = _rev(work, f"refs/tags/{tag_for(template.version)}^{{tree}}")
    if published_tree is not None:
        _check_same(template, repo, tree, published_tree)
    return work, tree, published_tree


def _target(store: Store, template_id: str) -> str:
    """Return the template's repository, creating an empty one in a local store."""
    repo = store.repo(template_id)
    if store.is_local and not Path(repo).is_dir():
        folder = Path(repo)
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{template_id}.", dir=folder.parent))
        git_ok(
            ["init", "--quiet", "--bare", str(staging)],
            doing=f"creating {repo}",
            fix=f"check that {folder.parent} is writable",
        )
        try:
            staging.replace(folder)
        except OSError:  # another publisher created it first; use theirs
            shutil.rmtree(staging, ignore_errors=True)
    return repo


def _fetch(work: Path, repo: str) -> None:
    git_ok(
        ["--git-dir", str(work), "fetch", "--quiet", "--no-tags", repo]
        + ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"],
        doing=f"reading the store repository {repo}",
        fix="check the URL and that the repository exists and is reachable "
        "(create an empty repository there for a new template)",
    )


def _tree(work: Path, directory: Path, index: Path) -> str:
    """Hash the template folder into a git tree without copying it."""
    where = ["--git-dir", str(work), "--work-tree", str(directory)]
    env = {"GIT_INDEX_FILE": str(index)}
    for args in (["add", "--all", "--force", "--", ".", *_EXCLUDE], ["write-tree"]):
        done = git([*where, *args], env=env)
        if done.returncode != 0:
            raise UserError(
                f"{directory}: cannot read the template files: {done.stderr.strip()}; "
                "check the folder's permissions"
            )
    return done.stdout.strip()


def _rev(work: Path, ref: str) -> str | None:
    done = git(["--git-dir", str(work), "rev-parse", "--verify", "--quiet", ref])
    return done.stdout.strip() if done.returncode == 0 else None


def _check_same(template: Template, repo: str, tree: str, published: str) -> None:
    if tree != published:
        raise UserError(
            f"{template.directory}: the files of {template.id} changed but its version "
            f"{template.version} is already published in {repo} with other files; "
            f"bump `version` of {template.id} in catalog.yaml (published versions never change)"
        )


def _is_newest(template: Template, work: Path) -> bool:
    """Return True unless a newer version is published (a fix to an older major, say)."""
    refs = git_ok(["--git-dir", str(work), "tag", "--list"], doing="listing tags")
    mine = version_key(template.version)
    return all(Version(v) < mine for v in versions_of_tags(refs.splitlines()))


def _commit(work: Path, tree: str, template: Template) -> str:
    parent = _rev(work, f"refs/heads/{BRANCH}")
    args = ["--git-dir", str(work), "commit-tree", tree, "-m", f"{template.id} {template.version}"]
    if parent is not None:
        args += ["-p", parent]
    return git_ok(args, doing=f"committing {template.id}").strip()


def _push(work: Path, repo: str, commit: str, tag: str, *, newest: bool) -> None:
    """Push the tag, and move the branch only for the newest version (it names the latest)."""
    branch = [f"{commit}:refs/heads/{BRANCH}"] if newest else []
    git_ok(
        ["--git-dir", str(work), "push", "--quiet", "--atomic", repo]
        + [*branch, f"{commit}:refs/tags/{tag}"],
        doing=f"publishing {tag} to {repo}",
        fix="check that you may push there; if someone published at the same time, run again",
    )
