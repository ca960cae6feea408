"""The built wheel ships the bundled packs, so Engine.default() works from an installed package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "-w",
        str(out),
        str(ROOT),
    ]
    subprocess.run(command, check=True, capture_output=True)
    return next(out.glob("outreach_rules-*.whl"))


def test_wheel_contains_the_bundled_packs(wheel: Path) -> None:
    """Every pack file under rules/ is inside the wheel, next to the package's py.typed."""
    names = set(zipfile.ZipFile(wheel).namelist())
    for pack in (ROOT / "rules").glob("*.yaml"):
        assert f"outreach_rules/_packs/{pack.name}" in names
    assert "outreach_rules/py.typed" in names


def test_default_engine_runs_from_the_unpacked_wheel(wheel: Path, tmp_path: Path) -> None:
    """Imported from the wheel (not the checkout), Engine.default() finds its packs and advises."""
    zipfile.ZipFile(wheel).extractall(tmp_path)
    script = (
        "import datetime, outreach_rules as orr\n"
        "print(orr.__file__)\n"
        "advice = orr.Engine.default().evaluate({'spoke_with_recruiter': True, "
        "'reviewed_job_description': True, 'researched_role_holders': True}, "
        "today=datetime.date(2026, 3, 2))\n"
        "print(advice.decision.id)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    location, decision = run.stdout.split()
    assert location.startswith(str(tmp_path))
    assert decision == "ask_recruiter"
