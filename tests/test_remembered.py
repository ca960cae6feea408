"""Texts and reasons that an engine remembers between evaluations (`_remembered.py`)."""

from __future__ import annotations

import datetime
import pickle
import random
from pathlib import Path

import pytest
import yaml

import outreach_rules as orr
from outreach_rules import _remembered
from outreach_rules._templates import MAX_EVALUATION_OUTPUT
from strategies import facts_of_model, random_situation, template_pack

TODAY = datetime.date(2026, 3, 2)


def test_remembered_results_equal_fresh_ones() -> None:
    """Protects the results made from the engine's tables: on the bundled pack, every
    evaluation of an engine that has seen the situations before (its texts and reasons all
    remembered, and every recommendation and finding whole: a second pass adds nothing to
    the tables) equals, in JSON, in a pickle and by ==, the evaluation of an engine that
    has seen nothing."""
    engine = orr.Engine.default(backend="python")
    facts = facts_of_model(engine.Situation)
    rng = random.Random(14)  # noqa: S311 - reproducible test data
    cases = [random_situation(rng, facts) for _ in range(40)]
    for case in cases:
        engine.evaluate(case, today=TODAY).model_dump()  # the texts are made when read
    names = ("texts", "reasons", "made.recommend.", "made.flag.")
    sizes = tuple(len(engine._cache.tables[name]) for name in names)
    assert min(sizes) > 0
    for case in cases:
        remembered = engine.evaluate(case, today=TODAY)
        fresh_engine = orr.Engine.default(backend="python")
        fresh = fresh_engine.evaluate(case, today=TODAY)
        assert remembered.model_dump_json() == fresh.model_dump_json()
        assert "texts" in fresh_engine._cache.tables  # made by rendering, into an empty table
        assert pickle.loads(pickle.dumps(remembered)) == fresh  # noqa: S301 - our own bytes
    assert tuple(len(engine._cache.tables[name]) for name in names) == sizes


def test_remembered_texts_count_against_the_evaluation_budget(tmp_path: Path) -> None:
    """Protects the output budget of an evaluation from remembered texts: 300 rules whose
    text is the same 4,000 characters (a 1,000-character fact four times) make it once and
    remember it for the others, and still stop at the 263rd rule (262 texts make 1,048,000
    characters) with the budget's error, in the first evaluation and in a second one where
    every text is remembered."""
    pack = template_pack("{{ msg }}" * 4, in_draft=False)
    pack["rules"] = [{**pack["rules"][0], "id": f"r{i:03}"} for i in range(300)]
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(pack), encoding="utf-8")
    engine = orr.Engine.from_paths(path, backend="python")
    fits = engine.evaluate({"msg": "w" * 100}, today=TODAY)
    assert [item.text for item in fits.recommendations] == ["w" * 400] * 300
    for _ in range(2):
        with pytest.raises(orr.EvaluationError) as caught:
            engine.evaluate({"msg": "w" * 1_000}, today=TODAY).recommendations  # noqa: B018 - made when read
        assert str(caught.value) == (
            f"{path}: rule 'r262', recommend text, template line 1: the texts of one "
            f"evaluation run past {MAX_EVALUATION_OUTPUT:,} characters"
        )
    assert len(engine._cache.tables["texts"]) == 2  # one text, for each of the two values


def test_long_values_and_texts_are_not_remembered(tmp_path: Path) -> None:
    """Protects the size of the tables: a free text longer than 1,000 characters never
    makes a key, and a filled-in text longer than 4,096 characters is never kept, neither
    alone nor in a whole recommendation; both are still rendered right."""
    pack = template_pack("{{ note }}", in_draft=False)
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(pack), encoding="utf-8")
    engine = orr.Engine.from_paths(path, backend="python")
    advice = engine.evaluate({"note": "w" * 1_001}, today=TODAY)
    assert advice.recommendations[0].text == "w" * 1_001
    assert engine._cache.tables["texts"] == engine._cache.tables["made.recommend."] == {}
    pack = template_pack("{{ msg }}" * 5, in_draft=False)
    path.write_text(yaml.safe_dump(pack), encoding="utf-8")
    engine = orr.Engine.from_paths(path, backend="python")
    advice = engine.evaluate({"msg": "w" * 1_000}, today=TODAY)
    assert advice.recommendations[0].text == "w" * 5_000
    assert engine._cache.tables["texts"] == engine._cache.tables["made.recommend."] == {}


def test_the_tables_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Protects the memory of a service that sees ever new values: past MAX_REMEMBERED
    entries a table is started again (here with a bound of 10, over 50 distinct texts),
    and the results stay right."""
    monkeypatch.setattr(_remembered, "MAX_REMEMBERED", 10)
    path = tmp_path / "pack.yaml"
    pack = template_pack("Say {{ msg }}.", in_draft=False)
    path.write_text(yaml.safe_dump(pack), encoding="utf-8")
    engine = orr.Engine.from_paths(path, backend="python")
    for number in range(50):
        advice = engine.evaluate({"msg": f"m{number}"}, today=TODAY)
        assert advice.recommendations[0].text == f"Say m{number}."
        assert len(engine._cache.tables["texts"]) <= 11
        assert len(engine._cache.tables["reasons"]) <= 11
        assert len(engine._cache.tables["made.recommend."]) <= 11
