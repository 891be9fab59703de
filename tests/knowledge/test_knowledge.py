"""The knowledge base: entries, docs links, CWE tags, snippets taken from the catalog."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from pavedroad import knowledge
from pavedroad.findings import Finding
from pavedroad.scanners import checkov, checkov_severity, hadolint, own_rules
from pavedroad.scanners import secrets as secrets_adapter

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "gen_knowledge.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_knowledge", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_entry_carries_class_cwe_owasp_fix_and_upstream_docs() -> None:
    entry = knowledge.lookup("CKV_K8S_20")
    assert entry is not None and entry.source == "checkov" and entry.framework == "Kubernetes"
    assert entry.title == "Containers should not run with allowPrivilegeEscalation"
    assert entry.cwe == (250,) and entry.owasp == "A05:2021 Security Misconfiguration"
    assert entry.fix is not None and "allowPrivilegeEscalation: false" in entry.fix
    assert entry.tags == ("security", "external/cwe/cwe-250")
    assert entry.docs_url.startswith("https://github.com/bridgecrewio/checkov/blob/3.")
    assert entry.docs_url.endswith("/kubernetes/checks/resource/k8s/AllowPrivilegeEscalation.py")


@pytest.mark.parametrize(
    ("rule_id", "url"),
    [
        ("DL3007", "https://github.com/hadolint/hadolint/wiki/DL3007"),
        ("SC2086", "https://www.shellcheck.net/wiki/SC2086"),
        (
            "AWSKeyDetector",
            "https://github.com/bridgecrewio/detect-secrets/blob/master/detect_secrets/plugins/aws.py",
        ),
        (
            "PAVED_REMOTE_ADD",
            "https://github.com/pavedroad/pavedroad/blob/main/README.md#paved_remote_add",
        ),
    ],
)
def test_docs_links_point_at_the_rules_own_page(rule_id: str, url: str) -> None:
    assert knowledge.docs_url(rule_id) == url


def test_own_rules_docs_match_the_knowledge_base() -> None:
    for rule in own_rules.RULES.values():
        assert rule.docs_url == knowledge.docs_url(rule.rule_id)


def test_checkov_source_pages_exist_in_the_installed_checkov() -> None:
    """Each docs link names a file of the installed checkov (so the link's page exists)."""
    import checkov as checkov_package

    root = Path(checkov_package.__file__).parent
    for rule_id in ("CKV_AWS_20", "CKV2_AWS_6", "CKV_DOCKER_3", "CKV_GHA_2", "CKV2_K8S_5"):
        url = knowledge.docs_url(rule_id)
        assert url is not None
        assert (root / url.split("/checkov/", 2)[-1].split("checkov/", 1)[-1]).is_file()


def test_index_is_of_the_checkov_the_severity_map_grades() -> None:
    index = knowledge.loading.checkov_index()
    graded = {i for i in checkov_severity.checkov_map() if not i.startswith("CKV_SECRET_")}
    assert set(index) == graded
    version = knowledge.loading._document("checkov_index.yaml")["checkov_version"]
    assert version == checkov_severity.checkov_version()  # both from the installed checkov


def test_unknown_rule_has_no_entry_but_close_matches() -> None:
    assert knowledge.lookup("CKV_K8S_2000") is None
    assert knowledge.close_matches("ckv_k8s_200")[0] == "CKV_K8S_20"
    assert knowledge.close_matches("NOTHING_LIKE_IT") == []


def test_inferred_class_is_flagged() -> None:
    entry = knowledge.lookup("CKV_AZURE_1")
    assert entry is not None and entry.inferred and entry.fix is None and entry.cwe


def test_snippets_are_the_catalogs_current_lines() -> None:
    snippets = knowledge.loading.snippets()
    assert len(snippets) >= 40
    for rule_id, snippet in snippets.items():
        lines = (REPO / snippet.file).read_text(encoding="utf-8").splitlines()
        assert "\n".join(lines[snippet.start - 1 : snippet.end]) == snippet.text, rule_id
        assert snippet.file.startswith("templates/")


def test_snippets_file_is_what_the_generator_writes() -> None:
    assert _generator().snippets() == (REPO / "src/pavedroad/knowledge/snippets.yaml").read_text(
        encoding="utf-8"
    )


def test_checkov_findings_take_fix_and_docs_from_the_knowledge_base(tmp_path: Path) -> None:
    result = {
        "check_id": "CKV_AWS_24",
        "check_name": "Ensure no security groups allow ingress from 0.0.0.0:0 to port 22",
        "file_abs_path": str(tmp_path / "main.tf"),
        "file_line_range": [1, 3],
        "resource": "aws_security_group.ssh",
    }
    finding = checkov.check_finding(result, tmp_path, suppressed=False)
    assert finding.fix == knowledge.fix("CKV_AWS_24") and "port 22" in finding.fix
    assert finding.docs_url == knowledge.docs_url("CKV_AWS_24")


def test_hadolint_and_secrets_fixes_come_from_the_knowledge_base() -> None:
    assert hadolint.docs_url("DL3002") == knowledge.docs_url("DL3002")
    finding = secrets_adapter._finding(
        secrets_adapter.Hit("app.env", 3, "AWS Access Key", "0" * 40, False),
        "AWSKeyDetector",
        "new",
    )
    assert isinstance(finding, Finding)
    assert finding.fix == knowledge.fix("AWSKeyDetector")
    assert finding.docs_url.endswith("/plugins/aws.py")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Ensure that Cloud SQL database instances are not open to the world", "public-data"),
        ("Ensure Azure SQL server uses a customer-managed key (CMK)", "customer-key"),
        ("Ensure storage account uses latest TLS version", "weak-tls"),
        ("Ensure that MFA is enabled for all users", "authentication"),
        ("Ensure hard-coded credentials are not used", "hardcoded-secret"),
        ("Ensure audit logging is enabled", "logging"),
    ],
)
def test_class_of_an_unauthored_check_is_inferred_from_its_title(title: str, expected: str) -> None:
    assert knowledge.infer.infer_class(title) == expected
