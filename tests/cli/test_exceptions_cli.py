"""The exception workflow end to end: gate blocks, request from its output, gate passes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from tests.helpers import VULNERABLE_FILES, write_tree
from typer.testing import CliRunner

from pavedroad.cli import app

pytestmark = pytest.mark.slow

EXISTING = """\
# Reviewed by @acme/security; keep records sorted by id.
version: 1
exceptions: []  # none yet
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "COLUMNS": "100",
        "NO_COLOR": "1",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PAVED_TODAY": "2026-11-28",
        "PAVED_CACHE_DIR": str(tmp_path / "results"),
    }


def invoke(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_request_from_blocked_gate_then_gate_passes(tmp_path: Path, env: dict[str, str]) -> None:
    repo = write_tree(
        tmp_path / "repo",
        {"config.py": VULNERABLE_FILES["config.py"], ".pavedroad/exceptions.yaml": EXISTING},
    )
    code, out, err = invoke(env, "gate", str(repo), "--stage", "pr")
    assert code == 1, out + err
    refs = re.findall(r"paved exceptions request ([0-9a-f]{12})", out + err)
    assert refs, out

    code, out, err = invoke(
        env,
        "exceptions",
        "request",
        refs[0],
        "--path",
        str(repo),
        "--owner",
        "@acme/payments",
        "--approver",
        "@acme/security",
        "--justification",
        "Test fixture key, never deployed",
        "--days",
        "30",
        "--control",
        "key disabled in IAM",
    )
    assert code == 0, out + err
    assert "+  - id: EXC-0001" in out
    assert "Added EXC-0001 for AWSKeyDetector in config.py" in out
    text = (repo / ".pavedroad/exceptions.yaml").read_text()
    assert text.startswith("# Reviewed by @acme/security; keep records sorted by id.\n")
    record = yaml.safe_load(text)["exceptions"][0]
    assert record["expires"].isoformat() == "2026-12-28"
    assert record["paths"] == ["config.py"] and record["rule"] == "AWSKeyDetector"

    code, out, err = invoke(env, "gate", str(repo), "--stage", "pr")
    assert code == 0, out + err
    assert "1 excepted" in out

    code, out, _ = invoke(env, "exceptions", "list", str(repo))
    assert code == 0 and "EXC-0001" in out and "active" in out

    env_later = {**env, "PAVED_TODAY": "2027-01-05"}
    code, out, err = invoke(env_later, "gate", str(repo), "--stage", "pr")
    assert code == 1, "an expired exception re-activates the gate"
    assert "EXC-0001" in out + err and "@acme/payments" in out + err


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--days", "10"], "--control: AWSKeyDetector is critical"),
        (["--days", "120", "--control", "c"], "exceeds the policy cap of 90"),
    ],
    ids=["missing-controls", "beyond-cap"],
)
def test_request_is_validated_against_the_policy(
    tmp_path: Path, env: dict[str, str], extra: list[str], expected: str
) -> None:
    repo = write_tree(tmp_path / "repo", {"config.py": VULNERABLE_FILES["config.py"]})
    code, out, err = invoke(env, "gate", str(repo), "--stage", "pr")
    ref = re.findall(r"paved exceptions request ([0-9a-f]{12})", out + err)[0]
    who = ["--owner", "@a", "--approver", "@b", "--justification", "because"]
    code, out, err = invoke(env, "exceptions", "request", ref, "--path", str(repo), *who, *extra)
    assert code == 2
    assert expected in err
    assert not (repo / ".pavedroad/exceptions.yaml").exists()


def test_unknown_reference(tmp_path: Path, env: dict[str, str]) -> None:
    repo = write_tree(tmp_path / "repo", {"README.md": "hi\n"})
    code, _, err = invoke(
        env,
        "exceptions",
        "request",
        "abcdef123456",
        "--path",
        str(repo),
        "--owner",
        "@a",
        "--approver",
        "@b",
        "--justification",
        "x",
    )
    assert code == 2
    assert "no gate run recorded" in err


def test_malformed_exceptions_file_never_lets_the_gate_pass(
    tmp_path: Path, env: dict[str, str]
) -> None:
    repo = write_tree(
        tmp_path / "repo",
        {
            "README.md": "clean\n",
            ".pavedroad/exceptions.yaml": "version: 1\nexceptions:\n  - id: EXC-1\n    rule: x\n",
        },
    )
    code, _, err = invoke(env, "gate", str(repo), "--stage", "pr")
    assert code == 2
    assert "exceptions.yaml: exceptions[0] (EXC-1)." in err


def _repo_with_records(root: Path, owner: str, rule: str, n: int) -> Path:
    records = [
        {
            "id": f"EXC-{i:04d}",
            "rule": rule,
            "paths": [f"deploy/app{i}.yaml"],
            "justification": "digest set by release",
            "owner": owner,
            "approver": "@sec",
            "created": "2026-11-01",
            "expires": "2026-12-05" if i == 1 else "2027-01-20",
        }
        for i in range(1, n + 1)
    ]
    return write_tree(
        root, {".pavedroad/exceptions.yaml": yaml.safe_dump({"version": 1, "exceptions": records})}
    )


def test_review_across_repositories_flags_patterns(tmp_path: Path, env: dict[str, str]) -> None:
    a = _repo_with_records(tmp_path / "svc-a", "@team-a", "CKV_K8S_43", 2)
    b = _repo_with_records(tmp_path / "svc-b", "@team-b", "CKV_K8S_43", 1)
    code, out, err = invoke(
        {**env, "PAVED_TODAY": "2026-12-01"}, "exceptions", "review", str(a), str(b)
    )
    assert code == 0, out + err
    assert "3 record(s)" in out
    assert "@team-a: 2" in out and "@team-b: 1" in out
    assert "expiring soon:" in out
    assert "pattern: CKV_K8S_43 is excepted 3 time(s) in 2 repositories" in out
    code, out, _ = invoke(
        {**env, "PAVED_TODAY": "2026-12-10"},
        "exceptions",
        "review",
        str(a),
        str(b),
        "--format",
        "json",
    )
    data = yaml.safe_load(out)
    assert data["totals"]["expired"] == 2
    assert data["patterns"][0]["rule"] == "CKV_K8S_43"
    code, out, _ = invoke(env, "exceptions", "review", str(a), "--format", "markdown")
    assert out.startswith("## Exception review, 2026-11-28")


def test_review_html_is_self_contained(tmp_path: Path, env: dict[str, str]) -> None:
    a = _repo_with_records(tmp_path / "svc-a", "@team-<a>", "CKV_K8S_43", 3)
    out_file = tmp_path / "review.html"
    code, _, err = invoke(
        env, "exceptions", "review", str(a), "--format", "html", "--output", str(out_file)
    )
    assert code == 0, err
    page = out_file.read_text()
    assert page.startswith("<!doctype html>")
    assert "<svg" in page and "<script" not in page and "http" not in page.split("<body>")[0]
    assert "@team-&lt;a&gt;" in page and "@team-<a>" not in page
    assert "pattern: CKV_K8S_43 is excepted 3 time(s)" in page
