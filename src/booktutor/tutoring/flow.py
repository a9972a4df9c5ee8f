"""The quiz flow as its own LangGraph graph: ask → (interrupt) → grade → feedback → next question.

Each quiz is a checkpointed thread (`quiz:<quiz id>`), so a quiz started in one request, process
or chat turn is resumed by the next with `Command(resume=...)`: `{"action": "hint"}` or
`{"action": "answer", "answer": ...}`. Graded answers are stored once (a replayed grade step
finds its answer stored), so a crash between grading and checkpointing loses nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from booktutor.memory.checkpoint_keys import quiz_checkpoint_id


class QuizState(TypedDict, total=False):
    quiz_id: str
    position: int
    hints: int  # hints revealed for the current question
    pending: Any  # the answer being graded
    last: dict[str, Any] | None  # the latest grading result (public once graded)
    done: bool


class QuizSteps(Protocol):
    """What the flow's nodes ask of the quiz service (the database work behind each step)."""

    async def question_count(self, quiz_id: uuid.UUID) -> int:
        """Questions of an active quiz; 0 once it is no longer active."""
        ...

    async def grade_and_record(self, quiz_id: uuid.UUID, position: int, answer: Any, hints_used: int) -> dict[str, Any]:
        """Grade the answer to question `position` and store it once; the result as a GradeResult dict."""
        ...

    async def complete(self, quiz_id: uuid.UUID) -> None: ...


@dataclass
class QuizDeps:
    service: QuizSteps


def quiz_config(quiz_id: uuid.UUID | str) -> RunnableConfig:
    return {"configurable": {"thread_id": quiz_checkpoint_id(quiz_id)}}


async def ask_node(state: QuizState, runtime: Runtime[QuizDeps]) -> Command[Literal["ask", "grade", "finish"]]:
    total = await runtime.context.service.question_count(uuid.UUID(state["quiz_id"]))
    if state.get("position", 0) >= total:
        return Command(goto="finish")
    reply = interrupt({"quiz_id": state["quiz_id"], "position": state.get("position", 0)})
    if reply.get("action") == "hint":
        return Command(update={"hints": state.get("hints", 0) + 1}, goto="ask")
    return Command(update={"pending": reply.get("answer")}, goto="grade")


async def grade_node(state: QuizState, runtime: Runtime[QuizDeps]) -> Command[Literal["ask"]]:
    result = await runtime.context.service.grade_and_record(
        uuid.UUID(state["quiz_id"]),
        state.get("position", 0),
        state["pending"],
        state.get("hints", 0),
    )
    if result["verdict"] == "ungraded":
        return Command(update={"pending": None, "last": result}, goto="ask")
    return Command(
        update={
            "pending": None,
            "last": result,
            "hints": 0,
            "position": state.get("position", 0) + 1,
        },
        goto="ask",
    )


async def finish_node(state: QuizState, runtime: Runtime[QuizDeps]) -> dict[str, Any]:
    await runtime.context.service.complete(uuid.UUID(state["quiz_id"]))
    return {"done": True}


QuizGraph = CompiledStateGraph[QuizState, QuizDeps, QuizState, QuizState]


def build_quiz_graph(checkpointer: BaseCheckpointSaver[str]) -> QuizGraph:
    graph = StateGraph(QuizState, context_schema=QuizDeps)
    graph.add_node("ask", ask_node)
    graph.add_node("grade", grade_node)
    graph.add_node("finish", finish_node)
    graph.add_edge(START, "ask")
    graph.add_edge("finish", END)
    return graph.compile(checkpointer=checkpointer, name="quiz")
