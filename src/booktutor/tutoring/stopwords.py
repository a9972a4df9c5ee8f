"""Function words the grading of a learner's answer skips: one list for `answer_checks` and `grading`.

Each of those adds a few words for its own job, named where it does. The other tutoring lists are
different on purpose and stay with their code: `imported` also skips the vocabulary of quiz prompts
(question, answer, true, false, ...), `prose` only the articles, pronouns and prepositions that cannot
make a defined term. Changing a list moves the calibrated grading results (docs/tutoring.md).
"""

from __future__ import annotations

FUNCTION_WORDS = frozenset(
    [
        "a",
        "also",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "in",
        "into",
        "is",
        "it",
        "its",
        "less",
        "more",
        "most",
        "must",
        "of",
        "on",
        "only",
        "or",
        "so",
        "than",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "this",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)
