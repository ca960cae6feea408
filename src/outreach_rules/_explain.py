"""Readable renderings of Advice and of why-not answers (plain text and Markdown).

Three levels: `summary` (`_summary.py`: what a candidate reads), `full` (every reason,
rationale and source, in words, with the how-to advice grouped under its decision) and
`trace` (the engine's view: rule ids, how derived facts were set or computed, every rule).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._catalog import word
from ._writer import Writer

if TYPE_CHECKING:
    from ._advice import Advice, WhyNot
    from ._model import Assumption, Citation, Decision, Draft, Reason, Recommendation


def reason_text(reason: Reason) -> str:
    """One reason in words (its condition in code form when the pack gives no words)."""
    return reason.text or reason.condition


def cite_text(cite: Citation, locale: str | None = None) -> str:
    """A citation as `title, "section"` (marked when it is the pack's own guidance)."""
    own = " (" + word(locale, "the pack's own guidance") + ")" if cite.own else ""
    return f'{cite.title}, "{cite.section}"{own}'


def joined(parts: list[str], locale: str | None = None) -> str:
    """`a, b and c`, in the locale's words."""
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {word(locale, 'and')} " + parts[-1]


def provided_that(assuming: list[Assumption], locale: str | None = None) -> str:
    """`provided that a, b and c`: the assumptions a provisional decision rests on."""
    said = [item.text or f"{item.fact} is {item.value}" for item in assuming]
    return f"{word(locale, 'provided that')} {joined(said, locale)}"


def decision_line(advice: Advice) -> str | None:
    """`Title`, or `Title — provided that ...` for a provisional decision; None if neither."""
    if advice.decision is not None:
        return advice.decision.title or advice.decision.id
    if advice.provisional is not None:
        title = advice.provisional.title or advice.provisional.id
        return f"{title} — {provided_that(advice.assuming, advice.locale)}"
    return None


def render(advice: Advice, level: str, markdown: bool) -> str:
    """The advice at a level of detail, as text or Markdown."""
    if level == "summary":
        from ._summary import render_summary  # noqa: PLC0415 - the summary imports this module

        return render_summary(advice, markdown)
    out = Writer(markdown)
    if level == "full":
        _full(out, advice)
    else:
        _trace(out, advice)
    return out.text()


# ---------------------------------------------------------------- full
def _chain(
    out: Writer, reasons: list[Reason], depth: int, lead: str, locale: str | None = None
) -> None:
    """Reasons in words, each followed by the reasons of the rule that set its fact."""
    for reason in reasons:
        out.item(f"{word(locale, lead)} {reason_text(reason)}", depth)
        _chain(out, reason.because, depth + 1, "as", locale)


def follows_from(item: Recommendation, decision: Decision | None) -> bool:
    """Whether a recommendation is how-to advice of the decision: given by the deciding
    rule, or by a rule that reads a fact the deciding rule set (directly, or through a
    chain of derived facts)."""
    if decision is None:
        return False
    return item.rule_id == decision.rule_id or any(
        rests_on(reason, decision.rule_id) for reason in item.because
    )


def rests_on(reason: Reason, rule_id: str) -> bool:
    """Whether a reason's fact was set by the rule, or by a rule whose reasons rest on it."""
    return reason.set_by == rule_id or any(rests_on(inner, rule_id) for inner in reason.because)


def _full(out: Writer, advice: Advice) -> None:
    decision, locale = advice.decision or advice.provisional, advice.locale
    out.heading(word(locale, "Decision"))
    line = decision_line(advice)
    if decision is None or line is None:
        out.paragraph(word(locale, NO_DECISION))
    else:
        out.paragraph(line)
        shown = {item.fact for item in advice.assuming}
        reasons = [r for r in decision.because if r.fact not in shown]
        _chain(out, reasons, 0, "because", locale)
        _why_and_source(out, decision.rationale, decision.source, 0, locale)
        for loser in advice.alternatives:
            out.item(f"{word(locale, 'also proposed, and outranked:')} {loser.title or loser.id}")
    # A provisional decision's how-to advice is that of the evaluation on its assumptions.
    if_so = word(locale, ", if so") if advice.decision is None and advice.provisional else ""
    pool = advice.provisional_recommendations if if_so else advice.recommendations
    how = [item for item in pool if follows_from(item, decision)]
    led = {item.rule_id for item in how}
    other = [item for item in advice.recommendations if item.rule_id not in led]
    said = _texts(decision.because) if decision is not None else set()
    said |= {item.text for item in advice.assuming}
    items = _Items(out, said, locale)
    items.show(word(locale, "How to go about it") + if_so, how, decision)
    items.show(word(locale, "Other advice" if how else "Recommendations"), other, None)
    items.show(word(locale, "Findings on your draft"), advice.findings, None)
    _questions(out, advice)
    _draft(out, advice.provisional_draft if if_so else advice.draft, if_so, locale)


NO_DECISION = "No decision yet: the answers to the questions below decide it."


def _why_and_source(
    out: Writer, rationale: str, source: Citation | None, depth: int, locale: str | None
) -> None:
    out.item(f"{word(locale, 'why:')} {rationale}", depth)
    if source is not None:
        out.item(f"{word(locale, 'source:')} {cite_text(source, locale)}", depth)


def _texts(reasons: list[Reason]) -> set[str]:
    """The words of every reason in a tree of reasons."""
    return {reason.text for reason in reasons} | {
        text for reason in reasons for text in _texts(reason.because)
    }


def _already_said(reason: Reason, said: set[str]) -> bool:
    """Whether the decision's reasons already say this reason, or everything it rests on:
    a guard such as "nothing rules out contacting the interviewer" is then not repeated
    under every item."""
    if reason.text in said:
        return True
    return bool(reason.because) and all(_already_said(inner, said) for inner in reason.because)


class _Items:
    """Numbered recommendations or findings, each with the reasons, rationale and source
    that the decision above has not already given."""

    def __init__(self, out: Writer, said: set[str], locale: str | None) -> None:
        self.out, self.said, self.locale = out, said, locale

    def show(self, title: str, items: list[Any], decision: Decision | None) -> None:
        if not items:
            return
        self.out.heading(title)
        for number, item in enumerate(items, 1):
            self._item(number, item, decision)

    def _item(self, number: int, item: Any, decision: Decision | None) -> None:
        out, locale = self.out, self.locale
        severity = f"[{word(locale, item.severity)}] " if hasattr(item, "severity") else ""
        out.item(severity + item.text, number=number)
        if decision is not None and item.rule_id == decision.rule_id:
            return  # the decision's own advice: its reasons and source are shown above
        own = [
            reason
            for reason in item.because
            if not (decision is not None and rests_on(reason, decision.rule_id))
            and not _already_said(reason, self.said)
        ]
        _chain(out, own, 1, "because", locale)
        _why_and_source(out, item.rationale, item.source, 1, locale)


def _questions(out: Writer, advice: Advice, *, names: bool = False) -> None:
    if not advice.questions:
        return
    out.heading("Questions" if names else word(advice.locale, "Questions"))
    for question in advice.questions:
        out.item(f"{question.prompt} ({question.fact})" if names else question.prompt)


def _draft(out: Writer, draft: Draft | None, if_so: str = "", locale: str | None = None) -> None:
    if draft is not None:
        out.heading(f"{word(locale, 'Draft')} ({word(locale, draft.channel)}){if_so}")
        out.message(draft.subject, draft.body, word(locale, "Subject:"))


# ---------------------------------------------------------------- trace
def _because(out: Writer, reasons: list[Reason], depth: int, lead: str, *, chain: bool) -> None:
    for reason in reasons:
        out.item(f"{lead} {reason_text(reason)}", depth)
        if not chain:
            continue
        if reason.set_by:
            out.item(f"({reason.fact} was set by rule {reason.set_by})", depth + 1)
            _because(out, reason.because, depth + 2, "which holds because", chain=chain)
        elif reason.computed_from:
            out.item(f"({reason.fact} is computed as {reason.computed_from})", depth + 1)


def _trace(out: Writer, advice: Advice) -> None:
    out.heading("Decision")
    decision = advice.decision or advice.provisional
    if decision is None:
        out.paragraph("No decision yet: answer the questions below.")
    else:
        kind = "by rule" if advice.decision is not None else "provisional, by rule"
        out.paragraph(f"{decision.title or decision.id} ({decision.id}, {kind} {decision.rule_id})")
        for assumed in advice.assuming:
            out.item(f"assuming {assumed.fact} = {assumed.value!r}: {assumed.text}")
        _because(out, decision.because, 0, "because", chain=True)
        out.item("why: " + decision.rationale)
        if decision.source:
            out.item("source: " + cite_text(decision.source))
        for loser in advice.alternatives:
            out.item(
                f"also proposed: {loser.id} by {loser.rule_id} "
                f"(priority {loser.priority}), outranked"
            )
    for title, items in (
        ("Recommendations", advice.recommendations),
        ("Findings on your draft", advice.findings),
    ):
        if not items:
            continue
        out.heading(title)
        for number, item in enumerate(items, 1):
            severity = f"[{item.severity}] " if hasattr(item, "severity") else ""
            out.item(f"{severity}{item.text} ({item.rule_id})", number=number)
            _because(out, item.because, 1, "because", chain=False)
            out.item("why: " + item.rationale, 1)
            out.item("source: " + cite_text(item.source), 1)
    _questions(out, advice, names=True)
    _draft(out, advice.draft)
    if advice.trace is not None:
        out.heading("Rules")
        for rule in advice.trace.rules:
            mark = "fired" if rule.fired else "not fired"
            out.item(f"{rule.rule_id} (priority {rule.priority}): {mark}")


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
