"""Fixtures for deliver tests: a clean CI environment and a CLI runner at a fixed width."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from typer.testing import CliRunner, Result

from pavedroad.cli import app
from pavedroad.deliver import http

_CI_PREFIXES = ("GITHUB_", "GITLAB_", "CI_", "JIRA_", "PAVED_GITHUB", "PAVED_GITLAB")


@pytest.fixture(autouse=True)
def _clean_ci_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start every test outside any CI: no platform variable leaks in from the machine."""
    for name in list(os.environ):
        if name.startswith(_CI_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setattr(http, "BACKOFF_S", 0.01)  # retries stay real, the waits short


Invoke = Callable[..., Result]


@pytest.fixture
def invoke() -> Invoke:
    """Run `paved ARGS...` in-process with extra environment variables."""
    runner = CliRunner()

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        base = {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"}
        return runner.invoke(app, list(args), env={**base, **(env or {})})

    return run
