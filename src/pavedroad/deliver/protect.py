"""`paved protect`: make the platform require the gate before a merge.

GitHub: one repository ruleset on the default branch that requires the gate job's status check
("paved gate") and code scanning results from every Paved Road scanner, blocking a merge on
new alerts at the policy's block threshold (GitHub's `code_scanning` rule). GitLab: the
default branch is protected (no direct pushes, no force pushes) and a merge request merges
only when its pipeline succeeded. `--print` shows what `--apply` sends; `--apply` creates the
ruleset or updates the one of the same name, through the one HTTP client.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, assert_never
from urllib.parse import quote

from pavedroad.deliver.http import ApiError
from pavedroad.deliver.platform import Connection, PlatformName, connect
from pavedroad.errors import UserError
from pavedroad.findings import Severity
from pavedroad.policy import file as policy_file
from pavedroad.scanners import SCANNERS

RULESET_NAME = "Paved Road gate"
GATE_CHECK = "paved gate"  # the gate job's name in the templates' paved-gate workflow
DEFAULT_BRANCH = "~DEFAULT_BRANCH"
ProtectPlatform = Literal["github", "gitlab"]
# How --print names the project: `--apply` uses GITHUB_REPOSITORY or CI_PROJECT_ID.
PROJECT_PLACEHOLDER: dict[ProtectPlatform, str] = {
    "github": "/repos/OWNER/NAME",
    "gitlab": "/projects/ID",
}
Json = dict[str, Any]


@dataclass(frozen=True)
class Protection:
    """What a platform must be told to require the gate."""

    platform: ProtectPlatform
    stage: str
    threshold: Severity | None
    branch: str
    requests: tuple[tuple[str, str, Json], ...]  # (method, path relative to the project, body)

    def render(self) -> str:
        """Return the requests as indented JSON, the way `--print` shows them."""
        prefix = PROJECT_PLACEHOLDER[self.platform]
        shown = [{"method": m, "path": prefix + p, "body": b} for m, p, b in self.requests]
        return json.dumps(shown, indent=2, sort_keys=True)


def security_threshold(severity: Severity | None) -> str:
    """Return GitHub's `security_alerts_threshold` for a policy block threshold."""
    match severity:
        case None:
            return "none"
        case Severity.CRITICAL:
            return "critical"
        case Severity.HIGH:
            return "high_or_higher"
        case Severity.MEDIUM:
            return "medium_or_higher"
        case Severity.LOW | Severity.INFO:
            return "all"
        case _:
            assert_never(severity)


def github_ruleset(threshold: Severity | None, branch: str = DEFAULT_BRANCH) -> Json:
    """Return the ruleset that requires the gate's check and code scanning at threshold."""
    security = security_threshold(threshold)
    tools = [
        {"tool": name, "alerts_threshold": "errors", "security_alerts_threshold": security}
        for name in SCANNERS
    ]
    return {
        "name": RULESET_NAME,
        "target": "branch",
        "enforcement": "active",
        "conditions": {"ref_name": {"include": [_ref(branch)], "exclude": []}},
        "rules": [
            {
                "type": "required_status_checks",
                "parameters": {
                    "strict_required_status_checks_policy": False,
                    "required_status_checks": [{"context": GATE_CHECK}],
                },
            },
            {"type": "code_scanning", "parameters": {"code_scanning_tools": tools}},
        ],
    }


def _ref(branch: str) -> str:
    return branch if branch.startswith(("~", "refs/")) else f"refs/heads/{branch}"


def gitlab_settings(branch: str) -> tuple[tuple[str, str, Json], ...]:
    """Return the GitLab requests: protect the branch, merge only after a green pipeline."""
    protected = {
        "name": branch,
        "push_access_level": 0,  # no one pushes directly: changes arrive by merge request
        "merge_access_level": 40,  # maintainers merge
        "allow_force_push": False,
    }
    project = {
        "only_allow_merge_if_pipeline_succeeds": True,
        "allow_merge_on_skipped_pipeline": False,
    }
    return (("POST", "/protected_branches", protected), ("PUT", "", project))


def plan(root: Path, platform: ProtectPlatform, stage: str, branch: str | None) -> Protection:
    """Build the protection for a repository from its policy's stage threshold."""
    threshold = policy_file.load(root).stage(stage).block
    if platform == "github":
        ruleset = github_ruleset(threshold, branch or DEFAULT_BRANCH)
        requests: tuple[tuple[str, str, Json], ...] = (("POST", "/rulesets", ruleset),)
        return Protection(platform, stage, threshold, branch or DEFAULT_BRANCH, requests)
    chosen = branch or "main"
    return Protection(platform, stage, threshold, chosen, gitlab_settings(chosen))


def protect_platform(value: PlatformName) -> ProtectPlatform:
    """Refuse a platform protect cannot configure (Jira has no branches)."""
    if value == "jira":
        raise UserError("--platform jira: Jira has no branches to protect; use github or gitlab")
    return value


def apply(protection: Protection, connection: Connection) -> list[str]:
    """Send the protection through the platform's API; return one line per change made."""
    if protection.platform == "github":
        return [_apply_github(protection, connection)]
    return _apply_gitlab(protection, connection)


def _apply_github(protection: Protection, connection: Connection) -> str:
    _, path, body = protection.requests[0]
    base = connection.project_path + path
    client = connection.client
    existing = [r for r in client.paginate(base) if r.get("name") == RULESET_NAME]
    if existing:
        client.put(f"{base}/{existing[0]['id']}", body)
        return f"updated ruleset {RULESET_NAME!r} (id {existing[0]['id']})"
    created = client.post(base, body)
    return f"created ruleset {RULESET_NAME!r} (id {created.get('id', '?')})"


def _apply_gitlab(protection: Protection, connection: Connection) -> list[str]:
    (_, branches, protected), (_, _, settings) = protection.requests
    client = connection.client
    name = quote(protection.branch, safe="")
    target = f"{connection.project_path}{branches}/{name}"
    try:
        client.get(target)
    except ApiError as exc:
        if exc.status != 404:
            raise
        client.post(connection.project_path + branches, protected)
        done = f"protected branch {protection.branch!r}"
    else:
        client.patch(target, {"allow_force_push": False})
        done = f"branch {protection.branch!r} was protected; force pushes now refused"
    client.put(connection.project_path, settings)
    return [done, "merge requests now merge only when their pipeline succeeded"]


def run(
    root: Path,
    platform: ProtectPlatform,
    *,
    stage: str = "pr",
    branch: str | None = None,
    do_apply: bool = False,
) -> tuple[Protection, list[str]]:
    """Plan the protection and, when asked, apply it; return the plan and what was done."""
    protection = plan(root, platform, stage, branch)
    if not do_apply:
        return protection, []
    connection = connect(platform)
    try:
        if platform == "gitlab" and branch is None:
            project = connection.client.get(connection.project_path)
            default = project.get("default_branch") if isinstance(project, dict) else None
            protection = plan(root, platform, stage, str(default or "main"))
        return protection, apply(protection, connection)
    finally:
        connection.client.close()
