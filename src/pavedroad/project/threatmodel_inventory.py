"""The components of a repository a threat model must know: what a security design review covers.

Four kinds, each named by the identifier a model lists under a component's `covers`:
  terraform:<resource type>                       a Terraform resource type (`resource "T" "n"`)
  kubernetes:<Kind>/<namespace>/<name>[:<type>]   an Ingress, a Gateway, a Service of type
                                                  LoadBalancer or NodePort (traffic from outside)
  egress:<where>: <rule>                          a NetworkPolicy egress rule, a security group
                                                  egress block or rule (its destination and ports)
  action:<owner>/<repo>[/<path>]                  a third-party action or reusable workflow;
                                                  GitHub's own (actions/*, github/*) are the
                                                  platform and need no review

Terraform is read line by line, not evaluated: a resource declared through a module the
repository does not hold is the module's own review.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from pavedroad.textfile import read_text

FIRST_PARTY_OWNERS = frozenset({"actions", "github"})
EXPOSED_SERVICE_TYPES = ("LoadBalancer", "NodePort")
EXPOSURE_KINDS = ("Ingress", "Gateway")

_RESOURCE = re.compile(r'^\s*resource\s+"([A-Za-z0-9_-]+)"\s+"([A-Za-z0-9_-]+)"')
_EGRESS_BLOCK = re.compile(r"^\s*egress\s*\{")
_USES = re.compile(r"""^\s*(?:-\s+)?uses:\s*['"]?([^'"\s#]+)""")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_DOC_START = re.compile(r"^---(?:\s|$)")
# What makes an egress rule a different rule: where it goes and on which ports.
_EGRESS_FIELDS = frozenset(
    {
        "cidr_blocks",
        "cidr_ipv4",
        "cidr_ipv6",
        "from_port",
        "ip_protocol",
        "ipv6_cidr_blocks",
        "prefix_list_id",
        "prefix_list_ids",
        "protocol",
        "referenced_security_group_id",
        "security_groups",
        "self",
        "source_security_group_id",
        "to_port",
        "type",
    }
)
_EGRESS_RESOURCES = ("aws_security_group_rule", "aws_vpc_security_group_egress_rule")


@dataclass(frozen=True)
class Component:
    """One component found in the repository, where it is declared, and its identifier."""

    key: str
    what: str
    path: str
    line: int


def inventory(root: Path, files: Iterable[str]) -> tuple[Component, ...]:
    """Return the reviewable components of the given repo-relative files, one per identifier."""
    seen: dict[str, Component] = {}
    for rel in sorted(files):
        for component in _components(root, rel):
            seen.setdefault(component.key, component)
    return tuple(sorted(seen.values(), key=lambda c: (c.path, c.line, c.key)))


def _components(root: Path, rel: str) -> Iterator[Component]:
    suffix = PurePosixPath(rel).suffix
    if suffix not in {".tf", ".yml", ".yaml"}:
        return
    try:
        text = read_text(root / rel)
    except (OSError, UnicodeDecodeError, ValueError):
        return  # unreadable files are the gate's findings, not this check's
    if suffix == ".tf":
        yield from terraform_components(rel, text)
        return
    yield from action_components(rel, text)
    yield from kubernetes_components(rel, text)


def terraform_components(rel: str, text: str) -> Iterator[Component]:
    """Yield each resource type, and each security group egress rule, of one Terraform file."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = _RESOURCE.match(line)
        if not match:
            continue
        rtype, name = match.groups()
        address = f"{rtype}.{name}"
        yield Component(
            f"terraform:{rtype}", f"Terraform resource type {rtype} ({address})", rel, index + 1
        )
        body = _block(lines, index)
        if rtype in _EGRESS_RESOURCES and _is_egress(rtype, body):
            yield _egress(address, body, rel, index + 1)
        elif rtype == "aws_security_group":
            yield from _inline_egress(address, lines, index, len(body), rel)


def _is_egress(rtype: str, body: list[str]) -> bool:
    return rtype == "aws_vpc_security_group_egress_rule" or 'type="egress"' in _fields(body)


def _inline_egress(
    address: str, lines: list[str], start: int, length: int, rel: str
) -> Iterator[Component]:
    for index in range(start + 1, start + length):
        if _EGRESS_BLOCK.match(lines[index]):
            yield _egress(address, _block(lines, index), rel, index + 1)


def _egress(address: str, body: list[str], rel: str, line: int) -> Component:
    rule = " ".join(_fields(body))
    return Component(f"egress:{address}: {rule}", f"egress rule of {address} ({rule})", rel, line)


def _fields(body: list[str]) -> list[str]:
    """Return the rule's `name=value` settings, spaces removed, in a stable order."""
    out = []
    lines = iter(_strip_comment(raw) for raw in body[1:])
    for line in lines:
        name, sep, value = line.partition("=")
        while value.count("[") > value.count("]"):  # a list written over several lines
            value += next(lines, "]")
        if sep and name.strip() in _EGRESS_FIELDS:
            setting = "".join(value.split()).replace('"', "").replace(",]", "]")
            out.append(f"{name.strip()}={setting}")
    return sorted(out)


def _strip_comment(line: str) -> str:
    masked = _STRING.sub(lambda m: "_" * len(m.group()), line)
    cut = min((i for i in (masked.find("#"), masked.find("//")) if i >= 0), default=len(line))
    return line[:cut]


def _block(lines: list[str], start: int) -> list[str]:
    """Return the lines of the block that opens on line `start`, up to its closing brace."""
    depth, opened = 0, False
    for index in range(start, len(lines)):
        code = _STRING.sub('""', _strip_comment(lines[index]))
        depth += code.count("{") - code.count("}")
        opened = opened or "{" in code
        if opened and depth <= 0:
            return lines[start : index + 1]
    return lines[start:]


def action_components(rel: str, text: str) -> Iterator[Component]:
    """Yield each third-party action or reusable workflow a workflow or action file uses."""
    if not (rel.startswith(".github/") or PurePosixPath(rel).name in {"action.yml", "action.yaml"}):
        return
    for index, line in enumerate(text.splitlines()):
        match = _USES.match(line)
        if match and (name := action_name(match.group(1))):
            yield Component(f"action:{name}", f"third-party action {name}", rel, index + 1)


def action_name(ref: str) -> str | None:
    """Return `owner/repo[/path]` or `docker://image` of a `uses:` value.

    None for a local action, an expression, and GitHub's own actions.
    """
    if ref.startswith("./") or "${{" in ref:
        return None
    if ref.startswith("docker://"):
        image = ref.split("@", 1)[0]
        return image.rsplit(":", 1)[0] if ":" in image[len("docker://") :] else image
    name = ref.split("@", 1)[0].strip("/").lower()
    if "/" not in name or name.split("/", 1)[0] in FIRST_PARTY_OWNERS:
        return None
    return name


def kubernetes_components(rel: str, text: str) -> Iterator[Component]:
    """Yield each exposure (Ingress, Gateway, LoadBalancer, NodePort) and egress rule."""
    if rel.startswith(".github/"):
        return
    for line, doc in _documents(text):
        kind, name, namespace = _identity(doc)
        where = f"{namespace}/{name}" if namespace else name
        if kind in EXPOSURE_KINDS:
            yield Component(f"kubernetes:{kind}/{where}", f"{kind} {where}", rel, line)
        elif kind == "Service" and _spec(doc).get("type") in EXPOSED_SERVICE_TYPES:
            stype = _spec(doc)["type"]
            what = f"Service {where} of type {stype}"
            yield Component(f"kubernetes:Service/{where}:{stype}", what, rel, line)
        elif kind == "NetworkPolicy":
            for rule in _spec(doc).get("egress") or []:
                summary = egress_summary(rule)
                key = f"egress:NetworkPolicy/{where}: {summary}"
                yield Component(key, f"egress rule of NetworkPolicy {where} ({summary})", rel, line)


def _documents(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (first line, document) for each mapping document of a YAML stream."""
    start, chunk = 1, []
    for number, line in enumerate([*text.splitlines(), "---"], start=1):
        if not _DOC_START.match(line):
            chunk.append(line)
            continue
        try:
            doc = yaml.safe_load("\n".join(chunk))
        except yaml.YAMLError:
            doc = None  # unparsable YAML is the gate's PAVED_PARSE_ERROR
        if isinstance(doc, dict):
            yield start, doc
        start, chunk = number + 1, []


def _identity(doc: dict[str, Any]) -> tuple[str, str, str]:
    meta = doc.get("metadata")
    if not isinstance(meta, dict):
        meta = {}
    return str(doc.get("kind", "")), str(meta.get("name", "")), str(meta.get("namespace") or "")


def _spec(doc: dict[str, Any]) -> dict[str, Any]:
    spec = doc.get("spec")
    return spec if isinstance(spec, dict) else {}


def egress_summary(rule: Any) -> str:
    """Return `to <peers> on <ports>` for one NetworkPolicy egress rule, in a stable order."""
    if not isinstance(rule, dict):
        return "to any on any port"
    peers = sorted(_peer(p) for p in rule.get("to") or []) or ["any"]
    ports = sorted(_port(p) for p in rule.get("ports") or []) or ["any port"]
    return f"to {', '.join(peers)} on {', '.join(ports)}"


def _peer(peer: Any) -> str:
    if not isinstance(peer, dict):
        return "any"
    parts = []
    if isinstance(peer.get("ipBlock"), dict):
        block = peer["ipBlock"]
        excepted = ",".join(str(e) for e in block.get("except") or [])
        parts.append(f"{block.get('cidr')}" + (f" except {excepted}" if excepted else ""))
    for field, label in (("namespaceSelector", "namespace"), ("podSelector", "pod")):
        if field in peer:
            parts.append(f"{label}({_selector(peer[field])})")
    return " ".join(parts) or "any"


def _selector(selector: Any) -> str:
    if not isinstance(selector, dict):
        return "*"
    labels = selector.get("matchLabels") or {}
    terms = [f"{k}={v}" for k, v in sorted(labels.items())] if isinstance(labels, dict) else []
    terms += [
        f"{e.get('key')} {e.get('operator')} {','.join(map(str, e.get('values') or []))}".strip()
        for e in selector.get("matchExpressions") or []
        if isinstance(e, dict)
    ]
    return ",".join(terms) or "*"


def _port(port: Any) -> str:
    if not isinstance(port, dict):
        return "any port"
    number = port.get("port", "any")
    end = f"-{port['endPort']}" if port.get("endPort") else ""
    return f"{number}{end}/{port.get('protocol', 'TCP')}"
