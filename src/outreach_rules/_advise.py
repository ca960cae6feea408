"""The explain stage: fired rules and final values become Advice with reasons."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import _templates
from ._questions import find_questions
from ._tracing import make_trace
from ._words import fill, plain, show_value
from .advice import Advice
from .compile import CompiledRule, Env
from .model import (
    Citation,
    Decision,
    Draft,
    Finding,
    PackInfo,
    Reason,
    Recommendation,
    RulebookInfo,
    build,
)

if TYPE_CHECKING:
    from .engine import Engine
    from .rulebook import Cite


def citation(engine: Engine, cite: Cite) -> Citation:
    """A result Citation for a pack citation (one per citation and engine: it is immutable)."""
    key = (cite.source, cite.section, cite.quote)
    found = engine._cache.citations.get(key)
    if found is None:
        source = engine.rulebook.spec.sources[cite.source]
        found = engine._cache.citations[key] = build(
            Citation,
            source=cite.source,
            title=source.title,
            section=cite.section,
            quote=cite.quote,
            own=source.own,
        )
    return found


Memo = dict[int, list[Reason]]


def reasons(
    engine: Engine, rule: CompiledRule, env: Env, fired: set[int], memo: Memo
) -> list[Reason]:
    """The holding atoms of a fired rule's condition, with values, in words, and the chain
    behind every derived fact they read (computed once per rule per evaluation)."""
    found = memo.get(rule.index)
    if found is not None:
        return found
    found = []
    for atom in rule.atoms:
        if atom.test(env) is not True:
            continue
        value = atom.value(env)
        # The values are built here from checked parts: skip re-validating them.
        found.append(
            build(
                Reason,
                fact=atom.fact,
                value=plain(value),
                condition=atom.text,
                holds=True,
                text=fill(atom.words, value, show_value),
                **_provenance(engine, atom.fact, env, fired, memo),
            )
        )
    memo[rule.index] = found
    return found


def _provenance(
    engine: Engine, fact: str | None, env: Env, fired: set[int], memo: Memo
) -> dict[str, Any]:
    derived = engine.rulebook.spec.derived.get(fact or "")
    if derived is None:
        return {"set_by": None, "computed_from": None, "because": []}
    if derived.value is not None:
        return {"set_by": None, "computed_from": derived.value, "because": []}
    for index in engine.program.setters.get(fact or "", []):
        if index in fired:
            setter = engine.program.rules[index]
            chain = reasons(engine, setter, env, fired, memo)
            return {"set_by": setter.id, "computed_from": None, "because": chain}
    return {"set_by": None, "computed_from": None, "because": []}


def template_values(engine: Engine, env: Env, today: datetime.date) -> dict[str, Any]:
    """What templates see: every fact and derived fact (None when unknown), the functions,
    the parameters and today."""
    facts = {name: env.get(name) for name in engine.program.checked.facts}
    return _templates.context(facts, engine.program.checked.params, today)


def build_advice(
    engine: Engine,
    env: Env,
    fired: list[int],
    known: Mapping[str, Any],
    today: datetime.date,
    *,
    trace: bool,
) -> Advice:
    """Assemble Advice from the fired rules and the final values."""
    program = engine.program
    fired_set = set(fired)
    rules = [program.rules[i] for i in fired if program.rules[i].checked.spec is not None]
    values = template_values(engine, env, today)
    memo: Memo = {}
    # Reasons of setters first (lower strata), so a chain of derived facts of any length is
    # explained without recursing once per link.
    for index in sorted(fired, key=lambda i: program.rules[i].stratum):
        reasons(engine, program.rules[index], env, fired_set, memo)
    decisions = _decisions(engine, rules, env, fired_set, memo)
    winner = decisions[0] if decisions else None
    ranked = sorted(rules, key=lambda r: (-r.checked.priority, r.id))
    advice = build(
        Advice,
        decision=winner,
        alternatives=decisions[1:],
        recommendations=_items(engine, ranked, env, fired_set, memo, values, "recommend"),
        findings=_items(engine, ranked, env, fired_set, memo, values, "flag"),
        questions=find_questions(engine, env, known, today, fired, winner) if trace else [],
        draft=_draft(engine, winner, env, values),
        rulebook=rulebook_info(engine),
        situation={name: plain(value) for name, value in known.items()},
        today=today,
    )
    return with_trace(advice, engine, (env, fired_set) if trace else None)


TraceInputs = tuple[Env, set[int]]


def with_trace(advice: Advice, engine: Engine, inputs: TraceInputs | None) -> Advice:
    """The Advice, given what makes its trace when it is first read (None: no trace)."""
    make = functools.partial(make_trace, engine, *inputs) if inputs is not None else None
    object.__setattr__(advice, "__pydantic_private__", {"_trace": None, "_make_trace": make})
    return advice


def trace_inputs(advice: Advice) -> TraceInputs | None:
    """What the Advice's trace will be made from, if it is still to be made."""
    make = advice._make_trace
    if not isinstance(make, functools.partial):
        return None
    _, env, fired = make.args
    return env, fired


def _decisions(
    engine: Engine, rules: list[CompiledRule], env: Env, fired: set[int], memo: Memo
) -> list[Decision]:
    proposing = sorted(
        (r for r in rules if r.checked.spec and r.checked.spec.decide),
        key=lambda r: (-r.checked.priority, r.id),
    )
    decisions: list[Decision] = []
    for rule in proposing:
        spec = rule.checked.spec
        assert spec is not None and spec.decide is not None
        decisions.append(
            build(
                Decision,
                id=spec.decide,
                title=engine.rulebook.spec.decisions[spec.decide].title,
                rule_id=rule.id,
                priority=rule.checked.priority,
                because=reasons(engine, rule, env, fired, memo),
                rationale=spec.rationale,
                source=citation(engine, spec.cite),
                lost_to=proposing[0].id if decisions else None,
            )
        )
    return decisions


def _items(
    engine: Engine,
    rules: list[CompiledRule],
    env: Env,
    fired: set[int],
    memo: Memo,
    values: dict[str, Any],
    kind: str,
) -> list[Any]:
    items: list[Any] = []
    for rule in rules:
        spec = rule.checked.spec
        outcome = getattr(spec, kind) if spec else None
        if spec is None or outcome is None:
            continue
        fields = {
            "rule_id": rule.id,
            "topic": outcome.topic,
            "text": _templates.render(outcome.text, values),
            "priority": rule.checked.priority,
            "because": reasons(engine, rule, env, fired, memo),
            "rationale": spec.rationale,
            "source": citation(engine, spec.cite),
        }
        items.append(
            build(Finding, **fields, severity=outcome.severity)
            if kind == "flag"
            else build(Recommendation, **fields)
        )
    return items


def _draft(
    engine: Engine, winner: Decision | None, env: Env, values: dict[str, Any]
) -> Draft | None:
    if winner is None:
        return None
    for draft in engine.program.checked.drafts:
        test = engine.program.draft_tests.get(draft.id)
        if draft.decision != winner.id or (test is not None and test(env) is not True):
            continue
        spec = draft.spec
        return build(
            Draft,
            id=draft.id,
            channel=spec.channel,
            subject=_templates.render(spec.subject, values),
            body=_templates.render(spec.body, values),
            source=citation(engine, spec.cite),
        )
    return None


def rulebook_info(engine: Engine) -> RulebookInfo:
    """Names, versions and digests of the packs behind an engine."""
    packs = engine._cache.packs
    if packs is None:
        packs = engine._cache.packs = [
            build(
                PackInfo,
                name=f.spec.pack,
                version=f.spec.version,
                title=f.spec.title,
                path=f.path,
                digest=f.digest,
            )
            for f in engine.rulebook.files
        ]
    # Fresh containers for every Advice: only the immutable PackInfo models are shared.
    return build(
        RulebookInfo,
        packs=list(packs),
        digest=engine.rulebook.digest,
        params=dict(engine.program.checked.params),
    )
