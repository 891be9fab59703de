"""Every registered scanner declares every fact the generic modules derive from the registry.

The cache, change sets, the scan, reports and exception checks read these facts from
`SCANNERS`; a scanner that lacks one must fail here (and in mypy), never silently.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path, PurePosixPath
from types import SimpleNamespace

import pytest
from tests.scanners.helpers import AWS_KEY_ID, BUCKET, DEPLOYMENT, DOCKERFILE, write_tree
from typing_extensions import get_protocol_members

from pavedroad.findings import Finding
from pavedroad.scan import changes
from pavedroad.scan import run as scan_run
from pavedroad.scan.cache import units
from pavedroad.scan.workspace import collect
from pavedroad.scanners import SCANNERS, Scanner, registered
from pavedroad.scanners.interface import CachePlan, ScanTarget, ToolInfo
from pavedroad.scanners.own_rules import RULES
from pavedroad.scanners.severities import rule_severity
from pavedroad.scanners.tool_info import installed_version, tool_info

FACTS = frozenset(
    {
        "name",
        "tool",
        "config_files",
        "unread_config_files",
        "reads_all_text",
        "default_timeout",
        "timeout",
        "with_timeout",
        "unavailable_reason",
        "scan",
        "rule_severity",
        "cache_plan",
        "context_files",
    }
)
PRECISIONS = frozenset({"very-high", "high", "medium", "low"})
# A little of everything a scanner may read: each registered scanner must report something here.
SAMPLE = {
    "Dockerfile": DOCKERFILE,
    "infra/main.tf": BUCKET,
    "deploy/app.yaml": DEPLOYMENT,
    "config/settings.py": f'aws_access_key_id = "{AWS_KEY_ID}"\n',
    "README.md": "# sample\n",
}


def missing_facts(scanner: object) -> list[str]:
    """Return the Scanner facts an object lacks or has in the wrong form (a value, not a method)."""
    missing = []
    for fact in sorted(get_protocol_members(Scanner)):
        is_method = callable(getattr(Scanner, fact, None))
        value = getattr(scanner, fact, missing)
        if value is missing or (is_method and not callable(value)):
            missing.append(fact)
    return missing


def _names() -> list[str]:
    return list(SCANNERS)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tree(tmp_path_factory.mktemp("sample"), SAMPLE)


@pytest.fixture(scope="module")
def findings(sample: Path) -> dict[str, tuple[Finding, ...]]:
    """Each registered scanner's findings in the sample (one real run each)."""
    out: dict[str, tuple[Finding, ...]] = {}
    for name, factory in SCANNERS.items():
        scanner = factory()
        target = _target(scanner, sample)
        out[name] = scanner.scan(target)
    return out


def _target(scanner: Scanner, root: Path) -> ScanTarget:
    workspace = collect(root)
    return workspace.secrets_target() if scanner.reads_all_text else workspace.target()


# --- the check itself --------------------------------------------------------------------


def test_the_check_covers_every_member_of_the_protocol() -> None:
    """A fact added to Scanner gets its own sanity test below: keep FACTS in step."""
    assert get_protocol_members(Scanner) == FACTS


class _OnlyScans:
    """A scanner as it was before it owned its facts: it scans, and nothing else."""

    name = "only-scans"

    def unavailable_reason(self) -> str | None:
        return None

    def scan(self, target: ScanTarget) -> tuple[Finding, ...]:
        return ()


def test_an_incomplete_scanner_is_rejected() -> None:
    fake = _OnlyScans()
    assert missing_facts(fake) == sorted(FACTS - {"name", "unavailable_reason", "scan"})
    assert not isinstance(fake, Scanner)


@pytest.mark.parametrize("fact", sorted(FACTS))
def test_each_missing_fact_is_caught(fact: str) -> None:
    real = registered()[0]
    members = {m: getattr(real, m) for m in FACTS if m != fact}
    partial = SimpleNamespace(**members)
    assert missing_facts(partial) == [fact]
    assert not isinstance(partial, Scanner)
    assert isinstance(SimpleNamespace(**members, **{fact: getattr(real, fact)}), Scanner)


def test_a_method_given_as_a_plain_value_is_caught() -> None:
    real = registered()[0]
    members = {m: getattr(real, m) for m in FACTS}
    assert missing_facts(SimpleNamespace(**{**members, "cache_plan": None})) == ["cache_plan"]


@pytest.mark.slow
def test_mypy_rejects_an_incomplete_scanner_in_the_registry(tmp_path: Path) -> None:
    source = tmp_path / "incomplete.py"
    source.write_text(
        textwrap.dedent(
            """\
            from collections.abc import Callable

            from pavedroad.findings import Finding
            from pavedroad.scanners.hadolint import HadolintScanner
            from pavedroad.scanners.interface import Scanner, ScanTarget


            class OnlyScans:
                name = "only-scans"

                def unavailable_reason(self) -> str | None:
                    return None

                def scan(self, target: ScanTarget) -> tuple[Finding, ...]:
                    return ()


            COMPLETE: dict[str, Callable[[], Scanner]] = {"hadolint": HadolintScanner}
            SCANNERS: dict[str, Callable[[], Scanner]] = {"only-scans": OnlyScans}
            """
        ),
        encoding="utf-8",
    )
    src = Path(__file__).resolve().parents[2] / "src"
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), source],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MYPYPATH": str(src)},
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and "OnlyScans" in errors[0], done.stdout  # the complete one passes


# --- every registered scanner ------------------------------------------------------------


@pytest.mark.parametrize("name", _names())
def test_registered_scanner_has_every_fact(name: str) -> None:
    scanner = SCANNERS[name]()
    assert missing_facts(scanner) == []
    assert isinstance(scanner, Scanner)
    assert scanner.name == name


@pytest.mark.parametrize("name", _names())
def test_tool_info_names_an_installed_tool(name: str) -> None:
    tool = SCANNERS[name]().tool
    assert isinstance(tool, ToolInfo)
    assert tool.name and tool.information_uri.startswith("https://")
    assert tool.precision in PRECISIONS
    assert metadata.version(tool.distribution), f"{tool.distribution} is not installed"
    assert tool_info(name) == tool_info(tool.name) == tool
    assert installed_version(name) == metadata.version(tool.distribution)


@pytest.mark.parametrize("name", _names())
def test_config_files_force_a_full_evaluation(name: str) -> None:
    scanner = SCANNERS[name]()
    read, unread = scanner.config_files, scanner.unread_config_files
    for config in (*read, *unread):
        assert isinstance(config, str) and config
        path = PurePosixPath(config)
        assert not path.is_absolute() and ".." not in path.parts, config
        assert config in changes.FULL_TRIGGERS
    assert not set(read) & set(unread)
    assert set(read) <= scan_run._CONFIG_FILES  # a link out of the repository is a finding


@pytest.mark.parametrize("name", _names())
def test_timeouts(name: str) -> None:
    scanner = SCANNERS[name]()
    assert scanner.default_timeout > 0
    assert scanner.timeout == scanner.default_timeout
    shorter = scanner.with_timeout(7.5)
    assert type(shorter) is type(scanner) and shorter.timeout == 7.5
    assert missing_facts(shorter) == []


@pytest.mark.parametrize("name", _names())
def test_rule_severity_is_the_grading_of_its_findings(
    name: str, findings: dict[str, tuple[Finding, ...]]
) -> None:
    scanner = SCANNERS[name]()
    own = [f for f in findings[name] if f.rule_id not in RULES]
    assert own, f"{name} reported nothing in SAMPLE; add a file it reports"
    for finding in own:
        assert scanner.rule_severity(finding.rule_id) == finding.severity, finding.rule_id
        assert rule_severity(finding.rule_id) == finding.severity, finding.rule_id
    assert scanner.rule_severity("NOT_A_RULE_OF_ANY_TOOL") is None


@pytest.mark.parametrize("name", _names())
def test_paved_rules_stay_paved_roads_own(name: str) -> None:
    scanner = SCANNERS[name]()
    for rule_id, rule in RULES.items():
        assert scanner.rule_severity(rule_id) is None, rule_id
        assert rule_severity(rule_id) == rule.severity


@pytest.mark.parametrize("name", _names())
def test_cache_plan_covers_every_file_it_reports(
    name: str, sample: Path, findings: dict[str, tuple[Finding, ...]]
) -> None:
    scanner = SCANNERS[name]()
    plan = scanner.cache_plan(sample)
    assert isinstance(plan, CachePlan), "the installed tool must be cacheable"
    assert all(isinstance(c, str) for c in plan.config)
    assert all(isinstance(s, str) and "=" in s for s in plan.settings)
    read = {f for f in SAMPLE if plan.unit_of(f) is not None}
    assert read, f"{name} reads none of SAMPLE"
    reported = {f.path for f in findings[name]}
    assert reported <= read, "a finding outside every unit keeps the whole run out of the cache"
    planned = units(scanner, sample, sorted(SAMPLE))
    assert planned is not None
    assert {f for unit in planned for f in unit.files} == read


@pytest.mark.parametrize("name", _names())
def test_context_files_come_from_the_repository(name: str, sample: Path) -> None:
    scanner = SCANNERS[name]()
    everything = tuple(sorted(SAMPLE))
    context = scanner.context_files(ScanTarget(sample, ("deploy/app.yaml",)), lambda: everything)
    assert isinstance(context, tuple)
    assert set(context) <= set(everything)
    assert scanner.context_files(ScanTarget(sample, ()), _never) == ()


def _never() -> tuple[str, ...]:
    raise AssertionError("listed the repository for an empty target")


def test_checkov_reads_every_manifest_with_one(tmp_path: Path) -> None:
    """The one scanner with context today: graph checks relate objects across manifests."""
    root = write_tree(
        tmp_path, {**SAMPLE, "deploy/policy.yaml": "apiVersion: v1\nkind: NetworkPolicy\n"}
    )
    checkov = SCANNERS["checkov"]()

    def listed() -> tuple[str, ...]:
        return collect(root).files

    context = checkov.context_files(ScanTarget(root, ("deploy/app.yaml",)), listed)
    assert context == ("deploy/app.yaml", "deploy/policy.yaml")
    assert checkov.context_files(ScanTarget(root, ("Dockerfile",)), listed) == ()
