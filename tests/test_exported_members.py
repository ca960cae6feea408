"""The public surface: everything in __all__ exists, is sorted, and nothing else is public."""

from __future__ import annotations

import outreach_rules


def test_all_is_sorted_and_complete() -> None:
    """`__all__` is sorted and lists every public name the package exposes."""
    assert outreach_rules.__all__ == sorted(outreach_rules.__all__)
    public = {
        name
        for name, value in vars(outreach_rules).items()
        if not name.startswith("_") and type(value).__name__ != "module"
    }
    assert public == set(outreach_rules.__all__) - {"__version__"}


def test_exported_members_belong_to_the_package() -> None:
    """Each exported class is defined inside outreach_rules, not re-exported from elsewhere."""
    for name in outreach_rules.__all__:
        if name == "__version__":
            continue
        member = getattr(outreach_rules, name)
        assert member.__module__.startswith("outreach_rules."), name


def test_errors_share_one_base() -> None:
    """Every error derives from OutreachRulesError; SituationError is also a ValueError."""
    for error in (
        outreach_rules.RulebookError,
        outreach_rules.SituationError,
        outreach_rules.EvaluationError,
    ):
        assert issubclass(error, outreach_rules.OutreachRulesError)
    assert issubclass(outreach_rules.SituationError, ValueError)


def test_errors_survive_pickling() -> None:
    """RulebookError and SituationError keep their problems across a pickle round trip
    (batch evaluation sends them between processes)."""
    import pickle

    situation_error = outreach_rules.SituationError(
        [outreach_rules.SituationProblem("colur", "unknown fact", ("colour",))]
    )
    again = pickle.loads(pickle.dumps(situation_error))  # noqa: S301 - our own bytes
    assert (type(again), again.problems, str(again)) == (
        outreach_rules.SituationError,
        situation_error.problems,
        str(situation_error),
    )
    rulebook_error = outreach_rules.RulebookError([outreach_rules.Problem("bad", "p.yaml", 3, 4)])
    restored = pickle.loads(pickle.dumps(rulebook_error))  # noqa: S301 - our own bytes
    assert str(restored) == str(rulebook_error)


def test_testing_all_is_sorted_and_names_its_public_members() -> None:
    """`outreach_rules.testing.__all__` is sorted, every name in it exists, and every public
    function or class defined in the module is in it (the pytest fixture excepted: pytest
    reaches it through the plugin)."""
    import inspect

    from outreach_rules import testing

    assert testing.__all__ == sorted(testing.__all__)
    assert all(hasattr(testing, name) for name in testing.__all__)
    defined = {
        name
        for name, value in vars(testing).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or inspect.isclass(value))
        and value.__module__ == testing.__name__
    }
    assert defined - {"pack_tests"} == set(testing.__all__)


def test_every_public_field_of_the_result_models_is_described() -> None:
    """Each field of each exported pydantic model has a description (its attribute
    docstring): the API reference and the JSON Schemas show it."""
    from pydantic import BaseModel

    missing = [
        f"{name}.{field_name}"
        for name in outreach_rules.__all__
        if isinstance(model := getattr(outreach_rules, name), type) and issubclass(model, BaseModel)
        for field_name, field in model.model_fields.items()
        if not (field.description or "").strip()
    ]
    assert missing == []
