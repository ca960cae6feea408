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
from babel.lists import format_list
from babel.numbers import format_decimal

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


_WEIGHT = re.compile(r"^q=([01](?:\.\d{0,3})?)$")


def accepted_locales(accepted: str | Iterable[str]) -> list[str]:
    """The locales of an `Accept-Language` header (or a list), most wanted first; `*` and
    entries with weight 0 or a malformed weight are left out."""
    entries = accepted.split(",") if isinstance(accepted, str) else list(accepted)
    weighed: list[tuple[float, int, str]] = []
    for position, entry in enumerate(entries[:32]):  # a header is short; never scan a long one
        name, _, rest = entry.strip().partition(";")
        weight = 1.0
        if rest:
            found = _WEIGHT.match(rest.strip())
            if found is None:
                continue
            weight = float(found.group(1))
        name = name.strip()
        if name and name != "*" and weight > 0:
            weighed.append((-weight, position, name))
    return [name for _, _, name in sorted(weighed)]


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


def number(value: float, locale: str) -> str:
    """A number as the locale writes it ("1.234,5" in German); no grouping below 10,000,
    as style guides write small numbers."""
    grouped = abs(value) >= 10_000
    return str(format_decimal(value, locale=locale, group_separator=grouped))


def series(items: list[str], locale: str) -> str:
    """Items joined as the locale joins a list: "a, b und c", "a, b y c"."""
    return str(format_list(items, locale=locale)) if items else ""
