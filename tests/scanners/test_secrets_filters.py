"""Linear-time stand-ins for detect-secrets' backtracking patterns: same answers, measured.

Differential: every stand-in is compared with detect-secrets' own function or pattern on the
distinct lines of the text files installed packages ship (a real corpus, available offline)
and on generated adversarial lines; the original gets a per-example time limit.
"""

from __future__ import annotations

import configparser
import functools
import hashlib
import re
import signal
import sysconfig
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.scanners.helpers import AWS_KEY_ID

from pavedroad.scan.workspace import collect
from pavedroad.scanners import secrets_filters
from pavedroad.scanners.secrets import SecretsScanner

T = TypeVar("T")
CORPUS_LINES = 30_000
ORIGINAL_LIMIT = 0.5  # seconds the original may take on one line before it is left out
TABLE_ROW = "| x" + " " * 400 + "| y = f(" + " " * 400 + " |"  # 0.4 s in the original
PADDED_KEY = "password" + " " * 990 + "x"  # 5 s in IBM Cloud IAM's original pattern
# Fragments that steer the generator to the operators, brackets and runs the patterns use.
FRAGMENTS = [
    " ", "    ", "\t", "\v", "\f", "\xa0", "\u2028", "\n", "=", "==", "!==", ":=", ":", "!",
    "=>", "::", "(", ")", "[", "]", "'", '"', "#", "//", "/*", "*/", "<!--", "-->", "--",
    "pragma: allowlist secret", "pragma: whitelist-secret", "pragma: allowlist nextline secret",
    "get_key", "x.y-z", "é", "password", "api_key", "ibm_cloud_iam_key", "secret_access_key",
    "cloudant_password", "softlayer_api_key", "A" * 44, "a" * 24, "0123456789abcdef" * 4,
]  # fmt: skip
# Short lines over the characters the patterns branch on find the corner cases fastest.
SYMBOLS = st.sampled_from(list(" \t\v\n\xa0=:!()[]a.-'\"#*/<>"))
_RUN = st.lists(SYMBOLS, max_size=8).map("".join)
# The shape of an indirect reference (`key = get(x)`), each part mutated by the runs around it.
_CALLS = st.tuples(
    _RUN, st.sampled_from(["=", ":=", "!==", ":", "!"]), _RUN, st.sampled_from(["a", "x.y-z", ""]),
    st.sampled_from(["(", "["]), _RUN, st.sampled_from([")", "]", ""]), _RUN,
)  # fmt: skip
LINES = (
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=40)
    | st.lists(SYMBOLS, max_size=24)
    | st.lists(_CALLS.map("".join), min_size=1, max_size=3)
).map("".join)


class _Slow(Exception):
    pass


SLOW: Any = object()  # what _bounded returns for an original that ran out of time


def _raise_slow(*_: object) -> None:
    raise _Slow


def _bounded(call: Callable[[], T]) -> T:
    """Return call(), or SLOW when it takes over ORIGINAL_LIMIT (regex searches check signals)."""
    previous = signal.signal(signal.SIGALRM, _raise_slow)
    signal.setitimer(signal.ITIMER_REAL, ORIGINAL_LIMIT)
    try:
        return call()
    except _Slow:
        return SLOW  # type: ignore[no-any-return]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@functools.cache
def corpus() -> tuple[str, ...]:
    """Return up to CORPUS_LINES distinct lines of installed packages' text files, stably."""
    root = Path(sysconfig.get_paths()["purelib"])
    globs = ("*.dist-info/METADATA", "**/*.md", "**/*.rst", "**/*.yaml", "**/*.yml", "**/*.cfg")
    lines: set[str] = set()
    for path in sorted({p for g in globs for p in root.glob(g) if p.is_file()}):
        if path.stat().st_size < 2_000_000:
            lines.update(path.read_text(encoding="utf-8", errors="replace").splitlines())
    # Keep every line a stand-in could answer differently on, then a stable sample of the rest.
    ranked = sorted(lines, key=lambda s: (not re.search(r"[:=!]", s), _digest(s)))
    return tuple(ranked[:CORPUS_LINES])


def _digest(line: str) -> str:
    return hashlib.sha1(line.encode("utf-8", "surrogatepass")).hexdigest()


def _differences(
    original: Callable[[str], Any], replacement: Callable[[str], Any]
) -> Iterator[str]:
    """Yield the corpus lines, stripped as detect-secrets strips them, where the answers differ."""
    for line in corpus():
        for variant in {line, line.strip()}:
            expected = _bounded(lambda v=variant: original(v))  # type: ignore[misc]
            if expected is not SLOW and expected != replacement(variant):
                yield variant


def _original_filter(line: str) -> bool:
    from detect_secrets.filters.heuristic import is_indirect_reference

    return bool(is_indirect_reference(line))


def _option_match(pattern: Any, line: str) -> tuple[str | None, ...] | None:
    found = pattern.match(line)
    return None if found is None else found.group("option", "vi", "value")


def _assignment_pairs() -> list[tuple[re.Pattern[str], re.Pattern[str]]]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    return [
        (pattern, secrets_filters.linear_pattern(pattern))
        for plugin in get_mapping_from_secret_type_to_class().values()
        for pattern in getattr(plugin, "denylist", None) or ()
        if secrets_filters.ASSIGNMENT in pattern.pattern
    ]


def _allowlist_pairs() -> list[tuple[re.Pattern[str], re.Pattern[str]]]:
    from detect_secrets.filters.allowlist import _get_comment_tuples, get_allowlist_regexes

    return [
        (get_allowlist_regexes(t, nextline), secrets_filters.allowlist_regex(t, nextline))
        for t in _get_comment_tuples()
        for nextline in (False, True)
    ]


def _same_everywhere(line: str) -> None:
    """Assert that every stand-in answers as its original on this line (and stripped)."""
    option = configparser.ConfigParser.OPTCRE
    stand_in = secrets_filters.LinearConfigParser.OPTCRE
    for variant in {line, line.strip()}:
        expected = _bounded(lambda v=variant: _original_filter(v))  # type: ignore[misc]
        assert expected in (SLOW, secrets_filters.is_indirect_reference(variant))
        expected_option = _bounded(lambda v=variant: _option_match(option, v))  # type: ignore[misc]
        assert expected_option in (SLOW, _option_match(stand_in, variant))
        for original, linear in _assignment_pairs():
            expected_all = _bounded(lambda v=variant, o=original: o.findall(v))  # type: ignore[misc]
            assert expected_all in (SLOW, linear.findall(variant))
        for original, linear in _allowlist_pairs():
            found = _bounded(lambda v=variant, o=original: bool(o.search(v)))  # type: ignore[misc]
            assert found in (SLOW, bool(linear.search(variant)))


def test_indirect_reference_same_on_real_lines() -> None:
    assert len(corpus()) == CORPUS_LINES
    diff = list(_differences(_original_filter, secrets_filters.is_indirect_reference))
    assert diff == []


def test_option_pattern_same_on_real_lines() -> None:
    option = configparser.ConfigParser.OPTCRE
    stand_in = secrets_filters.LinearConfigParser.OPTCRE
    diff = list(
        _differences(
            functools.partial(_option_match, option), functools.partial(_option_match, stand_in)
        )
    )
    assert diff == []


@pytest.mark.parametrize("index", range(5))
def test_assignment_patterns_same_on_real_lines(index: int) -> None:
    pairs = _assignment_pairs()
    assert len(pairs) == 5  # IBM Cloud IAM, IBM COS HMAC, Softlayer, Cloudant x 2
    original, linear = pairs[index]
    assert list(_differences(original.findall, linear.findall)) == []


def test_allowlist_patterns_same_on_real_lines() -> None:
    for original, linear in _allowlist_pairs():
        diff = _differences(_searcher(original), _searcher(linear))
        assert list(diff) == []


def _searcher(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda line: bool(pattern.search(line))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LINES)
def test_same_answers_on_generated_lines(line: str) -> None:
    _same_everywhere(line)


@pytest.mark.parametrize(
    "line",
    [
        TABLE_ROW,
        PADDED_KEY,
        "a=b(\v)",
        "a=b(\v=c(d)",
        "x := y[1]",
        "a = (b)",
        "!x(]",
        "key  =  value",
        "a\n=b",
        "x = 1 # pragma: allowlist secret  ",
        "<!-- # pragma: allowlist secret -->",
        "/* pragma: allowlist secret */ \t",
        "ibm_cloud_iam_key   =>  '" + "A" * 44 + "'",
        "secret_access_key ::" + "0123456789abcdef" * 3,
    ],
)
def test_same_answers_on_edge_lines(line: str) -> None:
    _same_everywhere(line)


def test_stand_ins_are_linear_where_the_originals_are_not() -> None:
    iam = next(p for p in _assignment_pairs() if "iam" in p[0].pattern)
    started = time.perf_counter()
    secrets_filters.is_indirect_reference(TABLE_ROW)
    iam[1].findall(PADDED_KEY)
    for _, linear in _allowlist_pairs():
        linear.search("word" + " " * 990 + "word")
    secrets_filters.LinearConfigParser.OPTCRE.match("word" + " " * 990 + "word")
    linear_time = time.perf_counter() - started
    started = time.perf_counter()
    _original_filter(TABLE_ROW)
    assert linear_time < 0.05 < time.perf_counter() - started  # the original: ~0.4 s


def test_scanner_runs_the_stand_ins_and_finds_the_same_secrets(tmp_path: Path) -> None:
    from detect_secrets.filters import allowlist
    from detect_secrets.settings import get_filters, get_plugins
    from detect_secrets.transformers import config

    from pavedroad.scanners.secrets import _settings

    with _settings():
        paths = {f.path for f in get_filters()}
        assert secrets_filters.REPLACEMENTS.keys().isdisjoint(paths)
        assert set(secrets_filters.REPLACEMENTS.values()) <= paths
        linear = {p.pattern for p, _ in _assignment_pairs()}
        in_use = {p.pattern for plugin in get_plugins() for p in getattr(plugin, "denylist", ())}
        assert linear.isdisjoint(in_use)
        assert vars(config)["configparser"].ConfigParser is secrets_filters.LinearConfigParser
        assert allowlist.get_allowlist_regexes is secrets_filters.get_allowlist_regexes
    assert vars(config)["configparser"] is configparser
    assert allowlist.get_allowlist_regexes is not secrets_filters.get_allowlist_regexes


def test_scan_of_a_padded_readme_is_fast_and_finds_its_secrets(tmp_path: Path) -> None:
    # 27 s with detect-secrets' own patterns (the indirect-reference filter, then IBM Cloud IAM's
    # assignment pattern on `password` padded with spaces, 5 s a line).
    rows = [TABLE_ROW] * 40 + [PADDED_KEY] * 2
    text = "\n".join(
        [
            "# Project",
            *rows,
            f"aws_access_key_id = {AWS_KEY_ID}",
            "pass" + 'word = "hunter2-but-longer-9f3k"  # pragma: allowlist secret',
            "| token                                   | `ghp_" + "a1B2c3D4" * 4 + "0000` |",
        ]
    )
    (tmp_path / "README.md").write_text(text + "\n", encoding="utf-8")
    started = time.perf_counter()
    found = SecretsScanner().scan(collect(tmp_path).target())
    assert time.perf_counter() - started < 5.0
    got = {(f.rule_id, f.start_line, f.inline_suppressed) for f in found}
    assert got == {
        ("AWSKeyDetector", 44, False),
        ("KeywordDetector", 45, True),
        ("GitHubTokenDetector", 46, False),
    }
