"""The templates listed with the package pass their checks without being parsed, and the
list never lets through a template, or a translation, that it does not name exactly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

import outreach_rules as orr
from outreach_rules import _known_templates, _templates, _translation
from outreach_rules._templates import Names, TemplateProblem

MAKE = "make known-templates"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The texts Jinja's parser reads while the test runs, every verdict made afresh."""
    seen: list[str] = []
    parse = _templates._ENV.parse

    def counted(text: str, *args: object, **kwargs: object) -> object:
        seen.append(text)
        return parse(text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_templates._ENV, "parse", counted)
    _translation.template_parts.cache_clear()
    with _templates.verdicts_set_aside():
        yield seen
    _translation.template_parts.cache_clear()


def test_the_shipped_list_is_current() -> None:
    """Protects the speed of the first load: the list names every template of the bundled
    pack and its translations that the check parses and passes, as the code checks it now."""
    shipped = sorted(_known_templates.known())
    assert shipped == _known_templates.bundled_digests(), f"run `{MAKE}`"


def test_the_bundled_pack_and_its_translations_load_without_parsing(parses: list[str]) -> None:
    """Protects what the list is for: loading the bundled pack in every locale parses no
    template (their checks and the comparisons of translations with originals are listed)."""
    engine = orr.Engine.default(backend="python")
    assert engine.locales  # the translations are loaded below
    for locale in engine.locales:
        orr.Engine.default(backend="python", locale=locale)
    assert parses == []


def _bundled_template() -> tuple[str, Names]:
    """A long template of the bundled pack that reads facts and parameters, and its names,
    as the pack check asks for the list."""
    asked: list[tuple[object, ...]] = []
    listed = _known_templates.listed

    def spy(*parts: object) -> bool:
        asked.append(parts)
        return listed(*parts)

    with pytest.MonkeyPatch.context() as patch, _templates.verdicts_set_aside():
        patch.setattr(_known_templates, "listed", spy)
        orr.Engine.default(backend="python")
    for text, (facts, params) in asked:  # type: ignore[misc]
        if "{% if" in text and "params." in text and "interviewer_name" in text:
            return text, Names(dict(facts), dict(params))
    raise AssertionError("no such template in the bundled pack")


def test_a_listed_template_with_other_names_is_checked(parses: list[str]) -> None:
    """Protects the check: the list names a template with the names it may read, so the same
    text for a pack that lacks one of them is parsed and refused."""
    text, names = _bundled_template()
    _templates.check_template(text, names)
    assert parses == []  # listed
    fewer = Names({k: v for k, v in names.facts.items() if k != "interviewer_name"}, names.params)
    with pytest.raises(TemplateProblem, match="unknown name 'interviewer_name'"):
        _templates.check_template(text, fewer)
    assert parses == [text]


def test_a_changed_template_is_checked(parses: list[str]) -> None:
    """Protects the check: one more character makes a text the list does not name."""
    text, names = _bundled_template()
    with pytest.raises(TemplateProblem, match="unknown name 'nope'"):
        _templates.check_template(text + "{{ nope }}", names)
    assert parses == [text + "{{ nope }}"]


def test_without_the_list_templates_are_checked_whole(
    parses: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Protects a package whose list is missing: every template is parsed and checked, and
    the engine gives the same advice."""
    case = yaml.safe_load((ROOT / "examples" / "situation.yaml").read_text(encoding="utf-8"))
    expected = orr.Engine.default(backend="python").evaluate(case, today="2026-03-02")
    monkeypatch.setattr(_known_templates, "LIST", tmp_path / "missing.txt")
    _known_templates.known.cache_clear()
    try:
        with _templates.verdicts_set_aside():
            advice = orr.Engine.default(backend="python").evaluate(case, today="2026-03-02")
    finally:
        _known_templates.known.cache_clear()
    assert len(parses) > 20
    assert advice.model_dump() == expected.model_dump()
