"""Read the knowledge base's data files and build entries from them."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml

from pavedroad.knowledge.entries import Entry, Snippet
from pavedroad.knowledge.infer import infer_class

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # a safe loader, C when there
HADOLINT_WIKI = "https://github.com/hadolint/hadolint/wiki/{}"
SHELLCHECK_WIKI = "https://www.shellcheck.net/wiki/{}"
SECRETS_SOURCE = (
    "https://github.com/bridgecrewio/detect-secrets/blob/master/detect_secrets/plugins/{}"
)
# Until the project has a docs site, rule docs without an upstream page are README sections.
README_URL = "https://github.com/pavedroad/pavedroad/blob/main/README.md"
README_SECTION = README_URL + "#{}"
_SC = re.compile(r"^SC[0-9]{4}$")
_FILES = {"checkov": "checkov.yaml", "hadolint": "hadolint.yaml", "secrets": "secrets.yaml"}
_FILES["paved"] = "paved.yaml"


@functools.cache
def _document(name: str) -> dict[str, Any]:
    """Read one data file of this package."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_LOADER)
    if not isinstance(data, dict):
        raise ValueError(f"knowledge/{name}: not a mapping; restore it from version control")
    return data


def classes() -> Mapping[str, Mapping[str, Any]]:
    """Return vulnerability class name -> cwe, owasp, why."""
    return _document("classes.yaml")["classes"]  # type: ignore[no-any-return]


def checkov_index() -> Mapping[str, Mapping[str, str]]:
    """Return check id -> title, framework, source (generated from the installed checkov)."""
    return _document("checkov_index.yaml")["checks"]  # type: ignore[no-any-return]


def authored(source: str) -> Mapping[str, Mapping[str, Any]]:
    """Return the authored entries of one source (checkov, hadolint, secrets, paved)."""
    return _document(_FILES[source]).get("rules") or {}


def authored_ids(source: str) -> frozenset[str]:
    """Return the ids of a source whose fix is authored here (paved: every listed rule)."""
    defaults = _document(_FILES[source]).get("defaults") or {}
    rules = authored(source)
    if source == "paved" or defaults.get("fix"):
        return frozenset(rules)
    return frozenset(i for i, raw in rules.items() if (raw or {}).get("fix"))


@functools.cache
def snippets() -> Mapping[str, Snippet]:
    """Return rule id -> the template lines that show its compliant form."""
    found = _document("snippets.yaml").get("snippets") or {}
    return {
        k: Snippet(str(v["file"]), int(v["start"]), int(v["end"]), str(v.get("text") or ""))
        for k, v in found.items()
    }


def entry_for(rule_id: str) -> Entry | None:
    """Build the entry of one rule id, or return None when no source knows it."""
    if rule_id in authored("paved"):
        return _build(rule_id, "pavedroad", authored("paved")[rule_id], _paved_docs(rule_id))
    if rule_id in checkov_index() or rule_id in authored("checkov"):
        return _checkov(rule_id)
    if rule_id in authored("hadolint"):
        return _build(rule_id, "hadolint", authored("hadolint")[rule_id], _hadolint_docs(rule_id))
    if _SC.match(rule_id):
        raw = {"class": "shell-correctness", "title": f"ShellCheck {rule_id}"}
        return _build(rule_id, "shellcheck", raw, SHELLCHECK_WIKI.format(rule_id))
    if rule_id in authored("secrets"):
        return _secret(rule_id)
    return None


def _hadolint_docs(rule_id: str) -> str:
    return HADOLINT_WIKI.format(rule_id)


def _paved_docs(rule_id: str) -> str:
    return README_SECTION.format(rule_id.lower())  # GitHub's anchor of the rule's heading


def _checkov(rule_id: str) -> Entry:
    index = checkov_index().get(rule_id) or {}
    raw = dict(authored("checkov").get(rule_id) or {})
    title = str(index.get("title") or rule_id)
    inferred = "class" not in raw
    raw.setdefault("class", infer_class(title))
    raw.setdefault("title", title)
    base = str(_document("checkov_index.yaml")["source_base"])
    docs = f"{base}/{index['source']}" if index.get("source") else README_SECTION.format("checkov")
    framework = str(index["framework"]) if index.get("framework") else None
    return _build(rule_id, "checkov", raw, docs, framework=framework, inferred=inferred)


def _secret(rule_id: str) -> Entry:
    defaults = _document("secrets.yaml").get("defaults") or {}
    raw = {**defaults, **authored("secrets")[rule_id]}
    return _build(rule_id, "detect-secrets", raw, SECRETS_SOURCE.format(raw["source"]))


def _build(
    rule_id: str,
    source: str,
    raw: Mapping[str, Any],
    docs: str,
    *,
    framework: str | None = None,
    inferred: bool = False,
) -> Entry:
    name = str(raw["class"])
    info = classes()[name]
    return Entry(
        rule_id=rule_id,
        source=source,
        title=str(raw["title"]) if raw.get("title") else None,
        why=str(raw.get("why") or info["why"]),
        cwe=tuple(int(n) for n in (raw.get("cwe") or info["cwe"])),
        owasp=str(raw.get("owasp") or info.get("owasp") or "") or None,
        fix=str(raw["fix"]) if raw.get("fix") else None,
        docs_url=docs,
        vulnerability_class=name,
        framework=framework,
        snippet=snippets().get(rule_id),
        inferred=inferred,
    )
