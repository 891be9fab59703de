"""A warm checkov: one background process imports checkov once and forks a child per scan.

Importing checkov costs ~1.7 s even with the GC paused (checkov.LAUNCHER), which dominates a
gate over a few changed files. Outside CI, the first scan starts this server in the background
(after its own, ordinary checkov run); later scans send their command line over a Unix socket
in the user's cache folder, and a forked child runs it exactly as the CLI would. The server
exits after IDLE_SECONDS unused. It serves one installation only: its identity (environment,
checkov, Paved Road, the variables that reach checkov) names its socket and comes back in every
reply, and the caller trusts a reply only when that identity is its own. Any trouble reaching
it makes the caller run checkov directly: never a silent pass. This module is the client, the
identity and the protocol; the server is checkov_warm_server.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import select
import signal
import socket
import struct
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import platformdirs

import pavedroad
from pavedroad import __version__, proc
from pavedroad.errors import ScannerError

ENABLE_ENV = "PAVED_WARM_CHECKOV"
IDLE_SECONDS = float(os.environ.get("PAVED_WARM_IDLE", "600"))
REQUEST_SECONDS = 10.0  # what a client gets to send its request: an idle one stalls nobody
REPLY_SECONDS = 30.0  # once a reply starts it arrives at once; extra time after the scan's own
TIMED_OUT = "timed-out"
MAX_SOCKET_PATH = 100
# Each server holds checkov in memory (~180 MB); past this many, other environments run checkov
# directly rather than pile up servers.
MAX_SERVERS = 4
SERVER_MODULE = "pavedroad.scanners.checkov_warm_server"
_HEADER = struct.Struct(">I")

# Variables that describe the terminal or the shell session, never what checkov reads or
# imports: they stay out of the identity so that the gates of one user share a server.
# Every other variable counts (PYTHONPATH, CKV_*, BC_*, proxies, locales...): one that changes
# only costs a cold start, one that is missed could change a result.
SESSION_ENV = frozenset(
    {
        "_", "PWD", "OLDPWD", "SHLVL", "TERM", "COLORTERM", "COLUMNS", "LINES", "LS_COLORS",
        "TERM_PROGRAM", "TERM_PROGRAM_VERSION", "TERM_SESSION_ID", "WINDOWID", "TMUX",
        "TMUX_PANE", "STY", "SSH_TTY", "SSH_CLIENT", "SSH_CONNECTION", "SSH_AUTH_SOCK",
        "DISPLAY", "PS1", "PROMPT_COMMAND", "HISTFILE", "HISTSIZE", "HISTCONTROL", "MAIL",
        "XDG_SESSION_ID", "XDG_SESSION_TYPE", "DBUS_SESSION_BUS_ADDRESS", "PAGER", "LESS",
        "EDITOR", "VISUAL", "NO_COLOR", "FORCE_COLOR", "CLICOLOR", "CLICOLOR_FORCE",
        "PYTEST_CURRENT_TEST",  # pytest changes it between a test's set-up and its call
    }
)  # fmt: skip
SESSION_PREFIXES = ("PAVED_",)  # Paved Road's own settings reach checkov as arguments only


def enabled() -> bool:
    """Return True unless disabled by PAVED_WARM_CHECKOV=0 or running in CI (fresh machines)."""
    value = os.environ.get(ENABLE_ENV)
    if value is not None:
        return value == "1"
    return not os.environ.get("CI")


def identity(
    server_env: Mapping[str, str], environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Return what decides a warm result here: environment, checkov, Paved Road, variables."""
    seen = {**(os.environ if environ is None else environ), **server_env}
    counted = sorted((k, v) for k, v in seen.items() if _counts(k))
    return {
        "prefix": sys.prefix,
        # One interpreter under any name (python3, python3.11): venvs differ by their prefix.
        "executable": os.path.realpath(sys.executable),
        "checkov": checkov_module(),
        "pavedroad": [__version__, str(Path(pavedroad.__file__).parent)],
        "env": hashlib.sha256(json.dumps(counted).encode()).hexdigest(),
    }


def _counts(name: str) -> bool:
    return name not in SESSION_ENV and not name.startswith(SESSION_PREFIXES)


def checkov_module() -> dict[str, Any] | None:
    """Return the checkov module this Python imports (path, version, install time), or None."""
    try:
        spec = importlib.util.find_spec("checkov")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    try:
        version = metadata.version("checkov")
        installed = Path(spec.origin).stat().st_mtime_ns
    except (metadata.PackageNotFoundError, OSError):
        return None
    return {"path": str(Path(spec.origin).parent), "version": version, "installed": installed}


def folder() -> Path:
    """Return the private folder that holds the servers' sockets."""
    return Path(platformdirs.user_cache_dir("pavedroad")) / "warm"


def _fallback_folder() -> Path:
    """Return the short per-user folder in /tmp used when a socket path would be too long."""
    return Path(tempfile.gettempdir()) / f"pavedroad-{os.getuid()}"


def socket_path(server_env: Mapping[str, str], environ: Mapping[str, str] | None = None) -> Path:
    """Return the socket of the server for this installation and environment (default: ours)."""
    return _socket_for(identity(server_env, environ))


def _socket_for(ident: Mapping[str, Any]) -> Path:
    key = hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:16]
    path = folder() / f"checkov-{key}.sock"
    if len(str(path)) < MAX_SOCKET_PATH:
        return path
    # A socket path is limited to ~107 bytes: fall back to a short per-user folder in /tmp.
    return _fallback_folder() / f"{_place()}-{key}.sock"


def _place() -> str:
    """Return the short name of the cache folder, which prefixes its sockets in /tmp."""
    return hashlib.sha256(str(folder()).encode()).hexdigest()[:8]


def run(
    argv: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    server_env: Mapping[str, str],
    timeout: float,
    memory_limit: int | None = None,
) -> proc.Completed | None:
    """Run checkov with argv in this installation's warm server; None when there is none."""
    mine = identity(server_env)
    request = {
        "identity": mine,
        "argv": list(argv),
        "cwd": str(cwd),
        "env": dict(env),
        "timeout": timeout,
        "memory_limit": memory_limit,
    }
    reply = _ask(_socket_for(mine), request, timeout + REPLY_SECONDS)
    if not isinstance(reply, dict) or reply.get("identity") != mine:
        return None  # not ours (another installation, environment or version): run directly
    return _completed(argv, reply)


def _ask(path: Path, request: Mapping[str, Any], timeout: float) -> Any:
    """Send a request and return the reply; None when the server cannot be reached or trusted."""
    try:
        if not _trusted(path):
            return None
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(REQUEST_SECONDS)
            client.connect(str(path))
            _send(client, request)
            _await(client, timeout)
            client.settimeout(REPLY_SECONDS)
            return _receive(client)
    except (OSError, ValueError):
        return None


def _await(conn: socket.socket, timeout: float) -> None:
    """Wait for the reply to start; closing the socket on the way out stops the scan."""
    deadline = time.monotonic() + timeout
    while not select.select([conn], [], [], proc.POLL_SECONDS)[0]:
        if proc.shutting_down():  # Ctrl-C while this scan runs in a thread
            raise ScannerError("checkov", "interrupted")
        if time.monotonic() > deadline:
            raise TimeoutError("the warm checkov did not answer")


def _completed(argv: Sequence[str], reply: dict[str, Any]) -> proc.Completed | None:
    if not isinstance(reply.get("code"), int):
        return None
    if reply.get("status") == TIMED_OUT:
        return proc.Completed(("checkov", *argv), -signal.SIGKILL, "", TIMED_OUT)
    return proc.Completed(
        ("checkov", *argv),
        reply["code"],
        str(reply.get("stdout", "")),
        str(reply.get("stderr", "")),
    )


def start(server_env: Mapping[str, str]) -> bool:
    """Start a server in the background for the next scans; False when too many run already."""
    if sum(1 for path in _sockets() if _alive(path)) >= MAX_SERVERS:
        return False
    command = [sys.executable, "-m", SERVER_MODULE, json.dumps(server_env)]
    place = folder()
    with contextlib.suppress(OSError):
        place.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Started from its private folder: `-m` puts the working directory first on sys.path, and
    # a repository's own checkov/ folder must never be imported.
    return proc.spawn_detached(command, env=server_env, cwd=place if _private(place) else Path("/"))


def stop(server_env: Mapping[str, str], environ: Mapping[str, str] | None = None) -> bool:
    """Ask this installation's server to exit; return False when there was none."""
    mine = identity(server_env, environ)
    path = _socket_for(mine)
    reply = _ask(path, {"identity": mine, "stop": True}, REPLY_SECONDS)
    if not isinstance(reply, dict) or reply.get("identity") != mine:
        return False
    end = time.monotonic() + REPLY_SECONDS
    while path.exists() and time.monotonic() < end:  # gone once the server has exited
        time.sleep(0.05)
    return True


def servers() -> Iterator[tuple[Path, dict[str, Any] | None]]:
    """Yield every warm server socket of this user with the identity it reports (None: mute)."""
    for path in _sockets():
        reply = _ask(path, {"hello": True}, REQUEST_SECONDS)
        ident = reply.get("identity") if isinstance(reply, dict) else None
        yield path, ident if isinstance(ident, dict) else None


def _sockets() -> list[Path]:
    """Return the socket files of this cache folder's servers (a killed one leaves its file)."""
    patterns = ((folder(), "*.sock"), (_fallback_folder(), f"{_place()}-*.sock"))
    return [path for place, glob in patterns if place.is_dir() for path in sorted(place.glob(glob))]


def _send(conn: socket.socket, data: object) -> None:
    body = json.dumps(data).encode()
    conn.sendall(_HEADER.pack(len(body)) + body)


def _receive(conn: socket.socket) -> Any:
    (size,) = _HEADER.unpack(_read(conn, _HEADER.size))
    return json.loads(_read(conn, size))


def _read(conn: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = conn.recv(min(left, 1 << 20))
        if not chunk:
            raise ValueError("connection closed early")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _private(place: Path) -> bool:
    """Return True when only this user can reach the folder (shared /tmp is never trusted)."""
    try:
        info = place.lstat()
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & 0o077 and not place.is_symlink()


def _trusted(path: Path) -> bool:
    """Return True when the socket and its folder belong to this user alone."""
    return _private(path.parent) and path.lstat().st_uid == os.getuid()


def _alive(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True
