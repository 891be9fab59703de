"""What a gate would run here: its scanners, the warm checkov server, Paved Road's folders."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from pavedroad.catalog import store
from pavedroad.errors import ScannerError
from pavedroad.scan import cache
from pavedroad.scanners import SCANNERS, CheckovScanner, HadolintScanner, Scanner, checkov
from pavedroad.scanners import checkov_warm as warm
from pavedroad.scanners import hadolint as hadolint_mod
from pavedroad.scanners.running import run_scanner

VERSION_TIMEOUT = 60.0


@dataclass(frozen=True)
class ScannerCheck:
    """One scanner as a gate here would run it, or why it cannot."""

    name: str
    path: str | None
    version: str | None
    problem: str | None


@dataclass(frozen=True)
class WarmServer:
    """A warm checkov server of this user, with the identity it reports (None: no answer)."""

    socket: Path
    identity: Mapping[str, Any] | None
    ours: bool


@dataclass(frozen=True)
class Diagnosis:
    """Everything `paved doctor` reports."""

    scanners: tuple[ScannerCheck, ...]
    warm_enabled: bool
    identity: Mapping[str, Any]
    servers: tuple[WarmServer, ...]
    cache: Path
    store: str

    @property
    def exit_code(self) -> int:
        """Return 3 when a scanner is missing (a gate would fail closed), else 0."""
        return 3 if any(s.problem for s in self.scanners) else 0


def diagnose() -> Diagnosis:
    """Look at this installation the way a gate would, without scanning anything."""
    mine = warm.identity(checkov.OFFLINE_ENV)
    servers = tuple(WarmServer(path, ident, ident == mine) for path, ident in warm.servers())
    return Diagnosis(
        scanners=tuple(check(name, factory()) for name, factory in SCANNERS.items()),
        warm_enabled=warm.enabled(),
        identity=mine,
        servers=servers,
        cache=cache.default_directory(),
        store=store.resolve().location,
    )


def stop_warm() -> bool:
    """Stop this installation's warm checkov server; return False when none was running."""
    return warm.stop(checkov.OFFLINE_ENV)


def check(name: str, scanner: Scanner) -> ScannerCheck:
    """Return where a scanner is and its version, or why it cannot run."""
    problem = scanner.unavailable_reason()
    if problem is not None:
        return ScannerCheck(name, None, None, problem)
    describe = _DESCRIBE.get(name)
    if describe is None:
        return ScannerCheck(name, None, None, None)
    try:
        path, version = describe(scanner)
    except ScannerError as exc:
        return ScannerCheck(name, None, None, f"it does not start: {exc}")
    return ScannerCheck(name, path, version, None)


def _checkov(scanner: Scanner) -> tuple[str, str]:
    explicit = scanner.executable if isinstance(scanner, CheckovScanner) else None
    exe = checkov.find_executable(explicit) or "checkov"
    module = warm.checkov_module()
    if explicit is None and exe == str(checkov._beside()) and module is not None:
        return f"{exe} (module {module['path']})", str(module["version"])
    return exe, _asked_version(exe, "checkov")


def _hadolint(scanner: Scanner) -> tuple[str, str]:
    explicit = scanner.executable if isinstance(scanner, HadolintScanner) else None
    exe = hadolint_mod.find_executable(explicit) or "hadolint"
    return exe, _asked_version(exe, "hadolint")


def _secrets(scanner: Scanner) -> tuple[str, str]:
    spec = importlib.util.find_spec("detect_secrets")
    where = Path(spec.origin).parent if spec is not None and spec.origin else "?"
    return f"bc-detect-secrets (module {where})", metadata.version("bc-detect-secrets")


def _asked_version(exe: str, tool: str) -> str:
    """Return the last word of `exe --version` (both tools print the number last)."""
    env = {**checkov.OFFLINE_ENV} if tool == "checkov" else {}
    done = run_scanner([exe, "--version"], tool=tool, timeout=VERSION_TIMEOUT, env=env)
    words = done.stdout.split()
    if done.returncode != 0 or not words:
        raise ScannerError(tool, f"`{exe} --version` exited with code {done.returncode}")
    return words[-1]


_DESCRIBE: Mapping[str, Callable[[Scanner], tuple[str, str]]] = {
    "checkov": _checkov,
    "hadolint": _hadolint,
    "secrets": _secrets,
}


def render(diagnosis: Diagnosis) -> str:
    """Return the report as `paved doctor` prints it."""
    lines = ["Scanners a gate runs here:"]
    for s in diagnosis.scanners:
        if s.problem is not None:
            lines.append(f"  {s.name:<9} cannot run: {s.problem}")
        else:
            lines.append(f"  {s.name:<9} {s.version or '?':<8} {s.path or ''}".rstrip())
    lines += _render_warm(diagnosis)
    lines += [f"Result cache: {diagnosis.cache}", f"Template store: {diagnosis.store}"]
    missing = [s.name for s in diagnosis.scanners if s.problem]
    if missing:
        lines.append(f"A gate here fails closed (exit 3): {', '.join(missing)} cannot run.")
    return "\n".join(lines)


def _render_warm(diagnosis: Diagnosis) -> list[str]:
    state = "on" if diagnosis.warm_enabled else f"off ({warm.ENABLE_ENV} or CI)"
    lines = [f"Warm checkov: {state}"]
    ours = [s for s in diagnosis.servers if s.ours]
    if ours:
        lines.append(f"  this installation's server: running at {ours[0].socket}")
    else:
        lines.append("  this installation's server: not running")
    lines.append(f"  this installation: {describe_identity(diagnosis.identity)}")
    for server in diagnosis.servers:
        if not server.ours:
            who = "no answer" if server.identity is None else describe_identity(server.identity)
            lines.append(f"  another server at {server.socket}: {who}")
    return lines


def describe_identity(ident: Mapping[str, Any]) -> str:
    """Return whose a warm server is, in words: Python, checkov, Paved Road, environment."""
    module = ident.get("checkov")
    ckv = (
        f"checkov {module.get('version')} at {module.get('path')}"
        if isinstance(module, dict)
        else "no importable checkov"
    )
    paved = ident.get("pavedroad") or ["?", "?"]
    return (
        f"Python {ident.get('executable')} (environment {ident.get('prefix')}), {ckv}, "
        f"Paved Road {paved[0]} at {paved[-1]}, variables {str(ident.get('env'))[:12]}"
    )
