"""The warm checkov server gives exactly the direct run's findings, and falls back cleanly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pavedroad.findings import Finding
from pavedroad.scanners import checkov_warm
from pavedroad.scanners.checkov import OFFLINE_ENV, CheckovScanner
from pavedroad.workspace import collect

pytestmark = pytest.mark.slow


@pytest.fixture
def warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("PAVED_WARM_CHECKOV", "1")
    monkeypatch.setenv("PAVED_WARM_IDLE", "60")
    yield
    checkov_warm.stop(OFFLINE_ENV)


def _wait_for_server(deadline: float = 60) -> None:
    path = checkov_warm.socket_path(OFFLINE_ENV)
    end = time.monotonic() + deadline
    while time.monotonic() < end and not path.exists():
        time.sleep(0.2)
    assert path.exists(), "the warm server did not start"


def test_warm_scan_equals_direct_scan(
    warm: object, iac_repo: Path, checkov_findings: tuple[Finding, ...]
) -> None:
    target = collect(iac_repo).target()
    assert not checkov_warm.socket_path(OFFLINE_ENV).exists()
    first = CheckovScanner().scan(target)  # direct run; starts the server for next time
    _wait_for_server()
    calls: list[object] = []
    real_run = checkov_warm.run

    def counting(*args: object, **kwargs: object) -> object:
        done = real_run(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(done)
        return done

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(checkov_warm, "run", counting)
        second = CheckovScanner().scan(target)
    assert calls and calls[0] is not None, "the second scan went through the warm server"
    assert sorted(map(repr, second)) == sorted(map(repr, first))
    assert sorted(map(repr, second)) == sorted(map(repr, checkov_findings))


def test_no_server_means_direct_run(warm: object) -> None:
    assert checkov_warm.run(["--version"], Path("/"), {}, OFFLINE_ENV, 5) is None
    assert not checkov_warm.stop(OFFLINE_ENV)


def test_disabled_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAVED_WARM_CHECKOV")
    monkeypatch.setenv("CI", "true")
    assert not checkov_warm.enabled()
    monkeypatch.delenv("CI")
    assert checkov_warm.enabled()


def test_a_folder_others_can_write_is_never_trusted(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o700)
    assert checkov_warm._private(shared)
    shared.chmod(0o777)
    assert not checkov_warm._private(shared)
    assert not checkov_warm._trusted(shared / "checkov.sock")
