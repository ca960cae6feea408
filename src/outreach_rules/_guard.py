"""Only the library's errors leave an evaluation.

Whatever a pack or a situation makes a stage of the pipeline raise (a built-in exception
from a function, a template or durable_rules) becomes an EvaluationError with the original
as its `__cause__`; the library's own errors pass through unchanged.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from .errors import EvaluationError, OutreachRulesError

P = ParamSpec("P")
R = TypeVar("R")


def only_library_errors(function: Callable[P, R]) -> Callable[P, R]:
    """`function`, raising EvaluationError in place of any other exception."""

    @functools.wraps(function)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except OutreachRulesError:
            raise
        except Exception as error:
            raise EvaluationError(f"evaluation failed: {describe(error)}") from error

    return guarded


def describe(error: BaseException) -> str:
    """An exception as `Type: message` (the type alone when it has no message)."""
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
