"""Publish catalog templates into the store: one git repository each, one tag per version."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

from pavedroad.catalog import Catalog, Template
from pavedroad.errors import UserError
from pavedroad.questions import load_config
from pavedroad.store import (
    Source,
    Store,
    git,
    git_ok,
    source,
    tag_for,
    version_key,
    versions_of_tags,
)

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


def publish_catalog(catalog: Catalog, store: Store) -> tuple[Published, ...]:
    """Validate every template first, then publish each one; nothing is written on bad input."""
    for template in catalog.templates:
        load_config(template.directory)
        version_key(template.version)
    return tuple(publish_template(t, store) for t in catalog.templates)


def ensure_published(template: Template, store: Store) -> Source:
    """Return the store's source of the catalog version, publishing it first to a local store."""
    if store.is_local:
        publish_template(template, store)
    return source(store, template.id, template.version)


def publish_template(template: Template, store: Store) -> Published:
    """Publish one template version; a no-op when the same files are already published."""
    version_key(template.version)
    repo = _target(store, template.id)
    tag = tag_for(template.version)
    with tempfile.TemporaryDirectory(prefix="paved-publish-") as scratch:
        work = Path(scratch) / "work.git"
        git_ok(["init", "--quiet", "--bare", str(work)], doing="preparing to publish")
        _fetch(work, repo)
        tree = _tree(work, template.directory, Path(scratch) / "index")
        published_tree = _rev(work, f"refs/tags/{tag}^{{tree}}")
        if published_tree is not None:
            _check_same(template, repo, tree, published_tree)
            return Published(template.id, template.version, tag, repo, created=False)
        commit = _commit(work, tree, template)
        _push(work, repo, commit, tag, newest=_is_newest(template, work))
    return Published(template.id, template.version, tag, repo, created=True)


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
