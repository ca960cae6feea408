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
"""

from __future__ import annotations

import ast
import datetime
import json
import math
import random
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from hypothesis import settings
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
INT_LITERALS = (-3, -1, 0, 1, 2, 3, 5, 10, 2**31, MAX_INT - 1, MAX_INT, -MAX_INT, 10**20)
# Float literals, in comparisons with numbers; the last ones print in exponent notation.
FLOAT_LITERALS = (2.5, -0.5, 0.25, 1e-05, 1e16)
INT_VALUES = (0, 1, 2, 3, 5, 10, -1, -3, 2**31, -(2**31) - 1, MAX_INT - 1, MAX_INT, -MAX_INT)
FLOAT_VALUES = (0.0, 0.5, 2.5, -0.5, 3.0, 1e-05, 1e15, float(MAX_INT))
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


def _number_operand(draw: Draw, scope: Scope) -> Term:
    """The other side of a numeric comparison: a literal, an int param or another number."""
    choice = draw(st.integers(0, 9))
    ints = scope.params_of("int")
    if choice <= 4:
        return Term(literal(draw(st.sampled_from(INT_LITERALS))), frozenset())
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
        right = _number_operand(draw, scope)
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
