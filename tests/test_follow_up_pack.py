"""The follow-up pack built in docs/authoring-guide.md (examples/follow-up).

Its scenarios pass on both backends with full rule and condition coverage, it is free of
lint warnings, and every excerpt the guide shows is part of the shipped files.
"""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
from pathlib import Path

import pytest

import outreach_rules as orr
from outreach_rules import _durable
from outreach_rules.testing import load_cases, run_pack_tests

ROOT = Path(__file__).parent.parent
PACK = ROOT / "examples" / "follow-up" / "follow-up.yaml"
CASES = ROOT / "examples" / "follow-up" / "cases.yaml"
GUIDE = ROOT / "docs" / "authoring-guide.md"
BACKENDS = ["python", "durable"] if _durable.available() else ["python"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_scenarios_pass_with_full_coverage(backend: str) -> None:
    report = run_pack_tests([CASES], backend=backend)  # type: ignore[arg-type]
    assert report.passed, report.render()
    assert len(report.results) == len(load_cases([CASES])) >= 10
    [coverage] = report.coverage
    assert coverage.pack == "interview-follow-up"
    assert coverage.never_fired == []
    assert coverage.rule_percent == 100.0
    assert coverage.condition_percent == 100.0, report.render(verbose=True)


def test_the_cases_test_the_shipped_pack() -> None:
    """The case file's `pack:` points at the pack next to it, not at the bundled packs."""
    cases = load_cases([CASES])
    assert {case.pack for case in cases} == {(str(PACK.resolve()),)}


def test_every_decision_is_reached_by_some_scenario() -> None:
    engine = orr.Engine.from_paths(PACK)
    decided = {
        result.advice.decision.id
        for result in run_pack_tests([CASES]).results
        if result.advice is not None and result.advice.decision is not None
    }
    assert decided == set(engine.rulebook.spec.decisions)


def test_the_pack_checks_clean_from_the_command_line() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "outreach_rules.cli", "check", str(PACK)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("ok")
    assert "warning" not in run.stdout


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_overdue_answer_is_explained_through_the_derived_fact(backend: str) -> None:
    """The follow-up decision names the rule that made the answer overdue, and its reasons."""
    engine = orr.Engine.from_paths(PACK, backend=backend)  # type: ignore[arg-type]
    advice = engine.evaluate(
        {
            "interview_date": "2026-03-05",
            "heard_back": False,
            "thank_you_sent": True,
            "reply_date_given": True,
            "promised_reply_date": "2026-03-13",
            "follow_ups_sent": 1,
        },
        today=datetime.date(2026, 3, 20),
    )
    assert advice.decision is not None and advice.decision.id == "follow_up"
    overdue = next(r for r in advice.decision.because if r.fact == "reply_overdue")
    assert overdue.set_by == "promised_date_passed"
    assert [r.fact for r in overdue.because] == ["reply_date_given", "promised_reply_date"]
    assert advice.draft is not None and advice.draft.id == "follow_up_note"


def test_params_tune_the_pack() -> None:
    """A shorter usual wait makes an answer overdue sooner."""
    situation = {
        "interview_date": "2026-03-12",
        "heard_back": False,
        "thank_you_sent": True,
        "reply_date_given": False,
        "follow_ups_sent": 0,
    }
    today = datetime.date(2026, 3, 20)
    default = orr.Engine.from_paths(PACK).evaluate(situation, today=today)
    eager = orr.Engine.from_paths(PACK, params={"usual_wait_days": 5})
    assert default.decision is not None and default.decision.id == "wait"
    tuned = eager.evaluate(situation, today=today)
    assert tuned.decision is not None and tuned.decision.id == "follow_up"


_EXCERPT = re.compile(
    r"<!-- excerpt: (?P<file>\S+) -->\n```yaml\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL
)


def _excerpts() -> list[tuple[str, str]]:
    return [(m.group("file"), m.group("body")) for m in _EXCERPT.finditer(GUIDE.read_text())]


def test_the_guide_shows_excerpts_of_both_files() -> None:
    files = {file for file, _ in _excerpts()}
    assert files == {"examples/follow-up/follow-up.yaml", "examples/follow-up/cases.yaml"}
    assert len(_excerpts()) >= 10
    assert '--8<-- "examples/follow-up/follow-up.yaml"' in GUIDE.read_text()


@pytest.mark.parametrize(("file", "excerpt"), _excerpts(), ids=lambda value: value[:40])
def test_each_excerpt_of_the_guide_is_in_the_shipped_file(file: str, excerpt: str) -> None:
    """An excerpt is a run of consecutive lines of the file, as shown."""
    lines = [line.rstrip() for line in (ROOT / file).read_text(encoding="utf-8").splitlines()]
    wanted = [line.rstrip() for line in excerpt.rstrip("\n").splitlines()]
    starts = [i for i, line in enumerate(lines) if line == wanted[0]]
    assert any(lines[i : i + len(wanted)] == wanted for i in starts), (
        f"this excerpt of {file} in docs/authoring-guide.md is not in the file:\n{excerpt}"
    )
