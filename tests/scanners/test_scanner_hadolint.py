"""hadolint adapter: real hadolint on small Dockerfiles (it starts in milliseconds)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.scanners.helpers import BROKEN_DOCKERFILE, DOCKERFILE, shifted, write_tree

from pavedroad.errors import ConfigError, ScannerError
from pavedroad.findings import Finding, Severity
from pavedroad.scan.workspace import collect
from pavedroad.scanners import hadolint
from pavedroad.scanners.hadolint import HadolintScanner

IGNORING = """\
FROM ubuntu:22.04
# hadolint ignore=DL3008, DL3015
RUN apt-get update && apt-get install -y curl
# hadolint ignore=DL3008

RUN apt-get install -y wget
"""


def _scan(root: Path) -> tuple[Finding, ...]:
    return HadolintScanner().scan(collect(root).target())


def _by_rule(findings: tuple[Finding, ...]) -> dict[tuple[str, str], Finding]:
    return {(f.rule_id, f.path): f for f in findings}


def test_finds_latest_tag_and_root_user(tmp_path: Path) -> None:
    found = _by_rule(_scan(write_tree(tmp_path, {"docker/Dockerfile": DOCKERFILE})))
    latest = found[("DL3007", "docker/Dockerfile")]
    assert (latest.severity, latest.start_line, latest.scanner) == (Severity.MEDIUM, 1, "hadolint")
    assert latest.resource == "FROM ubuntu:latest"
    assert latest.docs_url == "https://github.com/hadolint/hadolint/wiki/DL3007"
    root_user = found[("DL3002", "docker/Dockerfile")]
    assert root_user.start_line == 2 and not root_user.inline_suppressed


def test_ignore_comments_become_suppressed_findings(tmp_path: Path) -> None:
    findings = _scan(write_tree(tmp_path, {"Dockerfile": IGNORING}))
    suppressed = {(f.rule_id, f.start_line) for f in findings if f.inline_suppressed}
    assert suppressed == {("DL3008", 3), ("DL3015", 3)}
    # an ignore comment separated by a blank line does not apply (as in hadolint itself)
    assert ("DL3008", 6) in {(f.rule_id, f.start_line) for f in findings if not f.inline_suppressed}
    assert all("hadolint ignore" in f.message for f in findings if f.inline_suppressed)


def test_global_ignore_applies_everywhere(tmp_path: Path) -> None:
    text = "# hadolint global ignore=DL3007\n" + DOCKERFILE
    found = _by_rule(_scan(write_tree(tmp_path, {"Dockerfile": text})))
    assert found[("DL3007", "Dockerfile")].inline_suppressed
    assert not found[("DL3002", "Dockerfile")].inline_suppressed


def test_repository_config_raises_levels_and_ignores_visibly(tmp_path: Path) -> None:
    config = "ignored:\n  - DL3008\noverride:\n  error:\n    - DL3007\n"
    root = write_tree(tmp_path, {"Dockerfile": DOCKERFILE, ".hadolint.yaml": config})
    found = _by_rule(_scan(root))
    ignored = found[("DL3008", "Dockerfile")]
    assert ignored.inline_suppressed and "Ignored by `.hadolint.yaml`" in ignored.message
    assert found[("DL3007", "Dockerfile")].severity is Severity.HIGH


def test_environment_cannot_ignore_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HADOLINT_IGNORE", "DL3007,DL3002")
    found = _by_rule(_scan(write_tree(tmp_path, {"Dockerfile": DOCKERFILE})))
    assert ("DL3007", "Dockerfile") in found and ("DL3002", "Dockerfile") in found


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ("bogus: [1\n", "invalid YAML"),
        ("- DL3007\n", "expected a mapping"),
        ("ignored: DL3007\n", "ignored: expected a list"),
        ("override:\n  never: [DL3007]\n", "override.never: expected one of"),
    ],
)
def test_invalid_repository_config_is_a_config_error(
    tmp_path: Path, config: str, problem: str
) -> None:
    root = write_tree(tmp_path, {"Dockerfile": DOCKERFILE, ".hadolint.yaml": config})
    with pytest.raises(ConfigError, match=rf"^\.hadolint\.yaml: .*{problem}"):
        _scan(root)


def test_config_hadolint_rejects_fails_closed(tmp_path: Path) -> None:
    config = "trustedRegistries: 7\n"  # valid YAML that hadolint itself refuses
    root = write_tree(tmp_path, {"Dockerfile": DOCKERFILE, ".hadolint.yaml": config})
    with pytest.raises(ScannerError) as caught:
        _scan(root)
    assert caught.value.scanner == "hadolint"


def test_unparsable_dockerfile_is_a_parse_error_finding(tmp_path: Path) -> None:
    findings = _scan(write_tree(tmp_path, {"broken/app.Dockerfile": BROKEN_DOCKERFILE}))
    [finding] = findings
    assert (finding.rule_id, finding.severity) == ("PAVED_PARSE_ERROR", Severity.HIGH)
    assert finding.path == "broken/app.Dockerfile"


def test_dockerfile_names(tmp_path: Path) -> None:
    names = ["Dockerfile.prod", "api.Dockerfile", "Containerfile", "notes.md", ".dockerignore"]
    names += ["Dockerfile.jinja", "app.Dockerfile.j2"]  # templates, not Dockerfiles yet
    root = write_tree(tmp_path, dict.fromkeys(names, DOCKERFILE))
    assert {f.path for f in _scan(root)} == {"Dockerfile.prod", "api.Dockerfile", "Containerfile"}


def test_fingerprints_survive_inserted_lines(tmp_path: Path) -> None:
    files = {"Dockerfile": DOCKERFILE}
    before = _scan(write_tree(tmp_path / "a", files))
    after = _scan(write_tree(tmp_path / "b", shifted(files, 4)))
    assert {f.fingerprint for f in before} == {f.fingerprint for f in after}
    assert {f.start_line + 4 for f in before} == {f.start_line for f in after}


def test_levels_map_exhaustively() -> None:
    assert hadolint.LEVELS == {
        "error": Severity.HIGH,
        "warning": Severity.MEDIUM,
        "info": Severity.LOW,
        "style": Severity.INFO,
    }
    with pytest.raises(ScannerError):
        hadolint._severity("catastrophic")


def test_shellcheck_rules_link_to_shellcheck() -> None:
    assert hadolint.docs_url("SC2086") == "https://www.shellcheck.net/wiki/SC2086"


def test_finds_hadolint_beside_python(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_bin = tmp_path / "venv" / "bin"
    fake_bin.mkdir(parents=True)
    (fake_bin / "hadolint").write_text("", encoding="utf-8")
    monkeypatch.setattr("sys.executable", str(fake_bin / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert hadolint.find_executable() == str(fake_bin / "hadolint")
