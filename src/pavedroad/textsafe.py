"""Make untrusted text (file names, scanner output) safe to print on a terminal or in a CI log.

A file name can hold a newline followed by `::error ...` (a GitHub workflow command once it
starts a log line) or ANSI escape sequences that erase or hide lines on a terminal. Every
human-readable output escapes such characters the way Python spells them (`\\n`, `\\x1b`).
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, line/paragraph separators and the bidirectional overrides that can
# reorder what a reader sees ("Trojan Source").
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Lines a CI runner reads as commands (GitHub after trimming leading space, Azure's ##[).
_COMMAND_START = re.compile(r"^(\s*)(::|##\[)")


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
