"""Flat result rows for batch work: one record per situation, ready for columnar storage.

An `Advice` with its trace is tens of kilobytes; a coaching platform that re-scores its
whole candidate base wants, per candidate, what was decided and why in a few columns it can
query. A row holds the situation's id, the decision, the rule ids that fired, the
recommendations and findings (ids, topics, severities), the facts worth asking about, the
packs behind it, and, for a situation that failed, the error's class and message instead.
`ROW_FIELDS` lists the columns; `arrow_schema()` is the same as a pyarrow schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._advice import Advice
from ._advise import trace_inputs
from .errors import OutreachRulesError, SituationFailedError

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["ROW_FIELDS", "arrow_schema", "result_row", "split_key"]

# (column, type, what it holds). Types: "string", "int64", "list<string>"; every column but
# `position` may be null (a failed situation has only its id, position, packs and error).
ROW_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("id", "string", "the situation's id: the value of the key the caller named, as text"),
    ("position", "int64", "the situation's position in the input, from 0"),
    ("decision", "string", "the decision's id, or null when no decision is certain"),
    ("provisional", "string", "the provisional decision's id (assumed answers), or null"),
    ("fired_rules", "list<string>", "the ids of the rules that fired, in pack order"),
    ("recommendations", "list<string>", "the rule ids of the recommendations, ranked"),
    ("recommendation_topics", "list<string>", "their topics, in the same order"),
    ("findings", "list<string>", "the rule ids of the findings on the draft, ranked"),
    ("finding_severities", "list<string>", "their severities (info, warning, error)"),
    ("questions", "list<string>", "the facts worth asking about, most useful first"),
    ("pack", "string", "the names of the packs, joined by '+' in overlay order"),
    ("pack_version", "string", "their versions, joined by '+' in the same order"),
    ("digest", "string", "the sha256 digest of the packs' sources"),
    ("error_type", "string", "for a situation that failed: the error's class"),
    ("error_message", "string", "for a situation that failed: the error's message"),
)
COLUMNS = tuple(name for name, _, _ in ROW_FIELDS)
DIGEST_KEY = b"outreach_rules.digest"  # Parquet metadata: the digest of the packs that wrote it


def arrow_schema(digest: str | None = None) -> Any:
    """The pyarrow schema of a row (needs pyarrow: `pip install 'outreach-rules[parquet]'`);
    with `digest`, the packs' digest is kept in the schema's metadata."""
    import pyarrow as pa  # noqa: PLC0415 - optional: only the Parquet output needs it

    kinds = {"string": pa.string(), "int64": pa.int64(), "list<string>": pa.list_(pa.string())}
    fields = [
        pa.field(name, kinds[kind], nullable=name != "position") for name, kind, _ in ROW_FIELDS
    ]
    metadata = {DIGEST_KEY: digest.encode("ascii")} if digest else None
    return pa.schema(fields, metadata=metadata)


def split_key(situation: Any, key: str | None) -> tuple[Any, str | None]:
    """The situation without its id field, and the id as text (None without a key)."""
    if key is None or not isinstance(situation, Mapping) or key not in situation:
        return situation, None
    facts = {name: value for name, value in situation.items() if name != key}
    found = situation[key]
    return facts, None if found is None else str(found)


def result_row(
    engine: Engine, result: Advice | OutreachRulesError, position: int, ident: str | None
) -> dict[str, Any]:
    """The flat row of one result (an Advice, or the error that stands in its place)."""
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    packs = engine.rulebook.files
    row.update(
        id=ident if ident is not None else str(position),
        position=position,
        pack="+".join(pack.spec.pack for pack in packs),
        pack_version="+".join(pack.spec.version for pack in packs),
        digest=engine.rulebook.digest,
    )
    if isinstance(result, OutreachRulesError):
        cause = result.cause if isinstance(result, SituationFailedError) else None
        row.update(error_type=cause or type(result).__name__, error_message=_message(result))
        return row
    provisional = getattr(result, "provisional", None)
    row.update(
        decision=result.decision.id if result.decision else None,
        provisional=provisional.id if provisional is not None else None,
        fired_rules=_fired(engine, result),
        recommendations=[item.rule_id for item in result.recommendations],
        recommendation_topics=[item.topic for item in result.recommendations],
        findings=[item.rule_id for item in result.findings],
        finding_severities=[item.severity for item in result.findings],
        questions=[item.fact for item in result.questions],
    )
    return row


def _message(error: OutreachRulesError) -> str:
    if isinstance(error, SituationFailedError):
        return error.detail
    return str(error)


def _fired(engine: Engine, advice: Advice) -> list[str] | None:
    """The ids of the pack's own rules that fired (not the synthetic default rules)."""
    inputs = trace_inputs(advice)
    if inputs is None:  # evaluated without its trace inputs: not known
        return None
    rules = engine.program.rules
    return [rules[i].id for i in sorted(inputs[1]) if not rules[i].checked.synthetic]
