"""Loading is quiet, and what the docs quote from the code is what the code says.

Python's parser warns (on standard error, once per process) about some texts it still
accepts, such as `2and ready`. Loading a pack never lets such a warning out; `outreach-rules
check` reports it as a lint warning at the rule's position instead. The docs quote the batch
size below which `evaluate_many` stays in the calling process; a test keeps the quotes true.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import outreach_rules as orr
from outreach_rules import _batch
from outreach_rules.lint import lint_paths

DOCS = Path(__file__).resolve().parents[1] / "docs"

WARNING_PACK = """\
pack: warn
version: "1.0.0"
title: Warn pack
sources:
  guide:
    title: A guide
    sections:
      - Basics
decisions:
  go:
    title: Go ahead
facts:
  ready:
    type: bool
    question: Are you ready?
  parts:
    type: int
    question: How many parts?
rules:
  - id: go_when_ready
    when: parts >= 2and ready
    decide: go
    rationale: Being ready is enough.
    cite:
      source: guide
      section: Basics
"""


def test_a_condition_the_parser_warns_about_loads_without_a_warning(tmp_path: Path) -> None:
    """`parts >= 2and ready` loads and evaluates (as `parts >= 2 and ready`) without any
    warning escaping, even with every warning turned into an error (as pytest does here)."""
    path = tmp_path / "warn.yaml"
    path.write_text(WARNING_PACK, encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        engine = orr.Engine.from_paths(path, backend="python")
    assert caught == []
    advice = engine.evaluate({"ready": True, "parts": 3})
    assert advice.decision is not None and advice.decision.id == "go"


def test_the_parser_warning_is_a_lint_warning_at_the_rule(tmp_path: Path) -> None:
    """`outreach-rules check` reports the parser's warning with the file, line and column
    of the condition and the rule's id."""
    path = tmp_path / "warn.yaml"
    path.write_text(WARNING_PACK, encoding="utf-8")
    report = lint_paths([path])
    assert [problem.render().splitlines()[0] for problem in report.warnings] == [
        (
            f"{path}:21:11: rule 'go_when_ready': Python's parser warns about this condition: "
            "invalid decimal literal"
        )
    ]
    assert [problem.code for problem in report.warnings] == ["parser-warning"]
    assert report.errors == []


def test_the_docs_quote_the_in_process_batch_threshold_of_the_code() -> None:
    """Every place in the docs that names `_batch.IN_PROCESS_BELOW` gives its value."""
    quoted = re.compile(r"fewer than ([\d,]+) situations,? \(?`_batch\.IN_PROCESS_BELOW`")
    found = [
        (page.name, number)
        for page in sorted(DOCS.glob("*.md"))
        for number in quoted.findall(" ".join(page.read_text(encoding="utf-8").split()))
    ]
    assert {name for name, _ in found} >= {"embedding.md", "performance.md"}
    assert {number for _, number in found} == {f"{_batch.IN_PROCESS_BELOW:,}"}
    mentions = sum(
        page.read_text(encoding="utf-8").count("IN_PROCESS_BELOW") for page in DOCS.glob("*.md")
    )
    assert mentions == len(found)
