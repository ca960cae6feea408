"""Readable renderings of Advice and of why-not answers (plain text and Markdown)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .advice import Advice, WhyNot
    from .model import Citation, Reason

_HOLDS = {True: "yes", False: "no", None: "unknown"}


def _value(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def reason_text(reason: Reason) -> str:
    """One reason in words (its condition in code form when the pack gives no words)."""
    return reason.text or reason.condition


def _because(
    out: _Writer, reasons: list[Reason], depth: int, lead: str = "because", chain: bool = True
) -> None:
    for reason in reasons:
        out.item(f"{lead} {reason_text(reason)}", depth)
        if not chain:
            continue
        if reason.set_by:
            out.item(f"({reason.fact} was set by rule {reason.set_by})", depth + 1)
            _because(out, reason.because, depth + 2, "which holds because")
        elif reason.computed_from:
            out.item(f"({reason.fact} is computed as {reason.computed_from})", depth + 1)


def cite_text(cite: Citation) -> str:
    """A citation as `title, "section"` (marked when it is the pack's own guidance)."""
    own = " (the pack's own guidance)" if cite.own else ""
    return f'{cite.title}, "{cite.section}"{own}'


class _Writer:
    def __init__(self, markdown: bool) -> None:
        self.markdown = markdown
        self.lines: list[str] = []

    def heading(self, text: str) -> None:
        if self.lines:
            self.lines.append("")
        self.lines.append(f"## {text}" if self.markdown else text.upper())

    def item(self, text: str, depth: int = 0) -> None:
        pad = "  " * depth
        self.lines.append(f"{pad}- {text}")

    def text(self, text: str) -> None:
        self.lines.append(text)


def render_advice(advice: Advice, markdown: bool = False) -> str:
    """The whole advice: decision, recommendations, findings, questions and the draft."""
    out = _Writer(markdown)
    out.heading("Decision")
    if advice.decision is None:
        out.text("No decision yet: answer the questions below.")
    else:
        decision = advice.decision
        out.text(f"{decision.title or decision.id} ({decision.id}, by rule {decision.rule_id})")
        _because(out, decision.because, 0)
        out.item("why: " + decision.rationale)
        if decision.source:
            out.item("source: " + cite_text(decision.source))
        for loser in advice.alternatives:
            out.item(
                f"also proposed: {loser.id} by {loser.rule_id} "
                f"(priority {loser.priority}), outranked"
            )
    _items(out, "Recommendations", advice.recommendations)
    _items(out, "Findings on your draft", advice.findings)
    if advice.questions:
        out.heading("Questions")
        for question in advice.questions:
            out.item(f"{question.prompt} ({question.fact})")
    if advice.draft is not None:
        out.heading(f"Draft ({advice.draft.channel})")
        out.text(f"Subject: {advice.draft.subject}")
        out.text("")
        out.text(advice.draft.body)
    return "\n".join(out.lines) + "\n"


def _items(out: _Writer, title: str, items: list[Any]) -> None:
    if not items:
        return
    out.heading(title)
    for number, item in enumerate(items, 1):
        severity = f"[{item.severity}] " if hasattr(item, "severity") else ""
        out.text(f"{number}. {severity}{item.text}")
        _because(out, item.because, 1, chain=False)
        out.item("why: " + item.rationale, 1)
        out.item("source: " + cite_text(item.source), 1)


def render_why_not(answer: WhyNot) -> str:
    """A why-not answer as text."""
    if answer.outcome == "won":
        return f"{answer.target} won (rule {', '.join(answer.rules)})."
    if answer.outcome == "fired":
        return f"{answer.target} fired."
    lines: list[str] = []
    if answer.outcome == "lost" and answer.beaten_by is not None:
        beaten = answer.beaten_by
        lines.append(
            f"{answer.target} was proposed but lost to {beaten.id} "
            f"(rule {beaten.rule_id}, priority {beaten.priority})."
        )
        return "\n".join(lines)
    lines.append(f"{answer.target} was not reached (rules: {', '.join(answer.rules)}).")
    lines.extend(f"  needs {reason_text(r)}, which is not the case" for r in answer.failed)
    lines.extend(f"  needs {reason_text(r)}, which is not known yet" for r in answer.unknown)
    if answer.beaten_by is not None:
        beaten = answer.beaten_by
        lines.append(
            f"  instead, {beaten.id} won: rule {beaten.rule_id} (priority {beaten.priority})."
        )
    return "\n".join(lines)
