"""The result cache: exact round trips, damaged entries, concurrent writers, unit keys."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import threading
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.helpers import make_finding
from tests.scanners.helpers import fake_tool, write_tree

from pavedroad.findings import Finding, Severity
from pavedroad.scan import cache
from pavedroad.scan.cache import ResultCache, decode, encode, units
from pavedroad.scanners.checkov import CheckovScanner
from pavedroad.scanners.hadolint import HadolintScanner
from pavedroad.scanners.secrets import SecretsScanner

KEY = cache.digest("a key")
TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
FINDINGS = st.builds(
    Finding,
    scanner=TEXT,
    rule_id=TEXT,
    title=TEXT,
    severity=st.sampled_from(Severity),
    path=TEXT,
    start_line=st.integers(0, 2**40),
    end_line=st.integers(0, 2**40),
    resource=TEXT,
    message=TEXT,
    fix=TEXT,
    docs_url=TEXT,
    fingerprint=TEXT,
    inline_suppressed=st.booleans(),
)


def finding(**overrides: Any) -> Finding:
    return make_finding(**overrides)


@settings(max_examples=60, deadline=None)
@given(st.lists(FINDINGS, max_size=4))
def test_findings_round_trip_exactly(found: list[Finding]) -> None:
    back = decode(encode(KEY, found), KEY)
    assert back == tuple(found)
    assert all(type(f.severity) is Severity for f in back)


def test_get_put_and_miss(tmp_path: Path) -> None:
    store = ResultCache(tmp_path / "c")
    assert store.get(KEY) is None
    assert store.put(KEY, [finding()])
    assert store.get(KEY) == (finding(),)
    assert store.path(KEY).parent.name == KEY[:2]


def test_empty_results_are_cached(tmp_path: Path) -> None:
    store = ResultCache(tmp_path)
    store.put(KEY, [])
    assert store.get(KEY) == ()


def _entry(**changes: object) -> str:
    data = json.loads(encode(KEY, [finding()]))
    item = data["findings"][0]
    for name, value in changes.items():
        if name in data and name != "findings":
            data[name] = value
        elif value is None:
            del item[name]
        else:
            item[name] = value
    return json.dumps(data)


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        encode(KEY, [finding()])[:-20],  # truncated by a crash
        "",
        "[]",
        _entry(schema=2),
        _entry(key=cache.digest("another")),
        _entry(severity="SEVERE"),
        _entry(start_line="1"),
        _entry(start_line=True),
        _entry(inline_suppressed=0),
        _entry(path=None),
        json.dumps({"schema": 1, "key": KEY, "findings": [{}], "extra": 1}),
        json.dumps({"schema": 1, "key": KEY, "findings": {"a": 1}}),
    ],
    ids=lambda t: t[:24],
)
def test_damaged_entry_is_discarded(tmp_path: Path, text: str) -> None:
    store = ResultCache(tmp_path)
    path = store.path(KEY)
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    assert store.get(KEY) is None
    assert not path.exists()
    store.put(KEY, [finding()])
    assert store.get(KEY) == (finding(),)


def test_undecodable_bytes_are_a_miss(tmp_path: Path) -> None:
    store = ResultCache(tmp_path)
    store.path(KEY).parent.mkdir(parents=True)
    store.path(KEY).write_bytes(b"\xff\xfe\x00")
    assert store.get(KEY) is None


def test_keys_must_be_digests(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a SHA-256"):
        ResultCache(tmp_path).path("../../etc/passwd")


def test_unwritable_cache_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = ResultCache(blocker / "cache")
    assert store.put(KEY, [finding()]) is False
    assert store.get(KEY) is None


def _aged(store: ResultCache, text: str, age_days: float, now: float) -> Path:
    path = store.path(cache.digest(text))
    store.put(cache.digest(text), [finding()])
    os.utime(path, (now - age_days * 86400, now - age_days * 86400))
    return path


def test_prune_removes_old_entries_at_most_once_a_day(tmp_path: Path) -> None:
    store, now = ResultCache(tmp_path), time.time()
    assert store.prune_if_due(now) == 0  # a new cache only starts the clock
    old, fresh = _aged(store, "old", 31, now), _aged(store, "fresh", 29, now)
    stray = old.with_name(old.name + ".123.456.tmp")
    stray.write_text("half an entry")
    os.utime(stray, (now - 40 * 86400, now - 40 * 86400))
    assert store.prune_if_due(now + 3600) == 0  # not a day since the clock started
    assert old.exists()
    assert store.prune_if_due(now + 86400) == 2
    assert not old.exists() and not stray.exists() and fresh.exists()
    assert store.get(cache.digest("fresh")) == (finding(),)


def test_prune_of_an_unwritable_cache_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert ResultCache(blocker / "cache").prune_if_due() == 0


def _hammer(directory: str, worker: int) -> None:
    store = ResultCache(Path(directory))
    for i in range(40):
        key = cache.digest(str(i % 5))
        store.put(key, [finding(start_line=i % 5 + 1)])
        got = store.get(key)
        assert got is None or got == (finding(start_line=i % 5 + 1),)


def test_concurrent_threads_never_corrupt_entries(tmp_path: Path) -> None:
    errors: list[BaseException] = []

    def run(worker: int) -> None:
        try:
            _hammer(str(tmp_path), worker)
        except BaseException as exc:  # collected and re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    _assert_all_entries_whole(tmp_path)


def test_concurrent_processes_never_corrupt_entries(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=_hammer, args=(str(tmp_path), n)) for n in range(3)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    _assert_all_entries_whole(tmp_path)


def _assert_all_entries_whole(directory: Path) -> None:
    store = ResultCache(directory)
    entries = list(directory.rglob("*.json"))
    assert len(entries) == 5
    assert not list(directory.rglob("*.tmp"))
    for path in entries:
        assert store.get(path.stem) is not None


def test_default_directory_honours_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAVED_CACHE_DIR", str(tmp_path))
    assert cache.default_directory() == tmp_path
    monkeypatch.delenv("PAVED_CACHE_DIR")
    assert cache.default_directory().parts[-2:] == ("pavedroad", "results")


# --- unit keys ---------------------------------------------------------------------------


def _keys(scanner: object, root: Path, files: list[str]) -> dict[tuple[str, ...], str]:
    planned = units(scanner, root, files)
    assert planned is not None
    return {u.files: u.key for u in planned}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path,
        {
            "Dockerfile": "FROM alpine:3.19\n",
            "infra/main.tf": 'resource "aws_s3_bucket" "b" {}\n',
            "infra/vars.tf": 'variable "x" {}\n',
            "deploy/app.yaml": "kind: Pod\n",
            "README.md": "# hi\n",
        },
    )


FILES = ["Dockerfile", "README.md", "deploy/app.yaml", "infra/main.tf", "infra/vars.tf"]


def test_units_per_scanner(tree: Path) -> None:
    assert set(_keys(CheckovScanner(), tree, FILES)) == {
        ("Dockerfile",),
        ("deploy/app.yaml",),
        ("infra/main.tf", "infra/vars.tf"),  # a Terraform module is one unit
    }
    assert set(_keys(HadolintScanner(), tree, FILES)) == {("Dockerfile",)}
    assert set(_keys(SecretsScanner(), tree, FILES)) == {(f,) for f in FILES}


def test_keys_follow_content_and_only_content(tree: Path) -> None:
    before = _keys(CheckovScanner(), tree, FILES)
    assert _keys(CheckovScanner(), tree, FILES) == before
    (tree / "infra/vars.tf").write_text('variable "y" {}\n')
    after = _keys(CheckovScanner(), tree, FILES)
    changed = {files for files in before if before[files] != after[files]}
    assert changed == {("infra/main.tf", "infra/vars.tf")}


def test_keys_differ_per_scanner_and_path(tree: Path) -> None:
    secrets = _keys(SecretsScanner(), tree, FILES)
    hadolint = _keys(HadolintScanner(), tree, FILES)
    assert secrets[("Dockerfile",)] != hadolint[("Dockerfile",)]
    (tree / "Copy.Dockerfile").write_text("FROM alpine:3.19\n")
    both = _keys(HadolintScanner(), tree, ["Dockerfile", "Copy.Dockerfile"])
    assert both[("Dockerfile",)] != both[("Copy.Dockerfile",)]


def test_configuration_is_part_of_the_key(tree: Path) -> None:
    hadolint = _keys(HadolintScanner(), tree, FILES)
    secrets = _keys(SecretsScanner(), tree, FILES)
    (tree / ".hadolint.yaml").write_text("ignored: [DL3007]\n")
    assert _keys(HadolintScanner(), tree, FILES) != hadolint
    assert _keys(SecretsScanner(), tree, FILES) == secrets
    (tree / ".secrets.baseline").write_text('{"results": {}}\n')
    assert _keys(SecretsScanner(), tree, FILES)[("README.md",)] != secrets[("README.md",)]


def test_tool_identity_is_part_of_the_key(tree: Path, tmp_path: Path) -> None:
    real = _keys(HadolintScanner(), tree, FILES)
    other = fake_tool(tmp_path / "bin", "hadolint", "exit 0")
    assert _keys(HadolintScanner(executable=other), tree, FILES) != real


def test_checkov_environment_is_part_of_the_key(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _keys(CheckovScanner(), tree, FILES)
    monkeypatch.setenv("CKV_SKIP_PACKAGE_UPDATE_CHECK", "true")  # the adapter sets it anyway
    assert _keys(CheckovScanner(), tree, FILES) == before
    monkeypatch.setenv("CKV_FRAMEWORK", "terraform")
    assert _keys(CheckovScanner(), tree, FILES) != before


def test_checkov_identity_is_what_is_installed_not_its_version(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _keys(CheckovScanner(), tree, FILES)
    monkeypatch.setenv("PYTHONPATH", str(tree))  # could shadow the checkov module
    shadowed = _keys(CheckovScanner(), tree, FILES)
    assert set(shadowed.values()).isdisjoint(before.values())
    monkeypatch.delenv("PYTHONPATH")
    real = metadata.distribution("checkov")

    class Patched:  # same name and version, other files: a patched installation
        version = real.version

        def read_text(self, name: str) -> str | None:
            return (real.read_text(name) or "") + "checkov/main.py,sha256=other,1\n"

        def locate_file(self, path: str) -> object:
            return real.locate_file(path)

    monkeypatch.setattr(metadata, "distribution", lambda name: Patched())
    patched = _keys(CheckovScanner(), tree, FILES)
    assert set(patched.values()).isdisjoint(before.values())


def test_unknown_scanners_and_missing_tools_are_not_cached(tree: Path, tmp_path: Path) -> None:
    assert units(object(), tree, FILES) is None
    missing = str(tmp_path / "no-such-hadolint")
    assert units(HadolintScanner(executable=missing), tree, FILES) is None


def test_unit_notices_a_changed_file(tree: Path) -> None:
    planned = units(HadolintScanner(), tree, FILES)
    assert planned is not None
    assert planned[0].unchanged(tree)
    (tree / "Dockerfile").write_text("FROM alpine:3.20\n")
    assert not planned[0].unchanged(tree)


def test_a_cache_folder_removed_meanwhile_is_made_again(tmp_path: Path) -> None:
    store = ResultCache(tmp_path / "c")
    assert store.put(KEY, [finding()])
    shutil.rmtree(tmp_path / "c")
    assert store.put(KEY, [finding()])
    assert store.get(KEY) == (finding(),)
