"""The vulnerability class of a checkov check nobody authored, inferred from its title.

Every check of the installed checkov gets a class (and so CWE ids and a why), even the ones of
clouds Paved Road's catalog does not use; entries built this way say so (Entry.inferred).
"""

from __future__ import annotations

import re

# (class, pattern on the lower-cased title), first match wins: the most specific first.
PATTERNS: tuple[tuple[str, str], ...] = (
    ("hardcoded-secret", r"hard[- ]?coded|secrets? (exist|in)|credentials exposure|expose secrets"),
    ("privileged", r"privileged|privilege escalation|escalat"),
    ("root-user", r"\broot\b|non-?root|run as user"),
    ("host-isolation", r"host (process|ipc|network|pid|path)|hostport|docker (daemon )?socket"),
    ("capabilities", r"capabilit|net_raw|sys_admin"),
    ("customer-key", r"customer[- ]managed|\bcmk\b|customer[- ]supplied|\bcmek\b"),
    ("encryption-at-rest", r"encrypt|\bkms\b|at rest"),
    ("weak-tls", r"tls ?1\.[0-2]|tls v|cipher|latest tls|min(imum)? tls|ssl polic"),
    ("transport", r"\btls\b|\bssl\b|https|\bhttp\b|in transit|secure (transfer|protocol)"),
    ("public-data", r"public(ly)?|anonymous|allusers|allauthenticatedusers|world|internet"),
    ("network-exposure", r"0\.0\.0\.0|::/0|ingress|egress|port \d+|security group|firewall"),
    ("iam-escalation", r"full iam|iam:\*|passrole|assume role"),
    ("iam-wildcard", r"wildcard|\"\*\"|\*:\*|administrat|overly permissive|least privilege"),
    ("authentication", r"authenticat|\bmfa\b|multi-factor|password|\bauth\b|authoriz|\bsso\b"),
    ("rbac", r"\brbac\b|role ?binding|cluster ?role|service ?account"),
    ("logging", r"log|audit|trail|monitor|trac(e|ing)|insight|alarm|alert|notif"),
    ("key-rotation", r"rotat|expir"),
    ("network-isolation", r"\bvpc\b|private|subnet|network"),
    ("waf", r"\bwaf\b|firewall|defender|threat"),
    ("data-protection", r"backup|versioning|retention|recovery|replica|snapshot|soft delete"),
    ("supply-chain", r"digest|\btag\b|version|pinn?ed|latest"),
    ("availability", r"protection|deletion|multi-?az|availability|health|redundan"),
    ("resources", r"\blimits?\b|\brequests?\b|quota"),
)
DEFAULT_CLASS = "hygiene"


def infer_class(title: str) -> str:
    """Return the vulnerability class a check title suggests (hygiene when nothing matches)."""
    text = " ".join(title.lower().split())
    for name, pattern in PATTERNS:
        if re.search(pattern, text):
            return name
    return DEFAULT_CLASS
