"""checkov over the target's IaC files: one offline subprocess, JSON normalised into findings."""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from pavedroad import knowledge, proc
from pavedroad.errors import ScannerError
from pavedroad.findings import Finding, Severity, fingerprint
from pavedroad.scanners import argv as arg_limits
from pavedroad.scanners import checkov_names, checkov_warm, yaml_guard
from pavedroad.scanners import checkov_severity as severity
from pavedroad.scanners.checkov_coverage import (
    CANARY,
    checkov_inputs,
    unevaluated,
    without_canary,
)
from pavedroad.scanners.checkov_coverage import relpath as _relpath
from pavedroad.scanners.checkov_files import YAML_SUFFIXES, cache_unit, kubernetes_manifests
from pavedroad.scanners.checkov_files import select_files as select_files
from pavedroad.scanners.checkov_files import terraform_context as terraform_context
from pavedroad.scanners.checkov_lines import field_lines
from pavedroad.scanners.interface import CachePlan, ScanTarget, ToolInfo
from pavedroad.scanners.own_rules import PARSE_ERROR, excerpt, paved_finding
from pavedroad.scanners.running import run_scanner

NAME = "checkov"
TOOL = ToolInfo(NAME, "https://www.checkov.io/", "checkov", "high")
# checkov's own configuration: never read, because it runs from an empty folder (see _run).
UNREAD_CONFIG = (".checkov.yaml", ".checkov.yml")
# Not checkov's secrets framework: detect-secrets covers secrets, and checkov's is slow.
FRAMEWORKS = (
    "dockerfile",
    "terraform",
    "terraform_json",
    "kubernetes",
    "github_actions",
    "gitlab_ci",
)
DEFAULT_DOCS = "https://www.checkov.io/5.Policy%20Index/all.html"
DEFAULT_TIMEOUT = 900.0
# checkov's address space at most (a direct run and the warm server's child alike): generous
# for real repositories, but a YAML bomb ends in a MemoryError instead of exhausting the machine.
MEMORY_LIMIT = 4 << 30
# Settings checkov reads from the environment that could change its results.
SETTING_PREFIXES = ("CKV_", "BC_", "CHECKOV_", "PRISMA_")
# Settings that change which checkov module the executable imports.
IMPORT_SETTINGS = frozenset(
    {"PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "PYTHONNOUSERSITE", "PYTHONSAFEPATH"}
)

# What keeps checkov offline, measured with a socket guard (tests/scanners/test_checkov.py):
# without these it resolves pypi.org (version check when checkov.main is imported) and
# api0.prismacloud.io (guidelines and id mapping).
OFFLINE_ENV: Mapping[str, str] = {
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",  # the PyPI version check
    "BC_SKIP_MAPPING": "TRUE",  # the guidelines / BC id mapping download
    "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
    "DOWNLOAD_EXTERNAL_MODULES": "false",  # Terraform registry / git module downloads
    "BC_API_KEY": "",  # never authenticate or upload, whatever the caller's shell holds
    "CKV_SKIP_CHECK": "",  # a developer's shell must not silently drop checks
    "CKV_NO_FAIL_ON_CRASH": "false",  # a crash must exit 2, not 0
}

# checkov started as its console script does, except that the cyclic garbage collector pauses
# while its ~4,000 modules import and their objects are frozen afterwards: otherwise the
# collector walks them again and again, about 40% of a one-file scan (see bench/README.md).
LAUNCHER = """\
import gc, sys, warnings
gc.disable()
from checkov.main import Checkov
gc.freeze()
gc.enable()
with warnings.catch_warnings():
    warnings.simplefilter("ignore", category=SyntaxWarning)
    sys.exit(Checkov().run())
"""

# Fix guidance and docs links come from the rule knowledge base (pavedroad.knowledge); a check
# it has no authored fix for gets a generic one naming the resource and the check.


class CheckovScanner:
    """Run checkov once per scan over the target's Dockerfiles, Terraform and YAML/JSON files."""

    name = NAME
    tool = TOOL
    config_files: tuple[str, ...] = ()
    unread_config_files: tuple[str, ...] = UNREAD_CONFIG
    reads_all_text = False
    default_timeout = DEFAULT_TIMEOUT

    def __init__(self, *, executable: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.executable = executable
        self.timeout = timeout

    def with_timeout(self, seconds: float) -> CheckovScanner:
        """Return a copy that gives checkov at most this many seconds."""
        return CheckovScanner(executable=self.executable, timeout=seconds)

    def rule_severity(self, rule_id: str) -> Severity | None:
        """Return Paved Road's severity of a checkov check id, or None when it is not mapped."""
        return severity.lookup(rule_id)

    def cache_plan(self, root: Path) -> CachePlan | None:
        """Cache per Terraform module folder, all Kubernetes manifests together, else per file."""
        exe = find_executable(self.executable)
        if exe is None:
            return None
        return CachePlan(functools.partial(cache_unit, root), exe, environment_settings())

    def context_files(
        self, target: ScanTarget, everything: Callable[[], Sequence[str]]
    ) -> tuple[str, ...]:
        """Return every Kubernetes manifest when the target holds one.

        Graph checks (CKV2_K8S_*) relate pods to NetworkPolicies and roles to bindings across
        files, anywhere in the repository.
        """
        if not kubernetes_manifests(target.root, target.files):
            return ()
        return kubernetes_manifests(target.root, everything())

    def unavailable_reason(self) -> str | None:
        """Return why checkov cannot run here, or None when it can."""
        if os.environ.get("CKV_CHECK"):
            return "CKV_CHECK is set and would restrict checkov to some checks; unset it"
        exe = find_executable(self.executable)
        if exe is None:
            return "the checkov executable was not found; install checkov (pip install checkov)"
        if self.executable is None and exe == str(_beside()) and not checkov_warm.checkov_module():
            return (
                f"{exe} is there but this Python ({sys.executable}) cannot import checkov; "
                "reinstall it (pip install --force-reinstall checkov)"
            )
        return None

    def scan(self, target: ScanTarget) -> tuple[Finding, ...]:
        """Scan the target's IaC files; raise ScannerError when checkov fails or answers nothing."""
        files = select_files(target.files)
        if not files:
            return ()
        refused = tuple(refused_yaml(target.root, files))
        skip = {f.path for f in refused}
        rest = tuple(f for f in files if f not in skip)
        inputs = checkov_inputs(target.root, rest)
        reports = self._checked_run(target.root, inputs) if inputs else []
        return (*refused, *collect_findings(reports, target.root, rest, inputs))

    def _checked_run(self, root: Path, files: tuple[str, ...]) -> list[dict[str, Any]]:
        """Run checkov with a canary Dockerfile it always evaluates; fail if it did not."""
        with tempfile.TemporaryDirectory(prefix="pavedroad-canary-") as folder:
            canary = Path(folder) / "Dockerfile"
            canary.write_text(CANARY, encoding="utf-8")
            reports = self._run(root, (*files, str(canary)))
        return without_canary(reports, {str(canary), os.path.realpath(canary)})

    def _run(self, root: Path, files: Iterable[str]) -> list[dict[str, Any]]:
        """Run checkov from an empty directory so no .checkov.yaml can change the checks."""
        exe = find_executable(self.executable)
        if exe is None:
            raise ScannerError(NAME, "the checkov executable was not found; install checkov")
        with tempfile.TemporaryDirectory(prefix="pavedroad-checkov-") as scratch:
            copies = checkov_names.copy_unreadable(root, files, Path(scratch) / "renamed")
            listing = Path(scratch) / "files.yaml"
            options = command(exe, root, [str(copies.get(f, f)) for f in files], listing)[1:]
            env = {**OFFLINE_ENV, "HOME": scratch, "XDG_CACHE_HOME": scratch}
            done = self._run_warm(options, Path(scratch), env)
            if done is None:
                argv = [*self._launch(exe), *options]
                done = run_scanner(
                    argv,
                    tool=NAME,
                    cwd=Path(scratch),
                    timeout=self.timeout,
                    env=env,
                    memory_limit=MEMORY_LIMIT,
                )
                if checkov_warm.enabled() and self.executable is None:
                    checkov_warm.start(OFFLINE_ENV)  # warm for the next scans
        _check_memory(done)
        reports = parse_output(done)
        checkov_names.point_back(reports, {str(c): str(root / f) for f, c in copies.items()})
        return reports

    def _launch(self, exe: str) -> list[str]:
        """Return how to start checkov: through LAUNCHER when it is the one beside this Python."""
        if self.executable is None and Path(exe) == _beside():
            return [sys.executable, "-c", LAUNCHER]
        return [exe]

    def _run_warm(
        self, options: list[str], cwd: Path, env: Mapping[str, str]
    ) -> proc.Completed | None:
        """Run in the warm server when there is one (only for the checkov beside this Python)."""
        if not checkov_warm.enabled() or self.executable is not None or not _beside().is_file():
            return None
        done = checkov_warm.run(options, cwd, env, OFFLINE_ENV, self.timeout, MEMORY_LIMIT)
        if done is not None and done.stderr == checkov_warm.TIMED_OUT:
            raise ScannerError(NAME, f"timed out after {self.timeout:.0f}s")
        return done


def _check_memory(done: proc.Completed) -> None:
    """Raise ScannerError when checkov died of the memory limit (a crash, never a pass)."""
    if done.returncode not in (0, 1) and "MemoryError" in done.stderr:
        raise ScannerError(
            NAME,
            f"ran out of memory (limit {MEMORY_LIMIT / (1 << 30):g} GiB); look for a file that "
            "expands without bound, such as YAML aliases nested many levels deep",
        )


def find_executable(explicit: str | None = None) -> str | None:
    """Return the checkov executable: explicit, beside this Python, or on PATH."""
    if explicit is not None:
        return explicit if Path(explicit).is_file() or shutil.which(explicit) else None
    if _beside().is_file():
        return str(_beside())
    return shutil.which("checkov")


def _beside() -> Path:
    """Return where the checkov installed with this Python has its console script."""
    return Path(sys.executable).parent / "checkov"


def command(exe: str, root: Path, files: Iterable[str], listing: Path | None = None) -> list[str]:
    """Return the checkov command line: absolute --file paths, JSON, offline.

    When the paths would not fit a command line, they go into a checkov config file at
    listing (same meaning as --file, no length limit).
    """
    args = [exe, "--framework", *FRAMEWORKS, "-o", "json", "--compact", "--skip-download"]
    args += ["--download-external-modules", "false"]
    paths = [str(root / rel) for rel in files]
    if listing is not None and arg_limits.size(paths) + 7 * len(paths) > arg_limits.BUDGET:
        # JSON is YAML; its escapes keep any file name one well-formed string.
        listing.write_text(json.dumps({"file": paths}), encoding="utf-8")
        return [*args, "--config-file", str(listing)]
    for path in paths:
        args += ["--file", path]
    return args


def environment_settings() -> tuple[str, ...]:
    """Return the environment settings that could change checkov's results, as NAME=value."""
    seen = {**os.environ, **OFFLINE_ENV}  # what checkov runs with: the adapter's win
    found = sorted(f"{k}={v}" for k, v in seen.items() if k.startswith(SETTING_PREFIXES))
    found += sorted(f"{k}={v}" for k, v in os.environ.items() if k in IMPORT_SETTINGS)
    return tuple(found)


def parse_output(done: proc.Completed) -> list[dict[str, Any]]:
    """Return checkov's JSON reports; raise ScannerError on a crash or unreadable output."""
    if done.returncode not in (0, 1):  # 1 only means some checks failed
        raise ScannerError(NAME, f"exited with code {done.returncode}: {excerpt(done.stderr)}")
    try:
        data = json.loads(done.stdout)
    except ValueError:
        shown = excerpt(done.stdout) or excerpt(done.stderr) or "nothing"
        raise ScannerError(NAME, f"printed output that is not JSON: {shown}") from None
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(item, dict) for item in items):
        raise ScannerError(NAME, f"printed unexpected JSON: {excerpt(done.stdout)}")
    return [item for item in items if _is_report(item, done)]


def _is_report(item: dict[str, Any], done: proc.Completed) -> bool:
    """Return True for a framework report, False for the summary printed when nothing matched."""
    if isinstance(item.get("results"), dict):
        return True
    if "passed" in item and "failed" in item:
        return False
    raise ScannerError(NAME, f"printed JSON without results: {excerpt(done.stdout)}")


def normalise(reports: Iterable[dict[str, Any]], root: Path) -> Iterator[Finding]:
    """Yield a finding per failed check, inline-skipped check and unparsable file."""
    for report in reports:
        results = report["results"]
        for result in results.get("failed_checks") or []:
            yield check_finding(result, root, suppressed=False)
        for result in results.get("skipped_checks") or []:
            yield check_finding(result, root, suppressed=True)
        for raw in results.get("parsing_errors") or []:
            message = "checkov could not parse this file, so none of its checks ran."
            yield paved_finding(PARSE_ERROR, _relpath(str(raw), root), message, scanner=NAME)


def collect_findings(
    reports: list[dict[str, Any]], root: Path, files: Iterable[str], inputs: Iterable[str]
) -> tuple[Finding, ...]:
    """Return checkov's findings plus YAML errors and files checkov silently left out."""
    found = {
        (f.fingerprint, f.start_line, f.inline_suppressed): f for f in normalise(reports, root)
    }
    unparsed = {f.path for f in found.values() if f.rule_id == PARSE_ERROR.rule_id}
    extra = [f for f in yaml_parse_errors(root, files) if f.path not in unparsed]
    unparsed |= {f.path for f in extra}
    silent = [f for f in unevaluated(reports, root, inputs) if f.path not in unparsed]
    return (*found.values(), *extra, *silent)


def refused_yaml(root: Path, files: Iterable[str]) -> Iterator[Finding]:
    """Yield a parse-error finding per YAML file no parser may expand (alias bomb, deep nest)."""
    for rel in files:
        why = yaml_guard.file_problem(root / rel)
        if why is not None:
            message = f"Paved Road refused to parse this YAML file: {why}."
            yield paved_finding(PARSE_ERROR, rel, message, scanner=NAME)


def check_finding(result: Mapping[str, Any], root: Path, *, suppressed: bool) -> Finding:
    """Normalise one checkov check result."""
    rule = str(result["check_id"])
    title = str(result.get("check_name") or rule)
    path = _relpath(str(result.get("file_abs_path") or result.get("file_path") or ""), root)
    resource = _resource(str(result.get("resource") or path), root)
    start, end = field_lines(root / path, rule, result, _lines(result.get("file_line_range")))
    return Finding(
        scanner=NAME,
        rule_id=rule,
        title=title,
        severity=severity.severity_for(rule),
        path=path,
        start_line=start,
        end_line=end,
        resource=resource,
        message=_message(rule, title, resource, result if suppressed else None),
        fix=knowledge.fix(rule) or f"Change {resource} so that it complies: {title}.",
        docs_url=str(result.get("guideline") or knowledge.docs_url(rule) or DEFAULT_DOCS),
        fingerprint=fingerprint(NAME, rule, path, resource),
        inline_suppressed=suppressed,
    )


def _message(rule: str, title: str, resource: str, skipped: Mapping[str, Any] | None) -> str:
    """Return the finding message, saying when the rule is unmapped or suppressed inline."""
    text = f"{title} (failed for {resource})."
    if skipped is not None:
        reason = (skipped.get("check_result") or {}).get("suppress_comment") or "no reason given"
        text = f"Suppressed inline with checkov:skip ({reason}): {title} for {resource}."
    if not severity.is_known(rule):
        text += f" {rule} is not in Paved Road's severity map, so it is graded high."
    return text


def _resource(raw: str, root: Path) -> str:
    """Drop the checkout location from resource names (checkov embeds it for Dockerfiles)."""
    return raw.replace(f"{root.as_posix()}/", "").lstrip("/")


def _lines(value: Any) -> tuple[int, int]:
    """Return a 1-based (start, end) line range from checkov's file_line_range."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        return 1, 1
    start = max(int(value[0]), 1)
    return start, max(int(value[1]), start)


def yaml_parse_errors(root: Path, files: Iterable[str]) -> Iterator[Finding]:
    """Yield a parse-error finding per YAML file that does not parse (checkov stays silent)."""
    for rel in files:
        if rel.endswith(YAML_SUFFIXES):
            error = _yaml_error(root / rel, rel)
            if error is not None:
                yield error


def _yaml_error(path: Path, rel: str) -> Finding | None:
    """Return a parse-error finding when the file is not YAML, else None."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if "templates" in PurePosixPath(rel).parts[:-1] and "{{" in text:
        return None  # a Helm chart template: YAML only after rendering
    try:
        for _ in yaml.compose_all(text, Loader=_LOADER):
            pass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        # problem and context only: str(exc) quotes file content, which may hold a secret.
        what = " ".join(
            str(p) for p in (getattr(exc, "context", None), getattr(exc, "problem", None)) if p
        )
        message = f"YAML syntax error at line {line}: {what or 'invalid YAML'}."
        return paved_finding(PARSE_ERROR, rel, message, line=line, scanner=NAME)
    return None


# compose_all checks syntax without constructing objects, so custom tags (!Ref, !reference) pass.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
