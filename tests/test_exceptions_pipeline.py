"""Exceptions requested from a CI artifact, a re-scan, interactively, and the approver rules."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from tests.helpers import VULNERABLE_FILES, write_tree
from typer.testing import CliRunner

from pavedroad.cli import app
from pavedroad.errors import UserError
from pavedroad.exceptions.request import ExceptionRequest, GateEntry, request_exception
from pavedroad.exceptions.request import save_last_gate as remember

pytestmark = pytest.mark.slow

WHO = ["--owner", "@acme/payments", "--justification", "fixture key, never deployed"]
SIGNED = [*WHO, "--approver", "@acme/security", "--control", "key disabled in IAM"]
ENTRY = GateEntry(
    fingerprint="0123456789abcdef0123",
    rule_id="CKV_DOCKER_8",
    title="Ensure the last USER is not root",
    severity="high",
    path="Dockerfile",
    resource="",
    verdict="block",
    stage="pr",
)


TRAILING = """\
version: 1
exceptions:
  - id: EXC-0001
    rule: CKV_DOCKER_2
    paths: [Dockerfile]
    justification: health is probed by the orchestrator
    owner: "@acme/payments"
    approver: "@acme/security"
    created: 2026-11-01
    expires: 2026-12-20

# Keep this comment last: records go above it.
"""


def invoke(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def environment(tmp_path: Path, machine: str) -> dict[str, str]:
    """Each machine (the CI runner, a developer's laptop) has its own caches."""
    return {
        "COLUMNS": "100",
        "NO_COLOR": "1",
        "XDG_CACHE_HOME": str(tmp_path / machine / "cache"),
        "PAVED_CACHE_DIR": str(tmp_path / machine / "results"),
        "PAVED_TODAY": "2026-11-28",
    }


@pytest.fixture(scope="module")
def ci_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Gate a repository as the pipeline does and keep its artifacts; return them and a ref."""
    tmp = tmp_path_factory.mktemp("ci")
    repo = write_tree(tmp / "repo", {"config.py": VULNERABLE_FILES["config.py"]})
    args = ["gate", str(repo), "--stage", "pr", "--format", "json", "--output"]
    args += [
        str(tmp / "gate.json"),
        "--format",
        "sarif-upload",
        "--output",
        str(tmp / "paved.sarif"),
    ]
    code, out, err = invoke(environment(tmp, "ci"), *args)
    assert code == 1, out + err
    ref = re.findall(r"paved exceptions request ([0-9a-f]{12})", out + err)[0]
    return tmp, ref


def clean_clone(ci: Path, tmp_path: Path, files: dict[str, str] | None = None) -> Path:
    """Copy the repository the pipeline gated: no gate has run on this machine."""
    clone = Path(shutil.copytree(ci / "repo", tmp_path / "clone"))
    return write_tree(clone, files or {})


@pytest.mark.parametrize("artifact", ["gate.json", "paved.sarif"])
def test_request_from_a_ci_artifact_on_a_clean_clone(
    ci_run: tuple[Path, str], tmp_path: Path, artifact: str
) -> None:
    ci, ref = ci_run
    clone = clean_clone(ci, tmp_path)
    env = environment(tmp_path, "laptop")
    code, _, err = invoke(env, "exceptions", "request", ref, "--path", str(clone), *SIGNED)
    assert code == 2 and "no gate run recorded" in err, "nothing local to look in"

    args = ["exceptions", "request", ref, "--from", str(ci / artifact), "--path", str(clone)]
    code, out, err = invoke(env, *args, *SIGNED)
    assert code == 0, out + err
    assert "Finding AWSKeyDetector (critical) in config.py" in out
    record = yaml.safe_load((clone / ".pavedroad/exceptions.yaml").read_text())["exceptions"][0]
    assert record["rule"] == "AWSKeyDetector" and record["paths"] == ["config.py"]
    assert ref.startswith(record["fingerprint"])
    assert record["controls"] == ["key disabled in IAM"]

    code, out, err = invoke(env, "gate", str(clone), "--stage", "pr")
    assert code == 0 and "1 excepted" in out, out + err


def test_an_unknown_reference_in_the_artifact_names_the_file_and_the_way_out(
    ci_run: tuple[Path, str], tmp_path: Path
) -> None:
    ci, _ = ci_run
    clone = clean_clone(ci, tmp_path)
    args = ["exceptions", "request", "abcdef123456", "--from", str(ci / "gate.json")]
    code, _, err = invoke(environment(tmp_path, "laptop"), *args, "--path", str(clone), *SIGNED)
    assert code == 2
    assert "no finding 'abcdef123456' in" in err and "gate.json" in err and "--path FILE" in err


def test_a_file_that_is_not_a_gate_result_is_refused(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"README.md": "hi\n"})
    bogus = write_tree(tmp_path, {"x.sarif": json.dumps({"runs": [{"results": [{}]}]})})
    args = ["exceptions", "request", "abcdef123456", "--from", str(bogus / "x.sarif")]
    code, _, err = invoke(environment(tmp_path, "laptop"), *args, "--path", str(repo), *SIGNED)
    assert code == 2 and "x.sarif: runs: not a SARIF log Paved Road wrote" in err


def test_path_file_scans_the_file_again_when_no_run_knows_the_reference(
    ci_run: tuple[Path, str], tmp_path: Path
) -> None:
    ci, ref = ci_run
    clone = clean_clone(ci, tmp_path, {".pavedroad/exceptions.yaml": TRAILING})
    env = environment(tmp_path, "laptop")
    args = ["exceptions", "request", ref, "--path", str(clone / "config.py"), *SIGNED]
    code, out, err = invoke(env, *args)
    assert code == 0, out + err
    assert "Added EXC-0002 for AWSKeyDetector in config.py" in out

    text = (clone / ".pavedroad/exceptions.yaml").read_text()
    assert text.endswith("\n# Keep this comment last: records go above it.\n"), text
    assert text.index("id: EXC-0002") < text.index("# Keep this comment last")
    records = yaml.safe_load(text)["exceptions"]
    assert [r["id"] for r in records] == ["EXC-0001", "EXC-0002"]

    code, _, err = invoke(env, "exceptions", "request", "abcdef123456", *args[3:])
    assert code == 2
    assert "a new scan of config.py does not report 'abcdef123456' either" in err


def test_path_outside_the_repository_is_refused(tmp_path: Path) -> None:
    repo = write_tree(
        tmp_path / "repo", {".pavedroad/policy.yaml": "version: 1\nstages: {pr: {scope: full}}\n"}
    )
    other = write_tree(tmp_path / "elsewhere", {"x.py": "x = 1\n"})
    args = ["exceptions", "request", "abcdef123456", "--path", str(other / "x.py")]
    code, _, err = invoke(environment(tmp_path, "laptop"), *args, "-C", str(repo), *SIGNED)
    assert code == 2 and "--path" in err and "outside the repository" in err


APPROVERS = """\
version: 1
stages: {pr: {scope: full, block: high}}
exceptions: {approvers: ["@acme/security", "@acme/platform"]}
"""


@pytest.mark.parametrize(
    ("approver", "expected"),
    [
        ("@bob", "--approver @bob: @bob may not approve exceptions; the policy's approvers are "
         "@acme/security, @acme/platform"),
        ("@acme/payments", "--approver @acme/payments: @acme/payments is also the owner"),
        ("@ACME/Security", ""),
    ],
    ids=["not-an-approver", "the-owner", "an-approver"],
)  # fmt: skip
def test_the_approver_is_one_of_the_policys_teams_and_not_the_owner(
    tmp_path: Path, approver: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = environment(tmp_path, "ci")
    monkeypatch.setenv("XDG_CACHE_HOME", env["XDG_CACHE_HOME"])
    repo = write_tree(tmp_path / "repo", {".pavedroad/policy.yaml": APPROVERS})
    remember(repo, [ENTRY])
    args = ["exceptions", "request", ENTRY.fingerprint, "--path", str(repo), *WHO]
    code, out, err = invoke(env, *args, "--control", "c", "--approver", approver)
    if expected:
        assert code == 2 and expected in err, out + err
        assert not (repo / ".pavedroad/exceptions.yaml").exists()
    else:
        assert code == 0, out + err


def test_a_record_approved_by_its_owner_fails_the_file(tmp_path: Path) -> None:
    owned = TRAILING.replace('approver: "@acme/security"', 'approver: "@acme/payments"')
    repo = write_tree(tmp_path / "repo", {".pavedroad/exceptions.yaml": owned})
    code, _, err = invoke(environment(tmp_path, "ci"), "exceptions", "list", str(repo))
    assert code == 2
    assert "(EXC-0001).approver: @acme/payments is also the owner" in err


def test_asked_interactively_for_controls_and_days(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PAVED_TODAY", "2026-11-28")
    repo = write_tree(tmp_path / "repo", {"README.md": "hi\n"})
    remember(repo, [ENTRY])
    asked: list[str] = []
    answers = {
        "Compensating": "runs as uid 10001 via securityContext; read-only root",
        "Days": "45",
    }

    def ask(question: str) -> str:
        asked.append(question)
        return next((v for k, v in answers.items() if question.startswith(k)), "@acme/security")

    request = ExceptionRequest(repo, ENTRY.fingerprint, days=None, owner="@acme/payments",
                               justification="base image fixed next sprint", ask=ask)  # fmt: skip
    result = request_exception(request)
    assert asked == [
        "Approver",
        "Compensating controls, separated by ';' (CKV_DOCKER_8 is high and the policy requires "
        "compensating controls at high and above)",
        "Days it lasts (1-90, default 30)",
    ]
    assert result.record_id == "EXC-0001"
    record = yaml.safe_load((repo / ".pavedroad/exceptions.yaml").read_text())["exceptions"][0]
    assert record["controls"] == ["runs as uid 10001 via securityContext", "read-only root"]
    assert record["expires"].isoformat() == "2027-01-12"

    answers["Days"] = "91"
    with pytest.raises(UserError, match=r"--days 91: exceeds the policy cap of 90"):
        request_exception(request)
    answers["Compensating"] = " ; "
    with pytest.raises(UserError, match="--control: CKV_DOCKER_8 is high"):
        request_exception(request)


def test_without_a_terminal_missing_controls_name_the_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    repo = write_tree(tmp_path / "repo", {"README.md": "hi\n"})
    remember(repo, [ENTRY])
    request = ExceptionRequest(repo, ENTRY.fingerprint, owner="@a", justification="j",
                               approver="@b")  # fmt: skip
    with pytest.raises(UserError, match=r"^--control: .*pass --control TEXT"):
        request_exception(request)
    assert not (repo / ".pavedroad/exceptions.yaml").exists()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"ticket": "SEC-42"}, "--ticket: not a web address; pass the ticket's http(s) URL"),
        ({"owner": "  "}, "--owner: must not be empty"),
        ({"justification": ""}, "--justification: must not be empty"),
    ],
    ids=["ticket", "owner", "justification"],
)
def test_record_problems_name_the_option_not_the_yaml_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fields: dict[str, str], expected: str
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    repo = write_tree(tmp_path / "repo", {"README.md": "hi\n"})
    remember(repo, [ENTRY])
    given = {"owner": "@a", "justification": "j", "approver": "@b", **fields}
    request = ExceptionRequest(repo, ENTRY.fingerprint, controls=("c",), **given)
    with pytest.raises(UserError) as raised:
        request_exception(request)
    assert str(raised.value).startswith(expected)
    assert "exceptions[" not in str(raised.value)
