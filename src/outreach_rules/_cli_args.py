"""The argument types of the command line: dates, situation files and pack paths.

Each checks its argument before any command runs, so a mistake is reported by argparse as
one line naming the argument, with exit status 2 (`EXIT_USAGE`).
"""

from __future__ import annotations

import argparse
import datetime
import os
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
PACK_SUFFIXES = (".yaml", ".yml")


def iso_date(text: str) -> datetime.date:
    """A date written YYYY-MM-DD."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-03-02"
        ) from None


def situation_path(text: str) -> str:
    """A readable situation file, or '-' for standard input."""
    if text == "-":
        return text
    return _readable_file(text, "situation file")


def pack_path(text: str) -> str:
    """A readable pack file, or a folder that holds *.yaml or *.yml files."""
    path = Path(text)
    if not path.is_dir():
        return _readable_file(text, "pack file")
    if not os.access(path, os.R_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"cannot read the folder '{text}': permission denied")
    if not any(entry.suffix in PACK_SUFFIXES for entry in path.iterdir()):
        raise argparse.ArgumentTypeError(f"no pack files (*.yaml, *.yml) in the folder '{text}'")
    return text


def case_path(text: str) -> str:
    """A readable case file, or a folder."""
    return text if Path(text).is_dir() else _readable_file(text, "case file")


def _readable_file(text: str, kind: str) -> str:
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such {kind}: '{text}'")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"'{text}' is a folder, not a {kind}")
    if not os.access(path, os.R_OK):
        raise argparse.ArgumentTypeError(f"cannot read the {kind} '{text}': permission denied")
    return text
