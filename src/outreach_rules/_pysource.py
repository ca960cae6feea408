"""The python backend's plan: every stratum of a pack compiled to one Python function.

As Jinja compiles a template to Python source, each stratum's rules become the source of
one function of the evaluation's values. It reads every fact its rules read once, into a
local, tests every rule with three-valued logic (a comparison with an unknown operand is
None, `False and None` is False, `True or None` is True, `not None` is None), gives each
fired rule's derived values to the values, and returns the indexes of the rules that fired
and of those that were unknown. It computes exactly what the closures of `_compile`
compute, in the same order (the differential tests compare both backends, and both plans
of the python backend, on generated packs); function calls go through those closures,
which remember their results in the evaluation's values.

Nothing from the pack is pasted into the source but rule indexes and literals that
`repr` writes back exactly (whole numbers, finite floats, booleans, texts); every other
constant is a name bound in the function's namespace. The source names its rules and their
YAML lines in comments, and an exception raised inside it gets a note naming the rule and
the pack file and line it comes from (the source is given to `linecache` then, under its
own file name, so a traceback printed afterwards shows the generated line). A rule nested
deeper than MAX_DEPTH is tested by its closure, keeping the source far from the parser's
limits.

A stratum's first CLOSURE_EVALUATIONS evaluations test its rules by their closures: the
function is generated and compiled only once the engine has shown it evaluates more than
a few situations.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import linecache
import math
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import _expr as expr
from ._compile import CompiledRule, Env, Program, Stratum, call_closure, memo_key
from ._expr import Cond, Term

MAX_DEPTH = 12
Fire = Callable[[Env], tuple[list[int], list[int]]]
_LITERALS = (bool, int, str)
MAX_CACHED_CODE = 32


@functools.lru_cache(maxsize=MAX_CACHED_CODE)
def compiled_code(text: str, filename: str) -> types.CodeType:
    """The source compiled (a stratum's or a situation reader's), kept for engines built
    again from the same pack in this process (as Jinja keeps a template's bytecode):
    `compile` costs about half a millisecond per rule, the rest of the generation a tenth
    of that. A code object is immutable; each engine runs it in a namespace of its own."""
    return compile(text, filename, "exec")


@dataclass(frozen=True)
class StratumCode:
    """One stratum's generated function, its source, and where each rule's code starts."""

    level: int
    source: str
    filename: str
    fire: Fire
    starts: tuple[int, ...]  # the first source line of each rule's code, ascending
    rules: tuple[str, ...]  # for each of them: the rule's id and where the pack declares it

    def where(self, error: BaseException) -> str | None:
        """The rule (and pack line) whose code raised `error`, when it was raised here."""
        line = None
        trace = error.__traceback__
        while trace is not None:
            if trace.tb_frame.f_code.co_filename == self.filename:
                line = trace.tb_lineno
            trace = trace.tb_next
        if line is None:
            return None
        found = bisect.bisect_right(self.starts, line) - 1
        if found < 0:
            return None
        # Registered only now: a traceback printed from here on shows the generated line.
        lines = self.source.splitlines(keepends=True)
        linecache.cache[self.filename] = (len(self.source), None, lines, self.filename)
        return f"raised by the test of {self.rules[found]} (line {line} of {self.filename})"


class _Source:
    """The names and lines of one generated function."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {}
        self.facts: dict[str, str] = {}  # fact name -> its local
        self.constants: dict[int, str] = {}  # id of a constant object -> its name
        self.calls: dict[str, str] = {}  # memo key of a call -> the name of its closure
        self.said: list[str] = []  # what each name of the namespace stands for
        self.temps = itertools.count(1)

    def constant(self, value: Any) -> str:
        kind = type(value)
        if kind in _LITERALS or (kind is float and math.isfinite(value)):
            return repr(value)
        if value is None:
            return "None"
        name = self.constants.get(id(value))
        if name is None:
            name = self.constants[id(value)] = f"_c{len(self.constants) + 1}"
            self.namespace[name] = value
            shown = repr(value)
            self.said.append(f"{name} = {shown if len(shown) <= 60 else shown[:57] + '...'}")
        return name

    def temp(self) -> str:
        return f"_t{next(self.temps)}"

    def term(self, term: Term) -> tuple[str, bool]:
        """The term's code, and whether it is a plain name or literal (cheap to repeat)."""
        if isinstance(term, expr.Const | expr.ParamRef):
            return self.constant(term.value), True
        if isinstance(term, expr.ListLit):
            return self.constant([item.value for item in term.items]), True
        if isinstance(term, expr.FactRef):
            local = self.facts.get(term.name)
            if local is None:
                local = self.facts[term.name] = f"v{len(self.facts) + 1}"
            return local, True
        key = memo_key(term)
        name = self.calls.get(key)
        if name is None:
            name = self.calls[key] = f"_k{len(self.calls) + 1}"
            self.namespace[name] = call_closure(term)
            self.said.append(f"{name}(env) = {key[1:]}, remembered in the values")
        return f"{name}(env)", False

    def operand(self, term: Term) -> tuple[str | None, str]:
        """(the code that is None when the term is unknown, or None when the term is a
        known constant; the code that reads it after that test)."""
        if isinstance(term, expr.Const | expr.ParamRef | expr.ListLit):
            code, _ = self.term(term)
            return ("None" if code == "None" else None), code
        code, plain = self.term(term)
        if plain:
            return code, code
        name = self.temp()
        return f"({name} := {code})", name

    def cond(self, cond: Cond) -> str:
        """The condition's code: an expression giving True, False or None."""
        if isinstance(cond, expr.Always):
            return repr(cond.value)
        if isinstance(cond, expr.Not):
            name = self.temp()
            return f"(None if ({name} := {self.cond(cond.item)}) is None else not {name})"
        if isinstance(cond, expr.And | expr.Or):
            return self._junction(cond)
        return self._atom(cond)

    def _junction(self, cond: expr.And | expr.Or) -> str:
        if len(cond.items) == 1:
            return self.cond(cond.items[0])
        decisive = isinstance(cond, expr.Or)
        names = [self.temp() for _ in cond.items]
        tests = [
            f"{decisive} if ({name} := {self.cond(item)}) is {decisive} else"
            for name, item in zip(names, cond.items, strict=True)
        ]
        unknown = " or ".join(f"{name} is None" for name in names)
        return f"({' '.join(tests)} (None if {unknown} else {not decisive}))"

    def _atom(self, atom: expr.Atom) -> str:
        if isinstance(atom, expr.Truth):
            test, value = self.operand(atom.term)
            read = f"{value} == {atom.expect!r}"
            return f"(None if {test} is None else {read})" if test is not None else f"({read})"
        if isinstance(atom, expr.Compare):
            left, right, op = atom.left, atom.right, atom.op
        else:
            left, right = atom.item, atom.container
            op = "not in" if atom.negated else "in"
        (left_test, left_value), (right_test, right_value) = (
            self.operand(left),
            self.operand(right),
        )
        if "None" in (left_test, right_test):  # a constant null: never known
            return "None"
        unknown = [f"{test} is None" for test in (left_test, right_test) if test is not None]
        read = f"{left_value} {op} {right_value}"
        return f"(None if {' or '.join(unknown)} else {read})" if unknown else f"({read})"


def depth(cond: Cond) -> int:
    """How deeply a condition nests its `and`, `or` and `not`."""
    if isinstance(cond, expr.Not):
        return 1 + depth(cond.item)
    if isinstance(cond, expr.And | expr.Or):
        deepest = 0  # an atom's depth, without a call for each of them
        for item in cond.items:
            if isinstance(item, expr.Not | expr.And | expr.Or):
                deepest = max(deepest, depth(item))
        return 1 + deepest
    return 0


def stratum_code(
    level: int, rules: Sequence[CompiledRule], where: Callable[[CompiledRule], str]
) -> StratumCode:
    """The generated function of one stratum's rules (in order); `where` says where the
    pack declares a rule, for the comments and for errors."""
    source = _Source()
    body: list[str] = []
    starts: list[int] = []  # indexes into body, made line numbers below
    names: list[str] = []
    for rule in rules:
        said = where(rule)
        names.append(said)
        body.append(f"    # {said}")
        starts.append(len(body))
        if depth(rule.checked.cond) > MAX_DEPTH:
            name = f"_rule{rule.index}"
            source.namespace[name] = rule.test
            body.append(f"    r = {name}(env)")
        else:
            body.append(f"    r = {source.cond(rule.checked.cond)}")
        body += ["    if r:", f"        fired.append({rule.index})"]
        if rule.checked.sets:
            body.append(f"        env.update({source.constant(dict(rule.checked.sets))})")
        body += ["    elif r is None:", f"        unknown.append({rule.index})"]
    header = [f"# stratum {level}: {len(rules)} rules", *(f"# {said}" for said in source.said)]
    header += [f"def stratum_{level}(env):", "    get = env.get"]
    header += [f"    {local} = get({name!r})" for name, local in source.facts.items()]
    header.append("    fired, unknown = [], []")
    lines = [*header, *body, "    return fired, unknown"]
    text = "\n".join(lines) + "\n"
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    filename = f"<outreach_rules stratum {level} {digest}>"
    exec(compiled_code(text, filename), source.namespace)  # noqa: S102 - source generated above from checked rules
    fire: Fire = source.namespace[f"stratum_{level}"]
    first_lines = tuple(len(header) + start + 1 for start in starts)
    return StratumCode(level, text, filename, fire, first_lines, tuple(names))


def generate(program: Program, stratum: Stratum) -> StratumCode:
    """The generated function of one stratum of a compiled pack."""
    rules = [program.rules[i] for i in stratum.rules]
    return stratum_code(stratum.level, rules, functools.partial(_where, program))


def _where(program: Program, rule: CompiledRule) -> str:
    """The rule (or derived fact's default), and the pack file and line that declare it."""
    rulebook = program.checked.rulebook
    if rule.checked.synthetic:
        file, path = rulebook.locate("derived", next(iter(rule.checked.sets)))
        kind = "the default of derived fact"
        name = next(iter(rule.checked.sets))
    else:
        file, path = rulebook.locate("rules", rule.id)
        path, kind, name = (*path, "when"), "rule", rule.id
    return f"{kind} '{name}', {file.path} line {file.doc.line(path)}"


# A stratum's first evaluations test its rules with their closures; its function is
# generated at the next one. Python's compile() of a stratum's source costs as much as
# hundreds of evaluations (about 18 ms for 100 rules in a fresh process), which a
# command-line run that evaluates once would never earn back.
CLOSURE_EVALUATIONS = 16


def fire(program: Program, stratum: Stratum, env: Env) -> list[int]:
    """Test one stratum's rules on the values (giving fired rules' derived values to them);
    the indexes of the rules that fired. An exception raised by a rule's test gets a note
    naming the rule and the pack line it comes from."""
    code = stratum.code
    if code is None:
        stratum.served += 1  # two threads may count one evaluation: it only moves the switch
        if stratum.served <= CLOSURE_EVALUATIONS:
            return _fire_closures(program, stratum, env)
        code = stratum.code = generate(program, stratum)
    try:
        fired, _ = code.fire(env)
    except Exception as error:
        note = code.where(error)
        if note is not None:
            error.add_note(note)
        raise
    return fired


def _fire_closures(program: Program, stratum: Stratum, env: Env) -> list[int]:
    """What the generated function computes, by each rule's closure, in the same order."""
    fired = []
    for index in stratum.rules:
        rule = program.rules[index]
        try:
            holds = rule.test(env)
        except Exception as error:
            error.add_note(f"raised by the test of {_where(program, rule)}")
            raise
        if holds:
            fired.append(index)
            if rule.checked.sets:
                env.update(rule.checked.sets)
    return fired


def source(program: Program) -> str:
    """The generated source of every stratum, in evaluation order."""
    return "\n\n".join(generate(program, stratum).source for stratum in program.strata)
