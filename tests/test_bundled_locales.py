"""The bundled pack in German and Spanish: the locale changes the words, not the advice.

Over generated situations, on both backends, an advice in `de` or `es` has the decision,
the provisional decision and its assumptions, the alternatives and the draft of the
English one, and the same rules fire, except those that read a term list of the draft
review (slang, greetings, pay, ...) or a derived fact such a rule sets: in a locale, a
draft is reviewed with that language's terms (tests/test_translated_drafts.py checks that
review against the English one).
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from hypothesis import given, settings

import outreach_rules as orr
from outreach_rules import _durable
from outreach_rules import _expr as expr
from strategies import (
    BUNDLED_KNOCK_OUTS,
    BUNDLED_TOWARDS_CONTACT,
    TODAY,
    bundled_situations,
    facts_of_model,
    random_situation,
    scaled,
)

BACKENDS = ["python", "durable"] if _durable.available() else ["python"]
ENGINES = {backend: orr.Engine.default(backend=backend) for backend in BACKENDS}
FACTS = facts_of_model(ENGINES["python"].Situation)
LOCALES = ["de", "es"]


def _reading_term_lists(engine: orr.Engine) -> set[str]:
    """The rules that read a list parameter, directly or through derived facts."""
    program = engine.program
    lists = {name for name, value in program.checked.params.items() if isinstance(value, list)}
    touched = {
        name for name, node in program.checked.derived_values if set(expr.param_names(node)) & lists
    }
    rules: set[str] = set()
    changed = True
    while changed:
        changed = False
        for rule in program.rules:
            cond = rule.checked.cond
            if rule.id in rules:
                continue
            if set(expr.param_names(cond)) & lists or set(rule.checked.reads) & touched:
                rules.add(rule.id)
                touched |= set(rule.checked.sets)
                changed = True
    return rules


REVIEWED = _reading_term_lists(ENGINES["python"])


def _outcome(advice: orr.Advice) -> tuple[Any, ...]:
    assert advice.trace is not None
    fired = [r.rule_id for r in advice.trace.rules if r.fired and r.rule_id not in REVIEWED]
    return (
        advice.decision and advice.decision.id,
        advice.provisional and advice.provisional.id,
        [(item.fact, item.value) for item in advice.assuming],
        [decision.id for decision in advice.alternatives],
        advice.draft and advice.draft.id,
        fired,
    )


def test_the_term_list_rules_are_the_draft_review() -> None:
    """Protects the exception the property makes: only findings on the draft and advice on
    listed questions read term lists; no rule that decides does."""
    rules = {rule.id: rule.checked.spec for rule in ENGINES["python"].program.rules}
    assert REVIEWED, "the pack reviews drafts with term lists"
    for rule_id in REVIEWED:
        spec = rules[rule_id]
        assert spec is not None and spec.decide is None, rule_id


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("locale", LOCALES)
@settings(max_examples=scaled(60), deadline=None)
@given(situation=bundled_situations(FACTS))
def test_same_advice_whatever_the_locale(
    backend: str, locale: str, situation: dict[str, Any]
) -> None:
    """The decision, the provisional one, the alternatives, the draft chosen and the rules
    fired (but the draft review's) do not depend on the locale."""
    engine = ENGINES[backend]
    english = engine.evaluate(situation, today=TODAY)
    translated = engine.evaluate(situation, today=TODAY, locale=locale)
    assert _outcome(translated) == _outcome(english)
    assert translated.locale == locale and english.locale is None


@pytest.mark.parametrize("locale", LOCALES)
def test_every_text_of_the_bundled_pack_is_translated(locale: str) -> None:
    """`check` shows no fallback: every text of the bundled pack has its translation."""
    from outreach_rules._engine import bundled_pack_dir
    from outreach_rules.lint import lint_paths

    report = lint_paths([bundled_pack_dir()])
    assert report.errors == []
    assert [w for w in report.warnings if w.code == "translation-missing"] == []
    assert locale in ENGINES["python"].locales


@pytest.mark.parametrize("locale", LOCALES)
def test_the_short_messages_overlay_speaks_the_locale(locale: str) -> None:
    """Protects an overlay's own translation: under examples/overlays/short-messages.yaml
    the decision, every recommendation and the short email are in the locale (none reads
    as its English text), with the pack's translation for what the overlay left alone."""
    from pathlib import Path

    from outreach_rules._engine import bundled_pack_dir

    overlay = Path(__file__).parent.parent / "examples" / "overlays" / "short-messages.yaml"
    engine = orr.Engine.from_paths(bundled_pack_dir(), overlay, backend="python")
    none_knocks_out = dict.fromkeys(BUNDLED_KNOCK_OUTS, False)
    situation = {**BUNDLED_TOWARDS_CONTACT, **none_knocks_out, "interview_date": "2026-03-06"}
    situation["channel"] = "phone"
    english = engine.evaluate(situation, today=TODAY)
    translated = engine.evaluate(situation, today=TODAY, locale=locale)
    assert english.decision is not None and translated.decision is not None
    assert translated.decision.id == english.decision.id == "email_interviewer"
    assert translated.decision.title != english.decision.title
    pairs = zip(translated.recommendations, english.recommendations, strict=True)
    assert all(ours.text != theirs.text for ours, theirs in pairs)
    assert translated.draft is not None and english.draft is not None
    assert translated.draft.id == "short_email"
    assert translated.draft.body.splitlines()[0] != english.draft.body.splitlines()[0]


def _within(part: Any, whole: Any) -> bool:
    """Whether `part` is `whole` cut down: mappings to some of their keys, lists to their
    first items."""
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(
            key in whole and _within(value, whole[key]) for key, value in part.items()
        )
    if isinstance(part, list):
        return isinstance(whole, list) and whole[: len(part)] == part
    return bool(part == whole)


def test_the_docs_quote_the_german_translation_as_it_is() -> None:
    """Protects the excerpt of the German file in docs/translating.md from going stale."""
    from pathlib import Path

    import yaml

    root = Path(__file__).parent.parent
    page = (root / "docs" / "translating.md").read_text(encoding="utf-8")
    marker = "<!-- excerpt: rules/translations/interview-outreach.de.yaml -->\n```yaml\n"
    excerpt = page.split(marker, 1)[1].split("```", 1)[0]
    real = root / "rules" / "translations" / "interview-outreach.de.yaml"
    whole = yaml.safe_load(real.read_text(encoding="utf-8"))
    assert _within(yaml.safe_load(excerpt), whole)


def test_german_reasons_put_labels_in_the_dative_after_a_preposition() -> None:
    """Protects the German reasons of the draft review: a count of the draft reads "in Ihrem
    Nachrichtenentwurf", not "in Ihr Nachrichtenentwurf", and no reason over 300 random
    situations puts an unambiguous nominative determiner (Ihr, das, ein) after a
    preposition that takes the dative."""
    engine = orr.Engine.default(backend="python", locale="de")
    rng = random.Random(8)  # noqa: S311 - reproducible test data
    said: set[str] = set()

    def collect(reasons: list[orr.Reason]) -> None:
        for reason in reasons:
            said.add(reason.text)
            collect(reason.because)

    for _ in range(300):
        advice = engine.evaluate(random_situation(rng, FACTS), today=TODAY)
        for item in [*advice.recommendations, *advice.findings, *advice.alternatives]:
            collect(item.because)
    shouted = "die Anzahl der Folgen von Ausrufezeichen in Ihrem Nachrichtenentwurf"
    assert any(text.startswith(shouted) for text in said)
    wrong = re.compile(r"\b(in|von|unter|zu|seit|bei|mit) (Ihr|das|ein) ")
    assert [text for text in sorted(said) if wrong.search(text)] == []
