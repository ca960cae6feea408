"""Explanations: reasons in words, derived chains, why-not, questions and the interview."""

from __future__ import annotations

import datetime
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import outreach_rules as orr
from outreach_rules import _durable
from outreach_rules._interview import run_interview
from strategies import scaled

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
    assert days.text == "the number of days until the interview (4) is at least 0"
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


@pytest.mark.parametrize("backend", ["python", "durable"] if _durable.available() else ["python"])
def test_a_candidate_who_knows_nothing_is_asked_the_knock_out_questions_first(
    backend: str,
) -> None:
    """The first questions are the two that rule outreach out at once (a no-contact request,
    an earlier message), then preparation and the recruiter, each able to decide."""
    engine = ENGINE if backend == "python" else orr.Engine.default(backend="durable")
    questions = engine.evaluate({}, today=TODAY).questions
    assert [q.fact for q in questions[:5]] == [
        "interviewer_requested_no_contact",
        "already_contacted_interviewer",
        "reviewed_job_description",
        "researched_role_holders",
        "spoke_with_recruiter",
    ]
    assert all(q.changes_decision for q in questions[:5])
    assert questions[0].choices == [
        orr.Choice(value=True, label="Yes"),
        orr.Choice(value=False, label="No"),
    ]
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


MESSAGES = [
    "",
    "Hi",
    "What should I prepare?",
    (
        "Dear Ms. Lee,\n\nThank you for the invitation. Which skills matter most for this role "
        "in its first months?\n\nBest regards,\nSam"
    ),
    " ".join(["I am very excited about this role and want to prepare well."] * 20),
]


def _answers(name: str) -> list[Any]:
    """Answers to try for a fact, chosen from its type alone (not from the engine's own
    plan of questions, so the test does not grade the engine by its own answers)."""
    spec = FACTS[name]
    by_type: dict[str, list[Any]] = {
        "bool": [True, False],
        "enum": list(spec.values or []),
        "date": [TODAY + datetime.timedelta(days=days) for days in range(-10, 31)],
        "int": list(range(-2, 60)),
        "float": [float(n) for n in range(-2, 60)],
        "str": ["", "Dana Lee"],
        "text": MESSAGES,
        # A list item holds at most 1,000 characters (the longest message is a draft's).
        "list": [[], *([m] for m in MESSAGES if 0 < len(m) <= 1_000), MESSAGES[1:4]],
    }
    return by_type[spec.type]


@settings(max_examples=scaled(150))
@given(situations)
def test_listed_questions_can_change_the_outcome(known: dict[str, Any]) -> None:
    """For every listed question, some answer changes the decision or the advice."""
    advice = ENGINE.evaluate(known, today=TODAY)
    base = _outcome(known)
    for question in advice.questions:
        answers = _answers(question.fact)
        changed = [a for a in answers if _outcome({**known, question.fact: a}) != base]
        assert changed, question.fact
        if question.changes_decision:
            decisions = {_outcome({**known, question.fact: a})[0] for a in answers}
            assert decisions != {base[0]}, question.fact


@settings(max_examples=scaled(150))
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
    """explain() gives the summary by default; the trace level keeps the engine's view, in
    plain text with upper-case headings or in Markdown with ## headings."""
    advice = ENGINE.evaluate(READY, today=TODAY)
    assert advice.explain().startswith("Decision: Contact the interviewer. Because ")
    assert advice.explain() == advice.explain("summary", format="text")
    trace = advice.explain("trace")
    assert trace.startswith(
        "DECISION\nContact the interviewer (contact_interviewer, by rule contact_interviewer)\n"
    )
    markdown = advice.explain("trace", format="markdown")
    assert markdown.startswith("## Decision\n")
    assert "## Recommendations" in markdown
    assert "## Rules" in markdown


def test_guided_interview_re_asks_a_bad_answer_and_stops_at_the_end_of_input() -> None:
    """Piped answers: a bad answer is re-asked with its reason; when the input ends, the
    interview shows the summary of the advice so far."""
    answers = io.StringIO("no\nno\nmaybe\nno\n")
    transcript = io.StringIO()
    advice = run_interview(ENGINE, answers, transcript, TODAY)
    shown = transcript.getvalue()
    assert (
        "Sorry, that answer does not fit: 'maybe' is not an answer to a yes/no question "
        "(yes or no)" in shown
    )
    assert shown.count("Have you gone through the job description thoroughly?") == 2
    assert advice.decision is not None
    assert advice.decision.id == "prepare_first"
    assert "(no more answers)\n\nDecision: Prepare before reaching out. Because " in shown


def test_interview_command_through_a_pipe() -> None:
    """`outreach-rules interview` reads answers from stdin and prints the final advice."""
    answers = "no\nno\nyes\nyes\nyes\n"
    run = subprocess.run(
        [sys.executable, "-m", "outreach_rules.cli", "interview", "--today", "2026-03-02"],
        input=answers,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "\nDecision: Ask your recruiter first. Because you have spoken with a recruiter" in (
        run.stdout
    )


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


# The answers of a prepared candidate to the questions that decide, in the order asked.
DECIDING_ANSWERS = "no\nno\nyes\nyes\nno\nyes\n2026-03-06\n"


def test_the_interview_asks_for_the_drafts_details_once_a_draft_is_in_play() -> None:
    """After the decision, the interview asks what the draft is filled in with: the channel
    first (it chooses the draft), then the names, role and company, so the draft is
    addressed and signed; skipped details stay open."""
    facts = ENGINE.rulebook.spec.facts
    details = "email\nDana Lee\nAlex Morgan\nData Analyst\nskip\n"
    transcript = io.StringIO()
    advice = run_interview(ENGINE, io.StringIO(DECIDING_ANSWERS + details), transcript, TODAY)
    shown = transcript.getvalue()
    order = ["channel", "interviewer_name", "candidate_name", "role_title", "company"]
    positions = [shown.index(str(facts[name].question)) for name in order]
    assert positions == sorted(positions)
    assert shown.index(str(facts["interview_date"].question)) < positions[0]
    assert advice.draft is not None
    assert advice.draft.body.startswith("Dear Dana Lee,")
    assert advice.draft.body.rstrip().endswith("Alex Morgan")
    assert "company" not in advice.situation
    assert "Data Analyst" in shown.split("(no more answers)")[1]


def test_skip_moves_on_to_the_next_question() -> None:
    """`skip` leaves the fact unknown and the interview asks the next question, until no
    question is left; the skipped one is still open in the summary."""
    follow_up = orr.Engine.from_paths(ROOT / "examples" / "follow-up" / "follow-up.yaml")
    facts = follow_up.rulebook.spec.facts
    transcript = io.StringIO()
    advice = run_interview(follow_up, io.StringIO("skip\nno\nno\n"), transcript, TODAY)
    shown = transcript.getvalue()
    first, second = str(facts["interview_date"].question), str(facts["heard_back"].question)
    assert shown.index(f"{first} [YYYY-MM-DD]\n> skip\n{second} [yes/no]\n> no\n") == 0
    assert advice.situation == {"heard_back": False}
    assert f"OPEN QUESTIONS\n- {first}\n" in shown
    assert "(no more answers)" not in shown


@pytest.mark.parametrize(("answer", "full"), [("yes", True), ("no", False)])
def test_the_interview_ends_with_the_summary_and_offers_the_full_explanation(
    answer: str, full: bool
) -> None:
    """The interview ends with the summary, then offers the full explanation: shown only
    when the candidate says yes."""
    rest = "email\nDana Lee\nAlex Morgan\nData Analyst\nAcme\nskip\nskip\n"
    transcript = io.StringIO()
    advice = run_interview(
        ENGINE, io.StringIO(DECIDING_ANSWERS + rest + answer + "\n"), transcript, TODAY
    )
    assert advice.decision is not None
    shown = transcript.getvalue()
    offer = "Show the full explanation, with every reason and source? [yes/no]\n> " + answer
    assert offer in shown
    summary, _, after = shown.partition(offer)
    assert f"\nDecision: {advice.decision.title}. Because " in summary
    assert ("HOW TO GO ABOUT IT" in after) is full
    assert "(no more answers)" not in shown
