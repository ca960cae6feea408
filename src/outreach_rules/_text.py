"""Pure functions that conditions and templates may call, mostly text features of a draft.

Each function is listed in `FUNCTIONS` with the types it accepts and returns; the condition
checker uses that table, so a function that is not listed cannot be called.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?\n])")
_EXCLAMATION_RUN = re.compile(r"!{2,}")
_GREETING = re.compile(
    r"^\s*(dear|hello|hi|hey|good (morning|afternoon|evening)|greetings)\b", re.IGNORECASE
)
_SIGNOFF = re.compile(
    r"\b(best regards|kind regards|warm regards|regards|sincerely|best wishes|best|"
    r"thank you|thanks|many thanks|respectfully|cheers|yours truly)\b[,.!]?\s*$",
    re.IGNORECASE,
)
MIN_SPECIFIC_WORDS = 5
GAP = "*"  # in a pattern: any run of up to MAX_GAP words
MAX_GAP = 3
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
_TRAILING = re.compile(r"[\s.!?,;:…-]+$")
TEXTLIKE = frozenset({"text", "str"})
COUNTABLE = frozenset({"text", "str", "list"})
LIST = frozenset({"list"})
DATE = frozenset({"date"})
NUMBER = frozenset({"int"})


def is_valid_text(text: str) -> bool:
    """Whether a string is real Unicode text (no lone surrogates, which have no UTF-8 form)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def words(text: str) -> list[str]:
    """The words of a text (letters and digits, with inner apostrophes and hyphens)."""
    return list(_tokens(text))


@functools.lru_cache(maxsize=32)
def _tokens(text: str) -> tuple[str, ...]:
    # Several features read the same draft in one evaluation: split it once.
    return tuple(_WORD.findall(text))


@functools.lru_cache(maxsize=32)
def _lowered(text: str) -> tuple[str, ...]:
    return tuple(word.lower() for word in _tokens(text))


def word_count(text: str) -> int:
    """Number of words in a text."""
    return len(_tokens(text))


def length(value: str | list[str]) -> int:
    """Characters of a string, or items of a list."""
    return len(value)


@functools.lru_cache(maxsize=1024)
def _phrase_index(phrases: tuple[str, ...]) -> dict[str, frozenset[tuple[str, ...]]]:
    """Phrases as lowercase word sequences, grouped by their first word."""
    index: dict[str, set[tuple[str, ...]]] = {}
    for phrase in phrases:
        key = tuple(word.lower() for word in _WORD.findall(phrase))
        if key:
            index.setdefault(key[0], set()).add(key)
    return {first: frozenset(keys) for first, keys in index.items()}


def count_any(text: str, phrases: list[str]) -> int:
    """Occurrences of any of the phrases, as whole words, ignoring case and punctuation
    between words."""
    index = _phrase_index(tuple(phrases))
    tokens = _lowered(text)
    count = 0
    for position, token in enumerate(tokens):
        for key in index.get(token, ()):
            if tokens[position : position + len(key)] == key:
                count += 1
    return count


def contains_any(text: str, phrases: list[str]) -> bool:
    """Whether any of the phrases occurs."""
    return count_any(text, phrases) > 0


def contains(text: str, phrase: str) -> bool:
    """Whether a phrase occurs as whole words, ignoring case."""
    return contains_any(text, [phrase])


def _questions(value: str | list[str]) -> list[str]:
    if isinstance(value, list):
        return [item for item in value if item.strip()]
    return list(_text_questions(value))


@functools.lru_cache(maxsize=32)
def _text_questions(text: str) -> tuple[str, ...]:
    pieces = (piece.strip() for piece in _SENTENCE_END.split(text))
    return tuple(piece for piece in pieces if piece.endswith("?") and piece.strip(" ?"))


def question_count(value: str | list[str]) -> int:
    """Questions in a text (sentences ending in '?'), or non-empty items of a list."""
    return len(_questions(value))


def specific_question_count(value: str | list[str], generic: list[str]) -> int:
    """Questions of at least five words that contain none of the generic phrases."""
    return sum(
        1
        for question in _questions(value)
        if word_count(question) >= MIN_SPECIFIC_WORDS and not contains_any(question, generic)
    )


def _pattern(pattern: str) -> tuple[str | None, ...]:
    """A pattern as lowercase words, with None where it has a gap (`*`)."""
    return tuple(
        None if part == GAP else part.lower()
        for part in re.findall(_WORD.pattern + "|" + re.escape(GAP), pattern)
    )


@functools.lru_cache(maxsize=256)
def _patterns(patterns: tuple[str, ...]) -> tuple[tuple[str | None, ...], ...]:
    return tuple(key for key in map(_pattern, patterns) if any(key))


def _ends(tokens: tuple[str, ...], start: int, key: tuple[str | None, ...]) -> list[int]:
    """Where a match of the pattern that begins at `start` can end (exclusive)."""
    if not key:
        return [start]
    head, rest = key[0], key[1:]
    if head is None:
        return [
            end
            for skip in range(MAX_GAP + 1)
            if start + skip <= len(tokens)
            for end in _ends(tokens, start + skip, rest)
        ]
    if start < len(tokens) and tokens[start] == head:
        return _ends(tokens, start + 1, rest)
    return []


Key = tuple[str | None, ...]


@functools.lru_cache(maxsize=256)
def _by_first_word(keys: tuple[Key, ...]) -> tuple[dict[str, tuple[Key, ...]], tuple[Key, ...]]:
    """Patterns grouped by their first word, and those that start with a gap."""
    heads: dict[str, list[Key]] = {}
    gaps: list[Key] = []
    for key in keys:
        if key[0] is None:
            gaps.append(key)
        else:
            heads.setdefault(key[0], []).append(key)
    return {head: tuple(found) for head, found in heads.items()}, tuple(gaps)


def _spans(tokens: tuple[str, ...], keys: tuple[Key, ...]) -> list[range]:
    # Only the patterns that can start at a word are tried there: the work grows with the
    # words of the text, not with the words times the patterns (long drafts, many patterns).
    heads, gaps = _by_first_word(keys)
    found: list[range] = []
    for start, token in enumerate(tokens):
        tried = heads.get(token)
        if tried is None and not gaps:  # most words start no pattern
            continue
        for key in (tried or ()) + gaps:
            found.extend(range(start, end) for end in _ends(tokens, start, key) if end > start)
    return found


def _sentence_matches(
    sentence: str, patterns: tuple[Key, ...], exceptions: tuple[Key, ...]
) -> bool:
    tokens = _lowered(sentence)
    matches = _spans(tokens, patterns)
    if not matches:  # the exceptions matter only to a match
        return False
    masked = {position for span in _spans(tokens, exceptions) for position in span}
    return any(not masked.issuperset(span) for span in matches)


def sentences(text: str) -> list[str]:
    """The sentences of a text: split after '.', '!' or '?' and at line breaks."""
    return [piece.strip() for piece in _SENTENCE_SPLIT.split(text) if piece.strip()]


def matching_count(value: str | list[str], exceptions: list[str], *patterns: list[str]) -> int:
    """Sentences of a text (or items of a list) that match any of the patterns.

    A pattern is a phrase matched as whole words, ignoring case; `*` in it stands for up to
    three words ("send me * questions" matches "send me the interview questions"). A match
    that lies wholly inside a match of an exception ("salary data") does not count."""
    found = _patterns(tuple(itertools.chain.from_iterable(patterns)))
    excepted = _patterns(tuple(exceptions))
    pieces = value if isinstance(value, list) else sentences(value)
    return sum(1 for piece in pieces if _sentence_matches(piece, found, excepted))


def _as_question(question: str) -> str:
    """A listed question as a draft asks it: one question mark at the end, and a capital
    first letter (after a Spanish "¿")."""
    text = _TRAILING.sub("", question.strip())
    start = 1 if text.startswith("¿") else 0
    return text[:start] + text[start : start + 1].upper() + text[start + 1 :] + "?"


def _well_formed(question: str, max_words: int, generic: list[str]) -> bool:
    """A question fit to send as written: one specific sentence in a professional tone."""
    return (
        len(sentences(question)) == 1
        and MIN_SPECIFIC_WORDS <= word_count(question) <= max_words
        and not contains_any(question, generic)
        and emoji_count(question) == 0
        and shouting_count(question) == 0
        and exclamation_runs(question) == 0
        # Read back as the review reads a draft, it must be one specific question (a '.'
        # inside it, as in "0:0.5", would end a sentence there).
        and specific_question_count(_as_question(question), generic) == 1
    )


def unfit_questions(
    questions: list[str],
    max_words: int,
    generic: list[str],
    exceptions: list[str],
    *blocked: list[str],
) -> list[str]:
    """The listed questions that `usable_questions` replaces: not blocked, but not fit to
    send as written."""
    return [
        question
        for question in questions
        if question.strip()
        and not matching_count([question], exceptions, *blocked)
        and not _well_formed(question, max_words, generic)
    ]


def usable_questions(
    questions: list[str],
    limit: int,
    max_words: int,
    examples: list[str],
    generic: list[str],
    exceptions: list[str],
    *blocked: list[str],
) -> list[str]:
    """The questions a message may carry, at most `limit`, each ending in '?'.

    A question that matches a blocked pattern (see `matching_count`) is left out; one that
    is not fit to send as written (a fragment, fewer than five or more than `max_words`
    words, a generic phrase, emoji, capitals or '!!') is replaced by the next of the
    `examples` not yet asked; with nothing usable left, the examples are asked."""
    kept = [
        _as_question(question)
        for question in questions
        if question.strip()
        and not matching_count([question], exceptions, *blocked)
        and _well_formed(question, max_words, generic)
    ]
    replaced = len(unfit_questions(questions, max_words, generic, exceptions, *blocked))
    asked = {question.lower() for question in kept}
    spare = [_as_question(q) for q in examples if _as_question(q).lower() not in asked]
    kept += spare[: replaced if kept else len(spare)]
    unique = list(dict.fromkeys(kept))
    return unique[: max(limit, 0)]


def exclamation_runs(text: str) -> int:
    """Runs of two or more exclamation marks."""
    return len(_EXCLAMATION_RUN.findall(text))


_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u3297\u3299]")


def emoji_count(text: str) -> int:
    """Emoji and pictographic symbols in a text."""
    return len(_EMOJI.findall(text))


def shouting_count(text: str) -> int:
    """Words of four or more letters written all in capitals."""
    return sum(1 for word in words(text) if len(word) >= 4 and word.isalpha() and word.isupper())


def has_greeting(text: str, *greetings: list[str]) -> bool:
    """Whether the first non-empty line opens with a greeting: one of the phrases of
    `greetings` if given (so a pack can list the greetings of its language), else an
    English one."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not greetings:
        return _GREETING.search(first) is not None
    opening = _lowered(first)
    return any(opening[: len(key)] == key for key in _phrase_keys(greetings))


def has_signoff(text: str, *signoffs: list[str]) -> bool:
    """Whether one of the last three non-empty lines is or ends with a sign-off: one of
    the phrases of `signoffs` if given, else an English one."""
    lines = [line.strip() for line in text.splitlines() if line.strip()][-3:]
    if not signoffs:
        return any(_SIGNOFF.search(line) for line in lines)
    keys = _phrase_keys(signoffs)
    return any(_lowered(line)[-len(key) :] == key for line in lines for key in keys)


def _phrase_keys(groups: tuple[list[str], ...]) -> list[tuple[str, ...]]:
    """The phrases of the lists as lowercase word sequences (empty phrases left out)."""
    index = _phrase_index(tuple(phrase for group in groups for phrase in group))
    return [key for keys in index.values() for key in keys]


def days_until(today: datetime.date, date: datetime.date) -> int:
    """Days from today to the date (negative when it is past)."""
    return (date - today).days


def days_since(today: datetime.date, date: datetime.date) -> int:
    """Days from the date to today."""
    return (today - date).days


def long_date(value: datetime.date | None) -> str:
    """A date written out, e.g. 'Friday, March 6'."""
    if value is None:
        return ""
    return f"{value:%A}, {value:%B} {value.day}"


@dataclass(frozen=True)
class FunctionSpec:
    """A callable function of the condition language: accepted argument types and result."""

    impl: Callable[..., Any]
    params: tuple[frozenset[str], ...]
    returns: str
    needs_today: bool = False
    rest: frozenset[str] | None = None  # the type of any further arguments


FUNCTIONS: dict[str, FunctionSpec] = {
    "word_count": FunctionSpec(word_count, (TEXTLIKE,), "int"),
    "length": FunctionSpec(length, (COUNTABLE,), "int"),
    "contains": FunctionSpec(contains, (TEXTLIKE, frozenset({"str"})), "bool"),
    "contains_any": FunctionSpec(contains_any, (TEXTLIKE, LIST), "bool"),
    "count_any": FunctionSpec(count_any, (TEXTLIKE, LIST), "int"),
    "question_count": FunctionSpec(question_count, (COUNTABLE,), "int"),
    "specific_question_count": FunctionSpec(specific_question_count, (COUNTABLE, LIST), "int"),
    "exclamation_runs": FunctionSpec(exclamation_runs, (TEXTLIKE,), "int"),
    "emoji_count": FunctionSpec(emoji_count, (TEXTLIKE,), "int"),
    "shouting_count": FunctionSpec(shouting_count, (TEXTLIKE,), "int"),
    "has_greeting": FunctionSpec(has_greeting, (TEXTLIKE,), "bool", rest=LIST),
    "has_signoff": FunctionSpec(has_signoff, (TEXTLIKE,), "bool", rest=LIST),
    "matching_count": FunctionSpec(matching_count, (COUNTABLE, LIST, LIST), "int", rest=LIST),
    "usable_questions": FunctionSpec(
        usable_questions, (LIST, NUMBER, NUMBER, LIST, LIST, LIST), "list", rest=LIST
    ),
    "unfit_questions": FunctionSpec(unfit_questions, (LIST, NUMBER, LIST, LIST), "list", rest=LIST),
    "days_until": FunctionSpec(days_until, (DATE,), "int", needs_today=True),
    "days_since": FunctionSpec(days_since, (DATE,), "int", needs_today=True),
}
