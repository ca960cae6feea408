"""Advice: the result of evaluating a situation, with its reasoning."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    computed_field,
    model_serializer,
    model_validator,
)

from ._model import (
    Assumption,
    Decision,
    Draft,
    Finding,
    Question,
    Reason,
    Recommendation,
    RulebookInfo,
    Summary,
    Trace,
)
from ._suggest import suggest

Level = Literal["summary", "full", "trace"]
Format = Literal["text", "markdown"]


class Pending(Protocol):
    """What makes the parts of an Advice that are still to be made (see `_advise.Pending`)."""

    def fill(self, advice: Advice, name: str | None) -> None:
        """Put the part `name` (every part when None) into the Advice's fields."""


class WhyNot(BaseModel):
    """Why a decision or rule did not come out: what failed or is unknown, or what beat it."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    target: str
    """The decision or rule asked about."""
    outcome: Literal["won", "lost", "not_reached", "fired"]
    """`won`, `lost` (proposed, beaten), `not_reached` (never proposed) or `fired`."""
    rules: list[str] = Field(default_factory=list)
    """The rules that propose the decision (or the rule itself)."""
    failed: list[Reason] = Field(default_factory=list)
    """The conditions that were false."""
    unknown: list[Reason] = Field(default_factory=list)
    """The conditions that were unknown."""
    beaten_by: Decision | None = None
    """The decision that won instead, when there is one."""

    def __str__(self) -> str:
        from ._explain import render_why_not  # noqa: PLC0415 - explain imports this module

        return render_why_not(self)


class Advice(BaseModel):
    """A decision, ranked recommendations, findings on a draft, questions, and the trace.

    `decision` is certain: the facts given decide it. When they do not, `provisional` is
    the decision that wins once the facts the pack assumes (`assume:`) take their assumed
    values, and `assuming` lists those facts, values and questions; answering the
    questions turns it into the certain decision or another one.

    The trace (every rule and condition of the pack, evaluated) is made from the values the
    evaluation kept, the first time it is read: by `trace`, `why_not`, a dump to JSON or a
    pickle. An Advice that is never asked why not does not pay for it. The same holds for
    the other parts an evaluation makes (recommendations and their texts and reasons, the
    questions, the draft...): each is made when first read, or by a dump, a pickle, a copy
    or a comparison, and is then the same as if it had been made at once."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    decision: Decision | None
    """The winning decision, or None when the known facts settle none."""
    provisional: Decision | None = None
    """The decision that wins when the unknown facts a pack marks `assume:` take their
    assumed values; None when the decision is certain or nothing would win."""
    assuming: list[Assumption] = Field(default_factory=list)
    """The assumptions a provisional decision rests on: fact, assumed value, question."""
    provisional_recommendations: list[Recommendation] = Field(default_factory=list)
    """What to do if the assumptions hold: the recommendations of the evaluation with the
    assumed values (empty when the decision is certain)."""
    provisional_draft: Draft | None = None
    """The message to send if the assumptions hold, when the provisional decision has one."""
    alternatives: list[Decision] = Field(default_factory=list)
    """Decisions that other rules proposed and that lost, with what beat them."""
    recommendations: list[Recommendation] = Field(default_factory=list)
    """Advice for the candidate, highest priority first, ties by rule id."""
    findings: list[Finding] = Field(default_factory=list)
    """Problems found in the candidate's draft message."""
    questions: list[Question] = Field(default_factory=list)
    """Unknown facts whose answer could change the advice, most important first."""
    draft: Draft | None = None
    """A message to send, filled in from the pack's template, when the advice is to write."""
    rulebook: RulebookInfo
    """The packs behind the advice: names, versions and digests."""
    situation: dict[str, Any] = Field(default_factory=dict)
    """The known facts the advice was made from."""
    today: datetime.date
    """The day the advice was made for."""
    locale: str | None = None
    """The language of the advice's texts (a translation's locale, such as "de"); None:
    the pack's own language."""
    _trace: Trace | None = PrivateAttr(default=None)
    _make_trace: Callable[[], Trace] | None = PrivateAttr(default=None)
    _pending: Pending | None = PrivateAttr(default=None)

    if not TYPE_CHECKING:
        # Only a part not made yet misses from __dict__: a read of any other is as fast as
        # pydantic's own, and mypy still sees every field with its type.
        def __getattr__(self, name: str) -> Any:
            if name in _LAZY:
                private = object.__getattribute__(self, "__pydantic_private__")
                pending = private.get("_pending") if private else None
                if pending is not None:
                    pending.fill(self, name)
                    return self.__dict__[name]
            return super().__getattr__(name)

    def _complete(self) -> None:
        """Make every part still to be made (not the trace): what reads __dict__ as a whole,
        dumps, pickles, copies and comparisons, must find them all."""
        private = self.__pydantic_private__
        pending = private.get("_pending") if private else None
        if pending is not None:
            pending.fill(self, None)

    # Every dump goes through here, also one pydantic makes of an Advice inside another
    # model or through a TypeAdapter (as FastAPI does for a response), which reads
    # __dict__ directly. No return annotation: with one, pydantic would take it for the
    # serialized schema instead of the model's own.
    @model_serializer(mode="wrap")
    def _whole(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        self._complete()
        return handler(self)

    # A part that fails to be made raises its EvaluationError here, before pydantic would
    # wrap it in a PydanticSerializationError of its own.
    def model_dump(self, **options: Any) -> dict[str, Any]:
        self._complete()
        return super().model_dump(**options)

    def model_dump_json(self, **options: Any) -> str:
        self._complete()
        return super().model_dump_json(**options)

    def __copy__(self) -> Advice:
        self._complete()
        return super().__copy__()

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Advice:
        self._complete()
        return super().__deepcopy__(memo)

    def __iter__(self) -> Any:
        self._complete()
        return super().__iter__()

    def __repr_args__(self) -> Any:
        self._complete()
        return super().__repr_args__()

    @computed_field  # type: ignore[prop-decorator]
    @property
    def trace(self) -> Trace | None:
        """Every rule fired or not with its conditions, and every derived fact; None when
        evaluated with `trace=False`."""
        make = self._make_trace
        if make is not None:
            # Two threads may both make it: the same pure function of the same values.
            self._trace, self._make_trace = make(), None
        return self._trace

    @model_validator(mode="wrap")
    @classmethod
    def _read_trace(cls, data: Any, handler: ModelWrapValidatorHandler[Advice]) -> Advice:
        """Take the trace back from a dump, which has it as a plain field."""
        trace = None
        if isinstance(data, dict) and "trace" in data:
            data = dict(data)
            trace = data.pop("trace")
        advice = handler(data)
        if trace is not None:
            advice._trace = Trace.model_validate(trace)
        return advice

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Advice):
            return NotImplemented
        self._complete()
        other._complete()
        return self.__dict__ == other.__dict__ and self.trace == other.trace

    __hash__ = None  # type: ignore[assignment]  # holds lists and dicts, as before

    def __getstate__(self) -> dict[Any, Any]:
        self._complete()
        self.trace  # noqa: B018 - a pickle carries the trace itself, not how to make it
        return super().__getstate__()

    def explain(self, level: Level = "summary", format: Format = "text") -> str:  # noqa: A002 - documented API name
        """The advice as readable text (wrapped at 100 columns) or as CommonMark.

        - `summary` (the default) is what a candidate reads: the decision (or the
          provisional one) and why in one sentence, the findings on their own draft, the
          three most important actions, the draft and the open questions.
        - `full` adds every reason, rationale and source; the how-to recommendations are
          grouped under the decision they follow from.
        - `trace` is the engine's view for pack authors: rule ids, derived facts and how
          they were set or computed, and every rule of the pack, fired or not.
        """
        from ._explain import render  # noqa: PLC0415 - explain imports this module

        if level not in ("summary", "full", "trace"):
            raise ValueError(f"level must be 'summary', 'full' or 'trace', not {level!r}")
        if format not in ("text", "markdown"):
            raise ValueError(f"format must be 'text' or 'markdown', not {format!r}")
        return render(self, level, markdown=format == "markdown")

    def summary(self) -> Summary:
        """A small, JSON-ready digest of the advice for user interfaces (see `Summary`)."""
        from ._summary import summarize  # noqa: PLC0415 - the summary imports this module

        return summarize(self)

    def why_not(self, target: str) -> WhyNot:
        """Why a decision id or rule id did not come out as the winner (needs the trace)."""
        if self.trace is None:
            raise ValueError("why_not needs the trace: evaluate with trace=True")
        rules = {rule.rule_id: rule for rule in self.trace.rules}
        if self.decision is not None and target in (self.decision.id, self.decision.rule_id):
            return WhyNot(target=target, outcome="won", rules=[self.decision.rule_id])
        for loser in self.alternatives:
            if target in (loser.id, loser.rule_id):
                return WhyNot(
                    target=target, outcome="lost", rules=[loser.rule_id], beaten_by=self.decision
                )
        ids = _decision_rules(self, target) if target not in rules else [target]
        if not ids:
            names = sorted(set(rules) | {r.decides for r in self.trace.rules if r.decides})
            hint = suggest(target, names)
            extra = f" (did you mean {', '.join(repr(h) for h in hint)}?)" if hint else ""
            raise KeyError(f"'{target}' is neither a decision nor a rule of this pack{extra}")
        traced = [rules[i] for i in ids]
        if any(rule.fired for rule in traced) and target in rules:
            return WhyNot(target=target, outcome="fired", rules=ids)
        failed = [_reason(c) for rule in traced for c in rule.conditions if c.holds is False]
        unknown = [_reason(c) for rule in traced for c in rule.conditions if c.holds is None]
        return WhyNot(
            target=target,
            outcome="not_reached",
            rules=ids,
            failed=failed,
            unknown=unknown,
            beaten_by=self.decision,
        )


# The fields an evaluation may leave to be made when first read.
_LAZY = frozenset(Advice.model_fields) - {"today", "locale"}


def _reason(condition: Any) -> Reason:
    return Reason(
        fact=condition.fact,
        value=condition.value,
        condition=condition.condition,
        holds=condition.holds,
        text=condition.text,
    )


def _decision_rules(advice: Advice, decision: str) -> list[str]:
    assert advice.trace is not None
    return [rule.rule_id for rule in advice.trace.rules if rule.decides == decision]
