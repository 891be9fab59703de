"""Identifiers that are not secrets: digests, checksums, integrity hashes, UUIDs and trace ids.

Each is reported as nothing only in its place (under a key that names it, or in its file
format); the same value under a credential's key, or a value of another length, is reported.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.scanners.helpers import write_tree

from pavedroad.scan.workspace import collect
from pavedroad.scanners import secrets_identifiers
from pavedroad.scanners.secrets import SecretsScanner, is_false_positive

HEX = "Hex High Entropy String"
B64 = "Base64 High Entropy String"
# Built from pieces of at most 8 hex or 16 base64 characters (too few distinct characters for
# the entropy detectors) so that no scanner flags this file itself.
TRACE = "".join(["4bf92f35", "77b34da6", "a3ce929d", "0e0e4736"])
SPAN = "".join(["00f067aa", "0ba902b7"])
UUID = "-".join(["9b2c6e1f", "3a4d", "4c5e", "8f7a", "0b1c2d3e" + "4f5a"])
SHA256 = "".join(["9f86d081", "884c7d65", "9a2feaa0", "c55ad015", "a3bf4f1b", "2b0b822c"])
SHA256 += "".join(["d15d6c15", "b0f00a08"])
MD5 = "".join(["0cc175b9", "c0f1b6a8", "31c399e2", "69772661"])
SRI384 = "sha384-" + "".join(["oqVuAfXRKap7fdgc", "CY5uykM6+R9GqQ8K", "/uxy9rx7HNQlGYl1"])
SRI384 += "kPzQho1wx4JwY8wC"
SRI512 = "sha512-" + "".join(["z4PhNX7vuL3xVChQ", "1m2AB9Yg5AULVxXc", "g/SpIdNs6c5H0NE8"])
SRI512 += "".join(["XYXysP+DGNKHfuwv", "Y7kxvUdBeoGlODJ6", "+SfaPg=="])
GO_SUM = "h1:" + "".join(["qWkwcGNwzw5NEEiW", "daBWRp8TqHtylnY7", "XVNm6PLl0Rw="])
RECORD_DIGEST = "".join(["ejwMjc4WNzfQ0c6e", "HPOr6-GJr0J_n1FM", "uXWVBKkQ9Og"])
RECORD = f"idna/core.py,sha256={RECORD_DIGEST},12663"


@pytest.mark.parametrize(
    ("kind", "value", "line"),
    [
        (HEX, TRACE, f'"trace_id": "{TRACE}",'),
        (HEX, TRACE, f"traceId: {TRACE}"),
        (HEX, TRACE, f"X-Request-ID: {TRACE}"),
        (HEX, SPAN, f'"span_id": "{SPAN}"'),
        (HEX, SHA256, f'checksum = "{SHA256}"'),
        (HEX, SHA256[:40], f'"shasum": "{SHA256[:40]}",'),
        (HEX, MD5, f"md5: {MD5}"),
        (HEX, SHA256, f"{SHA256}  paved-1.0.0.tar.gz"),
        (B64, SRI384, f'<script src="x.js" integrity="{SRI384}"></script>'),
        (B64, SRI512, f'"integrity": "{SRI512}",'),
        (B64, GO_SUM[3:], f"golang.org/x/text v0.14.0 {GO_SUM}"),
        (B64, RECORD_DIGEST, RECORD),
    ],
)
def test_identifiers_are_not_secrets(kind: str, value: str, line: str) -> None:
    assert is_false_positive(kind, value, line)
    assert secrets_identifiers.line_kind(kind, line) is not None


@pytest.mark.parametrize(
    ("kind", "value", "line"),
    [
        (HEX, TRACE, f'api_key = "{TRACE}"'),  # an identifier's shape under a credential's key
        (HEX, TRACE, f'"trace_token": "{TRACE}"'),
        (HEX, TRACE, f'"password_hash": "{TRACE}"'),
        (HEX, TRACE, f'api_hash = "{TRACE}"'),  # Telegram's credential
        (HEX, TRACE + "ab", f'"trace_id": "{TRACE}ab"'),  # not an id's length
        (HEX, SHA256, f'value = "{SHA256}"'),  # a digest's length alone proves nothing
        (B64, "X" + SRI512[7:], f'"integrity": "X{SRI512[7:]}"'),  # no algorithm in front
        (B64, SRI512[:-4], f'"integrity": "{SRI512[:-4]}"'),  # not a digest's length
    ],
)
def test_secrets_in_an_identifiers_place_are_still_secrets(
    kind: str, value: str, line: str
) -> None:
    assert not is_false_positive(kind, value, line)


def test_a_scan_reports_no_identifier_and_every_secret(tmp_path: Path) -> None:
    hex_value = "".join(["8e3f1c0a", "9b7d4e2f", "6a5c3b1d", "0e9f8a7b"])
    files = {
        "trace.json": f'{{"trace_id": "{TRACE}", "request_id": "{UUID}"}}\n',
        "Cargo.lock": f'[[package]]\nname = "x"\nchecksum = "{SHA256}"\n',
        "package-lock.json": f'{{"integrity": "{SRI512}"}}\n',
        "app.cfg": f'api_hash = "{hex_value}"\n',
    }
    findings = SecretsScanner().scan(collect(write_tree(tmp_path, files)).target())
    assert {(f.path, f.rule_id) for f in findings} == {("app.cfg", "HexHighEntropyString")}
