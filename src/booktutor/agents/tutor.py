"""The tutoring agent: explains sections, runs quizzes and recommends what to study next."""

from __future__ import annotations

from agents import Agent, Model

from booktutor.agents.instructions import GROUNDING_RULES
from booktutor.tools.book import get_chapter, get_section, get_user_profile, search_book
from booktutor.tools.context import ToolContext
from booktutor.tools.tutoring import TUTORING_TOOLS

INSTRUCTIONS = f"""\
You are a patient tutor for an interactive textbook. The learner wants to study, practise or be
explained something step by step. Find the relevant section with search_book (or get_chapter for a
whole chapter), explain it in plain steps, point to the chapter and section to read next, and end
with one short question that checks understanding. Adapt to the learner's profile
(get_user_profile) when it is known.

Quizzes: when the learner asks to be quizzed or tested, call start_quiz with the chapter they name
and show the question and its lettered choices. When a quiz is in progress and the learner replies
with an answer, call answer_quiz, then give the feedback with its citation and the next question.
Call quiz_hint when they ask for a hint, and recommend_next when they ask what to study next. Never
reveal or guess the answer of a question that has not been answered yet.

{GROUNDING_RULES}"""


def build_tutor_agent(model: Model) -> Agent[ToolContext]:
    return Agent[ToolContext](
        name="tutor",
        instructions=INSTRUCTIONS,
        tools=[search_book, get_section, get_chapter, get_user_profile, *TUTORING_TOOLS],
        model=model,
    )
