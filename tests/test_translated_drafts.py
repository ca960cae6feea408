"""The draft review reads a translated draft as it reads the English one.

`tests/data/translated_drafts/LOCALE.yaml` gives, for every scenario of the bundled pack
whose situation has a draft message, that draft (and the candidate's questions, if the
scenario lists some) as a candidate would write it in that language. Reviewed in its
locale, the translated draft must get the same findings as the English one in English, and
the advice the same decision: the translation's term lists stand for the English ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import outreach_rules as orr
from outreach_rules import testing
from outreach_rules._durable import available

DATA = Path(__file__).parent / "data" / "translated_drafts"
SCENARIOS = Path(__file__).parent / "scenarios" / "interview-outreach"
LOCALES = ["de", "es"]
CASES = {case.name: case for case in testing.load_cases([SCENARIOS])}
# The English scenarios' drafts: a scenario read in another locale (`locale: es`) already
# has its draft in that language, and the English review of it is not its reference.
WITH_DRAFTS = sorted(
    name
    for name, case in CASES.items()
    if "draft_message" in case.situation and case.locale is None
)
BACKENDS = ["python", *(["durable"] if available() else [])]


def _translated(locale: str) -> dict[str, dict[str, Any]]:
    path = DATA / f"{locale}.yaml"
    if not path.exists():
        return {}
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {entry["case"]: entry for entry in document["drafts"]}


PAIRS = [(locale, name) for locale in LOCALES for name in sorted(_translated(locale))]


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request: pytest.FixtureRequest) -> orr.Engine:
    return orr.Engine.default(backend=request.param)


def _outcome(advice: orr.Advice) -> tuple[str | None, list[str]]:
    decision = advice.decision.id if advice.decision else None
    return decision, sorted(finding.rule_id for finding in advice.findings)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_test_draft_is_translated(locale: str) -> None:
    """Each scenario with a draft has its translated draft, and nothing else is listed."""
    assert sorted(_translated(locale)) == WITH_DRAFTS


@pytest.mark.parametrize(("locale", "name"), PAIRS)
def test_translated_draft_gets_the_same_findings(
    engine: orr.Engine, locale: str, name: str
) -> None:
    """The translated draft, reviewed in its locale, gets the English draft's findings."""
    case = CASES[name]
    entry = _translated(locale)[name]
    today = case.today or testing.DEFAULT_TODAY
    english = engine.evaluate(case.situation, today=today)
    situation = {**case.situation, "draft_message": entry["draft_message"]}
    if "questions" in case.situation:
        situation["questions"] = entry["questions"]
    translated = engine.evaluate(situation, today=today, locale=locale)
    assert _outcome(translated) == _outcome(english)
