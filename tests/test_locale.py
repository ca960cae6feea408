"""The engine's `locale`: translated texts chosen at render time, CLDR dates, fallback.

Uses the small pack of tests/data/translations and its German translation.
"""

from __future__ import annotations

import datetime
import json
import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import outreach_rules as orr
from outreach_rules._durable import available
from outreach_rules._locale import choose, long_date, normalise
from outreach_rules._questions import choices_of

DATA = Path(__file__).parent / "data" / "translations"
PACK = DATA / "pack.yaml"
TODAY = "2026-03-02"
# durable_rules cannot be imported on every Python the suite runs on (not on 3.13).
BACKENDS = ["python", *(["durable"] if available() else [])]
READY = {"ready": True, "channel": "email", "draft": "Hello there.", "when": "2026-03-06"}


@pytest.fixture(scope="module")
def engine() -> orr.Engine:
    """The small pack on the python backend, in its own language by default."""
    return orr.Engine.from_paths(PACK, backend="python")


def test_long_date_follows_cldr() -> None:
    """Protects dates written as each language writes them, without the year, and the
    English form kept when no locale is asked for."""
    day = datetime.date(2026, 3, 6)
    assert long_date(day) == "Friday, March 6"
    assert long_date(day, "en") == "Friday, March 6"
    assert long_date(day, "de") == "Freitag, 6. März"
    assert long_date(day, "es") == "viernes, 6 de marzo"
    assert long_date(day, "ja") == "3月6日金曜日"
    assert long_date(None, "de") == ""


def test_locale_names_are_normalised_and_negotiated() -> None:
    """Protects reading `de-AT` as `de_AT`, serving it with a `de` translation, and a clear
    error naming the translations there are for a locale none serves."""
    assert normalise("de-at") == "de_AT"
    assert choose("de-AT", ["de", "es"]) == "de"
    assert choose("es_MX", ["de", "es", "es_MX"]) == "es_MX"
    with pytest.raises(ValueError, match=r"no translation for locale 'fr'; it has: de, es"):
        choose("fr", ["de", "es"])
    with pytest.raises(ValueError, match="unknown locale"):
        normalise("xx-not-a-locale")


def test_engine_locale_gives_translated_texts() -> None:
    """Protects that an engine built with a locale gives every text a candidate reads in that
    language: decision title and rationale, recommendation (with a German date), draft."""
    german = orr.Engine.from_paths(PACK, backend="python", locale="de")
    advice = german.evaluate(READY, today=TODAY)
    assert advice.decision is not None
    assert advice.decision.title == "Schreiben Sie jetzt"
    assert advice.decision.rationale == "Wer bereit ist, schreibt."
    assert [r.text for r in advice.recommendations] == [
        "Schreiben Sie per email vor dem Freitag, 6. März."
    ]
    assert advice.draft is not None
    assert advice.draft.subject == "Zu email"
    assert advice.draft.body == "Guten Tag,\nich bin bereit."
    # Citations stay in the source's language.
    assert advice.decision.source.title == "A guide"


def test_evaluate_locale_is_for_one_call(engine: orr.Engine) -> None:
    """Protects `evaluate(..., locale=)` changing the language of one advice only, and
    remembered texts never crossing from one locale to another."""
    german = engine.evaluate(READY, today=TODAY, locale="de")
    english = engine.evaluate(READY, today=TODAY)
    again = engine.evaluate(READY, today=TODAY, locale="de")
    assert german.recommendations[0].text == "Schreiben Sie per email vor dem Freitag, 6. März."
    assert english.recommendations[0].text == "Write by email before Friday, March 6."
    assert again.recommendations[0].text == german.recommendations[0].text
    assert engine.locale is None


def test_unknown_locale_is_refused(engine: orr.Engine) -> None:
    """Protects a clear ValueError, not English advice, for a locale the pack has no
    translation for, at construction and per call."""
    with pytest.raises(ValueError, match="no translation for locale 'fr'"):
        engine.evaluate(READY, today=TODAY, locale="fr")
    with pytest.raises(ValueError, match="no translation for locale 'es'"):
        orr.Engine.from_paths(PACK, backend="python", locale="es")


def test_missing_text_falls_back_to_the_pack(tmp_path: Path) -> None:
    """Protects the fallback: a text the translation does not give is the pack's own."""
    shutil.copy(PACK, tmp_path / "pack.yaml")
    (tmp_path / "translations").mkdir()
    (tmp_path / "translations" / "pack.de.yaml").write_text(
        "translation: tiny\nlocale: de\ndecisions:\n  go: {title: Schreiben Sie jetzt}\n",
        encoding="utf-8",
    )
    engine = orr.Engine.from_paths(tmp_path / "pack.yaml", backend="python", locale="de")
    advice = engine.evaluate(READY, today=TODAY)
    assert advice.decision is not None
    assert advice.decision.title == "Schreiben Sie jetzt"
    assert advice.decision.rationale == "Ready people go."
    # The pack's English text, with the date in the locale's words.
    assert advice.recommendations[0].text == "Write by email before Freitag, 6. März."


def test_translation_with_an_error_refuses_the_engine(tmp_path: Path) -> None:
    """Protects that an engine never runs with a translation `check` rejects: one built for
    that locale is refused, and one built without it refuses the locale when asked."""
    shutil.copy(PACK, tmp_path / "pack.yaml")
    (tmp_path / "translations").mkdir()
    (tmp_path / "translations" / "pack.de.yaml").write_text(
        "translation: tiny\nlocale: de\nrules:\n  go_when_redy: {rationale: Los.}\n",
        encoding="utf-8",
    )
    with pytest.raises(orr.RulebookError, match="did you mean 'go_when_ready'"):
        orr.Engine.from_paths(tmp_path / "pack.yaml", backend="python", locale="de")
    english = orr.Engine.from_paths(tmp_path / "pack.yaml", backend="python")
    assert english.locales == ["de"]  # listed, not read until it is used
    english.evaluate(READY, today=TODAY)
    with pytest.raises(orr.RulebookError, match="did you mean 'go_when_ready'"):
        english.evaluate(READY, today=TODAY, locale="de")


def test_engine_locale_survives_pickling() -> None:
    """Protects that an engine rebuilt in a worker process speaks the same locale."""
    german = orr.Engine.from_paths(PACK, backend="python", locale="de")
    copy = pickle.loads(pickle.dumps(german))  # noqa: S301 - our own engine
    assert copy.locale == "de"
    advice = copy.evaluate(READY, today=TODAY)
    assert advice.decision is not None
    assert advice.decision.title == "Schreiben Sie jetzt"


SITUATIONS = st.fixed_dictionaries(
    {},
    optional={
        "ready": st.booleans(),
        "channel": st.sampled_from(["email", "phone"]),
        # Drafts that no locale's term lists tell apart: the term lists differ by locale,
        # so a draft with a greeting of one language is reviewed differently in another.
        "draft": st.sampled_from(["Thank you.", "yo", "word " * 120, ""]),
        "when": st.dates(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
    },
)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=60, deadline=None)
@given(situation=SITUATIONS)
def test_same_decision_and_rules_whatever_the_locale(
    backend: orr.Backend, situation: dict[str, Any]
) -> None:
    """Protects the property: the locale changes words only, never the decision, the rules
    that fire or the alternatives."""
    engine = _engines(backend)
    english = engine.evaluate(situation, today=TODAY)
    german = engine.evaluate(situation, today=TODAY, locale="de")
    assert _decided(english) == _decided(german)
    assert _fired(english) == _fired(german)


def _fired(advice: orr.Advice) -> list[str]:
    """The ids of the rules that fired, from the trace."""
    assert advice.trace is not None
    return [rule.rule_id for rule in advice.trace.rules if rule.fired]


def _decided(advice: orr.Advice) -> tuple[Any, ...]:
    """What must not depend on the locale: decisions, recommendation and finding rules."""
    return (
        advice.decision and advice.decision.id,
        [d.id for d in advice.alternatives],
        [r.rule_id for r in advice.recommendations],
        [f.rule_id for f in advice.findings],
        advice.draft and advice.draft.id,
    )


_ENGINES: dict[str, orr.Engine] = {}


def _engines(backend: orr.Backend) -> orr.Engine:
    """One engine per backend for the whole property run."""
    if backend not in _ENGINES:
        _ENGINES[backend] = orr.Engine.from_paths(PACK, backend=backend)
    return _ENGINES[backend]


def test_questions_are_asked_in_the_locale(engine: orr.Engine) -> None:
    """Protects questions in the translation's language, with yes/no answers from the
    engine's catalog and the values `evaluate` takes unchanged."""
    advice = engine.evaluate({"channel": "email", "draft": "Hello"}, today=TODAY, locale="de")
    asked = {q.fact: q for q in advice.questions}
    assert asked["ready"].prompt == "Sind Sie bereit?"
    assert asked["ready"].choices is not None
    assert [(c.value, c.label) for c in asked["ready"].choices] == [(True, "Ja"), (False, "Nein")]
    english = engine.evaluate({"channel": "email", "draft": "Hello"}, today=TODAY)
    assert {q.fact: q for q in english.questions}["ready"].prompt == "Are you ready?"


def test_choice_labels_come_from_the_translation(engine: orr.Engine) -> None:
    """Protects the labels of an enum's values in the translation's language (the values
    stay what `evaluate` takes)."""
    spec = engine.rulebook.spec.facts["channel"]
    german = choices_of(spec, "channel", engine.translations["de"])
    assert german is not None
    assert [(c.value, c.label) for c in german] == [("email", "E-Mail"), ("phone", "Telefon")]
    english = choices_of(spec, "channel")
    assert english is not None
    assert [c.label for c in english] == ["Email", "Phone"]


def test_english_is_the_pack_own_language(engine: orr.Engine) -> None:
    """Protects that an English locale, which no translation serves, gives the pack's own
    texts (packs are written in English) instead of an error."""
    assert orr.Engine.from_paths(PACK, backend="python", locale="en_GB").locale is None
    advice = engine.evaluate(READY, today=TODAY, locale="en-US")
    assert advice.recommendations[0].text == "Write by email before Friday, March 6."


def test_cli_locale_from_option_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Protects `--locale` and its default from the environment: the environment's locale
    is used when the pack has it and quietly ignored when it does not, while an explicit
    locale the pack lacks is a usage error."""
    from outreach_rules import cli

    situation = tmp_path / "situation.json"
    situation.write_text(json.dumps(READY), encoding="utf-8")
    base = ["advise", str(situation), "--pack", str(PACK), "--today", TODAY, "--format", "json"]
    for variable in cli.LOCALE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)

    def title(*extra: str) -> str:
        assert cli.main([*base, *extra]) == 0
        return str(json.loads(capsys.readouterr().out)["decision"]["title"])

    assert title() == "Go ahead"
    assert title("--locale", "de") == "Schreiben Sie jetzt"
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert title() == "Schreiben Sie jetzt"
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert title() == "Go ahead"
    assert cli.main([*base, "--locale", "fr"]) == 2
    assert "--locale: the pack has no translation for locale 'fr'" in capsys.readouterr().err


@pytest.mark.parametrize("backend", BACKENDS)
def test_draft_is_reviewed_with_the_locale_term_lists(backend: orr.Backend) -> None:
    """Protects that a translation's term lists review a draft in its language: a German
    greeting counts as a greeting in German, an English one does not, and the reverse in
    English; the parameters the engine was given still win over the translation's."""
    engine = orr.Engine.from_paths(PACK, backend=backend)
    german_draft = {**READY, "draft": "Guten Tag, ich bin bereit."}
    english_draft = {**READY, "draft": "Hello, I am ready."}

    def flagged(situation: dict[str, Any], locale: str | None = None) -> list[str]:
        advice = engine.evaluate(situation, today=TODAY, locale=locale)
        return [finding.rule_id for finding in advice.findings]

    assert flagged(german_draft, "de") == []
    assert flagged(english_draft, "de") == ["greet_them"]
    assert flagged(english_draft) == []
    assert flagged(german_draft) == ["greet_them"]
    tuned = orr.Engine.from_paths(PACK, backend=backend, params={"greetings": ["hello"]})
    advice = tuned.evaluate(english_draft, today=TODAY, locale="de")
    assert advice.findings == []
    engine.close()


def test_negotiate_locale_reads_accept_language(engine: orr.Engine) -> None:
    """Protects reading an Accept-Language header by weight, skipping what the pack cannot
    speak, and English (the pack's own language) answering as None."""
    assert engine.locales == ["de"]
    assert engine.negotiate_locale("fr-CH, fr;q=0.9, de;q=0.7, *;q=0.5") == "de"
    assert engine.negotiate_locale("en;q=0.4, de-AT;q=0.8") == "de"
    assert engine.negotiate_locale("en-US, de;q=0.9") is None
    assert engine.negotiate_locale("de;q=0, fr") is None
    assert engine.negotiate_locale(["es", "de"]) == "de"
    assert engine.negotiate_locale("de;q=bad, x-klingon") is None


def test_greetings_and_signoffs_come_from_term_lists() -> None:
    """Protects `has_greeting`/`has_signoff` with a term list: a German draft opens and
    closes as German does, phrases match as whole words at the start or end of a line, and
    without a list the English greetings and sign-offs are still recognised."""
    from outreach_rules._text import has_greeting, has_signoff

    german = "Sehr geehrte Frau Lee,\n\nvielen Dank.\n\nMit freundlichen Grüßen\nAlex Morgan"
    greetings, signoffs = ["sehr geehrte", "guten tag", "hallo"], ["mit freundlichen grüßen"]
    assert has_greeting(german, greetings) and has_signoff(german, signoffs)
    assert not has_greeting(german) and not has_signoff(german)
    assert not has_greeting("Hallöchen Frau Lee,", ["hallo"])
    assert not has_signoff("Text\nGrüßen Sie Ihr Team", ["grüßen"])
    assert has_greeting("Dear Ms. Lee,\nThanks.") and has_signoff("Dear Ms. Lee,\nBest regards,")


def test_the_interview_asks_and_understands_german() -> None:
    """Protects the guided interview in a locale: the questions, the hints and the closing
    offer are in German, "ja"/"nein" answer a yes/no question and a choice's German label
    ("E-Mail") answers an enum question; the advice it ends with is German."""
    import io

    from outreach_rules._interview import run_interview

    engine = orr.Engine.default(backend="python", locale="de")
    answers = (
        "nein\nnein\nja\nja\nnein\nja\n2026-03-06\nE-Mail\nskip\nskip\nskip\nskip\nskip\nnein\n"
    )
    transcript = io.StringIO()
    advice = run_interview(engine, io.StringIO(answers), transcript, datetime.date(2026, 3, 2))
    shown = transcript.getvalue()
    assert "Haben Sie die Stellenbeschreibung gründlich durchgearbeitet? [ja/nein]\n> ja" in shown
    assert "[JJJJ-MM-TT]\n> 2026-03-06" in shown
    assert "[E-Mail/Telefon]\n> E-Mail" in shown
    assert advice.situation["channel"] == "email"
    assert advice.decision is not None and advice.decision.id == "contact_interviewer"
    assert "\nEntscheidung: " in shown and "Grund" not in shown.split("[ja/nein]")[-1]
    assert "Die vollständige Erklärung mit allen Gründen und Quellen zeigen? [ja/nein]" in shown


def test_batches_and_summaries_speak_the_engine_locale() -> None:
    """Protects the language of a batch: worker processes rebuild the engine with its
    locale, so every advice of `evaluate_many` is German like one made here, reasons
    included; the summary says which language it is in."""
    engine = orr.Engine.from_paths(PACK, backend="python", locale="de")
    # More than _batch.IN_PROCESS_BELOW: the batch is shared with a worker process.
    situations = [READY, {**READY, "ready": False}] * 300
    results = engine.evaluate_many(situations, today=TODAY, workers=2)
    here = engine.evaluate(READY, today=TODAY)
    assert all(isinstance(result, orr.Advice) for result in results)
    first = results[0]
    assert isinstance(first, orr.Advice)
    assert first == here and first.locale == "de"
    assert results[-2] == here  # evaluated by the worker
    assert first.decision is not None and first.decision.because[0].text == "Sie sind bereit"
    assert first.summary().locale == "de"
    assert engine.evaluate(READY, today=TODAY, locale="en").summary().locale is None


def test_values_in_reasons_are_written_as_the_language_writes_them() -> None:
    """Protects values in reasons: yes/no, numbers, lists and dates from the locale's words
    and CLDR data, and the English forms when no locale is asked for."""
    from outreach_rules._words import show_value

    day = datetime.date(2026, 3, 6)
    german = [show_value(v, "de") for v in (True, 1.5, 12345, ["a", "b", "c"], [], None, day)]
    assert german == ["ja", "1,5", "12.345", "a, b und c", "keine", "unbekannt", "Freitag, 6. März"]
    spanish = [show_value(v, "es") for v in (False, 1.5, ["a", "b", "c"], day)]
    assert spanish == ["no", "1,5", "a, b y c", "viernes, 6 de marzo"]
    english = [show_value(v) for v in (True, 1.5, 12345, ["a", "b", "c"], [], day)]
    assert english == ["yes", "1.5", "12345", "a, b, c", "none", "Friday, March 6"]
