"""Concurrency, session lifetime, pickling and memory of the durable backend.

durable_rules is a C library: misuse shows up as a segfault, a leaked session (its session
table holds 1,024) or a wrong answer under contention, not as a Python exception. So the
thread test runs in a subprocess (a crash must fail the test, not kill pytest), the session
test counts open sessions after every evaluation, and the pickling test evaluates in a
freshly spawned interpreter.
"""

from __future__ import annotations

import datetime
import gc
import json
import multiprocessing
import pickle
import random
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

import outreach_rules as orr
from outreach_rules._durable import available
from strategies import TODAY, facts_of_model, random_situation

needs_durable = pytest.mark.skipif(not available(), reason="durable_rules cannot be imported here")

THREADS = 8
PER_THREAD = 300

THREAD_SCRIPT = textwrap.dedent(
    """
    import datetime, faulthandler, json, sys, threading
    faulthandler.enable()
    sys.setswitchinterval(1e-5)  # switch threads often: more interleavings per run
    import outreach_rules as orr

    situations = json.loads(open(sys.argv[1], encoding="utf-8").read())
    today = datetime.date.fromisoformat(sys.argv[2])
    threads = int(sys.argv[3])

    def answer(situation, engine):
        advice = engine.evaluate(situation, today=today, trace=False)
        return [
            advice.decision.id if advice.decision else None,
            [item.rule_id for item in advice.recommendations],
            [item.rule_id for item in advice.findings],
            [item.id for item in advice.alternatives],
        ]

    alone = orr.Engine.default(backend="durable")
    expected = [answer(situation, alone) for situation in situations]  # single-threaded first
    alone.close()
    # The shared engine is cold: the threads also race to build its durable host.
    engine = orr.Engine.default(backend="durable")
    barrier = threading.Barrier(threads)
    lock = threading.Lock()
    mismatches, errors, done = [], [], [0] * threads

    def work(number):
        shift = number * len(situations) // threads  # every thread starts somewhere else
        order = list(range(shift, len(situations))) + list(range(shift))
        barrier.wait()
        for index in order:
            try:
                got = answer(situations[index], engine)
            except Exception as error:
                with lock:
                    errors.append(f"situation {index}: {error!r}")
                continue
            done[number] += 1
            if got != expected[index]:
                with lock:
                    mismatches.append(
                        {"situation": index, "thread": number, "got": got, "want": expected[index]}
                    )

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(json.dumps({
        "evaluations": sum(done),
        "distinct_answers": len({json.dumps(item) for item in expected}),
        "mismatches": mismatches[:10],
        "mismatch_count": len(mismatches),
        "errors": errors[:10],
        "error_count": len(errors),
        "live_sessions": engine.live_sessions(),
    }))
    """
)


def sample_bundled_situations(count: int, seed: int) -> list[dict[str, Any]]:
    """`count` JSON-ready situations for the bundled pack, the same for the same seed."""
    facts = facts_of_model(orr.Engine.default(backend="python").Situation)
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not cryptography
    return [random_situation(rng, facts) for _ in range(count)]


@pytest.mark.slow
@needs_durable
def test_threads_share_one_durable_engine(tmp_path: Path) -> None:
    """Protects sharing one durable engine between threads (the documented use: build once,
    share across threads): 8 threads evaluating 300 situations each on one engine, starting
    together on a cold engine, must give every situation the answer a single-threaded engine
    gave it, never crash the interpreter, and leave no session open. Runs in a subprocess so
    that a segfault fails this test only."""
    situations = tmp_path / "situations.json"
    situations.write_text(
        json.dumps(sample_bundled_situations(PER_THREAD, seed=2026)), encoding="utf-8"
    )
    script = tmp_path / "threads.py"
    script.write_text(THREAD_SCRIPT, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script), str(situations), TODAY.isoformat(), str(THREADS)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        check=False,
    )
    if result.returncode != 0:
        how = (
            f"was killed by signal {-result.returncode} (a crash in durable_rules?)"
            if result.returncode < 0
            else f"exited with code {result.returncode}"
        )
        pytest.fail(f"the threaded evaluation {how}; stderr:\n{result.stderr[-5000:]}")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["error_count"] == 0, report["errors"]
    assert report["mismatch_count"] == 0, report["mismatches"]
    assert report["evaluations"] == THREADS * PER_THREAD
    assert report["live_sessions"] == 0
    assert report["distinct_answers"] >= 5, "the situations should not all get the same advice"


@pytest.mark.slow
@needs_durable
def test_no_session_outlives_its_evaluation() -> None:
    """Protects the session lifetime of the durable host: after each of 20,000 evaluations in
    a row no durable session is open, the host is never rebuilt (a rebuild would reset the
    count and hide a leak), and 1,100 more evaluations still work: were sessions leaking,
    durable_rules would refuse new ones past 1,024 open sessions."""
    engine = orr.Engine.default(backend="durable")
    try:
        situations = sample_bundled_situations(50, seed=7)
        engine.evaluate(situations[0], today=TODAY, trace=False)
        host = engine._host
        assert host is not None
        leaks: list[int] = []
        for number in range(20_000):
            engine.evaluate(situations[number % len(situations)], today=TODAY, trace=False)
            if engine.live_sessions() != 0:
                leaks.append(number)
        assert leaks == [], f"sessions left open after evaluations {leaks[:10]}"
        assert engine._host is host, "the durable host was rebuilt: one of its calls failed"
        assert not host.broken
        decisions = set()
        for number in range(1_100):
            advice = engine.evaluate(situations[number % len(situations)], today=TODAY, trace=False)
            decisions.add(advice.decision.id if advice.decision else None)
        assert engine.live_sessions() == 0
        assert engine._host is host
        assert len(decisions) >= 2
    finally:
        engine.close()


def _evaluate_pickled(
    blob: bytes, situations: list[dict[str, Any]], today: datetime.date
) -> dict[str, Any]:
    """Run in a spawned child: unpickle an engine and evaluate every situation."""
    engine = pickle.loads(blob)  # noqa: S301 - our own engine, pickled by the test
    try:
        answers = [engine.evaluate(s, today=today).model_dump(mode="json") for s in situations]
        return {
            "backend": engine.backend,
            "params": engine.params,
            "answers": answers,
            "live_sessions": engine.live_sessions(),
        }
    finally:
        engine.close()


@needs_durable
def test_engine_pickles_into_a_spawned_process() -> None:
    """Protects pickling an engine (e.g. to a process pool): it travels by its sources and
    params, never with the parent's live durable host, and in a freshly spawned interpreter
    it evaluates to exactly the advice the parent gives."""
    engine = orr.Engine.from_paths(
        orr._engine.bundled_pack_dir(), params={"max_words": 60}, backend="durable"
    )
    try:
        situations = sample_bundled_situations(40, seed=11)
        want = [engine.evaluate(s, today=TODAY).model_dump(mode="json") for s in situations]
        blob = pickle.dumps(engine)  # after evaluating: the parent's host exists by now
        context = multiprocessing.get_context("spawn")
        with context.Pool(1) as pool:
            got = pool.apply(_evaluate_pickled, (blob, situations, TODAY))
    finally:
        engine.close()
    assert got["backend"] == "durable"
    assert got["params"] == engine.params
    assert got["params"]["max_words"] == 60
    assert got["live_sessions"] == 0
    for index, (mine, theirs) in enumerate(zip(want, got["answers"], strict=True)):
        assert theirs == mine, f"situation {index}: {situations[index]!r}"


def test_building_engines_does_not_hold_memory() -> None:
    """Protects long-running services that build or reload engines: an engine that is no
    longer referenced must give back its memory. Loading a pack must not keep its parsed
    YAML alive in a module-level cache (a yaml constructor's `constructed_objects`)."""
    path = orr._engine.bundled_pack_dir()
    for _ in range(5):
        orr.Engine.from_paths(path, backend="python")
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(15):
            orr.Engine.from_paths(path, backend="python")
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 1_000_000, f"15 engines built and dropped left {grown:,} bytes allocated"
