"""The result models. Everything is a pydantic model: JSON out, JSON Schema available."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Holds = bool | None
M = TypeVar("M", bound=BaseModel)


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Citation(_Result):
    """Where a piece of advice comes from: source id, section heading verbatim, a quote."""

    source: str
    title: str = ""
    section: str
    quote: str | None = None
    own: bool = False


class Reason(_Result):
    """One condition behind an item: the fact read, its actual value, and whether it held.

    `text` says it in words. When the fact is derived, `set_by` names the rule that gave it
    its value and `because` that rule's own reasons (or `computed_from`, its expression)."""

    fact: str | None
    value: Any = None
    condition: str
    holds: Holds
    text: str = ""
    set_by: str | None = None
    computed_from: str | None = None
    because: list[Reason] = Field(default_factory=list)


class Decision(_Result):
    """A decision proposed by a rule. The winner is `Advice.decision`."""

    id: str
    title: str = ""
    rule_id: str
    priority: int
    because: list[Reason] = Field(default_factory=list)
    rationale: str = ""
    source: Citation | None = None
    lost_to: str | None = None


class Recommendation(_Result):
    """Advice for the candidate, with its reasons, rationale and citation."""

    rule_id: str
    topic: str
    text: str
    priority: int
    because: list[Reason] = Field(default_factory=list)
    rationale: str
    source: Citation


class Finding(Recommendation):
    """A problem (or a note) found in the candidate's draft message."""

    severity: Literal["info", "warning", "error"]


class Choice(_Result):
    """One answer a question offers: `value` is what `evaluate` takes for the fact, as it
    is; `label` is what a person reads ("Yes" for true)."""

    value: bool | int | float | str
    label: str


class Question(_Result):
    """An unknown fact whose answer could change the advice.

    `choices` lists the answers of a yes/no or choice fact; a form can send any choice's
    `value` back as the fact's value. Free-text answers go through `Engine.parse_answer`."""

    fact: str
    prompt: str
    type: str
    choices: list[Choice] | None = None
    affects: list[str] = Field(default_factory=list)
    changes_decision: bool = False


class Assumption(_Result):
    """A fact a provisional decision rests on: the value the pack assumes until the candidate
    says otherwise (`assume:` in the pack), the question that settles it, and the
    assumption in words ("you have not contacted the interviewer yet")."""

    fact: str
    value: Any = None
    question: str
    text: str = ""


class Draft(_Result):
    """A message for the candidate to send, filled in from the pack's template."""

    id: str
    channel: str
    subject: str
    body: str
    source: Citation


class ConditionTrace(_Result):
    """One condition of a rule, evaluated."""

    condition: str
    fact: str | None
    value: Any = None
    holds: Holds
    text: str = ""


class RuleTrace(_Result):
    """Whether a rule fired, and each of its conditions with actual values."""

    rule_id: str
    fired: bool
    holds: Holds
    priority: int
    stratum: int
    decides: str | None = None
    conditions: tuple[ConditionTrace, ...] = ()


class DerivedTrace(_Result):
    """A derived fact's value and where it came from."""

    fact: str
    value: Any = None
    set_by: list[str] = Field(default_factory=list)
    computed_from: str | None = None


class Trace(_Result):
    """Every rule fired or not, and every derived fact with its provenance."""

    backend: str
    rules: list[RuleTrace] = Field(default_factory=list)
    derived: list[DerivedTrace] = Field(default_factory=list)


class PackInfo(_Result):
    name: str
    version: str
    title: str
    path: str
    digest: str


class RulebookInfo(_Result):
    """The packs behind the advice: names, versions, and a sha256 digest of their sources."""

    packs: list[PackInfo]
    digest: str
    params: dict[str, Any] = Field(default_factory=dict)


class SummaryDecision(_Result):
    """The decision of a summary, in words: certain, or provisional with its conditions."""

    id: str
    title: str
    provisional: bool = False
    provided_that: list[str] = Field(default_factory=list)
    because: list[str] = Field(default_factory=list)


class SummaryFinding(_Result):
    """A finding on the candidate's draft, as a summary shows it."""

    severity: Literal["info", "warning", "error"]
    text: str


class SummaryQuestion(_Result):
    """An open question, as a form asks it."""

    fact: str
    prompt: str
    type: str
    choices: list[Choice] | None = None
    changes_decision: bool = False


class Summary(_Result):
    """What a person reads first, as data for a user interface (`Advice.summary()`): the
    decision (or the provisional one), its reasons in words, the most important actions,
    the findings on the candidate's draft, the draft, and the open questions."""

    decision: SummaryDecision | None = None
    actions: list[str] = Field(default_factory=list)
    findings: list[SummaryFinding] = Field(default_factory=list)
    draft: Draft | None = None
    questions: list[SummaryQuestion] = Field(default_factory=list)


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
