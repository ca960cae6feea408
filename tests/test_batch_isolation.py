"""One bad situation never costs a batch more than its own place.

Whatever a situation does (it is invalid, not a mapping, holds a value that cannot be
pickled, makes a template raise, or fails when it is read), its place in the results holds
an `OutreachRulesError` with the cause's class and message, and every other situation is
evaluated as `evaluate` would one by one: for every `workers` value. Real worker processes
evaluate; the in-process threshold is lowered so small batches reach them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

import outreach_rules as orr
from outreach_rules import _batch
from strategies import TODAY, mixed_batches, scaled

DIVIDE = Path(__file__).resolve().parent / "data" / "packs" / "divide.yaml"
SMALL = 6


class Unreadable(Mapping[str, Any]):
    """A mapping that fails when its values are read (a broken object from a caller)."""

    def __getitem__(self, key: str) -> Any:
        raise RuntimeError(f"the value of {key} is gone")

    def __iter__(self) -> Iterator[str]:
        return iter(["ready"])

    def __len__(self) -> int:
        return 1


def bad_situation(kind: str, number: int) -> Any:
    """The bad situation of a kind of strategies.BAD_SITUATION_KINDS."""
    return {
        "invalid": lambda: {"redy": True, "parts": number + 1},
        "not a mapping": lambda: [number],
        "unpicklable": lambda: {"ready": True, "parts": lambda: number},
        "template error": lambda: {"ready": True, "parts": 0},
        "unreadable": Unreadable,
    }[kind]()


# The text each kind of bad situation gives in its place.
EXPECTED = {
    "invalid": (
        orr.SituationError,
        "1 invalid fact in the situation:\n  redy: unknown fact (did you mean 'ready'?)",
    ),
    "not a mapping": (
        orr.SituationError,
        "1 problem in the situation:\n  expected a mapping of facts, got list",
    ),
    "unpicklable": (
        orr.SituationError,
        "1 invalid fact in the situation:\n  parts: Input should be a valid integer",
    ),
    "template error": (
        orr.EvaluationError,
        (
            f"{DIVIDE}: rule 'go_when_ready', recommend text, template line 1: "
            "ZeroDivisionError: integer division or modulo by zero"
        ),
    ),
    "unreadable": (
        orr.SituationFailedError,
        "evaluating this situation raised RuntimeError: the value of ready is gone",
    ),
}


@pytest.fixture(scope="module")
def engine() -> Iterator[orr.Engine]:
    """The division pack, with batches of SMALL situations or more sent to workers."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_batch, "IN_PROCESS_BELOW", SMALL)
        yield orr.Engine.from_paths(DIVIDE)


def check_results(engine: orr.Engine, batch: list[tuple[str, Any]], results: list[Any]) -> None:
    """Each good situation's result equals `evaluate` alone; each bad one holds its error."""
    assert len(results) == len(batch)
    for position, ((kind, data), result) in enumerate(zip(batch, results, strict=True)):
        if kind == "good":
            assert result == engine.evaluate(data, today=TODAY), position
        else:
            error_type, text = EXPECTED[kind]
            assert type(result) is error_type, (position, kind, result)
            assert str(result) == text, (position, kind)


def build(batch: list[tuple[str, Any]]) -> list[Any]:
    """The situations of a drawn batch."""
    return [data if kind == "good" else bad_situation(kind, data) for kind, data in batch]


@pytest.mark.parametrize("workers", [1, 2, 3])
@settings(max_examples=scaled(6))
@given(batch=mixed_batches(min_size=SMALL, max_size=40))
def test_bad_situations_at_random_places_cost_only_their_own_place(
    engine: orr.Engine, workers: int, batch: list[tuple[str, Any]]
) -> None:
    """Good and bad situations mixed at random positions: every good result equals
    `evaluate` one by one, and every bad place holds its own error, for 1, 2 and 3 workers."""
    results = engine.evaluate_many(build(batch), today=TODAY, workers=workers)
    check_results(engine, batch, results)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_template_error_in_a_large_batch_leaves_the_other_results(
    engine: orr.Engine, workers: int
) -> None:
    """2,000 situations, one of which divides by zero in its advice text: 1,999 pieces of
    advice and, in its place, an EvaluationError naming the rule and ZeroDivisionError, with
    the original error as its cause."""
    batch = [("good", {"ready": True, "parts": n % 7 + 1}) for n in range(2_000)]
    batch[1_234] = ("template error", 0)
    results = engine.evaluate_many(build(batch), today=TODAY, workers=workers, trace=False)
    failed = results[1_234]
    assert type(failed) is orr.EvaluationError
    assert str(failed) == (
        f"{DIVIDE}: rule 'go_when_ready', recommend text, template line 1: "
        "ZeroDivisionError: integer division or modulo by zero"
    )
    assert sum(isinstance(result, orr.Advice) for result in results) == 1_999
    assert results[0] == engine.evaluate(batch[0][1], today=TODAY, trace=False)


def test_an_unpicklable_situation_gives_with_two_workers_what_it_gives_with_one(
    engine: orr.Engine,
) -> None:
    """A function among a situation's values cannot travel to a worker process; it is
    evaluated in the calling process instead, so it gives the same SituationError as with
    `workers=1`, and the batch goes on."""
    situations: list[Any] = [{"ready": True, "parts": 4}] * 30
    situations[3] = {"draft": "x", "parts": lambda: 1}
    one = engine.evaluate_many(situations, today=TODAY, workers=1)
    two = engine.evaluate_many(situations, today=TODAY, workers=2)
    assert [str(item) if isinstance(item, Exception) else item for item in two] == [
        str(item) if isinstance(item, Exception) else item for item in one
    ]
    assert isinstance(two[3], orr.SituationError) and two[3].facts == ["parts", "draft"]


def test_situation_failed_errors_cross_processes_whole() -> None:
    """A SituationFailedError pickles with its cause and detail (results travel from
    worker processes back to the caller)."""
    import pickle

    error = orr.SituationFailedError("ZeroDivisionError", "division by zero")
    back = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own data
    assert (type(back), back.cause, back.detail, str(back)) == (
        orr.SituationFailedError,
        "ZeroDivisionError",
        "division by zero",
        "evaluating this situation raised ZeroDivisionError: division by zero",
    )
    assert isinstance(back, orr.EvaluationError)


def test_today_given_once_reaches_every_worker(engine: orr.Engine) -> None:
    """The day passed to a batch with bad situations is the day every result is made for."""
    day = datetime.date(2030, 1, 2)
    batch = [("good", {"ready": True, "parts": 2})] * 10 + [("template error", 0)]
    results = engine.evaluate_many(build(batch), today=day, workers=2)
    assert results[0] == engine.evaluate({"ready": True, "parts": 2}, today=day)
