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

from ._words import fill, plain, show_value
from .compile import AtomCheck, CompiledRule, Env
from .model import ConditionTrace, DerivedTrace, RuleTrace, Trace, build

if TYPE_CHECKING:
    from .engine import Engine

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
    pieces: Pieces | None = engine.memo.get("trace pieces")
    if pieces is None or len(pieces) > MAX_REMEMBERED_PIECES:
        pieces = engine.memo["trace pieces"] = {}
    return pieces


def _rule_trace(rule: CompiledRule, env: Env, fired: set[int], pieces: Pieces) -> RuleTrace:
    made = [_condition_trace(atom, env, pieces) for atom in rule.atoms]
    keys = tuple(key for key, _ in made)
    is_fired, holds = rule.index in fired, rule.test(env)
    key = ("rule", rule.index, is_fired, holds, keys) if None not in keys else None
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
            conditions=tuple(condition for _, condition in made),
        )
        if key is not None:
            pieces[key] = found
    return found


def _condition_trace(
    atom: AtomCheck, env: Env, pieces: Pieces
) -> tuple[Hashable | None, ConditionTrace]:
    """The condition's trace, and the key it is kept under (None: not kept)."""
    value, holds = atom.value(env), atom.test(env)
    # The type is part of the key: 1, 1.0 and True are equal but read differently.
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
    return key, found


def _derived_trace(engine: Engine, env: Env, fired: set[int]) -> list[DerivedTrace]:
    spec = engine.rulebook.spec
    found: list[DerivedTrace] = []
    for name, derived in spec.derived.items():
        set_by = [r.id for r in engine.program.rules if r.index in fired and name in r.checked.sets]
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
