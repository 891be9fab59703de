"""`.pavedroad/last.sarif`: every local gate's findings for SARIF viewers (editors, IDEs).

The file is the `sarif` report of the last `paved gate` run. The gate never scans it
(scan/workspace.py leaves it out), the templates' .gitignore ignore it, and in any other git
repository it is added to `.git/info/exclude`, so it never makes a work tree dirty (which
`paved update` would refuse). Writing it is best effort: a repository that cannot take it
still gets its gate.
"""

from __future__ import annotations

from pathlib import Path

from pavedroad import confine, proc
from pavedroad.errors import PavedError
from pavedroad.gate.result import GateResult
from pavedroad.policy.file import LAST_SARIF_PATH
from pavedroad.reports import render


def write_last_sarif(root: Path, result: GateResult) -> Path | None:
    """Write the result's SARIF to root/.pavedroad/last.sarif; None when it cannot be written."""
    path = root / LAST_SARIF_PATH
    try:
        confine.require_inside(root, LAST_SARIF_PATH)  # never write through a link out
        body = render("sarif", result)
        path.parent.mkdir(exist_ok=True)
        scratch = path.with_name(f".last.sarif.{id(result)}.tmp")
        scratch.write_text(body if body.endswith("\n") else body + "\n", encoding="utf-8")
        scratch.replace(path)
        exclude_locally(root)
    except (OSError, PavedError):
        return None
    return path


def exclude_locally(root: Path) -> None:
    """Add the file to the repository's own exclude list (not committed) unless git ignores it."""
    if proc.git(["check-ignore", "-q", LAST_SARIF_PATH], cwd=root, timeout=30).returncode == 0:
        return
    prefix = proc.git(["rev-parse", "--show-prefix"], cwd=root, timeout=30)
    where = proc.git(["rev-parse", "--git-path", "info/exclude"], cwd=root, timeout=30)
    if prefix.returncode != 0 or where.returncode != 0:
        return  # not a git work tree
    exclude = root / where.stdout.strip()
    exclude.parent.mkdir(parents=True, exist_ok=True)
    line = f"/{prefix.stdout.strip()}{LAST_SARIF_PATH}\n"
    with exclude.open("a", encoding="utf-8") as handle:
        handle.write(line)
