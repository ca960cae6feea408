"""Shared test configuration: Hypothesis settings profiles.

Profiles: "ci" (the default), "long" (ten times the examples, for a nightly or a local
soak) and "fuzz" (400 times the examples, for `make fuzz`: the fuzz tests of
tests/test_fuzz.py then run well over 100,000 examples in all). Choose one with the
HYPOTHESIS_PROFILE environment variable, e.g.
`HYPOTHESIS_PROFILE=long pytest tests/test_differential.py`. Tests that set their own
`max_examples` scale it with `strategies.scaled(n)`, which follows the profile.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,  # building durable_rules rulesets takes a variable time
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    parent=settings.get_profile("ci"),
    max_examples=1_000,
)
settings.register_profile(
    "fuzz",
    parent=settings.get_profile("ci"),
    max_examples=40_000,
    deadline=None,  # the fuzz tests time every example themselves
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _no_locale_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line takes its default locale from the environment, and the bundled pack
    has translations: without this, a test expecting English advice would read German on a
    machine with LANG=de_DE.UTF-8. A test about the environment sets the variables itself."""
    from outreach_rules.cli import LOCALE_VARIABLES

    for variable in LOCALE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
