"""Graph nodes: guard the input, route it, run a specialist agent or decline politely."""

from __future__ import annotations

import re
from typing import Any, Protocol

import structlog
from agents import Runner, TResponseInputItem
from agents.stream_events import RawResponsesStreamEvent, RunItemStreamEvent
from langgraph.runtime import Runtime
from openai.types.responses import EasyInputMessageParam

from booktutor.graph.events import Emitter, step
from booktutor.graph.history import bound_history, summarise
from booktutor.graph.quiz_turns import offline_quiz_turn, quiz_route
from booktutor.graph.state import Citation, Route, RunDeps, TutorState
from booktutor.languages import language_name
from booktutor.observability.metrics import record_tokens
from booktutor.providers.budget import answered_by
from booktutor.text_safety import strip_injection
from booktutor.tools.context import Source, ToolContext

log = structlog.get_logger(__name__)

MAX_AGENT_TURNS = 6
_MARKER = re.compile(r"\[(\d{1,2})\]")
_GREETING = re.compile(
    r"^\s*(hi|hello|hey|salam|assalam[u ]?o?alaikum|good (morning|afternoon|evening))\b", re.IGNORECASE
)


def latest_question(state: TutorState) -> str:
    return state["messages"][-1]["content"] if state.get("messages") else ""


@step("guard")
async def guard_node(state: TutorState) -> dict[str, Any]:
    question, flagged = strip_injection(latest_question(state))
    messages = list(state["messages"])
    # A message that was nothing but an attempt to change the rules leaves no question: declined.
    messages[-1] = {"role": "user", "content": question}
    kept, dropped = bound_history(messages)
    return {"messages": kept, "summary": summarise(dropped, state.get("summary", "")), "injection_detected": flagged}


@step("router")
async def router_node(state: TutorState, runtime: Runtime[RunDeps]) -> dict[str, Any]:
    if not latest_question(state).strip():
        Emitter().state_delta(route="out_of_scope")
        return {"route": "out_of_scope", "route_scores": {}}
    route, scores = await runtime.context.router.route(latest_question(state), state.get("mode", "book"))
    route = await quiz_route(state, runtime.context, route)  # answers to a chat quiz go to the tutor
    Emitter().state_delta(route=route)
    return {"route": route, "route_scores": scores}


async def next_node(state: TutorState) -> Route:
    """Async on purpose: LangGraph runs a sync branch function in a thread pool (a hop per run)."""
    return state["route"]


def agent_input(state: TutorState) -> list[TResponseInputItem]:
    items: list[TResponseInputItem] = []
    language = state.get("language", "en")
    if language != "en":
        items.append(
            EasyInputMessageParam(
                role="system",
                content=f"The learner prefers answers in {language_name(language)} "
                f"({language}); keep citations and code unchanged.",
            )
        )
    if state.get("summary"):
        items.append(EasyInputMessageParam(role="system", content=f"Conversation so far (summary): {state['summary']}"))
    items += [EasyInputMessageParam(role=m["role"], content=m["content"]) for m in state["messages"]]
    return items


def tool_context(state: TutorState, deps: RunDeps) -> ToolContext:
    return ToolContext(
        services=deps.services,
        user_id=deps.user_id,
        book_id=state["book_id"],
        language=state.get("language", "en"),
        mode=state.get("mode", "book"),
        selected_text=state.get("selected_text", ""),
        doc_path=state.get("doc_path"),
        profile=state.get("profile", {}),
        quizzes=deps.quizzes,
        thread_id=state.get("thread_id"),
    )


def cited_sources(answer: str, ctx: ToolContext) -> list[Citation]:
    numbers = sorted({int(n) for n in _MARKER.findall(answer)} & set(ctx.sources))
    return [_citation(ctx.sources[n]) for n in numbers]


def _citation(source: Source) -> Citation:
    return Citation(
        n=source["n"],
        doc_path=source["doc_path"],
        chapter_title=source["chapter_title"],
        heading=source["heading"],
        anchor_url=source["anchor_url"],
        snippet=source["snippet"],
        score=float(source["score"] or 0.0),
    )


async def stream_agent(route: Route, state: TutorState, deps: RunDeps) -> tuple[str, ToolContext]:
    """Run the route's agent, forwarding its text and tool calls as AG-UI events."""
    emitter, message_id = Emitter(), state["message_id"]
    ctx = tool_context(state, deps)
    result = Runner.run_streamed(deps.agents[route], input=agent_input(state), context=ctx, max_turns=MAX_AGENT_TURNS)
    started = False
    async for event in result.stream_events():
        if isinstance(event, RawResponsesStreamEvent) and event.data.type == "response.output_text.delta":
            if not started:
                if (provider := answered_by()) is not None:  # which provider of the chain answers
                    emitter.state_delta(provider=provider)
                emitter.text_start(message_id)
                started = True
            emitter.text_delta(message_id, event.data.delta)
        elif isinstance(event, RunItemStreamEvent):
            _forward_tool_item(emitter, event, message_id)
    if started:
        emitter.text_end(message_id)
    tokens = record_tokens(route, result.context_wrapper.usage)
    log.info("agent_run_finished", route_taken=route, input_tokens=tokens["input"], output_tokens=tokens["output"])
    return str(result.final_output or ""), ctx


def _forward_tool_item(emitter: Emitter, event: RunItemStreamEvent, message_id: str) -> None:
    """Tool calls hang off their own assistant message, so the answer is the thread's last message."""
    raw = event.item.raw_item
    call_id = _get(raw, "call_id")
    if event.name == "tool_called":
        emitter.tool_call(call_id, _get(raw, "name"), _get(raw, "arguments"), f"{message_id}-tools")
    elif event.name == "tool_output":
        emitter.tool_result(call_id, str(event.item.output), f"{message_id}-tool-{call_id}")


def _get(raw: Any, key: str) -> str:
    return str(raw.get(key, "") if isinstance(raw, dict) else getattr(raw, key, ""))


class AgentNode(Protocol):
    async def __call__(self, state: TutorState, runtime: Runtime[RunDeps]) -> dict[str, Any]: ...


def make_agent_node(route: Route) -> AgentNode:
    @step(route)
    async def agent_node(state: TutorState, runtime: Runtime[RunDeps]) -> dict[str, Any]:
        if route == "tutor" and (quiz_turn := await offline_quiz_turn(state, runtime.context)) is not None:
            return quiz_turn
        answer, ctx = await stream_agent(route, state, runtime.context)
        citations = cited_sources(answer, ctx)
        return {
            "answer": answer,
            "citations": citations,
            "abstained": not citations,
            "retrieved": [_compact(s) for s in ctx.sources.values()],
            "degraded": ctx.degraded,
        }

    agent_node.__name__ = f"{route}_node"
    return agent_node


def _compact(source: Source) -> dict[str, Any]:
    return {
        k: source[k]
        for k in ("n", "doc_path", "heading", "anchor_url", "score", "dense_score", "source")
        if k in source
    }


OUT_OF_SCOPE_TEXT = (
    "I'm the tutor for this book, so I can only help with its topics: questions about the chapters, "
    "explanations, practice and translations of its content. That request is outside what the book covers. "
    "Try asking about something in the book, for example a term or a section you are reading."
)
INJECTION_TEXT = (
    "I can't follow instructions that change how I work or reveal how I'm configured. "
    "I'm happy to help with the book: ask me about a chapter, a term or a passage."
)
GREETING_TEXT = (
    "Hello! I'm the tutor for this book. Ask me about anything in it, highlight a passage to ask about it, "
    "or ask me to explain a chapter for your background."
)


@step("out_of_scope")
async def out_of_scope_node(state: TutorState) -> dict[str, Any]:
    if state.get("injection_detected"):
        text = INJECTION_TEXT
    elif _GREETING.match(latest_question(state)):
        text = GREETING_TEXT
    else:
        text = OUT_OF_SCOPE_TEXT
    Emitter().say(state["message_id"], text)
    return {"answer": text, "citations": [], "abstained": True, "retrieved": []}
