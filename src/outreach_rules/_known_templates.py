"""Templates known to pass their checks: the bundled pack's, listed with the package.

Checking a template that uses more than the quick paths take runs Jinja's parser, about a
millisecond for a long text, and a translated text is parsed again, with its original, to
compare the names and filters they use; the bundled pack and its translations have dozens
of such texts, so they made most of the first load in a process. `known-templates.txt`,
beside this module, lists a digest of each check that passed: a template with the names and
types it may read, or a translated text with its original. A check whose digest is listed
passes without parsing.

A digest stands for the exact texts and names, so it never lets anything else through; a
missing or out-of-date list only costs time. `make known-templates` writes the list again
(`_known_templates.write()`), and a test fails when it is out of date.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
from collections.abc import Iterator
from pathlib import Path

LIST = Path(__file__).with_name("known-templates.txt")

# While `recording()` runs: the digests of the checks that parsed and passed.
_RECORDED: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "recorded", default=None
)


def digest(*parts: object) -> str:
    """The digest of what a check read (texts, names and types), as the list holds it."""
    material = repr(parts).encode("utf-8", "backslashreplace")
    return hashlib.sha256(material).hexdigest()[:32]


def listed(*parts: object) -> bool:
    """Whether the check of these parts is listed as passed (never while recording)."""
    return _RECORDED.get() is None and digest(*parts) in known()


def passed(*parts: object) -> None:
    """Note that the check of these parts parsed them and passed (kept only while recording)."""
    recorded = _RECORDED.get()
    if recorded is not None:
        recorded.append(digest(*parts))


@functools.cache
def known() -> frozenset[str]:
    """The digests listed with the package (none when the list is missing)."""
    try:
        lines = LIST.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(line for line in lines if line and not line.startswith("#"))


@contextlib.contextmanager
def recording() -> Iterator[list[str]]:
    """The digests of the checks in the block that parsed and passed, each made whole: the
    list is set aside, and so are the verdicts the process remembers."""
    from . import _templates  # noqa: PLC0415 - the templates module imports this one

    with _templates.verdicts_set_aside():
        found: list[str] = []
        token = _RECORDED.set(found)
        try:
            yield found
        finally:
            _RECORDED.reset(token)


def bundled_digests() -> list[str]:
    """The digests of the checks that parse the bundled pack's templates and its
    translations and pass, found by making them all again (sorted, no repeats)."""
    from ._engine import Engine  # noqa: PLC0415 - the engine imports the templates module

    with recording() as found:
        engine = Engine.default(backend="python")
        for locale in engine.locales:
            engine.translations[locale]
    return sorted(set(found))


def write() -> None:
    """Write the list for the bundled pack as the package now checks it."""
    header = "# Written by `make known-templates`: see _known_templates.py.\n"
    LIST.write_text(header + "".join(f"{line}\n" for line in bundled_digests()), "utf-8")
