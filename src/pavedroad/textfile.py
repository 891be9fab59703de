"""Tell text from binary and decode text in any encoding git users commit (UTF-8/16/32).

A file with a stray NUL byte, or in UTF-16 with or without a byte-order mark, is still text a
secret can hide in; only content that decodes to mostly control and replacement characters is
binary, and that is what Paved Road cannot scan.
"""

from __future__ import annotations

import codecs
from pathlib import Path

PROBE_BYTES = 8 * 1024
# Longest BOM first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\b\x1b\x00")
# More than this share of control or undecodable characters in the probe means binary.
_BINARY_SHARE = 0.1


def encoding_of(probe: bytes) -> str | None:
    """Return the encoding of a file from its first bytes, or None for binary content."""
    for bom, name in _BOMS:
        if probe.startswith(bom):
            return name
    if b"\x00" not in probe:
        return "utf-8"
    bare = _utf16_without_bom(probe)
    if bare is not None:
        return bare
    return "utf-8" if _mostly_text(probe.decode("utf-8", errors="replace")) else None


def _utf16_without_bom(probe: bytes) -> str | None:
    """Return utf-16-le/be when (nearly) every other byte is NUL, as in ASCII text in UTF-16."""
    pairs = len(probe) // 2
    if pairs < 4:
        return None
    for name, zeros in (("utf-16-le", probe[1::2]), ("utf-16-be", probe[0::2])):
        if zeros.count(0) >= 0.9 * pairs and _mostly_text(probe.decode(name, errors="replace")):
            return name
    return None


def _mostly_text(text: str) -> bool:
    odd = sum(1 for c in text if c == "\ufffd" or (c < " " and c not in _TEXT_CONTROLS))
    return odd <= _BINARY_SHARE * max(len(text), 1)


def read_text(path: Path) -> str:
    """Read a text file in its own encoding, NUL bytes as spaces so lines keep their numbers."""
    data = path.read_bytes()
    encoding = encoding_of(data[:PROBE_BYTES]) or "utf-8"
    text = data.decode(encoding, errors="replace")
    return text.removeprefix("\ufeff").replace("\x00", " ")
