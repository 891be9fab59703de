"""A warm checkov: one background process imports checkov once and forks a child per scan.

Importing checkov costs ~1.7 s even with the GC paused (checkov.LAUNCHER), which dominates a
gate over a few changed files. Outside CI, the first scan starts this server in the background
(after its own, ordinary checkov run); later scans send their command line over a Unix socket
in the user's cache folder, and a forked child runs it exactly as the CLI would. The server
exits after IDLE_SECONDS unused. Any trouble reaching it makes the caller run checkov
directly: never a silent pass.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import signal
import socket
import struct
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import platformdirs

from pavedroad import __version__, proc

ENABLE_ENV = "PAVED_WARM_CHECKOV"
IDLE_SECONDS = float(os.environ.get("PAVED_WARM_IDLE", "600"))
TIMED_OUT = "timed-out"
MAX_SOCKET_PATH = 100
_HEADER = struct.Struct(">I")


def enabled() -> bool:
    """Return True unless disabled by PAVED_WARM_CHECKOV=0 or running in CI (fresh machines)."""
    value = os.environ.get(ENABLE_ENV)
    if value is not None:
        return value == "1"
    return not os.environ.get("CI")


def socket_path(server_env: Mapping[str, str]) -> Path:
    """Return the socket of the server for this Python, this Paved Road and this environment."""
    identity = json.dumps(
        [os.path.realpath(sys.executable), __version__, sorted(server_env.items())]
    )
    key = hashlib.sha256(identity.encode()).hexdigest()[:16]
    folder = Path(platformdirs.user_cache_dir("pavedroad")) / "warm"
    path = folder / f"checkov-{key}.sock"
    if len(str(path)) < MAX_SOCKET_PATH:
        return path
    # A socket path is limited to ~107 bytes: fall back to a short per-user folder in /tmp.
    place = hashlib.sha256(str(folder).encode()).hexdigest()[:8]
    return Path(tempfile.gettempdir()) / f"pavedroad-{os.getuid()}" / f"{place}-{key}.sock"


def run(
    argv: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    server_env: Mapping[str, str],
    timeout: float,
) -> proc.Completed | None:
    """Run checkov with argv in the warm server; None when there is no usable server."""
    request = {"argv": list(argv), "cwd": str(cwd), "env": dict(env), "timeout": timeout}
    path = socket_path(server_env)
    try:
        if not _trusted(path):
            return None
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(timeout + 30)
            client.connect(str(path))
            _send(client, request)
            reply = _receive(client)
    except (OSError, ValueError):
        return None
    return _completed(argv, reply)


def _completed(argv: Sequence[str], reply: Any) -> proc.Completed | None:
    if not isinstance(reply, dict) or not isinstance(reply.get("code"), int):
        return None
    if reply.get("status") == TIMED_OUT:
        return proc.Completed(("checkov", *argv), -signal.SIGKILL, "", TIMED_OUT)
    return proc.Completed(
        ("checkov", *argv),
        reply["code"],
        str(reply.get("stdout", "")),
        str(reply.get("stderr", "")),
    )


def start(server_env: Mapping[str, str]) -> None:
    """Start a server in the background for the next scans (no-op when one is starting)."""
    command = [
        sys.executable,
        "-m",
        "pavedroad.scanners.checkov_warm",
        json.dumps(dict(server_env)),
    ]
    proc.spawn_detached(command, env=server_env)


def stop(server_env: Mapping[str, str]) -> bool:
    """Ask the server to exit; return False when there was none."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(10)
            client.connect(str(socket_path(server_env)))
            _send(client, {"stop": True})
            _receive(client)
    except (OSError, ValueError):
        return False
    return True


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


def serve(server_env: Mapping[str, str]) -> None:
    """Import checkov once, then answer scans until IDLE_SECONDS pass without one."""
    path = socket_path(server_env)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not _private(path.parent) or _alive(path):
        return
    gc.disable()  # as checkov.LAUNCHER does; frozen objects are also never copied on fork
    import checkov.main  # noqa: F401 - the whole point: pay the import once

    gc.freeze()
    gc.enable()

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        path.unlink(missing_ok=True)
        server.bind(str(path))
        path.chmod(0o600)
        server.listen(8)
        server.settimeout(IDLE_SECONDS)
        _loop(server)
    path.unlink(missing_ok=True)


def _private(folder: Path) -> bool:
    """Return True when only this user can reach the folder (shared /tmp is never trusted)."""
    info = folder.lstat()
    return info.st_uid == os.getuid() and not info.st_mode & 0o077 and not folder.is_symlink()


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


def _loop(server: socket.socket) -> None:
    while True:
        try:
            conn, _ = server.accept()
        except TimeoutError:
            return
        with conn, contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            conn.settimeout(None)
            request = _receive(conn)
            if request.get("stop"):
                _send(conn, {"stopped": True})
                return
            _send(conn, _handle(request))


def _handle(request: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="pavedroad-warm-") as tmp:
        out, err = Path(tmp) / "out", Path(tmp) / "err"
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            _child(request, out, err)
        code, status = _wait(pid, float(request["timeout"]))
        return {
            "code": code,
            "status": status,
            "stdout": out.read_text(encoding="utf-8", errors="replace") if out.exists() else "",
            "stderr": err.read_text(encoding="utf-8", errors="replace") if err.exists() else "",
        }


def _wait(pid: int, timeout: float) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), "done"
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return -signal.SIGKILL, TIMED_OUT


def _child(request: dict[str, Any], out: Path, err: Path) -> None:  # pragma: no cover
    code = 2
    try:
        os.chdir(request["cwd"])
        os.environ.update(request["env"])
        for fd, path in ((1, out), (2, err)):
            os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
        from checkov.main import Checkov

        code = Checkov(argv=list(request["argv"])).run() or 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    except BaseException as exc:  # the parent reports a crash like the CLI would: exit 2
        print(f"checkov crashed in the warm server: {exc!r}", file=sys.stderr)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    serve(json.loads(sys.argv[1]))
