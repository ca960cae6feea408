"""mkdocs hook: links from a page to repository files outside docs/.

The Markdown pages are also read on the repository's web view, where a link such as
`[rules/interview-outreach.yaml](../rules/interview-outreach.yaml)` works; in the built
site the target does not exist and strict mode would fail. This hook keeps such links
checked without breaking the site: a link whose target lies outside docs/ must exist in
the repository (otherwise it is a warning, which fails a strict build); it then points at
the file in the repository's web view when `repo_url` is set, and becomes its plain text
otherwise. Links inside code are left alone.
"""

from __future__ import annotations

import logging
import posixpath
import re
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.plugins.repo_links")

_LINK = re.compile(
    r"(?<!!)\[(?P<text>[^\]\n]+)\]\((?P<target>\.\./[^)\s#]+)(?P<anchor>#[^)\s]*)?\)"
)
_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:  # noqa: ARG001
    docs = Path(config["docs_dir"]).resolve()
    root = Path(config["config_file_path"]).resolve().parent
    page_dir = posixpath.dirname(page.file.src_uri)
    repo_url = (config.get("repo_url") or "").rstrip("/")

    def rewrite(match: re.Match[str]) -> str:
        target = match.group("target")
        path = (docs / page_dir / target).resolve()
        if path.is_relative_to(docs):
            return match.group(0)  # a page of the site: mkdocs checks it
        if not path.is_relative_to(root) or not path.exists():
            log.warning(
                "Doc file '%s' links to '%s', which is not a file of the repository",
                page.file.src_uri,
                target,
            )
            return match.group(0)
        if not repo_url:
            return match.group("text")
        relative = path.relative_to(root).as_posix()
        kind = "tree" if path.is_dir() else "blob"
        return f"[{match.group('text')}]({repo_url}/{kind}/main/{relative})"

    pieces: list[str] = []
    last = 0
    for fence in _FENCE.finditer(markdown):
        pieces.append(_LINK.sub(rewrite, markdown[last : fence.start()]))
        pieces.append(fence.group(0))
        last = fence.end()
    pieces.append(_LINK.sub(rewrite, markdown[last:]))
    return "".join(pieces)
