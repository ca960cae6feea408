"""The common situation read without pydantic: one generated function per pack.

Most situations are plain dicts of plain values: `True`, an `int` in bounds, a known enum
value, a short valid text, a list of such texts, a date or its ISO text. For those the
generated function gives exactly what the pack's Situation model gives (the known facts in
declaration order, unknown ones left out) at a fraction of its cost. It gives None for
anything else (an unknown key, another type, a value out of bounds, a subclass), and the
caller validates with the model, which is the reference and reports every problem.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from ._rulebook import FactSpec
from ._situation import MAX_INT, MAX_ITEMS, MAX_STR, MAX_TEXT
from ._text import is_valid_text

QuickRead = Callable[[dict[Any, Any]], "dict[str, Any] | None"]

# One test per fact type, on the value `v` (never None here); each either stores the value
# the model would give in `out` or returns None, leaving the situation to the model.
_TESTS = {
    "bool": "if v is True or v is False:\n    out[{name}] = v",
    "int": "if type(v) is int and -MAX_INT <= v <= MAX_INT:\n    out[{name}] = v",
    "float": (
        "if type(v) is float and -MAX_INT <= v <= MAX_INT:\n    out[{name}] = v\n"
        "elif type(v) is int and -MAX_INT <= v <= MAX_INT:\n    out[{name}] = float(v)"
    ),
    "enum": "if type(v) is str and v in {values}:\n    out[{name}] = v",
    "str": "if type(v) is str and len(v) <= MAX_STR and valid(v):\n    out[{name}] = v",
    "text": "if type(v) is str and len(v) <= MAX_TEXT and valid(v):\n    out[{name}] = v",
    "date": (
        "if type(v) is date:\n    out[{name}] = v\n"
        "elif type(v) is str:\n"
        "    try:\n        out[{name}] = from_iso(v)\n"
        "    except ValueError:\n        return None"
    ),
    "list": "if type(v) is list and len(v) <= MAX_ITEMS and texts(v):\n    out[{name}] = list(v)",
}


def _short_texts(items: list[Any]) -> bool:
    """Whether every item is a plain text the model takes as a list item."""
    for item in items:
        if type(item) is not str or len(item) > MAX_STR or not is_valid_text(item):
            return False
    return True


def quick_reader(facts: Mapping[str, FactSpec]) -> QuickRead:
    """The generated reader of plain situations of a pack with these facts (see above)."""
    namespace: dict[str, Any] = {
        "NAMES": frozenset(facts),
        "MAX_INT": MAX_INT,
        "MAX_STR": MAX_STR,
        "MAX_TEXT": MAX_TEXT,
        "MAX_ITEMS": MAX_ITEMS,
        "valid": is_valid_text,
        "texts": _short_texts,
        "date": datetime.date,
        "from_iso": datetime.date.fromisoformat,
    }
    lines = ["def read(data):", "    if not NAMES.issuperset(data):", "        return None"]
    lines += ["    get = data.get", "    out = {}"]
    for number, (name, spec) in enumerate(facts.items()):
        values = f"VALUES_{number}"
        namespace[values] = frozenset(spec.values or ())
        test = _TESTS[spec.type].format(name=repr(name), values=values)
        lines += [f"    v = get({name!r})", "    if v is not None:"]
        lines += [f"        {line}" for line in test.splitlines()]
        lines += ["        else:", "            return None"]
    lines.append("    return out")
    exec(compile("\n".join(lines), "<outreach_rules situation>", "exec"), namespace)  # noqa: S102 - generated above; names are written as literals with repr
    read: QuickRead = namespace["read"]
    return read
