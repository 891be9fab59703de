"""A large secrets scan spread over spawned processes: the same findings, in the same order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.scanners.helpers import CREDS, PRIVATE_KEY, write_tree

from pavedroad.errors import ScannerError
from pavedroad.findings import Finding
from pavedroad.scan.workspace import collect
from pavedroad.scanners import secrets_parallel
from pavedroad.scanners.secrets import SecretsScanner

# Text with no secret, ~60 KB a file: Markdown rows that used to cost detect-secrets seconds.
FILLER = ("| option" + " " * 200 + "| [docs](https://example.com/d?a=1&b=c) |\n") * 250


@pytest.fixture(scope="module")
def big_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 2.5 MB in 40 files, with secrets (one allowlisted) in every fourth file."""
    files: dict[str, str] = {}
    for i in range(40):
        secrets = CREDS if i % 4 == 0 else PRIVATE_KEY if i % 4 == 1 else ""
        files[f"docs/page{i:02}.md"] = FILLER[: 1000 * i] + secrets + FILLER
    return write_tree(tmp_path_factory.mktemp("big"), files)


def _scan(root: Path, timeout: float = 600.0) -> tuple[Finding, ...]:
    return SecretsScanner(timeout=timeout).scan(collect(root).target())


def _spread(monkeypatch: pytest.MonkeyPatch, *, spread: bool) -> None:
    monkeypatch.setattr(secrets_parallel, "PARALLEL_BYTES", 0 if spread else 10**12)


def test_the_size_decides_whether_to_spread() -> None:
    assert secrets_parallel.workers_for(secrets_parallel.PARALLEL_BYTES - 1) == 1
    assert secrets_parallel.workers_for(10**9) == secrets_parallel.cpus()


def test_chunks_keep_the_order_and_every_copy() -> None:
    copies: list[Any] = list(range(10))
    sizes = [100, 200, 10, 10, 300, 1, 1, 1, 250, 2]
    for parts in (1, 2, 3, 4, 20):
        found: list[Any] = secrets_parallel.chunks(copies, sizes, parts)
        assert [c for chunk in found for c in chunk] == copies
        assert len(found) <= parts and all(found)
    halves: list[Any] = secrets_parallel.chunks(copies, sizes, 2)
    assert halves == [[0, 1, 2, 3], [4, 5, 6, 7, 8, 9]]


@pytest.mark.skipif(secrets_parallel.cpus() < 2, reason="one CPU: the scan is never spread")
def test_spread_scan_equals_the_single_process_scan(
    big_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = sum(p.stat().st_size for p in big_repo.rglob("*.md"))
    assert secrets_parallel.workers_for(total) >= 2  # the real threshold: this one is spread
    _spread(monkeypatch, spread=False)
    single = _scan(big_repo)
    _spread(monkeypatch, spread=True)
    spread = _scan(big_repo)
    assert spread == single
    assert len({f.path for f in single if f.rule_id == "AWSKeyDetector"}) == 10
    assert any(f.inline_suppressed for f in single)


@pytest.mark.skipif(secrets_parallel.cpus() < 2, reason="one CPU: the scan is never spread")
# Before the workers start; inside a worker (its start-up alone, ~0.3 s of imports, outlasts it).
@pytest.mark.parametrize("timeout", [0.0, 0.1])
def test_a_worker_past_the_deadline_fails_the_scan(
    big_repo: Path, monkeypatch: pytest.MonkeyPatch, timeout: float
) -> None:
    _spread(monkeypatch, spread=True)
    with pytest.raises(ScannerError, match="timed out"):
        _scan(big_repo, timeout=timeout)


@pytest.mark.skipif(secrets_parallel.cpus() < 2, reason="one CPU: the scan is never spread")
def test_a_share_of_many_files_reaches_its_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each worker's share is megabytes of JSON (a line map per file): through a pipe, the gate
    # waited for a worker that waited for the rest of its input.
    files = {f"notes/n{i:03}.txt": "a\n" * 3000 for i in range(300)}
    files["notes/n150.txt"] = CREDS
    root = write_tree(tmp_path / "many", files)
    _spread(monkeypatch, spread=True)
    found = _scan(root, timeout=120.0)
    assert {f.path for f in found if f.rule_id == "AWSKeyDetector"} == {"notes/n150.txt"}
