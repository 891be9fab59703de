"""Make a gate result a record: when it started, how long it took, where and in which CI run.

Repository, commit and ref come from the CI's own variables (GitHub Actions, GitLab CI), else
from the repository's git metadata; the pipeline is None outside CI. Nothing here fails a gate:
a value that cannot be found is None.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from pavedroad import __version__, proc
from pavedroad.errors import ToolError
from pavedroad.gate.result import Pipeline, RunRecord
from pavedroad.scanners.tool_info import installed_version

_PR_REF = re.compile(r"^refs/pull/(\d+)/")
_REMOTE = re.compile(r"(?:[:/])([^/:]+/[^/]+?)(?:\.git)?/?$")


def build(
    root: Path,
    *,
    started: dt.datetime,
    duration_s: float,
    scanners: Iterable[str],
    durations: Mapping[str, float],
    full: bool,
    env: Mapping[str, str] | None = None,
) -> RunRecord:
    """Return the record of a gate run over root that started at `started` (UTC)."""
    env = os.environ if env is None else env
    where = _from_ci(env) or _from_git(root)
    names = tuple(scanners)
    return RunRecord(
        started_at=iso(started),
        duration_s=round(duration_s, 3),
        repository=where[0],
        commit=where[1],
        ref=where[2],
        pipeline=pipeline(env),
        tool_versions=tool_versions(names),
        durations=tuple((n, round(durations.get(n, 0.0), 3)) for n in names),
        scope="full" if full else "changed",
    )


def iso(moment: dt.datetime) -> str:
    """Return a UTC instant as ISO 8601 with whole seconds and a Z."""
    utc = moment.astimezone(dt.UTC).replace(microsecond=0, tzinfo=None)
    return f"{utc.isoformat()}Z"


def tool_versions(scanners: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """Return Paved Road's version and each scanner's installed version, sorted by name."""
    found = {"pavedroad": __version__}
    for name in scanners:
        found[name] = installed_version(name) or "unknown"
    return tuple(sorted(found.items()))


def pipeline(env: Mapping[str, str]) -> Pipeline | None:
    """Return the CI run from GitHub Actions' or GitLab CI's variables, None outside CI."""
    if env.get("GITHUB_ACTIONS") == "true" and env.get("GITHUB_RUN_ID"):
        pr = _PR_REF.match(env.get("GITHUB_REF", ""))
        return Pipeline(
            provider="github",
            run_id=env["GITHUB_RUN_ID"],
            event=env.get("GITHUB_EVENT_NAME", ""),
            pull_request=int(pr.group(1)) if pr else None,
        )
    if env.get("GITLAB_CI") == "true" and env.get("CI_PIPELINE_ID"):
        iid = env.get("CI_MERGE_REQUEST_IID", "")
        return Pipeline(
            provider="gitlab",
            run_id=env["CI_PIPELINE_ID"],
            event=env.get("CI_PIPELINE_SOURCE", ""),
            pull_request=int(iid) if iid.isdigit() else None,
        )
    return None


def _from_ci(env: Mapping[str, str]) -> tuple[str | None, str | None, str | None] | None:
    """Return (repository, commit, branch) from the CI's variables, None outside CI."""
    if env.get("GITHUB_ACTIONS") == "true":
        branch = env.get("GITHUB_HEAD_REF") or env.get("GITHUB_REF_NAME")
        return env.get("GITHUB_REPOSITORY"), env.get("GITHUB_SHA"), branch or None
    if env.get("GITLAB_CI") == "true":
        branch = env.get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME") or env.get("CI_COMMIT_REF_NAME")
        return env.get("CI_PROJECT_PATH"), env.get("CI_COMMIT_SHA"), branch or None
    return None


def _from_git(root: Path) -> tuple[str | None, str | None, str | None]:
    """Return (repository, commit, branch) from git: origin's owner/name, else the folder name."""
    remote = _git(root, "remote", "get-url", "origin")
    found = _REMOTE.search(remote) if remote else None
    repository = found.group(1) if found else root.resolve().name
    return (
        repository,
        _git(root, "rev-parse", "--verify", "-q", "HEAD"),
        _git(root, "symbolic-ref", "--short", "-q", "HEAD"),
    )


def _git(root: Path, *args: str) -> str | None:
    """Return git's one-line answer, or None when git fails (not a repository, no commit)."""
    try:
        done = proc.git(args, cwd=root, timeout=30.0)
    except ToolError:
        return None
    answer = done.stdout.strip()
    return answer if done.returncode == 0 and answer else None
