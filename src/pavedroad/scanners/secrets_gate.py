"""A sound line pre-gate and direct calls for detect-secrets' line loop: same findings, less work.

Most lines of prose hold nothing any detector looks for; on the others usually one or two of
about twenty detectors can match. LineGate knows, per plugin, what any line it finds something
in must contain; fast_dispatch patches detect_secrets.core.scan (inside
secrets_filters.linear_patterns, so only for Paved Road's scans) to skip the rest and to call
plugins and filters directly instead of through detect-secrets' dependency injection. Proven
by tests/scanners/test_secrets_gate.py: a differential test on real and generated lines, and
whole scans with and without the gate.
"""

from __future__ import annotations

import importlib
import math
import re
import types
from collections.abc import Callable, Iterable, Iterator
from typing import Any

# The regular-expression parser of this Python (private, stable since 3.11), to read patterns.
_sre_parser: Any = importlib.import_module("re._parser")
_C: Any = importlib.import_module("re._constants")

# What fast_dispatch replaces or uses in detect_secrets.core.scan (bc-detect-secrets 1.5.52).
_PATCHED = (
    "_PREGATE_ENABLED",
    "_could_contain_secret",
    "_process_line_based_plugins",
    "_scan_line",
    "get_plugins",
    "is_line_allowlisted",
    "_is_filtered_out",
    "get_filters_with_parameter",
)


def supported(scan: types.ModuleType) -> bool:
    """Return True when this detect-secrets has the line loop fast_dispatch patches."""
    try:
        from detect_secrets.core import gate
    except ImportError:
        return False
    return hasattr(gate, "_make_combinable") and all(hasattr(scan, n) for n in _PATCHED)


def fast_dispatch(scan: types.ModuleType, gate: LineGate) -> dict[tuple[Any, str], Any]:
    """Return the patches of detect_secrets.core.scan that gate lines and plugins.

    A line no plugin can find anything in is skipped (bc-detect-secrets' pre-gate switch,
    with LineGate in place of its gate); on the others only the plugins that may find
    something run, called directly with the arguments detect-secrets' injection would pass.
    """
    process = scan._process_line_based_plugins
    plans: dict[Any, frozenset[str]] = {}

    def process_lines(lines: Any, filename: str, commit_hash: Any = "") -> Iterator[Any]:
        gate.armed = False
        try:
            yield from process(lines=lines, filename=filename, commit_hash=commit_hash)
        finally:
            gate.current = None  # get_plugins() outside the line loop: every plugin

    def line_plugins() -> list[Any]:
        """Stand in for get_plugins(): in the line loop, only those that may find something."""
        return gate.line_plugins(get_plugins())

    def direct_scan_line(plugin: Any, filename: str, line: str, **kwargs: Any) -> Iterator[Any]:
        """Stand in for scan._scan_line: the same secrets, without the injection's lookups."""
        gate.armed = True
        if not gate.may_find(plugin, line):
            return
        analyze = type(plugin).analyze_line
        if analyze not in plans:  # what call_function_with_arguments would pass, found once
            plans[analyze] = frozenset(get_injectable_variables(analyze)[1:])
        offered = {"filename": filename, "line": line, **kwargs}
        names = plans[analyze]
        secrets = plugin.analyze_line(**{k: v for k, v in offered.items() if k in names})
        for secret in secrets or ():
            if not scan._is_filtered_out(
                required_filter_parameters=["secret"],
                filename=secret.filename,
                secret=secret.secret_value,
                plugin=plugin,
                line=line,
            ):
                yield secret

    from detect_secrets.settings import get_plugins
    from detect_secrets.util.inject import get_injectable_variables

    return {
        (scan, "_PREGATE_ENABLED"): True,
        (scan, "_could_contain_secret"): gate.could_contain_secret,
        (scan, "_process_line_based_plugins"): process_lines,
        (scan, "_scan_line"): direct_scan_line,
        (scan, "get_plugins"): line_plugins,
        (scan, "is_line_allowlisted"): allowlisted_with(scan.is_line_allowlisted),
        (scan, "_is_filtered_out"): direct_filters(scan),
    }


def direct_filters(scan: types.ModuleType) -> Callable[..., bool]:
    """Return scan._is_filtered_out calling each filter directly with what it declares."""
    from detect_secrets.util.inject import get_injectable_variables

    plans: dict[Any, frozenset[str]] = {}

    def is_filtered_out(required_filter_parameters: Iterable[str], **kwargs: Any) -> bool:
        for filter_fn in scan.get_filters_with_parameter(*required_filter_parameters):
            if filter_fn not in plans:
                plans[filter_fn] = frozenset(get_injectable_variables(filter_fn))
            names = plans[filter_fn]
            try:
                if filter_fn(**{k: v for k, v in kwargs.items() if k in names}):
                    return True
            except TypeError:  # as detect-secrets: a filter missing an argument is skipped
                pass
        return False

    return is_filtered_out


def allowlisted_with(original: Callable[..., bool]) -> Callable[..., bool]:
    """Return is_line_allowlisted, answering at once for a line with no `pragma` near it."""

    # Every allowlist pattern holds the word, case and all: in the line, or (nextline) the
    # line before.
    def is_line_allowlisted(filename: str, line: str, context: Any) -> bool:
        if "pragma" not in line and "pragma" not in context.previous_line:
            return False
        return original(filename, line, context)

    return is_line_allowlisted


# detect-secrets plugins whose analyze_line keeps state between calls: PrivateKeyDetector reads
# the whole file at the first line it is given. It is called on every line that reaches the
# plugins, and no line is skipped before that first one, so it sees the same first line.
_STATEFUL = frozenset({"PrivateKeyDetector"})


class LineGate:
    """A sound line pre-gate and per-plugin dispatch for detect-secrets' line scan.

    Each plugin gets the patterns that any line it finds something in must match: the
    keywords and an operator character (keyword_operators) for the keyword plugin; for a regex
    plugin, its patterns cut to what fits on one line (bc-detect-secrets' own
    `_make_combinable`); for a high-entropy plugin, a run of its charset with enough distinct
    characters to exceed its entropy limit.
    bc-detect-secrets' own gate stands for those plugins with a pattern that lets most prose
    through and misses a quoted 10-digit hex string that HexHighEntropyString finds (see
    entropy_check for theirs).
    A plugin is called on a line only when one of its patterns is found there (ASCII lines:
    first a search for each pattern's required substrings in the lower-cased line).
    """

    def __init__(self, plugins: Iterable[Any]) -> None:
        self.plugins = list(plugins)
        self._gated = {id(p) for p in self.plugins}
        self._tests: list[tuple[int, Test]] = []
        self._needles: dict[str, list[int]] = {}
        self._always: list[int] = []  # tests without required substrings
        for plugin in self.plugins:
            for needles, test in plugin_checks(plugin):
                index = len(self._tests)
                self._tests.append((id(plugin), test))
                for needle in needles or ():
                    self._needles.setdefault(needle, []).append(index)
                if not needles:
                    self._always.append(index)
        self.armed = False  # False until the plugins ran on one line of the current file
        self.current: str | None = None  # the line the line loop is on
        self._line: str | None = None
        self._found: set[int] = set()

    def could_contain_secret(self, line: str) -> bool:
        """Return False only for a line in which no loaded plugin can find a secret."""
        self.current = line
        return not self.armed or bool(self.plugins_for(line))

    def line_plugins(self, plugins: list[Any]) -> list[Any]:
        """Return the plugins, in order, that may find something on the current line."""
        if not self.armed or self.current is None:
            return plugins
        found = self.plugins_for(self.current)
        return [p for p in plugins if id(p) in found or not self._skippable(p)]

    def plugins_for(self, line: str) -> set[int]:
        """Return the ids of the plugins that may find something in the line."""
        if line == self._line:
            return self._found
        found: set[int] = set()
        for index in self._candidates(line):
            key, test = self._tests[index]
            if key not in found and test(line):
                found.add(key)
        self._line, self._found = line, found
        return found

    def _candidates(self, line: str) -> Iterable[int]:
        """Return the tests worth running: on an ASCII line, those whose substrings it holds."""
        if not line.isascii():
            return range(len(self._tests))
        low = line.lower()
        chosen = set(self._always)
        for needle, indexes in self._needles.items():
            if needle in low:
                chosen.update(indexes)
        return chosen

    def may_find(self, plugin: Any, line: str) -> bool:
        """Return False only when this plugin cannot find anything in the line."""
        return not self._skippable(plugin) or id(plugin) in self.plugins_for(line)

    def _skippable(self, plugin: Any) -> bool:
        return id(plugin) in self._gated and type(plugin).__name__ not in _STATEFUL


Test = Callable[[str], bool]
Check = tuple["tuple[str, ...] | None", Test]


def plugin_checks(plugin: Any) -> list[Check]:
    """Return (substrings, test) pairs; some test passes wherever this plugin finds a secret.

    A test's substrings (lower-case) are in every line it passes, when that line is ASCII.
    """
    from detect_secrets.plugins.keyword import DENYLIST, KeywordDetector

    if isinstance(plugin, KeywordDetector):
        return [_with_operator(pattern_check(re.compile(word))) for word in DENYLIST]
    if hasattr(plugin, "entropy_limit"):
        return [(None, entropy_check(plugin))]
    checks = [pattern_check(p) for p in getattr(plugin, "denylist", None) or ()]
    return checks or [(None, lambda line: True)]


def _with_operator(check: Check) -> Check:
    """Return the keyword check that also asks for one of the keyword patterns' operators."""
    needles, test = check
    operators = keyword_operators()
    if operators is None:
        return check
    return needles, lambda line: not operators.isdisjoint(line) and test(line)


def keyword_operators() -> frozenset[str] | None:
    """Return characters one of which every keyword pattern's match holds, or None.

    The keyword detector searches its file type's patterns (all in `*_REGEX_TO_GROUP` of
    detect_secrets.plugins.keyword); each needs an assignment, comparison, call or `;`.
    """
    from detect_secrets.plugins import keyword

    if "keyword" not in _OPERATORS:
        tables = [v for k, v in vars(keyword).items() if k.endswith("_REGEX_TO_GROUP")]
        patterns = {p.pattern for table in tables for p in table}
        found = [_operator_chars(list(_sre_parser.parse(p))) for p in patterns]
        _OPERATORS["keyword"] = (
            frozenset().union(*found) if found and all(found) else None  # type: ignore[arg-type]
        )
    return _OPERATORS["keyword"]


_OPERATORS: dict[str, frozenset[str] | None] = {}
_PREFERRED = "=:!;(\"'`)"  # rarest in prose first


def _operator_chars(items: list[Any]) -> frozenset[str] | None:
    """Return non-alphanumeric characters one of which every match of the sequence holds."""
    candidates = [c for op, arg in items if (c := _operator_item(op, arg))]
    return min(candidates, key=_rarity, default=None)


def _rarity(chars: frozenset[str]) -> int:
    return max(_PREFERRED.find(c) if c in _PREFERRED else 100 for c in chars)


def _operator_item(op: Any, arg: Any) -> frozenset[str] | None:
    """Return what a mandatory item requires as an operator character, or None."""
    if op is _C.LITERAL:
        char = chr(arg)
        return frozenset({char}) if not char.isalnum() and not char.isspace() else None
    if op is _C.IN:
        if not all(kind is _C.LITERAL for kind, _ in arg):
            return None
        chars = frozenset(chr(code) for _, code in arg)
        return chars if not any(c.isalnum() or c.isspace() for c in chars) else None
    if op is _C.SUBPATTERN:
        return _operator_chars(list(arg[-1]))
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT) and arg[0] >= 1:
        return _operator_chars(list(arg[2]))
    if op is _C.BRANCH:
        options = [_operator_chars(list(a)) for a in arg[1]]
        if all(options):
            return frozenset().union(*options)  # type: ignore[arg-type]
    return None


def pattern_check(pattern: re.Pattern[str]) -> Check:
    """Return the check of a plugin's pattern: the part of it that fits on one line is found."""
    from detect_secrets.core.gate import _compiles, _make_combinable

    if pattern.pattern not in _CHECKS:
        fragment = _make_combinable(pattern.pattern)
        if fragment and _compiles(f"(?:{fragment})"):
            regex = re.compile(f"(?i)(?:{fragment})")
            _CHECKS[pattern.pattern] = (required_substrings(fragment), _searcher(regex))
        else:
            _CHECKS[pattern.pattern] = (None, _searcher(pattern))
    return _CHECKS[pattern.pattern]


# Built once per process (patterns do not change); a plain dict, as detect-secrets'
# settings.cache_bust() clears the functools caches of modules that hold a filter.
_CHECKS: dict[str, Check] = {}


def _searcher(pattern: re.Pattern[str]) -> Test:
    return lambda line: pattern.search(line) is not None


def required_substrings(fragment: str) -> tuple[str, ...] | None:
    """Return lower-case ASCII strings one of which is in every match (ASCII text), or None."""
    try:
        parsed = _sre_parser.parse(fragment)
    except re.error:
        return None
    found = _required(list(parsed))
    return tuple(sorted(found)) if found and min(map(len, found)) >= 2 else None


def _required(items: list[Any]) -> frozenset[str] | None:
    """Return the best set of substrings one of which every match of the sequence holds."""
    candidates: list[frozenset[str]] = []
    run = ""
    for op, arg in items:
        char = chr(arg) if op is _C.LITERAL else ""
        if char.isascii() and char:
            run += char.lower()
            continue
        if run:
            candidates.append(frozenset({run}))
            run = ""
        inner = _required_of(op, arg)
        if inner:
            candidates.append(inner)
    if run:
        candidates.append(frozenset({run}))
    return max(candidates, key=lambda c: min(map(len, c)), default=None)


def _required_of(op: Any, arg: Any) -> frozenset[str] | None:
    """Return what a mandatory item of a sequence requires, or None."""
    if op is _C.SUBPATTERN:
        return _required(list(arg[-1]))
    if op is _C.ATOMIC_GROUP:
        return _required(list(arg))
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT) and arg[0] >= 1:
        return _required(list(arg[2]))
    if op is _C.BRANCH:
        options = [_required(list(a)) for a in arg[1]]
        if all(options):
            return frozenset().union(*options)  # type: ignore[arg-type]
    return None


def entropy_check(plugin: Any) -> Test:
    """Return a test passed by every line in which this high-entropy plugin finds a secret.

    The plugin takes a run of its charset after a quote, `:` or `=` and optional whitespace,
    and reports it when its Shannon entropy exceeds the limit. A string of d distinct
    characters holds at most log2(d) bits, so the run has more than 2**limit distinct
    characters. Each run the plugin may take is one found below or ends one (runs are maximal
    on the right), and a string holds no more distinct characters than one that contains it.
    """
    distinct = max(1, math.floor(2 ** float(plugin.entropy_limit)))
    runs = re.compile(rf"""['":=]\s*([{re.escape(plugin.charset)}]{{{distinct},}})""")
    return lambda line: any(len(set(m.group(1))) >= distinct for m in runs.finditer(line))
