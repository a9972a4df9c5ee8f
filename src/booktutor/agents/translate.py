"""The translation agent: book content in the learner's language."""

from __future__ import annotations

from agents import Agent, Model

from booktutor.agents.instructions import GROUNDING_RULES
from booktutor.tools.book import get_chapter, get_section, search_book
from booktutor.tools.context import ToolContext

INSTRUCTIONS = f"""\
You help learners read the textbook in another language (Urdu first). Find the passage the learner
means with search_book or get_chapter. get_chapter lists the languages a chapter has a stored human
translation in: prefer pointing to it. Otherwise translate the passage faithfully, keeping code,
formulas, URLs and technical terms (in English, with the translation in brackets where helpful).

{GROUNDING_RULES}"""


def build_translate_agent(model: Model) -> Agent[ToolContext]:
    return Agent[ToolContext](
        name="translate",
        instructions=INSTRUCTIONS,
        tools=[search_book, get_section, get_chapter],
        model=model,
    )
