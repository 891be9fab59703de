"""Prompts that guide: help, choices and default before the first answer; computed values."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest
from tests.helpers import TINY_COPIER, catalog_yaml, tiny_template_files, write_tree
from typer.testing import CliRunner

from pavedroad.catalog.questions import Question, load_config, resolve_answers
from pavedroad.cli import app
from pavedroad.cli.prompts import describe
from pavedroad.errors import UserError

ENV = {"COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}
COMPUTED = """\
slug:
  type: str
  default: "{{ name }}-svc"
  when: false
kind:
  default: web
  when: false
"""


def question(**fields: object) -> Question:
    base: dict[str, object] = {
        "name": "flavour",
        "type": "str",
        "help": "How it\n  tastes",
        "default": "plain",
        "choices": (("plain", "plain"), ("fancy", "fancy")),
        "validator": None,
        "when": True,
        "secret": False,
    }
    return Question(**{**base, **fields})  # type: ignore[arg-type]


@pytest.fixture
def computed_catalog(tmp_path: Path) -> Path:
    """The tiny catalog whose template also computes two values (`when: false`)."""
    root = tmp_path / "catalog"
    write_tree(root / "templates" / "tiny", tiny_template_files(TINY_COPIER + COMPUTED))
    (root / "catalog.yaml").write_text(catalog_yaml(), encoding="utf-8")
    return root


def test_describe_shows_help_on_one_line_and_the_choices() -> None:
    assert describe(question(), "plain") == [
        "flavour (str): How it tastes",
        "  choices: plain, fancy",
    ]


def test_describe_labels_choices_and_says_when_input_is_hidden_or_may_be_empty() -> None:
    labelled = question(choices=(("Python 3.12", "3.12"),), name="python_version")
    assert describe(labelled, "3.12")[1] == "  choices: 3.12 (Python 3.12)"
    assert describe(question(choices=(), secret=True), None)[1] == "  (what you type is not shown)"
    assert describe(question(choices=()), "")[1] == "  (press Enter to leave it empty)"


def test_computed_questions_are_never_answerable(computed_catalog: Path) -> None:
    config = load_config(computed_catalog / "templates" / "tiny")
    assert [q.name for q in config.questions if q.computed] == ["slug", "kind"]
    with pytest.raises(UserError) as computed:
        resolve_answers(config, {"slug": "x"})
    assert str(computed.value) == (
        "answer slug: cannot be given: it is computed from name; drop --data slug and set name"
    )
    with pytest.raises(UserError) as fixed:
        resolve_answers(config, {"kind": "x"})
    assert "the template fixes it to 'web'; drop --data kind" in str(fixed.value)
    with pytest.raises(UserError) as unknown:
        resolve_answers(config, {"colour": "red"})
    assert str(unknown.value).endswith("this template asks: flavour, name, replicas")


def test_data_for_a_computed_answer_is_an_error_naming_its_source(tmp_path: Path) -> None:
    dest = tmp_path / "svc"
    result = CliRunner().invoke(
        app, ["new", "python-service", str(dest), "--defaults", "-d", "module_name=x"], env=ENV
    )
    assert result.exit_code == 2
    assert "answer module_name: cannot be given: it is computed from service_name" in result.stderr
    assert not dest.exists()


def test_catalog_show_lists_computed_values_apart(computed_catalog: Path) -> None:
    result = CliRunner().invoke(
        app, ["catalog", "show", "tiny", "--catalog", str(computed_catalog)], env=ENV
    )
    assert result.exit_code == 0, result.output
    questions, _, rest = result.stdout.partition("computed by the template (not answerable):")
    assert "slug" not in questions and "kind" not in questions
    assert "  slug (str) from name\n  kind (str) always 'web'\n" in rest


@pytest.mark.slow
def test_interactive_new_guides_before_the_first_answer(
    computed_catalog: Path, tmp_path: Path
) -> None:
    """One real session on a terminal: help first, a rejected answer, then the project."""
    dest = tmp_path / "svc"
    env = {**os.environ, **ENV, "PAVED_CATALOG": str(computed_catalog), "TERM": "xterm"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "pavedroad", "new", "tiny", str(dest)],
        env=env,
        encoding="utf-8",
        timeout=120,
        dimensions=(24, 80),
    )
    child.expect_exact("name (str): Service name\r\n")
    child.expect_exact("name [demo]: ")
    assert "rejected" not in child.before
    child.sendline("Bad Name")
    child.expect_exact("answer name: 'Bad Name' rejected: lowercase letters")
    child.expect_exact("try again")
    child.expect_exact("name [demo]: ")
    child.sendline("orders")
    child.expect_exact("flavour (str): flavour\r\n  choices: plain, fancy\r\n")
    child.expect_exact("flavour [plain]: ")
    child.sendline("odd")
    child.expect_exact("answer flavour: 'odd' is not one of the choices: 'plain', 'fancy'")
    child.expect_exact("flavour [plain]: ")
    child.sendline("fancy")
    child.expect_exact("replicas [2]: ")
    child.sendline("")
    child.expect_exact("finished (3/3)")  # the scanners' progress, drawn on the terminal
    child.expect_exact("Next steps:")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    readme = (dest / "README.md").read_text(encoding="utf-8")
    assert readme == "# orders (fancy, 2 replicas)\n"
