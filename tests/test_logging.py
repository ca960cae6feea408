"""The `outreach_rules` logger: silent by default, and the events it reports when routed."""

from __future__ import annotations

import datetime
import logging
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import outreach_rules as orr
from outreach_rules import _batch
from outreach_rules._durable import available

DATA = Path(__file__).parent / "data"
CHAIN = DATA / "packs" / "chain.yaml"
TODAY = datetime.date(2026, 3, 2)
SITUATION = {"a": True, "b": True, "n": 5}
needs_durable = pytest.mark.skipif(not available(), reason="durable_rules cannot be imported")


def _messages(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == "outreach_rules" and r.levelno == level
    ]


def test_the_package_logger_has_only_a_null_handler() -> None:
    """The library adds a NullHandler to its logger and nothing else: the application decides
    where records go."""
    logger = logging.getLogger("outreach_rules")
    assert [type(h) for h in logger.handlers] == [logging.NullHandler]
    assert logger.propagate


def test_loading_a_pack_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    """INFO: the pack's name, version, digest, rule count and the milliseconds it took."""
    caplog.set_level(logging.INFO, logger="outreach_rules")
    engine = orr.Engine.from_paths(CHAIN, backend="python")
    [message] = _messages(caplog, logging.INFO)
    rules = len(engine.rulebook.spec.rules)
    digest = engine.rulebook.digest[:12]
    pattern = rf"loaded pack chain 0\.1\.0 \(sha256 {digest}, {rules} rules\) in \d+\.\d ms"
    assert re.fullmatch(pattern, message), message


@needs_durable
def test_an_evaluation_error_and_the_rebuilt_host_are_logged(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WARNING: the EvaluationError's message, then, on the next evaluation, the rebuild of
    the durable host. (The real host runs; its answer gains an action the compiler never
    made, as a misbehaving C engine would give.)"""
    engine = orr.Engine.from_paths(CHAIN, backend="durable")
    engine.evaluate(SITUATION, TODAY)
    host = engine._host
    assert host is not None
    real_run = host.run

    def with_a_stranger(ruleset: str, fact: dict[str, Any], limit: int) -> list[str]:
        return [*real_run(ruleset, fact, limit), "r999_0"]

    monkeypatch.setattr(host, "run", with_a_stranger)
    caplog.set_level(logging.WARNING, logger="outreach_rules")
    with pytest.raises(orr.EvaluationError) as caught:
        engine.evaluate(SITUATION, TODAY)
    assert _messages(caplog, logging.WARNING) == [f"evaluation failed: {caught.value}"]
    caplog.clear()
    engine.evaluate(SITUATION, TODAY)
    assert _messages(caplog, logging.WARNING) == [
        "rebuilding the durable_rules host of pack chain after an engine error"
    ]


def test_batch_workers_starting_and_stopping_are_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """INFO: the worker processes a batch starts, with their pids, and that they are done."""
    engine = orr.Engine.from_paths(CHAIN, backend="python")
    caplog.set_level(logging.INFO, logger="outreach_rules")
    results = engine.evaluate_many([SITUATION] * _batch.IN_PROCESS_BELOW, TODAY, workers=2)
    assert len(results) == _batch.IN_PROCESS_BELOW
    messages = _messages(caplog, logging.INFO)
    assert len(messages) == 2, messages
    started = re.fullmatch(r"started 1 batch worker\(s\): pids \[(\d+)\]", messages[0])
    assert started, messages[0]
    assert messages[1] in {
        f"batch worker(s) done: pids [{started[1]}]",
        f"batch worker(s) stopped early: pids [{started[1]}]",
    }


SILENT = textwrap.dedent(
    """
    import datetime, logging, sys
    import outreach_rules as orr
    if sys.argv[1] == "routed":
        logging.basicConfig(level=logging.INFO, format="%(name)s %(levelname)s %(message)s")
    engine = orr.Engine.from_paths(sys.argv[2], backend="python")
    engine.evaluate({"a": True}, today=datetime.date(2026, 3, 2))
    logging.getLogger("outreach_rules").warning("a warning of the library")
    """
)


def test_the_logger_is_silent_until_the_application_routes_it() -> None:
    """Without logging configured nothing reaches standard error, not even a WARNING (the
    NullHandler keeps logging's last-resort handler away); with basicConfig the records
    show under the `outreach_rules` name."""
    quiet = subprocess.run(
        [sys.executable, "-c", SILENT, "quiet", str(CHAIN)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    routed = subprocess.run(
        [sys.executable, "-c", SILENT, "routed", str(CHAIN)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert routed.returncode == 0
    lines = routed.stderr.splitlines()
    assert lines[0].startswith("outreach_rules INFO loaded pack chain 0.1.0 (sha256 ")
    assert lines[1:] == ["outreach_rules WARNING a warning of the library"]
