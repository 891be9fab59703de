"""Which platform we run on, and its API client built from the CI's own variables.

GitHub: GITHUB_API_URL (default https://api.github.com), GITHUB_REPOSITORY, and
PAVED_GITHUB_TOKEN or GITHUB_TOKEN. GitLab: CI_API_V4_URL, CI_PROJECT_ID, and PAVED_GITLAB_TOKEN
or GITLAB_TOKEN (sent as PRIVATE-TOKEN) or CI_JOB_TOKEN (sent as JOB-TOKEN). Jira: JIRA_URL,
JIRA_USER, JIRA_TOKEN, JIRA_PROJECT. Tokens come only from the environment.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import quote

from pavedroad.deliver.http import ApiClient
from pavedroad.errors import UserError

PlatformName = Literal["github", "gitlab", "jira"]
PLATFORMS: tuple[PlatformName, ...] = get_args(PlatformName)
GITHUB_DEFAULT_API = "https://api.github.com"


@dataclass(frozen=True)
class Connection:
    """A platform's API client and the project it acts on."""

    platform: PlatformName
    client: ApiClient
    project: str  # GitHub "owner/name", GitLab project id or path, Jira project key

    @property
    def project_path(self) -> str:
        """Return the API path prefix of the project ("" for Jira, whose paths are global)."""
        if self.platform == "github":
            return f"/repos/{self.project}"
        if self.platform == "gitlab":
            return f"/projects/{quote(self.project, safe='')}"
        return ""


def detect(env: Mapping[str, str] | None = None) -> PlatformName:
    """Return the CI platform this runs on; UserError if neither GitHub nor GitLab is seen."""
    env = os.environ if env is None else env
    if env.get("GITHUB_ACTIONS") == "true" or env.get("GITHUB_REPOSITORY"):
        return "github"
    if env.get("GITLAB_CI") == "true" or env.get("CI_API_V4_URL"):
        return "gitlab"
    raise UserError(
        "cannot tell the platform: neither GITHUB_REPOSITORY nor CI_API_V4_URL is set; "
        "pass --platform github|gitlab|jira"
    )


def parse_platform(value: str | None) -> PlatformName | None:
    """Check a --platform value; None means detect it."""
    if value is None:
        return None
    for name in PLATFORMS:
        if value == name:
            return name
    raise UserError(f"--platform {value!r}: unknown platform; use one of {', '.join(PLATFORMS)}")


def connect(
    platform: PlatformName | None = None,
    env: Mapping[str, str] | None = None,
    **client_options: Any,
) -> Connection:
    """Build the API client for a platform (detected when None) from the environment."""
    env = os.environ if env is None else env
    name = platform or detect(env)
    if name == "github":
        return _github(env, client_options)
    if name == "gitlab":
        return _gitlab(env, client_options)
    return _jira(env, client_options)


def _github(env: Mapping[str, str], options: dict[str, Any]) -> Connection:
    repository = _required(env, "GITHUB_REPOSITORY", "owner/name of the repository")
    if repository.count("/") != 1 or "" in repository.split("/"):
        raise UserError(f"GITHUB_REPOSITORY {repository!r}: not owner/name; set it to owner/name")
    token = _token(env, ("PAVED_GITHUB_TOKEN", "GITHUB_TOKEN"))
    base = env.get("GITHUB_API_URL") or GITHUB_DEFAULT_API
    client = ApiClient(base, token, scheme="github", **options)
    return Connection("github", client, repository)


def _gitlab(env: Mapping[str, str], options: dict[str, Any]) -> Connection:
    base = _required(env, "CI_API_V4_URL", "the GitLab API URL, e.g. https://gitlab.com/api/v4")
    project = _required(env, "CI_PROJECT_ID", "the project's id or full path")
    private = env.get("PAVED_GITLAB_TOKEN") or env.get("GITLAB_TOKEN")
    if private:
        client = ApiClient(base, private, scheme="gitlab", **options)
    else:
        job = _token(env, ("PAVED_GITLAB_TOKEN", "GITLAB_TOKEN", "CI_JOB_TOKEN"))
        client = ApiClient(base, job, scheme="gitlab", gitlab_header="JOB-TOKEN", **options)
    return Connection("gitlab", client, project)


def _jira(env: Mapping[str, str], options: dict[str, Any]) -> Connection:
    base = _required(env, "JIRA_URL", "the Jira site, e.g. https://example.atlassian.net")
    project = _required(env, "JIRA_PROJECT", "the Jira project key, e.g. SEC")
    token = _token(env, ("JIRA_TOKEN",))
    user = env.get("JIRA_USER") or None  # no user: a Data Center personal access token
    client = ApiClient(base, token, scheme="jira", user=user, **options)
    return Connection("jira", client, project)


def _required(env: Mapping[str, str], name: str, what: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise UserError(f"{name} is not set; export {name} ({what})")
    return value


def _token(env: Mapping[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        if env.get(name, "").strip():
            return env[name].strip()
    raise UserError(f"no API token: set {' or '.join(names)} in the environment")


def pull_request_number(env: Mapping[str, str] | None = None) -> int | None:
    """Return the PR / MR number of this CI run: CI_MERGE_REQUEST_IID or the event payload."""
    env = os.environ if env is None else env
    iid = env.get("CI_MERGE_REQUEST_IID", "").strip()
    if iid.isdigit():
        return int(iid)
    event_path = env.get("GITHUB_EVENT_PATH", "").strip()
    if not event_path:
        return None
    try:
        payload = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return _event_number(payload)


def _event_number(payload: Any) -> int | None:
    """Find the PR number in pull_request, workflow_run (two-workflow pattern) or issue events."""
    if not isinstance(payload, dict):
        return None
    candidates: list[Any] = [payload.get("pull_request"), payload.get("issue")]
    run = payload.get("workflow_run")
    if isinstance(run, dict) and isinstance(run.get("pull_requests"), list):
        candidates.extend(run["pull_requests"][:1])
    for candidate in candidates:
        if isinstance(candidate, dict) and isinstance(candidate.get("number"), int):
            return int(candidate["number"])
    number = payload.get("number")
    return number if isinstance(number, int) else None
