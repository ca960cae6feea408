"""Guards of the compiler against durable_rules' limits: attribute names whose 32-bit hashes
collide are renamed, and a stratum whose rules read more attributes than one ruleset holds
is split into several rulesets instead of refused."""

from __future__ import annotations

import datetime
import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml

import outreach_rules as orr
from outreach_rules import _compile as compile_module
from outreach_rules._compile import ATTRS_PER_RULESET, RULES_PER_RULESET, fnv1a32
from outreach_rules._durable import available
from outreach_rules._rulebook import load_pack_text, merge

PACKS = Path(__file__).parent / "data" / "packs"
COLLIDING = PACKS / "colliding-names.yaml"
TODAY = datetime.date(2026, 3, 2)
needs_durable = pytest.mark.skipif(not available(), reason="durable_rules cannot be imported")


def _fired(engine: orr.Engine, situation: dict[str, Any], backend: str) -> list[str]:
    _env, fired = engine.run(situation, TODAY, backend=backend)
    return [engine.program.rules[index].id for index in fired]


def test_the_two_fact_names_collide() -> None:
    """The pair the pack uses really has one FNV-1a hash (the premise of the tests below)."""
    assert fnv1a32("f6059") == fnv1a32("f264602") == 3806442189


def test_colliding_names_are_renamed_apart() -> None:
    """The compiled ruleset reads the two facts under names whose hashes differ."""
    engine = orr.Engine.from_paths(COLLIDING, backend="python")
    [plan] = [plan for stratum in engine.program.strata for plan in stratum.rulesets]
    assert sorted(plan.attrs.values()) == ["f264602", "f6059"]
    names = sorted(plan.attrs)
    assert len({fnv1a32(name) for name in names}) == 2
    assert names == ["f264602", "f6059__1"]


@needs_durable
@pytest.mark.parametrize(
    ("situation", "expected"),
    [
        ({"f6059": 1, "f264602": 2}, ["r0"]),
        ({"f6059": 2, "f264602": 1}, []),
        ({"f6059": 1, "f264602": 1}, []),
        ({"f6059": 1}, []),
    ],
)
def test_both_backends_agree_on_colliding_names(
    situation: dict[str, Any], expected: list[str]
) -> None:
    """With the renaming, durable_rules reads each fact under its own name: the backends
    fire the same rules."""
    engine = orr.Engine.from_paths(COLLIDING, backend="durable")
    assert _fired(engine, situation, "python") == expected
    assert _fired(engine, situation, "durable") == expected


@needs_durable
def test_without_the_renaming_durable_rules_reads_the_wrong_attribute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Why the renaming exists: with attribute names taken as they are, durable_rules
    confuses the two facts and fires nothing where the python backend fires r0."""
    monkeypatch.setattr(
        compile_module, "_safe_attributes", lambda keys, _ruleset: {key: key for key in keys}
    )
    engine = orr.Engine.from_paths(COLLIDING, backend="durable")
    situation = {"f6059": 1, "f264602": 2}
    assert _fired(engine, situation, "python") == ["r0"]
    assert _fired(engine, situation, "durable") == []


def _wide_pack(rules: int, width: int) -> orr.Engine:
    """`rules` rules, rule n reading the `width` bool facts f{width*n} .. f{width*n+width-1}."""
    facts = {f"f{n}": {"type": "bool"} for n in range(rules * width)}
    data = {
        "pack": "wide",
        "version": "1",
        "title": "Wide",
        "sources": {"guide": {"title": "A guide", "sections": ["Basics"]}},
        "decisions": {"go": {"title": "Go"}},
        "facts": facts,
        "rules": [
            {
                "id": f"r{n}",
                "when": " and ".join(f"f{width * n + k}" for k in range(width)),
                "recommend": {"topic": "t", "text": "Advice."},
                "rationale": "Because.",
                "cite": {"source": "guide", "section": "Basics"},
            }
            for n in range(rules)
        ],
    }
    rulebook = merge([load_pack_text(yaml.safe_dump(data, sort_keys=False))])
    backend = "durable" if available() else "python"
    return orr.Engine(rulebook, backend=backend)


def test_a_stratum_over_the_attribute_limit_is_split_by_attributes() -> None:
    """48 rules that read 5 facts each need 240 attributes: more than a ruleset holds
    (200), fewer rules than its rule limit (48). They are split into rulesets of at most
    200 attributes each, every rule in exactly one, in pack order."""
    engine = _wide_pack(RULES_PER_RULESET, 5)
    plans = [plan for stratum in engine.program.strata for plan in stratum.rulesets]
    assert [plan.name for plan in plans] == ["wide.s0.c0", "wide.s0.c1"]
    assert list(engine.compiled_rulesets()) == ["wide.s0.c0", "wide.s0.c1"]
    assert [len(plan.attrs) for plan in plans] == [ATTRS_PER_RULESET, 40]
    assert sorted(plans[0].attrs.values(), key=lambda key: int(key[1:])) == [
        f"f{n}" for n in range(200)
    ]
    actions = [name for plan in plans for name in plan.definition if name != "done"]
    assert actions == [f"r{n}_0" for n in range(RULES_PER_RULESET)]


@needs_durable
def test_split_rulesets_fire_as_the_python_backend_does() -> None:
    """On the split pack, durable_rules fires exactly the rules the python backend fires:
    every rule with all its facts true, and none with one of them false or unknown."""
    engine = _wide_pack(60, 5)
    assert len(engine.compiled_rulesets()) == 2
    everything = {f"f{n}": True for n in range(300)}
    situations = [
        {},
        everything,
        {**everything, "f0": False, "f299": False},
        {f"f{n}": True for n in itertools.chain(range(150), range(200, 260))},
        {f"f{n}": n % 7 != 0 for n in range(300)},
    ]
    for situation in situations:
        python = _fired(engine, situation, "python")
        assert _fired(engine, situation, "durable") == python
    assert _fired(engine, everything, "python") == [f"r{n}" for n in range(60)]
