"""What the explain stage makes once per engine and then shares between evaluations.

Each entry is immutable once made (citations, pack infos, the plan of questions) or a
bounded table (the trace pieces, forgotten past `_tracing.MAX_REMEMBERED_PIECES`, and the
remembered texts and reasons, past `_remembered.MAX_REMEMBERED`; see docs/limits.md). An
engine never changes after it is built, so nothing here goes stale.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._model import Citation, PackInfo
    from ._questions import _Plan

# A pack citation: its source id, section heading and quote.
CiteKey = tuple[str, str, str | None]


@dataclass
class EngineCache:
    """One engine's shared pieces of explanation, each made when first needed."""

    citations: dict[CiteKey, Citation] = field(default_factory=dict)
    packs: list[PackInfo] | None = None
    question_plan: _Plan | None = None
    trace_pieces: dict[Hashable, Any] | None = None
    # Filled-in texts and reasons by what they read (bounded: see `_remembered.table`).
    tables: dict[str, dict[Hashable, Any]] = field(default_factory=dict)
    plain_reads: dict[int, tuple[str, ...]] | None = None
    text_reads: dict[str, tuple[str, ...]] = field(default_factory=dict)  # one per pack text
    date_facts: tuple[str, ...] | None = None
