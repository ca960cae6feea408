"""Parquet output at scale: rows per second and peak RSS per process (`bench.py --parquet`).

Three set-ups write the rows of the same generated situations to Parquet:

- one process      `Engine.evaluate_to(..., workers=1)`
- two processes    `Engine.evaluate_to(..., workers=2)` (this process and one worker)
- LocalCluster     `outreach_rules.dask.evaluate_to_parquet` on a `distributed.LocalCluster`
                   of 2 worker processes, the situations made on the workers (`db.range`)

Each set-up runs in a fresh interpreter, so its peak RSS is its own. Worker processes that
`evaluate_many` starts are sampled from /proc (VmHWM) while they live; Dask workers report
their own `ru_maxrss` at the end. The situations are made from their number, so nothing
holds them all.
"""

from __future__ import annotations

import datetime
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

TODAY = datetime.date(2026, 3, 2)
SETUPS = ("one_process", "two_processes", "local_cluster")


def situation(number: int) -> dict[str, Any]:
    """A situation for the bundled pack, made from its number (every fourth with a draft)."""
    found: dict[str, Any] = {
        "candidate_id": f"c{number}",
        "spoke_with_recruiter": number % 2 == 0,
        "reviewed_job_description": number % 3 != 0,
        "researched_role_holders": number % 5 != 0,
        "has_interviewer_contact": number % 7 != 0,
        "interview_date": (TODAY + datetime.timedelta(days=number % 9)).isoformat(),
    }
    if number % 4 == 0:
        found["draft_message"] = "Hello, thank you for the interview invitation. " * (number % 5)
    return found


def _situations(count: int) -> Iterator[dict[str, Any]]:
    return (situation(number) for number in range(count))


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a live process (Linux; 0 elsewhere)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return 0.0
    fields = text.rsplit(")", 1)[1].split()  # after the command, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _vm_hwm_mib(pid: int) -> float:
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class _WorkerPeaks:
    """The highest VmHWM seen among this process's multiprocessing children, and the CPU
    seconds they used (last seen: a fork server's children are not this process's to wait
    for, so their CPU time would otherwise count as other load)."""

    def __init__(self) -> None:
        self.peak = 0.0
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            for child in multiprocessing.active_children():
                if child.pid is not None:
                    self.peak = max(self.peak, _vm_hwm_mib(child.pid))
                    used = _cpu_seconds(child.pid)
                    self.cpu[child.pid] = max(self.cpu.get(child.pid, 0.0), used)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_setup(setup: str, count: int, folder: str) -> dict[str, Any]:
    """Run one set-up in this process and measure it."""
    import outreach_rules as orr  # noqa: PLC0415 - imported after the interpreter starts

    engine = orr.Engine.default()
    started = time.perf_counter()
    workers: list[float] = []
    worker_cpu = 0.0
    if setup == "local_cluster":
        report = _on_cluster(engine, count, folder, workers)
    else:
        peaks = _WorkerPeaks()
        report = engine.evaluate_to(
            _situations(count),
            Path(folder) / "rows.parquet",
            workers=1 if setup == "one_process" else 2,
            today=TODAY,
            key="candidate_id",
        )
        if setup == "two_processes":
            workers.append(peaks.stop())
            worker_cpu = sum(peaks.cpu.values())
    seconds = time.perf_counter() - started
    return {
        "setup": setup,
        "situations": report.evaluated,
        "errors": report.errors,
        "seconds": seconds,
        "rows_per_s": report.evaluated / seconds,
        "peak_rss_mib_caller": _peak_mib(),
        "peak_rss_mib_workers": workers,
        "worker_cpu_seconds": worker_cpu,  # of forked workers only (see _WorkerPeaks)
    }


def _on_cluster(engine: Any, count: int, folder: str, workers: list[float]) -> Any:
    import dask.bag as db  # noqa: PLC0415 - optional
    from distributed import Client, LocalCluster  # noqa: PLC0415 - optional

    from outreach_rules.dask import evaluate_to_parquet  # noqa: PLC0415 - needs Dask

    with (
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        partitions = max(2, count // 10_000)
        bag = db.range(count, npartitions=partitions).map(situation)
        report = evaluate_to_parquet(bag, engine, Path(folder) / "rows", TODAY, key="candidate_id")
        peaks = client.run(_peak_mib)
        workers.extend(peaks.values())
    return report


def measure(
    count: int, setups: Sequence[str] = SETUPS, load: Callable[[], Any] | None = None
) -> list[dict[str, Any]]:
    """Each set-up in a fresh interpreter; their figures in order. `load` starts a meter
    of the CPUs other processes keep busy (`bench.OtherLoad`): its reading is kept as
    `other_cpus`, since the machine may be shared."""
    found = []
    for setup in setups:
        meter = load() if load is not None else None
        with tempfile.TemporaryDirectory() as folder:
            run = subprocess.run(  # noqa: S603 - this script, run by this interpreter
                [sys.executable, __file__, setup, str(count), folder],
                capture_output=True,
                text=True,
                check=True,
            )
        figures = json.loads(run.stdout.strip().splitlines()[-1])
        if meter is not None:
            figures["other_cpus"] = meter.cpus(unseen=figures["worker_cpu_seconds"])
        found.append(figures)
    return found


def render(figures: list[dict[str, Any]]) -> str:
    """The figures as a Markdown table."""
    lines = [
        (
            "| set-up | situations | seconds | rows/s | peak RSS, caller (MiB) "
            "| peak RSS per worker (MiB) | other load (CPUs) |"
        ),
        (
            "|--------|-----------:|--------:|-------:|-----------------------:"
            "|--------------------------:|------------------:|"
        ),
    ]
    for item in figures:
        workers = ", ".join(f"{value:,.0f}" for value in item["peak_rss_mib_workers"]) or "-"
        other = f"{item['other_cpus']:.2f}" if "other_cpus" in item else "-"
        lines.append(
            f"| {item['setup'].replace('_', ' ')} | {item['situations']:,} "
            f"| {item['seconds']:,.0f} | {item['rows_per_s']:,.0f} "
            f"| {item['peak_rss_mib_caller']:,.0f} | {workers} | {other} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    if __package__ is None and str(Path(__file__).parent) not in sys.path:
        sys.path.insert(0, str(Path(__file__).parent))
    print(json.dumps(run_setup(sys.argv[1], int(sys.argv[2]), sys.argv[3])))
