"""What an engine remembers between evaluations: filled-in texts and reasons in words.

A rule's reasons depend only on the values its conditions read, and a text only on the
values its template reads (and on the day). Evaluations of one pack meet the same values
again and again, so both are kept in tables of the engine, keyed by the rule or text and
those values, and an evaluation makes only what no earlier one made. Only immutable values
make keys (lists never do), the type is part of a key (1, 1.0 and True are equal but read
differently), a text longer than MAX_KEY_TEXT never makes a key and a filled-in text
longer than MAX_KEPT_TEXT is never kept, and a table that grows past MAX_REMEMBERED entries
is dropped and started again: the memory of a service that sees ever new values stays
bounded (5,000 entries of at most a few kB).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

from . import _templates
from ._compile import TODAY, CompiledRule, Env

if TYPE_CHECKING:
    from ._engine import Engine

MAX_REMEMBERED = 5_000
MAX_KEY_TEXT = 1_000  # the longest short text a situation holds
MAX_KEPT_TEXT = 4_096
KEEPABLE = frozenset({str, int, float, bool, type(None), datetime.date})


def table(engine: Engine, name: str) -> dict[Hashable, Any]:
    """One of the engine's tables, started again when it has grown past its bound."""
    tables = engine._cache.tables
    found = tables.get(name)
    if found is None or len(found) > MAX_REMEMBERED:
        found = tables[name] = {}
    return found


def reasons_key(engine: Engine, rule: CompiledRule, env: Env) -> tuple[Any, ...] | None:
    """What a fired rule's reasons depend on: the values of the facts its condition reads,
    and the day (functions such as days_until read it). None for a rule that reads a
    derived fact (its reasons carry the chain of the rule that set it) or a value that
    cannot be a key."""
    reads = _plain_reads(engine).get(rule.index)
    if reads is None:
        return None
    found = _values_key(reads, env)
    return None if found is None else (rule.index, env.get(TODAY), *found)


def _values_key(reads: tuple[str, ...], env: Env) -> tuple[Any, Any] | None:
    """The values of `reads` and their types, or None when one cannot be part of a key."""
    values = tuple(map(env.get, reads))
    kinds = tuple(map(type, values))
    if not KEEPABLE.issuperset(kinds):
        return None
    if str in kinds and any(type(v) is str and len(v) > MAX_KEY_TEXT for v in values):
        return None
    return kinds, values


def _plain_reads(engine: Engine) -> dict[int, tuple[str, ...]]:
    """The facts each rule reads, for the rules that read no derived fact."""
    found = engine._cache.plain_reads
    if found is None:
        derived = engine.rulebook.spec.derived
        found = engine._cache.plain_reads = {
            rule.index: tuple(dict.fromkeys(rule.checked.reads))
            for rule in engine.program.rules
            if not any(name in derived for name in rule.checked.reads)
        }
    return found


Render = Callable[[str, dict[str, Any]], str]


class Texts:
    """The filled-in texts of one evaluation: remembered when an earlier evaluation filled
    the same text with the same values, rendered (and remembered) otherwise. A remembered
    text counts against the evaluation's output budget as if it had been rendered, so the
    bounds of docs/limits.md hold alike."""

    def __init__(
        self, engine: Engine, env: Env, today: datetime.date, locale: str | None = None
    ) -> None:
        self._engine, self._env, self.today, self._locale = engine, env, today, locale
        self._table = table(engine, "texts")
        self._values: dict[str, Any] | None = None
        self._given = 0  # characters of remembered texts given before the values were made
        self.last = 0  # characters the latest text filled in counted against the budget

    def values(self) -> dict[str, Any]:
        """What templates see (made on first need): every fact and derived fact (None when
        unknown), the functions, the parameters and today."""
        if self._values is None:
            checked = self._engine.program.checked
            facts = {name: self._env.get(name) for name in checked.facts}
            self._values = _templates.context(facts, checked.params, self.today, self._locale)
            _templates.charge(self._values, self._given)
        return self._values

    def fill(self, text: str, render: Render) -> str:
        """The text filled in; `render` makes it from the values when it is not remembered."""
        key = self._key(text)
        kept: tuple[str, int] | None = self._table.get(key) if key is not None else None
        if kept is not None and self.take(kept[1]):
            self.last = kept[1]
            return kept[0]
        values = self.values()
        before = _templates.left(values)
        made = render(text, values)
        self.last = before - _templates.left(values)
        if key is not None and len(made) <= MAX_KEPT_TEXT:
            self._table[key] = (made, self.last)
        return made

    def take(self, size: int) -> bool:
        """Count a remembered text of `size` characters against the output budget, as if
        it had been rendered; False, counting nothing, when it does not fit (rendering it
        again then raises the budget's error)."""
        if size > self._room():
            return False
        if self._values is not None:
            _templates.charge(self._values, size)
        else:
            self._given += size
        return True

    def _room(self) -> int:
        if self._values is not None:
            return _templates.left(self._values)
        return _templates.MAX_EVALUATION_OUTPUT - self._given

    def _key(self, text: str) -> tuple[Any, ...] | None:
        found = _values_key(text_reads(self._engine, text), self._env)
        return None if found is None else (text, self.today, self._locale, *found)


def text_reads(engine: Engine, text: str) -> tuple[str, ...]:
    """The facts and derived facts a text reads (parameters are fixed for an engine)."""
    reads = engine._cache.text_reads
    found = reads.get(text)
    if found is None:
        facts = engine.program.checked.facts
        names = _templates.names_read(text)
        found = reads[text] = tuple(sorted(name for name in names if name in facts))
    return found


# The fact types whose validated values have one Python type (see `_situation`): a key
# made of such facts' values needs no types beside them.
_ONE_TYPE = frozenset({"bool", "int", "float", "enum", "date"})


def item_reads(engine: Engine, rule: CompiledRule, text: str) -> tuple[str, ...] | None:
    """What a fired rule's recommendation or finding depends on besides the day: the facts
    its condition and its text read. None when its reasons cannot be remembered (see
    `reasons_key`)."""
    reads = _plain_reads(engine).get(rule.index)
    return None if reads is None else tuple(dict.fromkeys(reads + text_reads(engine, text)))


def one_type(engine: Engine, reads: tuple[str, ...]) -> bool:
    """Whether every fact read is a declared fact whose validated value has one type."""
    facts = engine.rulebook.spec.facts
    return all(name in facts and facts[name].type in _ONE_TYPE for name in reads)


def item_key(
    rule: CompiledRule, reads: tuple[str, ...], typed: bool, env: Env, today: datetime.date
) -> tuple[Any, ...] | None:
    """The key of a fired rule's item in the engine's table of items, or None when a
    value cannot be part of a key. `typed`: every value read has one type (`one_type`),
    so the values alone make the key."""
    if typed:
        return (rule.index, today, *map(env.get, reads))
    found = _values_key(reads, env)
    return None if found is None else (rule.index, today, *found)
