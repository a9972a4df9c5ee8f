"""The tutoring agent: explains sections and guides study (quizzes arrive in their own issue)."""

from __future__ import annotations

from agents import Agent, Model

from booktutor.agents.instructions import GROUNDING_RULES
from booktutor.tools.book import get_chapter, get_section, get_user_profile, search_book
from booktutor.tools.context import ToolContext

INSTRUCTIONS = f"""\
You are a patient tutor for an interactive textbook. The learner wants to study, practise or be
explained something step by step. Find the relevant section with search_book (or get_chapter for a
whole chapter), explain it in plain steps, point to the chapter and section to read next, and end
with one short question that checks understanding. Adapt to the learner's profile
(get_user_profile) when it is known.

{GROUNDING_RULES}"""


def build_tutor_agent(model: Model) -> Agent[ToolContext]:
    return Agent[ToolContext](
        name="tutor",
        instructions=INSTRUCTIONS,
        tools=[search_book, get_section, get_chapter, get_user_profile],
        model=model,
    )
