"""The benchmark script runs and reports every figure (no timing assertions).

`benchmarks/bench.py --quick --json --tiny` runs every part of the benchmark with minimal
counts in a subprocess; the last line of its output is one JSON object.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from outreach_rules._durable import available

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"
RATES = ("evaluate_per_s", "python_per_s", "raw_durable_per_s", "limit_per_s")
RATIOS = ("evaluate_vs_raw", "python_vs_raw", "limit_vs_raw")


@pytest.mark.skipif(not available(), reason="the benchmark compares with durable_rules")
def test_bench_reports_every_figure(tmp_path: Path) -> None:
    """Protects `make bench` and the numbers in docs/performance.md from bit rot: the script
    runs to the end and its JSON line holds every figure (throughputs, ratios, load time,
    RSS growth, batch speed-up, the scaling rows), each a positive number (RSS growth may be
    zero or negative, but must be a number), plus a verdict per measured target."""
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json", "--tiny"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    report = json.loads(lines[-1])
    for key in (*RATES, *RATIOS, "load_ms", "batch_speedup"):
        assert isinstance(report[key], float) and report[key] > 0, (key, report.get(key))
    assert math.isfinite(report["rss_growth_mib"])
    assert [row["rules"] for row in report["scaling"]] == [10, 30]
    for row in report["scaling"]:
        for key in RATES:
            assert row[key] > 0, (row["rules"], key)
    for key in (
        "explain_cost",
        "explain_cost_read",
        "stage_advice_trace_read_us",
        "parallel_ceiling",
    ):
        assert isinstance(report[key], float) and report[key] > 0, (key, report.get(key))
    assert set(report["targets"]) == {
        "evaluate_vs_raw",
        "explain_cost",
        "python_vs_raw",
        "load_ms",
        "batch_speedup",
    }
    assert any(line.startswith(("  PASS", "  FAIL")) for line in lines)


def test_bench_parquet_reports_rows_per_second_and_peak_rss(tmp_path: Path) -> None:
    """Protects `bench.py --parquet` (the figures of docs/embedding.md, "Scale out"): each
    of the three set-ups writes every generated situation, and reports its rows per second
    and the peak RSS of the caller and of each worker (one for two processes, two on the
    LocalCluster)."""
    pytest.importorskip("pyarrow")
    pytest.importorskip("distributed")
    result = subprocess.run(
        [sys.executable, str(BENCH), "--parquet", "--parquet-count", "1200", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])["parquet"]
    assert [item["setup"] for item in figures] == [
        "one_process",
        "two_processes",
        "local_cluster",
    ]
    assert [len(item["peak_rss_mib_workers"]) for item in figures] == [0, 1, 2]
    for item in figures:
        assert (item["situations"], item["errors"]) == (1_200, 0)
        assert item["rows_per_s"] > 0
        assert item["peak_rss_mib_caller"] > 0
        assert all(value > 0 for value in item["peak_rss_mib_workers"]), item
