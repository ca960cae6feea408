"""The rule-pack schema (pydantic) and its loader.

Loading is the first pipeline stage: YAML files become `PackFile`s (validated models plus the
positions of every node), and several files merge into one `Rulebook`. Every problem found is
collected with its file, line and column, and raised once as a `RulebookError`.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ._files import read_bounded
from ._merge import merge_files
from ._suggest import suggest
from ._yaml import Document, YamlProblem, decode, read_document
from .errors import Problem, RulebookError

RESERVED_NAMES = frozenset({"sid", "id", "params", "today"})
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Topic = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)]
PackName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
FactType = Literal["bool", "int", "float", "str", "enum", "date", "list", "text"]
ParamType = Literal["bool", "int", "float", "str", "list"]
DerivedType = Literal["bool", "int", "float", "str", "enum"]
Scalar = bool | int | float | str
Assumed = bool | int | float | str | datetime.date | list[str]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Source(_Model):
    """A cited work (or the pack's own guidance when `own` is true) and its section headings."""

    title: str
    publisher: str | None = None
    published: datetime.date | None = None
    url: str | None = None
    own: bool = False
    text: str | None = None  # the work's full text: a file, relative to the pack file
    sections: list[str] = Field(min_length=1)


class DecisionSpec(_Model):
    """A decision that rules may propose."""

    title: str
    description: str = ""


class FactSpec(_Model):
    """A fact the candidate can tell: its type, the question to ask, and what it means."""

    type: FactType
    values: list[str] | None = None
    question: str | None = None
    description: str = ""
    ask_order: int | None = None
    label: str | None = None
    when_true: str | None = None
    when_false: str | None = None
    # What a coach assumes until told otherwise: a provisional decision may rest on it.
    assume: Assumed | None = None

    @field_validator("assume")
    @classmethod
    def _assumed_value_fits(cls, value: Assumed | None, info: ValidationInfo) -> Assumed | None:
        kind = info.data.get("type")
        if value is None or kind is None:  # a bad `type` is reported on its own
            return value
        if not assumed_value_fits(value, kind, info.data.get("values")):
            raise ValueError(f"the assumed value {_describe(value)} is not {_KIND_WORDS[kind]}")
        return value

    @model_validator(mode="after")
    def _enum_values(self) -> FactSpec:
        _check_enum_values(self.type, self.values)
        _check_statements(self.type, self.when_true, self.when_false)
        if self.question is not None and not self.question.rstrip().endswith("?"):
            raise ValueError("a fact's question must end with '?'")
        return self


class ParamSpec(_Model):
    """A tunable constant with its default."""

    type: ParamType
    default: Scalar | list[str]
    description: str = ""

    @model_validator(mode="after")
    def _default_type(self) -> ParamSpec:
        if not value_has_type(self.default, self.type):
            raise ValueError(type_mismatch(self.default, self.type))
        return self


class DerivedSpec(_Model):
    """A fact derived from others: computed by `value`, or set by rules (with a `default`)."""

    type: DerivedType
    values: list[str] | None = None
    value: str | None = None
    default: Scalar | None = None
    description: str = ""
    label: str | None = None
    when_true: str | None = None
    when_false: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> DerivedSpec:
        _check_enum_values(self.type, self.values)
        _check_statements(self.type, self.when_true, self.when_false)
        if self.value is not None and self.default is not None:
            raise ValueError("a derived fact has either `value` or `default`, not both")
        if self.default is not None and not value_has_type(self.default, self.type, self.values):
            raise ValueError(type_mismatch(self.default, self.type))
        return self


class Cite(_Model):
    """Where a rule's advice comes from: a source id and a section heading, verbatim."""

    source: Name
    section: str
    quote: str | None = None


class RecommendSpec(_Model):
    """Advice for the candidate."""

    topic: Topic
    text: str


class FlagSpec(_Model):
    """A finding on the candidate's draft message."""

    topic: Topic
    text: str
    severity: Literal["info", "warning", "error"] = "warning"
    ends_review: bool = False
    """When this finding is given, the other findings on the draft are left out: a message
    that should not be sent is not polished (the trace still shows every rule that fired)."""


class RuleSpec(_Model):
    """A rule: a condition, a priority and its outcomes, with rationale and citation."""

    id: Name
    when: str | bool
    priority: int = 0
    decide: Name | None = None
    recommend: RecommendSpec | None = None
    flag: FlagSpec | None = None
    set: dict[Name, Scalar] | None = None
    rationale: str = Field(min_length=1)
    cite: Cite
    override: bool = False

    @model_validator(mode="after")
    def _has_outcome(self) -> RuleSpec:
        if not (self.decide or self.recommend or self.flag or self.set):
            raise ValueError("a rule needs at least one outcome: decide, recommend, flag or set")
        return self


class DraftSpec(_Model):
    """A message template filled in when its decision wins."""

    id: Name
    decision: Name
    when: str | None = None
    channel: str
    subject: str
    body: str
    cite: Cite


class PackSpec(_Model):
    """A whole pack file."""

    pack: PackName
    version: str
    title: str
    description: str = ""
    sources: dict[Name, Source] = Field(default_factory=dict)
    decisions: dict[Name, DecisionSpec] = Field(default_factory=dict)
    facts: dict[Name, FactSpec] = Field(default_factory=dict)
    params: dict[Name, ParamSpec] = Field(default_factory=dict)
    derived: dict[Name, DerivedSpec] = Field(default_factory=dict)
    rules: list[RuleSpec] = Field(default_factory=list)
    drafts: list[DraftSpec] = Field(default_factory=list)
    disable: list[Name] = Field(default_factory=list)
    disable_drafts: list[Name] = Field(default_factory=list)
    disable_decisions: list[Name] = Field(default_factory=list)


def _check_statements(kind: str, when_true: str | None, when_false: str | None) -> None:
    if kind != "bool" and (when_true is not None or when_false is not None):
        raise ValueError("only a bool has `when_true` and `when_false`")


def _check_enum_values(kind: str, values: list[str] | None) -> None:
    if kind == "enum" and not values:
        raise ValueError("an enum needs a non-empty list of `values`")
    if kind != "enum" and values is not None:
        raise ValueError("only an enum has `values`")
    if values is not None and len(set(values)) != len(values):
        raise ValueError("enum values must be distinct")


# The integers a double holds exactly: durable_rules compares an int with a float as two
# doubles, Python compares them exactly, so past this the backends could disagree.
MAX_EXACT_INT = 2**53


def inexact_int(value: object) -> bool:
    """Whether a value is an int that a double cannot hold exactly (beyond ±2^53)."""
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_EXACT_INT


def beyond_exact() -> str:
    """The end of a message about an int beyond ±2^53."""
    return f"beyond ±{MAX_EXACT_INT:,}, the integers both backends compare exactly"


def type_mismatch(value: object, kind: str) -> str:
    """Why a default does not fit its declared type."""
    if inexact_int(value) and kind in ("int", "float"):
        return f"default {value!r} is {beyond_exact()}"
    return f"default {value!r} is not of type {kind}"


def value_has_type(value: object, kind: str, values: list[str] | None = None) -> bool:
    """Whether a literal fits a declared type (bools are not numbers here; ints within
    ±2^53, like a situation's numbers)."""
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool) and not inexact_int(value)
    if kind == "float":
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return number and not inexact_int(value) and math.isfinite(typing.cast(float, value))
    if kind == "enum":
        return isinstance(value, str) and value in (values or [])
    if kind in ("str", "text"):
        return isinstance(value, str)
    if kind == "list":
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return False


_KIND_WORDS = {
    "bool": "true or false",
    "int": "a whole number",
    "float": "a number",
    "str": "a text",
    "text": "a text",
    "enum": "one of the fact's values",
    "date": "a date such as 2026-03-06",
    "list": "a list of texts",
}


def assumed_value_fits(value: object, kind: str, values: list[str] | None = None) -> bool:
    """Whether a fact's `assume` fits its type (a date may be given as an ISO date text)."""
    if kind != "date":
        return value_has_type(value, kind, values)
    if isinstance(value, str):
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return False
        return True
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


@dataclass(frozen=True)
class PackFile:
    """One loaded pack file: the validated spec, its document (positions) and its digest."""

    spec: PackSpec
    doc: Document
    digest: str

    @property
    def path(self) -> str:
        return self.doc.file


def load_pack_file(path: Path) -> PackFile:
    """Load and validate one pack file; raise RulebookError listing every problem."""
    raw = _read_bytes(path)
    try:
        doc = read_document(decode(raw, str(path)), str(path))
    except YamlProblem as problem:
        raise RulebookError([_with_file(problem.problem, str(path))]) from None
    return PackFile(_validate(doc), doc, hashlib.sha256(raw).hexdigest())


def load_pack_text(text: str, name: str = "<pack>") -> PackFile:
    """Load and validate a pack given as text (file name used in messages only)."""
    try:
        doc = read_document(text, name)
    except YamlProblem as problem:
        raise RulebookError([_with_file(problem.problem, name)]) from None
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return PackFile(_validate(doc), doc, digest)


def _read_bytes(path: Path) -> bytes:
    try:
        return read_bounded(path)
    except YamlProblem as problem:
        raise RulebookError([problem.problem]) from None


def _with_file(problem: Problem, file: str) -> Problem:
    if problem.file != "<pack>":
        return problem
    return Problem(problem.message, file, problem.line, problem.column, code=problem.code)


def _validate(doc: Document) -> PackSpec:
    if not isinstance(doc.data, dict):
        raise RulebookError([doc.problem((), "a pack is a mapping with `pack`, `rules`, ...")])
    try:
        return PackSpec.model_validate(doc.data)
    except ValidationError as error:
        raise RulebookError(_dedupe(_problems_from_pydantic(doc, error.errors()))) from None


def _dedupe(problems: Iterable[Problem]) -> list[Problem]:
    seen: dict[tuple[str, int, int, str], Problem] = {}
    for problem in problems:
        seen.setdefault((problem.file, problem.line, problem.column, problem.message), problem)
    return list(seen.values())


def _problems_from_pydantic(
    doc: Document, errors: list[Any], root: type[BaseModel] | None = None
) -> list[Problem]:
    """Pydantic's errors as Problems, in order; the errors of one value that matches no
    member of a union (one error per member) become a single problem naming them all.
    `root` is the model the document was validated as (a pack unless told)."""
    root = root or PackSpec
    found: list[Problem | tuple[Any, ...]] = []
    unions: dict[tuple[Any, ...], tuple[_Union, list[Any]]] = {}
    for error in errors:
        union = _union_of(tuple(error["loc"]), root)
        if union is None:
            found.append(_problem_from_pydantic(doc, error, root))
        elif union.loc in unions:
            unions[union.loc][1].append(error)
        else:
            unions[union.loc] = (union, [error])
            found.append(union.loc)
    return [
        item if isinstance(item, Problem) else _union_problem(doc, *unions[item]) for item in found
    ]


def _problem_from_pydantic(doc: Document, error: Any, root: type[BaseModel]) -> Problem:
    loc = _data_path(doc.data, tuple(error["loc"]))
    rule_id = _rule_id_at(doc.data, loc)
    if error["type"] == "extra_forbidden":
        known = _fields_at(loc[:-1], root)
        return doc.problem_at(
            doc.key_mark(loc),
            f"unknown key '{loc[-1]}'",
            rule_id=rule_id,
            code="unknown-key",
            suggestions=tuple(suggest(str(loc[-1]), known)),
            width=len(str(loc[-1])),
        )
    where = ".".join(str(part) for part in loc) or "pack"
    if error["type"] == "missing":
        missing = error["loc"][len(loc)] if len(error["loc"]) > len(loc) else "?"
        message = f"{where}: missing key '{missing}'"
    else:
        message = f"{where}: {_pydantic_message(error)}"
    return doc.problem(loc, message, rule_id=rule_id, code="schema")


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The longest prefix of a pydantic location that exists in the data."""
    path: list[Any] = []
    node = data
    for part in loc:
        if not _has(node, part):
            break
        node = node[part]
        path.append(part)
    return tuple(path)


def _has(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _pydantic_message(error: Any) -> str:
    return str(error["msg"]).removeprefix("Value error, ")


@dataclass(frozen=True)
class _Union:
    """A field (or list item, or mapping value) that accepts values of several types."""

    loc: tuple[Any, ...]  # where the value is; pydantic adds the member's name after it
    members: tuple[Any, ...]
    field: str | None  # `Model.field` when the union is a field's own type


# How a message names what a field accepts, where the types alone would say too little.
_ACCEPTED = {"RuleSpec.when": "a condition (text) or true/false"}


def _union_of(loc: tuple[Any, ...], root: type[BaseModel]) -> _Union | None:
    """The union a pydantic error location passes through, found by walking the types of
    `root` along it (the first one; pydantic names the member tried right after it)."""
    current: Any = root
    field_name: str | None = None
    for index, part in enumerate(loc):
        members = _members(current)
        if len(members) > 1:
            return _Union(loc[:index], members, field_name)
        current = members[0]
        if part == "[key]":
            return None
        if _is_model(current):
            found = current.model_fields.get(str(part))
            if found is None:
                return None
            field_name = f"{current.__name__}.{part}"
            current = found.annotation
        elif typing.get_origin(current) in (dict, list):
            field_name = None
            current = typing.get_args(current)[-1]
        else:
            return None
    return None


def _members(annotation: Any) -> tuple[Any, ...]:
    """The types a union accepts (without None and `Annotated`), or the type alone."""
    annotation = _unwrap(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        return tuple(_unwrap(arg) for arg in args if arg is not type(None))
    return (annotation,)


def _union_problem(doc: Document, union: _Union, errors: list[Any]) -> Problem:
    """One problem for a value that fits none of a union's members."""
    loc = _data_path(doc.data, union.loc)
    value = _value_at(doc.data, loc) if loc == union.loc else errors[0]["input"]
    named = _ACCEPTED.get(union.field or "")
    given = _describe(value)
    inner = [error for error in errors if len(error["loc"]) > len(union.loc) + 1]
    if isinstance(value, list) and inner:
        # A list where a list is accepted: say which of its items does not fit.
        given = f"a list holding {_describe(inner[0]['input'])}"
    elif isinstance(value, datetime.date) and str in union.members and named is None:
        given += f' (in quotes, "{value}", it is text)'
    accepted = named or _accepted(union.members)
    where = ".".join(str(part) for part in loc) or "pack"
    return doc.problem(
        loc,
        f"{where}: expected {accepted}, got {given}",
        rule_id=_rule_id_at(doc.data, loc),
        code="schema",
    )


def _accepted(members: tuple[Any, ...]) -> str:
    """What a union accepts, in words: `true/false, a number, text or a list of texts`."""
    words: list[str] = []
    for member in members:
        word = _type_words(member)
        if word == "a whole number" and float in members:
            continue  # int and float: "a number" says both
        if word not in words:
            words.append(word)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _type_words(member: Any) -> str:
    if typing.get_origin(member) is list:
        return "a list of texts" if typing.get_args(member) == (str,) else "a list"
    if typing.get_origin(member) is dict or _is_model(member):
        return "a mapping"
    simple = {
        bool: "true/false",
        int: "a whole number",
        float: "a number",
        str: "text",
        datetime.date: "a date",
    }
    return simple.get(member, getattr(member, "__name__", str(member)))


def _describe(value: Any) -> str:
    """A value as a message names it: `the number 1`, `the text 'high'`, `a mapping`."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {_clipped(value)!r}"
    if isinstance(value, datetime.datetime):
        return f"the date and time {value.isoformat(sep=' ')}"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a value of type {type(value).__name__}"


def _clipped(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _value_at(data: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        data = data[part]
    return data


def _rule_id_at(data: Any, loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rule = data.get("rules", [None] * (loc[1] + 1))[loc[1]]
        if isinstance(rule, dict) and isinstance(rule.get("id"), str):
            return str(rule["id"])
    return None


def _fields_at(loc: tuple[Any, ...], root: type[BaseModel]) -> list[str]:
    """The field names of the model found at `loc` inside `root` (for did-you-mean)."""
    current: Any = root
    for part in loc:
        current = _unwrap(current)
        if _is_model(current):
            found = current.model_fields.get(str(part))
            if found is None:
                return []
            current = found.annotation
        elif typing.get_origin(current) in (dict, list):
            current = typing.get_args(current)[-1]
        else:
            return []
    current = _unwrap(current)
    return list(current.model_fields) if _is_model(current) else []


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _unwrap(annotation: Any) -> Any:
    """`M | None` and `Annotated[M, ...]` to `M`."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
    return annotation


@dataclass
class Rulebook:
    """Several pack files merged into one pack: later files extend and may override earlier."""

    files: list[PackFile]
    spec: PackSpec
    origin: dict[tuple[str, str], tuple[PackFile, tuple[str | int, ...]]] = field(
        default_factory=dict
    )

    def locate(self, section: str, name: str) -> tuple[PackFile, tuple[str | int, ...]]:
        """The file that declared `name` in `section` (facts, rules, ...) and its path there."""
        return self.origin.get((section, name), (self.files[-1], (section,)))

    @property
    def digest(self) -> str:
        """sha256 over the digests of every file, in load order."""
        joined = "\n".join(item.digest for item in self.files)
        return hashlib.sha256(joined.encode("ascii")).hexdigest()


def pack_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Expand directories to their `*.yaml` / `*.yml` files, sorted; keep files as given."""
    found: list[Path] = []
    for entry in map(Path, paths):
        if entry.is_dir():
            found.extend(sorted(p for p in entry.iterdir() if p.suffix in (".yaml", ".yml")))
        else:
            found.append(entry)
    if not found:
        raise RulebookError([Problem("no pack files found", ", ".join(map(str, paths)) or "-")])
    return found


def load_rulebook(paths: Iterable[str | Path]) -> Rulebook:
    """Load pack files and merge them, collecting the problems of every file."""
    files: list[PackFile] = []
    problems: list[Problem] = []
    for path in pack_paths(paths):
        try:
            files.append(load_pack_file(path))
        except RulebookError as error:
            problems.extend(error.problems)
    if problems:
        raise RulebookError(problems)
    return merge(files)


def merge(files: list[PackFile]) -> Rulebook:
    """Merge pack files in order; conflicts are problems with the position of the later one."""
    spec, origin = merge_files(files)
    return Rulebook(files=files, spec=spec, origin=origin)
