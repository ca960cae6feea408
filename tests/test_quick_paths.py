"""The quick paths of loading and validating give what the whole paths give: plain YAML
strings, templates that only insert facts, and situations with no reserved name."""

from __future__ import annotations

import ast
import datetime
import math
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

import outreach_rules as orr
from outreach_rules import _pysource, _quickread, _templates
from outreach_rules._quickread import QuickReader
from outreach_rules._situation import validate_situation
from outreach_rules._template_check import Names
from outreach_rules._templates import TemplateProblem
from outreach_rules._yaml import read_document
from strategies import awkward_situations, facts_of_model, random_situation, scaled

SCALARS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["yes", "No", "on", "null", "~", "1_000", "0x1f", "1e3", ".inf", "2026-03-02"]),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
)


def same(left: Any, right: Any) -> bool:
    """Equal, with the same types (1 and True are equal but read differently)."""
    if isinstance(left, float) and isinstance(right, float) and math.isnan(left):
        return math.isnan(right)
    return type(left) is type(right) and left == right


@settings(max_examples=scaled(300))
@given(
    values=st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True), SCALARS, max_size=6),
    style=st.sampled_from([None, '"', "'"]),
)
def test_scalars_read_as_pyyaml_reads_them(values: dict[str, Any], style: str | None) -> None:
    """Protects the quick reading of YAML strings (a quoted scalar or a plain word is a
    string without trying the resolvers): any mapping of scalars, dumped plain, double-
    or single-quoted, reads back as PyYAML's safe loader reads it, types included."""
    text = yaml.safe_dump(values, default_style=style, allow_unicode=True)
    try:
        expected = yaml.safe_load(text)
    except yaml.YAMLError:
        return
    found = read_document(text, "x.yaml").data
    assert found.keys() == expected.keys()
    assert all(same(found[key], expected[key]) for key in expected)


NAMES = Names(facts={"msg": "str", "n": "int", "items": "list", "loop": "str"}, params={"p": "int"})
PIECES = st.sampled_from(
    [
        "Hello ",
        "{",
        "}",
        "}}",
        "{{ msg }}",
        "{{n}}",
        "{{ items }}",
        "{{ loop }}",
        "{{ unknown }}",
        "{{ today }}",
        "{{ true }}",
        "{{ params }}",
        "{{ msg|upper }}",
        "{{- msg }}",
        "{% if n %}x{% endif %}",
        "{# note #}",
        "{{ n + 1 }}",
        "\n",
    ]
)


def whole_check(text: str) -> str | None:
    """The whole check's verdict on a text: None when it passes, else its message."""
    _templates._VERDICTS.clear()  # the verdict of this check, not one remembered
    try:
        _templates.check_template(text, NAMES)
    except TemplateProblem as problem:
        return str(problem)
    return None


@settings(max_examples=scaled(400))
@given(pieces=st.lists(PIECES, max_size=8))
def test_texts_that_only_insert_facts_pass_the_whole_check(pieces: list[str]) -> None:
    """Protects the quick check of the commonest template: every text the quick path lets
    through (plain text with `{{ fact }}` insertions) also passes the whole check, and
    texts it does not take still get the whole check."""
    text = "".join(pieces)
    quick = _templates._only_facts_inserted(text, NAMES)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(_templates, "_only_facts_inserted", lambda _text, _names: False)
        verdict = whole_check(text)
    if quick:
        assert verdict is None, (text, verdict)
    assert whole_check(text) == verdict


def test_a_long_text_of_insertions_gets_the_whole_check() -> None:
    """Protects the node limit: a text of 1,100 insertions is refused as the whole check
    refuses it, not let through by the quick path."""
    text = "{{msg}}" * 1100
    assert not _templates._only_facts_inserted(text, NAMES)
    assert whole_check(text) == "the template has 1,101 parts; the limit is 1,000: split it"


def test_a_situation_with_reserved_names_is_refused_as_before() -> None:
    """Protects the report of reserved names, now made only when the model refuses the
    situation: each reserved name and each unknown fact is named once, in order."""
    engine = orr.Engine.default(backend="python")
    with pytest.raises(orr.SituationError) as caught:
        engine.evaluate({"_x": 1, "today": 2, "channel": "email", "nope": 3}, "2026-03-02")
    problems = [(item.fact, item.message) for item in caught.value.problems]
    assert problems == [
        ("_x", "this name is reserved by the engine"),
        ("today", "this name is reserved by the engine"),
        ("nope", "unknown fact"),
    ]


# A pack with a fact of every type.
ALL_TYPES = orr.Engine.from_paths(Path(__file__).parent / "data/packs/all-types.yaml")
ALL_TYPES_FACTS = facts_of_model(ALL_TYPES.Situation)
MARCH_6 = datetime.date(2026, 3, 6)
READER = QuickReader(ALL_TYPES.rulebook.spec.facts)
GENERATED = _quickread._generated(ALL_TYPES.rulebook.spec.facts)


def read_by_the_model(situation: Any) -> list[tuple[str, Any]] | None:
    """The known facts as the Situation model reads them, in order; None: refused."""
    try:
        return list(validate_situation(ALL_TYPES.Situation, situation).items())
    except orr.SituationError:
        return None


def test_the_pack_of_every_fact_type_has_them_all() -> None:
    """Protects the two tests below: they read a fact of every type."""
    kinds = {spec["type"] for spec in ALL_TYPES_FACTS.values()}
    assert kinds == {"bool", "int", "float", "enum", "str", "text", "list", "date"}


@settings(max_examples=scaled(400))
@given(awkward_situations(ALL_TYPES_FACTS))
@example({"ready": 1})
@example({"attempts": True})
@example({"attempts": 2**53 + 1})
@example({"score": 3})
@example({"score": float("nan")})
@example({"name": "x" * 1_001})
@example({"draft": "\ud800"})
@example({"when_day": "2026-02-30"})
@example({"questions": ["x" * 1_001]})
@example({"questions": ["a"] * 101})
@example({"channel": "fax"})
@example({"ready": None, "nope": None})
def test_the_quick_reader_reads_as_the_model_or_leaves_it_to_the_model(
    situation: dict[Any, Any],
) -> None:
    """Protects situation validation: the reader of plain situations, by its small functions
    and by its generated one, gives exactly the facts, values, value types and order the
    pydantic model gives, and leaves to the model (returns None) every situation it cannot
    read the same way."""
    by_tests = READER.read_by_tests(situation)
    generated = GENERATED(situation)
    assert generated == by_tests
    if generated is not None:
        expected = read_by_the_model(situation)
        assert expected is not None, situation
        for quick in (generated, by_tests):
            assert [(name, type(value)) for name, value in quick.items()] == [
                (name, type(value)) for name, value in expected
            ]
            assert list(quick.items()) == expected


def test_a_reader_generates_its_function_after_its_first_reads() -> None:
    """Protects the first evaluations: a reader tests facts with its small functions for its
    first CLOSURE_EVALUATIONS reads, as many as a stratum (no compile()), then reads with
    the generated function."""
    reader = QuickReader(ALL_TYPES.rulebook.spec.facts)
    situation = {"ready": True, "attempts": 2, "when_day": "2026-03-06"}
    for _ in range(_pysource.CLOSURE_EVALUATIONS):
        assert reader(situation) == {"ready": True, "attempts": 2, "when_day": MARCH_6}
    assert reader.generated is None
    assert reader(situation) == {"ready": True, "attempts": 2, "when_day": MARCH_6}
    assert reader.generated is not None


def test_plain_situations_take_the_quick_reader() -> None:
    """Protects the speed of evaluate: JSON-ready situations of every fact type (with dates
    as ISO texts or dates) are read without the model, and as the model reads them."""
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    for _ in range(300):
        situation = random_situation(rng, ALL_TYPES_FACTS)
        for name, value in situation.items():
            if ALL_TYPES_FACTS[name]["type"] == "date" and rng.random() < 0.5:
                situation[name] = datetime.date.fromisoformat(value)
        for read in (READER.read_by_tests, GENERATED):
            quick = read(situation)
            assert quick is not None, situation
            assert list(quick.items()) == read_by_the_model(situation)


LEAVES = st.sampled_from(
    [
        "t",
        "{{ name }}",
        "{{ y }}",
        "{{ z }}",
        "{{ x }}",
        "{{ self }}",
        "{{ loop.index }}",
        "{{ params.p }}",
        "{{ today }}",
        "{{ y if flag else z }}",
        "{{ y | default(z) }}",
        "{% set y = name %}",
        "{% set z = count + 1 %}",
        "{% set x = items %}",
        "{% set loop = 1 %}",
        "{% set self = name %}",
    ]
)
CONDITIONS = st.sampled_from(["flag", "x", "y", "z", "count > 1"])


def _if(parts: tuple[str, str, str, str | None]) -> str:
    test, body, other, otherwise = parts
    elif_ = f"{{% elif y %}}{other}" if other else ""
    else_ = f"{{% else %}}{otherwise}" if otherwise is not None else ""
    return f"{{% if {test} %}}{body}{elif_}{else_}{{% endif %}}"


def _for(parts: tuple[str, str, str | None, str, str | None]) -> str:
    target, iterable, test, body, otherwise = parts
    test_ = f" if {test}" if test else ""
    else_ = f"{{% else %}}{otherwise}" if otherwise is not None else ""
    return f"{{% for {target} in {iterable}{test_} %}}{body}{else_}{{% endfor %}}"


def _joined(blocks: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(blocks, min_size=1, max_size=4).map("".join)


BINDING = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.tuples(
            CONDITIONS, _joined(inner), st.just("") | _joined(inner), st.none() | _joined(inner)
        ).map(_if),
        st.tuples(
            st.sampled_from(["x", "y", "loop"]),
            st.sampled_from(["items", "params.ys", "y", "items[1:]"]),
            st.none() | CONDITIONS,
            _joined(inner),
            st.none() | _joined(inner),
        ).map(_for),
    ),
    max_leaves=8,
)
BINDING_NAMES = Names(
    {"name": "str", "items": "list", "count": "int", "flag": "bool", "self": "str"},
    {"p": "int", "ys": "list"},
)


def verdict(text: str) -> tuple[str, ...] | None:
    _templates._VERDICTS.clear()  # the verdict of this check, not one remembered
    try:
        _templates.check_template(text, BINDING_NAMES)
    except TemplateProblem as problem:
        return (problem.message, *problem.suggestions, str(problem.line), problem.token)
    return None


@settings(max_examples=scaled(400))
@given(blocks=st.lists(BINDING, min_size=1, max_size=3))
@example(blocks=["{% for y in params.ys %}{% set x = name %}{% else %}{{ x }}{% endfor %}"])
@example(blocks=["{% if flag %}{% set y = name %}{% endif %}{{ y }}"])
@example(blocks=["{% set y = name %}{% if flag %}{% set y = name %}{% endif %}{{ y }}"])
@example(blocks=["{% for x in items %}{% set z = 1 %}{% endfor %}{{ z }}"])
@example(blocks=["{% set y = 1 %}{% for x in items if y %}{{ x }}{% endfor %}"])
@example(blocks=["{% for loop in items %}{% endfor %}"])
@example(blocks=["{% for x in items %}{{ loop.index }}{% set loop = 1 %}{% endfor %}"])
@example(blocks=["{% set self = name %}{{ self }}", "{{ self }}{% set x = items %}"])
def test_templates_that_keep_to_the_subset_are_checked_as_jinja_s_code_generator_would(
    blocks: list[str],
) -> None:
    """Protects the check of templates within the subset, which does not run Jinja's code
    generator: it skips the undeclared names of a template that binds none, and otherwise
    finds them with Jinja's symbol tables. Every verdict is the one the whole check gives
    with jinja2.meta, on templates full of the cases where Jinja's scoping matters: names
    set in a branch or a loop and read after it, loops over a name set before, loop
    filters, `else` branches, and assignments to `loop` and `self`."""
    text = "".join(blocks)
    quick = verdict(text)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(_templates, "undeclared_names", _templates.meta.find_undeclared_variables)
        real_subset = _templates._subset_problem

        def always_binds(*args: Any) -> tuple[Any, bool]:
            return real_subset(*args)[0], True

        patched.setattr(_templates, "_subset_problem", always_binds)
        whole = verdict(text)
    assert quick == whole, text


def test_a_template_s_verdict_is_remembered_with_its_names() -> None:
    """Protects the verdicts remembered for engines built again: the same text and names
    give the same verdict without a second parse, other names are checked anew, and a
    refusal is raised again as it was first."""
    _templates._VERDICTS.clear()
    names = Names({"name": "str"}, {})
    other = Names({"other": "str"}, {})
    text = "{% if name %}{{ name | upper }}{% endif %}"
    _templates.check_template(text, names)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(_templates._ENV, "parse", None)  # a second parse would fail
        _templates.check_template(text, names)
    with pytest.raises(TemplateProblem) as first:
        _templates.check_template(text, other)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(_templates._ENV, "parse", None)
        with pytest.raises(TemplateProblem) as again:
            _templates.check_template(text, other)
    assert (again.value.message, again.value.suggestions, again.value.line) == (
        first.value.message,
        first.value.suggestions,
        first.value.line,
    )
    assert first.value.message == "template reads unknown name 'name'"


DENSE = st.lists(
    st.sampled_from(
        [
            "a",
            "b",
            "1",
            "-",
            "~",
            "+",
            "*",
            "<",
            "==",
            ",",
            ".",
            "(",
            ")",
            "[",
            "]",
            ":",
            "not ",
            " and ",
            " if ",
            " else ",
            "'",
            "{",
            "}",
            "**",
        ]
    ),
    min_size=1,
    max_size=40,
).map("".join)


@settings(max_examples=scaled(600))
@given(text=DENSE)
@example(text="a<b<c<d")
@example(text="-a+-b")
@example(text="a[:,:]")
@example(text="--------a")
@example(text="a,b,c,d")
def test_a_short_condition_has_few_syntax_nodes(text: str) -> None:
    """Protects the quick path of the condition parser, which counts the syntax nodes of a
    condition only when it is longer than a third of MAX_NODES: a condition of n
    characters has at most 2n + 1 nodes, however dense (names, operators, subscripts,
    slices, tuples)."""
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError):
        return
    assert sum(1 for _ in ast.walk(tree)) <= 2 * len(text) + 1, text


CHOICE_NAMES = Names(
    facts={"msg": "str", "n": "int", "items": "list", "when": "date", "loop": "str", "not": "str"},
    params={"p": "int"},
)
CHOICE_PIECES = st.sampled_from(
    [
        "Hello ",
        "{",
        "}}",
        "%}",
        "\n",
        "{{ msg }}",
        "{{n}}",
        "{{ loop }}",
        "{{ unknown }}",
        "{{ msg or 'none' }}",
        '{{ msg or "a}}b" }}',
        "{{ msg or n }}",
        "{{ msg or unknown }}",
        "{% if n %}",
        "{%if not msg%}",
        "{% if not %}",
        "{% if unknown %}",
        "{% if loop %}",
        "{% if items %}",
        "{% elif when %}",
        "{% elif not items %}",
        "{% else %}",
        "{% endif %}",
        "{%- endif %}",
        "{% if\nn %}",
        "{% for x in items %}",
        "{% endfor %}",
    ]
)


CHOICE_TESTS = st.sampled_from(
    ["n", "not msg", "loop", "items", "when", "not items", "not", "unknown", "n > 1"]
)
CHOICE_TAGS = st.sampled_from(
    ["{{% {} %}}", "{{%{}%}}", "{{% {} %}}", "{{%- {} %}}", "{{% {}\n%}}"]
)
CHOICE_LEAVES = st.one_of(
    st.sampled_from(["Hello ", "{{ msg }}", "{{n}}", "{{ msg or 'none' }}", "{{ msg or n }}"]),
    CHOICE_PIECES,
)


def _choice(parts: tuple[str, str, str, list[tuple[str, str]], str | None, str]) -> str:
    tag, test, body, elifs, otherwise, last = parts
    text = tag.format(f"if {test}") + body
    text += "".join(tag.format(f"elif {other}") + inner for other, inner in elifs)
    if otherwise is not None:
        text += tag.format("else") + otherwise
    return text + tag.format(last)


CHOICES = st.recursive(
    CHOICE_LEAVES,
    lambda inner: st.tuples(
        CHOICE_TAGS,
        CHOICE_TESTS,
        st.lists(inner, max_size=3).map("".join),
        st.lists(st.tuples(CHOICE_TESTS, st.lists(inner, max_size=2).map("".join)), max_size=2),
        st.none() | st.lists(inner, max_size=2).map("".join),
        st.sampled_from(["endif"] * 6 + ["else", "endfor"]),
    ).map(_choice),
    max_leaves=10,
)


@settings(max_examples=scaled(600))
@given(pieces=st.lists(CHOICES, max_size=6))
@example(pieces=["{% if n %}", "{% if msg %}", "{% else %}", "{% elif n %}", "{% endif %}"])
@example(pieces=["{% if n %}", "{% else %}", "{% else %}", "{% endif %}"])
@example(pieces=["{% endif %}"])
@example(pieces=["{% if n %}"] * 9 + ["{% endif %}"] * 9)
def test_texts_that_only_choose_on_facts_pass_the_whole_check(pieces: list[str]) -> None:
    """Protects the quick check of texts that insert facts and choose on them with `if`,
    `elif` and `else`: every text it lets through passes the whole check (Jinja's parser,
    the subset, the names), and texts it does not take still get the whole check."""
    text = "".join(pieces)
    quick = _templates._only_facts_tested(text, CHOICE_NAMES)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(_templates, "_only_facts_inserted", lambda _text, _names: False)
        patched.setattr(_templates, "_only_facts_tested", lambda _text, _names: False)
        whole = choice_verdict(text)
    if quick:
        assert whole is None, (text, whole)
    assert choice_verdict(text) == whole


def choice_verdict(text: str) -> str | None:
    """The check's verdict on a text with CHOICE_NAMES, none remembered: None when it
    passes, else its message."""
    _templates._VERDICTS.clear()
    try:
        _templates.check_template(text, CHOICE_NAMES)
    except TemplateProblem as problem:
        return str(problem)
    return None


def test_texts_that_choose_on_facts_take_the_quick_check() -> None:
    """The quick check takes the commonest texts that choose (and so skips Jinja's parser
    for them), and leaves the rest to the whole check."""
    taken = [
        "Hi {% if msg %}{{ msg }}{% elif not n %}no{% else %}{{ n or 'x' }}{% endif %}.",
        "{%if n%}{% if msg %}a{% endif %}{%endif%}",
    ]
    left = [
        "{% if n %}",
        "{% if n %}{% else %}{% elif msg %}{% endif %}",
        "{% if n > 1 %}x{% endif %}",
        "{% if n %}" * 9 + "{% endif %}" * 9,
        "{% if n %}" + "x" * 2000 + "{% endif %}",
    ]
    assert [_templates._only_facts_tested(text, CHOICE_NAMES) for text in taken] == [True, True]
    assert not any(_templates._only_facts_tested(text, CHOICE_NAMES) for text in left)
