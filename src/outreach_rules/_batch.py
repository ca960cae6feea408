"""Batch evaluation in worker processes (`Engine.evaluate_many`), and the worker-side engines.

An engine travels to a worker as its pickle: its sources, params and backend, never a live
durable host. Each worker process builds the engine from that recipe once, keeps it in a
small module-level cache keyed by the recipe, and evaluates whole chunks of situations with
it. Workers are started with 'spawn' (a fresh interpreter), never by forking a process that
may hold a live durable_rules host. The Dask helpers (`outreach_rules.dask`) use the same
cache, so a Dask worker also builds each engine once.

A bad situation gives its error in place of its advice. `SituationError` and `RulebookError`
take their `problems` in `__init__`, which the default pickling of exceptions does not pass
back; importing this module registers reducers that do, so the errors cross processes.
"""

from __future__ import annotations

import collections
import copyreg
import datetime
import multiprocessing
import pickle
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import repeat
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from .advice import Advice
from .errors import OutreachRulesError, RulebookError, SituationError

if TYPE_CHECKING:
    from .engine import Engine

Result = Advice | OutreachRulesError

IN_PROCESS_BELOW = 64  # fewer situations than this are evaluated in-process: not worth a pool
CHUNKS_PER_WORKER = 4  # a few chunks per worker balance the load without many round trips
MAX_CHUNK = 250  # bounds the size of one message of results
CACHED_ENGINES = 4  # engines a worker process keeps, most recently used first
START_METHOD = "spawn"


# ---------------------------------------------------------------- errors that cross processes
def _rebuild_error(kind: type[Exception], problems: list[Any]) -> Exception:
    return kind(problems)


def _reduce_problems_error(error: SituationError | RulebookError) -> tuple[Any, ...]:
    return (_rebuild_error, (type(error), list(error.problems)))


copyreg.pickle(SituationError, _reduce_problems_error)
copyreg.pickle(RulebookError, _reduce_problems_error)


# ---------------------------------------------------------------- engines in worker processes
_engines: collections.OrderedDict[bytes, Engine] = collections.OrderedDict()
_engines_lock = threading.Lock()


def recipe(engine: Engine) -> bytes:
    """The engine's pickle (sources, params, backend): small, and the key of the worker cache."""
    try:
        return pickle.dumps(engine)
    except OutreachRulesError as error:
        raise OutreachRulesError(
            f"{error}: evaluating in other processes needs an engine built with "
            "Engine.from_paths or Engine.default (or use workers=1)"
        ) from None


def engine_for(blob: bytes) -> Engine:
    """The engine of a recipe, built on first use in this process and then reused."""
    with _engines_lock:
        engine = _engines.get(blob)
        if engine is None:
            engine = pickle.loads(blob)  # noqa: S301 - our own recipe, made by recipe()
            _engines[blob] = engine
            while len(_engines) > CACHED_ENGINES:
                _engines.popitem(last=False)[1].close()
        _engines.move_to_end(blob)
        return engine


def evaluate_chunk(
    engine: Engine,
    situations: Iterable[Mapping[str, Any] | BaseModel],
    today: datetime.date,
    trace: bool,
) -> list[Result]:
    """Advice for each situation in order; a situation that fails gives its error instead."""
    results: list[Result] = []
    for situation in situations:
        try:
            results.append(engine.evaluate(situation, today=today, trace=trace))
        except OutreachRulesError as error:
            results.append(error)
    return results


def _evaluate_in_worker(
    blob: bytes, situations: list[Any], today: datetime.date, trace: bool
) -> list[Result]:
    return evaluate_chunk(engine_for(blob), situations, today, trace)


# ---------------------------------------------------------------- the parent's side
def evaluate_many(
    engine: Engine,
    situations: Iterable[Mapping[str, Any] | BaseModel],
    today: datetime.date | None,
    workers: int,
    trace: bool,
) -> list[Result]:
    """`Engine.evaluate_many`: see its docstring."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, not {workers!r}")
    items = list(situations)
    day = today or datetime.date.today()  # one day for the whole batch, in every worker
    if workers == 1 or len(items) < IN_PROCESS_BELOW:
        return evaluate_chunk(engine, items, day, trace)
    blob = recipe(engine)
    results: list[Result | None] = [None] * len(items)
    sent: list[int] = []
    payload: list[Any] = []
    for index, situation in enumerate(items):
        if isinstance(situation, engine.Situation):
            # The Situation class is built at run time and cannot be pickled: send its facts.
            payload.append({k: v for k, v in situation.model_dump().items() if v is not None})
        elif isinstance(situation, Mapping):
            payload.append(dict(situation))
        else:  # not a situation at all: its SituationError is immediate, no need to ship it
            results[index] = evaluate_chunk(engine, [situation], day, trace)[0]
            continue
        sent.append(index)
    chunks = chunked(payload, _chunk_size(len(payload), workers))
    context = multiprocessing.get_context(START_METHOD)
    with ProcessPoolExecutor(min(workers, len(chunks)), mp_context=context) as pool:
        done = pool.map(_evaluate_in_worker, repeat(blob), chunks, repeat(day), repeat(trace))
        answers = (result for chunk in done for result in chunk)
        for index, result in zip(sent, answers, strict=True):
            results[index] = result
    missing = [index for index, result in enumerate(results) if result is None]
    if missing:  # cannot happen: map() gives one result per situation sent
        raise OutreachRulesError(f"no result for situations {missing[:10]}")
    return [result for result in results if result is not None]


def _chunk_size(count: int, workers: int) -> int:
    per_chunk = -(-count // (workers * CHUNKS_PER_WORKER))
    return max(1, min(MAX_CHUNK, per_chunk))


def chunked(items: Sequence[Any], size: int) -> list[list[Any]]:
    """`items` cut into consecutive pieces of at most `size`."""
    return [list(items[start : start + size]) for start in range(0, len(items), size)]
