"""What the template suites share: rendering through pytest-copie and the security files."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from pavedroad.catalog import model as catalog
from pavedroad.policy import file as policy

REPO = Path(__file__).resolve().parents[2]


def render_template(copie: Any, template: Path, answers: dict[str, Any]) -> Path:
    """Render a template with answers through pytest-copie; fail the test with copier's error.

    Like every render by Paved Road, it gets the catalog's pinned `pavedroad` setting.
    """
    pinned = dict(catalog.load(REPO).templates[0].pinned)
    result = copie.copy(extra_answers={**answers, **pinned}, template_dir=template)
    assert result.exception is None, result.exception
    assert result.exit_code == 0
    assert result.project_dir is not None
    return Path(result.project_dir)


def assert_security_files(project: Path, owner: str, owned: Iterable[str]) -> None:
    """Check the policy, exceptions, baseline, pre-commit pin and CODEOWNERS of a render."""
    assert set(policy.load(project).stages) == set(policy.STANDARD_STAGES)
    exceptions = yaml.safe_load((project / ".pavedroad/exceptions.yaml").read_text())
    assert exceptions == {"version": 1, "exceptions": []}
    baseline = json.loads((project / ".secrets.baseline").read_text(encoding="utf-8"))
    assert baseline["results"] == {}
    assert "generated_at" not in baseline, "a timestamp would change on every render"
    hooks = yaml.safe_load((project / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    pins = [
        dep
        for repo in hooks["repos"]
        for hook in repo["hooks"]
        for dep in hook.get("additional_dependencies", [])
    ]
    assert f"bc-detect-secrets=={baseline['version']}" in pins
    codeowners = (project / ".github/CODEOWNERS").read_text(encoding="utf-8").splitlines()
    for pattern in owned:
        assert any(line.split()[:2] == [pattern, owner] for line in codeowners), pattern
