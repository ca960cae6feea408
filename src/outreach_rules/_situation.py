"""The Situation model: a pydantic model built from a pack's declared facts.

Unknown facts are left out or given as null. Validation is strict where a lax conversion
would evaluate something wrongly (no "yes" for true, no 1 for true, no NaN, no strings that
durable_rules would compare wrongly), and every problem is reported at once.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    create_model,
)

from ._rulebook import RESERVED_NAMES, FactSpec
from ._suggest import suggest
from ._text import is_valid_text
from .errors import WHOLE_SITUATION, SituationError, SituationProblem

MAX_STR = 1_000
MAX_TEXT = 100_000
MAX_ITEMS = 100
MAX_INT = 2**53


def _shown(value: str) -> str:
    """The start of a text for a message, a lone surrogate written as an escape (a message
    holding one could not be encoded, and reporting the problem would fail)."""
    return value[:40].encode("utf-8", "backslashreplace").decode("utf-8")


def _date(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        raise ValueError("expected a date without a time, e.g. 2026-03-06")
    if isinstance(value, datetime.date):
        # A plain date: a subclass could redefine the arithmetic of days_until(...).
        return datetime.date.fromordinal(datetime.date.toordinal(value))
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{_shown(value)}' is not an ISO date such as 2026-03-06") from None
    raise ValueError("expected an ISO date such as 2026-03-06")


def _plain(value: int | float) -> int | float:
    """The plain int or float behind a value: a subclass could redefine its comparisons."""
    return int.__int__(value) if isinstance(value, int) else float.__float__(value)


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number")
    value = _plain(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("NaN and infinity are not allowed")
    if abs(value) > MAX_INT:
        raise ValueError(f"numbers are limited to ±{MAX_INT:,}")
    return float(value)


def _int(value: Any) -> Any:
    if type(value) is int and -MAX_INT <= value <= MAX_INT:
        return value  # the common case, a plain int in bounds, without the calls below
    if isinstance(value, int) and not isinstance(value, bool):
        value = _plain(value)
        if abs(value) > MAX_INT:
            raise ValueError(f"numbers are limited to ±{MAX_INT:,}")
    return value


def _list(value: Any) -> Any:
    # Sets have no order and iterators are used up: refused where lax pydantic takes them.
    # Strings, mappings and non-iterables go on to pydantic, which refuses them itself.
    plain = isinstance(value, list | tuple | str | bytes | bytearray | Mapping)
    if not plain and isinstance(value, Iterable):
        raise ValueError(f"Input should be a valid list, not a {type(value).__name__}")
    return value


def _valid_text(value: str) -> str:
    if not is_valid_text(value):
        raise ValueError("the text holds a lone surrogate (an invalid character)")
    return value


ShortStr = Annotated[str, Field(max_length=MAX_STR, strict=True), AfterValidator(_valid_text)]
LongText = Annotated[str, Field(max_length=MAX_TEXT, strict=True), AfterValidator(_valid_text)]


# One annotation object per type, shared by every fact and model of that type: pydantic
# builds a model's schema faster from annotations it has met before.
_KINDS: dict[str, Any] = {
    "bool": StrictBool | None,
    "int": Annotated[StrictInt, BeforeValidator(_int)] | None,
    "float": Annotated[float, BeforeValidator(_number)] | None,
    "str": ShortStr | None,
    "date": Annotated[datetime.date, BeforeValidator(_date)] | None,
    "list": Annotated[list[ShortStr], Field(max_length=MAX_ITEMS), BeforeValidator(_list)] | None,
    "text": LongText | None,
}


def fact_annotation(spec: FactSpec) -> Any:
    """The pydantic type of one fact (always optional: a fact may be unknown)."""
    if spec.type == "enum":
        return Literal[tuple(spec.values or ())] | None
    return _KINDS[spec.type]


def situation_model(pack: str, facts: Mapping[str, FactSpec]) -> type[BaseModel]:
    """A pydantic model class with one optional field per declared fact."""
    fields: dict[str, Any] = {
        name: (fact_annotation(spec), Field(default=None, description=_describe(spec)))
        for name, spec in facts.items()
    }
    title = "".join(part.capitalize() for part in pack.replace("-", "_").split("_")) + "Situation"
    config = ConfigDict(extra="forbid", frozen=True, title=title)
    model: type[BaseModel] = create_model(title, __config__=config, **fields)
    return model


def _describe(spec: FactSpec) -> str:
    parts = [spec.description.strip(), spec.question.strip() if spec.question else ""]
    return " ".join(part for part in parts if part)


def not_a_mapping(data: Any, location: str = "") -> SituationError:
    """The error of a situation that is not a mapping of facts."""
    message = f"expected a mapping of facts, got {type(data).__name__}"
    return SituationError([SituationProblem(WHOLE_SITUATION, message, location=location)])


def validate_situation(model: type[BaseModel], data: Any) -> dict[str, Any]:
    """The known facts of a situation (unknown ones left out); SituationError when invalid."""
    if isinstance(data, model):
        return {k: v for k, v in data.model_dump().items() if v is not None}
    if type(data) is dict:
        # A fact's name never is a reserved one (the checker refuses those, and names start
        # with a letter), so a situation the model takes has none: only one it refuses
        # needs the full report below.
        try:
            valid = model.__pydantic_validator__.validate_python(data)
        except ValidationError:
            pass
        else:
            return {k: v for k, v in valid.__dict__.items() if v is not None}
    if not isinstance(data, Mapping):
        raise not_a_mapping(data)
    reserved = [
        key
        for key in data
        if isinstance(key, str) and (key in RESERVED_NAMES or key.startswith(("_", "$")))
    ]
    problems = [SituationProblem(key, "this name is reserved by the engine") for key in reserved]
    rest = {key: value for key, value in data.items() if key not in reserved}
    try:
        validated = model.model_validate(rest)
    except ValidationError as error:
        problems.extend(_problem(item, model) for item in error.errors())
        raise SituationError(problems) from None
    if problems:
        raise SituationError(problems)
    return {k: v for k, v in validated.__dict__.items() if v is not None}


def _problem(error: Any, model: type[BaseModel]) -> SituationProblem:
    loc = error["loc"]
    fact = str(loc[0]) if loc else WHOLE_SITUATION
    if error["type"] == "extra_forbidden":
        return SituationProblem(fact, "unknown fact", tuple(suggest(fact, model.model_fields)))
    message = str(error["msg"]).removeprefix("Value error, ")
    if len(loc) > 1:
        message = f"item {loc[1]}: {message}" if isinstance(loc[1], int) else message
    return SituationProblem(fact, message)


def read_today(value: Any) -> datetime.date:
    """The day to evaluate on: None is the current day; a date or an ISO date text is that
    day. A date and time is refused (its day depends on the time zone it is read in), and
    so is anything else, falsy values included: `0` or `""` never mean today."""
    if value is None:
        return datetime.date.today()
    if isinstance(value, datetime.datetime):
        message = "expected a date, not a date and time: pass its .date()"
    elif isinstance(value, datetime.date):
        return datetime.date.fromordinal(datetime.date.toordinal(value))
    elif isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            message = f"'{_shown(value)}' is not an ISO date such as 2026-03-02"
    else:
        message = (
            "expected a date or an ISO date text such as 2026-03-02, "
            f"not a value of type {type(value).__name__}"
        )
    raise SituationError([SituationProblem("today", message)])
