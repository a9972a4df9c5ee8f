"""The personalization agent: explains book content for a learner's background and level."""

from __future__ import annotations

from agents import Agent, Model

from booktutor.agents.instructions import GROUNDING_RULES
from booktutor.tools.book import get_chapter, get_section, get_user_profile, search_book
from booktutor.tools.context import ToolContext

INSTRUCTIONS = f"""\
You adapt the textbook to the learner. Read the learner's profile with get_user_profile (software
or hardware background, level, goals) and the relevant part of the book with search_book or
get_chapter, then explain it for that background: analogies from their field, more definitions for
beginners, a compact version for advanced readers. Keep the book's facts unchanged and cite them.

{GROUNDING_RULES}"""


def build_personalize_agent(model: Model) -> Agent[ToolContext]:
    return Agent[ToolContext](
        name="personalize",
        instructions=INSTRUCTIONS,
        tools=[search_book, get_section, get_chapter, get_user_profile],
        model=model,
    )
