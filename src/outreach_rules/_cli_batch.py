"""The `batch` command: situations from a JSON Lines file, rows to Parquet or JSON Lines.

    outreach-rules batch situations.jsonl --to scores.parquet --key candidate_id --workers 2

Situations are read one line at a time and written a batch at a time (`Engine.evaluate_to`),
so a file of millions of lines runs in bounded memory. A progress bar goes to standard error
when it is a terminal, never into a pipe or a log.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ._cli_args import iso_date, pack_path, situation_path
from ._engine import Backend, Engine
from ._writers import BATCH, Format, evaluate_to
from .errors import WHOLE_SITUATION, SituationError, SituationProblem

MAX_LINE = 200_000  # characters of one situation (a draft message is at most 100,000)


def situations_of(handle: IO[str], name: str) -> Iterator[Any]:
    """Each line's JSON value in turn; blank lines are skipped. A line that is not JSON, or
    longer than MAX_LINE, stops the run with its line number."""
    for number, line in enumerate(iter(lambda: handle.readline(MAX_LINE + 1), ""), start=1):
        if len(line) > MAX_LINE:
            _fail(name, number, f"line is longer than {MAX_LINE:,} characters")
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError as error:
            _fail(name, number, f"not valid JSON: {error.msg} (column {error.colno})")


def _fail(name: str, line: int, message: str) -> None:
    # A line of the file is one situation: the problem is that situation's, at its line.
    raise SituationError([SituationProblem(WHOLE_SITUATION, message, location=f"{name}:{line}")])


def _lines(path: str) -> int | None:
    """How many lines a regular file has (the progress bar's total), or None for a stream."""
    if path == "-" or not Path(path).is_file():
        return None
    with Path(path).open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def progress_bar(stream: IO[str], total: int | None) -> Any:
    """A tqdm bar on `stream` when it is a terminal and tqdm is installed; else None."""
    if not stream.isatty():
        return None
    try:
        from tqdm import tqdm  # noqa: PLC0415 - optional: `outreach-rules[batch]`
    except ImportError:
        return None
    return tqdm(total=total, unit=" situations", file=stream, dynamic_ncols=True)


def cmd_batch(args: argparse.Namespace) -> int:
    packs = args.pack or []
    backend: Backend = args.backend
    engine = (
        Engine.from_paths(*packs, backend=backend) if packs else Engine.default(backend=backend)
    )
    target = Path(args.to)
    form: Format = args.format or ("jsonl" if target.suffix in (".jsonl", ".json") else "parquet")
    today: datetime.date | None = args.today
    name = "<stdin>" if args.situations == "-" else args.situations
    with contextlib.ExitStack() as stack:
        handle = (
            sys.stdin
            if args.situations == "-"
            else stack.enter_context(Path(args.situations).open(encoding="utf-8"))
        )
        bar = progress_bar(sys.stderr, _lines(args.situations))
        if bar is not None:
            stack.callback(bar.close)
        report = evaluate_to(
            engine,
            situations_of(handle, name),
            target,
            format=form,
            workers=args.workers,
            today=today,
            key=args.key,
            batch=args.batch,
            progress=bar.update if bar is not None else None,
        )
    errors = f" ({report.errors:,} with errors)" if report.errors else ""
    sys.stdout.write(f"wrote {report.evaluated:,} rows to {target}{errors}\n")
    return 0


def register(sub: Any) -> None:
    """Add the batch command to the subparsers of the command line."""
    batch = sub.add_parser(
        "batch",
        help="evaluate a JSON Lines file of situations into Parquet or JSON Lines rows",
        description="Evaluate one situation per line of a JSON Lines file ('-' reads standard "
        "input) and write one flat row each (see docs/embedding.md, 'The row') to --to: "
        "Parquet, or JSON Lines when the name ends in .jsonl. A bad situation gives a row "
        "with its error; a line that is not JSON stops the run and leaves no output.",
    )
    batch.add_argument("situations", type=situation_path)
    batch.add_argument("--to", required=True, help="the output file")
    batch.add_argument("--format", choices=["parquet", "jsonl"], help="default: by --to's suffix")
    batch.add_argument("--key", help="the field holding each situation's id (default: position)")
    batch.add_argument("--workers", type=int, default=1, help="processes that evaluate")
    batch.add_argument(
        "--today", type=iso_date, help="the date to evaluate on (YYYY-MM-DD); default: today"
    )
    batch.add_argument("--batch", type=int, default=BATCH, help="situations written at once")
    batch.add_argument(
        "--pack",
        action="append",
        type=pack_path,
        help="pack file or folder (repeat to overlay); default: bundled",
    )
    batch.add_argument("--backend", choices=["auto", "durable", "python"], default="auto")
    batch.set_defaults(run=cmd_batch)
