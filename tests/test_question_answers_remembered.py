"""Question finding remembers what a fact's own function calls give on each sample answer,
list answers included (the `questions` list of the bundled pack, read by text functions that
were most of the cost of a batch). Remembering must never change a question.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

import outreach_rules as orr
from outreach_rules import _questions
from strategies import TODAY, facts_of_model, random_situation

COUNT = 300


def questions_of(engine: orr.Engine, situations: list[dict[str, Any]]) -> list[Any]:
    """The questions of each situation (its error's text for a bad one)."""
    found: list[Any] = []
    for situation in situations:
        try:
            found.append(engine.evaluate(situation, today=TODAY).questions)
        except orr.SituationError as error:
            found.append(str(error))
    return found


def test_remembered_list_answers_give_the_same_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a few hundred random situations (most without their `questions`), the questions
    are the same with list answers remembered as on an engine that never remembers them,
    and the remembered results do hold list answers (so the comparison tested something)."""
    rng = random.Random(31)  # noqa: S311 - reproducible test data, not cryptography
    remembering = orr.Engine.default()
    facts = facts_of_model(remembering.Situation)
    situations = [random_situation(rng, facts) for _ in range(COUNT)]
    got = questions_of(remembering, situations)
    plan = _questions._plan(remembering)
    assert any(kind is list for _, kind, _ in plan.call_results), "no list answer remembered"

    real = _questions._answer_key
    monkeypatch.setattr(
        _questions, "_answer_key", lambda value: None if isinstance(value, list) else real(value)
    )
    assert questions_of(orr.Engine.default(), situations) == got


def test_a_list_answer_with_unhashable_items_is_not_remembered() -> None:
    """A list answer whose items cannot make a key is tried without remembering."""
    assert _questions._answer_key([["nested"]]) is None
    assert _questions._answer_key(["a", 1]) == ((str, "a"), (int, 1))
