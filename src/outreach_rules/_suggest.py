"""Did-you-mean suggestions for every lookup of a name."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def suggest(name: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """Known names close to `name`, closest first (case-insensitive, prefix-aware)."""
    candidates = sorted(set(known))
    lowered = {candidate.lower(): candidate for candidate in candidates}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=limit, cutoff=0.6)
    found = [lowered[match] for match in close]
    if not found and len(name) >= 3:
        found = [c for c in candidates if c.lower().startswith(name.lower())][:limit]
    return found
