"""Questions for missing facts: the unknown facts whose answer could change the advice.

For a bool or enum fact every answer is tried on the python backend and the firings compared,
so a question is listed only when some answer changes something. Facts with open-ended
values (numbers, dates, text) are listed when a rule whose condition is still unknown
depends on them.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .model import Decision, Question

if TYPE_CHECKING:
    from .engine import Engine


def dependents(engine: Engine) -> dict[str, set[int]]:
    """For every fact name, the indexes of rules that read it directly or through derived facts."""
    cached: dict[str, set[int]] | None = getattr(engine, "_dependents", None)
    if cached is not None:
        return cached
    program = engine.program
    feeds: dict[str, set[str]] = {}
    for name, node in program.checked.derived_values:
        from .expr import fact_names  # noqa: PLC0415 - keeps the import graph one-way

        for source in fact_names(node):
            feeds.setdefault(source, set()).add(name)
    for rule in program.rules:
        for target in rule.checked.sets:
            for source in rule.checked.reads:
                feeds.setdefault(source, set()).add(target)
    found = {
        name: _rules_reading(_closure(name, feeds), program.rules) for name in program.checked.facts
    }
    engine._dependents = found  # type: ignore[attr-defined]
    return found


def _closure(name: str, feeds: dict[str, set[str]]) -> set[str]:
    seen, todo = {name}, [name]
    while todo:
        for nxt in feeds.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _rules_reading(names: set[str], rules: list[Any]) -> set[int]:
    return {rule.index for rule in rules if names.intersection(rule.checked.reads)}


def _winner(engine: Engine, fired: list[int]) -> str | None:
    best: tuple[int, str] | None = None
    decision = None
    for index in fired:
        spec = engine.program.rules[index].checked.spec
        if spec is None or spec.decide is None:
            continue
        key = (-engine.program.rules[index].checked.priority, spec.id)
        if best is None or key < best:
            best, decision = key, spec.decide
    return decision


def find_questions(
    engine: Engine,
    known: Mapping[str, Any],
    today: datetime.date,
    fired: list[int],
    winner: Decision | None,
) -> list[Question]:
    """Unknown facts worth asking about, those that can change the decision first."""
    base_env, _ = engine.run(known, today, backend="python")
    base = set(fired)
    decision = winner.id if winner else None
    found: list[tuple[tuple[int, int, int], Question]] = []
    for position, (name, spec) in enumerate(engine.rulebook.spec.facts.items()):
        if name in known:
            continue
        candidates = _candidates(spec.type, spec.values)
        if candidates is None:
            affects, changes = _open_ended(engine, name, base_env, winner)
        else:
            affects, changes = _tried(engine, known, today, name, candidates, base, decision)
        if not affects:
            continue
        ids = sorted(engine.program.rules[i].id for i in affects)
        top = max(engine.program.rules[i].checked.priority for i in affects)
        question = Question(
            fact=name,
            prompt=spec.question or f"What is {name.replace('_', ' ')}?",
            type=spec.type,
            choices=list(spec.values)
            if spec.values
            else (["yes", "no"] if spec.type == "bool" else None),
            affects=ids,
            changes_decision=changes,
        )
        found.append(((0 if changes else 1, -top, position), question))
    return [question for _, question in sorted(found, key=lambda item: item[0])]


def _candidates(kind: str, values: list[str] | None) -> list[Any] | None:
    if kind == "bool":
        return [True, False]
    if kind == "enum":
        return list(values or [])
    return None


def _tried(
    engine: Engine,
    known: Mapping[str, Any],
    today: datetime.date,
    name: str,
    candidates: list[Any],
    base: set[int],
    decision: str | None,
) -> tuple[set[int], bool]:
    affects: set[int] = set()
    changes = False
    for value in candidates:
        _, fired = engine.run({**known, name: value}, today, backend="python")
        affects |= {
            i for i in set(fired) ^ base if engine.program.rules[i].checked.spec is not None
        }
        changes = changes or _winner(engine, fired) != decision
    return affects, changes


def _open_ended(
    engine: Engine, name: str, env: dict[str, Any], winner: Decision | None
) -> tuple[set[int], bool]:
    rules = engine.program.rules
    affects = {
        i
        for i in dependents(engine)[name]
        if rules[i].checked.spec is not None and rules[i].test(env) is None
    }
    floor = winner.priority if winner else None
    changes = any(
        (spec := rules[i].checked.spec) is not None
        and spec.decide
        and (floor is None or rules[i].checked.priority > floor)
        for i in affects
    )
    return affects, changes
