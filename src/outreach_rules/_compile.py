"""The compile stage: checked conditions become durable_rules rulesets and Python closures.

Both backends run the same plan. Rules are grouped in *strata*: a rule that reads a derived
fact runs in a later stratum than every rule that sets it, so forward chaining needs no
re-assertion and cannot loop. Each condition is put in negation normal form, then in
disjunctive normal form: every conjunction becomes one durable rule without `$or`, and what
durable_rules cannot compare itself (function calls, list membership, dates, two facts) is
computed in Python first and handed over as a named attribute. Attribute names are checked
for 32-bit FNV-1a hash collisions, which durable_rules would silently confuse.

Each rule may expand to at most MAX_ALTERNATIVES alternatives, and the whole pack to at most
MAX_DURABLE_RULES; both are checked before anything else is built.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from . import _expr as expr
from ._check import CheckedPack, CheckedRule
from ._expr import Atom, Cond, Term
from ._text import FUNCTIONS
from ._words import Describer, fact_words, reads_container
from .errors import Problem, RulebookError

if TYPE_CHECKING:
    from ._pysource import StratumCode

T = TypeVar("T")

Env = dict[str, Any]
Closure = Callable[[Env], Any]
MAX_ALTERNATIVES = 32
# Durable rules (alternatives summed over every rule, defaults included) in a whole pack:
# each costs durable_rules about 16 kB, so 20,000 stay near 300 MB.
MAX_DURABLE_RULES = 20_000
MOST_ALTERNATIVES_SHOWN = 5
RULES_PER_RULESET = 48
ATTRS_PER_RULESET = 200
MARKER = "_k"
TODAY = "_today"
_RESERVED = ("sid", "id", MARKER)
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_DURABLE_OPS = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}


def fnv1a32(name: str) -> int:
    """The 32-bit FNV-1a hash durable_rules uses to identify attribute names."""
    value = 0x811C9DC5
    for byte in name.encode("utf-8"):
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value


# ---------------------------------------------------------------- Python closures (3-valued)
def term_closure(term: Term) -> Closure:
    """A function of the evaluation's values giving the term's value, None when unknown."""
    if isinstance(term, expr.Const | expr.ParamRef):
        constant = term.value
        return lambda env: constant
    if isinstance(term, expr.ListLit):
        items = [item.value for item in term.items]
        return lambda env: items
    if isinstance(term, expr.FactRef):
        name = term.name
        return lambda env: env.get(name)
    return call_closure(term)


def memo_key(term: expr.Call) -> str:
    """Where a function call's result is remembered in the evaluation's values."""
    return "$" + expr.render_term(term)


def call_closure(term: expr.Call) -> Closure:
    spec = FUNCTIONS[term.function]
    impl = spec.impl
    args = [term_closure(arg) for arg in term.args]
    if spec.needs_today:
        args.insert(0, lambda env: env[TODAY])
    # Several rules often call the same function on the same text: remember the result for
    # the rest of the evaluation (arguments are final by the time any rule reads them).
    memo = memo_key(term)

    def call(env: Env) -> Any:
        if memo in env:
            return env[memo]
        values = [arg(env) for arg in args]
        result = env[memo] = None if None in values else impl(*values)
        return result

    return call


def cond_closure(cond: Cond) -> Closure:
    """A function of the evaluation's values giving True, False or None (unknown)."""
    if isinstance(cond, expr.Always):
        constant = cond.value
        return lambda env: constant
    if isinstance(cond, expr.Not):
        inner = cond_closure(cond.item)
        return lambda env: None if (v := inner(env)) is None else not v
    if isinstance(cond, expr.And | expr.Or):
        return _junction(cond)
    return atom_closure(cond)


def _junction(cond: expr.And | expr.Or) -> Closure:
    items = [cond_closure(item) for item in cond.items]
    decisive = isinstance(cond, expr.Or)

    def junction(env: Env) -> bool | None:
        result: bool | None = not decisive
        for item in items:
            value: bool | None = item(env)
            if value is decisive:
                return decisive
            if value is None:
                result = None
        return result

    return junction


def atom_closure(atom: Atom) -> Closure:
    """A closure for one atom (a literal of the normal form)."""
    if isinstance(atom, expr.Truth):
        term, expect = term_closure(atom.term), atom.expect
        return lambda env: None if (v := term(env)) is None else v == expect
    if isinstance(atom, expr.Compare):
        left, right, test = term_closure(atom.left), term_closure(atom.right), OPERATORS[atom.op]
        return lambda env: (
            None if (a := left(env)) is None or (b := right(env)) is None else test(a, b)
        )
    item, container, negated = term_closure(atom.item), term_closure(atom.container), atom.negated
    return lambda env: (
        None if (a := item(env)) is None or (b := container(env)) is None else (a in b) != negated
    )


# ---------------------------------------------------------------- normal forms
def _expand_members(cond: Cond) -> Cond:
    """`x in [a, b]` as `x == a or x == b` (and its negation), so durable needs no lists."""
    if isinstance(cond, expr.And | expr.Or):
        return type(cond)(tuple(_expand_members(item) for item in cond.items))
    # An empty list stays a Member atom (computed in Python): `x not in []` needs x known.
    if (
        isinstance(cond, expr.Member)
        and isinstance(cond.container, expr.ListLit)
        and cond.container.items
    ):
        op = "!=" if cond.negated else "=="
        parts = tuple(expr.Compare(op, cond.item, item) for item in cond.container.items)
        return expr.And(parts) if cond.negated else expr.Or(parts)
    return cond


class _TooManyAlternatives(Exception):  # noqa: N818 - internal signal, never escapes this module
    pass


def disjunctive_normal_form(cond: Cond) -> list[list[Atom]] | None:
    """Alternatives (each a list of atoms that must all hold) equivalent to the condition,
    or None when there would be more than MAX_ALTERNATIVES of them."""
    nnf = _expand_members(expr.negation_normal_form(cond))
    try:
        return _dnf(nnf)
    except _TooManyAlternatives:
        return None


def _dnf(cond: Cond) -> list[list[Atom]]:
    if isinstance(cond, expr.Always):
        return [[]] if cond.value else []
    if isinstance(cond, expr.Or):
        found = [alt for item in cond.items for alt in _dnf(item)]
    elif isinstance(cond, expr.And):
        found = [[]]
        for item in cond.items:
            found = [left + right for left in found for right in _dnf(item)]
            if len(found) > MAX_ALTERNATIVES:
                raise _TooManyAlternatives
    else:
        assert not isinstance(cond, expr.Not)
        found = [[cond]]
    if len(found) > MAX_ALTERNATIVES:
        raise _TooManyAlternatives
    return found


def alternatives_count(cond: Cond) -> int | None:
    """How many alternatives `disjunctive_normal_form` gives for the condition, or None
    when it gives None; counted without making them."""
    nnf = _expand_members(expr.negation_normal_form(cond))
    try:
        return _count(nnf)
    except _TooManyAlternatives:
        return None


def _count(cond: Cond) -> int:
    # The same steps as _dnf, on the lengths of its lists: it stops where _dnf stops.
    if isinstance(cond, expr.Always):
        return 1 if cond.value else 0
    if isinstance(cond, expr.Or):
        found = sum(_count(item) for item in cond.items)
    elif isinstance(cond, expr.And):
        found = 1
        for item in cond.items:
            if found == 0:  # _dnf makes nothing of the items after an empty one
                break
            found *= _count(item)
            if found > MAX_ALTERNATIVES:
                raise _TooManyAlternatives
    else:
        found = 1
    if found > MAX_ALTERNATIVES:
        raise _TooManyAlternatives
    return found


# ---------------------------------------------------------------- the plan
@dataclass(frozen=True)
class AtomCheck:
    """One atom of a rule's normal form, ready to explain: text, test, and the value it reads."""

    text: str
    test: Closure
    fact: str | None
    value: Closure
    words: str  # a sentence with a VALUE marker for the value read


class made_once(Generic[T]):  # noqa: N801 - used as a decorator, like cached_property
    """A read-only attribute made by a method on first read and kept in the instance.

    As `functools.cached_property` from Python 3.12 on: without the lock 3.11 holds while
    making it, which a fork taken meanwhile would leave held in the child. Two threads may
    both make it; the first one kept is the one every reader gets."""

    def __init__(self, make: Callable[[Any], T]) -> None:
        self.make = make
        self.name = make.__name__
        self.__doc__ = make.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> T:
        if instance is None:
            return self  # type: ignore[return-value]  # the class attribute, for help()
        value: T = instance.__dict__.setdefault(self.name, self.make(instance))
        return value


@dataclass
class CompiledRule:
    """One rule of the plan: its alternatives for durable_rules, and the closures that test
    it and explain its atoms (made when first needed: the python backend tests rules in
    generated code, and only the rules a result explains need their atoms)."""

    index: int
    checked: CheckedRule
    stratum: int
    describer: Describer

    @property
    def id(self) -> str:
        return self.checked.id

    @made_once
    def alternatives(self) -> list[list[Atom]] | None:
        """The alternatives durable_rules tests; None: too many, durable gets the whole
        condition (computed in Python)."""
        return disjunctive_normal_form(self.checked.cond)

    @made_once
    def test(self) -> Closure:
        """The rule's condition as a closure of the evaluation's values (three-valued)."""
        return cond_closure(self.checked.cond)

    @made_once
    def atoms(self) -> list[AtomCheck]:
        """The atoms of the rule's negation normal form, ready to explain."""
        nnf = expr.negation_normal_form(self.checked.cond)
        return [atom_check(atom, self.describer) for atom in expr.atoms(nnf)]

    @made_once
    def sentences(self) -> list[str]:
        """The sentence in words of each atom, in order (VALUE marks the value read)."""
        return [atom.words for atom in self.atoms]


@dataclass
class Lifted:
    """A value durable_rules cannot compute, computed in Python and sent as an attribute."""

    attr: str
    text: str
    compute: Closure


@dataclass
class RulesetPlan:
    """One durable_rules ruleset: its JSON definition and how actions map to rules."""

    name: str
    definition: dict[str, Any]
    actions: dict[str, int]
    attrs: dict[str, str]  # durable attribute -> key in the evaluation's values


@dataclass
class DurablePlan:
    """What durable_rules evaluates one stratum with."""

    lifted: list[Lifted]  # the values computed in Python and sent as attributes
    rulesets: list[RulesetPlan]


@dataclass
class Stratum:
    level: int
    rules: list[int]
    pack: str
    compiled: list[CompiledRule] = field(repr=False)  # the program's rules, all of them
    # The python backend's generated function (`_pysource`), made after the evaluations
    # it has `served` by closures.
    code: StratumCode | None = None
    served: int = 0

    @made_once
    def durable(self) -> DurablePlan:
        """The stratum's durable_rules plan, made when first needed: an engine on the
        python backend never needs it."""
        return _plan_rulesets(self.pack, self, self.compiled)

    @property
    def lifted(self) -> list[Lifted]:
        return self.durable.lifted

    @property
    def rulesets(self) -> list[RulesetPlan]:
        return self.durable.rulesets


@dataclass
class Program:
    """The compiled pack: strata of rules, durable rulesets, closures for derived values."""

    checked: CheckedPack
    rules: list[CompiledRule]
    strata: list[Stratum]
    values: list[tuple[str, Closure]]
    draft_tests: dict[str, Closure]  # draft id -> its `when`, for drafts that have one
    setters: dict[str, list[int]]  # derived fact -> the rules that may set it, in order

    def rulesets(self) -> dict[str, dict[str, Any]]:
        """Every durable_rules ruleset definition, by name, in evaluation order."""
        return {plan.name: plan.definition for s in self.strata for plan in s.rulesets}


class _Lifter:
    """Names and computes the values that durable_rules receives as attributes."""

    def __init__(self, stratum: Stratum) -> None:
        self.stratum = stratum
        self.by_text: dict[str, Lifted] = {}
        self.lifted: list[Lifted] = []

    def lift(self, text: str, compute: Closure) -> str:
        found = self.by_text.get(text)
        if found is None:
            found = Lifted(f"_v{len(self.by_text) + 1}_s{self.stratum.level}", text, compute)
            self.by_text[text] = found
            self.lifted.append(found)
        return found.attr

    def leaf(self, atom: Atom) -> tuple[str, str, Any]:
        """(attribute, operator, constant) for durable; lifts what durable cannot compare."""
        if isinstance(atom, expr.Truth):
            return self._operand(atom.term), "==", atom.expect
        if isinstance(atom, expr.Compare):
            left, right, op = atom.left, atom.right, atom.op
            if _is_constant(left) and not _is_constant(right):
                left, right, op = right, left, expr.SWAPPED_OP[op]
            if _is_constant(right) and _durable_comparable(left):
                return self._operand(left), op, _constant(right)
        return self.lift(expr.render(atom), atom_closure(atom)), "==", True

    def _operand(self, term: Term) -> str:
        if isinstance(term, expr.FactRef):
            return term.name
        return self.lift(expr.render_term(term), term_closure(term))


def _is_constant(term: Term) -> bool:
    return isinstance(term, expr.Const | expr.ParamRef)


def _constant(term: Term) -> Any:
    assert isinstance(term, expr.Const | expr.ParamRef)
    return term.value


def _durable_comparable(term: Term) -> bool:
    return isinstance(term, expr.FactRef | expr.Call) and term.type in (
        "bool",
        "int",
        "float",
        "str",
        "enum",
    )


def _leaf_json(attr: str, op: str, value: Any) -> dict[str, Any]:
    if op == "==":
        return {attr: value}
    return {_DURABLE_OPS[op]: {attr: value}}


def compile_pack(checked: CheckedPack) -> Program:
    """Compile a checked pack into a Program (pure: same input, same output)."""
    spec = checked.rulebook.spec
    describer = Describer(fact_words({**spec.facts, **spec.derived}))
    # Every limit is checked before closures and rulesets are built: a refused pack costs
    # only its normal forms (at most MAX_ALTERNATIVES per rule).
    _check_alternatives(checked, [alternatives_count(rule.cond) for rule in checked.rules])
    rules = [
        CompiledRule(index, rule, checked.strata[rule.id], describer)
        for index, rule in enumerate(checked.rules)
    ]
    levels = sorted({rule.stratum for rule in rules})
    pack = checked.rulebook.spec.pack
    strata = [
        Stratum(level, [r.index for r in rules if r.stratum == level], pack, rules)
        for level in levels
    ]
    values = [(name, _value_closure(node)) for name, node in checked.derived_values]
    draft_tests = {d.id: cond_closure(d.cond) for d in checked.drafts if d.cond is not None}
    setters = {
        name: [rule.index for rule in rules if name in rule.checked.sets]
        for name in checked.rulebook.spec.derived
    }
    return Program(checked, rules, strata, values, draft_tests, setters)


def atom_check(atom: Atom, describer: Describer) -> AtomCheck:
    """An atom with what explaining it needs: its text, its test, the fact and value it reads."""
    main = (
        atom.term
        if isinstance(atom, expr.Truth)
        else atom.left
        if isinstance(atom, expr.Compare)
        else atom.item
    )
    if isinstance(atom, expr.Compare) and _is_constant(main):
        main = atom.right
    if isinstance(atom, expr.Member) and reads_container(atom):
        main = atom.container
    names = expr.fact_names(main)
    return AtomCheck(
        expr.render(atom),
        atom_closure(atom),
        names[0] if names else None,
        term_closure(main),
        describer.atom(atom),
    )


def _value_closure(node: Cond | Term) -> Closure:
    if isinstance(node, expr.Const | expr.FactRef | expr.ParamRef | expr.Call | expr.ListLit):
        return term_closure(node)
    return cond_closure(node)


def _check_alternatives(checked: CheckedPack, alternatives: list[int | None]) -> None:
    """Refuse a rule that expands to too many alternatives, then a pack whose rules expand
    to too many durable rules in all (`alternatives`: each rule's count)."""
    problems: list[Problem] = []
    for rule, found in zip(checked.rules, alternatives, strict=True):
        if found is None and rule.spec is not None:
            file, path = checked.rulebook.locate("rules", rule.id)
            problems.append(
                file.doc.problem(
                    (*path, "when"),
                    f"the condition expands to more than {MAX_ALTERNATIVES} alternatives "
                    "(and/or combinations): split the rule",
                    rule_id=rule.id,
                    code="too-complex",
                )
            )
    if problems:
        raise RulebookError(problems)
    # A synthetic default rule past MAX_ALTERNATIVES is one durable rule: Python computes it.
    counts = [1 if found is None else found for found in alternatives]
    total = sum(counts)
    if total <= MAX_DURABLE_RULES:
        return
    # The rules that contribute most, in pack order among equals.
    order = sorted(range(len(counts)), key=lambda index: -counts[index])
    most = order[:MOST_ALTERNATIVES_SHOWN]
    named = ", ".join(f"{checked.rules[index].id} ({counts[index]})" for index in most)
    top = checked.rules[most[0]]
    if top.synthetic:
        file, path = checked.rulebook.locate("derived", next(iter(top.sets)))
    else:
        file, path = checked.rulebook.locate("rules", top.id)
        path = (*path, "when")
    raise RulebookError(
        [
            file.doc.problem(
                path,
                f"the pack expands to {total:,} durable rules (the alternatives of all its "
                f"conditions, summed); the limit is {MAX_DURABLE_RULES:,}. The rules with the "
                f"most alternatives: {named}; simplify their conditions or drop rules",
                code="limit",
            )
        ]
    )


# One durable rule: its action name, the index of its rule, and its (attribute, op, value) tests.
Alternative = tuple[str, int, list[tuple[str, str, Any]]]


def _plan_rulesets(pack: str, stratum: Stratum, rules: list[CompiledRule]) -> DurablePlan:
    lifter = _Lifter(stratum)
    chunk: list[Alternative] = []
    for index in stratum.rules:
        rule = rules[index]
        if rule.alternatives is None:
            # A synthetic default rule over many setters: Python computes the whole condition.
            whole = lifter.lift(expr.render(rule.checked.cond), rule.test)
            chunk.append((f"r{index}_0", index, [(whole, "==", True)]))
            continue
        for number, alternative in enumerate(rule.alternatives):
            leaves = [lifter.leaf(atom) for atom in alternative]
            chunk.append((f"r{index}_{number}", index, leaves))
    rulesets = [
        _ruleset(f"{pack}.s{stratum.level}.c{number}", part)
        for number, part in enumerate(_split(chunk))
    ]
    return DurablePlan(lifter.lifted, rulesets)


def _split(chunk: list[Alternative]) -> list[list[Alternative]]:
    """The alternatives in order, cut into parts of at most RULES_PER_RULESET alternatives
    that read at most ATTRS_PER_RULESET attributes together (one part when there are none)."""
    parts: list[list[Alternative]] = [[]]
    attrs: set[str] = set()
    for item in chunk:
        own = {attr for attr, _, _ in item[2]}
        full = len(parts[-1]) == RULES_PER_RULESET or len(attrs | own) > ATTRS_PER_RULESET
        if parts[-1] and full:
            parts.append([])
            attrs = set()
        parts[-1].append(item)
        attrs |= own
    return parts


def _ruleset(name: str, part: list[Alternative]) -> RulesetPlan:
    keys = sorted({attr for _, _, leaves in part for attr, _, _ in leaves})
    attrs = _safe_attributes(keys, name)
    definition: dict[str, Any] = {}
    actions: dict[str, int] = {}
    for action, index, leaves in part:
        tests = [_leaf_json(attrs[attr], op, value) for attr, op, value in leaves]
        if not tests:
            tests = [{"$ex": {MARKER: 1}}]
        definition[action] = {"all": [{"m": tests[0] if len(tests) == 1 else {"$and": tests}}]}
        actions[action] = index
    # A rule that always matches makes sure an action runs in every session, so deleting the
    # session's state never meets the uninitialised memory of a session where nothing ran.
    definition["done"] = {"all": [{"m": {"$ex": {MARKER: 1}}}], "pri": 1_000_000}
    return RulesetPlan(name, definition, actions, {attr: key for key, attr in attrs.items()})


def _safe_attributes(keys: list[str], ruleset: str) -> dict[str, str]:
    """Map value keys to attribute names whose hashes differ from each other and from reserved."""
    if len(keys) > ATTRS_PER_RULESET:  # one alternative alone: its condition's parts forbid it
        raise RulebookError(
            [
                Problem(
                    f"ruleset {ruleset} needs {len(keys)} attributes; "
                    f"the limit is {ATTRS_PER_RULESET}"
                )
            ]
        )
    taken = {fnv1a32(name) for name in _RESERVED}
    chosen: dict[str, str] = {}
    for key in keys:
        attr, suffix = key, 0
        while fnv1a32(attr) in taken:
            suffix += 1
            attr = f"{key}__{suffix}"
        taken.add(fnv1a32(attr))
        chosen[key] = attr
    return chosen
