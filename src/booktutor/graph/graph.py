"""The LangGraph state machine: guard → router → one specialist → end."""

from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from booktutor.graph.nodes import (
    guard_node,
    make_agent_node,
    next_node,
    out_of_scope_node,
    router_node,
    smalltalk_node,
)
from booktutor.graph.state import Route, RunDeps, TutorState

SPECIALISTS: tuple[Route, ...] = ("answer", "tutor", "personalize", "translate")


ChatGraph = CompiledStateGraph[TutorState, RunDeps, TutorState, TutorState]


def build_graph(checkpointer: BaseCheckpointSaver[str] | None = None) -> ChatGraph:
    graph = StateGraph(TutorState, context_schema=RunDeps)
    graph.add_node("guard", guard_node)
    graph.add_node("router", router_node)
    for route in SPECIALISTS:
        graph.add_node(route, make_agent_node(route))
    graph.add_node("out_of_scope", out_of_scope_node)
    graph.add_node("smalltalk", smalltalk_node)
    graph.add_edge(START, "guard")
    graph.add_edge("guard", "router")
    graph.add_conditional_edges("router", next_node, [*SPECIALISTS, "out_of_scope", "smalltalk"])
    for route in (*SPECIALISTS, "out_of_scope", "smalltalk"):
        graph.add_edge(route, END)
    return graph.compile(checkpointer=checkpointer, name="booktutor")
