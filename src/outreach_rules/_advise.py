"""The explain stage: fired rules and final values become Advice with reasons."""

from __future__ import annotations

import datetime
import functools
import threading
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import _expr as expr
from . import _templates
from ._advice import Advice
from ._catalog import phrases
from ._compile import CompiledRule, Env
from ._guard import only_library_errors
from ._model import (
    Assumption,
    Citation,
    Decision,
    Draft,
    Finding,
    PackInfo,
    Reason,
    Recommendation,
    RulebookInfo,
    build,
    build_whole,
)
from ._provisional import provisional_run
from ._questions import find_questions, prompt_of
from ._remembered import (
    MAX_KEPT_TEXT,
    Texts,
    item_key,
    item_reads,
    one_type,
    reasons_key,
    table,
)
from ._tracing import make_trace
from ._words import fact_words, fill, plain, show_value
from .errors import EvaluationError

if TYPE_CHECKING:
    from ._engine import Engine
    from ._rulebook import Cite, FactSpec
    from ._translation import Translation


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
    engine: Engine,
    rule: CompiledRule,
    env: Env,
    fired: AbstractSet[int],
    memo: Memo,
    words: Translation | None = None,
) -> list[Reason]:
    """The holding atoms of a fired rule's condition, with values, in words, and the chain
    behind every derived fact they read (computed once per rule per evaluation, and made
    from the engine's table when an earlier evaluation read the same values)."""
    found = memo.get(rule.index)
    if found is not None:
        return found
    key = reasons_key(engine, rule, env)
    kept: tuple[Reason, ...] | None = None
    if key is not None:
        remembered = table(engine, "reasons" if words is None else f"reasons.{words.locale}")
        kept = remembered.get(key)
        if kept is None:
            kept = remembered[key] = tuple(_reasons(engine, rule, env, fired, memo, words))
    # A fresh list for every evaluation; the immutable Reasons in it are shared.
    found = memo[rule.index] = list(kept) if kept is not None else []
    if kept is None:
        found += _reasons(engine, rule, env, fired, memo, words)
    return found


def _sentences(engine: Engine, rule: CompiledRule, words: Translation | None) -> list[str]:
    """The sentence of each atom of a rule: the compiled English ones, or those in the
    translation's language (made once per engine and locale)."""
    if words is None:
        return rule.sentences
    made = table(engine, f"sentences.{words.locale}")
    found: list[str] | None = made.get(rule.index)
    if found is None:
        describer = words.describer(engine.rulebook.spec)
        atoms = expr.atoms(expr.negation_normal_form(rule.checked.cond))
        found = made[rule.index] = [describer.atom(atom) for atom in atoms]
    return found


def _reasons(
    engine: Engine,
    rule: CompiledRule,
    env: Env,
    fired: AbstractSet[int],
    memo: Memo,
    words: Translation | None,
) -> list[Reason]:
    found = []
    locale = _locale(words)
    show = show_value if locale is None else functools.partial(show_value, locale=locale)
    for atom, sentence in zip(rule.atoms, _sentences(engine, rule, words), strict=True):
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
                text=fill(sentence, value, show),
                **_provenance(engine, atom.fact, env, fired, memo, words),
            )
        )
    return found


def _provenance(
    engine: Engine,
    fact: str | None,
    env: Env,
    fired: AbstractSet[int],
    memo: Memo,
    words: Translation | None,
) -> dict[str, Any]:
    derived = engine.rulebook.spec.derived.get(fact or "")
    if derived is None:
        return {"set_by": None, "computed_from": None, "because": []}
    if derived.value is not None:
        return {"set_by": None, "computed_from": derived.value, "because": []}
    for index in engine.program.setters.get(fact or "", []):
        if index in fired:
            setter = engine.program.rules[index]
            chain = reasons(engine, setter, env, fired, memo, words)
            return {"set_by": setter.id, "computed_from": None, "because": chain}
    return {"set_by": None, "computed_from": None, "because": []}


def build_advice(
    engine: Engine,
    env: Env,
    fired: list[int],
    known: Mapping[str, Any],
    today: datetime.date,
    *,
    trace: bool,
    translation: Translation | None = None,
) -> Advice:
    """Advice from the fired rules and the final values; its parts are made when first
    read (see `Pending`), exactly as they would be made at once. With a `translation`, the
    texts a candidate reads are in its language (the pack's own where it gives none)."""
    advice = Advice.__new__(Advice)
    object.__setattr__(advice, "__dict__", {"today": today, "locale": _locale(translation)})
    object.__setattr__(advice, "__pydantic_fields_set__", _FIELD_SET.copy())
    object.__setattr__(advice, "__pydantic_extra__", None)
    make = functools.partial(make_trace, engine, env, set(fired)) if trace else None
    pending = Pending(engine, env, fired, known, today, trace, translation)
    private = {"_trace": None, "_make_trace": make, "_pending": pending}
    object.__setattr__(advice, "__pydantic_private__", private)
    return advice


_FIELDS = tuple(Advice.model_fields)
_FIELD_SET = set(_FIELDS)
# The parts made together: the decisions (with the assumptions of a provisional one); the
# texts, in the order their renders share the evaluation's output budget; the questions;
# and the rest. A part needing the decision makes it first.
_PARTS = {
    "decision": "decide",
    "provisional": "decide",
    "assuming": "decide",
    "alternatives": "decide",
    "provisional_recommendations": "if_so",
    "provisional_draft": "if_so",
    "recommendations": "texts",
    "findings": "texts",
    "draft": "texts",
    "questions": "questions",
    "rulebook": "rest",
    "situation": "rest",
}


_ALL_PARTS = ["decide", "texts", "if_so", "questions", "rest"]


class Pending:
    """What an Advice's parts are made from until they are read: an evaluation's values,
    fired rules and facts. Each part is made once (a lock keeps two threads from charging
    the output budget twice); a part that fails raises EvaluationError when it is read, and
    again on every later read."""

    def __init__(
        self,
        engine: Engine,
        env: Env,
        fired: list[int],
        known: Mapping[str, Any],
        today: datetime.date,
        trace: bool,
        translation: Translation | None = None,
    ) -> None:
        self.engine, self.env, self.fired, self.known = engine, env, fired, known
        self.today, self.trace, self.translation = today, trace, translation
        self.memo: Memo | None = None
        self.done: set[str] = set()
        self.assumed: tuple[Env, list[int]] | None = None  # the run a provisional decision won

    @only_library_errors
    def fill(self, advice: Advice, name: str | None) -> None:
        """Make the part holding field `name`, or every part still to be made (None)."""
        # Made on the first read, not by every evaluation: setdefault is atomic, so two
        # threads reading at once still share one lock.
        lock = self.__dict__.get("lock") or self.__dict__.setdefault("lock", threading.RLock())
        with lock:
            parts = [_PARTS[name]] if name is not None else _ALL_PARTS
            for part in parts:
                if part not in self.done:
                    getattr(self, "_" + part)(advice.__dict__)
                    self.done.add(part)
            if name is None or len(self.done) == len(_ALL_PARTS):
                # Complete: the fields in their declared order (dumps follow it), and
                # nothing left to make.
                fields = advice.__dict__
                object.__setattr__(advice, "__dict__", {key: fields[key] for key in _FIELDS})
                advice.__pydantic_private__["_pending"] = None  # type: ignore[index]

    @property
    def shape(self) -> Shape:
        """What the fired rules decide (looked up on the first read of a part, not by every
        evaluation)."""
        return shape_of(self.engine, self.fired)

    def _reasons(self) -> Memo:
        if self.memo is None:
            self.memo = _reasons_of(self.engine, self.env, self.shape, self.translation)
        return self.memo

    def _decide(self, fields: dict[str, Any]) -> None:
        engine, shape, words = self.engine, self.shape, self.translation
        decisions = _decisions(engine, shape, self.env, self._reasons(), words)
        winner = decisions[0] if decisions else None
        provisional: Decision | None = None
        assuming: list[Assumption] = []
        if winner is None:
            found = _provisional(engine, self.known, self.today, words)
            provisional, assuming, self.assumed = found
        fields.update(
            decision=winner, provisional=provisional, assuming=assuming, alternatives=decisions[1:]
        )

    def _needs_decision(self, fields: dict[str, Any]) -> Decision | None:
        if "decide" not in self.done:
            self._decide(fields)
            self.done.add("decide")
        winner: Decision | None = fields["decision"]
        return winner

    def _texts(self, fields: dict[str, Any]) -> None:
        winner = self._needs_decision(fields)
        engine, env, shape, words = self.engine, self.env, self.shape, self.translation
        texts = Texts(engine, env, self.today, _locale(words))
        memo = self._reasons()
        recommendations = _items(engine, shape, env, memo, texts, "recommend", words)
        findings = _items(engine, shape, env, memo, texts, "flag", words)
        draft = _draft(engine, winner, env, texts, words)
        fields.update(recommendations=recommendations, findings=findings, draft=draft)

    def _if_so(self, fields: dict[str, Any]) -> None:
        """What to do, and the draft, if a provisional decision's assumptions hold."""
        provisional = self._needs_decision(fields) or fields["provisional"]
        if self.assumed is None or fields["decision"] is not None:
            fields.update(provisional_recommendations=[], provisional_draft=None)
            return
        engine, (env, fired), words = self.engine, self.assumed, self.translation
        texts = Texts(engine, env, self.today, _locale(words))
        shape = shape_of(engine, fired)
        memo = _reasons_of(engine, env, shape, words)
        recommendations = _items(engine, shape, env, memo, texts, "recommend", words)
        draft = _draft(engine, provisional, env, texts, words)
        fields.update(provisional_recommendations=recommendations, provisional_draft=draft)

    def _questions(self, fields: dict[str, Any]) -> None:
        winner = self._needs_decision(fields)
        if not self.trace:
            fields["questions"] = []
            return
        first = frozenset(item.fact for item in fields["assuming"])
        engine, env = self.engine, self.env
        fields["questions"] = find_questions(
            engine, env, self.known, self.today, self.fired, winner, first, self.translation
        )

    def _rest(self, fields: dict[str, Any]) -> None:
        fields.update(
            rulebook=rulebook_info(self.engine), situation=_situation(self.engine, self.known)
        )


def complete(advice: Advice) -> Advice:
    """The Advice with every part made (not the trace): where it must be whole now, as in
    a batch, whose errors take the place of the result."""
    advice._complete()
    return advice


def _situation(engine: Engine, known: Mapping[str, Any]) -> dict[str, Any]:
    """The facts given, as results hold them: only a date fact's value changes (to ISO text),
    so the others are copied as they are."""
    dates = engine._cache.date_facts
    if dates is None:
        facts = engine.rulebook.spec.facts
        dates = engine._cache.date_facts = tuple(n for n, s in facts.items() if s.type == "date")
    situation = dict(known)
    for name in dates:
        if name in situation:
            situation[name] = plain(situation[name])
    return situation


def _locale(words: Translation | None) -> str | None:
    """The locale of a translation; None: the pack's own language."""
    return None if words is None else words.locale


@dataclass(frozen=True)
class Shape:
    """What the set of fired rules alone decides about the advice: kept per engine by the
    fired rules, as evaluations of one pack meet the same sets again and again."""

    fired: frozenset[int]
    proposing: tuple[CompiledRule, ...]  # the rules proposing a decision, strongest first
    recommend: tuple[CompiledRule, ...]  # the rules with a recommendation, highest first
    flag: tuple[CompiledRule, ...]  # the rules whose findings are shown (see `reviewed`)
    setting: tuple[CompiledRule, ...]  # the rules that may set a derived fact, by stratum


def shape_of(engine: Engine, fired: list[int]) -> Shape:
    """The Shape of a list of fired rules (made once per engine and list)."""
    key = tuple(fired)
    shapes = table(engine, "shapes")
    found: Shape | None = shapes.get(key)
    if found is None:
        found = shapes[key] = _shape(engine, fired)
    return found


def _shape(engine: Engine, fired: list[int]) -> Shape:
    rules = engine.program.rules
    ranked = sorted(
        (rules[i] for i in fired if rules[i].checked.spec is not None),
        key=lambda r: (-r.checked.priority, r.id),
    )
    setting = {index for ids in engine.program.setters.values() for index in ids}
    return Shape(
        fired=frozenset(fired),
        proposing=tuple(r for r in ranked if r.checked.spec and r.checked.spec.decide),
        recommend=tuple(r for r in ranked if r.checked.spec and r.checked.spec.recommend),
        flag=tuple(r for r in reviewed(ranked) if r.checked.spec and r.checked.spec.flag),
        setting=tuple(sorted((rules[i] for i in fired if i in setting), key=_stratum)),
    )


def _stratum(rule: CompiledRule) -> int:
    return rule.stratum


def _reasons_of(engine: Engine, env: Env, shape: Shape, words: Translation | None = None) -> Memo:
    """The reasons of every fired rule that sets a derived fact, lower strata first: a
    chain of derived facts of any length is then explained without recursing once per
    link. Other rules' reasons are made when a decision or item needs them."""
    memo: Memo = {}
    for rule in shape.setting:
        reasons(engine, rule, env, shape.fired, memo, words)
    return memo


def _provisional(
    engine: Engine, known: Mapping[str, Any], today: datetime.date, words: Translation | None
) -> tuple[Decision | None, list[Assumption], tuple[Env, list[int]] | None]:
    """The decision that wins on the pack's assumptions, the assumptions it rests on, and
    the values and fired rules of that evaluation."""
    found = provisional_run(engine, known, today)
    if found is None:
        return None, [], None
    env, fired, assumed = found
    shape = shape_of(engine, fired)
    memo = _reasons_of(engine, env, shape, words)
    decision = _decisions(engine, shape, env, memo, words)[0]
    facts = engine.rulebook.spec.facts
    said = {
        name: facts[name] if words is None else words.fact(name, facts[name]) for name in assumed
    }
    assuming = [
        build(
            Assumption,
            fact=name,
            value=plain(value),
            question=prompt_of(name, said[name]),
            text=assumption_text(said[name], name, value, _locale(words)),
        )
        for name, value in assumed.items()
    ]
    return decision, assuming, (env, fired)


def assumption_text(spec: FactSpec, name: str, value: Any, locale: str | None = None) -> str:
    """An assumed value in words: the fact's own statement for a yes/no fact."""
    words = fact_words({name: spec})[name]
    if isinstance(value, bool):
        said = words.when_true if value else words.when_false
        return said or f"{words.label}: {show_value(value, locale)}"
    return phrases(locale).statement.format(words.label, show_value(value, locale))


TraceInputs = tuple[Env, set[int]]


def with_trace(advice: Advice, engine: Engine, inputs: TraceInputs | None) -> Advice:
    """The Advice, given what makes its trace when it is first read (None: no trace)."""
    make = functools.partial(make_trace, engine, *inputs) if inputs is not None else None
    before = advice.__pydantic_private__ or {}
    private = {"_trace": None, "_make_trace": make, "_pending": before.get("_pending")}
    object.__setattr__(advice, "__pydantic_private__", private)
    return advice


def trace_inputs(advice: Advice) -> TraceInputs | None:
    """What the Advice's trace will be made from, if it is still to be made."""
    make = advice._make_trace
    if not isinstance(make, functools.partial):
        return None
    _, env, fired = make.args
    return env, fired


def _decisions(
    engine: Engine,
    shape: Shape,
    env: Env,
    memo: Memo,
    words: Translation | None = None,
) -> list[Decision]:
    decisions: list[Decision] = []
    titles = engine.rulebook.spec.decisions
    proposed: set[str] = set()
    for rule in shape.proposing:
        spec = rule.checked.spec
        assert spec is not None and spec.decide is not None
        if spec.decide in proposed:  # one entry per decision: its strongest proposal
            continue
        proposed.add(spec.decide)
        decisions.append(
            build(
                Decision,
                id=spec.decide,
                title=_said(words, "decisions", spec.decide, "title", titles[spec.decide].title),
                rule_id=rule.id,
                priority=rule.checked.priority,
                because=reasons(engine, rule, env, shape.fired, memo, words),
                rationale=_said(words, "rules", rule.id, "rationale", spec.rationale),
                source=citation(engine, spec.cite),
                lost_to=shape.proposing[0].id if decisions else None,
            )
        )
    return decisions


@dataclass(frozen=True)
class _ItemPlan:
    """What a rule's recommendation or finding holds whatever the situation: read from the
    pack (and translation) once per engine, locale and kind."""

    rule_id: str
    topic: str
    text: str
    priority: int
    rationale: str
    source: Citation
    severity: str | None  # a finding's
    reads: tuple[str, ...] | None  # what the item depends on besides the day (`item_reads`)
    typed: bool  # every fact read has values of one type (`one_type`)
    fields: frozenset[str]  # the names of the item's fields


def _plans(engine: Engine, kind: str, words: Translation | None) -> dict[int, _ItemPlan]:
    """The item plan of every rule that gives a `kind` ("recommend" or "flag")."""
    made = table(engine, f"items.{kind}.{_locale(words) or ''}")
    found: dict[int, _ItemPlan] | None = made.get("plans")
    if found is None:
        found = made["plans"] = {
            rule.index: _plan(engine, rule, kind, words)
            for rule in engine.program.rules
            if rule.checked.spec is not None and getattr(rule.checked.spec, kind) is not None
        }
    return found


def _plan(engine: Engine, rule: CompiledRule, kind: str, words: Translation | None) -> _ItemPlan:
    spec = rule.checked.spec
    assert spec is not None
    outcome = getattr(spec, kind)
    text = _said(words, "rules", rule.id, kind, outcome.text)
    reads = item_reads(engine, rule, text)
    return _ItemPlan(
        rule_id=rule.id,
        topic=outcome.topic,
        text=text,
        priority=rule.checked.priority,
        rationale=_said(words, "rules", rule.id, "rationale", spec.rationale),
        source=citation(engine, spec.cite),
        severity=outcome.severity if kind == "flag" else None,
        reads=reads,
        typed=reads is not None and one_type(engine, reads),
        fields=frozenset((Finding if kind == "flag" else Recommendation).model_fields),
    )


def _items(
    engine: Engine,
    shape: Shape,
    env: Env,
    memo: Memo,
    texts: Texts,
    kind: str,
    words: Translation | None = None,
) -> list[Any]:
    plans = _plans(engine, kind, words)
    made = table(engine, f"made.{kind}.{_locale(words) or ''}")
    model = Finding if kind == "flag" else Recommendation
    items: list[Any] = []
    for rule in shape.recommend if kind == "recommend" else shape.flag:
        plan = plans[rule.index]
        reads = plan.reads
        key = item_key(rule, reads, plan.typed, env, texts.today) if reads is not None else None
        kept = made.get(key) if key is not None else None
        if kept is not None and texts.take(kept[1]):
            text, because = kept[0], list(kept[2])
        else:
            text, because = _item_parts(engine, rule, plan, env, shape, memo, texts, kind, words)
            if key is not None and len(text) <= MAX_KEPT_TEXT:
                made[key] = (text, texts.last, tuple(because))
        items.append(build_whole(model, _item_fields(plan, text, because), set(plan.fields)))
    return items


def _item_fields(plan: _ItemPlan, text: str, because: list[Reason]) -> dict[str, Any]:
    """The fields of an item, in their declared order."""
    fields = {
        "rule_id": plan.rule_id,
        "topic": plan.topic,
        "text": text,
        "priority": plan.priority,
        "because": because,
        "rationale": plan.rationale,
        "source": plan.source,
    }
    if plan.severity is not None:
        fields["severity"] = plan.severity
    return fields


def _item_parts(
    engine: Engine,
    rule: CompiledRule,
    plan: _ItemPlan,
    env: Env,
    shape: Shape,
    memo: Memo,
    texts: Texts,
    kind: str,
    words: Translation | None,
) -> tuple[str, list[Reason]]:
    """The text and reasons of an item that no earlier evaluation made."""
    text = _render(engine, ("rules", plan.rule_id), f"{kind} text", plan.text, texts, words)
    return text, reasons(engine, rule, env, shape.fired, memo, words)


def reviewed(rules: list[CompiledRule]) -> list[CompiledRule]:
    """The fired rules whose findings are shown: those that end the review, when one fired."""
    ending = [rule for rule in rules if _ends_review(rule)]
    return ending or rules


def _ends_review(rule: CompiledRule) -> bool:
    spec = rule.checked.spec
    return spec is not None and spec.flag is not None and spec.flag.ends_review


def _draft(
    engine: Engine, winner: Decision | None, env: Env, texts: Texts, words: Translation | None
) -> Draft | None:
    if winner is None:
        return None
    for draft in engine.program.checked.drafts:
        test = engine.program.draft_tests.get(draft.id)
        if draft.decision != winner.id or (test is not None and test(env) is not True):
            continue
        spec, owner = draft.spec, ("drafts", draft.id)
        subject = _said(words, "drafts", draft.id, "subject", spec.subject)
        body = _said(words, "drafts", draft.id, "body", spec.body)
        return build(
            Draft,
            id=draft.id,
            channel=spec.channel,
            subject=_render(engine, owner, "subject", subject, texts, words),
            body=_render(engine, owner, "body", body, texts, words),
            source=citation(engine, spec.cite),
        )
    return None


def _said(words: Translation | None, section: str, name: str, part: str, original: str) -> str:
    """A text in the translation's language, or the pack's own when it gives none."""
    return original if words is None else words.text(section, name, part, original)


def _render(
    engine: Engine,
    owner: tuple[str, str],
    part: str,
    text: str,
    texts: Texts,
    words: Translation | None = None,
) -> str:
    """A filled-in text; EvaluationError naming the pack (or translation) file, the rule or
    draft and the template line when it fails or runs past its bounds."""
    return texts.fill(
        text, lambda source, values: _rendered(engine, owner, part, source, values, words)
    )


def _rendered(
    engine: Engine,
    owner: tuple[str, str],
    part: str,
    text: str,
    values: dict[str, Any],
    words: Translation | None,
) -> str:
    try:
        return _templates.render(text, values)
    except _templates.RenderProblem as problem:
        section, name = owner
        path = engine.rulebook.locate(section, name)[0].path
        key = (section, name, part.removesuffix(" text"))
        if words is not None and key in words.where and words.texts.get(key) == text:
            path = words.where[key][0].path
        kind = "rule" if section == "rules" else "draft"
        line = f", template line {problem.line}" if problem.line else ""
        raise EvaluationError(
            f"{path}: {kind} '{name}', {part}{line}: {problem.message}"
        ) from problem.__cause__


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
