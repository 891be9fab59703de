"""Owners from CODEOWNERS (GitHub and GitLab flavours) and the template's answers file."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import write_tree

from pavedroad.deliver import codeowners


def test_last_matching_line_wins_and_gitlab_sections_are_skipped(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".gitlab/CODEOWNERS": """\
                # owners
                *            @acme/platform
                [Infra][2]
                /infra/      @acme/infra @alice   # the cloud team
                *.md
                ^[Docs]
                docs/**      @acme/writers
            """,
            ".copier-answers.yml": "owner: '@acme/fallback'\n",
        },
    )
    owners = codeowners.load(tmp_path)
    assert owners.of("infra/main.tf") == ("@acme/infra", "@alice")
    assert owners.of("src/app.py") == ("@acme/platform",)
    assert owners.of("infra/README.md") == ()  # a pattern with no owner un-owns the file
    assert owners.of("docs/a/b.txt") == ("@acme/writers",)
    assert owners.of("x/infra/main.tf") == ("@acme/platform",)  # /infra/ is anchored


def test_github_location_comes_first_then_the_answers_file(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".github/CODEOWNERS": "/deploy/ @acme/sre\n",
            "CODEOWNERS": "* @ignored\n",
            ".copier-answers.yml": "_template: x\nowner: '@acme/payments'\n",
        },
    )
    owners = codeowners.load(tmp_path)
    assert owners.of("deploy/app.yaml") == ("@acme/sre",)
    assert owners.of("src/app.py") == ("@acme/payments",)  # no rule matches: the answer
    only_answers = codeowners.load(
        write_tree(tmp_path / "b", {".copier-answers.yml": "owner: '@t'\n"})
    )
    assert only_answers.of("anything") == ("@t",)
    assert codeowners.load(tmp_path / "missing").of("x") == ()
