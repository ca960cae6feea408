"""The engine's own words in each language it speaks: a small catalog per locale.

A pack's translation gives the pack's texts; the words the engine adds around them (the
answers of a yes/no question, and next the connectives and comparisons of explanations and
the headings of their levels) come from here. A word is looked up by its English form; a
locale, or a word, that the catalog does not have keeps the English.
"""

from __future__ import annotations

CATALOG: dict[str, dict[str, str]] = {
    "de": {"Yes": "Ja", "No": "Nein"},
    "es": {"Yes": "Sí", "No": "No"},
}


def word(locale: str | None, english: str) -> str:
    """`english` in the locale's words (its language's, for a regional locale)."""
    if locale is None:
        return english
    for name in (locale, locale.split("_")[0]):
        found = CATALOG.get(name, {}).get(english)
        if found is not None:
            return found
    return english
