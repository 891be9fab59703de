"""Linear-time equivalents of the detect-secrets regular expressions that backtrack.

Each gives exactly the answer of the original on every input (see
tests/scanners/test_secrets_filters.py, a differential test on real and generated lines), in
time linear in the line's length instead of quadratic or cubic on lines padded with spaces:

- the `is_indirect_reference` filter, run on every line: 0.4 s for one 800-character
  Markdown table row, 27 s for a 147 KB README;
- the `<keyword> <assignment> <secret>` pattern of the IBM Cloud IAM, IBM COS HMAC,
  Softlayer and Cloudant plugins: 5 s for `password` followed by 990 spaces;
- the inline `pragma: allowlist secret` patterns, searched on every line: each starts with
  `[ \t]*`, quadratic in a line's runs of spaces;
- the option pattern of configparser, which detect-secrets' config transformer runs on every
  line of a file that had no secret: quadratic in the length of a line's runs of spaces.

With GATED, the line loop also skips, line by line, the plugins that cannot find anything there
(secrets_gate).
"""

from __future__ import annotations

import configparser
import contextlib
import functools
import re
import types
from collections.abc import Iterable, Iterator
from typing import Any

from pavedroad.scanners import secrets_gate

# detect-secrets filter path -> the path of its equivalent here, run in its place.
REPLACEMENTS = {
    "detect_secrets.filters.heuristic.is_indirect_reference": f"{__name__}.is_indirect_reference",
}

GATED = True  # the line pre-gate and direct plugin calls (False: detect-secrets' own loop)


@contextlib.contextmanager
def linear_patterns(settings: Any) -> Iterator[None]:
    """Run the linear equivalents in detect-secrets for a while, with these settings applied."""
    from detect_secrets.core import scan
    from detect_secrets.filters import allowlist
    from detect_secrets.settings import get_filters, get_plugins
    from detect_secrets.transformers import config

    for original, replacement in REPLACEMENTS.items():
        if settings.filters.pop(original, None) is not None:
            settings.filters[replacement] = {}
    get_filters.cache_clear()
    scan._filter_cache.clear()  # the per-parameter filter lists, built from get_filters
    plugins = get_plugins()  # instances live until the settings are left
    make_plugins_linear(plugins)
    # Module globals, looked up at each call: the config transformer's configparser, and the
    # allowlist patterns the allowlist filter and the allowlist pass search.
    patches = {
        (config, "configparser"): linear_configparser(),
        (allowlist, "get_allowlist_regexes"): get_allowlist_regexes,
    }
    if GATED and secrets_gate.supported(scan):
        patches.update(secrets_gate.fast_dispatch(scan, secrets_gate.LineGate(plugins)))
    saved = {key: getattr(*key) for key in patches}
    for (module, name), value in patches.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for (module, name), value in saved.items():
            setattr(module, name, value)


# Whether `([^\v=!:]*)\s*(:=?|[!=]{1,3})\s*([\w.-]+[\[\(][^\v]*[\]\)])` is found does not
# depend on its first two groups (both may be empty) nor on the operator's length (every
# operator ends with `:`, `=` or `!`, itself an operator): it is found exactly when one of those
# is followed by optional whitespace, a run of [\w.-], `[` or `(`, and later `]` or `)` with no
# vertical tab (Python's \v) in between. Whitespace and [\w.-] share no character, so each
# attempt below ends within the run after one operator, and those runs hold no operator.
_CALL = re.compile(r"[:!=]\s*[\w.-]+[\[(]")
_MAX_LINE = 1000  # detect-secrets' own bound: longer lines are never indirect references


def is_indirect_reference(line: str) -> bool:
    """Return detect-secrets' is_indirect_reference(line), in linear time."""
    if len(line) > _MAX_LINE:
        return False
    piece_end = -1  # end of the vertical-tab-free piece holding the current bracket
    last_close = -1  # the last `]` or `)` in that piece
    for match in _CALL.finditer(line):
        bracket = match.end() - 1
        if bracket > piece_end:
            piece_end = _find(line, "\v", bracket)
            last_close = max(
                line.rfind("]", bracket, piece_end), line.rfind(")", bracket, piece_end)
            )
        if last_close > bracket:
            return True
    return False


def _find(line: str, char: str, start: int) -> int:
    """Return the index of char in line from start on, or the line's length."""
    index = line.find(char, start)
    return len(line) if index < 0 else index


# RegexBasedDetector.build_assignment_regex: ` *`, one of these, ` *`. Spaces then ` +` then
# spaces is one or more spaces; what follows (an optional quote, then a secret of letters,
# digits, `_` or `-`) starts with none of ` >=:`, so a match must take every space and the
# longest operator: possessive quantifiers give the same matches without backtracking.
ASSIGNMENT = r"(?: *)(?:=|:|:=|=>| +|::)(?: *)"
LINEAR_ASSIGNMENT = r"(?: *+(?:=>|:=|::|=|:) *+| ++)"


def linear_pattern(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """Return the pattern with its backtracking assignment part made linear, or itself."""
    if ASSIGNMENT not in pattern.pattern:
        return pattern
    return re.compile(pattern.pattern.replace(ASSIGNMENT, LINEAR_ASSIGNMENT), pattern.flags)


def make_plugins_linear(plugins: Iterable[Any]) -> None:
    """Give each regex-based plugin instance linear equivalents of its backtracking patterns."""
    for plugin in plugins:
        denylist = getattr(type(plugin), "denylist", None)
        if isinstance(denylist, list | tuple) and any(
            isinstance(p, re.Pattern) and ASSIGNMENT in p.pattern for p in denylist
        ):
            plugin.denylist = [linear_pattern(p) for p in denylist]


# configparser's `(?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$` (verbose) takes, lazily, the
# text before the first `=` or `:` up to the whitespace in front of it. configparser matches it
# on stripped lines, which hold no newline; there, possessive runs of (whitespace, other
# characters) end at the same place. A string with a newline gets the original pattern.
LINEAR_OPTION = re.compile(r"(?P<option>(?:\s*+[^\s=:]++)*+)\s*+(?P<vi>=|:)\s*(?P<value>.*)$")


class _OptionPattern:
    """configparser's option pattern: the linear one on lines without a newline."""

    pattern = configparser.ConfigParser.OPTCRE.pattern

    def match(self, string: str) -> re.Match[str] | None:
        """Return configparser.ConfigParser.OPTCRE.match(string)."""
        if "\n" in string:
            return configparser.ConfigParser.OPTCRE.match(string)
        return LINEAR_OPTION.match(string)


class LinearConfigParser(configparser.ConfigParser):
    """ConfigParser whose option pattern runs in linear time; same results."""

    OPTCRE = _OptionPattern()  # type: ignore[assignment]


def linear_configparser() -> types.ModuleType:
    """Return a stand-in for the configparser module whose ConfigParser is LinearConfigParser."""
    module = types.ModuleType(configparser.__name__)
    module.__dict__.update(vars(configparser))
    module.ConfigParser = LinearConfigParser  # type: ignore[attr-defined]
    return module


# detect_secrets.filters.allowlist.get_allowlist_regexes: `^?[ \t]*<start> *pragma: ?<kind>
# [ -]secret.*?<end>[ \t]*$`, only ever searched for a yes or no. Unanchored, a leading `[ \t]*`
# changes no answer; `.*?` absorbs the spaces of ` *<end>` and `[ \t]*` before the end of the
# line; `[# \t]*? *` (after `<!--`) is one run of `[# \t]`: same answers, no backtracking.
@functools.cache
def allowlist_regex(comment_tuple: tuple[str, str], nextline: bool) -> re.Pattern[str]:
    """Return a linear pattern found where get_allowlist_regexes(comment_tuple, nextline) is."""
    start, end = comment_tuple
    if start.endswith(r"[# \t]*?"):
        start = start.removesuffix("*?") + "*+"
    else:
        start += " *"
    kind = r"allowlist[ -]nextline" if nextline else r"(?:allow|white)list"
    end = end.removeprefix(" *?").removeprefix(" *")
    tail = rf".*{end}[ \t]*$" if end else ".*$"
    head = r"^[ \t]*" if nextline else ""
    return re.compile(rf"{head}{start}pragma: ?{kind}[ -]secret{tail}")


def get_allowlist_regexes(comment_tuple: tuple[str, str], nextline: bool) -> re.Pattern[str]:
    """Stand in for detect-secrets' get_allowlist_regexes when only found/not found matters."""
    return allowlist_regex(comment_tuple, nextline)
