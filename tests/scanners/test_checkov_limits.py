"""checkov runs under a memory cap: a YAML bomb ends the scan with an error, never a pass."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers import write_tree

from pavedroad.errors import ScannerError
from pavedroad.scanners import checkov

pytestmark = pytest.mark.slow


def _bomb(levels: int = 9) -> str:
    """Return a Kubernetes manifest whose aliases expand to 9**levels strings."""
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: bomb", "data:"]
    lines.append('  l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]')
    lines += [f"  l{n}: &l{n} [" + ",".join([f"*l{n - 1}"] * 9) + "]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_a_yaml_bomb_hits_the_memory_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A lower cap than the real one keeps the test short; the mechanism is the same.
    monkeypatch.setattr(checkov, "MEMORY_LIMIT", 768 << 20)
    root = write_tree(tmp_path, {"bomb.yaml": _bomb()})
    with pytest.raises(ScannerError, match=r"ran out of memory \(limit 0.75 GiB\)"):
        checkov.CheckovScanner(timeout=240)._run(root, ["bomb.yaml"])
