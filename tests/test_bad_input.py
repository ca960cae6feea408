"""Golden tests for bad input: invalid rule packs and invalid situations.

`tests/data/invalid_packs/NAME.yaml` is a small pack with one defect (or, for the
`several-*` cases, several); `NAME.expected` holds the exact `str(RulebookError)` the loader
gives for it, with the path printed as `NAME.yaml` because the pack is loaded from inside
that folder.

`tests/data/invalid_situations/NAME.yaml` holds a situation and the exact `str(SituationError)`
and `.facts` it gives. Keys of a case file:

    situation:  the situation passed to Engine.evaluate
    pack:       optional pack file in tests/data/packs (default: the bundled pack)
    repeat:     optional {fact: n}; the value of each fact listed is multiplied by n, so
                that oversized values need not be stored
    expected:   {facts: [...], message: the exact str(error)}

To rewrite the golden files after a deliberate change of messages, run
`OUTREACH_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_bad_input.py`, then read every diff.
"""

from __future__ import annotations

import datetime
import functools
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

import outreach_rules as orr
from outreach_rules._rulebook import load_pack_text

ROOT = Path(__file__).parent.parent
DATA = ROOT / "tests" / "data"
INVALID_PACKS = DATA / "invalid_packs"
INVALID_SITUATIONS = DATA / "invalid_situations"
PACKS = DATA / "packs"
TODAY = datetime.date(2026, 3, 2)
MINIMAL_HEAD = b'pack: minimal\nversion: "1.0.0"\n# A title with a character YAML refuses:\n'
UPDATE = os.environ.get("OUTREACH_UPDATE_GOLDEN") == "1"

PACK_CASES = sorted(path.stem for path in INVALID_PACKS.glob("*.yaml"))
SITUATION_CASES = sorted(path.stem for path in INVALID_SITUATIONS.glob("*.yaml"))


@functools.cache
def _engine(pack: str | None) -> orr.Engine:
    """An engine for a pack in tests/data/packs, or for the bundled pack; built once."""
    if pack is None:
        return orr.Engine.default(backend="python")
    return orr.Engine.from_paths(PACKS / pack, backend="python")


def _load_error(name: str, monkeypatch: pytest.MonkeyPatch) -> orr.RulebookError:
    """The RulebookError of one invalid pack, loaded by a path relative to its folder."""
    monkeypatch.chdir(INVALID_PACKS)
    with pytest.raises(orr.RulebookError) as info:
        orr.Engine.from_paths(f"{name}.yaml", backend="python")
    return info.value


def _situation_case(name: str) -> dict[str, Any]:
    """A case file of tests/data/invalid_situations, with `repeat` applied to its situation."""
    text = (INVALID_SITUATIONS / f"{name}.yaml").read_text(encoding="utf-8")
    case: dict[str, Any] = yaml.safe_load(text)
    situation = case["situation"]
    for fact, times in (case.get("repeat") or {}).items():
        situation[fact] = situation[fact] * times
    return case


# ---------------------------------------------------------------- invalid packs
@pytest.mark.parametrize("name", PACK_CASES)
def test_invalid_pack_message_matches_golden(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Protects the exact wording, position and caret of every load/check error of a pack."""
    error = _load_error(name, monkeypatch)
    expected_file = INVALID_PACKS / f"{name}.expected"
    actual = str(error) + "\n"
    if UPDATE:
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", PACK_CASES)
def test_invalid_pack_problems_are_located(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Protects that every problem names the file as given, a line, a column and its source line."""
    error = _load_error(name, monkeypatch)
    assert error.problems, "a RulebookError must carry at least one problem"
    for problem in error.problems:
        assert problem.file == f"{name}.yaml"
        assert problem.line >= 1
        assert problem.column >= 1
        assert problem.source_line is not None
        assert problem.code != ""
        assert problem.render() in str(error)


def test_every_invalid_pack_has_a_golden_file() -> None:
    """Protects the golden folder from orphans: each NAME.yaml has NAME.expected and back."""
    expected = sorted(path.stem for path in INVALID_PACKS.glob("*.expected"))
    assert expected == PACK_CASES


def test_several_problems_are_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Protects that the checker collects the problems of every rule instead of stopping early."""
    error = _load_error("several-problems", monkeypatch)
    assert [(p.rule_id, p.code) for p in error.problems] == [
        ("go_when_ready", "condition"),
        ("go_anyway", "unknown-decision"),
        ("go_anyway", "unknown-section"),
        ("go_when_not_ready", "unknown-source"),
        ("go_when_not_ready", "template"),
    ]
    assert error.problems[0].suggestions == ("ready",)


# A pack whose union fields (a param's and a derived fact's default, a rule's `when`, a value
# of `set`) hold the placeholder VALUE; each case puts one value of the wrong type there.
UNION_PACK = """\
pack: minimal
version: "1.0.0"
title: Minimal pack
sources:
  guide: {{title: A guide, sections: [Basics]}}
facts:
  ready: {{type: bool}}
params:
  limit: {{type: int, default: {param}}}
derived:
  cleared: {{type: bool, default: {derived}}}
rules:
  - id: clear_when_ready
    when: {when}
    set: {{cleared: {set}}}
    rationale: Ready means cleared.
    cite: {{source: guide, section: Basics}}
"""
UNION_FIELDS = {
    "param": ("params.limit.default", "true/false, a number, text or a list of texts"),
    "derived": ("derived.cleared.default", "true/false, a number or text"),
    "when": ("rules.0.when", "a condition (text) or true/false"),
    "set": ("rules.0.set.cleared", "true/false, a number or text"),
}
VALID = {"param": "3", "derived": "false", "when": "ready", "set": "true"}


@pytest.mark.parametrize(
    ("field", "value", "given"),
    [
        ("param", "{words: 150}", "a mapping"),
        ("param", "~", "an empty value"),
        ("param", "[any tips, 42]", "a list holding the number 42"),
        ("param", "[[a]]", "a list holding a list"),
        ("derived", "[a]", "a list"),
        ("derived", "2026-03-06", 'the date 2026-03-06 (in quotes, "2026-03-06", it is text)'),
        ("when", "1", "the number 1"),
        ("when", "[ready]", "a list"),
        ("when", "~", "an empty value"),
        ("when", "2026-03-06", "the date 2026-03-06"),  # quoted, it is no condition either
        ("set", "{value: true}", "a mapping"),
        ("set", "[true]", "a list"),
    ],
)
def test_a_value_fitting_no_member_of_a_union_is_one_problem(
    field: str, value: str, given: str
) -> None:
    """Protects the wording of a value that fits none of the types a field accepts: one
    problem in the project's words, naming what is accepted and what was given, at the
    value's position, instead of one pydantic line per member of the union."""
    where, accepted = UNION_FIELDS[field]
    text = UNION_PACK.format(**{**VALID, field: value})
    with pytest.raises(orr.RulebookError) as info:
        load_pack_text(text, "union.yaml")
    (problem,) = info.value.problems
    assert problem.message == f"{where}: expected {accepted}, got {given}"
    assert problem.code == "schema"
    lines = text.splitlines()
    line = next(i for i, row in enumerate(lines, 1) if f": {value}" in row)
    assert (problem.line, problem.column) == (line, lines[line - 1].index(f": {value}") + 3)


def test_the_union_pack_of_the_union_cases_is_valid() -> None:
    """Protects the union cases above: with valid values the pack loads, so each refusal is
    the one value's fault."""
    assert load_pack_text(UNION_PACK.format(**VALID), "union.yaml").spec.rules


def test_python_tag_is_refused_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Protects against code execution through YAML tags: an error, and the command never runs."""
    marker = tmp_path / "ran"
    pack = tmp_path / "evil.yaml"
    pack.write_text(
        f'pack: evil\nversion: "1"\ntitle: !!python/object/apply:os.system ["touch {marker}"]\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    with pytest.raises(orr.RulebookError) as info:
        orr.Engine.from_paths("evil.yaml", backend="python")
    assert [p.code for p in info.value.problems] == ["yaml"]
    assert not marker.exists()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            MINIMAL_HEAD + b"title: Minimal\x00pack\n",
            (
                "bad.yaml:4:15: invalid YAML: unacceptable character U+0000: control characters "
                "are not allowed\n"
                "    title: Minimal\u2400pack\n"
                "                  ^"
            ),
        ),
        (  # CRLF line ends; a form feed is no line break; the escape after it is shown too
            MINIMAL_HEAD.replace(b"\n", b"\r\n") + b"title: a\x0cb\x1bc\r\n",
            (
                "bad.yaml:4:9: invalid YAML: unacceptable character U+000C: control characters "
                "are not allowed\n"
                "    title: a\u240cb\u241bc\n"
                "            ^"
            ),
        ),
        (
            MINIMAL_HEAD + b"# a comment with DEL: \x7f\ntitle: Minimal pack\n",
            (
                "bad.yaml:4:23: invalid YAML: unacceptable character U+007F: control characters "
                "are not allowed\n"
                "    # a comment with DEL: \u2421\n"
                "                          ^"
            ),
        ),
        (
            MINIMAL_HEAD + "title: \u00e9t\u00e9 \u009b\n".encode(),
            (
                "bad.yaml:4:12: invalid YAML: unacceptable character U+009B: control characters "
                "are not allowed\n"
                "    title: \u00e9t\u00e9 \ufffd\n"
                "               ^"
            ),
        ),
    ],
    ids=["nul", "form-feed-crlf", "del-in-comment", "c1-after-utf8"],
)
def test_control_characters_are_located(
    data: bytes, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Protects the position of a character YAML refuses (NUL, other C0 and C1 controls,
    DEL): the file, line and column of the first one (lines counted as YAML counts them,
    columns in characters, not bytes) and its line, with every such character shown as a
    visible stand-in so that the caret stays under it."""
    (tmp_path / "bad.yaml").write_bytes(data)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(orr.RulebookError) as info:
        orr.Engine.from_paths("bad.yaml", backend="python")
    assert str(info.value) == "1 problem in the rule pack:\n" + expected
    assert [problem.code for problem in info.value.problems] == ["yaml"]


def test_a_lone_surrogate_in_pack_text_is_located() -> None:
    """Protects packs given as text (`load_pack_text`), which, unlike files, may hold a lone
    surrogate: a located RulebookError, not a UnicodeEncodeError from the YAML parser."""
    text = 'pack: minimal\nversion: "1.0.0"\ntitle: a\ud800b\n'
    with pytest.raises(orr.RulebookError) as info:
        load_pack_text(text, "text.yaml")
    assert str(info.value) == (
        "1 problem in the rule pack:\n"
        "text.yaml:3:9: invalid YAML: unacceptable character U+D800: lone surrogates are not "
        "allowed\n"
        "    title: a\ufffdb\n"
        "            ^"
    )


# ---------------------------------------------------------------- invalid situations
@pytest.mark.parametrize("name", SITUATION_CASES)
def test_invalid_situation_matches_golden(name: str) -> None:
    """Protects the exact message and the `.facts` of every refused situation."""
    case = _situation_case(name)
    engine = _engine(case.get("pack"))
    with pytest.raises(orr.SituationError) as info:
        engine.evaluate(case["situation"], today=TODAY)
    assert isinstance(info.value, ValueError)
    assert str(info.value) == case["expected"]["message"]
    assert info.value.facts == [str(fact) for fact in case["expected"]["facts"]]


def test_all_types_pack_accepts_valid_values() -> None:
    """Protects the situation cases: valid values of every type pass, so refusals mean something."""
    engine = _engine("all-types.yaml")
    situation = {
        "ready": True,
        "attempts": 2,
        "score": 0.75,
        "name": "Dana",
        "channel": "email",
        "when_day": "2026-03-06",
        "questions": ["What should I focus on?"],
        "draft": "Dear Dana,\nThank you.\nBest regards",
    }
    advice = engine.evaluate(situation, today=TODAY)
    assert advice.decision is not None
    assert advice.decision.id == "go"
    validated = engine.Situation.model_validate(situation)
    assert validated.when_day == datetime.date(2026, 3, 6)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("situation", "bad"),
    [
        ({"sid": 1, "spoke_with_recruiter": "yes"}, ["sid", "spoke_with_recruiter"]),
        ({"_k": 1, "spoke_with_recuiter": True}, ["_k", "spoke_with_recuiter"]),
    ],
)
def test_reserved_names_do_not_hide_other_problems(
    situation: dict[str, Any], bad: list[str]
) -> None:
    """Protects 'every problem is reported at once' when a reserved name is among them."""
    with pytest.raises(orr.SituationError) as info:
        _engine(None).evaluate(situation, today=TODAY)
    assert info.value.facts == bad


# ---------------------------------------------------------------- positions and reserved names
def test_condition_caret_points_at_the_offending_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """Protects the caret position: 'read' in `ready or not read` is at column 24, not 11."""
    error = _load_error("unknown-fact-prefix-of-earlier", monkeypatch)
    assert (error.problems[0].line, error.problems[0].column) == (19, 24)


def test_multiline_condition_points_at_the_offending_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Protects the line of a problem inside a multi-line condition (`and not redy` is line 21)."""
    error = _load_error("unknown-fact-multiline", monkeypatch)
    assert (error.problems[0].line, error.problems[0].column) == (21, 15)


def test_pack_refuses_fact_names_reserved_for_situations(tmp_path: Path) -> None:
    """Protects against facts that no situation could ever set (`sid`, `id`, `params`, `today`)."""
    pack = (PACKS / "minimal.yaml").read_text(encoding="utf-8")
    pack = pack.replace("facts:\n", "facts:\n  today:\n    type: bool\n", 1)
    path = tmp_path / "reserved.yaml"
    path.write_text(pack, encoding="utf-8")
    with pytest.raises(orr.RulebookError):
        orr.Engine.from_paths(path, backend="python")


# ---------------------------------------------------------------- a valid pack
def test_minimal_pack_loads_and_evaluates() -> None:
    """Protects the skeleton the invalid packs are built from: it loads and gives advice."""
    engine = _engine("minimal.yaml")
    assert engine.evaluate({"ready": True}, today=TODAY).decision.id == "go"  # type: ignore[union-attr]
    assert engine.evaluate({"ready": False}, today=TODAY).decision is None
    unknown = engine.evaluate({}, today=TODAY)
    assert unknown.decision is None
    assert [question.fact for question in unknown.questions] == ["ready"]


def test_a_source_text_that_cannot_be_read_is_reported(tmp_path: Path) -> None:
    """A source whose `text:` file is missing is one problem at that key, naming the file."""
    pack = (INVALID_PACKS / "quote-not-verbatim.yaml").read_text(encoding="utf-8")
    path = tmp_path / "pack.yaml"
    path.write_text(pack.replace("quote-not-verbatim.txt", "missing.txt"), encoding="utf-8")
    with pytest.raises(orr.RulebookError) as info:
        orr.Engine.from_paths(path, backend="python")
    [problem] = info.value.problems
    assert (problem.line, problem.column) == (9, 11)
    assert problem.message == (
        f"cannot read the text of source 'guide' ({tmp_path / 'missing.txt'}): "
        "cannot read the file: No such file or directory"
    )


def test_the_bundled_quotes_are_verbatim_in_the_shipped_article() -> None:
    """Every quote of the bundled pack is in the article text shipped with it (whitespace
    normalised), which is a copy of the article the pack encodes."""
    engine = orr.Engine.default(backend="python")
    article = engine.rulebook.spec.sources["article"]
    assert article.text == "sources/contacting-the-interviewer.txt"
    text = " ".join((ROOT / "rules" / article.text).read_text(encoding="utf-8").split())
    quotes = [rule.cite.quote for rule in engine.rulebook.spec.rules if rule.cite.quote]
    assert len(quotes) > 20
    assert all(" ".join(quote.split()) in text for quote in quotes)


def test_a_source_text_that_is_not_a_file_is_reported(tmp_path: Path) -> None:
    """A source whose `text:` names a folder (or a device) is refused without reading it."""
    pack = (INVALID_PACKS / "quote-not-verbatim.yaml").read_text(encoding="utf-8")
    path = tmp_path / "pack.yaml"
    path.write_text(pack.replace("quote-not-verbatim.txt", "."), encoding="utf-8")
    with pytest.raises(orr.RulebookError) as info:
        orr.Engine.from_paths(path, backend="python")
    [problem] = info.value.problems
    assert problem.message == (
        f"cannot read the text of source 'guide' ({tmp_path / '.'}): "
        "is a folder, not a regular file"
    )
