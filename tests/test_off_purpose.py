"""The off-purpose checks of the bundled pack, on realistic sentences.

Each check is `matching_count(text, params.off_purpose_exceptions, params.<terms>)` with the
pack's own term lists, so these tests protect both the text feature and the default lists:
every positive sentence must be caught, and every negative one (near misses included) must
not be.
"""

from __future__ import annotations

import pytest

import outreach_rules as orr
from outreach_rules._text import matching_count, unfit_questions, usable_questions

PARAMS = orr.Engine.default(backend="python").params
EXCEPTIONS = PARAMS["off_purpose_exceptions"]

CASES: dict[str, tuple[list[str], list[str]]] = {
    "compensation_terms": (
        [
            "What is the salary range for this role?",
            "Could you tell me what the role pays?",
            "How much does the position pay per year?",
            "I would also like to know more about the benefits package.",
            "Is there an annual bonus for this position?",
            "Does the company offer stock options or equity?",
            "How many vacation days come with the role?",
            "Is relocation covered by a relocation package?",
            "My salary expectations are around 90,000.",
            "Could we discuss compensation before the interview?",
            "Is the pay band for this level fixed?",
            "What pension contributions does the company make?",
        ],
        [
            "Will I be working closely with the salary data team?",
            "Is there a specific format or structuring I should be aware of for the interview?",
            "Are there particular skills or experiences you recommend I focus on?",
            "Should I pay attention to any particular part of the job description?",
            "I want to make sure my preparation pays off on the day.",
            "Would examples from my work on the benefits of automation be relevant?",
            "Does the role report to the compensation analyst lead or to the finance director?",
            "Is experience in equity research important for this team?",
            "Which questions about the role's format should I think through beforehand?",
            "How does the team measure success in the first six months?",
            "I appreciate the opportunity to interview for the position.",
        ],
    ),
    "advance_terms": (
        [
            "Could you send me the interview questions in advance?",
            "Can you send me the list of questions before Friday?",
            "Would it be possible to see the questions ahead of time?",
            "Could you share the questions with me so I can prepare?",
            "Is there a list of interview questions I could look at?",
            "May I have the questions beforehand?",
            "What questions will you ask me on Friday?",
            "Could you tell me the exact questions for the technical round?",
            "Are there model answers I should learn?",
            "Could you share the answers to the case study questions?",
            "Which questions you will ask would help me a lot.",
        ],
        [
            "Are there particular skills or experiences you recommend I focus on?",
            "Is there a specific format or structuring I should be aware of for the interview?",
            "I have a few questions about the role's format.",
            "Should I prepare some questions in advance for the panel?",
            "Could I send you a few questions about how to prepare?",
            "What kinds of topics would be most useful to review?",
            "Will the interview include a practical exercise?",
            "How long will each part of the interview take?",
            "Which tools does the team use every day?",
            "I look forward to answering your questions on Friday.",
        ],
    ),
    "competition_terms": (
        [
            "How many other candidates are you interviewing?",
            "How many applicants made it to this stage?",
            "What are my chances of getting the role?",
            "Am I on the shortlist for the final round?",
            "Is there an internal candidate for this position?",
            "Where do I stand compared to the others?",
            "How do I compare with the other applicants?",
            "Is anyone already the frontrunner for this role?",
            "How many people are you interviewing this week?",
            "I would like to know what my odds are.",
        ],
        [
            "What would make a candidate stand out for this role?",
            "Are there particular skills or experiences you recommend I focus on?",
            "Will I meet other members of the team during the interview?",
            "How many people are on the analytics team?",
            "Is there a chance to meet the team after the interview?",
            "Which projects would the new hire work on first?",
            "What does the candidate experience team own?",
            "Is there a specific format or structuring I should be aware of for the interview?",
            "How does this role compare to the analyst roles in other departments?",
            "Which other teams does this role work with most?",
        ],
    ),
    "flattery_terms": (
        [
            "You are truly the best leader in the industry.",
            "I think you're amazing and I have followed your career for years.",
            "You are the best manager in the industry, everyone says so.",
            "I am a huge fan of you and your talks.",
            "I really admire you and everything you have built.",
            "You have been my role model since university.",
            "You are a legend in the analytics world.",
            "Your profile photo shows your smile, which I love.",
            "You are a visionary and an inspiring leader.",
            "You are brilliant, so I know the interview will be great.",
        ],
        [
            "Thank you for the opportunity to interview for the position.",
            "What is the best way to prepare in the time I have?",
            "Are there particular skills or experiences you recommend I focus on?",
            "I admire the team's recent work on the forecasting platform.",
            "What do you look for in a candidate for this role?",
            "Is there a specific format or structuring I should be aware of for the interview?",
            "I appreciate any guidance you can provide.",
            "I am looking forward to our interview on Friday.",
            "Which leadership skills matter most in this role?",
            "I enjoyed reading the team's article on data quality.",
        ],
    ),
    "pressure_terms": (
        [
            "Please reply ASAP.",
            "I need an answer by tomorrow.",
            "Could you get back to me as soon as possible?",
            "Please respond by the end of the day.",
            "This is urgent, so please answer right away.",
            "If I don't hear back by Thursday I will call you.",
            "Please reply by Wednesday at noon.",
            "I expect a reply within 24 hours.",
            "Kindly answer by EOD.",
            "Please send your answer no later than Monday.",
        ],
        [
            "I am available immediately after the interview for any follow-up.",
            "Are there particular skills or experiences you recommend I focus on?",
            "I could start right away if that suits the team.",
            "Thank you for your time; I appreciate any guidance you can provide.",
            "Is there a deadline for the take-home exercise?",
            "I am looking forward to our interview on Friday.",
            "Is there a specific format or structuring I should be aware of for the interview?",
            "Any guidance, whenever convenient, would be very welcome.",
            "I have worked in urgent care analytics for three years.",
            "How soon would the new hire start on the first project?",
        ],
    ),
    "attachment_terms": (
        [
            "I have attached my CV again for your convenience.",
            "Please find my updated resume below.",
            "I am resending my application documents.",
            "Attached is my portfolio of recent dashboards.",
            "I have enclosed a copy of my cover letter.",
            "Let me re-send my CV in case it got lost.",
            "You will find my references in the attachment.",
            "Here is my transcript from university.",
            "I am attaching two writing samples.",
            "In case you need it, here is my résumé.",
        ],
        [
            "Should I bring my portfolio to the interview?",
            "Should I bring a printed copy of my CV?",
            "Are there particular skills or experiences you recommend I focus on?",
            "Is there a specific format or structuring I should be aware of for the interview?",
            "How is the team attached to the product group organised?",
            "Which of the projects on the job description matter most?",
            "Will the interview include a review of past work?",
            "I am looking forward to our interview on Friday.",
            "Thank you for the opportunity to interview for the position.",
            "Would a walk-through of a past project be useful?",
        ],
    ),
}

POSITIVE = [(name, text) for name, (found, _) in CASES.items() for text in found]
NEGATIVE = [(name, text) for name, (_, clean) in CASES.items() for text in clean]


@pytest.mark.parametrize(("terms", "sentence"), POSITIVE)
def test_off_purpose_sentence_is_caught(terms: str, sentence: str) -> None:
    """Each realistic off-purpose sentence is matched by its category's default terms."""
    assert matching_count(sentence, EXCEPTIONS, PARAMS[terms]) == 1


@pytest.mark.parametrize(("terms", "sentence"), NEGATIVE)
def test_near_miss_is_not_caught(terms: str, sentence: str) -> None:
    """A sentence on purpose (many of them near misses) is not matched by the category."""
    assert matching_count(sentence, EXCEPTIONS, PARAMS[terms]) == 0


def test_every_check_has_ten_of_each() -> None:
    """Every off-purpose category is tried on at least ten sentences each way."""
    assert all(len(found) >= 10 and len(clean) >= 10 for found, clean in CASES.values())


def test_matching_count_counts_sentences_not_matches() -> None:
    """Two terms in one sentence count once; a text counts its matching sentences."""
    text = "What is the salary and the bonus? Thank you.\nIs there a pension?"
    assert matching_count(text, [], ["salary", "bonus", "pension"]) == 2


def test_gap_spans_at_most_three_words() -> None:
    """`*` stands for up to three words, no more."""
    assert matching_count("send me the interview questions", [], ["send me * questions"]) == 1
    assert matching_count("send me all of the questions", [], ["send me * questions"]) == 1
    long = "send me some of your favourite questions"
    assert matching_count(long, [], ["send me * questions"]) == 0


def test_exception_masks_only_what_it_covers() -> None:
    """An exception cancels a match it covers, not another match in the same sentence."""
    assert matching_count("the salary data team", ["salary data"], ["salary"]) == 0
    text = "the salary data team and the salary"
    assert matching_count(text, ["salary data"], ["salary"]) == 1


def test_list_items_are_counted_one_each() -> None:
    """For a list, each item that matches counts once."""
    items = ["What is the salary?", "Which tools matter most for the team?", "Any bonus?"]
    assert matching_count(items, [], ["salary", "bonus"]) == 2


EXAMPLES = PARAMS["example_questions"]
BLOCKED = [
    PARAMS[name]
    for name in (
        "compensation_terms",
        "advance_terms",
        "competition_terms",
        "flattery_terms",
        "pressure_terms",
        "attachment_terms",
        "slang_words",
        "template_placeholders",
    )
]


def usable(questions: list[str], limit: int = 3) -> list[str]:
    return usable_questions(
        questions, limit, 20, EXAMPLES, PARAMS["generic_questions"], EXCEPTIONS, *BLOCKED
    )


def test_usable_questions_drop_off_purpose_and_replace_vague() -> None:
    """Off-purpose questions are left out; a fragment is replaced by an example question."""
    asked = usable(
        [
            "What is the salary range for this role?",
            "any tips?",
            "Which reporting tools does the team use every day",
        ]
    )
    assert asked == ["Which reporting tools does the team use every day?", EXAMPLES[0]]


def test_usable_questions_are_asked_as_sentences() -> None:
    """A question typed in lower case or without its mark is asked with a capital first
    letter and one question mark, after a Spanish opening mark."""
    asked = usable(
        [
            "which reporting tools does the team use every day",
            "¿qué herramientas de informes usa el equipo a diario?",
        ]
    )
    assert asked == [
        "Which reporting tools does the team use every day?",
        "¿Qué herramientas de informes usa el equipo a diario?",
    ]


def test_usable_questions_fall_back_to_the_examples() -> None:
    """With nothing usable listed, the article's example questions are asked."""
    assert usable(["salary?", "How many other candidates are there?"]) == EXAMPLES
    assert usable([]) == EXAMPLES


def test_usable_questions_obey_the_limit() -> None:
    """No more questions than the limit, in the order listed."""
    listed = [f"Which of the {n} main projects matters most to the team?" for n in range(5)]
    assert usable(listed, limit=1) == [listed[0]]
    assert usable(listed, limit=3) == listed[:3]


def test_unfit_questions_name_the_replaced_ones() -> None:
    """unfit_questions lists exactly the questions usable_questions replaces."""
    listed = ["any tips?", "WHAT IS THE FORMAT of the interview exactly?", "salary?"]
    unfit = unfit_questions(listed, 20, PARAMS["generic_questions"], EXCEPTIONS, *BLOCKED)
    assert unfit == ["any tips?", "WHAT IS THE FORMAT of the interview exactly?"]
