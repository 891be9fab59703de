"""The fleet workflows: valid by the vendored schemas, zizmor-clean, pinned, least privilege."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import check_jsonschema
import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / ".github" / "workflows" / "paved-fleet.yml"
GITLAB = ROOT / "fleet" / "gitlab-fleet.yml"
VENDOR = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor"
USES = re.compile(r"^\s*(?:-\s*)?uses:\s*([^@\s]+)@(\S+)(?:\s+#\s*(\S+))?", re.M)


def _check_jsonschema(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "check_jsonschema", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)


def test_github_workflow_matches_the_vendored_schema() -> None:
    done = _check_jsonschema("--builtin-schema", "vendor.github-workflows", str(GITHUB))
    assert done.returncode == 0, done.stdout + done.stderr


def test_github_workflow_is_zizmor_clean_offline() -> None:
    zizmor = Path(sys.executable).parent / "zizmor"
    command = [
        str(zizmor) if zizmor.exists() else "zizmor",
        "--offline",
        "--persona",
        "pedantic",
        "--strict-collection",
        "--format",
        "json",
        str(GITHUB),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == []


def test_github_workflow_is_reusable_pinned_and_least_privilege() -> None:
    text = GITHUB.read_text(encoding="utf-8")
    flow: dict[Any, Any] = yaml.safe_load(text)
    trigger = flow[True]["workflow_call"]  # YAML 1.1 reads the `on` key as True
    assert {"repositories", "max-parallel"} <= set(trigger["inputs"])
    assert flow["permissions"] == {}
    matrix = flow["jobs"]["repository"]["strategy"]
    assert matrix["max-parallel"] == "${{ inputs.max-parallel }}"
    assert flow["jobs"]["repository"]["permissions"] == {"contents": "read"}
    assert flow["jobs"]["report"]["permissions"] == {}
    pins = USES.findall(text)
    assert pins and all(re.fullmatch(r"[0-9a-f]{40}", sha) and tag for _, sha, tag in pins)
    templates = "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "templates").rglob("*.yml*") if p.is_file()
    )
    known = {(action, sha) for action, sha, _ in USES.findall(templates)}
    for action, sha, _ in pins:  # checkout and setup-python: the very pins the templates use
        if action.startswith(("actions/checkout", "actions/setup-python")):
            assert (action, sha) in known
    steps = [s for job in flow["jobs"].values() for s in job["steps"]]
    installs = [s["run"] for s in steps if "pip install" in s.get("run", "")]
    assert installs and all("pip install ./pavedroad" in run for run in installs)
    commands = " ".join(s.get("run", "") for s in steps)
    for needed in (
        "paved drift",
        "paved exceptions review",
        "--stage nightly",
        "paved metrics ingest",
        "paved metrics report",
    ):
        assert needed in commands


def test_gitlab_pipeline_matches_the_vendored_schema() -> None:
    header, pipeline = yaml.safe_load_all(GITLAB.read_text(encoding="utf-8"))
    assert set(header["spec"]["inputs"]) >= {"repositories", "pavedroad-project", "pavedroad-ref"}
    assert header["spec"]["inputs"]["repositories"]["type"] == "array"
    schema = json.loads((VENDOR / "gitlab-ci.json").read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(pipeline))
    assert errors == [], [e.message for e in errors]
    job = pipeline["paved-fleet-repository"]
    assert job["parallel"]["matrix"] == [{"REPOSITORY": "$[[ inputs.repositories ]]"}]
    report = pipeline["paved-fleet-report"]
    assert report["needs"] == [{"job": "paved-fleet-repository", "artifacts": True}]
    script = " ".join(
        job["script"] + report["script"] + pipeline[".paved-fleet-install"]["before_script"]
    )
    assert "pip install ./pavedroad" in script
    for needed in (
        "paved drift",
        "paved exceptions review",
        "--stage nightly",
        "paved metrics ingest",
        "paved metrics report",
    ):
        assert needed in script


@pytest.mark.parametrize("path", [GITHUB, GITLAB], ids=["github", "gitlab"])
def test_no_token_is_written_into_a_file_or_a_clone(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "persist-credentials: true" not in text
    if path is GITLAB:  # the clone drops the token from the remote before anything runs
        assert 'remote set-url origin "https://${CI_SERVER_HOST}/${REPOSITORY}.git"' in text
