"""Properties of the bundled interview-outreach pack over random situations."""

from __future__ import annotations

import datetime
import re

from hypothesis import given, settings
from hypothesis import strategies as st

import outreach_rules as orr
from strategies import scaled

ENGINE = orr.Engine.default(backend="python")
TODAY = datetime.date(2026, 3, 2)
BOOLS = [
    "reviewed_job_description",
    "researched_role_holders",
    "spoke_with_recruiter",
    "has_interviewer_contact",
    "interviewer_requested_no_contact",
    "already_contacted_interviewer",
]
NAMES = st.one_of(
    st.none(), st.text(max_size=30), st.sampled_from(["{x}", "{{ y }}", "$z", "Dana Lee"])
)
PLACEHOLDER = re.compile(r"\[[^\]]*\]|\{\{|\}\}|\bNone\b")


def _situation(bools: dict[str, bool | None], extra: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in {**bools, **extra}.items() if v is not None}


maybe_bool = st.one_of(st.none(), st.booleans())
bool_facts = st.fixed_dictionaries(dict.fromkeys(BOOLS, maybe_bool))
known_bool_facts = st.fixed_dictionaries(dict.fromkeys(BOOLS, st.booleans()))
dates = st.dates(min_value=datetime.date(2026, 1, 1), max_value=datetime.date(2026, 6, 30))
extras = st.fixed_dictionaries(
    {
        "interviewer_name": NAMES,
        "candidate_name": NAMES,
        "company": NAMES,
        "role_title": NAMES,
        "channel": st.one_of(st.none(), st.sampled_from(["email", "phone"])),
        "interview_date": st.one_of(st.none(), dates),
    }
)


@settings(max_examples=scaled(300))
@given(known_bool_facts, dates, extras)
def test_a_decision_is_reached_once_the_deciding_facts_are_known(
    bools: dict[str, bool], day: datetime.date, extra: dict[str, object]
) -> None:
    """With every yes/no fact and the interview date known, the pack always decides."""
    advice = ENGINE.evaluate(_situation(bools, {**extra, "interview_date": day}), today=TODAY)
    assert advice.decision is not None


@settings(max_examples=scaled(300))
@given(bool_facts, extras)
def test_a_no_contact_request_always_wins(
    bools: dict[str, bool | None], extra: dict[str, object]
) -> None:
    """When the interviewer asked not to be contacted, the decision is do_not_contact, no draft."""
    situation = _situation({**bools, "interviewer_requested_no_contact": True}, extra)
    advice = ENGINE.evaluate(situation, today=TODAY)
    assert advice.decision is not None
    assert advice.decision.id == "do_not_contact"
    assert advice.draft is None


# Situations in which the candidate is ready to write (the pack then gives a draft); the
# interview date and the names vary.
READY = {
    "reviewed_job_description": True,
    "researched_role_holders": True,
    "spoke_with_recruiter": False,
    "has_interviewer_contact": True,
    "interviewer_requested_no_contact": False,
    "already_contacted_interviewer": False,
}
ready_dates = st.dates(min_value=TODAY, max_value=datetime.date(2026, 6, 30))


@settings(max_examples=scaled(300))
@given(extras, ready_dates)
def test_drafts_never_show_a_placeholder(extra: dict[str, object], day: datetime.date) -> None:
    """A ready candidate always gets a draft, and it never shows a template placeholder;
    names are inserted exactly as typed."""
    advice = ENGINE.evaluate(_situation(READY, {**extra, "interview_date": day}), today=TODAY)
    assert advice.draft is not None
    text = advice.draft.subject + "\n" + advice.draft.body
    shown = text
    for key in ("interviewer_name", "candidate_name", "company", "role_title"):
        value = extra.get(key)
        if isinstance(value, str) and value:
            shown = shown.replace(value, "")
    assert PLACEHOLDER.search(shown) is None
    name = extra.get("interviewer_name")
    if isinstance(name, str) and name.strip():
        assert name in text


@settings(max_examples=scaled(200))
@given(bool_facts, extras)
def test_the_same_situation_gives_the_same_advice(
    bools: dict[str, bool | None], extra: dict[str, object]
) -> None:
    """Evaluation is deterministic: the same situation and day give equal advice."""
    situation = _situation(bools, extra)
    assert ENGINE.evaluate(situation, today=TODAY) == ENGINE.evaluate(situation, today=TODAY)
