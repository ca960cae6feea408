"""The check stage: a merged Rulebook becomes a CheckedPack of typed conditions.

Every name is resolved (with did-you-mean), every condition is type-checked, citations are
matched against the declared sources, templates are parsed and their names checked, and
derived facts are ordered so that no rule reads, even indirectly, a fact it sets. All
problems are collected and raised once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import _expr as expr
from ._expr import Cond, ExprProblem, NameInfo, Scope, Term
from ._files import read_bounded
from ._rulebook import (
    RESERVED_NAMES,
    PackFile,
    Rulebook,
    RuleSpec,
    beyond_exact,
    inexact_int,
    value_has_type,
)
from ._suggest import suggest
from ._templates import Names, TemplateProblem, check_template
from ._text import FUNCTIONS
from ._yaml import Document, Mark, YamlProblem
from .errors import Problem, RulebookError

MAX_RULES = 5_000
MAX_SOURCE_TEXT = 1_000_000  # bytes of a source's text: a work, not a data file


@dataclass(frozen=True)
class CheckedRule:
    """A rule with its typed condition; synthetic rules give derived facts their default."""

    id: str
    spec: RuleSpec | None
    cond: Cond
    priority: int
    sets: Mapping[str, Any]
    reads: tuple[str, ...]
    synthetic: bool = False


@dataclass(frozen=True)
class CheckedDraft:
    id: str
    decision: str
    cond: Cond | None
    spec: Any


@dataclass
class CheckedPack:
    """The output of the check stage: everything typed, resolved and ordered."""

    rulebook: Rulebook
    params: dict[str, Any]
    facts: dict[str, NameInfo]
    derived_values: list[tuple[str, Cond | Term]]
    rules: list[CheckedRule]
    drafts: list[CheckedDraft]
    strata: dict[str, int] = field(default_factory=dict)


class _Checker:
    def __init__(self, rulebook: Rulebook, overrides: Mapping[str, Any]) -> None:
        self.book = rulebook
        self.spec = rulebook.spec
        self.problems: list[Problem] = []
        self.texts: dict[str, str | None] = {}  # source id -> its whitespace-normalised text
        self.params = self._params(overrides)
        self.facts = self._facts()
        self.scope = Scope(
            self.facts, {n: (p.type, self.params[n]) for n, p in self.spec.params.items()}
        )
        self.template_names = Names(
            {name: info.type for name, info in self.facts.items()},
            {name: param.type for name, param in self.spec.params.items()},
        )

    # helpers -------------------------------------------------------------
    def _problem(
        self, section: str, name: str, sub: tuple[str | int, ...], message: str, **extra: Any
    ) -> None:
        file, path = self.book.locate(section, name)
        self.problems.append(file.doc.problem((*path, *sub), message, **extra))

    def _locate(
        self, file: PackFile, path: tuple[str | int, ...], text: str, span: Any
    ) -> tuple[int, int, int]:
        """Line, column and width of a span of a condition inside its YAML scalar."""
        mark = file.doc.mark(path)
        lines = file.doc.lines
        flat = " ".join(text.splitlines())
        token = flat[span.start : span.end]
        first = lines[mark.line - 1][mark.column - 1 :] if 0 < mark.line <= len(lines) else ""
        for quote in ("", '"', "'"):
            if first.startswith(quote + flat):
                return mark.line, mark.column + len(quote) + span.start, max(1, len(token))
        pattern = re.compile(r"(?<!\w)" + re.escape(token) + r"(?!\w)") if token.strip() else None
        for number in range(mark.line, min(len(lines), mark.line + 200) + 1):
            start = mark.column - 1 if number == mark.line else 0
            found = pattern.search(lines[number - 1], start) if pattern else None
            if found:
                return number, found.start() + 1, len(token)
        return mark.line, mark.column, 1

    def _expr_problem(
        self,
        file: PackFile,
        path: tuple[str | int, ...],
        text: str,
        error: ExprProblem,
        rule_id: str | None,
    ) -> None:
        line, column, width = self._locate(file, path, text, error.span)
        self.problems.append(
            file.doc.problem_at(
                Mark(line, column),
                error.message,
                rule_id=rule_id,
                code="condition",
                suggestions=error.suggestions,
                width=width,
            )
        )

    # params and facts ----------------------------------------------------
    def _params(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        values = {name: param.default for name, param in self.spec.params.items()}
        for name, value in overrides.items():
            param = self.spec.params.get(name)
            if param is None:
                self.problems.append(
                    Problem(
                        f"unknown parameter '{name}' in params=",
                        "<params>",
                        code="unknown-param",
                        suggestions=tuple(suggest(name, self.spec.params)),
                    )
                )
            elif not value_has_type(value, param.type):
                self.problems.append(
                    Problem(
                        f"parameter '{name}' is {value!r}, {beyond_exact()}"
                        if inexact_int(value) and param.type in ("int", "float")
                        else f"parameter '{name}' must be {param.type}, got {value!r}",
                        "<params>",
                        code="param-type",
                    )
                )
            else:
                values[name] = value
        return values

    def _facts(self) -> dict[str, NameInfo]:
        for name in sorted(RESERVED_NAMES & set(self.spec.facts)):
            self._problem(
                "facts",
                name,
                (),
                f"'{name}' is reserved by the engine; choose another fact name",
                code="reserved",
            )
        facts = {
            name: NameInfo(f.type, tuple(f.values) if f.values else None)
            for name, f in self.spec.facts.items()
        }
        for name, derived in self.spec.derived.items():
            if name in facts:
                self._problem(
                    "derived",
                    name,
                    (),
                    f"'{name}' is declared both as a fact and as a derived fact",
                    code="conflict",
                )
            facts[name] = NameInfo(derived.type, tuple(derived.values) if derived.values else None)
        return facts

    # derived values --------------------------------------------------------
    def derived_values(self) -> list[tuple[str, Cond | Term]]:
        parsed: dict[str, Cond | Term] = {}
        for name, derived in self.spec.derived.items():
            if derived.value is None:
                continue
            file, path = self.book.locate("derived", name)
            try:
                node = expr.parse_value(derived.value, self.scope)
            except ExprProblem as error:
                self._expr_problem(file, (*path, "value"), derived.value, error, None)
                continue
            kind = (
                "bool"
                if not isinstance(
                    node, expr.Const | expr.FactRef | expr.ParamRef | expr.Call | expr.ListLit
                )
                else node.type
            )
            if kind != derived.type and not (kind == "int" and derived.type == "float"):
                self._problem(
                    "derived",
                    name,
                    ("value",),
                    f"derived fact '{name}' is {derived.type} but its value is {kind}",
                    code="type",
                )
                continue
            parsed[name] = node
        return self._order_values(parsed)

    def _order_values(self, parsed: dict[str, Cond | Term]) -> list[tuple[str, Cond | Term]]:
        ordered: list[tuple[str, Cond | Term]] = []
        state: dict[str, str] = {}

        def visit(name: str, chain: list[str]) -> None:
            if state.get(name) == "done":
                return
            if state.get(name) == "visiting":
                self._problem(
                    "derived",
                    name,
                    ("value",),
                    "derived values form a cycle: " + " -> ".join([*chain, name]),
                    code="cycle",
                )
                return
            state[name] = "visiting"
            for dep in expr.fact_names(parsed[name]):
                if dep in parsed:
                    visit(dep, [*chain, name])
                elif dep in self.spec.derived:
                    self._problem(
                        "derived",
                        name,
                        ("value",),
                        f"the value of '{name}' reads '{dep}', which rules set; "
                        "a value may read facts and other values only",
                        code="order",
                    )
            state[name] = "done"
            ordered.append((name, parsed[name]))

        for name in parsed:
            visit(name, [])
        return ordered

    # rules ----------------------------------------------------------------
    def rules(self) -> list[CheckedRule]:
        if len(self.spec.rules) > MAX_RULES:
            self.problems.append(
                Problem(
                    f"the pack has {len(self.spec.rules):,} rules; the limit is {MAX_RULES:,}",
                    self.book.files[0].path,
                    code="limit",
                )
            )
            return []
        checked = [rule for rule in map(self._rule, self.spec.rules) if rule is not None]
        return checked + self._default_rules(checked)

    def _rule(self, rule: RuleSpec) -> CheckedRule | None:
        file, path = self.book.locate("rules", rule.id)
        before = len(self.problems)
        cond: Cond = expr.Always(value=False)
        try:
            cond = expr.parse_condition(rule.when, self.scope)
        except ExprProblem as error:
            self._expr_problem(file, (*path, "when"), str(rule.when), error, rule.id)
        self._check_decide(rule)
        self._check_cite("rules", rule.id, rule.cite, rule.id)
        self._check_sets(rule)
        for key in ("recommend", "flag"):
            outcome = getattr(rule, key)
            if outcome is not None:
                self._check_text(file, (*path, key, "text"), outcome.text, rule.id)
        if len(self.problems) > before:
            return None
        return CheckedRule(
            rule.id, rule, cond, rule.priority, dict(rule.set or {}), tuple(expr.fact_names(cond))
        )

    def _check_decide(self, rule: RuleSpec) -> None:
        if rule.decide and rule.decide not in self.spec.decisions:
            self._problem(
                "rules",
                rule.id,
                ("decide",),
                f"unknown decision '{rule.decide}'",
                rule_id=rule.id,
                code="unknown-decision",
                suggestions=tuple(suggest(rule.decide, self.spec.decisions)),
            )

    def _check_cite(self, section: str, name: str, cite: Any, rule_id: str | None) -> None:
        source = self.spec.sources.get(cite.source)
        if source is None:
            self._problem(
                section,
                name,
                ("cite", "source"),
                f"unknown source '{cite.source}'",
                rule_id=rule_id,
                code="unknown-source",
                suggestions=tuple(suggest(cite.source, self.spec.sources)),
            )
        elif cite.section not in source.sections:
            self._problem(
                section,
                name,
                ("cite", "section"),
                f"'{cite.section}' is not a section of source '{cite.source}'",
                rule_id=rule_id,
                code="unknown-section",
                suggestions=tuple(suggest(cite.section, source.sections)),
            )
        if source is not None and cite.quote is not None:
            text = self._source_text(cite.source)
            if text is not None and normalised(cite.quote) not in text:
                self._problem(
                    section,
                    name,
                    ("cite", "quote"),
                    f"the quote is not verbatim in the text of source '{cite.source}' "
                    f"({source.text}); quote it exactly (whitespace may differ)",
                    rule_id=rule_id,
                    code="quote",
                )

    def _source_text(self, name: str) -> str | None:
        """The source's text, whitespace-normalised (None when the source names none or it
        cannot be read, which is reported once)."""
        if name in self.texts:
            return self.texts[name]
        source = self.spec.sources[name]
        self.texts[name] = None
        if source.text is None:
            return None
        file, _ = self.book.locate("sources", name)
        path = Path(file.path).parent / source.text
        try:
            self.texts[name] = normalised(read_bounded(path, MAX_SOURCE_TEXT).decode("utf-8"))
        except (YamlProblem, UnicodeDecodeError) as error:
            reason = error.problem.message if isinstance(error, YamlProblem) else "not UTF-8 text"
            self._problem(
                "sources",
                name,
                ("text",),
                f"cannot read the text of source '{name}' ({path}): {reason}",
                code="source-text",
            )
        return self.texts[name]

    def _check_sets(self, rule: RuleSpec) -> None:
        for name, value in (rule.set or {}).items():
            derived = self.spec.derived.get(name)
            if derived is None:
                self._problem(
                    "rules",
                    rule.id,
                    ("set", name),
                    f"'{name}' is not a derived fact",
                    rule_id=rule.id,
                    code="unknown-derived",
                    suggestions=tuple(suggest(name, self.spec.derived)),
                )
            elif derived.value is not None:
                self._problem(
                    "rules",
                    rule.id,
                    ("set", name),
                    f"'{name}' is computed by its `value`; rules cannot set it",
                    rule_id=rule.id,
                    code="set-computed",
                )
            elif not value_has_type(value, derived.type, derived.values) or (
                isinstance(value, float) and not math.isfinite(value)
            ):
                self._problem(
                    "rules",
                    rule.id,
                    ("set", name),
                    f"'{name}' is {derived.type}; {value!r} does not fit"
                    + (f": it is {beyond_exact()}" if inexact_int(value) else ""),
                    rule_id=rule.id,
                    code="type",
                )

    def _check_text(
        self, file: PackFile, path: tuple[str | int, ...], text: str, rule_id: str | None
    ) -> None:
        try:
            check_template(text, self.template_names)
        except TemplateProblem as error:
            line, column, width = template_position(file.doc, path, text, error)
            self.problems.append(
                file.doc.problem_at(
                    Mark(line, column),
                    error.message,
                    rule_id=rule_id,
                    code="template",
                    suggestions=error.suggestions,
                    width=width,
                )
            )

    def _default_rules(self, checked: list[CheckedRule]) -> list[CheckedRule]:
        extra: list[CheckedRule] = []
        for name, derived in self.spec.derived.items():
            setters = [rule for rule in checked if name in rule.sets]
            values = {repr(rule.sets[name]) for rule in setters}
            if len(values) > 1:
                ids = ", ".join(f"{rule.id} ({rule.sets[name]!r})" for rule in setters)
                self._problem(
                    "derived",
                    name,
                    (),
                    f"rules set '{name}' to different values: {ids}; a derived fact "
                    "takes one value, so declare one derived fact per value",
                    code="set-conflict",
                )
            if derived.default is None:
                continue
            negated: Cond = expr.And(tuple(expr.Not(rule.cond) for rule in setters))
            if not setters:
                negated = expr.Always(value=True)
            reads = tuple(dict.fromkeys(n for rule in setters for n in rule.reads))
            extra.append(
                CheckedRule(
                    f"{name}.default",
                    None,
                    negated,
                    0,
                    {name: derived.default},
                    reads,
                    synthetic=True,
                )
            )
        return extra

    def strata(self, rules: list[CheckedRule]) -> dict[str, int]:
        """Stratum of every rule: rules that read a derived fact come after all its setters.

        A topological order over rules and the derived facts between them (no recursion, so
        chains of any length work); what cannot be ordered lies on a cycle, reported once."""
        setters: dict[str, list[CheckedRule]] = {}
        for rule in rules:
            for name in rule.sets:
                setters.setdefault(name, []).append(rule)
        waiting = {rule.id: sum(len(setters.get(n, ())) for n in set(rule.reads)) for rule in rules}
        readers: dict[str, list[CheckedRule]] = {}
        for rule in rules:
            for name in set(rule.reads):
                readers.setdefault(name, []).append(rule)
        level = {rule.id: 0 for rule in rules}
        ready = [rule for rule in rules if waiting[rule.id] == 0]
        done: set[str] = set()
        while ready:
            rule = ready.pop()
            done.add(rule.id)
            for name in rule.sets:
                for reader in readers.get(name, ()):
                    level[reader.id] = max(level[reader.id], level[rule.id] + 1)
                    waiting[reader.id] -= 1
                    if waiting[reader.id] == 0:
                        ready.append(reader)
        stuck = [rule for rule in rules if rule.id not in done]
        if stuck:
            self._report_cycle(stuck, setters)
        return level

    def _report_cycle(
        self, stuck: list[CheckedRule], setters: dict[str, list[CheckedRule]]
    ) -> None:
        """Name one cycle among the rules that could not be ordered."""
        left = {rule.id for rule in stuck}
        path: list[tuple[CheckedRule, str]] = []
        seen: dict[str, int] = {}
        rule = stuck[0]
        while rule.id not in seen:
            seen[rule.id] = len(path)
            fact, setter = next(
                (name, s) for name in rule.reads for s in setters.get(name, ()) if s.id in left
            )
            path.append((rule, fact))
            rule = setter
        cycle = path[seen[rule.id] :]
        nexts = [r for r, _ in cycle[1:]] + [cycle[0][0]]
        steps = "; ".join(
            f"{r.id} reads {fact}, which {after.id} sets"
            for (r, fact), after in zip(cycle, nexts, strict=True)
        )
        named = next((r for r, _ in cycle if not r.synthetic), cycle[0][0])
        section, name = ("rules", named.id) if not named.synthetic else ("derived", cycle[0][1])
        self._problem(
            section,
            name,
            (),
            f"rules re-trigger each other through derived facts: {steps}; "
            "a rule may not depend, even indirectly, on what it sets",
            rule_id=None if named.synthetic else named.id,
            code="cycle",
        )

    # drafts ---------------------------------------------------------------
    def drafts(self) -> list[CheckedDraft]:
        checked: list[CheckedDraft] = []
        for draft in self.spec.drafts:
            file, path = self.book.locate("drafts", draft.id)
            if draft.decision not in self.spec.decisions:
                self._problem(
                    "drafts",
                    draft.id,
                    ("decision",),
                    f"unknown decision '{draft.decision}'",
                    code="unknown-decision",
                    suggestions=tuple(suggest(draft.decision, self.spec.decisions)),
                )
            self._check_cite("drafts", draft.id, draft.cite, None)
            for key in ("subject", "body"):
                self._check_text(file, (*path, key), getattr(draft, key), None)
            cond = None
            if draft.when is not None:
                try:
                    cond = expr.parse_condition(draft.when, self.scope)
                except ExprProblem as error:
                    self._expr_problem(file, (*path, "when"), draft.when, error, None)
            checked.append(CheckedDraft(draft.id, draft.decision, cond, draft))
        return checked


def template_position(
    doc: Document, path: tuple[str | int, ...], text: str, error: TemplateProblem
) -> tuple[int, int, int]:
    """Line, column and width in a document of the template line a problem is on (and of
    its token there, when it can be found); the start of the text otherwise."""
    mark = doc.mark(path)
    rows = text.splitlines()
    if not 0 < error.line <= len(rows):
        return mark.line, mark.column, 1
    wanted = rows[error.line - 1].strip()
    probe = wanted[:40]
    lines = doc.lines
    # A block scalar keeps its lines (line k just below the `|` at the mark, or on the
    # mark's own line when the text starts there): try those first. A folded or quoted one
    # may join lines: then search onwards.
    last = min(len(lines), mark.line + len(rows) * 2 + 2)
    likely = [mark.line + error.line, mark.line + error.line - 1]
    for number in [*likely, *range(mark.line, last + 1)]:
        if not 0 < number <= len(lines):
            continue
        source = lines[number - 1]
        if probe and probe in source:
            start = source.index(probe)
            found = source.find(error.token, start) if error.token else -1
            if found >= 0:
                return number, found + 1, max(1, len(error.token))
            return number, start + 1, 1
    return mark.line, mark.column, 1


def normalised(text: str) -> str:
    """Text with every run of whitespace made one space: quotes are compared this way."""
    return " ".join(text.split())


def expr_functions() -> list[str]:
    """Names of the functions that conditions and templates may call."""
    return list(FUNCTIONS)


def check(rulebook: Rulebook, params: Mapping[str, Any] | None = None) -> CheckedPack:
    """Check a merged rulebook; raise RulebookError listing every problem."""
    checker = _Checker(rulebook, params or {})
    values = checker.derived_values()
    rules = checker.rules()
    drafts = checker.drafts()
    strata = checker.strata(rules)
    if checker.problems:
        raise RulebookError(checker.problems)
    return CheckedPack(rulebook, checker.params, checker.facts, values, rules, drafts, strata)
