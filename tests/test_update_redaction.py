"""`paved update` never prints a secret from the workflow diff in its security summary."""

from __future__ import annotations

from pathlib import Path

from tests.update_helpers import Workbench, fake_gate

from pavedroad.project.update import UpdateRequest, update

TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
WORKFLOW = f"""\
name: ci
on: [push, pull_request]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: ./deploy.sh
        env:
          GITHUB_TOKEN: {TOKEN}
"""


def test_pipeline_diff_is_redacted(tmp_path: Path) -> None:
    bench = Workbench(tmp_path)
    bench.publish()
    project = bench.new_project()
    bench.edit({"template/.github/workflows/ci.yml": WORKFLOW})
    bench.release("1.1.0")

    result = update(UpdateRequest(project, catalog=bench.root), gate=fake_gate())

    assert "+on: [push, pull_request]" in result.pipeline_diff
    assert "+          GITHUB_TOKEN: <redacted>" in result.pipeline_diff
    assert TOKEN not in result.pipeline_diff
