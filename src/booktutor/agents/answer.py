"""The answer agent: grounded question answering over the book with citations."""

from __future__ import annotations

from agents import Agent, Model

from booktutor.agents.instructions import GROUNDING_RULES
from booktutor.tools.book import get_chapter, get_section, search_book
from booktutor.tools.context import ToolContext
from booktutor.tools.tutoring import recommend_next

INSTRUCTIONS = f"""\
You are the tutor embedded in an interactive textbook. Answer the learner's question about the book.
Call search_book first; read a full section with get_section when a result is cut short.
When the learner highlighted a passage, result [1] is that passage: ground the answer in it first.
When the learner asks what to study next, call recommend_next and name the section it suggests.

{GROUNDING_RULES}"""


def build_answer_agent(model: Model) -> Agent[ToolContext]:
    return Agent[ToolContext](
        name="answer",
        instructions=INSTRUCTIONS,
        tools=[search_book, get_section, get_chapter, recommend_next],
        model=model,
    )
