"""The parts of an Advice made when first read: the same results as made at once, errors
when read (in place in a batch), and nothing made that is not read."""

from __future__ import annotations

import copy
import pickle
import random
import threading
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel, TypeAdapter

import outreach_rules as orr
from strategies import TODAY, facts_of_model, random_situation, template_pack


@pytest.fixture(scope="module")
def engine() -> orr.Engine:
    """The bundled pack on the python backend."""
    return orr.Engine.default(backend="python")


def situations(engine: orr.Engine, count: int) -> list[dict[str, object]]:
    """`count` random situations of the bundled pack."""
    facts = facts_of_model(engine.Situation)
    rng = random.Random(41)  # noqa: S311 - repeatable test data, not secrets
    return [random_situation(rng, facts) for _ in range(count)]


def test_reading_one_part_leaves_the_others_unmade(engine: orr.Engine) -> None:
    """Protects the cost of a result: an evaluation makes none of its parts, reading the
    recommendations makes the decision and the texts but not the questions, and a dump
    makes every part."""
    advice = engine.evaluate({"interview_date": "2026-03-09", "channel": "email"}, TODAY)
    assert set(advice.__dict__) == {"today", "locale"}
    advice.recommendations  # noqa: B018 - the read under test
    assert "decision" in advice.__dict__ and "questions" not in advice.__dict__
    advice.model_dump()
    assert list(advice.__dict__) == list(orr.Advice.model_fields)


def test_parts_read_one_by_one_equal_parts_made_at_once(engine: orr.Engine) -> None:
    """Protects the results: for 40 random situations, an Advice whose parts are read one
    at a time, in any order, equals (in JSON, by == and through a pickle and a copy) one
    made whole at once."""
    names = [name for name in orr.Advice.model_fields if name != "today"]
    rng = random.Random(3)  # noqa: S311 - repeatable test data, not secrets
    for situation in situations(engine, 40):
        whole = engine.evaluate(situation, TODAY)
        whole.model_dump()
        piecewise = engine.evaluate(situation, TODAY)
        for name in rng.sample(names, len(names)):
            getattr(piecewise, name)
        assert piecewise.model_dump_json() == whole.model_dump_json()
        assert engine.evaluate(situation, TODAY) == whole
        assert pickle.loads(pickle.dumps(engine.evaluate(situation, TODAY))) == whole  # noqa: S301
        assert copy.deepcopy(engine.evaluate(situation, TODAY)) == whole
        assert repr(engine.evaluate(situation, TODAY)) == repr(whole)


def test_threads_reading_one_advice_see_the_same_parts(engine: orr.Engine) -> None:
    """Protects an Advice shared between threads: eight threads reading its parts at once
    all see the same objects, made once."""
    advice = engine.evaluate(situations(engine, 1)[0], TODAY)
    seen: list[object] = []
    barrier = threading.Barrier(8)

    def read() -> None:
        barrier.wait()
        seen.append(advice.recommendations)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8 and all(item is seen[0] for item in seen)


def test_a_template_error_shows_when_the_text_is_read(tmp_path: Path) -> None:
    """Protects the errors of texts made when read: evaluating a situation whose text
    divides by zero succeeds; reading the text raises the EvaluationError naming the rule,
    again on every read; evaluate_many gives the error in the result's place."""
    path = tmp_path / "pack.yaml"
    pack = template_pack("{{ n // n }}", in_draft=False)
    path.write_text(yaml.safe_dump(pack, sort_keys=False), encoding="utf-8")
    engine = orr.Engine.from_paths(path, backend="python")
    advice = engine.evaluate({"n": 0}, TODAY)
    assert advice.decision is not None
    for _ in range(2):
        with pytest.raises(orr.EvaluationError, match="rule 'r', recommend text"):
            advice.recommendations  # noqa: B018 - the read under test
    [failed, fine] = engine.evaluate_many([{"n": 0}, {"n": 2}], TODAY, workers=1)
    assert isinstance(failed, orr.EvaluationError)
    assert isinstance(fine, orr.Advice) and fine.recommendations[0].text == "1"


def test_an_advice_inside_another_model_is_dumped_whole(engine: orr.Engine) -> None:
    """Protects the dumps pydantic makes without calling the Advice's own methods (a
    TypeAdapter, as FastAPI uses for a response, or a field of another model): they hold
    every part, the same as a dump of the Advice itself."""

    class Reply(BaseModel):
        advice: orr.Advice

    situation = {"interview_date": "2026-03-09", "channel": "email"}
    whole = engine.evaluate(situation, TODAY).model_dump(mode="json")
    adapted = TypeAdapter(orr.Advice).dump_python(engine.evaluate(situation, TODAY), mode="json")
    assert adapted == whole
    reply = Reply(advice=engine.evaluate(situation, TODAY))
    assert reply.model_dump(mode="json")["advice"] == whole
