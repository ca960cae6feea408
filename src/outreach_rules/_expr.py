"""The condition language: parse, type-check, normalise and render.

Conditions are Python-like expressions parsed with `ast` into a small typed tree. Only a
whitelist of node kinds is accepted (no attribute access beyond `params.NAME`, no calls
except the pure functions of `text.FUNCTIONS`, no eval). Checking resolves every name
against the pack's declared facts, derived facts and params, with did-you-mean.

Semantics are three-valued: a comparison that reads an unknown fact is unknown (`None`),
`False and None` is `False`, `True or None` is `True`, `not None` is `None`.
"""

from __future__ import annotations

import ast
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, dataclass_transform, final

from ._suggest import suggest
from ._text import FUNCTIONS, is_valid_text

NUMBER = frozenset({"int", "float"})
STRINGY = frozenset({"str", "enum"})
MAX_LENGTH = 2_000
MAX_NODES = 200
# The integers a double holds exactly (rulebook.MAX_EXACT_INT; expr imports nothing above it).
MAX_EXACT_INT = 2**53


T = TypeVar("T")


# ---------------------------------------------------------------- the typed tree
@dataclass_transform(frozen_default=True)
def node(cls: type[T]) -> type[T]:
    """A node of the typed tree: immutable to the type checker (assigning to a field is an
    error under mypy --strict), at run time a plain slotted dataclass with the equality and
    hash of a frozen one, since a loaded pack makes thousands of nodes and a frozen
    dataclass takes five times as long to make."""
    return dataclass(unsafe_hash=True, slots=True)(cls)


@final
@node
class Span:
    """Offsets of a node inside its expression text."""

    start: int
    end: int


@final
@node
class Const:
    value: Any
    type: str
    span: Span


@final
@node
class FactRef:
    """A fact or a derived fact, read from the evaluation's values."""

    name: str
    type: str
    values: tuple[str, ...] | None
    span: Span


@final
@node
class ParamRef:
    """`params.NAME`: a constant fixed when the pack is compiled."""

    name: str
    value: Any
    type: str
    span: Span


@final
@node
class Call:
    function: str
    args: tuple[Term, ...]
    type: str
    span: Span


@final
@node
class ListLit:
    items: tuple[Const, ...]
    span: Span
    type: str = "list"


Term = Const | FactRef | ParamRef | Call | ListLit


@final
@node
class Truth:
    """A boolean term used as a condition; `expect=False` is its negation."""

    term: Term
    expect: bool = True


@final
@node
class Compare:
    op: str  # == != < <= > >=
    left: Term
    right: Term


@final
@node
class Member:
    item: Term
    container: Term
    negated: bool = False


@final
@node
class Not:
    item: Cond


@final
@node
class And:
    items: tuple[Cond, ...]


@final
@node
class Or:
    items: tuple[Cond, ...]


@final
@node
class Always:
    """A constant condition (`true` or `false`)."""

    value: bool


Atom = Truth | Compare | Member
Cond = Atom | Not | And | Or | Always


# ---------------------------------------------------------------- scope and problems
@dataclass(frozen=True)
class NameInfo:
    """What a condition may know of a fact name."""

    type: str
    values: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Scope:
    """The names a condition may use: facts and derived facts, and params with their values."""

    facts: Mapping[str, NameInfo]
    params: Mapping[str, tuple[str, Any]]


@dataclass
class ExprProblem(Exception):  # noqa: N818 - an internal signal, turned into a Problem by the checker
    message: str
    span: Span
    suggestions: tuple[str, ...] = field(default_factory=tuple)


_OPS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
NEGATED_OP = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
SWAPPED_OP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_CONSTANT_NAMES = {"true": True, "false": False, "True": True, "False": False}


def _span(node: ast.AST) -> Span:
    start = getattr(node, "col_offset", 0)
    return Span(start, getattr(node, "end_col_offset", start + 1) or start + 1)


def _type_of_literal(value: object) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    return None


# ---------------------------------------------------------------- parsing and checking
def parse_condition(text: str | bool, scope: Scope) -> Cond:
    """Parse and type-check a condition; raise ExprProblem at the first problem."""
    if isinstance(text, bool):
        return Always(text)
    tree = _parse(text)
    return _Checker(scope).condition(tree.body)


def parse_value(text: str, scope: Scope) -> Cond | Term:
    """Parse and type-check the `value` of a derived fact: a condition or a term."""
    tree = _parse(text)
    checker = _Checker(scope)
    if isinstance(tree.body, ast.BoolOp | ast.Compare | ast.UnaryOp):
        return checker.condition(tree.body)
    return checker.term(tree.body)


def parser_warnings(text: str) -> list[str]:
    """What Python's parser warns about in a condition (`2and ready` runs a number into a
    word: "invalid decimal literal"); empty for almost every condition."""
    flat = " ".join(text.splitlines())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ast.parse(flat.strip() and flat, mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return []  # the checker reports these as errors
    return list(dict.fromkeys(str(warning.message) for warning in caught))


def _parse(text: str) -> ast.Expression:
    if len(text) > MAX_LENGTH:
        raise ExprProblem(f"condition is longer than {MAX_LENGTH} characters", Span(0, 1))
    flat = " ".join(text.splitlines())
    try:
        with warnings.catch_warnings():
            # The parser warns on stderr about texts such as `2and` (`outreach-rules check`
            # reports those as lint warnings, see parser_warnings); loading stays quiet.
            warnings.simplefilter("ignore")
            tree = ast.parse(flat.strip() and flat, mode="eval")
    except SyntaxError as error:
        offset = max((error.offset or 1) - 1, 0)
        raise ExprProblem(f"invalid condition: {error.msg}", Span(offset, offset + 1)) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExprProblem("invalid condition", Span(0, 1)) from None
    # A condition of n characters has at most 2n + 1 syntax nodes (a name is two, itself and
    # its context; every operator and separator takes a character), so only the longer
    # conditions are counted, with a margin.
    if 3 * len(flat) + 1 > MAX_NODES and sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ExprProblem(f"condition has more than {MAX_NODES} parts; split the rule", Span(0, 1))
    return tree


class _Checker:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    # conditions -----------------------------------------------------------
    def condition(self, node: ast.expr) -> Cond:
        if isinstance(node, ast.BoolOp):
            items = tuple(self.condition(value) for value in node.values)
            return And(items) if isinstance(node.op, ast.And) else Or(items)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return Not(self.condition(node.operand))
        if isinstance(node, ast.Compare):
            return self._compare(node)
        term = self.term(node)
        if isinstance(term, Const) and term.type == "bool":
            return Always(bool(term.value))
        if term.type != "bool":
            raise ExprProblem(
                f"'{render_term(term)}' is {_article(term.type)}, not a condition; compare it "
                "with something (e.g. == or >)",
                term.span,
            )
        return Truth(term)

    def _compare(self, node: ast.Compare) -> Cond:
        parts: list[Cond] = []
        left = self.term(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.term(right_node)
            parts.append(self._one_comparison(op, left, right, node))
            left = right
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def _one_comparison(self, op: ast.cmpop, left: Term, right: Term, node: ast.AST) -> Cond:
        if isinstance(op, ast.In | ast.NotIn):
            _check_member(left, right)
            return Member(left, right, negated=isinstance(op, ast.NotIn))
        symbol = _OPS.get(type(op))
        if symbol is None:
            raise ExprProblem(f"operator '{type(op).__name__}' is not supported", _span(node))
        _check_comparable(symbol, left, right)
        return Compare(symbol, left, right)

    # terms ----------------------------------------------------------------
    def term(self, node: ast.expr) -> Term:
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Attribute):
            return self._param(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.List | ast.Tuple):
            return self._list(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.term(node.operand)
            if isinstance(inner, Const) and inner.type in NUMBER:
                return Const(-inner.value, inner.type, _span(node))
        raise ExprProblem(f"{_describe(node)} is not allowed in a condition", _span(node))

    def _constant(self, node: ast.Constant) -> Const:
        kind = _type_of_literal(node.value)
        if kind is None:
            raise ExprProblem(f"the literal {node.value!r} is not allowed", _span(node))
        if isinstance(node.value, float) and not math.isfinite(node.value):
            raise ExprProblem("a number must be finite", _span(node))
        if isinstance(node.value, str) and not is_valid_text(node.value):
            raise ExprProblem(
                "the string holds a lone surrogate (an invalid character)", _span(node)
            )
        return Const(node.value, kind, _span(node))

    def _name(self, node: ast.Name) -> Term:
        if node.id in _CONSTANT_NAMES:
            return Const(_CONSTANT_NAMES[node.id], "bool", _span(node))
        info = self.scope.facts.get(node.id)
        if info is None:
            hint = " (parameters are written params.NAME)" if node.id in self.scope.params else ""
            raise ExprProblem(
                f"unknown fact '{node.id}'{hint}",
                _span(node),
                tuple(suggest(node.id, self.scope.facts)),
            )
        return FactRef(node.id, info.type, info.values, _span(node))

    def _param(self, node: ast.Attribute) -> ParamRef:
        if not (isinstance(node.value, ast.Name) and node.value.id == "params"):
            raise ExprProblem(
                "attribute access is not allowed; only params.NAME reads a parameter",
                _span(node),
            )
        found = self.scope.params.get(node.attr)
        if found is None:
            raise ExprProblem(
                f"unknown parameter 'params.{node.attr}'",
                _span(node),
                tuple(f"params.{name}" for name in suggest(node.attr, self.scope.params)),
            )
        kind, value = found
        return ParamRef(node.attr, value, kind, _span(node))

    def _call(self, node: ast.Call) -> Call:
        if not isinstance(node.func, ast.Name):
            raise ExprProblem("only the built-in functions can be called", _span(node))
        name = node.func.id
        spec = FUNCTIONS.get(name)
        if spec is None:
            raise ExprProblem(
                f"function '{name}' is not allowed",
                _span(node.func),
                tuple(suggest(name, FUNCTIONS)),
            )
        if node.keywords:
            raise ExprProblem(f"{name}() takes no keyword arguments", _span(node))
        args = tuple(self.term(arg) for arg in node.args)
        fixed = len(spec.params)
        if len(args) < fixed or (len(args) > fixed and spec.rest is None):
            more = " or more" if spec.rest is not None else ""
            raise ExprProblem(
                f"{name}() takes {fixed}{more} argument(s), got {len(args)}", _span(node)
            )
        accepts = [*spec.params, *[spec.rest or frozenset()] * (len(args) - fixed)]
        for arg, accepted in zip(args, accepts, strict=True):
            if arg.type not in accepted:
                allowed = " or ".join(sorted(accepted))
                raise ExprProblem(
                    f"{name}() expects {allowed} here, got {render_term(arg)} ({arg.type})",
                    arg.span,
                )
        return Call(name, args, spec.returns, _span(node))

    def _list(self, node: ast.List | ast.Tuple) -> ListLit:
        items = tuple(self.term(element) for element in node.elts)
        for item in items:
            if not isinstance(item, Const):
                raise ExprProblem("a list in a condition holds literals only", item.span)
        return ListLit(tuple(item for item in items if isinstance(item, Const)), _span(node))


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _describe(node: ast.AST) -> str:
    names = {
        ast.BinOp: "arithmetic",
        ast.Subscript: "indexing",
        ast.Lambda: "lambda",
        ast.IfExp: "an if-expression",
        ast.Dict: "a dict",
        ast.Set: "a set",
        ast.ListComp: "a comprehension",
        ast.GeneratorExp: "a generator",
        ast.NamedExpr: "assignment",
        ast.Await: "await",
        ast.JoinedStr: "an f-string",
        ast.Starred: "unpacking",
    }
    return names.get(type(node), f"'{type(node).__name__}'")


def _kind(term: Term) -> str:
    """The comparison class of a term: number, string, bool, date, list or text."""
    if term.type in NUMBER:
        return "number"
    if term.type in STRINGY:
        return "string"
    return term.type


def _check_comparable(op: str, left: Term, right: Term) -> None:
    for side in (left, right):
        if side.type == "text":
            raise ExprProblem(
                f"'{render_term(side)}' is text; use a text function such as "
                "word_count(...) or contains(...)",
                side.span,
            )
        if side.type == "list":
            raise ExprProblem(
                f"'{render_term(side)}' is a list; use `in` or length(...)", side.span
            )
    if _kind(left) != _kind(right):
        raise ExprProblem(
            f"cannot compare {render_term(left)} ({left.type}) with {render_term(right)} "
            f"({right.type})",
            Span(left.span.start, right.span.end),
        )
    if op not in ("==", "!=") and _kind(left) not in ("number", "date"):
        raise ExprProblem(
            f"'{op}' needs numbers or dates; {render_term(left)} is {left.type}",
            Span(left.span.start, right.span.end),
        )
    _check_enum_literal(left, right)
    _check_enum_literal(right, left)
    _check_exact(left, right)
    _check_exact(right, left)


def _check_exact(term: Term, other: Term) -> None:
    """Refuse an int literal that durable_rules would round where it meets a float: it
    compares the two as doubles, Python compares them exactly."""
    if (
        isinstance(term, Const)
        and other.type == "float"
        and isinstance(term.value, int)
        and not isinstance(term.value, bool)
        and abs(term.value) > MAX_EXACT_INT
    ):
        raise ExprProblem(
            f"{term.value} is beyond ±{MAX_EXACT_INT:,}, the integers a float compares with "
            f"exactly on both backends; {render_term(other)} is a float",
            term.span,
        )


def _check_enum_literal(term: Term, other: Term) -> None:
    if isinstance(term, FactRef) and term.values and isinstance(other, Const):  # noqa: SIM102 - the guard names the case, the inner test the fault
        if other.value not in term.values:
            raise ExprProblem(
                f"'{other.value}' is not a value of {term.name} ({', '.join(term.values)})",
                other.span,
                tuple(suggest(str(other.value), term.values)),
            )


def _check_member(item: Term, container: Term) -> None:
    if isinstance(container, ListLit):
        for element in container.items:
            _check_comparable("==", item, element)
        return
    if container.type == "list":
        if _kind(item) != "string":
            raise ExprProblem(
                f"'{render_term(item)}' must be a string to look it up in a list", item.span
            )
        return
    raise ExprProblem(
        f"'{render_term(container)}' is not a list; `in` needs a list on its right",
        container.span,
    )


# ---------------------------------------------------------------- normal forms
def negation_normal_form(cond: Cond, negate: bool = False) -> Cond:
    """Push every `not` down to the atoms; atoms absorb it (== becomes !=, ...)."""
    if isinstance(cond, Not):
        return negation_normal_form(cond.item, not negate)
    if isinstance(cond, And | Or):
        items = tuple(negation_normal_form(item, negate) for item in cond.items)
        flip = isinstance(cond, And) == negate
        return Or(items) if flip else And(items)
    if isinstance(cond, Always):
        return Always(cond.value != negate)
    return negate_atom(cond) if negate else cond


def negate_atom(atom: Atom) -> Atom:
    """The atom that holds exactly when `atom` is false (unknown stays unknown)."""
    if isinstance(atom, Truth):
        return Truth(atom.term, not atom.expect)
    if isinstance(atom, Compare):
        return Compare(NEGATED_OP[atom.op], atom.left, atom.right)
    return Member(atom.item, atom.container, not atom.negated)


def atoms(cond: Cond) -> list[Atom]:
    """The atoms of a condition, left to right."""
    if isinstance(cond, Not):
        return atoms(cond.item)
    if isinstance(cond, And | Or):
        return [atom for item in cond.items for atom in atoms(item)]
    if isinstance(cond, Always):
        return []
    return [cond]


def fact_names(node: Cond | Term) -> list[str]:
    """Names of facts (and derived facts) read by a condition or term, in order, no repeats."""
    found = dict.fromkeys(part.name for part in walk(node) if isinstance(part, FactRef))
    return list(found)


def param_names(node: Cond | Term) -> list[str]:
    """Names of params read by a condition or term."""
    found = dict.fromkeys(part.name for part in walk(node) if isinstance(part, ParamRef))
    return list(found)


def walk(node: Any) -> list[Any]:
    """The node and every node below it, depth first (parents first, left to right)."""
    found: list[Any] = []
    stack = [node]
    while stack:
        node = stack.pop()
        found.append(node)
        kind = type(node)  # exact classes: every node class is final
        if kind is Compare:
            stack += (node.right, node.left)
        elif kind is And or kind is Or:
            stack.extend(reversed(node.items))
        elif kind is Truth:
            stack.append(node.term)
        elif kind is Not:
            stack.append(node.item)
        elif kind is Member:
            stack += (node.container, node.item)
        elif kind is Call:
            stack.extend(reversed(node.args))
    return found


# ---------------------------------------------------------------- rendering
def render_term(term: Term) -> str:
    """Source-like text of a term."""
    if isinstance(term, Const):
        return _literal(term.value)
    if isinstance(term, FactRef):
        return term.name
    if isinstance(term, ParamRef):
        return f"params.{term.name}"
    if isinstance(term, Call):
        return f"{term.function}({', '.join(render_term(arg) for arg in term.args)})"
    return "[" + ", ".join(_literal(item.value) for item in term.items) + "]"


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def render(cond: Cond, top: bool = True) -> str:
    """Source-like text of a condition (`not` shown where an atom is negated)."""
    if isinstance(cond, Always):
        return "true" if cond.value else "false"
    if isinstance(cond, Truth):
        text = render_term(cond.term)
        return text if cond.expect else f"not {text}"
    if isinstance(cond, Compare):
        return f"{render_term(cond.left)} {cond.op} {render_term(cond.right)}"
    if isinstance(cond, Member):
        op = "not in" if cond.negated else "in"
        return f"{render_term(cond.item)} {op} {render_term(cond.container)}"
    if isinstance(cond, Not):
        return f"not {render(cond.item, top=False)}"
    joiner = " and " if isinstance(cond, And) else " or "
    text = joiner.join(render(item, top=False) for item in cond.items)
    return text if top else f"({text})"
