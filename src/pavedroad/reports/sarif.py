"""SARIF 2.1.0 for GitHub code scanning, IDEs and any other SARIF viewer.

One run per scanner (each with a distinct `tool.driver.name`, so GitHub never has to
merge runs of one tool and category), all sharing ONE category, `pavedroad/`, through
`automationDetails.id` (which overrides the upload's own category): GitHub compares a pull
request's analysis with its base only within one category, so every stage reports under the
same one. Which uploads may update the default branch's alerts is the pipeline's choice: only
full-scope runs (the templates' nightly gate), never a `scope: changed` one, whose absent
findings GitHub would take as fixed. A scanner that ran and found nothing still gets an
empty run, so GitHub closes the alerts it fixed. Paths are repo-relative URIs under
`%SRCROOT%`; every result carries the Paved Road fingerprint in
`partialFingerprints["pavedroad/v1"]` and, because GitHub matches alerts by that key alone,
in `partialFingerprints["primaryLocationLineHash"]`: the fingerprint anchors on the resource
or the offending text, not the line number, so alerts survive unrelated line shifts.
A finding the stage would block but held back
(observe mode, baseline, pre-existing) has the property `held` with the reason's value.

Two flavours: `sarif` keeps excepted findings as results with an accepted external
suppression (for viewers that honour suppressions); `sarif-upload` leaves them out,
because GitHub code scanning ignores suppressions and would raise them as alerts.

The driver version is the installed version of the scanner's distribution; it is the
only input that does not come from the gate result (pass `version_of` to pin it).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, assert_never
from urllib.parse import quote

from pavedroad import knowledge
from pavedroad.findings import Finding, Severity
from pavedroad.gate.result import GatedFinding, GateResult, Verdict
from pavedroad.reports._common import (
    EXCEPTION_COMMAND,
    first_line,
    hold_label,
    is_web_url,
    last_line,
    md_link,
    md_text,
    one_line,
    ordered,
    repo_path,
    scanner_names,
    truncate,
)
from pavedroad.scanners.tool_info import installed_version, tool_info

JsonObject = dict[str, Any]
VersionLookup = Callable[[str], str | None]

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "pavedroad/v1"
GITHUB_FINGERPRINT_KEY = "primaryLocationLineHash"
CATEGORY = "pavedroad/"
FALLBACK_TOOL = "pavedroad"
# GitHub rejects longer values for these rule fields.
_NAME_LIMIT = 255
_DESCRIPTION_LIMIT = 1024


def security_severity(severity: Severity) -> str:
    """Return GitHub's security-severity score (a string) for a severity."""
    match severity:
        case Severity.CRITICAL:
            return "9.5"
        case Severity.HIGH:
            return "8.0"
        case Severity.MEDIUM:
            return "5.5"
        case Severity.LOW:
            return "3.0"
        case Severity.INFO:
            return "0.0"
        case _:
            assert_never(severity)


def result_level(verdict: Verdict) -> str:
    """Return the SARIF level of a result with this verdict."""
    match verdict:
        case Verdict.BLOCK:
            return "error"
        case Verdict.TICKET | Verdict.WARN:
            return "warning"
        case Verdict.INFO | Verdict.EXCEPTED:
            return "note"
        case _:
            assert_never(verdict)


def default_level(severity: Severity) -> str:
    """Return a rule's default SARIF level, before any stage policy applies."""
    match severity:
        case Severity.CRITICAL | Severity.HIGH:
            return "error"
        case Severity.MEDIUM | Severity.LOW:
            return "warning"
        case Severity.INFO:
            return "note"
        case _:
            assert_never(severity)


@dataclass(frozen=True)
class SarifReporter:
    """SARIF 2.1.0 shaped for GitHub code scanning."""

    name: str = "sarif"
    default_filename: str = "pavedroad.sarif"
    include_excepted: bool = True
    version_of: VersionLookup = installed_version

    def render(self, result: GateResult) -> str:
        """Render the SARIF log as indented JSON with sorted keys."""
        return json.dumps(self.log(result), indent=2, sort_keys=True, ensure_ascii=False)

    def log(self, result: GateResult) -> JsonObject:
        """Build the SARIF log object."""
        kept = [g for g in ordered(result.findings) if self._keeps(g)]
        runs = [
            self._run(result, scanner, [g for g in kept if g.finding.scanner == scanner])
            for scanner in scanner_names(result) or (FALLBACK_TOOL,)
        ]
        return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": runs}

    def _keeps(self, gated: GatedFinding) -> bool:
        return self.include_excepted or gated.verdict is not Verdict.EXCEPTED

    def _run(
        self, result: GateResult, scanner: str, findings: Sequence[GatedFinding]
    ) -> JsonObject:
        rules = _rules(scanner, findings)
        index = {rule["id"]: i for i, rule in enumerate(rules)}
        return {
            "tool": {"driver": self._driver(scanner, rules)},
            "automationDetails": {"id": CATEGORY},
            "originalUriBaseIds": {SRCROOT: _srcroot(result.root)},
            "results": [_result(g, index[g.finding.rule_id], result.root) for g in findings],
        }

    def _driver(self, scanner: str, rules: list[JsonObject]) -> JsonObject:
        driver: JsonObject = {"name": scanner, "rules": rules}
        info = tool_info(scanner)
        if info is not None:
            driver["informationUri"] = info.information_uri
        version = self.version_of(scanner)
        if version:
            driver["version"] = version
        return driver


def _srcroot(root: str) -> JsonObject:
    posix = PurePosixPath(root.replace("\\", "/"))
    if not posix.is_absolute():
        return {"description": {"text": "The root of the scanned repository."}}
    return {"uri": posix.as_uri().rstrip("/") + "/"}


def _rules(scanner: str, findings: Sequence[GatedFinding]) -> list[JsonObject]:
    """Return one rule per rule id, described by its most severe finding, sorted by id."""
    worst: dict[str, Finding] = {}
    for gated in findings:
        f = gated.finding
        if f.rule_id not in worst or f.severity > worst[f.rule_id].severity:
            worst[f.rule_id] = f
    return [_rule(scanner, worst[rule_id]) for rule_id in sorted(worst)]


def _rule(scanner: str, f: Finding) -> JsonObject:
    title = one_line(f.title) or f.rule_id
    info = tool_info(scanner)
    rule: JsonObject = {
        "id": f.rule_id,
        "name": truncate(title, _NAME_LIMIT),
        "shortDescription": {"text": truncate(title, _DESCRIPTION_LIMIT)},
        "fullDescription": {"text": truncate(_full_description(f, title), _DESCRIPTION_LIMIT)},
        "help": {"text": _help_text(f, title), "markdown": _help_markdown(f, title)},
        "defaultConfiguration": {"level": default_level(f.severity)},
        "properties": {
            "security-severity": security_severity(f.severity),
            "tags": _tags(f.rule_id),
            "precision": info.precision if info else "medium",
        },
    }
    if is_web_url(f.docs_url):
        rule["helpUri"] = f.docs_url
    return rule


def _full_description(f: Finding, title: str) -> str:
    fix = one_line(f.fix)
    return f"{title}. Fix: {fix}" if fix else title


def _help_text(f: Finding, title: str) -> str:
    parts = [title, *_why_text(f.rule_id), f"Fix: {one_line(f.fix) or 'see the documentation.'}"]
    parts += _snippet_text(f.rule_id)
    if is_web_url(f.docs_url):
        parts.append(f"Documentation: {f.docs_url}")
    parts.append(
        f"If it cannot be fixed yet, request a time-boxed exception: `{EXCEPTION_COMMAND} <ref>` "
        "with the reference `paved gate` prints."
    )
    return "\n\n".join(parts)


def _help_markdown(f: Finding, title: str) -> str:
    parts = [f"**{md_text(title)}**", *_why_markdown(f.rule_id)]
    parts.append(f"**Fix:** {md_text(f.fix) or 'see the documentation.'}")
    parts += _snippet_markdown(f.rule_id)
    link = md_link("Documentation", f.docs_url)
    if link:
        parts.append(link)
    parts.append(
        f"If it cannot be fixed yet, request a time-boxed exception with "
        f"`{EXCEPTION_COMMAND} <ref>`, using the reference `paved gate` prints."
    )
    return "\n\n".join(parts)


def _tags(rule_id: str) -> list[str]:
    """Return the rule's tags: security, plus external/cwe/cwe-N from the knowledge base."""
    entry = knowledge.lookup(rule_id)
    return list(entry.tags) if entry is not None else ["security"]


def _why_text(rule_id: str) -> list[str]:
    entry = knowledge.lookup(rule_id)
    if entry is None:
        return []
    owasp = f"; OWASP {entry.owasp}" if entry.owasp else ""
    return [f"Why it matters: {entry.why}", f"Class: {', '.join(entry.cwe_labels)}{owasp}"]


def _why_markdown(rule_id: str) -> list[str]:
    entry = knowledge.lookup(rule_id)
    if entry is None:
        return []
    cwes = ", ".join(
        md_link(label, url) for label, url in zip(entry.cwe_labels, entry.cwe_urls(), strict=True)
    )
    owasp = f"; OWASP {md_text(entry.owasp)}" if entry.owasp else ""
    return [f"**Why it matters:** {md_text(entry.why)}", f"**Class:** {cwes}{owasp}"]


def _snippet_text(rule_id: str) -> list[str]:
    entry = knowledge.lookup(rule_id)
    if entry is None or entry.snippet is None:
        return []
    return [f"Compliant example ({entry.snippet.label}):\n{textwrap.dedent(entry.snippet.text)}"]


def _snippet_markdown(rule_id: str) -> list[str]:
    entry = knowledge.lookup(rule_id)
    if entry is None or entry.snippet is None:
        return []
    code = textwrap.dedent(entry.snippet.text)
    fence = "````" if "```" in code else "```"
    label = f"Compliant example in the catalog (`{entry.snippet.label}`):"
    return [f"{label}\n\n{fence}\n{code}\n{fence}"]


def _result(gated: GatedFinding, rule_index: int, root: str) -> JsonObject:
    f = gated.finding
    result: JsonObject = {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": result_level(gated.verdict),
        "message": {"text": one_line(f.message) or one_line(f.title) or f.rule_id},
        "locations": [{"physicalLocation": _physical_location(f, root)}],
        "partialFingerprints": {
            FINGERPRINT_KEY: f.fingerprint,
            GITHUB_FINGERPRINT_KEY: f.fingerprint,
        },
        "properties": _result_properties(gated),
    }
    if gated.verdict is Verdict.EXCEPTED:
        result["suppressions"] = [_suppression(gated.reason)]
    return result


def _suppression(reason: str) -> JsonObject:
    suppression: JsonObject = {"kind": "external", "status": "accepted"}
    if reason:
        suppression["justification"] = reason
    return suppression


def _physical_location(f: Finding, root: str) -> JsonObject:
    path = repo_path(f.path, root)
    if PurePosixPath(path).is_absolute():
        artifact: JsonObject = {"uri": PurePosixPath(path).as_uri()}
    else:
        artifact = {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}
    region = {"startLine": first_line(f), "endLine": last_line(f)}
    return {"artifactLocation": artifact, "region": region}


def _result_properties(gated: GatedFinding) -> JsonObject:
    f = gated.finding
    props: JsonObject = {"verdict": gated.verdict.value, "severity": f.severity.label}
    if gated.reason:
        props["reason"] = gated.reason
    if f.resource:
        props["resource"] = f.resource
    if f.inline_suppressed:
        props["inlineSuppressed"] = True
    if gated.held is not None:  # would block; the verdict says what it got instead
        props["held"] = gated.held.value
        props["heldReason"] = hold_label(gated.held)
    return props
