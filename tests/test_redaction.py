"""No secret value a scanner copies into a finding is printed, reported, cached or recorded."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import yaml
from tests.helpers import make_finding, write_tree
from typer.testing import CliRunner

from pavedroad.cli import app
from pavedroad.findings import fingerprint
from pavedroad.scan.redact import REDACTED, redact, redact_finding

CURL_PASSWORD = "Xk9pQ2vLm8RtZ4wNq7"
GITHUB_TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
DOCKERFILE = (
    "FROM python:3.12-slim\n"
    f"RUN curl -u admin:{CURL_PASSWORD} https://repo.internal/pkg.tar.gz | tar xz\n"
)
WORKFLOW = f"""\
name: ci
on: [issues]
permissions: read-all
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: deploy with token {GITHUB_TOKEN}
        run: echo "${{{{ github.event.issue.title }}}}"
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"RUN curl -u admin:{CURL_PASSWORD} https://x", "RUN curl -u admin:<redacted> https://x"),
        ("wget https://admin:hunter2secretPW@repo.internal/x", "wget https://admin:<redacted>@"),
        (f"ENV GITHUB_TOKEN={GITHUB_TOKEN}", "ENV GITHUB_TOKEN=<redacted>"),
        ("deploy with AKIAIOSFODNN7EXAMPLE now", "deploy with <redacted> now"),
        ("password: s3cr3tvalue", "password: <redacted>"),
        ("token: dGhpcyBpcyBhIHZlcnkgc2VjcmV0IHRva2VuIQ==", "token: <redacted>"),
    ],
)
def test_detected_values_are_redacted(text: str, expected: str) -> None:
    assert expected in redact(text)
    assert REDACTED in redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "FROM python:3.12-slim@sha256:" + "0123456789abcdef" * 4,
        "sha1:0123456789abcdef0123456789abcdef01234567",
        "Secret Keyword at line 3 (sha1 0123456789ab).",
        "audit it into .secrets.baseline as is_secret: false.",
        "aws_s3_bucket.my_bucket_name_for_testing_purposes",
        "RUN apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5",
        "jobs(build).steps[1](Check out the repository)",
        "RUN curl -u admin:$PASSWORD https://repo.internal/x",
        "password: ${{ secrets.DB_PASSWORD }}",
        "api_key = var.api_key",
    ],
)
def test_pins_names_and_prose_are_kept(text: str) -> None:
    assert redact(text) == text


def test_redacted_finding_gets_a_stable_fingerprint_of_the_redacted_resource() -> None:
    raw = make_finding(
        scanner="hadolint",
        rule_id="DL4006",
        resource=f"RUN curl -u admin:{CURL_PASSWORD} https://x | sh",
        message="Set the SHELL option -o pipefail",
        title=f"pipe in curl -u admin:{CURL_PASSWORD}",
    )
    clean = redact_finding(raw)
    assert CURL_PASSWORD not in repr(clean)
    assert clean.resource == "RUN curl -u admin:<redacted> https://x | sh"
    assert clean.fingerprint == fingerprint("hadolint", "DL4006", raw.path, clean.resource)
    assert redact_finding(clean) == clean  # redacting twice changes nothing
    untouched = make_finding()
    assert redact_finding(untouched) is untouched


@pytest.mark.slow
def test_no_secret_in_any_report_cache_last_gate_or_exception(tmp_path: Path) -> None:
    repo = write_tree(
        tmp_path / "repo", {"Dockerfile": DOCKERFILE, ".github/workflows/ci.yml": WORKFLOW}
    )
    out_dir = tmp_path / "out"
    env = {
        "COLUMNS": "100",
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "PAVED_CACHE_DIR": str(tmp_path / "results"),
        "PAVED_TODAY": "2026-11-28",
    }
    formats = ("json", "sarif", "junit", "markdown", "gitlab", "github")
    args = [a for f in formats for a in ("-f", f, "-o", str(out_dir / f))]
    result = CliRunner().invoke(app, ["gate", str(repo), "--stage", "release", *args], env=env)
    assert result.exit_code == 1, result.output
    assert "admin:<redacted>" in (out_dir / "json").read_text()
    assert "deploy with token <redacted>" in (out_dir / "json").read_text()

    ref = _reference(out_dir / "json", "DL4006")
    who = ["--owner", "@a", "--approver", "@b", "--justification", "internal mirror"]
    request = ["exceptions", "request", ref, "--path", str(repo), *who, "--days", "30"]
    done = CliRunner().invoke(app, request, env=env)
    assert done.exit_code == 0, done.output
    record = yaml.safe_load((repo / ".pavedroad/exceptions.yaml").read_text())["exceptions"][0]
    assert record["resource"].startswith("RUN curl -u admin:<redacted>")

    written = [p for p in tmp_path.rglob("*") if p.is_file() and repo not in p.parents]
    written.append(repo / ".pavedroad/exceptions.yaml")
    for path in written:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert CURL_PASSWORD not in text and GITHUB_TOKEN not in text, path
    assert CURL_PASSWORD not in result.output + done.output
    kept = [p for p in written if p.suffix == ".json"]
    private = [p for p in kept if "results" in p.parts or "last-gate" in p.parts]
    assert any("last-gate" in p.parts for p in private) and any(
        "results" in p.parts for p in private
    )
    for path in private:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def _reference(report: Path, rule: str) -> str:
    findings = json.loads(report.read_text())["findings"]
    return str(next(f["short_ref"] for f in findings if f["rule_id"] == rule))


def test_detectors_load_before_scanner_threads_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """detect-secrets is first imported in the calling thread, never by two scanners at once."""
    import threading

    from pavedroad.scan import redact
    from pavedroad.scan.run import scan

    (tmp_path / "Dockerfile").write_text("FROM alpine:3.19\nRUN apk add curl\n", encoding="utf-8")
    threads: list[bool] = []
    build = redact._build_detectors

    def spy() -> tuple[object, ...]:
        threads.append(threading.current_thread() is threading.main_thread())
        return build()

    monkeypatch.setattr(redact, "_build_detectors", spy)
    redact._detectors.cache_clear()
    try:
        report = scan(tmp_path, scanners=["hadolint", "secrets"])
    finally:
        redact._detectors.cache_clear()
    assert report.findings, "hadolint should report the unpinned apk add"
    assert threads == [True]
