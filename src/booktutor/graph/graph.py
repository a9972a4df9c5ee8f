"""The LangGraph state machine: guard and router (one step) → one specialist → end."""

from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from booktutor.graph.nodes import (
    guard_and_route,
    make_agent_node,
    next_node,
    out_of_scope_node,
    smalltalk_node,
)
from booktutor.graph.state import Route, RunDeps, TutorState

SPECIALISTS: tuple[Route, ...] = ("answer", "tutor", "personalize", "translate")


ChatGraph = CompiledStateGraph[TutorState, RunDeps, TutorState, TutorState]


def build_graph(checkpointer: BaseCheckpointSaver[str] | None = None) -> ChatGraph:
    graph = StateGraph(TutorState, context_schema=RunDeps)
    graph.add_node("router", guard_and_route)
    for route in SPECIALISTS:
        graph.add_node(route, make_agent_node(route))
    graph.add_node("out_of_scope", out_of_scope_node)
    graph.add_node("smalltalk", smalltalk_node)
    graph.add_edge(START, "router")
    graph.add_conditional_edges("router", next_node, [*SPECIALISTS, "out_of_scope", "smalltalk"])
    for route in (*SPECIALISTS, "out_of_scope", "smalltalk"):
        graph.add_edge(route, END)
    return graph.compile(checkpointer=checkpointer, name="booktutor")
