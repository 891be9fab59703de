"""Parity: does Paved Road report every finding the raw tools report over the same tree?

Findings are compared on (tool, rule id, path, line). A raw finding Paved Road does not report
is either a documented difference (with its reason) or missing. Documented differences:
- checkov's secrets framework: Paved Road runs detect-secrets instead (DESIGN, hazards);
- checkov frameworks Paved Road does not run (only dockerfile, terraform, kubernetes,
  github_actions and gitlab_ci are run);
- detect-secrets reporting one secret on one line under two types: Paved Road reports it once,
  under the most severe type;
- digest and commit pins (image@sha256:..., ?ref=<sha>) and boolean keyword values, which
  detect-secrets reports as secrets and Paved Road filters as false positives;
- a template's secret references (`secrets_backend: external-secrets`, `secretProviderClass:
  <name>`): names of where a secret lives, not secrets;
- Kubernetes findings, which checkov reports at the object's first line and Paved Road at the
  line of the field that fails (the same rule, file and object, another line).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pavedroad.scanners import checkov, checkov_lines, secrets, secrets_identifiers

Key = tuple[str, str, str, int]  # tool, rule, path, line


@dataclass
class Parity:
    """Raw findings, those Paved Road matched, documented differences and the missing."""

    raw: int = 0
    matched: int = 0
    documented: dict[str, int] = field(default_factory=dict)
    missing: list[Key] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return True when every raw finding is reported or a documented difference."""
        return not self.missing


def compare(
    corpus: Path, raw_checkov: Path, raw_hadolint: Path, raw_secrets: Path, paved: Path
) -> Parity:
    """Compare the raw tools' outputs with Paved Road's JSON report."""
    ours = paved_keys(paved)
    result = Parity()
    raw = [
        *checkov_keys(raw_checkov, corpus),
        *hadolint_keys(raw_hadolint),
        *secrets_keys(raw_secrets),
    ]
    for key, secret_hash in raw:
        result.raw += 1
        if key in ours:
            result.matched += 1
            continue
        reason = documented(key, secret_hash, ours, corpus)
        if reason is None:
            result.missing.append(key)
        else:
            result.documented[reason] = result.documented.get(reason, 0) + 1
    return result


def paved_keys(report: Path) -> dict[Key, str]:
    """Return Paved Road's findings by key, with the resource (a secret's hash) as value."""
    found = json.loads(report.read_text(encoding="utf-8"))["findings"]
    return {_paved_key(f): str(f["resource"]) for f in found}


def _paved_key(f: Mapping[str, Any]) -> Key:
    rule = str(f["rule_id"])
    if f["scanner"] == "hadolint" and rule == "PAVED_PARSE_ERROR":
        rule = "DL1000"
    if f["scanner"] == "secrets":
        rule = str(f["title"])  # the detect-secrets type
    return (str(f["scanner"]), rule, str(f["path"]), int(f["start_line"]))


def checkov_keys(path: Path, corpus: Path) -> list[tuple[Key, str]]:
    """Return the failed checks of a raw `checkov -d` run, tagged with their framework."""
    data = json.loads(path.read_text(encoding="utf-8"))
    reports = data if isinstance(data, list) else [data]
    keys = []
    for report in reports:
        framework = str(report.get("check_type", ""))
        for check in (report.get("results") or {}).get("failed_checks") or []:
            rel = _relative(str(check.get("file_abs_path") or check["file_path"]), corpus)
            line = int((check.get("file_line_range") or [1])[0]) or 1
            keys.append((("checkov", str(check["check_id"]), rel, line), framework))
    return keys


def hadolint_keys(path: Path) -> list[tuple[Key, str]]:
    """Return the results of a raw hadolint JSON run."""
    data = json.loads(path.read_text(encoding="utf-8") or "[]")
    return [(("hadolint", str(r["code"]), str(r["file"]), int(r["line"])), "") for r in data]


def secrets_keys(path: Path) -> list[tuple[Key, str]]:
    """Return the results of a raw `detect-secrets scan`, with each secret's hash."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        (("secrets", str(s["type"]), rel, int(s["line_number"])), str(s["hashed_secret"]))
        for rel, items in data["results"].items()
        for s in items
    ]


def documented(key: Key, extra: str, ours: Mapping[Key, str], corpus: Path) -> str | None:
    """Return the documented reason a raw finding is not reported, or None."""
    tool, rule, rel, line = key
    if tool == "checkov":
        moved = rule.startswith(checkov_lines.K8S_PREFIXES) and any(
            k[:3] == key[:3] and k[3] >= line for k in ours
        )
        if moved:
            return "Kubernetes finding at the failing field's line, not the object's first"
        return _checkov_reason(rule, extra)
    if tool == "secrets":
        return _secrets_reason(key, extra, ours, corpus)
    return None


def _checkov_reason(rule: str, framework: str) -> str | None:
    if framework == "secrets" or rule.startswith("CKV_SECRET_"):
        return "checkov secrets framework (detect-secrets covers secrets)"
    if framework not in checkov.FRAMEWORKS:
        return f"checkov framework {framework} (not run by Paved Road)"
    return None


def _secrets_reason(
    key: Key, secret_hash: str, ours: Mapping[Key, str], corpus: Path
) -> str | None:
    _, secret_type, rel, line = key
    same_place = [k for k, res in ours.items() if k[2:] == (rel, line) and secret_hash in res]
    if same_place:
        return "same secret on the same line under two types (reported once, most severe)"
    text = _line(corpus / rel, line)
    if len(text) > secrets.LONG_LINE:
        return "line over 1,000 characters, scanned in windows (PAVED_NOT_FULLY_SCANNED)"
    if secret_type == "Hex High Entropy String" and any(p.search(text) for p in secrets._PINS):
        return "digest or commit pin (filtered as a false positive)"
    if reason := secrets_identifiers.line_kind(secret_type, text):
        return reason
    if secret_type == "Secret Keyword" and _literal_value(text):
        return "boolean or null keyword value (filtered as a false positive)"
    if secret_type == "Secret Keyword" and any(p.match(text) for p in secrets._SECRET_REFERENCES):
        return "a secret's reference, not a secret (secrets_backend, secretProviderClass)"
    return None


def _literal_value(text: str) -> bool:
    value = text.split(":", 1)[-1].split("=", 1)[-1]
    return value.strip().strip("'\",").lower() in secrets._LITERALS


def _line(path: Path, number: int) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _relative(raw: str, corpus: Path) -> str:
    path = Path(raw)
    if path.is_absolute() and path.is_relative_to(corpus):
        return path.relative_to(corpus).as_posix()
    return raw.lstrip("/")


def summary_lines(parity: Parity, limit: int = 20) -> Iterable[str]:
    """Yield a human summary of the parity check."""
    verdict = "OK" if parity.ok else f"{len(parity.missing)} MISSING"
    yield (
        f"parity: {verdict}: {parity.raw} raw findings, {parity.matched} reported as such, "
        f"{sum(parity.documented.values())} documented differences"
    )
    for reason, count in sorted(parity.documented.items()):
        yield f"  documented: {count} x {reason}"
    for key in parity.missing[:limit]:
        yield f"  missing: {key[0]} {key[1]} {key[2]}:{key[3]}"
    if len(parity.missing) > limit:
        yield f"  ... and {len(parity.missing) - limit} more missing"
