"""`paved lsp` driven by a real LSP client session over stdio (JSON-RPC with Content-Length)."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

import pytest
from tests.helpers import write_tree

pytestmark = pytest.mark.slow

BAD_DOCKERFILE = "FROM ubuntu:latest\nUSER root\nADD http://example.invalid/x.tgz /x\n"
WAIT_S = 180.0


class Client:
    """A minimal LSP client: frames requests, reads every message on a thread."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, cwd=cwd,
        )  # fmt: skip
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self.backlog: list[dict[str, Any]] = []
        self._next = 0
        assert self.proc.stdout is not None
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            headers: dict[str, str] = {}
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            if not headers:
                return
            self.inbox.put(json.loads(stream.read(int(headers["content-length"]))))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any) -> Any:
        self._next += 1
        self.send({"id": self._next, "method": method, "params": params})
        reply = self.wait(lambda m: m.get("id") == self._next and "method" not in m)
        assert "error" not in reply, reply
        return reply.get("result")

    def wait(self, wanted: Any, timeout: float = WAIT_S) -> dict[str, Any]:
        for message in self.backlog:  # arrived while waiting for something else
            if wanted(message):
                self.backlog.remove(message)
                return message
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                message = self.inbox.get(timeout=max(0.1, end - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(message)
            if wanted(message):
                return message
            self.backlog.append(message)
        raise AssertionError(f"no such message; got {self.seen}")


def diagnostics_for(uri: str) -> Any:
    return lambda m: (
        m.get("method") == "textDocument/publishDiagnostics" and (m["params"]["uri"] == uri)
    )


@pytest.fixture
def client(tmp_path: Path) -> Any:
    env = {**os.environ, "PAVED_CACHE_DIR": str(tmp_path / "results")}
    if env.get("PAVED_WARM_CHECKOV") != "1":  # else the warm fixture's folder, where it stops it
        env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    started = Client([sys.executable, "-m", "pavedroad", "lsp"], env, tmp_path)
    yield started
    if started.proc.poll() is None:
        started.proc.kill()
        started.proc.wait()


def initialize(client: Client, repo: Path) -> Any:
    result = client.request(
        "initialize",
        {"processId": os.getpid(), "rootUri": repo.as_uri(), "capabilities": {}},
    )
    client.notify("initialized", {})
    return result


def open_document(client: Client, path: Path) -> None:
    item = {"uri": path.as_uri(), "languageId": "dockerfile", "version": 1, "text": ""}
    client.notify("textDocument/didOpen", {"textDocument": {**item, "text": path.read_text()}})


def test_a_bad_dockerfile_gets_diagnostics_a_code_action_and_a_clean_exit(
    tmp_path: Path, client: Client
) -> None:
    repo = write_tree(tmp_path / "repo", {"Dockerfile": BAD_DOCKERFILE, "README.md": "hi\n"})
    caps = initialize(client, repo)["capabilities"]
    assert caps["codeActionProvider"] and caps["executeCommandProvider"]["commands"] == [
        "paved.showExceptionRequest"
    ]
    dockerfile = repo / "Dockerfile"
    open_document(client, dockerfile)
    found = client.wait(diagnostics_for(dockerfile.as_uri()))["params"]["diagnostics"]

    by_rule = {d["code"]: d for d in found}
    assert {"DL3007", "CKV_DOCKER_8", "CKV_DOCKER_2"} <= set(by_rule), sorted(by_rule)
    latest = by_rule["DL3007"]
    assert latest["range"]["start"] == {"line": 0, "character": 0}
    assert latest["source"] == "paved/hadolint"
    assert latest["codeDescription"]["href"].startswith("https://")
    assert "Fix: " in latest["message"]
    assert latest["severity"] in (1, 2, 3)  # error, warning, information: never omitted
    assert by_rule["CKV_DOCKER_8"]["range"]["start"]["line"] == 1  # USER root
    ref = latest["data"]["ref"]
    assert len(ref) == 12

    actions = client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": dockerfile.as_uri()},
            "range": latest["range"],
            "context": {"diagnostics": [latest]},
        },
    )
    command = f"paved exceptions request {ref} --path Dockerfile"
    shown, written = actions
    assert command in shown["title"] and shown["command"]["arguments"] == [command]
    edit = written["edit"]["changes"][dockerfile.as_uri()][0]
    assert edit["newText"].startswith(f"# TODO: run `{command}`")
    assert edit["range"]["start"] == {"line": 0, "character": 0}

    result = client.request(
        "workspace/executeCommand", shown["command"] | {"command": "paved.showExceptionRequest"}
    )
    assert result == command
    message = client.wait(lambda m: m.get("method") == "window/showMessage")
    assert message["params"]["message"] == command

    assert client.request("shutdown", None) is None
    client.notify("exit", None)
    assert client.proc.wait(timeout=30) == 0
    assert dockerfile.read_text() == BAD_DOCKERFILE  # the server never writes by itself


def test_a_save_after_the_fix_clears_the_finding_and_answers_from_the_cache(
    tmp_path: Path, client: Client
) -> None:
    repo = write_tree(tmp_path / "repo", {"Dockerfile": BAD_DOCKERFILE})
    initialize(client, repo)
    dockerfile = repo / "Dockerfile"
    open_document(client, dockerfile)
    first = client.wait(diagnostics_for(dockerfile.as_uri()))["params"]["diagnostics"]
    assert "DL3007" in {d["code"] for d in first}

    dockerfile.write_text(BAD_DOCKERFILE.replace("ubuntu:latest", "ubuntu:24.04"))
    client.notify("textDocument/didSave", {"textDocument": {"uri": dockerfile.as_uri()}})
    second = client.wait(diagnostics_for(dockerfile.as_uri()))["params"]["diagnostics"]
    assert "DL3007" not in {d["code"] for d in second}
    assert "CKV_DOCKER_8" in {d["code"] for d in second}

    dockerfile.write_text(BAD_DOCKERFILE)  # back to the first content: every scanner is cached
    began = time.monotonic()
    client.notify("textDocument/didSave", {"textDocument": {"uri": dockerfile.as_uri()}})
    third = client.wait(diagnostics_for(dockerfile.as_uri()))["params"]["diagnostics"]
    assert {d["code"] for d in third} == {d["code"] for d in first}
    assert time.monotonic() - began < 5.0


def test_a_broken_policy_is_shown_in_the_editor_not_a_crash(tmp_path: Path, client: Client) -> None:
    repo = write_tree(
        tmp_path / "repo",
        {"Dockerfile": BAD_DOCKERFILE, ".pavedroad/policy.yaml": "version: 1\nstages: {}\n"},
    )
    initialize(client, repo)
    open_document(client, repo / "Dockerfile")
    message = client.wait(lambda m: m.get("method") == "window/showMessage")
    assert message["params"]["type"] == 1 and "policy.yaml" in message["params"]["message"]
    assert (
        client.wait(diagnostics_for((repo / "Dockerfile").as_uri()))["params"]["diagnostics"] == []
    )
    assert client.request("shutdown", None) is None


def test_with_the_warm_checkov_a_changed_file_answers_in_about_a_second(
    tmp_path: Path, warm: None, client: Client
) -> None:
    repo = write_tree(tmp_path / "repo", {"Dockerfile": BAD_DOCKERFILE})
    initialize(client, repo)
    dockerfile = repo / "Dockerfile"
    open_document(client, dockerfile)  # starts the warm server: the slow first answer
    client.wait(diagnostics_for(dockerfile.as_uri()))
    timings = []
    for tag in ("22.04", "24.04", "24.10"):  # new content each time: nothing is cached
        dockerfile.write_text(BAD_DOCKERFILE.replace("latest", tag))
        began = time.monotonic()
        client.notify("textDocument/didSave", {"textDocument": {"uri": dockerfile.as_uri()}})
        found = client.wait(diagnostics_for(dockerfile.as_uri()))["params"]["diagnostics"]
        timings.append(time.monotonic() - began)
        assert "CKV_DOCKER_8" in {d["code"] for d in found}, "checkov answered"
    print(f"saves answered in {', '.join(f'{t:.2f}s' for t in timings)}")
    assert min(timings) < 3.0, timings  # about a second; generous for a busy machine
