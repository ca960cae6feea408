"""The bundled pack's scenario files, run on every backend available here."""

from __future__ import annotations

from pathlib import Path

import pytest

import outreach_rules as orr
from outreach_rules import testing
from outreach_rules._durable import available

SCENARIOS = Path(__file__).parent / "scenarios" / "interview-outreach"
CASES = testing.load_cases([SCENARIOS])
BACKENDS = ["python", *(["durable"] if available() else [])]


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request: pytest.FixtureRequest) -> orr.Engine:
    return orr.Engine.default(backend=request.param)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_scenario(engine: orr.Engine, case: testing.Case) -> None:
    """Each scenario's expected decision, advice, findings, questions and draft hold."""
    result = testing.run_case(engine, case)
    assert result.failures == [], f"{case.file}: {case.name}"


def test_there_are_enough_scenarios() -> None:
    """The pack is specified by at least 25 scenarios."""
    assert len(CASES) >= 25


def test_every_rule_fires_and_stays_idle_somewhere() -> None:
    """Across the scenarios, every rule of the pack is seen firing and seen not firing."""
    engine = orr.Engine.default(backend="python")
    results = [testing.run_case(engine, case) for case in CASES]
    coverage = testing.rule_coverage(engine, results)
    never_fired = sorted(rule for rule, (fired, _) in coverage.items() if not fired)
    always_fired = sorted(rule for rule, (_, idle) in coverage.items() if not idle)
    assert never_fired == []
    assert always_fired == []
