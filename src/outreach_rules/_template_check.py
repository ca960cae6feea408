"""The template subset: what a pack's texts and drafts may do, checked on Jinja's tree at load.

A pack comes from people the engine does not control, so its templates may only insert
values, apply the filters listed in `FILTERS`, call the pack functions of `text.FUNCTIONS`,
choose with `if` and `set`, and loop (never nested) over a list: a list fact or parameter,
a slice of one, a function's list result, or a list of literals. Arithmetic is for numbers
only. Everything that could build a large value from a small template (`range`, string
repetition and joining, macros, block assignments, recursion) or reach outside it
(attributes, includes, imports, inheritance) is refused, with the template line.

Every expression gets a small static type (a set of kinds) so that these rules hold for
names too: `{% set s = draft_message %}{{ s * 9 }}` is refused like `{{ draft_message * 9 }}`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from jinja2 import nodes

from ._text import FUNCTIONS, FunctionSpec

MAX_TEMPLATE_LENGTH = 10_000
MAX_TEMPLATE_NODES = 1_000

Kinds = frozenset[str]
ANY: Kinds = frozenset({"any"})
NUMBER: Kinds = frozenset({"number"})
BOOL: Kinds = frozenset({"bool"})
STR: Kinds = frozenset({"str"})
LIST: Kinds = frozenset({"list"})
_DECLARED = {
    "text": "str",
    "str": "str",
    "enum": "str",
    "int": "number",
    "float": "number",
    "bool": "bool",
    "date": "date",
    "list": "list",
}
# Filters that never make a value much larger than their input: (accepted kinds, result kinds,
# at most this many arguments). `long_date` is the pack's own; the others are Jinja's.
FILTERS: dict[str, tuple[Kinds, Kinds, int]] = {
    "long_date": (frozenset({"date", "none"}), STR, 0),
    "lower": (STR, STR, 0),
    "upper": (STR, STR, 0),
    "capitalize": (STR, STR, 0),
    "title": (STR, STR, 0),
    "trim": (STR, STR, 0),
    "length": (STR | LIST, NUMBER, 0),
    "count": (STR | LIST, NUMBER, 0),
    "first": (STR | LIST, STR, 0),
    "last": (STR | LIST, STR, 0),
    "abs": (NUMBER, NUMBER, 0),
    "round": (NUMBER, NUMBER, 0),
    "default": (ANY, ANY, 1),
    "d": (ANY, ANY, 1),
}
LOOP_ATTRIBUTES = frozenset(
    {"index", "index0", "revindex", "revindex0", "first", "last", "length", "previtem", "nextitem"}
)
_ARITHMETIC: dict[type[nodes.Node], str] = {
    nodes.Add: "+",
    nodes.Sub: "-",
    nodes.Mul: "*",
    nodes.Div: "/",
    nodes.FloorDiv: "//",
    nodes.Mod: "%",
}
# Statements a text may not use, with what to write instead.
_REFUSED_STATEMENTS: dict[type[nodes.Node], tuple[str, str]] = {
    nodes.Macro: ("macros", "write the text out, with {% if %} where it varies"),
    nodes.CallBlock: ("call blocks", "write the text out"),
    nodes.FilterBlock: ("filter blocks", "apply the filter to each value"),
    nodes.With: ("with blocks", "use {% set %}"),
    nodes.AssignBlock: ("block assignments", "set a value: {% set x = ... %}"),
    nodes.Block: ("blocks", "write the text out"),
    nodes.Extends: ("template inheritance", "write the text out"),
    nodes.Include: ("includes", "write the text out"),
    nodes.Import: ("imports", "use the pack functions"),
    nodes.FromImport: ("imports", "use the pack functions"),
    nodes.ScopedEvalContextModifier: ("autoescape blocks", "texts are plain text"),
    nodes.EvalContextModifier: ("autoescape blocks", "texts are plain text"),
}


_LOOP_OVER = (
    "a loop runs over a list: a list fact or parameter, a slice of one, a function's "
    "list or a list of strings"
)


class TemplateProblem(Exception):  # noqa: N818 - internal signal turned into a Problem
    """One problem of a template: a message, the template line, the text to point at."""

    def __init__(
        self,
        message: str,
        suggestions: tuple[str, ...] = (),
        line: int = 0,
        token: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = suggestions
        self.line = line
        self.token = token


@dataclass(frozen=True)
class Names:
    """What a template may read: facts and parameters with their declared types."""

    facts: Mapping[str, str]
    params: Mapping[str, str]

    @functools.cached_property
    def key(self) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
        """The names and types as a hashable value (what a template's verdict depends on)."""
        return tuple(sorted(self.facts.items())), tuple(sorted(self.params.items()))


class SubsetChecker:
    """Walks a parsed template; raises TemplateProblem at the first construct outside the
    subset. `where(line)` words the template line for messages ("" for one-line texts)."""

    def __init__(self, names: Names, multiline: bool) -> None:
        self.names = names
        self.multiline = multiline
        self.assigned: dict[str, Kinds] = {}
        self.loop_depth = 0
        self.loop_targets: dict[str, Kinds] = {}
        self.binds = False  # whether a {% set %} or a loop was met

    def refuse(self, node: nodes.Node, what: str, token: str = "") -> TemplateProblem:
        where = f" on its line {node.lineno}" if self.multiline else ""
        return TemplateProblem(f"template{where}: {what}", line=node.lineno, token=token)

    # statements ---------------------------------------------------------------
    def statements(self, body: list[nodes.Node]) -> None:
        for node in body:
            self.statement(node)

    def statement(self, node: nodes.Node) -> None:
        if isinstance(node, nodes.Output):
            for item in node.nodes:
                if not isinstance(item, nodes.TemplateData):
                    self.expression(item)
        elif isinstance(node, nodes.If):
            self.expression(node.test)
            self.statements(node.body)
            for branch in node.elif_:
                self.statement(branch)
            self.statements(node.else_)
        elif isinstance(node, nodes.Assign):
            self.assign(node)
        elif isinstance(node, nodes.For):
            self.loop(node)
        else:
            what, instead = _REFUSED_STATEMENTS.get(
                type(node), (f"'{type(node).__name__}' statements", "write the text out")
            )
            raise self.refuse(node, f"{what} cannot be used in a pack's texts; {instead}")

    def assign(self, node: nodes.Assign) -> None:
        self.binds = True
        if not isinstance(node.target, nodes.Name):
            raise self.refuse(node, "{% set %} assigns one name at a time")
        kinds = self.expression(node.node)
        name = node.target.name
        self.assigned[name] = self.assigned.get(name, frozenset()) | kinds

    def loop(self, node: nodes.For) -> None:
        self.binds = True
        if self.loop_depth:
            raise self.refuse(node, "loops may not be nested; loop over one list", "for")
        if node.recursive:
            raise self.refuse(node, "recursive loops are not allowed", "recursive")
        if not isinstance(node.target, nodes.Name):
            raise self.refuse(node, "a loop takes one item at a time: {% for item in list %}")
        kinds = self.expression(node.iter)
        if kinds != LIST:
            raise self.refuse(node, f"this loop is not over a list; {_LOOP_OVER}", "for")
        self.loop_depth += 1
        self.loop_targets[node.target.name] = STR
        self.loop_targets["loop"] = frozenset({"loop"})
        try:
            if node.test is not None:
                self.expression(node.test)
            self.statements(node.body)
        finally:
            self.loop_depth -= 1
            self.loop_targets.clear()
        self.statements(node.else_)

    # expressions --------------------------------------------------------------
    def expression(self, node: nodes.Node) -> Kinds:
        if isinstance(node, nodes.Const):
            return _const_kinds(node.value)
        if isinstance(node, nodes.Name):
            return self.name(node)
        if isinstance(node, nodes.Getattr):
            return self.attribute(node)
        if isinstance(node, nodes.Getitem):
            return self.item(node)
        if isinstance(node, nodes.Call):
            return self.call(node)
        if isinstance(node, nodes.Filter):
            return self.filter(node)
        if isinstance(node, nodes.Test):
            self.test(node)
            return BOOL
        if isinstance(node, nodes.List | nodes.Tuple):
            return self.list_literal(node)
        if isinstance(node, nodes.CondExpr):
            self.expression(node.test)
            other = self.expression(node.expr2) if node.expr2 is not None else frozenset({"none"})
            return self.expression(node.expr1) | other
        if isinstance(node, nodes.And | nodes.Or):
            return self.expression(node.left) | self.expression(node.right)
        if isinstance(node, nodes.Not):
            self.expression(node.node)
            return BOOL
        if isinstance(node, nodes.Compare):
            self.expression(node.expr)
            for operand in node.ops:
                self.expression(operand.expr)
            return BOOL
        return self.operator(node)

    def operator(self, node: nodes.Node) -> Kinds:
        if isinstance(node, nodes.Neg | nodes.Pos):
            self.numbers(node, "-", self.expression(node.node))
            return NUMBER
        symbol = _ARITHMETIC.get(type(node))
        if symbol is not None and isinstance(node, nodes.BinExpr):
            self.numbers(node, symbol, self.expression(node.left), self.expression(node.right))
            return NUMBER
        if isinstance(node, nodes.Pow):
            raise self.refuse(node, "'**' is not allowed; multiply instead", "**")
        if isinstance(node, nodes.Concat):
            raise self.refuse(
                node, "'~' (joining strings) is not allowed; write {{ a }}{{ b }}", "~"
            )
        refused: dict[type[nodes.Node], str] = {
            nodes.Dict: "dicts",
            nodes.Slice: "slices outside [...]",
            nodes.NSRef: "namespaces",
        }
        what = refused.get(type(node), f"'{type(node).__name__}' expressions")
        raise self.refuse(node, f"{what} cannot be used in a pack's texts")

    def numbers(self, node: nodes.Node, symbol: str, *operands: Kinds) -> None:
        for kinds in operands:
            if not kinds <= NUMBER:
                raise self.refuse(
                    node,
                    f"'{symbol}' works on numbers only, here it meets {_describe(kinds)}",
                    symbol,
                )

    def name(self, node: nodes.Name) -> Kinds:
        name = node.name
        if name in self.loop_targets and name != "loop":
            return self.loop_targets[name]
        if name in self.assigned:
            return self.assigned[name]
        declared = self.names.facts.get(name)
        if declared is not None:
            return frozenset({_DECLARED.get(declared, "any")})
        if name == "today":
            return frozenset({"date"})
        if name == "params":
            raise self.refuse(node, "read a parameter as params.NAME", "params")
        if name == "loop":
            raise self.refuse(
                node, "'loop' is read as loop.index, loop.first, ... inside a loop", "loop"
            )
        if name == "range":
            raise self.refuse(node, f"'range' is not allowed; {_LOOP_OVER}", name)
        if name in FUNCTIONS:
            raise self.refuse(node, f"'{name}' is a function: call it, {name}(...)", name)
        # Unknown names are reported earlier, with did-you-mean (see _templates).
        raise self.refuse(node, f"'{name}' cannot be used in a pack's texts", name)

    def attribute(self, node: nodes.Getattr) -> Kinds:
        owner = node.node.name if isinstance(node.node, nodes.Name) else None
        if owner == "params" and node.attr in self.names.params:
            return frozenset({_DECLARED.get(self.names.params[node.attr], "any")})
        if owner == "loop" and "loop" in self.loop_targets and node.attr in LOOP_ATTRIBUTES:
            return NUMBER if node.attr.endswith(("index", "index0", "length")) else ANY
        if owner == "loop" and "loop" in self.loop_targets:
            allowed = ", ".join(f"loop.{name}" for name in sorted(LOOP_ATTRIBUTES))
            raise self.refuse(node, f"'loop.{node.attr}' is not allowed; use {allowed}", node.attr)
        raise self.refuse(
            node,
            f"attribute access ('.{node.attr}') is not allowed; only params.NAME and, "
            "inside a loop, loop.index and the like",
            node.attr,
        )

    def item(self, node: nodes.Getitem) -> Kinds:
        kinds = self.expression(node.node)
        if not kinds or not kinds <= (STR | LIST):
            raise self.refuse(
                node, f"only strings and lists can be indexed, not {_describe(kinds)}", "["
            )
        argument = node.arg
        if isinstance(argument, nodes.Slice):
            for part in (argument.start, argument.stop, argument.step):
                if part is not None:
                    self.numbers(node, "[:]", self.expression(part))
            return kinds
        self.numbers(node, "[]", self.expression(argument))
        return STR

    def call(self, node: nodes.Call) -> Kinds:
        callee = node.node.name if isinstance(node.node, nodes.Name) else None
        if callee == "range":
            raise self.refuse(node, f"'range' is not allowed; {_LOOP_OVER}", "range")
        spec = FUNCTIONS.get(callee or "")
        if callee is None or spec is None or callee in self.assigned:
            shown = f"'{callee}'" if callee else "methods"
            raise self.refuse(
                node,
                f"calling {shown} is not allowed; a text may call the pack functions "
                f"({', '.join(sorted(FUNCTIONS))})",
                callee or "(",
            )
        if node.kwargs or node.dyn_args is not None or node.dyn_kwargs is not None:
            raise self.refuse(node, f"{callee}() takes plain arguments only", callee)
        accepted_types = _argument_types(spec, len(node.args))
        if accepted_types is None:
            least = f"at least {len(spec.params)}" if spec.rest else str(len(spec.params))
            raise self.refuse(
                node, f"{callee}() takes {least} argument(s), got {len(node.args)}", callee
            )
        for argument, accepted in zip(node.args, accepted_types, strict=True):
            kinds = self.expression(argument) - {"none"}
            wanted = frozenset(_DECLARED.get(kind, "any") for kind in accepted)
            if "any" not in kinds | wanted and not kinds <= wanted:
                raise self.refuse(
                    node,
                    f"{callee}() expects {_describe(wanted)} here, not {_describe(kinds)}",
                    callee,
                )
        return frozenset({_DECLARED.get(spec.returns, "any")})

    def filter(self, node: nodes.Filter) -> Kinds:
        if node.node is None:  # only inside {% filter %}, which is refused before
            raise self.refuse(node, "filter blocks are not allowed")
        kinds = self.expression(node.node)
        found = FILTERS.get(node.name)
        if found is None:
            allowed = ", ".join(sorted(FILTERS))
            raise self.refuse(
                node, f"the filter '{node.name}' is not allowed; use one of {allowed}", node.name
            )
        accepted, result, most = found
        if node.kwargs or node.dyn_args is not None or node.dyn_kwargs is not None:
            raise self.refuse(node, f"the filter '{node.name}' takes plain arguments", node.name)
        if len(node.args) > most:
            raise self.refuse(node, f"the filter '{node.name}' takes {most} argument(s)", node.name)
        if accepted != ANY and "any" not in kinds and not kinds - {"none"} <= accepted:
            raise self.refuse(
                node,
                f"the filter '{node.name}' works on {_describe(accepted)}, not {_describe(kinds)}",
                node.name,
            )
        extra = frozenset().union(*(self.expression(arg) for arg in node.args))
        return kinds | extra if result == ANY else result

    def test(self, node: nodes.Test) -> None:
        self.expression(node.node)
        if node.kwargs or node.dyn_args is not None or node.dyn_kwargs is not None:
            raise self.refuse(node, f"the test '{node.name}' takes plain arguments", node.name)
        for argument in node.args:
            self.expression(argument)

    def list_literal(self, node: nodes.List | nodes.Tuple) -> Kinds:
        # Literals and plain names only: a list written out keeps the size it is written with.
        texts = True
        for item in node.items:
            if isinstance(item, nodes.Name):
                texts = texts and self.expression(item) - {"none"} <= STR | ANY
            elif isinstance(item, nodes.Const):
                texts = texts and isinstance(item.value, str)
            else:
                raise self.refuse(node, "a list in a text holds literals and names only", "[")
        return LIST if texts else frozenset({"literals"})


def _const_kinds(value: object) -> Kinds:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int | float):
        return NUMBER
    if isinstance(value, str):
        return STR
    if value is None:
        return frozenset({"none"})
    return ANY


def _describe(kinds: Kinds) -> str:
    words = {
        "str": "a string",
        "number": "a number",
        "bool": "a bool",
        "date": "a date",
        "list": "a list",
        "literals": "a list of literals",
        "none": "none",
        "loop": "the loop",
        "any": "a value of unknown type",
    }
    return " or ".join(words.get(kind, kind) for kind in sorted(kinds)) or "nothing"


def all_nodes(tree: nodes.Node) -> list[nodes.Node]:
    """Every node below `tree`, in the order of Jinja's `find_all` (depth first, parents
    before their children), collected in one walk."""
    found: list[nodes.Node] = []
    _collect(tree, found)
    return found


def _collect(node: nodes.Node, found: list[nodes.Node]) -> None:
    for child in node.iter_child_nodes():
        found.append(child)
        _collect(child, found)


def check_subset(
    tree: nodes.Template, names: Names, multiline: bool, count: int | None = None
) -> bool:
    """Raise TemplateProblem at the first construct outside the template subset. Whether
    the template binds names (`{% set %}` or a loop): only then may Jinja's scoping, which
    this check does not follow, find a name read where it is not bound. `count` is the
    number of nodes below `tree` when the caller has counted them."""
    if count is None:
        count = len(all_nodes(tree))
    if count > MAX_TEMPLATE_NODES:
        raise TemplateProblem(
            f"the template has {count:,} parts; the limit is {MAX_TEMPLATE_NODES:,}: split it"
        )
    checker = SubsetChecker(names, multiline)
    checker.statements(tree.body)
    return checker.binds


def _argument_types(spec: FunctionSpec, count: int) -> list[frozenset[str]] | None:
    """The accepted types of each of `count` arguments, or None when a call with that many
    arguments does not fit the function (too few, or too many without further arguments)."""
    fixed = len(spec.params)
    if count < fixed or (count > fixed and spec.rest is None):
        return None
    return [*spec.params, *[spec.rest or frozenset()] * (count - fixed)]
