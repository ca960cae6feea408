"""The `outreach-rules` command: advise, why, compile; check, test, schema and docs."""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections.abc import Sequence
from typing import Any

from . import _cli_author, _cli_batch
from ._files import read_bounded, read_stream_bounded
from ._interview import run_interview
from ._yaml import YamlProblem, decode, read_document
from .engine import Backend, Engine
from .errors import OutreachRulesError, RulebookError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _engine(args: argparse.Namespace) -> Engine:
    packs = args.pack or []
    backend: Backend = getattr(args, "backend", "auto")
    return Engine.from_paths(*packs, backend=backend) if packs else Engine.default(backend=backend)


def _read_situation(path: str) -> Any:
    """A situation from a YAML or JSON file ('-' reads standard input)."""
    try:
        raw = (
            read_stream_bounded(sys.stdin.buffer, "<stdin>") if path == "-" else read_bounded(path)
        )
        return read_document(decode(raw, path), path).data or {}
    except YamlProblem as problem:
        raise RulebookError([problem.problem]) from None


def _today(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def cmd_advise(args: argparse.Namespace) -> int:
    engine = _engine(args)
    advice = engine.evaluate(_read_situation(args.situation), today=_today(args.today))
    if args.format == "json":
        print(advice.model_dump_json(indent=2))
    else:
        print(advice.explain(format="markdown" if args.format == "markdown" else "text"), end="")
        if args.explain and advice.trace is not None:
            print("\nRULES")
            for rule in advice.trace.rules:
                mark = "fired" if rule.fired else "-"
                print(f"  {mark:5} {rule.rule_id} (priority {rule.priority})")
    return EXIT_OK


def cmd_why(args: argparse.Namespace) -> int:
    engine = _engine(args)
    advice = engine.evaluate(_read_situation(args.situation), today=_today(args.today))
    answer = advice.why_not(args.target)
    print(answer.model_dump_json(indent=2) if args.format == "json" else str(answer))
    return EXIT_OK


def cmd_interview(args: argparse.Namespace) -> int:
    engine = _engine(args)
    advice = run_interview(engine, sys.stdin, sys.stdout, _today(args.today))
    print()
    print(advice.explain(format="markdown" if args.format == "markdown" else "text"), end="")
    return EXIT_OK


def cmd_compile(args: argparse.Namespace) -> int:
    engine = _engine(args)
    print(json.dumps(engine.compiled_rulesets(), indent=2, ensure_ascii=False))
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="outreach-rules", description="Explainable career advice from YAML rule packs."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def with_pack(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument(
            "--pack",
            action="append",
            help="pack file or folder (repeat to overlay); default: the bundled packs",
        )
        p.add_argument("--backend", choices=["auto", "durable", "python"], default="auto")
        return p

    advise = with_pack(
        sub.add_parser("advise", help="advice for a situation (YAML or JSON file, '-' for stdin)")
    )
    advise.add_argument("situation")
    advise.add_argument("--today", help="the date to evaluate on (YYYY-MM-DD); default: today")
    advise.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    advise.add_argument("--explain", action="store_true", help="also list every rule, fired or not")
    advise.set_defaults(run=cmd_advise)

    why = with_pack(sub.add_parser("why", help="why a decision or rule did not come out"))
    why.add_argument("target")
    why.add_argument("situation")
    why.add_argument("--today")
    why.add_argument("--format", choices=["text", "json"], default="text")
    why.set_defaults(run=cmd_why)

    interview = with_pack(
        sub.add_parser("interview", help="ask the questions that matter, then show the advice")
    )
    interview.add_argument("--today")
    interview.add_argument("--format", choices=["text", "markdown"], default="text")
    interview.set_defaults(run=cmd_interview)

    compile_ = sub.add_parser("compile", help="print the durable_rules rulesets of a pack")
    compile_.add_argument(
        "pack", nargs="*", help="pack files or folders; default: the bundled packs"
    )
    compile_.set_defaults(run=cmd_compile, backend="auto")

    _cli_author.register(sub)  # check, test, schema, docs
    _cli_batch.register(sub)  # batch
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except OutreachRulesError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
