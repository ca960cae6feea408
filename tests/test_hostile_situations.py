"""Hostile situations: a bad value is a SituationError naming its fact, never a wrong answer.

tests/test_bad_input.py holds the golden messages of the common mistakes. This file adds
the values no JSON document holds but a Python caller might pass (bytes, sets, iterators,
objects with `__str__`, subclasses of int, str and date that redefine comparison), values
at or past the limits (huge ints, NaN, 70 KB strings, 100,000-character texts,
10,000-deep nesting, lists that contain themselves), and a property test: random JSON-like
values for every fact of the bundled pack either validate and give the same advice on
both backends, or raise a SituationError that names exactly the facts whose value is bad.
"""

from __future__ import annotations

import datetime
import enum
import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings

import outreach_rules as orr
from outreach_rules._durable import available
from strategies import TODAY, facts_of_model, hostile_situations, scaled
from work import calls_made, calls_to_raise

PACKS = Path(__file__).parent / "data" / "packs"
# Calls one refusal may make, whatever its values: a base, and a share for each key named
# (an unknown key is matched against every fact for a did-you-mean).
REFUSAL_CALLS = 200_000
REFUSAL_CALLS_PER_KEY = 1_000


@functools.cache
def bundled(backend: str) -> orr.Engine:
    return orr.Engine.default(backend=backend)  # type: ignore[arg-type]


@functools.cache
def all_types(backend: str) -> orr.Engine:
    return orr.Engine.from_paths(PACKS / "all-types.yaml", backend=backend)  # type: ignore[arg-type]


BACKENDS = ["python", *(["durable"] if available() else [])]


def refused(engine: orr.Engine, situation: Any) -> orr.SituationError:
    """The SituationError of a situation, raised within REFUSAL_CALLS; its message renders."""
    error, calls = calls_to_raise(
        lambda: engine.evaluate(situation, today=TODAY), orr.SituationError
    )
    keys = len(situation) if isinstance(situation, dict) else 1
    assert calls < REFUSAL_CALLS + keys * REFUSAL_CALLS_PER_KEY, f"refusing took {calls:,} calls"
    assert str(error).startswith(("1 invalid fact", f"{len(error.problems)} invalid"))
    return error


def advice_json(engine: orr.Engine, situation: Any) -> dict[str, Any]:
    """The whole advice as JSON data, without the name of the backend."""
    data = engine.evaluate(situation, today=TODAY).model_dump(mode="json")
    data["trace"]["backend"] = "-"
    return data


# ---------------------------------------------------------------- values of the wrong kind
class Stringy:
    """An object that prints as a valid value but is not one."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = object.__hash__


def _generator() -> Any:
    yield "What should I prepare?"


WRONG_KINDS = [
    ("interviewer_name", b"Dana"),
    ("interviewer_name", bytearray(b"Dana")),
    ("interviewer_name", memoryview(b"Dana")),
    ("interviewer_name", Stringy("Dana")),
    ("interviewer_name", ["Dana"]),
    ("draft_message", b"Hello"),
    ("draft_message", Stringy("Hello")),
    ("channel", b"email"),
    ("channel", Stringy("email")),
    ("channel", ["email"]),
    ("interview_date", b"2026-03-06"),
    ("interview_date", Stringy("2026-03-06")),
    ("interview_date", datetime.datetime(2026, 3, 6, tzinfo=datetime.UTC)),
    ("interview_date", float("inf")),
    ("spoke_with_recruiter", Stringy("true")),
    ("spoke_with_recruiter", b"\x01"),
    ("spoke_with_recruiter", float("nan")),
    ("spoke_with_recruiter", Decimal(1)),
    ("questions", {"What should I prepare?"}),
    ("questions", frozenset({"What should I prepare?"})),
    ("questions", iter(["What should I prepare?"])),
    ("questions", _generator()),
    ("questions", {"What should I prepare?": True}.keys()),
    ("questions", [b"What should I prepare?"]),
    ("questions", [Stringy("What should I prepare?")]),
    ("questions", [float("nan")]),
    ("questions", "What should I prepare?"),
]


@pytest.mark.parametrize(
    ("fact", "value"), WRONG_KINDS, ids=[f"{f}-{type(v).__name__}" for f, v in WRONG_KINDS]
)
def test_values_of_the_wrong_kind_name_their_fact(fact: str, value: Any) -> None:
    """Protects strict validation against Python values no JSON holds: bytes, sets,
    iterators (used up after one look), objects whose `__str__` reads as a valid value."""
    situation = {"has_interviewer_contact": True, fact: value}
    assert set(refused(bundled("python"), situation).facts) == {fact}


WRONG_NUMBERS = [
    ("attempts", float("nan")),
    ("attempts", 2.0),
    ("attempts", Decimal(2)),
    ("attempts", 10**5000),
    ("attempts", -(10**5000)),
    ("attempts", 2**53 + 1),
    ("score", Decimal("NaN")),
    ("score", Decimal("0.5")),
    ("score", 10**5000),
    ("score", 2**53 + 2),
    ("score", -(2.0**53) - 2),
    ("score", float("-inf")),
    ("score", complex(1, 0)),
    ("name", 10**5000),
    ("ready", 10**5000),
    ("channel", float("nan")),
    ("when_day", 10**5000),
]


@pytest.mark.parametrize(
    ("fact", "value"),
    WRONG_NUMBERS,
    ids=[f"{f}-{type(v).__name__}-{i}" for i, (f, v) in enumerate(WRONG_NUMBERS)],
)
def test_numbers_out_of_range_name_their_fact(fact: str, value: Any) -> None:
    """Protects the number checks: NaN, infinity, fractions for ints, numbers past ±2**53 and
    ints past Python's 4,300-digit printing limit are refused with a message (printing the
    error must not fail on the value either)."""
    error = refused(all_types("python"), {fact: value})
    assert error.facts == [fact]


def test_the_largest_numbers_are_accepted() -> None:
    """Protects the edge of the number limit: ±2**53 itself is allowed, as int and float."""
    for backend in BACKENDS:
        engine = all_types(backend)
        for value in (2**53, -(2**53), float(2**53)):
            fact = "score" if isinstance(value, float) else "attempts"
            engine.evaluate({fact: value, "ready": True}, today=TODAY)


# ---------------------------------------------------------------- subclasses
class Liar(str):
    """A str that equals everything."""

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    __hash__ = str.__hash__


class Huge(int):
    """An int that claims to be small and greater than anything."""

    def __abs__(self) -> int:
        return 0

    def __gt__(self, other: object) -> bool:
        return True

    def __ge__(self, other: object) -> bool:
        return True

    __hash__ = int.__hash__


class Flaky(float):
    """A float whose float() is another number."""

    def __float__(self) -> float:
        return 0.9

    def __ge__(self, other: object) -> bool:
        return True


class FarDate(datetime.date):
    """A date that is always far away."""

    def __sub__(self, other: Any) -> Any:
        return datetime.timedelta(days=999)


class Channel(enum.StrEnum):
    EMAIL = "email"


SUBCLASSES = [
    ("bundled", "channel", Channel.EMAIL, "email"),
    ("bundled", "channel", Liar("phone"), "phone"),
    ("bundled", "interviewer_name", Liar("Dana"), "Dana"),
    ("bundled", "interview_date", FarDate(2026, 3, 3), datetime.date(2026, 3, 3)),
    ("bundled", "questions", [Liar("What should I prepare?")], ["What should I prepare?"]),
    ("bundled", "questions", ("What should I prepare?",), ["What should I prepare?"]),
    ("all-types", "attempts", Huge(3), 3),
    ("all-types", "score", Flaky(0.25), 0.25),
]


@pytest.mark.parametrize(
    ("pack", "fact", "value", "plain"),
    SUBCLASSES,
    ids=[f"{fact}-{type(value).__name__}" for _, fact, value, _ in SUBCLASSES],
)
def test_subclasses_are_evaluated_as_their_plain_value(
    pack: str, fact: str, value: Any, plain: Any
) -> None:
    """Protects against values that redefine comparison or arithmetic (a str equal to
    everything, a date always 999 days away, a float whose float() differs): they are
    evaluated exactly like the plain value they hold, on both backends."""
    base = (
        {"ready": True}
        if pack == "all-types"
        else {"spoke_with_recruiter": False, "has_interviewer_contact": True}
    )
    for backend in BACKENDS:
        engine = all_types(backend) if pack == "all-types" else bundled(backend)
        assert advice_json(engine, {**base, fact: value}) == advice_json(
            engine, {**base, fact: plain}
        )


def test_the_same_value_in_another_form_gives_the_same_advice() -> None:
    """Protects conversions: a date as text or as a date, an int for a float fact, a tuple
    for a list give the same advice as their canonical form."""
    engine = all_types("python")
    pairs = [
        ({"when_day": "2026-03-06"}, {"when_day": datetime.date(2026, 3, 6)}),
        ({"score": 1}, {"score": 1.0}),
        ({"questions": ("a?", "b?")}, {"questions": ["a?", "b?"]}),
    ]
    for one, other in pairs:
        assert advice_json(engine, {**one, "ready": True}) == advice_json(
            engine, {**other, "ready": True}
        )


# ---------------------------------------------------------------- size and depth
def _nested_list(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def _nested_dict(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def _self_containing() -> list[Any]:
    value: list[Any] = ["What should I prepare?"]
    value.append(value)
    return value


DEEP = [
    ("questions", _nested_list(10_000)),
    ("questions", [_nested_dict(10_000)]),
    ("interviewer_name", _nested_dict(10_000)),
    ("draft_message", _nested_list(10_000)),
    ("interview_date", _nested_dict(10_000)),
    ("questions", _self_containing()),
    ("draft_message", _self_containing()),
]


@pytest.mark.parametrize(("fact", "value"), DEEP, ids=[f"{f}-{i}" for i, (f, _) in enumerate(DEEP)])
def test_deeply_nested_values_name_their_fact(fact: str, value: Any) -> None:
    """Protects validation against 10,000-deep values and a list that contains itself: a
    SituationError in bounded time, no RecursionError."""
    assert set(refused(bundled("python"), {fact: value}).facts) == {fact}


def test_strings_over_64_kb_are_refused_wherever_they_are() -> None:
    """Protects the size limits beyond the golden case of a str fact: a 70 KB list item and
    a 70 KB unknown key (named, with no suggestion) are refused in bounded time."""
    long = "x" * 70_000
    error = refused(bundled("python"), {"questions": ["ok?", long]})
    assert error.facts == ["questions"]
    assert "item 1: String should have at most 1000 characters" in str(error)
    error = refused(bundled("python"), {long: True})
    assert error.facts == [long]
    assert error.problems[0].suggestions == ()


def test_lone_surrogates_are_refused() -> None:
    """Protects against strings with no UTF-8 form (they would fail later, in durable_rules'
    JSON or in the output): refused in every string-holding fact."""
    error = refused(
        bundled("python"),
        {"interviewer_name": "Da\ud800na", "draft_message": "\udfff", "questions": ["\ud800"]},
    )
    assert set(error.facts) == {"interviewer_name", "draft_message", "questions"}
    for problem in error.problems:
        assert "unicode string" in problem.message or "surrogate" in problem.message


def test_many_unknown_keys_are_all_named_in_linear_work() -> None:
    """Protects the cost of reporting: 10,000 unknown keys are each named, for at most
    eleven times the calls that naming 1,000 takes (work per key that grew with the number
    of keys, such as a did-you-mean search over the other keys, would cost a hundred)."""
    engine = bundled("python")
    few = calls_to_raise(lambda: engine.evaluate(_unknown_keys(1_000)), orr.SituationError)[1]
    error = refused(engine, _unknown_keys(10_000))
    many = calls_to_raise(lambda: engine.evaluate(_unknown_keys(10_000)), orr.SituationError)[1]
    assert len(error.facts) == 10_000
    assert many <= 11 * few, f"{few:,} calls for 1,000 unknown keys, {many:,} for 10,000"


def _unknown_keys(count: int) -> dict[str, bool]:
    return {f"fact_{n}": True for n in range(count)}


def test_unknown_and_reserved_keys_are_named() -> None:
    """Protects the lookup of keys that look almost right: case, spaces, empty, non-strings."""
    error = refused(
        bundled("python"), {"Channel": "email", " channel": "email", "": 1, None: 1, (1, 2): 1}
    )
    assert error.facts == ["Channel", " channel", "", "None", "(1, 2)"]
    assert error.problems[0].suggestions == ("channel",)


LONG_TEXTS = {
    "words": "word " * 20_000,
    "sentences": "Is this a question? Yes. " * 4_000,
    "newlines": "line\n" * 20_000,
    "emoji": "😀" * 100_000,
    "exclamations": "!" * 100_000,
    "capitals": "WORD " * 20_000,
    "one-word": "a" * 100_000,
}


def _findings_and_calls(backend: str, draft: str) -> tuple[list[str], int]:
    """The findings on a draft, and the calls their evaluation made."""
    situation = {"draft_message": draft, "has_interviewer_contact": True}
    advice, calls = calls_made(
        lambda: _read_whole(bundled(backend).evaluate(situation, today=TODAY))
    )
    return sorted(item.rule_id for item in advice.findings), calls


def _read_whole(advice: orr.Advice) -> orr.Advice:
    """The advice with every part made (its parts are made when first read)."""
    advice.model_dump()
    return advice


@pytest.mark.parametrize("shape", sorted(LONG_TEXTS))
def test_texts_at_the_limit_evaluate_in_linear_work(shape: str) -> None:
    """Protects the text functions against the largest valid draft, 100,000 characters
    (word_count, question_count, emoji_count, ... must stay linear: a text with no sentence
    end once made question_count quadratic): on each backend a draft ten times as long
    costs at most eleven times the calls (quadratic work would cost a hundred), and both
    backends find the same things."""
    draft = LONG_TEXTS[shape][:100_000]
    results = []
    for backend in BACKENDS:
        bundled(backend).evaluate({"draft_message": draft[:100]}, today=TODAY)  # warm caches
        _, short = _findings_and_calls(backend, draft[:10_000])
        findings, long = _findings_and_calls(backend, draft)
        assert long <= 11 * short, f"{backend}: {short:,} calls for 10,000 characters, {long:,}"
        results.append(findings)
    assert all(result == results[0] for result in results)


# ---------------------------------------------------------------- the property
def _alone_is_valid(engine: orr.Engine, key: Any, value: Any) -> bool:
    try:
        engine.evaluate({key: value}, today=TODAY)
    except orr.SituationError:
        return False
    return True


@settings(max_examples=scaled(100))
@given(data=hostile_situations(facts_of_model(bundled("python").Situation)))
@example(data={"interview_date": "\ud800"})  # a lone surrogate in a date's message
def test_random_values_validate_and_agree_or_name_exactly_the_bad_facts(
    data: dict[Any, Any],
) -> None:
    """Protects the contract of a situation: random JSON-like values (and some Python ones)
    for every fact of the bundled pack, with unknown, reserved and non-string keys, either
    validate and give the same advice on both backends, or raise a SituationError that
    names exactly the keys whose value is bad on its own, and no other."""
    python = bundled("python")
    try:
        expected = advice_json(python, data)
    except orr.SituationError as error:
        named = set(error.facts)
        bad = {str(key) for key, value in data.items() if not _alone_is_valid(python, key, value)}
        assert named == bad
        assert named <= {str(key) for key in data}
        return
    if available():
        assert advice_json(bundled("durable"), data) == expected
