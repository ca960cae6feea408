"""`outreach_rules.dask`: evaluation mapped over Dask collections on a local cluster.

A LocalCluster of two worker processes (one thread each) stands in for a real cluster: the
tasks, the engine recipe and the results cross process boundaries exactly as they would.
Skipped when `distributed` is not installed (it comes with the `dask` and `dev` extras).
"""

from __future__ import annotations

import datetime
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("distributed")

import dask.bag as db
from distributed import Client, LocalCluster

import outreach_rules as orr
from outreach_rules import _batch
from outreach_rules._engine import bundled_pack_dir
from outreach_rules.dask import _situation, evaluate_bag, evaluate_partitions, evaluate_to_parquet
from strategies import TODAY, facts_of_model, random_situation

COUNT = 150
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """A client of a local cluster of 2 worker processes with 1 thread each."""
    with (
        LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=":0",  # any free port: another cluster may hold 8787
            worker_dashboard_address=":0",
        ) as cluster,
        Client(cluster) as connected,
    ):
        yield connected


@pytest.fixture(scope="module")
def engine() -> orr.Engine:
    """The bundled pack with a params override, on its default backend."""
    return orr.Engine.from_paths(bundled_pack_dir(), params={"max_words": 40})


def situations_with_errors(engine: orr.Engine) -> list[dict[str, Any]]:
    """Random valid situations for the bundled pack, with two bad ones among them."""
    facts = facts_of_model(engine.Situation)
    rng = random.Random(21)  # noqa: S311 - reproducible test data, not cryptography
    situations = [random_situation(rng, facts) for _ in range(COUNT)]
    situations[4] = {"interview_date": "next week"}
    situations[-3] = {"no_such_fact": True}
    return situations


def comparable(results: list[Any]) -> list[Any]:
    """Results with each error as (type, problems): exceptions do not compare equal."""
    return [
        (type(item), item.problems) if isinstance(item, orr.SituationError) else item
        for item in results
    ]


def cached_engines() -> list[tuple[bytes, int]]:
    """Run on each worker: the recipes in its engine cache, and the id of each engine."""
    return [(blob, id(engine)) for blob, engine in _batch._engines.items()]


def test_bag_gives_the_same_answers_as_evaluate_many(client: Client, engine: orr.Engine) -> None:
    """Protects the Dask helper: mapping evaluation over a bag on two worker processes gives,
    in order, the same results as evaluate_many (bad situations give their SituationError in
    place), with the params override carried to the workers."""
    situations = situations_with_errors(engine)
    want = engine.evaluate_many(situations, TODAY, workers=2)
    bag = db.from_sequence(situations, npartitions=6)
    got = client.compute(evaluate_bag(engine, bag, today=TODAY)).result()
    assert comparable(got) == comparable(want)
    assert isinstance(got[4], orr.SituationError) and got[4].facts == ["interview_date"]
    advice = got[0]
    assert isinstance(advice, orr.Advice) and advice.rulebook.params["max_words"] == 40


def test_each_worker_builds_the_engine_once(client: Client, engine: orr.Engine) -> None:
    """Protects the worker-side cache: however many partitions and computations, a worker
    process builds the engine once (one cached engine per recipe, the same object after a
    second computation)."""
    bag = db.from_sequence(situations_with_errors(engine), npartitions=10)
    client.compute(evaluate_bag(engine, bag, today=TODAY, trace=False)).result()
    before = client.run(cached_engines)
    client.compute(evaluate_bag(engine, bag, today=TODAY, trace=False)).result()
    after = client.run(cached_engines)
    blob = _batch.recipe(engine)
    assert any(blob in dict(found) for found in after.values()), "no worker built the engine"
    for worker, found in after.items():
        assert len([item for item in found if item[0] == blob]) <= 1, worker
        if blob in dict(before[worker]):
            assert dict(found)[blob] == dict(before[worker])[blob], "the engine was rebuilt"


def test_a_row_becomes_a_situation() -> None:
    """Protects the cleaning of DataFrame rows (without pandas): missing values (None, NaN)
    are unknown facts, a datetime at midnight is a date, and a whole float in an int fact is
    an int, while a float in another fact stays a float."""
    row = {
        "ready": None,
        "score": float("nan"),
        "attempts": 3.0,
        "ratio": 3.0,
        "when_day": datetime.datetime(2026, 3, 6),
        "name": "Sam",
    }
    situation = _situation(row, {"attempts"})
    assert situation == {
        "attempts": 3,
        "ratio": 3.0,
        "when_day": datetime.date(2026, 3, 6),
        "name": "Sam",
    }
    assert type(situation["attempts"]) is int
    assert type(situation["when_day"]) is datetime.date


def test_dataframe_rows_are_situations(client: Client) -> None:
    """Protects evaluate_partitions: each row of a Dask DataFrame is a situation in which a
    missing cell is an unknown fact, a date arrives as a timestamp and an int of a column
    with gaps as a float; the results are aligned with the rows and equal evaluating the
    rows as plain dicts."""
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    engine = orr.Engine.from_paths(DATA / "packs" / "all-types.yaml")
    rows: list[dict[str, Any]] = [
        {"ready": True, "score": 0.75, "attempts": 3, "when_day": "2026-03-06", "name": "Sam"},
        {"ready": None, "score": None, "attempts": None, "when_day": None, "name": None},
        {"ready": True, "score": 0.25, "attempts": 12, "when_day": "2026-03-04", "name": "Al"},
        {"ready": True, "score": 0.5, "attempts": None, "when_day": None, "name": None},
    ]
    frame = pd.DataFrame(rows * 5)
    frame["when_day"] = pd.to_datetime(frame["when_day"])
    frame["ready"] = frame["ready"].astype("boolean")  # nullable: missing cells are pd.NA
    series = evaluate_partitions(engine, dd.from_pandas(frame, npartitions=3), TODAY)
    got = client.compute(series).result()
    assert list(got.index) == list(frame.index)
    for index, result in got.items():
        plain = {k: v for k, v in rows[index % len(rows)].items() if v is not None}
        want = engine.evaluate(plain, today=TODAY)
        assert isinstance(result, orr.Advice), f"row {index}: {result!r}"
        assert result == want, f"row {index}"


def test_bad_situations_on_dask_cost_only_their_own_place(client: Client) -> None:
    """On Dask workers too, an invalid situation, a non-mapping, a function among the values
    and a template that divides by zero each give their error in place, and the good
    situations around them equal `evaluate` one by one."""
    engine = orr.Engine.from_paths(DATA / "packs" / "divide.yaml")
    situations: list[Any] = [{"ready": n % 3 > 0, "parts": n % 5 + 1} for n in range(40)]
    situations[2] = {"redy": True, "parts": 1}
    situations[11] = [11]
    situations[23] = {"ready": True, "parts": lambda: 1}
    situations[37] = {"ready": True, "parts": 0}
    bag = db.from_sequence(situations, npartitions=4)
    got = client.compute(evaluate_bag(engine, bag, today=TODAY)).result()
    errors = {
        index: (type(item).__name__, str(item))
        for index, item in enumerate(got)
        if isinstance(item, orr.OutreachRulesError)
    }
    assert errors == {
        2: (
            "SituationError",
            "1 invalid fact in the situation:\n  redy: unknown fact (did you mean 'ready'?)",
        ),
        11: (
            "SituationError",
            ("1 problem in the situation:\n  expected a mapping of facts, got list"),
        ),
        23: (
            "SituationError",
            "1 invalid fact in the situation:\n  parts: Input should be a valid integer",
        ),
        37: (
            "EvaluationError",
            (
                f"{DATA / 'packs' / 'divide.yaml'}: rule 'go_when_ready', recommend text, "
                "template line 1: ZeroDivisionError: integer division or modulo by zero"
            ),
        ),
    }
    for index, item in enumerate(got):
        if index not in errors:
            assert item == engine.evaluate(situations[index], today=TODAY), index


def parquet_rows(folder: Path) -> list[dict[str, Any]]:
    """Every row of the part files in `folder`, read as one Parquet dataset."""
    pq = pytest.importorskip("pyarrow.parquet")
    return list(pq.read_table(folder).to_pylist())


def keyed(engine: orr.Engine, count: int, seed: int) -> list[dict[str, Any]]:
    """`count` random situations with a `candidate` id, one of them bad."""
    facts = facts_of_model(engine.Situation)
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not cryptography
    found = [{**random_situation(rng, facts), "candidate": f"c{n}"} for n in range(count)]
    found[1] = {"candidate": "c1", "no_such_fact": True}
    return found


def alone(engine: orr.Engine, facts: dict[str, Any]) -> orr.Advice | orr.SituationError:
    """`evaluate` of one situation, or its SituationError."""
    try:
        return engine.evaluate(facts, today=TODAY)
    except orr.SituationError as error:
        return error


def check_against_evaluate(
    engine: orr.Engine, situations: list[dict[str, Any]], rows: list[Any]
) -> None:
    """Each situation has exactly one row, whose decision, recommendations and error
    match `evaluate` of the situation alone."""
    by_id = {row["id"]: row for row in rows}
    assert len(by_id) == len(rows) == len(situations)
    for situation in situations:
        row = by_id[situation["candidate"]]
        advice = alone(engine, {k: v for k, v in situation.items() if k != "candidate"})
        if isinstance(advice, orr.SituationError):
            assert (row["error_type"], row["error_message"]) == ("SituationError", str(advice))
            continue
        assert row["decision"] == (advice.decision.id if advice.decision else None)
        assert row["recommendations"] == [item.rule_id for item in advice.recommendations]
        assert row["findings"] == [item.rule_id for item in advice.findings]
        assert row["questions"] == [item.fact for item in advice.questions]
        assert row["error_type"] is None


def test_parquet_per_partition_matches_evaluate(
    client: Client, engine: orr.Engine, tmp_path: Path
) -> None:
    """A bag of 6 partitions gives 6 files `part.<n>.parquet` in the folder, which read
    back as one dataset with one row per situation, each matching `evaluate`."""
    del client  # the module's cluster is the default scheduler while it is open
    situations = keyed(engine, 150, 3)
    bag = db.from_sequence(situations, npartitions=6)
    report = evaluate_to_parquet(bag, engine, tmp_path / "out", TODAY, key="candidate")
    assert (report.evaluated, report.errors, report.skipped) == (150, 1, 0)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"part.{n}.parquet" for n in range(6)
    ]
    check_against_evaluate(engine, situations, parquet_rows(tmp_path / "out"))


def test_a_resumed_run_evaluates_only_missing_or_stale_partitions(
    client: Client, engine: orr.Engine, tmp_path: Path
) -> None:
    """After a first run, one part file is deleted and one is rewritten for another day:
    the second run evaluates those two partitions only, leaves the other files untouched,
    and the folder again holds every row once."""
    del client
    situations = keyed(engine, 120, 4)
    bag = db.from_sequence(situations, npartitions=5)
    folder = tmp_path / "out"
    evaluate_to_parquet(bag, engine, folder, TODAY, key="candidate")
    (folder / "part.1.parquet").unlink()
    evaluate_to_parquet(
        db.from_sequence(situations, npartitions=5),
        engine,
        folder,
        TODAY + datetime.timedelta(days=1),
        key="candidate",
    )  # every file now for the next day
    evaluate_to_parquet(bag, engine, folder, TODAY, key="candidate")
    (folder / "part.3.parquet").unlink()
    kept = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    report = evaluate_to_parquet(bag, engine, folder, TODAY, key="candidate")
    assert (report.skipped, report.evaluated) == (4, len(bag.to_delayed()[3].compute()))
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.name in kept} == kept
    check_against_evaluate(engine, situations, parquet_rows(folder))


def die_once(situation: dict[str, Any], marker: str) -> dict[str, Any]:
    """Run on a worker: the first time any worker reaches situation c50, it dies there."""
    if situation["candidate"] == "c50":
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return situation
        os.close(fd)
        os._exit(1)
    return situation


def test_a_worker_killed_mid_run_leaves_every_row_written_once(
    client: Client, engine: orr.Engine, tmp_path: Path
) -> None:
    """A worker process dies halfway through a partition; Dask runs that partition again on
    a worker that is alive, and the folder ends with every situation's row exactly once
    (a file is renamed into place only when complete)."""
    del client
    situations = keyed(engine, 100, 5)
    marker = tmp_path / "died"
    bag = db.from_sequence(situations, npartitions=4).map(die_once, str(marker))
    report = evaluate_to_parquet(bag, engine, tmp_path / "out", TODAY, key="candidate")
    assert marker.exists(), "no worker died: the test did not test anything"
    assert report.evaluated == 100
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"part.{n}.parquet" for n in range(4)
    ]
    check_against_evaluate(engine, situations, parquet_rows(tmp_path / "out"))


POOL = 500  # distinct situations the 50,000 of the large test are drawn from


def pooled(number: int, pool: list[dict[str, Any]]) -> dict[str, Any]:
    """Run on a worker: situation `number`, with its own id, the facts of one of the pool."""
    return {**pool[number % len(pool)], "candidate": f"c{number}"}


@pytest.mark.slow
def test_fifty_thousand_situations_through_the_cluster_match_evaluate(
    client: Client, engine: orr.Engine, tmp_path: Path
) -> None:
    """50,000 situations, each with its own id, in 10 partitions made on the two worker
    processes: exactly one row each, every row matching `evaluate` of its situation alone.
    Their facts repeat a pool of 500 random situations (one of them bad), so `evaluate` runs
    once per distinct situation here while the cluster evaluates all 50,000."""
    del client
    pool = keyed(engine, POOL, 6)
    bag = db.range(50_000, npartitions=10).map(pooled, pool)
    report = evaluate_to_parquet(bag, engine, tmp_path / "out", TODAY, key="candidate")
    assert (report.evaluated, report.errors) == (50_000, 50_000 // POOL)
    rows = parquet_rows(tmp_path / "out")
    assert sorted(int(row["id"][1:]) for row in rows) == list(range(50_000))
    expected = [expected_row(engine, facts) for facts in pool]
    for row in rows:
        assert comparable_row(row) == expected[int(row["id"][1:]) % POOL], row["id"]


def expected_row(engine: orr.Engine, situation: dict[str, Any]) -> dict[str, Any]:
    """What a row says of a situation (all but its id and position), from `evaluate`."""
    advice = alone(engine, {k: v for k, v in situation.items() if k != "candidate"})
    if isinstance(advice, orr.SituationError):
        return {"error": ("SituationError", str(advice))}
    return {
        "decision": advice.decision.id if advice.decision else None,
        "provisional": advice.provisional.id if advice.provisional else None,
        "recommendations": [item.rule_id for item in advice.recommendations],
        "findings": [item.rule_id for item in advice.findings],
        "questions": [item.fact for item in advice.questions],
        "error": (None, None),
    }


def comparable_row(row: dict[str, Any]) -> dict[str, Any]:
    """The part of a row that `expected_row` makes."""
    if row["error_type"] is not None:
        return {"error": (row["error_type"], row["error_message"])}
    return {
        "decision": row["decision"],
        "provisional": row["provisional"],
        "recommendations": row["recommendations"],
        "findings": row["findings"],
        "questions": row["questions"],
        "error": (row["error_type"], row["error_message"]),
    }
