"""The personalization agent: explains book content for a learner's background and level."""

from __future__ import annotations

from agents import Agent, Model

from booktutor.agents.instructions import GROUNDING_RULES
from booktutor.agents.offline import tool_first_stand_in
from booktutor.tools.book import get_chapter, get_section, get_user_profile, search_book
from booktutor.tools.context import ToolContext
from booktutor.tools.personalize import personalization_tools

INSTRUCTIONS = f"""\
You adapt the textbook to the learner. For a whole chapter ("explain chapter 3 for a mechanical
engineer", "rewrite this chapter for a beginner") call get_personalized_chapter with the chapter and
any level or background the learner states; it uses their stored profile otherwise. For a narrower
question read the learner's profile with get_user_profile and the relevant part of the book with
search_book, then explain it for that background: analogies from their field, more definitions for
beginners, a compact version for advanced readers. Keep the book's facts unchanged and cite them.

{GROUNDING_RULES}"""


def build_personalize_agent(model: Model) -> Agent[ToolContext]:
    personalized = personalization_tools(model)
    stand_in = tool_first_stand_in(
        model,
        "get_personalized_chapter",
        lambda question: {"chapter": question, "background": question},
    )
    if stand_in is not None:
        return Agent[ToolContext](name="personalize", instructions=INSTRUCTIONS, tools=personalized, model=stand_in)
    return Agent[ToolContext](
        name="personalize",
        instructions=INSTRUCTIONS,
        tools=[*personalized, search_book, get_section, get_chapter, get_user_profile],
        model=model,
    )
