"""detect-secrets adapter: real detect-secrets (bc fork) in-process on small files."""

from __future__ import annotations

import dataclasses
import json
import socket
import time
from pathlib import Path

import pytest
from tests.scanners.helpers import (
    AWS_KEY_ID,
    CREDS,
    PRIVATE_KEY,
    SECRET_FILES,
    SECRET_VALUES,
    shifted,
    write_tree,
)

from pavedroad.errors import ConfigError, ScannerError
from pavedroad.findings import Finding, Severity
from pavedroad.scan.workspace import collect
from pavedroad.scanners import secrets
from pavedroad.scanners.secrets import SecretsScanner


def _scan(root: Path, scanner: SecretsScanner | None = None) -> tuple[Finding, ...]:
    return (scanner or SecretsScanner()).scan(collect(root).target())


@pytest.fixture
def secret_repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo", SECRET_FILES)


def _rules(findings: tuple[Finding, ...], *, suppressed: bool = False) -> set[tuple[str, str, int]]:
    return {
        (f.rule_id, f.path, f.start_line) for f in findings if f.inline_suppressed is suppressed
    }


def test_finds_aws_key_and_private_key_as_critical(secret_repo: Path) -> None:
    findings = _scan(secret_repo)
    assert ("AWSKeyDetector", "config/creds.env", 2) in _rules(findings)
    key = [f for f in findings if f.rule_id == "PrivateKeyDetector"]
    assert [f.path for f in key] == ["keys/deploy.pem"]
    assert all(f.severity is Severity.CRITICAL for f in findings if "KeyDetector" in f.rule_id)
    assert all(f.scanner == "secrets" and f.docs_url.startswith("https://") for f in findings)


def test_secret_values_never_appear_in_findings(secret_repo: Path) -> None:
    findings = _scan(secret_repo)
    assert findings
    for finding in findings:
        text = repr(finding) + "".join(str(v) for v in dataclasses.astuple(finding))
        for value in SECRET_VALUES:
            assert value not in text
            assert value[4:16] not in text  # not even a recognisable piece


def test_allowlist_pragma_is_reported_as_suppressed(secret_repo: Path) -> None:
    findings = _scan(secret_repo)
    assert _rules(findings, suppressed=True) == {("AWSKeyDetector", "config/creds.env", 4)}
    [allowed] = [f for f in findings if f.inline_suppressed]
    assert "pragma: allowlist secret" in allowed.message


def test_fingerprints_survive_inserted_lines(tmp_path: Path) -> None:
    before = _scan(write_tree(tmp_path / "a", SECRET_FILES))
    after = _scan(write_tree(tmp_path / "b", shifted(SECRET_FILES, 5)))
    assert {f.fingerprint for f in before} == {f.fingerprint for f in after}
    assert sorted(f.start_line + 5 for f in before) == sorted(f.start_line for f in after)


def _baseline(root: Path, verdicts: dict[int, bool | None], **extra: object) -> None:
    """Write a real detect-secrets baseline for root, audited per line number."""
    from detect_secrets.core import baseline
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.settings import default_settings

    with default_settings():
        collection = SecretsCollection(root=str(root))
        collection.scan_file("config/creds.env")
        data = baseline.format_for_output(collection)
    for item in data["results"]["config/creds.env"]:
        verdict = verdicts.get(item["line_number"], "unset")
        if verdict != "unset":
            item["is_secret"] = verdict
    data.update(extra)
    (root / ".secrets.baseline").write_text(json.dumps(data), encoding="utf-8")


def test_baseline_audits_are_honoured(secret_repo: Path) -> None:
    _baseline(secret_repo, {2: False, 3: None})
    findings = [f for f in _scan(secret_repo) if f.path == "config/creds.env"]
    by_line = {f.start_line: f for f in findings}
    assert 2 not in by_line  # audited false positive
    assert by_line[3].inline_suppressed and "not audited" in by_line[3].message
    assert not any(f.path == ".secrets.baseline" for f in findings)


def test_confirmed_baseline_secret_is_still_reported(secret_repo: Path) -> None:
    _baseline(secret_repo, {2: True})
    [finding] = [f for f in _scan(secret_repo) if (f.path, f.start_line) == ("config/creds.env", 2)]
    assert not finding.inline_suppressed and "confirmed secret" in finding.message


def test_baseline_file_exclusions_are_reported_not_applied(secret_repo: Path) -> None:
    exclude = {"path": "detect_secrets.filters.regex.should_exclude_file", "pattern": ["^keys/"]}
    _baseline(secret_repo, {})
    data = json.loads((secret_repo / ".secrets.baseline").read_text(encoding="utf-8"))
    data["filters_used"].append(exclude)
    (secret_repo / ".secrets.baseline").write_text(json.dumps(data), encoding="utf-8")
    findings = _scan(secret_repo)
    assert any(f.path.startswith("keys/") for f in findings)
    [config] = [f for f in findings if f.rule_id == "PAVED_SCANNER_CONFIG"]
    assert "regex.should_exclude_file" in config.message and "^keys/" in config.message


@pytest.mark.parametrize(
    "extra",
    [
        {"plugins_used": [{"name": "Evil", "path": "file://evil.py"}]},
        {"filters_used": [{"path": "file://evil.py::run"}]},
    ],
)
def test_baseline_with_custom_code_is_refused(secret_repo: Path, extra: dict[str, object]) -> None:
    _baseline(secret_repo, {}, **extra)
    with pytest.raises(ConfigError, match="repository code"):
        _scan(secret_repo)


def test_invalid_baseline_is_a_config_error(secret_repo: Path) -> None:
    (secret_repo / ".secrets.baseline").write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\.secrets\.baseline: not valid JSON"):
        _scan(secret_repo)
    (secret_repo / ".secrets.baseline").write_text('{"results": {"a": [1]}}', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\.secrets\.baseline: results\.a: expected objects"):
        _scan(secret_repo)


def test_long_lines_are_bounded_and_reported(tmp_path: Path) -> None:
    line = ("lorem ipsum = dolor(sit, amet) [consectetur] " * 300)[:10_000]
    hidden = line[:5_000] + f' key="{AWS_KEY_ID}" ' + line[5_020:]
    text = "\n".join([line] * 49 + [hidden] + [line] * 50)
    root = write_tree(tmp_path, {"docs/huge.md": text})
    assert 900_000 < (root / "docs/huge.md").stat().st_size < 1_048_576
    started = time.monotonic()
    findings = _scan(root)
    assert time.monotonic() - started < 12  # unbounded, such a file took minutes
    assert ("AWSKeyDetector", "docs/huge.md", 50) in _rules(findings)
    [partial] = [f for f in findings if f.rule_id == "PAVED_NOT_FULLY_SCANNED"]
    assert partial.severity is Severity.LOW and partial.path == "docs/huge.md"


PINNED = {
    "deploy/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nautomountServiceAccountToken: false\n",
    "deploy/web.yaml": 'image: "nginx:1.28@sha256:'
    + "7377697a 821c131a 924a7105 fafbe741 4db4e9fc c77a6f08 f776f33f 141ec3f8".replace(" ", "")
    + '"\n',
    "infra/main.tf": 'module "m" {\n  source = "git::https://example.com/m.git?ref='
    + "3d3c42e5 aac5ba80 5825da76 410c1812 73ba90b1".replace(" ", "")
    + '"\n}\n',
    ".pavedroad/exceptions.yaml": "exceptions:\n  - rule: CKV_AWS_20\n    fingerprint: "
    + "9f86d081 884c7d65 9a2feaa0 c55ad015 a3bf4f1b 2b0b822c d15d6c15 b0f00a08".replace(" ", "")
    + "\n",
    # Commit ids as tagging tools (yor) and CI records write them: keys that name a commit.
    "infra/tags.tf": 'locals {\n  tags = {\n    git_commit = "'
    + "8d1c0f1e 4b6a9c3e 2f7a5b0d 9e8c7f6a 5b4c3d2e".replace(" ", "")
    + '"\n  }\n}\n',
    "gate.json": '{"commit": "'
    + "e4b6a9c3 e2f7a5b0 d9e8c7f6 a5b4c3d2 e8d1c0f1".replace(" ", "")
    + '"}\n',
}


def test_secure_defaults_are_not_secrets(tmp_path: Path) -> None:
    """Digest and commit pins, and boolean settings, must not block a hardened template."""
    hex_secret = 'api_hash = "' + "8e3f1c0a 9b7d4e2f 6a5c3b1d 0e9f8a7b".replace(" ", "") + '"\n'
    findings = _scan(write_tree(tmp_path, {**PINNED, "app.cfg": hex_secret}))
    assert {f.path for f in findings} == {"app.cfg"}


def test_a_commit_key_does_not_hide_a_secret_of_another_shape(tmp_path: Path) -> None:
    """Only a whole 40- or 64-hex object id is a commit id; a longer hex string still counts."""
    value = "8d1c0f1e 4b6a9c3e 2f7a5b0d 9e8c7f6a 5b4c3d2e 9f8a7b6c".replace(" ", "")
    findings = _scan(write_tree(tmp_path, {"app.tf": f'git_commit = "{value}"\n'}))
    assert [f.rule_id for f in findings] == ["HexHighEntropyString"]


def test_non_utf8_file_is_still_scanned(tmp_path: Path) -> None:
    content = "caf\u00e9 = 1\nkey = " + AWS_KEY_ID + "\n"
    root = write_tree(tmp_path, {"legacy.cfg": content.encode("latin-1")})
    assert ("AWSKeyDetector", "legacy.cfg", 2) in _rules(_scan(root))


def test_never_touches_the_network(secret_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network blocked by test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    write_tree(
        secret_repo, {"slack.txt": "token = xoxb-" + "123456789012-" + "abcdefgh" + "ijklmnop\n"}
    )
    assert _scan(secret_repo)
    assert attempts == []


def test_timeout_fails_closed(secret_repo: Path) -> None:
    with pytest.raises(ScannerError) as caught:
        _scan(secret_repo, SecretsScanner(timeout=0))
    assert caught.value.scanner == "secrets"


def test_every_detect_secrets_plugin_has_a_severity() -> None:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    plugins = {cls.__name__ for cls in get_mapping_from_secret_type_to_class().values()}
    assert plugins == set(secrets.SEVERITIES)


def test_uses_only_bc_detect_secrets() -> None:
    assert secrets.provider_problem() is None


def test_yelp_detect_secrets_beside_it_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secrets.metadata, "version", lambda name: "1.5.0")
    assert "Yelp" in (SecretsScanner().unavailable_reason() or "")


def test_private_key_constant_is_a_private_key() -> None:
    assert PRIVATE_KEY.startswith("-----BEGIN") and AWS_KEY_ID in CREDS
