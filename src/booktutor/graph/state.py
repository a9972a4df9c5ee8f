"""The state a conversation turn carries through the graph."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from typing_extensions import TypedDict  # pydantic reads these models on Python < 3.12

from booktutor.graph.agent_pool import AgentPool
from booktutor.services import Services
from booktutor.tools.context import ToolContext
from booktutor.tutoring.quizzes import QuizService

Route = Literal["answer", "tutor", "personalize", "translate", "out_of_scope", "smalltalk"]
ROUTES: tuple[Route, ...] = ("answer", "tutor", "personalize", "translate", "out_of_scope")
"""The routes a router chooses between; `smalltalk` (greetings, thanks) is decided by rules first."""
Mode = Literal["book", "selection"]


class ChatMessage(TypedDict):
    role: Literal["user", "assistant"]
    content: str


class Citation(TypedDict):
    n: int
    doc_path: str
    chapter_title: str
    heading: str
    anchor_url: str
    snippet: str
    score: float


class TutorState(TypedDict, total=False):
    messages: list[ChatMessage]  # bounded history, oldest first; the last one is the learner's
    question: str  # the learner's message, a follow-up resolved against earlier turns (followups.py)
    summary: str  # of turns older than `messages`
    thread_id: str
    user_id: str
    book_id: str
    language: str
    profile: dict[str, Any]
    mode: Mode
    selected_text: str
    doc_path: str | None  # the page the learner is on (forwardedProps or AG-UI context)
    context: list[dict[str, str]]  # AG-UI `context` entries: {"description", "value"}
    client_tools: list[dict[str, Any]]  # AG-UI frontend `tools`: {"name", "description", "parameters"}
    tool_turns: list[dict[str, str]]  # the client's results: {"call_id", "name", "arguments", "output"}
    injection_detected: bool
    route: Route
    route_scores: dict[str, float]
    retrieved: list[dict[str, Any]]
    citations: list[Citation]
    abstained: bool
    degraded: bool
    answer: str
    message_id: str


class Router(Protocol):
    """Chooses the specialist for a message: the route and each route's score (empty when ruled)."""

    async def route(self, text: str, mode: Mode = "book") -> tuple[Route, dict[str, float]]: ...


@dataclass
class RunDeps:
    """Per-run dependencies handed to nodes through LangGraph's runtime context (not checkpointed)."""

    services: Services
    agents: dict[str, AgentPool[ToolContext]]  # each run borrows its route's agent
    router: Router
    user_id: uuid.UUID | None = None
    quizzes: QuizService | None = None
