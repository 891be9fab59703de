"""Shared fixtures: small real copier templates and catalogs built in tmp_path."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import NETWORK_GUARD, catalog_yaml, tiny_template_files, write_tree

# Session fixtures scan before any function fixture runs: without this they would each start a
# warm checkov server (one per environment) that lingers for 10 minutes after the tests.
os.environ["PAVED_WARM_CHECKOV"] = "0"


@pytest.fixture
def warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Turn the warm checkov on, with its sockets in this test's folder; stop it afterwards."""
    from pavedroad.scanners import checkov_warm
    from pavedroad.scanners.checkov import OFFLINE_ENV

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("PAVED_WARM_CHECKOV", "1")
    monkeypatch.setenv("PAVED_WARM_IDLE", "60")
    yield
    checkov_warm.stop(OFFLINE_ENV)


@pytest.fixture(autouse=True)
def _isolated_store(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Publish into a store of this test, never the user's (`paved new` publishes lazily)."""
    monkeypatch.setenv("PAVED_STORE", str(tmp_path_factory.mktemp("store")))


@pytest.fixture
def tiny_catalog(tmp_path: Path) -> Path:
    """A catalog folder with one tiny, valid template."""
    root = tmp_path / "catalog"
    write_tree(root / "templates" / "tiny", tiny_template_files())
    (root / "catalog.yaml").write_text(catalog_yaml(), encoding="utf-8")
    return root


@pytest.fixture
def network_guard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Refuse and record every network connection, in this process and in subprocesses."""
    guard = tmp_path_factory.mktemp("netguard")
    (guard / "sitecustomize.py").write_text(NETWORK_GUARD, encoding="utf-8")
    log = guard / "network.log"
    log.touch()
    namespace: dict[str, Any] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NETGUARD_LOG", str(log))
        patch.setenv("PYTHONPATH", str(guard))
        for name in ("create_connection", "getaddrinfo"):
            patch.setattr(socket, name, getattr(socket, name))
        patch.setattr(socket.socket, "connect", socket.socket.connect)
        exec(compile(NETWORK_GUARD, "netguard", "exec"), namespace)  # guards this process too
        yield log


@pytest.fixture(autouse=True)
def _no_warm_checkov(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scan with a fresh checkov per test; tests of the warm server turn it on themselves."""
    monkeypatch.setenv("PAVED_WARM_CHECKOV", "0")
