"""Pack templates are untrusted input: a subset of Jinja checked at load, bounded rendering.

The hostile templates found by trying packs through `Engine.from_paths` and `evaluate`
(loops over `range`, string repetition, huge filters, recursive macros, division by zero,
arithmetic on strings) are refused when the pack loads, with the pack line; what only
shows while rendering (a zero divisor from a fact, a text past its output budget, too many
loop items) raises EvaluationError naming the rule or draft and the template line. The
last test draws templates from the whole Jinja grammar: each is refused at load, or
renders within the budget, or fails with an EvaluationError; never anything else.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import resource
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import outreach_rules as orr
from outreach_rules import _pysource
from outreach_rules._durable import available
from outreach_rules._templates import MAX_EVALUATION_OUTPUT, MAX_OUTPUT
from strategies import jinja_templates, scaled, template_pack, template_situations

TODAY = datetime.date(2026, 3, 2)
TESTS = Path(__file__).resolve().parent
GIB = 1 << 30
SITUATION = {"msg": "hello", "n": 2**52, "m": 0, "items": ["a", "b"], "when": TODAY}


def write(tmp_path: Path, text: str, *, in_draft: bool = False, **params: Any) -> Path:
    """A pack whose one rule recommends `text` (or whose draft body is `text`), with the
    facts msg, note, n, x, items, when, ok and m (an int) and the params limit and words."""
    pack = template_pack(text, in_draft)
    pack["facts"]["m"] = {"type": "int"}
    for name, default in params.items():
        kind = "list" if isinstance(default, list) else "int"
        pack["params"][name] = {"type": kind, "default": default}
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(pack, sort_keys=False, width=1000), encoding="utf-8")
    return path


def refusal(tmp_path: Path, text: str, *, in_draft: bool = False) -> orr.Problem:
    path = write(tmp_path, text, in_draft=in_draft)
    with pytest.raises(orr.RulebookError) as caught:
        orr.Engine.from_paths(path, backend="python")
    [problem] = caught.value.problems
    assert problem.code == "template"
    return problem


LOOP_OVER = (
    "a loop runs over a list: a list fact or parameter, a slice of one, a function's list or "
    "a list of strings"
)
FUNCTIONS = (
    "contains, contains_any, count_any, days_since, days_until, emoji_count, "
    "exclamation_runs, has_greeting, has_signoff, length, matching_count, question_count, "
    "shouting_count, specific_question_count, unfit_questions, usable_questions, word_count"
)
REFUSED = {
    "nested range loops": (
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        f"template: 'range' is not allowed; {LOOP_OVER}",
        "range",
    ),
    "range of 10**9": (
        "{% for i in range(10**9) %}x{% endfor %}",
        f"template: 'range' is not allowed; {LOOP_OVER}",
        "range",
    ),
    "string repetition": (
        "{{ msg * n }}",
        "template: '*' works on numbers only, here it meets a string",
        "*",
    ),
    "huge filter": (
        "{{ msg|center(10000000000) }}",
        (
            "template: the filter 'center' is not allowed; use one of abs, capitalize, count, d, "
            "default, first, last, length, long_date, lower, round, title, trim, upper"
        ),
        "center",
    ),
    "recursive macro": (
        "{% macro f(k) %}{{ f(k) }}{% endmacro %}{{ f(1) }}",
        (
            "template: macros cannot be used in a pack's texts; write the text out, with "
            "{% if %} where it varies"
        ),
        "",
    ),
    "number plus string": (
        '{{ 1 + "a" }}',
        "template: '+' works on numbers only, here it meets a string",
        "+",
    ),
    "string joining": (
        "{{ msg ~ msg }}",
        "template: '~' (joining strings) is not allowed; write {{ a }}{{ b }}",
        "~",
    ),
    "power": ("{{ n ** n }}", "template: '**' is not allowed; multiply instead", "**"),
    "nested loops": (
        "{% for a in items %}{% for b in items %}{% endfor %}{% endfor %}",
        "template: loops may not be nested; loop over one list",
        "for",
    ),
    "loop over a string": (
        "{% for c in msg %}{{ c }}{% endfor %}",
        f"template: this loop is not over a list; {LOOP_OVER}",
        "for",
    ),
    "recursive loop": (
        "{% for a in items recursive %}{{ loop([a]) }}{% endfor %}",
        "template: recursive loops are not allowed",
        "recursive",
    ),
    "dunder attribute": (
        "{{ msg.__class__ }}",
        (
            "template: attribute access ('.__class__') is not allowed; only params.NAME and, "
            "inside a loop, loop.index and the like"
        ),
        "__class__",
    ),
    "method call": (
        "{{ msg.upper() }}",
        (
            f"template: calling methods is not allowed; a text may call the pack functions "
            f"({FUNCTIONS})"
        ),
        "",
    ),
    "block assignment": (
        "{% set s %}{{ msg }}{% endset %}{{ s }}{{ s }}",
        (
            "template: block assignments cannot be used in a pack's texts; set a value: "
            "{% set x = ... %}"
        ),
        "",
    ),
    "include": (
        '{% include "other.txt" %}',
        "template: includes cannot be used in a pack's texts; write the text out",
        "",
    ),
    "list of calls": (
        "{{ [word_count(msg), 1] }}",
        "template: a list in a text holds literals and names only",
        "[",
    ),
    "function with a wrong argument": (
        "{{ word_count(items) }}",
        "template: word_count() expects a string here, not a list",
        "word_count",
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_hostile_templates_are_refused_at_load(tmp_path: Path, name: str) -> None:
    """Protects the template subset: each hostile template from the issue that made
    `evaluate` run for minutes, take a gigabyte or raise a built-in exception (and each
    other way out of the subset) is refused when the pack loads, with the exact message,
    the rule, and the pack line and column of what is refused."""
    text, message, token = REFUSED[name]
    problem = refusal(tmp_path, text)
    assert problem.message == message
    assert problem.rule_id == "r"
    assert problem.source_line is not None
    assert text in problem.source_line
    if token:
        start = problem.source_line.index(text)
        assert problem.column == problem.source_line.index(token, start) + 1


def test_a_loop_in_a_draft_body_is_refused_on_its_line(tmp_path: Path) -> None:
    """Protects drafts like recommendation texts: a `range` loop on the third line of a
    draft body is refused at load, at that line of the pack file."""
    body = "Dear {{ msg }},\n\nQuestions:\n{% for i in range(100000) %}- x\n{% endfor %}\nBye"
    problem = refusal(tmp_path, body, in_draft=True)
    assert problem.message == f"template on its line 4: 'range' is not allowed; {LOOP_OVER}"
    assert problem.rule_id is None
    assert problem.source_line == "    {% for i in range(100000) %}- x"
    lines = (tmp_path / "pack.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[problem.line - 1] == problem.source_line
    assert problem.column == problem.source_line.index("range") + 1


def test_an_unknown_filter_suggests_allowed_filters_only(tmp_path: Path) -> None:
    """Protects did-you-mean on filters: only filters a pack may use are suggested."""
    problem = refusal(tmp_path, "{{ msg | uper }}")
    assert problem.message == "template uses unknown filter 'uper'"
    assert problem.suggestions == ("upper",)


def test_a_text_over_10000_characters_is_refused(tmp_path: Path) -> None:
    """Protects the length limit of one text: the template is not even parsed."""
    problem = refusal(tmp_path, "x" * 10_001)
    assert problem.message == "the text is 10,001 characters; the limit is 10,000"


def test_a_text_of_over_1000_parts_is_refused(tmp_path: Path) -> None:
    """Protects the size limit of a template's tree: 400 insertions of `n + 1` (1,201
    parts, 4,400 characters) are refused before the subset is walked."""
    problem = refusal(tmp_path, "{{ n + 1 }}" * 400)
    assert problem.message == "the template has 1,201 parts; the limit is 1,000: split it"


def evaluation_error(
    path: Path,
    situation: dict[str, Any],
    backend: str = "python",
    then: dict[str, Any] | None = None,
) -> orr.EvaluationError:
    engine = orr.Engine.from_paths(path, backend=backend)  # type: ignore[arg-type]
    try:
        with pytest.raises(orr.EvaluationError) as caught:
            engine.evaluate(situation, today=TODAY).model_dump()  # made when read
        # The engine stays usable: a situation that renders is evaluated next.
        fine = then if then is not None else {**SITUATION, "m": 1}
        assert engine.evaluate(fine, today=TODAY).decision is not None
    finally:
        engine.close()
    return caught.value


BACKENDS = ["python", *(["durable"] if available() else [])]


@pytest.mark.parametrize("backend", BACKENDS)
def test_division_by_zero_from_a_fact_names_rule_and_line(tmp_path: Path, backend: str) -> None:
    """Protects the error of a template that fails while rendering: a ZeroDivisionError
    becomes an EvaluationError naming the file, the rule, the text and the template line,
    with the ZeroDivisionError as its cause, on either backend."""
    path = write(tmp_path, "Ratio:\n{{ n / m }}")
    error = evaluation_error(path, SITUATION, backend)
    assert str(error) == (
        f"{path}: rule 'r', recommend text, template line 2: ZeroDivisionError: division by zero"
    )
    assert isinstance(error.__cause__, ZeroDivisionError)


def test_numbers_stay_within_2_53_while_rendering(tmp_path: Path) -> None:
    """Protects against numbers that grow without bound: squaring a fact again and again
    stops at the first result beyond ±2^53 (an int of a billion digits is never built)."""
    path = write(tmp_path, "{% set a = n * n %}{% set b = a * a %}{{ b * b }}")
    error = evaluation_error(path, {**SITUATION, "n": 2**27}, then={**SITUATION, "n": 9})
    assert str(error) == (
        f"{path}: rule 'r', recommend text, template line 1: a number went beyond "
        "±9,007,199,254,740,992"
    )
    assert error.__cause__ is None


def test_a_text_past_64_kb_stops_while_it_renders(tmp_path: Path) -> None:
    """Protects the output budget of one text: a loop over 100 items of 1,000 characters
    (100,000 characters) stops at 65,536 with an EvaluationError on the loop's line."""
    path = write(tmp_path, "Start.\n{% for q in items %}{{ q }}{% endfor %}")
    error = evaluation_error(path, {**SITUATION, "items": ["w" * 1_000] * 100})
    assert str(error) == (
        f"{path}: rule 'r', recommend text, template line 2: the text runs past "
        f"{MAX_OUTPUT:,} characters"
    )


def test_the_texts_of_one_evaluation_share_1_mb(tmp_path: Path) -> None:
    """Protects the output budget of an evaluation: 20 rules of 60,000 characters each are
    each within the budget of a text, and together run past 1,048,576 characters."""
    pack = template_pack("{% for q in items %}{{ q }}{% endfor %}", in_draft=False)
    pack["rules"] = [{**pack["rules"][0], "id": f"r{i:02}"} for i in range(20)]
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(pack), encoding="utf-8")
    engine = orr.Engine.from_paths(path, backend="python")
    with pytest.raises(orr.EvaluationError) as caught:
        engine.evaluate({"items": ["w" * 1_000] * 60}, today=TODAY).model_dump()  # made when read
    # 17 texts fit (1,020,000 characters); the 18th, rule r17, runs past the rest.
    assert str(caught.value) == (
        f"{path}: rule 'r17', recommend text, template line 1: the texts of one evaluation "
        f"run past {MAX_EVALUATION_OUTPUT:,} characters"
    )


def test_a_loop_takes_at_most_1000_items(tmp_path: Path) -> None:
    """Protects the step budget of a text: a loop over a parameter of 2,000 items that
    outputs nothing still stops after 1,000 items."""
    path = write(tmp_path, "{% for q in params.many %}{% endfor %}", many=["a"] * 2_000)
    engine = orr.Engine.from_paths(path, backend="python")
    with pytest.raises(orr.EvaluationError) as caught:
        engine.evaluate(SITUATION, today=TODAY).model_dump()  # made when read
    assert str(caught.value) == (
        f"{path}: rule 'r', recommend text, template line 1: the text takes more than 1,000 "
        "loop items and function calls"
    )


def test_the_texts_of_one_evaluation_share_5000_steps(tmp_path: Path) -> None:
    """Protects the step budget of an evaluation, which bounds the work of a pack with many
    texts: 6 rules whose texts take 900 steps each (within a text's 1,000) stop in the
    sixth, at 5,000 steps in all."""
    pack = template_pack("{% for q in params.many %}{% endfor %}", in_draft=False)
    pack["params"]["many"] = {"type": "list", "default": ["a"] * 900}
    rule = pack["rules"][0]
    # Six different texts: a text already rendered for the same values is remembered, and
    # taking it from memory takes no steps.
    pack["rules"] = [
        {**rule, "id": f"r{i}", "recommend": {**rule["recommend"], "text": f"{i}{text}"}}
        for i, text in enumerate([rule["recommend"]["text"]] * 6)
    ]
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(pack), encoding="utf-8")
    engine = orr.Engine.from_paths(path, backend="python")
    with pytest.raises(orr.EvaluationError) as caught:
        engine.evaluate({}, today=TODAY).model_dump()  # made when read
    assert str(caught.value) == (
        f"{path}: rule 'r5', recommend text, template line 1: the texts of one evaluation "
        "take more than 5,000 loop items and function calls"
    )
    pack["rules"] = pack["rules"][:5]
    path.write_text(yaml.safe_dump(pack), encoding="utf-8")
    advice = orr.Engine.from_paths(path, backend="python").evaluate({}, today=TODAY)
    assert [item.rule_id for item in advice.recommendations] == ["r0", "r1", "r2", "r3", "r4"]


def test_function_calls_count_against_the_same_budget(tmp_path: Path) -> None:
    """Protects the step budget against costly calls: 100 items, 10 calls each, on the
    longest text a situation may hold, stop at 1,000 steps."""
    calls = "{{ word_count(note) }}" * 10
    path = write(tmp_path, f"{{% for q in items %}}{calls}{{% endfor %}}")
    situation = {**SITUATION, "items": ["a"] * 100, "note": "word " * 20_000}
    error = evaluation_error(path, situation)
    assert str(error).endswith("the text takes more than 1,000 loop items and function calls")


def test_the_subset_renders_what_packs_write(tmp_path: Path) -> None:
    """Protects what the subset keeps: set, if, a loop over a slice of a list fact with a
    default list, `q[-1:]`, loop.index, long_date, pack functions, arithmetic on numbers
    (unknown when a fact it reads is unknown), comparisons, `or` defaults and params."""
    text = (
        '{% set asks = items[:params.limit] if items else ["Any tips?"] -%}\n'
        "Dear {{ msg or 'Hiring Manager' }}, on {{ when | long_date }}:\n"
        "{%- for q in asks +%}\n"
        '{{ loop.index }}. {{ q }}{% if q[-1:] != "?" %}?{% endif %}\n'
        "{%- endfor +%}\n"
        "{% set rest = length(items) - params.limit %}"
        "{% if items and rest > 0 %}{{ rest }} more; {% endif %}"
        "{{ word_count(note) * 2 }} words."
    )
    path = write(tmp_path, text)
    engine = orr.Engine.from_paths(path, backend="python")
    situation = {"msg": "Dana", "when": TODAY, "items": ["a", "b?", "c", "d"], "note": "x y"}
    [item] = engine.evaluate(situation, today=TODAY).recommendations
    assert item.text == ("Dear Dana, on Monday, March 2:\n1. a?\n2. b?\n3. c?\n1 more; 4 words.")
    [item] = engine.evaluate({"note": "z"}, today=TODAY).recommendations
    assert item.text == "Dear Hiring Manager, on :\n1. Any tips?\n2 words."


def test_unknown_facts_stay_unknown_in_loops_items_and_arithmetic(tmp_path: Path) -> None:
    """Protects three-valued rendering: with the facts unknown, a loop over a list fact has
    no items, an item or slice of a fact is None and so is arithmetic on it, as the pack
    functions give None for unknown arguments; nothing raises."""
    text = "{% for q in items %}{{ q }}{% endfor %}{{ msg[0] }} {{ msg[1:] }} {{ n * 2 + 1 }}."
    engine = orr.Engine.from_paths(write(tmp_path, text), backend="python")
    [item] = engine.evaluate({}, today=TODAY).recommendations
    assert item.text == "None None None."
    [item] = engine.evaluate({"items": ["a"], "msg": "xyz", "n": 3}, today=TODAY).recommendations
    assert item.text == "ax yz 7."


# ---------------------------------------------------------------- every error is the library's
CHILD = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    import test_template_subset
    test_template_subset.child(sys.argv[2])
    """
)
ISSUE_CASES = {
    "nested-range": "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}"
    "{% endfor %}",
    "repeat": "{{ msg * n }}",
    "center": "{{ msg|center(10000000000) }}",
    "range": "{% for i in range(10**9) %}x{% endfor %}",
    "macro": "{% macro f(k) %}{{ f(k) }}{% endmacro %}{{ f(1) }}",
    "zero": "{{ 1/0 }}",
    "plus-string": '{{ 1 + "a" }}',
}


def test_a_comparison_with_an_unknown_fact_in_a_text_is_an_evaluation_error(
    tmp_path: Path,
) -> None:
    """Protects the library's errors for what Jinja itself raises: comparing an unknown
    fact with a number inside a text is a TypeError in Python, which `evaluate` raises as
    an EvaluationError naming the rule and line, with the TypeError as its cause."""
    path = write(tmp_path, "Start.\n{% if n > 3 %}Many.{% endif %}")
    error = evaluation_error(path, {}, then={"n": 4})
    assert str(error) == (
        f"{path}: rule 'r', recommend text, template line 2: TypeError: '>' not supported "
        "between instances of 'NoneType' and 'int'"
    )
    assert isinstance(error.__cause__, TypeError)


@pytest.mark.parametrize("backend", BACKENDS)
def test_any_exception_while_rules_fire_becomes_an_evaluation_error(
    tmp_path: Path, backend: str
) -> None:
    """Protects the last line of defence: whatever a rule's test raises (here a
    MemoryError, as an exhausted process would) leaves `evaluate` as an EvaluationError
    with the original as its cause, on either backend, and the engine evaluates again."""
    pack = template_pack("Plain.", in_draft=False)
    pack["rules"][0]["when"] = "length(items) > 1"  # computed in Python on both backends
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(pack), encoding="utf-8")
    engine = orr.Engine.from_paths(path, backend=backend)  # type: ignore[arg-type]

    def exhausted(_env: Any) -> Any:
        raise MemoryError

    try:
        stratum = engine.program.strata[0]
        compute = stratum.lifted[0].compute if stratum.lifted else None
        # The python backend runs the stratum's generated function (see _pysource.py).
        code = stratum.code = _pysource.generate(engine.program, stratum)
        stratum.code = dataclasses.replace(code, fire=exhausted)
        if stratum.lifted:
            stratum.lifted[0].compute = exhausted
        with pytest.raises(orr.EvaluationError) as caught:
            engine.evaluate({"items": ["a", "b"]}, today=TODAY)
        assert str(caught.value) == "evaluation failed: MemoryError"
        assert isinstance(caught.value.__cause__, MemoryError)
        stratum.code = code
        if compute is not None:
            stratum.lifted[0].compute = compute
        assert engine.evaluate({"items": ["a", "b"]}, today=TODAY).decision is not None
    finally:
        engine.close()


def child(folder: str) -> None:
    """Load and evaluate each case of ISSUE_CASES; print what happened as one JSON line."""
    for name, text in ISSUE_CASES.items():
        for in_draft in (False, True):
            path = write(Path(folder), text, in_draft=in_draft)
            result: dict[str, Any] = {"case": name, "draft": in_draft}
            try:
                engine = orr.Engine.from_paths(path, backend="python")
                engine.evaluate(SITUATION, today=TODAY).model_dump()  # made when read
            except BaseException as error:  # noqa: BLE001 - reported to the parent
                result["error"] = type(error).__name__
                result["message"] = str(error)
                result["cause"] = type(error.__cause__).__name__ if error.__cause__ else None
            print(json.dumps(result), flush=True)  # noqa: T201 - the report to the parent


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS bounds memory on Linux only")
def test_the_hostile_packs_of_the_issue_raise_library_errors_only(tmp_path: Path) -> None:
    """Protects the promise that only the library's errors leave `evaluate`: the hostile
    templates that ran for minutes, took a gigabyte or raised MemoryError, OverflowError,
    RecursionError, ZeroDivisionError or TypeError, as a recommendation and as a draft
    body, in a child process limited to 1 GiB, each give a RulebookError at load or (for
    the constant division by zero) an EvaluationError caused by the ZeroDivisionError."""
    process = subprocess.run(
        [sys.executable, "-c", CHILD, str(TESTS), str(tmp_path)],
        preexec_fn=_limit_memory,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert process.returncode == 0, process.stderr[-3000:]
    results = [json.loads(line) for line in process.stdout.splitlines()]
    assert len(results) == 2 * len(ISSUE_CASES)
    for result in results:
        where = "draft 'd', body" if result["draft"] else "rule 'r', recommend text"
        if result["case"] == "zero":
            assert result["error"] == "EvaluationError", result
            assert result["message"].endswith(
                f"pack.yaml: {where}, template line 1: ZeroDivisionError: division by zero"
            ), result
            assert result["cause"] == "ZeroDivisionError"
        else:
            assert result["error"] == "RulebookError", result
            assert result["message"].startswith("1 problem in the rule pack:\n"), result
            assert "template: " in result["message"], result


# ---------------------------------------------------------------- the whole grammar
@settings(max_examples=scaled(300))
@given(text=jinja_templates(), in_draft=st.booleans(), situation=template_situations())
def test_templates_from_the_whole_grammar_are_refused_or_bounded(
    text: str, in_draft: bool, situation: dict[str, Any]
) -> None:
    """Protects the template subset as a whole: a template composed from all of Jinja
    (loops, range, macros, string operations, attributes, filters) as a recommendation or
    a draft body is refused at load with a template problem, or renders every text within
    the output budget, or raises an EvaluationError naming the rule or draft; never
    another exception."""
    outcome: orr.Advice | orr.OutreachRulesError
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pack.yaml"
        pack = template_pack(text, in_draft)
        path.write_text(yaml.safe_dump(pack, sort_keys=False), encoding="utf-8")
        try:
            engine = orr.Engine.from_paths(path, backend="python")
            outcome = engine.evaluate(situation, today=TODAY, trace=False)
            outcome.model_dump()  # texts are made when read: errors show then
        except (orr.RulebookError, orr.EvaluationError) as error:
            outcome = error
    if isinstance(outcome, orr.RulebookError):
        assert {problem.code for problem in outcome.problems} == {"template"}, str(outcome)
    elif isinstance(outcome, orr.EvaluationError):
        where = "draft 'd', body" if in_draft else "rule 'r', recommend text"
        assert str(outcome).startswith(f"{path}: {where}"), str(outcome)
    else:
        assert isinstance(outcome, orr.Advice)
        texts = [item.text for item in outcome.recommendations]
        if outcome.draft is not None:
            texts += [outcome.draft.subject, outcome.draft.body]
        assert texts
        assert all(len(item) <= MAX_OUTPUT for item in texts)
