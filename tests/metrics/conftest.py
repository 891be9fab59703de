"""Stores for the metrics tests: a SQLite file, and a real PostgreSQL server started here.

The PostgreSQL server is initdb + pg_ctl in a temporary folder on a free port, run as the
`postgres` user (through runuser) when the tests run as root; each test gets its own database.
The PostgreSQL tests are skipped, with the reason, only when no server can be started.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa


def _pg_bin() -> Path:
    """Return PAVED_PG_BIN, else the newest /usr/lib/postgresql/N/bin (Debian's layout)."""
    if os.environ.get("PAVED_PG_BIN"):
        return Path(os.environ["PAVED_PG_BIN"])
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()
_names = itertools.count(1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser is None:
        raise RuntimeError("running as root without runuser: cannot start PostgreSQL as postgres")
    return [runuser, "-u", "postgres", "--", *command]


def _start(folder: Path, port: int) -> None:
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    done = subprocess.run(
        _as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"initdb failed: {done.stderr.strip()[-300:]}")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    start = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log")]
    done = subprocess.run(
        _as_postgres([*start, "-w", "-t", "60", "start"]),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        log = (folder / "log").read_text(errors="replace")[-300:]
        raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()[-200:]} {log}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """Start a throw-away PostgreSQL server; yield the URL of its maintenance database."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL is not installed ({PG_BIN}/initdb missing; .ci/run installs it)")
    folder = Path(tempfile.mkdtemp(prefix="paved-pg-"))
    folder.chmod(0o755)
    port = _free_port()
    try:
        _start(folder, port)
    except (RuntimeError, OSError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"cannot start PostgreSQL: {exc}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        stop = [str(PG_BIN / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "stop"]
        subprocess.run(_as_postgres(stop), capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_db(postgres_server: str) -> str:
    """Create a fresh database on the test server; return its URL."""
    name = f"paved_{os.getpid()}_{next(_names)}"
    admin = sa.create_engine(
        f"{postgres_server}/postgres".replace("postgresql:", "postgresql+psycopg:"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{postgres_server}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store URL on each backend: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{(tmp_path / 'metrics.db').as_posix()}"
    return str(request.getfixturevalue("postgres_db"))
