"""A labelled secrets corpus, written at run time: precision and recall per detector.

Positives: one file per credential, in the format each detector's documentation (or the
provider's) gives, with FAKE values built here from pieces and random characters (seeded),
so no scanner flags this repository. Negatives: identifiers that are not secrets, each on its
own line: commit ids under commit keys, UUID and W3C trace ids under id keys, digests under
digest keys, checksum-file lines, Subresource Integrity and lock-file hashes, image digests,
plus real lines of wheel RECORD files (`path,sha256=<digest>,size`) of the installed packages.

A positive counts as found when any finding lands in its file; every finding on a negative
line is a false alarm of its detector. Paved Road and raw detect-secrets (its defaults, in
this process) are scored on the same files.
"""

from __future__ import annotations

import base64
import json
import random
import string
import sysconfig
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pavedroad.scanners.interface import ScanTarget
from pavedroad.scanners.secrets import SecretsScanner

RECORD_LINES = 400
_RNG = random.Random(14)
HEX = "0123456789abcdef"
ALNUM = string.ascii_letters + string.digits
B64 = ALNUM + "+/"


def _r(alphabet: str, n: int) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(n))


def _jwt() -> str:
    def part(data: Mapping[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    header = part({"alg": "HS256", "typ": "J" + "WT"})
    body = part({"sub": _r(HEX, 8), "name": "fake", "iat": 1700000000})
    return f"{header}.{body}.{_r(ALNUM + '-_', 43)}"


def positives() -> dict[str, tuple[str, str]]:
    """Return file name -> (detector, content) for one fake credential per documented format."""
    begin, end = "-----BEGIN RSA " + "PRIVATE KEY-----", "-----END RSA " + "PRIVATE KEY-----"
    body = "\n".join(_r(B64, 64) for _ in range(6))
    pem = f"{begin}\n{body}\n{end}\n"
    found = {
        "aws.env": ("AWSKeyDetector", f"aws_access_key_id = {'AK' + 'IA' + _r(HEX.upper(), 16)}"),
        "aws.ini": ("AWSKeyDetector", f"[default]\nkey_id = {'AS' + 'IA' + _r('QWERTYZ234', 16)}"),
        "artifactory.sh": (
            "ArtifactoryDetector",
            f"export ARTI_TOKEN={'AK' + 'C' + _r(ALNUM, 70)}",
        ),
        "azure.cfg": (
            "AzureStorageKeyDetector",
            "conn = DefaultEndpointsProtocol=https;AccountName=acct;Account"
            + f"Key={_r(B64, 86)}==;EndpointSuffix=core.windows.net",
        ),
        "basic.yaml": (
            "BasicAuthDetector",
            f"url: https://admin:{_r(ALNUM, 14)}@db.internal.corp/x",
        ),
        "cloudant.py": (
            "CloudantDetector",
            f'cloudant_api_key = "{_r(string.ascii_lowercase, 24)}"',
        ),
        "discord.js": (
            "DiscordBotTokenDetector",
            f"const t = '{'M' + _r(ALNUM, 23)}.{_r(ALNUM, 6)}.{_r(ALNUM, 27)}';",
        ),
        "github.yml": ("GitHubTokenDetector", f"token: {'gh' + 'p_' + _r(ALNUM, 36)}"),
        "ibm_iam.py": ("IbmCloudIamDetector", f'ibm_cloud_iam_key = "{_r(ALNUM + "_-", 44)}"'),
        "ibm_cos.py": ("IbmCosHmacDetector", f'ibm_cos_hmac_secret_access_key = "{_r(HEX, 48)}"'),
        "jwt.txt": ("JwtTokenDetector", f"Authorization: Bearer {_jwt()}"),
        "keyword.py": ("KeywordDetector", f'password = "{_r(ALNUM, 10)}&{_r(ALNUM, 5)}"'),
        "mailchimp.cfg": ("MailchimpDetector", f"mc = {_r(HEX, 32)}-us{_RNG.randint(1, 20)}"),
        "npmrc": (
            "NpmDetector",
            f"//registry.npmjs.org/:_auth{'Token'}={'np' + 'm_' + _r(ALNUM, 36)}",
        ),
        "key.pem": ("PrivateKeyDetector", pem),
        "sendgrid.env": ("SendGridDetector", f"SG_KEY={'S' + 'G.'}{_r(ALNUM, 22)}.{_r(ALNUM, 43)}"),
        "slack.env": (
            "SlackDetector",
            f"SLACK={'xo' + 'xb-'}{_r(string.digits, 12)}-{_r(ALNUM, 24)}",
        ),
        "softlayer.py": ("SoftlayerDetector", f'softlayer_api_key = "{_r(HEX, 64)}"'),
        "square.env": ("SquareOAuthDetector", f"SQ={'sq0' + 'csp-'}{_r(ALNUM + '-_', 43)}"),
        "stripe.py": ("StripeDetector", f'stripe.api_key = "{"sk" + "_live_" + _r(ALNUM, 24)}"'),
        "twilio.env": ("TwilioKeyDetector", f"TWILIO={'S' + 'K'}{_r(HEX, 32)}"),
        "hex.py": ("HexHighEntropyString", f'signing_seed = "{_r(HEX, 40)}"'),
        "b64.json": ("Base64HighEntropyString", f'{{"blob": "{_r(B64, 44)}"}}'),
        # A credential shaped like an identifier, under a credential's key: still a secret.
        "hexkey.json": ("HexHighEntropyString", f'{{"api_key_value": "{_r(HEX, 32)}"}}'),
    }
    return found


def negatives() -> list[str]:
    """Return lines that hold identifiers only."""
    uuid = f"{_r(HEX, 8)}-{_r(HEX, 4)}-4{_r(HEX, 3)}-a{_r(HEX, 3)}-{_r(HEX, 12)}"
    lines = [
        f'  git_commit = "{_r(HEX, 40)}"',
        f'{{"commit": "{_r(HEX, 40)}", "build_id": "{_r(HEX, 32)}"}}',
        f'"trace_id": "{_r(HEX, 32)}",',
        f"traceId: {_r(HEX, 32)}",
        f'"span_id": "{_r(HEX, 16)}",',
        f'request_id = "{uuid}"',
        f"X-Request-ID: {_r(HEX, 32)}",
        f'"correlationId": "{_r(HEX, 32)}"',
        f'checksum = "{_r(HEX, 64)}"',
        f'"shasum": "{_r(HEX, 40)}",',
        f"md5: {_r(HEX, 32)}",
        f'"etag": "{_r(HEX, 32)}"',
        f"{_r(HEX, 64)}  paved-1.0.0.tar.gz",
        f"{_r(HEX, 64)} *paved-1.0.0-py3-none-any.whl",
        f'<script src="https://cdn.example/x.js" integrity="sha384-{_r(B64, 64)}"></script>',
        f'"integrity": "sha512-{_r(B64, 86)}==",',
        f"  integrity sha512-{_r(B64, 86)}==",
        f"golang.org/x/text v0.14.0 h1:{_r(B64, 43)}=",
        f"image: nginx@sha256:{_r(HEX, 64)}",
        f"    rev: {_r(HEX, 40)}",
    ]
    return lines + record_lines()


def record_lines() -> list[str]:
    """Return up to RECORD_LINES real `path,sha256=...,size` lines of installed wheels."""
    site = Path(sysconfig.get_paths()["purelib"])
    found: list[str] = []
    for record in sorted(site.glob("*.dist-info/RECORD")):
        if record.parent.name.startswith("pavedroad"):
            continue
        text = record.read_text(encoding="utf-8", errors="replace")
        found += [line for line in text.splitlines() if ",sha256=" in line][:5]
        if len(found) >= RECORD_LINES:
            break
    return found[:RECORD_LINES]


@dataclass(frozen=True)
class Corpus:
    """The written corpus: positive files by detector, negative lines by (file, line)."""

    root: Path
    positives: Mapping[str, str]
    negatives: frozenset[tuple[str, int]]


def write(root: Path) -> Corpus:
    """Write the corpus under root."""
    root.mkdir(parents=True, exist_ok=True)
    labelled = {}
    for name, (detector, content) in positives().items():
        (root / "positive" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "positive" / name).write_text(content + "\n", encoding="utf-8")
        labelled[f"positive/{name}"] = detector
    lines = negatives()
    negative: set[tuple[str, int]] = set()
    for start in range(0, len(lines), 50):  # a few files, as identifiers come in real ones
        rel = f"negative/ids-{start // 50}.txt"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("\n".join(lines[start : start + 50]) + "\n", encoding="utf-8")
        negative.update((rel, n) for n in range(1, len(lines[start : start + 50]) + 1))
    return Corpus(root, labelled, frozenset(negative))


def paved_findings(corpus: Corpus) -> list[tuple[str, int, str]]:
    """Return (file, line, detector) of Paved Road's secrets findings on the corpus."""
    files = tuple([*corpus.positives, *sorted({rel for rel, _ in corpus.negatives})])
    found = SecretsScanner().scan(ScanTarget(root=corpus.root, files=files))
    return [(f.path, f.start_line, f.rule_id) for f in found if f.rule_id in _detectors()]


def raw_findings(corpus: Corpus) -> list[tuple[str, int, str]]:
    """Return (file, line, detector) of detect-secrets' own scan, with its defaults."""
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.settings import default_settings

    names = _detectors()
    files = [*corpus.positives, *sorted({rel for rel, _ in corpus.negatives})]
    with default_settings():
        collection = SecretsCollection(root=str(corpus.root))
        for rel in files:
            collection.scan_file(rel)
    return [
        (rel, int(s.line_number), names.get(str(s.type), str(s.type)))
        for rel in files
        for s in collection.data.get(rel, ())
    ]


def _detectors() -> dict[str, str]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    mapping = get_mapping_from_secret_type_to_class().items()
    return {
        **{str(k): v.__name__ for k, v in mapping},
        **{v.__name__: v.__name__ for _, v in mapping},
    }


@dataclass(frozen=True)
class Score:
    """Precision and recall of one detector."""

    detector: str
    true_positives: int
    false_positives: int
    positives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.positives if self.positives else 1.0


def score(corpus: Corpus, findings: Iterable[tuple[str, int, str]]) -> dict[str, Score]:
    """Score findings per detector: positives found in their file, alarms on negative lines."""
    findings = list(findings)
    hit_files = {path for path, _, _ in findings}
    wanted = Counter(corpus.positives.values())
    found = Counter(d for rel, d in corpus.positives.items() if rel in hit_files)
    alarms = Counter(d for path, line, d in findings if (path, line) in corpus.negatives)
    names = sorted(set(wanted) | set(alarms))
    return {n: Score(n, found[n], alarms[n], wanted[n]) for n in names}


def report(root: Path) -> list[str]:
    """Write the corpus under root and return the per-detector table, Paved Road vs raw."""
    corpus = write(root)
    ours, raw = score(corpus, paved_findings(corpus)), score(corpus, raw_findings(corpus))
    lines = [
        f"Labelled secrets corpus: {len(corpus.positives)} fake credentials, "
        f"{len(corpus.negatives)} identifier lines",
        "",
        "| detector | positives | recall (paved) | recall (raw) | precision (paved) "
        "| precision (raw) | false alarms (paved / raw) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in sorted(set(ours) | set(raw)):
        a = ours.get(name, Score(name, 0, 0, 0))
        b = raw.get(name, Score(name, 0, 0, 0))
        lines.append(
            f"| {name} | {max(a.positives, b.positives)} | {a.recall:.2f} | {b.recall:.2f} | "
            f"{a.precision:.2f} | {b.precision:.2f} | {a.false_positives} / {b.false_positives} |"
        )
    lines.append("")
    lines += [f"- {line}" for line in verdicts(ours, raw)]
    return lines


def verdicts(ours: Mapping[str, Score], raw: Mapping[str, Score]) -> list[str]:
    """Return the checks: recall never below raw's, precision at least 0.9, per detector."""
    low_recall = [n for n, s in ours.items() if n in raw and s.recall < raw[n].recall]
    low_precision = [n for n, s in ours.items() if s.precision < 0.9]
    return [
        "recall >= raw detect-secrets' on every detector: "
        + ("ok" if not low_recall else "MISSED: " + ", ".join(low_recall)),
        "precision >= 0.9 on every detector: "
        + ("ok" if not low_precision else "MISSED: " + ", ".join(low_precision)),
    ]


if __name__ == "__main__":
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix="secrets-corpus-") as folder:
        print("\n".join(report(Path(folder))))
    sys.exit(0)
