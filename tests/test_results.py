"""How results are made and travel: models built without validation, the trace made when it
is first read, and Advice dumped, pickled, compared, moved and read from threads."""

from __future__ import annotations

import copy
import pickle
import random
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import outreach_rules as orr
from outreach_rules import _advise, _tracing
from outreach_rules._engine import bundled_pack_dir
from outreach_rules._model import Reason, build
from strategies import TODAY, facts_of_model, random_situation

KNOWS_LITTLE: dict[str, Any] = {"interview_date": "2026-03-09", "channel": "email"}


@pytest.fixture(scope="module")
def engine() -> orr.Engine:
    """The bundled pack on its default backend (durable where it can be imported)."""
    return orr.Engine.default()


@pytest.fixture(scope="module")
def advices(engine: orr.Engine) -> list[orr.Advice]:
    """Advice for 60 random situations of the bundled pack and one that knows little."""
    facts = facts_of_model(engine.Situation)
    rng = random.Random(7)  # noqa: S311 - repeatable test data, not secrets
    situations = [random_situation(rng, facts) for _ in range(60)] + [KNOWS_LITTLE]
    return [engine.evaluate(situation, TODAY) for situation in situations]


def models_in(value: Any) -> list[BaseModel]:
    """Every model inside a value (itself included), depth first."""
    found: list[BaseModel] = []
    if isinstance(value, BaseModel):
        found.append(value)
        for name in type(value).model_fields:
            found += models_in(getattr(value, name))
    elif isinstance(value, list):
        for item in value:
            found += models_in(item)
    return found


def test_built_models_equal_validated_ones(advices: list[orr.Advice]) -> None:
    """Every model the engine builds without validation is the model validation would give:
    equal, with the same dump and the same fields set."""
    seen = 0
    for advice in advices:
        for model in models_in(advice) + models_in(advice.trace):
            data = model.model_dump(exclude_unset=True)
            validated = type(model).model_validate(data)
            assert validated == model
            assert validated.model_dump_json() == model.model_dump_json()
            assert validated.model_fields_set == model.model_fields_set
            seen += 1
    assert seen > 1_000


def test_build_fills_defaults_with_fresh_containers() -> None:
    """Fields left out get their default, and a default list is a new list every time, as with
    validation (one shared list would leak between results)."""
    first = build(Reason, fact="a", condition="a", holds=True)
    second = build(Reason, fact="b", condition="b", holds=None)
    assert first == Reason(fact="a", condition="a", holds=True)
    assert first.because == [] and first.because is not second.because
    assert first.model_fields_set == {"fact", "condition", "holds"}


def test_trace_is_made_when_first_read(engine: orr.Engine, advices: list[orr.Advice]) -> None:
    """Evaluating keeps what the trace is made from; reading `trace` makes it once and keeps
    it; the trace made later is the one the values at evaluation give."""
    decided = next(advice for advice in advices if advice.decision is not None)
    advice = engine.evaluate(decided.situation, TODAY)
    assert advice._trace is None and advice._make_trace is not None
    trace = advice.trace
    assert trace is not None and advice.trace is trace and advice._make_trace is None
    assert [rule.rule_id for rule in trace.rules] == [r.id for r in engine.program.rules]
    fired = {rule.rule_id for rule in trace.rules if rule.fired}
    assert advice.decision is not None and advice.decision.rule_id in fired


def test_no_trace_when_evaluated_without_it(engine: orr.Engine) -> None:
    """With trace=False there is nothing to make: `trace` is None in Python and in JSON, and
    why_not says what it needs."""
    advice = engine.evaluate(KNOWS_LITTLE, TODAY, trace=False)
    assert advice.trace is None
    assert '"trace":null' in advice.model_dump_json()
    with pytest.raises(ValueError, match="why_not needs the trace: evaluate with trace=True"):
        advice.why_not("contact_interviewer")


def test_json_and_pickle_carry_the_trace(advices: list[orr.Advice]) -> None:
    """A dump to JSON and a pickle hold the trace itself; both come back equal to the
    original, trace included, and the pickle needs no engine to be read."""
    for advice in advices[:10]:
        fresh_json = advice.model_dump_json()
        assert '"trace":{"backend"' in fresh_json
        again = orr.Advice.model_validate_json(fresh_json)
        assert again == advice and again.trace == advice.trace
        unpickled = pickle.loads(pickle.dumps(advice))  # noqa: S301 - our own pickle
        assert unpickled == advice and unpickled._make_trace is None


def test_equality_reads_the_trace(engine: orr.Engine) -> None:
    """Two Advice with the same fields but different traces are not equal; an Advice whose
    trace is not made yet equals one whose trace is."""
    one = engine.evaluate(KNOWS_LITTLE, TODAY)
    two = engine.evaluate(KNOWS_LITTLE, TODAY)
    assert one.trace is not None
    assert one == two
    other_trace = engine.evaluate({"spoke_with_recruiter": True}, TODAY).trace
    assert other_trace is not None and other_trace != one.trace
    retraced = one.model_copy(update={"trace": other_trace})
    assert retraced.model_dump(exclude={"trace"}) == one.model_dump(exclude={"trace"})
    assert retraced != one


def test_threads_reading_one_trace_get_the_same(engine: orr.Engine) -> None:
    """Eight threads that read the trace of one Advice at once all get equal traces (each
    may make it; it is a pure function of the kept values)."""
    advice = engine.evaluate(KNOWS_LITTLE, TODAY)
    expected = engine.evaluate(KNOWS_LITTLE, TODAY).trace
    barrier = threading.Barrier(8)
    seen: list[Any] = []

    def read() -> None:
        barrier.wait()
        seen.append(advice.trace)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8 and all(trace == expected for trace in seen)


def test_trace_inputs_travel_apart_from_the_advice(engine: orr.Engine) -> None:
    """An Advice can travel without its trace but with the values it is made from (as batch
    results do) and give the same trace where it arrives."""
    advice = engine.evaluate(KNOWS_LITTLE, TODAY)
    twin = engine.evaluate(KNOWS_LITTLE, TODAY)
    inputs = _advise.trace_inputs(twin)
    assert inputs is not None
    bare = pickle.loads(pickle.dumps(_advise.with_trace(twin, engine, None)))  # noqa: S301
    assert bare.trace is None
    moved = _advise.with_trace(bare, engine, inputs)
    assert moved.trace == advice.trace and moved == advice
    assert _advise.trace_inputs(advice) is None  # made now: nothing left to hand over


def test_engine_pickle_refuses_changed_packs(tmp_path: Path) -> None:
    """An engine unpickled in another process rebuilds from its files; if they changed since
    it was built, it refuses rather than answer from other rules."""
    folder = tmp_path / "rules"
    shutil.copytree(bundled_pack_dir(), folder)
    engine = orr.Engine.from_paths(folder, backend="python")
    blob = pickle.dumps(engine)
    pack = next(folder.glob("*.yaml"))
    pack.write_text(pack.read_text(encoding="utf-8") + "\n# tuned\n", encoding="utf-8")
    with pytest.raises(orr.OutreachRulesError) as caught:
        pickle.loads(blob)  # noqa: S301 - our own pickle
    before, after = engine.rulebook.digest, orr.Engine.from_paths(folder).rulebook.digest
    assert str(caught.value) == (
        f"the packs at {folder} changed since this engine was built "
        f"(sha256 {before[:12]}... is now {after[:12]}...): build the engine again"
    )


def test_shared_trace_pieces_equal_fresh_ones(advices: list[orr.Advice]) -> None:
    """Traces made by an engine that has seen many situations (and shares the pieces that
    repeat) are equal to the traces a new engine makes for the same situations."""
    fresh = orr.Engine.default()
    for advice in advices:
        again = fresh.evaluate(advice.situation, TODAY)
        assert again.trace == advice.trace
        fresh._cache.trace_pieces = None


def test_shared_trace_pieces_cannot_be_changed(advices: list[orr.Advice]) -> None:
    """Pieces shared between results are immutable: a rule's conditions are a tuple, and a
    condition that read a list is not shared."""
    traces = [advice.trace for advice in advices]
    rule = traces[0].rules[0] if traces[0] else None
    assert rule is not None and isinstance(rule.conditions, tuple)
    with pytest.raises(ValidationError):
        rule.fired = not rule.fired  # type: ignore[misc]


LIST_PACK = """\
pack: lists
version: "0.1.0"
title: A condition that reads a list
sources:
  notes: {title: Test notes, own: true, sections: [Basics]}
decisions:
  go: {title: Go}
facts:
  tags: {type: list, question: Which tags?}
rules:
  - id: remote
    when: "'remote' in tags"
    decide: go
    rationale: Remote.
    cite: {source: notes, section: Basics}
"""


def test_conditions_that_read_a_list_are_not_shared(tmp_path: Path) -> None:
    """A condition whose value is a list (which could be changed in place) gets its own
    trace in every result, while conditions on plain values are shared."""
    path = tmp_path / "lists.yaml"
    path.write_text(LIST_PACK, encoding="utf-8")
    lists = orr.Engine.from_paths(path)
    one = lists.evaluate({"tags": ["remote"]}, TODAY).trace
    two = lists.evaluate({"tags": ["remote"]}, TODAY).trace
    assert one is not None and two is not None
    first, second = one.rules[0].conditions[0], two.rules[0].conditions[0]
    assert (first.fact, first.value, first.text) == (
        "tags",
        ["remote"],
        'tags (remote) includes "remote"',
    )
    assert first == second and first is not second


def test_remembered_trace_pieces_are_bounded(
    engine: orr.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An engine forgets its remembered trace pieces once there are more than the bound, so
    a service that sees ever new values keeps a bounded amount of memory."""
    monkeypatch.setattr(_tracing, "MAX_REMEMBERED_PIECES", 50)
    facts = facts_of_model(engine.Situation)
    rng = random.Random(11)  # noqa: S311 - repeatable test data, not secrets
    sizes = []
    for _ in range(30):
        assert engine.evaluate(random_situation(rng, facts), TODAY).trace is not None
        assert engine._cache.trace_pieces is not None
        sizes.append(len(engine._cache.trace_pieces))
    per_trace = sum(len(rule.atoms) + 1 for rule in engine.program.rules)
    assert max(sizes) <= 50 + per_trace
    monkeypatch.undo()  # the real bound: the pieces of many situations are kept
    for _ in range(30):
        assert engine.evaluate(random_situation(rng, facts), TODAY).trace is not None
    assert engine._cache.trace_pieces is not None
    assert len(engine._cache.trace_pieces) > 50 + per_trace


def test_copies_carry_the_trace(engine: orr.Engine) -> None:
    """A deep copy and a model_copy of an Advice whose trace is not made yet still give the
    trace, equal to the original's."""
    original = engine.evaluate(KNOWS_LITTLE, TODAY)
    deep = copy.deepcopy(engine.evaluate(KNOWS_LITTLE, TODAY))
    shallow = engine.evaluate(KNOWS_LITTLE, TODAY).model_copy()
    assert deep.trace == original.trace and shallow.trace == original.trace
    assert deep == original == shallow
