"""The warm checkov server gives exactly the direct run's findings, and falls back cleanly."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from tests.helpers import write_tree

from pavedroad.findings import Finding
from pavedroad.scan.workspace import collect
from pavedroad.scanners import checkov_warm
from pavedroad.scanners.checkov import OFFLINE_ENV, CheckovScanner

pytestmark = pytest.mark.slow


def _wait_for_server(deadline: float = 60) -> None:
    path = checkov_warm.socket_path(OFFLINE_ENV)
    end = time.monotonic() + deadline
    while time.monotonic() < end and not path.exists():
        time.sleep(0.2)
    assert path.exists(), "the warm server did not start"


def test_warm_scan_equals_direct_scan(
    warm: object, iac_repo: Path, checkov_findings: tuple[Finding, ...]
) -> None:
    target = collect(iac_repo).target()
    assert not checkov_warm.socket_path(OFFLINE_ENV).exists()
    first = CheckovScanner().scan(target)  # direct run; starts the server for next time
    _wait_for_server()
    calls: list[object] = []
    real_run = checkov_warm.run

    def counting(*args: object, **kwargs: object) -> object:
        done = real_run(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(done)
        return done

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(checkov_warm, "run", counting)
        second = CheckovScanner().scan(target)
    assert calls and calls[0] is not None, "the second scan went through the warm server"
    assert sorted(map(repr, second)) == sorted(map(repr, first))
    assert sorted(map(repr, second)) == sorted(map(repr, checkov_findings))


def test_no_server_means_direct_run(warm: object) -> None:
    assert checkov_warm.run(["--version"], Path("/"), {}, OFFLINE_ENV, 5) is None
    assert not checkov_warm.stop(OFFLINE_ENV)


def test_disabled_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAVED_WARM_CHECKOV")
    monkeypatch.setenv("CI", "true")
    assert not checkov_warm.enabled()
    monkeypatch.delenv("CI")
    assert checkov_warm.enabled()


def test_a_folder_others_can_write_is_never_trusted(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o700)
    assert checkov_warm._private(shared)
    shared.chmod(0o777)
    assert not checkov_warm._private(shared)
    assert not checkov_warm._trusted(shared / "checkov.sock")


# A checkov stand-in on PYTHONPATH: answers "no findings" at once, or forks a worker and hangs.
FAKE_CHECKOV = {
    "checkov/__init__.py": "",
    "checkov/main.py": textwrap.dedent(
        """\
        import os, time

        class Checkov:
            def __init__(self, argv=None):
                self.argv = argv

            def run(self):
                if os.environ.get("FAKE_CHECKOV_HOG"):
                    hog = bytearray(2 << 30)
                hang = os.environ.get("FAKE_CHECKOV_HANG")
                if hang:
                    worker = os.fork()
                    if worker == 0:
                        time.sleep(120)
                        os._exit(0)
                    with open(hang, "w") as out:
                        out.write(f"{os.getpid()} {worker}")
                    time.sleep(120)
                print("[]")
                return 0
        """
    ),
}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _pids(path: Path, seconds: float = 20) -> list[int]:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if path.is_file() and path.read_text():
            return [int(p) for p in path.read_text().split()]
        time.sleep(0.05)
    raise AssertionError("the stand-in scan did not start")


def _all_gone(pids: list[int], seconds: float = 10) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end and any(map(_alive, pids)):
        time.sleep(0.05)
    return not any(map(_alive, pids))


@pytest.fixture
def fake_checkov(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "fake", FAKE_CHECKOV)


def _use_fake(patch: pytest.MonkeyPatch, fake: Path) -> None:
    """Make this process, and what it starts, see the stand-in checkov first."""
    patch.setenv("PYTHONPATH", str(fake))
    patch.syspath_prepend(str(fake))  # what PYTHONPATH does to a Python started with it
    patch.delitem(sys.modules, "checkov", raising=False)


@pytest.fixture
def fake_server(warm: object, fake_checkov: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    """A warm server (and this process) whose PYTHONPATH puts the stand-in checkov first."""
    _use_fake(monkeypatch, fake_checkov)
    assert checkov_warm.checkov_module()["path"] == str(fake_checkov / "checkov")  # type: ignore[index]
    checkov_warm.start(OFFLINE_ENV)
    _wait_for_server()
    yield
    checkov_warm.stop(OFFLINE_ENV)


def _request(hang: Path | None = None) -> dict[str, object]:
    return {
        "identity": checkov_warm.identity(OFFLINE_ENV),
        "argv": ["--version"],
        "cwd": "/",
        "env": {} if hang is None else {"FAKE_CHECKOV_HANG": str(hang)},
        "timeout": 60,
    }


def test_a_server_with_another_pythonpath_never_answers(
    warm: object,
    fake_checkov: Path,
    iac_repo: Path,
    checkov_findings: tuple[Finding, ...],
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        _use_fake(patch, fake_checkov)
        checkov_warm.start(OFFLINE_ENV)
        _wait_for_server()
        faked = checkov_warm.socket_path(OFFLINE_ENV)
    try:
        assert checkov_warm.socket_path(OFFLINE_ENV) != faked
        assert checkov_warm.run(["--version"], Path("/"), {}, OFFLINE_ENV, 30) is None
        found = CheckovScanner().scan(collect(iac_repo).target())
        assert sorted(map(repr, found)) == sorted(map(repr, checkov_findings))
        _wait_for_server()  # the clean one this scan started, for the fixture to stop
    finally:
        with pytest.MonkeyPatch.context() as patch:
            _use_fake(patch, fake_checkov)
            assert checkov_warm.stop(OFFLINE_ENV)


def test_a_reply_with_another_identity_is_not_trusted(
    warm: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server at this installation's socket that is not this installation's is ignored."""
    path = checkov_warm.socket_path(OFFLINE_ENV)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    replies = [
        {"code": 0, "stdout": "[]", "stderr": "", "status": "done"},  # an older server
        {"code": 0, "stdout": "[]", "stderr": "", "status": "done", "identity": {"x": 1}},
    ]
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen(2)

        def answer() -> None:
            for reply in replies:
                conn, _ = server.accept()
                with conn:
                    checkov_warm._receive(conn)
                    checkov_warm._send(conn, reply)

        thread = threading.Thread(target=answer)
        thread.start()
        try:
            assert checkov_warm.run(["--version"], Path("/"), {}, OFFLINE_ENV, 10) is None
            assert checkov_warm.run(["--version"], Path("/"), {}, OFFLINE_ENV, 10) is None
        finally:
            thread.join(10)
            path.unlink()


def test_an_idle_client_stalls_no_other(fake_server: object) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as idle:
        idle.connect(str(checkov_warm.socket_path(OFFLINE_ENV)))  # and never says anything
        started = time.monotonic()
        done = checkov_warm.run(["--version"], Path("/"), {}, OFFLINE_ENV, 5)
        assert done is not None and done.stdout == "[]\n"
        assert time.monotonic() - started < 5


def test_a_timeout_kills_the_scan_and_its_workers(fake_server: object, tmp_path: Path) -> None:
    hang = tmp_path / "scan.pids"
    env = {"FAKE_CHECKOV_HANG": str(hang)}
    done = checkov_warm.run(["--version"], Path("/"), env, OFFLINE_ENV, 3)
    assert done is not None and done.stderr == checkov_warm.TIMED_OUT
    assert _all_gone(_pids(hang)), "a warm scan or its worker outlived the timeout"


def test_a_scan_whose_client_went_away_is_stopped(fake_server: object, tmp_path: Path) -> None:
    hang = tmp_path / "scan.pids"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.connect(str(checkov_warm.socket_path(OFFLINE_ENV)))
        checkov_warm._send(client, _request(hang))
        pids = _pids(hang)
    assert _all_gone(pids), "the scan of a client that went away kept running"


# The gate runs checkov in a scanner thread; Ctrl-C reaches the main thread only.
INTERRUPTED = textwrap.dedent(
    """\
    import concurrent.futures, json, sys
    from pathlib import Path
    from pavedroad.scanners import checkov_warm
    from pavedroad.scanners.checkov import OFFLINE_ENV
    env = {"FAKE_CHECKOV_HANG": sys.argv[1]}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        pool.submit(checkov_warm.run, ["-v"], Path("/"), env, OFFLINE_ENV, 900).result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    """
)


def test_ctrl_c_while_a_warm_scan_hangs_ends_promptly(fake_server: object, tmp_path: Path) -> None:
    hang = tmp_path / "scan.pids"
    gate = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED, str(hang)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        pids = _pids(hang)
        gate.send_signal(signal.SIGINT)
        gate.wait(timeout=15)
    finally:
        if gate.poll() is None:
            gate.kill()
        gate.communicate()
    assert _all_gone(pids), "the warm scan outlived the interrupted gate"


def test_the_scan_child_runs_under_the_memory_cap(fake_server: object) -> None:
    env = {"FAKE_CHECKOV_HOG": "1"}
    done = checkov_warm.run(["-v"], Path("/"), env, OFFLINE_ENV, 30, memory_limit=1 << 30)
    assert done is not None
    assert done.returncode == 2 and "MemoryError" in done.stderr
    within = checkov_warm.run(["-v"], Path("/"), {}, OFFLINE_ENV, 30, memory_limit=1 << 30)
    assert within is not None and within.stdout == "[]\n"


def test_no_more_servers_than_the_cap(fake_server: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkov_warm, "MAX_SERVERS", 1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ANOTHER_ENVIRONMENT", "1")  # another identity, so another server
        assert not checkov_warm.start(OFFLINE_ENV)


def test_only_scans_keep_a_server_alive(
    warm: object, fake_checkov: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAVED_WARM_IDLE", "4")
    _use_fake(monkeypatch, fake_checkov)
    checkov_warm.start(OFFLINE_ENV)
    _wait_for_server()
    path = checkov_warm.socket_path(OFFLINE_ENV)
    assert checkov_warm.run(["-v"], Path("/"), {}, OFFLINE_ENV, 30) is not None
    assert dict(checkov_warm.servers())[path] == checkov_warm.identity(OFFLINE_ENV)
    end = time.monotonic() + 20
    while path.exists() and time.monotonic() < end:
        list(checkov_warm.servers())  # `paved doctor` asking whose servers run
        time.sleep(0.5)
    assert not path.exists(), "probes kept an idle server alive"


def test_one_interpreter_under_two_names_is_one_identity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`paved` (python3.11) and `python3 -m pavedroad` share a server; sys.prefix splits venvs."""
    alias = tmp_path / "python-alias"
    alias.symlink_to(sys.executable)
    before = checkov_warm.identity(OFFLINE_ENV, {})
    monkeypatch.setattr(sys, "executable", str(alias))
    assert checkov_warm.identity(OFFLINE_ENV, {}) == before
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    assert checkov_warm.identity(OFFLINE_ENV, {}) != before
