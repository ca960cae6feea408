"""Helpers for pack authors: run a pack's YAML test cases, measure coverage, draw situations.

A case file holds `cases:`, each with a `name`, a `situation`, an optional `today`, and
`expect` (all keys optional). A top-level `pack:` names the pack files or folders the cases
test, relative to the case file (a list overlays, like `Engine.from_paths`); without it the
cases test the bundled packs::

    pack: ../../rules                        # optional; a path or a list of paths
    cases:
      - name: recruiter-route-wins
        today: 2026-03-02
        situation: {spoke_with_recruiter: true}
        expect:
          decision: ask_recruiter            # or null
          alternatives: {present: [decision], absent: [decision]}   # the decisions that lost
          recommend: {present: [rule_id], absent: [rule_id]}
          flag: {present: [rule_id], absent: [rule_id]}
          questions: {present: [fact], absent: [fact]}
          draft: {contains: ["text"], not_contains: ["["]}    # or null: no draft
          # a draft may also name its `id` and `channel`, and give its `subject` or `body`
          # in full (a mismatch shows a diff)
          says: {contains: ["text"], not_contains: ["text"]}  # what the candidate reads:
          # the decision, recommendations, findings, questions and assumptions
        locale: de                           # optional: the advice's language

`run_pack_tests(paths)` runs every case of the files (folders give their `*.yaml`) and
returns a `PackTestReport`: the failures with readable diffs, rule coverage (rules seen
firing / all rules) and condition coverage (each atom of each rule seen true and seen false).
`situations(engine)` is a Hypothesis strategy for valid situations of any pack.

With pytest, `pytest_plugins = ["outreach_rules.testing"]` in a `conftest.py` provides the
fixture `pack_tests` (the function `run_pack_tests`)::

    def test_pack(pack_tests):
        report = pack_tests(["tests/cases"])
        assert report.passed, report.render()
        assert report.rule_percent >= 90
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import importlib.util
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _expr as expr
from ._advice import Advice
from ._engine import Backend, Engine, bundled_pack_dir
from ._files import read_bounded
from ._suggest import suggest
from ._yaml import Document, YamlProblem, decode, read_document
from .errors import OutreachRulesError, Problem, RulebookError

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from ._rulebook import FactSpec

# The pytest fixture `pack_tests` is not listed: pytest finds it through the plugin
# (`pytest_plugins = ["outreach_rules.testing"]`), and it exists only where pytest does.
__all__ = [
    "Case",
    "CaseResult",
    "Coverage",
    "PackTestReport",
    "bundled_scenarios",
    "condition_coverage",
    "load_cases",
    "rule_coverage",
    "run_case",
    "run_pack_tests",
    "situations",
]

_MISSING = object()
_OMIT = object()  # a fact left out of a generated situation
DEFAULT_TODAY = datetime.date(2026, 1, 1)
_FILE_KEYS = frozenset({"pack", "cases", "description"})
_CASE_KEYS = frozenset({"name", "description", "today", "situation", "expect", "locale"})
_EXPECT_KEYS = frozenset(
    {"decision", "alternatives", "recommend", "flag", "questions", "draft", "says"}
)
_TEXT_KEYS = frozenset({"contains", "not_contains"})
_SET_KEYS = frozenset({"present", "absent"})
_DRAFT_KEYS = frozenset({"id", "channel", "subject", "body", "contains", "not_contains"})


@dataclass(frozen=True)
class Case:
    """One test case of a pack."""

    name: str
    file: str
    situation: dict[str, Any]
    expect: dict[str, Any]
    today: datetime.date | None = None
    description: str = ""
    pack: tuple[str, ...] = ()  # the pack paths the case tests; () = the bundled packs
    locale: str | None = None  # the advice's language; None = the pack's own


@dataclass
class CaseResult:
    case: Case
    failures: list[str] = field(default_factory=list)
    advice: Advice | None = None

    @property
    def passed(self) -> bool:
        return not self.failures


# ---------------------------------------------------------------- loading case files
def load_cases(paths: Iterable[str | Path]) -> list[Case]:
    """Every case of the given case files or folders (folders give their *.yaml, sorted).

    A rule pack in a folder is passed over (cases often sit beside their pack); a rule pack
    given by name is a problem. Raises RulebookError listing every problem of the files
    (unknown keys, a case without a name, a `today` that is not a date, ...) with its
    position."""
    cases: list[Case] = []
    problems: list[Problem] = []
    for path, named in _files(paths):
        try:
            raw = read_bounded(path)
            doc = read_document(decode(raw, str(path)), str(path))
        except YamlProblem as problem:
            problems.append(problem.problem)
            continue
        if _is_pack(doc.data):
            if named:
                problems.append(doc.problem((), _PACK_GIVEN_AS_CASES, code="case"))
            continue
        found, bad = _cases_of(doc, path)
        cases.extend(found)
        problems.extend(bad)
    if problems:
        raise RulebookError(problems)
    return cases


_PACK_GIVEN_AS_CASES = (
    "this is a rule pack, not a case file (a case file holds `cases:`): "
    "name the pack in the case file's `pack:` or give it with --pack"
)
_PACK_ONLY_KEYS = frozenset({"rules", "facts", "decisions", "sources", "params", "drafts"})


def _is_pack(data: Any) -> bool:
    """Whether a YAML document is a rule pack: no `cases:`, and a key only packs have."""
    return isinstance(data, dict) and "cases" not in data and bool(_PACK_ONLY_KEYS & set(data))


def _files(paths: Iterable[str | Path]) -> list[tuple[Path, bool]]:
    """The files to read, each with whether it was named (True) or found in a folder."""
    found: list[tuple[Path, bool]] = []
    for entry in map(Path, paths):
        if entry.is_dir():
            found.extend((path, False) for path in sorted(entry.rglob("*.yaml")))
        else:
            found.append((entry, True))
    return found


def _cases_of(doc: Document, path: Path) -> tuple[list[Case], list[Problem]]:
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        return [], [doc.problem((), "a case file is a mapping with `cases:`", code="case")]
    problems = _unknown_keys(doc, (), data, _FILE_KEYS)
    pack = data.get("pack")
    packs: tuple[str, ...] = ()
    if isinstance(pack, str):
        packs = (str((path.parent / pack).resolve()),)
    elif isinstance(pack, list) and pack and all(isinstance(p, str) for p in pack):
        packs = tuple(str((path.parent / p).resolve()) for p in pack)
    elif pack is not None:
        problems.append(doc.problem(("pack",), "`pack` is a path or a list of paths", code="case"))
    items = data.get("cases") or []
    if not isinstance(items, list):
        problems.append(doc.problem(("cases",), "`cases` is a list of cases", code="case"))
        items = []
    cases: list[Case] = []
    for index, item in enumerate(items):
        where = ("cases", index)
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            problems.append(doc.problem(where, "a case is a mapping with a `name`", code="case"))
            continue
        bad = _case_problems(doc, where, item)
        problems.extend(bad)
        if bad:
            continue
        cases.append(
            Case(
                name=item["name"],
                file=str(path),
                situation=dict(item.get("situation") or {}),
                expect=dict(item.get("expect") or {}),
                today=item.get("today"),
                description=str(item.get("description", "")),
                pack=packs,
                locale=item.get("locale"),
            )
        )
    return cases, problems


def _case_problems(
    doc: Document, where: tuple[str | int, ...], item: dict[str, Any]
) -> list[Problem]:
    problems = _unknown_keys(doc, where, item, _CASE_KEYS)
    today = item.get("today")
    if today is not None and (
        not isinstance(today, datetime.date) or isinstance(today, datetime.datetime)
    ):
        problems.append(
            doc.problem((*where, "today"), "`today` is a date such as 2026-03-02", code="case")
        )
    if not isinstance(item.get("situation") or {}, dict):
        problems.append(
            doc.problem((*where, "situation"), "`situation` is a mapping of facts", code="case")
        )
    if not isinstance(item.get("locale", ""), str):
        problems.append(
            doc.problem((*where, "locale"), "`locale` is a text such as de", code="case")
        )
    expect = item.get("expect") or {}
    if not isinstance(expect, dict):
        return [*problems, doc.problem((*where, "expect"), "`expect` is a mapping", code="case")]
    problems += _unknown_keys(doc, (*where, "expect"), expect, _EXPECT_KEYS)
    for key in ("alternatives", "recommend", "flag", "questions"):
        value = expect.get(key)
        if value is not None:
            problems += _shape(doc, (*where, "expect", key), value, _SET_KEYS)
    draft = expect.get("draft")
    if draft is not None:
        problems += _shape(doc, (*where, "expect", "draft"), draft, _DRAFT_KEYS)
    says = expect.get("says")
    if says is not None:
        problems += _shape(doc, (*where, "expect", "says"), says, _TEXT_KEYS)
    return problems


def _shape(
    doc: Document, where: tuple[str | int, ...], value: Any, keys: frozenset[str]
) -> list[Problem]:
    if not isinstance(value, dict):
        listed = ", ".join(sorted(keys))
        return [doc.problem(where, f"expected a mapping with {listed}", code="case")]
    return _unknown_keys(doc, where, value, keys)


def _unknown_keys(
    doc: Document, where: tuple[str | int, ...], value: dict[str, Any], keys: frozenset[str]
) -> list[Problem]:
    return [
        doc.problem_at(
            doc.key_mark((*where, key)),
            f"unknown key '{key}'",
            code="case",
            suggestions=tuple(suggest(str(key), keys)),
            width=len(str(key)),
        )
        for key in value
        if key not in keys
    ]


# ---------------------------------------------------------------- running one case
def run_case(engine: Engine, case: Case) -> CaseResult:
    """Evaluate a case and compare the advice with its expectations."""
    advice = engine.evaluate(case.situation, today=case.today or DEFAULT_TODAY, locale=case.locale)
    result = CaseResult(case, advice=advice)
    expect = case.expect
    decision = expect.get("decision", _MISSING)
    if decision is not _MISSING:
        actual = advice.decision.id if advice.decision else None
        if actual != decision:
            result.failures.append(_decision_failure(decision, advice))
    ids = {
        "alternatives": {d.id for d in advice.alternatives},
        "recommend": {r.rule_id for r in advice.recommendations},
        "flag": {f.rule_id for f in advice.findings},
        "questions": {q.fact for q in advice.questions},
    }
    for key, actual_ids in ids.items():
        _compare_sets(result, key, expect.get(key) or {}, actual_ids)
    _compare_draft(result, expect.get("draft", _MISSING), advice)
    _compare_says(result, expect.get("says") or {}, advice)
    return result


def _what_it_says(advice: Advice) -> str:
    """Every text of the advice a candidate reads, one a line."""
    decision = advice.decision or advice.provisional
    texts = [decision.title, decision.rationale] if decision else []
    texts += [item.text for item in [*advice.recommendations, *advice.findings]]
    texts += [question.prompt for question in advice.questions]
    texts += [assumption.text for assumption in advice.assuming]
    return "\n".join(texts)


def _compare_says(result: CaseResult, expected: dict[str, Any], advice: Advice) -> None:
    if not expected:
        return
    text = _what_it_says(advice)
    for needle in expected.get("contains", []):
        if needle not in text:
            result.failures.append(f"says: expected {needle!r}; the advice reads:\n{_indent(text)}")
    for needle in expected.get("not_contains", []):
        if needle in text:
            result.failures.append(
                f"says: expected no {needle!r}; the advice reads:\n{_indent(text)}"
            )


def _decision_failure(expected: Any, advice: Advice) -> str:
    winner = advice.decision
    if winner is None:
        text = f"decision: expected {expected}, got none (no decide rule fired)"
    else:
        text = (
            f"decision: expected {expected}, got {winner.id} "
            f"(rule {winner.rule_id}, priority {winner.priority})"
        )
    for other in advice.alternatives:
        text += f"\n    also proposed: {other.id} (rule {other.rule_id}, priority {other.priority})"
    idle = [
        rule
        for rule in (advice.trace.rules if advice.trace else [])
        if rule.decides == expected and not rule.fired
    ]
    for rule in idle:
        failed = [
            f"{c.condition} ({'unknown' if c.holds is None else 'false'})"
            for c in rule.conditions
            if c.holds is not True
        ]
        text += f"\n    {rule.rule_id} (decides {expected}) did not fire: " + (
            "; ".join(failed[:4]) or "its alternatives did not hold"
        )
    return text


def _compare_sets(result: CaseResult, key: str, expected: dict[str, Any], actual: set[str]) -> None:
    missing = sorted(set(expected.get("present", [])) - actual)
    unwanted = sorted(set(expected.get("absent", [])) & actual)
    if missing:
        result.failures.append(
            f"{key}: expected present {missing}; got {sorted(actual)}\n"
            f"    missing: {', '.join(missing)}"
        )
    if unwanted:
        result.failures.append(
            f"{key}: expected absent {unwanted}\n    unwanted: {', '.join(unwanted)}"
        )


def _compare_draft(result: CaseResult, expected: Any, advice: Advice) -> None:
    if expected is _MISSING:
        return
    draft = advice.draft
    if expected is None:
        if draft is not None:
            result.failures.append(f"draft: expected none, got {draft.id}")
        return
    if draft is None:
        decided = advice.decision.id if advice.decision else "no decision"
        result.failures.append(f"draft: expected a draft, got none (decision: {decided})")
        return
    for key in ("id", "channel"):
        want = expected.get(key)
        if want is not None and getattr(draft, key) != want:
            result.failures.append(f"draft {key}: expected {want}, got {getattr(draft, key)}")
    for key in ("subject", "body"):
        want = expected.get(key)
        if want is not None and getattr(draft, key).strip() != str(want).strip():
            result.failures.append(
                f"draft {key} differs:\n" + _diff(str(want), getattr(draft, key))
            )
    text = f"{draft.subject}\n{draft.body}"
    for needle in expected.get("contains", []):
        if needle not in text:
            result.failures.append(
                f"draft: expected to contain {needle!r}; the draft reads:\n{_indent(text)}"
            )
    for needle in expected.get("not_contains", []):
        if needle in text:
            result.failures.append(
                f"draft: expected not to contain {needle!r}; the draft reads:\n{_indent(text)}"
            )


def _diff(expected: str, actual: str) -> str:
    lines = difflib.unified_diff(
        expected.strip().splitlines(),
        actual.strip().splitlines(),
        fromfile="expected",
        tofile="actual",
        lineterm="",
    )
    return _indent("\n".join(lines))


def _indent(text: str, prefix: str = "    | ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


# ---------------------------------------------------------------- coverage
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


def condition_coverage(
    engine: Engine, results: Iterable[CaseResult]
) -> dict[tuple[str, int], tuple[str, bool, bool]]:
    """For every atom of every rule, by (rule id, position): (its text, seen true, seen false).

    The atoms are those of the condition's negation normal form, as in the trace."""
    seen = {
        (rule.id, index): (atom.text, False, False)
        for rule in engine.program.rules
        if rule.checked.spec
        for index, atom in enumerate(rule.atoms)
    }
    for result in results:
        if result.advice is None or result.advice.trace is None:
            continue
        for rule in result.advice.trace.rules:
            for index, condition in enumerate(rule.conditions):
                key = (rule.rule_id, index)
                if key in seen:
                    text, true, false = seen[key]
                    seen[key] = (
                        text,
                        true or condition.holds is True,
                        false or condition.holds is False,
                    )
    return seen


def _percent(part: int, whole: int) -> float:
    return 100.0 if whole == 0 else round(100.0 * part / whole, 1)


@dataclass
class Coverage:
    """Coverage of one pack (or one overlay stack) by the cases that test it."""

    pack: str
    version: str
    paths: tuple[str, ...]
    rules: dict[str, tuple[bool, bool]]
    conditions: dict[tuple[str, int], tuple[str, bool, bool]]

    @property
    def fired(self) -> list[str]:
        return [rule for rule, (fired, _) in self.rules.items() if fired]

    @property
    def never_fired(self) -> list[str]:
        return [rule for rule, (fired, _) in self.rules.items() if not fired]

    @property
    def rule_percent(self) -> float:
        """Rules seen firing, in percent of all rules."""
        return _percent(len(self.fired), len(self.rules))

    @property
    def outcomes_seen(self) -> int:
        return sum(int(true) + int(false) for _, true, false in self.conditions.values())

    @property
    def condition_percent(self) -> float:
        """Condition outcomes seen (each atom true, each atom false), in percent of all."""
        return _percent(self.outcomes_seen, 2 * len(self.conditions))

    @property
    def uncovered(self) -> list[tuple[str, str, bool, bool]]:
        """(rule, condition, seen true, seen false) of each atom not seen both ways."""
        return [
            (rule, text, true, false)
            for (rule, _), (text, true, false) in self.conditions.items()
            if not (true and false)
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "version": self.version,
            "paths": [_display(path) for path in self.paths],
            "rules": {
                "fired": len(self.fired),
                "total": len(self.rules),
                "percent": self.rule_percent,
                "never_fired": self.never_fired,
            },
            "conditions": {
                "outcomes_seen": self.outcomes_seen,
                "outcomes": 2 * len(self.conditions),
                "percent": self.condition_percent,
                "uncovered": [
                    {"rule": rule, "condition": text, "seen_true": true, "seen_false": false}
                    for rule, text, true, false in self.uncovered
                ],
            },
        }


@dataclass
class PackTestReport:
    """The results of a pack's cases and the coverage of every pack they test."""

    results: list[CaseResult]
    coverage: list[Coverage]

    @property
    def failed(self) -> list[CaseResult]:
        return [result for result in self.results if not result.passed]

    @property
    def passed(self) -> bool:
        """Whether every case passed."""
        return not self.failed

    @property
    def rule_percent(self) -> float:
        """The lowest rule coverage of the packs tested (100 when no pack was tested)."""
        return min((c.rule_percent for c in self.coverage), default=100.0)

    def render(self, verbose: bool = False) -> str:
        """The report as text: failures with diffs, then coverage per pack."""
        lines: list[str] = []
        for result in self.failed:
            lines.append(f"FAIL {_display(result.case.file)}: {result.case.name}")
            lines.extend(_indent(failure, "    ") for failure in result.failures)
        if verbose:
            lines.extend(
                f"ok   {_display(result.case.file)}: {result.case.name}"
                for result in self.results
                if result.passed
            )
        count = len(self.results)
        lines.append(
            f"{count} case{'s' if count != 1 else ''}: "
            f"{count - len(self.failed)} passed, {len(self.failed)} failed"
        )
        for cover in self.coverage:
            where = ", ".join(map(_display, cover.paths)) if cover.paths else "the bundled packs"
            lines.append(f"{cover.pack} {cover.version} ({where}):")
            lines.append(
                f"  rule coverage:      {len(cover.fired)}/{len(cover.rules)} rules fired "
                f"({cover.rule_percent:.1f}%)"
            )
            lines.append(
                f"  condition coverage: {cover.outcomes_seen}/{2 * len(cover.conditions)} "
                f"outcomes ({cover.condition_percent:.1f}%): each condition seen true and false"
            )
            if cover.never_fired:
                lines.append("  never fired: " + ", ".join(cover.never_fired))
            if verbose:
                for rule, text, true, false in cover.uncovered:
                    missing = " and ".join(
                        word for word, seen in (("true", true), ("false", false)) if not seen
                    )
                    lines.append(f"  not seen {missing}: {rule}: {text}")
            elif cover.uncovered:
                lines.append(
                    f"  {len(cover.uncovered)} conditions not seen both true and false "
                    "(--verbose lists them)"
                )
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "passed": len(self.results) - len(self.failed),
            "failed": len(self.failed),
            "cases": [
                {
                    "name": r.case.name,
                    "file": _display(r.case.file),
                    "passed": r.passed,
                    "failures": r.failures,
                }
                for r in self.results
            ],
            "coverage": [cover.to_json() for cover in self.coverage],
        }


def _display(path: str) -> str:
    """A path relative to the working directory when it lies below it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def bundled_scenarios() -> Path | None:
    """The bundled pack's scenarios: `tests/scenarios` of a source checkout, or None.

    An installed package ships the packs but not their scenarios."""
    packs = bundled_pack_dir()
    if packs.name != "rules":
        return None
    found = packs.parent / "tests" / "scenarios"
    return found if found.is_dir() else None


def run_pack_tests(
    paths: Sequence[str | Path] | None = None,
    *,
    backend: Backend = "python",
    packs: Sequence[str | Path] | None = None,
) -> PackTestReport:
    """Run the cases of the given files or folders (default: the bundled scenarios).

    Each case runs against `packs` when given, else the packs its file names (`pack:`), the
    bundled packs otherwise; an invalid situation or a pack that does not load is a failure
    of the case."""
    if not paths:
        found = bundled_scenarios()
        if found is None:
            raise OutreachRulesError(
                "no case files given, and the bundled scenarios (tests/scenarios) ship only "
                "with a source checkout"
            )
        paths = [found]
    cases = load_cases(paths)
    if packs:
        chosen = tuple(str(Path(pack).resolve()) for pack in packs)
        cases = [dataclasses.replace(case, pack=chosen) for case in cases]
    engines: dict[tuple[str, ...], Engine | str] = {}
    grouped: dict[tuple[str, ...], list[CaseResult]] = {}
    results: list[CaseResult] = []
    for case in cases:
        engine = engines.get(case.pack)
        if engine is None:
            engine = engines[case.pack] = _engine(case.pack, backend)
        if isinstance(engine, str):
            result = CaseResult(case, failures=[engine])
        else:
            try:
                result = run_case(engine, case)
            except OutreachRulesError as error:
                result = CaseResult(case, failures=[f"error: {error}"])
            grouped.setdefault(case.pack, []).append(result)
        results.append(result)
    coverage = []
    for pack, group in grouped.items():
        engine = engines[pack]
        assert isinstance(engine, Engine)
        spec = engine.rulebook.spec
        coverage.append(
            Coverage(
                spec.pack,
                spec.version,
                pack,
                rule_coverage(engine, group),
                condition_coverage(engine, group),
            )
        )
    return PackTestReport(results, coverage)


def _engine(pack: tuple[str, ...], backend: Backend) -> Engine | str:
    """The engine for a case file's `pack:`, or the error message when it does not load."""
    try:
        return Engine.from_paths(*pack, backend=backend) if pack else Engine.default(backend)
    except OutreachRulesError as error:
        return f"the pack does not load: {error}"


# ---------------------------------------------------------------- random situations
_FRAGMENTS = (
    "Dear Ms. Lee,",
    "Hello Dana,",
    "Hi",
    "Thank you for the opportunity.",
    "thanks",
    "I want to prepare well for the interview.",
    "Which skills matter most for this role in the first months?",
    "What should I prepare?",
    "why?",
    "!!",
    "😀",
    "VERY EXCITED",
    "Best regards,\nSam",
    "Sincerely",
    "\n",
)
_MAX_INT = 2**53
_MAX_ITEMS = 8


def situations(engine: Engine, *, unknown: bool = True) -> SearchStrategy[dict[str, Any]]:
    """A Hypothesis strategy for valid situations of the engine's pack.

    Every declared fact is drawn from its type (enum values, dates, short strings, lists,
    texts mixing the pack's own words with random text, numbers near the pack's thresholds).
    With `unknown` (the default) facts are also unknown, missing or null: how many varies
    from situation to situation, from none to most. Needs hypothesis, which is imported
    here, not when this module is."""
    from hypothesis import strategies as st  # noqa: PLC0415 - a dev dependency, only used here

    words = sorted(_pack_strings(engine))
    numbers = sorted(_pack_numbers(engine))
    facts = engine.rulebook.spec.facts
    values = {name: _fact_values(st, spec, words, numbers) for name, spec in facts.items()}
    if not unknown:
        return st.fixed_dictionaries(values)
    missing = st.sampled_from([None, _OMIT])

    def fact(share: int, known: SearchStrategy[Any]) -> SearchStrategy[Any]:
        return st.integers(0, 9).flatmap(lambda roll: missing if roll < 2 * share else known)

    def situation(share: int) -> SearchStrategy[dict[str, Any]]:
        drawn = {name: fact(share, known) for name, known in values.items()}
        return st.fixed_dictionaries(drawn).map(
            lambda found: {k: v for k, v in found.items() if v is not _OMIT}
        )

    # 0%, 20%, ... 80% of the facts unknown
    return st.integers(0, 4).flatmap(situation)


def _fact_values(
    st: Any, spec: FactSpec, words: list[str], numbers: list[int | float]
) -> SearchStrategy[Any]:
    alphabet = st.characters(exclude_categories=("Cs",))
    short = st.text(alphabet, max_size=40)
    if words:
        short = st.one_of(st.sampled_from(words), short)
    integers = st.one_of(st.integers(-400, 400), st.integers(-_MAX_INT, _MAX_INT))
    if numbers:
        integers = st.one_of(st.sampled_from([int(n) for n in numbers]), integers)
    kinds: dict[str, Any] = {
        "bool": st.booleans(),
        "int": integers,
        "float": st.one_of(
            integers.map(float), st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)
        ),
        "str": short,
        "enum": st.sampled_from(spec.values or [""]),
        "date": st.dates(datetime.date(2020, 1, 1), datetime.date(2035, 12, 31)),
        "list": st.lists(short, max_size=_MAX_ITEMS),
        "text": st.lists(st.one_of(st.sampled_from(_FRAGMENTS), short), max_size=12).map(" ".join),
    }
    found: SearchStrategy[Any] = kinds[spec.type]
    return found


def _terms(engine: Engine) -> list[Any]:
    found: list[Any] = []
    stack: list[Any] = [
        atom for rule in engine.program.checked.rules for atom in expr.atoms(rule.cond)
    ]
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, expr.Truth):
            stack.append(node.term)
        elif isinstance(node, expr.Compare):
            stack += [node.left, node.right]
        elif isinstance(node, expr.Member):
            stack += [node.item, node.container]
        elif isinstance(node, expr.Call):
            stack += list(node.args)
        elif isinstance(node, expr.ListLit):
            stack += list(node.items)
    return found


def _pack_strings(engine: Engine) -> set[str]:
    """Strings the pack's conditions compare with or look for (literals, list params)."""
    found = {t.value for t in _terms(engine) if isinstance(t, expr.Const) and t.type == "str"}
    for value in engine.params.values():
        if isinstance(value, list):
            found.update(item for item in value if isinstance(item, str))
        elif isinstance(value, str):
            found.add(value)
    return {text for text in found if len(text) <= 200}


def _pack_numbers(engine: Engine) -> set[int | float]:
    """The numbers the pack's conditions compare with, and their neighbours."""
    found: set[int | float] = set()
    for term in _terms(engine):
        value = (
            getattr(term, "value", None) if isinstance(term, expr.Const | expr.ParamRef) else None
        )
        if isinstance(value, int | float) and not isinstance(value, bool):
            found.update({value - 1, value, value + 1})
    return {n for n in found if abs(n) <= _MAX_INT}


# ---------------------------------------------------------------- the pytest plugin
if importlib.util.find_spec("pytest") is not None:
    import pytest

    @pytest.fixture
    def pack_tests() -> Callable[..., PackTestReport]:
        """`run_pack_tests`, as a fixture of the `outreach_rules.testing` pytest plugin."""
        return run_pack_tests
