"""Safe templating of advice texts and drafts (sandboxed Jinja, no autoescape: plain text).

Values are inserted literally: Jinja never renders a value as a template, so a name such as
`{{x}}` or `$x` stays as typed. Templates are parsed when a pack is loaded: their names
(facts, parameters, filters and tests) are checked, and so is the subset of Jinja they may
use (`_template_check`). Rendering is bounded too: each text may produce at most
MAX_OUTPUT characters and take MAX_STEPS loop items and function calls, an evaluation's
texts together at most MAX_EVALUATION_OUTPUT characters and MAX_EVALUATION_STEPS steps, and
arithmetic stays on numbers within ±2^53. Past a bound, or on any error inside a
template, rendering raises RenderProblem with the template line.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import functools
import math
import operator
import re
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateAssertionError, TemplateSyntaxError, meta, nodes, pass_context
from jinja2.compiler import find_undeclared
from jinja2.idtracking import VAR_LOAD_RESOLVE, Symbols
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from . import _known_templates, _locale
from ._guard import describe
from ._suggest import suggest
from ._template_check import (
    FILTERS,
    MAX_TEMPLATE_LENGTH,
    MAX_TEMPLATE_NODES,
    Names,
    TemplateProblem,
    all_nodes,
    check_subset,
)
from ._text import FUNCTIONS

__all__ = [
    "MAX_EVALUATION_OUTPUT",
    "MAX_EVALUATION_STEPS",
    "MAX_OUTPUT",
    "MAX_STEPS",
    "Names",
    "RenderProblem",
    "TemplateProblem",
    "charge",
    "check_template",
    "context",
    "left",
    "render",
    "verdicts_set_aside",
]

MAX_OUTPUT = 65_536
MAX_EVALUATION_OUTPUT = 1_048_576
MAX_STEPS = 1_000
MAX_EVALUATION_STEPS = 5_000
MAX_NUMBER = 2**53
_GLOBAL_NAMES = frozenset({"params", "today", "range", "loop"})
_LOOP_FILTER = "outreach rules: counted loop"  # names no template can write
_SLICE_FILTER = "outreach rules: slice"
_BUDGET_KEY = "outreach rules: evaluation budget"  # likewise, in a context
_LOCALE_KEY = "outreach rules: locale"  # the locale dates are written in (None: English)
_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
}


class RenderProblem(Exception):  # noqa: N818 - internal signal turned into an EvaluationError
    """Rendering failed or ran past a bound; `line` is the template line (0: unknown)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _Refused(Exception):  # noqa: N818 - raised inside a template, becomes a RenderProblem
    pass


@dataclass
class _EvaluationBudget:
    """Characters and steps the texts of one evaluation may still take."""

    left: int = MAX_EVALUATION_OUTPUT
    steps: int = MAX_EVALUATION_STEPS


@dataclass
class _TextBudget:
    """What one text may still use while it renders."""

    evaluation: _EvaluationBudget | None
    steps: int = MAX_STEPS

    def step(self) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise _Refused(f"the text takes more than {MAX_STEPS:,} loop items and function calls")
        evaluation = self.evaluation
        if evaluation is not None:
            evaluation.steps -= 1
            if evaluation.steps < 0:
                raise _Refused(
                    f"the texts of one evaluation take more than {MAX_EVALUATION_STEPS:,} "
                    "loop items and function calls"
                )


_CURRENT: contextvars.ContextVar[_TextBudget | None] = contextvars.ContextVar(
    "outreach_rules_text_budget", default=None
)


def _number(value: Any, symbol: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Refused(f"'{symbol}' works on numbers only, not on {type(value).__name__}")
    return value


def _bounded(result: Any) -> Any:
    if isinstance(result, int) and abs(result) > MAX_NUMBER:
        raise _Refused(f"a number went beyond ±{MAX_NUMBER:,}")
    if isinstance(result, float) and not math.isfinite(result):
        raise _Refused("a number went beyond the largest float")
    return result


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, with arithmetic kept to numbers within ±2^53 (so `n * n` repeated
    cannot build a huge int) and never folded while compiling."""

    intercepted_binops = frozenset(_BINARY)
    intercepted_unops = frozenset({"-", "+"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:  # noqa: ARG002 - Jinja's signature
        if left is None or right is None:
            return None  # an unknown fact, as the pack functions treat it
        a, b = _number(left, operator), _number(right, operator)
        if operator == "**":
            raise _Refused("'**' is not allowed")
        return _bounded(_BINARY[operator](a, b))

    def getitem(self, obj: Any, argument: Any) -> Any:
        if obj is None:
            return None  # an item or a slice of an unknown fact is unknown
        return super().getitem(obj, argument)

    def call_unop(self, context: Any, operator: str, arg: Any) -> Any:  # noqa: ARG002 - Jinja's signature
        if arg is None:
            return None
        value = _number(arg, operator)
        return _bounded(-value if operator == "-" else +value)


def _counted(items: Iterable[Any] | None) -> Iterator[Any]:
    """The items of a loop, each counted against the text's steps; an unknown list (None)
    has none."""
    budget = _CURRENT.get()
    for item in items or ():
        if budget is not None:
            budget.step()
        yield item


def _sliced(value: Any, start: Any, stop: Any, step: Any) -> Any:
    """`value[start:stop:step]`; a slice of an unknown fact (None) is unknown."""
    return None if value is None else value[start:stop:step]


class _Rewriter(NodeTransformer):
    """Counts the items of every loop; slices go through `_sliced` (Jinja compiles them to
    a plain subscript, which an unknown fact would fail)."""

    def visit_For(self, node: nodes.For) -> nodes.Node:  # noqa: N802 - Jinja dispatches on the node name
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, _LOOP_FILTER, [], [], None, None, lineno=node.lineno)
        return node

    def visit_Getitem(self, node: nodes.Getitem) -> nodes.Node:  # noqa: N802 - Jinja dispatches on the node name
        self.generic_visit(node)
        part = node.arg
        if not isinstance(part, nodes.Slice):
            return node
        bounds = [
            bound if bound is not None else nodes.Const(None, lineno=node.lineno)
            for bound in (part.start, part.stop, part.step)
        ]
        return nodes.Filter(node.node, _SLICE_FILTER, bounds, [], None, None, lineno=node.lineno)


def _environment() -> _Environment:
    env = _Environment(autoescape=False, keep_trailing_newline=False)
    env.filters["long_date"] = _long_date
    env.filters[_LOOP_FILTER] = _counted
    env.filters[_SLICE_FILTER] = _sliced
    return env


@pass_context
def _long_date(context: Any, value: datetime.date | None) -> str:
    """`long_date` in the locale of the evaluation ('Freitag, 6. März')."""
    return _locale.long_date(value, context.get(_LOCALE_KEY))


_ENV = _environment()


# The verdicts of templates checked in this process, by text and names: an engine built
# again from the same pack (tests, reloads, a service building one per request) checks its
# templates without parsing them again. Bounded: emptied when it reaches the limit.
_VERDICTS: dict[tuple[str, Any], tuple[str, tuple[str, ...], int, str] | None] = {}
MAX_VERDICTS = 4096


def check_template(text: str, names: Names) -> None:
    """Parse a template; check that every name it reads is declared, every filter and test
    it uses exists, and that it keeps to the subset of Jinja a pack may use."""
    key = (text, names.key)
    try:
        verdict = _VERDICTS[key]
    except KeyError:
        pass
    else:
        if verdict is not None:
            raise TemplateProblem(*verdict[:2], line=verdict[2], token=verdict[3])
        return
    if "{" in text and _known_templates.listed(text, names.key):
        _remember(key, None)  # listed with the package: it passed this very check
        return
    try:
        parsed = _check(text, names)
    except (RecursionError, MemoryError):
        # not remembered: how deep the check can go depends on the stack it starts from
        raise TemplateProblem("the template nests too deeply") from None
    except TemplateProblem as problem:
        _remember(key, (problem.message, problem.suggestions, problem.line, problem.token))
        raise
    _remember(key, None)
    if parsed:
        _known_templates.passed(text, names.key)


@contextlib.contextmanager
def verdicts_set_aside() -> Iterator[None]:
    """Check every template in the block again: the verdicts remembered so far are set
    aside, and those made in the block dropped after it."""
    remembered = dict(_VERDICTS)
    _VERDICTS.clear()
    try:
        yield
    finally:
        _VERDICTS.clear()
        _VERDICTS.update(remembered)


def _remember(key: tuple[str, Any], verdict: tuple[str, tuple[str, ...], int, str] | None) -> None:
    if len(_VERDICTS) >= MAX_VERDICTS:
        _VERDICTS.clear()
    _VERDICTS[key] = verdict


def _check(text: str, names: Names) -> bool:
    """Raise TemplateProblem at the template's first problem; whether Jinja's parser had
    to read it (False: plain text, or a text the quick paths take)."""
    if len(text) > MAX_TEMPLATE_LENGTH:
        raise TemplateProblem(
            f"the text is {len(text):,} characters; the limit is {MAX_TEMPLATE_LENGTH:,}"
        )
    if "{" not in text:
        return False  # every Jinja tag starts with "{": plain text, nothing to check
    if _only_facts_inserted(text, names) or _only_facts_tested(text, names):
        return False
    try:
        tree = _ENV.parse(text)
    except TemplateSyntaxError as error:  # TemplateAssertionError included
        raise _syntax_problem(error) from None
    multiline = "\n" in text.strip()
    found = all_nodes(tree)
    _check_filters_and_tests(found, multiline)
    # The subset is checked before Jinja's code generator (run by meta below) folds
    # constants in the tree in place; its problem is raised after the names' problems.
    outside_subset, binds = _subset_problem(tree, names, multiline, len(found))
    if outside_subset is None and not binds:
        # Every name such a template reads is a fact, `today` or a function called (the
        # subset refuses any other), and every `params.NAME` is declared: Jinja's code
        # generator, which meta runs, would find nothing unknown and nothing to refuse.
        return True
    try:
        if outside_subset is None:
            undeclared = undeclared_names(tree)
        else:
            undeclared = meta.find_undeclared_variables(tree)
    except TemplateAssertionError as error:  # raised by Jinja's code generator
        raise _syntax_problem(error) from None
    known = set(names.facts) | set(FUNCTIONS)
    for name in sorted(undeclared - known - _GLOBAL_NAMES):
        raise TemplateProblem(f"template reads unknown name '{name}'", tuple(suggest(name, known)))
    for node in tree.find_all(nodes.Getattr):  # after the code generator's folding
        if (
            isinstance(node.node, nodes.Name)
            and node.node.name == "params"
            and node.attr not in names.params
        ):
            raise TemplateProblem(
                f"template reads unknown parameter 'params.{node.attr}'",
                tuple(f"params.{name}" for name in suggest(node.attr, names.params)),
                line=node.lineno,
                token=node.attr,
            )
    if outside_subset is not None:
        raise outside_subset
    return True


def undeclared_names(tree: nodes.Template) -> set[str]:
    """What `jinja2.meta.find_undeclared_variables` finds in a template that keeps to the
    subset (text, `if`, `set` and loops that are not nested), without running Jinja's code
    generator: the same symbol tables (Jinja's own), built for the same frames (the
    template's, and each loop's body, filter and `else`), and the same refusal of a loop
    that assigns to `loop`."""
    found: set[str] = set()
    root = Symbols()
    if "self" in find_undeclared(tree.body, ("self",)):
        root.declare_parameter("self")
    root.analyze_node(tree)
    _resolved(root, found)
    _frames_of(tree.body, root, found)
    return found


def _resolved(symbols: Symbols, found: set[str]) -> None:
    """The names a frame looks up in the context (the code generator's `enter_frame`)."""
    for action, name in symbols.loads.values():
        if action == VAR_LOAD_RESOLVE and name not in _ENV.globals:
            found.add(name)


def _frames_of(body: Iterable[nodes.Node], symbols: Symbols, found: set[str]) -> None:
    for node in body:
        if isinstance(node, nodes.If):
            # an `if` shares its frame (a soft frame: a copy of the same symbols)
            _frames_of(node.body, symbols, found)
            for branch in node.elif_:
                _frames_of(branch.body, symbols, found)
            _frames_of(node.else_, symbols, found)
        elif isinstance(node, nodes.For):
            _loop_frames(node, symbols, found)


def _loop_frames(node: nodes.For, outer: Symbols, found: set[str]) -> None:
    body = Symbols(outer)
    if "loop" in find_undeclared(node.iter_child_nodes(only=("body",)), ("loop",)):
        body.declare_parameter("loop")
    body.analyze_node(node, for_branch="body")
    otherwise = Symbols(outer)
    if node.else_:
        otherwise.analyze_node(node, for_branch="else")
    if node.test:
        test = Symbols(outer)
        test.analyze_node(node, for_branch="test")
        _resolved(test, found)
    for name in node.find_all(nodes.Name):
        if name.ctx == "store" and name.name == "loop":
            raise TemplateAssertionError(
                "Can't assign to special loop variable in for-loop target", name.lineno
            )
    _resolved(body, found)
    _frames_of(node.body, body, found)
    if node.else_:
        _resolved(otherwise, found)
        _frames_of(node.else_, otherwise, found)


def _subset_problem(
    tree: nodes.Template, names: Names, multiline: bool, count: int
) -> tuple[TemplateProblem | None, bool]:
    """The subset's problem (None when it keeps to the subset) and whether it binds names."""
    try:
        binds = check_subset(tree, names, multiline, count)
    except TemplateProblem as problem:
        return problem, True
    return None, binds


# Plain text with `{{ name }}` insertions only: no other tag, comment or whitespace control.
_INSERTIONS = re.compile(r"(?:[^{]|\{(?![{%#])|\{\{[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*\}\})*")
_INSERTED = re.compile(r"\{\{[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*\}\}")
_JINJA_CONSTANTS = frozenset({"true", "false", "none", "True", "False", "None"})


def _only_facts_inserted(text: str, names: Names) -> bool:
    """Whether the text only inserts declared facts by name, the commonest template: the
    whole check would find nothing to refuse in it (a fact read as it is may be output,
    whatever its type), and skipping Jinja's parser and code generator keeps a pack of
    many such texts quick to load. Anything else gets the whole check, as does a long text
    (it may hold more nodes than the whole check allows)."""
    if len(text) > _MAX_QUICK_LENGTH or _INSERTIONS.fullmatch(text) is None:
        return False
    read = _INSERTED.findall(text)
    return all(name in names.facts and name not in _JINJA_CONSTANTS for name in read)


# The tokens of a text that inserts facts and chooses on them: plain text, `{{ fact }}`,
# `{{ fact or fact }}`, `{{ fact or "text" }}`, `{% if fact %}` and `{% elif fact %}` (each
# with `not` or without), `{% else %}` and `{% endif %}`; no whitespace control, no line
# break inside a tag, and quoted texts without escapes, braces or the like.
_WS = r"[ \t]*"
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_QUOTED = r"""(?:"[^"\\{}%#\r\n]*"|'[^'\\{}%#\r\n]*')"""
_TOKEN = re.compile(
    r"(?P<text>(?:[^{]|\{(?![{%#]))+)"
    rf"|\{{\{{{_WS}(?P<out>{_NAME})(?:[ \t]+or[ \t]+(?:(?P<alt>{_NAME})|{_QUOTED}))?{_WS}\}}\}}"
    rf"|\{{%{_WS}(?P<test>if|elif)[ \t]+(?:not[ \t]+)?(?P<tested>{_NAME}){_WS}%\}}"
    rf"|\{{%{_WS}(?P<end>else|endif){_WS}%\}}"
)
# Words Jinja reads as constants, operators or statement keywords: never taken as a fact here.
_JINJA_WORDS = _JINJA_CONSTANTS | frozenset(
    {"and", "or", "not", "in", "is", "if", "elif", "else", "endif", "for", "endfor", "set"}
)
_MAX_QUICK_LENGTH = 2 * MAX_TEMPLATE_NODES  # far below the node limit: 3 characters a node
_MAX_QUICK_DEPTH = 8  # far below the parser's recursion limit


def _only_facts_tested(text: str, names: Names) -> bool:
    """Whether the text only inserts declared facts and chooses on them with `if`, `elif`
    and `else` (see _TOKEN), its `if`s closed in order: the whole check would find nothing
    to refuse in it (any value may be output or tested, `or` takes any two), so Jinja's
    parser is skipped for it too. Anything else gets the whole check."""
    if len(text) > _MAX_QUICK_LENGTH:
        return False
    open_ifs: list[bool] = []  # for each open `if`: whether its `else` was met
    position = 0
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None:
            return False
        position = found.end()
        if found["text"] is not None:
            continue
        read = found["out"] or found["tested"]
        for name in (read, found["alt"]):
            if name is not None and (name not in names.facts or name in _JINJA_WORDS):
                return False
        if found["test"] == "if":
            open_ifs.append(False)
            if len(open_ifs) > _MAX_QUICK_DEPTH:
                return False
        elif found["test"] == "elif" or found["end"] == "else":
            if not open_ifs or open_ifs[-1]:
                return False
            open_ifs[-1] = found["end"] == "else"
        elif found["end"] == "endif":
            if not open_ifs:
                return False
            open_ifs.pop()
    return not open_ifs


def _syntax_problem(error: TemplateSyntaxError) -> TemplateProblem:
    return TemplateProblem(
        f"template error on its line {error.lineno}: {error.message}", line=error.lineno
    )


def _check_filters_and_tests(found: list[nodes.Node], multiline: bool) -> None:
    """Refuse the first unknown filter or test, in the order they appear in the template
    (`found`: its nodes, as `all_nodes` lists them)."""
    used = sorted(
        (node for node in found if isinstance(node, nodes.Filter | nodes.Test)),
        key=lambda node: node.lineno,
    )
    for node in used:
        kind, available = (
            ("filter", _ENV.filters) if isinstance(node, nodes.Filter) else ("test", _ENV.tests)
        )
        if node.name not in available or node.name in (_LOOP_FILTER, _SLICE_FILTER):
            where = f" on its line {node.lineno}" if multiline else ""
            choices = FILTERS if kind == "filter" else available
            raise TemplateProblem(
                f"template uses unknown {kind} '{node.name}'{where}",
                tuple(suggest(node.name, choices)),
                line=node.lineno,
                token=node.name,
            )


@functools.lru_cache(maxsize=4096)
def _compiled(text: str) -> Any:
    """The template, with every loop's items counted (a checked template only)."""
    tree = _Rewriter().visit(_ENV.parse(text))
    return _ENV.from_string(tree)


@functools.lru_cache(maxsize=16)
def _functions(today: datetime.date) -> dict[str, Any]:
    """Jinja's globals and the text functions, those that need it bound to `today`."""
    found: dict[str, Any] = dict(_ENV.globals)
    for name, spec in FUNCTIONS.items():
        if spec.needs_today:
            found[name] = functools.partial(_none_safe, functools.partial(spec.impl, today))
        else:
            found[name] = functools.partial(_none_safe, spec.impl)
    return found


def _none_safe(function: Any, *args: Any) -> Any:
    budget = _CURRENT.get()
    if budget is not None:
        budget.step()
    if any(arg is None for arg in args):
        return None
    return function(*args)


def context(
    values: Mapping[str, Any],
    params: Mapping[str, Any],
    today: datetime.date,
    locale: str | None = None,
) -> dict[str, Any]:
    """What the templates of one evaluation see: functions, facts (None when unknown),
    `params` and `today`. Made once and shared by all of them, with their output budget
    and the locale their dates are written in."""
    return {
        **_functions(today),
        **values,
        "params": params,
        "today": today,
        _BUDGET_KEY: _EvaluationBudget(),
        _LOCALE_KEY: locale,
    }


def left(names: Mapping[str, Any]) -> int:
    """Characters the texts of a `context()`'s evaluation may still produce."""
    evaluation = names.get(_BUDGET_KEY)
    return evaluation.left if isinstance(evaluation, _EvaluationBudget) else MAX_EVALUATION_OUTPUT


def charge(names: Mapping[str, Any], size: int) -> None:
    """Count `size` characters of text made without rendering (a remembered text) against
    the evaluation's budget, as if it had been rendered."""
    evaluation = names.get(_BUDGET_KEY)
    if isinstance(evaluation, _EvaluationBudget):
        evaluation.left -= size


def render(text: str, names: dict[str, Any]) -> str:
    """Fill in a template from a `context()`; RenderProblem past a bound or on any error."""
    try:
        template = _compiled(text)
    except Exception as error:  # a checked template compiles; never let it escape
        raise RenderProblem(_describe(error)) from error
    evaluation = names.get(_BUDGET_KEY)
    if not isinstance(evaluation, _EvaluationBudget):
        evaluation = None
    limit = MAX_OUTPUT if evaluation is None else min(MAX_OUTPUT, evaluation.left)
    token = _CURRENT.set(_TextBudget(evaluation))
    # Template.render would copy the context and the globals again for every template.
    parts = template.root_render_func(template.new_context(names, shared=True))
    try:
        pieces, size = _collect(parts, template, limit)
    except RenderProblem:
        raise
    except Exception as error:  # noqa: BLE001 - whatever a template raises becomes one problem
        original = None if isinstance(error, _Refused) else error  # a bound has no original
        raise RenderProblem(_describe(error), _template_line(template, error)) from original
    finally:
        _CURRENT.reset(token)
        parts.close()
    if evaluation is not None:
        evaluation.left -= size
    return "".join(pieces).strip()


def _collect(parts: Iterator[str], template: Any, limit: int) -> tuple[list[str], int]:
    """The pieces of the output, counted as they come: a long text is never built."""
    pieces: list[str] = []
    append = pieces.append  # a text yields dozens of pieces: keep the loop lean
    size = 0
    for piece in parts:
        size += len(piece)
        if size > limit:
            raise RenderProblem(_overflow(limit), _generator_line(parts, template))
        append(piece)
    return pieces, size


def _overflow(limit: int) -> str:
    if limit < MAX_OUTPUT:
        return f"the texts of one evaluation run past {MAX_EVALUATION_OUTPUT:,} characters"
    return f"the text runs past {MAX_OUTPUT:,} characters"


def _describe(error: BaseException) -> str:
    return str(error) if isinstance(error, _Refused) else describe(error)


def _generator_line(parts: Iterator[str], template: Any) -> int:
    frame = getattr(parts, "gi_frame", None)
    return template.get_corresponding_lineno(frame.f_lineno) if frame is not None else 0


def _template_line(template: Any, error: BaseException) -> int:
    """The template line of the innermost template frame in the error's traceback."""
    line = 0
    trace: types.TracebackType | None = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            line = template.get_corresponding_lineno(trace.tb_lineno)
        trace = trace.tb_next
    return line


def names_read(text: str) -> set[str]:
    """The names a checked template reads (facts, derived facts, params, today)."""
    return set(meta.find_undeclared_variables(_ENV.parse(text)))
