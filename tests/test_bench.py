"""The benchmark script runs and reports every figure (no timing assertions).

`benchmarks/bench.py --quick --json --tiny` runs every part of the benchmark with minimal
counts in a subprocess; the last line of its output is one JSON object.
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import outreach_rules as orr
from outreach_rules._durable import available

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"
PEERS = BENCH.parent / "peers.py"
ZEN = importlib.util.find_spec("zen") is not None
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
    assert [row["rules"] for row in report["peers"]] == [10, 30]
    for key in ("load_100_ms", "load_cold_ms", "load_100_cold_ms", "first_evaluate_100_cold_ms"):
        assert isinstance(report[key], float) and report[key] > 0, (key, report.get(key))
    assert report["zen_installed"] is ZEN
    peer_ratios = ("python_vs_zen", "notrace_vs_zen", "read_vs_zen", "limit_vs_zen")
    for key in ("zen_per_s", *peer_ratios):
        if ZEN:
            assert isinstance(report[key], float) and report[key] > 0, (key, report.get(key))
        else:
            assert report[key] is None, key
    zen_targets = {"python_vs_zen", "notrace_vs_zen", "read_vs_zen"} if ZEN else set()
    assert set(report["targets"]) == {
        "evaluate_vs_raw",
        "explain_cost",
        "python_vs_raw",
        "load_ms",
        "batch_speedup",
        "load_100_ms",
        *zen_targets,
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


@pytest.fixture
def peers(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """benchmarks/peers.py, imported as the benchmark script imports it."""
    spec = importlib.util.spec_from_file_location("peers", PEERS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "peers", module)  # its dataclasses look it up there
    spec.loader.exec_module(module)
    return module


def count_only(
    modes: dict[str, object], count: int, _seconds: float, rounds: int
) -> tuple[dict[str, float], int]:
    """A stand-in for the benchmark's timer: runs every mode once per input, rates of 1."""
    for work in modes.values():
        for index in range(count):
            work(index)  # type: ignore[operator]
    return dict.fromkeys(modes, 1.0), count * len(modes) * rounds


def test_peers_without_zen_engine(peers: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """Protects the benchmark where zen-engine is not installed: the comparison with it is
    skipped and said to be, its figures are None, and the engine's own modes still run,
    checked against the reference."""
    monkeypatch.setitem(sys.modules, "zen", None)  # `import zen` raises ImportError
    results = peers.compare((10,), 5, 0.0, 1, 1, 7, count_only)
    assert results["zen_installed"] is False
    assert results["zen_per_s"] is None and results["python_vs_zen"] is None
    assert set(results["peers"][0]) >= {"python_per_s", "python_read_per_s", "limit_per_s"}
    assert "zen_per_s" not in results["peers"][0] or results["peers"][0]["zen_per_s"] is None
    assert results["load_100_ms"] > 0
    assert (
        "zen-engine is not installed (`pip install 'outreach-rules[bench]'`): the "
        "comparison with it is skipped." in peers.report(results)
    )


def test_peers_refuse_evaluators_that_disagree(peers: ModuleType, tmp_path: Path) -> None:
    """Protects the check before timing: an engine built from other rules than the
    reference's fails the benchmark, naming the evaluator and both fired sets."""
    rules = peers.workload(10, 1)
    other = peers.workload(10, 2)
    path = tmp_path / "other.yaml"
    path.write_text(peers.pack_yaml(other), encoding="utf-8")
    engine = orr.Engine.from_paths(path, backend="python")
    cases = peers.situations(20, 3)
    with pytest.raises(AssertionError, match=r"^10 rules, situation \d+: python fired \["):
        peers.verified_modes(rules, engine, None, cases)


@pytest.mark.skipif(not ZEN, reason="zen-engine is not installed")
def test_peer_forms_agree_with_the_reference(peers: ModuleType) -> None:
    """Protects the three forms of the generated rules: the zen-engine decision table and
    the generated Python function fire exactly the rules the reference finds, on situations
    where each rule count fires some rules and not others."""
    rules = peers.workload(40, 5)
    zen = peers.zen_engine(rules)
    fire = peers.limit_function(rules)
    cases = peers.situations(60, 6)
    counts = set()
    for case in cases:
        expected = peers.reference(rules, case)
        assert peers.zen_fired(zen, case) == expected
        assert fire(case) == expected
        counts.add(len(expected))
    assert len(counts) > 2
