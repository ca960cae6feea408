"""Translation files beside a pack: their format, loading and `check` problems.

`tests/data/translations/pack.yaml` is a small pack and `translations/pack.de.yaml` its
complete German translation. Each `cases/NAME.yaml` is a German translation with defects; the
test installs it as the translation of an overlay (`overlay.yaml`) on top of the complete one
and compares the errors `check` reports with `cases/NAME.expected`.

To rewrite the golden files after a deliberate change of messages, run
`OUTREACH_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_translations.py`, then read every diff.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest

import outreach_rules as orr
from outreach_rules import testing
from outreach_rules._check import check
from outreach_rules._cli_author import format_problem
from outreach_rules._rulebook import load_rulebook
from outreach_rules._translation import check_translations, translation_paths
from outreach_rules.errors import Problem
from outreach_rules.lint import lint_paths

DATA = Path(__file__).parent / "data" / "translations"
CASES = DATA / "cases"
CASE_NAMES = sorted(path.stem for path in CASES.glob("*.yaml"))
UPDATE = os.environ.get("OUTREACH_UPDATE_GOLDEN") == "1"


def _install(tmp_path: Path, overlay_translation: Path | None = None) -> Path:
    """A copy of the small pack, its overlay and the complete German translation in
    `tmp_path`, with `overlay_translation` as the overlay's German translation if given."""
    (tmp_path / "translations").mkdir()
    shutil.copy(DATA / "pack.yaml", tmp_path / "pack.yaml")
    shutil.copy(DATA / "overlay.yaml", tmp_path / "overlay.yaml")
    shutil.copy(DATA / "translations" / "pack.de.yaml", tmp_path / "translations" / "pack.de.yaml")
    if overlay_translation is not None:
        shutil.copy(overlay_translation, tmp_path / "translations" / "overlay.de.yaml")
    return tmp_path


def _rendered(problems: list[Problem]) -> str:
    return "".join(format_problem(problem, show_source=True) + "\n" for problem in problems)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_translation_errors_match_golden(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Protects the wording, position and caret of every error `check` finds in a translation."""
    monkeypatch.chdir(_install(tmp_path, CASES / f"{name}.yaml"))
    report = lint_paths(["pack.yaml", "overlay.yaml"])
    actual = _rendered(report.errors)
    expected = CASES / f"{name}.expected"
    if UPDATE:
        expected.write_text(actual, encoding="utf-8")
    assert actual == expected.read_text(encoding="utf-8")
    assert report.failed()
    for problem in report.errors:
        assert problem.file == "translations/overlay.de.yaml"
        assert problem.line >= 1 and problem.column >= 1
        assert problem.source_line is not None


def test_every_translation_case_has_a_golden_file() -> None:
    """Protects the golden folder from orphans: each NAME.yaml has NAME.expected and back."""
    expected = sorted(path.stem for path in CASES.glob("*.expected"))
    assert expected == CASE_NAMES


def test_complete_translation_has_no_problems() -> None:
    """Protects that a translation giving every text passes `check` with neither errors nor
    fallback warnings."""
    report = lint_paths([DATA / "pack.yaml"])
    assert report.problems == []


def test_translation_files_are_found_beside_their_pack(tmp_path: Path) -> None:
    """Protects the layout: `DIR/translations/NAME.LOCALE.yaml` belongs to `DIR/NAME.yaml`,
    and a folder of packs does not load it as a pack."""
    _install(tmp_path, CASES / "wrong-pack.yaml")
    rulebook = load_rulebook([tmp_path])
    assert [Path(file.path).name for file in rulebook.files] == ["overlay.yaml", "pack.yaml"]
    found = translation_paths(rulebook)
    assert {locale: [p.name for p in paths] for locale, paths in found.items()} == {
        "de": ["overlay.de.yaml", "pack.de.yaml"]
    }


def test_merged_translation_prefers_the_later_file(tmp_path: Path) -> None:
    """Protects that an overlay's translation overrides the pack's for the texts it gives and
    keeps the rest, so an overlay can translate too."""
    overlay = tmp_path / "overlay-source.de.yaml"
    overlay.write_text(
        "translation: tiny\nlocale: de\ndecisions:\n  go: {title: Nur zu}\n", encoding="utf-8"
    )
    _install(tmp_path, overlay)
    checked = check(load_rulebook([tmp_path / "pack.yaml", tmp_path / "overlay.yaml"]))
    translations, problems = check_translations(checked)
    assert problems == []
    german = translations["de"]
    assert german.text("decisions", "go", "title", "Go ahead") == "Nur zu"
    assert german.text("facts", "ready", "question", "Are you ready?") == "Sind Sie bereit?"
    assert german.text("facts", "channel", "choices.phone", "phone") == "Telefon"
    assert german.params["greetings"] == ["hallo", "guten tag"]


def test_untranslated_texts_are_warnings_at_their_place(tmp_path: Path) -> None:
    """Protects the fallback warnings: every text a translation leaves out is named, as a
    warning (the pack still loads) placed at its id or section in the translation file."""
    _install(tmp_path)
    (tmp_path / "translations" / "pack.de.yaml").write_text(
        "translation: tiny\nlocale: de\nfacts:\n  ready: {question: Sind Sie bereit?}\n",
        encoding="utf-8",
    )
    report = lint_paths([tmp_path / "pack.yaml"])
    assert report.errors == []
    missing = [p for p in report.warnings if p.code == "translation-missing"]
    messages = {p.message.split(" has no ")[0]: p for p in missing}
    assert "facts.ready.question" not in messages
    assert messages["facts.ready.when_true"].line == 4  # at `ready:`
    assert messages["facts.channel.choices.phone"].line == 3  # at `facts:`
    assert messages["decisions.go.title"].line == 1  # no `decisions:` yet
    terms = messages["params.greetings"].message
    assert terms.endswith("has no German terms; the pack's own are used")
    assert set(messages) == {
        "title",
        "decisions.go.title",
        "decisions.go.description",
        "facts.ready.label",
        "facts.ready.when_true",
        "facts.channel.label",
        "facts.channel.question",
        "facts.channel.choices.email",
        "facts.channel.choices.phone",
        "facts.draft.label",
        "facts.draft.question",
        "facts.when.label",
        "facts.when.question",
        "derived.greeted.label",
        "derived.greeted.when_false",
        "rules.go_when_ready.rationale",
        "rules.go_when_ready.recommend",
        "rules.greet_them.rationale",
        "rules.greet_them.flag",
        "drafts.note.subject",
        "drafts.note.body",
        "params.greetings",
    }


def test_scenarios_read_the_advice_in_their_locale() -> None:
    """A case's `locale` sets the advice's language and `says` checks what it reads."""
    engine_cases = testing.load_cases([DATA / "scenarios"])
    engine = orr.Engine.from_paths(DATA / "pack.yaml", backend="python")
    assert [case.locale for case in engine_cases] == ["de", None]
    assert [testing.run_case(engine, case).failures for case in engine_cases] == [[], []]


def test_scenarios_report_what_the_advice_does_not_say() -> None:
    """A `says` expectation that fails shows the needle and what the advice reads."""
    engine = orr.Engine.from_paths(DATA / "pack.yaml", backend="python")
    case = testing.load_cases([DATA / "scenarios"])[0]
    wrong = dataclasses.replace(case, expect={"says": {"contains": ["Go ahead"]}})
    failures = testing.run_case(engine, wrong).failures
    assert failures == [
        "says: expected 'Go ahead'; the advice reads:\n"
        + "\n".join(
            "    | " + line
            for line in [
                "Schreiben Sie jetzt",
                "Wer bereit ist, schreibt.",
                "Schreiben Sie per email vor dem Freitag, 6. März.",
                "Beginnen Sie mit einem Gruß wie hallo.",
            ]
        )
    ]


CHANGING_OVERLAY = """\
pack: tiny-overlay
version: "1.0.0"
title: An overlay that changes a rule and removes another
sources:
  house: {title: House rules, own: true, sections: [Writing]}
rules:
  - id: go_when_ready
    override: true
    when: ready
    decide: go
    recommend: {topic: timing, text: "Write today."}
    rationale: Ready people go.
    cite: {source: house, section: Writing}
disable: [greet_them]
"""


def test_a_pack_translation_stays_valid_under_an_overlay(tmp_path: Path) -> None:
    """Protects composing translated packs: an overlay that replaces a rule's text and
    removes another rule does not make the pack's translation wrong. Its text for the
    replaced recommendation no longer applies (the overlay's own is used, and `check`
    warns that it has no German text); the unchanged rationale keeps its translation."""
    _install(tmp_path)
    (tmp_path / "changes.yaml").write_text(CHANGING_OVERLAY, encoding="utf-8")
    paths = [tmp_path / "pack.yaml", tmp_path / "changes.yaml"]
    report = lint_paths(paths)
    assert report.errors == []
    missing = {p.message.split(" has no ")[0] for p in report.warnings}
    assert "rules.go_when_ready.recommend" in missing
    assert "rules.go_when_ready.rationale" not in missing
    engine = orr.Engine.from_paths(*paths, backend="python", locale="de")
    advice = engine.evaluate({"ready": True, "draft": "Hello.", "when": "2026-03-06"})
    assert [r.text for r in advice.recommendations] == ["Write today."]
    assert advice.recommendations[0].rationale == "Wer bereit ist, schreibt."
    assert advice.decision is not None and advice.decision.title == "Schreiben Sie jetzt"


def test_an_overlay_translation_names_its_own_pack(tmp_path: Path) -> None:
    """Protects the `translation:` check of an overlay's file: it names the overlay's
    `pack:`, and the overlay's translation gives the texts it replaced."""
    _install(tmp_path)
    (tmp_path / "changes.yaml").write_text(CHANGING_OVERLAY, encoding="utf-8")
    own = (
        "translation: tiny-overlay\nlocale: de\n"
        "rules:\n  go_when_ready: {recommend: Schreiben Sie heute.}\n"
    )
    (tmp_path / "translations" / "changes.de.yaml").write_text(own, encoding="utf-8")
    paths = [tmp_path / "pack.yaml", tmp_path / "changes.yaml"]
    assert lint_paths(paths).errors == []
    engine = orr.Engine.from_paths(*paths, backend="python", locale="de")
    advice = engine.evaluate({"ready": True, "draft": "Hello.", "when": "2026-03-06"})
    assert [r.text for r in advice.recommendations] == ["Schreiben Sie heute."]
    wrong = own.replace("tiny-overlay", "tiny")
    (tmp_path / "translations" / "changes.de.yaml").write_text(wrong, encoding="utf-8")
    errors = lint_paths(paths).errors
    assert [(p.code, p.message) for p in errors] == [
        ("translation-pack", "this translates pack 'tiny', not 'tiny-overlay'")
    ]
