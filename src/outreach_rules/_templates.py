"""Safe templating of advice texts and drafts (sandboxed Jinja, no autoescape: plain text).

Values are inserted literally: Jinja never renders a value as a template, so a name such as
`{{x}}` or `$x` stays as typed. Templates are parsed and their names checked when a pack is
loaded, and compiled on first use.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from typing import Any

from jinja2 import TemplateSyntaxError, meta, nodes
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
    """Parse a template and check that every name it reads is declared."""
    try:
        tree = _ENV.parse(text)
    except TemplateSyntaxError as error:
        raise TemplateProblem(
            f"template error on its line {error.lineno}: {error.message}"
        ) from None
    for name in sorted(meta.find_undeclared_variables(tree) - known - _GLOBAL_NAMES):
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


@functools.lru_cache(maxsize=4096)
def _compiled(text: str) -> Any:
    return _ENV.from_string(text)


def _functions(today: datetime.date) -> dict[str, Any]:
    found: dict[str, Any] = {}
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


def render(
    text: str, values: Mapping[str, Any], params: Mapping[str, Any], today: datetime.date
) -> str:
    """Fill in a template; unknown facts are `none` in the template."""
    context = {**_functions(today), **values, "params": params, "today": today}
    return str(_compiled(text).render(context)).strip()
