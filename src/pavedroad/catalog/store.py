"""The catalog store: one git repository per template, one tag per published version.

A store is a local folder (`<folder>/<template-id>.git`, bare repositories) or a git URL
(`<url>/<template-id>.git`). Tags read `v<version>`; copier sorts them by PEP 440.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from packaging.version import InvalidVersion, Version

from pavedroad import proc
from pavedroad.errors import ToolError, UserError
from pavedroad.proc import Completed

STORE_ENV = "PAVED_STORE"
TAG_PREFIX = "v"
# Publishing must be reproducible: the same template files give the same commit everywhere.
IDENTITY = {
    "GIT_AUTHOR_NAME": "Paved Road",
    "GIT_AUTHOR_EMAIL": "pavedroad@localhost",
    "GIT_COMMITTER_NAME": "Paved Road",
    "GIT_COMMITTER_EMAIL": "pavedroad@localhost",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00+0000",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00+0000",
}
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^[^/\s]+@[^/\s]+:")


def git(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
) -> Completed:
    """Run git with the publishing identity; UserError naming git when git cannot run."""
    try:
        return proc.git(args, cwd=cwd, env={**IDENTITY, **(env or {})}, stdin=stdin)
    except ToolError as exc:  # git is a prerequisite, not a scanner: a set-up error (exit 2)
        reason = f"git could not run ({exc.reason}); install git and put it on PATH"
        raise UserError(reason) from None


def git_ok(
    args: Sequence[str], *, cwd: Path | None = None, doing: str, fix: str = "report this bug"
) -> str:
    """Run git and return its stdout; raise UserError saying what failed and how to fix it."""
    done = git(args, cwd=cwd)
    if done.returncode != 0:
        detail = (done.stderr.strip() or done.stdout.strip()).splitlines()
        last = detail[-1] if detail else f"git exited with {done.returncode}"
        raise UserError(f"{doing} failed: {last}; {fix}")
    return done.stdout


@dataclass(frozen=True)
class Store:
    """Where published templates live: a local folder or a git URL."""

    location: str

    @property
    def is_local(self) -> bool:
        """Return True for a folder on this machine (published into lazily)."""
        return not _URL.match(self.location)

    def repo(self, template_id: str) -> str:
        """Return the git location of one template's repository."""
        return f"{self.location.rstrip('/')}/{template_id}.git"


@dataclass(frozen=True)
class Source:
    """One published template version: what copier renders from and records."""

    template_id: str
    version: str
    url: str

    @property
    def tag(self) -> str:
        """Return the git tag of this version."""
        return tag_for(self.version)


def default_location() -> Path:
    """Return the local store used when none is configured."""
    return Path(platformdirs.user_data_dir("pavedroad")) / "store"


def resolve(option: str | None = None) -> Store:
    """Pick the store: the option, then $PAVED_STORE, then the per-user folder."""
    chosen = option or os.environ.get(STORE_ENV) or str(default_location())
    if _URL.match(chosen):
        return Store(chosen)
    return Store(str(Path(chosen).expanduser().absolute()))


def tag_for(version: str) -> str:
    """Return the tag of a version (`v1.2.0`)."""
    return f"{TAG_PREFIX}{version}"


def version_key(version: str) -> Version:
    """Return the PEP 440 ordering key copier uses for tags; raise UserError when it has none."""
    try:
        return Version(version)
    except InvalidVersion:
        raise UserError(
            f"version {version!r} cannot be ordered by copier (PEP 440); "
            "use MAJOR.MINOR.PATCH with an optional pre-release such as 1.2.0-rc.1"
        ) from None


def published_versions(store: Store, template_id: str) -> tuple[str, ...]:
    """Return the versions published for a template, oldest first (none when absent)."""
    repo = store.repo(template_id)
    if store.is_local and not Path(repo).is_dir():
        return ()
    out = git_ok(
        ["ls-remote", "--tags", "--refs", repo],
        doing=f"reading the store {repo}",
        fix=f"check that the store is reachable and holds {template_id}.git "
        f"(set ${STORE_ENV} or pass --to), or publish the catalog to it",
    )
    return versions_of_tags(line.partition("\t")[2] for line in out.splitlines())


def versions_of_tags(refs: Iterable[str]) -> tuple[str, ...]:
    """Return the versions named by `v<version>` tags (or refs/tags/...), oldest first."""
    found = []
    for ref in refs:
        name = ref.strip().removeprefix("refs/tags/")
        version = name.removeprefix(TAG_PREFIX)
        if name.startswith(TAG_PREFIX) and _parses(version):
            found.append(version)
    return tuple(sorted(found, key=Version))


def _parses(version: str) -> bool:
    try:
        Version(version)
    except InvalidVersion:
        return False
    return True


def latest(versions: Sequence[str]) -> str | None:
    """Return the newest release (pre-releases only when nothing else is published)."""
    releases = [v for v in versions if not Version(v).is_prerelease] or list(versions)
    return max(releases, key=Version) if releases else None


def source(store: Store, template_id: str, version: str) -> Source:
    """Return the published source of a version, or raise UserError naming the fix."""
    versions = published_versions(store, template_id)
    if not versions:
        raise UserError(
            f"{template_id} {version}: the store {store.location} has no repository "
            f"{template_id}.git with a published version; publish the catalog into it with "
            f"`paved catalog publish --to {store.location}`, or set ${STORE_ENV} to the store "
            "the project was created from"
        )
    if version not in versions:
        shown = ", ".join(versions)
        raise UserError(
            f"{template_id} {version} is not in the store {store.location} (published: {shown}); "
            f"publish it with `paved catalog publish` from a catalog at that version, "
            f"or set ${STORE_ENV} to the store it was published to"
        )
    return Source(template_id, version, store.repo(template_id))


@contextmanager
def checkout(src: Source) -> Iterator[Path]:
    """Yield a temporary folder holding the template files of one published version."""
    scratch = Path(tempfile.mkdtemp(prefix="paved-template-"))
    try:
        folder = scratch / src.template_id
        git_ok(
            ["clone", "--quiet", "--depth", "1", "--branch", src.tag, src.url, str(folder)],
            doing=f"fetching {src.template_id} {src.version} from {src.url}",
            fix="check that the store is reachable",
        )
        yield folder
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
