"""Engines in a process that forks while threads evaluate.

`fork` copies only the thread that calls it: a lock that another thread held at that moment
stays held in the child for ever, and a durable host copied halfway through an evaluation
cannot be trusted. A web server that warms an engine and then forks its workers (the default
start method of multiprocessing on Linux before Python 3.14) does exactly this. The script
below runs in a subprocess, so a child that hangs fails the test after a bounded wait instead
of hanging the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from outreach_rules._durable import available

FORKS = 20
THREADS = 4
CHILD_EVALUATIONS = 10

FORK_SCRIPT = textwrap.dedent(
    """
    import datetime, json, os, sys, threading, time, warnings
    warnings.simplefilter("ignore", DeprecationWarning)  # 3.12 warns on fork with threads
    import outreach_rules as orr

    backend, forks, threads, per_child = sys.argv[1], *map(int, sys.argv[2:5])
    today = datetime.date(2026, 3, 2)
    situations = [
        {"interview_date": today + datetime.timedelta(days=days),
         "spoke_with_recruiter": days % 2 == 0, "reviewed_job_description": days % 3 == 0,
         "draft_message": "Hello, I look forward to our conversation. " * (days % 3)}
        for days in range(per_child)
    ]
    engine = orr.Engine.default(backend=backend)

    def answer(situation):
        advice = engine.evaluate(situation, today=today)
        return [advice.decision.id if advice.decision else None,
                [item.rule_id for item in advice.recommendations]]

    expected = [answer(situation) for situation in situations]
    stop = threading.Event()
    counts = [0] * threads

    def work(number):
        while not stop.is_set():
            answer(situations[(number + counts[number]) % len(situations)])
            counts[number] += 1

    crew = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(threads)]
    for thread in crew:
        thread.start()
    finished = hung = wrong = 0
    for _ in range(forks):
        # Fork while the threads are busy: wait until each has evaluated a few more.
        seen = list(counts)
        while any(now < then + 3 for now, then in zip(counts, seen)):
            time.sleep(0.001)
        pid = os.fork()
        if pid == 0:
            ok = [answer(situation) for situation in situations] == expected
            os._exit(0 if ok else 3)
        for _ in range(1000):  # a bound on the wait, not a measurement
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.01)
        if not done:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            hung += 1
        elif os.waitstatus_to_exitcode(status) == 0:
            finished += 1
        else:
            wrong += 1
    stop.set()
    for thread in crew:
        thread.join()
    print(json.dumps({"finished": finished, "hung": hung, "wrong": wrong,
                      "parent_still_right": [answer(s) for s in situations] == expected}))
    """
)


@pytest.mark.parametrize(
    "backend",
    [
        pytest.param(
            "durable",
            marks=pytest.mark.skipif(not available(), reason="durable_rules cannot be imported"),
        ),
        "python",
    ],
)
def test_a_child_forked_while_threads_evaluate_finishes_its_evaluations(backend: str) -> None:
    """Forking while four threads evaluate on one engine leaves every child an engine that
    works (a fresh lock and host, not the copies the busy threads held) and gives the same
    answers as before the fork, 20 times in a row; the parent's engine is unharmed."""
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            FORK_SCRIPT,
            backend,
            str(FORKS),
            str(THREADS),
            str(CHILD_EVALUATIONS),
        ],
        capture_output=True,
        text=True,
        timeout=600,  # a bound for a broken build; each child is waited for 10 s at most above
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(run.stdout) == {
        "finished": FORKS,
        "hung": 0,
        "wrong": 0,
        "parent_still_right": True,
    }
