"""JSON Schemas of a rule pack, a situation and the advice, for editors and other tools.

`pack_schema()` is the generic schema of a pack file (committed as
`docs/schema/pack.schema.json`, which the bundled pack names on its first line for
yaml-language-server). `pack_schema(rulebook)` adds the names a given pack declares where
completion helps: fact, param, derived-fact, decision and source names as known properties,
decision ids for `decide` and a draft's `decision`, source ids and section headings for
`cite`, settable derived facts for `set`, the rule, draft and decision ids of every file
for `disable`, `disable_drafts` and `disable_decisions`, and rule ids as examples for `id`,
to override a rule.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from ._advice import Advice
from ._model import Summary
from ._rulebook import PackSpec, Rulebook

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["advice_schema", "dumps", "pack_schema", "situation_schema", "summary_schema"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_SCALAR = {"anyOf": [{"type": "boolean"}, {"type": "number"}, {"type": "string"}]}


def dumps(schema: dict[str, Any]) -> str:
    """A schema as stable, readable JSON text (ends with a newline)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def pack_schema(rulebook: Rulebook | None = None) -> dict[str, Any]:
    """The JSON Schema of a pack file; with a rulebook, with its names for completion."""
    schema = PackSpec.model_json_schema()
    _close_patterned_maps(schema)
    head: dict[str, Any] = {
        "$schema": DIALECT,
        "title": "outreach_rules rule pack",
        "description": (
            "A rule pack of outreach_rules: sources, decisions, facts, params, derived facts, "
            "rules and drafts (see docs/pack-format.md)."
        ),
    }
    if rulebook is not None:
        spec = rulebook.spec
        head["title"] = f"outreach_rules rule pack: names of {spec.pack} {spec.version}"
        _add_names(schema, rulebook)
    schema.pop("title", None)
    schema.pop("description", None)
    return {**head, **schema}


def situation_schema(engine: Engine) -> dict[str, Any]:
    """The JSON Schema of a situation for the engine's pack."""
    spec = engine.rulebook.spec
    schema = engine.situation_schema()
    schema.setdefault("description", f"A situation for the {spec.pack} pack: known facts only.")
    return {"$schema": DIALECT, **schema}


def advice_schema() -> dict[str, Any]:
    """The JSON Schema of `Advice` as serialised (`advice.model_dump_json()`)."""
    return {"$schema": DIALECT, **Advice.model_json_schema(mode="serialization")}


def summary_schema() -> dict[str, Any]:
    """The JSON Schema of `Summary` as serialised (`advice.summary().model_dump_json()`),
    the compact result for user interfaces (committed as docs/schema/summary.schema.json)."""
    return {"$schema": DIALECT, **Summary.model_json_schema(mode="serialization")}


def _close_patterned_maps(node: Any) -> None:
    """Maps keyed by names refuse other keys, as the loader does."""
    if isinstance(node, dict):
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close_patterned_maps(value)
    elif isinstance(node, list):
        for value in node:
            _close_patterned_maps(value)


def _add_names(schema: dict[str, Any], rulebook: Rulebook) -> None:
    spec = rulebook.spec
    defs = schema["$defs"]
    top = schema["properties"]
    tables: dict[str, tuple[str, dict[str, Any]]] = {
        "sources": ("Source", spec.sources),
        "decisions": ("DecisionSpec", spec.decisions),
        "facts": ("FactSpec", spec.facts),
        "params": ("ParamSpec", spec.params),
        "derived": ("DerivedSpec", spec.derived),
    }
    for section, (model, items) in tables.items():
        top[section]["properties"] = {
            name: _described({"$ref": f"#/$defs/{model}"}, item) for name, item in items.items()
        }
    decisions = sorted(spec.decisions)
    rule = defs["RuleSpec"]["properties"]
    rule["decide"] = {"anyOf": [{"enum": decisions}, {"type": "null"}], "default": None}
    rule["id"] = {**rule["id"], "examples": [r.id for r in spec.rules]}
    settable = sorted(name for name, d in spec.derived.items() if d.value is None)
    rule["set"] = {
        "anyOf": [
            {
                "type": "object",
                "propertyNames": {"enum": settable},
                "additionalProperties": copy.deepcopy(_SCALAR),
            },
            {"type": "null"},
        ],
        "default": None,
    }
    defs["DraftSpec"]["properties"]["decision"] = {"enum": decisions}
    cite = defs["Cite"]["properties"]
    cite["source"] = {"enum": sorted(spec.sources)}
    sections = sorted({s for source in spec.sources.values() for s in source.sections})
    cite["section"] = {"enum": sections}
    # What an overlay may disable is what any file of the stack declares: the merged pack
    # no longer holds what the overlay itself disabled.
    files = [file.spec for file in rulebook.files]
    declared = {  # in the order the files declare them
        "disable": [rule.id for pack in files for rule in pack.rules],
        "disable_drafts": [draft.id for pack in files for draft in pack.drafts],
        "disable_decisions": [name for pack in files for name in pack.decisions],
    }
    for key, ids in declared.items():
        top[key] = {"type": "array", "items": {"enum": list(dict.fromkeys(ids))}}


def _described(schema: dict[str, Any], item: Any) -> dict[str, Any]:
    text = getattr(item, "description", "") or getattr(item, "title", "")
    return {**schema, "description": " ".join(str(text).split())} if text else schema
