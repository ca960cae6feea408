"""Provisional decisions: `assume:` in a pack, `Advice.provisional` and `Advice.assuming`.

The properties run on both backends (durable where durable_rules imports) over the bundled
pack, with the yes/no facts that decide as often unknown as known.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import outreach_rules as orr
from outreach_rules import _durable
from outreach_rules._words import plain
from strategies import (
    PACK_FILE_CHECKS,
    TODAY,
    bundled_situations,
    facts_of_model,
    pack_facts,
    packs_with_assumptions,
    scaled,
    situations,
)

ROOT = Path(__file__).parent.parent
BACKENDS = ["python", "durable"] if _durable.available() else ["python"]
ENGINES = {backend: orr.Engine.default(backend=backend) for backend in BACKENDS}
FACTS = facts_of_model(ENGINES["python"].Situation)
SPECS = ENGINES["python"].rulebook.spec.facts
# Prepared, with the interviewer's email, no recruiter and a date; nothing said about an
# earlier message or a request not to be contacted.
PREPARED_WITH_EMAIL = {
    "reviewed_job_description": True,
    "researched_role_holders": True,
    "has_interviewer_contact": True,
    "spoke_with_recruiter": False,
    "interview_date": "2026-03-06",
}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_prepared_candidate_gets_a_provisional_decision(backend: str) -> None:
    """The case of the issue: no certain decision, but "contact the interviewer, provided
    that" they have not written already and were not asked to stay away, on both
    backends; the two questions that settle it come first."""
    advice = ENGINES[backend].evaluate(PREPARED_WITH_EMAIL, today=TODAY)
    assert advice.decision is None
    assert advice.provisional is not None
    assert advice.provisional.id == "contact_interviewer"
    assert [(a.fact, a.value) for a in advice.assuming] == [
        ("interviewer_requested_no_contact", False),
        ("already_contacted_interviewer", False),
    ]
    assert [a.question for a in advice.assuming] == [
        SPECS["interviewer_requested_no_contact"].question,
        SPECS["already_contacted_interviewer"].question,
    ]
    assert [q.fact for q in advice.questions[:2]] == [a.fact for a in advice.assuming]
    summary = " ".join(advice.explain().split())
    no_request = SPECS["interviewer_requested_no_contact"].when_false
    not_yet = SPECS["already_contacted_interviewer"].when_false
    assert summary.startswith(
        f"Decision: {advice.provisional.title} — provided that {no_request} and {not_yet}. Because "
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_provisional_decision_shows_what_to_do_if_so(backend: str) -> None:
    """A coach who says "contact the interviewer, provided that ..." goes on with how: the
    summary and the full explanation give the advice and the draft that apply if the
    assumptions hold, said to be conditional, and the summary's data carries them."""
    situation = {**PREPARED_WITH_EMAIL, "interviewer_name": "Dana Lee"}
    advice = ENGINES[backend].evaluate(situation, today=TODAY)
    assert advice.decision is None and advice.recommendations == [] and advice.draft is None
    assert advice.provisional_recommendations[0].rule_id == "contact_interviewer"
    assert advice.provisional_draft is not None
    assert advice.provisional_draft.body.startswith("Dear Dana Lee,")
    summary = advice.summary()
    assert summary.actions == [r.text for r in advice.provisional_recommendations[:3]]
    assert summary.draft == advice.provisional_draft
    text = advice.explain()
    assert "\nWHAT TO DO, IF SO\n1. You have done your homework" in text
    assert "\nDRAFT (EMAIL), IF SO\nSubject: " in text
    full = advice.explain("full")
    assert "\nHOW TO GO ABOUT IT, IF SO\n1. You have done your homework" in full
    assert "\nDRAFT (EMAIL), IF SO\nSubject: " in full


def test_only_the_assumptions_a_decision_needs_are_listed() -> None:
    """With the no-contact request answered, the provisional decision rests on the other
    assumption alone."""
    advice = ENGINES["python"].evaluate(
        {**PREPARED_WITH_EMAIL, "interviewer_requested_no_contact": False}, today=TODAY
    )
    assert advice.provisional is not None
    assert [a.fact for a in advice.assuming] == ["already_contacted_interviewer"]
    assert advice.assuming[0].text == SPECS["already_contacted_interviewer"].when_false


def test_no_provisional_decision_when_the_assumptions_decide_nothing() -> None:
    """An empty situation: even with both assumptions, preparation is unknown, so there is
    neither a decision nor a provisional one, and nothing is listed as assumed."""
    advice = ENGINES["python"].evaluate({}, today=TODAY)
    assert (advice.decision, advice.provisional, advice.assuming) == (None, None, [])


def _supplied(advice: orr.Advice, situation: dict[str, Any]) -> dict[str, Any]:
    return {**situation, **{item.fact: item.value for item in advice.assuming}}


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=scaled(500))
@given(situation=bundled_situations(FACTS))
def test_provisional_decisions_rest_only_on_assumed_facts(
    backend: str, situation: dict[str, Any]
) -> None:
    """For every situation: a certain decision never has a provisional one; a provisional
    decision lists only unknown facts that the pack assumes, at their assumed values; and
    supplying those values makes the certain decision equal the provisional one."""
    engine = ENGINES[backend]
    advice = engine.evaluate(situation, today=TODAY)
    if advice.decision is not None or advice.provisional is None:
        assert advice.provisional is None and advice.assuming == []
        assert advice.provisional_recommendations == [] and advice.provisional_draft is None
        return
    assert advice.assuming, "a provisional decision rests on some assumption"
    for item in advice.assuming:
        assert item.fact not in situation
        assert SPECS[item.fact].assume is not None
        assert item.value == SPECS[item.fact].assume
    asked = [q.fact for q in advice.questions]
    behind = [item.fact for item in advice.assuming if item.fact in asked]
    assert asked[: len(behind)] == behind
    answered = engine.evaluate(_supplied(advice, situation), today=TODAY)
    assert answered.decision == advice.provisional
    assert answered.provisional is None
    assert answered.recommendations == advice.provisional_recommendations
    assert answered.draft == advice.provisional_draft


def check_provisional(engine: orr.Engine, situation: dict[str, Any]) -> orr.Advice:
    """The properties of provisional decisions, for one situation of any pack."""
    advice = engine.evaluate(situation, today=TODAY)
    if advice.decision is not None or advice.provisional is None:
        assert advice.provisional is None and advice.assuming == []
        return advice
    assert advice.assuming, "a provisional decision rests on some assumption"
    for item in advice.assuming:
        assert situation.get(item.fact) is None, "only unknown facts are assumed"
        assert item.value == plain(engine.assumptions[item.fact])
    answered = engine.evaluate(_supplied(advice, situation), today=TODAY)
    assert answered.decision == advice.provisional
    assert answered.recommendations == advice.provisional_recommendations
    assert answered.draft == advice.provisional_draft
    return advice


@settings(
    max_examples=scaled(150),
    suppress_health_check=PACK_FILE_CHECKS,
)
@given(text=packs_with_assumptions(), data=st.data())
def test_provisional_decisions_on_random_packs(
    tmp_path: Path, text: str, data: st.DataObject
) -> None:
    """For any valid pack whose facts may declare `assume:`, and any situations: only facts
    with an assumed value are assumed, at that value, and supplying them gives the
    provisional decision as the certain one; a certain decision has no provisional one."""
    path = tmp_path / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    engine = orr.Engine.from_paths(path, backend="python")
    assumed = {name for name, spec in engine.rulebook.spec.facts.items() if spec.assume is not None}
    assert set(engine.assumptions) == assumed
    for situation in data.draw(st.lists(situations(pack_facts(text)), min_size=1, max_size=6)):
        advice = check_provisional(engine, situation)
        assert {item.fact for item in advice.assuming} <= assumed


def test_an_assumed_value_of_the_wrong_type_is_refused_with_its_position(
    tmp_path: Path,
) -> None:
    """`assume` must fit the fact's type; the problem names the file, the line of the
    `assume` key and the fact."""
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "pack: p\nversion: '1'\ntitle: t\n"
        "facts:\n"
        "  ready:\n    type: bool\n    assume: 'no'\n"
        "  channel:\n    type: enum\n    values: [email, phone]\n    assume: fax\n"
        "  day:\n    type: date\n    assume: 2026-02-30x\n",
        encoding="utf-8",
    )
    with pytest.raises(orr.RulebookError) as raised:
        orr.Engine.from_paths(pack, backend="python")
    assert [(p.line, p.message) for p in raised.value.problems] == [
        (7, "facts.ready.assume: the assumed value the text 'no' is not true or false"),
        (
            11,
            (
                "facts.channel.assume: the assumed value the text 'fax' is not one of the "
                "fact's values"
            ),
        ),
        (
            14,
            (
                "facts.day.assume: the assumed value the text '2026-02-30x' is not a date such "
                "as 2026-03-06"
            ),
        ),
    ]
    assert str(raised.value).startswith(f"3 problems in the rule pack:\n{pack}:7:")


def test_an_assumed_text_the_situation_refuses_is_a_problem_of_the_pack(tmp_path: Path) -> None:
    """An assumed value of the right type that a situation would refuse (a name longer than
    a situation allows) is reported at its `assume` key when the engine is built."""
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "pack: p\nversion: '1'\ntitle: t\nfacts:\n  name:\n    type: str\n"
        f"    assume: {'x' * 1001}\n",
        encoding="utf-8",
    )
    with pytest.raises(orr.RulebookError) as raised:
        orr.Engine.from_paths(pack, backend="python")
    (problem,) = raised.value.problems
    assert (problem.file, problem.line) == (str(pack), 7)
    assert problem.message == ("facts.name.assume: String should have at most 1000 characters")


def test_an_overlay_can_set_or_drop_an_assumption(tmp_path: Path) -> None:
    """A later pack that declares a fact again replaces its `assume`: dropping it leaves
    no provisional decision, and assuming the opposite gives another one."""
    base = ROOT / "rules" / "interview-outreach.yaml"
    facts = orr.Engine.default(backend="python").rulebook.spec.facts
    spec = facts["already_contacted_interviewer"].model_dump(exclude_none=True)
    overlay = tmp_path / "overlay.yaml"

    def engine_with(*, assume: bool | None) -> orr.Engine:
        declared = {key: value for key, value in spec.items() if key != "assume"}
        if assume is not None:
            declared["assume"] = assume
        overlay.write_text(
            json.dumps(
                {
                    "pack": "overlay",
                    "version": "1",
                    "title": "Overlay",
                    "facts": {"already_contacted_interviewer": declared},
                }
            ),
            encoding="utf-8",
        )
        return orr.Engine.from_paths(base, overlay, backend="python")

    situation = {**PREPARED_WITH_EMAIL, "interviewer_requested_no_contact": False}
    assert engine_with(assume=None).evaluate(situation, today=TODAY).provisional is None
    opposite = engine_with(assume=True).evaluate(situation, today=TODAY)
    assert opposite.provisional is not None
    assert opposite.provisional.id == "do_not_contact"
    assert [(a.fact, a.value) for a in opposite.assuming] == [
        ("already_contacted_interviewer", True)
    ]


def test_batches_carry_the_provisional_decision() -> None:
    """evaluate_many gives the same provisional decision and assumptions as evaluate."""
    engine = orr.Engine.default(backend="python")
    situations = [PREPARED_WITH_EMAIL, {}, {**PREPARED_WITH_EMAIL, "spoke_with_recruiter": True}]
    got = engine.evaluate_many(situations * 8, today=TODAY, workers=2)
    want = [engine.evaluate(s, today=TODAY) for s in situations * 8]
    assert [(a.provisional, a.assuming) for a in got if isinstance(a, orr.Advice)] == [
        (a.provisional, a.assuming) for a in want
    ]
    assert got[0].provisional is not None  # type: ignore[union-attr]


def test_the_pack_documents_its_assumptions_in_the_schema() -> None:
    """The generic pack schema accepts `assume` on a fact (editors complete it)."""
    schema = json.loads((ROOT / "docs" / "schema" / "pack.schema.json").read_text("utf-8"))
    assert "assume" in schema["$defs"]["FactSpec"]["properties"]
