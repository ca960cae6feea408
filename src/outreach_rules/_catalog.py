"""The engine's own words in each language it speaks: a small catalog per locale.

A pack's translation gives the pack's texts; the words the engine adds around them come
from here: the answers of a yes/no question, the phrases that put a condition into words
("the number of words in your draft (14) is at most 150"), and the headings and
connectives of explanations. A word is looked up by its English form; a locale, or a word,
that the catalog does not have keeps the English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Phrases:
    """How one language puts a condition into words; `{0}`, `{1}` are the terms."""

    ops: Mapping[str, str]
    counts: Mapping[str, str]
    tests: Mapping[str, tuple[str, str]]  # a test's sentence when it holds / when it does not
    yes: str = "yes"
    no: str = "no"
    unknown: str = "unknown"
    none: str = "none"
    includes: tuple[str, str] = ("includes", "does not include")
    one_of: tuple[str, str] = ("is one of", "is not one of")
    matching: str = "the number of sentences of {0} that match {1}"
    number_of: str = "the number of {0}"
    articles: tuple[str, ...] = ("the ",)  # dropped from a term after `number_of`
    call: str = "{0} of {1}"
    alternative: str = " or "
    quotes: tuple[str, str] = ('"', '"')
    # A list parameter is named by its name (English) or by its first terms (others).
    lists_by_terms: bool = False
    statement: str = "{0} is {1}"  # an assumed value that has no statement of its own
    # A term written `{d0}` (`{d1}`) follows a preposition that takes the dative: its
    # leading determiner is rewritten by the first of these (old, new) pairs it starts
    # with. Only determiners whose case and gender are unambiguous are listed; then the
    # contractions (" in dem " -> " im ") are made in the whole phrase.
    dative: tuple[tuple[str, str], ...] = ()
    contractions: tuple[tuple[str, str], ...] = ()
    words: Mapping[str, str] = field(default_factory=dict)  # headings and connectives


ENGLISH = Phrases(
    ops={
        "==": "is",
        "!=": "is not",
        "<": "is less than",
        "<=": "is at most",
        ">": "is more than",
        ">=": "is at least",
    },
    counts={
        "word_count": "the number of words in {0}",
        "length": "the length of {0}",
        "count_any": "the number of {1} in {0}",
        "question_count": "the number of questions in {0}",
        "specific_question_count": "the number of specific questions in {0}",
        "exclamation_runs": "the number of runs of exclamation marks in {0}",
        "emoji_count": "the number of emoji in {0}",
        "shouting_count": "the number of words in capitals in {0}",
        "unfit_questions": "the questions among {0} that cannot be sent as written",
        "usable_questions": "the questions among {0} that can be sent",
        "days_until": "the days until {0}",
        "days_since": "the days since {0}",
    },
    tests={
        "contains": ("{0} mentions {1}", "{0} does not mention {1}"),
        "contains_any": ("{0} mentions any of {1}", "{0} mentions none of {1}"),
        "has_greeting": ("{0} opens with a greeting", "{0} does not open with a greeting"),
        "has_signoff": ("{0} ends with a sign-off", "{0} does not end with a sign-off"),
    },
)

GERMAN = Phrases(
    ops={
        "==": "ist",
        "!=": "ist nicht",
        "<": "ist kleiner als",
        "<=": "ist höchstens",
        ">": "ist größer als",
        ">=": "ist mindestens",
    },
    counts={
        "word_count": "die Anzahl der Wörter in {d0}",
        "length": "die Länge von {d0}",
        "count_any": "die Anzahl von {1} in {d0}",
        "question_count": "die Anzahl der Fragen in {d0}",
        "specific_question_count": "die Anzahl der konkreten Fragen in {d0}",
        "exclamation_runs": "die Anzahl der Folgen von Ausrufezeichen in {d0}",
        "emoji_count": "die Anzahl der Emojis in {d0}",
        "shouting_count": "die Anzahl der Wörter in Großbuchstaben in {d0}",
        "unfit_questions": "die Fragen unter {d0}, die so nicht gesendet werden können",
        "usable_questions": "die Fragen unter {d0}, die gesendet werden können",
        "days_until": "die Tage bis zu {d0}",
        "days_since": "die Tage seit {d0}",
    },
    tests={
        "contains": ("{0} erwähnt {1}", "{0} erwähnt {1} nicht"),
        "contains_any": ("{0} erwähnt etwas von {1}", "{0} erwähnt nichts von {1}"),
        "has_greeting": ("{0} beginnt mit einer Anrede", "{0} beginnt nicht mit einer Anrede"),
        "has_signoff": ("{0} endet mit einer Grußformel", "{0} endet nicht mit einer Grußformel"),
    },
    yes="ja",
    no="nein",
    unknown="unbekannt",
    none="keine",
    includes=("enthält", "enthält nicht"),
    one_of=("ist eines von", "ist keines von"),
    matching="die Anzahl der Sätze in {d0}, die zu {1} passen",
    number_of="die Anzahl der {0}",
    articles=("die ",),
    call="{0} von {d1}",
    alternative=" oder ",
    quotes=("„", "“"),
    lists_by_terms=True,
    statement="{0}: {1}",
    # Labels are nominative: "Ihr Entwurf" is masculine or neuter, "Ihre Fragen" feminine
    # or plural, so only the first kind can be put in the dative.
    dative=(("Ihr ", "Ihrem "), ("der ", "dem "), ("das ", "dem "), ("ein ", "einem ")),
    contractions=((" in dem ", " im "), (" von dem ", " vom "), (" zu dem ", " zum ")),
    words={
        "Yes": "Ja",
        "No": "Nein",
        "Decision:": "Entscheidung:",
        "Because": "Denn",
        "and": "und",
        "provided that": "vorausgesetzt,",
        "No decision yet: the answers to the questions below decide it.": (
            "Noch keine Entscheidung: Ihre Antworten auf die Fragen unten entscheiden sie."
        ),
        "On your draft": "Zu Ihrem Entwurf",
        "What to do": "Was zu tun ist",
        ", if so": ", falls ja",
        "Draft": "Entwurf",
        "Open questions": "Offene Fragen",
        "Decision": "Entscheidung",
        "How to go about it": "So gehen Sie vor",
        "Other advice": "Weitere Ratschläge",
        "Recommendations": "Empfehlungen",
        "Findings on your draft": "Hinweise zu Ihrem Entwurf",
        "Questions": "Fragen",
        "because": "Grund:",
        "as": "und zwar:",
        "why:": "warum:",
        "source:": "Quelle:",
        "also proposed, and outranked:": "ebenfalls erwogen, aber nachrangig:",
        "the pack's own guidance": "eigene Empfehlung des Regelwerks",
        "info": "Info",
        "warning": "Warnung",
        "error": "Fehler",
        "email": "E-Mail",
        "Subject:": "Betreff:",
        "[yes/no]": "[ja/nein]",
        "[YYYY-MM-DD]": "[JJJJ-MM-TT]",
        "[separate items with ';']": "[Einträge mit ';' trennen]",
        "[end with a line holding a single '.']": "[mit einer Zeile beenden, die nur '.' enthält]",
        "[a whole number]": "[eine ganze Zahl]",
        "[a number]": "[eine Zahl]",
        "(no more answers)": "(keine weiteren Antworten)",
        "Sorry, that answer does not fit:": "Diese Antwort passt leider nicht:",
        "Show the full explanation, with every reason and source?": (
            "Die vollständige Erklärung mit allen Gründen und Quellen zeigen?"
        ),
        "phone": "Telefon",
    },
)

SPANISH = Phrases(
    ops={
        "==": "es",
        "!=": "no es",
        "<": "es menor que",
        "<=": "es como máximo",
        ">": "es mayor que",
        ">=": "es al menos",
    },
    counts={
        "word_count": "el número de palabras de {0}",
        "length": "la longitud de {0}",
        "count_any": "el número de {1} en {0}",
        "question_count": "el número de preguntas de {0}",
        "specific_question_count": "el número de preguntas concretas de {0}",
        "exclamation_runs": "el número de series de signos de exclamación de {0}",
        "emoji_count": "el número de emojis de {0}",
        "shouting_count": "el número de palabras en mayúsculas de {0}",
        "unfit_questions": "las preguntas de {0} que no se pueden enviar tal como están",
        "usable_questions": "las preguntas de {0} que se pueden enviar",
        "days_until": "los días hasta {0}",
        "days_since": "los días desde {0}",
    },
    tests={
        "contains": ("{0} menciona {1}", "{0} no menciona {1}"),
        "contains_any": ("{0} menciona algo de {1}", "{0} no menciona nada de {1}"),
        "has_greeting": ("{0} empieza con un saludo", "{0} no empieza con un saludo"),
        "has_signoff": ("{0} termina con una despedida", "{0} no termina con una despedida"),
    },
    yes="sí",
    no="no",
    unknown="desconocido",
    none="ninguno",
    includes=("incluye", "no incluye"),
    one_of=("es uno de", "no es uno de"),
    matching="el número de frases de {0} que coinciden con {1}",
    number_of="el número de {0}",
    articles=("las ", "los ", "la ", "el "),
    call="{0} de {1}",
    alternative=" o ",
    quotes=("«", "»"),
    lists_by_terms=True,
    statement="{0}: {1}",
    words={
        "Yes": "Sí",
        "No": "No",
        "Decision:": "Decisión:",
        "Because": "Porque",
        "and": "y",
        "provided that": "si",
        "No decision yet: the answers to the questions below decide it.": (
            "Todavía no hay decisión: sus respuestas a las preguntas de abajo la determinan."
        ),
        "On your draft": "Sobre su borrador",
        "What to do": "Qué hacer",
        ", if so": ", si es así",
        "Draft": "Borrador",
        "Open questions": "Preguntas abiertas",
        "Decision": "Decisión",
        "How to go about it": "Cómo hacerlo",
        "Other advice": "Otros consejos",
        "Recommendations": "Recomendaciones",
        "Findings on your draft": "Observaciones sobre su borrador",
        "Questions": "Preguntas",
        "because": "porque",
        "as": "ya que",
        "why:": "por qué:",
        "source:": "fuente:",
        "also proposed, and outranked:": "también propuesto, pero con menor prioridad:",
        "the pack's own guidance": "recomendación propia del paquete",
        "info": "info",
        "warning": "aviso",
        "error": "error",
        "email": "correo electrónico",
        "Subject:": "Asunto:",
        "[yes/no]": "[sí/no]",
        "[YYYY-MM-DD]": "[AAAA-MM-DD]",
        "[separate items with ';']": "[separe los elementos con ';']",
        "[end with a line holding a single '.']": "[termine con una línea que solo contenga '.']",
        "[a whole number]": "[un número entero]",
        "[a number]": "[un número]",
        "(no more answers)": "(no hay más respuestas)",
        "Sorry, that answer does not fit:": "Lo siento, esa respuesta no encaja:",
        "Show the full explanation, with every reason and source?": (
            "¿Mostrar la explicación completa, con todos los motivos y fuentes?"
        ),
        "phone": "teléfono",
    },
)

CATALOG: dict[str, Phrases] = {"en": ENGLISH, "de": GERMAN, "es": SPANISH}


def phrases(locale: str | None) -> Phrases:
    """The phrases of a locale (its language's, for a regional locale); English when the
    catalog has neither."""
    if locale is None:
        return ENGLISH
    return CATALOG.get(locale) or CATALOG.get(locale.split("_")[0]) or ENGLISH


def word(locale: str | None, english: str) -> str:
    """`english` in the locale's words (its language's, for a regional locale)."""
    return phrases(locale).words.get(english, english)
