"""The python backend's generated functions (`_pysource.py`): the same rules fire, and are
unknown, as the closures of the compiled plan say; errors name their rule and pack line."""

from __future__ import annotations

import datetime
import random
import traceback
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import outreach_rules as orr
from outreach_rules import _pysource, cli
from outreach_rules._compile import TODAY as TODAY_KEY
from outreach_rules._situation import validate_situation
from strategies import (
    PACK_FILE_CHECKS,
    TODAY,
    facts_of_model,
    pack_facts,
    packs,
    random_situation,
    scaled,
    situations,
    template_pack,
)


def closures_run(engine: orr.Engine, known: dict[str, Any], today: datetime.date) -> Any:
    """The fired and unknown rules of each stratum by the closures, the generated functions'
    reference: derived values first, then each stratum, its fired rules' values after it."""
    env: dict[str, Any] = {**known, TODAY_KEY: today}
    for name, compute in engine.program.values:
        value = compute(env)
        if value is not None:
            env[name] = value
    found = []
    for stratum in engine.program.strata:
        rules = [engine.program.rules[i] for i in stratum.rules]
        fired = [rule.index for rule in rules if rule.test(env) is True]
        unknown = [rule.index for rule in rules if rule.test(env) is None]
        found.append((fired, unknown))
        for index in fired:
            env.update(engine.program.rules[index].checked.sets)
    return found, env


def generated_run(engine: orr.Engine, known: dict[str, Any], today: datetime.date) -> Any:
    """The same by the generated functions."""
    env: dict[str, Any] = {**known, TODAY_KEY: today}
    for name, compute in engine.program.values:
        value = compute(env)
        if value is not None:
            env[name] = value
    found = [_pysource.generate(engine.program, s).fire(env) for s in engine.program.strata]
    return found, env


def plain(env: dict[str, Any]) -> dict[str, Any]:
    """The values without the results that function calls remember."""
    return {key: value for key, value in env.items() if not key.startswith("$")}


@settings(max_examples=scaled(200), suppress_health_check=PACK_FILE_CHECKS)
@given(text=packs(), data=st.data())
def test_generated_functions_fire_what_the_closures_fire(
    tmp_path: Path, text: str, data: st.DataObject
) -> None:
    """Protects the python backend's plan: for random packs and situations (facts missing
    at random), each stratum's generated function fires, and finds unknown, exactly the
    rules the closures do, and leaves the same derived values."""
    path = tmp_path / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    engine = orr.Engine.from_paths(path, backend="python")
    facts = pack_facts(text)
    for situation in data.draw(st.lists(situations(facts), min_size=1, max_size=6)):
        try:
            known = validate_situation(engine.Situation, situation)
        except orr.SituationError:
            continue
        expected, expected_env = closures_run(engine, known, TODAY)
        found, env = generated_run(engine, known, TODAY)
        assert found == expected
        assert plain(env) == plain(expected_env)


def test_the_source_names_each_rule_and_its_pack_line() -> None:
    """Protects the source shown to pack authors (`compile --python`): one function per
    stratum, and each rule's code after a comment naming the rule, its file and the line
    of its `when`."""
    engine = orr.Engine.default(backend="python")
    source = engine.python_source()
    assert source.count("def stratum_") == len(engine.program.strata)
    rule = engine.rulebook.spec.rules[0]
    file, path = engine.rulebook.locate("rules", rule.id)
    line = file.doc.mark((*path, "when")).line
    assert f"# rule '{rule.id}', {file.path} line {line}\n" in source


def test_an_error_in_a_generated_function_names_the_rule(tmp_path: Path) -> None:
    """Protects the line mapping back to the pack: an exception raised inside a stratum's
    generated function becomes the EvaluationError, with a note naming the rule, the pack
    file and the line of its `when`, and the traceback shows the generated line."""
    pack = template_pack("Plain.", in_draft=False)
    pack["rules"][0]["when"] = "n > 1"
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(pack, sort_keys=False), encoding="utf-8")
    engine = orr.Engine.from_paths(path, backend="python")

    class Exploding(int):
        """A number whose comparison raises (only a test can put one in the values)."""

        def __gt__(self, other: object) -> bool:
            raise ArithmeticError("boom")

    code = _pysource.generate(engine.program, engine.program.strata[0])
    try:
        code.fire({"n": Exploding(3), TODAY_KEY: TODAY})
    except ArithmeticError as error:
        note = code.where(error)
        shown = "".join(traceback.format_exception(error))
    file, where = engine.rulebook.locate("rules", "r")
    line = file.doc.mark((*where, "when")).line
    assert note is not None and note.startswith(
        f"raised by the test of rule 'r', {path} line {line}"
    )
    assert "v1 > 1" in shown


def test_compile_python_prints_the_source(capsys: pytest.CaptureFixture[str]) -> None:
    """Protects `outreach-rules compile --python`: it prints the generated source of the
    packs, the same as `engine.python_source()`, and exits 0."""
    example = Path(__file__).parents[1] / "examples" / "follow-up" / "follow-up.yaml"
    assert cli.main(["compile", "--python", str(example)]) == 0
    printed = capsys.readouterr().out
    engine = orr.Engine.from_paths(example, backend="python")
    assert printed == engine.python_source()
    assert printed.startswith("# stratum 0: ")


def test_first_evaluations_use_the_closures_then_the_generated_functions() -> None:
    """Protects the switch between the python backend's two plans: an engine's first
    CLOSURE_EVALUATIONS evaluations test rules by their closures and generate nothing
    (a run that evaluates once never pays for compiling the source); the next one makes
    every stratum's function; and the advice for the same situations is the same before
    and after the switch, in JSON."""
    engine = orr.Engine.default(backend="python")
    facts = facts_of_model(engine.Situation)
    rng = random.Random(31)  # noqa: S311 - reproducible test data
    cases = [random_situation(rng, facts) for _ in range(_pysource.CLOSURE_EVALUATIONS)]
    before = [engine.evaluate(case, today=TODAY).model_dump_json() for case in cases]
    assert all(stratum.code is None for stratum in engine.program.strata)
    after = [engine.evaluate(case, today=TODAY).model_dump_json() for case in cases]
    assert all(stratum.code is not None for stratum in engine.program.strata)
    assert after == before


def test_an_error_in_a_rule_tested_by_its_closure_names_the_rule(tmp_path: Path) -> None:
    """Protects the note on an error before the switch: an exception raised by a rule's
    closure names the rule, the pack file and the line of its `when`, as the generated
    function's note does after the switch."""
    pack = template_pack("Plain.", in_draft=False)
    pack["rules"][0]["when"] = "n > 1"
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(pack, sort_keys=False), encoding="utf-8")
    engine = orr.Engine.from_paths(path, backend="python")
    [stratum] = engine.program.strata

    class Exploding(int):
        """A number whose comparison raises (only a test can put one in the values)."""

        def __gt__(self, other: object) -> bool:
            raise ArithmeticError("boom")

    file, where = engine.rulebook.locate("rules", "r")
    said = f"raised by the test of rule 'r', {path} line {file.doc.mark((*where, 'when')).line}"
    for served in (1, _pysource.CLOSURE_EVALUATIONS + 1):
        stratum.served = served - 1
        with pytest.raises(ArithmeticError) as caught:
            _pysource.fire(engine.program, stratum, {"n": Exploding(3), TODAY_KEY: TODAY})
        assert caught.value.__notes__[0].startswith(said)
        assert (stratum.code is None) == (served == 1)
