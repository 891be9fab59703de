"""Render every scenario of the terraform-aws template and check what it produces.

Scanning the renders (checkov, detect-secrets) is wired into the suite elsewhere; these tests
stay fast and cover rendering: files per scenario, valid HCL, recorded answers, rejected input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml
from tests.templates.helpers import assert_security_files, render_template

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "templates" / "terraform-aws"

# The scenarios of the terraform-aws entry in catalog.yaml.
SCENARIOS: dict[str, dict[str, Any]] = {
    "default": {},
    "no-ci-role": {"include_ci_role": False},
    "eu-long-retention": {
        "project_name": "ledger-archive",
        "aws_region": "eu-central-1",
        "replica_region": "eu-west-1",
        "noncurrent_version_expiration_days": 365,
        "access_log_retention_days": 2555,
        "kms_deletion_window_days": 14,
        "github_repository": "acme/ledger-archive",
        "github_environment": "prod-eu",
        "create_github_oidc_provider": False,
    },
    "app-secret-rotated": {
        "include_app_secret": True,
        "secret_rotation_days": 30,
        "rotation_lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:rotate-app-secret",
    },
}

MODULE_FILES = ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md")

ALWAYS = (
    ".copier-answers.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    ".secrets.baseline",
    ".github/CODEOWNERS",
    ".pavedroad/policy.yaml",
    ".pavedroad/exceptions.yaml",
    "README.md",
    "SECURITY.md",
    "examples/complete/main.tf",
    "examples/complete/variables.tf",
    "examples/complete/outputs.tf",
    "examples/complete/versions.tf",
    "examples/complete/providers.tf",
    "examples/complete/README.md",
    *(f"modules/kms-key/{name}" for name in MODULE_FILES),
    *(f"modules/s3-bucket/{name}" for name in MODULE_FILES),
)
CI_ROLE = tuple(f"modules/ci-deploy-role/{name}" for name in MODULE_FILES)

DEFAULTS = {
    "project_name": "my-infra",
    "owner": "@acme/platform",
    "aws_region": "us-east-1",
    "replica_region": "us-west-2",
    "kms_deletion_window_days": 30,
    "noncurrent_version_expiration_days": 90,
    "access_log_retention_days": 365,
    "include_ci_role": True,
    "github_repository": "acme/my-infra",
    "github_environment": "production",
    "create_github_oidc_provider": True,
    "include_app_secret": False,
}


def _render(copie: Any, answers: dict[str, Any]) -> Path:
    return render_template(copie, TEMPLATE, answers)


def _expected(answers: dict[str, Any]) -> dict[str, Any]:
    merged = {**DEFAULTS, **answers}
    if not merged["include_ci_role"]:
        for key in ("github_repository", "github_environment", "create_github_oidc_provider"):
            merged.pop(key)
    return merged


def _load_hcl(path: Path) -> dict[str, Any]:
    """Parse one .tf file the way checkov does (bc-python-hcl2, imported as hcl2)."""
    with path.open(encoding="utf-8") as handle:
        parsed: dict[str, Any] = hcl2.load(handle)
    return parsed


def _variable_defaults(path: Path) -> dict[str, Any]:
    """Return each variable's default; bc-python-hcl2 wraps attribute values in a list."""
    parsed = _load_hcl(path)
    return {
        name: body["default"][0]
        for block in parsed.get("variable", [])
        for name, body in block.items()
        if "default" in body
    }


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_renders_its_files(copie: Any, scenario: str) -> None:
    answers = SCENARIOS[scenario]
    project = _render(copie, answers)
    with_ci_role = _expected(answers)["include_ci_role"]
    missing = [rel for rel in ALWAYS if not (project / rel).is_file()]
    assert missing == []
    for rel in CI_ROLE:
        assert (project / rel).is_file() is with_ci_role, rel
    assert (project / "modules" / "ci-deploy-role").exists() is with_ci_role
    example = (project / "examples/complete/main.tf").read_text(encoding="utf-8")
    assert ('module "ci_deploy_role"' in example) is with_ci_role


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_tf_file_parses_and_no_template_syntax_is_left(copie: Any, scenario: str) -> None:
    project = _render(copie, SCENARIOS[scenario])
    tf_files = sorted(project.rglob("*.tf"))
    assert len(tf_files) >= 15
    for path in tf_files:
        assert isinstance(_load_hcl(path), dict), path
    for path in (p for p in project.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        assert "{{" not in text and "{%" not in text, path
        for marker in ("checkov:skip", "pragma: allowlist", "nosec"):
            assert marker not in text, f"{path}: inline suppression {marker!r}"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_answers_are_recorded(copie: Any, scenario: str) -> None:
    result = copie.copy(extra_answers=SCENARIOS[scenario], template_dir=TEMPLATE)
    assert result.exit_code == 0, result.exception
    expected = _expected(SCENARIOS[scenario])
    recorded = yaml.safe_load((result.project_dir / ".copier-answers.yml").read_text())
    assert recorded.pop("_src_path")
    assert {k: v for k, v in recorded.items() if not k.startswith("_")} == expected
    assert {k: result.answers[k] for k in expected} == expected


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_answers_reach_the_terraform(copie: Any, scenario: str) -> None:
    project = _render(copie, SCENARIOS[scenario])
    expected = _expected(SCENARIOS[scenario])
    defaults = _variable_defaults(project / "examples/complete/variables.tf")
    assert defaults["project_name"] == expected["project_name"]
    assert defaults["region"] == expected["aws_region"]
    assert defaults["replica_region"] == expected["replica_region"]
    for key in (
        "kms_deletion_window_days",
        "noncurrent_version_expiration_days",
        "access_log_retention_days",
    ):
        assert defaults[key] == expected[key], key
    if expected["include_ci_role"]:
        owner, name = expected["github_repository"].split("/")
        assert (defaults["github_owner"], defaults["github_repository_name"]) == (owner, name)
        assert defaults["github_environment"] == expected["github_environment"]
        assert defaults["create_github_oidc_provider"] is expected["create_github_oidc_provider"]
    else:
        assert not {"github_owner", "github_repository_name", "github_environment"} & set(defaults)


def test_ci_role_trust_is_pinned_to_repository_environment(copie: Any) -> None:
    module = _render(copie, {}) / "modules" / "ci-deploy-role"
    main = _load_hcl(module / "main.tf")
    local_values = main["locals"][0]
    assert local_values["github_oidc_host"] == ["token.actions.githubusercontent.com"]
    assert local_values["github_subject"] == [
        "repo:${var.github_owner}/${var.github_repository_name}:environment:${var.github_environment}"
    ]
    trust = next(
        block["aws_iam_policy_document"]["trust"]
        for block in main["data"]
        if "trust" in block.get("aws_iam_policy_document", {})
    )
    (statement,) = trust["statement"]
    assert statement["actions"] == [["sts:AssumeRoleWithWebIdentity"]]
    conditions = {c["variable"][0]: (c["test"][0], c["values"][0]) for c in statement["condition"]}
    assert conditions == {
        "${local.github_oidc_host}:aud": ("StringEquals", ["sts.amazonaws.com"]),
        "${local.github_oidc_host}:sub": ("StringEquals", ["${local.github_subject}"]),
    }
    provider = main["resource"][0]["aws_iam_openid_connect_provider"]["github"]
    assert provider["client_id_list"] == [["sts.amazonaws.com"]]
    assert "thumbprint_list" not in provider
    variables = _load_hcl(module / "variables.tf")
    session = next(
        b["max_session_duration"] for b in variables["variable"] if "max_session_duration" in b
    )
    assert session["default"] == [3600]


def test_security_files_are_consistent(copie: Any) -> None:
    owned = ("*", "/.pavedroad/", "/.github/", "/.secrets.baseline", "/modules/")
    assert_security_files(_render(copie, {"owner": "@acme/storage"}), "@acme/storage", owned)


def test_two_renders_are_identical(copie: Any) -> None:
    first, second = _render(copie, {}), _render(copie, {})
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


@pytest.mark.parametrize(
    "bad",
    ["../evil", "a/b", "has space", "Upper", "", "ab", "-abc", "abc-", "a--b", "x" * 41],
)
def test_invalid_project_names_are_rejected(copie: Any, bad: str) -> None:
    result = copie.copy(extra_answers={"project_name": bad}, template_dir=TEMPLATE)
    assert result.exit_code != 0
    assert "project_name must be 3-40 characters" in str(result.exception)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"project_name": "sthree-data"}, "project_name must not start with sthree-"),
        ({"replica_region": "us-east-1"}, "replica_region must differ from aws_region"),
        ({"aws_region": "mars-north-1"}, "aws_region"),
        ({"github_repository": "no-slash"}, "github_repository must be owner/repo"),
        ({"github_repository": "acme/.."}, "github_repository must be owner/repo"),
        ({"github_repository": "acme/x/y"}, "github_repository must be owner/repo"),
        ({"github_environment": "prod env"}, "github_environment must be 1-63 characters"),
        ({"kms_deletion_window_days": 6}, "kms_deletion_window_days must be between 7 and 30"),
        ({"kms_deletion_window_days": 31}, "kms_deletion_window_days must be between 7 and 30"),
        ({"access_log_retention_days": 30}, "access_log_retention_days must be between"),
        ({"noncurrent_version_expiration_days": 1}, "noncurrent_version_expiration_days must"),
    ],
)
def test_other_invalid_answers_are_rejected(
    copie: Any, answers: dict[str, Any], message: str
) -> None:
    result = copie.copy(extra_answers=answers, template_dir=TEMPLATE)
    assert result.exit_code != 0
    assert message in str(result.exception)


def test_scenarios_match_the_catalog_entry() -> None:
    catalog = yaml.safe_load((REPO / "catalog.yaml").read_text(encoding="utf-8"))
    entries = [t for t in catalog["templates"] if t["id"] == "terraform-aws"]
    if not entries:
        pytest.skip("catalog.yaml has no terraform-aws entry yet")
    assert entries[0]["scenarios"] == SCENARIOS
    assert entries[0]["path"] == "templates/terraform-aws"
