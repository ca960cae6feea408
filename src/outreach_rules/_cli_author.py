"""The pack authors' commands of `outreach-rules`: check, test, schema and docs.

`register(sub)` adds them to the command line's subparsers; each command returns its exit
status (0 when clean, 1 on problems or failures, 2 on a usage error).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ._cli_args import EXIT_FAILED, EXIT_OK, EXIT_USAGE, case_path, pack_path
from ._engine import Engine, bundled_pack_dir
from ._reference import pack_reference
from ._schema import advice_schema, dumps, pack_schema, situation_schema, summary_schema
from ._source_coverage import source_coverage
from .errors import Problem, RulebookError
from .lint import lint_paths
from .testing import bundled_scenarios, run_pack_tests


def _echo(text: str = "", *, err: bool = False) -> None:
    """Print a line to standard output (or standard error)."""
    (sys.stderr if err else sys.stdout).write(text + "\n")


def _out(text: str, output: str | None) -> None:
    """Write to a file (creating its folder) or to standard output."""
    if output and output != "-":
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def format_problem(problem: Problem, show_source: bool = False) -> str:
    """`path:line:col: code: severity: message` (and the source line with a caret)."""
    rule = f"rule '{problem.rule_id}': " if problem.rule_id else ""
    text = f"{problem.location()}: {problem.code}: {problem.severity}: {rule}{problem.message}"
    if problem.suggestions:
        text += " (did you mean " + ", ".join(f"'{s}'" for s in problem.suggestions) + "?)"
    if show_source and problem.source_line is not None and problem.column > 0:
        caret = " " * (problem.column - 1) + "^" * max(1, problem.width)
        text += f"\n    {problem.source_line}\n    {caret}"
    return text


# ---------------------------------------------------------------- check
def cmd_check(args: argparse.Namespace) -> int:
    paths = args.pack or [str(bundled_pack_dir())]
    report = lint_paths(paths)
    failed = report.failed(strict=args.strict)
    if args.format == "json":
        _echo(json.dumps({**report.to_json(), "ok": not failed}, indent=2, ensure_ascii=False))
        return EXIT_FAILED if failed else EXIT_OK
    for problem in report.problems:
        _echo(format_problem(problem, args.show_source))
    errors, warnings = len(report.errors), len(report.warnings)
    if not report.problems:
        _echo(f"ok: {report.rules} rule{'s' * (report.rules != 1)}, no problems")
    else:
        summary = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        _echo(f"{'failed' if failed else 'ok'}: {summary}" + (" (--strict)" if args.strict else ""))
    return EXIT_FAILED if failed else EXIT_OK


# ---------------------------------------------------------------- test
def cmd_test(args: argparse.Namespace) -> int:
    paths = args.paths
    if not paths:
        found = bundled_scenarios()
        if found is None:
            _echo(
                "error: no case files given, and no bundled scenarios here: they ship with a "
                "source checkout (tests/scenarios), not with the installed package",
                err=True,
            )
            return EXIT_USAGE
        _echo(f"testing the bundled scenarios in {found}", err=True)
        paths = [str(found)]
    try:
        report = run_pack_tests(paths, backend=args.backend, packs=args.pack)
    except RulebookError as error:
        for problem in error.problems:
            _echo(format_problem(problem, show_source=True))
        return EXIT_FAILED
    low = args.min_coverage is not None and report.rule_percent < args.min_coverage
    if args.format == "json":
        data: dict[str, Any] = report.to_json()
        data["min_coverage"] = args.min_coverage
        data["ok"] = report.passed and not low
        _echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(report.render(verbose=args.verbose))
        if low:
            _echo(
                f"failed: rule coverage {report.rule_percent:.1f}% is below "
                f"--min-coverage {args.min_coverage:g}%"
            )
    return EXIT_OK if report.passed and not low else EXIT_FAILED


# ---------------------------------------------------------------- schema
def cmd_schema(args: argparse.Namespace) -> int:
    if args.kind == "advice":
        schema = advice_schema()
    elif args.kind == "summary":
        schema = summary_schema()
    elif args.kind == "situation":
        engine = (
            Engine.from_paths(*args.pack, backend="python")
            if args.pack
            else Engine.default(backend="python")
        )
        schema = situation_schema(engine)
    else:
        rulebook = Engine.from_paths(*args.pack, backend="python").rulebook if args.pack else None
        schema = pack_schema(rulebook)
    _out(dumps(schema), args.output)
    return EXIT_OK


# ---------------------------------------------------------------- docs
def cmd_docs(args: argparse.Namespace) -> int:
    engine = Engine.from_paths(*args.pack, backend="python") if args.pack else None
    engine = engine or Engine.default(backend="python")
    text = source_coverage(engine, args.coverage) if args.coverage else pack_reference(engine)
    _out(text, args.output)
    return EXIT_OK


def register(sub: Any) -> None:
    """Add check, test, schema and docs to the subparsers of the command line."""
    check = sub.add_parser(
        "check",
        help="report every problem in a pack (errors and lint warnings), with its position",
        description="Load the packs (later ones overlay earlier ones) and report every load "
        "error and every lint warning as `path:line:col: code: severity: message`. Exit status "
        "0 when there is no error, 1 otherwise; --strict also fails on warnings.",
    )
    check.add_argument(
        "pack", nargs="*", type=pack_path, help="pack files or folders; default: the bundled packs"
    )
    check.add_argument("--format", choices=["text", "json"], default="text")
    check.add_argument("--strict", action="store_true", help="warnings fail the check too")
    check.add_argument(
        "--show-source", action="store_true", help="show each problem's line with a caret"
    )
    check.set_defaults(run=cmd_check)

    test = sub.add_parser(
        "test",
        help="run a pack's YAML test cases and report rule and condition coverage",
        description="Run the cases of YAML case files (folders give their *.yaml; pack files "
        "in a folder are passed over). A case file's `pack:` names the packs it tests, "
        "relative to the file; --pack tests these packs instead; default: the bundled packs. "
        "Without paths, runs the bundled scenarios of a source checkout.",
    )
    test.add_argument("paths", nargs="*", type=case_path, help="case files or folders")
    test.add_argument(
        "--pack",
        action="append",
        type=pack_path,
        help="pack file or folder the cases test (repeat to overlay), instead of their `pack:`",
    )
    test.add_argument("--format", choices=["text", "json"], default="text")
    test.add_argument(
        "--min-coverage",
        type=float,
        metavar="PERCENT",
        help="fail when fewer than PERCENT %% of a pack's rules are seen firing",
    )
    test.add_argument("--backend", choices=["auto", "durable", "python"], default="python")
    test.add_argument(
        "-v", "--verbose", action="store_true", help="list passing cases and uncovered conditions"
    )
    test.set_defaults(run=cmd_test)

    schema = sub.add_parser(
        "schema",
        help="print the JSON Schema of a pack file, a situation, the advice or its summary",
        description="JSON Schemas for editors and tools. With --pack, the pack schema lists "
        "the pack's names (facts, params, decisions, sources, rules) for completion, and the "
        "situation schema is that pack's.",
    )
    schema.add_argument("kind", choices=["pack", "situation", "advice", "summary"])
    schema.add_argument(
        "--pack", action="append", type=pack_path, help="pack file or folder (repeat to overlay)"
    )
    schema.add_argument("-o", "--output", help="write to this file instead of standard output")
    schema.set_defaults(run=cmd_schema)

    docs = sub.add_parser(
        "docs",
        help="write a Markdown reference of a pack",
        description="A Markdown reference of a pack: facts and their questions, params, every "
        "rule in readable form with rationale and citation, decisions, drafts, sources, and a "
        "Mermaid diagram from facts through rules to decisions.",
    )
    docs.add_argument(
        "pack", nargs="*", type=pack_path, help="pack files or folders; default: the bundled packs"
    )
    docs.add_argument("-o", "--output", help="write to this file instead of standard output")
    docs.add_argument(
        "--coverage",
        nargs="?",
        const="article",
        metavar="SOURCE",
        help="write the coverage page of a cited source with a `text:` instead (each "
        "paragraph with the rules that quote it, the pack's own additions apart); "
        "default source: article",
    )
    docs.set_defaults(run=cmd_docs)
