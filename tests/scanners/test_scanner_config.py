"""Repository configuration never switches scanning off silently (issue 20, items 3, 4 and 9).

A .secrets.baseline may only mark known secrets; a .hadolint.yaml that ignores or lowers rules
is an inline suppression; neither is read through a symlink that leaves the repository.
Real detect-secrets, real hadolint, real gates.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli.test_gate_cli import CLEAN_DOCKERFILE
from tests.scanners.helpers import DOCKERFILE, SECRET_FILES, write_tree
from typer.testing import CliRunner

from pavedroad.cli import app
from pavedroad.findings import Finding, Severity
from pavedroad.scan.workspace import collect
from pavedroad.scanners import hadolint, secrets_baseline
from pavedroad.scanners.hadolint import HadolintScanner
from pavedroad.scanners.own_rules import SCANNER_CONFIG
from pavedroad.scanners.secrets import BASELINE, SecretsScanner

RUNNER = CliRunner()
ENV = {"COLUMNS": "200", "TERM": "dumb", "NO_COLOR": "1"}
TEMPLATE_BASELINE = Path(__file__).resolve().parents[2] / (
    "templates/python-service/template/.secrets.baseline"
)
ALL_LINES = "detect_secrets.filters.regex.should_exclude_"
WEAKENINGS: dict[str, dict[str, object]] = {
    "exclude-line": {"filters_used": [{"path": ALL_LINES + "line", "pattern": [".*"]}]},
    "exclude-file": {"filters_used": [{"path": ALL_LINES + "file", "pattern": [".*"]}]},
    "exclude-secret": {"filters_used": [{"path": ALL_LINES + "secret", "pattern": [".*"]}]},
    "keyword-only": {"plugins_used": [{"name": "KeywordDetector"}]},
    "higher-limit": {"plugins_used": [{"name": "Base64HighEntropyString", "limit": 9.9}]},
    "wordlist": {
        "filters_used": [
            {"path": "detect_secrets.filters.wordlist.should_exclude_secret", "file_name": "w"}
        ]
    },
    "baseline-file-elsewhere": {
        "filters_used": [
            {
                "path": "detect_secrets.filters.common.is_baseline_file",
                "filename": "keys/deploy.pem",
            }
        ]
    },
}


def _template_baseline(**changes: object) -> str:
    """Return Paved Road's own baseline with some settings replaced or extended."""
    data = json.loads(TEMPLATE_BASELINE.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if key == "plugins_used":
            data[key] = value
        else:
            assert isinstance(value, list)
            data[key] = [*data[key], *value]
    return json.dumps(data, indent=2)


def _secrets(root: Path) -> tuple[Finding, ...]:
    return SecretsScanner().scan(collect(root).target())


def _hadolint(root: Path) -> tuple[Finding, ...]:
    return HadolintScanner().scan(collect(root).target())


def _gate(root: Path, stage: str = "release") -> tuple[int, str, str]:
    result = RUNNER.invoke(app, ["gate", str(root), "--stage", stage, "--no-cache"], env=ENV)
    return result.exit_code, result.stdout, result.stderr


def _secret_rules(findings: tuple[Finding, ...]) -> set[str]:
    return {f.rule_id for f in findings if not f.inline_suppressed}


# --- .secrets.baseline (item 3) ---------------------------------------------------------------


def test_paved_roads_own_baseline_weakens_nothing(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {**SECRET_FILES, BASELINE: _template_baseline()})
    found = _secrets(root)
    assert not [f for f in found if f.rule_id == SCANNER_CONFIG.rule_id]
    assert {"AWSKeyDetector", "PrivateKeyDetector"} <= _secret_rules(found)


@pytest.mark.parametrize("name", sorted(WEAKENINGS))
def test_baseline_settings_cannot_hide_secrets(tmp_path: Path, name: str) -> None:
    root = write_tree(tmp_path, {**SECRET_FILES, BASELINE: _template_baseline(**WEAKENINGS[name])})
    found = _secrets(root)
    assert {"AWSKeyDetector", "PrivateKeyDetector"} <= _secret_rules(found)
    [config] = [f for f in found if f.rule_id == SCANNER_CONFIG.rule_id]
    assert (config.path, config.severity, config.scanner) == (BASELINE, Severity.HIGH, "secrets")
    assert "ignored" in config.message


def test_a_lower_entropy_limit_is_not_a_weakening(tmp_path: Path) -> None:
    lower = {"plugins_used": [*json.loads(_template_baseline())["plugins_used"]]}
    for plugin in lower["plugins_used"]:
        if plugin["name"] == "Base64HighEntropyString":
            plugin["limit"] = 3.5
    assert (
        secrets_baseline.baseline_weakenings(
            write_tree(tmp_path, {BASELINE: _template_baseline(**lower)})
        )
        == ()
    )


def test_baseline_results_must_be_an_object(tmp_path: Path) -> None:
    from pavedroad.errors import ConfigError

    root = write_tree(tmp_path, {BASELINE: json.dumps({"results": []})})
    with pytest.raises(ConfigError, match=r"\.secrets\.baseline: results: "):
        _secrets(root)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["exclude-line", "keyword-only"])
def test_gate_blocks_a_baseline_that_switches_scanning_off(tmp_path: Path, name: str) -> None:
    root = write_tree(tmp_path, {**SECRET_FILES, BASELINE: _template_baseline(**WEAKENINGS[name])})
    code, stdout, _ = _gate(root)
    assert code == 1
    assert "PAVED_SCANNER_CONFIG" in stdout and "AWSKeyDetector" in stdout


# --- .hadolint.yaml (item 4) --------------------------------------------------------------------


ERROR_DOCKERFILE = "FROM ubuntu:latest\nWORKDIR app\nUSER root\n"  # DL3000 is an error


def _by_rule(findings: tuple[Finding, ...]) -> dict[str, Finding]:
    return {f.rule_id: f for f in findings}


def test_hadolint_ignored_rules_become_suppressed_findings(tmp_path: Path) -> None:
    config = "ignored:\n  - DL3007\n"
    found = _by_rule(
        _hadolint(write_tree(tmp_path, {"Dockerfile": DOCKERFILE, ".hadolint.yaml": config}))
    )
    latest = found["DL3007"]
    assert latest.inline_suppressed and latest.severity is Severity.MEDIUM
    assert ".hadolint.yaml" in latest.message and "ignored" in latest.message
    assert not found["DL3002"].inline_suppressed


def test_hadolint_downgrades_are_suppressions_and_upgrades_count(tmp_path: Path) -> None:
    config = "override:\n  style:\n    - DL3000\n  error:\n    - DL3007\n"
    files = {"Dockerfile": ERROR_DOCKERFILE, ".hadolint.yaml": config}
    found = _by_rule(_hadolint(write_tree(tmp_path, files)))
    relative = found["DL3000"]
    assert relative.inline_suppressed and relative.severity is Severity.HIGH
    assert "override.style" in relative.message and ".hadolint.yaml" in relative.message
    latest = found["DL3007"]
    assert latest.severity is Severity.HIGH and not latest.inline_suppressed


@pytest.mark.parametrize("level", ["warning", "info", "style"])
def test_every_downgrade_level_is_visible(tmp_path: Path, level: str) -> None:
    config = f"override:\n  {level}:\n    - DL3000\nfailure-threshold: error\n"
    files = {"Dockerfile": ERROR_DOCKERFILE, ".hadolint.yaml": config}
    relative = _by_rule(_hadolint(write_tree(tmp_path, files)))["DL3000"]
    assert relative.inline_suppressed and relative.severity is Severity.HIGH


def test_output_settings_in_the_config_do_not_spoil_the_scan(tmp_path: Path) -> None:
    config = "format: tty\nno-fail: false\ndisable-ignore-pragma: false\nfailure-threshold: error\n"
    text = "# hadolint ignore=DL3007\n" + DOCKERFILE
    files = {"Dockerfile": text, ".hadolint.yaml": config}
    found = _by_rule(_hadolint(write_tree(tmp_path, files)))
    assert found["DL3007"].inline_suppressed and "DL3002" in found


def test_trusted_registries_still_apply(tmp_path: Path) -> None:
    config = "trustedRegistries:\n  - gcr.io\n"
    root = write_tree(
        tmp_path, {"Dockerfile": "FROM docker.io/ubuntu:22.04\n", ".hadolint.yaml": config}
    )
    assert "DL3026" in _by_rule(_hadolint(root))


def test_hadolint_config_weakenings_are_listed(tmp_path: Path) -> None:
    config = "ignored: [DL3007]\noverride:\n  info: [DL3002]\n  error: [DL3008]\n"
    root = write_tree(tmp_path, {".hadolint.yaml": config})
    assert [w.text() for w in hadolint.config_weakenings(root)] == [
        "ignored: DL3007",
        "override.info: DL3002",
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mode", "code", "shown"),
    [("require-exception", 1, "DL3000"), ("warn", 0, "1 warning"), ("allow", 0, "0 warnings")],
)
def test_gate_governs_hadolint_config_by_inline_suppressions(
    tmp_path: Path, mode: str, code: int, shown: str
) -> None:
    policy = (
        "version: 1\nstages:\n  release: {scope: full, block: high}\n"
        f"exceptions: {{inline_suppressions: {mode}}}\n"
    )
    dockerfile = CLEAN_DOCKERFILE.replace("WORKDIR /home/app", "WORKDIR app")  # DL3000
    root = write_tree(
        tmp_path,
        {
            "Dockerfile": dockerfile,
            ".hadolint.yaml": "override:\n  style: [DL3000]\n",
            ".pavedroad/policy.yaml": policy,
        },
    )
    exit_code, stdout, _ = _gate(root)
    assert exit_code == code, stdout
    assert shown in stdout


# --- symlinks out of the repository (item 9) ----------------------------------------------------


def _outside(tmp_path: Path, name: str, text: str) -> Path:
    target = tmp_path / "elsewhere" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def test_baseline_through_a_symlink_out_of_the_repo_is_not_read(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", SECRET_FILES)
    hiding = json.loads(_template_baseline(**WEAKENINGS["exclude-file"]))
    (root / BASELINE).symlink_to(_outside(tmp_path, "b.json", json.dumps(hiding)))
    assert {"AWSKeyDetector", "PrivateKeyDetector"} <= _secret_rules(_secrets(root))
    [weak] = secrets_baseline.baseline_weakenings(root)
    assert "outside the repository" in weak.setting


def test_baseline_through_a_folder_link_out_of_the_repo_is_not_read(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", SECRET_FILES)
    _outside(tmp_path, "b.json", _template_baseline(**WEAKENINGS["exclude-file"]))
    (root / "cfg").symlink_to(tmp_path / "elsewhere")
    (root / BASELINE).symlink_to("cfg/b.json")  # inside the repo, but resolves outside it
    assert {"AWSKeyDetector", "PrivateKeyDetector"} <= _secret_rules(_secrets(root))


def test_hadolint_config_through_a_symlink_out_of_the_repo_is_not_read(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"Dockerfile": DOCKERFILE})
    (root / ".hadolint.yaml").symlink_to(_outside(tmp_path, "h.yaml", "ignored: [DL3007]\n"))
    found = _by_rule(_hadolint(root))
    assert not found["DL3007"].inline_suppressed
    assert "outside the repository" in hadolint.config_weakenings(root)[0].setting


@pytest.mark.slow
@pytest.mark.parametrize("name", [BASELINE, ".hadolint.yaml"])
def test_gate_blocks_config_symlinked_out_of_the_repo(tmp_path: Path, name: str) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": "print(1)\n"})
    (root / name).symlink_to(_outside(tmp_path, "cfg", "{}\n"))
    code, stdout, _ = _gate(root)
    assert code == 1, stdout
    assert "PAVED_SCANNER_CONFIG" in stdout and name in stdout


@pytest.mark.parametrize("rel", [".pavedroad/policy.yaml", ".pavedroad/exceptions.yaml"])
def test_policy_files_symlinked_out_of_the_repo_are_refused(tmp_path: Path, rel: str) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": "print(1)\n"})
    (root / ".pavedroad").mkdir()
    text = "version: 1\nstages:\n  release: {scope: full}\n" if "policy" in rel else "version: 1\n"
    (root / rel).symlink_to(_outside(tmp_path, "p.yaml", text))
    code, _, stderr = _gate(root)
    assert code == 2
    assert f"error: {rel}: is a symlink that leads outside the repository" in stderr
    assert "replace the link with the file itself" in stderr


def test_dangling_policy_link_out_of_the_repo_is_refused(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": "print(1)\n"})
    (root / ".pavedroad").symlink_to(tmp_path / "nowhere")
    code, _, stderr = _gate(root)
    assert code == 2 and ".pavedroad/policy.yaml: is a symlink" in stderr


def test_exception_request_never_writes_through_a_link_out_of_the_repo(tmp_path: Path) -> None:
    from pavedroad.errors import ConfigError
    from pavedroad.exceptions import request as exception_request
    from pavedroad.policy import file as policy
    from pavedroad.scanners.severities import rule_severity

    root = write_tree(tmp_path / "repo", {"app.py": "print(1)\n"})
    (root / ".pavedroad").mkdir()
    target = _outside(tmp_path, "e.yaml", "version: 1\n")
    (root / ".pavedroad/exceptions.yaml").symlink_to(target)
    with pytest.raises(ConfigError, match="leads outside the repository"):
        exception_request.append(root, {}, policy.load(root), rule_severity)
    assert target.read_text(encoding="utf-8") == "version: 1\n"


def test_baseline_finding_is_reported_once_with_the_cache(tmp_path: Path) -> None:
    from pavedroad.scan.cache import ResultCache
    from pavedroad.scan.run import scan

    hiding = _template_baseline(**WEAKENINGS["exclude-line"])
    root = write_tree(tmp_path / "repo", {**SECRET_FILES, BASELINE: hiding})
    cache = ResultCache(tmp_path / "cache")

    def config_findings() -> list[Finding]:
        report = scan(root, scanners=["secrets"], cache=cache)
        return [f for f in report.findings if f.rule_id == SCANNER_CONFIG.rule_id]

    assert len(config_findings()) == 1
    assert len(config_findings()) == 1  # all from the cache
    (root / "app.py").write_text("print(1)\n", encoding="utf-8")
    assert len(config_findings()) == 1  # the baseline's unit cached, app.py scanned
