"""Conditions in words: "days until the interview (5) is at least 2".

Each atom of a rule's normal form gets a sentence template at compile time; the value the
atom reads is filled in when the advice is explained. Facts may give a `label` (a noun
phrase) and, for yes/no facts, `when_true` / `when_false` statements; otherwise the name is
used with spaces.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import _expr as expr
from ._expr import Atom, Term
from ._text import long_date

VALUE = "\x00value\x00"
_OPS = {
    "==": "is",
    "!=": "is not",
    "<": "is less than",
    "<=": "is at most",
    ">": "is more than",
    ">=": "is at least",
}
_COUNTS = {
    "word_count": "the number of words in {0}",
    "length": "the length of {0}",
    "count_any": "the number of {1} in {0}",
    "question_count": "the number of questions in {0}",
    "specific_question_count": "the number of specific questions in {0}",
    "exclamation_runs": "the number of runs of exclamation marks in {0}",
    "emoji_count": "the number of emoji in {0}",
    "shouting_count": "the number of words in capitals in {0}",
    "unfit_questions": "the questions among {0} that cannot be sent as written",
    "usable_questions": "the questions among {0} that can be sent",
    "days_until": "the days until {0}",
    "days_since": "the days since {0}",
}
_TESTS = {
    "contains": ("{0} mentions {1}", "{0} does not mention {1}"),
    "contains_any": ("{0} mentions any of {1}", "{0} mentions none of {1}"),
    "has_greeting": ("{0} opens with a greeting", "{0} does not open with a greeting"),
    "has_signoff": ("{0} ends with a sign-off", "{0} does not end with a sign-off"),
}


@dataclass(frozen=True)
class FactWords:
    """How a fact is named in sentences."""

    label: str
    when_true: str | None = None
    when_false: str | None = None


def fact_words(specs: Mapping[str, Any]) -> dict[str, FactWords]:
    """FactWords for every declared fact and derived fact spec."""
    return {
        name: FactWords(spec.label or name.replace("_", " "), spec.when_true, spec.when_false)
        for name, spec in specs.items()
    }


class Describer:
    """Turns atoms into sentence templates with a VALUE marker."""

    def __init__(self, words: Mapping[str, FactWords]) -> None:
        self.words = words

    def atom(self, atom: Atom) -> str:
        if isinstance(atom, expr.Truth):
            return self._truth(atom.term, atom.expect)
        if isinstance(atom, expr.Compare):
            return self._compare(atom)
        if reads_container(atom):
            verb = "does not include" if atom.negated else "includes"
            return f"{self.term(atom.container)} ({VALUE}) {verb} {self.term(atom.item)}"
        values = ", ".join(_literal(item.value) for item in getattr(atom.container, "items", ()))
        target = values if isinstance(atom.container, expr.ListLit) else self.term(atom.container)
        verb = "is not one of" if atom.negated else "is one of"
        return f"{self.term(atom.item)} ({VALUE}) {verb} {target}"

    def _truth(self, term: Term, expect: bool) -> str:
        if isinstance(term, expr.FactRef):
            words = self.words.get(term.name, FactWords(term.name.replace("_", " ")))
            said = words.when_true if expect else words.when_false
            return said or (f"{words.label}: yes" if expect else f"{words.label}: no")
        if isinstance(term, expr.Call) and term.function in _TESTS:
            template = _TESTS[term.function][0 if expect else 1]
            return template.format(*(self.term(arg) for arg in term.args))
        return f"{self.term(term)}: {'yes' if expect else 'no'}"

    def _compare(self, atom: expr.Compare) -> str:
        left, right, op = atom.left, atom.right, atom.op
        if _constant(left) and not _constant(right):
            left, right, op = right, left, expr.SWAPPED_OP[op]
        if isinstance(right, expr.Const) and right.type == "bool" and op in ("==", "!="):
            return self._truth(left, bool(right.value) == (op == "=="))
        return f"{self.term(left)} ({VALUE}) {_OPS[op]} {self.term(right)}"

    def term(self, term: Term) -> str:
        if isinstance(term, expr.FactRef):
            return self.words.get(term.name, FactWords(term.name.replace("_", " "))).label
        if isinstance(term, expr.Const):
            return _literal(term.value)
        if isinstance(term, expr.ParamRef):
            if isinstance(term.value, list):
                return term.name.replace("_", " ")
            return _literal(term.value)
        if isinstance(term, expr.Call):
            args = [self.term(arg) for arg in term.args]
            if term.function == "matching_count":
                return f"the number of sentences of {args[0]} that match {_any_of(args[2:])}"
            if term.function == "length" and isinstance(term.args[0], expr.Call):
                return f"the number of {args[0].removeprefix('the ')}"
            template = _COUNTS.get(term.function)
            if template is not None:
                return template.format(*args)
            return f"{term.function.replace('_', ' ')} of {', '.join(args)}"
        return ", ".join(_literal(item.value) for item in term.items)


def _any_of(names: list[str]) -> str:
    """Names as one phrase: "a", "a or b", "a, b or c"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _constant(term: Term) -> bool:
    return isinstance(term, expr.Const | expr.ParamRef)


def reads_container(atom: expr.Member) -> bool:
    """Whether a membership test is explained by the list it looks in (`"remote" in tags`)
    rather than by the item it looks for (`channel in ["email", "phone"]`)."""
    return _constant(atom.item) and not (
        _constant(atom.container) or isinstance(atom.container, expr.ListLit)
    )


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def fill(template: str, value: Any, show: Callable[[Any], str]) -> str:
    """The sentence with the value read put in."""
    return template.replace(VALUE, show(value))


def show_value(value: Any) -> str:
    """A value as a person reads it."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return long_date(value)
    if isinstance(value, list | tuple):
        text = ", ".join(show_value(item) for item in value) or "none"
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def plain(value: Any) -> Any:
    """A value as results hold it: dates as ISO text, the rest as it is."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
