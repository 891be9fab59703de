"""Render the dockerfile-* templates with pytest-copie and check what each scenario produces."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.templates.helpers import render_template

from pavedroad.exceptions import records as exceptions

from pavedroad.policy import file as policy

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"

# The catalog's answer sets for each template (catalog.yaml `scenarios`).
SCENARIOS: dict[str, dict[str, dict[str, Any]]] = {
    "dockerfile-python": {
        "default": {},
        "requirements": {
            "app_name": "billing-api",
            "python_version": "3.11",
            "port": 9000,
            "install_requirements": True,
        },
        "py313": {"app_name": "report-worker", "python_version": "3.13"},
    },
    "dockerfile-node": {
        "default": {},
        "node22": {"app_name": "web-bff", "node_version": "22", "port": 8080},
    },
    "dockerfile-go": {
        "default": {},
        "go125": {"app_name": "edge-proxy", "go_version": "1.25", "port": 9090},
    },
}
DEFAULTS: dict[str, dict[str, Any]] = {
    "dockerfile-python": {
        "app_name": "my-app",
        "python_version": "3.12",
        "port": 8000,
        "install_requirements": False,
    },
    "dockerfile-node": {"app_name": "my-app", "node_version": "24", "port": 3000},
    "dockerfile-go": {"app_name": "my-app", "go_version": "1.26", "port": 8080},
}
COMMON = {
    ".copier-answers.yml",
    ".dockerignore",
    ".hadolint.yaml",
    ".pavedroad/exceptions.yaml",
    ".pavedroad/policy.yaml",
    "Dockerfile",
    "README.md",
}
APP_FILES = {
    "dockerfile-python": {"app/__init__.py", "app/main.py", "app/healthcheck.py"},
    "dockerfile-node": {"package.json", "package-lock.json", "server.js", "healthcheck.js"},
    "dockerfile-go": {"go.mod", "main.go"},
}
# Which base images each version answer must build and run on (tags; digests come with them).
BASES: dict[str, dict[str, tuple[str, str]]] = {
    "dockerfile-python": {v: (f"python:{v}.", f"python:{v}.") for v in ("3.11", "3.12", "3.13")},
    "dockerfile-node": {
        v: (f"node:{v}.", f"gcr.io/distroless/nodejs{v}-debian12:nonroot") for v in ("22", "24")
    },
    "dockerfile-go": {
        v: (f"golang:{v}.", "gcr.io/distroless/static-debian12:nonroot") for v in ("1.25", "1.26")
    },
}
VERSION_KEY = {
    "dockerfile-python": "python_version",
    "dockerfile-node": "node_version",
    "dockerfile-go": "go_version",
}
CASES = [(tid, name) for tid, scenarios in SCENARIOS.items() for name in scenarios]
# FROM <image>:<tag>@sha256:<64 hex> AS <stage>: the tag documents, the digest decides.
PINNED_FROM = re.compile(
    r"^FROM (?P<tag>[a-z0-9./-]+:[A-Za-z0-9_.-]+)@sha256:[0-9a-f]{64} AS (?P<stage>[a-z]+)$"
)


def render(copie: Any, template_id: str, answers: dict[str, Any]) -> Path:
    return render_template(copie, TEMPLATES / template_id, answers)


def files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def instructions(dockerfile: Path) -> list[str]:
    """Return the Dockerfile's instructions with continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", dockerfile.read_text(encoding="utf-8"))
    return [line for line in joined.splitlines() if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("template_id", sorted(SCENARIOS))
def test_scenarios_match_the_catalog(template_id: str) -> None:
    catalog = yaml.safe_load((REPO / "catalog.yaml").read_text(encoding="utf-8"))
    entry = next((t for t in catalog["templates"] if t["id"] == template_id), None)
    assert entry is not None, f"catalog.yaml has no entry for {template_id}"
    assert entry["kind"] == "dockerfile"
    assert entry["path"] == f"templates/{template_id}"
    assert entry["scenarios"] == SCENARIOS[template_id]


@pytest.mark.parametrize(("template_id", "scenario"), CASES)
def test_scenario_renders_the_expected_files_and_answers(
    copie: Any, template_id: str, scenario: str
) -> None:
    answers = {**DEFAULTS[template_id], **SCENARIOS[template_id][scenario]}
    project = render(copie, template_id, SCENARIOS[template_id][scenario])

    expected = COMMON | APP_FILES[template_id]
    if answers.get("install_requirements"):
        expected |= {"requirements.txt"}
    assert files(project) == expected

    text = (project / ".copier-answers.yml").read_text(encoding="utf-8")
    assert text.startswith("# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n")
    recorded = yaml.safe_load(text)
    assert {k: v for k, v in recorded.items() if not k.startswith("_")} == answers
    assert recorded["_src_path"]


@pytest.mark.parametrize(("template_id", "scenario"), CASES)
def test_dockerfile_is_pinned_and_hardened(copie: Any, template_id: str, scenario: str) -> None:
    answers = {**DEFAULTS[template_id], **SCENARIOS[template_id][scenario]}
    project = render(copie, template_id, SCENARIOS[template_id][scenario])
    lines = (project / "Dockerfile").read_text(encoding="utf-8").splitlines()
    steps = instructions(project / "Dockerfile")

    froms = [
        (i, PINNED_FROM.match(line)) for i, line in enumerate(lines) if line.startswith("FROM")
    ]
    assert len(froms) == 2, "a builder and a runtime stage"
    for index, match in froms:
        assert match, f"not pinned by digest: {lines[index]}"
        comment = lines[index - 1].split()
        assert comment[:2] == ["#", match["tag"]], "the tag is written in a comment above FROM"
    builder, runtime = (match for _, match in froms if match)
    assert (builder["stage"], runtime["stage"]) == ("builder", "runtime")
    want_builder, want_runtime = BASES[template_id][answers[VERSION_KEY[template_id]]]
    assert builder["tag"].startswith(want_builder)
    assert runtime["tag"].startswith(want_runtime)

    users = [s.split()[1] for s in steps if s.startswith("USER ")]
    uid, gid = (int(part) for part in users[-1].split(":"))
    assert uid >= 10000 and gid >= 10000, "a fixed high, numeric UID:GID"
    assert steps.index(f"USER {users[-1]}") > steps.index(
        next(s for s in steps if "AS runtime" in s)
    )
    assert not any(s.startswith("ADD ") for s in steps)
    assert all("--chown=" in s for s in steps if s.startswith("COPY --from="))
    healthcheck = next(s for s in steps if s.startswith("HEALTHCHECK "))
    assert json.loads(healthcheck.split(" CMD ", 1)[1]), "exec form: the runtime may have no shell"
    assert json.loads(next(s for s in steps if s.startswith("ENTRYPOINT "))[len("ENTRYPOINT ") :])
    assert f"EXPOSE {answers['port']}" in steps
    assert "latest" not in (project / "Dockerfile").read_text(encoding="utf-8")


@pytest.mark.parametrize(("template_id", "scenario"), CASES)
def test_build_context_is_an_allow_list(copie: Any, template_id: str, scenario: str) -> None:
    project = render(copie, template_id, SCENARIOS[template_id][scenario])
    rules = [
        line
        for line in (project / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert rules[0] == "*", "everything is excluded unless allowed"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    copied = [
        source.rstrip("/")
        for step in instructions(project / "Dockerfile")
        if step.startswith("COPY ") and "--from=" not in step
        for source in step.split()[1:-1]
    ]
    assert copied and set(copied) <= allowed
    assert all((project / source).exists() for source in copied)


@pytest.mark.parametrize("template_id", sorted(SCENARIOS))
def test_gate_files_are_valid(copie: Any, template_id: str) -> None:
    project = render(copie, template_id, {})
    loaded = policy.load(project)
    assert set(loaded.stages) == set(policy.STANDARD_STAGES)
    assert loaded.max_days == 90
    assert loaded.inline_suppressions == "require-exception"
    assert exceptions.load(project, loaded, lambda _rule: None) == ()
    raw = yaml.safe_load((project / ".pavedroad/exceptions.yaml").read_text(encoding="utf-8"))
    assert raw == {"version": 1, "exceptions": []}
    hadolint = yaml.safe_load((project / ".hadolint.yaml").read_text(encoding="utf-8"))
    assert hadolint["failure-threshold"] == "style"
    assert "ignored" not in hadolint


def test_python_placeholder_compiles(copie: Any) -> None:
    for scenario in SCENARIOS["dockerfile-python"].values():
        project = render(copie, "dockerfile-python", scenario)
        for source in sorted((project / "app").glob("*.py")):
            compile(source.read_text(encoding="utf-8"), str(source), "exec")


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_placeholder_parses(copie: Any) -> None:
    project = render(copie, "dockerfile-node", {})
    for name in ("server.js", "healthcheck.js"):
        proc = subprocess.run(
            ["node", "--check", name], cwd=project, capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, proc.stderr
    package = json.loads((project / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((project / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["lockfileVersion"] == 3
    assert (lock["name"], lock["packages"][""]["name"]) == (package["name"], package["name"])


@pytest.mark.skipif(shutil.which("gofmt") is None, reason="the Go toolchain is not installed")
def test_go_placeholder_is_formatted(copie: Any) -> None:
    project = render(copie, "dockerfile-go", {})
    proc = subprocess.run(
        ["gofmt", "-l", "-e", "."], cwd=project, capture_output=True, text=True, check=False
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert (project / "go.mod").read_text(encoding="utf-8") == "module my-app\n\ngo 1.26\n"


@pytest.mark.parametrize("template_id", sorted(SCENARIOS))
@pytest.mark.parametrize(
    "name", ["", "x", "../app", "a/b", "has space", "Upper", "-lead", "trail-", "double--hyphen"]
)
def test_invalid_app_name_is_rejected(copie: Any, template_id: str, name: str) -> None:
    result = copie.copy(extra_answers={"app_name": name}, template_dir=TEMPLATES / template_id)
    assert result.exit_code != 0
    assert "app_name" in str(result.exception)


@pytest.mark.parametrize(
    ("template_id", "question", "value"),
    [
        ("dockerfile-python", "python_version", "3.10"),
        ("dockerfile-python", "port", 80),
        ("dockerfile-node", "node_version", "20"),
        ("dockerfile-node", "port", 70000),
        ("dockerfile-go", "go_version", "1.24"),
        ("dockerfile-go", "port", 1023),
    ],
)
def test_invalid_answer_is_rejected(
    copie: Any, template_id: str, question: str, value: Any
) -> None:
    result = copie.copy(extra_answers={question: value}, template_dir=TEMPLATES / template_id)
    assert result.exit_code != 0
    assert question in str(result.exception)
