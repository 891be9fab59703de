"""Pin every user-visible format; PAVED_UPDATE_SNAPSHOTS=1 rewrites the stored copies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from pavedroad.gate.result import GateResult
from pavedroad.reports import FORMATS, REPORTERS
from pavedroad.reports.interface import Reporter
from pavedroad.reports.sarif import SarifReporter
from pavedroad.reports.text import render_scan

Snapshot = Callable[[str, str], None]
EXTENSIONS = {
    "sarif": "sarif",
    "sarif-upload": "sarif",
    "junit": "xml",
    "markdown": "md",
    "json": "json",
    "github": "txt",
    "gitlab": "json",
    "text": "txt",
}


def _pinned(name: str) -> Reporter:
    """Return the registered reporter, with the scanner versions pinned for SARIF."""
    reporter = REPORTERS[name]
    if isinstance(reporter, SarifReporter):
        return replace(reporter, version_of=lambda scanner: "0.0.0-test")
    return reporter


def test_every_format_has_an_extension() -> None:
    assert set(EXTENSIONS) == set(FORMATS)


@pytest.mark.parametrize("name", FORMATS)
def test_mixed_result(name: str, mixed: GateResult, snapshot: Snapshot) -> None:
    snapshot(f"{name}.{EXTENSIONS[name]}", _pinned(name).render(mixed))


@pytest.mark.parametrize("name", FORMATS)
def test_empty_result(name: str, empty: GateResult, snapshot: Snapshot) -> None:
    snapshot(f"{name}-empty.{EXTENSIONS[name]}", _pinned(name).render(empty))


@pytest.mark.parametrize("name", FORMATS)
def test_held_result(name: str, held: GateResult, snapshot: Snapshot) -> None:
    snapshot(f"{name}-held.{EXTENSIONS[name]}", _pinned(name).render(held))


@pytest.mark.parametrize("name", ["markdown", "text"])
def test_capped_result(name: str, many_blocking: GateResult, snapshot: Snapshot) -> None:
    snapshot(f"{name}-capped.{EXTENSIONS[name]}", _pinned(name).render(many_blocking))


def test_scan_table(mixed: GateResult, snapshot: Snapshot) -> None:
    snapshot("text-scan.txt", render_scan([g.finding for g in mixed.findings]))
