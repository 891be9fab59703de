"""The rules every rendered pipeline keeps, checked on real renders of the catalog's scenarios.

Rendered the way `paved new` renders (pavedroad.catalog.render), so the catalog-level
`pavedroad` setting reaches them: Paved Road runs from its action, hook and component pinned
by one commit; SARIF uploads leave excepted findings out and never stand a changed-files
result for the default branch; releases and deployments pass the release gate; comments come
from a workflow that never runs the pull request's code; tickets and the monthly review run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from pavedroad.catalog import model as catalog_model
from pavedroad.catalog import workflow_audit
from pavedroad.catalog.model import Catalog, load
from pavedroad.catalog.questions import load_config, resolve_answers
from pavedroad.catalog.render import render
from pavedroad.errors import ConfigError
from pavedroad.policy import file as policy_file
from pavedroad.scanners.secrets import is_false_positive

REPO = Path(__file__).resolve().parents[2]
GITHUB_TEMPLATES = ("github-pipeline", "node-service", "python-service")
PIPELINE_TEMPLATES = (*GITHUB_TEMPLATES, "gitlab-pipeline")
SHA = re.compile(r"^[0-9a-f]{40}$")
USES = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
# A requirement naming pavedroad by name (pavedroad, pavedroad==1, pavedroad>=0.1, ...).
BY_NAME = re.compile(r"pip install[^\n]*[\"' ]pavedroad(\s*[<>=~!\[][^@\n]*)?[\"']?(\s|$)")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load(REPO)


@pytest.fixture(scope="module")
def renders(
    catalog: Catalog, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], Path]:
    """Render every scenario of every template once (the real Paved Road render)."""
    out: dict[tuple[str, str], Path] = {}
    for template in catalog.templates:
        for scenario, given in template.scenarios.items():
            answers = resolve_answers(load_config(template.directory), given)
            dest = tmp_path_factory.mktemp(template.id) / scenario
            render(template, answers, dest)
            out[(template.id, scenario)] = dest
    return out


def scenarios(ids: tuple[str, ...]) -> list[tuple[str, str]]:
    found = load(REPO)
    return [(t.id, s) for t in found.templates if t.id in ids for s in t.scenarios]


def read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def workflows(project: Path) -> dict[str, dict[str, Any]]:
    return {p.name: read(p) for p in sorted((project / ".github/workflows").glob("*.yml"))}


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    value = workflow.get("on", workflow.get(True))  # PyYAML reads the key `on` as True
    assert isinstance(value, dict)
    return value


def steps(workflow: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, job in workflow["jobs"].items():
        for step in job["steps"]:
            yield name, step


def events(condition: str | None) -> set[str] | None:
    """Return the events an `if:` limits a step to (None: not limited by event)."""
    found = set(re.findall(r"github\.event_name == '(\w+)'", condition or ""))
    return found or None


def pinned(catalog: Catalog) -> dict[str, str]:
    return dict(catalog.templates[0].pinned)


def text_files(project: Path) -> Iterator[tuple[Path, str]]:
    for path in project.rglob("*"):
        if path.is_file():
            yield path, path.read_text(encoding="utf-8")


# --- the catalog setting ------------------------------------------------------------------


def test_the_catalog_pins_one_real_commit_of_this_repository(catalog: Catalog) -> None:
    raw = read(REPO / "catalog.yaml")["pavedroad"]
    assert SHA.match(raw["ref"])
    assert all(dict(t.pinned) == pinned(catalog) for t in catalog.templates)
    assert pinned(catalog) == {
        "pavedroad_github": raw["github"],
        "pavedroad_gitlab": raw["gitlab"],
        "pavedroad_commit": raw["ref"],
    }
    assert catalog_model.default_pinned_data() == pinned(catalog)
    for shipped in ("action.yml", ".pre-commit-hooks.yaml", "templates/paved-gate/template.yml"):
        assert (REPO / shipped).is_file(), shipped


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ref", "v1.2.3", "is not a commit SHA"),
        ("ref", "8295F4B5779AB6AF3E7EF49D6AD57CF3F037C663", "is not a commit SHA"),
        ("github", "https://github.com/acme/pavedroad", "is not a GitHub repository"),
        ("gitlab", "https://gitlab.com/acme/pavedroad", "is not a GitLab project"),
    ],
)
def test_a_bad_setting_names_the_file_the_field_and_the_fix(
    tmp_path: Path, field: str, value: str, message: str
) -> None:
    text = (REPO / "catalog.yaml").read_text(encoding="utf-8")
    raw = read(REPO / "catalog.yaml")
    text = text.replace(f"  {field}: {raw['pavedroad'][field]}\n", f"  {field}: {value!r}\n")
    (tmp_path / "catalog.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "templates").symlink_to(REPO / "templates")
    with pytest.raises(ConfigError) as caught:
        load(tmp_path)
    assert f"catalog.yaml: pavedroad.{field}:" in str(caught.value)
    assert message in str(caught.value)


def test_the_gitlab_component_is_no_catalog_template(catalog: Catalog) -> None:
    assert "paved-gate" not in catalog.ids
    spec, job = yaml.safe_load_all((REPO / "templates/paved-gate/template.yml").read_text())
    assert {"stage", "source", "changed-since", "formats", "outputs", "rules"} <= set(
        spec["spec"]["inputs"]
    )
    (body,) = job.values()
    assert body["artifacts"]["when"] == "always" and "gate.json" in body["artifacts"]["paths"]
    assert 'python -m pip install "$PAVEDROAD_SOURCE"' in body["before_script"]


def test_the_action_installs_from_its_own_checkout() -> None:
    action = read(REPO / "action.yml")
    assert action["runs"]["using"] == "composite"
    assert {"stage", "formats", "outputs", "changed-since"} <= set(action["inputs"])
    runs = [s.get("run", "") for s in action["runs"]["steps"]]
    assert any(
        'pip install --no-cache-dir --disable-pip-version-check "${GITHUB_ACTION_PATH}"' in r
        for r in runs
    )
    assert not any(BY_NAME.search(r) for r in runs)
    assert not any("${{" in r for r in runs), "inputs reach the shell through env"
    assert all(USES.match(s["uses"]) for s in action["runs"]["steps"] if "uses" in s)


def test_the_pre_commit_hook_installs_this_repository() -> None:
    (hook,) = read(REPO / ".pre-commit-hooks.yaml")
    assert hook["id"] == "paved-gate" and hook["language"] == "python"
    assert hook["entry"] == "paved gate --stage pre-commit"
    assert hook["pass_filenames"] is False


# --- every pipeline template ----------------------------------------------------------------


@pytest.mark.parametrize(("template_id", "scenario"), scenarios(PIPELINE_TEMPLATES))
def test_paved_road_is_never_installed_by_name(
    renders: dict[tuple[str, str], Path], template_id: str, scenario: str
) -> None:
    for path, text in text_files(renders[(template_id, scenario)]):
        assert not BY_NAME.search(text), path
        assert not re.search(r"pavedroad\s*(==|>=|~=|<)", text), path


@pytest.mark.parametrize(("template_id", "scenario"), scenarios(GITHUB_TEMPLATES))
def test_every_uses_is_pinned_and_ours_by_the_catalog_commit(
    renders: dict[tuple[str, str], Path], catalog: Catalog, template_id: str, scenario: str
) -> None:
    pins = pinned(catalog)
    ours = f"{pins['pavedroad_github']}@{pins['pavedroad_commit']}"
    project = renders[(template_id, scenario)]
    seen = 0
    for name, workflow in workflows(project).items():
        for _, step in steps(workflow):
            uses = step.get("uses")
            if uses is None:
                continue
            assert USES.match(uses), (name, uses)
            if uses.startswith(pins["pavedroad_github"] + "@"):
                assert uses == ours, (name, uses)
                seen += 1
    assert seen >= 5  # gate (3 stages), tickets, comment, release, review
    hooks = read(project / ".pre-commit-config.yaml")["repos"]
    (mine,) = [r for r in hooks if r["repo"] == f"https://github.com/{pins['pavedroad_github']}"]
    assert mine["rev"] == pins["pavedroad_commit"]
    assert [h["id"] for h in mine["hooks"]] == ["paved-gate"]


@pytest.mark.parametrize(("template_id", "scenario"), scenarios(GITHUB_TEMPLATES))
def test_uploads_are_sarif_upload_and_never_a_changed_scope_result_on_the_default_branch(
    renders: dict[tuple[str, str], Path], template_id: str, scenario: str
) -> None:
    project = renders[(template_id, scenario)]
    stages = policy_file.load(project).stages
    for name, workflow in workflows(project).items():
        for job_name, job in workflow["jobs"].items():
            gates = [s for s in job["steps"] if "stage" in s.get("with", {})]
            uploads = [s for s in job["steps"] if "upload-sarif@" in s.get("uses", "")]
            for step in gates:
                formats = step["with"].get("formats", "").split()
                assert "sarif" not in formats, (name, job_name, "upload sarif-upload")
            for upload in uploads:
                assert upload["with"]["category"] == "pavedroad"
                allowed = events(upload.get("if"))
                assert allowed is not None, "the upload names the events it runs on"
                on_push = "push" in triggers(workflow)
                for step in gates:
                    runs_on = events(step.get("if")) or set(triggers(workflow))
                    writes = "sarif-upload" in step["with"].get("formats", "").split()
                    scope = stages[step["with"]["stage"]].scope
                    if on_push and "push" in runs_on and writes:
                        pytest.fail(f"{name}: a push writes SARIF ({step['with']['stage']})")
                    if scope == "changed" and writes:
                        assert runs_on == {"pull_request"}, (name, step)
                assert "push" not in allowed, (name, "no upload from the default branch push")


@pytest.mark.parametrize(("template_id", "scenario"), scenarios(GITHUB_TEMPLATES))
def test_release_gate_runs_on_tags_and_the_deploy_needs_it(
    renders: dict[tuple[str, str], Path], template_id: str, scenario: str
) -> None:
    release = workflows(renders[(template_id, scenario)])["paved-release.yml"]
    assert triggers(release)["push"] == {"tags": ["v*"]}
    gate_job = release["jobs"]["release-gate"]
    (gate,) = [s for s in gate_job["steps"] if s.get("with", {}).get("stage")]
    assert gate["with"]["stage"] == "release"
    deploy = release["jobs"]["deploy"]
    assert deploy["needs"] == "release-gate"
    assert deploy["environment"] == "production"


@pytest.mark.parametrize(("template_id", "scenario"), scenarios(GITHUB_TEMPLATES))
def test_the_comment_workflow_never_checks_out_pull_request_code(
    renders: dict[tuple[str, str], Path], template_id: str, scenario: str
) -> None:
    found = workflows(renders[(template_id, scenario)])
    comment = found["paved-comment.yml"]
    assert set(triggers(comment)) == {"workflow_run"}
    assert triggers(comment)["workflow_run"]["workflows"] == [found["paved-gate.yml"]["name"]]
    (job,) = comment["jobs"].values()
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert not any("actions/checkout" in s.get("uses", "") for s in job["steps"])
    text = yaml.safe_dump(comment)
    assert "head_sha" not in text and "head_branch" not in text
    run = next(s["run"] for s in job["steps"] if "paved comment" in s.get("run", ""))
    assert "paved comment --from paved-gate-result/gate.json --pr" in run
    assert "tr -cd '0-9'" in run, "the artifact's PR number is untrusted: digits only"
    # The gate job, which runs the PR's code, can never write to the pull request.
    gate = found["paved-gate.yml"]["jobs"]["gate"]
    assert "pull-requests" not in gate["permissions"]
    kept = next(s for s in gate["steps"] if "upload-artifact@" in s.get("uses", ""))
    assert kept["with"]["name"] == "paved-gate-result" and "gate.json" in kept["with"]["path"]


@pytest.mark.parametrize(("template_id", "scenario"), scenarios(GITHUB_TEMPLATES))
def test_tickets_nightly_and_the_monthly_review(
    renders: dict[tuple[str, str], Path], template_id: str, scenario: str
) -> None:
    found = workflows(renders[(template_id, scenario)])
    tickets = found["paved-gate.yml"]["jobs"]["tickets"]
    assert "github.event_name == 'schedule'" in tickets["if"]
    assert tickets["permissions"]["issues"] == "write"
    runs = [s.get("run", "") for s in tickets["steps"]]
    assert "paved tickets sync --from paved-gate-result/gate.json --apply --platform github" in runs
    review = found["paved-review.yml"]
    (cron,) = [entry["cron"] for entry in triggers(review)["schedule"]]
    minute, hour, day, month, weekday = cron.split()
    assert day.isdigit() and month == "*" and weekday == "*", "once a month"
    (job,) = review["jobs"].values()
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    assert "paved exceptions review . --format markdown --post-issue" in [
        s.get("run") for s in job["steps"]
    ]


@pytest.mark.parametrize(("template_id", "scenario"), scenarios(PIPELINE_TEMPLATES))
def test_zizmor_pedantic_finds_nothing(
    renders: dict[tuple[str, str], Path], template_id: str, scenario: str
) -> None:
    project = renders[(template_id, scenario)]
    assert workflow_audit.audit(project) == ()


# --- GitLab -------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", [s for _, s in scenarios(("gitlab-pipeline",))])
def test_gitlab_wires_release_comment_tickets_and_review(
    renders: dict[tuple[str, str], Path], catalog: Catalog, scenario: str
) -> None:
    project = renders[("gitlab-pipeline", scenario)]
    ci = read(project / ".gitlab-ci.yml")
    pins = pinned(catalog)
    includes = {i["inputs"]["job-name"]: i for i in ci["include"]}
    component = f"{pins['pavedroad_gitlab']}/paved-gate@{pins['pavedroad_commit']}"
    assert {i["component"] for i in includes.values()} == {component}
    assert includes["paved-gate-release"]["inputs"]["rules"] == [{"if": "$CI_COMMIT_TAG"}]
    assert ci["deploy"]["needs"] == [{"job": "paved-gate-release"}]
    assert ci["deploy"]["rules"] == [{"if": "$CI_COMMIT_TAG"}]
    comment = ci["paved-comment"]
    assert comment["variables"] == {"GIT_STRATEGY": "none"}, "no MR code where the token is"
    assert comment["needs"] == [{"job": "paved-gate-pr", "artifacts": True}]
    assert "paved comment --from gate.json --platform gitlab" in comment["script"][0]
    tickets = ci["paved-tickets"]
    assert tickets["needs"] == [{"job": "paved-gate-nightly", "artifacts": True}]
    assert tickets["script"] == ["paved tickets sync --from gate.json --apply --platform gitlab"]
    review = ci["paved-exceptions-review"]
    (rule,) = review["rules"]
    assert '$CI_PIPELINE_SOURCE == "schedule"' in rule["if"]
    assert '$PAVED_SCHEDULE == "exceptions-review"' in rule["if"]
    assert "paved exceptions review . --format markdown --post-issue" in review["script"]
    nightly = includes["paved-gate-nightly"]["inputs"]["rules"][0]["if"]
    assert '$PAVED_SCHEDULE != "exceptions-review"' in nightly
    hooks = read(project / ".pre-commit-config.yaml")["repos"]
    (mine,) = [r for r in hooks if r["repo"] == f"https://{pins['pavedroad_gitlab']}"]
    assert mine["rev"] == pins["pavedroad_commit"]


# --- shared sources, documentation ------------------------------------------------------------


def test_the_service_templates_share_workflows_and_hook_sources() -> None:
    sources = {t: REPO / "templates" / t / "template" for t in GITHUB_TEMPLATES}
    reference = sources["github-pipeline"] / ".github/workflows"
    names = sorted(p.name for p in reference.iterdir())
    assert any("template-update.yml" in name for name in names)
    for template_id in ("node-service", "python-service"):
        here = sources[template_id] / ".github/workflows"
        assert sorted(p.name for p in here.iterdir()) == names, template_id
        for name in names:
            assert (here / name).read_bytes() == (reference / name).read_bytes(), name
    hooks = {
        (sources[t] / ".pre-commit-config.yaml.jinja").read_bytes()
        for t in ("node-service", "python-service")
    }
    assert len(hooks) == 1


SAFE_RUN = """name: comment
on:
  workflow_run:
    workflows: [gate]
    types: [completed]
permissions: {}
jobs:
  comment:
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    permissions:
      pull-requests: write
    steps:
      - name: Say
        run: echo done
"""
CHECKOUT = """      - name: Check out the PR
        uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
        with:
          persist-credentials: false
          ref: ${{ github.event.workflow_run.head_sha }}
"""


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        (SAFE_RUN, False),
        (SAFE_RUN + CHECKOUT, True),
        (SAFE_RUN.replace("  workflow_run:", "  push:\n  workflow_run:"), True),
    ],
    ids=["no-checkout", "checks-out-the-run", "other-triggers"],
)
def test_workflow_run_is_accepted_only_in_its_safe_shape(
    tmp_path: Path, text: str, flagged: bool
) -> None:
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/comment.yml").write_text(text, encoding="utf-8")
    problems = workflow_audit.audit(tmp_path)
    assert any("dangerous-triggers" in p for p in problems) == flagged, problems


@pytest.mark.parametrize("template_id", [t.id for t in load(REPO).templates])
def test_no_rendered_file_tells_users_to_run_copier_update(
    renders: dict[tuple[str, str], Path], template_id: str
) -> None:
    for (tid, _), project in renders.items():
        if tid != template_id:
            continue
        for path, text in text_files(project):
            assert "copier update" not in text.lower(), path


def test_a_pre_commit_rev_pin_is_no_secret() -> None:
    sha = "8295f4b5779ab6af3e7ef49d6ad57cf3f037c663"
    assert is_false_positive("Hex High Entropy String", sha, f"    rev: {sha}")
    assert not is_false_positive("Hex High Entropy String", sha, f"    token: {sha}")


def test_code_scanning_and_code_quality_match_findings_across_checkouts_and_line_shifts(
    tmp_path: Path,
) -> None:
    """The target branch's report and the PR's must name the same finding the same way."""
    import json

    from pavedroad import reports
    from pavedroad.gate.run import gate_repository

    dockerfile = "FROM python:3.12\nRUN apt-get update && apt-get install -y curl\n"
    target, source = tmp_path / "target" / "checkout", tmp_path / "source"
    for root, text in ((target, dockerfile), (source, "# a new first line\n\n" + dockerfile)):
        root.mkdir(parents=True)
        (root / "Dockerfile").write_text(text, encoding="utf-8")
    results = [gate_repository(r, "nightly", remember=False) for r in (target, source)]
    quality = [
        {i["fingerprint"]: i["location"]["lines"]["begin"] for i in json.loads(text)}
        for text in (reports.render("gitlab", r) for r in results)
    ]
    assert quality[0] and set(quality[0]) == set(quality[1])
    assert quality[0] != quality[1], "the lines moved, the fingerprints did not"
    hashes = []
    for result in results:
        log = json.loads(reports.render("sarif-upload", result))
        assert {run["automationDetails"]["id"] for run in log["runs"]} == {"pavedroad/"}
        found = [r["partialFingerprints"] for run in log["runs"] for r in run["results"]]
        assert all(f["primaryLocationLineHash"] == f["pavedroad/v1"] for f in found)
        hashes.append({f["primaryLocationLineHash"] for f in found})
    assert hashes[0] and hashes[0] == hashes[1]
