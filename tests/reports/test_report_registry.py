"""The report registry, the shared contract of every reporter, and exhaustive enum maps."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from pavedroad import reports
from pavedroad.findings import Severity
from pavedroad.gate.result import GateResult, Verdict
from pavedroad.reports import FORMATS, REPORTERS
from pavedroad.reports._common import count_phrase
from pavedroad.reports.github import command_for
from pavedroad.reports.gitlab import gitlab_severity
from pavedroad.reports.sarif import default_level, result_level, security_severity


def test_registry_has_every_documented_format() -> None:
    expected = {"sarif", "sarif-upload", "junit", "markdown", "json", "github", "gitlab", "text"}
    assert set(REPORTERS) == expected
    assert tuple(REPORTERS) == FORMATS


def test_each_key_is_the_reporter_name_and_filenames_differ() -> None:
    assert all(reporter.name == key for key, reporter in REPORTERS.items())
    filenames = [r.default_filename for r in REPORTERS.values()]
    assert len(set(filenames)) == len(filenames)


def test_render_dispatches_by_name(mixed: GateResult) -> None:
    assert reports.render("json", mixed) == REPORTERS["json"].render(mixed)


def test_unknown_format_raises_key_error_naming_the_choices(mixed: GateResult) -> None:
    with pytest.raises(KeyError, match="use one of: sarif, sarif-upload"):
        reports.render("pdf", mixed)


@pytest.mark.parametrize("name", FORMATS)
def test_output_has_no_trailing_newline_and_no_colour(name: str, mixed: GateResult) -> None:
    text = reports.render(name, mixed)
    assert text and not text.endswith("\n")
    assert "\x1b" not in text


@pytest.mark.parametrize("name", FORMATS)
def test_output_does_not_depend_on_finding_order(name: str, mixed: GateResult) -> None:
    shuffled = list(mixed.findings)
    random.Random(7).shuffle(shuffled)
    other = replace(mixed, findings=tuple(reversed(shuffled)))
    assert reports.render(name, other) == reports.render(name, mixed)


@pytest.mark.parametrize("name", FORMATS)
def test_empty_result_renders(name: str, empty: GateResult) -> None:
    text = reports.render(name, empty)
    assert isinstance(text, str)
    assert not text.endswith("\n")


def test_every_verdict_maps_in_every_format() -> None:
    assert {v: result_level(v) for v in Verdict} == {
        Verdict.BLOCK: "error",
        Verdict.TICKET: "warning",
        Verdict.WARN: "warning",
        Verdict.INFO: "note",
        Verdict.EXCEPTED: "note",
    }
    assert [command_for(v) for v in Verdict] == ["error", "warning", "warning", "notice", "notice"]
    assert [count_phrase(v, 2) for v in Verdict] == [
        "2 blocking",
        "2 to ticket",
        "2 warnings",
        "2 info",
        "2 excepted",
    ]
    assert count_phrase(Verdict.WARN, 1) == "1 warning"


def test_every_severity_maps_in_every_format() -> None:
    assert [security_severity(s) for s in Severity] == ["0.0", "3.0", "5.5", "8.0", "9.5"]
    assert [default_level(s) for s in Severity] == ["note", "warning", "warning", "error", "error"]
    assert [gitlab_severity(s) for s in Severity] == [
        "info",
        "minor",
        "major",
        "critical",
        "blocker",
    ]
