"""Redact secret values from free text before it is stored or printed.

Scanners copy source text into findings (hadolint's resource is the Dockerfile line, checkov's
resource can be a workflow step name), and `paved update` summarises workflow diffs. Every such
text goes through detect-secrets' own detectors, in this process, and each detected value is
replaced by REDACTED. The detectors are called directly (never through detect-secrets' global
settings, which the secrets scanner changes while it runs in another thread), eagerly: a value
needs no quotes around it to be found, because a finding's text is no source file.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from pavedroad.findings import Finding, fingerprint
from pavedroad.scanners.secrets import is_false_positive, windows
from pavedroad.scanners.secrets_baseline import SETTINGS_LOCK

REDACTED = "<redacted>"
# Userinfo in command flags (curl -u user:pass, wget --password=...), which no detector knows.
_FLAGS = (
    re.compile(r"(?:^|\s)(?:-u|--user|--proxy-user)[\s=]+[\"']?[^\s:\"']+:([^\s\"']+)"),
    re.compile(r"(?:^|\s)--(?:password|passwd|token|secret)[\s=]+[\"']?([^\s\"']+)", re.I),
)
_MIN_ENTROPY_LENGTH = 20  # shorter tokens (short hashes, words) are too noisy to call secrets
_LITERALS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "none", "~", ""})
# A reference names where the secret lives ($TOKEN, ${{ secrets.X }}, var.api_key): keep it.
_REFERENCE = re.compile(r"^(?:\$|(?:var|local|module|data|secrets|env)\.[\w.]+$)")
_LOCK = threading.Lock()


def redact(text: str) -> str:
    """Return text with every detected secret value replaced by REDACTED."""
    pieces = (piece for line in text.splitlines() for piece in windows(line))  # bounded regexes
    values = {v for piece in pieces for v in _line_values(piece)}
    for value in sorted(values, key=len, reverse=True):  # longest first: no partial leftovers
        text = text.replace(value, REDACTED)
    return text


@functools.lru_cache(maxsize=8192)
def _line_values(line: str) -> frozenset[str]:
    """Return the secret values in one line (findings repeat the same texts: cached)."""
    if len(line) < 6:
        return frozenset()
    return frozenset(v for v in _values(line) if len(v.strip()) >= 4 and v != REDACTED)


def redact_finding(finding: Finding) -> Finding:
    """Return the finding with its free-text fields redacted.

    When the resource changes, the fingerprint is recomputed from the redacted resource, as
    the adapters anchor it there: the same finding keeps one fingerprint run after run, and
    no fingerprint is derived from a secret.
    """
    resource = redact(finding.resource)
    redacted = replace(
        finding,
        title=redact(finding.title),
        resource=resource,
        message=redact(finding.message),
        fix=redact(finding.fix),
    )
    if redacted == finding:
        return finding
    if resource == finding.resource:
        return redacted
    anchor = fingerprint(finding.scanner, finding.rule_id, finding.path, resource)
    return replace(redacted, fingerprint=anchor)


def _values(line: str) -> Iterator[str]:
    """Yield the secret values the detectors (and the flag patterns) find in one line."""
    found = [("flag", m.group(1)) for pattern in _FLAGS for m in pattern.finditer(line)]
    with _LOCK:
        found += [value for detector in _detectors() for value in detector(line)]
    yield from (v for kind, v in found if not _harmless(kind, v, line))


def _harmless(kind: str, value: str, line: str) -> bool:
    """Return True for pins, fingerprints and literals (`is_secret: false.`), as the scanner."""
    bare = value.strip("'\" .,;:()[]{}")
    if bare.lower() in _LITERALS or _REFERENCE.match(bare):
        return True
    return is_false_positive(kind, value, line)


def prepare() -> None:
    """Load detect-secrets' detectors now, in this thread, before scanner threads start.

    A first import of detect_secrets from two scanner threads at once (redaction in one, the
    secrets scan in another, which also swaps detect-secrets' settings) once failed with
    KeyError('detect_secrets'); loading here, under the settings lock, keeps them apart.
    """
    _detectors()


@functools.cache
def _detectors() -> tuple[Callable[[str], list[tuple[str, str]]], ...]:
    """Build one finder per detect-secrets plugin, each returning (secret type, value)."""
    with SETTINGS_LOCK:
        return _build_detectors()


def _build_detectors() -> tuple[Callable[[str], list[tuple[str, str]]], ...]:
    """Build the finders (detect-secrets' plugin registry depends on its global settings)."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin

    finders: list[Callable[[str], list[tuple[str, str]]]] = []
    for kind, plugin_class in sorted(get_mapping_from_secret_type_to_class().items()):
        if not plugin_class.__module__.startswith("detect_secrets.plugins."):
            continue  # built-in detectors only: never code a repository's baseline names
        plugin = plugin_class()
        if isinstance(plugin, HighEntropyStringsPlugin):
            finders.append(_entropy_finder(str(kind), plugin))
        else:
            finders.append(_regex_finder(str(kind), plugin))
    return tuple(finders)


def _regex_finder(kind: str, plugin: Any) -> Callable[[str], list[tuple[str, str]]]:
    """Return a finder for a regex plugin; the keyword one also tries config-style lines."""
    from detect_secrets.plugins.keyword import (
        CONFIG_DENYLIST_REGEX_TO_GROUP,
        QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP,
        KeywordDetector,
    )

    if not isinstance(plugin, KeywordDetector):
        return lambda line: [(kind, str(v)) for v in plugin.analyze_string(line)]
    tables = (QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP, CONFIG_DENYLIST_REGEX_TO_GROUP)
    return lambda line: [(kind, str(v)) for t in tables for v in plugin.analyze_string(line, t)]


def _entropy_finder(kind: str, plugin: Any) -> Callable[[str], list[tuple[str, str]]]:
    """Return a finder for unquoted high-entropy tokens of the plugin's charset."""
    # `=` only as base64 padding, so `KEY=value` yields the value alone.
    body = re.escape(plugin.charset.replace("=", ""))
    token = re.compile(f"[{body}]{{{_MIN_ENTROPY_LENGTH},}}={{0,2}}")

    def find(line: str) -> list[tuple[str, str]]:
        return [
            (kind, m.group())
            for m in token.finditer(line)
            if plugin.calculate_shannon_entropy(m.group()) > plugin.entropy_limit
        ]

    return find
