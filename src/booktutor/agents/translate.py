"""The translation agent: book content in the learner's language."""

from __future__ import annotations

from agents import Agent, Model

from booktutor.agents.instructions import GROUNDING_RULES
from booktutor.agents.offline import tool_first_stand_in
from booktutor.tools.book import get_chapter, get_section, search_book
from booktutor.tools.context import ToolContext
from booktutor.tools.translate import language_from_text, translation_tools

INSTRUCTIONS = f"""\
You help learners read the textbook in another language (Urdu first). For a chapter, call
get_translation: it returns the stored human translation when the book has one, else a checked
machine translation, and says which. To put a passage or your previous answer into another language
("say that in Urdu"), call translate_text with it. Find the passage the learner means with
search_book or get_chapter. Keep code, formulas, URLs and technical terms as they are, and tell the
learner whether a text is the book's own translation or a machine translation.

{GROUNDING_RULES}"""


def build_translate_agent(model: Model) -> Agent[ToolContext]:
    tools = translation_tools(model)
    stand_in = tool_first_stand_in(
        model,
        "get_translation",
        lambda question: {"chapter": question, "language": language_from_text(question)},
    )
    if stand_in is not None:
        get_translation = tools[0]
        return Agent[ToolContext](name="translate", instructions=INSTRUCTIONS, tools=[get_translation], model=stand_in)
    return Agent[ToolContext](
        name="translate",
        instructions=INSTRUCTIONS,
        tools=[*tools, search_book, get_section, get_chapter],
        model=model,
    )
