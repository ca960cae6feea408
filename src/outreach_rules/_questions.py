"""Questions for missing facts: the unknown facts whose answer would change the advice.

A fact is asked about only when some answer is shown to change what fires. Answers are
tried on the python backend: every value of a yes/no or choice fact, and for open-ended
facts (numbers, dates, strings, lists, text) values built from the constants the pack's
conditions compare with. A trial re-tests only the rules that depend on the fact (directly or
through derived facts), so asking costs a fraction of a full evaluation per answer.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from . import _catalog as catalog
from . import _expr as expr
from ._compile import Env, Program, call_closure, memo_key
from ._model import Choice, Decision, Question, build
from ._provisional import winning_rule
from ._rulebook import FactSpec
from ._text import FUNCTIONS

if TYPE_CHECKING:
    from ._engine import Engine
    from ._rulebook import RuleSpec
    from ._translation import Translation

MAX_LIST_ITEMS = 20
MAX_SAMPLE_WORDS = 2_000
MAX_REMEMBERED_DAYS = 8  # answers to try are remembered for this many days of `today`


class _Plan:
    """What question finding needs from an engine, computed once per engine."""

    def __init__(self, engine: Engine) -> None:
        program = engine.program
        self.engine = engine
        feeds: dict[str, set[str]] = {}
        for name, node in program.checked.derived_values:
            for source in expr.fact_names(node):
                feeds.setdefault(source, set()).add(name)
        for rule in program.rules:
            for target in rule.checked.sets:
                for source in rule.checked.reads:
                    feeds.setdefault(source, set()).add(target)
        readers: dict[str, set[int]] = {}
        for rule in program.rules:
            for name in rule.checked.reads:
                readers.setdefault(name, set()).add(rule.index)
        reach = {name: _reach(name, feeds) for name in program.checked.facts}
        self.reach = reach  # fact -> itself and every derived fact it feeds
        self.dependents = {
            name: {i for reached in reach[name] for i in readers.get(reached, ())}
            for name in program.checked.facts
        }
        # What a trial must compute again (the rest of the evaluation's values stay): the
        # derived values the fact feeds, and the remembered function results that read it.
        self.values = {
            name: [(target, compute) for target, compute in program.values if target in reached]
            for name, reached in reach.items()
        }
        self.retest = {
            name: [i for stratum in program.strata for i in stratum.rules if i in deps]
            for name, deps in self.dependents.items()
        }
        calls = _calls(program)
        memos = {key: set(expr.fact_names(call)) for key, call in calls.items()}
        self.stale = {
            name: [key for key, reads in memos.items() if reads & reached]
            for name, reached in reach.items()
        }
        # Function calls that read one fact and constants: their results on the answers
        # tried (the same few for every situation) are remembered for the engine's life.
        self.own_calls = {
            name: [
                (key, call_closure(call))
                for key, call in calls.items()
                if memos[key] == {name} and not _reads_today(call)
            ]
            for name in program.checked.facts
        }
        self.call_results: dict[tuple[str, type, Any], Any] = {}
        # A rule that only sets derived facts advises nothing itself: what it changes shows
        # in the rules that read those facts, which a trial tests again.
        self.advising = {rule.index for rule in program.rules if _advises(rule.checked.spec)}
        self.deciding = {
            rule.index
            for rule in program.rules
            if rule.checked.spec is not None and rule.checked.spec.decide is not None
        }
        self._candidates: dict[tuple[str, datetime.date], list[Any]] = {}
        self.numbers, self.strings, self.phrases = _constants(engine)

    def candidates_for(self, fact: str, spec: FactSpec, today: datetime.date) -> list[Any]:
        """`candidates`, made once per fact and day."""
        key = (fact, today)
        found = self._candidates.get(key)
        if found is None:
            if len(self._candidates) > MAX_REMEMBERED_DAYS * len(self.dependents):
                self._candidates.clear()
            found = self._candidates[key] = self.candidates(spec, today)
        return found

    def candidates(self, spec: FactSpec, today: datetime.date) -> list[Any]:
        """Answers to try for a fact: all of a closed type, telling samples of an open one."""
        if spec.type == "bool":
            return [True, False]
        if spec.type == "enum":
            return list(spec.values or [])
        near = sorted({n + step for n in self.numbers for step in (-1, 0, 1)} | {0})
        if spec.type == "int":
            return [int(n) for n in near]
        if spec.type == "float":
            return [float(n) for n in near] + [n + 0.5 for n in near]
        if spec.type == "date":
            return [today + datetime.timedelta(days=int(n)) for n in near if abs(n) < 3650]
        if spec.type == "str":
            return [*self.strings, "something else"]
        if spec.type == "list":
            return _list_samples(self.numbers, self.phrases)
        return _text_samples(self.numbers, self.phrases)


def facts_feeding(engine: Engine, names: Iterable[str]) -> set[str]:
    """The facts that are among `names` or feed a derived fact among them."""
    wanted = set(names)
    return {fact for fact, reached in _plan(engine).reach.items() if reached & wanted}


def _advises(spec: RuleSpec | None) -> bool:
    return spec is not None and bool(spec.decide or spec.recommend or spec.flag)


def _reach(name: str, feeds: dict[str, set[str]]) -> set[str]:
    seen, todo = {name}, [name]
    while todo:
        for nxt in feeds.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _calls(program: Program) -> dict[str, expr.Call]:
    """Every function call of the conditions, by the key its result is remembered under."""
    nodes: list[Any] = [rule.checked.cond for rule in program.rules]
    nodes += [node for _, node in program.checked.derived_values]
    return {
        memo_key(part): part
        for node in nodes
        for part in expr.walk(node)
        if isinstance(part, expr.Call)
    }


def _reads_today(call: expr.Call) -> bool:
    return any(
        isinstance(part, expr.Call) and FUNCTIONS[part.function].needs_today
        for part in expr.walk(call)
    )


def _constants(engine: Engine) -> tuple[list[float], list[str], list[str]]:
    numbers: set[float] = set()
    strings: set[str] = set()
    for rule in engine.program.rules:
        for part in expr.walk(rule.checked.cond):
            value = getattr(part, "value", None)
            if isinstance(part, expr.Const | expr.ParamRef) and not isinstance(value, bool):
                if isinstance(value, int | float):
                    numbers.add(value)
                elif isinstance(value, str):
                    strings.add(value)
    # A couple of phrases from each list parameter are enough to set off a phrase test.
    phrases = [
        item
        for value in engine.program.checked.params.values()
        if isinstance(value, list)
        for item in value[:2]
    ]
    return sorted(numbers), sorted(strings), phrases


def _list_samples(numbers: Iterable[float], phrases: list[str]) -> list[Any]:
    many = min(MAX_LIST_ITEMS, _size(numbers) + 1)
    specific = "Which skills and experiences matter most for this team's daily work?"
    return [
        [],
        ["?"],
        [specific],
        *([phrase] for phrase in phrases[:5]),
        [f"Question {n} about the role and the interview format?" for n in range(many)],
    ]


def _size(numbers: Iterable[float]) -> int:
    """The largest constant that can sensibly size a sample (a count of words or items)."""
    return int(max([0, *(n for n in numbers if n <= MAX_SAMPLE_WORDS)]))


def _text_samples(numbers: Iterable[float], phrases: list[str]) -> list[str]:
    words = " ".join(["word"] * (_size(numbers) + 2))
    shouting = "PLEASE ANSWER QUICKLY!! 😀 " + " ".join(phrases)
    polite = (
        "Dear Dana,\n\nThank you for the opportunity. " + " ".join(phrases) + "\n"
        "Which skills and experiences matter most for this team's daily work?\n\n"
        "Best regards,\nSam"
    )
    return ["", words, shouting, polite]


def _plan(engine: Engine) -> _Plan:
    cached = engine._cache.question_plan
    if cached is None:
        cached = engine._cache.question_plan = _Plan(engine)
    return cached


def winner_of(engine: Engine, fired: Iterable[int]) -> str | None:
    """The decision the fired rules give (highest priority, then smallest rule id)."""
    index = winning_rule(engine, fired)
    spec = engine.program.rules[index].checked.spec if index is not None else None
    return spec.decide if spec is not None else None


def trial(engine: Engine, env: Env, open_rules: list[int], fact: str, value: Any) -> set[int]:
    """The rules that would fire if `fact` had `value`, among `open_rules`: those that read it
    (directly or through derived facts) and whose condition is unknown now, in the order
    they run. No other rule can change: with three-valued logic an answer only turns
    unknown into true or false, so a rule that fired still fires, and one that failed still
    fails, whatever the answer."""
    program = engine.program
    plan = _plan(engine)
    trial_env = dict(env)
    trial_env[fact] = value
    for key in plan.stale[fact]:
        trial_env.pop(key, None)
    _recall_calls(plan, fact, value, trial_env)
    for name, compute in plan.values[fact]:
        result = compute(trial_env)
        if result is None:
            trial_env.pop(name, None)
        else:
            trial_env[name] = result
    now: set[int] = set()
    for index in open_rules:
        rule = program.rules[index]
        if rule.test(trial_env) is True:
            now.add(index)
            trial_env.update(rule.checked.sets)
    return now


def _recall_calls(plan: _Plan, fact: str, value: Any, trial_env: Env) -> None:
    """Put the results of the fact's own function calls for this answer in place."""
    answer = _answer_key(value)
    if answer is None:
        return
    for key, call in plan.own_calls[fact]:
        remembered = (key, type(value), answer)
        if remembered in plan.call_results:
            trial_env[key] = plan.call_results[remembered]
        else:
            plan.call_results[remembered] = call(trial_env)


def _answer_key(value: Any) -> Hashable | None:
    """An answer tried as a key of the remembered call results. A list answer (the samples
    of a list fact, the same every time) is keyed by its items: text functions over a list
    of questions are most of the cost of asking about it. None when it cannot be a key."""
    if not isinstance(value, list):
        found: Hashable = value  # answers of the other types are plain values
        return found
    if not all(isinstance(item, str | int | float | bool) for item in value):
        return None
    return tuple((type(item), item) for item in value)


def find_questions(
    engine: Engine,
    env: Env,
    known: Mapping[str, Any],
    today: datetime.date,
    fired: list[int],
    winner: Decision | None,
    first: frozenset[str] = frozenset(),
    words: Translation | None = None,
) -> list[Question]:
    """Unknown facts worth asking about: the facts in `first` (those a provisional decision
    rests on), then those that can change the decision; among equals, the pack's
    `ask_order`, then the priority of the rules they affect, then the order the facts are
    declared in."""
    plan = _plan(engine)
    base = set(fired)
    decision = winner.id if winner else None
    # Findings review the candidate's own message; once the decision is one that sends no
    # message (it has no draft), a fact that would only add findings is not worth asking.
    sends = winner is None or any(d.decision == winner.id for d in engine.program.checked.drafts)
    unknown: dict[int, bool] = {}  # rule index -> whether its condition is unknown now
    found: list[tuple[tuple[int, int, float, int, int], Question]] = []
    for position, (name, spec) in enumerate(engine.rulebook.spec.facts.items()):
        if name in known:
            continue
        open_rules = [i for i in plan.retest[name] if _is_unknown(engine, i, env, unknown)]
        affects, changes = _effects(engine, env, open_rules, base, decision, name, spec, today)
        if affects and not sends and all(_flags_only(engine, i) for i in affects):
            continue
        if affects:
            top = max(engine.program.rules[i].checked.priority for i in affects)
            order = float("inf") if spec.ask_order is None else spec.ask_order
            rank = (0 if name in first else 1, 0 if changes else 1, order, -top, position)
            found.append((rank, _question(engine, name, spec, affects, changes, words)))
    return [question for _, question in sorted(found, key=lambda item: item[0])]


def _effects(
    engine: Engine,
    env: Env,
    open_rules: list[int],
    base: set[int],
    decision: str | None,
    fact: str,
    spec: FactSpec,
    today: datetime.date,
) -> tuple[set[int], bool]:
    """The rules with advice that some answer makes fire, and whether one changes the
    decision. Answers stop being tried once nothing more can be learned from them."""
    plan = _plan(engine)
    possible = set(open_rules) & plan.advising
    deciding = bool(possible & plan.deciding)
    affects: set[int] = set()
    changes = False
    if not possible:
        return affects, changes
    for value in plan.candidates_for(fact, spec, today):
        now = trial(engine, env, open_rules, fact, value)
        affects |= now & plan.advising
        if not changes and now & plan.deciding:
            changes = winner_of(engine, base | now) != decision
        if affects == possible and (changes or not deciding):
            break
    return affects, changes


def _flags_only(engine: Engine, index: int) -> bool:
    """Whether a rule's only advice is a finding (it decides and recommends nothing)."""
    spec = engine.program.rules[index].checked.spec
    return spec is not None and spec.flag is not None and not (spec.decide or spec.recommend)


def _is_unknown(engine: Engine, index: int, env: Env, seen: dict[int, bool]) -> bool:
    found = seen.get(index)
    if found is None:
        found = seen[index] = engine.program.rules[index].test(env) is None
    return found


def prompt_of(name: str, spec: FactSpec) -> str:
    """The question that asks for a fact (made from its name when the pack gives none)."""
    return spec.question or f"What is {name.replace('_', ' ')}?"


def choices_of(
    spec: FactSpec, name: str = "", words: Translation | None = None
) -> list[Choice] | None:
    """The answers a yes/no or choice fact offers, each value as `evaluate` takes it, with
    labels in the translation's language when one is given."""
    if spec.type == "bool":
        return list(_yes_no(words.locale if words is not None else None))
    if spec.type == "enum":
        return [
            build(Choice, value=value, label=_choice_label(name, value, words))
            for value in spec.values or []
        ]
    return None


@functools.lru_cache(maxsize=32)
def _yes_no(locale: str | None) -> tuple[Choice, Choice]:
    """The answers of a yes/no question in a locale's words (shared: they are immutable)."""
    return (
        build(Choice, value=True, label=catalog.word(locale, "Yes")),
        build(Choice, value=False, label=catalog.word(locale, "No")),
    )


def _choice_label(fact: str, value: str, words: Translation | None) -> str:
    said = words.choice(fact, value) if words is not None else None
    return said if said is not None else value[:1].upper() + value[1:]


def _question(
    engine: Engine,
    name: str,
    spec: FactSpec,
    affects: set[int],
    changes: bool,
    words: Translation | None = None,
) -> Question:
    said = spec if words is None else words.fact(name, spec)
    return build(
        Question,
        fact=name,
        prompt=prompt_of(name, said),
        type=spec.type,
        choices=choices_of(spec, name, words),
        affects=sorted(engine.program.rules[i].id for i in affects),
        changes_decision=changes,
    )
