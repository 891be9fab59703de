"""Change sets from real git repositories, and incremental results equal to full ones."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import copier
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.helpers import tool_of
from tests.scanners.helpers import BUCKET, CREDS, DEPLOYMENT, DOCKERFILE, PRIVATE_KEY, write_tree

from pavedroad import proc
from pavedroad.catalog import model as catalog
from pavedroad.errors import PavedError, UserError
from pavedroad.findings import Finding
from pavedroad.gate.result import Hold
from pavedroad.gate.run import gate_repository
from pavedroad.scan import changes as incremental
from pavedroad.scan.cache import ResultCache, units
from pavedroad.scan.changes import (
    Selection,
    change_set,
    default_ref,
    gated_paths,
    kubernetes_manifests,
    select,
)
from pavedroad.scan.run import ScanReport, restrict, scan
from pavedroad.scan.workspace import collect
from pavedroad.scanners.hadolint import HadolintScanner

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV},
    )
    return done.stdout.strip()


def init_repo(root: Path, files: dict[str, str]) -> Path:
    write_tree(root, files)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "base")
    return root


def commit(root: Path, message: str = "change") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


# --- change sets ---------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return init_repo(
        tmp_path / "repo",
        {
            ".gitignore": "*.log\nbuild/\n",
            "app/modified.txt": "one\n",
            "app/deleted.txt": "gone soon\n",
            "app/renamed.txt": "a file that moves, long enough for rename detection\n",
            "app/same.txt": "never touched\n",
        },
    )


def test_every_kind_of_change(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    write_tree(repo, {"app/committed.txt": "on the branch\n"})
    commit(repo)
    (repo / "app/modified.txt").write_text("two\n")
    (repo / "app/deleted.txt").unlink()
    git(repo, "mv", "app/renamed.txt", "app/moved.txt")
    write_tree(repo, {"app/staged.txt": "staged\n"})
    git(repo, "add", "app/staged.txt")
    write_tree(repo, {"app/untracked.txt": "new\n", "debug.log": "ignored\n", "build/x": "ignored"})
    change = change_set(repo, "main")
    assert change.changed == (
        "app/committed.txt",
        "app/modified.txt",
        "app/moved.txt",
        "app/staged.txt",
        "app/untracked.txt",
    )
    assert change.deleted == ("app/deleted.txt", "app/renamed.txt")
    assert change.base == git(repo, "rev-parse", "main")
    assert "app/committed.txt" not in change_set(repo, "HEAD").changed


def test_changes_on_the_target_branch_are_not_ours(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    write_tree(repo, {"app/ours.txt": "x\n"})
    commit(repo)
    git(repo, "checkout", "-q", "main")
    write_tree(repo, {"app/theirs.txt": "y\n"})
    commit(repo)
    git(repo, "checkout", "-q", "feature")
    assert change_set(repo, "main").changed == ("app/ours.txt",)


def test_a_subfolder_root_sees_its_own_paths(repo: Path) -> None:
    (repo / "app/modified.txt").write_text("two\n")
    write_tree(repo, {"other.txt": "outside the root\n"})
    assert change_set(repo / "app", "HEAD").changed == ("modified.txt",)


def test_unknown_ref_is_a_usage_error(repo: Path) -> None:
    with pytest.raises(UserError, match="--changed-since no-such-branch: unknown revision") as err:
        change_set(repo, "no-such-branch")
    assert err.value.exit_code == 2
    with pytest.raises(UserError, match="not a git revision"):
        change_set(repo, "--output=/tmp/x")


def test_outside_git_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="needs a git repository") as err:
        change_set(tmp_path, "HEAD")
    assert err.value.exit_code == 2
    with pytest.raises(UserError, match="needs a git repository"):
        select(tmp_path, "changed", "main")


@pytest.mark.parametrize("config", sorted(incremental.FULL_TRIGGERS))
def test_a_config_change_means_a_full_evaluation(repo: Path, config: str) -> None:
    write_tree(repo, {config: "changed: true\n"})
    selection = select(repo, "changed", "HEAD")
    assert selection.full and selection.note is not None
    assert selection.note.startswith(f"{config} changed since HEAD")


def test_a_terraform_change_gates_its_whole_module(repo: Path) -> None:
    module = {"infra/main.tf": BUCKET, "infra/vars.tf": "", "infra/x.md": "", "net/a.tf": ""}
    write_tree(repo, module)
    commit(repo)
    (repo / "infra/vars.tf").write_text('variable "acl" {}\n')
    (repo / "net/a.tf").unlink()
    write_tree(repo, {"net/b.tf": ""})
    change = change_set(repo, "HEAD")
    assert gated_paths(repo, change) == ("infra/main.tf", "infra/vars.tf", "net/b.tf")


def test_a_deleted_terraform_file_gates_its_siblings(repo: Path) -> None:
    write_tree(repo, {"infra/main.tf": BUCKET, "infra/override.tf": ""})
    commit(repo)
    (repo / "infra/override.tf").unlink()
    assert select(repo, "changed", "HEAD").paths == ("infra/main.tf",)


def test_nothing_changed_is_said_not_silent(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "app/same.txt").write_text("touched\n")
    commit(repo)
    git(repo, "revert", "--no-edit", "HEAD")
    selection = select(repo, "changed", "main")
    assert selection.paths == ()
    assert selection.note is not None and selection.note.startswith("no file changed since main")


def test_nothing_changed_at_head_is_no_base_so_everything_is_evaluated(repo: Path) -> None:
    # A CI checkout of a pushed commit compares it with itself: "0 files" would be a silent pass.
    selection = select(repo, "changed", "HEAD")
    assert selection.full
    assert selection.note == "every file was evaluated: no change since HEAD (merge-base is HEAD)"


def test_full_scope_ignores_the_change_set(repo: Path) -> None:
    assert select(repo, "full", None) == Selection(None, None)
    ignored = select(repo, "full", "no-such-ref")
    assert ignored.full and ignored.note == "full-scope stage: --changed-since was ignored"


# --- the default comparison ------------------------------------------------------------------


def test_default_is_head_without_upstream(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_BASE_REF", raising=False)
    monkeypatch.delenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", raising=False)
    (repo / "app/modified.txt").write_text("two\n")
    ref, why = default_ref(repo)
    assert ref == "HEAD" and "no upstream or default branch" in why
    assert select(repo, "changed", None).paths == ("app/modified.txt",)


def test_default_prefers_the_ci_target_then_origin_default(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = git(repo, "rev-parse", "HEAD")
    git(repo, "update-ref", "refs/remotes/origin/main", head)
    git(repo, "update-ref", "refs/remotes/origin/release", head)
    git(repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
    monkeypatch.delenv("GITHUB_BASE_REF", raising=False)
    monkeypatch.delenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", raising=False)
    assert default_ref(repo)[0] == "origin/main"
    monkeypatch.setenv("GITHUB_BASE_REF", "release")
    assert default_ref(repo) == ("origin/release", "GITHUB_BASE_REF")
    assert select(repo, "changed", None).note == (
        "every file was evaluated: no change since origin/release "
        "(GITHUB_BASE_REF; merge-base is HEAD)"
    )
    (repo / "app/modified.txt").write_text("two\n")
    assert select(repo, "changed", None).note == (
        f"evaluated 1 changed file since origin/release (GITHUB_BASE_REF; merge-base {head[:12]})"
    )
    monkeypatch.setenv("GITHUB_BASE_REF", "not-fetched")
    assert default_ref(repo)[0] == "origin/main"


def test_default_outside_git_evaluates_everything(tmp_path: Path) -> None:
    selection = select(tmp_path, "changed", None)
    assert selection.full
    assert selection.note == f"{tmp_path} is not in a git repository: every file was evaluated"


def test_default_without_a_commit_evaluates_everything(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    selection = select(tmp_path, "changed", None)
    assert selection.full and selection.note is not None and "no commit yet" in selection.note


def test_git_missing_is_a_usage_error(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "no-bin"))  # every git runs through proc.git
    with pytest.raises(UserError, match="git is needed"):
        change_set(repo, "HEAD")


# --- the gate over a change set ---------------------------------------------------------------

EXCEPTIONS = """\
version: 1
exceptions:
  - id: EXC-0001
    rule: DL3007
    paths: [nowhere/Dockerfile]
    justification: a record that matches nothing
    owner: "@team"
    approver: "@lead"
    created: 2026-01-01
    expires: 2026-02-01
"""


@pytest.fixture
def secrets_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository without IaC files: only the secrets scanner has work (fast)."""
    monkeypatch.setenv("PAVED_TODAY", "2026-01-15")
    return init_repo(
        tmp_path / "repo",
        {
            "config/creds.env": CREDS,
            "keys/deploy.pem": PRIVATE_KEY,
            "notes.txt": "hello\n",
            ".pavedroad/exceptions.yaml": EXCEPTIONS,
        },
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ResultCache:
    """A cache the gate tests share: exceptions.yaml is YAML, so checkov reads it."""
    return ResultCache(tmp_path_factory.mktemp("gate-cache"))


def _paths(result: object) -> set[str]:
    return {g.finding.path for g in getattr(result, "findings")}  # noqa: B009


def test_changed_scope_gates_only_changed_files(secrets_repo: Path) -> None:
    (secrets_repo / "keys/deploy.pem").write_text(PRIVATE_KEY + "# rotated\n")
    result = gate_repository(secrets_repo, "pr", changed_since="HEAD", remember=False)
    assert _paths(result) == {"keys/deploy.pem"}
    # The key was committed before: it would block, but only what a change introduces blocks.
    assert not result.blocked
    assert [g.finding.path for g in result.held_by(Hold.PRE_EXISTING)] == ["keys/deploy.pem"]
    assert not any(n.startswith("stale:") for n in result.notes)
    assert result.notes[-1].startswith("evaluated 1 changed file since HEAD")


def test_stale_notes_only_on_full_evaluations(secrets_repo: Path, store: ResultCache) -> None:
    full = gate_repository(secrets_repo, "release", remember=False, cache=store)
    assert _paths(full) == {"config/creds.env", "keys/deploy.pem"}
    assert "stale: exception EXC-0001 matches no finding; remove it" in full.notes
    (secrets_repo / ".secrets.baseline").write_text('{"results": {}}\n')  # a full trigger
    fallback = gate_repository(
        secrets_repo, "pr", changed_since="HEAD", remember=False, cache=store
    )
    assert _paths(fallback) == _paths(full)
    assert "stale: exception EXC-0001 matches no finding; remove it" in fallback.notes


def test_outside_git_a_changed_stage_gates_everything(
    secrets_repo: Path, store: ResultCache
) -> None:
    shutil.rmtree(secrets_repo / ".git")
    result = gate_repository(secrets_repo, "pr", remember=False, cache=store)
    assert _paths(result) == {"config/creds.env", "keys/deploy.pem"}
    assert result.notes[-1].endswith("is not in a git repository: every file was evaluated")


def test_deleted_files_drop_their_findings(secrets_repo: Path) -> None:
    (secrets_repo / "config/creds.env").unlink()
    write_tree(secrets_repo, {"notes.txt": "edited\n"})
    result = gate_repository(secrets_repo, "pr", changed_since="HEAD", remember=False)
    assert result.findings == ()
    assert result.files_scanned == 1


# --- real scanners, a rendered template, and the cache ---------------------------------------

VULNERABLE = {
    "vuln/Dockerfile": DOCKERFILE,
    "vuln/deploy.yaml": DEPLOYMENT,
    "vuln/creds.env": CREDS,
    "infra/main.tf": textwrap.dedent(
        """\
        resource "aws_s3_bucket" "data" {
          bucket = "my-data"
          acl    = var.acl
        }
        """
    ),
    "infra/variables.tf": 'variable "acl" {\n  default = "private"\n}\n',
    "infra/site.tf": BUCKET.replace('"data"', '"site"'),
}


def render_service(dest: Path) -> Path:
    """Render the python-service template (default answers) plus vulnerable files, in git."""
    template = catalog.load().get("python-service")
    copier.run_copy(
        str(template.directory), dest, defaults=True, unsafe=False, skip_tasks=True, quiet=True
    )
    return init_repo(dest, VULNERABLE)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ResultCache, ScanReport]:
    """A rendered service in git, its cache warmed by one full scan with every scanner."""
    root = render_service(tmp_path_factory.mktemp("service") / "svc")
    store = ResultCache(tmp_path_factory.mktemp("cache"))
    return root, store, scan(root, cache=store)


class Spy:
    """Record every command started through proc.run."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.commands: list[tuple[str, ...]] = []
        real = proc.run

        def run(command: list[str], **kwargs: object) -> proc.Completed:
            self.commands.append(tuple(command))
            return real(command, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(proc, "run", run)

    def started(self, tool: str) -> list[tuple[str, ...]]:
        return [c for c in self.commands if tool_of(c) == tool]


@pytest.fixture
def copy_of(
    service: tuple[Path, ResultCache, ScanReport], tmp_path: Path
) -> Iterator[tuple[Path, ResultCache, ScanReport]]:
    root, store, report = service
    dest = tmp_path / "svc"
    shutil.copytree(root, dest, symlinks=True)
    yield dest, store, report


@pytest.mark.slow
def test_rerun_with_nothing_changed_starts_no_scanner(
    service: tuple[Path, ResultCache, ScanReport], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, store, before = service
    assert {f.scanner for f in before.findings} >= {"checkov", "hadolint", "secrets"}
    spy = Spy(monkeypatch)
    again = scan(root, cache=store)
    assert spy.started("checkov") == [] and spy.started("hadolint") == []
    assert again == before


@pytest.mark.slow
def test_incremental_equals_full_restricted_with_checkov(
    copy_of: tuple[Path, ResultCache, ScanReport], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, store, _ = copy_of
    # The finding moves into main.tf although only variables.tf changed.
    (root / "infra/variables.tf").write_text('variable "acl" {\n  default = "public-read"\n}\n')
    (root / "infra/site.tf").unlink()
    git(root, "mv", "vuln/Dockerfile", "vuln/app.Dockerfile")
    write_tree(root, {"deploy/extra.yaml": DEPLOYMENT.replace("name: web", "name: extra")})
    (root / "vuln/creds.env").write_text(CREDS.replace("deployment", "prod"))
    selection = select(root, "changed", "HEAD")
    spy = Spy(monkeypatch)
    incremental_report = restrict(scan(root, files=selection.paths, cache=store), selection.paths)
    checkov_runs = spy.started("checkov")
    assert len(checkov_runs) == 1, "all misses go to one checkov run"
    here = root.resolve()
    args = [Path(a) for a in checkov_runs[0]]
    scanned = {a.relative_to(here).as_posix() for a in args if a.is_relative_to(here)}
    changed = {"infra/main.tf", "infra/variables.tf", "vuln/app.Dockerfile", "deploy/extra.yaml"}
    manifests = set(kubernetes_manifests(here, collect(here).files))
    assert {"deploy/k8s/networkpolicy.yaml", "vuln/deploy.yaml"} <= manifests
    assert scanned == changed | manifests, "misses only, with every manifest as graph context"
    full = restrict(scan(root), selection.paths)
    assert incremental_report.findings == full.findings
    assert ("CKV_AWS_20", "infra/main.tf") in {(f.rule_id, f.path) for f in full.findings}
    assert {f.path for f in full.findings} == set(selection.paths or ()) - {"infra/variables.tf"}


@pytest.mark.slow
def test_damaged_entry_is_recomputed(
    copy_of: tuple[Path, ResultCache, ScanReport], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, store, before = copy_of
    planned = units(HadolintScanner(), root, ["vuln/Dockerfile"])
    assert planned is not None
    store.path(planned[0].key).write_text('{"schema": 1, "key": "', encoding="utf-8")
    spy = Spy(monkeypatch)
    report = scan(root, scanners=["hadolint"], cache=store)
    assert [c[-1] for c in spy.started("hadolint")] == ["vuln/Dockerfile"]
    assert report.findings == tuple(f for f in before.findings if f.scanner == "hadolint")
    assert store.get(planned[0].key) is not None


# --- property: incremental == full restricted, for random edits --------------------------------

SNIPPETS = (
    "# an unrelated comment\n",
    f"AWS_SECRET_ACCESS_KEY={CREDS.split('AWS_SECRET_ACCESS_KEY=')[1].split()[0]}\n",
    "FROM ubuntu:latest\nUSER root\n",
    PRIVATE_KEY,
    "{{{ not parseable\n",
)
PROPERTY_SCANNERS = ("hadolint", "secrets")


@pytest.fixture(scope="module")
def property_base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], Path]:
    root = render_service(tmp_path_factory.mktemp("prop") / "svc")
    files = sorted(git(root, "ls-files").splitlines())
    return root, files, tmp_path_factory.mktemp("prop-cache")


def edits(files: list[str]) -> st.SearchStrategy[list[tuple[str, str, str]]]:
    one = st.one_of(
        st.tuples(st.just("append"), st.sampled_from(files), st.sampled_from(SNIPPETS)),
        st.tuples(st.just("delete"), st.sampled_from(files), st.just("")),
        st.tuples(st.just("rename"), st.sampled_from(files), st.sampled_from((".old", ".bak"))),
        st.tuples(
            st.just("add"),
            st.sampled_from(("new/Dockerfile", "new/creds.env", "new/notes.md")),
            st.sampled_from(SNIPPETS),
        ),
        st.tuples(st.sampled_from(("stage", "commit")), st.just(""), st.just("")),
    )
    return st.lists(one, min_size=1, max_size=5)


def apply(root: Path, steps: list[tuple[str, str, str]]) -> None:
    for action, path, arg in steps:
        target = root / path
        if action == "commit":
            commit(root)
        elif action == "stage":
            git(root, "add", "-A")
        elif action == "add":
            write_tree(root, {path: (target.read_text() if target.exists() else "") + arg})
        elif not target.exists():
            continue  # deleted or moved by an earlier step
        elif action == "append":
            target.write_text(target.read_text() + arg)
        elif action == "delete":
            target.unlink()
        else:
            target.rename(target.with_name(target.name + arg))


def outcome(
    root: Path,
    selection: Selection,
    store: ResultCache | None,
    keep: tuple[str, ...] | None = None,
) -> tuple[Finding, ...] | str:
    """Return the findings in the selected files (or kept ones), or the error a scan raised."""
    try:
        report = scan(root, files=selection.paths, scanners=PROPERTY_SCANNERS, cache=store)
    except PavedError as exc:
        return f"{type(exc).__name__}: {exc}"
    return restrict(report, selection.paths if keep is None else keep).findings


@pytest.mark.slow
def test_property_incremental_equals_full_restricted(
    property_base: tuple[Path, list[str], Path],
) -> None:
    base, files, cache_dir = property_base
    store = ResultCache(cache_dir)
    base_commit = git(base, "rev-parse", "HEAD")

    @settings(
        max_examples=8,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(edits(files))
    def check(steps: list[tuple[str, str, str]]) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "svc"
            shutil.copytree(base, root, symlinks=True)
            apply(root, steps)
            selection = select(root, "changed", base_commit)
            fresh = outcome(root, selection, store)
            assert fresh == outcome(root, Selection(None), None, keep=selection.paths)
            touched = {p for a, p, _ in steps if a in ("append", "add") and (root / p).exists()}
            assert selection.full or touched <= set(selection.paths or ())

    check()
