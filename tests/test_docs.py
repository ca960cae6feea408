"""The README's example runs and prints what the README says it prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_readme_example_prints_what_it_claims() -> None:
    """The ten-line example's commented outputs match a real run."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", readme, re.DOTALL)
    assert code is not None
    run = subprocess.run(
        [sys.executable, "-c", code.group(1)], capture_output=True, text=True, check=True
    )
    first_line = run.stdout.splitlines()[0]
    assert first_line == "ask_recruiter ask_recruiter_first"
    assert "contact_interviewer was not reached" in run.stdout


def test_cli_advise_prints_the_decision_and_a_draft() -> None:
    """`outreach-rules advise` on the example situation shows the decision (in words: the
    summary has no ids) and the filled draft."""
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "outreach_rules.cli",
            "advise",
            str(ROOT / "examples" / "situation.yaml"),
            "--today",
            "2026-03-02",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.startswith("Decision: Contact the interviewer. Because ")
    assert "contact_interviewer" not in run.stdout
    assert "Subject: Preparation for Upcoming Interview on Friday, March 6" in run.stdout
