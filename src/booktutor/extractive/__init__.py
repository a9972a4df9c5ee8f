"""The offline answer engine: grounded extractive answers that quote the book with [n] citations.

`compose_answer` turns a question and its retrieved chunks into an answer, or an abstention when
the book does not cover the question. A leaf package: it imports only `providers.embeddings`.
"""

from booktutor.extractive.abstention import AbstentionPolicy, should_abstain
from booktutor.extractive.analysis import features
from booktutor.extractive.compose import ComposedAnswer, compose_answer
from booktutor.extractive.rendering import NOT_COVERED
from booktutor.extractive.selection import MAX_WORDS

__all__ = [
    "MAX_WORDS",
    "NOT_COVERED",
    "AbstentionPolicy",
    "ComposedAnswer",
    "compose_answer",
    "features",
    "should_abstain",
]
