"""Make untrusted text (file names, scanner output) safe to print on a terminal or in a CI log.

A file name can hold a newline followed by `::error ...` (a GitHub workflow command once it
starts a log line) or ANSI escape sequences that erase or hide lines on a terminal. Every
human-readable output escapes such characters the way Python spells them (`\\n`, `\\x1b`).

Markdown output (the gate's report, drift, the exception review) goes through `md_text` and
`md_code`, so untrusted text can neither break a table, inject markup nor notify anyone.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, line/paragraph separators and the bidirectional overrides that can
# reorder what a reader sees ("Trojan Source").
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Lines a CI runner reads as commands (GitHub after trimming leading space, Azure's ##[).
_COMMAND_START = re.compile(r"^(\s*)(::|##\[)")
# Everything CommonMark lets a backslash escape that can change how inline text renders.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#&!])")
# `@team` and `#123` notify people and cross-link issues; a zero-width space defuses them.
_MENTION = re.compile(r"([@#])(?=\w)")


def printable(text: str) -> str:
    """Return text on one line with every control or reordering character escaped."""
    return _UNSAFE.sub(_escape, text)


def printable_lines(text: str) -> str:
    """Return multi-line text (an error message) with each line made printable.

    Line breaks stay; a line that would read as a CI workflow command gets a backslash first.
    """
    lines = [printable(line) for line in text.split("\n")]
    return "\n".join(_COMMAND_START.sub(r"\1\\\2", line) for line in lines)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """Collapse every run of whitespace into one space and escape what is left unprintable."""
    return printable(" ".join(text.split()))


def md_text(text: str) -> str:
    """Return text as one line of inert Markdown: escaped, no mentions, newlines collapsed."""
    escaped = _MD_SPECIAL.sub(r"\\\1", one_line(text))
    return _MENTION.sub(r"\1&#8203;", escaped)


def md_code(text: str, *, in_table: bool = False) -> str:
    """Return text as a Markdown code span; in a table cell, also escape the pipes."""
    body = one_line(text)
    if in_table:
        body = body.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return f"{fence}{pad}{body}{pad}{fence}"
