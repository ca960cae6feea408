"""`outreach_rules.lint` and `outreach-rules check`: load errors and lint warnings."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from outreach_rules import cli
from outreach_rules._engine import bundled_pack_dir
from outreach_rules.lint import lint_paths

DATA = Path(__file__).parent / "data"
WARNINGS = DATA / "lint" / "warnings.yaml"
INVALID = sorted((DATA / "invalid_packs").glob("*.yaml"))
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[a-z-]+): (?P<rest>.+)$")

PACK_HEAD = """\
pack: lint-case
version: "1.0.0"
title: A pack for one lint case
sources:
  guide: {title: A guide, sections: [Basics]}
decisions:
  go: {title: Go}
  stop: {title: Stop}
facts:
  x: {type: int, question: What is x?}
  y: {type: float, question: What is y?}
  channel: {type: enum, values: [email, phone], question: Email or phone?}
  name: {type: str, question: What is your name?}
  ready: {type: bool, question: Are you ready?}
  note: {type: text, question: Any note?}
  tags: {type: list, question: Which tags?}
params:
  limit: {type: int, default: 3}
  names: {type: list, default: [ann, bob]}
derived:
  flagged: {type: bool}
rules:
  - id: flag_note
    when: contains(note, "urgent")
    set: {flagged: true}
    rationale: Urgent notes.
    cite: {source: guide, section: Basics}
"""


def rule(rule_id: str, when: str, *, priority: int = 0, decide: str | None = None) -> str:
    """One rule of a lint case, as YAML."""
    outcome = f"decide: {decide}" if decide else "recommend: {topic: t, text: Hi.}"
    return textwrap.indent(
        textwrap.dedent(
            f"""\
          - id: {rule_id}
            when: {json.dumps(when)}
            priority: {priority}
            {outcome}
            rationale: Because.
            cite: {{source: guide, section: Basics}}
        """
        ),
        "  ",
    )


def lint_text(tmp_path: Path, *rules: str) -> list[tuple[str, str | None]]:
    """(code, rule id) of every problem of a pack made of PACK_HEAD and the rules."""
    path = tmp_path / "pack.yaml"
    path.write_text(PACK_HEAD + "".join(rules), encoding="utf-8")
    report = lint_paths([path])
    assert report.errors == [], [p.render() for p in report.errors]
    return [(p.code, p.rule_id) for p in report.problems if p.code not in _NOISE]


# Warnings every lint case pack has: not every fact and param is read by every case.
_NOISE = {"unused-fact", "unused-param", "unused-decision"}


def test_the_bundled_pack_is_clean() -> None:
    """The bundled pack loads with no error and no lint warning."""
    report = lint_paths([bundled_pack_dir()])
    assert report.loaded and report.rules > 0
    assert [p.render() for p in report.problems] == []
    assert not report.failed(strict=True)


@pytest.mark.parametrize("name", ["minimal.yaml", "chain.yaml"])
def test_the_test_packs_are_clean(name: str) -> None:
    """The small test packs that use every fact they declare have no warning."""
    report = lint_paths([DATA / "packs" / name])
    assert [p.render() for p in report.problems] == []


def test_unused_facts_of_the_all_types_pack_are_reported() -> None:
    """all-types.yaml declares facts of every type but reads few: each unread one is named."""
    report = lint_paths([DATA / "packs" / "all-types.yaml"])
    assert report.loaded and report.errors == []
    assert {p.code for p in report.warnings} == {"unused-fact"}
    assert all(p.line > 0 and p.severity == "warning" for p in report.warnings)


def test_every_warning_of_the_warnings_pack() -> None:
    """warnings.yaml trips each lint warning once, at the line of the offending node."""
    report = lint_paths([WARNINGS])
    found = [(p.code, p.line, p.rule_id) for p in report.problems]
    assert found == [
        ("unused-source", 13, None),
        ("unused-decision", 19, None),
        ("unused-fact", 25, None),
        ("unused-param", 28, None),
        ("unused-fact", 30, None),
        ("never-fires", 33, "impossible_range"),
        ("never-fires", 38, "two_channels"),
        ("always-beaten", 51, "go_when_ready_and_big"),
        ("blank-rationale", 52, "go_when_ready_and_big"),
        ("own-source-quote", 53, "go_when_ready_and_big"),
        ("unreachable-draft", 60, None),
        ("unreachable-draft", 66, None),
        ("unreachable-draft", 79, None),
    ]
    assert report.errors == [] and report.failed() is False and report.failed(strict=True)


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_every_invalid_pack_is_an_error(path: Path) -> None:
    """Each invalid test pack gives at least one error with a position, and fails the check."""
    report = lint_paths([path])
    assert not report.loaded
    assert report.errors and report.failed()
    assert all(p.severity == "error" for p in report.problems)


@pytest.mark.parametrize(
    "when",
    [
        "x > 5 and x < 3",
        "x >= 3 and x < 3",
        "x > 2 and x < 3",  # x is an int: nothing lies between 2 and 3
        "x >= 3 and x <= 4 and x != 3 and x != 4",
        "x == 4 and x != 4",
        "y > 1.5 and y <= 1.5",
        'channel == "email" and channel == "phone"',
        'channel != "email" and channel != "phone"',
        'channel in ["email"] and channel not in ["email"]',
        'name == "ann" and name == "bob"',
        'name in params.names and name == "carl"',
        "ready and not ready",
        "ready == true and ready == false",
        "word_count(note) < 0",
        "length(tags) < 0 or (x > 5 and x < 3)",
        "params.limit > 5",
        "false",
        "x in []",
        "(x > 5 or ready) and x < 3 and not ready",
        "not flagged",  # only ever set to true, and no default
        '"a" in tags and "a" not in tags',
    ],
)
def test_conditions_that_can_never_hold(tmp_path: Path, when: str) -> None:
    """A rule whose condition cannot hold in any alternative is reported as never firing."""
    assert lint_text(tmp_path, rule("r", when)) == [("never-fires", "r")]


@pytest.mark.parametrize(
    "when",
    [
        "y > 2 and y < 3",  # y is a float
        "x > 5 or x < 3",
        "x >= 3 and x <= 3",
        "x != 3 and x != 4",
        'channel == "email" or channel == "phone"',
        'channel != "email"',
        'name != "ann" and name != "bob"',
        'name in params.names and name != "ann"',
        "ready or not ready",
        "ready and x > params.limit",
        "word_count(note) < 1",
        "params.limit < 5",
        "true",
        "x not in []",
        "flagged",
        '"a" in tags and "b" not in tags',
        "days_until_x > 2",
    ],
)
def test_conditions_that_can_hold(tmp_path: Path, when: str) -> None:
    """Satisfiable conditions give no never-fires warning (the solver is never wrong)."""
    head = "derived:\n  days_until_x: {type: int, value: x}\n"
    text = PACK_HEAD.replace("derived:\n", head)
    path = tmp_path / "pack.yaml"
    path.write_text(text + rule("r", when), encoding="utf-8")
    report = lint_paths([path])
    assert report.errors == []
    assert [p.code for p in report.problems if p.rule_id == "r"] == []


@pytest.mark.parametrize(
    ("higher", "lower", "beaten"),
    [
        ("ready", "ready", True),  # identical
        ("ready", "ready and x > 3", True),  # the lower one strictly contains the higher one
        ("x > 3", "x > 5", True),  # implied through the interval
        ('channel in ["email", "phone"]', 'channel == "phone"', True),
        ("ready or x > 3", "x > 9 and not ready", True),  # one alternative of the higher rule
        ("ready and x > 3", "ready", False),  # the higher one needs more
        ("x > 5", "x > 3", False),
        ("ready", "x > 3", False),  # ready may be unknown while x > 3
        ("not ready", "x > 3 and ready", False),
    ],
)
def test_decisions_that_are_always_beaten(
    tmp_path: Path, higher: str, lower: str, beaten: bool
) -> None:
    """A decide rule whose every alternative implies a rule that beats it is reported."""
    found = lint_text(
        tmp_path,
        rule("high", higher, priority=10, decide="stop"),
        rule("low", lower, priority=5, decide="go"),
    )
    assert (("always-beaten", "low") in found) is beaten
    assert ("always-beaten", "high") not in found


def test_ties_are_broken_by_the_smaller_rule_id(tmp_path: Path) -> None:
    """At equal priority the smaller id wins, so only the larger id's rule is beaten."""
    found = lint_text(
        tmp_path,
        rule("b_rule", "ready", priority=5, decide="go"),
        rule("a_rule", "ready", priority=5, decide="stop"),
    )
    assert ("always-beaten", "b_rule") in found
    assert ("always-beaten", "a_rule") not in found


def test_a_rule_beaten_by_two_rules_together(tmp_path: Path) -> None:
    """Each alternative may be beaten by a different rule: the rule still never wins."""
    found = lint_text(
        tmp_path,
        rule("by_ready", "ready", priority=10, decide="stop"),
        rule("by_x", "x > 3", priority=9, decide="stop"),
        rule("low", "ready or x > 5", priority=1, decide="go"),
    )
    assert ("always-beaten", "low") in found


def test_warnings_point_into_the_overlay_that_causes_them(tmp_path: Path) -> None:
    """A warning about a rule added by an overlay is positioned in the overlay file."""
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(
        'pack: overlay\nversion: "1"\ntitle: Overlay\nrules:\n'
        + rule("odd", "n > 5 and n < 3").replace("guide", "notes"),
        encoding="utf-8",
    )
    report = lint_paths([DATA / "packs" / "chain.yaml", overlay])
    never = [p for p in report.problems if p.code == "never-fires"]
    assert [(Path(p.file).name, p.line, p.rule_id) for p in never] == [("overlay.yaml", 6, "odd")]


# ---------------------------------------------------------------- the command line
def test_check_prints_path_line_column_code_and_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each problem is one `path:line:col: code: severity: message` line, then a summary."""
    status = cli.main(["check", str(WARNINGS)])
    out = capsys.readouterr().out.splitlines()
    assert status == 0  # warnings only
    problems = [LINE.match(line) for line in out[:-1]]
    assert all(problems), out
    assert {m["code"] for m in problems if m} >= {"never-fires", "always-beaten", "unused-fact"}
    assert all(m["rest"].startswith("warning: ") for m in problems if m)
    assert out[-1] == "ok: 0 errors, 13 warnings"


def test_check_strict_fails_on_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    """--strict turns warnings into a failing exit status."""
    assert cli.main(["check", "--strict", str(WARNINGS)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "failed: 0 errors, 13 warnings (--strict)"


def test_check_fails_on_errors_with_source_lines(capsys: pytest.CaptureFixture[str]) -> None:
    """A pack that does not load exits 1; --show-source adds the line and a caret."""
    path = DATA / "invalid_packs" / "function-misspelt.yaml"
    assert cli.main(["check", "--show-source", str(path)]) == 1
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert LINE.match(first) and ": condition: error: " in first
    assert "^" in out


def test_check_of_the_bundled_pack_is_ok(capsys: pytest.CaptureFixture[str]) -> None:
    """With no path, check lints the bundled packs: exit 0 and one `ok` line."""
    assert cli.main(["check", "--strict"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and re.fullmatch(r"ok: \d+ rules, no problems", out[0])


def test_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json gives every problem with file, position, severity and code."""
    assert cli.main(["check", "--format", "json", str(WARNINGS)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True and data["errors"] == 0 and data["warnings"] == 13
    first = data["problems"][0]
    assert set(first) >= {"file", "line", "column", "severity", "code", "message"}
    assert cli.main(["check", "--format", "json", "--strict", str(WARNINGS)]) == 1
    assert json.loads(capsys.readouterr().out)["ok"] is False


def test_check_overlays_later_files(capsys: pytest.CaptureFixture[str]) -> None:
    """Several paths are merged like Engine.from_paths: a conflict is an error."""
    path = DATA / "packs" / "chain.yaml"
    assert cli.main(["check", str(path), str(path)]) == 1
    assert "duplicate rule id" in capsys.readouterr().out
