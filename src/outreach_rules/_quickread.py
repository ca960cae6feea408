"""The common situation read without pydantic.

Most situations are plain dicts of plain values: `True`, an `int` in bounds, a known enum
value, a short valid text, a list of such texts, a date or its ISO text. For those the
reader gives exactly what the pack's Situation model gives (the known facts in declaration
order, unknown ones left out) at a fraction of its cost. It gives None for anything else
(an unknown key, another type, a value out of bounds, a subclass), and the caller validates
with the model, which is the reference and reports every problem.

Like a stratum (see _pysource.py), a reader tests each fact with a small function for its
first CLOSURE_EVALUATIONS reads and generates one function for the whole pack at the next:
Python's compile() of it would cost a first evaluation more than the reads it speeds up.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from ._pysource import CLOSURE_EVALUATIONS, compiled_code
from ._rulebook import FactSpec
from ._situation import MAX_INT, MAX_ITEMS, MAX_STR, MAX_TEXT
from ._text import is_valid_text

REFUSED = object()  # a value the reader leaves to the model


def _iso_date(value: Any) -> Any:
    """A date, or the date an ISO text names; REFUSED for anything else."""
    if type(value) is datetime.date:
        return value
    if type(value) is str:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return REFUSED
    return REFUSED


def _short_texts(items: list[Any]) -> bool:
    """Whether every item is a plain text the model takes as a list item."""
    for item in items:
        if type(item) is not str or len(item) > MAX_STR or not is_valid_text(item):
            return False
    return True


# For each fact type, the value the model gives for `v` (never None), or REFUSED; `values`
# are an enum's values. The same expressions make the small functions and the generated one.
_EXPRESSIONS = {
    "bool": "v if v is True or v is False else REFUSED",
    "int": "v if type(v) is int and -MAX_INT <= v <= MAX_INT else REFUSED",
    "float": (
        "(v if type(v) is float else float(v)) if type(v) in (float, int) "
        "and -MAX_INT <= v <= MAX_INT else REFUSED"
    ),
    "enum": "v if type(v) is str and v in values else REFUSED",
    "str": "v if type(v) is str and len(v) <= MAX_STR and valid(v) else REFUSED",
    "text": "v if type(v) is str and len(v) <= MAX_TEXT and valid(v) else REFUSED",
    "date": "iso_date(v)",
    "list": "list(v) if type(v) is list and len(v) <= MAX_ITEMS and texts(v) else REFUSED",
}
_NAMESPACE: dict[str, Any] = {
    "REFUSED": REFUSED,
    "MAX_INT": MAX_INT,
    "MAX_STR": MAX_STR,
    "MAX_TEXT": MAX_TEXT,
    "MAX_ITEMS": MAX_ITEMS,
    "valid": is_valid_text,
    "texts": _short_texts,
    "iso_date": _iso_date,
}
_TESTS: dict[str, Callable[[Any, frozenset[str]], Any]] = {
    kind: eval(f"lambda v, values: {expression}", dict(_NAMESPACE))  # noqa: S307 - the fixed expressions above
    for kind, expression in _EXPRESSIONS.items()
}


class QuickReader:
    """Reads the plain situations of a pack with these facts (see above); None: not plain."""

    def __init__(self, facts: Mapping[str, FactSpec]) -> None:
        self.facts = facts
        self.names = frozenset(facts)
        self.tests = [
            (name, _TESTS[spec.type], frozenset(spec.values or ())) for name, spec in facts.items()
        ]
        self.reads = 0
        self.generated: Callable[[dict[Any, Any]], dict[str, Any] | None] | None = None

    def __call__(self, data: dict[Any, Any]) -> dict[str, Any] | None:
        generated = self.generated
        if generated is None:
            self.reads += 1
            if self.reads <= CLOSURE_EVALUATIONS:
                return self.read_by_tests(data)
            generated = self.generated = _generated(self.facts)
        return generated(data)

    def read_by_tests(self, data: dict[Any, Any]) -> dict[str, Any] | None:
        """What the generated function gives, fact by fact with the small functions."""
        if not self.names.issuperset(data):
            return None
        known: dict[str, Any] = {}
        get = data.get
        for name, test, values in self.tests:
            value = get(name)
            if value is not None:
                value = test(value, values)
                if value is REFUSED:
                    return None
                known[name] = value
        return known


def source(facts: Mapping[str, FactSpec]) -> str:
    """The generated reader's source: one test per fact, written out."""
    lines = ["def read(data):", "    if not NAMES.issuperset(data):", "        return None"]
    lines += ["    get = data.get", "    out = {}"]
    for number, (name, spec) in enumerate(facts.items()):
        test = _EXPRESSIONS[spec.type].replace("values", f"VALUES[{number}]")
        lines += [f"    v = get({name!r})", "    if v is not None:", f"        v = {test}"]
        lines += [
            "        if v is REFUSED:",
            "            return None",
            f"        out[{name!r}] = v",
        ]
    lines.append("    return out")
    return "\n".join(lines)


def _generated(facts: Mapping[str, FactSpec]) -> Callable[[dict[Any, Any]], dict[str, Any] | None]:
    namespace = dict(_NAMESPACE)
    namespace["NAMES"] = frozenset(facts)
    namespace["VALUES"] = tuple(frozenset(spec.values or ()) for spec in facts.values())
    exec(compiled_code(source(facts), "<outreach_rules situation>"), namespace)  # noqa: S102 - generated by source(); names are repr() literals
    read: Callable[[dict[Any, Any]], dict[str, Any] | None] = namespace["read"]
    return read
