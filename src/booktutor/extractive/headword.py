"""The head noun of the term a "What is X?" question asks about: 'topic' of 'a ROS 2 topic', 'twin' of
'a digital twin'. The words before it only say which one; a passage that uses them without the head
('Digital AI optimizes for accuracy', 'ROS 2 is middleware') is about something else."""

from __future__ import annotations

import re

from booktutor.extractive.scoring import asked_term
from booktutor.extractive.stated import CLASS_WORDS, MAX_SUBJECT_WORDS
from booktutor.extractive.text import COUNT, content_terms

_TERM_END = re.compile(r"\s+(?:of|in|for|on|at|with|when|and|or|between|used|mean|do|does)\b|[?,;:!.(]", re.I)
"""Where the asked term ends: 'the principal point' of 'the principal point of a camera'."""


def modified_head(question: str) -> tuple[str, str]:
    """The words before the asked term's head noun and the head, as asked (("ROS 2", "topic") of "What is a
    ROS 2 topic?"); ('', '') when X is one word, not a term ("the three parts", "the main steps"), or its
    other words are not content words."""
    term = _TERM_END.split(asked_term(question), maxsplit=1)[0]
    words = term.split()
    if not 2 <= len(words) <= MAX_SUBJECT_WORDS or CLASS_WORDS.search(term) or COUNT.fullmatch(words[0]):
        return "", ""
    modifiers, head = " ".join(words[:-1]), words[-1]
    if not content_terms(head) or not content_terms(modifiers):
        return "", ""
    return modifiers, head


def head_terms(question: str) -> frozenset[str]:
    """The stemmed head noun of a modified term ('topic' of 'a ROS 2 topic'); empty without modifiers."""
    return content_terms(modified_head(question)[1])
