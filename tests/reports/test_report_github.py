"""GitHub workflow commands: one escaped line per finding, the right command per verdict."""

from __future__ import annotations

import re
from dataclasses import replace

from pavedroad.gate.result import GateResult
from pavedroad.reports.github import GithubReporter, escape_data, escape_property

REPORTER = GithubReporter()
COMMAND = re.compile(r"^::(error|warning|notice) ((?:\w+=[^,:]*,?)+)::(.*)$")


def _unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    return _unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def _parse(line: str) -> tuple[str, dict[str, str], str]:
    match = COMMAND.match(line)
    assert match, line
    props = dict(p.split("=", 1) for p in match.group(2).split(","))
    return match.group(1), {k: _unescape_property(v) for k, v in props.items()}, match.group(3)


def test_escaping_follows_the_actions_toolkit() -> None:
    assert escape_data("100%\r\nnext: a,b") == "100%25%0D%0Anext: a,b"
    assert escape_property("100%\r\nnext: a,b") == "100%25%0D%0Anext%3A a%2Cb"
    assert escape_data("%0A") == "%250A"


def test_one_line_per_finding_with_command_by_verdict(mixed: GateResult) -> None:
    lines = REPORTER.render(mixed).split("\n")[: len(mixed.findings)]
    commands = [_parse(line)[0] for line in lines]
    assert commands == ["error", "error", "warning", "warning", "notice", "notice"]


def test_gate_notes_follow_as_file_less_warnings(mixed: GateResult) -> None:
    lines = REPORTER.render(mixed).split("\n")
    assert len(lines) == len(mixed.findings) + len(mixed.notes)
    notes = lines[len(mixed.findings) :]
    assert notes[1] == (
        "::warning title=Paved Road exceptions::"
        "expiring: exception EXC-0042 (owner @sec) expires in 5 day(s) on 2025-03-31"
    )


def test_properties_locate_the_finding(mixed: GateResult) -> None:
    parsed = [_parse(line) for line in REPORTER.render(mixed).split("\n")[: len(mixed.findings)]]
    _, first, message = parsed[0]
    assert first == {
        "file": "infra/main.tf",
        "line": "12",
        "endLine": "20",
        "title": "CKV_AWS_20 S3 bucket ACL allows public READ access",
    }
    assert "Exception: paved exceptions request 28219321c0fa" in _unescape_data(message)
    titles = {p[1]["title"] for p in parsed}
    expected = (
        "DL3008 Pin versions in apt-get install: use <package>=<version>, e.g. curl=7.88.1-10"
    )
    assert expected in titles
    whole_file = next(p for p in parsed if p[1]["title"].startswith("CKV_DOCKER_2"))
    assert (whole_file[1]["line"], whole_file[1]["endLine"]) == ("1", "1")


def test_hostile_message_is_escaped_and_round_trips(mixed: GateResult) -> None:
    line = next(x for x in REPORTER.render(mixed).split("\n") if "DL3059" in x)
    _, _, data = _parse(line)
    assert "100%25 of" in data
    message = _unescape_data(data)
    assert message.startswith("Merge | *these* RUNs: 100% of layers <b>count</b>")
    assert "\nFix: Join the commands with `&&` in one RUN. Then rebuild." in message


def test_empty_result_prints_no_annotation(empty: GateResult) -> None:
    assert REPORTER.render(empty) == ""
    assert REPORTER.render(replace(empty, scanners=())) == ""
