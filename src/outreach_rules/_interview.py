"""The guided interview: ask the questions that matter, one at a time, then show the advice.

First the questions whose answer can change the decision (those a provisional decision
rests on come first); once a decision is reached that has a draft message, the facts the
draft is filled in with (names, role, company, channel); then the other open questions.
Answers are read line by line, so the interview can be driven through a pipe, and are
read by `Engine.parse_answer`. A bad answer is asked again with the reason; `skip` leaves
a fact unknown and moves on to the next question. The interview ends with the summary of
the advice and offers the full explanation; the end of input stops it and shows the
summary of the advice so far.
"""

from __future__ import annotations

import datetime
from typing import TextIO

from . import _expr as expr
from ._advice import Advice, Format
from ._answers import YES
from ._catalog import word
from ._engine import Engine
from ._questions import facts_feeding, prompt_of
from ._rulebook import FactSpec
from ._templates import names_read
from .errors import SituationError

MAX_TRIES = 5


class _Ended(Exception):  # noqa: N818 - internal signal: the input ran out
    pass


class Interview:
    """Drives one guided interview over an input and an output stream."""

    def __init__(
        self,
        engine: Engine,
        read: TextIO,
        write: TextIO,
        today: datetime.date | None,
        format: Format = "text",  # noqa: A002 - the name the CLI and explain() use
    ) -> None:
        self.engine = engine
        self.read = read
        self.write = write
        self.today = today or datetime.date.today()
        self.format: Format = format
        self.known: dict[str, object] = {}
        self.asked: set[str] = set()

    def run(self) -> Advice:
        """Ask until nothing is left to ask or the input ends; show and return the advice."""
        advice = self._advice()
        try:
            while (fact := self._next(advice)) is not None:
                self._ask(fact)
                advice = self._advice()
        except _Ended:
            self.write.write(f"\n{self._word('(no more answers)')}\n")
            self._show(advice)
            return advice
        self._show(advice)
        self._offer_full(advice)
        return advice

    def _advice(self) -> Advice:
        return self.engine.evaluate(self.known, today=self.today)

    def _next(self, advice: Advice) -> str | None:
        """The next fact to ask: decision first, then the draft's details, then the rest."""
        open_questions = [q for q in advice.questions if q.fact not in self.asked]
        deciding = [q.fact for q in open_questions if q.changes_decision]
        details = [name for name in self._draft_facts(advice) if name not in self.asked]
        rest = [q.fact for q in open_questions]
        return next(iter(deciding + details + rest), None)

    def _draft_facts(self, advice: Advice) -> list[str]:
        """The unknown facts the drafts of the decision read: those that choose the draft
        (such as the channel) first, then those it is filled in with, in pack order."""
        decision = advice.decision or advice.provisional
        if decision is None:
            return []
        facts = self.engine.rulebook.spec.facts
        choosing: set[str] = set()
        filling: set[str] = set()
        for draft in self.engine.program.checked.drafts:
            if draft.decision != decision.id:
                continue
            if draft.cond is not None:
                choosing.update(facts_feeding(self.engine, expr.fact_names(draft.cond)))
            for text in (draft.spec.subject, draft.spec.body):
                filling.update(names_read(text))
        ordered = [n for n in facts if n in choosing] + [n for n in facts if n in filling]
        return [name for name in dict.fromkeys(ordered) if name not in self.known]

    def _word(self, english: str) -> str:
        return word(self.engine.locale, english)

    def _ask(self, fact: str) -> None:
        spec = self.engine.rulebook.spec.facts[fact]
        words = self.engine._own_translation
        said = spec if words is None else words.fact(fact, spec)
        self.asked.add(fact)
        for _ in range(MAX_TRIES):
            hint = self._hint(fact, spec)
            self.write.write(f"{prompt_of(fact, said)} {hint}".rstrip() + "\n> ")
            self.write.flush()
            answer = self._line(spec)
            if not _is_terminal(self.read):
                self.write.write(answer + "\n")  # a piped answer is echoed, so the transcript reads
            if answer.strip().lower() == "skip":
                return
            try:
                self.known[fact] = self.engine.parse_answer(fact, answer)
            except SituationError as error:
                sorry = self._word("Sorry, that answer does not fit:")
                self.write.write(f"{sorry} {error.problems[0].message}\n")
                continue
            return

    def _line(self, spec: FactSpec) -> str:
        if spec.type != "text":
            line = self.read.readline()
            if not line:
                raise _Ended
            return line.strip()
        lines: list[str] = []
        while (line := self.read.readline()) and line.rstrip("\n") != ".":
            lines.append(line.rstrip("\n"))
            if len(lines) == 1 and lines[0].strip().lower() == "skip":
                break
        if not lines and not line:
            raise _Ended
        return "\n".join(lines)

    def _hint(self, fact: str, spec: FactSpec) -> str:
        """How to answer, in the interview's language: an enum's choices by their labels."""
        if spec.type == "enum":
            words = self.engine._own_translation
            labels = [(words and words.choice(fact, v)) or v for v in spec.values or []]
            return "[" + "/".join(labels) + "]"
        return self._word(_HINTS.get(spec.type, "")) if spec.type in _HINTS else ""

    def _show(self, advice: Advice) -> None:
        self.write.write("\n" + advice.explain("summary", format=self.format))

    def _offer_full(self, advice: Advice) -> None:
        offer = self._word("Show the full explanation, with every reason and source?")
        self.write.write(f"\n{offer} {self._word('[yes/no]')}\n> ")
        self.write.flush()
        line = self.read.readline()
        if not _is_terminal(self.read):
            self.write.write(line.strip() + "\n")
        if line.strip().lower() in YES:
            self.write.write("\n" + advice.explain("full", format=self.format))


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


_HINTS = {
    "bool": "[yes/no]",
    "date": "[YYYY-MM-DD]",
    "list": "[separate items with ';']",
    "text": "[end with a line holding a single '.']",
    "int": "[a whole number]",
    "float": "[a number]",
}


def run_interview(
    engine: Engine,
    read: TextIO,
    write: TextIO,
    today: datetime.date | None = None,
    format: Format = "text",  # noqa: A002 - the name the CLI and explain() use
) -> Advice:
    """Run a guided interview and return the advice it ends with."""
    return Interview(engine, read, write, today, format).run()
