"""Lint a rule pack: every load error, plus warnings about rules and names that do nothing.

`lint_paths(paths)` loads, merges, checks and compiles the packs like `Engine.from_paths`
and turns a `RulebookError` into error problems. When the pack loads, it looks for what is
valid but almost certainly a mistake, each reported as a `Problem` with
`severity="warning"`, a `code` and the position of the offending node:

- `never-fires`: a rule whose condition cannot be true, e.g. `x > 5 and x < 3`
- `always-beaten`: a `decide` rule that never wins: whenever it fires, a rule that beats it
  (a higher priority, or the same priority and a smaller id) fires too
- `unused-fact`: a fact or derived fact that no condition, value or template reads
- `unused-param`: a param that no condition, value or template reads
- `unused-decision`: a decision that no rule decides
- `unused-source`: a source that no rule or draft cites
- `unreachable-draft`: a draft whose decision no rule that can fire decides, whose `when`
  cannot hold, or that an earlier draft for the same decision without `when` shadows
- `blank-rationale`: a rationale of blanks only
- `own-source-quote`: a quote attributed to the pack's own guidance (`own: true`), which has
  no text to quote

Whether a condition can be true is decided on its disjunctive normal form
(`compile.disjunctive_normal_form`): an alternative is impossible when two of its atoms
contradict each other on the same fact or function value (number intervals with `<`, `<=`,
`==`, `!=`; the allowed and excluded values of bools, enums, strings and derived facts set by
rules; an atom and its negation), or when an atom on constants only is false. The reasoning
is sound but not complete: a warning is always right; a missing warning proves nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError, meta, nodes

from . import _expr as expr
from . import _templates
from ._check import CheckedPack, CheckedRule, check
from ._compile import OPERATORS, compile_pack, disjunctive_normal_form
from ._expr import Atom, Term
from ._rulebook import Rulebook, load_rulebook
from ._translation import check_translations
from .errors import Problem, RulebookError

__all__ = ["LintReport", "lint_checked", "lint_paths"]

WARNING = "warning"
# Functions whose result is a count: never negative.
_COUNTS = frozenset(
    {
        "word_count",
        "length",
        "count_any",
        "question_count",
        "specific_question_count",
        "exclamation_runs",
        "emoji_count",
        "shouting_count",
        "matching_count",
    }
)
_SMALL_RANGE = 1_000


@dataclass
class LintReport:
    """The outcome of linting: every problem (errors and warnings) and what was linted."""

    paths: list[str]
    problems: list[Problem] = field(default_factory=list)
    rules: int = 0
    loaded: bool = False

    @property
    def errors(self) -> list[Problem]:
        """Problems that make the pack unusable."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems in a pack that loads: valid, but probably not what the author meant."""
        return [p for p in self.problems if p.severity != "error"]

    def failed(self, strict: bool = False) -> bool:
        """Whether the pack fails the check (`strict`: warnings count as errors)."""
        return bool(self.errors or (strict and self.warnings))

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "paths": self.paths,
            "loaded": self.loaded,
            "rules": self.rules,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [problem_json(p) for p in self.problems],
        }


def problem_json(problem: Problem) -> dict[str, Any]:
    """One problem as JSON-ready data."""
    return {
        "file": problem.file,
        "line": problem.line,
        "column": problem.column,
        "severity": problem.severity,
        "code": problem.code,
        "rule_id": problem.rule_id,
        "message": problem.message,
        "suggestions": list(problem.suggestions),
    }


def lint_paths(paths: Sequence[str | Path], params: Mapping[str, Any] | None = None) -> LintReport:
    """Load the packs (later files overlay earlier ones) and lint them.

    Load errors (a `RulebookError`) become the report's errors; a pack that loads is linted
    for warnings."""
    report = LintReport([str(path) for path in paths])
    try:
        rulebook = load_rulebook(paths)
        checked = check(rulebook, params)
        compile_pack(checked)
    except RulebookError as error:
        report.problems = list(error.problems)
        return report
    report.loaded = True
    report.rules = sum(1 for rule in checked.rules if not rule.synthetic)
    _, translated = check_translations(checked)
    report.problems = translated + lint_checked(checked)
    return report


def lint_checked(checked: CheckedPack) -> list[Problem]:
    """The warnings of a checked pack, sorted by file and position."""
    problems = _Linter(checked).run()
    return sorted(problems, key=lambda p: (p.file, p.line, p.column, p.code))


# ---------------------------------------------------------------- constraints on one value
@dataclass(frozen=True)
class _Test:
    """`var op value` where var is a term's text: what an atom says about one value."""

    var: str
    op: str  # == != < <= > >= in notin
    value: Any


def _constant(term: Term) -> tuple[bool, Any]:
    if isinstance(term, expr.Const | expr.ParamRef):
        return True, term.value
    if isinstance(term, expr.ListLit):
        return True, [item.value for item in term.items]
    return False, None


def _evaluate(op: str, left: Any, right: Any) -> bool | None:
    try:
        return bool(OPERATORS[op](left, right))
    except TypeError:
        return None


class _Solver:
    """Decides whether a conjunction of atoms can hold, one value (term) at a time."""

    def __init__(self, checked: CheckedPack) -> None:
        self.domains: dict[str, frozenset[Any]] = {}
        self.integers: set[str] = set()
        self.counts: set[str] = set()
        for name, info in checked.facts.items():
            if info.type == "bool":
                self.domains[name] = frozenset({True, False})
            elif info.values:
                self.domains[name] = frozenset(info.values)
            if info.type == "int":
                self.integers.add(name)
        spec = checked.rulebook.spec
        for name, derived in spec.derived.items():
            if derived.value is None:  # set by rules: one of the values they (or default) set
                values = {rule.sets[name] for rule in checked.rules if name in rule.sets}
                self.domains[name] = frozenset(values)

    def _describe(self, term: Term) -> str:
        text = expr.render_term(term)
        if isinstance(term, expr.Call):
            if term.type == "bool":
                self.domains[text] = frozenset({True, False})
            if term.type == "int":
                self.integers.add(text)
            if term.function in _COUNTS:
                self.counts.add(text)
        return text

    def test(self, atom: Atom) -> _Test | bool | None:
        """What the atom says: a test on one value, a constant truth, or None (opaque)."""
        if isinstance(atom, expr.Truth):
            known, value = _constant(atom.term)
            if known:
                return bool(value) == atom.expect
            return _Test(self._describe(atom.term), "==", atom.expect)
        if isinstance(atom, expr.Compare):
            left, right, op = atom.left, atom.right, atom.op
            left_known, left_value = _constant(left)
            right_known, right_value = _constant(right)
            if left_known and right_known:
                return _evaluate(op, left_value, right_value)
            if left_known:
                left, right, op = right, left, expr.SWAPPED_OP[op]
                right_value = left_value
            elif not right_known:
                return None
            return _Test(self._describe(left), op, right_value)
        item_known, item_value = _constant(atom.item)
        box_known, box_value = _constant(atom.container)
        if not box_known:
            return None
        if item_known:
            return (item_value in box_value) != atom.negated
        values = frozenset(box_value)
        return _Test(self._describe(atom.item), "notin" if atom.negated else "in", values)

    def satisfiable(self, atoms: Iterable[Atom]) -> bool:
        """Whether every atom can be true at once (False only when it surely cannot)."""
        tests: dict[str, list[_Test]] = {}
        opaque: dict[str, Atom] = {}
        for atom in atoms:
            found = self.test(atom)
            if found is False:
                return False
            if found is None:
                opaque[expr.render(atom)] = atom
            elif isinstance(found, _Test):
                tests.setdefault(found.var, []).append(found)
        if any(expr.render(expr.negate_atom(atom)) in opaque for atom in opaque.values()):
            return False
        return all(self._var_satisfiable(var, items) for var, items in tests.items())

    def _var_satisfiable(self, var: str, tests: list[_Test]) -> bool:
        allowed: set[Any] | None = set(self.domains[var]) if var in self.domains else None
        excluded: list[Any] = []
        low, low_strict, high, high_strict = -math.inf, False, math.inf, False
        if var in self.counts:
            low = 0
        for item in tests:
            if item.op == "==":
                allowed = {item.value} if allowed is None else _keep(allowed, [item.value])
            elif item.op == "in":
                allowed = set(item.value) if allowed is None else _keep(allowed, item.value)
            elif item.op == "!=":
                excluded.append(item.value)
            elif item.op == "notin":
                excluded.extend(item.value)
            elif item.op in (">", ">="):
                strict = item.op == ">"
                if item.value > low or (item.value == low and strict):
                    low, low_strict = item.value, strict
            elif item.value < high or (item.value == high and item.op == "<"):
                high, high_strict = item.value, item.op == "<"
        bounded = low != -math.inf or high != math.inf

        def inside(value: Any) -> bool:
            if not bounded:
                return True
            if isinstance(value, bool) or not isinstance(value, int | float):
                return False
            above = value > low or (value == low and not low_strict)
            below = value < high or (value == high and not high_strict)
            return above and below

        if allowed is not None:
            return any(inside(v) and not _member(v, excluded) for v in allowed)
        if not bounded:
            return True
        if var in self.integers:
            return self._integer_left(low, low_strict, high, high_strict, excluded)
        if low > high or (low == high and (low_strict or high_strict)):
            return False
        return not (low == high and _member(low, excluded))

    @staticmethod
    def _integer_left(
        low: float, low_strict: bool, high: float, high_strict: bool, excluded: list[Any]
    ) -> bool:
        first = (
            -math.inf if low == -math.inf else math.floor(low) + 1 if low_strict else math.ceil(low)
        )
        last = (
            math.inf
            if high == math.inf
            else math.ceil(high) - 1
            if high_strict
            else math.floor(high)
        )
        if first > last:
            return False
        if first == -math.inf or last == math.inf or last - first > _SMALL_RANGE:
            return True
        return any(not _member(n, excluded) for n in range(int(first), int(last) + 1))


def _keep(allowed: set[Any], values: Iterable[Any]) -> set[Any]:
    listed = list(values)
    return {value for value in allowed if _member(value, listed)}


def _member(value: Any, values: Iterable[Any]) -> bool:
    """`value in values` where true is not 1 (bools and numbers are different values)."""
    return any(_same(value, other) for other in values)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


# ---------------------------------------------------------------- the linter
@dataclass
class _RuleInfo:
    rule: CheckedRule
    alternatives: list[list[Atom]] | None  # None: too many to reason about
    possible: list[list[Atom]]


class _Linter:
    def __init__(self, checked: CheckedPack) -> None:
        self.checked = checked
        self.book: Rulebook = checked.rulebook
        self.spec = checked.rulebook.spec
        self.solver = _Solver(checked)
        self.problems: list[Problem] = []
        self.rules: list[_RuleInfo] = []
        self.beaten: set[str] = set()
        for rule in checked.rules:
            if rule.synthetic:
                continue
            alternatives = disjunctive_normal_form(rule.cond)
            possible = [a for a in alternatives or [] if self.solver.satisfiable(a)]
            self.rules.append(_RuleInfo(rule, alternatives, possible))

    def run(self) -> list[Problem]:
        self._never_fires()
        self._parser_warnings()
        self._always_beaten()
        self._unused_names()
        self._decisions_and_drafts()
        self._citations()
        return self.problems

    # positions ---------------------------------------------------------------
    def _warn(
        self,
        section: str,
        name: str,
        sub: tuple[str | int, ...],
        message: str,
        code: str,
        *,
        key: bool = False,
        rule_id: str | None = None,
    ) -> None:
        file, path = self.book.locate(section, name)
        full = (*path, *sub)
        mark = file.doc.key_mark(full) if key else file.doc.mark(full)
        self.problems.append(
            file.doc.problem_at(mark, message, code=code, severity=WARNING, rule_id=rule_id)
        )

    # rules -------------------------------------------------------------------
    def _never_fires(self) -> None:
        for info in self.rules:
            if info.alternatives is None or info.possible:
                continue
            rule = info.rule
            why = (
                "its condition is always false"
                if not info.alternatives
                else f"{_alternatives_text(info.alternatives)} cannot hold"
            )
            self._warn(
                "rules",
                rule.id,
                ("when",),
                f"can never fire: {why}",
                "never-fires",
                rule_id=rule.id,
            )

    def _parser_warnings(self) -> None:
        for rule in self.spec.rules:
            if not isinstance(rule.when, str):
                continue
            for message in expr.parser_warnings(rule.when):
                self._warn(
                    "rules",
                    rule.id,
                    ("when",),
                    f"Python's parser warns about this condition: {message}",
                    "parser-warning",
                    rule_id=rule.id,
                )

    def _always_beaten(self) -> None:
        deciders = [i for i in self.rules if i.rule.spec and i.rule.spec.decide and i.possible]
        for info in deciders:
            if info.alternatives is None:
                continue
            rule = info.rule
            rivals = [
                other
                for other in deciders
                if other is not info and other.alternatives is not None and _beats(other, info)
            ]
            winners: list[str] = []
            for alternative in info.possible:
                found = next(
                    (
                        other
                        for other in rivals
                        if any(self._implies(alternative, alt) for alt in other.possible)
                    ),
                    None,
                )
                if found is None:
                    break
                if found.rule.id not in winners:
                    winners.append(found.rule.id)
            else:
                assert rule.spec is not None
                self.beaten.add(rule.id)
                names = ", ".join(
                    f"'{w}' (priority {self._priority(w)}, decides '{self._decides(w)}')"
                    for w in winners
                )
                self._warn(
                    "rules",
                    rule.id,
                    ("decide",),
                    f"its decision '{rule.spec.decide}' never wins: whenever the rule fires, "
                    f"{names} {'fires' if len(winners) == 1 else 'fire'} too and "
                    f"{'beats' if len(winners) == 1 else 'beat'} it",
                    "always-beaten",
                    rule_id=rule.id,
                )

    def _priority(self, rule_id: str) -> int:
        return next(i.rule.priority for i in self.rules if i.rule.id == rule_id)

    def _decides(self, rule_id: str) -> str:
        spec = next(i.rule.spec for i in self.rules if i.rule.id == rule_id)
        return str(spec.decide) if spec else ""

    def _implies(self, given: list[Atom], wanted: list[Atom]) -> bool:
        """Whether every atom of `wanted` is true whenever all atoms of `given` are."""
        known = {name for atom in given for name in expr.fact_names(atom)}
        for atom in wanted:
            if not set(expr.fact_names(atom)) <= known:
                return False  # it may be unknown while `given` holds
            if self.solver.satisfiable([*given, expr.negate_atom(atom)]):
                return False
        return True

    # names --------------------------------------------------------------------
    def _unused_names(self) -> None:
        facts, params = self._reads()
        for name in self.spec.facts:
            if name not in facts:
                self._warn(
                    "facts",
                    name,
                    (),
                    f"fact '{name}' is declared but no condition, derived value or template "
                    "reads it",
                    "unused-fact",
                    key=True,
                )
        for name, derived in self.spec.derived.items():
            if name not in facts:
                how = "computed" if derived.value is not None else "set by rules"
                self._warn(
                    "derived",
                    name,
                    (),
                    f"derived fact '{name}' is {how} but no condition, value or template reads it",
                    "unused-fact",
                    key=True,
                )
        for name in self.spec.params:
            if name not in params:
                self._warn(
                    "params",
                    name,
                    (),
                    f"param '{name}' is declared but no condition, derived value or template "
                    f"reads params.{name}",
                    "unused-param",
                    key=True,
                )

    def _reads(self) -> tuple[set[str], set[str]]:
        facts: set[str] = set()
        params: set[str] = set()
        conditions: list[expr.Cond | Term] = [rule.cond for rule in self.checked.rules]
        conditions += [node for _, node in self.checked.derived_values]
        conditions += [d.cond for d in self.checked.drafts if d.cond is not None]
        for node in conditions:
            facts.update(expr.fact_names(node))
            params.update(expr.param_names(node))
        texts = [
            outcome.text
            for rule in self.spec.rules
            for outcome in (rule.recommend, rule.flag)
            if outcome is not None
        ]
        texts += [text for draft in self.spec.drafts for text in (draft.subject, draft.body)]
        for text in texts:
            names, param_names = template_names(text)
            facts.update(names)
            params.update(param_names)
        return facts, params

    # decisions and drafts -------------------------------------------------------
    def _decisions_and_drafts(self) -> None:
        decided = {
            i.rule.spec.decide
            for i in self.rules
            if i.rule.spec and i.rule.spec.decide and i.possible and i.rule.id not in self.beaten
        }
        stated = {i.rule.spec.decide for i in self.rules if i.rule.spec and i.rule.spec.decide}
        for name in self.spec.decisions:
            if name not in stated:
                self._warn(
                    "decisions",
                    name,
                    (),
                    f"decision '{name}' is declared but no rule decides it",
                    "unused-decision",
                    key=True,
                )
        shadowing: dict[str, str] = {}
        for draft in self.checked.drafts:
            reason = None
            if draft.decision not in decided:
                reason = f"no rule that can fire and win decides '{draft.decision}'"
            elif draft.decision in shadowing:
                reason = (
                    f"the earlier draft '{shadowing[draft.decision]}' for '{draft.decision}' "
                    "has no `when`, so it is always chosen first"
                )
            elif draft.cond is not None:
                alternatives = disjunctive_normal_form(draft.cond)
                if alternatives is not None and not any(
                    self.solver.satisfiable(a) for a in alternatives
                ):
                    reason = "its `when` can never hold"
            if draft.cond is None:
                shadowing.setdefault(draft.decision, draft.id)
            if reason:
                self._warn(
                    "drafts",
                    draft.id,
                    ("id",),
                    f"draft '{draft.id}' is never used: {reason}",
                    "unreachable-draft",
                )

    # rationale and citations -------------------------------------------------------
    def _citations(self) -> None:
        cited = {rule.cite.source for rule in self.spec.rules}
        cited |= {draft.cite.source for draft in self.spec.drafts}
        for name in self.spec.sources:
            if name not in cited:
                self._warn(
                    "sources",
                    name,
                    (),
                    f"source '{name}' is declared but no rule or draft cites it",
                    "unused-source",
                    key=True,
                )
        for rule in self.spec.rules:
            if not rule.rationale.strip():
                self._warn(
                    "rules",
                    rule.id,
                    ("rationale",),
                    "the rationale is blank: say why the advice holds",
                    "blank-rationale",
                    rule_id=rule.id,
                )
            source = self.spec.sources.get(rule.cite.source)
            if source is not None and source.own and rule.cite.quote:
                self._warn(
                    "rules",
                    rule.id,
                    ("cite", "quote"),
                    f"the rule quotes source '{rule.cite.source}', which is the pack's own "
                    "guidance (`own: true`); quote only a cited work, or cite it instead",
                    "own-source-quote",
                    rule_id=rule.id,
                )


def _beats(winner: _RuleInfo, loser: _RuleInfo) -> bool:
    """Whether `winner`'s decision wins over `loser`'s when both fire (priority, then id)."""
    a, b = winner.rule, loser.rule
    return a.priority > b.priority or (a.priority == b.priority and a.id < b.id)


def _alternatives_text(alternatives: list[list[Atom]]) -> str:
    shown = [" and ".join(expr.render(atom) for atom in alt) for alt in alternatives[:3]]
    if len(alternatives) == 1:
        return f"`{shown[0]}`"
    more = ", ..." if len(alternatives) > 3 else ""
    return "none of " + ", ".join(f"`{text}`" for text in shown) + more


def template_names(text: str) -> tuple[set[str], set[str]]:
    """The names (facts and functions) and the params a template reads."""
    try:
        tree = _templates._ENV.parse(text)
    except TemplateSyntaxError:
        return set(), set()
    names = set(meta.find_undeclared_variables(tree))
    params = {
        node.attr
        for node in tree.find_all(nodes.Getattr)
        if isinstance(node.node, nodes.Name) and node.node.name == "params"
    }
    return names, params
