"""The result models. Everything is a pydantic model: JSON out, JSON Schema available."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Holds = bool | None
M = TypeVar("M", bound=BaseModel)


class _Result(BaseModel):
    # Each field's docstring is its description, in the JSON Schema and the API reference.
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class Citation(_Result):
    """Where a piece of advice comes from: source id, section heading verbatim, a quote."""

    source: str
    """The id of the source in the pack (`article`, `pack`, ...)."""
    title: str = ""
    """The source's title."""
    section: str
    """The section heading, verbatim as in the source."""
    quote: str | None = None
    """A quote from that section, when the rule gives one."""
    own: bool = False
    """True when the source is the pack's own guidance rather than a published text."""


class Reason(_Result):
    """One condition behind an item: the fact read, its actual value, and whether it held.

    `text` says it in words. When the fact is derived, `set_by` names the rule that gave it
    its value and `because` that rule's own reasons (or `computed_from`, its expression)."""

    fact: str | None
    """The fact the condition reads (None for a condition on no single fact)."""
    value: Any = None
    """The fact's actual value in this evaluation (None when unknown)."""
    condition: str
    """The condition as written, e.g. `days_until_interview >= 2`."""
    holds: Holds
    """True, False, or None when the condition is unknown."""
    text: str = ""
    """The condition in words, with the value filled in."""
    set_by: str | None = None
    """For a derived fact: the rule that set its value."""
    computed_from: str | None = None
    """For a computed fact: the expression it was computed from."""
    because: list[Reason] = Field(default_factory=list)
    """For a derived fact: the reasons of the rule that set it."""


class Decision(_Result):
    """A decision proposed by a rule. The winner is `Advice.decision`."""

    id: str
    """The decision's id in the pack (e.g. `contact_interviewer`)."""
    title: str = ""
    """The decision's title, for display."""
    rule_id: str
    """The rule that proposed it."""
    priority: int
    """That rule's priority: the highest priority wins."""
    because: list[Reason] = Field(default_factory=list)
    """The conditions that made the rule propose it."""
    rationale: str = ""
    """Why the advice is sound, as the pack states it."""
    source: Citation | None = None
    """Where the advice comes from."""
    lost_to: str | None = None
    """For an alternative: the rule whose decision won instead."""


class Recommendation(_Result):
    """Advice for the candidate, with its reasons, rationale and citation."""

    rule_id: str
    """The rule that made it."""
    topic: str
    """What it is about, for grouping (e.g. `preparation`)."""
    text: str
    """The advice, for the candidate to read."""
    priority: int
    """The rule's priority: higher comes first."""
    because: list[Reason] = Field(default_factory=list)
    """The conditions that made the rule fire."""
    rationale: str
    """Why the advice is sound, as the pack states it."""
    source: Citation
    """Where the advice comes from."""


class Finding(Recommendation):
    """A problem (or a note) found in the candidate's draft message."""

    severity: Literal["info", "warning", "error"]
    """How serious the problem is: `info`, `warning` or `error`."""


class Choice(_Result):
    """One answer a question offers: `value` is what `evaluate` takes for the fact, as it
    is; `label` is what a person reads ("Yes" for true)."""

    value: bool | int | float | str
    """The fact's value this answer gives, as `evaluate` takes it."""
    label: str
    """The answer as a person reads it."""


class Question(_Result):
    """An unknown fact whose answer could change the advice.

    `choices` lists the answers of a yes/no or choice fact; a form can send any choice's
    `value` back as the fact's value. Free-text answers go through `Engine.parse_answer`."""

    fact: str
    """The unknown fact it asks about."""
    prompt: str
    """The question to ask the candidate."""
    type: str
    """The fact's type (`bool`, `enum`, `date`, `int`, `float`, `str`, `list`, `text`)."""
    choices: list[Choice] | None = None
    """For a yes/no or enum fact: the answers to offer, each a value `evaluate` accepts as it
    is and a label to show."""
    affects: list[str] = Field(default_factory=list)
    """The ids of the rules whose outcome the answer could change."""
    changes_decision: bool = False
    """True when some answer would change the decision itself."""


class Assumption(_Result):
    """A fact a provisional decision rests on: the value the pack assumes until the candidate
    says otherwise (`assume:` in the pack), the question that settles it, and the
    assumption in words ("you have not contacted the interviewer yet")."""

    fact: str
    """The fact assumed."""
    value: Any = None
    """The value the pack assumes for it until told otherwise."""
    question: str
    """The question that settles it."""
    text: str = ""
    """The assumption in words."""


class Draft(_Result):
    """A message for the candidate to send, filled in from the pack's template."""

    id: str
    """The id of the pack's draft template."""
    channel: str
    """How to send it (e.g. `email`)."""
    subject: str
    """The subject line, filled in."""
    body: str
    """The message, filled in."""
    source: Citation
    """Where the template comes from."""


class ConditionTrace(_Result):
    """One condition of a rule, evaluated."""

    condition: str
    """The condition as written."""
    fact: str | None
    """The fact it reads (None for a condition on no single fact)."""
    value: Any = None
    """The fact's actual value (None when unknown)."""
    holds: Holds
    """True, False, or None when unknown."""
    text: str = ""
    """The condition in words, with the value filled in."""


class RuleTrace(_Result):
    """Whether a rule fired, and each of its conditions with actual values."""

    rule_id: str
    """The rule's id."""
    fired: bool
    """Whether the rule fired."""
    holds: Holds
    """Its whole condition: True, False, or None when unknown."""
    priority: int
    """The rule's priority."""
    stratum: int
    """The stratum it ran in (rules that read derived facts run after their setters)."""
    decides: str | None = None
    """The decision the rule proposes, if any."""
    conditions: tuple[ConditionTrace, ...] = ()
    """Each condition of the rule, evaluated."""


class DerivedTrace(_Result):
    """A derived fact's value and where it came from."""

    fact: str
    """The derived fact's name."""
    value: Any = None
    """Its value (None when unknown)."""
    set_by: list[str] = Field(default_factory=list)
    """The rules that set it."""
    computed_from: str | None = None
    """The expression it was computed from, for a computed fact."""


class Trace(_Result):
    """Every rule fired or not, and every derived fact with its provenance."""

    backend: str
    """The backend that fired the rules: `durable` or `python`."""
    rules: list[RuleTrace] = Field(default_factory=list)
    """Every rule of the pack, fired or not."""
    derived: list[DerivedTrace] = Field(default_factory=list)
    """Every derived fact, with its value and provenance."""


class PackInfo(_Result):
    """One pack file behind the advice."""

    name: str
    """The pack's name."""
    version: str
    """The pack's version."""
    title: str
    """The pack's title."""
    path: str
    """The file it was loaded from."""
    digest: str
    """The sha256 digest of the file's text."""


class RulebookInfo(_Result):
    """The packs behind the advice: names, versions, and a sha256 digest of their sources."""

    packs: list[PackInfo]
    """The pack files in load order (later ones overlay earlier ones)."""
    digest: str
    """The sha256 digest over every file's digest, in load order."""
    params: dict[str, Any] = Field(default_factory=dict)
    """The parameter values in force."""


class SummaryDecision(_Result):
    """The decision of a summary, in words: certain, or provisional with its conditions."""

    id: str
    """The decision's id in the pack."""
    title: str
    """The decision as a person reads it."""
    provisional: bool = False
    """Whether it rests on assumptions (see `provided_that`)."""
    provided_that: list[str] = Field(default_factory=list)
    """The assumptions a provisional decision rests on, in words."""
    because: list[str] = Field(default_factory=list)
    """Its reasons, in words."""


class SummaryFinding(_Result):
    """A finding on the candidate's draft, as a summary shows it."""

    severity: Literal["info", "warning", "error"]
    """How much the finding matters: info, warning or error."""
    text: str
    """The finding, in words."""


class SummaryQuestion(_Result):
    """An open question, as a form asks it."""

    fact: str
    """The fact the answer gives."""
    prompt: str
    """The question to ask."""
    type: str
    """The fact's type (`bool`, `enum`, `date`, `int`, `float`, `str`, `list`, `text`)."""
    choices: list[Choice] | None = None
    """For a yes/no or enum fact: the answers to offer."""
    changes_decision: bool = False
    """Whether some answer changes the decision itself."""


class Summary(_Result):
    """What a person reads first, as data for a user interface (`Advice.summary()`): the
    decision (or the provisional one), its reasons in words, the most important actions,
    the findings on the candidate's draft, the draft, and the open questions."""

    decision: SummaryDecision | None = None
    """The decision, certain or provisional; None when neither can be given yet."""
    actions: list[str] = Field(default_factory=list)
    """The most important actions (three at most), in words; for a provisional decision,
    those that apply if its assumptions hold."""
    findings: list[SummaryFinding] = Field(default_factory=list)
    """The findings on the candidate's own draft."""
    draft: Draft | None = None
    """The message to send, filled in, when the decision has one; for a provisional
    decision, the message to send if its assumptions hold."""
    questions: list[SummaryQuestion] = Field(default_factory=list)
    """The open questions, most important first."""
    locale: str | None = None
    """The language of the texts (a translation's locale, such as "de"); None: the pack's
    own language."""


# ---------------------------------------------------------------- building without validating
_Slot = tuple[str, Any, Callable[[], Any] | None]
_slots: dict[type[BaseModel], tuple[_Slot, ...]] = {}
_names: dict[type[BaseModel], tuple[str, ...]] = {}


def _slots_of(cls: type[BaseModel]) -> tuple[_Slot, ...]:
    slots = _slots.get(cls)
    if slots is None:
        _names[cls] = tuple(cls.model_fields)
        slots = _slots[cls] = tuple(
            (name, field.default, field.default_factory)  # type: ignore[misc]
            for name, field in cls.model_fields.items()
        )
    return slots


def build(cls: type[M], /, **fields: Any) -> M:
    """A result model from values the engine made out of checked parts, not validated again.

    The engine builds tens of these per evaluation; pydantic's `model_construct` costs about
    three times a validation and this about a third of one. The instance is the same as
    `cls(**fields)` would give (equal, same dump, same fields set): the tests check it for
    every result model. Missing fields get their default, a fresh one from a factory."""
    slots = _slots_of(cls)
    # Every field given in order (a fresh dict) is the common case; dumps follow the order.
    values = (
        fields
        if tuple(fields) == _names[cls]
        else {
            name: fields[name] if name in fields else factory() if factory else default
            for name, default, factory in slots
        }
    )
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", set(fields))
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    return model


_set_fields = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def build_whole(cls: type[M], values: dict[str, Any], fields_set: set[str]) -> M:
    """`build` for the engine's most frequent models: `values` holds every field in the
    declared order (a fresh dict), and `fields_set` is a fresh set of their names."""
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    _set_fields(model, fields_set)
    _set_extra(model, None)
    _set_private(model, None)
    return model
