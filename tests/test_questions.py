from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.helpers import TINY_COPIER, tiny_template_files, write_tree

from pavedroad.catalog.questions import Question, load_config, resolve_answers
from pavedroad.errors import ConfigError, UserError


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "tiny", tiny_template_files())


def test_defaults_fill_every_question(tiny: Path) -> None:
    answers = resolve_answers(load_config(tiny), {})
    assert answers == {"name": "demo", "flavour": "plain", "replicas": 2}


def test_given_strings_are_cast(tiny: Path) -> None:
    answers = resolve_answers(load_config(tiny), {"replicas": "5", "name": "orders"})
    assert answers["replicas"] == 5
    assert answers["name"] == "orders"


@pytest.mark.parametrize("bad", ["../evil", "a/b", "has space", "Upper", "", "-x"])
def test_invalid_names_are_rejected_naming_the_question(tiny: Path, bad: str) -> None:
    with pytest.raises(UserError, match=r"^answer name: .* rejected: lowercase letters"):
        resolve_answers(load_config(tiny), {"name": bad})


def test_value_outside_choices(tiny: Path) -> None:
    with pytest.raises(UserError, match=r"answer flavour: 'odd' is not one of the choices"):
        resolve_answers(load_config(tiny), {"flavour": "odd"})


@pytest.mark.parametrize("bad", ["many", "1.5", True])
def test_wrong_type(tiny: Path, bad: Any) -> None:
    with pytest.raises(UserError, match=r"^answer replicas: .* is not a valid int"):
        resolve_answers(load_config(tiny), {"replicas": bad})


def test_unknown_question_lists_the_known_ones(tiny: Path) -> None:
    with pytest.raises(UserError, match="unknown question 'colour'; this template asks: "):
        resolve_answers(load_config(tiny), {"colour": "red"})


def test_prompt_asks_until_valid(tiny: Path) -> None:
    replies = iter(["Bad Name", "good-name", "fancy", "3"])
    asked: list[str] = []

    def prompt(question: Question, default: Any) -> str:
        asked.append(question.name)
        return next(replies)

    answers = resolve_answers(load_config(tiny), {}, prompt)
    assert answers == {"name": "good-name", "flavour": "fancy", "replicas": 3}
    assert asked == ["name", "name", "flavour", "replicas"]


def test_when_false_question_is_not_asked(tmp_path: Path) -> None:
    copier_yml = TINY_COPIER + 'extra:\n  type: str\n  default: x\n  when: "{{ replicas > 5 }}"\n'
    root = write_tree(tmp_path / "t", tiny_template_files(copier_yml))
    assert "extra" not in resolve_answers(load_config(root), {})
    assert resolve_answers(load_config(root), {"replicas": "9"})["extra"] == "x"


@pytest.mark.parametrize("key", ["_tasks", "_migrations", "_jinja_extensions"])
def test_trust_features_are_refused(tmp_path: Path, key: str) -> None:
    copier_yml = TINY_COPIER + f"{key}: ['echo pwned']\n"
    root = write_tree(tmp_path / "t", tiny_template_files(copier_yml))
    with pytest.raises(ConfigError, match=rf"{key}: refused: .*never grants"):
        load_config(root)
