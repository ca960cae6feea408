"""Provisional decisions: what wins when the facts a pack marks `assume:` take their values.

A coach who hears "I am prepared, I have the interviewer's email and no recruiter" says
"contact the interviewer, provided that you have not written already and they have not
asked you not to". When no decision is certain, the unknown facts with an assumed value
are given it and the situation is evaluated again. If a decision wins then, the assumed
facts are dropped one at a time while the same rule still wins, so the decision rests on
only those it needs; supplying their assumed values as answers gives it as the certain
decision, with the same reasons.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ._compile import Env
from .errors import Problem, RulebookError, SituationError

if TYPE_CHECKING:
    from ._engine import Engine


def assumed_values(engine: Engine) -> dict[str, Any]:
    """The validated assumed value of every fact that has one, in declaration order; a value
    the situation model refuses (a text too long, say) is a problem of the pack."""
    facts = engine.rulebook.spec.facts
    given = {name: spec.assume for name, spec in facts.items() if spec.assume is not None}
    if not given:
        return {}
    try:
        valid = engine._known_facts(given)
    except SituationError as error:
        problems = [_problem(engine, item.fact, item.message) for item in error.problems]
        raise RulebookError(problems) from None
    return {name: valid[name] for name in given}


def _problem(engine: Engine, fact: str, message: str) -> Problem:
    file, path = engine.rulebook.locate("facts", fact)
    return file.doc.problem((*path, "assume"), f"facts.{fact}.assume: {message}", code="schema")


def winning_rule(engine: Engine, fired: Iterable[int]) -> int | None:
    """The index of the rule whose decision wins (highest priority, then smallest id)."""
    best: tuple[int, str] | None = None
    winner = None
    for index in fired:
        rule = engine.program.rules[index]
        spec = rule.checked.spec
        if spec is None or spec.decide is None:
            continue
        key = (-rule.checked.priority, rule.id)
        if best is None or key < best:
            best, winner = key, index
    return winner


def provisional_run(
    engine: Engine, known: Mapping[str, Any], today: datetime.date
) -> tuple[Env, list[int], dict[str, Any]] | None:
    """The values and fired rules of the evaluation with the fewest assumed facts that
    still gives the decision all of them give, and those facts; None when none decides."""
    assumable = {name: v for name, v in engine.assumptions.items() if name not in known}
    if not assumable:
        return None
    env, fired = engine.run({**known, **assumable}, today)
    rule = winning_rule(engine, fired)
    if rule is None:
        return None
    kept = dict(assumable)
    for name in assumable:
        fewer = {fact: value for fact, value in kept.items() if fact != name}
        if not fewer:
            break  # with no assumption at all, nothing is decided: that is why we are here
        trial_env, trial_fired = engine.run({**known, **fewer}, today)
        if winning_rule(engine, trial_fired) == rule:
            kept, env, fired = fewer, trial_env, trial_fired
    return env, fired, kept
