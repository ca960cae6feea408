"""Every example in docs/*.md runs, and shows what it claims.

- Each ```python block (unless the line before it is `<!-- skip-test -->`) runs in a fresh
  interpreter from the repository root and must exit 0. A line ending in `# -> TEXT`, or a
  line `# -> TEXT` of its own, claims TEXT as a line of its output: the claimed lines must
  appear in the output, in order. A ```text block right after `<!-- expected-output -->`
  that follows a python block is that block's whole output.
- A block that needs an optional package that is not installed (FastAPI, say) is skipped,
  with the reason.
- The condition examples of docs/conditions.md (tables of `condition | result | note`) are
  evaluated on the facts and situation that page declares, on both backends, and must give
  the result the table shows; a `rejected` row must fail to load with the message shown.
- The site (mkdocs.yml) builds in strict mode, where mkdocs is installed.
"""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import outreach_rules as orr
from outreach_rules import _durable

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
TIMEOUT = 300

_FENCE = re.compile(r"^```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
_CLAIM = re.compile(r"#\s*->\s?(?P<text>.*)$")
_MISSING_MODULE = re.compile(r"^ModuleNotFoundError: No module named '([\w]+)", re.M)


@dataclass(frozen=True)
class Block:
    file: str
    line: int
    lang: str
    code: str
    marker: str  # the HTML comment on the line before the fence, or ""


def _blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1].strip()
        marker = before if before.startswith("<!--") else ""
        found.append(
            Block(
                path.name,
                text.count("\n", 0, match.start()) + 1,
                match.group("lang"),
                match.group("body"),
                marker,
            )
        )
    return found


def _examples() -> list[tuple[Block, Block | None]]:
    """Each python block to run, with the expected-output block that follows it, if any."""
    found = []
    for path in sorted(DOCS.glob("*.md")):
        blocks = _blocks(path)
        for index, block in enumerate(blocks):
            if block.lang != "python" or "skip-test" in block.marker:
                continue
            after = blocks[index + 1] if index + 1 < len(blocks) else None
            expected = after if after and "expected-output" in after.marker else None
            found.append((block, expected))
    return found


EXAMPLES = _examples()


def test_the_docs_have_python_examples() -> None:
    """The collection itself works: the docs hold examples in several pages."""
    assert len(EXAMPLES) >= 10
    assert len({block.file for block, _ in EXAMPLES}) >= 4


def _claims(code: str) -> list[str]:
    return [m.group("text").rstrip() for line in code.splitlines() if (m := _CLAIM.search(line))]


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip("\n").splitlines()]


@pytest.mark.parametrize(
    ("block", "expected"), EXAMPLES, ids=[f"{b.file}:{b.line}" for b, _ in EXAMPLES]
)
def test_docs_python_example_runs(block: Block, expected: Block | None) -> None:
    """The example runs without error and prints what the page says it prints."""
    run = subprocess.run(
        [sys.executable, "-c", block.code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    where = f"docs/{block.file}:{block.line}"
    missing = _MISSING_MODULE.search(run.stderr)
    if run.returncode != 0 and missing and missing.group(1) != "outreach_rules":
        pytest.skip(f"{where} needs {missing.group(1)}, which is not installed")
    assert run.returncode == 0, f"{where} failed:\n{run.stderr}"
    output = _lines(run.stdout)
    position = 0
    for claim in _claims(block.code):
        try:
            position = output.index(claim, position) + 1
        except ValueError:
            pytest.fail(f"{where}: expected the line {claim!r} in the output:\n{run.stdout}")
    if expected is not None:
        assert output == _lines(expected.code), (
            f"{where}: the output differs from the page's expected output:\n{run.stdout}"
        )


# ---------------------------------------------------------------- the condition tables
_ROW = re.compile(
    r"^\|\s*`(?P<cond>[^`]+)`\s*\|\s*(?P<result>true|false|unknown|rejected)\s*\|"
    r"(?P<note>.*)\|\s*$",
    re.M,
)
_RESULTS: dict[str, bool | None] = {"true": True, "false": False, "unknown": None}


@dataclass(frozen=True)
class Row:
    line: int
    condition: str
    result: str
    note: str


def _conditions_page() -> tuple[dict[str, Any], dict[str, Any], datetime.date, list[Row]]:
    path = DOCS / "conditions.md"
    blocks = {block.marker: block for block in _blocks(path) if block.marker}
    declared = yaml.safe_load(blocks["<!-- conditions-pack -->"].code)
    situation_block = next(b for m, b in blocks.items() if "conditions-situation" in m)
    today = re.search(r"today=(\S+)", situation_block.marker)
    assert today is not None
    situation = yaml.safe_load(situation_block.code)
    text = path.read_text(encoding="utf-8")
    rows = [
        Row(
            text.count("\n", 0, m.start()) + 1,
            m.group("cond"),
            m.group("result"),
            m.group("note").strip().strip("`"),
        )
        for m in _ROW.finditer(text)
    ]
    return declared, situation, datetime.date.fromisoformat(today.group(1)), rows


DECLARED, SITUATION, TODAY, ROWS = _conditions_page()
EVALUATED = [row for row in ROWS if row.result != "rejected"]
REJECTED = [row for row in ROWS if row.result == "rejected"]
BACKENDS = ["python", "durable"] if _durable.available() else ["python"]


def _pack(rows: list[Row]) -> dict[str, Any]:
    return {
        "pack": "condition-examples",
        "version": "1.0.0",
        "title": "The examples of docs/conditions.md",
        "sources": {"docs": {"title": "docs/conditions.md", "own": True, "sections": ["Rows"]}},
        **DECLARED,
        "rules": [
            {
                "id": f"row_{row.line}",
                "when": row.condition,
                "recommend": {"topic": "example", "text": f"line {row.line}"},
                "rationale": "A documented example.",
                "cite": {"source": "docs", "section": "Rows"},
            }
            for row in rows
        ],
    }


def _write(tmp_path: Path, rows: list[Row]) -> Path:
    path = tmp_path / "conditions.yaml"
    path.write_text(yaml.safe_dump(_pack(rows), allow_unicode=True), encoding="utf-8")
    return path


def test_the_conditions_page_documents_every_operator_and_function() -> None:
    """The tables cover each comparison, membership and logic operator and each function."""
    from outreach_rules._text import FUNCTIONS

    conditions = " ".join(row.condition for row in EVALUATED)
    for function in FUNCTIONS:
        assert f"{function}(" in conditions, f"no example of {function}()"
    for operator in ("==", "!=", "<", "<=", ">", ">=", " in ", " not in ", " and ", " or ", "not "):
        assert operator in conditions, f"no example of {operator.strip()}"
    assert {"true", "false", "unknown"} <= {row.result for row in EVALUATED}
    assert len(REJECTED) >= 10


@pytest.mark.parametrize("backend", BACKENDS)
def test_documented_conditions_give_the_documented_results(tmp_path: Path, backend: str) -> None:
    """Each example condition, as a rule, holds exactly as its table row says."""
    engine = orr.Engine.from_paths(_write(tmp_path, EVALUATED), backend=backend)  # type: ignore[arg-type]
    advice = engine.evaluate(SITUATION, today=TODAY)
    assert advice.trace is not None
    holds = {rule.rule_id: rule.holds for rule in advice.trace.rules}
    wrong = [
        f"conditions.md:{row.line}: `{row.condition}` is {holds[f'row_{row.line}']}, "
        f"the page says {row.result}"
        for row in EVALUATED
        if holds[f"row_{row.line}"] is not _RESULTS[row.result]
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("row", REJECTED, ids=[row.condition for row in REJECTED])
def test_documented_rejections_are_rejected_with_the_documented_message(
    tmp_path: Path, row: Row
) -> None:
    """A `rejected` example does not load, and the problem says what the page says."""
    with pytest.raises(orr.RulebookError) as raised:
        orr.Engine.from_paths(_write(tmp_path, [row]), backend="python")
    messages = [problem.message for problem in raised.value.problems]
    assert any(row.note in message for message in messages), (
        f"conditions.md:{row.line}: expected {row.note!r} in {messages}"
    )


# ---------------------------------------------------------------- the site
def test_the_site_builds_in_strict_mode(tmp_path: Path) -> None:
    """`mkdocs build --strict`: every page in the nav exists, no broken link or reference."""
    pytest.importorskip("mkdocs", reason="mkdocs is not installed (pip install -e '.[dev]')")
    pytest.importorskip("mkdocstrings", reason="mkdocstrings is not installed")
    pytest.importorskip("material", reason="mkdocs-material is not installed")
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "site" / "api" / "index.html").is_file()
    assert "outreach_rules.Engine.evaluate" in (tmp_path / "site" / "api" / "index.html").read_text(
        encoding="utf-8"
    )
