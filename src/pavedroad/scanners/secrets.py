"""detect-secrets (the bc-detect-secrets fork) in-process, bounded for long lines, never leaking.

Files are copied to a scratch folder first, decoded as UTF-8 with replacement (detect-secrets
skips files that do not decode) and with lines over LONG_LINE cut into overlapping windows.
Paved Road decides which detectors and filters run: a .secrets.baseline only marks known
secrets. Any of its settings that would find less (fewer plugins, higher limits, exclusion
filters, a baseline symlinked out of the repository) is ignored and reported as
PAVED_SCANNER_CONFIG; custom plugin or filter code is refused. Its audited `is_secret: false`
entries are not reported; `is_secret: true` ones are reported in full (a confirmed secret stays
a finding until rotated and removed); unaudited ones are reported as suppressed.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from pavedroad import knowledge
from pavedroad.errors import ScannerError
from pavedroad.findings import Finding, Severity, fingerprint
from pavedroad.scanners import secrets_filters, secrets_identifiers, secrets_parallel, yaml_guard
from pavedroad.scanners.interface import CachePlan, ScanTarget, ToolInfo
from pavedroad.scanners.own_rules import (
    CONFLICT_MARKER,
    NOT_FULLY_SCANNED,
    config_finding,
    conflict_start,
    paved_finding,
)
from pavedroad.scanners.secrets_baseline import BASELINE as BASELINE  # the scanner's config
from pavedroad.scanners.secrets_baseline import SETTINGS_LOCK, Baseline, files_read, load_baseline
from pavedroad.scanners.secrets_identifiers import _PINS as _PINS  # bench/parity.py
from pavedroad.textfile import read_text

NAME = "secrets"
# bc-detect-secrets is the one provider of `detect_secrets` (see pyproject.toml).
TOOL = ToolInfo(
    "detect-secrets",
    "https://github.com/bridgecrewio/detect-secrets",
    "bc-detect-secrets",
    "medium",
)
DEFAULT_TIMEOUT = 900.0
LONG_LINE = 1000
# Over 1,000 characters, so detect-secrets skips its indirect-reference filter on a window as it
# does on any long line; at or under it, that filter drops whole windows of minified code.
WINDOW = 1200
OVERLAP = 200  # longer than any credential the plugins look for
DOCS_URL = "https://github.com/bridgecrewio/detect-secrets#about"
FIX = (
    "Remove the secret from the file and rotate it now (it stays in git history); load it at "
    "run time from a secret store or a CI secret. If it is not a secret, audit it into "
    ".secrets.baseline (detect-secrets audit) as is_secret: false."
)
# Provider credentials and private keys are critical; generic detections are high.
_PROVIDER_KEYS = (
    "ArtifactoryDetector AWSKeyDetector AzureStorageKeyDetector CloudantDetector "
    "DiscordBotTokenDetector GitHubTokenDetector IbmCloudIamDetector IbmCosHmacDetector "
    "MailchimpDetector NpmDetector PrivateKeyDetector SendGridDetector SlackDetector "
    "SoftlayerDetector SquareOAuthDetector StripeDetector TwilioKeyDetector"
).split()
_GENERIC = (
    "BasicAuthDetector Base64HighEntropyString HexHighEntropyString JwtTokenDetector "
    "KeywordDetector"
).split()
SEVERITIES: Mapping[str, Severity] = {
    **dict.fromkeys(_PROVIDER_KEYS, Severity.CRITICAL),
    **dict.fromkeys(_GENERIC, Severity.HIGH),
}
_LITERALS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "none", "~"})
# Keys whose value NAMES where a secret lives, never a secret: the Secrets Store CSI driver's
# `secretProviderClass` (a Kubernetes object name) and the service templates' `secrets_backend`
# answer (one of its choices). Only those exact values pass; any other value is still reported.
_SECRET_REFERENCES = (
    re.compile(
        r"^\s*(?:-\s*)?[\"']?secretProviderClass[\"']?\s*:\s*[\"']?"
        r"([a-z0-9][a-z0-9.-]{0,252})[\"']?\s*$"
    ),
    re.compile(
        r"^\s*(?:-\s*)?[\"']?secrets_backend[\"']?\s*:\s*[\"']?"
        r"(none|kubernetes-secret-files|external-secrets|csi-secrets-store)[\"']?\s*$"
    ),
)
# detect-secrets keeps its settings in module globals: one scan at a time per process.
_LOCK = SETTINGS_LOCK


@dataclass(frozen=True)
class Copy:
    """A scratch copy of one file: which original line each copy line came from."""

    path: str
    line_map: tuple[int, ...]
    windowed: int
    allowlisting: bool  # mentions `pragma: allowlist`, so worth the allowlist pass
    conflict: int | None = None  # first line of an unresolved merge conflict

    def original_line(self, copy_line: int) -> int:
        """Return the original 1-based line of a 1-based copy line."""
        return self.line_map[min(max(copy_line, 1), len(self.line_map)) - 1]


@dataclass(frozen=True)
class Hit:
    """One detected secret, without its value."""

    path: str
    line: int
    secret_type: str
    secret_hash: str
    allowlisted: bool


class SecretsScanner:
    """Find hard-coded secrets with detect-secrets, in this process."""

    name = NAME
    tool = TOOL
    config_files: tuple[str, ...] = (BASELINE,)
    unread_config_files: tuple[str, ...] = ()
    reads_all_text = True
    default_timeout = DEFAULT_TIMEOUT

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout

    def with_timeout(self, seconds: float) -> SecretsScanner:
        """Return a copy that gives up after this many seconds."""
        return SecretsScanner(timeout=seconds)

    def rule_severity(self, rule_id: str) -> Severity | None:
        """Return the severity of a detect-secrets plugin name, or None for another rule id."""
        return SEVERITIES.get(rule_id)

    def cache_plan(self, root: Path) -> CachePlan | None:
        """Cache per file; the baseline and the wordlists it names change every result."""
        return CachePlan(_one_file, config=files_read(root))

    def context_files(
        self, target: ScanTarget, everything: Callable[[], Sequence[str]]
    ) -> tuple[str, ...]:
        """Return nothing: each file is searched on its own."""
        return ()

    def unavailable_reason(self) -> str | None:
        """Return why detect-secrets cannot run here, or None when it can."""
        return provider_problem()

    def scan(self, target: ScanTarget) -> tuple[Finding, ...]:
        """Scan every file of the target; raise ScannerError past the timeout."""
        baseline = load_baseline(target.root)
        files = [f for f in target.files if f != BASELINE]
        deadline = time.monotonic() + self.timeout
        with _LOCK, tempfile.TemporaryDirectory(prefix="pavedroad-secrets-") as scratch:
            copies = [prepare(target.root, Path(scratch), f) for f in files]
            hits = secrets_parallel.detect_spread(Path(scratch), copies, deadline, detect)
        partial = [_partial_finding(c) for c in copies if c.windowed]
        conflicts = [_conflict_finding(c) for c in copies if c.conflict is not None]
        # Reported with the baseline's own unit, so cached and fresh scans report it once.
        weak = config_finding(baseline.weakenings, scanner=NAME) if baseline else None
        config = [weak] if weak is not None and BASELINE in target.files else []
        return (*to_findings(hits, baseline), *partial, *conflicts, *config)


def _one_file(rel: str) -> str:
    return f"file:{rel}"


def provider_problem() -> str | None:
    """Return why the detect_secrets module is not bc-detect-secrets alone, or None."""
    try:
        metadata.version("bc-detect-secrets")
    except metadata.PackageNotFoundError:
        return "bc-detect-secrets is not installed; pip install bc-detect-secrets"
    try:
        metadata.version("detect-secrets")
    except metadata.PackageNotFoundError:
        return None
    return (
        "Yelp's detect-secrets is installed beside bc-detect-secrets and overwrites its module; "
        "pip uninstall detect-secrets, then pip install --force-reinstall bc-detect-secrets"
    )


def prepare(root: Path, scratch: Path, rel: str) -> Copy:
    """Write a UTF-8 copy of root/rel into scratch with long lines cut into windows.

    The file is decoded in its own encoding (UTF-16/32 by BOM), NUL bytes become spaces.
    """
    text = read_text(root / rel)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    line_map: list[int] = []
    windowed = 0
    for number, line in enumerate(lines, start=1):
        pieces = windows(line)
        windowed += len(pieces) > 1
        out += pieces
        line_map += [number] * len(pieces)
    dest = scratch / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text("\n".join(out), encoding="utf-8")
    return Copy(rel, tuple(line_map), windowed, "allowlist" in text, conflict_start(lines))


def windows(line: str) -> list[str]:
    """Return the line, or overlapping WINDOW-sized pieces of it when it is over LONG_LINE."""
    if len(line) <= LONG_LINE:
        return [line]
    step = WINDOW - OVERLAP
    return [line[i : i + WINDOW] for i in range(0, len(line) - OVERLAP, step)]


def detect(scratch: Path, copies: Iterable[Copy], deadline: float) -> list[Hit]:
    """Run detect-secrets on the copies: plain results, then the allowlisted ones."""
    from detect_secrets.core.scan import read_raw_lines, scan_for_allowlisted_secrets_in_file
    from detect_secrets.core.secrets_collection import SecretsCollection

    copies = list(copies)
    read_raw_lines.cache_clear()  # keyed by file name only; scratch names can repeat
    hits: list[Hit] = []
    bombs = {str(scratch / c.path) for c in copies if yaml_guard.file_problem(scratch / c.path)}
    with _settings(), _raw_lines_only(bombs):
        collection = SecretsCollection(root=str(scratch))
        for copy in copies:
            _check(deadline)
            collection.scan_file(copy.path)
            hits += _hits(scratch, copy, collection.data.get(copy.path, ()), allowlisted=False)
    allowlisting = [c for c in copies if c.allowlisting]
    if not allowlisting:
        return hits
    with _settings(), _raw_lines_only(bombs):  # the allowlist scan drops the allowlist filter
        for copy in allowlisting:
            _check(deadline)
            found = scan_for_allowlisted_secrets_in_file(str(scratch / copy.path))
            hits += _hits(scratch, copy, found, allowlisted=True)
    return hits


@contextlib.contextmanager
def _raw_lines_only(paths: set[str]) -> Iterator[None]:
    """Keep detect-secrets' YAML transformer off these files: it would expand their aliases.

    Their raw lines are still scanned (the transformer only adds a parsed view).
    """
    from detect_secrets.transformers import get_transformers
    from detect_secrets.transformers.yaml import YAMLTransformer

    refused = {os.path.normpath(p) for p in paths}
    yamls = [t for t in get_transformers() if isinstance(t, YAMLTransformer)] if refused else []
    for transformer in yamls:
        transformer.should_parse_file = _refusing(transformer, refused)  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        for transformer in yamls:
            del transformer.should_parse_file  # the class's method again


def _refusing(transformer: Any, refused: set[str]) -> Callable[[str], bool]:
    """Return the transformer's should_parse_file, answering False for the refused files."""
    parses: Callable[[str], bool] = type(transformer).should_parse_file.__get__(transformer)

    def should_parse_file(name: str) -> bool:
        return os.path.normpath(name) not in refused and parses(name)

    return should_parse_file


@contextlib.contextmanager
def _settings() -> Iterator[Any]:
    """Apply Paved Road's settings: every plugin and filter, whatever the baseline says.

    Patterns of detect-secrets that backtrack run as linear-time equivalents (secrets_filters).
    """
    from detect_secrets.settings import default_settings

    with default_settings() as settings, secrets_filters.linear_patterns(settings):
        yield settings


def _check(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise ScannerError(NAME, "timed out before every file was scanned")


def _hits(scratch: Path, copy: Copy, secrets: Iterable[Any], *, allowlisted: bool) -> Iterator[Hit]:
    """Keep type, place and hash of each real secret; drop the value.

    detect-secrets keeps a file's secrets in a set, whose order changes with every process's
    string hashing: sorted, every scan (in one process or spread over several) lists them alike.
    """
    found = sorted(secrets, key=lambda s: (int(s.line_number), str(s.type), str(s.secret_hash)))
    lines = (scratch / copy.path).read_text(encoding="utf-8").split("\n") if found else []
    for secret in found:
        number = int(secret.line_number)
        text = lines[number - 1] if 0 < number <= len(lines) else ""
        if is_false_positive(str(secret.type), secret.secret_value, text):
            continue
        line = copy.original_line(number)
        yield Hit(copy.path, line, str(secret.type), str(secret.secret_hash), allowlisted)


def is_false_positive(secret_type: str, value: str | None, line: str) -> bool:
    """Return True for boolean keyword values and identifiers (digests, commit ids, UUIDs)."""
    check = _FALSE_POSITIVE_CHECKS.get(secret_type)
    return value is not None and check is not None and check(value, line)


def _is_literal(value: str, line: str) -> bool:
    return value.strip("'\" ").lower() in _LITERALS or _is_reference(value, line)


def _is_reference(value: str, line: str) -> bool:
    return any((m := p.match(line)) and m.group(1) == value for p in _SECRET_REFERENCES)


_FALSE_POSITIVE_CHECKS: Mapping[str, Callable[[str, str], bool]] = {
    "Secret Keyword": _is_literal,
    **secrets_identifiers.CHECKS,
}


def to_findings(hits: Iterable[Hit], baseline: Baseline | None) -> list[Finding]:
    """Return one finding per secret and place (the most severe type wins), minus audited ones."""
    plugins = _plugin_names()
    best: dict[tuple[str, int, str], tuple[str, Hit]] = {}
    for hit in hits:
        if audit(baseline, hit) == "false-positive":
            continue
        rule = plugins.get(hit.secret_type, hit.secret_type.replace(" ", ""))
        key = (hit.path, hit.line, hit.secret_hash)
        if key not in best or _rank(rule, hit) > _rank(*best[key]):
            best[key] = (rule, hit)
    return [_finding(hit, rule, audit(baseline, hit)) for rule, hit in best.values()]


def _rank(rule: str, hit: Hit) -> tuple[int, bool, str]:
    return (SEVERITIES.get(rule, Severity.HIGH), not hit.allowlisted, rule)


def audit(baseline: Baseline | None, hit: Hit) -> str:
    """Return new, confirmed, unaudited or false-positive: what the baseline says of a hit."""
    key = (hit.path, hit.secret_hash)
    if baseline is None or key not in baseline.known:
        return "new"
    verdict = baseline.known[key]
    return "unaudited" if verdict is None else "confirmed" if verdict else "false-positive"


def _plugin_names() -> dict[str, str]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    return {str(k): v.__name__ for k, v in get_mapping_from_secret_type_to_class().items()}


_NOTES = {
    "confirmed": " It is listed in .secrets.baseline as a confirmed secret.",
    "unaudited": " It is known in .secrets.baseline but not audited.",
}


def _finding(hit: Hit, rule: str, verdict: str) -> Finding:
    """Build the finding: type, place and hash only, never the value."""
    note = _NOTES.get(verdict, "")
    if hit.allowlisted:
        note += " Suppressed inline with `pragma: allowlist secret`."
    return Finding(
        scanner=NAME,
        rule_id=rule,
        title=hit.secret_type,
        severity=SEVERITIES.get(rule, Severity.HIGH),
        path=hit.path,
        start_line=hit.line,
        end_line=hit.line,
        resource=f"sha1:{hit.secret_hash}",
        message=f"{hit.secret_type} at line {hit.line} (sha1 {hit.secret_hash[:12]}).{note}",
        fix=knowledge.fix(rule) or FIX,
        docs_url=knowledge.docs_url(rule) or DOCS_URL,
        fingerprint=fingerprint(NAME, rule, hit.path, hit.secret_hash),
        inline_suppressed=hit.allowlisted or verdict == "unaudited",
    )


def _partial_finding(copy: Copy) -> Finding:
    message = (
        f"{copy.windowed} line(s) over {LONG_LINE} characters were scanned in overlapping "
        f"{WINDOW}-character pieces; secrets recognised by nearby keywords may be missed there."
    )
    return paved_finding(NOT_FULLY_SCANNED, copy.path, message, scanner=NAME)


def _conflict_finding(copy: Copy) -> Finding:
    line = copy.conflict or 1
    message = f"Unresolved merge conflict: git's conflict markers start at line {line}."
    return paved_finding(CONFLICT_MARKER, copy.path, message, line=line, scanner=NAME)
