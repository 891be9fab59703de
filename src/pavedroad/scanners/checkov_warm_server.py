"""The warm checkov server: imports checkov once, then forks a process per client and per scan.

Started by checkov_warm.start; the protocol, identity and socket are in checkov_warm. Every
client gets its own session process (an idle client stalls nobody); each scan runs in a child
of that session, in its own process group and under the memory cap, and is killed with its
workers at the deadline or as soon as its client goes away.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import resource
import select
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pavedroad.scanners.checkov_warm import (
    IDLE_SECONDS,
    REPLY_SECONDS,
    REQUEST_SECONDS,
    TIMED_OUT,
    _alive,
    _private,
    _receive,
    _send,
    _socket_for,
    identity,
    socket_path,
)


def serve(server_env: Mapping[str, str]) -> None:
    """Import checkov once, then answer scans until IDLE_SECONDS pass without one."""
    path = socket_path(server_env)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not _private(path.parent) or _alive(path):
        return
    before = dict(os.environ)  # importing checkov sets variables of its own
    gc.disable()  # as checkov.LAUNCHER does; frozen objects are also never copied on fork
    import checkov.main  # noqa: F401 - the whole point: pay the import once

    gc.freeze()
    gc.enable()
    mine = identity(server_env, before)
    if _socket_for(mine) != path:
        return  # the checkov it loaded is not the one this installation names
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        path.unlink(missing_ok=True)
        server.bind(str(path))
        try:
            path.chmod(0o600)
            server.listen(16)
            _loop(server, mine)
        finally:
            path.unlink(missing_ok=True)


def _loop(server: socket.socket, mine: Mapping[str, Any]) -> None:
    """Accept clients, each served by its own forked process, so none waits for another."""
    me, used = os.getpid(), [time.monotonic()]

    def scanned(signum: int, frame: object) -> None:
        used[0] = time.monotonic()

    signal.signal(signal.SIGTERM, _exit)  # a stop request: leave through serve's clean-up
    signal.signal(signal.SIGUSR1, scanned)  # only scans keep it alive, not probes or doctor
    while (left := used[0] + IDLE_SECONDS - time.monotonic()) > 0:
        server.settimeout(left)
        try:
            conn, _ = server.accept()
        except TimeoutError:
            continue
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the forked session process
            for signum in (signal.SIGTERM, signal.SIGUSR1):
                signal.signal(signum, signal.SIG_DFL)
            server.close()
            _session(conn, mine, me)
        conn.close()
        _reap()


def _exit(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _reap() -> None:
    """Collect the session processes that have finished."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _session(conn: socket.socket, mine: Mapping[str, Any], server: int) -> None:
    """Answer one client, then exit: a stalled client only ever stalls this process."""
    code = 0
    try:
        with conn:
            conn.settimeout(REQUEST_SECONDS)
            reply = _answer(conn, _receive(conn), mine, server)
            if reply is not None:
                conn.settimeout(REPLY_SECONDS)
                _send(conn, {**reply, "identity": mine})
    except BaseException:  # a client that vanished or spoke nonsense: nothing to answer
        code = 1
    finally:
        os._exit(code)


def _answer(
    conn: socket.socket, request: Any, mine: Mapping[str, Any], server: int
) -> dict[str, Any] | None:
    """Return the reply to a request; scan only for a client of this very installation."""
    if not isinstance(request, dict) or request.get("hello"):
        return {"pid": server}
    if request.get("identity") != mine:
        return {"refused": "this server belongs to another installation or environment"}
    if request.get("stop"):
        os.kill(server, signal.SIGTERM)
        return {"stopped": True}
    os.kill(server, signal.SIGUSR1)  # in use: restart its idle time
    return _handle(conn, request)


def _handle(conn: socket.socket, request: dict[str, Any]) -> dict[str, Any] | None:
    """Run one scan in a forked child; None when the client went away (the scan is killed)."""
    with tempfile.TemporaryDirectory(prefix="pavedroad-warm-") as tmp:
        out, err = Path(tmp) / "out", Path(tmp) / "err"
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            _child(request, out, err)
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)  # also done by the child: whichever runs first
        status = _wait(pid, float(request["timeout"]), conn)
        if status is None:
            return None
        code, state = status
        return {
            "code": code,
            "status": state,
            "stdout": out.read_text(encoding="utf-8", errors="replace") if out.exists() else "",
            "stderr": err.read_text(encoding="utf-8", errors="replace") if err.exists() else "",
        }


def _wait(pid: int, timeout: float, conn: socket.socket) -> tuple[int, str] | None:
    """Wait for the scan; kill its whole group at the deadline or when the client is gone."""
    deadline = time.monotonic() + timeout
    while True:
        if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            _kill_group(pid)  # workers it left behind; the unreaped child keeps the group id
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), "done"
        if time.monotonic() > deadline:
            _kill_group(pid)
            os.waitpid(pid, 0)
            return -signal.SIGKILL, TIMED_OUT
        if _gone(conn):
            _kill_group(pid)
            os.waitpid(pid, 0)
            return None


def _gone(conn: socket.socket) -> bool:
    """Return True when the client closed its end (it never sends anything after a request)."""
    if not select.select([conn], [], [], 0.05)[0]:
        return False
    try:
        return conn.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _cap(limit: object) -> None:
    """Cap this process's address space, as proc.run does for a direct run."""
    if not isinstance(limit, int):
        return
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _child(request: dict[str, Any], out: Path, err: Path) -> None:  # pragma: no cover
    code = 2
    try:
        os.setpgid(0, 0)  # its own group: a timeout kills checkov's workers with it
        _cap(request.get("memory_limit"))
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
