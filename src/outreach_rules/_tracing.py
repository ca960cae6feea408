"""The trace of an evaluation: every rule fired or not, with each condition evaluated.

A trace is made when it is first read (see `Advice.trace`), from the values the evaluation
kept. Most of a trace repeats from one situation to the next: a condition on a yes/no or
choice fact, or on a small number, reads one of a few values. So the pieces are made once
per engine and value and shared: a `ConditionTrace` is fully given by its condition, the
value it read and whether it held, and a `RuleTrace` by its rule, whether it fired and held,
and its conditions. They are immutable (their conditions are a tuple), so sharing them
between results is safe. Conditions that read a list are made anew each time.
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from ._compile import AtomCheck, CompiledRule, Env
from ._model import ConditionTrace, DerivedTrace, RuleTrace, Trace, build
from ._words import fill, plain, show_value

if TYPE_CHECKING:
    from ._engine import Engine

# Pieces an engine keeps; past this many it forgets them all and starts again, which bounds
# the memory of a service that sees ever new values (free text, far dates).
MAX_REMEMBERED_PIECES = 5_000

Pieces = dict[Hashable, Any]
KEEPABLE = frozenset({str, int, float, bool, type(None), datetime.date})  # immutable values


def make_trace(engine: Engine, env: Env, fired: set[int]) -> Trace:
    """The trace of an evaluation from its final values and the rules that fired."""
    pieces = _pieces(engine)
    rules = [_rule_trace(rule, env, fired, pieces) for rule in engine.program.rules]
    derived = _derived_trace(engine, env, fired)
    return build(Trace, backend=engine.backend, rules=rules, derived=derived)


def _pieces(engine: Engine) -> Pieces:
    pieces = engine._cache.trace_pieces
    if pieces is None or len(pieces) > MAX_REMEMBERED_PIECES:
        pieces = engine._cache.trace_pieces = {}
    return pieces


def _rule_trace(rule: CompiledRule, env: Env, fired: set[int], pieces: Pieces) -> RuleTrace:
    readings = [(atom.value(env), atom.test(env)) for atom in rule.atoms]
    is_fired, holds = rule.index in fired, rule.test(env)
    # The type is part of a key: 1, 1.0 and True are equal but read differently.
    keepable = all(type(value) in KEEPABLE for value, _ in readings)
    key = (rule.index, is_fired, holds, *_flat(readings)) if keepable else None
    found: RuleTrace | None = pieces.get(key) if key is not None else None
    if found is None:
        spec = rule.checked.spec
        found = build(
            RuleTrace,
            rule_id=rule.id,
            fired=is_fired,
            holds=holds,
            priority=rule.checked.priority,
            stratum=rule.stratum,
            decides=spec.decide if spec else None,
            conditions=tuple(
                _condition_trace(atom, value, atom_holds, pieces)
                for atom, (value, atom_holds) in zip(rule.atoms, readings, strict=True)
            ),
        )
        if key is not None:
            pieces[key] = found
    return found


def _flat(readings: list[tuple[Any, bool | None]]) -> list[Any]:
    return [part for value, holds in readings for part in (type(value), value, holds)]


def _condition_trace(
    atom: AtomCheck, value: Any, holds: bool | None, pieces: Pieces
) -> ConditionTrace:
    """The trace of one condition that read `value`: shared when the value is immutable."""
    kind = type(value)
    key = ("condition", atom.text, kind, value, holds) if kind in KEEPABLE else None
    found: ConditionTrace | None = pieces.get(key) if key is not None else None
    if found is None:
        found = build(
            ConditionTrace,
            condition=atom.text,
            fact=atom.fact,
            value=plain(value),
            holds=holds,
            text=fill(atom.words, value, show_value),
        )
        if key is not None:
            pieces[key] = found
    return found


def _derived_trace(engine: Engine, env: Env, fired: set[int]) -> list[DerivedTrace]:
    found: list[DerivedTrace] = []
    program = engine.program
    for name, derived in engine.rulebook.spec.derived.items():
        set_by = [program.rules[i].id for i in program.setters[name] if i in fired]
        found.append(
            build(
                DerivedTrace,
                fact=name,
                value=plain(env.get(name)),
                set_by=set_by,
                computed_from=derived.value,
            )
        )
    return found
