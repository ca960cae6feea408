"""Locales: choosing a pack's translation and writing dates the way a language writes them.

A locale is named as CLDR names it (`de`, `de_AT`, `es_MX`); `de-AT` is read as `de_AT`.
An engine asked for `de_AT` uses a `de_AT` translation of its pack if there is one, else a
`de` one. Dates are written from Babel's CLDR data: the full date pattern of the locale
without its year ("Freitag, 6. März", "viernes, 6 de marzo"). Without a locale, the pack's
own language is English and dates keep their English form ("Friday, March 6").
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable

from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from ._suggest import suggest
from ._text import long_date as english_long_date

# The language packs are written in: the engine's own words are English too.
PACK_LANGUAGE = "en"

# The year of a full date pattern and what joins it to the rest: ", y" (en), " y" (de),
# " 'de' y" (es), "y年" (ja, zh), "y년 " (ko).
_YEAR = re.compile(r"(?:[\s,]*'[^']*')?[\s,]*y+[年년]?\s*")


def normalise(locale: str) -> str:
    """A locale name as CLDR writes it: `de-at` -> `de_AT`; ValueError when Babel does not
    know it."""
    try:
        parsed = Locale.parse(locale.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValueError(f"unknown locale {locale!r}") from None
    return str(parsed)


def choose(locale: str, available: Iterable[str]) -> str:
    """The available locale that serves `locale`: itself, else its language alone.
    ValueError naming the available ones when none does."""
    wanted = normalise(locale)
    known = sorted(available)
    for candidate in (wanted, wanted.split("_")[0]):
        if candidate in known:
            return candidate
    offered = ", ".join(known) if known else "none"
    close = suggest(wanted, known)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    raise ValueError(f"the pack has no translation for locale {wanted!r}{hint}; it has: {offered}")


@functools.lru_cache(maxsize=64)
def _day_pattern(locale: str) -> str:
    """The locale's full date pattern without the year."""
    pattern = str(Locale.parse(locale).date_formats["full"].pattern)
    return _YEAR.sub("", pattern).strip(" ,")


def long_date(value: datetime.date | None, locale: str | None = None) -> str:
    """A date written out in a locale's words: 'Freitag, 6. März' (English without one)."""
    if value is None:
        return ""
    if locale is None:
        return english_long_date(value)
    return str(format_date(value, _day_pattern(locale), locale=locale))
