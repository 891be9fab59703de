"""`paved explain` output: text (wrapped to a width), Markdown and JSON."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from pavedroad.gate.explain import Explanation, FindingWhy, RuleInfo, held_back
from pavedroad.gate.result import Verdict
from pavedroad.textsafe import printable

FORMATS = ("text", "markdown", "json")
SCHEMA = "pavedroad/explain/v1"


def render(explanation: Explanation, fmt: str, width: int = 100) -> str:
    """Render an explanation in one of FORMATS."""
    if fmt == "markdown":
        return render_markdown(explanation)
    if fmt == "json":
        return json.dumps(as_json(explanation), indent=2, sort_keys=False)
    return render_text(explanation, width)


def _class_line(rule: RuleInfo) -> str:
    entry = rule.entry
    cwe = ", ".join(entry.cwe_labels)
    owasp = f"; OWASP {entry.owasp}" if entry.owasp else ""
    inferred = " (inferred from the title)" if entry.inferred else ""
    return f"{entry.vulnerability_class}{inferred}: {cwe}{owasp}"


def _severity(rule: RuleInfo) -> str:
    level = rule.severity.label if rule.severity is not None else "not graded"
    return f"{level} ({rule.entry.source})"


def render_text(explanation: Explanation, width: int = 100) -> str:
    """Render for a terminal: every line wrapped to width, nothing cut."""
    rule = explanation.rule
    lines = textwrap.wrap(
        f"{rule.rule_id}  {rule.title}", width=max(width, 40), subsequent_indent="  "
    )
    lines += _field("severity", _severity(rule), width)
    lines += _field("class", _class_line(rule), width)
    lines += _field("why", rule.entry.why, width)
    lines += _field("fix", rule.fix, width)
    snippet = rule.entry.snippet
    if snippet is not None:
        lines.append(f"compliant example in the catalog ({snippet.label}):")
        lines += [f"    {line}" for line in textwrap.dedent(snippet.text).splitlines()]
    lines += _field("docs", rule.entry.docs_url, width)
    if explanation.root is not None:
        lines += ["", *_text_findings(explanation, width)]
    return "\n".join(printable(line) for line in lines)


def _field(label: str, text: str, width: int) -> list[str]:
    first = f"{label}: "
    return textwrap.wrap(
        text,
        width=max(width, 40),
        initial_indent=first,
        subsequent_indent=" " * len(first),
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def _text_findings(explanation: Explanation, width: int) -> list[str]:
    head = (
        f"At stage {explanation.stage} ({explanation.stage_summary}), "
        f"{len(explanation.findings)} finding(s) of {explanation.rule.rule_id} "
        f"in {explanation.root}:"
    )
    lines = textwrap.wrap(head, width=max(width, 40), break_long_words=False)
    if not explanation.findings:
        return lines + ["  none: nothing to explain at this stage"]
    for why in explanation.findings:
        lines += _text_finding(why, width, explanation.stage)
    return lines


def _text_finding(why: FindingWhy, width: int, stage: str | None) -> list[str]:
    f = why.gated.finding
    place = f"{f.path}:{f.start_line}"
    lines = [f"  {why.gated.verdict.value.upper():<8} {place}  {f.resource}"]
    indent = " " * 6
    for label, text in _finding_fields(why, stage):
        lines += textwrap.wrap(
            f"{label}: {text}",
            width=max(width, 40),
            initial_indent=indent,
            subsequent_indent=indent + "  ",
            break_long_words=False,
            break_on_hyphens=False,
        )
    return lines


def _finding_fields(why: FindingWhy, stage: str | None) -> list[tuple[str, str]]:
    reason = why.gated.reason
    if not held_back(why) and why.gated.verdict is not Verdict.INFO:
        reason = f"{reason} at stage {stage}"
    fields = [("why", reason)]
    if held_back(why) or why.thresholds.split(":", 1)[0] != why.gated.verdict.value:
        fields.append(("thresholds alone", why.thresholds))
    if why.override:
        fields.append(("override", why.override))
    if why.gated.held is not None:
        fields.append(("held", why.gated.held.value))
    fields.append(("exception", why.exception_command))
    return fields


def render_markdown(explanation: Explanation) -> str:
    """Render as Markdown (for a PR comment, a ticket or a wiki page)."""
    rule = explanation.rule
    entry = rule.entry
    parts = [
        f"## {_md(rule.rule_id)}: {_md(rule.title)}",
        f"- **Severity:** {_severity(rule)}",
        f"- **Class:** {_md(_class_line(rule))}",
        f"- **Docs:** <{entry.docs_url}>",
        "",
        f"**Why it matters.** {_md(entry.why)}",
        "",
        f"**Fix.** {_md(rule.fix)}",
    ]
    if entry.snippet is not None:
        fence = "```"
        label = entry.snippet.label
        parts += ["", f"Compliant example in the catalog (`{label}`):", "", fence]
        parts += [textwrap.dedent(entry.snippet.text), fence]
    if explanation.root is not None:
        parts += ["", *_md_findings(explanation)]
    return "\n".join(parts) + "\n"


def _md_findings(explanation: Explanation) -> list[str]:
    lines = [
        f"### At stage `{explanation.stage}` ({_md(explanation.stage_summary or '')})",
        "",
    ]
    if not explanation.findings:
        return lines + [f"No finding of {_md(explanation.rule.rule_id)} at this stage."]
    lines += ["| verdict | location | why | exception |", "|---|---|---|---|"]
    for why in explanation.findings:
        f = why.gated.finding
        reason = "; ".join(text for _, text in _finding_fields(why, explanation.stage)[:-1])
        lines.append(
            f"| {why.gated.verdict.value} | `{_md(f.path)}:{f.start_line}` | {_md(reason)} "
            f"| `{why.exception_command}` |"
        )
    return lines


def _md(text: str) -> str:
    """Escape what would change Markdown's meaning in a table cell or a line."""
    escaped = printable(text).replace("\\", "\\\\").replace("|", "\\|")
    for char in "`*_[]<>":
        escaped = escaped.replace(char, f"\\{char}")
    return escaped


def as_json(explanation: Explanation) -> dict[str, Any]:
    """Return the explanation as a JSON-ready mapping (schema pavedroad/explain/v1)."""
    rule = explanation.rule
    entry = rule.entry
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "rule": {
            "id": rule.rule_id,
            "title": rule.title,
            "source": entry.source,
            "severity": rule.severity.label if rule.severity is not None else None,
            "class": entry.vulnerability_class,
            "class_inferred": entry.inferred,
            "cwe": list(entry.cwe_labels),
            "owasp": entry.owasp,
            "why": entry.why,
            "fix": rule.fix,
            "fix_authored": entry.fix is not None,
            "docs_url": entry.docs_url,
            "snippet": _snippet_json(explanation),
        },
    }
    if explanation.root is not None:
        data["stage"] = {"name": explanation.stage, "thresholds": explanation.stage_summary}
        data["findings"] = [_finding_json(w) for w in explanation.findings]
    return data


def _snippet_json(explanation: Explanation) -> dict[str, Any] | None:
    snippet = explanation.rule.entry.snippet
    if snippet is None:
        return None
    return {"file": snippet.file, "start": snippet.start, "end": snippet.end, "text": snippet.text}


def _finding_json(why: FindingWhy) -> dict[str, Any]:
    f = why.gated.finding
    return {
        "ref": f.short_ref,
        "path": f.path,
        "line": f.start_line,
        "resource": f.resource,
        "severity": f.severity.label,
        "verdict": why.gated.verdict.value,
        "reason": why.gated.reason,
        "thresholds": why.thresholds,
        "held": why.gated.held.value if why.gated.held is not None else None,
        "override": why.override,
        "exception_command": why.exception_command,
    }
