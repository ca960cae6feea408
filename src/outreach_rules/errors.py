"""The errors of outreach_rules.

Every error the library raises on purpose derives from one base::

    OutreachRulesError
     ├── RulebookError        a pack cannot be loaded: every problem, with file, line and column
     ├── SituationError       a situation is invalid (also a ValueError): every bad fact named
     └── EvaluationError      evaluation failed: a template, a function or a backend (the
                              original exception, if any, is its __cause__)
          └── SituationFailedError   one situation of a batch raised another kind of error

This module imports nothing else from the package, so every other module may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "WHOLE_SITUATION",
    "EvaluationError",
    "OutreachRulesError",
    "Problem",
    "RulebookError",
    "SituationError",
    "SituationFailedError",
    "SituationProblem",
]


class OutreachRulesError(Exception):
    """The base of every error that outreach_rules raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a rule pack, with its position and the offending source line."""

    message: str
    file: str = "<pack>"
    line: int = 0
    column: int = 0
    rule_id: str | None = None
    code: str = "error"
    suggestions: tuple[str, ...] = ()
    source_line: str | None = None
    width: int = 1
    severity: str = "error"

    def location(self) -> str:
        """`file:line:column`, or the file alone when the position is unknown."""
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"

    def render(self) -> str:
        """The problem as text: location, rule, message, and the source line with a caret."""
        rule = f"rule '{self.rule_id}': " if self.rule_id else ""
        text = f"{self.location()}: {rule}{self.message}"
        if self.suggestions:
            names = ", ".join(f"'{name}'" for name in self.suggestions)
            text += f" (did you mean {names}?)"
        if self.source_line is not None and self.column > 0:
            caret = " " * (self.column - 1) + "^" * max(1, self.width)
            text += f"\n    {self.source_line}\n    {caret}"
        return text


class RulebookError(OutreachRulesError):
    """A rule pack is invalid. `problems` lists every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self._summary())

    def __reduce__(self) -> tuple[type[RulebookError], tuple[list[Problem]]]:
        # Rebuilt from its problems, so the error crosses process boundaries (batches).
        return (type(self), (self.problems,))

    def _summary(self) -> str:
        count = len(self.problems)
        heading = (
            "1 problem in the rule pack" if count == 1 else f"{count} problems in the rule pack"
        )
        return heading + ":\n" + "\n".join(problem.render() for problem in self.problems)


# The `fact` of a problem with the situation as a whole (not a mapping, not readable).
WHOLE_SITUATION = "(situation)"


@dataclass(frozen=True)
class SituationProblem:
    """One bad fact of a situation; `location` is `file:line:column` where it is known."""

    fact: str
    message: str
    suggestions: tuple[str, ...] = field(default_factory=tuple)
    location: str = ""

    def render(self) -> str:
        """The problem as one line of text."""
        where = f"{self.location}: " if self.location else ""
        about = "" if self.fact == WHOLE_SITUATION else f"{self.fact}: "
        text = f"{where}{about}{self.message}"
        if self.suggestions:
            names = ", ".join(f"'{name}'" for name in self.suggestions)
            text += f" (did you mean {names}?)"
        return text


class SituationError(OutreachRulesError, ValueError):
    """A situation is invalid. `problems` names each bad fact and why it is bad."""

    def __init__(self, problems: list[SituationProblem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        kind = "problem" if WHOLE_SITUATION in self.facts else "invalid fact"
        heading = f"1 {kind}" if count == 1 else f"{count} {kind}s"
        lines = "\n".join("  " + problem.render() for problem in self.problems)
        super().__init__(f"{heading} in the situation:\n{lines}")

    def __reduce__(self) -> tuple[type[SituationError], tuple[list[SituationProblem]]]:
        # Rebuilt from its problems, so the error crosses process boundaries (batches).
        return (type(self), (self.problems,))

    @property
    def facts(self) -> list[str]:
        """The names of the bad facts, in the order they were found."""
        return [problem.fact for problem in self.problems]


class EvaluationError(OutreachRulesError):
    """Evaluation failed: a text ran past its bounds or raised, or a function or a backend
    failed. The original exception, if any, is the `__cause__`; the engine stays usable."""


class SituationFailedError(EvaluationError):
    """Evaluating one situation of a batch raised an error that is not one of these (a
    template that divides by zero, say). It stands in that situation's place: `cause` is the
    error's class and `detail` its message. The other situations are evaluated all the same.
    """

    def __init__(self, cause: str, detail: str) -> None:
        self.cause = cause
        self.detail = detail
        super().__init__(f"evaluating this situation raised {cause}: {detail}")

    def __reduce__(self) -> tuple[type[SituationFailedError], tuple[str, str]]:
        # Rebuilt from its parts, so the error crosses process boundaries (batches).
        return (type(self), (self.cause, self.detail))
