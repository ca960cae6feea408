"""Fuzz tests: whatever text a pack holds, loading it ends in a pack or a RulebookError.

Inputs come from `strategies.py`: random nested data dumped as YAML, raw text and soups of
YAML tokens (tags, anchors, directives), the bundled pack mutated as data and as text
(lines deleted, duplicated, moved, re-indented, characters changed), and condition
strings from a grammar, from token soups and from the bundled pack's own conditions with a
character changed. For every input:

- loading raises nothing but `RulebookError` (with at least one problem), or succeeds;
- a pack that loads evaluates an empty situation on the python backend, raising nothing but
  `OutreachRulesError`;
- a condition that passes the checker gives the same fired rules on both backends;
- each example makes fewer than BUDGET Python calls (counted here, since the "fuzz" profile
  has no Hypothesis deadline and seconds depend on the machine): loading and evaluating
  the bundled pack makes about a ninth of that.

In CI each test runs a few dozen examples; `make fuzz` runs them with the "fuzz" profile,
400 times as many (about 128,000 in all).
"""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import outreach_rules as orr
from outreach_rules._durable import available
from outreach_rules._rulebook import load_pack_text, merge
from strategies import (
    BUNDLED_PACK,
    CONDITION_PACK_SITUATION,
    TODAY,
    bundled_pack_text,
    condition_pack,
    condition_texts,
    mutated_pack_data,
    mutated_pack_texts,
    raw_texts,
    scaled,
    yaml_documents,
)
from work import calls_made

pytestmark = pytest.mark.filterwarnings(
    # A failing example holds a whole pack; Hypothesis warns before printing it.
    "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"
)

BUDGET = 5_000_000  # Python calls per example (see work.py)
# Examples per test in the "ci" profile; other profiles scale them (see strategies.scaled).
EXAMPLES = {"yaml": 60, "raw": 80, "data": 40, "text": 60, "conditions": 80}
# Where a fuzzed pack text is said to come from: beside the bundled pack, so that a source's
# `text:` is found, but under a name of its own, so that the bundled pack's translations
# are not taken for its own.
FUZZED = str(BUNDLED_PACK.with_name("fuzzed.yaml"))


def load(text: str) -> orr.Engine | None:
    """An engine (python backend) for a pack text, or None when it is refused. A refusal
    must be a RulebookError that carries and renders its problems. The text is named as a
    file beside the bundled pack (FUZZED)."""
    try:
        rulebook = merge([load_pack_text(text, FUZZED)])
        return orr.Engine(rulebook, backend="python")
    except orr.RulebookError as error:
        refusal = error
    assert refusal.problems, "a RulebookError without problems"
    assert str(refusal).count("\n") >= len(refusal.problems)
    return None


def load_and_evaluate(text: str) -> orr.Engine | None:
    """Load a pack text and, when it loads, evaluate an empty situation; within BUDGET."""
    engine, calls = calls_made(lambda: _load_and_evaluate(text))
    assert calls < BUDGET, f"loading and evaluating made {calls:,} calls"
    return engine


def _load_and_evaluate(text: str) -> orr.Engine | None:
    engine = load(text)
    if engine is not None:
        with contextlib.suppress(orr.OutreachRulesError):
            engine.evaluate({}, today=TODAY).model_dump()  # every part made, texts too
    return engine


def test_the_fuzz_profile_runs_over_100000_examples() -> None:
    """Protects what `make fuzz` promises: over 100,000 examples across the fuzz tests."""
    assert sum(EXAMPLES.values()) * settings.get_profile("fuzz").max_examples // 100 > 100_000


def test_the_bundled_pack_loads_unmutated() -> None:
    """Protects the mutation tests: the text they start from is a valid pack."""
    assert load_and_evaluate(bundled_pack_text()) is not None


@settings(max_examples=scaled(EXAMPLES["yaml"]))
@given(text=yaml_documents())
@example(text="!!python/object/apply:os.system ['true']\n")
@example(text="pack: !!bool maybe\n")
@example(text="pack: !!int ''\n")
@example(text="pack: !!timestamp x\n")
def test_random_yaml_data_loads_or_is_refused(text: str) -> None:
    """Protects the loader against any YAML document: random nested data (scalars of every
    kind, NaN, huge ints, datetimes, keys of any type) gives a RulebookError, never another
    exception, in bounded time."""
    load_and_evaluate(text)


@settings(max_examples=scaled(EXAMPLES["raw"]))
@given(text=raw_texts())
@example(text="a: !!float ''\n")
@example(text="&a [*a]")
@example(text="x: \x00")
def test_raw_text_loads_or_is_refused(text: str) -> None:
    """Protects the YAML reader against raw text: random characters and soups of YAML
    tokens (tags, anchors, aliases, directives, control characters) give a RulebookError."""
    load_and_evaluate(text)


@settings(max_examples=scaled(EXAMPLES["data"]))
@given(text=mutated_pack_data())
def test_mutated_pack_data_loads_or_is_refused(text: str) -> None:
    """Protects schema validation and checking deep inside a real pack: the bundled pack with
    values replaced by random data, keys deleted or renamed and items duplicated."""
    load_and_evaluate(text)


@settings(max_examples=scaled(EXAMPLES["text"]))
@given(text=mutated_pack_texts())
def test_mutated_pack_text_loads_or_is_refused(text: str) -> None:
    """Protects every stage against near-misses of a valid pack: the bundled pack's text with
    lines deleted, duplicated, moved or re-indented and characters changed."""
    load_and_evaluate(text)


def _fired(engine: orr.Engine, situation: dict[str, Any], today: datetime.date) -> list[str]:
    advice = engine.evaluate(situation, today=today)
    assert advice.trace is not None
    return sorted(rule.rule_id for rule in advice.trace.rules if rule.fired)


@settings(max_examples=scaled(EXAMPLES["conditions"]))
@given(
    condition=condition_texts(),
    where=st.sampled_from(["rule", "rule", "value", "draft"]),
)
@example(condition="not " * 450 + "ready", where="rule")
@example(condition="(" * 300 + "ready" + ")" * 300, where="rule")
@example(condition="attempts < " + "9" * 1_990, where="rule")
@example(condition="params.max_words.__class__", where="rule")
@example(condition="'\\ud800' == name", where="draft")
def test_random_conditions_load_or_are_refused(condition: str, where: str) -> None:
    """Protects the condition language against any string, as a rule's `when`, a derived
    fact's `value` or a draft's `when`: a RulebookError or a pack that evaluates; and when
    the condition is accepted, both backends fire the same rules."""
    text = condition_pack(condition, where)
    engine = load_and_evaluate(text)
    if engine is not None:
        expected = _fired(engine, CONDITION_PACK_SITUATION, TODAY)
        if available():
            fired, calls = calls_made(lambda: _fired_on_durable(engine))
            assert fired == expected
            assert calls < BUDGET, f"evaluating on durable made {calls:,} calls"


def _fired_on_durable(engine: orr.Engine) -> list[str]:
    durable = orr.Engine(engine.rulebook, backend="durable")
    try:
        return _fired(durable, CONDITION_PACK_SITUATION, TODAY)
    finally:
        durable.close()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "{{ interview_date | long_dat }}",
            "template uses unknown filter 'long_dat' (did you mean 'long_date'?)",
        ),
        (
            "{{ interview_date | \tong_date }}",
            "template uses unknown filter 'ong_date' (did you mean 'long_date'?)",
        ),
        (
            "{% if questions is nosuchtest %}x{% endif %}",
            "template uses unknown test 'nosuchtest'",
        ),
    ],
)
def test_unknown_template_filters_are_refused_when_loaded(text: str, message: str) -> None:
    """Protects template checking (found by the text mutations: `| long_date` with its `l`
    changed into a tab): an unknown filter or test is a RulebookError when the pack loads,
    not an exception from Jinja while it loads or when the rule fires."""
    pack = bundled_pack_text().replace(
        "The interview date you gave, {{ interview_date | long_date }}",
        "The interview date you gave, " + text,
    )
    assert pack != bundled_pack_text()
    assert load(pack) is None  # refused with a RulebookError, nothing else
    with pytest.raises(orr.RulebookError) as info:
        orr.Engine(merge([load_pack_text(pack, FUZZED)]), backend="python")
    [problem] = info.value.problems
    assert problem.code == "template"
    assert problem.file == FUZZED
    assert problem.line >= 1
    assert problem.rule_id is not None
    rendered = problem.render().splitlines()[0]
    assert rendered.endswith(f": rule '{problem.rule_id}': {message}")


@pytest.mark.parametrize("where", ["rule", "value", "draft"])
def test_condition_pack_is_valid(where: str) -> None:
    """Protects the condition fuzz test: its pack loads with a plain condition in each place."""
    assert load_and_evaluate(condition_pack("ready and attempts > 2", where)) is not None
