"""checkov drops GitHub workflows its schema rejects without a word; Paved Road does not."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers import MINIMAL_WORKFLOW, write_tree

from pavedroad.scan.workspace import collect
from pavedroad.scanners.checkov import CheckovScanner

VALID = MINIMAL_WORKFLOW
# An expression in cancel-in-progress is valid for GitHub but fails checkov's bundled schema.
SILENTLY_SKIPPED = VALID.replace(
    "permissions: {}\n",
    "permissions: {}\nconcurrency:\n  group: x\n"
    "  cancel-in-progress: ${{ github.event_name == 'pull_request' }}\n",
)


@pytest.mark.slow
def test_workflow_checkov_did_not_evaluate_is_reported(tmp_path: Path) -> None:
    repo = write_tree(
        tmp_path,
        {".github/workflows/ok.yml": VALID, ".github/workflows/skipped.yml": SILENTLY_SKIPPED},
    )
    findings = CheckovScanner().scan(collect(repo).target())
    flagged = {(f.rule_id, f.path) for f in findings}
    assert ("PAVED_PARSE_ERROR", ".github/workflows/skipped.yml") in flagged
    assert not any(path == ".github/workflows/ok.yml" for _, path in flagged)
