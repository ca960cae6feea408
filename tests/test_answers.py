"""Answers a form can give: question choices, `Engine.parse_answer`, and `today`."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

import outreach_rules as orr
from outreach_rules import _durable
from strategies import TODAY, bundled_situations, facts_of_model, scaled

BACKENDS = ["python", "durable"] if _durable.available() else ["python"]
ENGINES = {backend: orr.Engine.default(backend=backend) for backend in BACKENDS}
ENGINE = ENGINES["python"]
ROOT = Path(__file__).parent.parent
FACTS = facts_of_model(ENGINE.Situation)


# ---------------------------------------------------------------- choices
def test_a_yes_no_question_offers_true_and_false() -> None:
    """The choices of a yes/no question are the values true and false, labelled Yes and No,
    and the value of a choice is accepted by evaluate as it is (the issue's 'yes' was not)."""
    question = ENGINE.evaluate({}, today=TODAY).questions[0]
    assert question.type == "bool"
    assert [(c.value, c.label) for c in question.choices or []] == [(True, "Yes"), (False, "No")]
    advice = ENGINE.evaluate({question.fact: question.choices[0].value}, today=TODAY)  # type: ignore[index]
    assert advice.situation == {question.fact: True}


def test_an_enum_question_offers_its_values() -> None:
    """A choice question offers the enum's values, each labelled, as JSON too."""
    chain = orr.Engine.from_paths(ROOT / "tests" / "data" / "packs" / "chain.yaml")
    colour = next(q for q in chain.evaluate({}, today=TODAY).questions if q.fact == "colour")
    assert json.loads(colour.model_dump_json())["choices"] == [
        {"value": "red", "label": "Red"},
        {"value": "green", "label": "Green"},
        {"value": "blue", "label": "Blue"},
    ]


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=scaled(500))
@given(situation=bundled_situations(FACTS))
def test_every_choice_of_every_question_is_an_answer(
    backend: str, situation: dict[str, Any]
) -> None:
    """For every question of every evaluation, each choice's value, as it is and after a
    trip through JSON, is accepted by evaluate and gives advice without error."""
    engine = ENGINES[backend]
    advice = engine.evaluate(situation, today=TODAY)
    for question in advice.questions:
        for choice in question.choices or []:
            as_sent = json.loads(json.dumps(choice.model_dump(mode="json")))["value"]
            assert as_sent == choice.value and type(as_sent) is type(choice.value)
            answered = engine.evaluate({**situation, question.fact: as_sent}, today=TODAY)
            assert answered.situation[question.fact] == choice.value


# ---------------------------------------------------------------- parse_answer
@pytest.mark.parametrize(
    ("fact", "text", "value"),
    [
        ("spoke_with_recruiter", "yes", True),
        ("spoke_with_recruiter", " Y ", True),
        ("spoke_with_recruiter", "TRUE", True),
        ("spoke_with_recruiter", "no", False),
        ("spoke_with_recruiter", "n", False),
        ("spoke_with_recruiter", "False", False),
        ("interview_date", "2026-03-06", datetime.date(2026, 3, 6)),
        ("channel", "Phone", "phone"),
        ("channel", "email", "email"),
        ("company", "  Acme Analytics ", "Acme Analytics"),
        ("questions", "What tools?\n\nWhich team?\n", ["What tools?", "Which team?"]),
        (
            "questions",
            "What, exactly, is the format?; Who joins?",
            ["What, exactly, is the format?", "Who joins?"],
        ),
        ("draft_message", "Dear Dana,\n\nThanks!\n", "Dear Dana,\n\nThanks!\n"),
    ],
)
def test_parse_answer_reads_typed_answers(fact: str, text: str, value: Any) -> None:
    """Typed answers become the values a situation holds, and evaluate takes them."""
    assert ENGINE.parse_answer(fact, text) == value
    ENGINE.evaluate({fact: ENGINE.parse_answer(fact, text)}, today=TODAY)


def test_parse_answer_reads_numbers(tmp_path: Any) -> None:
    """Whole numbers and numbers, with their errors, on a pack that has them."""
    pack = tmp_path / "numbers.yaml"
    pack.write_text(
        "pack: n\nversion: '1'\ntitle: t\nfacts:\n  n: {type: int}\n  x: {type: float}\n",
        encoding="utf-8",
    )
    engine = orr.Engine.from_paths(pack, backend="python")
    assert engine.parse_answer("n", " -3 ") == -3
    assert engine.parse_answer("x", "2.5") == 2.5
    assert engine.parse_answer("x", "3") == 3.0
    for fact, text, message in [
        ("n", "3.5", "n: '3.5' is not a whole number"),
        ("n", "1_000", "n: '1_000' is not a whole number"),
        ("x", "nan", "x: NaN and infinity are not allowed"),
        ("x", "ten", "x: 'ten' is not a number"),
        ("n", str(2**60), "n: numbers are limited to ±9,007,199,254,740,992"),
    ]:
        with pytest.raises(orr.SituationError) as raised:
            engine.parse_answer(fact, text)
        assert raised.value.problems[0].render() == message


@pytest.mark.parametrize(
    ("fact", "text", "message"),
    [
        (
            "spoke_with_recruiter",
            "maybe",
            "spoke_with_recruiter: 'maybe' is not an answer to a yes/no question (yes or no)",
        ),
        (
            "interview_date",
            "next Friday",
            "interview_date: 'next Friday' is not an ISO date such as 2026-03-06",
        ),
        ("channel", "fax", "channel: 'fax' is not one of 'email', 'phone'"),
        (
            "channel",
            "emial",
            "channel: 'emial' is not one of 'email', 'phone' (did you mean 'email'?)",
        ),
        ("company", "   ", "company: the answer is empty"),
        ("questions", "\n;\n", "questions: the answer is empty"),
        (
            "interveiwer_name",
            "Dana",
            (
                "interveiwer_name: unknown fact (did you mean 'interviewer_name', "
                "'interview_date', 'recruiter_name'?)"
            ),
        ),
        ("company", "x" * 1001, "company: String should have at most 1000 characters"),
    ],
)
def test_parse_answer_names_the_fact_of_a_bad_answer(fact: str, text: str, message: str) -> None:
    """A bad answer raises SituationError naming the fact, with did-you-mean suggestions."""
    with pytest.raises(orr.SituationError) as raised:
        ENGINE.parse_answer(fact, text)
    assert raised.value.facts == [fact]
    assert raised.value.problems[0].render() == message


# ---------------------------------------------------------------- today
@pytest.mark.parametrize("backend", BACKENDS)
def test_today_may_be_an_iso_date_text(backend: str) -> None:
    """evaluate({}, today="2026-03-02") is the same as with the date, on both backends, and
    date-derived facts are read from it."""
    engine = ENGINES[backend]
    assert engine.evaluate({}, today="2026-03-02") == engine.evaluate({}, today=TODAY)
    advice = engine.evaluate({"interview_date": "2026-03-06"}, today="2026-03-02")
    assert advice.today == TODAY
    assert advice.trace is not None
    days = next(d for d in advice.trace.derived if d.fact == "days_until_interview")
    assert days.value == 4


@pytest.mark.parametrize(
    ("today", "message"),
    [
        ("", "today: '' is not an ISO date such as 2026-03-02"),
        ("02/03/2026", "today: '02/03/2026' is not an ISO date such as 2026-03-02"),
        (
            0,
            (
                "today: expected a date or an ISO date text such as 2026-03-02, not a value of "
                "type int"
            ),
        ),
        (
            False,
            (
                "today: expected a date or an ISO date text such as 2026-03-02, not a value of "
                "type bool"
            ),
        ),
        (
            datetime.datetime(2026, 3, 2, 9, 30),
            "today: expected a date, not a date and time: pass its .date()",
        ),
    ],
)
def test_anything_else_as_today_is_refused_by_name(today: Any, message: str) -> None:
    """Falsy values never mean "today", and a date and time is refused: SituationError
    naming `today`, from evaluate and from evaluate_many alike."""
    with pytest.raises(orr.SituationError) as raised:
        ENGINE.evaluate({}, today=today)
    assert raised.value.problems[0].render() == message
    with pytest.raises(orr.SituationError) as batch:
        ENGINE.evaluate_many([{}], today=today, workers=1)
    assert batch.value.facts == ["today"]


def test_none_is_the_current_day() -> None:
    """today=None, the default, evaluates on the current day."""
    assert ENGINE.evaluate({}).today == datetime.date.today()
