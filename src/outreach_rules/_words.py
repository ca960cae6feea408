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
from ._catalog import ENGLISH, Phrases, phrases
from ._expr import Atom, Term
from ._locale import long_date as localised_date
from ._locale import number as localised_number
from ._locale import series as localised_list
from ._text import long_date

VALUE = "\x00value\x00"


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
    """Turns atoms into sentence templates with a VALUE marker, in one language's phrases.

    `terms` gives the terms of a list parameter in that language: a language other than
    English names a list by its first terms, since its name is an English identifier."""

    def __init__(
        self,
        words: Mapping[str, FactWords],
        phrases: Phrases = ENGLISH,
        terms: Mapping[str, list[str]] | None = None,
    ) -> None:
        self.words, self.phrases, self.terms = words, phrases, terms or {}

    def atom(self, atom: Atom) -> str:
        if isinstance(atom, expr.Truth):
            return self._truth(atom.term, atom.expect)
        if isinstance(atom, expr.Compare):
            return self._compare(atom)
        said = self.phrases
        if reads_container(atom):
            verb = said.includes[1 if atom.negated else 0]
            return f"{self.term(atom.container)} ({VALUE}) {verb} {self.term(atom.item)}"
        items = getattr(atom.container, "items", ())
        values = ", ".join(self._literal(item.value) for item in items)
        target = values if isinstance(atom.container, expr.ListLit) else self.term(atom.container)
        verb = said.one_of[1 if atom.negated else 0]
        return f"{self.term(atom.item)} ({VALUE}) {verb} {target}"

    def _truth(self, term: Term, expect: bool) -> str:
        said = self.phrases
        answer = said.yes if expect else said.no
        if isinstance(term, expr.FactRef):
            words = self._words(term.name)
            stated = words.when_true if expect else words.when_false
            return stated or f"{words.label}: {answer}"
        if isinstance(term, expr.Call) and term.function in said.tests:
            template = said.tests[term.function][0 if expect else 1]
            return template.format(*(self.term(arg) for arg in term.args))
        return f"{self.term(term)}: {answer}"

    def _compare(self, atom: expr.Compare) -> str:
        left, right, op = atom.left, atom.right, atom.op
        if _constant(left) and not _constant(right):
            left, right, op = right, left, expr.SWAPPED_OP[op]
        if isinstance(right, expr.Const) and right.type == "bool" and op in ("==", "!="):
            return self._truth(left, bool(right.value) == (op == "=="))
        return f"{self.term(left)} ({VALUE}) {self.phrases.ops[op]} {self.term(right)}"

    def _words(self, name: str) -> FactWords:
        return self.words.get(name, FactWords(name.replace("_", " ")))

    def term(self, term: Term) -> str:
        if isinstance(term, expr.FactRef):
            return self._words(term.name).label
        if isinstance(term, expr.Const):
            return self._literal(term.value)
        if isinstance(term, expr.ParamRef):
            if isinstance(term.value, list):
                return self._list(term.name, term.value)
            return self._literal(term.value)
        if isinstance(term, expr.Call):
            return self._call(term)
        return ", ".join(self._literal(item.value) for item in term.items)

    def _call(self, term: expr.Call) -> str:
        said = self.phrases
        args = [self.term(arg) for arg in term.args]
        if term.function == "matching_count":
            return self._filled(said.matching, [args[0], _any_of(args[2:], said.alternative)])
        if term.function == "length" and isinstance(term.args[0], expr.Call):
            counted = args[0]
            for article in said.articles:
                counted = counted.removeprefix(article)
            return said.number_of.format(counted)
        template = said.counts.get(term.function)
        if template is not None:
            return self._filled(template, args)
        return self._filled(said.call, [term.function.replace("_", " "), ", ".join(args)])

    def _filled(self, template: str, args: list[str]) -> str:
        """A phrase with its terms in; `{d0}`, `{d1}` take them in the dative."""
        said = self.phrases
        dative = {f"d{number}": _dative(arg, said.dative) for number, arg in enumerate(args)}
        filled = template.format(*args, **dative)
        for long, short in said.contractions:
            filled = filled.replace(long, short)
        return filled

    def _list(self, name: str, value: list[Any]) -> str:
        if not self.phrases.lists_by_terms:
            return name.replace("_", " ")
        terms = self.terms.get(name, value)
        shown = ", ".join(self._literal(str(item)) for item in terms[:3])
        return shown + (", …" if len(terms) > 3 else "")

    def _literal(self, value: Any) -> str:
        if isinstance(value, bool):
            return self.phrases.yes if value else self.phrases.no
        if isinstance(value, str):
            opening, closing = self.phrases.quotes
            return f"{opening}{value}{closing}"
        return str(value)


def _dative(term: str, determiners: tuple[tuple[str, str], ...]) -> str:
    """A term after a preposition that takes the dative (unchanged where unsure)."""
    for nominative, dative in determiners:
        if term.startswith(nominative):
            return dative + term.removeprefix(nominative)
    return term


def _any_of(names: list[str], alternative: str = " or ") -> str:
    """Names as one phrase: "a", "a or b", "a, b or c"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])}{alternative}{names[-1]}"


def _constant(term: Term) -> bool:
    return isinstance(term, expr.Const | expr.ParamRef)


def reads_container(atom: expr.Member) -> bool:
    """Whether a membership test is explained by the list it looks in (`"remote" in tags`)
    rather than by the item it looks for (`channel in ["email", "phone"]`)."""
    return _constant(atom.item) and not (
        _constant(atom.container) or isinstance(atom.container, expr.ListLit)
    )


def fill(template: str, value: Any, show: Callable[[Any], str]) -> str:
    """The sentence with the value read put in."""
    return template.replace(VALUE, show(value))


def show_value(value: Any, locale: str | None = None) -> str:
    """A value as a person reads it, in a locale's words (English without one)."""
    said = phrases(locale)
    if value is None:
        return said.unknown
    if isinstance(value, bool):
        return said.yes if value else said.no
    if isinstance(value, datetime.date):
        return long_date(value) if locale is None else localised_date(value, locale)
    if isinstance(value, list | tuple):
        items = [show_value(item, locale) for item in value]
        text = (", ".join(items) if locale is None else localised_list(items, locale)) or said.none
    elif isinstance(value, int | float) and locale is not None:
        text = localised_number(value, locale)
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def plain(value: Any) -> Any:
    """A value as results hold it: dates as ISO text, the rest as it is."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
