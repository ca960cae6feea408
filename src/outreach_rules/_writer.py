"""Lines of readable output, as plain text wrapped at 100 columns or as CommonMark.

In text, headings are upper case and every line is wrapped with a hanging indent under
its bullet or number. In Markdown, headings are `##`, nested items are indented by four
spaces (deep enough for CommonMark under `1.` and for Python-Markdown alike), texts are
escaped so that a name such as `<b>` or `*x*` shows as typed, and a message is a fenced
block.
"""

from __future__ import annotations

import re
import textwrap

WIDTH = 100
_SPECIAL = re.compile(r"([\\`*\[\]<>&|])")
# An underscore between letters or digits never starts emphasis: `a_b` stays readable.
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
_LINE_START = re.compile(r"^(\s*)([#+=>-]|\d+[.)])")


def md_escape(text: str) -> str:
    """Text as CommonMark shows it literally: special characters escaped, and no list
    marker, heading or quote at its start."""
    text = _SPECIAL.sub(r"\\\1", " ".join(text.split()))
    text = _UNDERSCORE.sub(r"\\_", text)
    return _LINE_START.sub(lambda m: m.group(1) + _escape_start(m.group(2)), text)


def _escape_start(marker: str) -> str:
    if marker[0].isdigit():
        return marker[:-1] + "\\" + marker[-1]
    return "\\" + marker


def _wrap(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]


class Writer:
    """Collects the lines of one rendering."""

    def __init__(self, markdown: bool) -> None:
        self.markdown = markdown
        self.lines: list[str] = []

    def _gap(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def heading(self, text: str) -> None:
        self._gap()
        self.lines.append(f"## {md_escape(text)}" if self.markdown else text.upper())
        if self.markdown:
            self.lines.append("")

    def paragraph(self, text: str, *, strong: str = "") -> None:
        """A paragraph; `strong` is a lead-in shown in bold in Markdown."""
        if self.markdown:
            lead = f"**{md_escape(strong)}** " if strong else ""
            self._gap()
            self.lines.append((lead + md_escape(text)).rstrip())
            self.lines.append("")
        else:
            self.lines.extend(_wrap(" ".join(f"{strong} {text}".split()), "", ""))

    def item(self, text: str, depth: int = 0, number: int | None = None) -> None:
        """A bullet (or numbered item) at a nesting depth."""
        if self.markdown:
            pad = "    " * depth
            marker = f"{number}." if number is not None else "-"
            self.lines.append(f"{pad}{marker} {md_escape(text)}")
            return
        pad = "   " * depth
        marker = f"{number}. " if number is not None else "- "
        self.lines.extend(_wrap(" ".join(text.split()), pad + marker, pad + " " * len(marker)))

    def message(self, subject: str, body: str, label: str = "Subject:") -> None:
        """A message to send: the subject (after `label`, the word for it in the advice's
        language), then the body as it is (wrapped in text)."""
        if self.markdown:
            self._gap()
            self.lines.append(f"**{label}** {md_escape(subject)}")
            self.lines.append("")
            longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
            fence = "`" * max(3, longest + 1)
            self.lines.extend([f"{fence}text", *body.rstrip("\n").splitlines(), fence])
            return
        self.lines.extend(_wrap(f"{label} {subject}", "", "  "))
        self.lines.append("")
        for line in body.rstrip("\n").splitlines():
            bullet = re.match(r"^(\s*(?:[-*]|\d+[.)])\s+)", line)
            hang = " " * len(bullet.group(1)) if bullet else ""
            self.lines.extend(_wrap(line, "", hang) if line.strip() else [""])

    def text(self) -> str:
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n"
