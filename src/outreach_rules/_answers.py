"""Free-text answers to questions: "yes", "2026-03-06", "3", one item per line.

`parse_answer` turns what a person typed into the value a situation holds, by the fact's
type; the engine then validates it like any situation. Lists are one item per line, or on
a single line separated by semicolons: commas are left alone, since a question to the
interviewer may well hold one.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from ._rulebook import FactSpec
from ._suggest import suggest
from .errors import SituationError, SituationProblem

# The answers to a yes/no question in every language the engine speaks (English, German,
# Spanish): none means yes in one and no in another.
YES = frozenset({"y", "yes", "true", "j", "ja", "sí", "si", "s"})
NO = frozenset({"n", "no", "false", "nein"})


def _problem(fact: str, message: str, suggestions: tuple[str, ...] = ()) -> SituationError:
    return SituationError([SituationProblem(fact, message, suggestions)])


def _bool(fact: str, text: str) -> bool:
    word = text.lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise _problem(fact, f"'{text[:40]}' is not an answer to a yes/no question (yes or no)")


def _int(fact: str, text: str) -> int:
    try:
        return int(text.replace("_", "x"))  # no digit separators: "1_000" is not an answer
    except ValueError:
        raise _problem(fact, f"'{text[:40]}' is not a whole number") from None


def _float(fact: str, text: str) -> float:
    try:
        number = float(text.replace("_", "x"))
    except ValueError:
        raise _problem(fact, f"'{text[:40]}' is not a number") from None
    if not math.isfinite(number):
        raise _problem(fact, "NaN and infinity are not allowed")
    return number


def _date(fact: str, text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise _problem(fact, f"'{text[:40]}' is not an ISO date such as 2026-03-06") from None


def _enum(fact: str, text: str, values: list[str]) -> str:
    if text in values:
        return text
    folded = [value for value in values if value.casefold() == text.casefold()]
    if len(folded) == 1:
        return folded[0]
    allowed = ", ".join(f"'{value}'" for value in values)
    raise _problem(fact, f"'{text[:40]}' is not one of {allowed}", tuple(suggest(text, values)))


def split_list(text: str) -> list[str]:
    """The items of a list answer: one per line, or separated by semicolons on one line."""
    parts = text.splitlines() if "\n" in text.strip() else text.split(";")
    return [part.strip() for part in parts if part.strip()]


def parse_answer(fact: str, spec: FactSpec, text: str) -> Any:
    """The value a typed answer stands for; SituationError naming the fact when it fits not."""
    if not isinstance(text, str):
        raise _problem(fact, f"an answer is a text, not a value of type {type(text).__name__}")
    if spec.type == "text":
        if not text.strip():
            raise _problem(fact, "the answer is empty")
        return text
    answer = text.strip()
    if not answer:
        raise _problem(fact, "the answer is empty")
    if spec.type == "bool":
        return _bool(fact, answer)
    if spec.type == "int":
        return _int(fact, answer)
    if spec.type == "float":
        return _float(fact, answer)
    if spec.type == "date":
        return _date(fact, answer)
    if spec.type == "enum":
        return _enum(fact, answer, spec.values or [])
    if spec.type == "list":
        items = split_list(text)
        if not items:
            raise _problem(fact, "the answer is empty")
        return items
    return answer
