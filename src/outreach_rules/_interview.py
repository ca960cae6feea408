"""The guided interview: ask the questions that matter, one at a time, until the decision
is settled, then show the advice.

Answers are read line by line, so the interview can be driven through a pipe. A bad answer
is re-asked with the reason; `skip` leaves a fact unknown and it is not asked again; the
end of input stops the interview and shows the advice so far.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, TextIO

from .advice import Advice
from .engine import Engine
from .errors import SituationError
from .model import Question
from .rulebook import FactSpec

_YES = {"y", "yes", "true", "1"}
_NO = {"n", "no", "false", "0"}
MAX_TRIES = 5


class _Ended(Exception):  # noqa: N818 - internal signal: the input ran out
    pass


class Interview:
    """Drives one guided interview over an input and an output stream."""

    def __init__(
        self, engine: Engine, read: TextIO, write: TextIO, today: datetime.date | None
    ) -> None:
        self.engine = engine
        self.read = read
        self.write = write
        self.today = today or datetime.date.today()
        self.known: dict[str, Any] = {}
        self.skipped: set[str] = set()

    def run(self) -> Advice:
        """Ask until the decision is settled or the input ends; return the final advice."""
        advice = self._advice()
        try:
            while (question := self._next(advice)) is not None:
                self._ask(question)
                advice = self._advice()
        except _Ended:
            self.write.write("\n(no more answers)\n")
        return advice

    def _advice(self) -> Advice:
        return self.engine.evaluate(self.known, today=self.today)

    def _next(self, advice: Advice) -> Question | None:
        open_questions = [q for q in advice.questions if q.fact not in self.skipped]
        if not any(q.changes_decision for q in open_questions):
            return None
        return open_questions[0]

    def _ask(self, question: Question) -> None:
        spec = self.engine.rulebook.spec.facts[question.fact]
        hint = _hint(spec)
        for _ in range(MAX_TRIES):
            self.write.write(f"{question.prompt} {hint}\n> ")
            self.write.flush()
            answer = self._line(spec)
            if not _is_terminal(self.read):
                self.write.write(answer + "\n")  # a piped answer is echoed, so the transcript reads
            if answer.lower() == "skip":
                self.skipped.add(question.fact)
                return
            try:
                value = _parse(spec, answer)
                self.engine.Situation.model_validate({question.fact: value})
            except (ValueError, SituationError) as error:
                reason = str(error).splitlines()[-1].strip()
                self.write.write(f"Sorry, that answer does not fit: {reason}\n")
                continue
            self.known[question.fact] = value
            return
        self.skipped.add(question.fact)

    def _line(self, spec: FactSpec) -> str:
        if spec.type != "text":
            line = self.read.readline()
            if not line:
                raise _Ended
            return line.strip()
        lines: list[str] = []
        while (line := self.read.readline()) and line.rstrip("\n") != ".":
            lines.append(line.rstrip("\n"))
        if not lines and not line:
            raise _Ended
        return "\n".join(lines)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _hint(spec: FactSpec) -> str:
    hints = {
        "bool": "[yes/no]",
        "date": "[YYYY-MM-DD]",
        "list": "[separate items with ';']",
        "text": "[end with a line holding a single '.']",
        "int": "[a whole number]",
        "float": "[a number]",
    }
    if spec.type == "enum":
        return "[" + "/".join(spec.values or []) + "]"
    return hints.get(spec.type, "")


def _parse(spec: FactSpec, answer: str) -> Any:
    parsers: dict[str, Callable[[str], Any]] = {
        "bool": _parse_bool,
        "int": int,
        "float": float,
        "date": datetime.date.fromisoformat,
        "list": lambda text: [item.strip() for item in text.split(";") if item.strip()],
    }
    if not answer and spec.type != "text":
        raise ValueError("an answer is needed (or 'skip')")
    parser = parsers.get(spec.type)
    return parser(answer) if parser else answer


def _parse_bool(answer: str) -> bool:
    lowered = answer.lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise ValueError(f"'{answer}' is not yes or no")


def run_interview(
    engine: Engine, read: TextIO, write: TextIO, today: datetime.date | None = None
) -> Advice:
    """Run a guided interview and return the advice it ends with."""
    return Interview(engine, read, write, today).run()
