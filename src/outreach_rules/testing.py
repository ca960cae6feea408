"""Helpers for pack authors: run a pack's YAML test cases and measure rule coverage.

A case file holds `cases:`, each with a `name`, a `situation`, an optional `today`, and
`expect` (all keys optional)::

    cases:
      - name: recruiter-route-wins
        today: 2026-03-02
        situation: {spoke_with_recruiter: true}
        expect:
          decision: ask_recruiter            # or null
          recommend: {present: [rule_id], absent: [rule_id]}
          flag: {present: [rule_id], absent: [rule_id]}
          questions: {present: [fact], absent: [fact]}
          draft: {contains: ["text"], not_contains: ["["]}    # or null: no draft
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._yaml import YamlProblem, decode, read_document
from .advice import Advice
from .engine import Engine
from .errors import RulebookError

_MISSING = object()


@dataclass(frozen=True)
class Case:
    """One test case of a pack."""

    name: str
    file: str
    situation: dict[str, Any]
    expect: dict[str, Any]
    today: datetime.date | None = None
    description: str = ""


@dataclass
class CaseResult:
    case: Case
    failures: list[str] = field(default_factory=list)
    advice: Advice | None = None

    @property
    def passed(self) -> bool:
        return not self.failures


def load_cases(paths: Iterable[str | Path]) -> list[Case]:
    """Every case of the given case files or folders (folders give their *.yaml, sorted)."""
    cases: list[Case] = []
    for path in _files(paths):
        raw = path.read_bytes()
        try:
            data = read_document(decode(raw, str(path)), str(path)).data or {}
        except YamlProblem as problem:
            raise RulebookError([problem.problem]) from None
        cases.extend(
            Case(
                name=str(item["name"]),
                file=str(path),
                situation=dict(item.get("situation") or {}),
                expect=dict(item.get("expect") or {}),
                today=item.get("today"),
                description=str(item.get("description", "")),
            )
            for item in data.get("cases", [])
        )
    return cases


def _files(paths: Iterable[str | Path]) -> list[Path]:
    found: list[Path] = []
    for entry in map(Path, paths):
        found.extend(sorted(entry.rglob("*.yaml")) if entry.is_dir() else [entry])
    return found


def run_case(engine: Engine, case: Case) -> CaseResult:
    """Evaluate a case and compare the advice with its expectations."""
    advice = engine.evaluate(case.situation, today=case.today or datetime.date(2026, 1, 1))
    result = CaseResult(case, advice=advice)
    expect = case.expect
    decision = expect.get("decision", _MISSING)
    if decision is not _MISSING:
        actual = advice.decision.id if advice.decision else None
        if actual != decision:
            result.failures.append(f"decision: expected {decision}, got {actual}")
    ids = {
        "recommend": {r.rule_id for r in advice.recommendations},
        "flag": {f.rule_id for f in advice.findings},
        "questions": {q.fact for q in advice.questions},
    }
    for key, actual_ids in ids.items():
        _compare_sets(result, key, expect.get(key) or {}, actual_ids)
    _compare_draft(result, expect.get("draft", _MISSING), advice)
    return result


def _compare_sets(result: CaseResult, key: str, expected: dict[str, Any], actual: set[str]) -> None:
    missing = sorted(set(expected.get("present", [])) - actual)
    unwanted = sorted(set(expected.get("absent", [])) & actual)
    if missing:
        result.failures.append(f"{key}: expected present {missing}; got {sorted(actual)}")
    if unwanted:
        result.failures.append(f"{key}: expected absent {unwanted}")


def _compare_draft(result: CaseResult, expected: Any, advice: Advice) -> None:
    if expected is _MISSING:
        return
    draft = advice.draft
    if expected is None:
        if draft is not None:
            result.failures.append(f"draft: expected none, got {draft.id}")
        return
    if draft is None:
        result.failures.append("draft: expected a draft, got none")
        return
    text = f"{draft.subject}\n{draft.body}"
    for needle in expected.get("contains", []):
        if needle not in text:
            result.failures.append(f"draft: expected to contain {needle!r}:\n{text}")
    for needle in expected.get("not_contains", []):
        if needle in text:
            result.failures.append(f"draft: expected not to contain {needle!r}:\n{text}")


def rule_coverage(engine: Engine, results: Iterable[CaseResult]) -> dict[str, tuple[bool, bool]]:
    """For every rule of the pack: (seen firing, seen not firing) across the results."""
    seen = {rule.id: (False, False) for rule in engine.program.rules if rule.checked.spec}
    for result in results:
        if result.advice is None or result.advice.trace is None:
            continue
        for rule in result.advice.trace.rules:
            if rule.rule_id in seen:
                fired, idle = seen[rule.rule_id]
                seen[rule.rule_id] = (fired or rule.fired, idle or not rule.fired)
    return seen
