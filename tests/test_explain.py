"""Explanations: reasons in words, derived chains, why-not, questions and the interview."""

from __future__ import annotations

import datetime
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import outreach_rules as orr
from outreach_rules._interview import run_interview

ROOT = Path(__file__).parent.parent
TODAY = datetime.date(2026, 3, 2)
ENGINE = orr.Engine.default(backend="python")
PREPARED = {"reviewed_job_description": True, "researched_role_holders": True}
READY = {
    **PREPARED,
    "spoke_with_recruiter": False,
    "has_interviewer_contact": True,
    "interviewer_requested_no_contact": False,
    "already_contacted_interviewer": False,
    "interview_date": "2026-03-06",
}


def _outcome(situation: dict[str, Any]) -> tuple[Any, ...]:
    advice = ENGINE.evaluate(situation, today=TODAY, trace=False)
    return (
        advice.decision.id if advice.decision else None,
        sorted(r.rule_id for r in advice.recommendations),
        sorted(f.rule_id for f in advice.findings),
    )


def test_reasons_read_as_sentences_with_values() -> None:
    """Each reason says its condition in words, with the value read filled in."""
    advice = ENGINE.evaluate(READY, today=TODAY)
    assert advice.decision is not None
    texts = [reason.text for reason in advice.decision.because]
    assert "the interviewer has not asked to be left alone" in texts
    assert "you have a proper way to reach the interviewer" in texts


def test_derived_facts_carry_the_rule_that_set_them() -> None:
    """A reason on a derived fact names the rule that set it and that rule's own reasons."""
    advice = ENGINE.evaluate(READY, today=TODAY)
    assert advice.decision is not None
    prepared = next(r for r in advice.decision.because if r.fact == "prepared")
    assert prepared.set_by == "preparation_done"
    assert [r.text for r in prepared.because] == [
        "you have reviewed the job description",
        "you have looked at the skills of the role's current and previous holders",
    ]
    passed = next(r for r in advice.decision.because if r.fact == "interview_passed")
    days = passed.because[0]
    assert days.text == "the days until the interview (4) is at least 0"
    assert days.computed_from == "days_until(interview_date)"


def test_why_not_names_the_recruiter_rule_that_won() -> None:
    """A candidate who spoke with a recruiter: contacting the interviewer is proposed as the
    alternative and loses to ask_recruiter_first."""
    advice = ENGINE.evaluate({**READY, "spoke_with_recruiter": True}, today=TODAY)
    answer = advice.why_not("contact_interviewer")
    assert answer.outcome == "lost"
    assert [d.id for d in advice.alternatives] == ["contact_interviewer"]
    assert str(answer) == (
        "contact_interviewer was proposed but lost to ask_recruiter "
        "(rule ask_recruiter_first, priority 70)."
    )


def test_a_candidate_who_knows_nothing_is_asked_about_preparation_first() -> None:
    """The first questions are the preparation and recruiter questions, each able to decide."""
    questions = ENGINE.evaluate({}, today=TODAY).questions
    assert [q.fact for q in questions[:3]] == [
        "reviewed_job_description",
        "researched_role_holders",
        "spoke_with_recruiter",
    ]
    assert all(q.changes_decision for q in questions[:3])
    assert questions[0].choices == ["yes", "no"]
    assert questions[0].prompt.endswith("?")


def test_known_facts_and_irrelevant_facts_are_never_asked() -> None:
    """Known facts are not asked; names that no rule reads are never asked."""
    questions = {q.fact for q in ENGINE.evaluate(READY, today=TODAY).questions}
    assert questions.isdisjoint(READY)
    assert questions.isdisjoint({"candidate_name", "interviewer_name", "company", "role_title"})


FACTS = ENGINE.rulebook.spec.facts
BOOL_FACTS = [name for name, spec in FACTS.items() if spec.type == "bool"]
situations = st.fixed_dictionaries({}, optional={name: st.booleans() for name in BOOL_FACTS}).map(
    lambda known: {**known, **({"interview_date": "2026-03-06"} if len(known) % 2 else {})}
)


def _values(name: str) -> st.SearchStrategy[Any]:
    spec = FACTS[name]
    strategies: dict[str, st.SearchStrategy[Any]] = {
        "bool": st.booleans(),
        "enum": st.sampled_from(spec.values or [""]),
        "date": st.dates(datetime.date(2025, 12, 1), datetime.date(2026, 6, 1)),
        "str": st.text(max_size=20),
        "list": st.lists(st.text(max_size=60), max_size=6),
        "text": st.text(max_size=300),
    }
    return strategies[spec.type]


@settings(max_examples=150)
@given(situations)
def test_listed_questions_can_change_the_outcome(known: dict[str, Any]) -> None:
    """For every listed question, some answer changes the decision or the advice."""
    from outreach_rules._questions import _plan

    advice = ENGINE.evaluate(known, today=TODAY)
    base = _outcome(known)
    plan = _plan(ENGINE)
    for question in advice.questions:
        answers = plan.candidates(FACTS[question.fact], TODAY)
        changed = [a for a in answers if _outcome({**known, question.fact: a}) != base]
        assert changed, question.fact
        if question.changes_decision:
            decisions = {_outcome({**known, question.fact: a})[0] for a in answers}
            assert decisions != {base[0]}, question.fact


@settings(max_examples=150)
@given(situations, st.data())
def test_unlisted_unknown_facts_cannot_change_the_outcome(
    known: dict[str, Any], data: st.DataObject
) -> None:
    """For unknown facts that are not asked, sampled answers leave the outcome unchanged;
    when the decision sends no message (it has no draft), findings on the candidate's own
    message do not count, since asking for one to review would be pointless."""
    advice = ENGINE.evaluate(known, today=TODAY)
    asked = {q.fact for q in advice.questions}
    unasked = [n for n in FACTS if n not in known and n not in asked]
    if not unasked:
        return
    name = data.draw(st.sampled_from(unasked))
    value = data.draw(_values(name))
    after, before = _outcome({**known, name: value}), _outcome(known)
    if advice.decision is not None and advice.draft is None and before[0] == after[0]:
        after, before = after[:2], before[:2]
    assert after == before, (name, value)


def test_explain_renders_text_and_markdown() -> None:
    """explain() gives plain text with upper-case headings, or Markdown with ## headings."""
    advice = ENGINE.evaluate(READY, today=TODAY)
    assert advice.explain().startswith("DECISION\nContact the interviewer")
    markdown = advice.explain(format="markdown")
    assert markdown.startswith("## Decision\n")
    assert "## Recommendations" in markdown


def test_guided_interview_asks_until_the_decision_is_settled() -> None:
    """Piped answers: a bad answer is re-asked with its reason, and the interview stops once
    the decision is settled, then shows the advice."""
    answers = io.StringIO("maybe\nno\n")
    transcript = io.StringIO()
    advice = run_interview(ENGINE, answers, transcript, TODAY)
    shown = transcript.getvalue()
    assert "Sorry, that answer does not fit: 'maybe' is not yes or no" in shown
    assert shown.count("Have you gone through the job description thoroughly?") == 2
    assert advice.decision is not None
    assert advice.decision.id == "prepare_first"


def test_interview_command_through_a_pipe() -> None:
    """`outreach-rules interview` reads answers from stdin and prints the final advice."""
    answers = "yes\nyes\nyes\n"
    run = subprocess.run(
        [sys.executable, "-m", "outreach_rules.cli", "interview", "--today", "2026-03-02"],
        input=answers,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Ask your recruiter first (ask_recruiter, by rule ask_recruiter_first)" in run.stdout


def test_why_command_prints_the_answer() -> None:
    """`outreach-rules why TARGET SITUATION` explains a decision that did not come out."""
    run = subprocess.run(
        [
            sys.executable,
            *("-m", "outreach_rules.cli", "why", "ask_recruiter"),
            str(ROOT / "examples" / "situation.yaml"),
            *("--today", "2026-03-02"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.startswith("ask_recruiter was not reached")
    assert "you have spoken with a recruiter, which is not the case" in run.stdout
