"""A private host for durable_rules, driven through its C API.

Why not `durable.engine.Host`: it starts background timer threads (with them, concurrent
use segfaults) and its Python layer halves the throughput. This host registers the rulesets
itself, asserts one fact per session, runs the actions on the caller's thread, and deletes
every session's state in a `finally`. After any error from the C engine its state cannot be
trusted, so the host marks itself broken and the engine builds a fresh one.
"""

from __future__ import annotations

import decimal
import itertools
import json
import math
import os
from collections.abc import Iterable
from typing import Any

from ._log import LOG
from .errors import EvaluationError

_NOT_HANDLED = 1
_OBSERVED = 2
_ids = itertools.count(1)


def encode(value: Any) -> str:
    """JSON that durable_rules can parse: its parser reads no exponents, so floats are
    written out in positional notation (1e-05 as 0.00001)."""
    if isinstance(value, dict):
        if not any(isinstance(item, dict | list | float) for item in value.values()):
            return json.dumps(value, ensure_ascii=True, allow_nan=False)
        items = (
            f"{json.dumps(str(key), ensure_ascii=True)}:{encode(item)}"
            for key, item in value.items()
        )
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(encode(item) for item in value) + "]"
    if isinstance(value, float):
        return _positional(value)
    return json.dumps(value, ensure_ascii=True, allow_nan=False)


def _positional(number: float) -> str:
    if not math.isfinite(number):
        raise ValueError(f"{number} cannot be sent to durable_rules")
    text = repr(number)
    if "e" in text or "E" in text:
        text = format(decimal.Decimal(text), "f")
    return text


def import_engine() -> Any:
    """The durable_rules C module; ImportError where it cannot be used (e.g. Python 3.13)."""
    import durable_rules_engine  # noqa: PLC0415 - optional: absent or broken on some Pythons

    return durable_rules_engine


def available() -> bool:
    """Whether durable_rules can be imported here."""
    try:
        import_engine()
    except ImportError:
        return False
    return True


def action_name(message: str) -> str:
    """The action a durable_rules message is for: its first key, as durable_rules' own host
    reads it. The rest of the message is the whole fact again, which is not needed."""
    # Action names are the compiler's own (`r12_0`, `done`): no quotes or escapes in them.
    if message.startswith('{"'):
        end = message.find('"', 2)
        if end > 2 and "\\" not in message[2:end]:
            return message[2:end]
    return str(next(iter(json.loads(message))))


class DurableHost:
    """Owns the registered rulesets of one engine; not thread-safe (the engine locks)."""

    def __init__(self, rulesets: dict[str, dict[str, Any]]) -> None:
        self._c = import_engine()
        self.pid = os.getpid()
        self.broken = False
        self.live_sessions = 0
        self._handles: dict[str, int] = {}
        prefix = f"h{next(_ids)}."
        for name, definition in rulesets.items():
            try:
                self._handles[name] = self._c.create_ruleset(prefix + name, encode(definition))
            except Exception as error:
                self.close()
                raise EvaluationError(f"durable_rules refused ruleset {name}: {error}") from error
        self._sessions = itertools.count(1)

    def run(self, ruleset: str, fact: dict[str, Any], limit: int) -> list[str]:
        """Assert `fact` in a new session of `ruleset`; the names of the actions that ran.

        More than `limit` actions is an EvaluationError, raised as soon as the next action
        is seen: the C engine has no loop guard, so the bound is kept here, not after it."""
        handle = self._handles[ruleset]
        sid = str(next(self._sessions))
        message = encode({**fact, "sid": sid, "id": "f"})
        self.live_sessions += 1
        try:
            return self._assert(handle, message, ruleset, limit)
        except EvaluationError:
            self.broken = True
            raise
        except Exception as error:
            self.broken = True
            raise EvaluationError(f"durable_rules failed in ruleset {ruleset}: {error}") from error
        finally:
            self._delete(handle, sid, ruleset)

    def _assert(self, handle: int, message: str, ruleset: str, limit: int) -> list[str]:
        code, state = self._c.assert_fact(handle, message)
        if code in (_NOT_HANDLED, _OBSERVED):
            return []
        fired: list[str] = []
        result = self._c.start_action_for_state(handle, state)
        if not result:
            return fired
        message = result[1]
        while True:
            if len(fired) == limit:
                raise EvaluationError(
                    f"ruleset {ruleset} ran more than {limit} actions: "
                    "each of its rules may fire at most once"
                )
            fired.append(action_name(message))
            message = self._c.complete_and_start_action(handle, state)
            if not message:
                return fired

    def _delete(self, handle: int, sid: str, ruleset: str) -> None:
        try:
            self._c.delete_state(handle, sid)
            self.live_sessions -= 1
        except Exception:  # noqa: BLE001 - logged; a failed delete makes the C state suspect
            self.broken = True
            LOG.warning(
                "durable_rules could not delete session %s of ruleset %s; the host will be rebuilt",
                sid,
                ruleset,
                exc_info=True,
            )

    def close(self, names: Iterable[str] | None = None) -> None:
        """Free the C rulesets (only in the process that created them)."""
        if os.getpid() != self.pid:
            return
        for name in list(names or self._handles):
            handle = self._handles.pop(name, None)
            if handle is None:
                continue
            try:
                self._c.delete_ruleset(handle)
            except Exception:  # noqa: BLE001 - logged; freeing goes on with the other rulesets
                LOG.warning("durable_rules could not free ruleset %s", name, exc_info=True)
