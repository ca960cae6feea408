"""Evaluation on a Dask cluster (the optional extra: `pip install 'outreach-rules[dask]'`).

    import dask.bag as db
    from outreach_rules.dask import evaluate_bag

    bag = db.from_sequence(situations, npartitions=16)
    results = evaluate_bag(engine, bag, today=datetime.date(2026, 3, 2)).compute()

Evaluation is stateless, so it maps over partitions. A task carries the engine's recipe (its
pickle: source paths, params and backend, a few hundred bytes), never the engine; each worker
process builds the engine from the recipe once and keeps it in a module-level cache keyed by
the recipe (`outreach_rules._batch.engine_for`), so the pack files must be readable at the
same paths on every worker. A bad situation gives its SituationError in place of its advice,
as with `Engine.evaluate_many`. Put plain mappings in the bag, not Situation model instances
(their class is built at run time and does not pickle).
"""

from __future__ import annotations

import datetime
import importlib
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _batch, _writers
from ._situation import read_today

try:
    import dask
    import dask.bag
except ImportError as error:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "outreach_rules.dask needs Dask: pip install 'outreach-rules[dask]'"
    ) from error

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["evaluate_bag", "evaluate_partitions", "evaluate_to_parquet"]


def evaluate_bag(
    engine: Engine,
    bag: dask.bag.Bag,
    today: datetime.date | str | None = None,
    *,
    trace: bool = True,
) -> dask.bag.Bag:
    """A bag of results (`Advice`, or the error of a bad situation), one per situation of
    `bag`, in the same order. `today` defaults to the current day, fixed when this is called.
    """
    blob = _batch.recipe(engine)
    day = read_today(today)
    mapped: dask.bag.Bag = bag.map_partitions(  # type: ignore[no-untyped-call]
        _evaluate_partition, blob, day, trace
    )
    return mapped


def _evaluate_partition(
    situations: Iterable[Any], blob: bytes, today: datetime.date, trace: bool
) -> list[_batch.Result]:
    return _batch.evaluate_chunk(_batch.engine_for(blob), situations, today, trace)


def evaluate_partitions(
    engine: Engine,
    df: Any,
    today: datetime.date | str | None = None,
    *,
    trace: bool = True,
) -> Any:
    """A Dask Series of results aligned with the rows of the Dask DataFrame `df` (needs
    pandas and `dask.dataframe`): one situation per row, one column per fact. A missing value
    (None, NaN, NaT, pd.NA) is an unknown fact; a timestamp at midnight is a date; a whole
    float in an `int` fact (pandas turns an int column with gaps into floats) is an int.
    """
    blob = _batch.recipe(engine)
    day = read_today(today)
    return df.map_partitions(_evaluate_frame, blob, day, trace, meta=("advice", "object"))


def _evaluate_frame(frame: Any, blob: bytes, today: datetime.date, trace: bool) -> Any:
    pd = importlib.import_module("pandas")  # only for DataFrames; not in the [dask] extra
    engine = _batch.engine_for(blob)
    ints = {name for name, spec in engine.rulebook.spec.facts.items() if spec.type == "int"}
    rows = [_situation(row, ints) for row in frame.to_dict(orient="records")]
    results = _batch.evaluate_chunk(engine, rows, today, trace)
    return pd.Series(results, index=frame.index, dtype=object, name="advice")


def _situation(row: Mapping[Any, Any], ints: set[str]) -> dict[Any, Any]:
    """A DataFrame row as a situation: missing values left out, pandas scalars made plain."""
    situation: dict[Any, Any] = {}
    for name, value in row.items():
        if _missing(value):
            continue
        plain = value
        if (
            isinstance(plain, datetime.datetime)
            and plain.tzinfo is None
            and plain.time() == (datetime.time())
        ):
            plain = plain.date()  # a pandas Timestamp is a datetime
        elif type(plain).__module__ == "numpy" and hasattr(plain, "item"):
            plain = plain.item()
        if name in ints and isinstance(plain, float) and plain.is_integer():
            plain = int(plain)
        situation[name] = plain
    return situation


def _missing(value: Any) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    return type(value).__name__ in ("NAType", "NaTType")


def evaluate_to_parquet(
    collection: Any,
    engine: Engine,
    path: str | Path,
    today: datetime.date | None = None,
    *,
    key: str | None = None,
) -> _writers.WriteReport:
    """Evaluate every situation of a Dask Bag (of mappings) or DataFrame (one row each) and
    write the flat rows (`outreach_rules.rows`) as Parquet, one file per partition:
    `path/part.<n>.parquet`, the layout `dask.dataframe.to_parquet` writes, so Dask, pandas,
    Polars or DuckDB read the folder directly.

    Each file is written by the task of its partition under a temporary name and renamed
    when complete, so a partition that Dask runs again (its worker died) is written once.
    Run again with the same `path`, this evaluates only the partitions whose file is
    missing or was written for other packs, params or `today` (the digest kept in each
    file's metadata): an interrupted run resumes where it stopped. `today` defaults to the
    current day; give it to resume a run of an earlier day. A row's `position` counts
    within its partition. Blocks until every partition is written.
    """
    blob = _batch.recipe(engine)
    day = today or datetime.date.today()
    digest = _writers.run_digest(engine, day)
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    frame = hasattr(collection, "columns")  # a DataFrame; a Bag otherwise
    parts = collection.to_delayed()
    report = _writers.WriteReport()
    tasks = []
    for number, part in enumerate(parts):
        target = folder / f"part.{number}.parquet"
        report.paths.append(target)
        if _writers.parquet_digest(target) == digest:
            report.skipped += 1
            continue
        task = dask.delayed(_write_partition)(  # type: ignore[attr-defined]
            part, blob, day, key, str(target), frame
        )
        tasks.append(task)
    for evaluated, errors in dask.compute(*tasks):  # type: ignore[attr-defined,no-untyped-call]
        report.evaluated += evaluated
        report.errors += errors
    return report


def _write_partition(
    part: Any, blob: bytes, today: datetime.date, key: str | None, target: str, frame: bool
) -> tuple[int, int]:
    """Run on a worker: evaluate one partition and write its file, a batch at a time (so a
    large partition never has all its results in memory at once); (evaluated, errors)."""
    engine = _batch.engine_for(blob)
    situations: Iterable[Any] = part
    if frame:
        ints = {name for name, spec in engine.rulebook.spec.facts.items() if spec.type == "int"}
        situations = (_situation(row, ints) for row in part.to_dict(orient="records"))
    return _writers.write_parquet(engine, situations, Path(target), today, key)
