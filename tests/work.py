"""Work measured as Python calls: the tests' measure of cost (seconds belong to benchmarks).

A test that bounds cost counts the calls an action makes, functions and builtins alike (a
generator counts once per item it yields), so its bound holds on a slow or loaded machine
and fails on a fast one when the work grows: linear work keeps its ratio as inputs grow,
quadratic work does not.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
E = TypeVar("E", bound=BaseException)
COUNTED = frozenset({"call", "c_call"})


def calls_made(action: Callable[[], T]) -> tuple[T, int]:
    """What `action()` returns, and the Python and builtin calls it made on this thread."""
    made = 0

    def count(_frame: Any, event: str, _arg: Any) -> None:
        nonlocal made
        made += event in COUNTED

    previous = sys.getprofile()
    sys.setprofile(count)
    try:
        result = action()
    finally:
        sys.setprofile(previous)
    return result, made


def calls_to_raise(action: Callable[[], object], error: type[E]) -> tuple[E, int]:
    """The error of that type that `action()` raises, and the calls made until it did."""

    def caught() -> E:
        try:
            action()
        except error as raised:
            return raised
        raise AssertionError(f"no {error.__name__} was raised")

    return calls_made(caught)
