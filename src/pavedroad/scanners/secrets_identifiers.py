"""Values detect-secrets reports as high-entropy secrets that are public identifiers.

Each recognised value is reported as nothing: digests and checksums are derived from public
content, commit ids and UUIDs name things. Recognition is by the value's exact shape AND its
place (the key or prefix in front of it), never by the shape alone, and never under a key
that names a credential (`secret`, `token`, `password`, `key`, ...): a 32-hex API key under
`trace_id` is still a UUID-shaped value, but under `api_key` it is reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

# What hardened templates produce: image@sha256:<hex>, ?ref=<sha>, pre-commit's `rev: <sha>`.
_PINS = (
    re.compile(
        r"(?:sha(?:1|256|384|512):|@|ref=|\brev:\s*[\"']?)([0-9a-f]{128}|[0-9a-f]{40,96})\b", re.I
    ),
    re.compile(r"fingerprint[\"']?\s*[:=]\s*[\"']?([0-9a-f]{12,64})\b", re.I),
    # A git object id under a key that names one, as tagging tools and CI records write it
    # (`git_commit = "<40 hex>"`, `"commit": "<40 hex>"`, `revision: <64 hex>` for SHA-256 repos).
    re.compile(
        r"(?:commit|revision)\w*[\"']?\s*[:=]\s*[\"']?([0-9a-f]{64}|[0-9a-f]{40})(?![0-9a-z])",
        re.I,
    ),
)
_KEY = r"""([\w.-]*)["']?\s*[:=]\s*["']?"""  # a key, an assignment, an optional quote
# Digests under a key that names one: Cargo.lock `checksum = "<64 hex>"`, composer.lock
# `"shasum": "<40 hex>"`, `md5: <32 hex>`, `etag`, `digest`; and checksum files
# (`sha256sum` output: the digest, two spaces or ` *`, a file name).
_DIGEST_KEY = re.compile(
    r"(?:^|[^\w.-])" + _KEY + r"([0-9a-f]{128}|[0-9a-f]{96}|[0-9a-f]{64}|[0-9a-f]{56}"
    r"|[0-9a-f]{40}|[0-9a-f]{32})(?![0-9a-z])",
    re.I,
)
# Not `hash` alone: Telegram's `api_hash`, for one, is a credential.
_DIGEST_NAMES = re.compile(r"sha\d*|md5|checksum|digest|integrity|etag|blake2\w*", re.I)
_CHECKSUM_LINE = re.compile(r"^\s*([0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})\s[ *]\S")
# Subresource Integrity (`integrity="sha384-..."`, package-lock.json, yarn.lock): the base64
# of a digest of exactly its algorithm's length; go.sum's `h1:` is a base64 SHA-256, and a
# wheel's RECORD lists `path,sha256=<urlsafe base64>,size`.
_SRI = re.compile(
    r"(?<![\w+/=-])(sha256-[A-Za-z0-9+/]{43}=|sha384-[A-Za-z0-9+/]{64}"
    r"|sha512-[A-Za-z0-9+/]{86}==|h1:[A-Za-z0-9+/]{43}=|sha256=[A-Za-z0-9_-]{43}(?=,))"
    r"(?![\w+/=-])"
)
# A UUID (with or without dashes) or a W3C trace/span id under a key naming an identifier.
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_ID_VALUE = re.compile(
    r"(?:^|[^\w.-])" + _KEY + rf"({_UUID}|[0-9a-f]{{32}}|[0-9a-f]{{16}})(?![0-9a-z-])", re.I
)
_ID_NAMES = re.compile(
    r"(?:^|[_.-])(?:trace|span|request|correlation|transaction|session|run|build|job|event"
    r"|execution|uuid|guid|id)(?:[_.-]?(?:id|uuid|guid))?$|(?:uuid|guid)$",
    re.I,
)
# A key that names a credential is never an identifier's key.
_CREDENTIAL_NAMES = re.compile(r"secret|token|pass|pwd|key|auth|cred|sign|cookie|private", re.I)


def _is_pin(value: str, line: str) -> bool:
    return any(m.group(1).lower() == value.lower() for p in _PINS for m in p.finditer(line))


def _keyed(pattern: re.Pattern[str], names: re.Pattern[str], value: str, line: str) -> bool:
    """Return True when the value follows a key named by `names`, not naming a credential."""
    for match in pattern.finditer(line):
        key, found = match.group(1), match.group(2)
        if found.lower() == value.strip("'\"").lower() and names.search(key):
            return not _CREDENTIAL_NAMES.search(key)
    return False


def is_digest(value: str, line: str) -> bool:
    """Return True for a hex digest under a digest's key, or leading a checksum-file line."""
    bare = value.strip("'\"").lower()
    checksum = _CHECKSUM_LINE.match(line)
    if checksum is not None and checksum.group(1).lower() == bare:
        return True
    return _keyed(_DIGEST_KEY, _DIGEST_NAMES, value, line)


def is_identifier(value: str, line: str) -> bool:
    """Return True for a UUID, trace id or span id under a key that names an identifier."""
    return _keyed(_ID_VALUE, _ID_NAMES, value, line)


def is_integrity(value: str, line: str) -> bool:
    """Return True for a Subresource Integrity hash or a go.sum `h1:` hash."""
    bare = value.strip("'\"")
    return any(bare in m.group(1) or m.group(1) in bare for m in _SRI.finditer(line))


def _hex(value: str, line: str) -> bool:
    return _is_pin(value, line) or is_digest(value, line) or is_identifier(value, line)


def _base64(value: str, line: str) -> bool:
    return is_integrity(value, line) or is_identifier(value, line)


CHECKS: Mapping[str, Callable[[str, str], bool]] = {
    "Hex High Entropy String": _hex,
    "Base64 High Entropy String": _base64,
}


def line_kind(secret_type: str, line: str) -> str | None:
    """Return which identifier the line holds for this type of finding, or None (for bench)."""
    hex_value = re.compile(r"[0-9a-f]{16,128}", re.I)
    values = [m.group(0) for m in hex_value.finditer(line)]
    values += [m.group(1) for m in _SRI.finditer(line)]
    values += [m.group(0) for m in re.finditer(_UUID, line, re.I)]
    check = CHECKS.get(secret_type)
    if check is None or not any(check(v, line) for v in values):
        return None
    return "digest, commit pin, identifier or integrity hash (filtered as a false positive)"
