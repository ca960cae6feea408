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
    """Every pack file under rules/ is inside the wheel, next to the package's py.typed and
    the list of its templates known to pass the check."""
    names = set(zipfile.ZipFile(wheel).namelist())
    for pack in (ROOT / "rules").glob("*.yaml"):
        assert f"outreach_rules/_packs/{pack.name}" in names
    assert "outreach_rules/py.typed" in names
    assert "outreach_rules/known-templates.txt" in names  # the bundled templates, checked


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


def test_wheel_metadata_is_complete(wheel: Path) -> None:
    """The wheel's metadata carries the package's one version, the license and its file,
    the authors, classifiers and project URLs that a package index shows."""
    import outreach_rules as orr

    archive = zipfile.ZipFile(wheel)
    [metadata_name] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    metadata = archive.read(metadata_name).decode("utf-8")
    headers = metadata.split("\n\n", 1)[0].splitlines()
    assert f"Version: {orr.__version__}" in headers
    assert wheel.name.startswith(f"outreach_rules-{orr.__version__}-")
    assert any(line.startswith("License-") and "MIT" in line for line in headers), headers
    assert "Author: The outreach_rules authors" in headers
    assert "Classifier: Typing :: Typed" in headers
    urls = [
        line.removeprefix("Project-URL: ") for line in headers if line.startswith("Project-URL")
    ]
    assert {url.split(",")[0] for url in urls} >= {"Homepage", "Documentation", "Repository"}
    assert any(name.endswith("/LICENSE") for name in archive.namelist())


def test_the_version_is_written_once() -> None:
    """pyproject.toml takes the version from the package (`dynamic`), so the two cannot
    drift apart."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/outreach_rules/__init__.py"


def test_readme_links_work_on_a_package_index() -> None:
    """The README is the package index's project page: its links are absolute, and each
    link into the repository names a file that exists in it."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)]+)\)", readme)
    assert targets
    assert all(target.startswith("https://") for target in targets), targets
    prefix = "https://github.com/outreach-rules/outreach-rules/blob/main/"
    inside = [target.removeprefix(prefix) for target in targets if target.startswith(prefix)]
    assert len(inside) >= 10
    assert [path for path in inside if not (ROOT / path).is_file()] == []
