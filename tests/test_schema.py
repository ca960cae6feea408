"""JSON Schemas of packs, situations and advice (`outreach_rules._schema`, `outreach-rules schema`).

Everything is checked with the `jsonschema` library: the committed generic pack schema is
current, the bundled pack and the test packs validate against it, a pack-specific schema
refuses names the pack does not declare, every scenario situation validates against the
situation schema and every invalid one (that JSON can express) does not, and the advice
of every scenario validates against the advice schema.
"""

from __future__ import annotations

import datetime
import json
import math
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import outreach_rules as orr
from outreach_rules import cli, testing
from outreach_rules._engine import bundled_pack_dir
from outreach_rules._rulebook import load_rulebook
from outreach_rules._schema import (
    advice_schema,
    dumps,
    pack_schema,
    situation_schema,
    summary_schema,
)
from outreach_rules._yaml import read_document

ROOT = Path(__file__).parent.parent
COMMITTED = ROOT / "docs" / "schema" / "pack.schema.json"
BUNDLED = ROOT / "rules" / "interview-outreach.yaml"
OVERLAY = ROOT / "examples" / "overlays" / "short-messages.yaml"
SCENARIOS = ROOT / "tests" / "scenarios"
INVALID_SITUATIONS = sorted((ROOT / "tests" / "data" / "invalid_situations").glob("*.yaml"))
TODAY = datetime.date(2026, 3, 2)


def plain(path: Path) -> Any:
    """A YAML file as JSON data (dates as ISO strings), as an editor's schema check sees it."""
    data = read_document(path.read_text(encoding="utf-8"), str(path)).data
    return json.loads(json.dumps(data, default=str))


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A validator that also checks formats (dates), for a schema that is itself valid."""
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def errors(schema: dict[str, Any], data: Any) -> list[str]:
    """The messages of every validation error."""
    return [error.message for error in validator(schema).iter_errors(data)]


# ---------------------------------------------------------------- the pack schema
def test_the_committed_pack_schema_is_current() -> None:
    """docs/schema/pack.schema.json is what `outreach-rules schema pack` prints now.

    When it fails: `outreach-rules schema pack -o docs/schema/pack.schema.json`."""
    assert COMMITTED.read_text(encoding="utf-8") == dumps(pack_schema())


def test_the_bundled_pack_points_at_the_committed_schema() -> None:
    """The bundled pack's first line names the schema for yaml-language-server, by a
    relative path that leads to the committed file."""
    first = BUNDLED.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix)
    assert (BUNDLED.parent / first.removeprefix(prefix)).resolve() == COMMITTED.resolve()
    overlay_first = OVERLAY.read_text(encoding="utf-8").splitlines()[0]
    target = OVERLAY.parent / overlay_first.removeprefix(prefix)
    assert target.resolve() == COMMITTED.resolve()


@pytest.mark.parametrize(
    "path",
    [BUNDLED, OVERLAY, *sorted((ROOT / "tests" / "data" / "packs").glob("*.yaml"))],
    ids=lambda p: p.name,
)
def test_packs_validate_against_the_generic_schema(path: Path) -> None:
    """The bundled pack, the example overlay and the test packs are valid pack files."""
    assert errors(pack_schema(), plain(path)) == []


def test_the_generic_schema_refuses_what_the_loader_refuses() -> None:
    """Unknown keys, bad names, a missing rationale and a wrong type fail the schema too."""
    data = plain(BUNDLED)
    rule = data["rules"][0]
    cases: list[dict[str, Any]] = [
        {**data, "rule": []},
        {**data, "facts": {**data["facts"], "Bad-Name": {"type": "bool"}}},
        {**data, "rules": [{k: v for k, v in rule.items() if k != "rationale"}]},
        {**data, "rules": [{**rule, "priority": "high"}]},
        {**data, "facts": {"x": {"type": "colour"}}},
        {**data, "version": 1.0},
    ]
    for case in cases:
        assert errors(pack_schema(), case) != []


def test_the_pack_specific_schema_lists_the_packs_names() -> None:
    """With a pack, `decide`, draft decisions, cited sources and sections, `set` keys and
    `disable` are enums of its names, and its facts and params are known properties."""
    rulebook = load_rulebook([bundled_pack_dir()])
    schema = pack_schema(rulebook)
    spec = rulebook.spec
    defs = schema["$defs"]
    assert defs["RuleSpec"]["properties"]["decide"]["anyOf"][0]["enum"] == sorted(spec.decisions)
    assert defs["DraftSpec"]["properties"]["decision"]["enum"] == sorted(spec.decisions)
    assert defs["Cite"]["properties"]["source"]["enum"] == sorted(spec.sources)
    assert "Be Concise" in defs["Cite"]["properties"]["section"]["enum"]
    settable = defs["RuleSpec"]["properties"]["set"]["anyOf"][0]["propertyNames"]["enum"]
    assert settable == sorted(n for n, d in spec.derived.items() if d.value is None)
    assert set(schema["properties"]["facts"]["properties"]) == set(spec.facts)
    assert set(schema["properties"]["params"]["properties"]) == set(spec.params)
    assert schema["properties"]["disable"]["items"]["enum"] == [r.id for r in spec.rules]
    assert errors(schema, plain(BUNDLED)) == []


def test_the_pack_specific_schema_refuses_unknown_names() -> None:
    """A misspelt decision, source, section or settable fact fails the pack's own schema
    but not the generic one."""
    schema = pack_schema(load_rulebook([bundled_pack_dir()]))
    data = plain(BUNDLED)
    rule = data["rules"][0]
    bad: list[dict[str, Any]] = [
        {**rule, "decide": "do_not_contakt"},
        {**rule, "cite": {"source": "articel", "section": "Be Concise"}},
        {**rule, "cite": {"source": "article", "section": "Be concise"}},
        {**rule, "set": {"prepard": True}},
        {**rule, "set": {"days_until_interview": 3}},  # computed, not settable
    ]
    for item in bad:
        case = {**data, "rules": [item]}
        assert errors(pack_schema(), case) == [], item
        assert errors(schema, case) != [], item


def test_an_overlay_validates_against_the_schema_of_its_composition() -> None:
    """`schema pack --pack rules --pack overlay` describes the overlay's own new names."""
    rulebook = load_rulebook([bundled_pack_dir(), OVERLAY])
    assert errors(pack_schema(rulebook), plain(OVERLAY)) == []
    base_only = pack_schema(load_rulebook([bundled_pack_dir()]))
    assert errors(base_only, plain(OVERLAY)) != []  # email_interviewer is the overlay's


def test_an_overlay_that_disables_validates_against_its_composition(tmp_path: Path) -> None:
    """Rules, drafts and decisions an overlay disables are gone from the merged pack, yet the
    schema of the composition still accepts their ids in the overlay, and no others."""
    overlay = tmp_path / "quiet.yaml"
    overlay.write_text(
        "pack: quiet\nversion: '1.0.0'\ntitle: No calls\n"
        "disable: [build_rapport]\ndisable_drafts: [call_script]\n",
        encoding="utf-8",
    )
    schema = pack_schema(load_rulebook([bundled_pack_dir(), overlay]))
    assert errors(schema, plain(overlay)) == []
    assert errors(schema, {**plain(overlay), "disable": ["build_rappport"]}) != []
    assert errors(schema, {**plain(overlay), "disable_drafts": ["build_rapport"]}) != []


# ---------------------------------------------------------------- situations
def scenario_situations() -> list[tuple[str, dict[str, Any]]]:
    """(case name, situation as JSON data) of every bundled scenario."""
    return [
        (case.name, json.loads(json.dumps(case.situation, default=str)))
        for case in testing.load_cases([SCENARIOS])
    ]


def test_every_scenario_situation_validates() -> None:
    """The situation of every scenario is valid under the bundled pack's situation schema."""
    schema = situation_schema(orr.Engine.default(backend="python"))
    situations = scenario_situations()
    assert len(situations) >= 25
    for name, situation in situations:
        assert errors(schema, situation) == [], name


def _invalid(path: Path) -> Any:
    case = read_document(path.read_text(encoding="utf-8"), str(path)).data
    situation = case["situation"]
    for fact, times in (case.get("repeat") or {}).items():
        situation[fact] = situation[fact] * times
    return situation


def _json_expressible(path: Path) -> bool:
    situation = _invalid(path)
    values = situation.values() if isinstance(situation, dict) else []
    return not any(isinstance(v, float) and not math.isfinite(v) for v in values)


# NaN and infinity have no JSON form: those cases cannot reach a JSON Schema.
EXPRESSIBLE = [path for path in INVALID_SITUATIONS if _json_expressible(path)]


@pytest.mark.parametrize("path", EXPRESSIBLE, ids=lambda p: p.stem)
def test_invalid_situations_fail_the_schema(path: Path) -> None:
    """Every invalid situation that JSON can express is refused by the schema as well."""
    data = json.loads(json.dumps(_invalid(path), default=str))
    schema = situation_schema(orr.Engine.default(backend="python"))
    assert errors(schema, data) != []


def test_the_situation_schema_of_another_pack() -> None:
    """`--pack` gives that pack's facts: chain.yaml's colour is an enum of its values."""
    engine = orr.Engine.from_paths(ROOT / "tests" / "data" / "packs" / "chain.yaml")
    schema = situation_schema(engine)
    assert set(schema["properties"]) == set(engine.rulebook.spec.facts)
    assert errors(schema, {"colour": "red", "n": 3, "d": "2026-03-06"}) == []
    assert errors(schema, {"colour": "purple"}) != []
    assert errors(schema, {"d": "2026-02-30"}) != []


# ---------------------------------------------------------------- advice
def test_the_advice_of_every_scenario_validates() -> None:
    """`advice.model_dump(mode="json")` of every scenario is valid under the advice schema."""
    engine = orr.Engine.default(backend="python")
    check = validator(advice_schema())
    for case in testing.load_cases([SCENARIOS]):
        advice = engine.evaluate(case.situation, today=case.today or TODAY)
        data = json.loads(advice.model_dump_json())
        assert [e.message for e in check.iter_errors(data)] == [], case.name


# ---------------------------------------------------------------- the summary
SUMMARY_COMMITTED = ROOT / "docs" / "schema" / "summary.schema.json"


def test_the_committed_summary_schema_is_current() -> None:
    """docs/schema/summary.schema.json is what `outreach-rules schema summary` prints now.

    When it fails: `outreach-rules schema summary -o docs/schema/summary.schema.json`."""
    assert SUMMARY_COMMITTED.read_text(encoding="utf-8") == dumps(summary_schema())


def test_the_summary_of_every_scenario_validates() -> None:
    """`advice.summary()` of every scenario, as JSON, is valid under the summary schema, and
    a summary missing its decision's title or with a bad severity is not."""
    engine = orr.Engine.default(backend="python")
    check = validator(summary_schema())
    decided = None
    for case in testing.load_cases([SCENARIOS]):
        summary = engine.evaluate(case.situation, today=case.today or TODAY).summary()
        data = json.loads(summary.model_dump_json())
        assert [e.message for e in check.iter_errors(data)] == [], case.name
        decided = data if data["decision"] else decided
    assert decided is not None
    del decided["decision"]["title"]
    assert errors(summary_schema(), decided) == [
        f"{decided['decision']!r} is not valid under any of the given schemas"
    ]
    bad = {"findings": [{"severity": "fatal", "text": "x"}]}
    assert errors(summary_schema(), bad) == ["'fatal' is not one of ['info', 'warning', 'error']"]


# ---------------------------------------------------------------- the command
def test_schema_command_prints_each_schema(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`outreach-rules schema pack|situation|advice|summary` print the schemas; -o writes a
    file."""
    assert cli.main(["schema", "pack"]) == 0
    assert json.loads(capsys.readouterr().out) == pack_schema()
    assert cli.main(["schema", "situation"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(
        dumps(situation_schema(orr.Engine.default(backend="python")))
    )
    assert cli.main(["schema", "advice"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "Advice"
    assert cli.main(["schema", "summary"]) == 0
    assert json.loads(capsys.readouterr().out) == summary_schema()
    target = tmp_path / "deep" / "pack.json"
    assert cli.main(["schema", "pack", "--pack", str(bundled_pack_dir()), "-o", str(target)]) == 0
    written = json.loads(target.read_text(encoding="utf-8"))
    assert written == json.loads(dumps(pack_schema(load_rulebook([bundled_pack_dir()]))))
    assert capsys.readouterr().out == ""


def test_schema_command_with_a_bad_pack_fails(capsys: pytest.CaptureFixture[str]) -> None:
    """A pack that does not load gives exit status 1 and the problems on standard error."""
    bad = ROOT / "tests" / "data" / "invalid_packs" / "function-misspelt.yaml"
    assert cli.main(["schema", "pack", "--pack", str(bad)]) == 1
    assert "function-misspelt.yaml" in capsys.readouterr().err
