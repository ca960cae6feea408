"""Differential tests: the durable and python backends must give the same advice.

Both backends fire the same compiled plan, so for any valid pack and any situation they must
fire the same rules, give derived facts the same values and produce the same decision,
alternatives, recommendations and findings. Random packs come from `strategies.packs()`;
the bundled pack is checked with random situations too. The last tests pin down, each with
a minimal pack, the places where the backends have been seen to disagree.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import outreach_rules as orr
from outreach_rules._durable import available
from strategies import (
    PACK_FILE_CHECKS,
    TODAY,
    facts_of_model,
    pack_facts,
    packs,
    packs_with_assumptions,
    scaled,
    situations,
)

pytestmark = pytest.mark.skipif(
    not available(), reason="compares with durable_rules, which cannot be imported here"
)

TODAYS = st.dates(TODAY - datetime.timedelta(days=3), TODAY + datetime.timedelta(days=3))


def summary(advice: orr.Advice) -> dict[str, Any]:
    """What the backends must agree on, in a form that compares and prints well."""
    assert advice.trace is not None
    return {
        "fired": sorted(rule.rule_id for rule in advice.trace.rules if rule.fired),
        "derived": {item.fact: (item.value, item.set_by) for item in advice.trace.derived},
        "decision": (advice.decision.id, advice.decision.rule_id) if advice.decision else None,
        "alternatives": [(item.id, item.rule_id) for item in advice.alternatives],
        "recommendations": [item.rule_id for item in advice.recommendations],
        "findings": [item.rule_id for item in advice.findings],
        "provisional": (advice.provisional.id, advice.provisional.rule_id)
        if advice.provisional
        else None,
        "assuming": [(item.fact, item.value) for item in advice.assuming],
    }


def full(advice: orr.Advice) -> dict[str, Any]:
    """The whole advice as JSON data, without the name of the backend that produced it."""
    data = advice.model_dump(mode="json")
    data["trace"]["backend"] = "-"
    return data


def assert_backends_agree(
    durable: orr.Engine, python: orr.Engine, situation: dict[str, Any], today: datetime.date
) -> None:
    got = durable.evaluate(situation, today=today, trace=True)
    assert durable.live_sessions() == 0
    want = python.evaluate(situation, today=today, trace=True)
    assert got.trace is not None
    assert got.trace.backend == "durable"
    assert summary(got) == summary(want), f"backends disagree on {situation!r} (today {today})"
    assert full(got) == full(want)


def engines(path: Path) -> tuple[orr.Engine, orr.Engine]:
    return orr.Engine.from_paths(path, backend="durable"), orr.Engine.from_paths(
        path, backend="python"
    )


@settings(
    max_examples=scaled(500),
    suppress_health_check=PACK_FILE_CHECKS,
)
@given(text=packs(), data=st.data())
def test_backends_agree_on_random_packs(tmp_path: Path, text: str, data: st.DataObject) -> None:
    """Protects the core promise of the engine: for any valid pack (random facts, params,
    derived facts, rules and priorities) and any situation (facts missing at random), the
    durable_rules backend and the python backend fire the same rules, derive the same values
    and give the same decision, alternatives, recommendations and findings."""
    path = tmp_path / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    durable, python = engines(path)
    try:
        facts = pack_facts(text)
        today = data.draw(TODAYS, label="today")
        for situation in data.draw(
            st.lists(situations(facts), min_size=1, max_size=8), label="situations"
        ):
            assert_backends_agree(durable, python, situation, today)
    finally:
        durable.close()
    assert durable.live_sessions() == 0


@settings(
    max_examples=scaled(100),
    suppress_health_check=PACK_FILE_CHECKS,
)
@given(text=packs_with_assumptions(), data=st.data())
def test_backends_agree_on_provisional_decisions(
    tmp_path: Path, text: str, data: st.DataObject
) -> None:
    """With facts that declare `assume:`, both backends give the same provisional decision,
    resting on the same assumptions (the whole advice is compared)."""
    path = tmp_path / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    durable, python = engines(path)
    try:
        for situation in data.draw(
            st.lists(situations(pack_facts(text)), min_size=1, max_size=6), label="situations"
        ):
            assert_backends_agree(durable, python, situation, TODAY)
    finally:
        durable.close()


@pytest.fixture(scope="module")
def bundled() -> Any:
    durable = orr.Engine.default(backend="durable")
    python = orr.Engine.default(backend="python")
    yield durable, python
    durable.close()


EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "situation.yaml"


@st.composite
def bundled_situations(draw: Any, facts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Random situations, and variations of the example situation (a prepared candidate who
    may contact the interviewer), which random facts alone rarely reach."""
    if not EXAMPLE.exists() or draw(st.booleans()):
        return draw(situations(facts))
    example = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    dropped = draw(st.sets(st.sampled_from(sorted(example)), max_size=3))
    changed = draw(st.sets(st.sampled_from(sorted(facts)), max_size=3))
    changes = draw(situations({name: facts[name] for name in sorted(changed)}))
    return {**{k: v for k, v in example.items() if k not in dropped}, **changes}


@settings(max_examples=scaled(300))
@given(data=st.data())
def test_backends_agree_on_the_bundled_pack(bundled: Any, data: st.DataObject) -> None:
    """Protects the advice users actually get: on the shipped interview-outreach pack, random
    situations (facts read from `engine.Situation.model_fields`, any of them unknown) and
    variations of the example situation get identical advice from both backends."""
    durable, python = bundled
    facts = facts_of_model(durable.Situation)
    assert {name: spec["type"] for name, spec in facts.items()} == {
        name: spec.type for name, spec in durable.rulebook.spec.facts.items()
    }
    today = data.draw(TODAYS, label="today")
    for situation in data.draw(
        st.lists(bundled_situations(facts), min_size=1, max_size=5), label="situations"
    ):
        assert_backends_agree(durable, python, situation, today)


# ---------------------------------------------------------------- known disagreements
def write_pack(
    tmp_path: Path,
    facts: dict[str, Any],
    rules: list[dict[str, Any]],
    derived: dict[str, Any] | None = None,
) -> Path:
    """A minimal pack with one source and one decision; rules get rationale and cite."""
    pack: dict[str, Any] = {
        "pack": "mini",
        "version": "1",
        "title": "Mini",
        "sources": {"src": {"title": "Source", "sections": ["A"]}},
        "decisions": {"go": {"title": "Go"}},
        "facts": facts,
        "derived": derived or {},
        "rules": [
            {**rule, "rationale": "R.", "cite": {"source": "src", "section": "A"}} for rule in rules
        ],
    }
    path = tmp_path / "mini.yaml"
    path.write_text(yaml.safe_dump(pack, allow_unicode=True), encoding="utf-8")
    return path


def check_pair(path: Path, situation: dict[str, Any]) -> None:
    durable, python = engines(path)
    try:
        assert_backends_agree(durable, python, situation, TODAY)
    finally:
        durable.close()


def test_default_of_a_derived_fact_with_many_setters(tmp_path: Path) -> None:
    """Protects the `default:` of a derived fact set by many rules. Its synthetic rule is
    `not c1 and not c2 and ...`; its normal form must not be cut short (compile._dnf stops
    multiplying past 128 alternatives), or the durable backend fires the default although a
    setter holds, overwrites the value the setter gave, and changes the decision."""
    four = "a and b and c and d"
    path = write_pack(
        tmp_path,
        facts={name: {"type": "bool"} for name in "abcdz"},
        derived={"x": {"type": "bool", "default": False}},
        rules=[
            *({"id": f"r{i}", "when": four, "set": {"x": True}} for i in range(4)),
            {"id": "r4", "when": "z", "set": {"x": True}},
            {"id": "r5", "when": "not x", "decide": "go"},
        ],
    )
    check_pair(path, {"a": False, "b": False, "c": False, "d": False, "z": True})


@pytest.mark.parametrize("when", ["n not in []", "not (n in [])"])
def test_membership_in_an_empty_list_of_an_unknown_fact(tmp_path: Path, when: str) -> None:
    """Protects three-valued logic for `x not in []`: with x unknown the condition is
    unknown and the rule must not fire. The durable plan turns it into the constant `true`
    (compile._expand_members), so the durable backend fires it anyway."""
    path = write_pack(
        tmp_path, facts={"n": {"type": "int"}}, rules=[{"id": "r0", "when": when, "decide": "go"}]
    )
    check_pair(path, {})


@pytest.mark.parametrize(
    ("when", "situation"),
    [
        ("n < 1e16", {"n": 1}),  # the ruleset JSON holds 1e+16
        ("n > 1e-05", {"n": 1}),  # the ruleset JSON holds 1e-05
        ("f > 0", {"f": 1e-05}),  # the fact's JSON holds 1e-05
    ],
)
def test_numbers_in_exponent_notation(tmp_path: Path, when: str, situation: dict[str, Any]) -> None:
    """Protects numbers whose JSON form uses an exponent (1e+16, 1e-05): durable_rules'
    parser rejects them (error 204), so a valid pack or situation that the python backend
    evaluates makes the durable backend raise instead of giving advice."""
    path = write_pack(
        tmp_path,
        facts={"n": {"type": "int"}, "f": {"type": "float"}},
        rules=[{"id": "r0", "when": when, "decide": "go"}],
    )
    check_pair(path, situation)


def test_string_literal_with_surrogate_escapes(tmp_path: Path) -> None:
    r"""Protects string equality: the literal "\ud83d\ude00" (two lone surrogates) is not the
    string "😀", but both would reach durable_rules as the same ASCII JSON escapes, so such
    literals are refused when the pack loads, and so are such strings in situations."""
    path = write_pack(
        tmp_path,
        facts={"s": {"type": "str"}},
        rules=[{"id": "r0", "when": 's == "\\ud83d\\ude00"', "decide": "go"}],
    )
    with pytest.raises(orr.RulebookError, match="lone surrogate"):
        orr.Engine.from_paths(path, backend="python")
    ok = write_pack(
        tmp_path,
        facts={"s": {"type": "str"}},
        rules=[{"id": "r0", "when": 's == "x"', "decide": "go"}],
    )
    engine = orr.Engine.from_paths(ok, backend="python")
    with pytest.raises(orr.SituationError) as refused:
        engine.evaluate({"s": "\ud83d\ude00"})
    assert refused.value.facts == ["s"]
    check_pair(ok, {"s": "\U0001f600"})


MAX_EXACT = 2**53
AROUND_2_53 = [
    float(MAX_EXACT),
    float(MAX_EXACT - 1),
    MAX_EXACT - 0.5,
    -float(MAX_EXACT),
    0.0,
    -0.0,
    5e-324,
]


@pytest.mark.parametrize("op", ["==", "!=", "<", "<=", ">", ">="])
def test_an_int_beyond_2_53_that_meets_a_float_is_refused(tmp_path: Path, op: str) -> None:
    """Protects the fuzz finding that a float fact of 2^53 compared with 2^53 + 1 fired on
    durable_rules (which rounds the literal to a double) and not in Python (which compares
    exactly): such a literal is refused when the pack is loaded, with its position."""
    path = write_pack(
        tmp_path,
        facts={"x": {"type": "float"}},
        rules=[{"id": "r0", "when": f"x {op} 9007199254740993", "decide": "go"}],
    )
    with pytest.raises(orr.RulebookError) as caught:
        orr.Engine.from_paths(path, backend="python")
    [problem] = caught.value.problems
    assert problem.rule_id == "r0"
    assert problem.message == (
        "9007199254740993 is beyond ±9,007,199,254,740,992, the integers a float compares "
        "with exactly on both backends; x is a float"
    )
    assert problem.column == len(f"  when: x {op} ") + 1


@pytest.mark.parametrize(
    "when",
    [
        "x >= 9007199254740992",
        "x == 9007199254740992",
        "x > 9007199254740991",
        "x < -9007199254740992",
        "x == 0",
        "x == -0.0",
        "x <= 0.0",
        "x > 0",
        "n > 9007199254740993",
        "n < -9223372036854775808",
        "n == 18446744073709551616",
        "n >= 9007199254740992.0",
        "n < 9007199254740994.0",
        "n in [9007199254740992, 9007199254740993]",
        "x in [9007199254740992, 1.5]",
    ],
)
def test_numbers_around_2_53_give_the_same_rules_on_both_backends(
    tmp_path: Path, when: str
) -> None:
    """Protects exact number comparisons on both backends: floats and ints at and around
    2^53, both zeros and the smallest float, against literals at the edge of what a double
    holds (and ints far beyond it, which only ints may meet), fire the same rules."""
    path = write_pack(
        tmp_path,
        facts={"x": {"type": "float"}, "n": {"type": "int"}},
        rules=[{"id": "r0", "when": when, "decide": "go"}],
    )
    ints = [MAX_EXACT, MAX_EXACT - 1, -MAX_EXACT, 0, 1 - MAX_EXACT]
    durable, python = engines(path)
    try:
        for x, n in zip(AROUND_2_53, [*ints, 0, 0], strict=True):
            assert_backends_agree(durable, python, {"x": x, "n": n}, TODAY)
    finally:
        durable.close()


def test_a_param_beyond_2_53_is_refused(tmp_path: Path) -> None:
    """Protects the numeric rule for parameters: a value beyond ±2^53 could meet a float in
    a condition, so a default or an override past it is refused, naming the parameter."""
    path = write_pack(
        tmp_path,
        facts={"x": {"type": "float"}},
        rules=[{"id": "r0", "when": "x > params.p", "decide": "go"}],
    )
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "params:\n  p: {type: float, default: 0}\n", encoding="utf-8")
    with pytest.raises(orr.RulebookError) as caught:
        orr.Engine.from_paths(path, backend="python", params={"p": 2**53 + 1})
    [problem] = caught.value.problems
    assert problem.message == (
        "parameter 'p' is 9007199254740993, beyond ±9,007,199,254,740,992, the integers "
        "both backends compare exactly"
    )
    path.write_text(text + "params:\n  p: {type: int, default: -9007199254740993}\n")
    with pytest.raises(orr.RulebookError) as caught:
        orr.Engine.from_paths(path, backend="python")
    [problem] = caught.value.problems
    assert problem.message == (
        "params.p: default -9007199254740993 is beyond ±9,007,199,254,740,992, the integers "
        "both backends compare exactly"
    )
