"""Explanations in levels (summary, full, trace), as text and as CommonMark, and the
compact summary for user interfaces.

The pack's own sentences are not pinned here (they are the pack's to change): the tests
check the structure and the words the engine adds.
"""

from __future__ import annotations

import json
import pickle
import re
import shlex
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml
from hypothesis import given, settings
from markdown_it import MarkdownIt

import outreach_rules as orr
from outreach_rules import _durable, cli
from outreach_rules._text import FUNCTIONS
from strategies import TODAY, bundled_situations, facts_of_model, scaled

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "situation.yaml"
BACKENDS = ["python", "durable"] if _durable.available() else ["python"]
ENGINES = {backend: orr.Engine.default(backend=backend) for backend in BACKENDS}
ENGINE = ENGINES["python"]
SITUATION = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
SPEC = ENGINE.rulebook.spec
FACTS = facts_of_model(ENGINE.Situation)
# Words only the engine knows: rule ids, decision ids, derived-fact names, synthetic rules,
# function calls of the condition language and comparison operators.
ENGINE_WORDS = re.compile(
    "|".join(
        [
            *(rf"\b{re.escape(rule.id)}\b" for rule in ENGINE.program.rules if "_" in rule.id),
            *(
                rf"\b{re.escape(name)}\b"
                for name in [*SPEC.decisions, *SPEC.derived]
                if "_" in name
            ),
            *(rf"\b{name}\(" for name in FUNCTIONS),
            r"\.default\b",
            r" (?:>=|<=|==|!=|<|>) ",
            r"was set by rule",
            r"is computed as",
        ]
    )
)


def _example(backend: str = "python") -> orr.Advice:
    return ENGINES[backend].evaluate(SITUATION, today=TODAY)


def _section(text: str, heading: str) -> list[str]:
    """The lines under an upper-case heading of a text rendering, up to the next one."""
    lines = text.splitlines()
    start = lines.index(heading) + 1
    end = next((i for i in range(start, len(lines)) if lines[i] and lines[i].isupper()), None)
    return [line for line in lines[start:end] if line]


# ---------------------------------------------------------------- summary
@pytest.mark.parametrize("backend", BACKENDS)
def test_the_summary_of_the_example_is_short_and_in_order(backend: str) -> None:
    """`make demo`'s situation: under 40 lines of at most 100 columns; the decision first,
    then the findings on the candidate's draft, at most three actions, the draft, and no
    engine words."""
    advice = _example(backend)
    text = advice.explain()
    lines = text.splitlines()
    assert len(lines) < 40
    assert max(len(line) for line in lines) <= 100
    assert lines[0].startswith(f"Decision: {advice.decision.title}. Because ")  # type: ignore[union-attr]
    headings = [line for line in lines if line and line.isupper()]
    assert headings == ["ON YOUR DRAFT", "WHAT TO DO", "DRAFT (EMAIL)"]
    findings = _section(text, "ON YOUR DRAFT")
    assert advice.findings
    assert sum(line.startswith("- ") for line in findings) == len(advice.findings)
    actions = _section(text, "WHAT TO DO")
    assert [line[:3] for line in actions if line[0].isdigit()] == ["1. ", "2. ", "3. "]
    assert len(advice.recommendations) > 3
    assert f"Subject: {advice.draft.subject}" in lines  # type: ignore[union-attr]
    assert ENGINE_WORDS.findall(text) == []


def test_the_summary_says_why_in_one_sentence() -> None:
    """The decision's reasons, in words, make one sentence after the decision."""
    advice = _example()
    assert advice.decision is not None
    first = " ".join(advice.explain().split("\n\n")[0].split())
    reasons = [reason.text for reason in advice.decision.because]
    because = ", ".join(reasons[:-1]) + " and " + reasons[-1]
    assert first == f"Decision: {advice.decision.title}. Because {because}."


def test_the_summary_of_a_provisional_decision_says_provided_that() -> None:
    """No certain decision: the provisional one, "— provided that" its assumptions in words,
    and the questions behind it listed first among the open questions."""
    situation = {k: v for k, v in SITUATION.items() if k not in BEHIND}
    advice = ENGINE.evaluate(situation, today=TODAY)
    assert advice.decision is None and advice.provisional is not None
    text = advice.explain()
    said = " and ".join(item.text for item in advice.assuming)
    assert " ".join(text.split()).startswith(
        f"Decision: {advice.provisional.title} — provided that {said}. Because "
    )
    questions = _section(text, "OPEN QUESTIONS")
    assert questions[0].startswith("- " + advice.assuming[0].question.split()[0])
    assert [q.fact for q in advice.questions[: len(BEHIND)]] == [a.fact for a in advice.assuming]
    assert ENGINE_WORDS.findall(text) == []


BEHIND = ["interviewer_requested_no_contact", "already_contacted_interviewer"]


@settings(max_examples=scaled(150))
@given(situation=bundled_situations(FACTS))
def test_summary_and_full_never_show_engine_words(situation: dict[str, Any]) -> None:
    """For any situation, the summary and the full explanation hold no rule ids, decision
    ids, derived-fact names or formulas, and no text line is longer than 100 columns
    unless it is one unbreakable word."""
    advice = ENGINE.evaluate(situation, today=TODAY)
    for level in ("summary", "full"):
        text = advice.explain(level)  # type: ignore[arg-type]
        assert ENGINE_WORDS.findall(text) == [], level
        long = [line for line in text.splitlines() if len(line) > 100 and " " in line.strip()]
        assert long == [], level


# ---------------------------------------------------------------- full and trace
def test_full_groups_the_how_to_under_the_decision() -> None:
    """The how-to recommendations come under the decision they follow from, without
    repeating the reason "contacting the interviewer is advised" for each of them."""
    advice = _example()
    full = advice.explain("full")
    advised = SPEC.derived["outreach_advised"].when_true
    assert advised is not None
    assert full.count(advised) == 0
    assert advice.explain("trace").count(advised) >= 7
    how = _section(full, "HOW TO GO ABOUT IT")
    numbered = [line for line in how if re.match(r"\d+\. ", line)]
    assert len(numbered) == len(advice.recommendations)
    assert max(len(line) for line in full.splitlines()) <= 100
    assert full.count("- why: ") == len(advice.recommendations) - 1 + 1 + len(advice.findings)


def test_trace_keeps_the_engine_view() -> None:
    """The trace level names rules, how derived facts were set and computed, every
    question's fact, and lists every rule of the pack, fired or not."""
    advice = _example()
    trace = advice.explain("trace")
    assert trace.startswith(
        "DECISION\nContact the interviewer (contact_interviewer, by rule contact_interviewer)\n"
    )
    assert "   - (prepared was set by rule preparation_done)" in trace
    assert "(days_until_interview is computed as days_until(interview_date))" in trace
    rules = _section(trace, "RULES")
    assert len(rules) == len(ENGINE.program.rules)
    assert "- contact_interviewer (priority 50): fired" in rules
    assert "- respect_no_contact_request (priority 100): not fired" in rules


def test_explain_refuses_an_unknown_level_or_format() -> None:
    """A misspelt level or format is a ValueError that says what is allowed."""
    advice = _example()
    with pytest.raises(
        ValueError, match=r"^level must be 'summary', 'full' or 'trace', not 'ful'$"
    ):
        advice.explain("ful")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^format must be 'text' or 'markdown', not 'html'$"):
        advice.explain(format="html")  # type: ignore[arg-type]


# ---------------------------------------------------------------- Markdown
class _Structure(HTMLParser):
    """The element tree of an HTML fragment, as nested (tag, children) tuples, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.root: list[Any] = []
        self.stack: list[list[Any]] = [self.root]
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:  # noqa: ARG002 - HTMLParser API
        node: list[Any] = []
        self.stack[-1].append((tag, node))
        if tag not in ("br", "hr"):
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("br", "hr"):
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _tree(html: str) -> _Structure:
    parser = _Structure()
    parser.feed(html)
    return parser


def _depth(nodes: list[Any], tags: tuple[str, ...] = ("ul", "ol")) -> int:
    """How deep lists nest inside each other."""
    deepest = 0
    for tag, children in nodes:
        inner = _depth(children, tags)
        deepest = max(deepest, inner + 1 if tag in tags else inner)
    return deepest


def _top(nodes: list[Any]) -> list[str]:
    return [tag for tag, _ in nodes]


RENDERERS = {
    "markdown-it (CommonMark)": lambda text: MarkdownIt("commonmark").render(text),
    "Python-Markdown": lambda text: markdown.markdown(text, extensions=["fenced_code"]),
}


@pytest.mark.parametrize("renderer", list(RENDERERS))
def test_markdown_lists_stay_nested(renderer: str) -> None:
    """Rendered by a real Markdown library, the reasons under a numbered recommendation are
    a list inside its item, and the trace's chains nest three deep: not flattened into the
    numbered list."""
    render = RENDERERS[renderer]
    advice = _example()
    full = _tree(render(advice.explain("full", format="markdown")))
    assert _top(full.root) == ["h2", "p", "ul", "h2", "ol", "h2", "ol", "h2", "p", "pre"]
    numbered = full.root[4][1]
    assert [tag for tag, _ in numbered] == ["li"] * len(advice.recommendations)
    assert _depth(numbered[1][1]) == 1  # the second item holds its reasons as a list
    trace = _tree(render(advice.explain("trace", format="markdown")))
    assert _depth(trace.root) >= 3
    summary = _tree(render(advice.explain(format="markdown")))
    assert _top(summary.root) == ["p", "h2", "ul", "h2", "ol", "h2", "p", "pre"]


@pytest.mark.parametrize("renderer", list(RENDERERS))
def test_markdown_shows_names_as_typed(renderer: str) -> None:
    """A name holding HTML or Markdown characters is shown as typed: no element is made of
    it, and the draft stays one preformatted block."""
    render = RENDERERS[renderer]
    name = "<b>Dana</b> *Lee* [x](y) _z_"
    advice = ENGINE.evaluate({**SITUATION, "interviewer_name": name}, today=TODAY)
    html = render(advice.explain("full", format="markdown"))
    tree = _tree(html)
    tags = re.findall(r"<(\w+)", html)
    assert not {"b", "em", "a"} & set(tags)
    assert name in "".join(tree.text)
    assert tags.count("pre") == 1


# ---------------------------------------------------------------- the compact summary
@pytest.mark.parametrize("backend", BACKENDS)
def test_the_compact_summary_of_the_example(backend: str) -> None:
    """`advice.summary()` is small JSON (under 4 KB here, where the full dump is ten times
    that) with the decision, its reasons in words, three actions, the findings, the draft
    and the questions; it reads back equal."""
    advice = _example(backend)
    summary = advice.summary()
    data = summary.model_dump_json()
    assert len(data.encode("utf-8")) < 4096 < len(advice.model_dump_json())
    assert orr.Summary.model_validate_json(data) == summary
    assert summary.decision is not None and not summary.decision.provisional
    assert summary.decision.title == advice.decision.title  # type: ignore[union-attr]
    assert summary.decision.because == [r.text for r in advice.decision.because]  # type: ignore[union-attr]
    assert summary.actions == [r.text for r in advice.recommendations[:3]]
    assert [f.text for f in summary.findings] == [f.text for f in advice.findings]
    assert summary.draft == advice.draft
    assert [q.fact for q in summary.questions] == [q.fact for q in advice.questions]
    words = summary.model_dump(exclude={"questions": True, "decision": {"id"}})
    assert ENGINE_WORDS.findall(json.dumps(words)) == []


def test_the_compact_summary_of_a_provisional_decision() -> None:
    """A provisional decision is marked so, with what it is provided on, in words."""
    situation = {k: v for k, v in SITUATION.items() if k not in BEHIND}
    advice = ENGINE.evaluate(situation, today=TODAY)
    summary = advice.summary()
    assert summary.decision is not None and summary.decision.provisional
    assert summary.decision.provided_that == [SPEC.facts[f].when_false for f in BEHIND]
    assert not set(summary.decision.because) & set(summary.decision.provided_that)


def test_advice_with_a_provisional_decision_travels() -> None:
    """JSON and pickle round trips keep the provisional decision and its assumptions."""
    situation = {k: v for k, v in SITUATION.items() if k not in BEHIND}
    advice = ENGINE.evaluate(situation, today=TODAY)
    again = orr.Advice.model_validate_json(advice.model_dump_json())
    assert again == advice and again.assuming == advice.assuming
    unpickled = pickle.loads(pickle.dumps(advice))  # noqa: S301 - our own pickle
    assert unpickled == advice and unpickled.provisional == advice.provisional


# ---------------------------------------------------------------- the command line
def test_make_demo_shows_the_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """`make demo` runs `advise` without a level: the summary, the same as --level summary."""
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\ndemo:")[1].splitlines()[1]
    args = shlex.split(recipe.strip())
    assert args[0] == "$(BIN)/outreach-rules" and "--explain" not in args
    assert cli.main(args[1:]) == 0
    shown = capsys.readouterr().out
    assert shown == _example().explain()
    assert cli.main([*args[1:], "--level", "summary"]) == 0
    assert capsys.readouterr().out == shown


def test_advise_takes_a_level(capsys: pytest.CaptureFixture[str]) -> None:
    """`--level full|trace` and `--format markdown` choose the rendering; `--explain` is
    `--level trace`."""
    base = ["advise", str(EXAMPLE), "--today", "2026-03-02", "--backend", "python"]
    advice = _example()
    for extra, expected in [
        (["--level", "full"], advice.explain("full")),
        (["--level", "trace", "--format", "markdown"], advice.explain("trace", "markdown")),
        (["--explain"], advice.explain("trace")),
    ]:
        assert cli.main([*base, *extra]) == 0
        assert capsys.readouterr().out == expected, extra
