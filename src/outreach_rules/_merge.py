"""Merging pack files: a later file (an overlay) extends and tunes an earlier one.

An overlay may add sources, decisions, facts, params, derived facts, rules and drafts; change
a param's default (same type); reword a fact's question; replace a rule with `override: true`;
and remove rules with `disable: [ids]`, drafts with `disable_drafts: [ids]` and decisions with
`disable_decisions: [ids]` (once no rule decides them and no draft is for them). Anything else
that redefines a name is a conflict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._suggest import suggest
from .errors import Problem, RulebookError

if TYPE_CHECKING:
    from ._rulebook import PackFile, PackSpec
    from ._yaml import Path

Origin = dict[tuple[str, str], tuple["PackFile", "Path"]]
_SECTIONS = ("sources", "decisions", "facts", "params", "derived")
# The keys that remove what earlier files declared, and what each one removes.
_DISABLE = {"disable": "rule", "disable_drafts": "draft", "disable_decisions": "decision"}
_KEY_OF = {kind: key for key, kind in _DISABLE.items()}


class _Merger:
    def __init__(self) -> None:
        self.tables: dict[str, dict[str, Any]] = {name: {} for name in _SECTIONS}
        self.rules: dict[str, Any] = {}
        self.drafts: dict[str, Any] = {}
        self.origin: Origin = {}
        self.problems: list[Problem] = []
        # decision id -> the `disable_decisions` entry that removed it
        self.disabled_decisions: dict[str, tuple[PackFile, int]] = {}

    def add_file(self, file: PackFile) -> None:
        for section in _SECTIONS:
            for name, item in getattr(file.spec, section).items():
                self._add_named(file, section, name, item)
        for index, rule in enumerate(file.spec.rules):
            self._add_rule(file, index, rule)
        for index, draft in enumerate(file.spec.drafts):
            self._add_draft(file, index, draft)
        for key in [key for key in file.doc.data if key in _DISABLE]:  # in the file's order
            for index, name in enumerate(getattr(file.spec, key)):
                self._disable(file, key, index, name)

    def _add_named(self, file: PackFile, section: str, name: str, item: Any) -> None:
        previous = self.tables[section].get(name)
        if previous is not None and not _compatible(section, previous, item):
            first_file, first_path = self.origin[(section, name)]
            first = first_file.doc.mark(first_path)
            self.problems.append(
                file.doc.problem(
                    (section, name),
                    f"{section[:-1] if section != 'derived' else 'derived fact'} '{name}' "
                    f"conflicts with its declaration at {first_file.path}:{first.line}: "
                    f"{_conflict(previous, item)}",
                    code="conflict",
                )
            )
            return
        self.tables[section][name] = item
        self.origin[(section, name)] = (file, (section, name))
        if section == "decisions":
            self.disabled_decisions.pop(name, None)  # declared again after it was disabled

    def _add_rule(self, file: PackFile, index: int, rule: Any) -> None:
        path: Path = ("rules", index, "id")
        exists = rule.id in self.rules
        if exists and not rule.override:
            first_file, first_path = self.origin[("rules", rule.id)]
            line = first_file.doc.mark(first_path).line
            self.problems.append(
                file.doc.problem(
                    path,
                    f"duplicate rule id '{rule.id}' (first defined at {first_file.path}:{line}); "
                    "set `override: true` to replace it",
                    rule_id=rule.id,
                    code="duplicate-rule",
                )
            )
            return
        if rule.override and not exists:
            self.problems.append(
                file.doc.problem(
                    path,
                    f"`override: true` but no earlier rule has the id '{rule.id}'",
                    rule_id=rule.id,
                    code="unknown-rule",
                    suggestions=tuple(suggest(rule.id, self.rules)),
                )
            )
            return
        self.rules[rule.id] = rule
        self.origin[("rules", rule.id)] = (file, ("rules", index))

    def _add_draft(self, file: PackFile, index: int, draft: Any) -> None:
        if draft.id in self.drafts:
            first_file, first_path = self.origin[("drafts", draft.id)]
            line = first_file.doc.mark(first_path).line
            self.problems.append(
                file.doc.problem(
                    ("drafts", index, "id"),
                    f"duplicate draft id '{draft.id}' (first defined at {first_file.path}:{line})",
                    code="duplicate-draft",
                )
            )
            return
        self.drafts[draft.id] = draft
        self.origin[("drafts", draft.id)] = (file, ("drafts", index))

    def _table(self, kind: str) -> dict[str, Any]:
        tables = {"rule": self.rules, "draft": self.drafts, "decision": self.tables["decisions"]}
        return tables[kind]

    def _disable(self, file: PackFile, key: str, index: int, name: str) -> None:
        kind = _DISABLE[key]
        table = self._table(kind)
        if table.pop(name, None) is not None:
            if kind == "decision":
                self.disabled_decisions[name] = (file, index)
            return
        message = f"cannot disable unknown {kind} '{name}'"
        other = next((k for k in _KEY_OF if k != kind and name in self._table(k)), None)
        if other is not None:
            message += f" ('{name}' is a {other}: list it under `{_KEY_OF[other]}`)"
        self.problems.append(
            file.doc.problem(
                (key, index),
                message,
                code=f"unknown-{kind}",
                suggestions=() if other else tuple(suggest(name, table)),
            )
        )

    def check_disabled_decisions(self) -> None:
        """A disabled decision must leave nothing behind: no rule deciding it, no draft."""
        for name, (file, index) in self.disabled_decisions.items():
            rules = [rule.id for rule in self.rules.values() if rule.decide == name]
            drafts = [draft.id for draft in self.drafts.values() if draft.decision == name]
            if rules:
                them = "them" if len(rules) > 1 else "it"
                self._in_use(
                    file,
                    index,
                    f"cannot disable decision '{name}': {_named('rule', rules)} still "
                    f"decide{'' if len(rules) > 1 else 's'} it; override {them} to decide "
                    f"something else, or list {them} under `disable`",
                )
            if drafts:
                are, them = ("are", "them") if len(drafts) > 1 else ("is", "it")
                self._in_use(
                    file,
                    index,
                    f"cannot disable decision '{name}': {_named('draft', drafts)} {are} for it; "
                    f"list {them} under `disable_drafts` too",
                )

    def _in_use(self, file: PackFile, index: int, message: str) -> None:
        problem = file.doc.problem(("disable_decisions", index), message, code="decision-in-use")
        self.problems.append(problem)


def _named(kind: str, ids: list[str]) -> str:
    """`the rule 'a'`, `the drafts 'a' and 'b'`."""
    quoted = [f"'{name}'" for name in ids]
    if len(quoted) == 1:
        return f"the {kind} {quoted[0]}"
    return f"the {kind}s {', '.join(quoted[:-1])} and {quoted[-1]}"


def _compatible(section: str, previous: Any, item: Any) -> bool:
    if section in ("facts", "derived", "params"):
        return bool(
            previous.type == item.type
            and getattr(previous, "values", None) == getattr(item, "values", None)
        )
    return bool(previous == item)


def _conflict(previous: Any, item: Any) -> str:
    if getattr(previous, "type", None) != getattr(item, "type", None):
        return f"type {item.type} differs from {previous.type}"
    if getattr(previous, "values", None) != getattr(item, "values", None):
        return "enum values differ"
    return "the declarations differ"


def merge_files(files: list[PackFile]) -> tuple[PackSpec, Origin]:
    """Merge loaded pack files in order into one spec; raise RulebookError on conflicts."""
    merger = _Merger()
    for file in files:
        merger.add_file(file)
    merger.check_disabled_decisions()
    if merger.problems:
        raise RulebookError(merger.problems)
    base: PackSpec = files[0].spec
    spec = base.model_copy(
        update={
            **merger.tables,
            "rules": list(merger.rules.values()),
            "drafts": list(merger.drafts.values()),
            "disable": [],
            "disable_drafts": [],
            "disable_decisions": [],
        }
    )
    return spec, merger.origin
