"""Coverage of the knowledge base: every rule Paved Road can report has an entry, and the
authored fixes never drop below the recorded figures.

The rules are enumerated from the scanner adapters (the knowledge base must not import them):
checkov's severity map, hadolint's level table, the detect-secrets severities and Paved Road's
own rules.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from pavedroad import knowledge
from pavedroad.findings import Severity
from pavedroad.scanners import checkov_severity, hadolint, own_rules, secrets
from pavedroad.scanners.severities import rule_severity

# The frameworks whose high and critical checkov checks must all have an authored fix.
FRAMEWORKS = {
    "dockerfile": re.compile(r"^CKV2?_DOCKER_"),
    "kubernetes": re.compile(r"^CKV2?_K8S_"),
    "terraform-aws": re.compile(r"^CKV2?_AWS_"),
    "github-actions": re.compile(r"^CKV2?_GHA_"),
    "gitlab-ci": re.compile(r"^CKV2?_GITLABCI_"),
}
SEVERE = (Severity.CRITICAL, Severity.HIGH)
# Every rule the benchmark corpora triggered (python bench/run.py --services 5
# --third-party-mb 2: the rendered services, their legacy/ folders and third-party files).
BENCH_RULES = (
    "AWSKeyDetector KeywordDetector PrivateKeyDetector Base64HighEntropyString "
    "HexHighEntropyString PAVED_PARSE_ERROR PAVED_REMOTE_ADD PAVED_NOT_FULLY_SCANNED "
    "CKV2_AWS_6 CKV2_AWS_61 CKV2_AWS_62 CKV2_GHA_1 CKV_AWS_144 CKV_AWS_145 CKV_AWS_18 "
    "CKV_AWS_20 CKV_AWS_21 CKV_DOCKER_2 CKV_DOCKER_4 CKV_DOCKER_7 CKV_DOCKER_8 CKV_GHA_2 "
    "CKV_K8S_8 CKV_K8S_9 CKV_K8S_10 CKV_K8S_11 CKV_K8S_12 CKV_K8S_13 CKV_K8S_15 CKV_K8S_16 "
    "CKV_K8S_20 CKV_K8S_21 CKV_K8S_22 CKV_K8S_23 CKV_K8S_28 CKV_K8S_29 CKV_K8S_31 CKV_K8S_37 "
    "CKV_K8S_38 CKV_K8S_40 CKV_K8S_43 "
    "DL3002 DL3007 DL3008 DL3009 DL3015 DL3066"
).split()
# Authored fixes per (framework, severity), as recorded; the test fails when one drops.
RECORDED: dict[tuple[str, str], int] = {
    ("dockerfile", "high"): 18,
    ("dockerfile", "info"): 1,
    ("dockerfile", "low"): 5,
    ("dockerfile", "medium"): 4,
    ("github-actions", "critical"): 2,
    ("github-actions", "high"): 3,
    ("github-actions", "low"): 2,
    ("github-actions", "medium"): 1,
    ("gitlab-ci", "high"): 1,
    ("gitlab-ci", "info"): 1,
    ("gitlab-ci", "low"): 1,
    ("kubernetes", "critical"): 19,
    ("kubernetes", "high"): 56,
    ("kubernetes", "low"): 6,
    ("kubernetes", "medium"): 38,
    ("terraform-aws", "critical"): 39,
    ("terraform-aws", "high"): 254,
    ("terraform-aws", "low"): 7,
    ("terraform-aws", "medium"): 156,
}
# Entries per source, authored fixes per source (all rules of each source have an entry).
RECORDED_SOURCES: dict[str, tuple[int, int]] = {
    "checkov": (1261, 614),
    "detect-secrets": (22, 22),
    "hadolint": (69, 69),
    "pavedroad": (8, 8),
}


def reportable() -> Iterator[tuple[str, str]]:
    """Yield (source, rule id) for every rule the registered scanners can report."""
    for rule_id in checkov_severity.checkov_map():
        if not rule_id.startswith("CKV_SECRET_"):  # checkov's secrets framework never runs
            yield "checkov", rule_id
    for rule_id in hadolint.DEFAULT_LEVELS:
        yield "hadolint", rule_id
    for rule_id in secrets.SEVERITIES:
        yield "detect-secrets", rule_id
    for rule_id in own_rules.RULES:
        yield "pavedroad", rule_id


def framework_of(rule_id: str) -> str | None:
    return next((name for name, p in FRAMEWORKS.items() if p.match(rule_id)), None)


def coverage() -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    """Return (checks, authored fixes) per (framework, severity) of the gated frameworks."""
    checks: Counter[tuple[str, str]] = Counter()
    fixed: Counter[tuple[str, str]] = Counter()
    for source, rule_id in reportable():
        framework = framework_of(rule_id) if source == "checkov" else None
        if framework is None:
            continue
        key = (framework, checkov_severity.severity_for(rule_id).label)
        checks[key] += 1
        fixed[key] += knowledge.fix(rule_id) is not None
    return checks, fixed


def source_figures() -> dict[str, tuple[int, int]]:
    """Return source -> (entries, authored fixes) over every reportable rule."""
    entries: Counter[str] = Counter()
    fixes: Counter[str] = Counter()
    for source, rule_id in reportable():
        entry = knowledge.lookup(rule_id)
        entries[source] += entry is not None
        fixes[source] += entry is not None and (entry.fix is not None or source == "pavedroad")
    return {s: (entries[s], fixes[s]) for s in entries}


def table() -> str:
    """Return the coverage figures as the Markdown table the README shows."""
    checks, fixed = coverage()
    rows = ["| framework | severity | checks | authored fix |", "|---|---|---|---|"]
    for (framework, level), total in sorted(checks.items()):
        rows.append(f"| {framework} | {level} | {total} | {fixed[(framework, level)]} |")
    return "\n".join(rows)


def test_every_reportable_rule_has_a_complete_entry() -> None:
    incomplete = []
    for source, rule_id in sorted(set(reportable())):
        entry = knowledge.lookup(rule_id)
        complete = (
            entry is not None
            and bool(entry.why and entry.cwe)
            and entry.docs_url.startswith("https://")
            and rule_severity(rule_id) is not None  # its severity comes from the scanner
        )
        if not complete:
            incomplete.append(f"{rule_id} ({source})")
    assert incomplete == []


def test_every_severe_check_of_the_gated_frameworks_has_an_authored_fix() -> None:
    missing = [
        rule_id
        for source, rule_id in reportable()
        if source == "checkov"
        and framework_of(rule_id)
        and checkov_severity.severity_for(rule_id) in SEVERE
        and knowledge.fix(rule_id) is None
    ]
    assert missing == []


@pytest.mark.parametrize("rule_id", BENCH_RULES)
def test_every_rule_the_benchmark_triggers_has_an_authored_fix(rule_id: str) -> None:
    entry = knowledge.lookup(rule_id)
    assert entry is not None
    assert entry.fix is not None or rule_id in own_rules.RULES  # own rules keep their fix


def test_coverage_never_drops_below_the_recorded_figures() -> None:
    checks, fixed = coverage()
    dropped = {k: (fixed[k], n) for k, n in RECORDED.items() if fixed[k] < n}
    assert dropped == {}, f"authored fixes dropped (now, recorded): {dropped}\n{table()}"
    sources = source_figures()
    lower = {
        s: (sources.get(s), n) for s, n in RECORDED_SOURCES.items() if sources.get(s, (0, 0)) < n
    }
    assert lower == {}, f"entries or fixes dropped (now, recorded): {lower}"


README_NAMES = {
    "dockerfile": "Dockerfile",
    "kubernetes": "Kubernetes",
    "terraform-aws": "Terraform (AWS)",
    "github-actions": "GitHub Actions",
    "gitlab-ci": "GitLab CI",
}


def readme_table() -> str:
    """Return the coverage table as the README shows it (authored fixes / checks)."""
    checks, fixed = coverage()
    levels = ("critical", "high", "medium", "low", "info")
    rows = [f"| framework | {' | '.join(levels)} |", "| --- |" + " --- |" * len(levels)]
    for key, name in README_NAMES.items():
        cells = [
            f"{fixed[(key, lv)]} / {checks[(key, lv)]}" if checks[(key, lv)] else "–"
            for lv in levels
        ]
        rows.append(f"| {name} | {' | '.join(cells)} |")
    return "\n".join(rows)


def test_readme_shows_the_current_coverage_figures() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert readme_table() in readme, f"update the README's coverage table:\n{readme_table()}"


if __name__ == "__main__":  # python tests/knowledge/test_coverage.py prints the figures
    print(table())
    print(readme_table())
    print(source_figures())
