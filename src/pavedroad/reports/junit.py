"""JUnit XML, so CI systems show findings next to their test results.

One `<testsuite>` per scanner (every scanner that ran, even with no findings), one
`<testcase>` per finding named `<rule_id> <path>:<line>` with the scanner as classname.
Blocking findings are `<failure>`s whose body says how to fix them or request an
exception; excepted findings are `<skipped>`; everything else passes and explains
its verdict in `<system-out>` (a finding that would block but was held back says so, and
`<properties>` on `<testsuites>` count them per reason). There are no timings, so the
output is deterministic.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from typing import assert_never

from pavedroad.gate.result import GatedFinding, GateResult, Verdict
from pavedroad.reports._common import (
    HOLD_ORDER,
    exception_command,
    held_counts,
    hold_label,
    is_web_url,
    location_label,
    one_line,
    ordered,
    scanner_names,
    xml_text,
)
from pavedroad.textsafe import printable

FALLBACK_SUITE = "pavedroad"


@dataclass(frozen=True)
class JunitReporter:
    """JUnit XML with one testsuite per scanner."""

    name: str = "junit"
    default_filename: str = "pavedroad-junit.xml"

    def render(self, result: GateResult) -> str:
        """Render the gate result as an indented JUnit XML document."""
        title = f"pavedroad gate {xml_text(one_line(result.stage))}"
        root = ET.Element("testsuites", {"name": title})
        findings = ordered(result.findings)
        for scanner in scanner_names(result) or (FALLBACK_SUITE,):
            mine = [g for g in findings if g.finding.scanner == scanner]
            root.append(_suite(scanner, mine))
        _set_counts(root, findings)
        _held_properties(root, result)
        ET.indent(root, space="  ")
        body = ET.tostring(root, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}'


def _set_counts(element: ET.Element, findings: Sequence[GatedFinding]) -> None:
    verdicts = [g.verdict for g in findings]
    element.set("tests", str(len(verdicts)))
    element.set("failures", str(verdicts.count(Verdict.BLOCK)))
    element.set("errors", "0")
    element.set("skipped", str(verdicts.count(Verdict.EXCEPTED)))


def _held_properties(root: ET.Element, result: GateResult) -> None:
    """Count the findings that would block but were held back, when there are any."""
    tally = held_counts(result)
    if not any(tally.values()):
        return
    properties = ET.Element("properties")
    for hold in HOLD_ORDER:
        ET.SubElement(
            properties, "property", {"name": f"held.{hold.value}", "value": str(tally[hold])}
        )
    root.insert(0, properties)


def _suite(scanner: str, findings: Sequence[GatedFinding]) -> ET.Element:
    suite = ET.Element("testsuite", {"name": xml_text(scanner)})
    _set_counts(suite, findings)
    suite.extend(_case(g) for g in findings)
    return suite


def _case(gated: GatedFinding) -> ET.Element:
    f = gated.finding
    name = f"{printable(f.rule_id)} {location_label(f)}"
    case = ET.Element("testcase", {"name": xml_text(name), "classname": xml_text(f.scanner)})
    match gated.verdict:
        case Verdict.BLOCK:
            message = f"{f.severity.label}: {one_line(f.title)}"
            _child(case, "failure", _failure_body(gated), message=message, type="block")
        case Verdict.EXCEPTED:
            reason = one_line(f"excepted: {gated.reason}")
            ET.SubElement(case, "skipped", {"message": xml_text(reason)})
        case Verdict.TICKET | Verdict.WARN | Verdict.INFO:
            _child(case, "system-out", _verdict_body(gated))
        case _:
            assert_never(gated.verdict)
    return case


def _child(parent: ET.Element, tag: str, text: str, **attributes: str) -> None:
    child = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})
    child.text = xml_text(text)


def _details(gated: GatedFinding) -> list[str]:
    f = gated.finding
    lines = [
        f"{f.severity.label} {printable(f.rule_id)}: {one_line(f.title)}",
        f"at {location_label(f)}" + (f" ({one_line(f.resource)})" if f.resource else ""),
        one_line(f.message),
        f"fix: {one_line(f.fix)}",
    ]
    if is_web_url(f.docs_url):
        lines.append(f"docs: {printable(f.docs_url)}")
    return [line for line in lines if line]


def _failure_body(gated: GatedFinding) -> str:
    lines = _details(gated)
    lines.append(f"blocks: {one_line(gated.reason)}" if gated.reason else "blocks this stage")
    lines.append(f"exception: {exception_command(gated.finding)}")
    return "\n".join(lines)


def _verdict_body(gated: GatedFinding) -> str:
    verdict = f"verdict: {gated.verdict.value}"
    head = f"{verdict} ({one_line(gated.reason)})" if gated.reason else verdict
    held = [f"held back: would block; {hold_label(gated.held)}"] if gated.held else []
    return "\n".join([head, *held, *_details(gated)])
