"""Composition: a base pack and overlays merged by `Engine.from_paths(base, overlay, ...)`.

Covers what an overlay may do (override a rule, disable rules, drafts and decisions, add
facts, rules, params, decisions and drafts, change a param's default, reword a question), what
it may not do (conflicting declarations, duplicate ids, disabling unknown names or a decision
still in use), the positions of those errors, the packs listed in `advice.rulebook`, and the
example overlay `examples/overlays/short-messages.yaml`.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import example, given, settings

import outreach_rules as orr
from outreach_rules import cli, testing
from outreach_rules._engine import bundled_pack_dir
from outreach_rules.lint import lint_paths
from strategies import scaled

ROOT = Path(__file__).parent.parent
CHAIN = ROOT / "tests" / "data" / "packs" / "chain.yaml"
MESSAGES = ROOT / "tests" / "data" / "overlays" / "messages.yaml"  # a base with drafts
NO_CALLS = ROOT / "tests" / "data" / "overlays" / "no-calls.yaml"
OVERLAY = ROOT / "examples" / "overlays" / "short-messages.yaml"
TODAY = datetime.date(2026, 3, 2)


def write(tmp_path: Path, name: str, text: str) -> Path:
    """A pack file in tmp_path from dedented YAML text."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


HEAD = 'pack: overlay\nversion: "2.1.0"\ntitle: An overlay\n'


def overlay(tmp_path: Path, body: str, name: str = "overlay.yaml") -> Path:
    """An overlay of chain.yaml: HEAD plus the dedented body."""
    return write(tmp_path, name, HEAD + textwrap.dedent(body))


def problems(*paths: Path) -> list[orr.Problem]:
    """The problems of loading the paths (fails when they load)."""
    with pytest.raises(orr.RulebookError) as caught:
        orr.Engine.from_paths(*paths, backend="python")
    return caught.value.problems


def test_override_replaces_a_rule_in_place(tmp_path: Path) -> None:
    """`override: true` replaces the rule of the same id; its position moves to the overlay."""
    path = overlay(
        tmp_path,
        """
        rules:
          - id: go_when_ready
            override: true
            when: ready
            priority: 10
            decide: go
            recommend: {topic: go, text: "Go, whatever n is."}
            rationale: Ready is enough here.
            cite: {source: notes, section: Basics}
        """,
    )
    base = orr.Engine.from_paths(CHAIN, backend="python")
    both = orr.Engine.from_paths(CHAIN, path, backend="python")
    situation = {"a": True, "b": True, "n": 0}
    assert base.evaluate(situation, today=TODAY).decision is None  # n is not over the limit
    advice = both.evaluate(situation, today=TODAY)
    assert advice.decision is not None and advice.decision.id == "go"
    assert [r.text for r in advice.recommendations] == ["Go, whatever n is."]
    assert [r.id for r in both.program.rules if not r.checked.synthetic] == [
        r.id for r in base.program.rules if not r.checked.synthetic
    ]
    file, _ = both.rulebook.locate("rules", "go_when_ready")
    assert file.path == str(path)


def test_override_of_an_unknown_rule_is_an_error(tmp_path: Path) -> None:
    """An override with no earlier rule of that id is refused, with did-you-mean."""
    path = overlay(
        tmp_path,
        """
        rules:
          - id: go_when_redy
            override: true
            when: ready
            decide: go
            rationale: Typo.
            cite: {source: notes, section: Basics}
        """,
    )
    (problem,) = problems(CHAIN, path)
    assert problem.code == "unknown-rule"
    assert (problem.file, problem.line) == (str(path), 6)
    assert problem.suggestions[0] == "go_when_ready"


def test_overlays_apply_in_order(tmp_path: Path) -> None:
    """The overlay must come after its base: in the other order the override is unknown."""
    path = overlay(
        tmp_path,
        """
        rules:
          - id: long_note
            override: true
            when: word_count(note) > 100
            flag: {topic: note, text: Very long.}
            rationale: Longer limit.
            cite: {source: notes, section: Basics}
        """,
    )
    assert orr.Engine.from_paths(CHAIN, path, backend="python")
    assert "unknown-rule" in {p.code for p in problems(path, CHAIN)}


def test_stacked_overlays_override_each_other(tmp_path: Path) -> None:
    """A second overlay may override the first overlay's override; the last one wins."""
    rule = """
        rules:
          - id: long_note
            override: true
            when: word_count(note) > {limit}
            flag: {{topic: note, text: "Over {limit}."}}
            rationale: Another limit.
            cite: {{source: notes, section: Basics}}
        """
    first = overlay(tmp_path, rule.format(limit=5), "first.yaml")
    second = overlay(tmp_path, rule.format(limit=8), "second.yaml")
    engine = orr.Engine.from_paths(CHAIN, first, second, backend="python")
    note = " ".join(["word"] * 7)
    assert engine.evaluate({"note": note}, today=TODAY).findings == []
    advice = engine.evaluate({"note": note + " a b"}, today=TODAY)
    assert [f.text for f in advice.findings] == ["Over 8."]
    assert [p.name for p in advice.rulebook.packs] == ["chain", "overlay", "overlay"]


def test_disable_removes_rules(tmp_path: Path) -> None:
    """`disable: [ids]` removes rules; they neither fire nor appear in the trace."""
    path = overlay(tmp_path, "disable: [long_note, colourful]\n")
    engine = orr.Engine.from_paths(CHAIN, path, backend="python")
    ids = {r.id for r in engine.program.rules}
    assert "long_note" not in ids and "colourful" not in ids
    advice = engine.evaluate({"note": "one two three four five", "colour": "red"}, today=TODAY)
    assert advice.findings == []
    assert advice.trace is not None
    assert {r.rule_id for r in advice.trace.rules}.isdisjoint({"long_note", "colourful"})


def test_disable_of_an_unknown_rule_is_an_error(tmp_path: Path) -> None:
    """Disabling a rule that does not exist is refused at its position, with did-you-mean."""
    path = overlay(tmp_path, "disable:\n  - colorful\n")
    (problem,) = problems(CHAIN, path)
    assert problem.code == "unknown-rule"
    assert (problem.file, problem.line, problem.column) == (str(path), 5, 5)
    assert problem.suggestions == ("colourful",)


# ---------------------------------------------------------------- disabling drafts and decisions
def test_disable_drafts_and_decisions_removes_them() -> None:
    """`disable_drafts` and `disable_decisions` remove drafts and decisions (no-calls.yaml):
    the decision is never proposed, the drafts never chosen, and the next draft in order is
    used instead; the merged pack no longer lists them."""
    base = orr.Engine.from_paths(MESSAGES, backend="python")
    engine = orr.Engine.from_paths(MESSAGES, NO_CALLS, backend="python")
    spec = engine.rulebook.spec
    assert sorted(spec.decisions) == ["wait", "write"]
    assert [d.id for d in spec.drafts] == ["short_email"]
    assert spec.disable == spec.disable_drafts == spec.disable_decisions == []
    for channel, before in [("phone", "call_script"), ("email", "long_email")]:
        situation = {"ready": True, "channel": channel}
        was = base.evaluate(situation, today=TODAY)
        assert was.draft is not None and was.draft.id == before
        advice = engine.evaluate(situation, today=TODAY)
        assert advice.decision is not None and advice.decision.id == "write"
        assert advice.draft is not None and advice.draft.id == "short_email"
        assert "call" not in {d.id for d in advice.alternatives}


def test_disabling_what_nothing_reaches_leaves_check_clean() -> None:
    """Disabling leaves nothing dangling: the base and the base with no-calls.yaml lint
    without a warning, and `check --strict` passes on the composition."""
    assert lint_paths([MESSAGES]).problems == []
    assert lint_paths([MESSAGES, NO_CALLS]).problems == []
    assert cli.main(["check", "--strict", str(MESSAGES), str(NO_CALLS)]) == 0


def test_without_disabling_the_cut_off_names_are_warned_about(tmp_path: Path) -> None:
    """The same overlay with only `disable: [call_when_phone]` leaves the `call` decision
    unused and its draft unreachable: the warnings that `disable_decisions` and
    `disable_drafts` answer. (The long email is still reachable: dropping it is a choice.)"""
    text = NO_CALLS.read_text(encoding="utf-8").split("disable_decisions")[0]
    path = write(tmp_path, "rules-only.yaml", text)
    found = sorted((p.code, p.message.split("'")[1]) for p in lint_paths([MESSAGES, path]).warnings)
    assert found == [
        ("unreachable-draft", "call_script"),
        ("unused-decision", "call"),
    ]


@pytest.mark.parametrize(
    ("body", "code", "position", "message", "suggestions"),
    [
        (
            "disable_drafts:\n  - call_scrpt\n",
            "unknown-draft",
            (5, 5),
            "cannot disable unknown draft 'call_scrpt'",
            ("call_script",),
        ),
        (
            "disable_decisions: [cal]\n",
            "unknown-decision",
            (4, 21),
            "cannot disable unknown decision 'cal'",
            ("call",),
        ),
        (
            "disable: [call_script]\n",
            "unknown-rule",
            (4, 11),
            (
                "cannot disable unknown rule 'call_script' "
                "('call_script' is a draft: list it under `disable_drafts`)"
            ),
            (),
        ),
        (
            "disable_drafts: [write_when_ready]\n",
            "unknown-draft",
            (4, 18),
            (
                "cannot disable unknown draft 'write_when_ready' "
                "('write_when_ready' is a rule: list it under `disable`)"
            ),
            (),
        ),
        (
            "disable_drafts: [wait]\n",
            "unknown-draft",
            (4, 18),
            (
                "cannot disable unknown draft 'wait' "
                "('wait' is a decision: list it under `disable_decisions`)"
            ),
            (),
        ),
    ],
)
def test_disabling_an_unknown_draft_or_decision_is_an_error(
    tmp_path: Path,
    body: str,
    code: str,
    position: tuple[int, int],
    message: str,
    suggestions: tuple[str, ...],
) -> None:
    """An id that names no draft (or decision) is refused at its file, line and column, with
    did-you-mean; an id of another kind says which key it belongs under instead."""
    path = overlay(tmp_path, body)
    (problem,) = problems(MESSAGES, path)
    assert (problem.code, problem.message, problem.suggestions) == (code, message, suggestions)
    assert (problem.file, problem.line, problem.column) == (str(path), *position)


def test_a_decision_still_in_use_cannot_be_disabled(tmp_path: Path) -> None:
    """Disabling a decision that a rule still decides and a draft is still for is refused at
    the `disable_decisions` entry, naming the rule and the draft and how to remove them."""
    path = overlay(tmp_path, "disable_decisions:\n  - wait\n  - call\n")
    found = problems(MESSAGES, path)
    assert [(p.code, p.line, p.column) for p in found] == [
        ("decision-in-use", 5, 5),
        ("decision-in-use", 6, 5),
        ("decision-in-use", 6, 5),
    ]
    assert [p.message for p in found] == [
        (
            "cannot disable decision 'wait': the rule 'wait_when_not_ready' still decides it; "
            "override it to decide something else, or list it under `disable`"
        ),
        (
            "cannot disable decision 'call': the rule 'call_when_phone' still decides it; "
            "override it to decide something else, or list it under `disable`"
        ),
        (
            "cannot disable decision 'call': the draft 'call_script' is for it; "
            "list it under `disable_drafts` too"
        ),
    ]


def test_a_later_overlay_may_not_use_a_disabled_decision(tmp_path: Path) -> None:
    """A rule of a later overlay that decides a disabled decision is refused (at the entry
    that disabled it); declaring the decision again first brings it back."""
    rule = """
        rules:
          - id: call_anyway
            when: ready
            priority: 30
            decide: call
            rationale: Call after all.
            cite: {source: notes, section: Basics}
        """
    later = overlay(tmp_path, rule, "later.yaml")
    (problem,) = problems(MESSAGES, NO_CALLS, later)
    assert (problem.code, problem.file, problem.line) == ("decision-in-use", str(NO_CALLS), 7)
    assert "'call_anyway' still decides it" in problem.message
    declared = "decisions:\n  call: {title: Call them}\n" + textwrap.dedent(rule)
    again = overlay(tmp_path, declared, "again.yaml")
    engine = orr.Engine.from_paths(MESSAGES, NO_CALLS, again, backend="python")
    advice = engine.evaluate({"ready": True, "channel": "email"}, today=TODAY)
    assert advice.decision is not None and advice.decision.id == "call"
    assert advice.draft is None  # call_script stays disabled


def test_an_overlay_adds_facts_params_decisions_rules_and_drafts(tmp_path: Path) -> None:
    """New names of every kind join the base pack; new rules may read base facts."""
    path = overlay(
        tmp_path,
        """
        sources:
          house: {title: House rules, own: true, sections: [Extra]}
        decisions:
          call_off: {title: Call it off}
        facts:
          tired: {type: bool, question: Are you tired?}
        params:
          big: {type: int, default: 100}
        rules:
          - id: call_off_when_tired
            when: tired and n > params.big
            priority: 50
            decide: call_off
            rationale: Tired and too much to do.
            cite: {source: house, section: Extra}
        drafts:
          - id: call_off_note
            decision: call_off
            channel: email
            subject: Calling it off
            body: "n is {{ n }}."
            cite: {source: house, section: Extra}
        """,
    )
    engine = orr.Engine.from_paths(CHAIN, path, backend="python")
    assert "tired" in engine.Situation.model_fields
    assert engine.params["big"] == 100
    advice = engine.evaluate({"tired": True, "n": 101, "a": True, "b": True}, today=TODAY)
    assert advice.decision is not None and advice.decision.id == "call_off"
    assert advice.draft is not None and advice.draft.body == "n is 101."
    assert {d.id for d in advice.alternatives} == {"go"}


def test_a_param_default_changes_and_a_question_is_reworded(tmp_path: Path) -> None:
    """An overlay may change a param's default (same type) and a fact's question."""
    path = overlay(
        tmp_path,
        """
        facts:
          n: {type: int, question: How many items are on your list?}
        params:
          limit: {type: int, default: 10}
        """,
    )
    engine = orr.Engine.from_paths(CHAIN, path, backend="python")
    assert engine.params["limit"] == 10
    situation = {"a": True, "b": True, "n": 5}
    before = orr.Engine.from_paths(CHAIN, backend="python").evaluate(situation, today=TODAY)
    assert before.decision is not None and before.decision.id == "go"
    assert engine.evaluate(situation, today=TODAY).decision is None  # 5 is not over 10
    asked = engine.evaluate({"a": True, "b": True}, today=TODAY).questions
    prompts = {q.fact: q.prompt for q in asked}
    assert prompts["n"] == "How many items are on your list?"
    assert orr.Engine.from_paths(CHAIN, path, params={"limit": 1}).params["limit"] == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("facts:\n  n: {type: float}\n", "type float differs from int"),
        ("facts:\n  colour: {type: enum, values: [red, green]}\n", "enum values differ"),
        ("params:\n  limit: {type: float, default: 3.5}\n", "type float differs"),
        ("derived:\n  ready: {type: int, default: 0}\n", "type int differs"),
        ("decisions:\n  go: {title: Go now}\n", "the declarations differ"),
        (
            "sources:\n  notes: {title: Other notes, sections: [Basics]}\n",
            "the declarations differ",
        ),
    ],
)
def test_conflicting_declarations_are_errors_with_positions(
    tmp_path: Path, body: str, message: str
) -> None:
    """Redeclaring a name incompatibly is a conflict at the overlay's line, naming the base's."""
    path = overlay(tmp_path, body)
    (problem,) = problems(CHAIN, path)
    assert problem.code == "conflict"
    assert (problem.file, problem.line) == (str(path), 5)
    assert message in problem.message
    base_line = CHAIN.read_text(encoding="utf-8").splitlines()
    name = re.search(r"^  (\w+):", body, re.MULTILINE)
    assert name is not None
    declared = next(i for i, line in enumerate(base_line, 1) if line.startswith(f"  {name[1]}:"))
    # the position of the declaration's value: its line, or the next for a block mapping
    assert re.search(rf"{re.escape(str(CHAIN))}:({declared}|{declared + 1}):", problem.message)


def test_duplicate_rule_id_without_override_is_an_error(tmp_path: Path) -> None:
    """A rule id that exists already needs `override: true`; the error names the first one."""
    path = overlay(
        tmp_path,
        """
        rules:
          - id: long_note
            when: word_count(note) > 1
            flag: {topic: note, text: Long.}
            rationale: Dup.
            cite: {source: notes, section: Basics}
        """,
    )
    (problem,) = problems(CHAIN, path)
    assert problem.code == "duplicate-rule"
    assert (problem.file, problem.line, problem.column) == (str(path), 6, 9)
    first = next(
        i for i, line in enumerate(CHAIN.read_text().splitlines(), 1) if "id: long_note" in line
    )
    assert f"first defined at {CHAIN}:{first}" in problem.message
    assert "override: true" in problem.message


def test_duplicate_draft_id_is_an_error(tmp_path: Path) -> None:
    """A draft id may not be declared twice (drafts have no override)."""
    draft = """
        drafts:
          - id: note
            decision: go
            channel: email
            subject: Hi
            body: Hello.
            cite: {source: notes, section: Basics}
        """
    first = overlay(tmp_path, draft, "first.yaml")
    second = overlay(tmp_path, draft, "second.yaml")
    assert orr.Engine.from_paths(CHAIN, first, backend="python")
    (problem,) = problems(CHAIN, first, second)
    assert problem.code == "duplicate-draft"
    assert (problem.file, problem.line) == (str(second), 6)
    assert f"first defined at {first}:6" in problem.message


def test_every_file_problem_is_reported_at_once(tmp_path: Path) -> None:
    """Conflicts in several sections of an overlay come out together."""
    path = overlay(
        tmp_path,
        """
        facts:
          n: {type: str}
        params:
          limit: {type: bool, default: true}
        disable: [nope]
        """,
    )
    assert sorted(p.code for p in problems(CHAIN, path)) == ["conflict", "conflict", "unknown-rule"]


def test_advice_lists_every_pack_with_version_and_digest(tmp_path: Path) -> None:
    """`advice.rulebook.packs` names each file in load order, with its version and sha256."""
    path = overlay(tmp_path, "params:\n  limit: {type: int, default: 4}\n")
    engine = orr.Engine.from_paths(CHAIN, path, backend="python")
    info = engine.evaluate({}, today=TODAY).rulebook
    assert [(p.name, p.version, p.path) for p in info.packs] == [
        ("chain", "0.1.0", str(CHAIN)),
        ("overlay", "2.1.0", str(path)),
    ]
    for pack, file in zip(info.packs, (CHAIN, path), strict=True):
        assert pack.digest == hashlib.sha256(file.read_bytes()).hexdigest()
    joined = "\n".join(p.digest for p in info.packs)
    assert info.digest == hashlib.sha256(joined.encode("ascii")).hexdigest()
    assert info.params["limit"] == 4


# ---------------------------------------------------------------- the example overlay
@pytest.fixture(scope="module")
def short() -> orr.Engine:
    """The bundled pack with the short-messages overlay."""
    return orr.Engine.from_paths(bundled_pack_dir(), OVERLAY, backend="python")


PREPARED = {
    "interview_date": "2026-03-06",
    "interviewer_name": "Dana Lee",
    "candidate_name": "Alex Morgan",
    "reviewed_job_description": True,
    "researched_role_holders": True,
    "spoke_with_recruiter": False,
    "has_interviewer_contact": True,
    "interviewer_requested_no_contact": False,
    "already_contacted_interviewer": False,
}
CALL_ADVICE = re.compile(r"call script|on the phone|\b(a short|the|this one) call\b", re.I)


def test_the_overlay_loads_and_lowers_the_limits(short: orr.Engine) -> None:
    """The overlay lowers max_words and max_questions and lists both packs."""
    assert short.params["max_words"] == 100 and short.params["max_questions"] == 2
    advice = short.evaluate(PREPARED, today=TODAY)
    assert [p.name for p in advice.rulebook.packs] == ["interview-outreach", "short-messages"]


def test_a_message_of_120_words_is_too_long_only_with_the_overlay(short: orr.Engine) -> None:
    """draft_too_long fires at 120 words with the overlay, not with the bundled pack alone."""
    draft = "Dear Dana,\n" + " ".join(["word"] * 118) + "\nBest regards"
    situation = {**PREPARED, "draft_message": draft}
    base = orr.Engine.default(backend="python").evaluate(situation, today=TODAY)
    assert "draft_too_long" not in {f.rule_id for f in base.findings}
    advice = short.evaluate(situation, today=TODAY)
    found = {f.rule_id: f.text for f in advice.findings}
    assert "keep it to 100 or fewer" in found["draft_too_long"]


@pytest.mark.parametrize("channel", ["phone", "email", None])
def test_outreach_is_always_a_short_email(short: orr.Engine, channel: str | None) -> None:
    """Whatever the channel, the decision is email_interviewer and the draft the short email."""
    advice = short.evaluate({**PREPARED, "channel": channel}, today=TODAY)
    assert advice.decision is not None and advice.decision.id == "email_interviewer"
    assert advice.draft is not None
    assert (advice.draft.id, advice.draft.channel) == ("short_email", "email")
    ids = {r.rule_id for r in advice.recommendations}
    assert ("write_instead_of_calling" in ids) is (channel == "phone")
    for text in [r.text for r in advice.recommendations] + [advice.draft.body]:
        assert not CALL_ADVICE.search(text), text


def test_the_short_email_passes_the_packs_own_review(short: orr.Engine) -> None:
    """Fed back as the draft message, the short email is within the limits and gets no
    warning or error finding from the pack's draft-review rules."""
    questions = [
        "Which SQL skills matter most for the team's day-to-day work?",
        "Will the interview include a live case study?",
        "A third question that the draft leaves out?",
    ]
    advice = short.evaluate({**PREPARED, "questions": questions}, today=TODAY)
    assert advice.draft is not None
    body = advice.draft.body
    assert questions[0] in body and questions[2] not in body  # max_questions is 2
    review = short.evaluate({**PREPARED, "draft_message": body}, today=TODAY)
    assert [(f.rule_id, f.severity) for f in review.findings] == [
        ("draft_follows_the_tips", "info")
    ]
    assert len(body.split()) <= short.params["max_words"]


_SHORT = orr.Engine.from_paths(bundled_pack_dir(), OVERLAY, backend="python")


@settings(max_examples=scaled(150))
@given(data=testing.situations(_SHORT))
@example(data={**PREPARED, "channel": "phone", "questions": ["bring * copy of my *"]})
def test_the_overlay_never_advises_a_call(data: dict[str, object]) -> None:
    """For any situation, no call script, no phone draft, no contact_interviewer decision,
    and no recommendation that talks about making the call."""
    advice = _SHORT.evaluate(data, today=TODAY)
    assert advice.decision is None or advice.decision.id != "contact_interviewer"
    assert advice.draft is None or advice.draft.id == "short_email"
    for item in advice.recommendations:
        assert not CALL_ADVICE.search(item.text), (item.rule_id, item.text)


def test_the_overlay_disables_what_it_cut_off_and_checks_clean() -> None:
    """The overlay disables the bundled pack's `contact_interviewer` decision and its
    `call_script` and `email` drafts, which its override left unreachable: linting the
    composition finds nothing, not even a warning (`check --strict` passes)."""
    report = lint_paths([bundled_pack_dir(), OVERLAY])
    assert report.errors == [] and report.warnings == []
    assert cli.main(["check", "--strict", str(bundled_pack_dir()), str(OVERLAY)]) == 0
    spec = orr.Engine.from_paths(bundled_pack_dir(), OVERLAY, backend="python").rulebook.spec
    assert "contact_interviewer" not in spec.decisions
    assert {"call_script", "email"}.isdisjoint(d.id for d in spec.drafts)


def test_the_overlay_alone_does_not_load() -> None:
    """An overlay depends on its base: alone, its citations and names are unknown."""
    with pytest.raises(orr.RulebookError) as caught:
        orr.Engine.from_paths(OVERLAY, backend="python")
    assert {p.file for p in caught.value.problems} == {str(OVERLAY)}


def test_the_overlay_on_the_durable_backend_matches_python(short: orr.Engine) -> None:
    """Both backends give the same decision, advice and draft for the composition."""
    from outreach_rules._durable import available

    if not available():
        pytest.skip("durable_rules cannot be imported here")
    durable = orr.Engine.from_paths(bundled_pack_dir(), OVERLAY, backend="durable")
    for channel in ("phone", "email"):
        situation = {**PREPARED, "channel": channel}
        a, b = short.evaluate(situation, today=TODAY), durable.evaluate(situation, today=TODAY)
        assert a.decision == b.decision and a.recommendations == b.recommendations
        assert a.draft == b.draft
