"""The `outreach-rules` command: advise, why, compile; check, test, schema and docs.

Every error ends in `main`, as one line (or one error with its list of problems) on
standard error and a documented exit status: 0 success, 1 an invalid pack or situation,
2 a usage error or a file that cannot be read, 130 interrupted (Ctrl-C), 141 the reader
of the output went away (a closed pipe).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from . import _cli_author, _cli_batch
from ._advice import Level
from ._cli_args import EXIT_FAILED, EXIT_OK, EXIT_USAGE, iso_date, pack_path, situation_path
from ._engine import Backend, Engine
from ._files import read_bounded, read_stream_bounded
from ._interview import run_interview
from ._situation import not_a_mapping
from ._yaml import YamlProblem, decode, read_document
from .errors import WHOLE_SITUATION, OutreachRulesError, SituationError, SituationProblem

EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 130, 141


def _engine(args: argparse.Namespace) -> Engine:
    packs = args.pack or []
    backend: Backend = getattr(args, "backend", "auto")
    engine = (
        Engine.from_paths(*packs, backend=backend) if packs else Engine.default(backend=backend)
    )
    asked: str | None = getattr(args, "locale", None)
    if asked is not None:  # said on the command line: a locale the pack cannot serve is an error
        try:
            engine.locale = engine._locale_of(asked)
        except ValueError as error:
            _fail(f"--locale: {error}", EXIT_USAGE)
    else:  # the environment's, when the pack has a translation for it
        engine.locale = _environment_locale(engine)
    return engine


# Where a locale is looked for in the environment, first found first (POSIX order after
# the command's own variable).
LOCALE_VARIABLES = ("OUTREACH_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG")


def _environment_locale(engine: Engine) -> str | None:
    """The locale of the environment if the pack can speak it; None (the pack's own
    language) otherwise: a terminal set to a language the pack lacks still gets advice."""
    for variable in LOCALE_VARIABLES:
        value = os.environ.get(variable, "").split(".")[0].split("@")[0]
        if value:
            if value in ("C", "POSIX"):
                return None
            try:
                return engine._locale_of(value)
            except ValueError:
                return None
    return None


def _read_situation(path: str) -> Any:
    """A situation from a YAML or JSON file ('-' reads standard input)."""
    name = "<stdin>" if path == "-" else path
    try:
        raw = read_stream_bounded(sys.stdin.buffer, name) if path == "-" else read_bounded(path)
        data = read_document(decode(raw, name), name).data or {}
    except YamlProblem as problem:
        where = problem.problem.location()
        raise SituationError(
            [SituationProblem(WHOLE_SITUATION, problem.problem.message, location=where)]
        ) from None
    if not isinstance(data, dict):
        raise not_a_mapping(data, location=name)
    return data


def cmd_advise(args: argparse.Namespace) -> int:
    engine = _engine(args)
    advice = engine.evaluate(_read_situation(args.situation), today=args.today)
    if args.format == "json":
        print(advice.model_dump_json(indent=2))
    else:
        level: Level = "trace" if args.explain else args.level
        print(advice.explain(level, format=args.format), end="")
    return EXIT_OK


def cmd_why(args: argparse.Namespace) -> int:
    engine = _engine(args)
    advice = engine.evaluate(_read_situation(args.situation), today=args.today)
    try:
        answer = advice.why_not(args.target)
    except KeyError as error:  # an unknown target: its message names close ones
        _fail(str(error.args[0]), EXIT_USAGE)
    print(answer.model_dump_json(indent=2) if args.format == "json" else str(answer))
    return EXIT_OK


def cmd_interview(args: argparse.Namespace) -> int:
    engine = _engine(args)
    run_interview(engine, sys.stdin, sys.stdout, args.today, format=args.format)
    return EXIT_OK


def cmd_compile(args: argparse.Namespace) -> int:
    engine = _engine(args)
    if args.python:
        print(engine.python_source(), end="")
    else:
        print(json.dumps(engine.compiled_rulesets(), indent=2, ensure_ascii=False))
    return EXIT_OK


class _UsageError(Exception):
    """A command line that cannot be run: the message and the exit status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _fail(message: str, status: int) -> NoReturn:
    raise _UsageError(message, status)


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one line (`error: ...`) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        _fail(f"{message} (see {self.prog} --help)", EXIT_USAGE)


DATE_HELP = "the date to evaluate on (YYYY-MM-DD); default: today"


def _version() -> str:
    from . import __version__  # noqa: PLC0415 - the package imports this module's siblings

    return f"outreach-rules {__version__}"


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="outreach-rules", description="Explainable career advice from YAML rule packs."
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True)

    def with_pack(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument(
            "--pack",
            action="append",
            type=pack_path,
            help="pack file or folder (repeat to overlay); default: the bundled packs",
        )
        p.add_argument("--backend", choices=["auto", "durable", "python"], default="auto")
        p.add_argument(
            "--locale",
            help="language of the advice, e.g. de or es_MX (the pack needs a translation); "
            "default: $OUTREACH_LOCALE, $LC_ALL, $LC_MESSAGES or $LANG when the pack has it",
        )
        return p

    advise = with_pack(
        sub.add_parser("advise", help="advice for a situation (YAML or JSON file, '-' for stdin)")
    )
    advise.add_argument("situation", type=situation_path)
    advise.add_argument("--today", type=iso_date, help=DATE_HELP)
    advise.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    advise.add_argument(
        "--level",
        choices=["summary", "full", "trace"],
        default="summary",
        help="summary: what a candidate reads (the default); full: every reason, rationale "
        "and source; trace: the engine's view, with every rule fired or not",
    )
    advise.add_argument("--explain", action="store_true", help="the same as --level trace")
    advise.set_defaults(run=cmd_advise)

    why = with_pack(sub.add_parser("why", help="why a decision or rule did not come out"))
    why.add_argument("target")
    why.add_argument("situation", type=situation_path)
    why.add_argument("--today", type=iso_date, help=DATE_HELP)
    why.add_argument("--format", choices=["text", "json"], default="text")
    why.set_defaults(run=cmd_why)

    interview = with_pack(
        sub.add_parser("interview", help="ask the questions that matter, then show the advice")
    )
    interview.add_argument("--today", type=iso_date, help=DATE_HELP)
    interview.add_argument("--format", choices=["text", "markdown"], default="text")
    interview.set_defaults(run=cmd_interview)

    compile_ = sub.add_parser(
        "compile", help="print the durable_rules rulesets of a pack (or its Python source)"
    )
    compile_.add_argument(
        "pack", nargs="*", type=pack_path, help="pack files or folders; default: the bundled packs"
    )
    compile_.add_argument(
        "--python",
        action="store_true",
        help="print the Python source the python backend runs, one function per stratum",
    )
    compile_.set_defaults(run=cmd_compile, backend="auto")

    _cli_author.register(sub)  # check, test, schema, docs
    _cli_batch.register(sub)  # batch
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = _parser().parse_args(argv)
        return int(args.run(args))
    except _UsageError as error:
        return _report(str(error), error.status)
    except OutreachRulesError as error:
        return _report(str(error), EXIT_FAILED)
    except OSError as error:
        if isinstance(error, BrokenPipeError):
            return _quiet_broken_pipe()
        where = f"{error.filename}: " if error.filename else ""
        return _report(f"{where}{error.strerror or error}", EXIT_USAGE)
    except KeyboardInterrupt:
        _flush_quietly()
        return EXIT_INTERRUPTED


def _report(message: str, status: int) -> int:
    try:
        sys.stdout.flush()
        print(f"error: {message}", file=sys.stderr)
    except BrokenPipeError:
        return _quiet_broken_pipe()
    return status


def _flush_quietly() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_broken_pipe()


def _quiet_broken_pipe() -> int:
    # The reader went away (`| head`): point standard output at /dev/null, so the flush at
    # exit does not report the closed pipe once more, and end as a SIGPIPE would.
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (a captured stream)
        pass
    finally:
        os.close(devnull)
    return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
