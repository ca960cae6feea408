"""A batch cancelled with Ctrl-C ends quietly: a KeyboardInterrupt in the caller, nothing else.

Ctrl-C sends SIGINT to the whole foreground process group: the caller, the fork server and
every worker. The script runs in a session of its own (so the signal reaches only it and its
processes) and sends SIGINT to its group once a worker has sent results, that is, while the
workers are busy evaluating. Standard error must stay empty: no worker traceback, no
`BrokenPipeError` from a worker still sending.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

INTERRUPT_SCRIPT = textwrap.dedent(
    """
    import datetime, os, signal, threading
    # As in a program started from a terminal: a shell starts background jobs with SIGINT
    # ignored, and a test runner may have been started that way.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    import outreach_rules as orr
    from outreach_rules import _batch

    received = threading.Event()
    real_receive = _batch._Crew._receive

    def receive(self, reader, engine, answers):
        real_receive(self, reader, engine, answers)
        received.set()

    _batch._Crew._receive = receive

    def interrupt():
        received.wait()
        os.killpg(os.getpgrp(), signal.SIGINT)  # what Ctrl-C in a terminal does

    if __name__ == "__main__":
        engine = orr.Engine.default()
        situations = [{"spoke_with_recruiter": n % 2 == 0} for n in range(20_000)]
        threading.Thread(target=interrupt, daemon=True).start()
        try:
            engine.evaluate_many(situations, today=datetime.date(2026, 3, 2), workers=3)
        except KeyboardInterrupt:
            print("cancelled")
        else:
            print("finished before the interrupt")
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT are POSIX")
@pytest.mark.parametrize("round_", range(3))
def test_a_cancelled_batch_prints_no_worker_tracebacks(round_: int) -> None:
    """Ctrl-C in the middle of a batch with two worker processes: the caller gets its
    KeyboardInterrupt, and nothing at all is written to standard error (three rounds, as
    the interrupt lands at a different point each time)."""
    del round_
    run = subprocess.run(
        [sys.executable, "-c", INTERRUPT_SCRIPT],
        capture_output=True,
        text=True,
        timeout=300,  # a bound for a broken build, not a measurement
        check=False,
        start_new_session=True,
    )
    assert (run.stdout, run.stderr) == ("cancelled\n", "")
    assert run.returncode == 0
