"""Hypothesis strategies: random valid rule packs (as YAML text) and situations for them.

`packs()` draws the YAML text of a pack that loads, checks and compiles: 2-8 facts (bool,
int, float, enum, str, text, list, date), 0-2 params, 0-3 derived facts set by rules (bool or
enum, some with a `default`), 0-1 derived fact computed by a `value:`, 1-25 rules and 0-1
draft. Conditions combine atoms (comparisons with literals, params and other facts, chained
comparisons, `in` / `not in` lists, the text and date functions) with `and` / `or` / `not`.
Every derived fact set by rules has a position: rules before it may set the fact, rules from
it on may read it, so no rule reads, even indirectly, what it sets. Every rule condition is
kept within the limits of the checker (at most 32 alternatives in disjunctive normal form,
well under 200 syntax nodes); the synthetic `<name>.default` rules are deliberately *not*
kept small, since the engine builds those itself from the rules that set `<name>`.

`situations(pack_facts)` draws a situation for the `facts:` mapping of such a pack (or of any
pack, see `facts_of_model`), with each fact either missing, null or given a value. Values are
drawn from the same pools as the literals of the conditions, so comparisons often hold.

For the fuzz tests (tests/test_fuzz.py): `yaml_documents()` (random nested data dumped as
YAML), `raw_texts()` (random characters and soups of YAML tokens), `mutated_pack_data()` and
`mutated_pack_texts()` (the bundled pack mutated as data and as text), `condition_texts()`
(conditions, well-typed or not) and `condition_pack()` to hold one. For the hostile
situations (tests/test_hostile_situations.py): `json_like()` and `hostile_situations()`.
"""

from __future__ import annotations

import ast
import copy
import datetime
import functools
import json
import math
import random
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

TODAY = datetime.date(2026, 3, 2)
MAX_INT = 2**53  # the largest number a situation may hold
MAX_ALTERNATIVES = 32  # compile.MAX_ALTERNATIVES: a rule may expand to at most this many
MAX_SYNTAX_NODES = 150  # expr.MAX_NODES is 200; stay clear of it

# ---------------------------------------------------------------- value pools
STRINGS = (
    "x",
    "X",
    "email",
    "phone",
    "a b",
    "",
    " ",
    "Ms. Lee",
    "é",
    "😀 ok",
    'say "hi"',
    "back\\slash",
    "$m",
    "sid",
    "1",
    "true",
    "null",
    "thanks",
    "interview",
)
ENUM_VALUES = ("a", "b", "c", "email", "phone", "yes", "no", "", "1", "a b", "é", "TRUE", "$m")
INT_LITERALS = (-3, -1, 0, 1, 2, 3, 5, 10, 2**31, MAX_INT - 1, MAX_INT, -MAX_INT, 1 - MAX_INT)
# Ints that a double cannot hold (or only just): a pack may compare them with ints only.
WIDE_INT_LITERALS = (MAX_INT + 1, -MAX_INT - 1, MAX_INT + 2, 2**63 - 1, -(2**63), 2**64, 10**20)
# Float literals, in comparisons with numbers; the last ones print in exponent notation.
FLOAT_LITERALS = (2.5, -0.5, 0.25, -0.0, 0.0, 1e-05, 1e16, float(MAX_INT), float(MAX_INT - 1))
FLOAT_LITERALS += (-float(MAX_INT), float(MAX_INT + 2), 1.7976931348623157e308, 5e-324)
INT_VALUES = (0, 1, 2, 3, 5, 10, -1, -3, 2**31, -(2**31) - 1, MAX_INT - 1, MAX_INT, -MAX_INT)
INT_VALUES += (1 - MAX_INT, MAX_INT - 2)
# Floats around 2^53 (where doubles step by 2, then 4), signed zeros, the smallest ones.
FLOAT_VALUES = (0.0, -0.0, 0.5, 2.5, -0.5, 3.0, 1e-05, 1e15, float(MAX_INT), -float(MAX_INT))
FLOAT_VALUES += (float(MAX_INT - 1), float(1 - MAX_INT), MAX_INT - 0.5, 5e-324, -5e-324)
TEXT_FRAGMENTS = (
    "Hello Dana,",
    "Hi",
    "Dear Ms. Lee,",
    "Thank you for the invitation to interview.",
    "thanks",
    "I want to prepare well.",
    "Could you tell me which skills matter most for this role?",
    "What should I prepare?",
    "Are there particular skills or experiences you recommend I focus on?",
    "why?",
    "gonna",
    "super excited",
    "VERY EXCITED",
    "!!",
    "😀",
    "x",
    "a b",
    "interview",
    "[interviewer's name]",
    "\n",
    "Best regards,\nSam",
    "Sincerely",
    "é",
)
SECTIONS = ("Intro", "Be Concise", "Why and How?", "Timing", "Ask Specific Questions", "Über-Tipps")
FACT_TYPES = ("bool", "int", "float", "enum", "str", "text", "list", "date")
# Names that are easy to confuse with the engine's own: durable_rules keys, lifted attributes.
ODD_NAMES = (
    "m",
    "s",
    "k",
    "all",
    "any",
    "pri",
    "count",
    "cap",
    "dist",
    "sid_x",
    "id_x",
    "v1_s0",
    "k_",
    "x__1",
)
DECISIONS = ("go", "wait", "stop")
OUTCOMES = ("decide", "recommend", "flag", "set", "set")  # "set" twice: more setters


def scaled(examples: int) -> int:
    """`examples` in the "ci" profile, ten times as many in "long" (see conftest.py)."""
    return max(1, examples * settings.default.max_examples // 100)


def literal(value: Any) -> str:
    """A condition-language literal for a Python value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def list_literal(items: typing.Iterable[Any]) -> str:
    return "[" + ", ".join(literal(item) for item in items) + "]"


# ---------------------------------------------------------------- the names a pack declares
@dataclass(frozen=True)
class Name:
    """A fact or derived fact a condition may read."""

    name: str
    type: str
    values: tuple[str, ...] | None = None
    derived: bool = False  # set by rules


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any


@dataclass(frozen=True)
class Cond:
    """Condition text with bounds on its alternatives (itself, its negation) and its reads."""

    text: str
    pos: int
    neg: int
    reads: frozenset[str]
    compound: bool = False

    def part(self) -> str:
        return f"({self.text})" if self.compound else self.text


@dataclass(frozen=True)
class Term:
    text: str
    reads: frozenset[str]
    enum_values: tuple[str, ...] | None = None  # a bare enum name: literals must be its values


class Scope:
    """What a condition may read: facts, derived facts and params."""

    def __init__(self, names: list[Name], params: list[Param]) -> None:
        self.names = names
        self.params = params

    def names_of(self, *kinds: str) -> list[Name]:
        return [name for name in self.names if name.type in kinds]

    def params_of(self, kind: str) -> list[Param]:
        return [param for param in self.params if param.type == kind]


Draw = Callable[[st.SearchStrategy[Any]], Any]


def _one(draw: Draw, options: list[Any]) -> Any:
    return draw(st.sampled_from(options))


def _items(draw: Draw, pool: typing.Sequence[Any], max_size: int = 3) -> list[Any]:
    """Items of a list literal; an empty list now and then."""
    if draw(st.integers(0, 9)) == 0:
        return []
    return draw(st.lists(st.sampled_from(pool), min_size=1, max_size=max_size))


def _fact_term(name: Name) -> Term:
    return Term(name.name, frozenset({name.name}), name.values)


def _list_arg(draw: Draw, scope: Scope) -> Term:
    """A list for contains_any / count_any / specific_question_count / `in`."""
    lists = scope.params_of("list")
    if lists and draw(st.booleans()):
        return Term(f"params.{_one(draw, lists).name}", frozenset())
    return Term(list_literal(_items(draw, STRINGS)), frozenset())


def _phrase(draw: Draw, scope: Scope) -> Term:
    """A `str` argument for contains(): a literal, a str param or a str fact."""
    options: list[Term] = [Term(literal(draw(st.sampled_from(STRINGS))), frozenset())]
    options += [Term(f"params.{p.name}", frozenset()) for p in scope.params_of("str")]
    options += [_fact_term(n) for n in scope.names_of("str")]
    return _one(draw, options)


TEXT_NUMBERS = (
    "word_count",
    "length",
    "question_count",
    "exclamation_runs",
    "emoji_count",
    "shouting_count",
)


def _call(function: str, *args: Term) -> Term:
    reads = frozenset().union(*(arg.reads for arg in args))
    return Term(f"{function}({', '.join(arg.text for arg in args)})", reads)


def _has_number(scope: Scope) -> bool:
    return bool(scope.names_of("int", "float", "text", "str", "list", "date"))


def _number_term(draw: Draw, scope: Scope) -> Term:
    """A number that reads something: an int/float fact or a function of a fact."""
    name = _one(draw, scope.names_of("int", "float", "text", "str", "list", "date"))
    fact = _fact_term(name)
    if name.type in ("int", "float"):
        return fact
    if name.type == "date":
        return _call(_one(draw, ["days_until", "days_since"]), fact)
    if name.type == "list":
        choice = _one(draw, ["length", "question_count", "specific_question_count"])
        if choice == "specific_question_count":
            return _call(choice, fact, _list_arg(draw, scope))
        return _call(choice, fact)
    choice = _one(draw, [*TEXT_NUMBERS, "count_any", "specific_question_count"])
    if choice in ("count_any", "specific_question_count"):
        return _call(choice, fact, _list_arg(draw, scope))
    return _call(choice, fact)


def _is_float(term: Term, scope: Scope) -> bool:
    return term.text in {name.name for name in scope.names_of("float")}


def _number_operand(draw: Draw, scope: Scope, other: Term) -> Term:
    """The other side of a numeric comparison: a literal, an int param or another number.
    Ints beyond ±2^53 meet ints only: a float beside them is refused."""
    choice = draw(st.integers(0, 9))
    ints = scope.params_of("int")
    if choice <= 3 or (choice == 4 and _is_float(other, scope)):
        return Term(literal(draw(st.sampled_from(INT_LITERALS))), frozenset())
    if choice == 4:
        return Term(literal(draw(st.sampled_from(WIDE_INT_LITERALS))), frozenset())
    if choice == 5:
        return Term(literal(draw(st.sampled_from(FLOAT_LITERALS))), frozenset())
    if choice <= 7 and ints:
        return Term(f"params.{_one(draw, ints).name}", frozenset())
    return _number_term(draw, scope)


def _has_bool(scope: Scope) -> bool:
    return bool(scope.names_of("bool", "text", "str") or scope.params_of("bool"))


def _bool_term(draw: Draw, scope: Scope) -> Term:
    """A bool that a condition may test: a bool fact, a text test, or a bool param."""
    options: list[Any] = [*scope.names_of("bool", "text", "str"), *scope.params_of("bool")]
    chosen = _one(draw, options)
    if isinstance(chosen, Param):
        return Term(f"params.{chosen.name}", frozenset())
    fact = _fact_term(chosen)
    if chosen.type == "bool":
        return fact
    choice = _one(draw, ["contains", "contains_any", "has_greeting", "has_signoff"])
    if choice == "contains":
        return _call(choice, fact, _phrase(draw, scope))
    if choice == "contains_any":
        return _call(choice, fact, _list_arg(draw, scope))
    return _call(choice, fact)


def _string_term(draw: Draw, scope: Scope) -> Term | None:
    options = [_fact_term(n) for n in scope.names_of("str", "enum")]
    options += [Term(f"params.{p.name}", frozenset()) for p in scope.params_of("str")]
    return _one(draw, options) if options else None


def _string_literal(draw: Draw, term: Term) -> str:
    pool = term.enum_values if term.enum_values is not None else STRINGS
    return literal(draw(st.sampled_from(pool)))


def _atom(draw: Draw, scope: Scope) -> Cond:  # noqa: PLR0915 - one branch per atom kind
    kinds = ["const"]
    if _has_bool(scope):
        kinds += ["truth", "truth", "bool_eq", "bool_in"]
    if _has_number(scope):
        kinds += ["number", "number", "chain", "number_in"]
    if scope.names_of("str", "enum") or scope.params_of("str"):
        kinds += ["string", "string", "string_in"]
    if scope.names_of("list") or scope.params_of("list"):
        kinds += ["list_member"]
    if scope.names_of("date"):
        kinds += ["date"]
    if any(name.derived for name in scope.names):
        kinds += ["derived"] * 3
    kind = _one(draw, kinds)
    ops = ["==", "!=", "<", "<=", ">", ">="]

    if kind == "derived":
        name = _one(draw, [name for name in scope.names if name.derived])
        if name.values is None:
            text = f"not {name.name}" if draw(st.booleans()) else name.name
            return Cond(text, 1, 1, frozenset({name.name}))
        value = literal(draw(st.sampled_from(name.values)))
        return Cond(f"{name.name} {_one(draw, ['==', '!='])} {value}", 1, 1, frozenset({name.name}))
    if kind == "const":
        return Cond(_one(draw, ["true", "false"]), 1, 1, frozenset())
    if kind == "truth":
        term = _bool_term(draw, scope)
        text = f"not {term.text}" if draw(st.booleans()) else term.text
        return Cond(text, 1, 1, term.reads)
    if kind == "bool_eq":
        left = _bool_term(draw, scope)
        right = _bool_term(draw, scope) if draw(st.booleans()) else None
        right_text = right.text if right is not None else _one(draw, ["true", "false"])
        reads = left.reads | (right.reads if right is not None else frozenset())
        op = _one(draw, ["==", "!="])
        sides = (left.text, right_text) if draw(st.booleans()) else (right_text, left.text)
        return Cond(f"{sides[0]} {op} {sides[1]}", 1, 1, reads)
    if kind == "bool_in":
        term = _bool_term(draw, scope)
        items = _items(draw, [True, False], max_size=2)
        return _member(draw, term.text, list_literal(items), len(items), term.reads)
    if kind == "number":
        left = _number_term(draw, scope)
        right = _number_operand(draw, scope, left)
        sides = (left, right) if draw(st.booleans()) else (right, left)
        return Cond(
            f"{sides[0].text} {_one(draw, ops)} {sides[1].text}", 1, 1, left.reads | right.reads
        )
    if kind == "chain":
        term = _number_term(draw, scope)
        low, high = sorted(draw(st.lists(st.sampled_from(INT_LITERALS), min_size=2, max_size=2)))
        first, second = _one(draw, ["<", "<="]), _one(draw, ["<", "<="])
        return Cond(
            f"{literal(low)} {first} {term.text} {second} {literal(high)}", 1, 2, term.reads
        )
    if kind == "number_in":
        term = _number_term(draw, scope)
        items = _items(draw, INT_LITERALS[:8])
        return _member(draw, term.text, list_literal(items), len(items), term.reads)
    if kind == "string":
        left = _string_term(draw, scope)
        choice = draw(st.integers(0, 3))
        right = _string_term(draw, scope) if choice == 0 else None
        right_text = right.text if right is not None else _string_literal(draw, left)
        reads = left.reads | (right.reads if right is not None else frozenset())
        op = _one(draw, ["==", "!="])
        sides = (left.text, right_text) if draw(st.booleans()) else (right_text, left.text)
        return Cond(f"{sides[0]} {op} {sides[1]}", 1, 1, reads)
    if kind == "string_in":
        term = _string_term(draw, scope)
        pool = term.enum_values if term.enum_values is not None else STRINGS
        items = _items(draw, pool)
        return _member(draw, term.text, list_literal(items), len(items), term.reads)
    if kind == "list_member":
        containers = [_fact_term(n) for n in scope.names_of("list")]
        containers += [Term(f"params.{p.name}", frozenset()) for p in scope.params_of("list")]
        container = _one(draw, containers)
        item = _string_term(draw, scope) if draw(st.booleans()) else None  # None: a literal
        item_text = item.text if item is not None else literal(draw(st.sampled_from(STRINGS)))
        op = _one(draw, ["in", "not in"])
        reads = container.reads | (item.reads if item is not None else frozenset())
        return Cond(f"{item_text} {op} {container.text}", 1, 1, reads)
    dates = scope.names_of("date")
    left, right = _one(draw, dates), _one(draw, dates)
    return Cond(
        f"{left.name} {_one(draw, ops)} {right.name}", 1, 1, frozenset({left.name, right.name})
    )


def _member(draw: Draw, item: str, container: str, size: int, reads: frozenset[str]) -> Cond:
    """`item in [...]` expands to one alternative per item; `not in` to one conjunction."""
    if draw(st.booleans()):
        return Cond(f"{item} in {container}", max(size, 1), 1, reads)
    return Cond(f"{item} not in {container}", 1, max(size, 1), reads)


def _cond(draw: Draw, scope: Scope, depth: int) -> Cond:
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return _atom(draw, scope)
    op = _one(draw, ["and", "or", "not"])
    if op == "not":
        inner = _cond(draw, scope, depth - 1)
        return Cond(f"not {inner.part()}", inner.neg, inner.pos, inner.reads)
    items = [_cond(draw, scope, depth - 1) for _ in range(draw(st.integers(2, 3)))]
    text = f" {op} ".join(item.part() for item in items)
    reads = frozenset().union(*(item.reads for item in items))
    if op == "and":
        return Cond(
            text, math.prod(i.pos for i in items), sum(i.neg for i in items), reads, compound=True
        )
    return Cond(
        text, sum(i.pos for i in items), math.prod(i.neg for i in items), reads, compound=True
    )


def _syntax_nodes(text: str) -> int:
    return sum(1 for _ in ast.walk(ast.parse(text, mode="eval")))


@st.composite
def conditions(draw: Draw, scope: Scope) -> Cond:
    """A rule condition within the checker's limits."""
    if draw(st.integers(0, 4)) == 0:
        # a long conjunction: one alternative, but its negation (in the default rule of a
        # derived fact it sets) has one per atom
        items = [_atom(draw, scope) for _ in range(draw(st.integers(3, 8)))]
        cond = Cond(
            " and ".join(item.text for item in items),
            math.prod(item.pos for item in items),
            sum(item.neg for item in items),
            frozenset().union(*(item.reads for item in items)),
            compound=True,
        )
    else:
        cond = _cond(draw, scope, draw(st.integers(0, 3)))
    if cond.pos > MAX_ALTERNATIVES or _syntax_nodes(cond.text) > MAX_SYNTAX_NODES:
        cond = _atom(draw, scope)
    return cond


# ---------------------------------------------------------------- packs
def _fact_spec(draw: Draw, kind: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": kind}
    if kind == "enum":
        spec["values"] = draw(
            st.lists(st.sampled_from(ENUM_VALUES), min_size=2, max_size=3, unique=True)
        )
    if draw(st.booleans()):
        spec["question"] = f"What about this {kind}?"
    spec["description"] = f"A {kind} fact."
    return spec


def _param(draw: Draw, name: str) -> Param:
    kind = _one(draw, ["int", "str", "list", "bool"])
    default: Any
    if kind == "int":
        default = draw(st.sampled_from(INT_LITERALS[:8]))
    elif kind == "str":
        default = draw(st.sampled_from(STRINGS))
    elif kind == "list":
        default = draw(st.lists(st.sampled_from(STRINGS), max_size=3, unique=True))
    else:
        default = draw(st.booleans())
    return Param(name, kind, default)


def _value_derived(draw: Draw, facts: list[Name]) -> tuple[str, str, dict[str, Any]] | None:
    """(name, type, spec) of a derived fact computed by `value:`, or None when none fits."""
    options: list[tuple[str, str]] = []
    for fact in facts:
        if fact.type == "date":
            options += [("int", f"days_until({fact.name})"), ("int", f"days_since({fact.name})")]
        if fact.type in ("text", "str"):
            options += [
                ("int", f"word_count({fact.name})"),
                ("bool", f'contains({fact.name}, "x")'),
            ]
        if fact.type == "list":
            options.append(("int", f"length({fact.name})"))
        if fact.type == "int":
            options.append(("bool", f"{fact.name} > 2"))
    if not options:
        return None
    kind, value = _one(draw, options)
    return (
        "dv",
        kind,
        {"type": kind, "value": value, "description": "Computed before the rules run."},
    )


def _template(draw: Draw, scope: Scope) -> str:
    """Outcome text: plain, or with a fact or param inserted."""
    choice = draw(st.integers(0, 3))
    if choice == 0 and scope.names:
        return f"Consider {{{{ {_one(draw, scope.names).name} }}}} carefully."
    if choice == 1 and scope.params:
        return f"The limit is {{{{ params.{_one(draw, scope.params).name} }}}}."
    return draw(st.sampled_from(["Do it.", "Wait a little.", "Don't.", "Check {x} and 'y'."]))


@st.composite
def packs(draw: Draw) -> str:  # noqa: PLR0915 - one pass over the sections of a pack
    """The YAML text of a random valid pack."""
    kinds = draw(st.lists(st.sampled_from(FACT_TYPES), min_size=2, max_size=8))
    facts: dict[str, dict[str, Any]] = {}
    names: list[Name] = []
    for index, kind in enumerate(kinds):
        name = f"{kind[0]}{index}"
        if draw(st.integers(0, 4)) == 0:
            odd = draw(st.sampled_from(ODD_NAMES))
            name = odd if odd not in facts else name
        spec = _fact_spec(draw, kind)
        facts[name] = spec
        names.append(Name(name, kind, tuple(spec["values"]) if kind == "enum" else None))

    params = [_param(draw, f"p{index}") for index in range(draw(st.integers(0, 2)))]

    derived: dict[str, dict[str, Any]] = {}
    value = _value_derived(draw, names) if draw(st.booleans()) else None
    if value is not None:
        name, kind, spec = value
        derived[name] = spec
        names.append(Name(name, kind))
    set_values: dict[str, Any] = {}
    for index in range(draw(st.integers(0, 3))):
        name = f"set{index}"
        if draw(st.booleans()):
            spec = {"type": "bool"}
            set_values[name] = draw(st.booleans())
            values = None
            if draw(st.booleans()):
                spec["default"] = draw(st.booleans())
        else:
            values = draw(
                st.lists(st.sampled_from(ENUM_VALUES), min_size=2, max_size=3, unique=True)
            )
            spec = {"type": "enum", "values": values}
            set_values[name] = draw(st.sampled_from(values))
            if draw(st.booleans()):
                spec["default"] = draw(st.sampled_from(values))
        spec["description"] = "Set by rules."
        derived[name] = spec
        names.append(Name(name, spec["type"], tuple(values) if values else None, derived=True))

    scope = Scope(names, params)
    sources = {
        "article": {
            "title": "An article",
            "publisher": "Somebody",
            "sections": draw(
                st.lists(st.sampled_from(SECTIONS), min_size=1, max_size=3, unique=True)
            ),
        },
        "own": {"title": "Our own guidance", "own": True, "sections": ["Ours"]},
    }
    decisions = draw(st.lists(st.sampled_from(DECISIONS), min_size=1, max_size=3, unique=True))

    # Rules before position opens[name] may set `name`, rules from there on may read it: every
    # rule reads only what rules before it set, so the rules cannot form a cycle.
    count = draw(st.integers(1, 25))
    opens = {name: draw(st.integers(0, count)) for name in set_values}
    rules: list[dict[str, Any]] = []
    for index in range(count):
        readable = [n for n in names if not n.derived or index >= opens[n.name]]
        cond = draw(conditions(Scope(readable, params)))
        settable = [name for name in set_values if index < opens[name]]
        outcomes = set(draw(st.lists(st.sampled_from(OUTCOMES), min_size=1, max_size=3)))
        if not settable:
            outcomes.discard("set")
        outcomes = outcomes or {"decide"}
        rule: dict[str, Any] = {"id": f"r{index}"}
        when: str | bool = cond.text
        if cond.text in ("true", "false") and draw(st.booleans()):
            when = cond.text == "true"
        rule["when"] = when
        priority = draw(st.one_of(st.sampled_from([0, 10, 50, 50, 100]), st.integers(-10, 100)))
        if priority or draw(st.booleans()):
            rule["priority"] = priority
        if "decide" in outcomes:
            rule["decide"] = draw(st.sampled_from(decisions))
        if "recommend" in outcomes:
            rule["recommend"] = {
                "topic": draw(st.sampled_from(["timing", "tone", "x-y"])),
                "text": _template(draw, scope),
            }
        if "flag" in outcomes:
            rule["flag"] = {
                "topic": "draft",
                "severity": draw(st.sampled_from(["info", "warning", "error"])),
                "text": _template(draw, scope),
            }
        if "set" in outcomes:
            chosen = draw(st.lists(st.sampled_from(settable), min_size=1, max_size=2, unique=True))
            rule["set"] = {name: set_values[name] for name in chosen}
        rule["rationale"] = "Because the generator said so."
        source = draw(st.sampled_from(sorted(sources)))
        rule["cite"] = {
            "source": source,
            "section": draw(st.sampled_from(sources[source]["sections"])),
        }
        if draw(st.booleans()):
            rule["cite"]["quote"] = "A quote."
        rules.append(rule)

    pack: dict[str, Any] = {
        "pack": draw(st.sampled_from(["gen", "gen-pack", "g_2"])),
        "version": "1.0.0",
        "title": "A generated pack",
        "sources": sources,
        "decisions": {
            name: {"title": name.capitalize(), "description": f"Decide {name}."}
            for name in decisions
        },
        "facts": facts,
    }
    if params:
        pack["params"] = {
            p.name: {"type": p.type, "default": p.default, "description": "A param."}
            for p in params
        }
    if derived:
        pack["derived"] = derived
    pack["rules"] = rules
    if draw(st.booleans()):
        draft: dict[str, Any] = {
            "id": "draft",
            "decision": draw(st.sampled_from(decisions)),
            "channel": "email",
            "subject": "About {{ " + names[0].name + " }}",
            "body": _template(draw, scope),
            "cite": {"source": "own", "section": "Ours"},
        }
        if draw(st.booleans()):
            draft["when"] = _atom(draw, scope).text
        pack["drafts"] = [draft]
    return yaml.safe_dump(pack, sort_keys=False, allow_unicode=draw(st.booleans()))


def pack_facts(text: str) -> dict[str, dict[str, Any]]:
    """The `facts:` mapping of a pack's YAML text."""
    return dict(yaml.safe_load(text)["facts"])


# ---------------------------------------------------------------- situations
def _text_values() -> st.SearchStrategy[str]:
    composed = st.lists(st.sampled_from(TEXT_FRAGMENTS), max_size=6).map(" ".join)
    return st.one_of(composed, composed, st.sampled_from(STRINGS), st.text(max_size=40))


def _value(spec: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    kind = spec["type"]
    near = st.integers(-12, 12).map(lambda days: TODAY + datetime.timedelta(days=days))
    strategies: dict[str, st.SearchStrategy[Any]] = {
        "bool": st.booleans(),
        "int": st.one_of(
            st.integers(-5, 15), st.sampled_from(INT_VALUES), st.integers(-MAX_INT, MAX_INT)
        ),
        "float": st.one_of(
            st.sampled_from(FLOAT_VALUES),
            st.floats(-MAX_INT, MAX_INT, allow_nan=False, allow_infinity=False),
            st.integers(-5, 15),
        ),
        "str": st.one_of(st.sampled_from(STRINGS), st.sampled_from(STRINGS), st.text(max_size=12)),
        "text": _text_values(),
        "list": st.lists(
            st.one_of(
                st.sampled_from(STRINGS), st.sampled_from(TEXT_FRAGMENTS), st.text(max_size=12)
            ),
            max_size=5,
        ),
        "date": st.one_of(near, near, near.map(datetime.date.isoformat), st.dates()),
    }
    if kind == "enum":
        return st.sampled_from(list(spec["values"]))
    return strategies[kind]


@st.composite
def situations(draw: Draw, pack_facts: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A situation for a pack's facts ({name: {"type": ..., "values": [...]}}): each fact is
    missing, null (also unknown) or has a value of its type. How many facts are unknown
    varies from situation to situation, from none to most."""
    unknown_share = draw(st.integers(0, 4))  # 0%, 20%, ... 80% of the facts unknown
    situation: dict[str, Any] = {}
    for name, spec in pack_facts.items():
        if draw(st.integers(0, 9)) < 2 * unknown_share:
            if draw(st.integers(0, 3)) == 0:
                situation[name] = None
            continue
        situation[name] = draw(_value(spec))
    return situation


class _Count(int):
    """An int subclass, as some libraries hand out (the model makes it a plain int)."""


class _Word(str):
    """A str subclass (a StrEnum member is one)."""


# Values a plain situation rarely holds, for any fact type: wrong types, subclasses, values
# at and beyond the limits, texts with a lone surrogate, containers of other kinds.
AWKWARD_VALUES = (
    True, False, 0, 1, -1, MAX_INT, MAX_INT + 1, -MAX_INT - 1, 2**64, _Count(3), 2.5, -0.0,
    float(MAX_INT), float("nan"), float("inf"), 1e300, "a", "", "email", "yes", "é",
    "\ud800", "x" * 1_001, "2026-03-06", "2026-02-30", "20260306", _Word("email"),
    datetime.date(2026, 3, 6), datetime.datetime(2026, 3, 6, 9, 0), b"a", ["a"], ["a", 1],
    ["\ud800"], ["x" * 1_001], ["a"] * 101, ("a",), {"a"}, {"a": 1}, None,
)  # fmt: skip


@st.composite
def awkward_situations(draw: Draw, pack_facts: Mapping[str, Mapping[str, Any]]) -> dict[Any, Any]:
    """A situation of the pack's facts with some values swapped for awkward ones, and at
    times a key the pack does not declare."""
    situation: dict[Any, Any] = dict(draw(situations(pack_facts)))
    for name in draw(st.lists(st.sampled_from(sorted(pack_facts)), max_size=4)):
        situation[name] = draw(st.sampled_from(AWKWARD_VALUES))
    if draw(st.integers(0, 5)) == 0:
        situation[draw(st.sampled_from(["nope", "_x", "today", 3, None]))] = 1
    return situation


def facts_of_model(model: Any) -> dict[str, dict[str, Any]]:
    """A pack's facts as {name: {"type", "values"}}, read from an engine's Situation model
    (`engine.Situation.model_fields`): text and str are told apart by their maximal length."""
    facts: dict[str, dict[str, Any]] = {}
    for name, field in model.model_fields.items():
        annotation, metadata = _unwrap(field.annotation)
        if typing.get_origin(annotation) is typing.Literal:
            facts[name] = {"type": "enum", "values": list(typing.get_args(annotation))}
        elif annotation is bool:
            facts[name] = {"type": "bool"}
        elif annotation is int:
            facts[name] = {"type": "int"}
        elif annotation is float:
            facts[name] = {"type": "float"}
        elif annotation is datetime.date:
            facts[name] = {"type": "date"}
        elif typing.get_origin(annotation) is list:
            facts[name] = {"type": "list"}
        elif annotation is str:
            longest = max((_max_length(item) for item in metadata), default=0)
            facts[name] = {"type": "text" if longest > 1_000 else "str"}
        else:
            raise TypeError(f"cannot tell the type of fact {name}: {field.annotation!r}")
    return facts


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """`X | None` and `Annotated[X, ...]` to X, with the Annotated metadata found on the way."""
    metadata: list[Any] = []
    while True:
        origin = typing.get_origin(annotation)
        if origin in (typing.Union, types.UnionType):
            members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            annotation = members[0]
        elif origin is typing.Annotated:
            metadata += list(annotation.__metadata__)
            annotation = typing.get_args(annotation)[0]
        else:
            return annotation, metadata


def _max_length(item: Any) -> int:
    found = getattr(item, "max_length", None)
    if found is not None:
        return int(found)
    return max((_max_length(inner) for inner in getattr(item, "metadata", ()) or ()), default=0)


# ---------------------------------------------------------------- plain random situations
def random_situation(rng: random.Random, facts: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A JSON-ready situation drawn with `rng` from the same pools as `situations()`, for
    tests that need many situations outside Hypothesis (threads, subprocesses)."""
    situation: dict[str, Any] = {}
    for name, spec in facts.items():
        if rng.random() < 0.3:
            continue
        kind = spec["type"]
        value: Any
        if kind == "bool":
            value = rng.random() < 0.5
        elif kind == "int":
            value = rng.choice([*INT_VALUES, rng.randint(-5, 15), rng.randint(-5, 15)])
        elif kind == "float":
            value = rng.choice([0.0, 0.5, 2.5, -0.5, 3.0, float(rng.randint(-5, 15))])
        elif kind == "enum":
            value = rng.choice(list(spec["values"]))
        elif kind == "str":
            value = rng.choice(STRINGS)
        elif kind == "text":
            value = " ".join(rng.choices(TEXT_FRAGMENTS, k=rng.randint(0, 8)))
        elif kind == "list":
            value = rng.choices([*STRINGS, *TEXT_FRAGMENTS], k=rng.randint(0, 5))
        else:
            value = (TODAY + datetime.timedelta(days=rng.randint(-5, 12))).isoformat()
        situation[name] = value
    return situation


# ---------------------------------------------------------------- fuzzing: random and mutated packs
BUNDLED_PACK = Path(__file__).resolve().parents[1] / "rules" / "interview-outreach.yaml"
# Every key a pack may hold, at any level: random data with these keys gets past the first
# "unknown key" and into the deeper checks.
PACK_KEYS = (
    "pack", "version", "title", "description", "sources", "decisions", "facts", "params",
    "derived", "rules", "drafts", "disable", "publisher", "published", "url", "own",
    "sections", "type", "values", "question", "default", "value", "id", "when", "priority",
    "decide", "recommend", "flag", "set", "rationale", "cite", "override", "topic", "text",
    "severity", "source", "section", "quote", "decision", "channel", "subject", "body",
)  # fmt: skip
# Pieces of YAML syntax, including every tag and directive a hostile pack might try.
YAML_TOKENS = (
    "- ", ": ", "? ", ":", "-", "\n", "\n", "  ", "    ", "\t", "\r\n", "{", "}", "[", "]",
    ", ", "&a ", "*a", "&b ", "*b", "*c", "'", '"', "# c", "|\n", "|-\n", ">\n", ">-\n",
    "!!python/object/apply:os.system ", "!!python/name:os.system ", "!!python/tuple ",
    "!!int ", "!!float ", "!!bool ", "!!null ", "!!str ", "!!timestamp ", "!!binary ",
    "!!set ", "!!omap ", "!!pairs ", "!!map ", "!!seq ", "!!merge ", "!local ", "! ",
    "!<tag:yaml.org,2002:int> ", "!e!x ", "%YAML 1.1\n", "%TAG !e! tag:e.com,2000:\n",
    "---\n", "--- ", "...\n", "<<: ", "~", "null", "true", "yes", "Off", "0x1F", "0o17",
    "0b101", "1_000", "1e400", "-.inf", ".nan", "1:20:30", "2026-03-06", "2026-02-30",
    "2026-03-06 10:00:00", "\x00", "\x7f", "\ufeff", "\u2028", "\\u0000", "\\ud800", "é",
    "😀", "pack: p\n", "version: '1'\n", "title: t\n", "rules:\n", "facts:\n",
    "  - id: r\n", "    when: ", "type: bool\n", "cite: {source: s, section: A}\n",
)  # fmt: skip
YAML_CHARS = "".join(sorted(set("-:?{}[],&*!|>'\"#%@`~\n\t ab0.")))
BUNDLED_FACT_TYPES = ("bool", "int", "float", "str", "enum", "date", "list", "text")


def fuzz_scalars() -> st.SearchStrategy[Any]:
    """Scalars as YAML can hold them, with the awkward ones: NaN, huge ints, datetimes."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from([2**53, 2**53 + 1, -(2**63), 2**64, 10**30, 10**4000]),
        st.floats(),
        st.text(max_size=30),
        st.sampled_from([*STRINGS, *PACK_KEYS, *BUNDLED_FACT_TYPES, "ready", "article"]),
        st.dates(),
        st.datetimes(),
    )


def fuzz_data(max_leaves: int = 40) -> st.SearchStrategy[Any]:
    """Random nested data (lists, mappings with str, int, bool or null keys, scalars)."""
    keys = st.one_of(
        st.sampled_from(PACK_KEYS), st.text(max_size=12), st.integers(-3, 3), st.none()
    )
    return st.recursive(
        fuzz_scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=6), st.dictionaries(keys, inner, max_size=6)
        ),
        max_leaves=max_leaves,
    )


def dump_yaml(data: Any, flow: bool | None = None, unicode: bool = True) -> str:
    """YAML text of data, as yaml.safe_dump writes it (no sorting: keys may mix types)."""
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=flow, allow_unicode=unicode)


@st.composite
def yaml_documents(draw: Draw) -> str:
    """The YAML text of random nested data, in block or flow style."""
    data = draw(fuzz_data())
    return dump_yaml(data, draw(st.sampled_from([None, False, True])), draw(st.booleans()))


def raw_texts() -> st.SearchStrategy[str]:
    """Raw text: random characters, YAML punctuation, and a soup of YAML tokens."""
    soup = st.lists(
        st.one_of(st.sampled_from(YAML_TOKENS), st.sampled_from(YAML_TOKENS), st.text(max_size=6)),
        max_size=40,
    ).map("".join)
    return st.one_of(st.text(max_size=200), st.text(alphabet=YAML_CHARS, max_size=200), soup, soup)


@functools.cache
def bundled_pack_text() -> str:
    return BUNDLED_PACK.read_text(encoding="utf-8")


@functools.cache
def _bundled_pack_data() -> Any:
    return yaml.safe_load(bundled_pack_text())


def _data_paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every value inside nested data (not the root)."""
    children: list[tuple[Any, Any]] = []
    if isinstance(data, dict):
        children = list(data.items())
    elif isinstance(data, list):
        children = list(enumerate(data))
    paths: list[tuple[Any, ...]] = []
    for key, value in children:
        paths.append((*prefix, key))
        paths.extend(_data_paths(value, (*prefix, key)))
    return paths


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


@st.composite
def mutated_pack_data(draw: Draw) -> str:
    """The bundled pack as data with 1-3 structural mutations (a value replaced by random
    data or a random condition, a key deleted or renamed, a list item deleted, duplicated
    or moved), dumped back to YAML."""
    data = copy.deepcopy(_bundled_pack_data())
    for _ in range(draw(st.integers(1, 3))):
        paths = _data_paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(data, path), path[-1]
        operation = draw(
            st.sampled_from(["replace", "replace", "condition", "delete", "rename", "copy"])
        )
        if operation == "replace":
            parent[key] = draw(fuzz_data(max_leaves=8))
        elif operation == "condition":
            parent[key] = draw(condition_texts())
        elif operation == "delete":
            del parent[key]
        elif operation == "rename" and isinstance(parent, dict):
            new_key = draw(st.one_of(st.sampled_from(PACK_KEYS), st.text(max_size=10)))
            parent[new_key] = parent.pop(key)
        elif isinstance(parent, list):  # copy (or rename in a list): duplicate the item
            parent.insert(draw(st.integers(0, len(parent))), copy.deepcopy(parent[key]))
        else:  # copy in a mapping: the value of another path
            other = draw(st.sampled_from(paths))
            parent[key] = copy.deepcopy(_parent(data, other)[other[-1]])
    return dump_yaml(data, draw(st.sampled_from([None, False])))


@st.composite
def mutated_pack_texts(draw: Draw, text: str | None = None) -> str:
    """The bundled pack's text (or `text`) with 1-4 mutations of its lines: deleted,
    duplicated, replaced by another line or by random text, moved, re-indented, or one
    character replaced, deleted or inserted."""
    lines = (text if text is not None else bundled_pack_text()).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            lines = [""]
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        operation = draw(
            st.sampled_from(
                ["delete", "duplicate", "replace", "random", "move", "indent", "char", "char"]
            )
        )
        if operation == "delete":
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, line)
        elif operation == "replace":
            lines[index] = draw(st.sampled_from(lines))
        elif operation == "random":
            lines[index] = draw(raw_texts()) + "\n"
        elif operation == "move":
            del lines[index]
            lines.insert(draw(st.integers(0, len(lines))), line)
        elif operation == "indent":
            delta = draw(st.sampled_from([-4, -2, -1, 1, 2, 4]))
            stripped = line.lstrip(" ")
            lines[index] = " " * max(0, len(line) - len(stripped) + delta) + stripped
        else:
            at = draw(st.integers(0, len(line)))
            char = draw(st.one_of(st.sampled_from(YAML_CHARS), st.characters()))
            kind = draw(st.sampled_from(["set", "delete", "insert"]))
            end = at + 1 if kind in ("set", "delete") else at
            lines[index] = line[:at] + ("" if kind == "delete" else char) + line[end:]
    return "".join(lines)


# Condition pieces for the facts and params of `condition_pack()`: names (known, misspelt,
# reserved, Python builtins), params, functions, operators Python has and conditions do
# not, and literals of every kind.
CONDITION_NAMES = (
    "ready", "attempts", "score", "name", "channel", "when_day", "questions", "draft",
    "flagged", "level", "redy", "sid", "id", "today", "params", "true", "false", "True",
    "None", "null", "__import__", "__builtins__", "open", "eval", "os", "x",
)  # fmt: skip
CONDITION_PARAMS = (
    "params.max_words", "params.generic", "params.label", "params.ratio", "params.strict",
    "params.missing", "params.__class__", "params", "params.max_words.real",
)  # fmt: skip
CONDITION_LITERALS = (
    "0", "-1", "2.5", "1e308", "1e400", "-0.0", "9007199254740993", "10**20", "1_000",
    "0x10", "1j", '"email"', "'phone'", '"x"', '""', '"é"', '"\\ud800"', '"\\x00"',
    "b'x'", "f'{x}'", "r'\\d'", '"2026-03-06"', "...", "[]", '["a", "b"]', "()", "{}",
    "{1}", "[1, 2]", '["email", 1]',
)  # fmt: skip
CONDITION_OPERATORS = (
    "and", "or", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not", "+",
    "-", "*", "/", "//", "%", "**", "|", "&", "^", "<<", ">>", "@", ":=",
)  # fmt: skip
CONDITION_TOKENS = (
    *CONDITION_NAMES, *CONDITION_PARAMS, *CONDITION_LITERALS, *CONDITION_OPERATORS,
    "not", "(", ")", "[", "]", ",", ".", ":", ";", "lambda x:", "if", "else", "for",
    "await", "yield", "*", "**", "=", "\n", "#", "\\", "word_count(", "days_until(",
)  # fmt: skip


# Valid atoms over the facts and params of `condition_pack()`, for well-typed conditions.
CONDITION_ATOMS = (
    "ready", "not ready", "attempts > 2", "attempts == 3", "2 <= attempts < 10",
    "score <= params.ratio", "score > 1e-05", "name == params.label", 'name != "é"',
    'channel == "email"', 'channel in ["email", "phone"]', 'channel not in ["phone"]',
    '"What should I prepare?" in questions', "length(questions) >= 2",
    "word_count(draft) > params.max_words", "days_until(when_day) >= 0",
    "days_since(when_day) > -5", 'contains(draft, "skills")',
    "contains_any(draft, params.generic)", "question_count(draft) == 1",
    "specific_question_count(questions, params.generic) > 0", "has_greeting(draft)",
    "not has_signoff(draft)", "params.strict", "flagged", "level > 3", "name in []",
    "true", "false", "attempts > 9007199254740993", "score != 0.1",
)  # fmt: skip


def condition_valid() -> st.SearchStrategy[str]:
    """Well-typed conditions from CONDITION_ATOMS with and, or, not and parentheses."""
    return st.recursive(
        st.sampled_from(CONDITION_ATOMS),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from([" and ", " or "]), inner).map("".join),
            inner.map(lambda text: f"not ({text})"),
        ),
        max_leaves=8,
    )


def _operands() -> st.SearchStrategy[str]:
    return st.sampled_from((*CONDITION_NAMES, *CONDITION_PARAMS, *CONDITION_LITERALS))


def _call_text(parts: tuple[str, list[str]]) -> str:
    return f"{parts[0]}({', '.join(parts[1])})"


def condition_grammar() -> st.SearchStrategy[str]:
    """Expressions from a small grammar over the condition language and beyond it."""
    functions = st.sampled_from([*FUNCTION_NAMES, "len", "getattr", "print"])
    return st.recursive(
        _operands(),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(CONDITION_OPERATORS), inner).map(" ".join),
            inner.map(lambda text: f"not {text}"),
            inner.map(lambda text: f"({text})"),
            st.tuples(functions, st.lists(inner, max_size=3)).map(_call_text),
            st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
            st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} if {t[1]} else {t[2]}"),
        ),
        max_leaves=12,
    )


@st.composite
def condition_texts(draw: Draw) -> str:
    """A condition string: well-typed, from the grammar (sometimes with one character
    changed), a soup of tokens, random text, or one of the bundled pack's conditions with a
    character changed."""
    kind = draw(
        st.sampled_from(["valid", "valid", "grammar", "mutated", "soup", "text", "bundled"])
    )
    if kind == "valid":
        return draw(condition_valid())
    if kind == "soup":
        tokens = st.one_of(st.sampled_from(CONDITION_TOKENS), st.text(max_size=4))
        return " ".join(draw(st.lists(tokens, min_size=1, max_size=20)))
    if kind == "text":
        return draw(st.text(max_size=60))
    text = draw(st.sampled_from(bundled_conditions())) if kind == "bundled" else ""
    if kind in ("grammar", "mutated"):
        text = draw(condition_grammar())
    if kind in ("mutated", "bundled") and text:
        at = draw(st.integers(0, len(text)))
        char = draw(st.one_of(st.sampled_from("()[]\"'.,<>=!"), st.characters()))
        text = text[:at] + char + text[at + draw(st.integers(0, 1)) :]
    return text


FUNCTION_NAMES = (
    "word_count", "length", "contains", "contains_any", "count_any", "question_count",
    "specific_question_count", "exclamation_runs", "emoji_count", "shouting_count",
    "has_greeting", "has_signoff", "days_until", "days_since",
)  # fmt: skip


@functools.cache
def bundled_conditions() -> tuple[str, ...]:
    """Every `when` and `value` of the bundled pack."""
    found = [
        value
        for path in _data_paths(_bundled_pack_data())
        if path[-1] in ("when", "value")
        and isinstance(value := _parent(_bundled_pack_data(), path)[path[-1]], str)
    ]
    return tuple(found)


def condition_pack(condition: str, where: str = "rule") -> str:
    """A small pack (facts of every type, params of every type, a derived fact set by a
    rule and one computed by a value) with `condition` as a rule's `when`, as the `value`
    of a derived fact, or as a draft's `when`."""
    rule = {
        "id": "fuzzed",
        "when": "ready",
        "decide": "go",
        "recommend": {"topic": "t", "text": "Words: {{ word_count(draft) }}."},
        "rationale": "Fuzzed.",
        "cite": {"source": "guide", "section": "Basics"},
    }
    pack: dict[str, Any] = {
        "pack": "fuzz",
        "version": "1",
        "title": "Fuzz",
        "sources": {"guide": {"title": "A guide", "sections": ["Basics"]}},
        "decisions": {"go": {"title": "Go"}},
        "facts": {
            "ready": {"type": "bool"},
            "attempts": {"type": "int"},
            "score": {"type": "float"},
            "name": {"type": "str"},
            "channel": {"type": "enum", "values": ["email", "phone"]},
            "when_day": {"type": "date"},
            "questions": {"type": "list"},
            "draft": {"type": "text"},
        },
        "params": {
            "max_words": {"type": "int", "default": 150},
            "generic": {"type": "list", "default": ["what should I prepare"]},
            "label": {"type": "str", "default": "x"},
            "ratio": {"type": "float", "default": 0.5},
            "strict": {"type": "bool", "default": True},
        },
        "derived": {
            "flagged": {"type": "bool", "default": False},
            "level": {"type": "int", "value": "word_count(draft)"},
        },
        "rules": [
            rule,
            {**rule, "id": "setter", "when": "attempts > 2", "set": {"flagged": True}},
        ],
        "drafts": [
            {
                "id": "note",
                "decision": "go",
                "channel": "email",
                "subject": "Hello",
                "body": "Hello {{ name }}",
                "cite": {"source": "guide", "section": "Basics"},
            }
        ],
    }
    if where == "rule":
        rule["when"] = condition
    elif where == "value":
        pack["derived"]["level"] = {"type": "bool", "value": condition}
    else:
        pack["drafts"][0]["when"] = condition
    return dump_yaml(pack)


# A situation that gives every fact of `condition_pack()` a value.
CONDITION_PACK_SITUATION: dict[str, Any] = {
    "ready": True,
    "attempts": 3,
    "score": 0.75,
    "name": "x",
    "channel": "email",
    "when_day": "2026-03-06",
    "questions": ["What should I prepare?", "Which skills matter most for this role?"],
    "draft": "Dear Dana,\nCould you tell me which skills matter most?\nBest regards",
}


# ---------------------------------------------------------------- hostile situations
AWKWARD_STRINGS = (
    "", "true", "yes", "1", "email", "Email", "2026-03-06", "2026-02-30", "20260306",
    "2026-03-06T10:00", "nan", "x" * 1_001, "x" * 70_000, "\ud800",
)  # fmt: skip


def json_like(max_leaves: int = 10) -> st.SearchStrategy[Any]:
    """JSON-like values, with the awkward ones (NaN, infinity, huge ints, long strings,
    ISO-looking strings), and a Python value now and then (bytes, a set, a date, a tuple)."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**60), 2**60),
        st.sampled_from([0, 1, -1, 2**53, 2**53 + 1, -(2**53) - 1, 10**400, 10**4000]),
        st.floats(),
        st.text(max_size=20),
        st.sampled_from(AWKWARD_STRINGS),
        st.binary(max_size=8),
        st.dates(),
        st.datetimes(),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.lists(inner, max_size=4).map(tuple),
            st.frozensets(st.text(max_size=4), max_size=3),
            st.dictionaries(st.text(max_size=6), inner, max_size=3),
        ),
        max_leaves=max_leaves,
    )


@st.composite
def hostile_situations(draw: Draw, facts: Mapping[str, Mapping[str, Any]]) -> dict[Any, Any]:
    """A situation for `facts` (see `facts_of_model`) where each fact is missing, null, a
    valid value of its type, or any JSON-like value; plus, now and then, unknown, reserved
    and non-string keys."""
    situation: dict[Any, Any] = {}
    for name, spec in facts.items():
        choice = draw(st.integers(0, 9))
        if choice < 3:
            continue
        if choice == 3:
            situation[name] = None
        elif choice < 7:
            situation[name] = draw(_value(spec))
        else:
            situation[name] = draw(json_like())
    extra_keys = st.one_of(
        st.sampled_from(["sid", "id", "params", "today", "_k", "$x", "Channel", "", " ready"]),
        st.text(max_size=8),
        st.integers(-2, 2),
    )
    for key in draw(st.lists(extra_keys, max_size=2)):
        situation[key] = draw(json_like(max_leaves=3))
    return situation


# ---------------------------------------------------------------- the bundled pack, half known
# The yes/no facts that decide, each with the value that leads towards contacting the
# interviewer; the two knock-out facts are the ones the pack assumes.
BUNDLED_TOWARDS_CONTACT = {
    "reviewed_job_description": True,
    "researched_role_holders": True,
    "spoke_with_recruiter": False,
    "has_interviewer_contact": True,
}
BUNDLED_KNOCK_OUTS = ("interviewer_requested_no_contact", "already_contacted_interviewer")


@st.composite
def bundled_situations(draw: Draw, pack_facts: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A situation for the bundled pack where the yes/no facts that decide mostly lead
    towards contacting the interviewer, the two knock-out facts are often unknown, and the
    interview date is often near: the mix where certain, provisional and missing decisions
    are all common. The other facts come from `situations()`."""
    situation = draw(situations(pack_facts))
    for name, towards in BUNDLED_TOWARDS_CONTACT.items():
        situation[name] = draw(st.sampled_from([towards] * 5 + [None, not towards]))
    for name in BUNDLED_KNOCK_OUTS:
        situation[name] = draw(st.sampled_from([None, None, False, True]))
    near = st.integers(-3, 12).map(lambda days: TODAY + datetime.timedelta(days=days))
    situation["interview_date"] = draw(st.one_of(st.none(), near, near.map(str)))
    return {name: value for name, value in situation.items() if value is not None}


# ---------------------------------------------------------------- templates from all of Jinja
# The facts and params of TEMPLATE_PACK, which `jinja_templates()` reads (and names it
# does not declare, which a pack must refuse).
TEMPLATE_NAMES = ("msg", "note", "n", "x", "items", "when", "ok", "today", "q", "v", "loop")
TEMPLATE_STRANGE_NAMES = (
    "range", "lipsum", "cycler", "joiner", "namespace", "dict", "nope", "params.nope",
)  # fmt: skip
TEMPLATE_FILTERS = (
    "long_date", "upper", "lower", "trim", "title", "length", "first", "last", "default",
    "abs", "round", "center", "join", "format", "replace", "wordwrap", "indent", "list",
    "batch", "slice", "map", "attr", "sum", "truncate", "tojson", "string", "int", "reverse",
    "sort", "unique", "pprint", "urlize", "xmlattr", "dictsort", "selectattr", "random",
)  # fmt: skip
TEMPLATE_TESTS = ("defined", "none", "number", "string", "divisibleby", "even", "in", "sameas")
TEMPLATE_ATTRIBUTES = ("limit", "words", "index", "first", "upper", "__class__", "__mro__", "x")
TEMPLATE_CONSTANTS = (
    "0", "1", "3", "-1", "2", "100000", "10**9", "9007199254740992", "1e308", "0.5",
    "None", "true", "'x'", '"a b "', "'{{ msg }}'", "'%s'", "[]", "['a', 'b']", "[1, 2]",
)  # fmt: skip
TEMPLATE_BINARY = ("+", "-", "*", "/", "//", "%", "**", "~", "==", "<", "in", "and", "or")
# What a pack may write, drawn as often as the rest so that many templates load and render.
TEMPLATE_SAFE_LEAVES = (
    "msg", "note", "n", "x", "items", "when", "ok", "today", "params.limit", "params.words",
    "1", "2", "0.5", "'a'", "['a', 'b?']", "n", "x", "msg",
)  # fmt: skip
TEMPLATE_SAFE_CALLS = (
    "word_count(msg)", "word_count(note)", "length(items)", "question_count(note)",
    "count_any(note, params.words)", "days_until(when)", "specific_question_count(items, ['a'])",
    "has_greeting(note)", "length(params.words)", "emoji_count(msg)",
)  # fmt: skip
TEMPLATE_SAFE_FILTERS = ("upper", "lower", "trim", "length", "first", "last", "default('d')")
TEMPLATE_LISTS = ("items", "params.words", "items[:params.limit]", "['a', 'b']", "items[1:]")


def _jinja_expression(draw: Draw, depth: int) -> str:
    """An expression of Jinja's grammar (valid or not for a pack): names, literals,
    arithmetic, string joining, calls, methods, attributes, items, filters and tests."""
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        if draw(st.integers(0, 2)) == 0:
            return draw(
                st.one_of(
                    st.sampled_from(TEMPLATE_NAMES),
                    st.sampled_from(TEMPLATE_CONSTANTS),
                    st.sampled_from(TEMPLATE_STRANGE_NAMES),
                )
            )
        return draw(st.sampled_from(TEMPLATE_SAFE_LEAVES))
    inner = functools.partial(_jinja_expression, draw, depth - 1)
    kind = draw(st.integers(0, 16))
    if kind == 0:
        return f"({inner()} {draw(st.sampled_from(TEMPLATE_BINARY))} {inner()})"
    if kind == 1:
        arguments = ", ".join(inner() for _ in range(draw(st.integers(0, 2))))
        callee = draw(st.sampled_from([*TEXT_NUMBERS, "length", "range", "days_until", "lipsum"]))
        return f"{callee}({arguments})"
    if kind == 2:
        arguments = ", ".join(inner() for _ in range(draw(st.integers(0, 2))))
        return f"{inner()}|{draw(st.sampled_from(TEMPLATE_FILTERS))}({arguments})"
    if kind == 3:
        return f"{inner()}.{draw(st.sampled_from(TEMPLATE_ATTRIBUTES))}"
    if kind == 4:
        return f"{inner()}.upper()"
    if kind == 5:
        low, high = draw(st.sampled_from(["", "1", "-1", "params.limit", "n"])), inner()
        return f"{inner()}[{low}:{high}]" if draw(st.booleans()) else f"{inner()}[{low or 0}]"
    if kind == 6:
        return f"{inner()} is {draw(st.sampled_from(TEMPLATE_TESTS))}"
    if kind == 7:
        return f"({inner()} if {inner()} else {inner()})"
    if kind == 8:
        return f"[{inner()}, {inner()}]"
    if kind == 9:
        return f"not {inner()}"
    if kind == 10:
        return f"-{inner()}"
    if kind == 11:
        return f"{{'k': {inner()}}}"
    if kind in (12, 13):
        number = draw(st.sampled_from(["n", "x", "1", "0", "params.limit", "length(items)"]))
        operator = draw(st.sampled_from(["+", "-", "*", "/", "//", "%", "==", "<", "and", "or"]))
        return f"({number} {operator} {inner()})"
    if kind == 14:
        return draw(st.sampled_from(TEMPLATE_SAFE_CALLS))
    if kind == 15:
        return f"{inner()}|{draw(st.sampled_from(TEMPLATE_SAFE_FILTERS))}"
    return f"{draw(st.sampled_from(['msg', 'items', 'note']))}[{inner()}:]"


def _jinja_statement(draw: Draw, depth: int) -> str:
    """A statement of Jinja's grammar: text, output, if, for (recursive too), set (and
    block set), macros and calls, filter and with blocks, includes and inheritance."""
    expression = functools.partial(_jinja_expression, draw, 2)
    if depth <= 0 or draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(["Text. ", "x", "\n- ", f"{{{{ {expression()} }}}}"]))
    body = functools.partial(_jinja_body, draw, depth - 1)
    kind = draw(st.integers(0, 10))
    if kind == 0:
        return f"{{% if {expression()} %}}{body()}{{% else %}}{body()}{{% endif %}}"
    if kind in (1, 2):
        recursive = " recursive" if draw(st.integers(0, 5)) == 0 else ""
        over = expression() if kind == 1 else draw(st.sampled_from(TEMPLATE_LISTS))
        return f"{{% for q in {over}{recursive} %}}{body()}{{% endfor %}}"
    if kind == 3:
        return f"{{% set v = {expression()} %}}{body()}"
    if kind == 4:
        return f"{{% set v %}}{body()}{{% endset %}}{{{{ v }}}}{{{{ v }}}}"
    if kind == 5:
        return (
            f"{{% macro m(a) %}}{body()}{{{{ m(a) }}}}{{% endmacro %}}{{{{ m({expression()}) }}}}"
        )
    if kind == 6:
        name = draw(st.sampled_from(["upper", "center(99999)"]))
        return f"{{% filter {name} %}}{body()}{{% endfilter %}}"
    if kind == 7:
        return f"{{% with v = {expression()} %}}{body()}{{% endwith %}}"
    if kind == 8:
        return draw(
            st.sampled_from(['{% include "x" %}', '{% extends "x" %}', '{% import "x" as y %}'])
        )
    if kind == 9:
        return f"{{{{ {expression()} }}}}"
    return f"{{% for q in items %}}{body()}{{{{ loop.index }}}}{{% endfor %}}"


def _jinja_body(draw: Draw, depth: int) -> str:
    return "".join(_jinja_statement(draw, depth) for _ in range(draw(st.integers(1, 3))))


@st.composite
def jinja_templates(draw: Draw) -> str:
    """A template composed from Jinja's statements and expressions, with loops, `range`,
    macros, string operations, attributes and filters a pack may not use, and the ones it
    may (most are refused; the rest must render within the output budget)."""
    return _jinja_body(draw, 3)


TEMPLATE_PACK = {
    "pack": "templated",
    "version": "1",
    "title": "Templated",
    "sources": {"guide": {"title": "A guide", "sections": ["Basics"]}},
    "decisions": {"go": {"title": "Go"}},
    "facts": {
        "msg": {"type": "str"},
        "note": {"type": "text"},
        "n": {"type": "int"},
        "x": {"type": "float"},
        "items": {"type": "list"},
        "when": {"type": "date"},
        "ok": {"type": "bool"},
    },
    "params": {
        "limit": {"type": "int", "default": 3},
        "words": {"type": "list", "default": ["word " * 200] * 150},
    },
    "rules": [],
}


def template_pack(text: str, in_draft: bool) -> dict[str, Any]:
    """TEMPLATE_PACK with `text` as the recommend text of its rule, or as its draft body."""
    pack = copy.deepcopy(TEMPLATE_PACK)
    rule = {
        "id": "r",
        "when": "true",
        "decide": "go",
        "rationale": "Because.",
        "cite": {"source": "guide", "section": "Basics"},
        "recommend": {"topic": "t", "text": "Plain." if in_draft else text},
    }
    pack["rules"] = [rule]
    if in_draft:
        cite = {"source": "guide", "section": "Basics"}
        draft = {"id": "d", "decision": "go", "channel": "email", "subject": "S", "cite": cite}
        pack["drafts"] = [{**draft, "body": text}]
    return pack


def template_situations() -> st.SearchStrategy[dict[str, Any]]:
    """Situations for TEMPLATE_PACK, with values at their limits (long strings, full lists,
    numbers at ±2^53, zero) as often as ordinary ones."""
    long = "w" * 1_000
    return st.fixed_dictionaries(
        {},
        optional={
            "msg": st.sampled_from(["hi", long, "", "{{ x }}"]),
            "note": st.sampled_from(["Hello. Why?", "x " * 50_000]),
            "n": st.sampled_from([0, 1, -1, 3, MAX_INT, -MAX_INT]),
            "x": st.sampled_from([0.0, -0.0, 0.5, float(MAX_INT), 1e15]),
            "items": st.sampled_from([[], ["a", "b?"], [long] * 100]),
            "when": st.sampled_from([TODAY, TODAY + datetime.timedelta(days=3)]),
            "ok": st.booleans(),
        },
    )


# Health checks that tests writing a pack file per example turn off: the file is rewritten
# for every example (a function-scoped tmp_path), and packs are large and slow to draw.
PACK_FILE_CHECKS = [
    HealthCheck.function_scoped_fixture,
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
]


@st.composite
def packs_with_assumptions(draw: Draw) -> str:
    """The YAML text of a random pack (`packs()`) where about half of the facts declare
    `assume:`, each a value of the fact's type drawn like a situation's (dates as ISO text)."""
    data = yaml.safe_load(draw(packs()))
    for spec in data["facts"].values():
        if draw(st.booleans()):
            value = draw(_value(spec))
            spec["assume"] = value.isoformat() if isinstance(value, datetime.date) else value
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# ---------------------------------------------------------------- batches with bad situations
BAD_SITUATION_KINDS = ("invalid", "not a mapping", "unpicklable", "template error", "unreadable")


@st.composite
def mixed_batches(draw: st.DrawFn, min_size: int, max_size: int) -> list[tuple[str, Any]]:
    """A batch for the pack tests/data/packs/divide.yaml (facts `ready: bool`, `parts: int`)
    as (kind, data) pairs: "good" with a valid situation, or one of BAD_SITUATION_KINDS with
    a number, at random positions (the test builds each bad situation from its kind)."""
    good = st.fixed_dictionaries(
        {"parts": st.integers(1, 1_000)}, optional={"ready": st.booleans()}
    ).map(lambda situation: ("good", situation))
    bad = st.tuples(st.sampled_from(BAD_SITUATION_KINDS), st.integers(0, 9))
    return draw(st.lists(st.one_of(good, good, good, bad), min_size=min_size, max_size=max_size))


# ---------------------------------------------------------------- outreach situations
# For the safe-draft property (tests/test_safe_draft.py): situations of the bundled
# interview-outreach pack in which contacting the interviewer is the advice, with realistic
# names and questions that mix good ones, off-purpose ones, fragments and arbitrary text.
PERSON_NAMES = ("Dana Lee", "Ms. Lee", "Dr. Okafor", "Sam Ortiz", "Priya Raman", "Jonas Berg")
ROLE_TITLES = ("Data Analyst", "Backend Engineer", "Product Designer", "Account Manager")
COMPANIES = ("Acme Analytics", "Northwind", "Globex", "Initech")
GOOD_QUESTIONS = (
    "Which reporting tools does the analytics team use every day?",
    "Are there particular skills or experiences you recommend I focus on?",
    "Is there a specific format or structuring I should be aware of for the interview?",
    "Will the interview include a practical exercise on real data?",
    "Which projects would the new hire work on in the first months",
    "How does the team measure success in this role?",
)
OFF_PURPOSE_QUESTIONS = (
    "What is the salary range for this role?",
    "Can you send me the interview questions in advance?",
    "How many other candidates are you interviewing?",
    "You are truly the best leader in the industry, what should I read?",
    "Could you reply by tomorrow about the format?",
    "Shall I re-send my CV before the interview?",
    "Is there an annual bonus and how many vacation days are there?",
)
ROUGH_QUESTIONS = (
    "salary?",
    "any tips?",
    "what should I prepare?",
    "format??",
    "hey, what's the dress code lol?",
    "WHAT IS THE FORMAT of the interview exactly?",
    "Is it remote!! or on site?",
    "Which tools 😀 does the team use every day?",
    "Dear [Interviewer's Name], which skills matter most here?",
    (
        "Which parts of the job description will the panel spend the most time on, and which "
        "of my past projects would be most useful to walk through in detail on the day?"
    ),
    "Is it remote. Also is there parking near the office?",
)


@st.composite
def outreach_situations(draw: Draw) -> dict[str, Any]:
    """A situation of the bundled pack where contacting the interviewer is the advice."""
    situation: dict[str, Any] = {
        "interview_date": (TODAY + datetime.timedelta(days=draw(st.integers(0, 30)))).isoformat(),
        "reviewed_job_description": True,
        "researched_role_holders": True,
        "has_interviewer_contact": True,
        "interviewer_requested_no_contact": False,
        "already_contacted_interviewer": False,
    }
    if draw(st.booleans()):
        situation.update(spoke_with_recruiter=True, asked_recruiter=True)
    else:
        situation["spoke_with_recruiter"] = False
    for fact, pool in (
        ("interviewer_name", PERSON_NAMES),
        ("candidate_name", PERSON_NAMES),
        ("role_title", ROLE_TITLES),
        ("company", COMPANIES),
        ("channel", ("email", "phone")),
    ):
        if draw(st.booleans()):
            situation[fact] = draw(st.sampled_from(pool))
    question = st.one_of(
        st.sampled_from(GOOD_QUESTIONS),
        st.sampled_from(OFF_PURPOSE_QUESTIONS),
        st.sampled_from(ROUGH_QUESTIONS),
        st.text(max_size=60),
    )
    if draw(st.integers(0, 4)):
        situation["questions"] = draw(st.lists(question, max_size=6))
    return situation
