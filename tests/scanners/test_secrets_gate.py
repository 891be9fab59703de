"""The line pre-gate and per-plugin dispatch: skipped work is work that finds nothing.

Differential, on every line of a real corpus (text files installed packages ship) and on
generated adversarial lines: wherever the gate says a plugin cannot find anything, that
plugin's own analyze_line finds nothing. Then whole scans with and without the gate: same
secrets, same lines, same types.
"""

from __future__ import annotations

import functools
import string
import sysconfig
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.scanners.helpers import AWS_KEY_ID, AWS_SECRET, PRIVATE_KEY, PRIVATE_KEY_BODY

from pavedroad.scanners import secrets_filters, secrets_gate
from pavedroad.scanners.interface import ScanTarget
from pavedroad.scanners.secrets import SecretsScanner

CORPUS_BYTES = 3_000_000
GLOBS = ("*.dist-info/METADATA", "**/*.md", "**/*.rst", "**/*.txt", "**/*.json", "**/*.yaml")
# Pieces that steer the generator to what the plugins and the gate's substrings look at.
PIECES = [
    " ", "=", ":", "'", '"', "==", "://", "@", "-", "_", ".", "password", "PassWord", "pwd",
    "token", "secret", "api_key", "api.key", "contraseña", "_pass", "recaptcha_x_key",
    "ſecret", "\u212aey", "İ", "AKIA", AWS_KEY_ID, AWS_SECRET, "-----BEGIN RSA PRIVATE KEY-----",
    PRIVATE_KEY_BODY, "xoxb-", "sk_live_", "AKC", "AP1", "eyJ", "ghp_", "SG.", "-us12",
    string.hexdigits[:16], string.hexdigits[10:16] + "1234", "dead" + "beef" + "cafe",
    string.ascii_uppercase + string.ascii_lowercase[:10] + "+/",
    "=" * 30, "cloudant", "ibm_cloud_iam", "cos_hmac", "softlayer", "sq0atp-", "npm_", "artif",
    "jfrog", "AccountKey=", "https://user:" + "pw@host", "\t", "é", "😀",
]  # fmt: skip
# The shapes of the keyword detector's patterns: keyword, closing, operator, quoted value.
_ASSIGNMENTS = st.tuples(
    st.sampled_from(["", "data.put(", "x == ", "'a' == "]),
    st.sampled_from(["password", "Secret", "api_key", "token", "db_pass", "_pass", "pwd"]),
    st.sampled_from(["", "'", '"', "]", "[0]"]), st.sampled_from(["", " "]),
    st.sampled_from([":", "=", ":=", "==", "!==", "=>", "(", ".assign(", ",", ""]),
    st.sampled_from(["", " ", "@"]), st.sampled_from(["'", '"', "`", ""]),
    st.text(alphabet=string.ascii_letters + "0123456789!@#", min_size=1, max_size=12),
    st.sampled_from(["'", '"', "`", ""]), st.sampled_from(["", ";", ")", "',"]),
).map("".join)  # fmt: skip
LINES = st.lists(
    st.sampled_from(PIECES)
    | st.text(alphabet="0123456789abcdefABCDEF+/=_-:'\" ", max_size=24)
    | _ASSIGNMENTS,
    max_size=14,
).map("".join)


@functools.cache
def corpus_files() -> tuple[Path, ...]:
    """Return a stable selection of installed packages' text files, up to CORPUS_BYTES."""
    root = Path(sysconfig.get_paths()["purelib"])
    found = sorted({p for g in GLOBS for p in root.glob(g) if p.is_file()})
    chosen: list[Path] = []
    total = 0
    for path in found[:: max(1, len(found) // 1500)]:
        size = path.stat().st_size
        if size < 300_000 and total + size <= CORPUS_BYTES and "pavedroad" not in str(path):
            chosen.append(path)
            total += size
    return tuple(chosen)


@functools.cache
def corpus_lines() -> tuple[str, ...]:
    """Return the distinct stripped lines of the corpus files, as detect-secrets scans them."""
    lines: set[str] = set()
    for path in corpus_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        lines.update(line.strip() for line in text.splitlines())
    return tuple(sorted(line for line in lines if 5 <= len(line) <= 1200))


@pytest.fixture
def plugins() -> Iterator[tuple[Any, secrets_gate.LineGate]]:
    from detect_secrets.settings import default_settings, get_plugins

    with default_settings() as applied, secrets_filters.linear_patterns(applied):
        loaded = get_plugins()
        gate = secrets_gate.LineGate(loaded)
        gate.armed = True
        yield loaded, gate


def _missed(plugins: tuple[Any, secrets_gate.LineGate], line: str) -> list[str]:
    """Return the plugins the gate would skip on this line that find something in it."""
    loaded, gate = plugins
    line_skipped = not gate.could_contain_secret(line)
    missed = []
    for plugin in loaded:
        if not line_skipped and gate.may_find(plugin, line):
            continue
        if plugin.analyze_line(filename="corpus.txt", line=line, line_number=1, context=None):
            missed.append(type(plugin).__name__)
    return missed


def test_gate_skips_only_what_finds_nothing_on_real_lines(
    plugins: tuple[Any, secrets_gate.LineGate],
) -> None:
    lines = corpus_lines()
    assert len(lines) > 20_000
    missed = {line: found for line in lines if (found := _missed(plugins, line))}
    assert missed == {}
    skipped = sum(not plugins[1].could_contain_secret(line) for line in lines)
    assert skipped > len(lines) * 0.7  # the gate does skip most lines of prose


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LINES)
def test_gate_skips_only_what_finds_nothing_on_generated_lines(line: str) -> None:
    from detect_secrets.settings import default_settings, get_plugins

    with default_settings() as applied, secrets_filters.linear_patterns(applied):
        gate = secrets_gate.LineGate(get_plugins())
        gate.armed = True
        for variant in {line, line.strip()}:
            assert _missed((get_plugins(), gate), variant) == []


def test_entropy_runs_the_original_gate_misses_pass_this_one(
    plugins: tuple[Any, secrets_gate.LineGate],
) -> None:
    from detect_secrets.core.gate import build_gate

    line = f"'{string.hexdigits[10:16]}1234'"  # 10 distinct hex digits: over 3 bits of entropy
    assert not build_gate(plugins[0]).could_contain_secret(line)
    assert plugins[1].could_contain_secret(line)
    assert not plugins[1].could_contain_secret("=" * 60)


def test_required_substrings() -> None:
    assert secrets_gate.required_substrings(r"api[_\.\-]?key") == ("api",)
    assert secrets_gate.required_substrings("(?i:artif|jfrog)") == ("artif", "jfrog")
    assert secrets_gate.required_substrings("contraseña") == ("contrase",)
    assert secrets_gate.required_substrings("[a-z]+x?") is None


def _scan(root: Path, files: tuple[str, ...], *, gated: bool) -> list[tuple[str, int, str, str]]:
    previous = secrets_filters.GATED
    secrets_filters.GATED = gated
    try:
        found = SecretsScanner().scan(ScanTarget(root=root, files=files))
    finally:
        secrets_filters.GATED = previous
    return sorted((f.path, f.start_line, f.rule_id, f.resource) for f in found)


def test_scans_with_and_without_the_gate_are_identical_on_real_files(tmp_path: Path) -> None:
    site = Path(sysconfig.get_paths()["purelib"])
    files = tuple(str(p.relative_to(site)) for p in corpus_files())
    gated = _scan(site, files, gated=True)
    assert len(gated) > 10
    assert gated == _scan(site, files, gated=False)


PLANTED = {
    # A private key over several lines of a small file: PrivateKeyDetector reads the whole file
    # at the first line that reaches the plugins, and reports a YAML one at that line.
    "keys.yaml": "name: service\nnote: nothing here\nkey: |\n  "
    + PRIVATE_KEY.replace("\n", "\n  "),
    "later.txt": "short\n" + "plain prose line\n" * 3 + PRIVATE_KEY,
    "allow.py": f"id = '{AWS_KEY_ID}'  # pragma: allowlist secret\nsecret = '{AWS_SECRET}'\n",
    "hex.txt": f"value = '{string.hexdigits[10:16]}1234'\n" + "prose " * 10 + "\n",
    "mixed.md": f"| a | b |\n|---|---|\n| key | `{AWS_KEY_ID}` |\npassword: hunter2hunter2\n",
}


def test_scans_with_and_without_the_gate_are_identical_on_planted_secrets(
    tmp_path: Path,
) -> None:
    for name, text in PLANTED.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    gated = _scan(tmp_path, tuple(PLANTED), gated=True)
    assert {path for path, *_ in gated} == set(PLANTED)
    assert gated == _scan(tmp_path, tuple(PLANTED), gated=False)


def test_a_detect_secrets_without_the_pre_gate_scans_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from detect_secrets.core import scan

    for name, text in PLANTED.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    expected = _scan(tmp_path, tuple(PLANTED), gated=True)
    monkeypatch.delattr(scan, "_could_contain_secret")
    assert not secrets_gate.supported(scan)
    assert _scan(tmp_path, tuple(PLANTED), gated=True) == expected
