"""The engine's contract: evaluation, three-valued logic, chaining, compile output, results."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

import outreach_rules as orr
from outreach_rules._durable import available

DATA = Path(__file__).parent / "data"
CHAIN = DATA / "packs" / "chain.yaml"
TODAY = datetime.date(2026, 3, 2)
BACKENDS = ["python", *(["durable"] if available() else [])]


@pytest.fixture(scope="module", params=BACKENDS)
def chain(request: pytest.FixtureRequest) -> orr.Engine:
    return orr.Engine.from_paths(CHAIN, backend=request.param)


def _fired(advice: orr.Advice) -> set[str]:
    assert advice.trace is not None
    return {rule.rule_id for rule in advice.trace.rules if rule.fired}


def test_forward_chaining_through_set(chain: orr.Engine) -> None:
    """A rule that sets a derived fact makes later rules fire, with the chain in the trace."""
    advice = chain.evaluate({"a": True, "b": True, "n": 5}, today=TODAY)
    assert advice.decision is not None
    assert (advice.decision.id, advice.decision.rule_id) == ("go", "go_when_ready")
    assert advice.trace is not None
    ready = next(d for d in advice.trace.derived if d.fact == "ready")
    assert (ready.value, ready.set_by) == (True, ["set_ready"])


def test_derived_default_applies_only_when_setters_are_known_false(chain: orr.Engine) -> None:
    """`default` is used once every setter is false; while one is unknown the fact stays unknown."""
    known_false = chain.evaluate({"a": False}, today=TODAY)
    assert known_false.decision is not None and known_false.decision.id == "wait"
    unknown = chain.evaluate({"a": True}, today=TODAY)
    assert unknown.decision is None
    assert unknown.trace is not None
    ready = next(d for d in unknown.trace.derived if d.fact == "ready")
    assert ready.value is None


def test_unknown_is_not_false(chain: orr.Engine) -> None:
    """`not ready` does not fire while `ready` is unknown, and `x or unknown` fires when x holds."""
    advice = chain.evaluate({"colour": "red"}, today=TODAY)
    assert _fired(advice) == {"colourful"}
    assert chain.evaluate({}, today=TODAY).decision is None


def test_a_decision_proposed_twice_is_listed_once(chain: orr.Engine) -> None:
    """Two fired rules that propose the same decision give one decision, by the stronger
    rule: the weaker proposal is not an alternative that lost to its own decision."""
    advice = chain.evaluate({"a": False, "colour": "blue"}, today=TODAY)
    assert advice.decision is not None and advice.decision.rule_id == "wait_when_not_ready"
    assert {"wait_when_not_ready", "colourful"} <= _fired(advice)
    assert advice.alternatives == []


def test_date_values_and_functions(chain: orr.Engine) -> None:
    """Date facts feed `value:` derived facts through `today`; function results become reasons."""
    advice = chain.evaluate({"d": "2026-03-03", "note": "one two three four five"}, today=TODAY)
    assert "colourful" in _fired(advice)
    finding = advice.findings[0]
    assert finding.text == "The note has 5 words."
    assert finding.because[0].value == 5
    assert finding.because[0].condition == "word_count(note) > params.limit"


def test_params_override_changes_compiled_constants() -> None:
    """`params=` replaces a default, in the compiled rulesets and in evaluation."""
    engine = orr.Engine.from_paths(CHAIN, params={"limit": 10}, backend="python")
    assert engine.params["limit"] == 10
    advice = engine.evaluate({"a": True, "b": True, "n": 5}, today=TODAY)
    assert advice.decision is None


def test_params_override_errors_name_the_param() -> None:
    """An unknown or mistyped param override is a RulebookError with a suggestion."""
    with pytest.raises(orr.RulebookError) as caught:
        orr.Engine.from_paths(CHAIN, params={"limt": 2, "limit": "x"}, backend="python")
    text = str(caught.value)
    assert "unknown parameter 'limt' in params= (did you mean 'limit'?)" in text
    assert "parameter 'limit' must be int, got 'x'" in text


def test_compiled_rulesets_are_plain_json_without_or() -> None:
    """The durable rulesets are JSON, split into strata, with `$or` expanded into rules."""
    engine = orr.Engine.from_paths(CHAIN, backend="python")
    rulesets = engine.compiled_rulesets()
    text = json.dumps(rulesets)
    assert "$or" not in text
    assert list(rulesets) == ["chain.s0.c0", "chain.s1.c0"]
    assert "done" in rulesets["chain.s0.c0"]


def test_advice_round_trips_through_json(chain: orr.Engine) -> None:
    """Advice is a pydantic model whose JSON validates back into an equal model."""
    advice = chain.evaluate({"a": True, "b": True, "n": 5, "d": "2026-03-10"}, today=TODAY)
    again = orr.Advice.model_validate_json(advice.model_dump_json())
    assert again == advice


def test_trace_false_skips_the_trace_and_questions(chain: orr.Engine) -> None:
    """`trace=False` gives the decision and advice only."""
    advice = chain.evaluate({"a": True, "b": True, "n": 5}, today=TODAY, trace=False)
    assert advice.trace is None and advice.questions == []
    assert advice.decision is not None and advice.decision.id == "go"


def test_why_not_names_failed_and_unknown_conditions(chain: orr.Engine) -> None:
    """why_not lists failed and unknown conditions with values, or the winner that beat it."""
    advice = chain.evaluate({"a": True, "b": True, "n": 1}, today=TODAY)
    answer = advice.why_not("go")
    assert answer.outcome == "not_reached"
    assert [r.condition for r in answer.failed] == ["n > params.limit"]
    with pytest.raises(KeyError, match="did you mean 'go'"):
        advice.why_not("goo")


def test_situation_model_and_schema(chain: orr.Engine) -> None:
    """The Situation model is built from the facts; its JSON Schema lists them with types."""
    schema = chain.situation_schema()
    assert set(schema["properties"]) == {"a", "b", "n", "colour", "d", "note"}
    situation = chain.Situation(a=True, b=True, n=5)
    advice = chain.evaluate(situation, today=TODAY)
    assert advice.decision is not None and advice.decision.id == "go"


def test_bad_situation_names_every_fact(chain: orr.Engine) -> None:
    """A SituationError is a ValueError naming each bad fact, with did-you-mean."""
    with pytest.raises(ValueError, match="invalid facts") as caught:
        chain.evaluate({"a": "yes", "colur": "red", "n": float("nan")}, today=TODAY)
    error = caught.value
    assert isinstance(error, orr.SituationError)
    assert error.facts == ["a", "n", "colur"]
    assert "colur: unknown fact (did you mean 'colour'?)" in str(error)


def test_unknown_backend_is_refused() -> None:
    """Only auto, durable and python are backends."""
    with pytest.raises(ValueError, match="backend must be"):
        orr.Engine.from_paths(CHAIN, backend="rete")  # type: ignore[arg-type]


def test_action_names_are_read_from_the_start_of_durable_messages() -> None:
    """The action a durable_rules message is for is its first key, read without parsing the
    fact that follows; anything not shaped like the compiler's names is parsed as JSON."""
    from outreach_rules._durable import action_name

    fact = '"m": {"draft_message": "say \\"r9_0\\": hello", "n": 1}'
    assert action_name('{"r12_0":{' + fact + "}}") == "r12_0"
    assert action_name('{"done":{' + fact + "}}") == "done"
    assert action_name(' {"r3_1": {}}') == "r3_1"
    assert action_name('{"a\\"b": {}}') == 'a"b'


@pytest.mark.skipif(not available(), reason="durable_rules cannot be imported here")
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (lambda names: [*names, "r999_0"], "unknown actions ['r999_0']"),
        (lambda names: [*names, names[0]], "actions that ran twice ['{first}']"),
        (lambda names: [n for n in names if n != "done"], "no run of its always-matching rule"),
    ],
    ids=["unknown", "repeated", "no-done"],
)
def test_unexpected_durable_actions_break_the_host(
    monkeypatch: pytest.MonkeyPatch, extra: Any, message: str
) -> None:
    """Actions the compiler never made, an action that ran twice, or no run of the rule that
    always matches mean durable_rules' state is not what the engine thinks: the evaluation
    fails with an EvaluationError naming them, and the next one starts a new host. (The real
    host runs underneath; its answer is changed as a misbehaving C engine would change it.)"""
    chain = orr.Engine.from_paths(CHAIN, backend="durable")
    situation = {"a": True, "b": True, "n": 5}
    chain.evaluate(situation, TODAY)
    host = chain._host
    assert host is not None
    real_run = host.run
    seen: list[list[str]] = []

    def changed(ruleset: str, fact: dict[str, Any], limit: int) -> list[str]:
        names = real_run(ruleset, fact, limit)
        seen.append(names)
        return list(extra(names))

    monkeypatch.setattr(host, "run", changed)
    with pytest.raises(orr.EvaluationError) as caught:
        chain.evaluate(situation, TODAY)
    [names] = seen
    ruleset = next(iter(chain.compiled_rulesets()))
    count = len(extra(names))
    expected = message.format(first=names[0])
    assert str(caught.value) == f"ruleset {ruleset} ran {count} actions: {expected}"
    assert host.broken
    monkeypatch.undo()
    assert chain.evaluate(situation, TODAY).decision is not None
    assert chain._host is not host


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_finding_that_ends_the_review_leaves_out_the_others(backend: str) -> None:
    """Protects `ends_review`: when such a flag fires, the advice carries only its finding,
    while the trace still shows every rule that fired; when it does not fire, the review
    goes on as usual (and the same holds on both backends)."""
    engine = orr.Engine.from_paths(DATA / "packs" / "held-back.yaml", backend=backend)  # type: ignore[arg-type]
    held = engine.evaluate({"banned": True, "draft_message": "Hi"}, today=TODAY)
    assert [item.rule_id for item in held.findings] == ["hold_back"]
    assert _fired(held) == {"hold_back", "too_short", "no_thanks"}
    reviewed = engine.evaluate({"banned": False, "draft_message": "Hi"}, today=TODAY)
    assert [item.rule_id for item in reviewed.findings] == ["too_short", "no_thanks"]
