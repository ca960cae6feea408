"""`Engine.evaluate_to`: batch results streamed to Parquet or JSON Lines as flat rows.

Each row is compared with `evaluate` of its situation alone; the writer is watched to take
no more than one batch of situations ahead of what it has written; a run that stops halfway
leaves no file behind. Worker processes are real (the in-process threshold is lowered).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import outreach_rules as orr
from outreach_rules import _batch, _writers
from outreach_rules.rows import COLUMNS, ROW_FIELDS, arrow_schema, result_row
from strategies import TODAY, facts_of_model, random_situation

pq = pytest.importorskip("pyarrow.parquet")

DOCS = Path(__file__).resolve().parents[1] / "docs"
COUNT = 230


@pytest.fixture(scope="module")
def engine() -> orr.Engine:
    """The bundled pack on its default backend."""
    return orr.Engine.default()


def situations(engine: orr.Engine, count: int = COUNT) -> list[dict[str, Any]]:
    """Random situations with a `candidate` id field, two of them bad."""
    import random

    rng = random.Random(17)  # noqa: S311 - reproducible test data
    facts = facts_of_model(engine.Situation)
    found = [{**random_situation(rng, facts), "candidate": f"c-{n}"} for n in range(count)]
    found[5] = {"candidate": "c-5", "spoke_with_recruitr": True}
    found[count - 2] = {"candidate": "c-last", "interview_date": "next week"}
    return found


def expected_row(engine: orr.Engine, situation: dict[str, Any], position: int) -> dict[str, Any]:
    """The row of one situation, made from `evaluate` alone and its trace."""
    facts = {name: value for name, value in situation.items() if name != "candidate"}
    base = {
        "id": situation["candidate"],
        "position": position,
        "pack": "interview-outreach",
        "pack_version": engine.rulebook.files[0].spec.version,
        "digest": engine.rulebook.digest,
    }
    try:
        advice = engine.evaluate(facts, today=TODAY)
    except orr.SituationError as error:
        empty = dict.fromkeys(COLUMNS)
        return {**empty, **base, "error_type": "SituationError", "error_message": str(error)}
    assert advice.trace is not None
    own = {rule.id for rule in engine.rulebook.spec.rules}  # not the synthetic default rules
    return {
        **base,
        "decision": advice.decision.id if advice.decision else None,
        "provisional": advice.provisional.id if advice.provisional else None,
        "fired_rules": [r.rule_id for r in advice.trace.rules if r.fired and r.rule_id in own],
        "recommendations": [item.rule_id for item in advice.recommendations],
        "recommendation_topics": [item.topic for item in advice.recommendations],
        "findings": [item.rule_id for item in advice.findings],
        "finding_severities": [item.severity for item in advice.findings],
        "questions": [item.fact for item in advice.questions],
        "error_type": None,
        "error_message": None,
    }


@pytest.mark.parametrize("workers", [1, 2])
def test_parquet_rows_equal_evaluate_one_by_one(
    engine: orr.Engine, tmp_path: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every Parquet row equals the row made from `evaluate` of its situation alone, in
    input order, with bad situations as error rows; the report counts them; the file keeps
    the schema of `rows.arrow_schema`."""
    monkeypatch.setattr(_batch, "IN_PROCESS_BELOW", 20)
    batch = situations(engine)
    path = tmp_path / "out.parquet"
    report = engine.evaluate_to(
        batch, path, today=TODAY, key="candidate", workers=workers, batch=100
    )
    assert (report.evaluated, report.errors, report.paths) == (COUNT, 2, [path])
    table = pq.read_table(path)
    assert table.schema.remove_metadata() == arrow_schema()
    got = table.to_pylist()
    assert got == [expected_row(engine, item, n) for n, item in enumerate(batch)]
    assert pq.ParquetFile(path).metadata.num_row_groups == 3  # one per batch of 100


def test_jsonl_rows_equal_parquet_rows(engine: orr.Engine, tmp_path: Path) -> None:
    """The JSON Lines output holds the same rows as the Parquet output, one per line."""
    batch = situations(engine, 40)
    engine.evaluate_to(batch, tmp_path / "a.parquet", today=TODAY, key="candidate")
    engine.evaluate_to(batch, tmp_path / "a.jsonl", format="jsonl", today=TODAY, key="candidate")
    lines = (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == pq.read_table(tmp_path / "a.parquet").to_pylist()


def test_the_writer_takes_at_most_one_batch_ahead_of_what_it_wrote(
    engine: orr.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From a generator of 1,000 situations with batches of 50, the writer never holds
    more than one batch: when a situation is drawn, all but the last 50 drawn are written."""
    written = [0]
    real_write = _writers._ParquetSink.write

    def counting_write(sink: Any, rows: list[dict[str, Any]]) -> None:
        real_write(sink, rows)
        written[0] += len(rows)

    monkeypatch.setattr(_writers._ParquetSink, "write", counting_write)
    ahead: list[int] = []

    def generate() -> Iterator[dict[str, Any]]:
        for drawn in range(1_000):
            ahead.append(drawn - written[0])
            yield {"spoke_with_recruiter": drawn % 3 == 0}

    report = engine.evaluate_to(generate(), tmp_path / "g.parquet", today=TODAY, batch=50)
    assert (report.evaluated, written[0]) == (1_000, 1_000)
    assert max(ahead) == 49


def test_a_run_that_stops_halfway_leaves_no_file(engine: orr.Engine, tmp_path: Path) -> None:
    """A source that fails after 120 situations: the error reaches the caller, and neither
    the output file nor its temporary file is left behind."""

    def failing() -> Iterator[dict[str, Any]]:
        for drawn in range(200):
            if drawn == 120:
                raise RuntimeError("the source broke")
            yield {"spoke_with_recruiter": True}

    with pytest.raises(RuntimeError, match=r"^the source broke$"):
        engine.evaluate_to(failing(), tmp_path / "x.parquet", today=TODAY, batch=50)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"format": "csv"}, "format must be 'parquet' or 'jsonl', not 'csv'"),
        ({"batch": 0}, "batch must be a positive integer, not 0"),
    ],
)
def test_bad_arguments_are_refused(
    engine: orr.Engine, tmp_path: Path, arguments: dict[str, Any], message: str
) -> None:
    """An unknown format or a batch size below 1 is a ValueError saying what is allowed."""
    with pytest.raises(ValueError, match=f"^{message}$"):
        engine.evaluate_to([], tmp_path / "x", **arguments)


def test_the_docs_publish_every_column_of_the_row() -> None:
    """docs/embedding.md lists each column of a row with its type, as `ROW_FIELDS` has it."""
    text = (DOCS / "embedding.md").read_text(encoding="utf-8")
    for name, kind, _ in ROW_FIELDS:
        assert f"| `{name}` | `{kind}` |" in text, name


def test_a_partition_file_is_written_a_batch_at_a_time(engine: orr.Engine, tmp_path: Path) -> None:
    """What a Dask task runs for its partition: 95 situations in batches of 10 give one
    file of 10 row groups holding the same rows as `evaluate_to`, and the report's counts."""
    batch = situations(engine, 95)
    path = tmp_path / "part.0.parquet"
    counts = _writers.write_parquet(engine, iter(batch), path, TODAY, "candidate", batch=10)
    assert counts == (95, 2)
    assert pq.ParquetFile(path).metadata.num_row_groups == 10
    engine.evaluate_to(batch, tmp_path / "want.parquet", today=TODAY, key="candidate")
    assert pq.read_table(path).to_pylist() == pq.read_table(tmp_path / "want.parquet").to_pylist()
    assert _writers.parquet_digest(path) == _writers.run_digest(engine, TODAY)


def test_rows_made_in_workers_equal_rows_of_evaluate_results(
    engine: orr.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`_batch.rows_many` with a worker process gives, in order, the row `rows.result_row`
    makes of each result of `evaluate_many`, also for the situations it evaluates in this
    process: a Situation model instance, a value that cannot be pickled, a bad situation."""
    monkeypatch.setattr(_batch, "IN_PROCESS_BELOW", 20)
    batch: list[Any] = [
        {k: v for k, v in item.items() if k != "candidate"} for item in situations(engine, 120)
    ]
    batch[3] = engine.Situation(spoke_with_recruiter=True)
    batch[7] = {"spoke_with_recruiter": True, "draft_message": lambda: "not a value"}
    got = _batch.rows_many(engine, batch, TODAY, workers=2)
    results = engine.evaluate_many(batch, today=TODAY, workers=1)
    assert got == [result_row(engine, result, 0, None) for result in results]
    assert got[7]["error_type"] == "SituationError"
