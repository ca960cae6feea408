"""A generated draft is safe to send: the pack's own review flags nothing in it.

"Would flag" means: evaluating the same situation with the draft's body as `draft_message`
gives no finding of severity warning or error from the draft review, the rules whose
condition reads the draft (`draft_message`, or `draft_word_count` computed from it). Info
findings, such as the praise of a good message, are allowed; findings on the listed
`questions` (which the draft has already dealt with) are not part of the review. The
situations are those of `strategies.outreach_situations`: the advice is to contact the
interviewer, names are realistic, and the listed questions mix good, off-purpose, rough and
arbitrary ones. Both backends are checked where durable_rules
imports.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings

import outreach_rules as orr
from outreach_rules._durable import available
from strategies import TODAY, outreach_situations, scaled

BACKENDS = ["python", "durable"] if available() else ["python"]


@pytest.fixture(scope="module")
def engines() -> Any:
    built = {backend: orr.Engine.default(backend=backend) for backend in BACKENDS}
    yield built
    for engine in built.values():
        engine.close()


def review_rules(engine: orr.Engine) -> set[str]:
    """The ids of the rules that review the candidate's draft."""
    draft = {"draft_message", "draft_word_count", "has_draft"}
    return {rule.id for rule in engine.program.checked.rules if draft & set(rule.reads)}


def flagged(engine: orr.Engine, situation: dict[str, Any], body: str) -> list[str]:
    review = engine.evaluate({**situation, "draft_message": body}, today=TODAY, trace=False)
    rules = review_rules(engine)
    return [
        f"{f.rule_id}: {f.text}"
        for f in review.findings
        if f.severity != "info" and f.rule_id in rules
    ]


def test_the_review_rules_are_the_draft_rules(engines: Any) -> None:
    """The review the property relies on covers the off-purpose and tone checks."""
    rules = review_rules(engines["python"])
    assert {"draft_asks_about_pay", "draft_too_long", "draft_slang", "draft_not_now"} <= rules
    assert "questions_left_out" not in rules


@settings(max_examples=scaled(500))
@given(situation=outreach_situations())
@example(
    # A '.' inside a listed question ends a sentence where the review reads the draft.
    situation={
        "interview_date": "2026-03-02",
        "reviewed_job_description": True,
        "researched_role_holders": True,
        "has_interviewer_contact": True,
        "interviewer_requested_no_contact": False,
        "already_contacted_interviewer": False,
        "spoke_with_recruiter": False,
        "questions": ["0:0:0:0.0"],
    }
)
def test_generated_drafts_pass_the_packs_review(engines: Any, situation: dict[str, Any]) -> None:
    """No generated draft (email or call script) holds anything the draft review flags."""
    for engine in engines.values():
        advice = engine.evaluate(situation, today=TODAY, trace=False)
        assert advice.decision is not None and advice.decision.id == "contact_interviewer"
        assert advice.draft is not None
        assert flagged(engine, situation, advice.draft.body) == []


def test_the_issue_questions_never_reach_the_draft(engines: Any) -> None:
    """Pay, questions in advance and other candidates are left out and named in a finding;
    fragments give way to the article's example questions."""
    listed = [
        "What is the salary range for this role?",
        "Can you send me the interview questions in advance?",
        "How many other candidates are you interviewing?",
        "salary?",
        "any tips?",
    ]
    situation = {
        "interview_date": "2026-03-06",
        "reviewed_job_description": True,
        "researched_role_holders": True,
        "spoke_with_recruiter": False,
        "has_interviewer_contact": True,
        "interviewer_requested_no_contact": False,
        "already_contacted_interviewer": False,
        "questions": listed,
    }
    for engine in engines.values():
        advice = engine.evaluate(situation, today=TODAY)
        assert advice.draft is not None
        for question in listed:
            assert question not in advice.draft.body
        assert "- Are there particular skills or experiences you recommend I focus on?" in (
            advice.draft.body
        )
        left_out = next(f for f in advice.findings if f.rule_id == "questions_left_out")
        assert left_out.text.startswith("The draft leaves out 4 of the questions you listed:")
        assert '"salary?" (pay and benefits belong to the offer stage)' in left_out.text
