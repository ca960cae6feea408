"""Streaming batch results to Parquet or JSON Lines (`Engine.evaluate_to`).

The situations are taken from their iterable a batch at a time, evaluated and turned into
flat rows (`rows.py`) by the processes of `_batch.rows_many`, and written before the next batch is
taken, so memory holds one batch of results however many situations there are. Parquet gets
one row group per batch (pyarrow); JSON Lines one object per line. A file is written under a
temporary name and renamed when complete: a run that stops halfway leaves no file that looks
finished.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from . import _batch
from .rows import DIGEST_KEY, arrow_schema, split_key

if TYPE_CHECKING:
    from ._engine import Engine

Format = Literal["parquet", "jsonl"]
BATCH = 5_000  # situations evaluated and written at once: a few MB of rows


@dataclass
class WriteReport:
    """What `Engine.evaluate_to` (or `outreach_rules.dask.evaluate_to_parquet`) wrote:
    how many situations were evaluated, how many of them gave an error, and the files."""

    evaluated: int = 0
    errors: int = 0
    paths: list[Path] = field(default_factory=list)
    skipped: int = 0  # partitions left as they were by a resumed run (Dask only)


def run_digest(engine: Engine, today: datetime.date) -> str:
    """What decides the rows: the packs, the params in force and the day evaluated for."""
    params = json.dumps(engine.params, sort_keys=True, default=str)
    text = f"{engine.rulebook.digest}\n{params}\n{today.isoformat()}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def evaluate_to(
    engine: Engine,
    situations: Iterable[Any],
    path: str | Path,
    *,
    format: Format = "parquet",  # noqa: A002 - the name users expect, as in pandas
    workers: int = 1,
    today: datetime.date | None = None,
    key: str | None = None,
    batch: int = BATCH,
    progress: Any = None,
) -> WriteReport:
    """`Engine.evaluate_to`: see its docstring."""
    if format not in ("parquet", "jsonl"):
        raise ValueError(f"format must be 'parquet' or 'jsonl', not {format!r}")
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ValueError(f"batch must be a positive integer, not {batch!r}")
    day = today or datetime.date.today()
    target = Path(path)
    report = WriteReport(paths=[target])
    sink: _Sink = (
        _ParquetSink(target, run_digest(engine, day)) if format == "parquet" else _JsonSink(target)
    )
    with sink:
        for start, chunk in _batches(situations, batch):
            rows = rows_of(engine, chunk, start, day, workers, key)
            report.evaluated += len(rows)
            report.errors += sum(row["error_type"] is not None for row in rows)
            sink.write(rows)
            if progress is not None:
                progress(len(rows))
    return report


def rows_of(
    engine: Engine,
    situations: list[Any],
    start: int,
    today: datetime.date,
    workers: int,
    key: str | None,
) -> list[dict[str, Any]]:
    """The rows of consecutive situations, the first at position `start`. Each process
    makes the rows of what it evaluated (only rows come back from worker processes); the
    id and position are set here."""
    split = [split_key(situation, key) for situation in situations]
    rows = _batch.rows_many(engine, [facts for facts, _ in split], today, workers)
    for offset, (row, (_, ident)) in enumerate(zip(rows, split, strict=True)):
        position = start + offset
        row["id"] = ident if ident is not None else str(position)
        row["position"] = position
    return rows


def _batches(items: Iterable[Any], size: int) -> Iterator[tuple[int, list[Any]]]:
    iterator = iter(items)
    start = 0
    while chunk := list(itertools.islice(iterator, size)):
        yield start, chunk
        start += len(chunk)


class _Sink:
    """A file written under a temporary name, renamed to its own name when complete."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.partial = path.with_name(f".{path.name}.{os.getpid()}.partial")

    def __enter__(self) -> _Sink:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.open()
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self.close()
        if kind is None:
            self.partial.replace(self.path)
        else:
            self.partial.unlink(missing_ok=True)

    def open(self) -> None:
        raise NotImplementedError

    def write(self, rows: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _JsonSink(_Sink):
    def open(self) -> None:
        self.handle = self.partial.open("w", encoding="utf-8")

    def write(self, rows: list[dict[str, Any]]) -> None:
        self.handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)

    def close(self) -> None:
        self.handle.close()


class _ParquetSink(_Sink):
    def __init__(self, path: Path, digest: str) -> None:
        super().__init__(path)
        self.schema = arrow_schema(digest)

    def open(self) -> None:
        import pyarrow.parquet as pq  # noqa: PLC0415 - optional: `outreach-rules[parquet]`

        self.writer = pq.ParquetWriter(self.partial, self.schema)

    def write(self, rows: list[dict[str, Any]]) -> None:
        import pyarrow as pa  # noqa: PLC0415 - optional: `outreach-rules[parquet]`

        self.writer.write_table(pa.Table.from_pylist(rows, schema=self.schema))

    def close(self) -> None:
        self.writer.close()


def write_parquet(
    engine: Engine,
    situations: Iterable[Any],
    path: Path,
    today: datetime.date,
    key: str | None,
    batch: int = BATCH,
) -> tuple[int, int]:
    """One Parquet file of the rows of `situations`, evaluated and written `batch` at a time
    in this process, under a temporary name renamed when complete; (evaluated, errors)."""
    evaluated = errors = 0
    with _ParquetSink(path, run_digest(engine, today)) as sink:
        for start, chunk in _batches(situations, batch):
            rows = rows_of(engine, chunk, start, today, 1, key)
            evaluated += len(rows)
            errors += sum(row["error_type"] is not None for row in rows)
            sink.write(rows)
    return evaluated, errors


def parquet_digest(path: Path) -> str | None:
    """The run digest a finished Parquet file of rows was written with, or None."""
    import pyarrow.parquet as pq  # noqa: PLC0415 - optional: `outreach-rules[parquet]`

    try:
        metadata = pq.read_schema(path).metadata or {}
    except (OSError, ValueError):  # missing, or not a Parquet file (pyarrow's ArrowInvalid)
        return None
    found = metadata.get(DIGEST_KEY)
    return found.decode("ascii") if found else None
