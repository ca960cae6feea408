"""`Engine.evaluate_many`: batches evaluated by worker processes.

These tests start real worker processes (forked from a fork server, or spawned), so each
batch that goes to the workers costs a tenth of a second or more. To keep them short, the
size below which a batch is evaluated in-process (`_batch.IN_PROCESS_BELOW`, a few hundred)
is lowered to SMALL for every test.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.forkserver
import os
import pickle
import random
import signal
import threading
import time
from typing import Any

import pytest

import outreach_rules as orr
from outreach_rules import _batch
from outreach_rules._engine import bundled_pack_dir
from strategies import TODAY, facts_of_model, random_situation

SMALL = 40
BATCH = 120


@pytest.fixture(autouse=True)
def small_batches_use_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of SMALL situations or more go to worker processes."""
    monkeypatch.setattr(_batch, "IN_PROCESS_BELOW", SMALL)


@pytest.fixture(scope="module")
def engine() -> orr.Engine:
    """The bundled pack on its default backend (durable where it can be imported)."""
    return orr.Engine.default()


def bundled_situations(engine: orr.Engine, count: int, seed: int) -> list[dict[str, Any]]:
    """`count` random valid situations for the bundled pack, the same for the same seed."""
    facts = facts_of_model(engine.Situation)
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not cryptography
    return [random_situation(rng, facts) for _ in range(count)]


def comparable(results: list[Any]) -> list[Any]:
    """Results with each error as (type, problems): exceptions do not compare equal."""
    return [
        (type(item), item.problems) if isinstance(item, orr.SituationError) else item
        for item in results
    ]


def test_results_are_in_input_order_and_equal_sequential_evaluation(engine: orr.Engine) -> None:
    """Protects the contract of evaluate_many: two worker processes give, in input order,
    exactly the Advice (trace included) that evaluating each situation in turn gives, and the
    workers run the engine's backend. Situation model instances (a class built at run time,
    which cannot be pickled) are accepted like mappings."""
    situations: list[Any] = bundled_situations(engine, BATCH, seed=3)
    situations[5] = engine.Situation.model_validate(situations[5])
    situations[-1] = engine.Situation.model_validate(situations[-1])
    want = [engine.evaluate(situation, today=TODAY) for situation in situations]
    got = engine.evaluate_many(situations, TODAY, workers=2)
    assert len(got) == len(situations)
    for index, (mine, theirs) in enumerate(zip(want, got, strict=True)):
        assert isinstance(theirs, orr.Advice), f"situation {index}: {theirs!r}"
        assert theirs == mine, f"situation {index} differs: {situations[index]!r}"
        assert theirs.trace is not None and theirs.trace.backend == engine.backend
    assert len({advice.model_dump_json() for advice in want}) > BATCH // 2, "too few distinct"


def test_three_workers_give_the_same_results(engine: orr.Engine) -> None:
    """Protects sharing a batch among several worker processes and this one: with workers=3
    (two worker processes), small chunks taken from both ends still come back complete and
    in input order, equal to sequential evaluation without the trace."""
    situations = bundled_situations(engine, BATCH, seed=4)
    got = engine.evaluate_many(situations, TODAY, workers=3, trace=False)
    assert got == [engine.evaluate(s, today=TODAY, trace=False) for s in situations]


def test_bad_situations_give_their_errors_in_place(engine: orr.Engine) -> None:
    """Protects error handling in a batch: a bad situation yields its SituationError (with
    every problem, as evaluate raises it) at its own index, and every other situation is
    still evaluated; the errors survive the trip back from the worker process."""
    situations: list[Any] = bundled_situations(engine, BATCH, seed=5)
    bad = {
        0: {"interview_date": "soon"},
        7: {"no_such_fact": True},
        8: ["not", "a", "mapping"],
        len(situations) - 1: {"spoke_with_recruiter": "yes", "_k": 1},
    }
    for index, situation in bad.items():
        situations[index] = situation
    got = engine.evaluate_many(situations, TODAY, workers=2, trace=False)
    assert len(got) == len(situations)
    for index, result in enumerate(got):
        if index in bad:
            with pytest.raises(orr.SituationError) as raised:
                engine.evaluate(situations[index], today=TODAY, trace=False)
            assert isinstance(result, orr.SituationError), f"situation {index}: {result!r}"
            assert result.problems == raised.value.problems
            assert str(result) == str(raised.value)
        else:
            assert result == engine.evaluate(situations[index], today=TODAY, trace=False)


def test_param_overrides_reach_the_workers() -> None:
    """Protects the engine recipe sent to the workers: an engine built with a params override
    (and the python backend) is rebuilt in each worker with the same override and backend,
    so the batch equals sequential evaluation by that engine, not by the default one."""
    engine = orr.Engine.from_paths(bundled_pack_dir(), params={"max_words": 40}, backend="python")
    situations = bundled_situations(engine, BATCH, seed=9)
    got = engine.evaluate_many(situations, TODAY, workers=2)
    want = [engine.evaluate(situation, today=TODAY) for situation in situations]
    assert got == want
    for advice in got:
        assert isinstance(advice, orr.Advice)
        assert advice.rulebook.params["max_words"] == 40
        assert advice.trace is not None and advice.trace.backend == "python"


def test_one_worker_or_a_tiny_batch_evaluates_in_process(
    engine: orr.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Protects the in-process path: with workers=1, or fewer situations than are worth
    worker processes, none is started (so an engine that cannot be pickled works too),
    results are still in order and a bad situation still gives its error in place."""

    def no_workers(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("worker processes were started")

    monkeypatch.setattr(_batch, "_share_out", no_workers)
    situations: list[Any] = bundled_situations(engine, BATCH, seed=13)
    situations[3] = {"no_such_fact": 1}
    want = [engine.evaluate(s, today=TODAY) if i != 3 else None for i, s in enumerate(situations)]
    got = engine.evaluate_many(situations, TODAY, workers=1)
    assert isinstance(got[3], orr.SituationError)
    assert got[:3] + got[4:] == want[:3] + want[4:]
    tiny = situations[: SMALL - 1]
    assert comparable(engine.evaluate_many(tiny, TODAY, workers=2)) == comparable(got[: len(tiny)])
    unpicklable = orr.Engine(engine.rulebook, backend=engine.backend)
    assert comparable(unpicklable.evaluate_many(situations, TODAY, workers=1)) == comparable(got)


def test_the_collector_is_restored_and_errors_hold_no_frames(engine: orr.Engine) -> None:
    """Protects the process around a batch: evaluate_many pauses the cyclic garbage collector
    only for its own duration (enabled after if it was enabled before, disabled if it was
    disabled), and an error in the results carries no traceback, which would keep the batch's
    frame and every situation alive in a reference cycle."""
    situations: list[Any] = [{"no_such_fact": 1}, {"spoke_with_recruiter": True}]
    assert gc.isenabled()
    first = engine.evaluate_many(situations, TODAY, workers=1)
    assert gc.isenabled()
    assert isinstance(first[0], orr.SituationError) and first[0].__traceback__ is None
    gc.disable()
    try:
        engine.evaluate_many(situations, TODAY, workers=1)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_engine_without_sources_cannot_use_workers(engine: orr.Engine) -> None:
    """Protects the error for an engine built from a Rulebook object (no source paths to
    rebuild it from): asking for workers fails up front, naming the way out."""
    unpicklable = orr.Engine(engine.rulebook, backend=engine.backend)
    with pytest.raises(orr.OutreachRulesError, match="workers=1"):
        unpicklable.evaluate_many(bundled_situations(engine, BATCH, seed=1), TODAY, workers=2)


@pytest.mark.parametrize("workers", [0, -1, True, 1.5])
def test_workers_must_be_a_positive_integer(engine: orr.Engine, workers: Any) -> None:
    """Protects the argument check: a worker count that is not a positive integer is refused
    before anything is evaluated."""
    with pytest.raises(ValueError, match="workers"):
        engine.evaluate_many([{}], TODAY, workers=workers)


def test_situation_errors_pickle_with_their_problems(engine: orr.Engine) -> None:
    """Protects the trip of an error between processes: a SituationError (whose constructor
    takes its problems) unpickles with the same problems and message."""
    with pytest.raises(orr.SituationError) as raised:
        engine.evaluate({"interview_date": 3, "nope": 1})
    copy = pickle.loads(pickle.dumps(raised.value))  # noqa: S301 - our own object
    assert type(copy) is orr.SituationError
    assert copy.problems == raised.value.problems
    assert str(copy) == str(raised.value)


def test_worker_engine_cache_builds_each_engine_once(engine: orr.Engine) -> None:
    """Protects the per-process engine cache used by workers: the same recipe gives the same
    engine object (built once), another params override gives another engine."""
    blob = _batch.recipe(engine)
    first = _batch.engine_for(blob)
    assert _batch.engine_for(blob) is first
    other = orr.Engine.default(params={"max_words": 50})
    assert _batch.engine_for(_batch.recipe(other)) is not first
    assert _batch.engine_for(_batch.recipe(other)).params["max_words"] == 50


def test_workers_never_fork_the_calling_process() -> None:
    """Worker processes start from a fork server (a fresh interpreter that has imported the
    package) or are spawned, never forked from the caller, which may hold a durable host;
    the fork server keeps any modules others asked it to preload."""
    context = _batch._worker_context()
    expected = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    assert context.get_start_method() == expected
    with context.Pool(1) as pool:
        parent = pool.apply(os.getppid)
    assert parent != os.getpid() or expected == "spawn"
    if expected == "forkserver":
        server = multiprocessing.forkserver._forkserver  # type: ignore[attr-defined]
        assert server._preload_modules[-1] == _batch.PRELOAD
        assert server._preload_modules.count(_batch.PRELOAD) == 1
        _batch._worker_context()
        assert server._preload_modules.count(_batch.PRELOAD) == 1


def test_a_worker_that_dies_leaves_its_chunks_to_the_caller(engine: orr.Engine) -> None:
    """A worker process killed in the middle of a batch loses nothing: the chunks it took
    and did not send back are evaluated by the calling process, and the results are those
    of evaluating one by one."""
    situations = bundled_situations(engine, 6000, seed=21)
    alive_when_killed: list[bool] = []

    def kill_the_worker() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            workers = [p for p in multiprocessing.active_children() if p.name == _batch.WORKER_NAME]
            if workers:
                time.sleep(0.3)  # let it take a few chunks first
                alive_when_killed.append(workers[0].is_alive())
                os.kill(workers[0].pid or 0, signal.SIGKILL)
                return
            time.sleep(0.01)

    killer = threading.Thread(target=kill_the_worker)
    killer.start()
    got = engine.evaluate_many(situations, TODAY, workers=2)
    killer.join()
    # (How a killed worker's end is reported differs between Pythons: -9, or 255 when the
    # fork server's report is lost; that it was running when killed is what counts here.)
    assert alive_when_killed == [True], "the worker ended before it could be killed"
    want = [engine.evaluate(situation, today=TODAY) for situation in situations]
    assert comparable(got) == comparable(want)


def test_a_large_batch_goes_to_the_workers_in_segments(
    engine: orr.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch larger than a segment is given to the workers one segment at a time (a
    worker receives its whole segment when it starts), and the results are still complete
    and in input order."""
    monkeypatch.setattr(_batch, "SEGMENT", 50)
    started: list[int] = []
    real = _batch._share_out

    def counting(*args: Any) -> Any:
        started.append(sum(len(chunk) for chunk in args[2]))
        return real(*args)

    monkeypatch.setattr(_batch, "_share_out", counting)
    situations = bundled_situations(engine, 120, seed=5)
    got = engine.evaluate_many(situations, TODAY, workers=2)
    assert started == [50, 50, 20]
    assert comparable(got) == comparable([engine.evaluate(s, today=TODAY) for s in situations])
