"""Safe templating of advice texts and drafts (sandboxed Jinja, no autoescape: plain text).

Values are inserted literally: Jinja never renders a value as a template, so a name such as
`{{x}}` or `$x` stays as typed. Templates are parsed and their names (facts, parameters,
filters and tests) checked when a pack is loaded, and compiled on first use.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from typing import Any

from jinja2 import TemplateAssertionError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ._suggest import suggest
from .text import FUNCTIONS, long_date

_GLOBAL_NAMES = frozenset({"params", "today", "range", "loop"})


class TemplateProblem(Exception):  # noqa: N818 - internal signal turned into a Problem
    def __init__(self, message: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = suggestions


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(autoescape=False, keep_trailing_newline=False)
    env.filters["long_date"] = long_date
    return env


_ENV = _environment()


def check_template(text: str, known: set[str], params: set[str]) -> None:
    """Parse a template and check that every name it reads is declared, and every filter and
    test it uses exists (Jinja itself only finds some of them, and some only when rendering)."""
    try:
        tree = _ENV.parse(text)
    except TemplateSyntaxError as error:  # TemplateAssertionError included
        raise _syntax_problem(error) from None
    _check_filters_and_tests(tree, multiline="\n" in text.strip())
    try:
        undeclared = meta.find_undeclared_variables(tree)
    except TemplateAssertionError as error:  # raised by Jinja's code generator
        raise _syntax_problem(error) from None
    for name in sorted(undeclared - known - _GLOBAL_NAMES):
        raise TemplateProblem(f"template reads unknown name '{name}'", tuple(suggest(name, known)))
    for node in tree.find_all(nodes.Getattr):
        if (
            isinstance(node.node, nodes.Name)
            and node.node.name == "params"
            and node.attr not in params
        ):
            raise TemplateProblem(
                f"template reads unknown parameter 'params.{node.attr}'",
                tuple(f"params.{name}" for name in suggest(node.attr, params)),
            )


def _syntax_problem(error: TemplateSyntaxError) -> TemplateProblem:
    return TemplateProblem(f"template error on its line {error.lineno}: {error.message}")


def _check_filters_and_tests(tree: nodes.Template, multiline: bool) -> None:
    """Refuse the first unknown filter or test, in the order they appear in the template."""
    used = sorted(tree.find_all((nodes.Filter, nodes.Test)), key=lambda node: node.lineno)
    for node in used:
        kind, available = (
            ("filter", _ENV.filters) if isinstance(node, nodes.Filter) else ("test", _ENV.tests)
        )
        if node.name not in available:
            where = f" on its line {node.lineno}" if multiline else ""
            raise TemplateProblem(
                f"template uses unknown {kind} '{node.name}'{where}",
                tuple(suggest(node.name, available)),
            )


@functools.lru_cache(maxsize=4096)
def _compiled(text: str) -> Any:
    return _ENV.from_string(text)


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
    if any(arg is None for arg in args):
        return None
    return function(*args)


def context(
    values: Mapping[str, Any], params: Mapping[str, Any], today: datetime.date
) -> dict[str, Any]:
    """What the templates of one evaluation see: functions, facts (None when unknown),
    `params` and `today`. Made once and shared by all of them."""
    return {**_functions(today), **values, "params": params, "today": today}


def render(text: str, names: dict[str, Any]) -> str:
    """Fill in a template from a `context()`."""
    template = _compiled(text)
    # Template.render would copy the context and the globals again for every template.
    try:
        parts = template.root_render_func(template.new_context(names, shared=True))
        filled = _ENV.concat(parts)
    except Exception:  # noqa: BLE001 - Jinja's own way: re-raised with the template's lines
        _ENV.handle_exception()
    return str(filled).strip()


def names_read(text: str) -> set[str]:
    """The names a checked template reads (facts, derived facts, params, today)."""
    return set(meta.find_undeclared_variables(_ENV.parse(text)))
