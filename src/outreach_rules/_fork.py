"""What engines hold per process, renewed in a child made by `os.fork`.

`fork` copies only the thread that calls it. A lock that another thread held at that moment
stays held in the child for ever, and a durable host copied between two calls of an
evaluation holds a session nobody will finish. So, in the child, every live engine gets a
new lock and drops (without freeing: its C state is the parent's copy) its durable host; the
next evaluation builds a fresh one. Module-level locks register their own renewal here too.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from typing import Protocol


class Renewable(Protocol):
    """An object with per-process state to renew in a forked child."""

    def _after_fork_in_child(self) -> None: ...


_live: weakref.WeakSet[Renewable] = weakref.WeakSet()
_hooks: list[Callable[[], None]] = []


def track(item: Renewable) -> None:
    """Renew `item`'s per-process state in every child forked while it is alive."""
    _live.add(item)


def on_fork(hook: Callable[[], None]) -> None:
    """Run `hook` in every child forked from now on (before the tracked objects renew)."""
    _hooks.append(hook)


def _in_child() -> None:
    for hook in _hooks:
        hook()
    for item in list(_live):
        item._after_fork_in_child()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_in_child)
