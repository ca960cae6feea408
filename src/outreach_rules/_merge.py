"""Merging pack files: a later file (an overlay) extends and tunes an earlier one.

An overlay may add sources, decisions, facts, params, derived facts, rules and drafts; change
a param's default (same type); reword a fact's question; replace a rule with `override: true`;
and remove rules with `disable: [ids]`. Anything else that redefines a name is a conflict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._suggest import suggest
from .errors import Problem, RulebookError

if TYPE_CHECKING:
    from ._yaml import Path
    from .rulebook import PackFile, PackSpec

Origin = dict[tuple[str, str], tuple["PackFile", "Path"]]
_SECTIONS = ("sources", "decisions", "facts", "params", "derived")


class _Merger:
    def __init__(self) -> None:
        self.tables: dict[str, dict[str, Any]] = {name: {} for name in _SECTIONS}
        self.rules: dict[str, Any] = {}
        self.drafts: dict[str, Any] = {}
        self.origin: Origin = {}
        self.problems: list[Problem] = []

    def add_file(self, file: PackFile) -> None:
        for section in _SECTIONS:
            for name, item in getattr(file.spec, section).items():
                self._add_named(file, section, name, item)
        for index, rule in enumerate(file.spec.rules):
            self._add_rule(file, index, rule)
        for index, draft in enumerate(file.spec.drafts):
            self._add_draft(file, index, draft)
        for index, rule_id in enumerate(file.spec.disable):
            self._disable(file, index, rule_id)

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

    def _disable(self, file: PackFile, index: int, rule_id: str) -> None:
        if self.rules.pop(rule_id, None) is None:
            self.problems.append(
                file.doc.problem(
                    ("disable", index),
                    f"cannot disable unknown rule '{rule_id}'",
                    code="unknown-rule",
                    suggestions=tuple(suggest(rule_id, self.rules)),
                )
            )


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
    if merger.problems:
        raise RulebookError(merger.problems)
    base: PackSpec = files[0].spec
    spec = base.model_copy(
        update={
            **merger.tables,
            "rules": list(merger.rules.values()),
            "drafts": list(merger.drafts.values()),
            "disable": [],
        }
    )
    return spec, merger.origin
