"""The summary: what a candidate reads first, as data (`Advice.summary()`) and as text.

The decision (or the provisional one, with what it is provided on) and why in one
sentence; the findings on the candidate's own draft; the few most important actions; the
draft; the open questions. Only words: no rule ids, derived-fact names or formulas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._catalog import word
from ._explain import NO_DECISION, decision_line, joined
from ._model import Summary, SummaryDecision, SummaryFinding, SummaryQuestion
from ._writer import Writer

if TYPE_CHECKING:
    from ._advice import Advice

MAX_ACTIONS = 3


def _decision(advice: Advice) -> SummaryDecision | None:
    decision = advice.decision or advice.provisional
    if decision is None:
        return None
    assumed = {item.fact for item in advice.assuming}
    because = [r.text or r.condition for r in decision.because if r.fact not in assumed]
    return SummaryDecision(
        id=decision.id,
        title=decision.title or decision.id,
        provisional=advice.decision is None,
        provided_that=[item.text for item in advice.assuming],
        because=list(dict.fromkeys(because)),
    )


def summarize(advice: Advice) -> Summary:
    """The summary of an advice; for a provisional decision, the actions and the draft are
    those that apply if its assumptions hold."""
    if_so = advice.decision is None and advice.provisional is not None
    actions = advice.provisional_recommendations if if_so else advice.recommendations
    return Summary(
        decision=_decision(advice),
        actions=[item.text for item in actions[:MAX_ACTIONS]],
        findings=[SummaryFinding(severity=f.severity, text=f.text) for f in advice.findings],
        draft=advice.provisional_draft if if_so else advice.draft,
        questions=[
            SummaryQuestion(
                fact=q.fact,
                prompt=q.prompt,
                type=q.type,
                choices=q.choices,
                changes_decision=q.changes_decision,
            )
            for q in advice.questions
        ],
        locale=advice.locale,
    )


def _sentence(parts: list[str], locale: str | None) -> str:
    """`Because a, b and c.`"""
    return f"{word(locale, 'Because')} {joined(parts, locale)}."


def render_summary(advice: Advice, markdown: bool) -> str:
    """The summary as text (wrapped at 100 columns) or Markdown."""
    summary, locale = summarize(advice), advice.locale
    out = Writer(markdown)
    line = decision_line(advice)
    if summary.decision is None or line is None:
        out.paragraph(word(locale, NO_DECISION))
    else:
        because = summary.decision.because
        why = _sentence(because, locale) if because else ""
        out.paragraph(f"{line}. {why}", strong=word(locale, "Decision:"))
    if summary.findings:
        out.heading(word(locale, "On your draft"))
        for finding in summary.findings:
            out.item(finding.text)
    provisional = summary.decision is not None and summary.decision.provisional
    if_so = word(locale, ", if so") if provisional else ""
    if summary.actions:
        out.heading(word(locale, "What to do") + if_so)
        for number, action in enumerate(summary.actions, 1):
            out.item(action, number=number)
    if summary.draft is not None:
        channel = word(locale, summary.draft.channel)
        out.heading(f"{word(locale, 'Draft')} ({channel}){if_so}")
        out.message(summary.draft.subject, summary.draft.body, word(locale, "Subject:"))
    if summary.questions:
        out.heading(word(locale, "Open questions"))
        for question in summary.questions:
            labels = " / ".join(choice.label for choice in question.choices or [])
            out.item(question.prompt + (f" ({labels})" if labels else ""))
    return out.text()
