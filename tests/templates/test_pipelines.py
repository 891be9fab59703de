"""Render every scenario of the github-pipeline and gitlab-pipeline templates and check them.

Scanners (checkov, hadolint, detect-secrets) are wired into the suite elsewhere; these tests
check structure, pinning, permissions and schemas (check-jsonschema's vendored schemas).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.templates.helpers import render_template

from pavedroad.catalog import workflow_audit

REPO = Path(__file__).resolve().parents[2]
GITHUB = REPO / "templates" / "github-pipeline"
GITLAB = REPO / "templates" / "gitlab-pipeline"

# The scenarios given to catalog.yaml for these templates (answer sets switching options).
GITHUB_SCENARIOS: dict[str, dict[str, Any]] = {
    "default": {},
    "node-image-no-update": {
        "project_name": "web-frontend",
        "language": "node",
        "node_version": "20",
        "build_container_image": True,
        "include_template_update": False,
    },
    "python311-trunk": {
        "project_name": "billing-api",
        "owner": "@acme/payments",
        "language": "python",
        "python_version": "3.11",
        "default_branch": "trunk",
    },
}
GITLAB_SCENARIOS: dict[str, dict[str, Any]] = {
    "default": {},
    "node": {
        "project_name": "web-frontend",
        "owner": "@acme/web",
        "language": "node",
        "nightly_timeout_minutes": 60,
    },
}

SHA_PIN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"@[0-9a-f]{40} # (v\d+\.\d+\.\d+|paved-road)$")
PINNED = yaml.safe_load((REPO / "catalog.yaml").read_text(encoding="utf-8"))["pavedroad"]
OUR_ACTION = f"{PINNED['github']}@{PINNED['ref']}"
DIGEST_IMAGE = re.compile(r"^[a-z0-9./:-]+@sha256:[0-9a-f]{64}$")
UNTRUSTED = re.compile(r"\$\{\{\s*(github\.event\.|github\.head_ref)")
BAD_NAMES = ["", "x", "../evil", "a/b", "has space", "Upper", "-lead", "trail-", "a--b", "a" * 41]

POLICY = {
    "version": 1,
    "stages": {
        "pre-commit": {"scope": "changed", "block": "critical"},
        "pr": {"scope": "changed", "block": "high", "ticket": "medium", "warn": "low"},
        "main": {"scope": "changed", "block": "high", "ticket": "medium", "warn": "low"},
        "release": {"scope": "full", "block": "high", "ticket": "medium", "warn": "low"},
        "nightly": {"scope": "full", "ticket": "low", "warn": "info"},
    },
    "severity_overrides": {},
    "exceptions": {
        "max_days": 90,
        "controls_required_at": "high",
        "inline_suppressions": "require-exception",
        "warn_expiring_within_days": 14,
        "approvers": ["@acme/security"],
    },
}


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def check_schema(schema: str, *files: Path) -> None:
    """Validate files against one of check-jsonschema's builtin schemas."""
    proc = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, f"{schema}: {proc.stdout}\n{proc.stderr}"


def workflows(project: Path) -> dict[str, dict[str, Any]]:
    return {p.name: load(p) for p in sorted((project / ".github" / "workflows").glob("*.yml"))}


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # PyYAML reads the bare key `on` as the boolean True.
    value = workflow.get("on", workflow.get(True))
    assert isinstance(value, dict)
    return value


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def assert_common_files(project: Path) -> None:
    assert load(project / ".pavedroad" / "policy.yaml") == POLICY
    assert load(project / ".pavedroad" / "exceptions.yaml") == {"version": 1, "exceptions": []}
    answers_text = (project / ".copier-answers.yml").read_text(encoding="utf-8")
    assert answers_text.startswith(
        "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"
    )
    baseline = load(project / ".secrets.baseline")
    assert baseline["results"] == {}
    assert "generated_at" not in baseline
    for path in project.rglob("*"):
        if path.is_file():
            assert "checkov:skip" not in path.read_text(encoding="utf-8"), path


def assert_pre_commit(project: Path) -> None:
    config = load(project / ".pre-commit-config.yaml")
    hooks = {hook["id"]: (repo, hook) for repo in config["repos"] for hook in repo["hooks"]}
    assert set(hooks) == {"detect-secrets", "hadolint", "paved-gate"}
    assert "--baseline" in hooks["detect-secrets"][1]["args"]
    assert ".secrets.baseline" in hooks["detect-secrets"][1]["args"]
    ours, _ = hooks["paved-gate"]
    assert ours["repo"] in {
        f"https://github.com/{PINNED['github']}",
        f"https://{PINNED['gitlab']}",
    }
    assert ours["rev"] == PINNED["ref"], "Paved Road's hook is pinned by the catalog's commit"
    others = [repo for repo in config["repos"] if repo["repo"] not in {"local", ours["repo"]}]
    assert others and all(re.fullmatch(r"v\d+\.\d+\.\d+", repo["rev"]) for repo in others)


# --- github-pipeline ----------------------------------------------------------------------


@pytest.mark.parametrize("scenario", sorted(GITHUB_SCENARIOS))
def test_github_pipeline_scenario_renders_expected_files(copie: Any, scenario: str) -> None:
    answers = GITHUB_SCENARIOS[scenario]
    project = render_template(copie, GITHUB, answers)
    expected = {
        "ci.yml",
        "paved-gate.yml",
        "paved-comment.yml",
        "paved-release.yml",
        "paved-review.yml",
    }
    if answers.get("include_template_update", True):
        expected.add("template-update.yml")
    assert set(workflows(project)) == expected
    for name in ("CODEOWNERS", "dependabot.yml"):
        assert (project / ".github" / name).is_file()
    assert_common_files(project)
    assert_pre_commit(project)
    codeowners = (project / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    owner = re.escape(answers.get("owner", "@acme/platform"))
    assert re.search(rf"^\*\s+{owner}$", codeowners, re.M)
    assert re.search(r"^/\.pavedroad/\s+@", codeowners, re.M)


@pytest.mark.parametrize("scenario", sorted(GITHUB_SCENARIOS))
def test_github_workflows_are_pinned_and_least_privilege(copie: Any, scenario: str) -> None:
    project = render_template(copie, GITHUB, GITHUB_SCENARIOS[scenario])
    for name, workflow in workflows(project).items():
        text = (project / ".github" / "workflows" / name).read_text(encoding="utf-8")
        assert "pull_request_target" not in triggers(workflow), name
        assert workflow["permissions"] == {}, name
        assert "group" in workflow["concurrency"], name
        for job_name, job in workflow["jobs"].items():
            assert isinstance(job.get("permissions"), dict), (name, job_name)
            assert 1 <= job["timeout-minutes"] <= 30, (name, job_name)
        for step in steps(workflow):
            if "uses" in step:
                assert SHA_PIN.match(step["uses"]), (name, step["uses"])
                line = next(ln for ln in text.splitlines() if step["uses"] in ln)
                assert VERSION_COMMENT.search(line), (name, line)
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, name
            assert not UNTRUSTED.search(step.get("run", "")), (name, step["run"])


def test_github_write_permissions_only_where_needed(copie: Any) -> None:
    found = workflows(render_template(copie, GITHUB, {}))
    writes = {
        (name, job_name, scope)
        for name, wf in found.items()
        for job_name, job in wf["jobs"].items()
        for scope, level in job["permissions"].items()
        if level == "write"
    }
    assert writes == {
        ("paved-gate.yml", "gate", "security-events"),
        ("paved-gate.yml", "tickets", "issues"),
        ("paved-comment.yml", "comment", "pull-requests"),
        ("paved-review.yml", "review", "issues"),
        ("template-update.yml", "update", "contents"),
        ("template-update.yml", "update", "pull-requests"),
    }


def test_github_gate_runs_each_stage_through_the_pinned_action(copie: Any) -> None:
    gate = workflows(render_template(copie, GITHUB, {}))["paved-gate.yml"]
    assert set(triggers(gate)) == {"pull_request", "push", "schedule"}
    ours = {s["if"]: s for s in steps(gate) if s.get("uses") == OUR_ACTION and "if" in s}
    expected = {"pull_request": "pr", "push": "main", "schedule": "nightly"}
    for event, stage in expected.items():
        assert ours[f"github.event_name == '{event}'"]["with"]["stage"] == stage
    assert ours["github.event_name == 'pull_request'"]["with"]["formats"] == "json sarif-upload"
    upload = next(s for s in steps(gate) if "upload-sarif@" in s.get("uses", ""))
    assert upload["if"].startswith("always()")
    assert upload["with"] == {"sarif_file": "paved.sarif", "category": "pavedroad"}
    assert not any("pip install" in s.get("run", "") for s in steps(gate))


def test_github_template_update_opens_a_pull_request(copie: Any) -> None:
    update = workflows(render_template(copie, GITHUB, {}))["template-update.yml"]
    assert set(triggers(update)) == {"schedule", "workflow_dispatch"}
    assert triggers(update)["workflow_dispatch"] is None  # no inputs (checkov CKV_GHA_7)
    runs = [step.get("run") for step in steps(update)]
    assert "paved update" in runs
    # The write token goes to the runner's own git and gh, never to a third-party action.
    actions = {s["uses"].split("@")[0] for s in steps(update) if "uses" in s}
    assert actions == {"actions/checkout", PINNED["github"]}
    propose = next(s for s in steps(update) if "gh pr create" in s.get("run", ""))
    assert propose["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert 'git push --quiet --force origin "${BRANCH}"' in propose["run"]


ZERO_SHA = "0" * 40


def test_github_main_stage_passes_the_zero_sha_when_the_previous_commit_is_unknown(
    copie: Any,
) -> None:
    gate = workflows(render_template(copie, GITHUB, {}))["paved-gate.yml"]
    main = next(s for s in steps(gate) if s.get("if") == "github.event_name == 'push'")
    assert main["with"]["changed-since"] == "${{ github.event.before }}"
    action = load(REPO / "action.yml")
    script = next(s["run"] for s in action["runs"]["steps"] if s.get("name") == "Paved Road gate")
    assert f"PAVED_SINCE={ZERO_SHA}" in script
    assert 'cat-file -e "${PAVED_SINCE}^{commit}"' in script


@pytest.mark.parametrize(
    ("template", "scenario"),
    [(GITHUB, name) for name in sorted(GITHUB_SCENARIOS)]
    + [(GITLAB, name) for name in sorted(GITLAB_SCENARIOS)],
)
def test_zizmor_pedantic_finds_nothing(copie: Any, template: Path, scenario: str) -> None:
    answers = (GITHUB_SCENARIOS if template == GITHUB else GITLAB_SCENARIOS)[scenario]
    project = render_template(copie, template, answers)
    assert workflow_audit.inputs(project), "zizmor has something to audit"
    assert workflow_audit.audit(project) == ()


@pytest.mark.parametrize("scenario", sorted(GITHUB_SCENARIOS))
def test_github_files_match_their_schemas(copie: Any, scenario: str) -> None:
    project = render_template(copie, GITHUB, GITHUB_SCENARIOS[scenario])
    check_schema(
        "vendor.github-workflows", *sorted((project / ".github" / "workflows").glob("*.yml"))
    )
    check_schema("vendor.dependabot", project / ".github" / "dependabot.yml")


def test_github_language_drives_ci_and_dependabot(copie: Any) -> None:
    python = render_template(copie, GITHUB, GITHUB_SCENARIOS["python311-trunk"])
    node = render_template(copie, GITHUB, GITHUB_SCENARIOS["node-image-no-update"])
    py_ci, node_ci = workflows(python)["ci.yml"], workflows(node)["ci.yml"]
    assert py_ci["env"] == {"PYTHON_VERSION": "3.11"}
    assert triggers(py_ci)["push"]["branches"] == ["trunk"]
    assert node_ci["env"] == {"NODE_VERSION": "20"}
    assert set(node_ci["jobs"]) == {"test", "image"} and set(py_ci["jobs"]) == {"test"}
    ecosystems = {
        p.name: [u["package-ecosystem"] for u in load(p / ".github" / "dependabot.yml")["updates"]]
        for p in (python, node)
    }
    assert ecosystems[python.name] == ["github-actions", "docker", "pip"]
    assert ecosystems[node.name] == ["github-actions", "docker", "npm"]


@pytest.mark.parametrize("bad", BAD_NAMES)
def test_github_rejects_invalid_project_names(copie: Any, bad: str) -> None:
    result = copie.copy(extra_answers={"project_name": bad}, template_dir=GITHUB)
    assert result.exit_code != 0
    assert "project_name must be" in str(result.exception)


@pytest.mark.parametrize(
    ("question", "bad"),
    [
        ("language", "ruby"),
        ("default_branch", "../main"),
        ("owner", "acme"),
    ],
)
def test_github_rejects_invalid_answers(copie: Any, question: str, bad: str) -> None:
    result = copie.copy(extra_answers={question: bad}, template_dir=GITHUB)
    assert result.exit_code != 0, (question, bad)


# --- gitlab-pipeline ----------------------------------------------------------------------


@pytest.mark.parametrize("scenario", sorted(GITLAB_SCENARIOS))
def test_gitlab_pipeline_scenario(copie: Any, scenario: str) -> None:
    answers = GITLAB_SCENARIOS[scenario]
    project = render_template(copie, GITLAB, answers)
    assert_common_files(project)
    assert_pre_commit(project)
    assert (project / ".gitlab" / "CODEOWNERS").is_file()
    assert not (project / ".github").exists()
    check_schema("vendor.gitlab-ci", project / ".gitlab-ci.yml")

    ci = load(project / ".gitlab-ci.yml")
    assert ci["stages"] == ["test", "gate", "report", "deploy"]
    assert ci["default"]["interruptible"] is True and ci["default"]["timeout"]
    jobs = {k: v for k, v in ci.items() if isinstance(v, dict) and "stage" in v}
    for name, job in jobs.items():
        image = job["image"] if "image" in job else ci[job["extends"]]["image"]
        assert DIGEST_IMAGE.match(image), (name, image)
    expected_image = "node:20-bookworm-slim@" if answers.get("language") == "node" else "python:"
    assert ci["test"]["image"].startswith(expected_image)


def test_gitlab_gate_stages_rules_and_reports(copie: Any) -> None:
    ci = load(render_template(copie, GITLAB, {}) / ".gitlab-ci.yml")
    component = f"{PINNED['gitlab']}/paved-gate@{PINNED['ref']}"
    includes = {i["inputs"]["job-name"]: i for i in ci["include"]}
    assert all(i["component"] == component for i in includes.values())
    expected = {
        "paved-gate-pr": ('$CI_PIPELINE_SOURCE == "merge_request_event"', "pr"),
        "paved-gate-main": ("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", "main"),
        "paved-gate-release": ("$CI_COMMIT_TAG", "release"),
        "paved-gate-nightly": ('$CI_PIPELINE_SOURCE == "schedule"', "nightly"),
    }
    for job_name, (condition, stage) in expected.items():
        inputs = includes[job_name]["inputs"]
        assert inputs["stage"] == stage
        assert len(inputs["rules"]) == 1 and condition in inputs["rules"][0]["if"]
        assert inputs["source"] == f"pavedroad @ git+https://{PINNED['gitlab']}@{PINNED['ref']}"
    # Only merge requests and full scans publish Code Quality (a partial default-branch report
    # would make every untouched finding look fixed).
    assert "gitlab" not in includes["paved-gate-main"]["inputs"]["formats"].split()
    assert includes["paved-gate-main"]["inputs"]["changed-since"] == "$CI_COMMIT_BEFORE_SHA"
    for name in ("paved-gate-main", "paved-gate-release", "paved-gate-nightly"):
        assert ci[name] == {"interruptible": False}
    assert includes["paved-gate-nightly"]["inputs"]["timeout"] == "30 minutes"


@pytest.mark.parametrize("bad", BAD_NAMES)
def test_gitlab_rejects_invalid_project_names(copie: Any, bad: str) -> None:
    result = copie.copy(extra_answers={"project_name": bad}, template_dir=GITLAB)
    assert result.exit_code != 0
    assert "project_name must be" in str(result.exception)


# --- shared guardrail files ---------------------------------------------------------------


def test_guardrail_files_are_identical_across_templates() -> None:
    shared = [".pavedroad/policy.yaml.jinja", ".pavedroad/exceptions.yaml", ".secrets.baseline"]
    for rel in shared:
        texts = {(t / "template" / rel).read_text(encoding="utf-8") for t in (GITHUB, GITLAB)}
        assert len(texts) == 1, rel


def test_copier_configs_are_safe() -> None:
    for template in (GITHUB, GITLAB):
        config = load(template / "copier.yml")
        assert config["_subdirectory"] == "template"
        assert config["_min_copier_version"] == "9.0.0"
        assert config["_answers_file"] == ".copier-answers.yml"
        assert not {"_tasks", "_migrations", "_jinja_extensions", "_envops"} & set(config)
        for name, spec in config.items():
            if not name.startswith("_") and spec.get("when") is not False:
                assert spec.get("help") and "type" in spec, (template.name, name)


@pytest.mark.parametrize(
    ("template_id", "scenarios"),
    [("github-pipeline", GITHUB_SCENARIOS), ("gitlab-pipeline", GITLAB_SCENARIOS)],
)
def test_scenarios_match_the_catalog_entry(template_id: str, scenarios: dict[str, Any]) -> None:
    catalog = load(REPO / "catalog.yaml")
    entries = [t for t in catalog["templates"] if t["id"] == template_id]
    if not entries:
        pytest.skip(f"catalog.yaml has no {template_id} entry yet")
    assert entries[0]["scenarios"] == scenarios
    assert entries[0]["path"] == f"templates/{template_id}"
    assert entries[0]["kind"] == "pipeline"


def test_secrets_baseline_excludes_only_digest_image_lines() -> None:
    baseline = load(GITHUB / "template" / ".secrets.baseline")
    (entry,) = [
        f for f in baseline["filters_used"] if f["path"].endswith("regex.should_exclude_line")
    ]
    (pattern,) = entry["pattern"]
    digest = "sha256:" + "0123456789abcdef" * 4
    excluded = [
        f"  image: python:3.12-slim@{digest}",  # a raw YAML line
        f'image: "docker.io/library/node@{digest}"',  # detect-secrets' YAML transform
        f"          - image: ghcr.io/acme/svc@{digest}",
    ]
    kept = [
        f'token: "{digest[7:]}"',
        f"image: ghcr.io/acme/svc@{digest} # password: hunter2",
        f"env: IMAGE=ghcr.io/acme/svc@{digest}",
    ]
    assert all(re.search(pattern, line) for line in excluded)
    assert not any(re.search(pattern, line) for line in kept)
