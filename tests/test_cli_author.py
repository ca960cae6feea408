"""The pack authors' tools: `outreach-rules test` and `docs`, `outreach_rules.testing`
(case files, coverage, the pytest plugin, the `situations` strategy) and the committed
reference of the bundled pack."""

from __future__ import annotations

import datetime
import json
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings

import outreach_rules as orr
from outreach_rules import cli, testing
from outreach_rules._reference import pack_reference
from outreach_rules._source_coverage import source_coverage
from strategies import scaled

ROOT = Path(__file__).parent.parent
SCENARIOS = ROOT / "tests" / "scenarios"
CHAIN = ROOT / "tests" / "data" / "packs" / "chain.yaml"
REFERENCE = ROOT / "docs" / "reference" / "interview-outreach.md"
COVERAGE_PAGE = ROOT / "docs" / "article-coverage.md"
TODAY = datetime.date(2026, 3, 2)


def case_file(tmp_path: Path, text: str, name: str = "cases.yaml") -> Path:
    """A case file in tmp_path from dedented YAML text."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


CHAIN_CASES = f"""\
pack: {CHAIN}
cases:
  - name: ready-and-big-goes
    situation: {{a: true, b: true, n: 5}}
    expect: {{decision: go}}
  - name: not-ready-waits
    situation: {{a: false}}
    expect: {{decision: wait, flag: {{absent: [long_note]}}}}
"""


# ---------------------------------------------------------------- outreach-rules test
def test_test_runs_the_bundled_scenarios_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    """With no paths in a checkout, `test` runs tests/scenarios, says so, and passes with
    full rule coverage."""
    assert cli.main(["test", "--min-coverage", "100"]) == 0
    captured = capsys.readouterr()
    assert "testing the bundled scenarios in" in captured.err
    assert "0 failed" in captured.out
    assert "rules fired (100.0%)" in captured.out
    assert "condition coverage:" in captured.out


def test_test_reports_a_failure_with_a_readable_diff(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A failing case names its file and case, and shows expected against actual."""
    path = case_file(
        tmp_path,
        """\
        cases:
          - name: wrong-decision
            today: 2026-03-02
            situation: {interviewer_requested_no_contact: true}
            expect:
              decision: contact_interviewer
              recommend: {present: [be_concise], absent: [respect_no_contact_request]}
          - name: wrong-draft-body
            today: 2026-03-02
            situation:
              interview_date: 2026-03-06
              reviewed_job_description: true
              researched_role_holders: true
              spoke_with_recruiter: false
              has_interviewer_contact: true
              interviewer_requested_no_contact: false
              already_contacted_interviewer: false
            expect:
              draft:
                id: email
                subject: Preparation for the Interview on Friday, March 6
        """,
    )
    assert cli.main(["test", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"FAIL {path}: wrong-decision" in out or "FAIL " in out
    assert "decision: expected contact_interviewer, got do_not_contact" in out
    assert "(rule respect_no_contact_request, priority 100)" in out
    assert "contact_interviewer (decides contact_interviewer) did not fire" in out
    assert "missing: be_concise" in out and "unwanted: respect_no_contact_request" in out
    assert "draft subject differs:" in out
    assert "-Preparation for the Interview on Friday, March 6" in out
    assert "+Preparation for Upcoming Interview on Friday, March 6" in out
    assert "2 cases: 0 passed, 2 failed" in out


def test_test_json_and_min_coverage(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--format json gives cases and coverage; --min-coverage fails a pack below it."""
    path = case_file(tmp_path, CHAIN_CASES)
    assert cli.main(["test", "--format", "json", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["passed"] == 2 and data["failed"] == 0 and data["ok"] is True
    (cover,) = data["coverage"]
    assert cover["pack"] == "chain"
    assert cover["rules"]["total"] == 5
    assert set(cover["rules"]["never_fired"]) == {"colourful", "long_note"}
    assert cover["rules"]["percent"] == 60.0
    assert 0 < cover["conditions"]["percent"] < 100
    assert cli.main(["test", "--min-coverage", "60", str(path)]) == 0
    capsys.readouterr()
    assert cli.main(["test", "--min-coverage", "61", str(path)]) == 1
    assert "rule coverage 60.0% is below --min-coverage 61%" in capsys.readouterr().out


def test_test_verbose_lists_uncovered_conditions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """-v lists passing cases and each condition not seen both true and false."""
    path = case_file(tmp_path, CHAIN_CASES)
    assert cli.main(["test", "-v", str(path)]) == 0
    out = capsys.readouterr().out
    assert "ok   " in out and "ready-and-big-goes" in out
    assert "not seen true and false: long_note: word_count(note) > params.limit" in out
    assert "not seen false: go_when_ready: n > params.limit" in out


def test_a_case_files_pack_is_relative_to_the_file(tmp_path: Path) -> None:
    """`pack:` is resolved against the case file's folder; cases of different packs are
    reported with a coverage each."""
    folder = tmp_path / "cases"
    folder.mkdir()
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "chain.yaml").write_text(CHAIN.read_text(encoding="utf-8"))
    case_file(folder, CHAIN_CASES.replace(str(CHAIN), "../packs/chain.yaml"), "chain.yaml")
    case_file(
        folder,
        """\
        cases:
          - name: bundled
            situation: {interviewer_requested_no_contact: true}
            expect: {decision: do_not_contact}
        """,
        "bundled.yaml",
    )
    report = testing.run_pack_tests([folder])
    assert report.passed
    assert [c.pack for c in report.coverage] == ["interview-outreach", "chain"]
    assert report.coverage[1].paths == (str((tmp_path / "packs" / "chain.yaml").resolve()),)


def test_a_case_against_a_pack_that_does_not_load_fails(tmp_path: Path) -> None:
    """A `pack:` that does not load fails its cases with the pack's problems."""
    bad = ROOT / "tests" / "data" / "invalid_packs" / "function-misspelt.yaml"
    path = case_file(tmp_path, f"pack: {bad}\ncases:\n  - name: any\n    situation: {{}}\n")
    report = testing.run_pack_tests([path])
    assert not report.passed
    assert "the pack does not load" in report.failed[0].failures[0]
    assert report.coverage == []


def test_an_invalid_situation_fails_the_case(tmp_path: Path) -> None:
    """A case whose situation is invalid fails with the situation's problems."""
    path = case_file(
        tmp_path, "cases:\n  - name: typo\n    situation: {spoke_with_recuiter: true}\n"
    )
    report = testing.run_pack_tests([path])
    (failure,) = report.failed[0].failures
    assert "spoke_with_recuiter: unknown fact" in failure


def test_case_file_mistakes_are_reported_with_positions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Misspelt keys in a case file are errors with did-you-mean, not silently ignored."""
    path = case_file(
        tmp_path,
        """\
        cases:
          - name: typo
            situation: {}
            expect:
              decison: go
              draft: {contain: [x]}
          - situation: {}
          - name: bad-date
            today: tomorrow
        """,
    )
    with pytest.raises(orr.RulebookError) as caught:
        testing.load_cases([path])
    found = [(p.line, p.message, p.suggestions) for p in caught.value.problems]
    assert found == [
        (5, "unknown key 'decison'", ("decision",)),
        (6, "unknown key 'contain'", ("contains", "not_contains")),
        (7, "a case is a mapping with a `name`", ()),
        (9, "`today` is a date such as 2026-03-02", ()),
    ]
    assert cli.main(["test", str(path)]) == 1
    assert f"{path}:5:7: case: error: unknown key 'decison'" in capsys.readouterr().out


def test_test_without_scenarios_explains_why(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where no bundled scenarios exist (an installed package), `test` says so (status 2)."""
    monkeypatch.setattr("outreach_rules._cli_author.bundled_scenarios", lambda: None)
    assert cli.main(["test"]) == 2
    assert "ship with a source checkout" in capsys.readouterr().err


def test_the_cli_runs_as_a_module() -> None:
    """`python -m outreach_rules.cli test` and `check` work in a fresh interpreter."""
    for args in (["test", str(SCENARIOS)], ["check"]):
        run = subprocess.run(
            [sys.executable, "-m", "outreach_rules.cli", *args],
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0, run.stdout + run.stderr


# ---------------------------------------------------------------- the Python API
def test_run_pack_tests_matches_the_scenario_suite() -> None:
    """run_pack_tests on the scenarios: every case passes, full rule and condition coverage."""
    report = testing.run_pack_tests([SCENARIOS])
    assert report.passed and len(report.results) >= 25
    (cover,) = report.coverage
    assert cover.rule_percent == 100.0 and cover.never_fired == []
    assert cover.condition_percent == 100.0 and cover.uncovered == []
    assert report.to_json()["failed"] == 0


def test_condition_coverage_counts_each_atom_both_ways() -> None:
    """condition_coverage marks an atom seen true and seen false from the trace."""
    engine = orr.Engine.from_paths(CHAIN, backend="python")
    case = testing.Case("c", "-", {"a": True, "b": False}, {})
    seen = testing.condition_coverage(engine, [testing.run_case(engine, case)])
    assert seen[("set_ready", 0)] == ("a", True, False)
    assert seen[("set_ready", 1)] == ("b", False, True)
    assert seen[("long_note", 0)][1:] == (False, False)  # note unknown: neither


def test_the_pytest_plugin_provides_pack_tests(tmp_path: Path) -> None:
    """`pytest_plugins = ["outreach_rules.testing"]` gives a `pack_tests` fixture."""
    case_file(tmp_path, CHAIN_CASES, "chain-cases.yaml")
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["outreach_rules.testing"]\n')
    (tmp_path / "test_pack.py").write_text(
        textwrap.dedent(
            """\
            from pathlib import Path

            def test_cases(pack_tests):
                report = pack_tests([Path(__file__).parent / "chain-cases.yaml"])
                assert report.passed, report.render()
                assert report.rule_percent == 60.0
            """
        )
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


# ---------------------------------------------------------------- the situations strategy
BUNDLED_ENGINE = orr.Engine.default(backend="python")
CHAIN_ENGINE = orr.Engine.from_paths(CHAIN, backend="python")
ALL_TYPES_ENGINE = orr.Engine.from_paths(
    ROOT / "tests" / "data" / "packs" / "all-types.yaml", backend="python"
)


@settings(max_examples=scaled(200))
@given(situation=testing.situations(BUNDLED_ENGINE))
def test_situations_of_the_bundled_pack_validate_and_evaluate(situation: dict[str, object]) -> None:
    """Every generated situation of the bundled pack is valid and evaluates."""
    BUNDLED_ENGINE.Situation.model_validate(situation)
    advice = BUNDLED_ENGINE.evaluate(situation, today=TODAY)
    assert advice.rulebook.packs[0].name == "interview-outreach"


@settings(max_examples=scaled(200))
@given(situation=testing.situations(CHAIN_ENGINE))
def test_situations_of_the_chain_pack_validate_and_evaluate(situation: dict[str, object]) -> None:
    """Every generated situation of chain.yaml is valid and evaluates into advice whose
    trace marks fired exactly the rules the bare pipeline fires, and whose decision, if
    any, is one of the pack's."""
    CHAIN_ENGINE.Situation.model_validate(situation)
    advice = CHAIN_ENGINE.evaluate(situation, today=TODAY)
    assert advice.trace is not None
    _env, fired = CHAIN_ENGINE.run(situation, TODAY, backend="python")
    expected = [CHAIN_ENGINE.program.rules[index].id for index in fired]
    assert sorted(rule.rule_id for rule in advice.trace.rules if rule.fired) == sorted(expected)
    decisions = CHAIN_ENGINE.rulebook.spec.decisions
    assert advice.decision is None or advice.decision.id in decisions


@settings(max_examples=scaled(100))
@given(situation=testing.situations(ALL_TYPES_ENGINE, unknown=False))
def test_situations_without_unknowns_give_every_fact(situation: dict[str, object]) -> None:
    """With unknown=False every fact of every type has a value, and the situation is valid."""
    assert set(situation) == set(ALL_TYPES_ENGINE.rulebook.spec.facts)
    assert all(value is not None for value in situation.values())
    ALL_TYPES_ENGINE.evaluate(situation, today=TODAY)


def test_situations_reach_every_decision_of_the_bundled_pack() -> None:
    """The strategy draws varied situations: across a sample, every decision comes out."""
    from hypothesis import HealthCheck, find

    for decision in BUNDLED_ENGINE.rulebook.spec.decisions:
        found = find(
            testing.situations(BUNDLED_ENGINE),
            lambda s, d=decision: _decides(s, d),
            settings=settings(
                max_examples=scaled(6_000),  # contacting needs seven facts just so
                suppress_health_check=list(HealthCheck),
                derandomize=True,  # a fixed sample: the test checks variety, not luck
                database=None,
            ),
        )
        assert _decides(found, decision)


def _decides(situation: dict[str, object], decision: str) -> bool:
    winner = BUNDLED_ENGINE.evaluate(situation, today=TODAY, trace=False).decision
    return winner is not None and winner.id == decision


# ---------------------------------------------------------------- docs
def test_the_committed_reference_is_current() -> None:
    """docs/reference/interview-outreach.md is what `outreach-rules docs` writes now.

    When it fails: `outreach-rules docs rules -o docs/reference/interview-outreach.md`."""
    assert REFERENCE.read_text(encoding="utf-8") == pack_reference(BUNDLED_ENGINE)


def test_the_committed_article_coverage_is_current() -> None:
    """docs/article-coverage.md is what `outreach-rules docs --coverage` writes now.

    When it fails: `outreach-rules docs --coverage -o docs/article-coverage.md`."""
    assert COVERAGE_PAGE.read_text(encoding="utf-8") == source_coverage(BUNDLED_ENGINE)


def test_the_coverage_page_quotes_every_paragraph_and_lists_own_guidance_apart() -> None:
    """Every paragraph of the shipped article is on the page, every rule that quotes the
    article is listed under it, and every rule citing the pack's own guidance is listed in
    the part of the page for the pack's additions, not before."""
    page = source_coverage(BUNDLED_ENGINE)
    article = (ROOT / "rules" / "sources" / "contacting-the-interviewer.txt").read_text(
        encoding="utf-8"
    )
    last = article.split("\n\n")[-1]
    assert f"> {' '.join(last.split())}" in page
    work, own = page.split("## The pack's own additions")
    for rule in BUNDLED_ENGINE.rulebook.spec.rules:
        if rule.cite.source == "article" and rule.cite.quote:
            assert f"- `{rule.id}` quotes:" in work
        if rule.cite.source == "pack":
            assert f"- `{rule.id}`:" in own and f"`{rule.id}`" not in work


def test_docs_coverage_writes_the_page(tmp_path: Path) -> None:
    """`outreach-rules docs --coverage -o FILE` writes the coverage page of the article."""
    out = tmp_path / "coverage.md"
    assert cli.main(["docs", "--coverage", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == source_coverage(BUNDLED_ENGINE)


def test_docs_coverage_of_a_source_without_text_is_an_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Asking for the coverage of a source that names no text fails with a clear error."""
    assert cli.main(["docs", "--coverage", "pack"]) == 1
    assert capsys.readouterr().err == (
        "error: source 'pack' has no text to cover; sources with a text: article\n"
    )


def test_the_reference_covers_every_name() -> None:
    """Every fact (with its question), param, rule, decision and draft is in the reference,
    and the Mermaid diagram links facts to rules to decisions."""
    text = pack_reference(BUNDLED_ENGINE)
    spec = BUNDLED_ENGINE.rulebook.spec
    for name, fact in spec.facts.items():
        assert f"| `{name}` |" in text and (fact.question or "") in text
    for name in spec.params:
        assert f"| `{name}` |" in text
    for rule in spec.rules:
        assert f"### `{rule.id}`" in text
        assert " ".join(rule.rationale.split()) in text
    for name in spec.decisions:
        assert f"### `{name}`" in text and f"d_{name}([" in text
    for draft in spec.drafts:
        assert f"### Draft `{draft.id}`" in text
    assert "```mermaid\nflowchart LR" in text
    assert "f_spoke_with_recruiter --> r_ask_recruiter_first" in text
    assert "r_ask_recruiter_first --> d_ask_recruiter" in text
    assert "r_preparation_done -->|sets| v_prepared" in text


def test_docs_command_writes_the_reference(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`outreach-rules docs PACK -o FILE` writes the reference; without -o it prints it."""
    target = tmp_path / "out" / "chain.md"
    assert cli.main(["docs", str(CHAIN), "-o", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!-- Generated by `outreach-rules docs`")
    assert "# chain 0.1.0: A small pack that chains derived facts" in text
    assert "computed: `days_until(d)`" in text
    assert cli.main(["docs"]) == 0
    assert capsys.readouterr().out == pack_reference(BUNDLED_ENGINE)


# ---------------------------------------------------------------- docs/authoring.md
AUTHORING = ROOT / "docs" / "authoring.md"


def _blocks(language: str) -> list[str]:
    text = AUTHORING.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def test_the_authoring_guide_commands_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Every `outreach-rules` command of docs/authoring.md runs from the repository root
    with the exit status it states (0 unless a `# exit N` comment says otherwise); files it
    writes go to a temporary folder instead."""
    monkeypatch.chdir(ROOT)
    commands = [
        line
        for block in _blocks("sh")
        for line in block.splitlines()
        if line.startswith("outreach-rules ")
    ]
    assert len(commands) >= 10
    for line in commands:
        command, _, comment = line.partition("#")
        expected = re.search(r"exit (\d)", comment)
        args = shlex.split(command)[1:]
        if "-o" in args:
            index = args.index("-o") + 1
            args[index] = str(tmp_path / Path(args[index]).name)
        status = cli.main(args)
        capsys.readouterr()
        assert status == (int(expected[1]) if expected else 0), line


def test_the_authoring_guide_python_runs() -> None:
    """The Python examples of docs/authoring.md run and print what their comments say."""
    blocks = _blocks("python")
    assert len(blocks) == 5
    outputs = []
    for code in blocks:
        run = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT
        )
        assert run.returncode == 0, run.stderr
        outputs.append(run.stdout.splitlines())
    assert outputs[0] == ["100.0 100.0"]
    assert outputs[2] == [
        "Ask 2: 1. Which skills matter most? 2. Who will I meet?",
        "Ask 1: 1. What should I focus on?",
    ]
    assert outputs[3][0].startswith("17 21 template on its line 2: 'range' is not allowed")
    assert outputs[4] == ["100", "[('interview-outreach', '1.0.0'), ('short-messages', '1.0.0')]"]
