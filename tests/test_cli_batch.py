"""`outreach-rules batch`: a JSON Lines file of situations in, flat rows out.

The rows are compared with `Engine.evaluate_to` on the same situations; a line that is not
JSON stops the run with its line number and leaves no output; a progress bar is drawn on a
terminal and never into a pipe.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

import outreach_rules as orr
from outreach_rules import _cli_batch, cli
from strategies import TODAY

pq = pytest.importorskip("pyarrow.parquet")


def write_situations(path: Path, count: int) -> list[dict[str, Any]]:
    """`count` situations with an `id` field, one per line, one of them invalid."""
    situations: list[dict[str, Any]] = [
        {"id": f"p{n}", "spoke_with_recruiter": n % 2 == 0, "reviewed_job_description": True}
        for n in range(count)
    ]
    situations[4] = {"id": "p4", "spoke_with_recruitr": True}
    path.write_text("".join(json.dumps(item) + "\n" for item in situations), encoding="utf-8")
    return situations


def test_batch_writes_the_rows_evaluate_to_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`batch situations.jsonl --to out.parquet --key id` writes the same rows as
    `Engine.evaluate_to`, says how many it wrote, and draws no progress bar into a pipe."""
    source = tmp_path / "situations.jsonl"
    situations = write_situations(source, 60)
    out = tmp_path / "out.parquet"
    status = cli.main(
        ["batch", str(source), "--to", str(out), "--key", "id", "--today", TODAY.isoformat()]
    )
    captured = capsys.readouterr()
    assert (status, captured.out, captured.err) == (
        0,
        f"wrote 60 rows to {out} (1 with errors)\n",
        "",
    )
    orr.Engine.default().evaluate_to(situations, tmp_path / "want.parquet", today=TODAY, key="id")
    assert pq.read_table(out).to_pylist() == pq.read_table(tmp_path / "want.parquet").to_pylist()


def test_batch_writes_json_lines_when_the_name_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An output name ending in .jsonl gets JSON Lines, one row per situation."""
    source = tmp_path / "situations.jsonl"
    write_situations(source, 12)
    out = tmp_path / "out.jsonl"
    assert cli.main(["batch", str(source), "--to", str(out), "--key", "id"]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == [f"p{n}" for n in range(12)]
    assert rows[4]["error_type"] == "SituationError"
    assert capsys.readouterr().out == f"wrote 12 rows to {out} (1 with errors)\n"


def test_a_line_that_is_not_json_stops_the_run_with_its_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Line 3 is not JSON: the error names the file and line, the exit status is 1, and
    no output file is left behind."""
    source = tmp_path / "situations.jsonl"
    source.write_text('{"ready": true}\n\n{"ready": tru\n', encoding="utf-8")
    out = tmp_path / "out.parquet"
    assert cli.main(["batch", str(source), "--to", str(out)]) == 1
    assert capsys.readouterr().err == (
        f"error: 1 problem in the situation:\n  {source}:3: "
        "not valid JSON: Expecting value (column 11)\n"
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == ["situations.jsonl"]


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_a_progress_bar_is_drawn_on_a_terminal_only() -> None:
    """On a terminal the bar counts situations; on a pipe there is none."""
    screen = Terminal()
    bar = _cli_batch.progress_bar(screen, 10)
    assert bar is not None
    bar.update(10)
    bar.close()
    assert "10/10" in screen.getvalue()
    assert "situations" in screen.getvalue()
    assert _cli_batch.progress_bar(io.StringIO(), 10) is None
