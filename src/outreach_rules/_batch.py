"""Batch evaluation in worker processes (`Engine.evaluate_many`), and the worker-side engines.

The situations are cut into chunks. `workers - 1` worker processes take chunks from the
front, and the calling process takes chunks from the back and evaluates them itself, while
it takes in the results the workers send. Workers are forked from a fork server (a fresh
interpreter that has imported the package) where the platform has one, and spawned
elsewhere: never forked from a process that may hold a live durable_rules host.

An engine travels to a worker as its pickle: its sources, params, backend and the digest of
its packs, never a live durable host. Each worker process builds the engine from that
recipe once and keeps it in a small module-level cache keyed by the recipe. The Dask helpers
(`outreach_rules.dask`) use the same cache, so a Dask worker also builds each engine once.

A bad situation gives its error in place of its advice; the errors pickle with their
problems (see `errors.py`), so they cross processes whole.

`rows_many` is the same batch giving flat rows (`rows.py`) instead: each process makes the
rows of the situations it evaluates, so only rows of a few hundred bytes cross from the
workers, never Advice (over a kilobyte each, and rebuilt in this process at a cost that
made two processes no faster than one).
"""

from __future__ import annotations

import collections
import contextlib
import datetime
import gc
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import pickle
import queue
import signal
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from . import _fork
from ._advice import Advice
from ._advise import TraceInputs, complete, rulebook_info, trace_inputs, with_trace
from ._log import LOG
from ._situation import read_today
from .errors import OutreachRulesError, SituationFailedError
from .rows import result_row

if TYPE_CHECKING:
    from multiprocessing.context import ForkServerContext, SpawnContext

    from ._engine import Engine

Result = Advice | OutreachRulesError

# The first batch's worker needs 0.3-0.4 s to start (the fork server imports the package,
# the worker builds the engine), a later one about 0.1 s; one process evaluates 2,000-3,000
# situations a second with the trace. Below this many situations, this process alone is done
# about as soon.
IN_PROCESS_BELOW = 500
SEGMENT = 50_000  # situations a worker is given at once (about 20 s of work for two)
CHUNKS_PER_WORKER = 8  # several chunks per worker balance the load at the end
MAX_CHUNK = 100  # about a tenth of a second of work: one message of results
CACHED_ENGINES = 4  # engines a worker process keeps, most recently used first
WORKER_NAME = "outreach_rules worker"
PRELOAD = "outreach_rules"  # what the fork server imports once, before any worker forks


# ---------------------------------------------------------------- engines in worker processes
_engines: collections.OrderedDict[bytes, Engine] = collections.OrderedDict()
_engines_lock = threading.Lock()


def _renew_engines_lock() -> None:
    global _engines_lock  # noqa: PLW0603 - a thread of the parent may have held it at fork
    _engines_lock = threading.Lock()


_fork.on_fork(_renew_engines_lock)


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
    """Advice for each situation in order; a situation that fails gives its error instead
    (without its traceback, which would hold this frame, and so the whole batch, in a
    reference cycle)."""
    return list(each_result(engine, situations, today, trace))


def each_result(
    engine: Engine,
    situations: Iterable[Mapping[str, Any] | BaseModel],
    today: datetime.date,
    trace: bool,
) -> Iterator[Result]:
    """`evaluate_chunk` one result at a time."""
    for situation in situations:
        try:
            # Made whole here: an error in a text takes the result's place, as in a worker.
            result: Result = complete(engine.evaluate(situation, today=today, trace=trace))
        except Exception as error:  # noqa: BLE001 - one situation must not end the batch
            result = failure(error)
        yield result


def failure(error: Exception) -> OutreachRulesError:
    """What stands in a failed situation's place: the library's own error as it is, any
    other as a SituationFailedError with its class and message; never with a traceback."""
    if isinstance(error, OutreachRulesError):
        return error.with_traceback(None)
    kind = type(error)
    name = kind.__qualname__
    if kind.__module__ != "builtins":
        name = f"{kind.__module__}.{name}"
    return SituationFailedError(name, str(error))


def row_chunk(
    engine: Engine, situations: Iterable[Mapping[str, Any] | BaseModel], today: datetime.date
) -> list[dict[str, Any]]:
    """The flat row of each situation in order (with the trace, which rows read), its
    `id` and `position` left for the caller to set. Each Advice becomes its row as soon as
    it is made, so a batch never holds its Advice objects (tens of kilobytes each with
    what their trace is made from; a batch of 5,000 held them all)."""
    return [
        result_row(engine, result, 0, None)
        for result in each_result(engine, situations, today, trace=True)
    ]


def _local(
    engine: Engine, situations: list[Any], today: datetime.date, trace: bool, rows: bool
) -> list[Any]:
    """What this process makes of situations itself: rows, or results."""
    if rows:
        return row_chunk(engine, situations, today)
    return evaluate_chunk(engine, situations, today, trace)


_worker_ready = False


def _ready_engine(blob: bytes) -> Engine:
    """The engine of a recipe in a worker process, the collector off from the first call."""
    global _worker_ready  # noqa: PLW0603 - once per worker process
    engine = engine_for(blob)
    if not _worker_ready:
        # The process lives for one batch and only evaluates, which makes no reference
        # cycles: the cyclic collector would only walk the engine and the results again and
        # again (it cost a quarter of the time).
        gc.disable()
        _worker_ready = True
    return engine


Shipped = tuple[Advice, TraceInputs | None] | OutreachRulesError


def _evaluate_in_worker(
    blob: bytes, situations: list[Any], today: datetime.date, trace: bool
) -> list[Shipped]:
    """Run in a worker process: each result as its Advice, without the trace but with the
    values the trace is made from, or as its error."""
    engine = _ready_engine(blob)
    shipped: list[Shipped] = []
    for situation in situations:
        try:
            advice = complete(engine.evaluate(situation, today=today, trace=trace))
        except Exception as error:  # noqa: BLE001 - one situation must not end the batch
            shipped.append(failure(error))
        else:
            # The trace stays unmade: the caller's process makes it if it is ever read. The
            # rulebook info is the same for every result: the caller puts in its own.
            inputs = trace_inputs(advice)
            advice.__dict__["rulebook"] = None
            shipped.append((with_trace(advice, engine, None), inputs))
    return shipped


def _rows_in_worker(
    blob: bytes, situations: list[Any], today: datetime.date, trace: bool
) -> list[dict[str, Any]]:
    """Run in a worker process: the flat row of each situation (`trace` is always on for
    rows: they read the fired rules and the questions)."""
    del trace
    return row_chunk(_ready_engine(blob), situations, today)


def _unship(engine: Engine, item: Shipped) -> Result:
    """A worker's result as the Advice it was (or its error)."""
    if isinstance(item, OutreachRulesError):
        return item
    advice, inputs = item
    # The engine that made it: the same packs (checked by the digest), reviewing drafts in
    # the engine's locale.
    speaking, _ = engine._speaking(engine.locale)
    advice.__dict__["rulebook"] = rulebook_info(speaking)
    return with_trace(advice, speaking, inputs)


# ---------------------------------------------------------------- the parent's side
def evaluate_many(
    engine: Engine,
    situations: Iterable[Mapping[str, Any] | BaseModel],
    today: datetime.date | str | None,
    workers: int,
    trace: bool,
) -> list[Result]:
    """`Engine.evaluate_many`: see its docstring."""
    results: list[Result] = _evaluate(engine, situations, today, workers, trace, rows=False)
    return results


def rows_many(
    engine: Engine,
    situations: Iterable[Mapping[str, Any] | BaseModel],
    today: datetime.date | str | None,
    workers: int,
) -> list[dict[str, Any]]:
    """The flat row of each situation, in order, as `evaluate_many` would give its result
    turned into a row (`rows.result_row`), but made in the process that evaluated it. The
    caller sets each row's `id` and `position`."""
    rows: list[dict[str, Any]] = _evaluate(
        engine, situations, today, workers, trace=True, rows=True
    )
    return rows


def _evaluate(
    engine: Engine,
    situations: Iterable[Mapping[str, Any] | BaseModel],
    today: datetime.date | str | None,
    workers: int,
    trace: bool,
    rows: bool,
) -> list[Any]:
    """Results (or with `rows`, rows) of every situation in order, over `workers` processes."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, not {workers!r}")
    items = list(situations)
    day = read_today(today)  # one day for the whole batch, in every worker
    if workers == 1 or len(items) < IN_PROCESS_BELOW:
        with _collector_paused():
            return _local(engine, items, day, trace, rows)
    blob = recipe(engine)
    results: list[Any] = [None] * len(items)
    payload, sent = _payload(engine, items, results, day, trace, rows)
    with _collector_paused():
        answers = [
            _share_out(engine, blob, chunks, day, (trace, rows), workers)
            for chunks in _segments(payload, workers)
        ]
    flat = (result for segment in answers for answer in segment for result in answer)
    for index, result in zip(sent, flat, strict=True):
        results[index] = result
    missing = [index for index, result in enumerate(results) if result is None]
    if missing:  # cannot happen: every chunk gives one result per situation
        raise OutreachRulesError(f"no result for situations {missing[:10]}")
    return [result for result in results if result is not None]


def _payload(
    engine: Engine,
    items: list[Any],
    results: list[Any],
    today: datetime.date,
    trace: bool,
    rows: bool,
) -> tuple[list[dict[str, Any]], list[int]]:
    """The situations to send to workers, as plain dicts, and their indexes in `items`.

    A situation that cannot travel (not a mapping, a mapping that fails when read, a value
    that cannot be pickled) is evaluated here at once, its result put in `results`: it gives
    what `workers=1` would give, and the rest of the batch goes on."""
    payload: list[dict[str, Any]] = []
    sent: list[int] = []
    for index, situation in enumerate(items):
        try:
            facts = _plain(engine, situation)
        except Exception:  # noqa: BLE001 - evaluated here, it fails as it would with workers=1
            facts = None
        if facts is None:
            results[index] = _local(engine, [situation], today, trace, rows)[0]
            continue
        payload.append(facts)
        sent.append(index)
    for place in reversed(_unpicklable(payload)):
        index = sent.pop(place)
        results[index] = _local(engine, [items[index]], today, trace, rows)[0]
        del payload[place]
    return payload, sent


def _plain(engine: Engine, situation: Any) -> dict[str, Any] | None:
    """A situation as a plain dict to pickle, or None when it is not a mapping at all."""
    if isinstance(situation, engine.Situation):
        # The Situation class is built at run time and cannot be pickled: send its facts.
        return {k: v for k, v in situation.model_dump().items() if v is not None}
    if isinstance(situation, Mapping):
        return dict(situation)
    return None


def _unpicklable(payload: list[Any]) -> list[int]:
    """The positions of the situations that cannot be pickled (a function among their
    values, say), in order. The whole batch is tried at once first: usually all pickle."""
    try:
        pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - any failure to pickle: find the ones that fail
        return [place for place, item in enumerate(payload) if not _picklable(item)]
    return []


def _picklable(item: Any) -> bool:
    try:
        pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - pickling runs arbitrary __reduce__ code
        return False
    return True


def _share_out(
    engine: Engine,
    blob: bytes,
    chunks: list[list[Any]],
    today: datetime.date,
    how: tuple[bool, bool],
    workers: int,
) -> list[list[Any]]:
    """The results of every chunk, in order, evaluated by `workers - 1` worker processes,
    which take chunks from the front, and by this process, which takes them from the back.
    `how` is (trace, rows): with rows, every process makes rows rather than results.

    Every worker gets all the chunks when it starts, and the two ends meet through a pair of
    shared counters, so no thread of this process has to feed the workers (such a thread
    would have to win the GIL from this process's own evaluations, and the workers would
    wait for it). This process works too rather than only waiting: it has to take in the
    Advice that workers send anyway, and with one more busy process than cores the three
    would slow each other down. It takes in the workers' results between its own chunks.
    Each worker sends on a pipe of its own, which ends when the worker does: a worker that
    dies, even halfway through a message, leaves its chunks to this process.
    """
    trace, rows = how
    context = _worker_context()
    ends = context.Array("i", [0, len(chunks)])  # next chunk from the front; end of the back
    answers: list[list[Any] | None] = [None] * len(chunks)
    crew = _Crew(rows)
    try:
        crew.start(context, min(workers - 1, len(chunks)), (blob, chunks, today, how, ends))
        while (number := _take(ends, from_front=False)) is not None:
            answers[number] = _local(engine, chunks[number], today, trace, rows)
            crew.take_in(engine, answers, wait=False)
        crew.take_in(engine, answers, wait=True)
    finally:
        crew.stop()
    for number, answer in enumerate(answers):
        if answer is None:  # a worker died with it: evaluate it here
            answers[number] = _local(engine, chunks[number], today, trace, rows)
    return [answer for answer in answers if answer is not None]


class _Crew:
    """The worker processes of one batch and the pipes their results come back on."""

    def __init__(self, rows: bool) -> None:
        self.rows = rows  # the workers send rows, which need no rebuilding here
        self.helpers: list[Any] = []
        self.readers: list[Any] = []  # the pipes of workers not done yet

    def start(self, context: Any, count: int, work: tuple[Any, ...]) -> None:
        """Start `count` workers on `work` (all but the pipe of `_work`'s arguments)."""
        for _ in range(count):
            reader, writer = context.Pipe(duplex=False)
            helper = context.Process(
                target=_work, args=(*work, writer), name=WORKER_NAME, daemon=True
            )
            helper.start()
            writer.close()  # the worker's copy is the only one: its end is the pipe's end
            self.helpers.append(helper)
            self.readers.append(reader)
        LOG.info("started %d batch worker(s): pids %s", count, [h.pid for h in self.helpers])

    def take_in(self, engine: Engine, answers: list[list[Any] | None], wait: bool) -> None:
        """Take in what the workers have sent; with `wait`, until every pipe has ended."""
        while self.readers:
            ready = multiprocessing.connection.wait(self.readers, timeout=None if wait else 0)
            if not ready:
                return
            for reader in ready:
                self._receive(reader, engine, answers)

    def _receive(self, reader: Any, engine: Engine, answers: list[list[Any] | None]) -> None:
        try:
            item = reader.recv()
        except (EOFError, OSError):  # the worker is done, or died (maybe halfway)
            item = None
        if item is None:
            self.readers.remove(reader)
            reader.close()
            return
        number, shipped = item
        answers[number] = shipped if self.rows else [_unship(engine, one) for one in shipped]

    def stop(self) -> None:
        """Workers whose pipes all ended are only exiting: they are not waited for (the
        process that started them collects them). Otherwise (an error in this process) any
        worker still running is stopped."""
        for reader in self.readers:
            reader.close()
        for helper in self.helpers:
            helper.join(timeout=0.01)
            if helper.is_alive() and self.readers:
                helper.terminate()
                helper.join()
        if self.helpers:
            how = "stopped early" if self.readers else "done"
            LOG.info("batch worker(s) %s: pids %s", how, [h.pid for h in self.helpers])


def _take(ends: Any, from_front: bool) -> int | None:
    """The next chunk to evaluate from one end, or None when the two ends have met."""
    with ends.get_lock():
        front, back = ends[0], ends[1]
        if front >= back:
            return None
        if from_front:
            ends[0] = front + 1
            return int(front)
        ends[1] = back - 1
        return int(back - 1)


def _work(
    blob: bytes,
    chunks: list[list[Any]],
    today: datetime.date,
    how: tuple[bool, bool],
    ends: Any,
    writer: Any,
) -> None:
    """A worker process: evaluate chunks from the front until the ends meet, and send each
    chunk's results with its number. A thread sends them, so that evaluating goes on while
    the caller, busy with its own chunks, does not read.

    Ctrl-C reaches the whole process group, but cancelling is the caller's business (it
    stops its workers): a worker ignores SIGINT rather than print a traceback, and stops
    quietly once the caller no longer reads."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    trace, rows = how
    evaluate = _rows_in_worker if rows else _evaluate_in_worker
    outbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
    gone = threading.Event()
    sender = threading.Thread(target=_send_all, args=(outbox, writer, gone), daemon=True)
    sender.start()
    try:
        while not gone.is_set() and (number := _take(ends, from_front=True)) is not None:
            outbox.put((number, evaluate(blob, chunks[number], today, trace)))
    finally:
        outbox.put(None)
        sender.join()
        with contextlib.suppress(OSError):
            writer.close()


def _send_all(outbox: queue.SimpleQueue[Any], writer: Any, gone: threading.Event) -> None:
    while (item := outbox.get()) is not None:
        try:
            writer.send(item)
        except OSError:  # the caller stopped reading (it was interrupted, or it failed)
            gone.set()
            return
        except Exception:  # noqa: BLE001, S112 - results that do not pickle: the caller evaluates that chunk itself
            continue


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a batch's results pile up.

    Evaluating makes no reference cycles and Advice is a tree, so collecting during a batch
    finds nothing; but every full collection walks all the results so far, and with a few
    thousand results the collector took 30-40% of the time (more than rebuilding the
    results that workers send). At the end the objects made meanwhile go straight to the
    oldest generation (gc.freeze, gc.unfreeze) rather than being walked by young collections.
    Nothing is done when the collector is disabled already; the freeze is skipped when the
    process uses gc.freeze itself.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        gc.enable()


def _worker_context() -> SpawnContext | ForkServerContext:
    """How worker processes start: forked from a fork server where there is one, else
    spawned. Neither copies this process: a fork server is a fresh interpreter that only
    imports modules (the package among them, once), so it never holds a durable host, and
    every worker after the first starts in a fraction of the time of a fresh interpreter."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Preloading only speeds workers up: without the (private) list, workers import it.
    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    preload = getattr(server, "_preload_modules", None)
    if isinstance(preload, list) and PRELOAD not in preload:
        # Read when the server starts; modules others asked for stay in the list.
        context.set_forkserver_preload([*preload, PRELOAD])
    return context


def _segments(payload: list[Any], workers: int) -> Iterator[list[list[Any]]]:
    """The situations in segments of at most SEGMENT, each cut into chunks. A worker gets a
    whole segment when it starts, so a huge batch is not copied to the workers at once."""
    for start in range(0, len(payload), SEGMENT):
        segment = payload[start : start + SEGMENT]
        yield chunked(segment, _chunk_size(len(segment), workers))


def _chunk_size(count: int, workers: int) -> int:
    per_chunk = -(-count // (workers * CHUNKS_PER_WORKER))
    return max(1, min(MAX_CHUNK, per_chunk))


def chunked(items: Sequence[Any], size: int) -> list[list[Any]]:
    """`items` cut into consecutive pieces of at most `size`."""
    return [list(items[start : start + size]) for start in range(0, len(items), size)]
