"""What is gated: committed files wherever they live, what ships in an image, never a silent skip.

Real git repositories in tmp_path, real detect-secrets: issue 11 items 2 and 4, issue 20 items
5 and 6.
"""

from __future__ import annotations

import codecs
import os
import subprocess
from pathlib import Path

import pytest
from tests.scanners.helpers import AWS_KEY_ID, AWS_SECRET, CREDS, PRIVATE_KEY, write_tree
from typer.testing import CliRunner

from pavedroad.cli import app
from pavedroad.errors import ConfigError, UserError
from pavedroad.findings import Finding, Severity
from pavedroad.gate.evaluate import evaluate
from pavedroad.gate.result import Verdict
from pavedroad.policy import file as policy
from pavedroad.scan.run import scan
from pavedroad.scan.shipping import copy_sources
from pavedroad.scan.workspace import collect

GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
}
CONFLICT = "node_modules/\n<<<<<<< HEAD\n.env\n=======\n.env.local\n>>>>>>> feature\n"
SECRET_LINE = f"AWS_SECRET_ACCESS_KEY={AWS_SECRET}\n"


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, env=GIT_ENV, capture_output=True)


def _repo(root: Path, files: dict[str, str | bytes], *, force: tuple[str, ...] = ()) -> Path:
    """Write files, commit everything git does not ignore, and force-add the given paths."""
    write_tree(root, files)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    if force:
        _git(root, "add", "-f", *force)
    _git(root, "commit", "-q", "-m", "init", "--allow-empty")
    return root


def _secrets(root: Path) -> list[Finding]:
    return [f for f in scan(root, scanners=["secrets"]).findings if f.scanner == "secrets"]


def _secret_paths(root: Path) -> set[str]:
    return {f.path for f in _secrets(root) if f.rule_id != "PAVED_CONFLICT_MARKER"}


# --- issue 11 item 2: conflict markers ------------------------------------------------------


def test_conflict_markers_in_a_gitignore_are_a_high_finding(tmp_path: Path) -> None:
    write_tree(tmp_path, {".gitignore": CONFLICT, "app.py": "print('hi')\n"})
    found = [f for f in _secrets(tmp_path) if f.rule_id == "PAVED_CONFLICT_MARKER"]
    assert [(f.path, f.start_line, f.severity) for f in found] == [(".gitignore", 2, Severity.HIGH)]
    assert "README.md#paved_conflict_marker" in found[0].docs_url


@pytest.mark.parametrize(
    "text",
    [
        "Title\n=======\n\ntext\n",  # reStructuredText / Markdown underline
        "<<<<<<< not closed\n=======\n",
        "=======\n>>>>>>> x\n",
        "  <<<<<<< HEAD\n=======\n>>>>>>> b\n",  # not at line start
    ],
)
def test_underlines_and_partial_shapes_are_not_conflicts(tmp_path: Path, text: str) -> None:
    write_tree(tmp_path, {"docs/index.rst": text})
    assert not [f for f in _secrets(tmp_path) if f.rule_id == "PAVED_CONFLICT_MARKER"]


def test_diff3_conflict_is_found(tmp_path: Path) -> None:
    text = "a\n<<<<<<< ours\nx\n||||||| base\ny\n=======\nz\n>>>>>>> theirs\n"
    write_tree(tmp_path, {"main.tf": text})
    found = [f for f in _secrets(tmp_path) if f.rule_id == "PAVED_CONFLICT_MARKER"]
    assert [(f.path, f.start_line) for f in found] == [("main.tf", 2)]


# --- issue 11 item 4 / issue 20 item 5: what is gated in a git repository -------------------


def test_a_git_ignored_env_file_is_not_gated(tmp_path: Path) -> None:
    _repo(tmp_path, {".gitignore": ".env\n", ".env": SECRET_LINE, "app.py": "print(1)\n"})
    ws = collect(tmp_path)
    assert ".env" not in ws.files and ws.not_gated == 1
    assert _secret_paths(tmp_path) == set()


def test_outside_git_every_file_is_gated(tmp_path: Path) -> None:
    write_tree(tmp_path, {".gitignore": ".env\n", ".env": SECRET_LINE})
    assert _secret_paths(tmp_path) == {".env"}


def test_an_untracked_file_that_is_not_ignored_is_gated(tmp_path: Path) -> None:
    _repo(tmp_path, {"app.py": "print(1)\n"})
    write_tree(tmp_path, {"new.env": SECRET_LINE})
    assert _secret_paths(tmp_path) == {"new.env"}


@pytest.mark.parametrize("folder", ["node_modules", "venv", ".terraform", "__pycache__"])
def test_committed_files_in_vendored_folders_are_gated(tmp_path: Path, folder: str) -> None:
    _repo(tmp_path, {f"{folder}/creds.env": CREDS, f"{folder}/id_rsa": PRIVATE_KEY})
    assert _secret_paths(tmp_path) == {f"{folder}/creds.env", f"{folder}/id_rsa"}


def test_committed_iac_in_vendored_folders_is_checked(tmp_path: Path) -> None:
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
        "    - name: c\n      image: nginx\n      securityContext:\n        privileged: true\n"
    )
    _repo(
        tmp_path,
        {"node_modules/pod.yaml": pod, ".gitignore": "node_modules/\n"},
        force=("node_modules/pod.yaml",),
    )
    report = scan(tmp_path, scanners=["checkov"])
    assert any(
        f.path == "node_modules/pod.yaml" and f.scanner == "checkov" for f in report.findings
    )


def test_untracked_vendored_and_ignored_content_is_skipped_and_counted(tmp_path: Path) -> None:
    _repo(tmp_path, {".gitignore": "build/\n", "app.py": "print(1)\n"})
    write_tree(
        tmp_path,
        {"node_modules/x/creds.env": CREDS, "build/a.env": SECRET_LINE, "build/b.env": SECRET_LINE},
    )
    ws = collect(tmp_path)
    assert ws.files == (".gitignore", "app.py")
    assert ws.not_gated == 2  # build/ (one folder as git reports it) and node_modules/x/creds.env
    assert _secret_paths(tmp_path) == set()


def test_a_deleted_tracked_file_is_not_reported(tmp_path: Path) -> None:
    _repo(tmp_path, {"gone.py": "x = 1\n", "app.py": "y = 2\n"})
    (tmp_path / "gone.py").unlink()
    ws = collect(tmp_path)
    assert ws.files == ("app.py",) and ws.skipped == ()


def test_only_paths_respect_git_ignore(tmp_path: Path) -> None:
    _repo(tmp_path, {".gitignore": ".env\n", ".env": SECRET_LINE, "src/app.py": "x = 1\n"})
    assert collect(tmp_path, ["."]).files == (".gitignore", "src/app.py")
    assert collect(tmp_path, ["src"]).files == ("src/app.py",)


# --- issue 11 item 4: an ignored file that ships in an image -------------------------------

DOCKERFILE = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . /app\nUSER 1000\n"


def test_an_ignored_secret_copied_into_an_image_is_a_finding(tmp_path: Path) -> None:
    _repo(tmp_path, {".gitignore": ".env\n", ".env": SECRET_LINE, "Dockerfile": DOCKERFILE})
    assert collect(tmp_path).shipped == (".env",)
    assert _secret_paths(tmp_path) == {".env"}


def test_dockerignore_keeps_an_ignored_secret_out_of_the_image(tmp_path: Path) -> None:
    _repo(
        tmp_path,
        {
            ".gitignore": ".env\n",
            ".env": SECRET_LINE,
            "Dockerfile": DOCKERFILE,
            ".dockerignore": "**/.env\n",
        },
    )
    assert collect(tmp_path).shipped == ()
    assert _secret_paths(tmp_path) == set()


def test_copy_of_a_folder_ships_the_ignored_files_in_it(tmp_path: Path) -> None:
    dockerfile = (
        "FROM python:3.12-slim\nCOPY --from=builder /x /x\n"
        "COPY --chown=1000 \\\n  conf/ /etc/app/\nUSER 1000\n"
    )
    _repo(
        tmp_path,
        {
            ".gitignore": "secrets/\n*.env\n",
            "conf/prod.env": SECRET_LINE,
            "secrets/key.env": SECRET_LINE,
            "deploy/Dockerfile": dockerfile,
            "conf/app.yaml": "a: 1\n",
        },
    )
    assert collect(tmp_path).shipped == ("conf/prod.env",)


# --- issue 20 item 6: unscanned is not clean ------------------------------------------------


def test_a_secret_in_a_file_over_1_mb_is_found(tmp_path: Path) -> None:
    write_tree(tmp_path, {"dump.sql": "\n" * 1_100_000 + SECRET_LINE})  # cheap to scan
    assert _secret_paths(tmp_path) == {"dump.sql"}
    report = scan(tmp_path, scanners=["secrets"])
    partial = [f for f in report.findings if f.rule_id == "PAVED_NOT_FULLY_SCANNED"]
    assert [f.path for f in partial] == ["dump.sql"]
    assert "PAVED_NOT_SCANNED" not in {f.rule_id for f in report.findings}


def test_a_secret_after_a_nul_byte_is_found(tmp_path: Path) -> None:
    write_tree(tmp_path, {"notes.txt": b"header\x00\n" + SECRET_LINE.encode()})
    assert _secret_paths(tmp_path) == {"notes.txt"}


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
    ],
)
def test_a_secret_in_utf16_or_utf32_is_found(tmp_path: Path, bom: bytes, codec: str) -> None:
    text = f"# settings\nAWS_ACCESS_KEY_ID={AWS_KEY_ID}\n{SECRET_LINE}"
    write_tree(tmp_path, {"settings.env": bom + text.encode(codec)})
    found = _secrets(tmp_path)
    assert ("settings.env", 2) in {(f.path, f.start_line) for f in found}


def test_a_real_binary_is_not_scanned_and_warns_at_gating_stages(tmp_path: Path) -> None:
    write_tree(tmp_path, {"blob.bin": bytes(range(256)) * 64})
    report = scan(tmp_path, scanners=["secrets"])
    [unscanned] = [f for f in report.findings if f.rule_id == "PAVED_NOT_SCANNED"]
    default = policy.parse(policy.DEFAULT_POLICY, "policy")
    verdicts = {
        stage: evaluate([unscanned], default, stage, root=".", files_scanned=0, scanners=())
        .findings[0]
        .verdict
        for stage in ("pre-commit", "pr", "release")  # stages that block
    }
    assert verdicts == dict.fromkeys(verdicts, Verdict.WARN)
    strict = policy.parse({**policy.DEFAULT_POLICY, "unscanned": "block"}, "policy")
    gated = evaluate([unscanned], strict, "release", root=".", files_scanned=0, scanners=())
    assert gated.findings[0].verdict is Verdict.BLOCK and gated.blocked


def test_the_unscanned_knob_is_strict(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unscanned"):
        policy.parse({**policy.DEFAULT_POLICY, "unscanned": "ignore"}, "policy.yaml")


# --- end to end: `paved gate --stage release` --------------------------------------------

RUNNER = CliRunner()


def _gate(root: Path) -> tuple[int, str]:
    result = RUNNER.invoke(
        app,
        ["gate", str(root), "--stage", "release", "--no-cache"],
        env={"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"},
    )
    return result.exit_code, result.stdout


@pytest.mark.slow
def test_release_gate_passes_over_an_ignored_env_and_says_what_was_left_out(
    tmp_path: Path,
) -> None:
    _repo(tmp_path, {".gitignore": ".env\n", ".env": SECRET_LINE, "app.py": "print(1)\n"})
    code, out = _gate(tmp_path)
    assert code == 0, out
    assert "not gated: 1 git-ignored or vendored path" in out


@pytest.mark.slow
def test_release_gate_blocks_an_ignored_env_that_ships_in_the_image(tmp_path: Path) -> None:
    _repo(tmp_path, {".gitignore": ".env\n", ".env": SECRET_LINE, "Dockerfile": DOCKERFILE})
    code, out = _gate(tmp_path)
    assert code == 1 and ".env" in out, out


@pytest.mark.slow
def test_release_gate_blocks_conflict_markers_in_a_gitignore(tmp_path: Path) -> None:
    _repo(tmp_path, {".gitignore": CONFLICT, "app.py": "print(1)\n"})
    code, out = _gate(tmp_path)
    assert code == 1 and "PAVED_CONFLICT_MARKER" in out, out


@pytest.mark.slow
def test_release_gate_blocks_a_key_committed_under_node_modules(tmp_path: Path) -> None:
    _repo(
        tmp_path,
        {".gitignore": "node_modules/\n", "node_modules/pkg/id_rsa": PRIVATE_KEY},
        force=("node_modules/pkg/id_rsa",),
    )
    code, out = _gate(tmp_path)
    assert code == 1 and "node_modules/pkg/id_rsa" in out, out


def test_outside_git_vendored_folders_are_counted(tmp_path: Path) -> None:
    write_tree(tmp_path, {"node_modules/a/x.js": "x\n", "venv/y.py": "y\n", "app.py": "z\n"})
    ws = collect(tmp_path)
    assert ws.files == ("app.py",) and ws.not_gated == 2


@pytest.mark.parametrize(
    ("dockerfile", "sources"),
    [
        ('COPY ["conf/a.env", "b/", "/dst/"]\n', ["conf/a.env", "b/"]),
        ("ADD https://example.com/x.tgz /x\nADD local.tgz /y\n", ["local.tgz"]),
        ("# COPY . /\ncopy --chown=1:1 \\\n  src \\\n  /app\n", ["src"]),
        ("COPY --from=build /out /out\nRUN echo COPY . .\n", []),
    ],
)
def test_copy_sources(dockerfile: str, sources: list[str]) -> None:
    assert list(copy_sources(dockerfile)) == sources


def test_without_git_a_git_repository_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(tmp_path / "repo", {"app.py": "x = 1\n"})
    plain = write_tree(tmp_path / "plain", {"app.py": "x = 1\n"})
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    with pytest.raises(UserError, match="git is needed"):
        collect(repo)
    assert collect(plain).files == ("app.py",)


def test_a_shipped_finding_says_why_it_is_gated(tmp_path: Path) -> None:
    _repo(tmp_path, {".gitignore": ".env\n", ".env": SECRET_LINE, "Dockerfile": DOCKERFILE})
    [found] = [f for f in _secrets(tmp_path) if f.path == ".env"]
    assert "ignored by git" in found.message and ".dockerignore" in found.fix
    assert "git history" not in found.fix


def test_drift_reports_a_weaker_unscanned_setting() -> None:
    from pavedroad.policy.compare import compare_policies

    strict = policy.parse({**policy.DEFAULT_POLICY, "unscanned": "block"}, "policy")
    default = policy.parse(policy.DEFAULT_POLICY, "policy")
    [change] = compare_policies(strict, default)
    assert (change.field, change.reference, change.actual, change.weaker) == (
        "unscanned",
        "block",
        "warn",
        True,
    )
