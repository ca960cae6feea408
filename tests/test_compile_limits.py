"""The limit on the size of a whole compiled pack: durable rules summed over every rule.

Each rule may expand to at most `compile.MAX_ALTERNATIVES` alternatives (each one durable
rule); the pack as a whole to at most `compile.MAX_DURABLE_RULES`, synthetic `<fact>.default`
rules included. The packs here are real YAML files, loaded by a path relative to their folder
as authors load them.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import outreach_rules as orr
from outreach_rules import _compile as compile_module
from outreach_rules._check import check
from outreach_rules._compile import (
    MAX_DURABLE_RULES,
    Program,
    alternatives_count,
    disjunctive_normal_form,
)
from outreach_rules._rulebook import load_pack_text, merge
from strategies import packs, scaled
from work import calls_made, calls_to_raise

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"
BOOLS = "abcdefghij"
PAIRS = ["ab", "cd", "ef", "gh", "ij"]  # each `(x or y)` doubles the alternatives


def when(pairs: int) -> str:
    """A condition of 2**pairs alternatives: `(a or b) and (c or d) and ...`."""
    return " and ".join(f"({x} or {y})" for x, y in PAIRS[:pairs])


def pack_text(rules: Sequence[tuple[str, str]], derived: Sequence[str] = ()) -> str:
    """A pack over the bool facts a..j with the given (id, condition) rules; a rule whose id
    starts with `set_` sets the derived fact named after the rest of its id to true."""
    lines = [
        "pack: big",
        'version: "1"',
        "title: Big",
        "sources:",
        "  guide:",
        "    title: A guide",
        "    sections: [Basics]",
        "decisions:",
        "  go:",
        "    title: Go",
        "facts:",
        *(f"  {name}: {{type: bool}}" for name in BOOLS),
    ]
    if derived:
        lines.append("derived:")
        lines += [f"  {name}: {{type: bool, default: false}}" for name in derived]
    lines.append("rules:")
    for rule_id, condition in rules:
        lines += [f"  - id: {rule_id}", f"    when: {condition}"]
        if rule_id.startswith("set_"):
            lines.append(f"    set: {{{rule_id.removeprefix('set_')}: true}}")
        else:
            lines.append("    recommend: {topic: t, text: Advice.}")
        lines += ["    rationale: Because.", "    cite: {source: guide, section: Basics}"]
    return "\n".join(lines) + "\n"


def load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> orr.Engine:
    """An engine (python backend) for a pack written to tmp_path/big.yaml."""
    (tmp_path / "big.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return orr.Engine.from_paths("big.yaml", backend="python")


def durable_rules(program: Program) -> int:
    """The durable rules of a compiled pack: one per alternative, one per rule computed whole."""
    return sum(1 if rule.alternatives is None else len(rule.alternatives) for rule in program.rules)


def test_a_pack_over_the_durable_rule_limit_is_refused_early(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Protects the pack-wide limit (each rule within its own limit, 20,067 durable rules in
    all): a RulebookError that gives the count, the limit and the rules with the most
    alternatives (most first, pack order among equals), at the `when` of the first of them;
    refused before any durable ruleset is planned, for at most twice the calls of loading a
    pack of as many one-alternative rules (expanding every alternative would cost more)."""
    rules = [("r0", "a")] + [(f"r{n}", when(4)) for n in range(1, 1_251)]
    rules += [("wide_one", when(5)), ("wide_two", when(5)), ("r1251", "b or c")]
    plain = [(rule_id, "a and b and c and d") for rule_id, _ in rules]
    _, loading = calls_made(lambda: load(tmp_path, monkeypatch, pack_text(plain)))

    def no_rulesets(*_args: object) -> None:
        raise AssertionError("durable rulesets were planned for a refused pack")

    monkeypatch.setattr(compile_module, "_plan_rulesets", no_rulesets)
    text = pack_text(rules)
    error, refusing = calls_to_raise(lambda: load(tmp_path, monkeypatch, text), orr.RulebookError)
    assert str(error) == (
        "1 problem in the rule pack:\n"
        "big.yaml:6279:11: the pack expands to 20,067 durable rules (the alternatives of all "
        "its conditions, summed); the limit is 20,000. The rules with the most alternatives: "
        "wide_one (32), wide_two (32), r1 (16), r2 (16), r3 (16); simplify their conditions "
        "or drop rules\n"
        f"        when: {when(5)}\n"
        "              ^"
    )
    [problem] = error.problems
    assert (problem.code, problem.rule_id) == ("limit", None)
    assert refusing <= 2 * loading, f"refusing made {refusing:,} calls, loading {loading:,}"


def test_a_pack_at_the_durable_rule_limit_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Protects the boundary of the pack-wide limit: exactly 20,000 durable rules (625 rules
    of 32 alternatives) load, and the compiled plan holds that many."""
    rules = [(f"r{n}", when(5)) for n in range(625)]
    engine = load(tmp_path, monkeypatch, pack_text(rules))
    assert durable_rules(engine.program) == MAX_DURABLE_RULES
    assert engine.evaluate(dict.fromkeys(BOOLS, True), trace=False).recommendations


def test_default_rules_count_towards_the_durable_rule_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Protects the count of synthetic rules: a derived fact's `<fact>.default` rule negates
    its setters (`not (a and b or ...)` is 32 alternatives), and those count too; the problem
    then points at the derived fact, since the default rule has no `when` of its own."""
    pairs = " or ".join(f"{x} and {y}" for x, y in PAIRS)  # 5 alternatives, its negation 32
    derived = [f"d{n}" for n in range(541)]  # 541 x (5 + 32) = 20,017
    text = pack_text([(f"set_{name}", pairs) for name in derived], derived)
    with pytest.raises(orr.RulebookError) as info:
        load(tmp_path, monkeypatch, text)
    assert str(info.value) == (
        "1 problem in the rule pack:\n"
        "big.yaml:23:7: the pack expands to 20,017 durable rules (the alternatives of all "
        "its conditions, summed); the limit is 20,000. The rules with the most alternatives: "
        "d0.default (32), d1.default (32), d2.default (32), d3.default (32), d4.default (32); "
        "simplify their conditions or drop rules\n"
        "      d0: {type: bool, default: false}\n"
        "          ^"
    )


def test_shipped_and_benchmark_packs_stay_far_below_the_durable_rule_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Protects real packs from the limit: the bundled pack and the benchmark's generated
    packs of 300 rules compile to well under a twentieth of it."""
    assert durable_rules(orr.Engine.default(backend="python").program) < MAX_DURABLE_RULES / 20
    spec = importlib.util.spec_from_file_location("outreach_bench", BENCH)
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "outreach_bench", bench)  # its dataclasses look it up
    spec.loader.exec_module(bench)
    for seed in range(300, 303):
        text = bench.generated_pack(300, seed)
        rulebook = merge([load_pack_text(text, "generated.yaml")])
        program = orr.Engine(rulebook, backend="python").program
        assert durable_rules(program) < MAX_DURABLE_RULES / 20


@settings(max_examples=scaled(200), suppress_health_check=[HealthCheck.too_slow])
@given(text=packs())
def test_counting_alternatives_agrees_with_making_them(text: str) -> None:
    """Protects the limits checked at load, which count each rule's alternatives without
    making them: for every rule of random packs the count is the number of alternatives the
    durable plan makes, and None exactly where that plan gets the whole condition."""
    checked = check(merge([load_pack_text(text)]))
    for rule in checked.rules:
        made = disjunctive_normal_form(rule.cond)
        assert alternatives_count(rule.cond) == (None if made is None else len(made))


@pytest.mark.parametrize(
    ("condition", "count"),
    [
        ("a and b", 1),
        ("a or b or c", 3),
        (when(3), 8),
        (when(5), 32),
        (f"{when(5)} and {when(2)}", None),  # 128: past the limit of one rule
        (f"not ({when(5)}) or a", 6),  # five pairs negated, then `a`
    ],
)
def test_alternatives_counted_for_known_conditions(condition: str, count: int | None) -> None:
    """Protects the count on conditions whose alternatives are known by hand, up to and past
    a rule's own limit."""
    checked = check(merge([load_pack_text(pack_text([("r", condition)]))]))
    assert alternatives_count(checked.rules[0].cond) == count
    made = disjunctive_normal_form(checked.rules[0].cond)
    assert (None if made is None else len(made)) == count
