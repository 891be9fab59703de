"""Generate the checkov severity map (scanners/checkov_severity/checkov.yaml) from checkov.

checkov's open-source checks carry no severity, so Paved Road assigns one to every check id the
installed checkov can emit in the frameworks it runs: an explicit table for the checks that
matter most, then keyword rules on the check name, most severe first.

    python scripts/gen_severity.py            # rewrite the YAML
    python scripts/gen_severity.py --check    # exit 1 when the committed YAML is stale
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

OUTPUT = (
    Path(__file__).resolve().parent.parent / "src/pavedroad/scanners/checkov_severity/checkov.yaml"
)
FRAMEWORKS = (
    "dockerfile",
    "terraform",
    "terraform_json",
    "kubernetes",
    "github_actions",
    "gitlab_ci",
    "secrets",
)
LEVELS = ("critical", "high", "medium", "low", "info")

# The checks Paved Road's templates and gates care most about, decided by hand.
EXPLICIT: Mapping[str, str] = {
    # Dockerfile
    "CKV_DOCKER_1": "high",  # port 22 exposed
    "CKV_DOCKER_2": "low",  # HEALTHCHECK missing
    "CKV_DOCKER_3": "high",  # no non-root user created
    "CKV_DOCKER_4": "medium",  # ADD instead of COPY
    "CKV_DOCKER_5": "low",  # update alone
    "CKV_DOCKER_6": "info",  # MAINTAINER deprecated
    "CKV_DOCKER_7": "medium",  # latest tag
    "CKV_DOCKER_8": "high",  # last USER root
    "CKV_DOCKER_9": "low",  # apt instead of apt-get
    "CKV_DOCKER_10": "low",  # relative WORKDIR
    "CKV_DOCKER_11": "low",  # duplicate FROM alias
    "CKV2_DOCKER_1": "medium",  # sudo
    "CKV2_DOCKER_17": "medium",  # chpasswd
    # Kubernetes
    "CKV_K8S_2": "critical",
    "CKV_K8S_16": "critical",  # privileged container
    "CKV_K8S_27": "critical",  # docker socket mounted
    "CKV_K8S_39": "critical",  # CAP_SYS_ADMIN
    "CKV_K8S_8": "low",  # liveness probe
    "CKV_K8S_9": "low",  # readiness probe
    "CKV_K8S_10": "low",
    "CKV_K8S_11": "medium",
    "CKV_K8S_12": "low",
    "CKV_K8S_13": "medium",
    "CKV_K8S_14": "medium",  # image tag latest
    "CKV_K8S_15": "low",  # pull policy
    "CKV_K8S_21": "low",  # default namespace
    "CKV_K8S_22": "medium",  # read-only root filesystem
    "CKV_K8S_40": "medium",  # high UID
    "CKV_K8S_43": "medium",  # image digest
    "CKV2_K8S_6": "medium",  # NetworkPolicy
    # Terraform
    "CKV_AWS_20": "critical",  # S3 public READ ACL
    "CKV_AWS_57": "critical",  # S3 public WRITE ACL
    "CKV_AWS_1": "critical",  # IAM "*:*" admin policy
    "CKV_AWS_62": "critical",
    "CKV_AWS_63": "critical",
    "CKV_AWS_274": "critical",  # AdministratorAccess
    "CKV_AWS_41": "critical",  # hard-coded AWS keys in provider
    "CKV_AWS_24": "critical",  # SSH open to the world
    "CKV_AWS_25": "critical",  # RDP open to the world
    "CKV_AWS_18": "medium",  # S3 access logging
    "CKV_AWS_21": "medium",  # S3 versioning
    "CKV_AWS_144": "low",  # cross-region replication
    "CKV_AWS_145": "medium",  # S3 KMS by default
    "CKV2_AWS_6": "high",  # S3 public access block
    "CKV2_AWS_61": "low",  # lifecycle configuration
    "CKV2_AWS_62": "low",  # event notifications
    "CKV_TF_1": "medium",  # module source not pinned to a commit
    "CKV_TF_2": "medium",
    # GitHub Actions and GitLab CI
    "CKV_GHA_1": "critical",  # ACTIONS_ALLOW_UNSECURE_COMMANDS
    "CKV_GHA_2": "critical",  # shell injection from event data
    "CKV_GHA_3": "high",
    "CKV_GHA_4": "high",
    "CKV_GHA_5": "low",
    "CKV_GHA_6": "low",
    "CKV_GHA_7": "medium",
    "CKV2_GHA_1": "high",  # write-all permissions
    "CKV_GITLABCI_1": "high",
    "CKV_GITLABCI_2": "low",
    "CKV_GITLABCI_3": "info",
    # checkov's secrets framework: generic detections (basic auth, base64, JWT, hex) are high
    **dict.fromkeys((f"CKV_SECRET_{n}" for n in (4, 6, 9, 10, 19)), "high"),
}

# (level, pattern on the lower-cased check name), first match wins.
KEYWORDS: tuple[tuple[str, str], ...] = (
    ("critical", r"\bprivileged\b|privilege escalation|escalate (roles|privilege)"),
    (
        "critical",
        r"\b(run|runs|running) as root|root (user|account|container)s?\b|admission of root",
    ),
    ("critical", r"hard[- ]?coded|credentials exposure|expose secrets|secrets? .*untrusted"),
    ("critical", r"public(ly)? (read|write)|\ballusers\b|allauthenticatedusers|anonymous"),
    ("critical", r"(is|are) not (publicly accessible|public)\b|accessible to public|not be public"),
    ("critical", r"(0\.0\.0\.0[:/]0|internet|::/0).*port (22|3389)\b|(ssh|rdp) access"),
    ("critical", r"wildcard|\*:\*|full administrative|administratoraccess|administrative priv"),
    ("critical", r"code (injection|execution)|shell injection|impersonate|docker daemon socket"),
    ("critical", r"read all secrets|alwaysallow|alwaysadmit"),
    ("high", r"encrypt|\bkms\b|\bcmk\b|customer[- ]managed key|customer[- ]supplied|cipher"),
    ("high", r"\btls\b|\bssl\b|https|\bhttp\b|\bcert|in transit|at rest|secure protocol"),
    ("high", r"insecure|plain ?text|signature|\bgpg\b|--force-yes|trusted-host|sslverify"),
    ("high", r"\bpublic\b|0\.0\.0\.0|::/0|ingress|egress|security group|firewall|\bnacl\b"),
    ("high", r"port \d+|\bssh\b|\brdp\b|\bvpc\b|private endpoint|network access|internet"),
    ("high", r"host (process|ipc|network|pid)|hostport|capabilit|net_raw|seccomp|apparmor"),
    ("high", r"\biam\b|\bmfa\b|multi-factor|authenticat|authoriz|\brbac\b|admission control"),
    ("high", r"service account|access key|api key|token|credential|secret|password|admin"),
    ("high", r"security context|allowprivilegeescalation|roles? and clusterroles?|permission"),
    ("high", r"\bwaf\b|defender|vulnerabilit|signed commits|branch protection|binding"),
    ("low", r"\blabels?\b|(copy|supply) tags|description|naming|maintainer|documentation"),
    ("low", r"healthcheck|liveness|readiness|probe|workdir|\bapt\b|from alias"),
    ("medium", r"log|audit|monitor|trac(e|ing)|x-ray|alarm|alert|notification|insight"),
    ("medium", r"versioning|backup|retention|recovery|point[- ]in[- ]time|snapshot|protection"),
    ("medium", r"soft delete|replica|redundan|multi-az|availability|rotation|expir|limit"),
)
DEFAULT_LEVEL = "medium"
CREDENTIAL_LEVEL = "critical"


def classify(name: str) -> str:
    """Return the level the keyword rules give a check name."""
    text = " ".join(name.lower().split())
    for level, pattern in KEYWORDS:
        if re.search(pattern, text):
            return level
    return DEFAULT_LEVEL


def installed_checks() -> dict[str, set[str]]:
    """Return every check id of the installed checkov in FRAMEWORKS with its check names."""
    from checkov.docs_generator import get_checks  # slow import, only when generating
    from checkov.secrets.runner import CHECK_ID_TO_SECRET_TYPE

    names: dict[str, set[str]] = {}
    for row in get_checks(list(FRAMEWORKS), include_all_checkov_policies=True):
        names.setdefault(str(row[0]), set()).add(str(row[3]))
    for check_id, secret_type in CHECK_ID_TO_SECRET_TYPE.items():
        names.setdefault(check_id, set()).add(secret_type)
    return names


def assign(checks: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Return id -> level: the explicit table first, else the most severe level of its names."""
    levels: dict[str, str] = {}
    for check_id, names in checks.items():
        found = [classify(n) for n in names] or [DEFAULT_LEVEL]
        if check_id.startswith("CKV_SECRET_"):
            found = [CREDENTIAL_LEVEL]  # a provider key or private key found in code
        levels[check_id] = EXPLICIT.get(check_id) or min(found, key=LEVELS.index)
    return levels


def _sort_key(check_id: str) -> tuple[str, int]:
    prefix, _, number = check_id.rpartition("_")
    return (prefix, int(number) if number.isdigit() else 0)


def render(levels: Mapping[str, str], version: str) -> str:
    """Return the YAML text of the severity map: check ids listed under their level."""
    lines = [
        "# Generated by scripts/gen_severity.py; do not edit by hand. Change the tables in the",
        "# script and run it again. Lists every check id of the installed checkov in the scanned",
        "# frameworks under a Paved Road severity (checkov's open-source checks carry none).",
        f'checkov_version: "{version}"',
        f"frameworks: [{', '.join(FRAMEWORKS)}]",
        "severities:",
    ]
    for level in LEVELS:
        ids = sorted((c for c, lv in levels.items() if lv == level), key=_sort_key)
        lines.append(f"  {level}:" + ("" if ids else " []"))
        lines += [f"    - {cid}" for cid in ids]
    return "\n".join(lines) + "\n"


def generate() -> str:
    """Return the YAML for the installed checkov."""
    from checkov.version import version

    return render(assign(installed_checks()), str(version))


def main(argv: list[str] | None = None) -> int:
    """Write the map, or with --check report whether the committed one is current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the YAML is stale")
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is stale: run python scripts/gen_severity.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT} ({text.count('    - ')} check ids)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
