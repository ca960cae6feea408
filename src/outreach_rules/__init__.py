"""outreach_rules: written career advice as explainable rules.

import outreach_rules as orr
engine = orr.Engine.default()
advice = engine.evaluate({"spoke_with_recruiter": True})
"""

from ._advice import Advice, WhyNot
from ._engine import Engine
from ._model import (
    Assumption,
    Choice,
    Citation,
    ConditionTrace,
    Decision,
    DerivedTrace,
    Draft,
    Finding,
    PackInfo,
    Question,
    Reason,
    Recommendation,
    RulebookInfo,
    RuleTrace,
    Summary,
    SummaryDecision,
    SummaryFinding,
    SummaryQuestion,
    Trace,
)
from ._writers import WriteReport
from .errors import (
    EvaluationError,
    OutreachRulesError,
    Problem,
    RulebookError,
    SituationError,
    SituationFailedError,
    SituationProblem,
)

__version__ = "0.1.0"

__all__ = [
    "Advice",
    "Assumption",
    "Choice",
    "Citation",
    "ConditionTrace",
    "Decision",
    "DerivedTrace",
    "Draft",
    "Engine",
    "EvaluationError",
    "Finding",
    "OutreachRulesError",
    "PackInfo",
    "Problem",
    "Question",
    "Reason",
    "Recommendation",
    "RuleTrace",
    "RulebookError",
    "RulebookInfo",
    "SituationError",
    "SituationFailedError",
    "SituationProblem",
    "Summary",
    "SummaryDecision",
    "SummaryFinding",
    "SummaryQuestion",
    "Trace",
    "WhyNot",
    "WriteReport",
    "__version__",
]
